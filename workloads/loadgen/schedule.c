/* schedule.c: the open-loop rate schedule; see schedule.h for the model. */
#include "schedule.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "sp_assert.h"

#define NS_PER_S 1e9

/* ---- building -------------------------------------------------------- */

/* Appends the piece starting at t0_ns with rate r0 (msg/s) and slope
 * a_per_s (msg/s per s), closing the previous piece at t0_ns. */
static void push(schedule *s, double t0_ns, double r0, double a_per_s) {
  if (s->n_segs == s->cap) {
    s->cap = s->cap ? 2 * s->cap : 8;
    s->segs = sp_realloc(s->segs, s->cap * sizeof *s->segs);
  }
  double n0 = 0;
  if (s->n_segs) {
    sched_seg *prev = &s->segs[s->n_segs - 1];
    double dt = t0_ns - prev->t0_ns;
    SP_ASSERT(dt >= 0);
    n0 = prev->n0 + prev->r0 * dt + 0.5 * prev->a * dt * dt;
    prev->t1_ns = t0_ns;
    prev->n1 = n0;
  }
  sched_seg *g = &s->segs[s->n_segs++];
  g->t0_ns = t0_ns;
  g->t1_ns = INFINITY;
  g->n0 = n0;
  g->r0 = r0 / NS_PER_S;
  g->a = a_per_s / (NS_PER_S * NS_PER_S);
  /* open-ended until the next push; an open piece never slopes */
  g->n1 = g->r0 > 0 ? INFINITY : n0;
}

/* Closes the last piece at t_ns (periodic profiles end their period). */
static void close_at(schedule *s, double t_ns) {
  sched_seg *last = &s->segs[s->n_segs - 1];
  double dt = t_ns - last->t0_ns;
  last->t1_ns = t_ns;
  last->n1 = last->n0 + last->r0 * dt + 0.5 * last->a * dt * dt;
}

void schedule_init(schedule *s, const rate_profile *p) {
  memset(s, 0, sizeof *s);
  if (p->search) {
    push(s, 0, p->search_start_rate, 0);
    return;
  }
  switch (p->type) {
  case RATE_CONSTANT: push(s, 0, p->rate, 0); break;
  case RATE_STEPS:
    if (p->n_steps == 0 || p->steps[0].at_s > 0) push(s, 0, p->rate, 0);
    for (size_t i = 0; i < p->n_steps; i++) push(s, p->steps[i].at_s * NS_PER_S, p->steps[i].rate, 0);
    break;
  case RATE_BURSTS: {
    double base_ns = (p->period_s - p->burst_s) * NS_PER_S;
    push(s, 0, p->rate, 0);
    push(s, base_ns, p->burst_rate, 0);
    close_at(s, p->period_s * NS_PER_S);
    s->period_ns = p->period_s * NS_PER_S;
    s->period_n = s->segs[1].n1;
    break;
  }
  case RATE_RAMP:
    push(s, 0, p->from_rate, (p->rate - p->from_rate) / p->ramp_s);
    push(s, p->ramp_s * NS_PER_S, p->rate, 0);
    break;
  }
  SP_ASSERT(s->n_segs > 0);
}

void schedule_free(schedule *s) {
  free(s->segs);
  memset(s, 0, sizeof *s);
}

void schedule_clone(schedule *dst, const schedule *src) {
  *dst = *src;
  dst->cap = src->n_segs;
  dst->segs = sp_malloc(src->n_segs * sizeof *src->segs);
  memcpy(dst->segs, src->segs, src->n_segs * sizeof *src->segs);
}

int schedule_retarget(schedule *s, uint64_t at_ns, double rate) {
  if (s->period_ns > 0 || !(rate >= 0) || !isfinite(rate)) return -1;
  sched_seg *last = &s->segs[s->n_segs - 1];
  if ((double)at_ns < last->t0_ns) return -1;
  if ((double)at_ns == last->t0_ns) { /* replace the last piece's rate */
    last->r0 = rate / NS_PER_S;
    last->a = 0;
    last->n1 = last->r0 > 0 ? INFINITY : last->n0;
    return 0;
  }
  push(s, (double)at_ns, rate, 0);
  return 0;
}

/* ---- lookups within one period (or all time) -------------------------- */

/* The piece containing t (t >= 0): the last one with t0 <= t. */
static const sched_seg *seg_at_time(const schedule *s, double t) {
  size_t lo = 0, hi = s->n_segs; /* answer in [lo, hi) */
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (s->segs[mid].t0_ns <= t) lo = mid;
    else hi = mid;
  }
  return &s->segs[lo];
}

