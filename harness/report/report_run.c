/* report_run.c: the report of one results folder: the data files the
 * scripts read (plots/faults.csv, plots/anomalies.csv), every plot, and
 * index.html (report_page.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "report_int.h"
#include "timeline_scan.h"

/* Pixels per character of a band label (DejaVu Sans 9 pt in pngcairo) and
 * the width of a timeline plot's drawing area, for fault_bands_rows. */
#define LABEL_CHAR_PX 6.5
#define TIMELINE_PLOT_PX 1000.0
#define LABEL_ROWS 4

/* Appends the timeline plots' common parameters: the CSV, the bands file,
 * the phase boundaries. */
static void timeline_params(gp_params *p, const char *timeline, const char *bands,
                            const timeline_info *ti) {
  gp_param_str(p, "timeline", timeline);
  if (bands) gp_param_str(p, "bands", bands);
  if (ti->warmup_end_s > 0) gp_param_num(p, "warmup_end_s", ti->warmup_end_s);
  if (ti->drain_start_s > 0) gp_param_num(p, "drain_start_s", ti->drain_start_s);
}

/* The percentile plot of the run's four distributions (those with samples). */
static void percentile_plot(plot_set *ps, const char *run_abs, const hgrm_status *lat, notes *nt) {
  static const char *const COLORS[LAT_FILES] = {"#1f77b4", "#1f77b4", "#d62728", "#d62728"};
  const char *caption = "Latency by percentile, HdrHistogram style: publish (send to ack) and end to end "
                        "(send to consume); solid: corrected for coordinated omission (from the intended "
                        "send time), dashed: uncorrected (from the actual send).";
  sp_buf files = SP_BUF_INIT, titles = SP_BUF_INIT, colors = SP_BUF_INIT, dashes = SP_BUF_INIT;
  double xmax = 0;
  int n = 0;
  for (int i = 0; i < LAT_FILES; i++) {
    char path[GP_PATH_MAX + 64], word[GP_PATH_MAX + 160];
    snprintf(path, sizeof path, "%s/%s", run_abs, LAT_FILE[i].file);
    if (lat[i].state != HG_OK) continue;
    if (strchr(path, '"')) {
      notes_add(nt, "%s: a path with a double quote cannot be passed to gnuplot; not plotted", path);
      continue;
    }
    snprintf(word, sizeof word, "%s\"%s\"", n ? " " : "", path);
    sp_buf_append(&files, word, strlen(word));
    snprintf(word, sizeof word, "%s\"%s\"", n ? " " : "", LAT_FILE[i].title);
    sp_buf_append(&titles, word, strlen(word));
    snprintf(word, sizeof word, "%s%s", n ? " " : "", COLORS[i]);
    sp_buf_append(&colors, word, strlen(word));
    snprintf(word, sizeof word, "%s%d", n ? " " : "", LAT_FILE[i].uncorrected ? 2 : 1);
    sp_buf_append(&dashes, word, strlen(word));
    if (lat[i].max_inverted > xmax) xmax = lat[i].max_inverted;
    n++;
  }
  if (n == 0) {
    plot_skip(ps, "latency_percentiles", caption, "no latency samples: every .hgrm file is missing or empty");
  } else {
    gp_params p = {SP_BUF_INIT};
    sp_buf_append(&files, "", 1);
    sp_buf_append(&titles, "", 1);
    sp_buf_append(&colors, "", 1);
    sp_buf_append(&dashes, "", 1);
    gp_param_str(&p, "files", (const char *)files.data);
    gp_param_str(&p, "titles", (const char *)titles.data);
    gp_param_str(&p, "colors", (const char *)colors.data);
    gp_param_str(&p, "dashes", (const char *)dashes.data);
    gp_param_num(&p, "xmax", percentile_xmax(xmax));
    plot_make(ps, "latency_percentiles", caption, "latency_percentiles.gp", &p);
    gp_params_free(&p);
  }
  sp_buf_free(&files);
  sp_buf_free(&titles);
  sp_buf_free(&colors);
  sp_buf_free(&dashes);
}

