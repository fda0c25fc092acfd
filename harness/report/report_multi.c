/* report_multi.c: the report of several results folders, side by side:
 * percentile plots with every run overlaid, throughput and end-to-end p99
 * over time per run, and a table of every headline metric (metrics.h) with
 * its change against the first run. Written to --out; each run's own report
 * is linked (and written first with --each). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "mem.h"
#include "metrics.h"
#include "report_int.h"
#include "timeline_scan.h"

/* Beyond this many runs the uncorrected curves are left out of the
 * overlays: eight or more curves on one plot stop being readable. */
#define MAX_RUNS_WITH_UNCORRECTED 3
/* A change against the first run is shaded beyond this (percent). */
#define SHADE_PCT 5.0

/* Appends a double-quoted word to a gnuplot word list; -1 when the text
 * holds a double quote (gnuplot's word() could not split it back). */
static int add_word(sp_buf *b, const char *text) {
  if (strchr(text, '"')) return -1;
  if (b->len) sp_buf_append(b, " ", 1);
  sp_buf_append(b, "\"", 1);
  sp_buf_append(b, text, strlen(text));
  sp_buf_append(b, "\"", 1);
  return 0;
}

/* A NUL-terminated copy of a word list, for gp_param_str. */
static void param_words(gp_params *p, const char *name, sp_buf *b) {
  sp_buf_append(b, "", 1);
  gp_param_str(p, name, (const char *)b->data);
}