/* N(t) within one period. */
static double count_within(const schedule *s, double t) {
  const sched_seg *g = seg_at_time(s, t);
  double dt = (t < g->t1_ns ? t : g->t1_ns) - g->t0_ns;
  return g->n0 + g->r0 * dt + 0.5 * g->a * dt * dt;
}

/* inf { t : N(t) > m } within one period; INFINITY when never. */
static double time_within(const schedule *s, double m) {
  size_t lo = 0, hi = s->n_segs; /* first piece with n1 > m */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (s->segs[mid].n1 > m) hi = mid;
    else lo = mid + 1;
  }
  if (lo == s->n_segs) return INFINITY;
  const sched_seg *g = &s->segs[lo];
  double dm = m - g->n0, dt;
  if (dm <= 0) dt = 0;
  else if (g->a == 0) dt = dm / g->r0;
  else { /* the stable root of n0 + r0 dt + a dt^2 / 2 = m */
    double disc = g->r0 * g->r0 + 2.0 * g->a * dm;
    dt = 2.0 * dm / (g->r0 + sqrt(disc > 0 ? disc : 0));
  }
  double t = g->t0_ns + dt;
  return t > g->t1_ns ? g->t1_ns : t;
}

/* N(t) over all time. */
static double count_before(const schedule *s, double t) {
  if (s->period_ns <= 0) return count_within(s, t);
  double q = floor(t / s->period_ns);
  return q * s->period_n + count_within(s, t - q * s->period_ns);
}

/* T(g) in ns, rounded to the nearest ns; SCHEDULE_NEVER when never. */
static uint64_t global_ns(const schedule *s, uint64_t g) {
  double m = (double)g, t;
  if (s->period_ns <= 0) {
    t = time_within(s, m);
  } else {
    double q = floor(m / s->period_n);
    double rem = m - q * s->period_n;
    if (rem >= s->period_n) { /* rounding at a period boundary */
      q += 1;
      rem = 0;
    }
    t = q * s->period_ns + time_within(s, rem);
  }
  if (!(t < 9e18)) return SCHEDULE_NEVER; /* never, or beyond any run */
  return (uint64_t)llround(t);
}

/* ---- public lookups --------------------------------------------------- */

uint64_t schedule_intended_ns(const schedule *s, uint32_t producer, uint32_t n_producers,
                              uint64_t k) {
  SP_ASSERT(n_producers > 0 && producer < n_producers);
  return global_ns(s, k * n_producers + producer);
}

uint64_t schedule_intended_before(const schedule *s, uint64_t t_ns) {
  double n = count_before(s, (double)t_ns);
  uint64_t c = n <= 0 ? 0 : (uint64_t)ceil(n);
  /* N(t) and T(g) are computed separately; settle the last unit against
   * T itself so the two agree exactly. */
  while (c > 0 && global_ns(s, c - 1) >= t_ns) c--;
  while (global_ns(s, c) < t_ns) c++;
  return c;
}

uint64_t schedule_producer_intended_before(const schedule *s, uint32_t producer,
                                           uint32_t n_producers, uint64_t t_ns) {
  SP_ASSERT(n_producers > 0 && producer < n_producers);
  uint64_t all = schedule_intended_before(s, t_ns); /* globals [0, all) */
  return all > producer ? (all - producer - 1) / n_producers + 1 : 0;
}

double schedule_rate_at(const schedule *s, uint64_t t_ns) {
  double t = (double)t_ns;
  if (s->period_ns > 0) t -= floor(t / s->period_ns) * s->period_ns;
  const sched_seg *g = seg_at_time(s, t);
  return (g->r0 + g->a * (t - g->t0_ns)) * NS_PER_S;
}

int schedule_is_late(const schedule_tolerance *t, uint64_t intended_ns, uint64_t sent_ns) {
  return sent_ns > intended_ns && (double)(sent_ns - intended_ns) > t->max_lag_ms * 1e6;
}

int schedule_kept(const schedule_tolerance *t, uint64_t late, uint64_t total) {
  if (total == 0) return late == 0;
  return (double)late <= t->max_late_fraction * (double)total;
}

const char *rate_profile_type_name(rate_profile_type t) {
  switch (t) {
  case RATE_CONSTANT: return "constant";
  case RATE_STEPS: return "steps";
  case RATE_BURSTS: return "bursts";
  case RATE_RAMP: return "ramp";
  }
  return "?";
}
