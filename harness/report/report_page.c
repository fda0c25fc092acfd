/* report_page.c: index.html of one results folder: key figures, latency
 * and count tables, the plots, the verdict with its anomaly examples, the
 * faults, the run's metadata, links to every raw file, and notes on what
 * was missing. Everything it shows comes from the results folder. */
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "mem.h"
#include "report_int.h"

/* ------------------------------------------------------------ helpers -- */

/* A link to a file of the run folder, relative to the page. */
static void run_link(FILE *f, const page_input *in, const char *name, const char *text) {
  fputs("<a href=\"", f);
  if (in->run_href[0]) {
    html_url(f, in->run_href);
    fputc('/', f);
  }
  html_url(f, name);
  fputs("\">", f);
  html_text(f, text ? text : name);
  fputs("</a>", f);
}

/* <td class="num"> with the number at path (scaled by div, printf fmt), or "–". */
static void num_td(FILE *f, json_t *root, const char *path, double div, const char *fmt) {
  double v;
  fputs("<td class=\"num\">", f);
  if (json_num_at(root, path, &v) == 0) fprintf(f, fmt, v / div);
  else fputs("&ndash;", f);
  fputs("</td>", f);
}

/* A JSON value for a table cell: scalars as text, arrays of scalars
 * separated by spaces. */
static void value_cell(FILE *f, json_t *v) {
  if (!json_is_array(v)) {
    html_json_scalar(f, v);
    return;
  }
  size_t i;
  json_t *e;
  json_array_foreach(v, i, e) {
    if (i) fputc(' ', f);
    html_json_scalar(f, e);
  }
}

/* One <tr><th>label</th><td>value</td></tr>; nothing for NULL or null. */
static void kv_value(FILE *f, const char *label, json_t *v) {
  if (!v || json_is_null(v)) return;
  fputs("<tr><th>", f);
  html_text(f, label);
  fputs("</th><td>", f);
  value_cell(f, v);
  fputs("</td></tr>\n", f);
}

/* A key/value row from a JSON path; skipped when absent. */
static void kv_row(FILE *f, json_t *root, const char *label, const char *path) {
  kv_value(f, label, json_at(root, path));
}

/* Every member of an object but nested objects, as rows labelled
 * prefix + key. */
static void kv_object(FILE *f, json_t *obj, const char *prefix) {
  const char *k;
  json_t *v;
  json_object_foreach(obj, k, v) {
    if (json_is_object(v)) continue;
    char label[256];
    snprintf(label, sizeof label, "%s%s", prefix, k);
    kv_value(f, label, v);
  }
}

/* A card of the key-figures strip. */
static void card(FILE *f, const char *value, const char *label) {
  fputs("<div class=\"card\"><div class=\"v\">", f);
  html_text(f, value);
  fputs("</div><div class=\"k\">", f);
  html_text(f, label);
  fputs("</div></div>\n", f);
}

/* A number at path formatted into buf, or "–". */
static void fmt_at(json_t *root, const char *path, const char *fmt, char *buf, size_t cap) {
  double v;
  if (json_num_at(root, path, &v) == 0) snprintf(buf, cap, fmt, v);
  else snprintf(buf, cap, "\u2013");
}

/* ------------------------------------------------------------- header -- */

static void header(FILE *f, const page_input *in) {
  json_t *s = in->rd->summary;
  const char *workload = json_str_at(s, "workload");
  fputs("<h1>", f);
  html_text(f, in->title ? in->title : workload ? workload : in->rd->name);
  fputs(" ", f);
  html_verdict_badge(f, rundir_verdict(in->rd));
  fputs("</h1>\n<p class=\"sub\">", f);
  const char *begin = json_str_at(s, "run.begin_time"), *end = json_str_at(s, "run.end_time");
  double measured, warmup;
  if (begin) html_textf(f, "%s \u2192 %s", begin, end ? end : "?");
  if (json_num_at(s, "run.measured_s", &measured) == 0 || json_num_at(s, "run.duration_s", &measured) == 0) {
    html_textf(f, " \u00b7 %.0f s measured", measured);
    if (json_num_at(s, "run.warmup_s", &warmup) == 0 && warmup > 0) html_textf(f, " after %.0f s warm-up", warmup);
  }
  const char *broker = json_str_at(s, "broker.kind");
  if (broker) html_textf(f, " \u00b7 %s", broker);
  const char *version = json_str_at(s, "run.streamproof_version"), *commit = json_str_at(s, "run.git_commit");
  if (version) html_textf(f, " \u00b7 streamproof %s (git %s)", version, commit ? commit : "?");
  fputs("</p>\n<p class=\"path\">", f);
  html_text(f, in->rd->path);
  fputs("</p>\n", f);
  fputs("<nav><a href=\"#summary\">Summary</a><a href=\"#plots\">Plots</a><a href=\"#verdict\">Verdict</a>", f);
  if ((in->rd->verdict && json_object_get(in->rd->verdict, "stream")) ||
      (in->rd->summary && json_object_get(in->rd->summary, "processor")))
    fputs("<a href=\"#stream\">Stream processor</a>", f);
  fputs("<a href=\"#faults\">Faults</a><a href=\"#run\">Run</a><a href=\"#files\">Files</a>"
        "<a href=\"#notes\">Notes</a></nav>\n", f);
}

