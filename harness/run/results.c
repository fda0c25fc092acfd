/* results.c: the results folder's derived files, written once the run is
 * over: the .hgrm percentile files, latency.hlog, timeline.csv and
 * summary.json (layout: results/README.md).
 *
 * summary.json uses OpenMessaging Benchmark's field names where OMB has
 * the field (so OMB's charts and dashboards read it): per-second lists over
 * the measured phase (publishRate, consumeRate, publishErrorRate, backlog,
 * publishLatency*, publishDelayLatency*, endToEndLatency*) and aggregates
 * over it (aggregated*Latency*, aggregated*Quantiles). Latencies are in ms
 * except the publish delay (us), as in OMB; unlike OMB every latency is
 * measured from the intended send time (the "uncorrected" object has the
 * same figures from the actual send), sub-millisecond samples are kept and
 * end-to-end latency is CLOCK_MONOTONIC on one host. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hgrm.h"
#include "latency.h"
#include "log.h"
#include "machine.h"
#include "mem.h"
#include "run_int.h"
#include "sp_version.h"
#include "timeline.h"

/* ISO-8601 UTC with milliseconds. */
static void iso_time(uint64_t wall_ns, char *buf, size_t cap) {
  time_t s = (time_t)(wall_ns / 1000000000ull);
  struct tm tm;
  gmtime_r(&s, &tm);
  char base[32];
  strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf, cap, "%s.%03uZ", base, (unsigned)(wall_ns / 1000000ull % 1000));
}

static void put_num(json_t *o, const char *k, double v) { json_object_set_new(o, k, json_real(v)); }
static void put_int(json_t *o, const char *k, int64_t v) { json_object_set_new(o, k, json_integer(v)); }
static void put_str(json_t *o, const char *k, const char *v) { json_object_set_new(o, k, json_string(v)); }

/* OMB's aggregate fields: <prefix>{Avg,50pct,75pct,95pct,99pct,999pct,9999pct,Max},
 * the histogram's microseconds divided by div (1000: ms). */
static void aggregates(json_t *o, const char *prefix, const sp_hist *h, double div) {
  static const struct {
    const char *suffix;
    double pct;
  } f[] = {{"50pct", 50}, {"75pct", 75}, {"95pct", 95}, {"99pct", 99}, {"999pct", 99.9}, {"9999pct", 99.99}};
  char key[96];
  snprintf(key, sizeof key, "%sAvg", prefix);
  put_num(o, key, sp_hist_mean(h) / div);
  for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
    snprintf(key, sizeof key, "%s%s", prefix, f[i].suffix);
    put_num(o, key, (double)sp_hist_value_at_percentile(h, f[i].pct) / div);
  }
  snprintf(key, sizeof key, "%sMax", prefix);
  put_num(o, key, (double)sp_hist_max(h) / div);
}

/* OMB's aggregated*Quantiles: percentile -> value, along HdrHistogram's
 * percentile iteration (10 steps per halving of the distance to 100%). */
static json_t *quantiles(const sp_hist *h, double div) {
  json_t *q = json_object();
  if (!sp_hist_count(h)) return q;
  sp_hist_pctl_iter it;
  sp_hist_pctl_iter_init(&it, h, 10);
  char key[48];
  while (sp_hist_pctl_iter_next(&it)) {
    snprintf(key, sizeof key, "%.6g", it.percentile);
    put_num(q, key, (double)it.value_us / div);
  }
  return q;
}

/* OMB's per-sample lists for one tag: <prefix>{Avg,..,Max}[] over seconds [a, b). */
static void per_second(json_t *o, const char *prefix, const latency_set *lat, int tag, size_t a,
                       size_t b, double div) {
  static const char *const suffix[] = {"Avg", "50pct", "75pct", "95pct", "99pct", "999pct", "9999pct", "Max"};
  json_t *lists[8];
  for (int i = 0; i < 8; i++) lists[i] = json_array();
  for (size_t k = a; k < b && k < lat->n_seconds; k++) {
    const lat_second *s = &lat->sec[tag][k];
    double v[8] = {s->mean, (double)s->p50, (double)s->p75, (double)s->p95, (double)s->p99,
                   (double)s->p999, (double)s->p9999, (double)s->max};
    for (int i = 0; i < 8; i++) json_array_append_new(lists[i], json_real(v[i] / div));
  }
  char key[96];
  for (int i = 0; i < 8; i++) {
    snprintf(key, sizeof key, "%s%s", prefix, suffix[i]);
    json_object_set_new(o, key, lists[i]);
  }
}

