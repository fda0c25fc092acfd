/* matrix_options.h: the command line of `streamproof matrix`.
 *
 * Only the syntax is checked here (names, numbers, KEY=VALUE forms, no
 * duplicates); what needs files (the workload, the schedules) is checked by
 * matrix_setup.h before anything runs. */
#ifndef SP_MATRIX_OPTIONS_H
#define SP_MATRIX_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

#include "matrix_int.h"

typedef enum { MX_OPTS_RUN, MX_OPTS_HELP, MX_OPTS_ERROR } mx_opts_result;

typedef struct mx_options {
  const char *workload;   /* NULL: the shipped default (workloads/matrix/default.yaml) */
  const char *out;        /* NULL: results/<UTC time>-matrix-<name>/ */
  int n_sem;
  int sem[MX_SEMANTICS];  /* semantics ids in the order given */
  int n_faults;
  const char *faults[MX_MAX_FAULTS]; /* names or schedule paths, in the order given */
  int repeat;             /* runs per cell, >= 1 */
  const char **sets;      /* --set KEY=VALUE, passed to every run */
  size_t n_sets;
  const char **props;     /* -X PROP=VALUE, passed to every run */
  size_t n_props;
  const char *bootstrap;  /* --bootstrap HOST:PORT, passed to every run */
  const char *refbroker;  /* --refbroker PATH, passed to every run */
  double cell_timeout_s;  /* 0: from the workload's durations */
  int strict;             /* exit 1/2 when a verdict is invalid/unknown */
  int quiet;              /* no progress lines */
} mx_options;

/* Parses argv (argv[0] is "matrix"). RUN with o filled, HELP, or ERROR
 * with err saying what is wrong. o must be freed with mx_options_free after
 * RUN and ERROR alike; its strings point into argv. */
mx_opts_result mx_options_parse(int argc, char **argv, mx_options *o, char *err, size_t err_cap);
void mx_options_free(mx_options *o);
void mx_usage(FILE *out);

#endif