/* The key figures strip: throughputs, p99s, messages acked, faults. */
static void cards(FILE *f, const page_input *in) {
  json_t *s = in->rd->summary;
  char v[64];
  fputs("<div class=\"cards\">\n", f);
  fmt_at(s, "throughput.publish_msgs_per_s", "%.0f", v, sizeof v);
  card(f, v, "published msg/s (acked)");
  fmt_at(s, "throughput.consume_msgs_per_s", "%.0f", v, sizeof v);
  card(f, v, "consumed msg/s");
  fmt_at(s, "aggregatedEndToEndLatency99pct", "%.3f ms", v, sizeof v);
  card(f, v, "end-to-end p99 (corrected)");
  fmt_at(s, "aggregatedPublishLatency99pct", "%.3f ms", v, sizeof v);
  card(f, v, "publish p99 (corrected)");
  fmt_at(s, "counts.acked", "%.0f", v, sizeof v);
  card(f, v, "messages acked");
  fmt_at(s, "faults", "%.0f", v, sizeof v);
  card(f, v, "faults injected");
  fputs("</div>\n", f);
}

/* ------------------------------------------------------------ summary -- */

/* The latency table: corrected and uncorrected, publish and end to end, and
 * how far the generator fell behind its schedule; from summary.json, else
 * read off the .hgrm files. */
static void latency_table(FILE *f, const page_input *in) {
  static const struct {
    const char *label, *prefix;
    int lat; /* LAT_FILE index, -1 none */
    double div;
  } ROWS[] = {
      {"publish (send \u2192 ack), corrected", "aggregatedPublishLatency", LAT_FILE_PUBLISH, 1},
      {"publish, uncorrected", "uncorrected.aggregatedPublishLatency", LAT_FILE_PUBLISH_UNC, 1},
      {"end to end (send \u2192 consume), corrected", "aggregatedEndToEndLatency", LAT_FILE_E2E, 1},
      {"end to end, uncorrected", "uncorrected.aggregatedEndToEndLatency", LAT_FILE_E2E_UNC, 1},
      {"send behind schedule (publish delay)", "aggregatedPublishDelayLatency", -1, 1000},
  };
  static const char *const SUFFIX[] = {"Avg", "50pct", "75pct", "95pct", "99pct", "999pct", "9999pct", "Max"};
  json_t *s = in->rd->summary;
  int from_files = 0;
  fputs("<h3>Latency (ms)</h3>\n<table><tr><th></th><th>samples</th><th>mean</th><th>p50</th><th>p75</th>"
        "<th>p95</th><th>p99</th><th>p99.9</th><th>p99.99</th><th>max</th></tr>\n", f);
  for (size_t r = 0; r < sizeof ROWS / sizeof ROWS[0]; r++) {
    const hgrm_status *hs = ROWS[r].lat >= 0 ? &in->lat[ROWS[r].lat] : NULL;
    char key[128];
    snprintf(key, sizeof key, "%s99pct", ROWS[r].prefix);
    double probe;
    int in_summary = json_num_at(s, key, &probe) == 0;
    if (!in_summary && !(hs && hs->state == HG_OK)) continue;
    fputs("<tr><th>", f);
    html_text(f, ROWS[r].label);
    fputs("</th><td class=\"num\">", f);
    if (hs && hs->state >= HG_EMPTY) fprintf(f, "%llu", (unsigned long long)hs->count);
    else fputs("&ndash;", f);
    fputs("</td>", f);
    for (int c = 0; c < 8; c++) {
      if (in_summary) {
        snprintf(key, sizeof key, "%s%s", ROWS[r].prefix, SUFFIX[c]);
        num_td(f, s, key, ROWS[r].div, "%.3f");
      } else {
        double v = c == 0 ? hs->mean_ms : c == 7 ? hs->max_ms : hs->pct_ms[c - 1];
        if (isnan(v)) fputs("<td class=\"num\">&ndash;</td>", f);
        else fprintf(f, "<td class=\"num\">%.3f*</td>", v);
        from_files = 1;
      }
    }
    fputs("</tr>\n", f);
  }
  fputs("</table>\n", f);
  if (from_files)
    fputs("<p class=\"sub\">* read off the .hgrm file's rows (summary.json lacks them): percentiles to "
          "the resolution of the file's rows.</p>\n", f);
  fputs("<p class=\"sub\">Corrected latency is measured from each message's intended send time (the "
        "rate schedule), so a stalled producer cannot hide a stall (coordinated omission); uncorrected "
        "from the actual send. The publish delay is how far sends ran behind the schedule.</p>\n", f);
}

