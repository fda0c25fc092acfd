/* test_rng_eventtime_ratecontrol: the generator matches its reference
 * vectors and separates its streams; event-time disorder has the
 * configured fractions and bounds; the rate search follows OMB's rules. */
#include <math.h>
#include <string.h>

#include "eventtime.h"
#include "ratecontrol.h"
#include "rng.h"
#include "wl_test_util.h"

TEST(reference_vectors) {
  uint64_t x = 0;
  CHECK_EQ_U64(rng_splitmix64(&x), 0xe220a8397b1dcdafull); /* splitmix64, seed 0 */
  rng r = {{1, 2, 3, 4}};
  CHECK_EQ_U64(rng_next(&r), 11520); /* xoshiro256** from {1, 2, 3, 4} */
  CHECK_EQ_U64(rng_next(&r), 0);
}

TEST(streams_are_deterministic_and_distinct) {
  rng a, b;
  rng_for(&a, 5, RNG_STREAM_KEYS, 3);
  rng_for(&b, 5, RNG_STREAM_KEYS, 3);
  for (int i = 0; i < 100; i++) CHECK_EQ_U64(rng_next(&a), rng_next(&b));
  uint64_t firsts[6];
  rng_for(&a, 5, RNG_STREAM_KEYS, 3), firsts[0] = rng_next(&a);
  rng_for(&a, 5, RNG_STREAM_KEYS, 4), firsts[1] = rng_next(&a);
  rng_for(&a, 5, RNG_STREAM_SIZES, 3), firsts[2] = rng_next(&a);
  rng_for(&a, 6, RNG_STREAM_KEYS, 3), firsts[3] = rng_next(&a);
  rng_for(&a, 0, RNG_STREAM_KEYS, 0), firsts[4] = rng_next(&a);
  rng_for(&a, 0, RNG_STREAM_SIZES, 0), firsts[5] = rng_next(&a);
  for (int i = 0; i < 6; i++)
    for (int j = i + 1; j < 6; j++) CHECK(firsts[i] != firsts[j]);
}

TEST(ranges) {
  rng r;
  rng_seed(&r, 11);
  uint64_t counts[7] = {0};
  double lo = 1, hi = 0, sum = 0, sum2 = 0;
  const int n = 700000;
  for (int i = 0; i < n; i++) {
    uint32_t k = rng_below(&r, 7);
    REQUIRE(k < 7);
    counts[k]++;
    double d = rng_double(&r);
    REQUIRE(d >= 0 && d < 1);
    lo = fmin(lo, d);
    hi = fmax(hi, d);
    double z = rng_normal(&r);
    sum += z;
    sum2 += z * z;
  }
  for (int k = 0; k < 7; k++) CHECK_NEAR((double)counts[k], n / 7.0, 5 * sqrt(n / 7.0));
  CHECK(lo < 1e-4 && hi > 1 - 1e-4);
  CHECK_NEAR(sum / n, 0, 5 / sqrt(n));
  CHECK_NEAR(sum2 / n, 1, 0.01);
  CHECK(rng_double_nonzero(&r) > 0);
  uint8_t buf[13] = {0};
  rng_fill(&r, buf, sizeof buf);
  int nonzero = 0;
  for (size_t i = 0; i < sizeof buf; i++) nonzero += buf[i] != 0;
  CHECK(nonzero > 6);
}

TEST(clock_skew) {
  event_time_conf c = {.clock_skew_ms = 50};
  int64_t lo = 0, hi = 0;
  for (uint32_t p = 0; p < 1000; p++) {
    int64_t s = event_time_skew_ms(&c, 42, p);
    CHECK(s >= -50 && s <= 50);
    CHECK_EQ_INT(s, event_time_skew_ms(&c, 42, p)); /* fixed per producer */
    lo = s < lo ? s : lo;
    hi = s > hi ? s : hi;
  }
  CHECK(lo <= -45 && hi >= 45);
  double list[] = {15, -30};
  event_time_conf l = {.skews_ms = list, .n_skews = 2};
  CHECK_EQ_INT(event_time_skew_ms(&l, 42, 0), 15);
  CHECK_EQ_INT(event_time_skew_ms(&l, 42, 1), -30);
  CHECK_EQ_INT(event_time_skew_ms(&l, 42, 2), 0);
  event_time_conf none = {0};
  CHECK_EQ_INT(event_time_skew_ms(&none, 42, 3), 0);
  CHECK(!event_time_enabled(&none));
  CHECK(event_time_enabled(&l));
}

