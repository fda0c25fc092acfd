/* compare.c: `streamproof compare` (compare.h): the command line, the
 * medians per side, the table, the verdict rule and the exit status. */
#include "compare.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "metrics.h"
#include "rundir.h"
#include "threshold.h"

static const char USAGE[] =
    "usage: streamproof compare BASELINE_DIR CANDIDATE_DIR [options]\n"
    "       streamproof compare --baseline DIR... --candidate DIR... [options]\n"
    "\n"
    "Compares results folders of `streamproof run`: throughput, every latency\n"
    "percentile (corrected and uncorrected), error counts, anomalies and the\n"
    "checker's verdict. With several folders per side, each metric is the\n"
    "median over that side's runs (the spread is shown), so one noisy run does\n"
    "not decide; the verdict of a side is its worst run's.\n"
    "\n"
    "  --max-regress SPEC  limits, NAME=LIMIT[,NAME=LIMIT...]; may be repeated.\n"
    "                      LIMIT: 10% (relative to the baseline), 2ms (absolute,\n"
    "                      in the metric's unit), or 10%+2ms (their sum).\n"
    "                      e.g. --max-regress p99=10%+1ms,throughput=5%,nacked=0\n"
    "  --ignore-verdict    do not fail when the candidate's verdict is worse\n"
    "  --all               show every metric (default: the headline ones and\n"
    "                      every metric with a limit)\n"
    "  --json FILE         also write the comparison as JSON\n"
    "  --markdown FILE     also write it as a markdown table (a pull-request comment)\n"
    "  --quiet             print only the result line\n"
    "\n"
    "Exit: 0 within the limits, 1 a limit crossed or the verdict worse\n"
    "(valid < unknown < invalid), 2 usage or input error.\n"
    "\n"
    "Metrics (NAME in --max-regress; a latency or count may rise by at most\n"
    "the limit, a throughput fall by at most the limit):\n";

static const char USAGE_TAIL[] =
    "  mean p50 p75 p95 p99 p99.9 p99.99 max (also p999, p9999): a bare\n"
    "      latency figure sets the limit on both e2e.<figure> and\n"
    "      publish.<figure>; a full name given too wins.\n"
    "Absolute limits carry the metric's unit: latencies us, ms or s\n"
    "(p99=2ms), throughput msg/s (throughput=500msg/s), counts and fractions\n"
    "none (nacked=0). Latencies are corrected for coordinated omission (from\n"
    "the intended send time) unless the name says uncorrected.\n";

/* Prints the metric table of --help. */
static void usage_metrics(FILE *out) {
  for (size_t i = 0; i < metric_count(); i++) {
    const metric *m = metric_at(i);
    const char *u = metric_unit_name(m->unit);
    fprintf(out, "  %-28s %s%s%s%s\n", m->name, m->label, *u ? " (" : "", u, *u ? ")" : "");
  }
  fputs(USAGE_TAIL, out);
}

/* The whole --help text, metric table included. */
static void usage(FILE *out) {
  fputs(USAGE, out);
  usage_metrics(out);
}

int compare_verdict_rank(const char *verdict) {
  if (verdict && !strcmp(verdict, "valid")) return 0;
  if (verdict && !strcmp(verdict, "invalid")) return 2;
  return 1;
}

/* One side: its results folders. */
typedef struct side {
  const char *role; /* "baseline" or "candidate" */
  rundir *runs;
  size_t n;
} side;

/* One metric on one side: median and spread over the runs that have it. */
typedef struct side_value {
  double median, lo, hi;
  size_t n; /* runs with the value */
} side_value;

typedef struct row {
  const metric *m;
  side_value base, cand;
  const threshold *limit;
  int crossed;
} row;

/* The median and range of m over a side's runs. */
static side_value side_metric(const side *s, const metric *m) {
  side_value sv = {NAN, NAN, NAN, 0};
  double *v = sp_malloc((s->n ? s->n : 1) * sizeof *v);
  for (size_t i = 0; i < s->n; i++)
    if (metric_value(m, &s->runs[i], &v[sv.n]) == 0) sv.n++;
  if (sv.n) {
    sv.median = metric_median(v, sv.n);
    sv.lo = v[0];
    sv.hi = v[sv.n - 1];
  }
  free(v);
  return sv;
}

