/* matrix_options.c: see matrix_options.h. */
#include "matrix_options.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

void mx_usage(FILE *out) {
  fputs(
      "usage: streamproof matrix [WORKLOAD.yaml] [options]\n"
      "\n"
      "Runs one workload under each delivery semantics crossed with each fault, every\n"
      "cell an ordinary `streamproof run` with its own results folder, and writes one\n"
      "comparison table (loss, duplicates, redeliveries, other anomalies, verdict,\n"
      "throughput and end-to-end latency with their cost against the same semantics'\n"
      "no-fault cell), one plot and an index.html linking every cell's report.\n"
      "\n"
      "Without WORKLOAD it runs the shipped short matrix workload\n"
      "(workloads/matrix/default.yaml: the whole matrix in a few minutes).\n"
      "\n"
      "  --out DIR              matrix folder (default results/<UTC time>-matrix-<name>/);\n"
      "                         must not exist or be empty\n"
      "  --semantics LIST       rows, comma-separated (default\n"
      "                         at_most_once,at_least_once,exactly_once)\n"
      "  --faults LIST          columns, comma-separated: none, or a schedule of\n"
      "                         faults/matrix/ by name (consumer-crash, broker-crash,\n"
      "                         processor-crash), or the path of any schedule file\n"
      "                         (default none,consumer-crash,broker-crash,processor-crash)\n"
      "  --repeat N             runs per cell (1..99, default 1); the table shows\n"
      "                         medians and [min..max]\n"
      "  --set KEY=VALUE        override a workload field in every run (repeatable;\n"
      "                         not semantics or faults: the matrix sets those)\n"
      "  --bootstrap HOST:PORT  drive an existing Kafka-protocol broker (broker-crash\n"
      "                         cells are then not available)\n"
      "  -X PROP=VALUE          librdkafka property for every client of every run\n"
      "  --refbroker PATH       the refbroker binary the runs start\n"
      "  --cell-timeout S       stop a run that takes longer (default: twice the\n"
      "                         workload's warm-up + duration + drain timeout, + 180 s)\n"
      "  --strict               exit 1 (2) when a cell's verdict is invalid (unknown)\n"
      "  --quiet                no progress lines\n"
      "  --help                 this text\n"
      "\n"
      "Exit status:\n"
      "  0  every cell ran (an invalid or unknown verdict is a finding, shown in the\n"
      "     table; cells not available here, such as processor-crash without a stream\n"
      "     processor, are shown as such)\n"
      "  1  --strict: some cell's verdict is invalid\n"
      "  2  --strict: some cell's verdict is unknown (and none invalid)\n"
      "  3  usage error, invalid workload or fault schedule, --out not empty\n"
      "  4  some cell could not run or complete (its exit code and reason are in the\n"
      "     table), or the table, plot or page could not be written\n"
      "130  interrupted (the running cell is stopped; the table shows what ran)\n",
      out);
}

/* Appends s to a growing array of strings. */
static void push(const char ***arr, size_t *n, const char *s) {
  *arr = sp_realloc(*arr, (*n + 1) * sizeof **arr);
  (*arr)[(*n)++] = s;
}

/* Splits a comma-separated list in place into items (empty items are an
 * error). Returns the count, or -1 with err. */
static int split_list(char *list, const char *flag, char **items, int max, char *err, size_t cap) {
  int n = 0;
  for (char *p = list;;) {
    char *comma = strchr(p, ',');
    if (comma) *comma = '\0';
    if (!*p) {
      snprintf(err, cap, "%s: empty item in the list", flag);
      return -1;
    }
    if (n == max) {
      snprintf(err, cap, "%s: at most %d items", flag, max);
      return -1;
    }
    items[n++] = p;
    if (!comma) break;
    p = comma + 1;
  }
  for (int i = 0; i < n; i++)
    for (int k = i + 1; k < n; k++)
      if (!strcmp(items[i], items[k])) {
        snprintf(err, cap, "%s: '%s' given twice", flag, items[i]);
        return -1;
      }
  return n;
}

/* --semantics LIST. */
static int parse_semantics(char *val, mx_options *o, char *err, size_t cap) {
  char *items[MX_SEMANTICS + 1];
  int n = split_list(val, "--semantics", items, MX_SEMANTICS, err, cap);
  if (n < 0) return -1;
  for (int i = 0; i < n; i++) {
    int id = mx_semantics_id(items[i]);
    if (id < 0) {
      snprintf(err, cap, "--semantics: unknown semantics '%s' (expected at_most_once, at_least_once, exactly_once)",
               items[i]);
      return -1;
    }
    o->sem[i] = id;
  }
  o->n_sem = n;
  return 0;
}

/* A KEY=VALUE argument of flag; the matrix's own keys are refused. */
static int check_assignment(const char *flag, const char *val, int is_set, char *err, size_t cap) {
  const char *eq = strchr(val, '=');
  if (!eq || eq == val) {
    snprintf(err, cap, "%s '%s': expected %s=VALUE", flag, val, is_set ? "KEY" : "PROPERTY");
    return -1;
  }
  size_t klen = (size_t)(eq - val);
  if (is_set && ((klen == 9 && !strncmp(val, "semantics", 9)) || (klen == 6 && !strncmp(val, "faults", 6)))) {
    snprintf(err, cap, "--set %.*s: the matrix sets it for each cell; use --%.*s to choose the %s",
             (int)klen, val, (int)klen, val, klen == 6 ? "columns" : "rows");
    return -1;
  }
  return 0;
}

