/* run_options.h: the command line of `streamproof run` (a contract: keep
 * it in sync with --help and harness/run/README.md). */
#ifndef SP_RUN_OPTIONS_H
#define SP_RUN_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

typedef struct run_options {
  const char *workload;  /* WORKLOAD.yaml */
  const char *faults;    /* --faults FILE (overrides the workload's faults:) */
  const char *out;       /* --out DIR; NULL: results/<UTC time>-<name>/ */
  const char *bootstrap; /* --bootstrap HOST:PORT; NULL: embedded refbroker */
  const char *refbroker; /* --refbroker PATH; NULL: next to this executable, then PATH */
  const char *refstream; /* --refstream PATH; NULL: $SP_REFSTREAM, next to this executable, PATH */
  const char **sets;     /* --set key=value, in order */
  size_t n_sets;
  const char **props;    /* -X property=value, in order */
  size_t n_props;
  int no_check;          /* --no-check: skip the verdict (exit 0 when complete) */
  int quiet;             /* --quiet: no progress line */
  int progress_s;        /* --progress-interval S for non-terminal output (default 5) */
} run_options;

typedef enum { RUN_OPTS_RUN = 0, RUN_OPTS_HELP, RUN_OPTS_ERROR } run_opts_result;

/* Parses argv (argv[0] = "run"). The option arrays point into argv; free
 * them with run_options_free. On RUN_OPTS_ERROR err says which argument. */
run_opts_result run_options_parse(int argc, char **argv, run_options *o, char *err, size_t err_len);
void run_options_free(run_options *o);
void run_usage(FILE *out);

#endif
