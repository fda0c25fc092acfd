/* test_schedule: the open-loop schedule gives each message the intended
 * time the rate profile says, producers interleave to the total rate, the
 * "intended" count agrees with the times, a producer that falls behind
 * does not move its schedule, and the tolerance judges the lag. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "schedule.h"
#include "wl_test_util.h"

#define MS 1000000ull
#define S 1000000000ull

static schedule make(rate_profile p) {
  schedule s;
  schedule_init(&s, &p);
  return s;
}

/* Brute force: how many global messages are intended before t. */
static uint64_t count_brute(const schedule *s, uint64_t t, uint64_t limit) {
  uint64_t c = 0;
  while (c < limit && schedule_intended_ns(s, 0, 1, c) < t) c++;
  return c;
}

/* intended_before agrees exactly with the intended times, at and around
 * every message time and at arbitrary points. */
static void check_counts_agree(const schedule *s, uint64_t horizon_ns, uint64_t limit) {
  rng r;
  rng_seed(&r, 7);
  for (int i = 0; i < 300; i++) {
    uint64_t t = (uint64_t)(rng_double(&r) * (double)horizon_ns);
    uint64_t want = count_brute(s, t, limit);
    CHECK_EQ_U64(schedule_intended_before(s, t), want);
    /* exactly at a message's time: that message is not "before" */
    uint64_t g = want;
    uint64_t tg = schedule_intended_ns(s, 0, 1, g);
    if (tg != SCHEDULE_NEVER) {
      CHECK_EQ_U64(schedule_intended_before(s, tg), count_brute(s, tg, limit));
      CHECK_EQ_U64(schedule_intended_before(s, tg + 1), count_brute(s, tg + 1, limit));
    }
  }
}

TEST(constant_rate_exact) {
  schedule s = make((rate_profile){.type = RATE_CONSTANT, .rate = 1000});
  for (uint64_t k = 0; k < 20000; k++) CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, k), k * MS);
  CHECK_EQ_U64(schedule_intended_before(&s, 0), 0);
  CHECK_EQ_U64(schedule_intended_before(&s, 1), 1); /* message 0 is at 0 */
  CHECK_EQ_U64(schedule_intended_before(&s, MS), 1);
  CHECK_EQ_U64(schedule_intended_before(&s, MS + 1), 2);
  CHECK_EQ_U64(schedule_intended_before(&s, 10 * S), 10000);
  CHECK_NEAR(schedule_rate_at(&s, 0), 1000, 1e-9);
  CHECK_NEAR(schedule_rate_at(&s, 123 * S), 1000, 1e-9);
  check_counts_agree(&s, 20 * S, 1000000);
  schedule_free(&s);
}

TEST(fractional_rate) {
  schedule s = make((rate_profile){.type = RATE_CONSTANT, .rate = 0.5});
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 0), 0);
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 1), 2 * S);
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 7), 14 * S);
  schedule_free(&s);
  s = make((rate_profile){.type = RATE_CONSTANT, .rate = 7});
  for (uint64_t k = 0; k < 1000; k++)
    CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, k), (uint64_t)llround((double)k * 1e9 / 7.0));
  schedule_free(&s);
}

/* Producer i of n sends the global messages i, i+n, ...: together they are
 * exactly the single schedule, each at rate/n, phases evenly spread. */