/* The overlaid percentile plot of one latency kind ("e2e" or "publish"). */
static void overlay_percentiles(plot_set *ps, rundir *runs, size_t n, const char *kind, notes *nt) {
  static const char *const PALETTE[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  int e2e = !strcmp(kind, "e2e");
  char name[64], caption[512];
  snprintf(name, sizeof name, "latency_percentiles_%s", kind);
  snprintf(caption, sizeof caption,
           "%s latency by percentile, one colour per run; solid: corrected (from the intended send "
           "time)%s.", e2e ? "End-to-end" : "Publish",
           n <= MAX_RUNS_WITH_UNCORRECTED ? ", dashed: uncorrected" : "");
  sp_buf files = SP_BUF_INIT, titles = SP_BUF_INIT, colors = SP_BUF_INIT, dashes = SP_BUF_INIT;
  double xmax = 0;
  int curves = 0;
  for (size_t r = 0; r < n; r++) {
    for (int unc = 0; unc <= (n <= MAX_RUNS_WITH_UNCORRECTED); unc++) {
      char file[96], path[GP_PATH_MAX + 96], abs[GP_PATH_MAX], title[512];
      snprintf(file, sizeof file, "%s%s.hgrm", kind, unc ? "-uncorrected" : "");
      absolute_path(runs[r].path, abs, sizeof abs);
      snprintf(path, sizeof path, "%s/%s", abs, file);
      hgrm_status st;
      hgrm_status_of(path, &st);
      if (st.state != HG_OK) {
        if (st.state == HG_BAD) notes_add(nt, "%s: %s (not plotted)", runs[r].name, st.problem);
        else notes_add(nt, "%s: %s %s", runs[r].name, st.state == HG_ABSENT ? "no" : "no samples in", file);
        continue;
      }
      snprintf(title, sizeof title, "%s%s", runs[r].name, unc ? ", uncorrected" : "");
      if (strchr(path, '"') || strchr(title, '"')) {
        notes_add(nt, "%s: a double quote in its path or name cannot be passed to gnuplot; not plotted", runs[r].path);
        continue;
      }
      add_word(&files, path);
      add_word(&titles, title);
      add_word(&colors, PALETTE[r % 10]);
      add_word(&dashes, unc ? "2" : "1");
      if (st.max_inverted > xmax) xmax = st.max_inverted;
      curves++;
    }
  }
  if (!curves) {
    plot_skip(ps, name, caption, "no run has latency samples of this kind");
  } else {
    gp_params p = {SP_BUF_INIT};
    param_words(&p, "files", &files);
    param_words(&p, "titles", &titles);
    param_words(&p, "colors", &colors);
    param_words(&p, "dashes", &dashes);
    gp_param_num(&p, "xmax", percentile_xmax(xmax));
    gp_param_str(&p, "title", e2e ? "End-to-end latency by percentile" : "Publish latency by percentile");
    plot_make(ps, name, caption, "latency_percentiles.gp", &p);
    gp_params_free(&p);
  }
  sp_buf_free(&files);
  sp_buf_free(&titles);
  sp_buf_free(&colors);
  sp_buf_free(&dashes);
}

/* A timeline.csv column of every run over time, overlaid. */
static void overlay_timeline(plot_set *ps, rundir *runs, size_t n, const char *name, const char *column,
                             unsigned needs, int latency, const char *title, const char *ylabel,
                             const char *caption, notes *nt) {
  sp_buf files = SP_BUF_INIT, titles = SP_BUF_INIT;
  int curves = 0;
  for (size_t r = 0; r < n; r++) {
    char abs[GP_PATH_MAX], path[GP_PATH_MAX + 32], err[1024];
    absolute_path(runs[r].path, abs, sizeof abs);
    snprintf(path, sizeof path, "%s/timeline.csv", abs);
    timeline_info ti;
    notes scan = {0};
    int rc = timeline_scan(path, &ti, &scan, NULL, err, sizeof err);
    notes_free(&scan);
    if (rc != 0 || !ti.rows || ti.bad_rows || (ti.columns & needs) != needs || (latency && !ti.e2e_samples)) {
      if (rc == 0 && ti.bad_rows) notes_add(nt, "%s: timeline.csv has damaged rows; left out of %s", runs[r].name, name);
      continue;
    }
    if (strchr(path, '"') || strchr(runs[r].name, '"')) {
      notes_add(nt, "%s: a double quote in its path or name cannot be passed to gnuplot; not plotted", runs[r].path);
      continue;
    }
    add_word(&files, path);
    add_word(&titles, runs[r].name);
    curves++;
  }
  if (!curves) {
    plot_skip(ps, name, caption, "no run has a timeline.csv with this column's data");
  } else {
    gp_params p = {SP_BUF_INIT};
    param_words(&p, "files", &files);
    param_words(&p, "titles", &titles);
    gp_param_str(&p, "column", column);
    gp_param_str(&p, "title", title);
    gp_param_str(&p, "ylabel", ylabel);
    gp_param_num(&p, "logy", latency);
    plot_make(ps, name, caption, "timeline_runs.gp", &p);
    gp_params_free(&p);
  }
  sp_buf_free(&files);
  sp_buf_free(&titles);
}

/* ------------------------------------------------------------- the page -- */

typedef struct many_page {
  rundir *runs;
  size_t n;
  const char *title;
  const char *const *hrefs;  /* per run: its report or folder, relative to the page */
  const int *has_report;
  const plot_set *plots;
  const notes *notes;
} many_page;

/* One metric's row: each run's value, and its change against the first. */
static void metric_row(FILE *f, const many_page *pg, const metric *m) {
  double first = NAN;
  int any = 0;
  for (size_t r = 0; r < pg->n; r++) {
    double v;
    if (metric_value(m, &pg->runs[r], &v) == 0) any = 1;
  }
  if (!any) return;
  const char *unit = metric_unit_name(m->unit);
  fputs("<tr><th>", f);
  html_text(f, m->label);
  if (*unit) html_textf(f, " (%s)", unit);
  fputs("<br><span class=\"mono\">", f);
  html_text(f, m->name);
  fputs("</span></th>", f);
  for (size_t r = 0; r < pg->n; r++) {
    double v;
    if (metric_value(m, &pg->runs[r], &v) != 0) {
      fputs("<td class=\"num\">&ndash;</td>", f);
      continue;
    }
    char text[64];
    metric_format(m, v, text, sizeof text);
    if (r == 0) first = v;
    double pct = (r > 0 && !isnan(first) && first != 0) ? (v - first) / fabs(first) * 100.0 : NAN;
    int worse = !isnan(pct) && (m->higher_is_better ? pct < -SHADE_PCT : pct > SHADE_PCT);
    int better = !isnan(pct) && (m->higher_is_better ? pct > SHADE_PCT : pct < -SHADE_PCT);
    fprintf(f, "<td class=\"num\"%s>", worse ? " style=\"background:#fdecea\"" : better ? " style=\"background:#eaf6ea\"" : "");
    html_text(f, text);
    if (!isnan(pct)) html_textf(f, " (%+.1f%%)", pct);
    else if (r > 0 && first == 0 && v != 0) fputs(" (from 0)", f);
    fputs("</td>", f);
  }
  fputs("</tr>\n", f);
}

/* The runs: name (linking its report or folder), workload, verdict, start, faults. */
static void runs_table(FILE *f, const many_page *pg) {
  fputs("<table><tr><th>run</th><th>workload</th><th>verdict</th><th>began</th><th>faults</th>"
        "<th>folder</th></tr>\n", f);
  for (size_t r = 0; r < pg->n; r++) {
    const rundir *rd = &pg->runs[r];
    fputs("<tr><td><a href=\"", f);
    html_url(f, pg->hrefs[r]);
    fputs("\">", f);
    html_text(f, rd->name);
    fputs("</a>", f);
    if (!pg->has_report[r]) fputs(" <span class=\"sub\">(no report yet)</span>", f);
    fputs("</td><td>", f);
    html_text(f, json_str_at(rd->summary, "workload"));
    fputs("</td><td>", f);
    html_verdict_badge(f, rundir_verdict(rd));
    fputs("</td><td>", f);
    html_text(f, json_str_at(rd->summary, "run.begin_time"));
    fputs("</td>", f);
    double faults;
    if (json_num_at(rd->summary, "faults", &faults) == 0) fprintf(f, "<td class=\"num\">%.0f</td>", faults);
    else fputs("<td class=\"num\">&ndash;</td>", f);
    fputs("<td class=\"path\">", f);
    html_text(f, rd->path);
    fputs("</td></tr>\n", f);
  }
  fputs("</table>\n", f);
}

/* index.html of several runs (write_page callback; ctx is a many_page). */
static void many_page_write(FILE *f, const void *ctx) {
  const many_page *pg = ctx;
  char title[512], footer[128];
  snprintf(title, sizeof title, "streamproof report: %s", pg->title ? pg->title : "comparison of runs");
  html_begin(f, title, (int)plot_count_ok(pg->plots));
  fputs("<h1>", f);
  html_text(f, pg->title ? pg->title : "Comparison of runs");
  fprintf(f, "</h1>\n<p class=\"sub\">%zu results folders; changes are against the first, ", pg->n);
  html_text(f, pg->runs[0].name);
  fprintf(f, ", and shaded when more than %.0f%% worse (red) or better (green).</p>\n", SHADE_PCT);
  fputs("<nav><a href=\"#runs\">Runs</a><a href=\"#table\">Metrics</a><a href=\"#plots\">Plots</a>"
        "<a href=\"#notes\">Notes</a></nav>\n<h2 id=\"runs\">Runs</h2>\n", f);
  runs_table(f, pg);
  fputs("<h2 id=\"table\">Metrics</h2>\n<table><tr><th></th>", f);
  for (size_t r = 0; r < pg->n; r++) {
    fputs("<th>", f);
    html_text(f, pg->runs[r].name);
    fputs("</th>", f);
  }
  fputs("</tr>\n<tr><th>verdict</th>", f);
  for (size_t r = 0; r < pg->n; r++) {
    fputs("<td>", f);
    html_verdict_badge(f, rundir_verdict(&pg->runs[r]));
    fputs("</td>", f);
  }
  fputs("</tr>\n", f);
  for (size_t i = 0; i < metric_count(); i++)
    if (metric_at(i)->headline) metric_row(f, pg, metric_at(i));
  fputs("</table>\n<details><summary>Every metric</summary>\n<table><tr><th></th>", f);
  for (size_t r = 0; r < pg->n; r++) {
    fputs("<th>", f);
    html_text(f, pg->runs[r].name);
    fputs("</th>", f);
  }
  fputs("</tr>\n", f);
  for (size_t i = 0; i < metric_count(); i++)
    if (!metric_at(i)->headline) metric_row(f, pg, metric_at(i));
  fputs("</table></details>\n<p class=\"sub\">For a pass/fail gate with limits and medians over "
        "repeated runs: <code>streamproof compare --baseline DIR... --candidate DIR... --max-regress "
        "p99=10%</code>.</p>\n<h2 id=\"plots\">Plots</h2>\n", f);
  plots_html(f, pg->plots);
  notes_html(f, pg->notes);
  generated_by(footer, sizeof footer);
  html_end(f, footer);
}

int report_many(rundir *runs, size_t n, const char *out_dir, const gp_env *env,
                const report_options *o, char *index_out, size_t cap, char *err, size_t err_cap) {
  char out_abs[GP_PATH_MAX], plots_dir[GP_PATH_MAX + 16], path[GP_PATH_MAX + 32];
  if (make_dirs(out_dir, err, err_cap) != 0) return REPORT_ERROR;
  absolute_path(out_dir, out_abs, sizeof out_abs);
  notes nt = {0};
  int partial = 0;
  char **hrefs = sp_calloc(n, sizeof *hrefs);
  int *has_report = sp_calloc(n, sizeof *has_report);
  for (size_t r = 0; r < n; r++) {
    for (size_t k = 0; k < runs[r].notes.n; k++) notes_add(&nt, "%s: %s", runs[r].name, runs[r].notes.v[k]);
    if (o->each) {
      char index[GP_PATH_MAX], one_err[2048];
      report_options each = *o;
      each.out_dir = NULL;
      each.title = NULL;
      int rc = report_one(&runs[r], runs[r].path, env, &each, index, sizeof index, one_err, sizeof one_err);
      if (rc != REPORT_OK) {
        notes_add(&nt, "%s: its own report: %s", runs[r].name, one_err);
        partial = 1;
      }
    }
    char abs[GP_PATH_MAX], rel[GP_PATH_MAX];
    absolute_path(runs[r].path, abs, sizeof abs);
    relative_path(out_abs, abs, rel, sizeof rel);
    has_report[r] = rundir_has(&runs[r], "index.html");
    snprintf(path, sizeof path, "%s/%s", rel, has_report[r] ? "index.html" : "");
    hrefs[r] = sp_strdup(path);
  }
  snprintf(plots_dir, sizeof plots_dir, "%s/plots", out_abs);
  plot_set ps;
  if (plot_set_open(&ps, env, plots_dir, err, err_cap) != 0) {
    for (size_t r = 0; r < n; r++) free(hrefs[r]);
    free(hrefs);
    free(has_report);
    notes_free(&nt);
    return REPORT_ERROR;
  }
  if (!o->quiet) fprintf(stderr, "report: plotting %zu runs into %s\n", n, out_abs);
  overlay_percentiles(&ps, runs, n, "e2e", &nt);
  overlay_percentiles(&ps, runs, n, "publish", &nt);
  overlay_timeline(&ps, runs, n, "throughput_runs", "acked", TL_ACKED, 0, "Throughput over time (acked)",
                   "Throughput (msg/s)", "Messages acknowledged per second, one line per run.", &nt);
  overlay_timeline(&ps, runs, n, "latency_e2e_p99_runs", "e2e_p99_ms", TL_E2E_LATENCY, 1,
                   "End-to-end p99 over time (corrected)", "Latency (ms)",
                   "End-to-end p99 latency (corrected) of the messages consumed in each second, one line "
                   "per run; gaps: seconds in which nothing was consumed.", &nt);
  for (size_t i = 0; i < ps.n; i++)
    if (ps.v[i].failed) notes_add(&nt, "plot %s failed: %s", ps.v[i].name, ps.v[i].problem);
  many_page pg = {runs, n, o->title, (const char *const *)hrefs, has_report, &ps, &nt};
  snprintf(path, sizeof path, "%s/index.html", out_abs);
  int rc = write_page(path, many_page_write, &pg, err, err_cap) == 0 ? REPORT_OK : REPORT_ERROR;
  if (rc == REPORT_OK) {
    snprintf(index_out, cap, "%s", path);
    size_t failed = plot_count_failed(&ps);
    if (failed || partial) {
      snprintf(err, err_cap, "%zu plot%s failed%s (listed in %s)", failed, failed == 1 ? "" : "s",
               partial ? ", and some run's own report had problems" : "", path);
      rc = REPORT_PARTIAL;
    }
  }
  for (size_t r = 0; r < n; r++) free(hrefs[r]);
  free(hrefs);
  free(has_report);
  notes_free(&nt);
  plot_set_close(&ps);
  return rc;
}
