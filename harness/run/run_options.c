/* run_options.c: see run_options.h. */
#include "run_options.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

void run_usage(FILE *out) {
  fputs(
      "usage: streamproof run WORKLOAD.yaml [options]\n"
      "\n"
      "Runs a workload against a broker and writes a results folder: rates, latency\n"
      "percentiles (corrected for coordinated omission: from each message's intended\n"
      "send time), per-second timeline, histories of every message, faults, process\n"
      "logs; then checks what was delivered and prints the verdict.\n"
      "\n"
      "Without --bootstrap it starts its own refbroker (temporary data directory, free\n"
      "port, the workload's broker: flags) and stops it at the end.\n"
      "\n"
      "  --faults FILE          fault schedule (overrides the workload's faults:)\n"
      "  --out DIR              results folder (default results/<UTC time>-<name>/);\n"
      "                         must not exist or be empty\n"
      "  --bootstrap HOST:PORT  drive an existing Kafka-protocol broker instead (only\n"
      "                         client-side faults then apply)\n"
      "  --set KEY=VALUE        override a workload field (dotted keys, repeatable):\n"
      "                         --set duration_s=30 --set producer.acks=1\n"
      "  -X PROP=VALUE          librdkafka property for every producer and consumer\n"
      "                         (repeatable; after the workload's own)\n"
      "  --refbroker PATH       the refbroker binary (default: next to streamproof)\n"
      "  --refstream PATH       the refstream binary for the workload's processor:\n"
      "                         (default: $SP_REFSTREAM, else next to streamproof)\n"
      "  --no-check             do not run the checker (exit 0 when the run completed)\n"
      "  --quiet                no progress display\n"
      "  --progress-interval S  seconds between progress lines when not on a terminal\n"
      "                         (default 5)\n"
      "  --help                 this text\n"
      "\n"
      "Exit status:\n"
      "  0  valid: completed, schedule kept, nothing forbidden found\n"
      "  1  invalid: the checker found a forbidden anomaly\n"
      "  2  unknown: history incomplete (e.g. the drain did not finish)\n"
      "  3  usage error, invalid workload or fault file\n"
      "  4  the run could not start or complete (broker unreachable, worker failed)\n"
      "  5  completed, but the load generator could not keep its schedule within the\n"
      "     workload's schedule_tolerance\n"
      "130  interrupted (all processes stopped; partial results kept)\n",
      out);
}

/* Appends s to a growing array of strings. */
static void push(const char ***arr, size_t *n, const char *s) {
  *arr = sp_realloc(*arr, (*n + 1) * sizeof **arr);
  (*arr)[(*n)++] = s;
}

run_opts_result run_options_parse(int argc, char **argv, run_options *o, char *err, size_t err_len) {
  memset(o, 0, sizeof *o);
  o->progress_s = 5;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) return RUN_OPTS_HELP;
    /* flags without a value */
    if (!strcmp(a, "--no-check")) {
      o->no_check = 1;
      continue;
    }
    if (!strcmp(a, "--quiet")) {
      o->quiet = 1;
      continue;
    }
    /* flags with a value: "--flag value", "--flag=value" or "-Xvalue" */
    const char *flags[] = {"--faults", "--out", "--bootstrap", "--set", "-X", "--refbroker",
                           "--progress-interval", "--refstream"};
    const char *val = NULL;
    int which = -1;
    for (int f = 0; f < (int)(sizeof flags / sizeof flags[0]) && which < 0; f++) {
      size_t n = strlen(flags[f]);
      if (!strcmp(a, flags[f])) {
        if (i + 1 >= argc) {
          snprintf(err, err_len, "%s needs a value (see --help)", flags[f]);
          return RUN_OPTS_ERROR;
        }
        val = argv[++i];
        which = f;
      } else if (!strncmp(a, flags[f], n) && (a[n] == '=' || (f == 4 && a[n]))) {
        val = a + n + (a[n] == '=' ? 1 : 0);
        which = f;
      }
    }
    if (which < 0) {
      if (a[0] == '-') {
        snprintf(err, err_len, "unknown option '%s' (see --help)", a);
        return RUN_OPTS_ERROR;
      }
      if (o->workload) {
        snprintf(err, err_len, "unexpected argument '%s': one workload per run", a);
        return RUN_OPTS_ERROR;
      }
      o->workload = a;
      continue;
    }
    if (!*val) {
      snprintf(err, err_len, "%s: empty value", flags[which]);
      return RUN_OPTS_ERROR;
    }
    switch (which) {
    case 0: o->faults = val; break;
    case 1: o->out = val; break;
    case 2:
      if (!strchr(val, ':')) {
        snprintf(err, err_len, "--bootstrap '%s': expected HOST:PORT", val);
        return RUN_OPTS_ERROR;
      }
      o->bootstrap = val;
      break;
    case 3:
      if (!strchr(val, '=') || val[0] == '=') {
        snprintf(err, err_len, "--set '%s': expected KEY=VALUE", val);
        return RUN_OPTS_ERROR;
      }
      push(&o->sets, &o->n_sets, val);
      break;
    case 4:
      if (!strchr(val, '=') || val[0] == '=') {
        snprintf(err, err_len, "-X '%s': expected PROPERTY=VALUE", val);
        return RUN_OPTS_ERROR;
      }
      push(&o->props, &o->n_props, val);
      break;
    case 5: o->refbroker = val; break;
    case 6: {
      char *end;
      long s = strtol(val, &end, 10);
      if (*end || s < 1 || s > 3600) {
        snprintf(err, err_len, "--progress-interval '%s': expected 1..3600 seconds", val);
        return RUN_OPTS_ERROR;
      }
      o->progress_s = (int)s;
      break;
    }
    case 7: o->refstream = val; break;
    }
  }
  if (!o->workload) {
    snprintf(err, err_len, "no workload file given (usage: streamproof run WORKLOAD.yaml)");
    return RUN_OPTS_ERROR;
  }
  return RUN_OPTS_RUN;
}

void run_options_free(run_options *o) {
  free(o->sets);
  free(o->props);
  o->sets = o->props = NULL;
  o->n_sets = o->n_props = 0;
}
