/* matrix_cell.c: see matrix_cell.h. */
#include "matrix_cell.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rundir.h"

void mx_figures_clear(mx_figures *fig) {
  memset(fig, 0, sizeof *fig);
  double *nums[] = {&fig->subscriptions, &fig->acked, &fig->consumed, &fig->lost, &fig->duplicated,
                    &fig->redelivered, &fig->other, &fig->lost_pct, &fig->duplicated_pct,
                    &fig->redelivered_pct, &fig->publish_tput, &fig->consume_tput, &fig->e2e_p50_ms,
                    &fig->e2e_p99_ms, &fig->faults_injected, &fig->fault_errors,
                    &fig->stream_expected, &fig->stream_written, &fig->stream_pending,
                    &fig->stream_unverified, &fig->stream_findings, &fig->proc_restarts};
  for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) *nums[i] = NAN;
  fig->schedule_kept = fig->drain_completed = fig->proc_caught_up = -1;
}

/* A number at a dotted path, NaN when absent. */
static double num_or_nan(json_t *root, const char *path) {
  double v;
  return root && json_num_at(root, path, &v) == 0 ? v : NAN;
}

/* 1 / 0 for a JSON boolean at path, -1 when absent. */
static int bool_at(json_t *root, const char *path) {
  json_t *j = root ? json_at(root, path) : NULL;
  return json_is_boolean(j) ? json_is_true(j) : -1;
}

/* Appends "<type> <n>" to a "a 2, b 1" list (truncated when full). */
static void list_add(char *list, size_t cap, const char *type, double n) {
  size_t len = strlen(list);
  if (len < cap) snprintf(list + len, cap - len, "%s%s %.0f", len ? ", " : "", type, n);
}

/* The anomaly counts of verdict.json, sorted into the matrix's columns. */
static void read_anomalies(json_t *verdict, mx_figures *fig) {
  json_t *all = json_object_get(verdict, "anomalies");
  if (!json_is_object(all)) return;
  fig->lost = fig->duplicated = fig->redelivered = fig->other = 0;
  const char *type;
  json_t *a;
  json_object_foreach(all, type, a) {
    json_t *c = json_object_get(a, "count");
    if (!json_is_number(c)) continue;
    double n = json_number_value(c);
    if (!strcmp(type, "lost-write") || !strcmp(type, "unseen")) fig->lost += n;
    else if (!strcmp(type, "duplicate")) fig->duplicated += n;
    else if (!strcmp(type, "redelivered")) fig->redelivered += n;
    else if (n > 0) {
      fig->other += n;
      list_add(fig->other_types, sizeof fig->other_types, type, n);
    }
  }
}

/* The semantics the subscriptions claimed, and how many there are. */
static void read_subscriptions(json_t *verdict, mx_figures *fig) {
  json_t *subs = json_object_get(verdict, "subscriptions");
  if (!json_is_array(subs)) return;
  fig->subscriptions = (double)json_array_size(subs);
  size_t i;
  json_t *s;
  json_array_foreach(subs, i, s) {
    const char *sem = json_string_value(json_object_get(s, "semantics"));
    if (!sem) continue;
    if (!fig->semantics[0]) snprintf(fig->semantics, sizeof fig->semantics, "%s", sem);
    else if (strcmp(fig->semantics, sem)) snprintf(fig->semantics, sizeof fig->semantics, "mixed");
  }
}

/* The stream check's section of verdict.json (harness/check/README.md
 * "Stream oracle"): its verdict, output expected and written, what it
 * could not judge, and its findings by kind. Absent: nothing is set. */