/* The worst verdict over a side's runs, and how many runs have it. */
static const char *side_verdict(const side *s, size_t *count) {
  const char *worst = NULL;
  int rank = -1;
  for (size_t i = 0; i < s->n; i++) {
    const char *v = rundir_verdict(&s->runs[i]);
    int r = compare_verdict_rank(v);
    if (r > rank) {
      rank = r;
      worst = v ? v : "none";
    }
  }
  *count = 0;
  for (size_t i = 0; i < s->n; i++)
    if (compare_verdict_rank(rundir_verdict(&s->runs[i])) == rank) (*count)++;
  return worst ? worst : "none";
}

/* Relative change in percent, or NAN when the baseline is 0. */
static double change_pct(double base, double cand) {
  if (base == 0) return cand == 0 ? 0 : NAN;
  return (cand - base) / fabs(base) * 100.0;
}

/* "1.234" or "1.234 [1.100..1.400]" when several runs disagree. */
static void cell(const metric *m, const side_value *sv, char *buf, size_t cap) {
  char med[48], lo[48], hi[48];
  metric_format(m, sv->median, med, sizeof med);
  if (sv->n > 1 && sv->lo != sv->hi) {
    metric_format(m, sv->lo, lo, sizeof lo);
    metric_format(m, sv->hi, hi, sizeof hi);
    snprintf(buf, cap, "%s [%s..%s]", med, lo, hi);
  } else {
    snprintf(buf, cap, "%s", med);
  }
}

/* The change column: "+12.3%", "from 0", or empty without both values. */
static void change_text(const row *r, char *buf, size_t cap) {
  double c = change_pct(r->base.median, r->cand.median);
  if (isnan(r->base.median) || isnan(r->cand.median)) buf[0] = '\0';
  else if (isnan(c)) snprintf(buf, cap, "from 0");
  else snprintf(buf, cap, "%+.1f%%", c);
}

/* The limit as the table shows it: the direction and the allowance. */
static void limit_text(const row *r, char *buf, size_t cap) {
  if (!r->limit) buf[0] = '\0';
  else snprintf(buf, cap, "%s%s", r->m->higher_is_better ? "-" : "+", r->limit->text);
}

/* The status column: REGRESSED, ok, or empty for a metric without a limit. */
static const char *status_text(const row *r) {
  if (r->crossed) return "REGRESSED";
  if (r->limit) return "ok";
  return "";
}

/* Tells the user when the sides ran different workloads: the comparison is
 * then of the setups, which may be intended but is worth a line. */
static void workload_note(const side *b, const side *c, FILE *out) {
  const char *wb = b->n ? json_str_at(b->runs[0].summary, "workload") : NULL;
  for (size_t s = 0; s < 2; s++) {
    const side *sd = s ? c : b;
    for (size_t i = 0; i < sd->n; i++) {
      const char *w = json_str_at(sd->runs[i].summary, "workload");
      if (wb && w && strcmp(wb, w)) {
        fprintf(out, "note: different workloads: %s (%s) and %s (%s)\n", wb, b->runs[0].path, w,
                sd->runs[i].path);
        return;
      }
    }
  }
}

/* What the verdict row says: its limit column and its status. */
typedef struct verdict_row {
  const char *base, *cand;
  int worse, ignored;
} verdict_row;

/* One table line, as aligned text or as a GitHub-flavoured markdown row. */
static void table_line(FILE *out, int markdown, const char *c0, const char *c1, const char *c2,
                       const char *c3, const char *c4, const char *c5, const char *c6) {
  int alarm = !strcmp(c6, "REGRESSED") || !strcmp(c6, "WORSE"); /* bold in markdown */
  if (markdown)
    fprintf(out, "| %s | %s | %s | %s | %s | %s | %s%s%s |\n", c0, c1, c2, c3, c4, c5, alarm ? "**" : "", c6,
            alarm ? "**" : "");
  else
    fprintf(out, "%-26s %-6s %-28s %-28s %-9s %-12s %s\n", c0, c1, c2, c3, c4, c5, c6);
}

/* The table: headline metrics and every limited one (all with --all; rows
 * neither side has are left out), then the verdict. */