/* Writes <dir>/<name>.hgrm from a histogram (ms). */
static int save_hgrm(run_ctx *c, const char *name, const sp_hist *h, char *err, size_t err_len) {
  char path[RUN_PATH_MAX + 64];
  snprintf(path, sizeof path, "%s/%s.hgrm", c->dir, name);
  return sp_hgrm_save(path, h, SP_HGRM_TICKS_PER_HALF, SP_HGRM_MS, SP_HGRM_CLASSIC, err, err_len);
}

static json_t *summary_json(run_ctx *c, const latency_set *lat, const tl_counts *tc,
                            const char *verdict_name) {
  const workload *wl = &c->wl;
  json_t *s = json_object();
  /* ---- OMB's fields ---- */
  put_str(s, "workload", wl->name);
  put_str(s, "driver", c->embedded ? "refbroker" : "kafka-protocol");
  put_int(s, "messageSize", (int64_t)llround(sizes_mean(&wl->message_size)));
  put_int(s, "topics", wl->topics);
  put_int(s, "partitions", wl->partitions_per_topic);
  put_int(s, "producersPerTopic", wl->producers_per_topic);
  put_int(s, "consumersPerTopic", wl->subscriptions_per_topic * wl->consumer_per_subscription);
  put_int(s, "sampleRateMillis", 1000);
  /* the measured phase's seconds */
  size_t a = (size_t)((c->warmup_end - c->t0) / 1000000000ull);
  size_t b = (size_t)((c->measure_end - c->t0 + 999999999ull) / 1000000000ull);
  if (b > tc->n_seconds) b = tc->n_seconds;
  json_t *pub = json_array(), *con = json_array(), *perr = json_array(), *back = json_array();
  uint64_t spt = c->n_topics ? c->n_subs / c->n_topics : 0;
  int64_t acked = 0, consumed = 0;
  uint64_t acked_window = 0, consumed_window = 0;
  for (size_t k = 0; k < tc->n_seconds; k++) {
    acked += (int64_t)tc->rows[k].acked;
    consumed += (int64_t)tc->rows[k].consumed;
    if (k < a || k >= b) continue;
    acked_window += tc->rows[k].acked;
    consumed_window += tc->rows[k].consumed;
    json_array_append_new(pub, json_real((double)tc->rows[k].acked));
    json_array_append_new(con, json_real((double)tc->rows[k].consumed));
    json_array_append_new(perr, json_real((double)tc->rows[k].nacked));
    json_array_append_new(back, json_integer(timeline_backlog(acked, spt, consumed)));
  }
  json_object_set_new(s, "publishRate", pub);
  json_object_set_new(s, "consumeRate", con);
  json_object_set_new(s, "publishErrorRate", perr);
  json_object_set_new(s, "backlog", back);
  per_second(s, "publishLatency", lat, LAT_PUBLISH, a, b, 1000.0);
  per_second(s, "publishDelayLatency", lat, LAT_PUBLISH_DELAY, a, b, 1.0);
  per_second(s, "endToEndLatency", lat, LAT_E2E, a, b, 1000.0);
  aggregates(s, "aggregatedPublishLatency", lat->total[LAT_PUBLISH], 1000.0);
  aggregates(s, "aggregatedPublishDelayLatency", lat->total[LAT_PUBLISH_DELAY], 1.0);
  aggregates(s, "aggregatedEndToEndLatency", lat->total[LAT_E2E], 1000.0);
  json_object_set_new(s, "aggregatedPublishLatencyQuantiles", quantiles(lat->total[LAT_PUBLISH], 1000.0));
  json_object_set_new(s, "aggregatedPublishDelayLatencyQuantiles",
                      quantiles(lat->total[LAT_PUBLISH_DELAY], 1.0));
  json_object_set_new(s, "aggregatedEndToEndLatencyQuantiles", quantiles(lat->total[LAT_E2E], 1000.0));
  json_t *unc = json_object();
  aggregates(unc, "aggregatedPublishLatency", lat->total[LAT_PUBLISH_UNCORRECTED], 1000.0);
  aggregates(unc, "aggregatedEndToEndLatency", lat->total[LAT_E2E_UNCORRECTED], 1000.0);
  json_object_set_new(unc, "aggregatedPublishLatencyQuantiles",
                      quantiles(lat->total[LAT_PUBLISH_UNCORRECTED], 1000.0));
  json_object_set_new(unc, "aggregatedEndToEndLatencyQuantiles",
                      quantiles(lat->total[LAT_E2E_UNCORRECTED], 1000.0));
  json_object_set_new(s, "uncorrected", unc);

  /* ---- counts ---- */
  wstats ps = run_totals(c, WROLE_PRODUCER), cs = run_totals(c, WROLE_CONSUMER);
  json_t *counts = json_object();
  put_int(counts, "intended", (int64_t)tc->intended);
  put_int(counts, "sent", (int64_t)tc->sent);
  put_int(counts, "acked", (int64_t)tc->acked);
  put_int(counts, "nacked", (int64_t)tc->nacked);
  uint64_t outcome = tc->acked + tc->nacked;
  put_int(counts, "indeterminate", (int64_t)(ps.sent > outcome ? ps.sent - outcome : 0));
  put_int(counts, "sent_reported", (int64_t)ps.sent);
  put_int(counts, "consumed", (int64_t)tc->consumed);
  put_int(counts, "skipped_duplicates", (int64_t)tc->skipped);
  put_int(counts, "commit_errors", (int64_t)tc->commit_errors);
  put_int(counts, "consumer_errors", (int64_t)cs.errors);
  json_t *per_sub = json_object();
  for (uint32_t i = 0; i < c->n_subs; i++)
    put_int(per_sub, c->subs[i].name, (int64_t)tc->consumed_per_sub[i]);
  json_object_set_new(counts, "consumed_per_subscription", per_sub);
  json_object_set_new(s, "counts", counts);

  double window_s = (double)(c->measure_end - c->warmup_end) / 1e9;
  double mean_bytes = sizes_mean(&wl->message_size);
  json_t *tp = json_object();
  double pub_rate = window_s > 0 ? (double)acked_window / window_s : 0;
  double con_rate = window_s > 0 ? (double)consumed_window / window_s : 0;
  put_num(tp, "publish_msgs_per_s", pub_rate);
  put_num(tp, "publish_mb_per_s", pub_rate * mean_bytes / 1048576.0);
  put_num(tp, "consume_msgs_per_s", con_rate);
  put_num(tp, "consume_mb_per_s", con_rate * mean_bytes / 1048576.0);
  put_num(tp, "window_s", window_s);
  json_object_set_new(s, "throughput", tp);

  json_t *sched = json_object();
  const schedule_tolerance *tol = &wl->schedule_tolerance;
  put_num(sched, "max_behind_ms", (double)ps.behind_us / 1000.0);
  put_num(sched, "tolerance_ms", tol->max_lag_ms);
  put_num(sched, "max_late_fraction", tol->max_late_fraction);
  put_int(sched, "late", (int64_t)ps.late);
  put_num(sched, "late_fraction", ps.sent ? (double)ps.late / (double)ps.sent : 0);
  json_object_set_new(sched, "kept", json_boolean(schedule_kept(tol, ps.late, ps.sent)));
  json_object_set_new(s, "schedule", sched);

  /* ---- metadata ---- */
  char begin[48], end[48];
  iso_time(c->begin_wall_ns, begin, sizeof begin);
  iso_time(c->end_wall_ns, end, sizeof end);
  json_t *run = json_object();
  put_str(run, "streamproof_version", SP_VERSION);
  put_str(run, "git_commit", SP_GIT_COMMIT);
  put_str(run, "begin_time", begin);
  put_str(run, "end_time", end);
  put_num(run, "duration_s", wl->duration_s);
  put_num(run, "warmup_s", wl->warmup_s);
  put_num(run, "warmup_effective_s", (double)(c->warmup_end - c->t0) / 1e9); /* backlog mode: longer */
  put_num(run, "measured_s", window_s);
  put_num(run, "elapsed_s", (double)(c->end - c->t0) / 1e9);
  put_int(run, "seed", (int64_t)wl->seed);
  put_str(run, "command", c->command);
  put_str(run, "librdkafka", rd_kafka_version_str());
  json_object_set_new(s, "run", run);

  json_t *broker = json_object();
  put_str(broker, "kind", c->embedded ? "embedded-refbroker" : "external");
  put_str(broker, "bootstrap", c->bootstrap);
  json_t *flags = json_array();
  for (size_t i = 0; c->embedded && i < c->n_broker_flags; i++)
    json_array_append_new(flags, json_string(c->broker_flags[i]));
  json_object_set_new(broker, "flags", flags);
  if (c->embedded) put_str(broker, "binary", c->refbroker);
  json_object_set_new(broker, "proxy", json_boolean(c->proxy_port != 0));
  json_object_set_new(s, "broker", broker);
  json_object_set_new(s, "machine", machine_json());
  put_str(s, "verdict", verdict_name);
  put_int(s, "faults", c->faults_injected);
  json_t *drain = json_object();
  json_object_set_new(drain, "completed", json_boolean(c->drain_completed));
  put_num(drain, "seconds", c->drain_end > c->producers_stopped ? (double)(c->drain_end - c->producers_stopped) / 1e9 : 0);
  json_object_set_new(drain, "readback_completed", json_boolean(c->readback_completed));
  json_object_set_new(s, "drain", drain);
  if (c->backlog_target) {
    json_t *bl = json_object();
    put_int(bl, "target_messages", (int64_t)c->backlog_target);
    put_int(bl, "drained_level_messages", (int64_t)c->backlog_drained_level);
    put_num(bl, "built_at_s", c->backlog_built_ns ? (double)(c->backlog_built_ns - c->t0) / 1e9 : -1);
    put_num(bl, "drained_at_s", c->backlog_done_ns ? (double)(c->backlog_done_ns - c->t0) / 1e9 : -1);
    json_object_set_new(s, "consumerBacklog", bl);
  }
  json_t *files = json_object();
  put_int(files, "latency_logs", (int64_t)lat->files);
  put_int(files, "latency_intervals", (int64_t)lat->intervals);
  put_int(files, "latency_truncated_lines", (int64_t)lat->truncated_lines);
  put_int(files, "histories", (int64_t)tc->files);
  put_int(files, "histories_torn", (int64_t)tc->torn_files);
  json_object_set_new(s, "files", files);
  run_windows_summary(c, s);
  processor_summary(c, s);
  json_object_set_new(s, "workload_resolved", workload_to_json(wl));
  return s;
}