static void read_stream(json_t *verdict, mx_figures *fig) {
  json_t *st = json_object_get(verdict, "stream");
  if (!json_is_object(st)) return;
  fig->has_processor = 1;
  const char *v = json_string_value(json_object_get(st, "verdict"));
  snprintf(fig->stream_verdict, sizeof fig->stream_verdict, "%s", v ? v : "unknown");
  fig->stream_expected = num_or_nan(st, "totals.expected.output");
  fig->stream_written = num_or_nan(st, "totals.written.output");
  fig->stream_pending = num_or_nan(st, "totals.pending");
  fig->stream_unverified = num_or_nan(st, "totals.unverified");
  json_t *incomplete = json_object_get(st, "incomplete");
  const char *why = json_string_value(json_array_get(incomplete, 0));
  if (why) snprintf(fig->stream_incomplete, sizeof fig->stream_incomplete, "%s", why);
  json_t *all = json_object_get(st, "findings");
  if (!json_is_object(all)) return;
  fig->stream_findings = 0;
  const char *kind;
  json_t *f;
  json_object_foreach(all, kind, f) {
    json_t *c = json_object_get(f, "count");
    if (!json_is_number(c) || json_number_value(c) <= 0) continue;
    fig->stream_findings += json_number_value(c);
    list_add(fig->stream_finding_types, sizeof fig->stream_finding_types, kind, json_number_value(c));
  }
}

/* Counts successful injections and failed actions in faults.jsonl (lines
 * that do not parse are skipped: a line cut by a crash says nothing). */
static void read_faults(const rundir *rd, mx_figures *fig) {
  char path[MX_PATH_MAX + 32];
  rundir_file(rd, "faults.jsonl", path, sizeof path);
  FILE *f = fopen(path, "r");
  fig->faults_injected = fig->fault_errors = 0;
  if (!f) return;
  char line[8192];
  while (fgets(line, sizeof line, f)) {
    json_t *o = json_loads(line, 0, NULL);
    if (!o) continue;
    const char *action = json_string_value(json_object_get(o, "action"));
    const char *result = json_string_value(json_object_get(o, "result"));
    if (result && strcmp(result, "ok")) fig->fault_errors++;
    else if (action && !strcmp(action, "inject")) fig->faults_injected++;
    json_decref(o);
  }
  fclose(f);
}

/* part / whole in percent, NaN when either is unknown or whole is 0. */
static double pct(double part, double whole) {
  return isnan(part) || isnan(whole) || whole <= 0 ? NAN : 100.0 * part / whole;
}

int mx_figures_read(const char *dir, mx_figures *fig, char *err, size_t err_cap) {
  mx_figures_clear(fig);
  rundir rd;
  if (rundir_open(dir, 1, &rd, err, err_cap) != 0) return -1;
  const char *v = rundir_verdict(&rd);
  snprintf(fig->verdict, sizeof fig->verdict, "%s", v ? v : "not checked");
  fig->acked = num_or_nan(rd.summary, "counts.acked");
  fig->consumed = num_or_nan(rd.summary, "counts.consumed");
  fig->publish_tput = num_or_nan(rd.summary, "throughput.publish_msgs_per_s");
  fig->consume_tput = num_or_nan(rd.summary, "throughput.consume_msgs_per_s");
  fig->e2e_p50_ms = num_or_nan(rd.summary, "aggregatedEndToEndLatency50pct");
  fig->e2e_p99_ms = num_or_nan(rd.summary, "aggregatedEndToEndLatency99pct");
  fig->schedule_kept = bool_at(rd.summary, "schedule.kept");
  fig->drain_completed = bool_at(rd.summary, "drain.completed");
  if (json_is_object(json_object_get(rd.summary, "processor"))) {
    fig->has_processor = 1;
    fig->proc_restarts = num_or_nan(rd.summary, "processor.restarts");
    fig->proc_caught_up = bool_at(rd.summary, "processor.caught_up");
  }
  if (rd.verdict) {
    read_anomalies(rd.verdict, fig);
    read_subscriptions(rd.verdict, fig);
    read_stream(rd.verdict, fig);
  }
  read_faults(&rd, fig);
  double subs = isnan(fig->subscriptions) || fig->subscriptions < 1 ? 1 : fig->subscriptions;
  fig->lost_pct = pct(fig->lost, fig->acked * subs);
  fig->redelivered_pct = pct(fig->redelivered, fig->acked * subs);
  fig->duplicated_pct = pct(fig->duplicated, fig->acked);
  rundir_close(&rd);
  return 0;
}