TEST(late_and_out_of_order) {
  event_time_conf c = {.late_fraction = 0.05, .max_lateness_ms = 5000, .out_of_order_fraction = 0.2,
                       .out_of_order_ms = 250};
  rng r;
  rng_for(&r, 1, RNG_STREAM_EVENT_TIME, 0);
  const int n = 200000;
  int counts[3] = {0};
  const int64_t wall = 1700000000000, skew = 7;
  for (int i = 0; i < n; i++) {
    event_kind k;
    int64_t t = event_time_next(&c, &r, wall, skew, &k);
    int64_t shift = wall + skew - t;
    counts[k]++;
    switch (k) {
    case EVT_ON_TIME: CHECK_EQ_INT(shift, 0); break;
    case EVT_OUT_OF_ORDER: CHECK(shift >= 0 && shift < 250); break;
    case EVT_LATE: CHECK(shift > 250 && shift <= 5000); break;
    }
  }
  CHECK_NEAR((double)counts[EVT_LATE] / n, 0.05, 5 * sqrt(0.05 * 0.95 / n));
  CHECK_NEAR((double)counts[EVT_OUT_OF_ORDER] / n, 0.2, 5 * sqrt(0.2 * 0.8 / n));
  /* without disorder, no draws and no shift */
  event_time_conf plain = {0};
  rng before = r;
  CHECK_EQ_INT(event_time_next(&plain, &r, wall, -3, NULL), wall - 3);
  CHECK(memcmp(&before, &r, sizeof r) == 0);
}

static rate_search_conf omb_conf(void) {
  return (rate_search_conf){.start_rate = 10000, .period_s = 3, .publish_backlog_limit = 1000,
                            .receive_backlog_limit = 1000, .min_ramping_factor = 0.01, .max_ramping_factor = 1};
}

TEST(search_ramps_up_when_keeping_up) {
  rate_controller c;
  rate_search_conf conf = omb_conf();
  ratectl_init(&c, &conf);
  const uint64_t period = 3000000000ull;
  double rate = 10000;
  uint64_t intended = 0;
  for (int i = 0; i < 3; i++) {
    intended += (uint64_t)(rate * 3);
    double next = ratectl_next(&c, rate, period, intended, intended, intended);
    CHECK_NEAR(next, rate * 2, 1e-6); /* factor stays at its maximum, 1 */
    rate = next;
  }
}

TEST(search_slows_on_receive_backlog) {
  rate_controller c;
  rate_search_conf conf = omb_conf();
  ratectl_init(&c, &conf);
  const uint64_t period = 3000000000ull;
  /* 30000 intended and published, only 20000 received: backlog 10000 */
  double next = ratectl_next(&c, 10000, period, 30000, 30000, 20000);
  /* min(received rate 6667/s, (expected 30000 - backlog 10000) / 3 s) */
  CHECK_NEAR(next, 20000.0 / 3, 1e-6);
  CHECK_NEAR(c.ramping_factor, 0.5, 1e-12);
  /* caught up: ramps up by the halved factor, then doubles it back */
  next = ratectl_next(&c, next, period, 50000, 50000, 50000);
  CHECK_NEAR(next, 20000.0 / 3 * 2, 1e-6);
  CHECK_NEAR(c.ramping_factor, 1, 1e-12);
}

TEST(search_slows_on_publish_debt) {
  rate_controller c;
  rate_search_conf conf = omb_conf();
  ratectl_init(&c, &conf);
  const uint64_t period = 3000000000ull;
  /* intended 30000 but only 24000 published (all received): debt 6000 */
  double next = ratectl_next(&c, 10000, period, 30000, 24000, 24000);
  CHECK_NEAR(next, 8000, 1e-6); /* min(24000/3 s, (30000 - 6000)/3 s) */
  /* the factor never falls below its minimum; the rate never below 1/s */
  for (int i = 0; i < 20; i++) next = ratectl_next(&c, next, period, 1000000000, 24000, 24000);
  CHECK_NEAR(c.ramping_factor, 0.01, 1e-12);
  CHECK_NEAR(next, 1, 1e-12);
}

SP_TEST_MAIN(reference_vectors, streams_are_deterministic_and_distinct, ranges, clock_skew,
             late_and_out_of_order, search_ramps_up_when_keeping_up, search_slows_on_receive_backlog,
             search_slows_on_publish_debt)
