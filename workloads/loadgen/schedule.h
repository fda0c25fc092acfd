/* schedule.h: the open-loop rate schedule: when each message is meant to
 * be sent.
 *
 * The workload's rate profile gives the total intended rate r(t) in msg/s
 * over the run (t = 0 is the start of load, warm-up included). Its integral
 * N(t) counts the messages intended before t. Global message g (g = 0, 1,
 * ...) is intended at
 *
 *     T(g) = inf { t : N(t) > g }
 *
 * (at constant rate r: T(g) = g / r, the first message at 0, exactly OMB's
 * UniformRateLimiter and wrk2's schedule). The total is split across the n
 * producers by interleaving: producer i of n sends the global messages
 * i, i+n, i+2n, ..., so its k-th message is g = k*n + i. The n producers
 * together offer exactly r(t), each r(t)/n, evenly phased.
 *
 * Open loop: T depends on nothing but the profile and k. A producer that
 * falls behind sends its late messages as soon as it can, but their
 * intended times stay where the schedule put them, and latency is measured
 * from those times (coordinated omission corrected, as wrk2 does). How far
 * behind it fell is measured, not hidden: see schedule_tolerance.
 *
 * Profiles (rate_profile.type):
 *   constant  r(t) = rate
 *   steps     rate before the first step, then each step's rate from its
 *             at_s on (piecewise constant; a rate of 0 pauses producing)
 *   bursts    periodic: each period_s starts at base rate and ends with
 *             burst_s at burst_rate
 *   ramp      linear from from_rate to rate over ramp_s, then rate
 * producerRate: 0 (OMB's max-sustainable-rate search, search = 1) starts at
 * a constant search_start_rate; the run's rate controller (ratecontrol.h)
 * then appends a new constant rate every control period with
 * schedule_retarget, which only changes the future.
 *
 * All times are nanoseconds relative to the start of load (the caller adds
 * its CLOCK_MONOTONIC start). Lookups are O(log segments), a few tens of ns. */
#ifndef SP_SCHEDULE_H
#define SP_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
  RATE_CONSTANT = 0,
  RATE_STEPS,
  RATE_BURSTS,
  RATE_RAMP,
} rate_profile_type;

typedef struct rate_step {
  double at_s; /* from this time on (s since start of load) */
  double rate; /* msg/s, >= 0 */
} rate_step;

typedef struct rate_profile {
  rate_profile_type type;
  double rate;          /* msg/s: constant rate; before the first step; the
                           bursts' base rate; the ramp's final rate */
  rate_step *steps;     /* steps: at_s strictly increasing */
  size_t n_steps;
  double period_s;      /* bursts */
  double burst_s;       /* bursts: 0 < burst_s < period_s */
  double burst_rate;    /* bursts */
  double from_rate;     /* ramp */
  double ramp_s;        /* ramp, > 0 */
  int search;           /* producerRate: 0: adaptive, see ratecontrol.h */
  double search_start_rate;
} rate_profile;

/* One piece of r(t): r(t) = r0 + a (t - t0) on [t0, t1), integral n0 at t0
 * and n1 at t1 (INFINITY for an open-ended last piece). Rates in msg/ns. */
typedef struct sched_seg {
  double t0_ns, t1_ns;
  double n0, n1;
  double r0, a;
} sched_seg;

typedef struct schedule {
  sched_seg *segs;
  size_t n_segs, cap;
  double period_ns; /* 0: the segments cover all time; else one period */
  double period_n;  /* messages intended per period */
} schedule;

/* Returned for a message the profile never intends to send (its rate ends
 * at 0 for good). */
#define SCHEDULE_NEVER UINT64_MAX

/* Builds the schedule of a validated profile. */
void schedule_init(schedule *s, const rate_profile *p);
void schedule_free(schedule *s);
/* An independent copy (each producer thread may own one). */
void schedule_clone(schedule *dst, const schedule *src);

/* Intended send time (ns since start) of producer `producer`'s k-th
 * message (k from 0), of n_producers. Nondecreasing in k. */
uint64_t schedule_intended_ns(const schedule *s, uint32_t producer, uint32_t n_producers,
                              uint64_t k);

/* Number of messages of all producers intended strictly before t_ns (the
 * timeline's "intended" column). Consistent with schedule_intended_ns:
 * exactly the count of global messages g with T(g) < t_ns. */
uint64_t schedule_intended_before(const schedule *s, uint64_t t_ns);

/* The same for one producer. */
uint64_t schedule_producer_intended_before(const schedule *s, uint32_t producer,
                                           uint32_t n_producers, uint64_t t_ns);

/* The profile's total rate at t_ns, msg/s. */
double schedule_rate_at(const schedule *s, uint64_t t_ns);

/* From at_ns on the total rate is `rate` msg/s (>= 0). Only for
 * non-periodic schedules and at_ns at or after the start of the last
 * change; intended times before at_ns are unchanged. Returns 0, or -1 when
 * the call breaks those rules. Not thread-safe: give each thread its own
 * clone and apply the same calls to every clone (they stay identical). */
int schedule_retarget(schedule *s, uint64_t at_ns, double rate);

/* How far behind its schedule a run may fall before it is reported as
 * unable to keep it. A message is late when it was handed to the client
 * more than max_lag_ms after its intended time; the run failed to keep its
 * schedule when more than max_late_fraction of its messages were late. */
typedef struct schedule_tolerance {
  double max_lag_ms;
  double max_late_fraction;
} schedule_tolerance;

/* 1 when a message intended at intended_ns and sent at sent_ns is late. */
int schedule_is_late(const schedule_tolerance *t, uint64_t intended_ns, uint64_t sent_ns);

/* 1 when a run with `late` late messages out of `total` kept its schedule. */
int schedule_kept(const schedule_tolerance *t, uint64_t late, uint64_t total);

const char *rate_profile_type_name(rate_profile_type t);

#endif