/* Messages, throughput, schedule and drain, side by side. */
static void counts_table(FILE *f, const page_input *in) {
  json_t *s = in->rd->summary;
  fputs("<div class=\"cards\" style=\"align-items:flex-start\">\n<table><tr><th colspan=\"2\">Messages</th></tr>\n", f);
  kv_row(f, s, "intended by the schedule", "counts.intended");
  kv_row(f, s, "sent", "counts.sent");
  kv_row(f, s, "acknowledged", "counts.acked");
  kv_row(f, s, "failed (nacked)", "counts.nacked");
  kv_row(f, s, "indeterminate", "counts.indeterminate");
  kv_row(f, s, "consumed (all subscriptions)", "counts.consumed");
  json_t *per = json_at(s, "counts.consumed_per_subscription");
  if (json_is_object(per) && json_object_size(per) > 1) kv_object(f, per, "consumed by ");
  kv_row(f, s, "duplicates skipped (exactly once)", "counts.skipped_duplicates");
  kv_row(f, s, "consumer errors", "counts.consumer_errors");
  kv_row(f, s, "offset commit errors", "counts.commit_errors");
  fputs("</table>\n<table><tr><th colspan=\"2\">Throughput (measured phase)</th></tr>\n", f);
  kv_row(f, s, "published, msg/s", "throughput.publish_msgs_per_s");
  kv_row(f, s, "published, MB/s", "throughput.publish_mb_per_s");
  kv_row(f, s, "consumed, msg/s", "throughput.consume_msgs_per_s");
  kv_row(f, s, "consumed, MB/s", "throughput.consume_mb_per_s");
  kv_row(f, s, "window, s", "throughput.window_s");
  kv_row(f, s, "message size, bytes", "messageSize");
  fputs("</table>\n<table><tr><th colspan=\"2\">Schedule and drain</th></tr>\n", f);
  kv_row(f, s, "schedule kept", "schedule.kept");
  kv_row(f, s, "furthest behind, ms", "schedule.max_behind_ms");
  kv_row(f, s, "sent late", "schedule.late");
  kv_row(f, s, "late fraction", "schedule.late_fraction");
  kv_row(f, s, "tolerance, ms", "schedule.tolerance_ms");
  kv_row(f, s, "drain completed", "drain.completed");
  kv_row(f, s, "drain, s", "drain.seconds");
  kv_row(f, s, "readback completed", "drain.readback_completed");
  fputs("</table>\n</div>\n", f);
}

/* The Summary section, or what is missing without summary.json. */
static void summary_section(FILE *f, const page_input *in) {
  fputs("<h2 id=\"summary\">Summary</h2>\n", f);
  if (!in->rd->summary) {
    fputs("<p class=\"missing\">No summary.json in this results folder: the run did not finish writing "
          "its results. The plots below use whatever files exist.</p>\n", f);
  } else {
    cards(f, in);
  }
  latency_table(f, in);
  if (in->rd->summary) counts_table(f, in);
}

/* -------------------------------------------------------------- plots -- */

