/* threshold.h: `--max-regress` limits: how much worse a candidate may be.
 *
 *   spec   := item ("," item)*            p99=10%,throughput=5%,nacked=0
 *   item   := NAME "=" limit
 *   limit  := REL | ABS | REL "+" ABS     10%   2ms   10%+0.5ms
 *   REL    := number "%"                  relative to the baseline
 *   ABS    := number unit                 latencies: "us", "ms" or "s";
 *                                         throughput: "msg/s"; counts and
 *                                         fractions: no unit
 *
 * NAME is a metric name (metrics.h: e2e.p99, throughput, ...) or a bare
 * latency figure (mean, p50, p75, p95, p99, p99.9, p99.99, max; also p999
 * and p9999), which sets both e2e.<figure> and publish.<figure>; a full
 * name given too wins over the bare one, in any order.
 *
 * "Worse" follows the metric's direction: a latency or an error count may
 * grow by at most the limit; a throughput may fall by at most the limit.
 * With both parts the allowance is their sum: 10%+0.5ms lets a 2 ms p99
 * grow to 2.7 ms, so tiny baselines do not fail on noise. A relative limit
 * on a zero baseline allows nothing: use an absolute one for counts. */
#ifndef SP_COMPARE_THRESHOLD_H
#define SP_COMPARE_THRESHOLD_H

#include <stddef.h>

#include "metrics.h"

typedef struct threshold {
  const metric *m;
  double rel_pct;   /* allowed relative worsening, percent; 0 when none */
  double abs;       /* allowed absolute worsening, the metric's unit; 0 when none */
  int from_alias;   /* set through a bare name (p99): a full name overrides it */
  char text[64];    /* the limit as given ("10%+0.5ms"), for the table */
} threshold;

typedef struct threshold_set {
  threshold *v;
  size_t n;
} threshold_set;

/* Parses spec and adds its limits to set (several --max-regress options add
 * up). 0, or -1 with a message naming the item and what is wrong; set is
 * unchanged then. */
int threshold_parse(const char *spec, threshold_set *set, char *err, size_t err_cap);
void threshold_set_free(threshold_set *set);

/* The limit on m, or NULL. */
const threshold *threshold_find(const threshold_set *set, const metric *m);

/* The worst candidate value the limit allows against baseline base: above
 * it (latency, errors) or below it (throughput) is a regression. */
double threshold_bound(const threshold *t, double base);
/* 1 when cand is worse than the bound. */
int threshold_crossed(const threshold *t, double base, double cand);

#endif