static void print_table(const row *rows, size_t n, int all, const verdict_row *v, int markdown, FILE *out) {
  table_line(out, markdown, "metric", "unit", "baseline", "candidate", "change", "limit", "status");
  if (markdown) fputs("|---|---|--:|--:|--:|--:|---|\n", out);
  for (size_t i = 0; i < n; i++) {
    const row *r = &rows[i];
    if (!all && !r->m->headline && !r->limit) continue;
    if (!r->base.n && !r->cand.n && !r->limit) continue;
    char bc[160], cc[160], ch[32], lim[80];
    cell(r->m, &r->base, bc, sizeof bc);
    cell(r->m, &r->cand, cc, sizeof cc);
    change_text(r, ch, sizeof ch);
    limit_text(r, lim, sizeof lim);
    table_line(out, markdown, r->m->name, metric_unit_name(r->m->unit), bc, cc, ch, lim, status_text(r));
  }
  table_line(out, markdown, "verdict", "", v->base, v->cand, "", v->ignored ? "(ignored)" : "no worse",
             v->worse ? (v->ignored ? "worse" : "WORSE") : "ok");
}

/* The result line: "PASS: ..." or "FAIL: what crossed which limit; verdict". */
static void result_line(const row *rows, size_t n, const verdict_row *v, size_t n_limits, int failed,
                        FILE *out) {
  if (!failed) {
    if (n_limits)
      fprintf(out, "PASS: %zu limit%s held%s\n", n_limits, n_limits == 1 ? "" : "s",
              v->ignored ? " (verdict ignored)" : ", verdict no worse");
    else
      fprintf(out, "PASS: %s\n", v->ignored ? "no limits given, verdict ignored" : "verdict no worse");
    return;
  }
  fputs("FAIL:", out);
  const char *sep = " ";
  for (size_t i = 0; i < n; i++) {
    const row *r = &rows[i];
    if (!r->crossed) continue;
    char bv[48], cv[48], bound[48];
    metric_format(r->m, r->base.median, bv, sizeof bv);
    metric_format(r->m, r->cand.median, cv, sizeof cv);
    metric_format(r->m, threshold_bound(r->limit, r->base.median), bound, sizeof bound);
    fprintf(out, "%s%s %s -> %s %s (limit %s%s: %s %s)", sep, r->m->name, bv, cv, metric_unit_name(r->m->unit),
            r->m->higher_is_better ? "-" : "+", r->limit->text, r->m->higher_is_better ? "at least" : "at most",
            bound);
    sep = "; ";
  }
  if (v->worse && !v->ignored) fprintf(out, "%sverdict %s -> %s", sep, v->base, v->cand);
  fputc('\n', out);
}

/* Writes the comparison as a markdown section (a pull-request comment).
 * 0, or -1 with err. */
static int write_markdown(const char *path, const row *rows, size_t n, int all, const verdict_row *v,
                          size_t n_limits, int failed, size_t n_base, size_t n_cand, char *err, size_t err_cap) {
  FILE *f = fopen(path, "w");
  if (!f) {
    snprintf(err, err_cap, "cannot write %s: %s", path, strerror(errno));
    return -1;
  }
  fprintf(f, "### streamproof compare: %s\n\nbaseline %zu run%s, candidate %zu run%s%s\n\n", failed ? "FAIL" : "PASS",
          n_base, n_base == 1 ? "" : "s", n_cand, n_cand == 1 ? "" : "s",
          n_base > 1 || n_cand > 1 ? " (medians per side, [min..max] over the runs)" : "");
  print_table(rows, n, all, v, 1, f);
  fputc('\n', f);
  result_line(rows, n, v, n_limits, failed, f);
  if (fclose(f) != 0) {
    snprintf(err, err_cap, "cannot write %s: %s", path, strerror(errno));
    return -1;
  }
  return 0;
}

/* JSON number or null for NAN. */
static json_t *num_or_null(double v) { return isnan(v) ? json_null() : json_real(v); }