void plots_html(FILE *f, const plot_set *ps) {
  for (size_t i = 0; i < ps->n; i++) {
    const plot_out *p = &ps->v[i];
    if (!p->ok) {
      fputs("<p class=\"missing\"><b>", f);
      html_text(f, p->name);
      fputs(":</b> ", f);
      html_text(f, p->failed ? "failed: " : "not drawn: ");
      html_text(f, p->problem);
      fputs("</p>\n", f);
      continue;
    }
    fputs("<figure><a href=\"plots/", f);
    html_url(f, p->name);
    fputs(".svg\"><img src=\"plots/", f);
    html_url(f, p->name);
    fputs(".png\" alt=\"", f);
    html_text(f, p->name);
    fputs("\"></a><figcaption>", f);
    html_text(f, p->caption);
    fputs(" (<a href=\"plots/", f);
    html_url(f, p->name);
    fputs(".svg\">SVG</a>)</figcaption></figure>\n", f);
  }
}

void notes_html(FILE *f, const notes *nt) {
  fputs("<h2 id=\"notes\">Notes</h2>\n", f);
  if (!nt->n) {
    fputs("<p>Every file the report reads was present and readable.</p>\n", f);
    return;
  }
  fputs("<ul class=\"notes\">\n", f);
  for (size_t i = 0; i < nt->n; i++) {
    fputs("<li>", f);
    html_text(f, nt->v[i]);
    fputs("</li>\n", f);
  }
  fputs("</ul>\n", f);
}

/* ------------------------------------------------------------ verdict -- */

static void string_list(FILE *f, json_t *arr, const char *cls) {
  if (!json_is_array(arr) || !json_array_size(arr)) return;
  fprintf(f, "<ul class=\"%s\">\n", cls);
  size_t i;
  json_t *e;
  json_array_foreach(arr, i, e) {
    fputs("<li>", f);
    html_text(f, json_string_value(e));
    fputs("</li>\n", f);
  }
  fputs("</ul>\n", f);
}

/* verdict.json's subscriptions: semantics, verdict, applies, consume counts. */
static void subscriptions_table(FILE *f, json_t *subs) {
  if (!json_is_array(subs) || !json_array_size(subs)) return;
  fputs("<h3>Subscriptions</h3>\n<table><tr><th>subscription</th><th>topic</th><th>semantics</th>"
        "<th>verdict</th><th>applies</th><th>messages applied N times (N: count)</th></tr>\n", f);
  size_t i;
  json_t *sub;
  json_array_foreach(subs, i, sub) {
    fputs("<tr><td>", f);
    html_text(f, json_str_at(sub, "name"));
    fputs("</td><td class=\"mono\">", f);
    html_text(f, json_str_at(sub, "topic"));
    fputs("</td><td>", f);
    html_text(f, json_str_at(sub, "semantics"));
    fputs("</td><td>", f);
    html_verdict_badge(f, json_str_at(sub, "verdict"));
    fputs("</td>", f);
    num_td(f, sub, "applies", 1, "%.0f");
    fputs("<td>", f);
    const char *k;
    json_t *v;
    int first = 1;
    json_object_foreach(json_object_get(sub, "consume_counts"), k, v) {
      html_textf(f, "%s%s: ", first ? "" : ", ", k);
      html_json_scalar(f, v);
      first = 0;
    }
    fputs("</td></tr>\n", f);
  }
  fputs("</table>\n", f);
}

/* The partitions holding an anomaly, the most affected first, at most 4. */
static void top_partitions(FILE *f, json_t *by) {
  const char *k;
  json_t *v;
  size_t n = json_object_size(by), shown = 0;
  char **keys = sp_calloc(n ? n : 1, sizeof *keys);
  size_t i = 0;
  json_object_foreach(by, k, v) keys[i++] = (char *)k;
  for (size_t a = 0; a < n && shown < 4; a++, shown++) {
    size_t best = a;
    for (size_t b = a + 1; b < n; b++)
      if (json_number_value(json_object_get(by, keys[b])) > json_number_value(json_object_get(by, keys[best])))
        best = b;
    char *t = keys[a];
    keys[a] = keys[best];
    keys[best] = t;
    html_textf(f, "%s%s: ", a ? ", " : "", keys[a]);
    html_json_scalar(f, json_object_get(by, keys[a]));
  }
  if (n > shown) html_textf(f, ", \u2026 (%zu partitions)", n);
  free(keys);
}

/* One anomaly type's examples as a table whose columns are every field
 * any example has. */
