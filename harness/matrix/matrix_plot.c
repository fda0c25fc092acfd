/* matrix_plot.c: see matrix_plot.h. */
#include "matrix_plot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gnuplot.h"
#include "matrix_stats.h"
#include "matrix_table.h"
#include "mem.h"

#define GNUPLOT_TIMEOUT_S 60

/* A number for the CSV, or an empty field. */
static void num(FILE *f, double v) {
  fputc(',', f);
  if (!isnan(v)) fprintf(f, "%.10g", v);
}

/* Duplicated + redelivered of each completed run, as a stat (count and
 * share): "delivered more than once" in one bar. */
static void repeated_stats(const mx_cell *c, mx_stat *count, mx_stat *share) {
  double *v = sp_malloc((size_t)c->n_runs * sizeof *v), *p = sp_malloc((size_t)c->n_runs * sizeof *p);
  size_t n = 0;
  for (int k = 0; k < c->n_runs; k++) {
    const mx_figures *g = &c->runs[k].fig;
    if (c->runs[k].state != MX_RUN_DONE) continue;
    double d = isnan(g->duplicated) ? 0 : g->duplicated, r = isnan(g->redelivered) ? 0 : g->redelivered;
    double dp = isnan(g->duplicated_pct) ? 0 : g->duplicated_pct;
    double rp = isnan(g->redelivered_pct) ? 0 : g->redelivered_pct;
    int known = !isnan(g->duplicated) || !isnan(g->redelivered);
    v[n] = known ? d + r : NAN;
    p[n] = known && !(isnan(g->duplicated_pct) && isnan(g->redelivered_pct)) ? dp + rp : NAN;
    n++;
  }
  *count = mx_stat_of(v, n);
  *share = mx_stat_of(p, n);
  free(v);
  free(p);
}

/* What to write at the foot of a cell without figures. */
static const char *status_label(const mx_cell *c) {
  switch (c->state) {
  case MX_CELL_NA: return "n/a";
  case MX_CELL_FAILED: return "failed";
  case MX_CELL_NOT_RUN: return "not run";
  default: return "";
  }
}

void mx_plot_data_write(FILE *f, const mx_matrix *m) {
  fputs("fault_i,sem_i,sem_id,status,lost_pct,lost_pct_min,lost_pct_max,lost_label,"
        "rep_pct,rep_pct_min,rep_pct_max,rep_label,p50,p99,p99_min,p99_max,p99_label,"
        "tput,tput_min,tput_max,tput_label\n",
        f);
  for (int s = 0; s < m->n_sem; s++)
    for (int fi = 0; fi < m->n_faults; fi++) {
      const mx_cell *c = mx_cell_at(m, s, fi);
      int has = c->n_done > 0;
      mx_stat rc, rp;
      repeated_stats(c, &rc, &rp);
      char lost[32] = "", rep[32] = "", p99[32] = "", tput[32] = "";
      if (has && c->lost.n) snprintf(lost, sizeof lost, "%.0f", c->lost.median);
      if (has && rc.n) snprintf(rep, sizeof rep, "%.0f", rc.median);
      int base = fi == m->none_col;
      /* the no-fault cell says its values; the others their cost, when known */
      if (has && base && c->p99.n) {
        char ms[24];
        mx_fmt_ms(c->p99.median, ms, sizeof ms);
        mx_fmt(p99, sizeof p99, "%s ms", ms);
      } else if (has && !isnan(c->p99_ratio)) mx_fmt_factor(c->p99_ratio, p99, sizeof p99);
      if (has && base && c->consume_tput.n) snprintf(tput, sizeof tput, "%.0f/s", c->consume_tput.median);
      else if (has && !isnan(c->tput_ratio)) mx_fmt_change_pct(c->tput_ratio, tput, sizeof tput);
      fprintf(f, "%d,%d,%d,%s", fi, s, c->sem, status_label(c));
      num(f, c->lost_pct.median);
      num(f, c->lost_pct.min);
      num(f, c->lost_pct.max);
      fprintf(f, ",%s", lost);
      num(f, rp.median);
      num(f, rp.min);
      num(f, rp.max);
      fprintf(f, ",%s", rep);
      num(f, c->p50.median);
      num(f, c->p99.median);
      num(f, c->p99.min);
      num(f, c->p99.max);
      fprintf(f, ",%s", p99);
      num(f, c->consume_tput.median);
      num(f, c->consume_tput.min);
      num(f, c->consume_tput.max);
      fprintf(f, ",%s\n", tput);
    }
}

/* Axis ranges: the largest share lost and repeated, latency bounds, top
 * throughput, over every cell with figures. 0 when no cell has any. */