TEST(producers_interleave_to_total_rate) {
  const uint32_t n = 3;
  schedule s = make((rate_profile){.type = RATE_CONSTANT, .rate = 900});
  uint64_t *merged = calloc(3000, sizeof *merged);
  size_t m = 0;
  for (uint32_t p = 0; p < n; p++) {
    for (uint64_t k = 0; k < 1000; k++) {
      uint64_t t = schedule_intended_ns(&s, p, n, k);
      merged[m++] = t;
      if (k > 0) {
        uint64_t gap = t - schedule_intended_ns(&s, p, n, k - 1);
        CHECK(gap >= 3333333 && gap <= 3333334); /* n / rate */
      }
    }
    CHECK_NEAR((double)schedule_intended_ns(&s, p, n, 0), p * 1e9 / 900, 1);
  }
  /* every global message exactly once: sorted, they are g * 1e9 / 900 */
  for (size_t i = 1; i < m; i++)
    for (size_t j = i; j > 0 && merged[j - 1] > merged[j]; j--) {
      uint64_t t = merged[j];
      merged[j] = merged[j - 1];
      merged[j - 1] = t;
    }
  for (uint64_t g = 0; g < 3000; g++) CHECK_EQ_U64(merged[g], (uint64_t)llround((double)g * 1e9 / 900));
  /* per-producer counts add up to the total */
  for (uint64_t t = 0; t < 3 * S; t += 12345678) {
    uint64_t sum = 0;
    for (uint32_t p = 0; p < n; p++) {
      uint64_t c = schedule_producer_intended_before(&s, p, n, t);
      uint64_t brute = 0;
      while (schedule_intended_ns(&s, p, n, brute) < t) brute++;
      CHECK_EQ_U64(c, brute);
      sum += c;
    }
    CHECK_EQ_U64(sum, schedule_intended_before(&s, t));
  }
  free(merged);
  schedule_free(&s);
}

TEST(steps) {
  rate_step steps[] = {{2, 1000}, {5, 0}, {6, 10}};
  schedule s = make((rate_profile){.type = RATE_STEPS, .rate = 100, .steps = steps, .n_steps = 3});
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 0), 0);
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 199), 1990 * MS); /* 100 msg/s before 2 s */
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 200), 2 * S);     /* 1000 msg/s from 2 s */
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 201), 2001 * MS);
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 3199), 4999 * MS);
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 3200), 6 * S);    /* nothing during the 0 step */
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 3201), 6100 * MS);
  CHECK_EQ_U64(schedule_intended_before(&s, 5500 * MS), 3200);
  CHECK_EQ_U64(schedule_intended_before(&s, 6 * S + 1), 3201);
  CHECK_NEAR(schedule_rate_at(&s, 1 * S), 100, 1e-9);
  CHECK_NEAR(schedule_rate_at(&s, 3 * S), 1000, 1e-9);
  CHECK_NEAR(schedule_rate_at(&s, 5500 * MS), 0, 1e-9);
  CHECK_NEAR(schedule_rate_at(&s, 60 * S), 10, 1e-9);
  check_counts_agree(&s, 10 * S, 100000);
  schedule_free(&s);
}

TEST(steps_starting_at_zero_rate) {
  rate_step steps[] = {{0, 0}, {3, 10}, {4, 0}};
  schedule s = make((rate_profile){.type = RATE_STEPS, .steps = steps, .n_steps = 3});
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 0), 3 * S); /* first message when sending starts */
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 9), 3900 * MS);
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 10), SCHEDULE_NEVER); /* ends at 0 for good */
  CHECK_EQ_U64(schedule_intended_before(&s, 100 * S), 10);
  CHECK_EQ_U64(schedule_intended_before(&s, 3 * S), 0);
  schedule_free(&s);
}

TEST(bursts) {
  schedule s = make((rate_profile){.type = RATE_BURSTS, .rate = 100, .period_s = 10, .burst_s = 2,
                                   .burst_rate = 1000});
  /* one period: 8 s at 100 then 2 s at 1000 = 2800 messages */
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 799), 7990 * MS);
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 800), 8 * S);
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 801), 8001 * MS);
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 2799), 9999 * MS);
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 2800), 10 * S);
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 5 * 2800 + 10), 50100 * MS);
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 99 * 2800 + 805), 990 * S + 8005 * MS);
  CHECK_EQ_U64(schedule_intended_before(&s, 10 * S), 2800);
  CHECK_EQ_U64(schedule_intended_before(&s, 1000 * S), 280000);
  CHECK_EQ_U64(schedule_intended_before(&s, 1008 * S + 500 * MS), 280000 + 800 + 500);
  CHECK_NEAR(schedule_rate_at(&s, 7 * S), 100, 1e-9);
  CHECK_NEAR(schedule_rate_at(&s, 8500 * MS), 1000, 1e-9);
  CHECK_NEAR(schedule_rate_at(&s, 488500 * MS), 1000, 1e-9);
  CHECK_NEAR(schedule_rate_at(&s, 490 * S), 100, 1e-9);
  check_counts_agree(&s, 40 * S, 1000000);
  schedule_free(&s);
  /* idle between bursts */
  s = make((rate_profile){.type = RATE_BURSTS, .rate = 0, .period_s = 4, .burst_s = 1, .burst_rate = 10});
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 0), 3 * S);
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 10), 7 * S);
  check_counts_agree(&s, 30 * S, 100000);
  schedule_free(&s);
}

