/* metrics.h: the figures compare and report put side by side, by name.
 *
 * Every metric has the name `--max-regress` uses (e2e.p99, throughput,
 * nacked, ...), a label, a unit, a direction (is more better or worse?)
 * and where it comes from: a number in summary.json (OpenMessaging
 * Benchmark's field names, results/README.md) or a sum over verdict.json's
 * anomalies. One table (metrics.c) serves compare's rows, its --help, the
 * threshold parser and the report's comparison table. */
#ifndef SP_COMPARE_METRICS_H
#define SP_COMPARE_METRICS_H

#include <stddef.h>

#include "rundir.h"

typedef enum {
  UNIT_MS,        /* latency, milliseconds */
  UNIT_US,        /* publish delay, microseconds */
  UNIT_RATE,      /* messages per second */
  UNIT_COUNT,     /* messages or events */
  UNIT_FRACTION,  /* 0..1 */
} metric_unit;

typedef enum {
  SRC_SUMMARY,             /* summary.json at `path` */
  SRC_FORBIDDEN_ANOMALIES, /* verdict.json: sum of counts the semantics forbid */
  SRC_ALLOWED_ANOMALIES,   /* verdict.json: sum of counts the semantics allow */
} metric_source;

typedef struct metric {
  const char *name;       /* e2e.p99: what --max-regress takes */
  const char *label;      /* end-to-end p99 (corrected) */
  const char *path;       /* dotted path in summary.json (SRC_SUMMARY) */
  metric_unit unit;
  int higher_is_better;   /* throughput: 1; latency, errors: 0 */
  int headline;           /* in compare's default table */
  metric_source source;
} metric;

size_t metric_count(void);
const metric *metric_at(size_t i);
/* By exact name, or NULL. */
const metric *metric_find(const char *name);

/* The metric's value in one run: 0 and *out, or -1 when the run lacks it
 * (field absent, verdict.json missing). */
int metric_value(const metric *m, const rundir *rd, double *out);

/* "ms", "us", "msg/s", "", "" by unit. */
const char *metric_unit_name(metric_unit u);
/* A value printed in the metric's unit with the precision it deserves. */
void metric_format(const metric *m, double v, char *buf, size_t cap);

/* The median of n values (the mean of the middle two for even n); v is
 * reordered. n >= 1. */
double metric_median(double *v, size_t n);

#endif