typedef struct ranges {
  double lost_max, rep_max, lat_lo, lat_hi, tput_max;
} ranges;

static int compute_ranges(const mx_matrix *m, ranges *r) {
  memset(r, 0, sizeof *r);
  r->lat_lo = INFINITY;
  int any = 0;
  for (int i = 0; i < m->n_sem * m->n_faults; i++) {
    const mx_cell *c = &m->cells[i];
    if (!c->n_done) continue;
    any = 1;
    mx_stat rc, rp;
    repeated_stats(c, &rc, &rp);
    if (c->lost_pct.n && c->lost_pct.max > r->lost_max) r->lost_max = c->lost_pct.max;
    if (rp.n && rp.max > r->rep_max) r->rep_max = rp.max;
    if (c->p50.n && c->p50.min > 0 && c->p50.min < r->lat_lo) r->lat_lo = c->p50.min;
    if (c->p99.n && c->p99.min > 0 && c->p99.min < r->lat_lo) r->lat_lo = c->p99.min;
    if (c->p99.n && c->p99.max > r->lat_hi) r->lat_hi = c->p99.max;
    if (c->consume_tput.n && c->consume_tput.max > r->tput_max) r->tput_max = c->consume_tput.max;
  }
  if (!isfinite(r->lat_lo) || r->lat_hi <= 0) {
    r->lat_lo = 0.1;
    r->lat_hi = 10;
  }
  return any;
}

/* The fault columns' labels as gnuplot words: "\"no fault\" \"consumer crash\"". */
static void fault_words(const mx_matrix *m, char *buf, size_t cap) {
  size_t len = 0;
  buf[0] = '\0';
  for (int f = 0; f < m->n_faults && len < cap; f++) {
    char label[MX_NAME_MAX + 16];
    mx_fault_label(&m->faults[f], label, sizeof label);
    for (char *p = label; *p; p++)
      if (*p == '"') *p = '\'';
    len += (size_t)snprintf(buf + len, cap - len, "%s\"%s\"", f ? " " : "", label);
  }
}

/* mx_plot_data_write in mx_write_file's shape. */
static void plot_data_writer(FILE *f, const void *m) { mx_plot_data_write(f, m); }

int mx_plot_draw(const mx_matrix *m, const char *dir, char *err, size_t err_cap) {
  if (mx_write_file(dir, "matrix-plot.csv", plot_data_writer, m, err, err_cap) != 0) return -1;
  ranges r;
  if (!compute_ranges(m, &r)) {
    snprintf(err, err_cap, "no cell completed a run: nothing to plot");
    return 1;
  }
  gp_env env;
  if (gp_env_find(&env, err, err_cap) != 0) return -1;
  gp_params p = {SP_BUF_INIT};
  char words[2048], sems[256] = "", ids[64] = "", title[256];
  fault_words(m, words, sizeof words);
  for (int s = 0; s < m->n_sem; s++) {
    size_t ls = strlen(sems), li = strlen(ids);
    snprintf(sems + ls, sizeof sems - ls, "%s%s", s ? " " : "", MX_SEMANTICS_NAME[m->sem[s]]);
    snprintf(ids + li, sizeof ids - li, "%s%d", s ? " " : "", m->sem[s]);
  }
  snprintf(title, sizeof title, "Delivery semantics \xc3\x97 faults: %s (%d run%s per cell%s)", m->workload_name,
           m->repeat, m->repeat > 1 ? "s" : "", m->repeat > 1 ? ", medians and [min..max]" : "");
  gp_param_str(&p, "data", "matrix-plot.csv");
  gp_param_str(&p, "out", "matrix");
  gp_param_str(&p, "title", title);
  gp_param_str(&p, "faults", words);
  gp_param_str(&p, "semantics", sems);
  gp_param_str(&p, "sem_ids", ids);
  gp_param_num(&p, "nfaults", m->n_faults);
  gp_param_num(&p, "nsem", m->n_sem);
  gp_param_num(&p, "spread", m->repeat > 1);
  gp_param_num(&p, "lost_max", r.lost_max);
  gp_param_num(&p, "rep_max", r.rep_max);
  gp_param_num(&p, "lat_lo", r.lat_lo);
  gp_param_num(&p, "lat_hi", r.lat_hi);
  gp_param_num(&p, "tput_max", r.tput_max);
  char path[MX_PATH_MAX + 64];
  mx_fmt(path, sizeof path, "%s/logs/gnuplot.log", dir);
  FILE *log = fopen(path, "a");
  int rc = gp_run(&env, "matrix.gp", &p, dir, GNUPLOT_TIMEOUT_S, log, err, err_cap);
  if (log) fclose(log);
  gp_params_free(&p);
  return rc;
}