static void examples_table(FILE *f, const char *type, json_t *a) {
  json_t *ex = json_object_get(a, "examples");
  if (!json_is_array(ex) || !json_array_size(ex)) return;
  json_t *cols = json_object();
  size_t i;
  json_t *e;
  json_array_foreach(ex, i, e) {
    const char *k;
    json_t *v;
    json_object_foreach(e, k, v) json_object_set_new(cols, k, json_true());
  }
  int forbidden_found = !json_is_true(json_object_get(a, "allowed")) && json_number_value(json_object_get(a, "count")) > 0;
  fprintf(f, "<details%s><summary>", forbidden_found ? " open" : "");
  html_textf(f, "%s: %zu example%s of %.0f", type, json_array_size(ex), json_array_size(ex) == 1 ? "" : "s",
             json_number_value(json_object_get(a, "count")));
  fputs("</summary>\n<table><tr>", f);
  const char *k;
  json_t *v;
  json_object_foreach(cols, k, v) {
    fputs("<th>", f);
    html_text(f, k);
    fputs("</th>", f);
  }
  fputs("</tr>\n", f);
  json_array_foreach(ex, i, e) {
    fputs("<tr>", f);
    json_object_foreach(cols, k, v) {
      json_t *cellv = json_object_get(e, k);
      fputs("<td class=\"mono\">", f);
      if (json_is_object(cellv) || json_is_array(cellv)) {
        char *s = json_dumps(cellv, JSON_COMPACT | JSON_PRESERVE_ORDER);
        html_text(f, s);
        free(s);
      } else {
        html_json_scalar(f, cellv);
      }
      fputs("</td>", f);
    }
    fputs("</tr>\n", f);
  }
  fputs("</table></details>\n", f);
  json_decref(cols);
}

/* Every anomaly type (found ones shaded: red forbidden, blue allowed), then
 * the examples of each. */
static void anomalies_table(FILE *f, json_t *all) {
  if (!json_is_object(all)) return;
  fputs("<h3>Anomalies</h3>\n<table><tr><th>anomaly</th><th>count</th><th>under the semantics</th>"
        "<th>checked</th><th>definition</th><th>where</th></tr>\n", f);
  const char *type;
  json_t *a;
  json_object_foreach(all, type, a) {
    double count = json_number_value(json_object_get(a, "count"));
    int allowed = json_is_true(json_object_get(a, "allowed"));
    fprintf(f, "<tr%s><td>", count > 0 ? (allowed ? " class=\"allowed\"" : " class=\"bad\"") : "");
    html_text(f, type);
    fprintf(f, "</td><td class=\"num\">%.0f</td><td>%s</td><td>%s</td><td>", count,
            allowed ? "allowed" : "forbidden",
            json_is_false(json_object_get(a, "checked")) ? "<b>not checked</b>" : "yes");
    html_text(f, json_str_at(a, "definition"));
    fputs("</td><td class=\"mono\">", f);
    top_partitions(f, json_object_get(a, "by_partition"));
    fputs("</td></tr>\n", f);
  }
  fputs("</table>\n", f);
  fputs("<h3>Examples</h3>\n", f);
  int any = 0;
  json_object_foreach(all, type, a) {
    if (json_array_size(json_object_get(a, "examples"))) any = 1;
    examples_table(f, type, a);
  }
  if (!any) fputs("<p>No anomaly found, so no examples.</p>\n", f);
}

/* verdict.json's "info" flattened one level: counts the checker reports
 * that are not anomalies (indeterminate sends, torn history tails, ...). */
static void info_table(FILE *f, json_t *info, json_t *input) {
  if (!json_is_object(info) && !json_is_object(input)) return;
  fputs("<h3>Information</h3>\n<table>\n", f);
  const char *k;
  json_t *v;
  json_object_foreach(info, k, v) {
    if (json_is_object(v)) {
      char prefix[160];
      snprintf(prefix, sizeof prefix, "%s.", k);
      kv_object(f, v, prefix);
    } else if (!json_is_array(v)) kv_row(f, info, k, k);
    else {
      fputs("<tr><th>", f);
      html_text(f, k);
      fputs("</th><td class=\"mono\">", f);
      char *s = json_dumps(v, JSON_COMPACT);
      html_text(f, s);
      free(s);
      fputs("</td></tr>\n", f);
    }
  }
  kv_row(f, input, "history records read", "records");
  kv_row(f, input, "history bytes read", "bytes");
  kv_row(f, input, "check time, s", "seconds");
  kv_row(f, input, "drain completed", "drain_completed");
  kv_row(f, input, "readback", "readback");
  fputs("</table>\n", f);
}