TEST(ramp) {
  /* 0 -> 1000 msg/s over 10 s: N(t) = 50 t^2, then 1000/s */
  schedule s = make((rate_profile){.type = RATE_RAMP, .from_rate = 0, .rate = 1000, .ramp_s = 10});
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 0), 0);
  CHECK_NEAR((double)schedule_intended_ns(&s, 0, 1, 50), 1e9, 1);
  CHECK_NEAR((double)schedule_intended_ns(&s, 0, 1, 1250), 5e9, 1);
  CHECK_NEAR((double)schedule_intended_ns(&s, 0, 1, 5000), 10e9, 1);
  CHECK_NEAR((double)schedule_intended_ns(&s, 0, 1, 6000), 11e9, 1);
  CHECK_NEAR(schedule_rate_at(&s, 5 * S), 500, 1e-6);
  CHECK_NEAR(schedule_rate_at(&s, 20 * S), 1000, 1e-9);
  check_counts_agree(&s, 15 * S, 100000);
  schedule_free(&s);
  /* down: 1000 -> 0 over 10 s: N(t) = 1000 t - 50 t^2, 5000 in all */
  s = make((rate_profile){.type = RATE_RAMP, .from_rate = 1000, .rate = 0, .ramp_s = 10});
  for (uint64_t g = 0; g < 5000; g += 97) {
    double want = (1000.0 - sqrt(1e6 - 200.0 * (double)g)) / 100.0 * 1e9;
    CHECK_NEAR((double)schedule_intended_ns(&s, 0, 1, g), want, 2);
  }
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 5000), SCHEDULE_NEVER);
  check_counts_agree(&s, 12 * S, 100000);
  schedule_free(&s);
}

TEST(long_runs_stay_exact) {
  schedule s = make((rate_profile){.type = RATE_CONSTANT, .rate = 1000000});
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 1000000000000ull), 1000000ull * S); /* day 11 */
  uint64_t prev = 0;
  for (uint64_t k = 999999990000ull; k < 1000000010000ull; k++) {
    uint64_t t = schedule_intended_ns(&s, 0, 1, k);
    CHECK(t >= prev);
    prev = t;
  }
  schedule_free(&s);
}

/* A producer loop against a simulated clock: sends message k at
 * max(now, intended). A stall (a blocked client) makes it late; its
 * intended times are exactly those of a producer that never stalled, and
 * once caught up it is on time again. */
TEST(behind_schedule_keeps_intended_times) {
  schedule s = make((rate_profile){.type = RATE_CONSTANT, .rate = 1000});
  schedule_tolerance tol = {.max_lag_ms = 100, .max_late_fraction = 0.01};
  const uint64_t n = 5000, stall_at = 2 * S, stall_ns = 500 * MS, send_cost_ns = 100 * 1000;
  uint64_t now = 0, late = 0, max_lag = 0;
  int stalled = 0;
  for (uint64_t k = 0; k < n; k++) {
    uint64_t intended = schedule_intended_ns(&s, 0, 1, k);
    CHECK_EQ_U64(intended, k * MS); /* never shifted */
    if (now < intended) now = intended;
    if (!stalled && now >= stall_at) {
      now += stall_ns; /* the send blocks */
      stalled = 1;
    }
    uint64_t sent = now;
    now += send_cost_ns;
    if (sent - intended > max_lag) max_lag = sent - intended;
    late += (uint64_t)schedule_is_late(&tol, intended, sent);
    if (k == n - 1) CHECK(sent == intended); /* caught up */
  }
  CHECK(max_lag >= stall_ns);
  /* late (> 100 ms behind): messages intended in [2.0, ~2.4) s, plus some
   * catching up at 10 per ms */
  CHECK(late >= 400 && late <= 500);
  CHECK(!schedule_kept(&tol, late, n)); /* 8-10% late > 1% */
  tol.max_late_fraction = 0.2;
  CHECK(schedule_kept(&tol, late, n));
  CHECK(schedule_kept(&tol, 0, 0));
  CHECK(!schedule_is_late(&tol, 5 * S, 5 * S + 100 * MS)); /* exactly at the bound is not late */
  CHECK(schedule_is_late(&tol, 5 * S, 5 * S + 100 * MS + 1));
  CHECK(!schedule_is_late(&tol, 5 * S, 4 * S)); /* early (clock read before) */
  schedule_free(&s);
}

