/* check_main.c: the `streamproof check` command line (check.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static const char USAGE[] =
    "usage: streamproof check RESULTS_DIR [--json] [--examples N] [--quiet]\n"
    "\n"
    "Proves what a run delivered: reads RESULTS_DIR/history/ (meta.json and the\n"
    "producer, consumer, effects and readback histories), reports every anomaly\n"
    "per subscription, per partition and in total with examples, judges them\n"
    "against each subscription's semantics (at_most_once, at_least_once,\n"
    "exactly_once) and writes RESULTS_DIR/verdict.json.\n"
    "\n"
    "With RESULTS_DIR/stream/ (a stream processor's job.yaml and topic dumps of\n"
    "its input and output topics) the stream oracle also recomputes every\n"
    "result from the input and compares it with the processor's output;\n"
    "without history/, the oracle alone runs.\n"
    "\n"
    "  --json        print verdict.json instead of the summary\n"
    "  --examples N  examples kept per anomaly type (default 5)\n"
    "  --quiet       print only the verdict line\n"
    "\n"
    "Exit: 0 valid, 1 invalid, 2 unknown (incomplete history), 3 usage or\n"
    "unreadable input.\n";

/* Parses a non-negative count; -1 if s is not one. */
static int parse_count(const char *s) {
  char *end;
  long v = strtol(s, &end, 10);
  if (!*s || *end || v < 0 || v > 10000) return -1;
  return (int)v;
}

int check_main(int argc, char **argv) {
  check_options o;
  check_options_init(&o);
  const char *dir = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      fputs(USAGE, stdout);
      return 0;
    } else if (strcmp(a, "--json") == 0) {
      o.json = 1;
    } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
      o.quiet = 1;
    } else if (strcmp(a, "--examples") == 0 || strncmp(a, "--examples=", 11) == 0) {
      const char *v = a[10] == '=' ? a + 11 : (i + 1 < argc ? argv[++i] : "");
      if ((o.examples = parse_count(v)) < 0) {
        fprintf(stderr,
                "streamproof check: --examples needs a count from 0 to 10000, got \"%s\"\n%s", v,
                USAGE);
        return CHECK_ERROR;
      }
    } else if (a[0] == '-') {
      fprintf(stderr, "streamproof check: unknown option %s\n%s", a, USAGE);
      return CHECK_ERROR;
    } else if (dir) {
      fprintf(stderr, "streamproof check: one RESULTS_DIR only (got %s and %s)\n%s", dir, a, USAGE);
      return CHECK_ERROR;
    } else {
      dir = a;
    }
  }
  if (!dir) {
    fprintf(stderr, "streamproof check: RESULTS_DIR missing\n%s", USAGE);
    return CHECK_ERROR;
  }
  check_result r;
  int rc = check_run(dir, &o, &r);
  check_result_free(&r);
  return rc;
}