int results_write(run_ctx *c, int verdict, const char *verdict_name, char *err, size_t err_len) {
  (void)verdict;
  uint64_t last = c->drain_end ? c->drain_end : c->end; /* the timeline ends with the drain */
  size_t n_seconds = last > c->t0 ? (size_t)((last - c->t0 + 999999999ull) / 1000000000ull) : 1;
  if (!n_seconds) n_seconds = 1;
  latency_set lat;
  tl_counts tc;
  char path[RUN_PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/latency.hlog", c->dir);
  double window_start = (double)(c->warmup_end - c->t0) / 1e9;
  int rc = latency_scan(c->hlog_dir, window_start, 1e300, n_seconds, path, &lat, err, err_len);
  if (rc != 0) sp_error("latency logs: %s (figures use what could be read)", err);
  static const struct {
    const char *file;
    int tag;
  } hgrms[] = {{"publish", LAT_PUBLISH},
               {"publish-uncorrected", LAT_PUBLISH_UNCORRECTED},
               {"publish-delay", LAT_PUBLISH_DELAY},
               {"e2e", LAT_E2E},
               {"e2e-uncorrected", LAT_E2E_UNCORRECTED}};
  for (size_t i = 0; i < sizeof hgrms / sizeof hgrms[0] && rc == 0; i++)
    rc = save_hgrm(c, hgrms[i].file, lat.total[hgrms[i].tag], err, err_len);
  run_windows_anomalies(c); /* before the scan: examples naming a message are placed by its ACK */
  if (rc == 0) rc = timeline_count(c, n_seconds, &tc, err, err_len);
  else memset(&tc, 0, sizeof tc);
  if (rc == 0) rc = timeline_write(c, &tc, &lat, err, err_len);
  if (rc == 0) {
    json_t *s = summary_json(c, &lat, &tc, verdict_name);
    char tmp[RUN_PATH_MAX + 40];
    snprintf(path, sizeof path, "%s/summary.json", c->dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (json_dump_file(s, tmp, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)) != 0 ||
        rename(tmp, path) != 0) {
      snprintf(err, err_len, "cannot write %s: %s", path, strerror(errno));
      rc = -1;
    }
    json_decref(s);
  }
  timeline_free(&tc);
  latency_free(&lat);
  return rc;
}
