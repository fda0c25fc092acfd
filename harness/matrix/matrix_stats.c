/* matrix_stats.c: see matrix_stats.h. */
#include "matrix_stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "metrics.h"

mx_stat mx_stat_of(const double *v, size_t n) {
  mx_stat st = {NAN, NAN, NAN, 0};
  double *tmp = sp_malloc((n ? n : 1) * sizeof *tmp);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (!isnan(v[i])) tmp[k++] = v[i];
  if (k) {
    st.median = metric_median(tmp, k); /* sorts tmp */
    st.min = tmp[0];
    st.max = tmp[k - 1];
    st.n = (int)k;
  }
  free(tmp);
  return st;
}

double mx_ratio(double value, double baseline) {
  if (isnan(value) || isnan(baseline) || baseline <= 0) return NAN;
  return value / baseline;
}

int mx_verdict_rank(const char *verdict) {
  if (!verdict || !*verdict) return -1;
  if (!strcmp(verdict, "valid")) return 0;
  if (!strcmp(verdict, "invalid")) return 2;
  return 1;
}

/* The stat of one figure (at byte offset off of mx_figures) over the
 * completed runs. */
static mx_stat stat_of_field(const mx_cell *c, size_t off) {
  double *v = sp_malloc((size_t)c->n_runs * sizeof *v);
  size_t n = 0;
  for (int k = 0; k < c->n_runs; k++)
    if (c->runs[k].state == MX_RUN_DONE) v[n++] = *(const double *)((const char *)&c->runs[k].fig + off);
  mx_stat st = mx_stat_of(v, n);
  free(v);
  return st;
}

/* The processor's part of a cell: runs that had one, their worst stream
 * verdict (a run whose output was not checked counts as "not checked"),
 * medians of output expected and written and of findings, and the finding
 * kinds of the run with the most. */
static void proc_aggregate(mx_cell *c) {
  c->n_proc = 0;
  c->proc_verdict[0] = c->proc_finding_types[0] = '\0';
  int worst = -1;
  double most = -1;
  for (int k = 0; k < c->n_runs; k++) {
    const mx_figures *g = &c->runs[k].fig;
    if (c->runs[k].state != MX_RUN_DONE || !g->has_processor) continue;
    c->n_proc++;
    const char *v = g->stream_verdict[0] ? g->stream_verdict : "not checked";
    if (mx_verdict_rank(v) > worst) {
      worst = mx_verdict_rank(v);
      snprintf(c->proc_verdict, sizeof c->proc_verdict, "%s", v);
    }
    if (g->stream_findings > most) {
      most = g->stream_findings;
      snprintf(c->proc_finding_types, sizeof c->proc_finding_types, "%s", g->stream_finding_types);
    }
  }
  c->proc_expected = stat_of_field(c, offsetof(mx_figures, stream_expected));
  c->proc_written = stat_of_field(c, offsetof(mx_figures, stream_written));
  c->proc_findings = stat_of_field(c, offsetof(mx_figures, stream_findings));
}

void mx_cell_aggregate(mx_cell *c) {
  c->n_done = c->n_failed = 0;
  c->n_valid = c->n_invalid = c->n_unknown = c->n_unchecked = 0;
  c->verdict[0] = '\0';
  int n_na = 0, worst = -1;
  for (int k = 0; k < c->n_runs; k++) {
    const mx_run *r = &c->runs[k];
    if (r->state == MX_RUN_NA) n_na++;
    if (r->state == MX_RUN_FAILED) c->n_failed++;
    if (r->state != MX_RUN_DONE) continue;
    c->n_done++;
    const char *v = r->fig.verdict;
    if (!strcmp(v, "valid")) c->n_valid++;
    else if (!strcmp(v, "invalid")) c->n_invalid++;
    else if (!strcmp(v, "unknown")) c->n_unknown++;
    else c->n_unchecked++;
    if (mx_verdict_rank(v) > worst) {
      worst = mx_verdict_rank(v);
      snprintf(c->verdict, sizeof c->verdict, "%s", v);
    }
  }
  if (n_na) c->state = MX_CELL_NA;
  else if (c->n_done && c->n_failed) c->state = MX_CELL_PARTIAL;
  else if (c->n_done) c->state = MX_CELL_RAN;
  else if (c->n_failed) c->state = MX_CELL_FAILED;
  else c->state = MX_CELL_NOT_RUN;
#define STAT(field) c->field = stat_of_field(c, offsetof(mx_figures, field))
  STAT(acked);
  STAT(lost);
  STAT(duplicated);
  STAT(redelivered);
  STAT(other);
  STAT(lost_pct);
  STAT(duplicated_pct);
  STAT(redelivered_pct);
  STAT(publish_tput);
  STAT(consume_tput);
  STAT(proc_restarts);
#undef STAT
  proc_aggregate(c);
  c->p50 = stat_of_field(c, offsetof(mx_figures, e2e_p50_ms));
  c->p99 = stat_of_field(c, offsetof(mx_figures, e2e_p99_ms));
}

void mx_matrix_aggregate(mx_matrix *m) {
  for (int s = 0; s < m->n_sem; s++)
    for (int f = 0; f < m->n_faults; f++) mx_cell_aggregate(mx_cell_at(m, s, f));
  for (int s = 0; s < m->n_sem; s++) {
    const mx_cell *base = m->none_col >= 0 ? mx_cell_at(m, s, m->none_col) : NULL;
    for (int f = 0; f < m->n_faults; f++) {
      mx_cell *c = mx_cell_at(m, s, f);
      c->tput_ratio = base ? mx_ratio(c->consume_tput.median, base->consume_tput.median) : NAN;
      c->p50_ratio = base ? mx_ratio(c->p50.median, base->p50.median) : NAN;
      c->p99_ratio = base ? mx_ratio(c->p99.median, base->p99.median) : NAN;
    }
  }
}

/* Figure `which` of a cell: 0 consume throughput, 1 p50, 2 p99. */
static double figure(const mx_cell *c, int which) {
  return which == 0 ? c->consume_tput.median : which == 1 ? c->p50.median : c->p99.median;
}

double mx_semantics_ratio(const mx_matrix *m, int s, int which) {
  if (m->none_col < 0) return NAN;
  return mx_ratio(figure(mx_cell_at(m, s, m->none_col), which), figure(mx_cell_at(m, 0, m->none_col), which));
}
