/* metrics.c: see metrics.h. The one table of comparable figures. */
#include "metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sp_assert.h"

/* The eight latency figures OMB aggregates, for one latency kind. */
#define LATENCY(kind, text, field, head_pct)                                                       \
  {kind ".mean", text " mean", field "Avg", UNIT_MS, 0, 0, SRC_SUMMARY},                           \
  {kind ".p50", text " p50", field "50pct", UNIT_MS, 0, head_pct, SRC_SUMMARY},                    \
  {kind ".p75", text " p75", field "75pct", UNIT_MS, 0, 0, SRC_SUMMARY},                           \
  {kind ".p95", text " p95", field "95pct", UNIT_MS, 0, 0, SRC_SUMMARY},                           \
  {kind ".p99", text " p99", field "99pct", UNIT_MS, 0, 1, SRC_SUMMARY},                           \
  {kind ".p99.9", text " p99.9", field "999pct", UNIT_MS, 0, head_pct, SRC_SUMMARY},               \
  {kind ".p99.99", text " p99.99", field "9999pct", UNIT_MS, 0, 0, SRC_SUMMARY},                   \
  {kind ".max", text " max", field "Max", UNIT_MS, 0, head_pct, SRC_SUMMARY}

static const metric METRICS[] = {
    {"throughput", "publish throughput (acked)", "throughput.publish_msgs_per_s", UNIT_RATE, 1, 1, SRC_SUMMARY},
    {"consume-throughput", "consume throughput", "throughput.consume_msgs_per_s", UNIT_RATE, 1, 1, SRC_SUMMARY},
    LATENCY("publish", "publish latency", "aggregatedPublishLatency", 1),
    LATENCY("e2e", "end-to-end latency", "aggregatedEndToEndLatency", 1),
    LATENCY("publish-uncorrected", "publish latency, uncorrected", "uncorrected.aggregatedPublishLatency", 0),
    LATENCY("e2e-uncorrected", "end-to-end latency, uncorrected", "uncorrected.aggregatedEndToEndLatency", 0),
    {"publish-delay.p50", "send behind schedule p50", "aggregatedPublishDelayLatency50pct", UNIT_US, 0, 0, SRC_SUMMARY},
    {"publish-delay.p99", "send behind schedule p99", "aggregatedPublishDelayLatency99pct", UNIT_US, 0, 0, SRC_SUMMARY},
    {"publish-delay.max", "send behind schedule max", "aggregatedPublishDelayLatencyMax", UNIT_US, 0, 0, SRC_SUMMARY},
    {"late-fraction", "messages sent late (schedule)", "schedule.late_fraction", UNIT_FRACTION, 0, 1, SRC_SUMMARY},
    {"nacked", "publish errors (nacked)", "counts.nacked", UNIT_COUNT, 0, 1, SRC_SUMMARY},
    {"indeterminate", "indeterminate sends", "counts.indeterminate", UNIT_COUNT, 0, 1, SRC_SUMMARY},
    {"consumer-errors", "consumer errors", "counts.consumer_errors", UNIT_COUNT, 0, 1, SRC_SUMMARY},
    {"commit-errors", "offset commit errors", "counts.commit_errors", UNIT_COUNT, 0, 0, SRC_SUMMARY},
    {"forbidden-anomalies", "anomalies the semantics forbid", NULL, UNIT_COUNT, 0, 1, SRC_FORBIDDEN_ANOMALIES},
    {"allowed-anomalies", "anomalies the semantics allow", NULL, UNIT_COUNT, 0, 1, SRC_ALLOWED_ANOMALIES},
};

size_t metric_count(void) { return sizeof METRICS / sizeof METRICS[0]; }

const metric *metric_at(size_t i) {
  SP_ASSERT(i < metric_count());
  return &METRICS[i];
}

const metric *metric_find(const char *name) {
  for (size_t i = 0; i < metric_count(); i++)
    if (!strcmp(METRICS[i].name, name)) return &METRICS[i];
  return NULL;
}

/* Sums verdict.json's anomaly counts whose "allowed" flag equals allowed. */
static int anomaly_sum(const rundir *rd, int allowed, double *out) {
  json_t *all = json_object_get(rd->verdict, "anomalies");
  if (!json_is_object(all)) return -1;
  double sum = 0;
  const char *type;
  json_t *a;
  json_object_foreach(all, type, a) {
    json_t *count = json_object_get(a, "count");
    if (!json_is_number(count)) continue;
    if (json_is_true(json_object_get(a, "allowed")) == allowed) sum += json_number_value(count);
  }
  *out = sum;
  return 0;
}

int metric_value(const metric *m, const rundir *rd, double *out) {
  switch (m->source) {
  case SRC_SUMMARY: return json_num_at(rd->summary, m->path, out);
  case SRC_FORBIDDEN_ANOMALIES: return anomaly_sum(rd, 0, out);
  case SRC_ALLOWED_ANOMALIES: return anomaly_sum(rd, 1, out);
  }
  return -1;
}

const char *metric_unit_name(metric_unit u) {
  switch (u) {
  case UNIT_MS: return "ms";
  case UNIT_US: return "us";
  case UNIT_RATE: return "msg/s";
  case UNIT_COUNT: return "";
  case UNIT_FRACTION: return "";
  }
  return "";
}

void metric_format(const metric *m, double v, char *buf, size_t cap) {
  if (isnan(v)) {
    snprintf(buf, cap, "n/a");
    return;
  }
  switch (m->unit) {
  case UNIT_MS: snprintf(buf, cap, "%.3f", v); break;
  case UNIT_US: snprintf(buf, cap, "%.0f", v); break;
  case UNIT_RATE: snprintf(buf, cap, "%.1f", v); break;
  case UNIT_COUNT: snprintf(buf, cap, v == floor(v) ? "%.0f" : "%.1f", v); break;
  case UNIT_FRACTION: snprintf(buf, cap, "%.4f", v); break;
  }
}

/* qsort order of doubles, ascending. */
static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

double metric_median(double *v, size_t n) {
  SP_ASSERT(n >= 1);
  if (n) qsort(v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