/* A side in --json: its folders and its (worst) verdict. */
static json_t *side_json(const side *s, const char *verdict, size_t verdict_runs) {
  json_t *o = json_object(), *runs = json_array();
  for (size_t i = 0; i < s->n; i++) json_array_append_new(runs, json_string(s->runs[i].path));
  json_object_set_new(o, "runs", runs);
  json_object_set_new(o, "verdict", json_string(verdict));
  json_object_set_new(o, "verdict_runs", json_integer((json_int_t)verdict_runs));
  return o;
}

/* A side's value of a metric in --json: median, range, runs that had it. */
static json_t *value_json(const side_value *sv) {
  json_t *o = json_object();
  json_object_set_new(o, "median", num_or_null(sv->median));
  json_object_set_new(o, "min", num_or_null(sv->lo));
  json_object_set_new(o, "max", num_or_null(sv->hi));
  json_object_set_new(o, "runs", json_integer((json_int_t)sv->n));
  return o;
}

/* Writes the comparison as JSON to path. 0, or -1 with err. */
static int write_json(const char *path, const row *rows, size_t n, const side *b, const side *c,
                      const char *vb, size_t nb, const char *vc, size_t nc, int verdict_worse,
                      int ignore_verdict, int failed, char *err, size_t err_cap) {
  json_t *o = json_object();
  json_object_set_new(o, "result", json_string(failed ? "fail" : "pass"));
  json_object_set_new(o, "baseline", side_json(b, vb, nb));
  json_object_set_new(o, "candidate", side_json(c, vc, nc));
  json_t *v = json_object();
  json_object_set_new(v, "worse", json_boolean(verdict_worse));
  json_object_set_new(v, "ignored", json_boolean(ignore_verdict));
  json_object_set_new(o, "verdict", v);
  json_t *ms = json_array();
  for (size_t i = 0; i < n; i++) {
    const row *r = &rows[i];
    json_t *m = json_object();
    json_object_set_new(m, "name", json_string(r->m->name));
    json_object_set_new(m, "label", json_string(r->m->label));
    json_object_set_new(m, "unit", json_string(metric_unit_name(r->m->unit)));
    json_object_set_new(m, "higher_is_better", json_boolean(r->m->higher_is_better));
    json_object_set_new(m, "baseline", value_json(&r->base));
    json_object_set_new(m, "candidate", value_json(&r->cand));
    json_object_set_new(m, "change_pct", num_or_null(change_pct(r->base.median, r->cand.median)));
    if (r->limit) {
      json_object_set_new(m, "limit", json_string(r->limit->text));
      json_object_set_new(m, "bound", num_or_null(threshold_bound(r->limit, r->base.median)));
      json_object_set_new(m, "regressed", json_boolean(r->crossed));
    }
    json_array_append_new(ms, m);
  }
  json_object_set_new(o, "metrics", ms);
  int rc = json_dump_file(o, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
  json_decref(o);
  if (rc != 0) {
    snprintf(err, err_cap, "cannot write %s", path);
    return -1;
  }
  return 0;
}

typedef struct cmp_options {
  threshold_set limits;
  int ignore_verdict, all, quiet;
  const char *json_path, *markdown_path;
  const char **base_dirs, **cand_dirs;
  size_t n_base, n_cand;
} cmp_options;

/* Collects directory arguments after --baseline/--candidate: every
 * following argument that is not an option. */
static size_t take_dirs(int argc, char **argv, int *i, const char ***dst, size_t n) {
  while (*i + 1 < argc && strncmp(argv[*i + 1], "--", 2) != 0) {
    *dst = sp_realloc(*dst, (n + 1) * sizeof **dst);
    (*dst)[n++] = argv[++*i];
  }
  return n;
}

/* Parses the command line into o. 0; 1 for --help (printed); -1 after
 * printing the usage error. */
static int parse_args(int argc, char **argv, cmp_options *o) {
  const char **pos = NULL;
  size_t n_pos = 0;
  char err[1024];
  int rc = 0;
  for (int i = 1; i < argc && rc == 0; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      rc = 1;
    } else if (!strcmp(a, "--baseline")) {
      size_t before = o->n_base;
      o->n_base = take_dirs(argc, argv, &i, &o->base_dirs, o->n_base);
      if (o->n_base == before) {
        fprintf(stderr, "streamproof compare: --baseline needs at least one results folder\n");
        rc = -1;
      }
    } else if (!strcmp(a, "--candidate")) {
      size_t before = o->n_cand;
      o->n_cand = take_dirs(argc, argv, &i, &o->cand_dirs, o->n_cand);
      if (o->n_cand == before) {
        fprintf(stderr, "streamproof compare: --candidate needs at least one results folder\n");
        rc = -1;
      }
    } else if (!strcmp(a, "--max-regress") || !strncmp(a, "--max-regress=", 14)) {
      const char *spec = a[13] == '=' ? a + 14 : (i + 1 < argc ? argv[++i] : NULL);
      if (!spec) {
        fprintf(stderr, "streamproof compare: --max-regress needs a SPEC (e.g. p99=10%%)\n");
        rc = -1;
      } else if (threshold_parse(spec, &o->limits, err, sizeof err) != 0) {
        fprintf(stderr, "streamproof compare: %s\n", err);
        rc = -1;
      }
    } else if (!strcmp(a, "--json") || !strncmp(a, "--json=", 7)) {
      o->json_path = a[6] == '=' ? a + 7 : (i + 1 < argc ? argv[++i] : NULL);
      if (!o->json_path || !*o->json_path) {
        fprintf(stderr, "streamproof compare: --json needs a FILE\n");
        rc = -1;
      }
    } else if (!strcmp(a, "--markdown") || !strncmp(a, "--markdown=", 11)) {
      o->markdown_path = a[10] == '=' ? a + 11 : (i + 1 < argc ? argv[++i] : NULL);
      if (!o->markdown_path || !*o->markdown_path) {
        fprintf(stderr, "streamproof compare: --markdown needs a FILE\n");
        rc = -1;
      }
    } else if (!strcmp(a, "--ignore-verdict")) {
      o->ignore_verdict = 1;
    } else if (!strcmp(a, "--all")) {
      o->all = 1;
    } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
      o->quiet = 1;
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "streamproof compare: unknown option %s (see --help)\n", a);
      rc = -1;
    } else {
      pos = sp_realloc(pos, (n_pos + 1) * sizeof *pos);
      pos[n_pos++] = a;
    }
  }
  if (rc == 0 && n_pos) {
    if (o->n_base || o->n_cand) {
      fprintf(stderr, "streamproof compare: give either BASELINE_DIR CANDIDATE_DIR or --baseline/--candidate, not both (stray %s)\n", pos[0]);
      rc = -1;
    } else if (n_pos != 2) {
      fprintf(stderr, "streamproof compare: expected two results folders (BASELINE_DIR CANDIDATE_DIR), got %zu; for several runs per side use --baseline DIR... --candidate DIR...\n", n_pos);
      rc = -1;
    } else {
      o->base_dirs = sp_malloc(sizeof *o->base_dirs);
      o->cand_dirs = sp_malloc(sizeof *o->cand_dirs);
      o->base_dirs[0] = pos[0];
      o->cand_dirs[0] = pos[1];
      o->n_base = o->n_cand = 1;
    }
  }
  if (rc == 0 && (!o->n_base || !o->n_cand)) {
    fprintf(stderr, "streamproof compare: %s missing\n", !o->n_base ? "the baseline" : "the candidate");
    rc = -1;
  }
  free(pos);
  if (rc < 0) fprintf(stderr, "usage: streamproof compare BASELINE_DIR CANDIDATE_DIR [--max-regress SPEC] (--help for more)\n");
  return rc;
}