/* The Verdict section: the verdict in words, its reasons, the tables. */
static void verdict_section(FILE *f, const page_input *in) {
  json_t *v = in->rd->verdict;
  fputs("<h2 id=\"verdict\">Verdict</h2>\n", f);
  if (!v) {
    fputs("<p class=\"missing\">No verdict.json: the run was not checked. <code>streamproof check ", f);
    html_text(f, in->rd->path);
    fputs("</code> writes it; run the report again afterwards.</p>\n", f);
    return;
  }
  fputs("<p>", f);
  html_verdict_badge(f, json_str_at(v, "verdict"));
  const char *verdict = json_str_at(v, "verdict");
  if (verdict && !strcmp(verdict, "valid"))
    fputs(" Nothing the subscriptions' delivery semantics forbid was found, and the history is complete.", f);
  else if (verdict && !strcmp(verdict, "invalid"))
    fputs(" An anomaly the delivery semantics forbid was found:", f);
  else if (verdict && !strcmp(verdict, "unknown"))
    fputs(" Nothing forbidden was proven, but the history is incomplete:", f);
  fputs("</p>\n", f);
  string_list(f, json_object_get(v, "violations"), "notes");
  string_list(f, json_object_get(v, "incomplete"), "notes");
  const char *error = json_str_at(v, "error");
  if (error) {
    fputs("<p class=\"missing\">checker error: ", f);
    html_text(f, error);
    fputs("</p>\n", f);
  }
  subscriptions_table(f, json_object_get(v, "subscriptions"));
  anomalies_table(f, json_object_get(v, "anomalies"));
  info_table(f, json_object_get(v, "info"), json_object_get(v, "input"));
  json_t *checker_notes = json_object_get(v, "notes");
  if (json_array_size(checker_notes)) {
    fputs("<h3>Checker notes</h3>\n", f);
    string_list(f, checker_notes, "notes");
  }
}

/* ---------------------------------------------------- stream processor -- */

/* The stream oracle's findings (verdict.json stream.findings): one row per
 * kind, shaded when found, with up to three examples as compact JSON. */
static void stream_findings_table(FILE *f, json_t *findings) {
  if (!json_is_object(findings)) return;
  fputs("<table><tr><th>finding</th><th>count</th><th>definition</th><th>examples</th></tr>\n", f);
  const char *kind;
  json_t *x;
  json_object_foreach(findings, kind, x) {
    double count = json_number_value(json_object_get(x, "count"));
    fprintf(f, "<tr%s><td>", count > 0 ? " class=\"bad\"" : "");
    html_text(f, kind);
    fprintf(f, "</td><td class=\"num\">%.0f</td><td>", count);
    html_text(f, json_str_at(x, "definition"));
    fputs("</td><td class=\"mono\">", f);
    json_t *ex = json_object_get(x, "examples");
    for (size_t i = 0; i < json_array_size(ex) && i < 3; i++) {
      char *text = json_dumps(json_array_get(ex, i), JSON_COMPACT);
      if (i) fputs("<br>", f);
      html_text(f, text);
      free(text);
    }
    fputs("</td></tr>\n", f);
  }
  fputs("</table>\n", f);
}

/* The Stream processor section, for a run with one (summary.json
 * "processor", verdict.json "stream"): the oracle's verdict and totals,
 * its findings, and the processor's own figures. Nothing otherwise. */