/* The plots over time: throughput, latency (end to end, publish), backlog. */
static void timeline_plots(plot_set *ps, const char *timeline, int tl_rc, const timeline_info *ti,
                           const char *bands) {
  static const struct {
    const char *name, *script, *metric, *caption;
    unsigned needs;
  } PLOTS[] = {
      {"throughput", "throughput.gp", NULL,
       "Messages per second: intended by the rate schedule, acknowledged to the producers, consumed "
       "(all subscriptions); errors on the right axis. Bands: faults in force.",
       TL_INTENDED | TL_ACKED | TL_CONSUMED | TL_ERRORS},
      {"latency_e2e", "latency_timeline.gp", "e2e",
       "End-to-end latency (send to consume, corrected) of the messages consumed in each second: p50, "
       "p99, max. Gaps: seconds in which nothing was consumed.",
       TL_E2E_LATENCY},
      {"latency_publish", "latency_timeline.gp", "publish",
       "Publish latency (send to ack, corrected) of the messages acknowledged in each second: p50, p99, "
       "max. Gaps: seconds without acknowledgements.",
       TL_PUBLISH_LATENCY},
      {"backlog", "backlog.gp", NULL,
       "Consumer backlog: messages acknowledged but not yet consumed (x subscriptions), at the end of "
       "each second.",
       TL_BACKLOG},
  };
  for (size_t i = 0; i < sizeof PLOTS / sizeof PLOTS[0]; i++) {
    const char *why = NULL;
    if (tl_rc == 1) why = "no timeline.csv in the results folder";
    else if (tl_rc < 0) why = "timeline.csv could not be read (see the notes)";
    else if (ti->rows == 0) why = "timeline.csv has no rows (the run ended before its first second)";
    else if ((ti->columns & PLOTS[i].needs) != PLOTS[i].needs) why = "timeline.csv lacks the columns this plot needs";
    else if (PLOTS[i].metric && !strcmp(PLOTS[i].metric, "e2e") && !ti->e2e_samples)
      why = "no end-to-end latency samples (nothing was consumed)";
    else if (PLOTS[i].metric && !strcmp(PLOTS[i].metric, "publish") && !ti->publish_samples)
      why = "no publish latency samples (nothing was acknowledged)";
    if (why) {
      plot_skip(ps, PLOTS[i].name, PLOTS[i].caption, why);
      continue;
    }
    gp_params p = {SP_BUF_INIT};
    timeline_params(&p, timeline, bands, ti);
    if (PLOTS[i].metric) gp_param_str(&p, "metric", PLOTS[i].metric);
    plot_make(ps, PLOTS[i].name, PLOTS[i].caption, PLOTS[i].script, &p);
    gp_params_free(&p);
  }
}

/* Writes plots/anomalies.csv from verdict.json and plots it; skipped when
 * the run has no verdict. */