/* Opens every folder of a side; -1 after printing the error. */
static int open_side(side *s, const char **dirs, size_t n) {
  s->runs = sp_calloc(n, sizeof *s->runs);
  char err[4096];
  for (size_t i = 0; i < n; i++) {
    if (rundir_open(dirs[i], 1, &s->runs[i], err, sizeof err) != 0) {
      fprintf(stderr, "streamproof compare: %s: %s\n", s->role, err);
      return -1;
    }
    s->n++;
  }
  return 0;
}

/* Releases the folders of a side. */
static void close_side(side *s) {
  for (size_t i = 0; i < s->n; i++) rundir_close(&s->runs[i]);
  free(s->runs);
}

/* Checks that every limited metric has a value on both sides (a limit on
 * a figure the runs lack cannot pass honestly). -1 after printing. */
static int limits_measurable(const row *rows, size_t n, const side *b, const side *c) {
  for (size_t i = 0; i < n; i++) {
    const row *r = &rows[i];
    if (!r->limit || (r->base.n && r->cand.n)) continue;
    const side *s = r->base.n ? c : b;
    const char *why = r->m->source == SRC_SUMMARY ? "summary.json has no " : "verdict.json is missing for ";
    fprintf(stderr, "streamproof compare: --max-regress %s: %s: %s%s (%s)\n", r->m->name, s->role,
            why, r->m->source == SRC_SUMMARY ? r->m->path : "its anomalies", s->runs[0].path);
    return -1;
  }
  return 0;
}