static void stream_section(FILE *f, const page_input *in) {
  json_t *st = in->rd->verdict ? json_object_get(in->rd->verdict, "stream") : NULL;
  json_t *proc = in->rd->summary ? json_object_get(in->rd->summary, "processor") : NULL;
  if (!json_is_object(st) && !json_is_object(proc)) return;
  fputs("<h2 id=\"stream\">Stream processor</h2>\n", f);
  if (!json_is_object(st)) {
    fputs("<p class=\"missing\">The run had a stream processor but verdict.json has no stream "
          "section: its output was not checked.</p>\n", f);
  } else {
    fputs("<p>", f);
    html_verdict_badge(f, json_str_at(st, "verdict"));
    fputs(" The oracle recomputed job <code>", f);
    html_text(f, json_str_at(st, "job"));
    fputs("</code> from the input topics and compared every record the processor wrote.</p>\n", f);
    string_list(f, json_object_get(st, "incomplete"), "notes");
    fputs("<table>\n", f);
    kv_row(f, st, "tasks", "totals.tasks");
    kv_row(f, st, "input records", "totals.input_records");
    kv_row(f, st, "results expected", "totals.expected.output");
    kv_row(f, st, "results written", "totals.written.output");
    kv_row(f, st, "late records expected", "totals.expected.late");
    kv_row(f, st, "late records written", "totals.written.late");
    kv_row(f, st, "error records expected", "totals.expected.errors");
    kv_row(f, st, "error records written", "totals.written.errors");
    kv_row(f, st, "pending (not reached yet)", "totals.pending");
    kv_row(f, st, "unverified", "totals.unverified");
    fputs("</table>\n", f);
    stream_findings_table(f, json_object_get(st, "findings"));
    string_list(f, json_object_get(st, "notes"), "notes");
  }
  if (json_is_object(proc)) {
    fputs("<h3>The processor (summary.json <code>processor</code>)</h3>\n<table>\n", f);
    kv_object(f, proc, "");
    fputs("</table>\n", f);
  }
}

/* ------------------------------------------------------------- faults -- */

static void faults_section(FILE *f, const page_input *in) {
  fputs("<h2 id=\"faults\">Faults</h2>\n", f);
  const fault_list *fl = in->faults;
  if (!fl) {
    fputs("<p class=\"missing\">No faults.jsonl in this results folder.</p>\n", f);
    return;
  }
  if (!fl->n_events) {
    fputs("<p>No fault was injected in this run.</p>\n", f);
    return;
  }
  if (fl->n_bands) {
    fputs("<h3>Windows</h3>\n<table><tr><th>fault</th><th>from, s</th><th>to, s</th><th>lasted, s</th>"
          "</tr>\n", f);
    for (size_t i = 0; i < fl->n_bands; i++) {
      const fault_band *b = &fl->bands[i];
      fputs("<tr><td>", f);
      html_text(f, b->label);
      fprintf(f, "</td><td class=\"num\">%.3f</td><td class=\"num\">%.3f%s</td><td class=\"num\">%.3f</td></tr>\n",
              b->start_s, b->end_s, b->healed ? "" : " (never healed)", b->end_s - b->start_s);
    }
    fputs("</table>\n", f);
  }
  fputs("<h3>Events (faults.jsonl)</h3>\n<table><tr><th>t, s</th><th>action</th><th>fault</th><th>kind</th>"
        "<th>target</th><th>result</th><th>detail</th><th>parameters</th></tr>\n", f);
  for (size_t i = 0; i < fl->n_events; i++) {
    const fault_event *e = &fl->events[i];
    fprintf(f, "<tr%s><td class=\"num\">%.3f</td><td>", e->error ? " class=\"bad\"" : "", e->t_s);
    html_text(f, e->action);
    fputs("</td><td>", f);
    html_text(f, e->fault);
    fputs("</td><td>", f);
    html_text(f, e->kind);
    fputs("</td><td>", f);
    html_text(f, e->target);
    fputs("</td><td>", f);
    html_text(f, e->error ? "error: " : "ok");
    html_text(f, e->error);
    fputs("</td><td>", f);
    html_text(f, e->detail);
    fputs("</td><td class=\"mono\">", f);
    html_text(f, e->params);
    fputs("</td></tr>\n", f);
  }
  fputs("</table>\n", f);
}

/* ---------------------------------------------------------------- run -- */