TEST(retarget_changes_only_the_future) {
  schedule s = make((rate_profile){.type = RATE_CONSTANT, .rate = 1000, .search = 1, .search_start_rate = 1000});
  schedule copy;
  schedule_clone(&copy, &s);
  CHECK_EQ_INT(schedule_retarget(&s, 2 * S, 2000), 0);
  for (uint64_t k = 0; k < 2000; k++) CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, k), k * MS);
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 2000), 2 * S);
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 2001), 2 * S + 500000);
  CHECK_EQ_INT(schedule_retarget(&s, 3 * S, 500), 0);
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 4000), 3 * S);
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 4001), 3002 * MS);
  CHECK_EQ_INT(schedule_retarget(&s, 2500 * MS, 10), -1); /* the past is fixed */
  CHECK_EQ_INT(schedule_retarget(&s, 3 * S, 250), 0);     /* same instant: replaced */
  CHECK_EQ_U64(schedule_intended_ns(&s, 0, 1, 4001), 3004 * MS);
  CHECK_NEAR(schedule_rate_at(&s, 10 * S), 250, 1e-9);
  /* the clone did not change; the same calls make it identical */
  CHECK_EQ_U64(schedule_intended_ns(&copy, 0, 1, 2001), 2001 * MS);
  CHECK_EQ_INT(schedule_retarget(&copy, 2 * S, 2000), 0);
  CHECK_EQ_INT(schedule_retarget(&copy, 3 * S, 250), 0);
  for (uint64_t k = 0; k < 10000; k += 7)
    CHECK_EQ_U64(schedule_intended_ns(&copy, 0, 1, k), schedule_intended_ns(&s, 0, 1, k));
  schedule_free(&copy);
  schedule_free(&s);
  s = make((rate_profile){.type = RATE_BURSTS, .rate = 1, .period_s = 2, .burst_s = 1, .burst_rate = 2});
  CHECK_EQ_INT(schedule_retarget(&s, 5 * S, 10), -1); /* periodic: no */
  schedule_free(&s);
}

TEST(from_a_workload) {
  workload w;
  REQUIRE_LOAD("topics: 2\npartitionsPerTopic: 2\nmessageSize: 100\nproducerRate: 400\nduration_s: 5\n"
               "producersPerTopic: 2\nrate_profile: {type: bursts, period_s: 1, burst_s: 0.5, burst_rate: 1200}\n", &w);
  schedule s;
  schedule_init(&s, &w.rate_profile);
  uint32_t n = workload_producer_count(&w);
  CHECK_EQ_INT(n, 4);
  /* per period: 0.5 s x 400 + 0.5 s x 1200 = 800 messages, 200 per producer */
  for (uint32_t p = 0; p < n; p++) CHECK_EQ_U64(schedule_producer_intended_before(&s, p, n, 1 * S), 200);
  CHECK_EQ_U64(schedule_intended_before(&s, 5 * S), 4000);
  schedule_free(&s);
  workload_free(&w);
}

SP_TEST_MAIN(constant_rate_exact, fractional_rate, producers_interleave_to_total_rate, steps,
             steps_starting_at_zero_rate, bursts, ramp, long_runs_stay_exact,
             behind_schedule_keeps_intended_times, retarget_changes_only_the_future, from_a_workload)