int compare_main(int argc, char **argv) {
  cmp_options o;
  memset(&o, 0, sizeof o);
  side b = {"baseline", NULL, 0}, c = {"candidate", NULL, 0};
  row *rows = NULL;
  int rc = parse_args(argc, argv, &o);
  if (rc != 0) {
    rc = rc > 0 ? COMPARE_PASS : COMPARE_ERROR;
    goto out;
  }
  if (open_side(&b, o.base_dirs, o.n_base) != 0 || open_side(&c, o.cand_dirs, o.n_cand) != 0) {
    rc = COMPARE_ERROR;
    goto out;
  }
  size_t n = metric_count(), failures = 0;
  rows = sp_calloc(n, sizeof *rows);
  for (size_t i = 0; i < n; i++) {
    rows[i].m = metric_at(i);
    rows[i].base = side_metric(&b, rows[i].m);
    rows[i].cand = side_metric(&c, rows[i].m);
    rows[i].limit = threshold_find(&o.limits, rows[i].m);
  }
  if (limits_measurable(rows, n, &b, &c) != 0) {
    rc = COMPARE_ERROR;
    goto out;
  }
  for (size_t i = 0; i < n; i++)
    if (rows[i].limit && threshold_crossed(rows[i].limit, rows[i].base.median, rows[i].cand.median)) {
      rows[i].crossed = 1;
      failures++;
    }
  size_t nb, nc;
  const char *vb = side_verdict(&b, &nb), *vc = side_verdict(&c, &nc);
  int worse = compare_verdict_rank(vc) > compare_verdict_rank(vb);
  int failed = failures || (worse && !o.ignore_verdict);

  verdict_row v = {vb, vc, worse, o.ignore_verdict};
  if (!o.quiet) {
    printf("compare: baseline %zu run%s, candidate %zu run%s%s\n", b.n, b.n == 1 ? "" : "s", c.n,
           c.n == 1 ? "" : "s", b.n > 1 || c.n > 1 ? " (medians per side, [min..max] over the runs)" : "");
    workload_note(&b, &c, stdout);
    printf("\n");
    print_table(rows, n, o.all, &v, 0, stdout);
    if (b.n > 1 || c.n > 1)
      printf("  (verdict of a side: its worst run; baseline %zu of %zu runs %s, candidate %zu of %zu %s)\n",
             nb, b.n, vb, nc, c.n, vc);
    if (!o.limits.n) printf("\nno --max-regress limits: only the verdict is gated\n");
    printf("\n");
  }
  result_line(rows, n, &v, o.limits.n, failed, stdout);
  rc = failed ? COMPARE_REGRESSED : COMPARE_PASS;
  char err[4096];
  if (o.json_path && write_json(o.json_path, rows, n, &b, &c, vb, nb, vc, nc, worse, o.ignore_verdict,
                                failed, err, sizeof err) != 0) {
    fprintf(stderr, "streamproof compare: %s\n", err);
    rc = COMPARE_ERROR;
  }
  if (o.markdown_path && write_markdown(o.markdown_path, rows, n, o.all, &v, o.limits.n, failed, b.n, c.n, err,
                                        sizeof err) != 0) {
    fprintf(stderr, "streamproof compare: %s\n", err);
    rc = COMPARE_ERROR;
  }
out:
  free(rows);
  close_side(&b);
  close_side(&c);
  threshold_set_free(&o.limits);
  free(o.base_dirs);
  free(o.cand_dirs);
  return rc;
}