/* The flags that take a value, in the order of the switch below. */
static const char *const VALUE_FLAGS[] = {"--out", "--semantics", "--faults", "--repeat", "--set",
                                          "-X", "--bootstrap", "--refbroker", "--cell-timeout"};
enum { F_OUT, F_SEMANTICS, F_FAULTS, F_REPEAT, F_SET, F_X, F_BOOTSTRAP, F_REFBROKER, F_TIMEOUT, F_N };

/* Finds a value flag in argv[*i]: "--flag value", "--flag=value", "-Xvalue".
 * Returns its index (and the value), -1 when argv[*i] is none, -2 when the
 * value is missing (err set). */
static int value_flag(int argc, char **argv, int *i, char **val, char *err, size_t cap) {
  const char *a = argv[*i];
  for (int f = 0; f < F_N; f++) {
    size_t n = strlen(VALUE_FLAGS[f]);
    if (!strcmp(a, VALUE_FLAGS[f])) {
      if (*i + 1 >= argc) {
        snprintf(err, cap, "%s needs a value (see --help)", VALUE_FLAGS[f]);
        return -2;
      }
      *val = argv[++*i];
      return f;
    }
    if (!strncmp(a, VALUE_FLAGS[f], n) && (a[n] == '=' || (f == F_X && a[n]))) {
      *val = (char *)a + n + (a[n] == '=' ? 1 : 0);
      return f;
    }
  }
  return -1;
}

/* Applies one value flag. 0, or -1 with err. */
static int apply_flag(int which, char *val, mx_options *o, char *err, size_t cap) {
  if (!*val) {
    snprintf(err, cap, "%s: empty value", VALUE_FLAGS[which]);
    return -1;
  }
  switch (which) {
  case F_OUT: o->out = val; return 0;
  case F_SEMANTICS: return parse_semantics(val, o, err, cap);
  case F_FAULTS: {
    char *items[MX_MAX_FAULTS + 1];
    int n = split_list(val, "--faults", items, MX_MAX_FAULTS, err, cap);
    if (n < 0) return -1;
    for (int i = 0; i < n; i++) o->faults[i] = items[i];
    o->n_faults = n;
    return 0;
  }
  case F_REPEAT: {
    char *end;
    long r = strtol(val, &end, 10);
    if (*end || r < 1 || r > MX_MAX_REPEAT) {
      snprintf(err, cap, "--repeat '%s': expected a whole number 1..%d", val, MX_MAX_REPEAT);
      return -1;
    }
    o->repeat = (int)r;
    return 0;
  }
  case F_SET:
  case F_X:
    if (check_assignment(VALUE_FLAGS[which], val, which == F_SET, err, cap)) return -1;
    if (which == F_SET) push(&o->sets, &o->n_sets, val);
    else push(&o->props, &o->n_props, val);
    return 0;
  case F_BOOTSTRAP:
    if (!strchr(val, ':')) {
      snprintf(err, cap, "--bootstrap '%s': expected HOST:PORT", val);
      return -1;
    }
    o->bootstrap = val;
    return 0;
  case F_REFBROKER: o->refbroker = val; return 0;
  case F_TIMEOUT: {
    char *end;
    double s = strtod(val, &end);
    if (*end || !(s >= 10 && s <= 86400)) {
      snprintf(err, cap, "--cell-timeout '%s': expected 10..86400 seconds", val);
      return -1;
    }
    o->cell_timeout_s = s;
    return 0;
  }
  }
  return 0;
}

mx_opts_result mx_options_parse(int argc, char **argv, mx_options *o, char *err, size_t err_cap) {
  memset(o, 0, sizeof *o);
  o->repeat = 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) return MX_OPTS_HELP;
    if (!strcmp(a, "--strict")) {
      o->strict = 1;
      continue;
    }
    if (!strcmp(a, "--quiet")) {
      o->quiet = 1;
      continue;
    }
    char *val = NULL;
    int which = value_flag(argc, argv, &i, &val, err, err_cap);
    if (which == -2) return MX_OPTS_ERROR;
    if (which >= 0) {
      if (apply_flag(which, val, o, err, err_cap)) return MX_OPTS_ERROR;
      continue;
    }
    if (a[0] == '-') {
      snprintf(err, err_cap, "unknown option '%s' (see --help)", a);
      return MX_OPTS_ERROR;
    }
    if (o->workload) {
      snprintf(err, err_cap, "unexpected argument '%s': one workload per matrix", a);
      return MX_OPTS_ERROR;
    }
    o->workload = a;
  }
  if (!o->n_sem) {
    o->n_sem = MX_SEMANTICS;
    for (int s = 0; s < MX_SEMANTICS; s++) o->sem[s] = s;
  }
  if (!o->n_faults) {
    static const char *const def[] = {"none", "consumer-crash", "broker-crash", "processor-crash"};
    o->n_faults = 4;
    for (int f = 0; f < 4; f++) o->faults[f] = def[f];
  }
  return MX_OPTS_RUN;
}

void mx_options_free(mx_options *o) {
  free(o->sets);
  free(o->props);
  o->sets = o->props = NULL;
  o->n_sets = o->n_props = 0;
}