static void anomaly_plot(plot_set *ps, const rundir *rd, notes *nt) {
  const char *caption = "Anomalies the checker found, by type: red where the subscriptions' delivery "
                        "semantics forbid them, blue where they allow them; every type was checked "
                        "unless the verdict section says otherwise.";
  json_t *all = json_object_get(rd->verdict, "anomalies");
  if (!json_is_object(all) || !json_object_size(all)) {
    plot_skip(ps, "anomalies", caption, rd->verdict ? "verdict.json lists no anomaly types" : "no verdict.json: the run was not checked");
    return;
  }
  char path[GP_PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/anomalies.csv", ps->dir);
  FILE *f = fopen(path, "w");
  if (!f) {
    notes_add(nt, "cannot write %s", path);
    plot_skip(ps, "anomalies", caption, "plots/anomalies.csv could not be written");
    return;
  }
  fputs("type,count,allowed\n", f);
  double hi = 0, lo = 0;
  const char *type;
  json_t *a;
  json_object_foreach(all, type, a) {
    double count = json_number_value(json_object_get(a, "count"));
    for (const char *c = type; *c; c++) fputc(*c == ',' || *c == '"' ? '_' : *c, f);
    fprintf(f, ",%.0f,%d\n", count, json_is_true(json_object_get(a, "allowed")) ? 1 : 0);
    if (count > hi) hi = count;
    if (count > 0 && (lo == 0 || count < lo)) lo = count;
  }
  if (fclose(f) != 0) {
    notes_add(nt, "cannot write %s", path);
    plot_skip(ps, "anomalies", caption, "plots/anomalies.csv could not be written");
    return;
  }
  gp_params p = {SP_BUF_INIT};
  gp_param_str(&p, "data", path);
  /* Counts two orders of magnitude apart: the small bar would vanish. */
  gp_param_num(&p, "logy", lo > 0 && hi / lo >= 100 ? 1 : 0);
  plot_make(ps, "anomalies", caption, "anomalies.gp", &p);
  gp_params_free(&p);
}

/* A damaged timeline.csv (rows cut short) stops gnuplot: the plots read a
 * copy of its good rows instead, plots/timeline-rows.csv; timeline (the
 * path the plots read) is switched to it. */
static void good_timeline(char *timeline, size_t cap, const char *plots_dir, notes *nt) {
  char copy[GP_PATH_MAX + 512], err[1024];
  snprintf(copy, sizeof copy, "%s/timeline-rows.csv", plots_dir);
  FILE *f = fopen(copy, "w");
  if (!f) {
    notes_add(nt, "cannot write %s; the plots over time read the damaged timeline.csv", copy);
    return;
  }
  timeline_info again;
  notes quiet = {0};
  int rc = timeline_scan(timeline, &again, &quiet, f, err, sizeof err);
  notes_free(&quiet);
  if (fclose(f) != 0 || rc != 0) {
    notes_add(nt, "cannot write %s; the plots over time read the damaged timeline.csv", copy);
    return;
  }
  notes_add(nt, "the plots over time read plots/timeline-rows.csv: timeline.csv without its %zu damaged row%s",
            again.bad_rows, again.bad_rows == 1 ? "" : "s");
  size_t len = strlen(copy);
  if (len < cap) memcpy(timeline, copy, len + 1);
}

/* When the run ended, in seconds since t0: the timeline's end, else the
 * summary's elapsed time, else 0 (bands never healed end at their start). */
static double run_end_s(const rundir *rd, int tl_rc, const timeline_info *ti) {
  if (tl_rc == 0 && ti->rows) return ti->end_s;
  double v;
  if (json_num_at(rd->summary, "run.elapsed_s", &v) == 0) return v;
  return 0;
}

int report_one(rundir *rd, const char *out_dir, const gp_env *env, const report_options *o,
               char *index_out, size_t cap, char *err, size_t err_cap) {
  char run_abs[GP_PATH_MAX], out_abs[GP_PATH_MAX], plots_dir[GP_PATH_MAX + 16], path[GP_PATH_MAX + 64];
  absolute_path(rd->path, run_abs, sizeof run_abs);
  if (make_dirs(out_dir, err, err_cap) != 0) return REPORT_ERROR;
  absolute_path(out_dir, out_abs, sizeof out_abs);
  snprintf(plots_dir, sizeof plots_dir, "%s/plots", out_abs);
  plot_set ps;
  if (plot_set_open(&ps, env, plots_dir, err, err_cap) != 0) return REPORT_ERROR;
  notes nt = {0};
  for (size_t i = 0; i < rd->notes.n; i++) notes_add(&nt, "%s", rd->notes.v[i]);

  /* Inputs: timeline, faults, latency files. */
  timeline_info ti;
  char timeline[GP_PATH_MAX + 32], scan_err[1024];
  snprintf(timeline, sizeof timeline, "%s/timeline.csv", run_abs);
  int tl_rc = timeline_scan(timeline, &ti, &nt, NULL, scan_err, sizeof scan_err);
  if (tl_rc < 0) notes_add(&nt, "%s", scan_err);
  else if (tl_rc == 1) notes_add(&nt, "no timeline.csv: no plots over time");
  else if (ti.bad_rows) good_timeline(timeline, sizeof timeline, plots_dir, &nt);

  fault_list fl;
  snprintf(path, sizeof path, "%s/faults.jsonl", run_abs);
  int fl_rc = fault_list_load(path, run_end_s(rd, tl_rc, &ti), &fl, &nt, scan_err, sizeof scan_err);
  if (fl_rc < 0) notes_add(&nt, "%s", scan_err);
  const char *bands = NULL;
  char bands_path[GP_PATH_MAX + 32];
  if (fl_rc == 0 && fl.n_bands) {
    double end = run_end_s(rd, tl_rc, &ti);
    fault_bands_rows(&fl, (end > 0 ? end : 1) * LABEL_CHAR_PX / TIMELINE_PLOT_PX, LABEL_ROWS, end);
    snprintf(bands_path, sizeof bands_path, "%s/faults.csv", plots_dir);
    if (fault_bands_write_csv(&fl, bands_path, scan_err, sizeof scan_err) == 0) bands = bands_path;
    else notes_add(&nt, "%s: fault bands not drawn", scan_err);
  }

  hgrm_status lat[LAT_FILES];
  for (int i = 0; i < LAT_FILES; i++) {
    snprintf(path, sizeof path, "%s/%s", run_abs, LAT_FILE[i].file);
    hgrm_status_of(path, &lat[i]);
    if (lat[i].state == HG_ABSENT) notes_add(&nt, "no %s", LAT_FILE[i].file);
    else if (lat[i].state == HG_BAD) notes_add(&nt, "%s (not plotted)", lat[i].problem);
    else if (lat[i].state == HG_EMPTY) notes_add(&nt, "%s holds no samples", LAT_FILE[i].file);
  }

  /* Plots. */
  if (!o->quiet) fprintf(stderr, "report: plotting %s\n", rd->path);
  percentile_plot(&ps, run_abs, lat, &nt);
  timeline_plots(&ps, timeline, tl_rc, &ti, bands);
  anomaly_plot(&ps, rd, &nt);
  for (size_t i = 0; i < ps.n; i++)
    if (ps.v[i].failed) notes_add(&nt, "plot %s failed: %s", ps.v[i].name, ps.v[i].problem);

  /* The page. */
  char run_href[GP_PATH_MAX];
  if (!strcmp(run_abs, out_abs)) run_href[0] = '\0';
  else relative_path(out_abs, run_abs, run_href, sizeof run_href);
  page_input in = {rd, o->title, run_href, &ps, fl_rc == 0 ? &fl : NULL, lat, &nt};
  snprintf(path, sizeof path, "%s/index.html", out_abs);
  int rc = write_page(path, report_page_write, &in, err, err_cap) == 0 ? REPORT_OK : REPORT_ERROR;
  if (rc == REPORT_OK) {
    snprintf(index_out, cap, "%s", path);
    size_t failed = plot_count_failed(&ps);
    if (failed) {
      snprintf(err, err_cap, "%zu plot%s failed (listed in %s; gnuplot's output in %s/gnuplot.log)", failed,
               failed == 1 ? "" : "s", path, plots_dir);
      rc = REPORT_PARTIAL;
    }
  }
  fault_list_free(&fl);
  notes_free(&nt);
  plot_set_close(&ps);
  return rc;
}