static void run_section(FILE *f, const page_input *in) {
  json_t *s = in->rd->summary;
  fputs("<h2 id=\"run\">Run</h2>\n", f);
  if (!s) {
    fputs("<p class=\"missing\">No summary.json: no run metadata.</p>\n", f);
    return;
  }
  fputs("<div class=\"cards\" style=\"align-items:flex-start\">\n<table><tr><th colspan=\"2\">Workload</th></tr>\n", f);
  kv_row(f, s, "workload", "workload");
  kv_row(f, s, "driver", "driver");
  kv_row(f, s, "message size, bytes", "messageSize");
  kv_row(f, s, "topics", "topics");
  kv_row(f, s, "partitions per topic", "partitions");
  kv_row(f, s, "producers per topic", "producersPerTopic");
  kv_row(f, s, "consumers per topic", "consumersPerTopic");
  kv_row(f, s, "faults injected", "faults");
  fputs("</table>\n", f);
  static const char *const OBJECTS[][2] = {{"run", "Run"}, {"broker", "Broker"}, {"machine", "Machine"}};
  for (size_t i = 0; i < sizeof OBJECTS / sizeof OBJECTS[0]; i++) {
    json_t *o = json_object_get(s, OBJECTS[i][0]);
    if (!json_is_object(o)) continue;
    fputs("<table><tr><th colspan=\"2\">", f);
    html_text(f, OBJECTS[i][1]);
    fputs("</th></tr>\n", f);
    kv_object(f, o, "");
    fputs("</table>\n", f);
  }
  fputs("</div>\n", f);
  json_t *wl = json_object_get(s, "workload_resolved");
  if (wl) {
    char *text = json_dumps(wl, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputs("<details><summary>The workload as resolved (defaults filled in)</summary><pre>", f);
    html_text(f, text);
    fputs("</pre></details>\n", f);
    free(text);
  }
}

/* -------------------------------------------------------------- files -- */

static void files_section(FILE *f, const page_input *in) {
  static const char *const FILES[][2] = {
      {"summary.json", "rates, latency percentiles, counts, metadata (OMB field names)"},
      {"verdict.json", "the checker's verdict, anomalies and examples"},
      {"timeline.csv", "one row per second"},
      {"faults.jsonl", "every fault injected and healed"},
      {"publish.hgrm", "publish latency percentiles, corrected"},
      {"publish-uncorrected.hgrm", "publish latency percentiles, uncorrected"},
      {"publish-delay.hgrm", "send behind schedule"},
      {"e2e.hgrm", "end-to-end latency percentiles, corrected"},
      {"e2e-uncorrected.hgrm", "end-to-end latency percentiles, uncorrected"},
      {"latency.hlog", "per-second interval histograms (HdrHistogram log)"},
      {"workload.yaml", "the workload as given"},
      {"workload.json", "the workload as resolved"},
  };
  fputs("<h2 id=\"files\">Files</h2>\n<table>\n", f);
  for (size_t i = 0; i < sizeof FILES / sizeof FILES[0]; i++) {
    if (!rundir_has(in->rd, FILES[i][0])) continue;
    fputs("<tr><td>", f);
    run_link(f, in, FILES[i][0], NULL);
    fputs("</td><td>", f);
    html_text(f, FILES[i][1]);
    fputs("</td></tr>\n", f);
  }
  char logs[GP_PATH_MAX];
  rundir_file(in->rd, "logs", logs, sizeof logs);
  DIR *d = opendir(logs);
  if (d) {
    struct dirent *de;
    char **names = NULL;
    size_t n = 0;
    while ((de = readdir(d))) {
      if (de->d_name[0] == '.') continue;
      names = sp_realloc(names, (n + 1) * sizeof *names);
      names[n++] = sp_strdup(de->d_name);
    }
    closedir(d);
    for (size_t a = 0; a < n; a++)
      for (size_t b = a + 1; b < n; b++)
        if (strcmp(names[a], names[b]) > 0) {
          char *t = names[a];
          names[a] = names[b];
          names[b] = t;
        }
    for (size_t i = 0; i < n; i++) {
      char rel[GP_PATH_MAX];
      snprintf(rel, sizeof rel, "logs/%s", names[i]);
      fputs("<tr><td>", f);
      run_link(f, in, rel, NULL);
      fputs("</td><td>process log</td></tr>\n", f);
      free(names[i]);
    }
    free(names);
  }
  fputs("<tr><td><a href=\"plots/gnuplot.log\">plots/gnuplot.log</a></td><td>gnuplot's commands and "
        "messages for these plots</td></tr>\n</table>\n", f);
}

void report_page_write(FILE *f, const void *ctx) {
  const page_input *in = ctx;
  char title[512], footer[128];
  const char *workload = json_str_at(in->rd->summary, "workload");
  snprintf(title, sizeof title, "streamproof report: %s", in->title ? in->title : workload ? workload : in->rd->name);
  html_begin(f, title, (int)plot_count_ok(in->plots));
  header(f, in);
  summary_section(f, in);
  fputs("<h2 id=\"plots\">Plots</h2>\n", f);
  plots_html(f, in->plots);
  verdict_section(f, in);
  stream_section(f, in);
  faults_section(f, in);
  run_section(f, in);
  files_section(f, in);
  notes_html(f, in->notes);
  generated_by(footer, sizeof footer);
  html_end(f, footer);
}
