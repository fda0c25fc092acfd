/* test_hist.c: the histogram against exact answers.
 *
 * Percentiles are checked against an exact sort of the same samples: the
 * reported value must be in the same slot as the exact order statistic
 * (HdrHistogram's equivalence rule), never below it, and within 10^-3 of it
 * (relative). Merging must equal recording everything in one histogram. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"
#include "samples.h"
#include "sp_test.h"

#define N_SAMPLES 200000 /* a multiple of 100000: p * N / 100 is whole for 3-decimal p */

/* Fills a sorted copy and a histogram with n samples of d. */
static int64_t *fill(dist d, uint64_t seed, size_t n, sp_hist *h) {
  int64_t *v = malloc(n * sizeof *v);
  for (size_t i = 0; i < n; i++) {
    v[i] = sample(d, &seed);
    sp_hist_record(h, v[i]);
  }
  qsort(v, n, sizeof *v, cmp_i64);
  return v;
}

/* Checks the percentile whose exact rank (1-based) is `rank` of n. */
static void check_percentile(const sp_hist *h, const int64_t *sorted, size_t n, double p,
                             size_t rank, const char *what) {
  uint64_t got = sp_hist_value_at_percentile(h, p);
  uint64_t exact = (uint64_t)sorted[rank - 1];
  int ok = sp_hist_values_equivalent(got, exact) && got >= (p == 0.0 ? 0 : exact) &&
           (double)got - (double)exact <= (double)exact * 1e-3;
  if (p == 0.0) ok = ok && got <= exact;
  if (!ok) {
    fprintf(stderr, "# %s: p%.6g: got %llu, exact %llu (rank %zu of %zu)\n", what, p,
            (unsigned long long)got, (unsigned long long)exact, rank, n);
    CHECK(!"percentile outside the precision guarantee");
  }
}

TEST(percentiles_match_exact_sort) {
  static const double ps[] = {0, 0.1, 1, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 99.999, 100};
  for (int d = 0; d < DIST_COUNT; d++) {
    sp_hist *h = sp_hist_new();
    int64_t *sorted = fill((dist)d, 42 + (uint64_t)d, N_SAMPLES, h);
    CHECK_EQ_U64(sp_hist_count(h), N_SAMPLES);
    CHECK(sp_hist_check(h) == NULL);
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
      size_t rank = (size_t)llround(ps[i] * N_SAMPLES / 100.0);
      check_percentile(h, sorted, N_SAMPLES, ps[i], rank ? rank : 1, dist_names[d]);
    }
    /* Random ranks too: p = 100 k / N asks for exactly the k-th sample. */
    uint64_t seed = 7;
    for (int i = 0; i < 2000; i++) {
      size_t k = 1 + (size_t)(rng_next(&seed) % N_SAMPLES);
      check_percentile(h, sorted, N_SAMPLES, 100.0 * (double)k / N_SAMPLES, k, dist_names[d]);
    }
    CHECK_EQ_U64(sp_hist_min(h), (uint64_t)sorted[0]); /* below 2048 us slots are exact */
    CHECK(sp_hist_values_equivalent(sp_hist_max(h), (uint64_t)sorted[N_SAMPLES - 1]));
    CHECK(sp_hist_max(h) >= (uint64_t)sorted[N_SAMPLES - 1]);
    free(sorted);
    sp_hist_free(h);
  }
}

/* "At least p% of samples are <= the p-th percentile" on a tiny set where
 * rounding matters: 10 samples 1..10, p94 must be 10 (9/10 is only 90%). */
TEST(percentile_rounds_up) {
  sp_hist *h = sp_hist_new();
  for (int v = 1; v <= 10; v++) sp_hist_record(h, v);
  CHECK_EQ_U64(sp_hist_value_at_percentile(h, 94.0), 10);
  CHECK_EQ_U64(sp_hist_value_at_percentile(h, 90.0), 9);
  CHECK_EQ_U64(sp_hist_value_at_percentile(h, 50.0), 5);
  CHECK_EQ_U64(sp_hist_value_at_percentile(h, 0.0), 1);
  CHECK_EQ_U64(sp_hist_value_at_percentile(h, 100.0), 10);
  CHECK_EQ_U64(sp_hist_value_at_percentile(h, 150.0), 10);
  CHECK_EQ_U64(sp_hist_value_at_percentile(h, -5.0), 1);
  sp_hist_free(h);
}

TEST(nanosecond_recording_truncates_to_microseconds) {
  sp_hist *h = sp_hist_new();
  uint64_t seed = 99;
  size_t n = 100000;
  int64_t *us = malloc(n * sizeof *us);
  for (size_t i = 0; i < n; i++) {
    int64_t ns = (int64_t)(rng_unit(&seed) * 5e9); /* 0 .. 5 s */
    sp_hist_record_ns(h, ns);
    us[i] = ns / 1000;
  }
  qsort(us, n, sizeof *us, cmp_i64);
  check_percentile(h, us, n, 50.0, n / 2, "ns");
  check_percentile(h, us, n, 99.9, n * 999 / 1000, "ns");
  free(us);
  sp_hist_free(h);
}

/* Samples split across N histograms and merged give the very histogram
 * that recording them all in one gives. */
TEST(merge_equals_single) {
  for (int d = 0; d < DIST_COUNT; d++) {
    enum { PARTS = 7 };
    sp_hist *single = sp_hist_new(), *merged = sp_hist_new(), *part[PARTS];
    for (int i = 0; i < PARTS; i++) part[i] = sp_hist_new();
    uint64_t seed = 1000 + (uint64_t)d, pick = 5;
    for (int i = 0; i < 100000; i++) {
      int64_t v = sample((dist)d, &seed);
      if (i % 1000 == 0) v = -v - 1;                       /* a few negatives */
      if (i % 1500 == 0) v = 4000000000ll + (int64_t)i;     /* a few overflows */
      sp_hist_record(single, v);
      sp_hist_record(part[rng_next(&pick) % PARTS], v);
    }
    for (int i = 0; i < PARTS; i++) sp_hist_add(merged, part[i]);
    CHECK(sp_hist_equal(single, merged));
    CHECK(sp_hist_check(merged) == NULL);
    CHECK_EQ_U64(merged->overflow_count, single->overflow_count);
    CHECK(single->overflow_count > 0 && single->negative_count > 0);
    for (double p = 0; p <= 100.0; p += 0.5)
      CHECK_EQ_U64(sp_hist_value_at_percentile(merged, p), sp_hist_value_at_percentile(single, p));
    CHECK(sp_hist_mean(merged) == sp_hist_mean(single));
    for (int i = 0; i < PARTS; i++) sp_hist_free(part[i]);
    sp_hist_free(single);
    sp_hist_free(merged);
  }
}

TEST(edge_values) {
  sp_hist *h = sp_hist_new();
  sp_hist_record(h, 0);
  CHECK_EQ_U64(sp_hist_count_at(h, 0), 1);
  sp_hist_record(h, 1);
  CHECK_EQ_U64(sp_hist_count_at(h, 1), 1);
  sp_hist_record_ns(h, 999); /* below 1 us: the lowest slot, not dropped */
  CHECK_EQ_U64(sp_hist_count_at(h, 0), 2);
  sp_hist_record_ns(h, 1000); /* exactly 1 us */
  CHECK_EQ_U64(sp_hist_count_at(h, 1), 2);
  sp_hist_record_ns(h, 0);
  CHECK_EQ_U64(sp_hist_count_at(h, 0), 3);
  CHECK_EQ_U64(sp_hist_min(h), 0);
  CHECK_EQ_U64(sp_hist_value_at_percentile(h, 0), 0);

  sp_hist_record(h, 3600000000ll); /* exactly 1 h: in range */
  CHECK_EQ_U64(sp_hist_overflow_count(h), 0);
  sp_hist_record_ns(h, 3600000000999ll); /* 1 h + 999 ns: still 1 h */
  CHECK_EQ_U64(sp_hist_overflow_count(h), 0);
  sp_hist_record(h, 3600000001ll); /* above 1 h: clamped, counted */
  sp_hist_record_ns(h, 3600000001000ll);
  sp_hist_record(h, INT64_MAX);
  CHECK_EQ_U64(sp_hist_overflow_count(h), 3);
  CHECK_EQ_U64(sp_hist_count_at(h, 3600000000ull), 5);
  CHECK(sp_hist_values_equivalent(sp_hist_max(h), 3600000000ull));
  CHECK(sp_hist_max(h) >= 3600000000ull);

  sp_hist_record(h, -5);
  sp_hist_record_ns(h, -1);
  sp_hist_record(h, INT64_MIN);
  CHECK_EQ_U64(sp_hist_negative_count(h), 3);
  CHECK_EQ_U64(sp_hist_count_at(h, 0), 6);
  CHECK_EQ_U64(sp_hist_count(h), 13);
  CHECK(sp_hist_check(h) == NULL);

  sp_hist_record_n(h, 7, 0); /* count 0 changes nothing */
  CHECK_EQ_U64(sp_hist_count(h), 13);
  CHECK_EQ_U64(sp_hist_count_at(h, 7), 0);
  sp_hist_record_n(h, 7, 1000);
  CHECK_EQ_U64(sp_hist_count_at(h, 7), 1000);
  CHECK_EQ_U64(sp_hist_count(h), 1013);
  sp_hist_free(h);
}

TEST(empty_histogram) {
  sp_hist *h = sp_hist_new();
  CHECK_EQ_U64(sp_hist_count(h), 0);
  CHECK_EQ_U64(sp_hist_value_at_percentile(h, 50), 0);
  CHECK_EQ_U64(sp_hist_value_at_percentile(h, 0), 0);
  CHECK_EQ_U64(sp_hist_value_at_percentile(h, 100), 0);
  CHECK_EQ_U64(sp_hist_min(h), 0);
  CHECK_EQ_U64(sp_hist_max(h), 0);
  CHECK(sp_hist_mean(h) == 0.0);
  CHECK(sp_hist_stddev(h) == 0.0);
  CHECK(sp_hist_check(h) == NULL);
  sp_hist_iter it;
  sp_hist_iter_init(&it, h);
  CHECK(!sp_hist_iter_next(&it));
  sp_hist *other = sp_hist_new();
  sp_hist_add(other, h);
  CHECK(sp_hist_equal(other, h));
  sp_hist_free(other);
  sp_hist_free(h);
}

/* Slot boundaries of the layout drawn in hist.h. */
TEST(equivalence_helpers) {
  CHECK_EQ_U64(sp_hist_lowest_equivalent(2047), 2047);
  CHECK_EQ_U64(sp_hist_highest_equivalent(2047), 2047);
  CHECK_EQ_U64(sp_hist_equivalent_range(2047), 1);
  CHECK_EQ_U64(sp_hist_lowest_equivalent(2049), 2048);
  CHECK_EQ_U64(sp_hist_highest_equivalent(2048), 2049);
  CHECK_EQ_U64(sp_hist_equivalent_range(4095), 2);
  CHECK_EQ_U64(sp_hist_lowest_equivalent(4096), 4096);
  CHECK_EQ_U64(sp_hist_highest_equivalent(4096), 4099);
  CHECK_EQ_U64(sp_hist_median_equivalent(4096), 4098);
  CHECK(sp_hist_values_equivalent(10000, 10007));
  CHECK(!sp_hist_values_equivalent(10007, 10008));
  CHECK_EQ_U64(sp_hist_index_of(0), 0);
  CHECK_EQ_U64(sp_hist_index_of(2047), 2047);
  CHECK_EQ_U64(sp_hist_index_of(2048), 2048);
  CHECK_EQ_U64(sp_hist_index_of(4096), 3072);
  CHECK(sp_hist_index_of(SP_HIST_HIGHEST_TRACKABLE_US) < SP_HIST_COUNTS_LEN);
  /* Every slot: value_at_index and index_of agree, slots tile the range,
   * and each slot is narrower than 1/1000 of its values (the guarantee). */
  uint64_t next = 0;
  for (uint32_t i = 0; i <= sp_hist_index_of(SP_HIST_HIGHEST_TRACKABLE_US); i++) {
    uint64_t lo = sp_hist_value_at_index(i), hi = sp_hist_highest_equivalent(lo);
    REQUIRE(lo == next);
    REQUIRE(sp_hist_index_of(lo) == i && sp_hist_index_of(hi) == i);
    REQUIRE(lo < 2048 ? hi == lo : (double)(hi - lo) < (double)lo * 1e-3);
    next = hi + 1;
  }
}

TEST(iteration_visits_nonempty_slots_in_order) {
  sp_hist *h = sp_hist_new();
  sp_hist_record_n(h, 5, 2);
  sp_hist_record(h, 3000);
  sp_hist_record_n(h, 1000000, 3);
  sp_hist_iter it;
  sp_hist_iter_init(&it, h);
  REQUIRE(sp_hist_iter_next(&it));
  CHECK_EQ_U64(it.value_lo_us, 5);
  CHECK_EQ_U64(it.value_hi_us, 5);
  CHECK_EQ_U64(it.count, 2);
  REQUIRE(sp_hist_iter_next(&it));
  CHECK_EQ_U64(it.value_lo_us, 3000);
  CHECK_EQ_U64(it.value_hi_us, 3001);
  CHECK_EQ_U64(it.cumulative_count, 3);
  REQUIRE(sp_hist_iter_next(&it));
  CHECK(it.value_lo_us <= 1000000 && it.value_hi_us >= 1000000);
  CHECK_EQ_U64(it.cumulative_count, 6);
  CHECK(!sp_hist_iter_next(&it));
  CHECK(!sp_hist_iter_next(&it));
  CHECK(fabs(sp_hist_percentile_at_value(h, 5) - 100.0 * 2 / 6) < 1e-9);
  CHECK(sp_hist_percentile_at_value(h, 999999999) == 100.0);
  sp_hist_free(h);
}

TEST(reset_and_copy) {
  sp_hist *h = sp_hist_new(), *c = sp_hist_new(), *fresh = sp_hist_new();
  uint64_t seed = 3;
  for (int i = 0; i < 10000; i++) sp_hist_record(h, sample(DIST_BIMODAL_TAIL, &seed));
  sp_hist_record(h, -1);
  sp_hist_record(h, 5000000000ll);
  sp_hist_copy(c, h);
  CHECK(sp_hist_equal(c, h));
  sp_hist_reset(h);
  CHECK(sp_hist_equal(h, fresh));
  CHECK(sp_hist_check(h) == NULL);
  sp_hist_record(c, 17); /* copy is independent */
  CHECK_EQ_U64(sp_hist_count_at(h, 17), 0);
  sp_hist_init(c);
  CHECK(sp_hist_equal(c, fresh));
  sp_hist_free(h);
  sp_hist_free(c);
  sp_hist_free(fresh);
}

/* Mean and stddev over slot medians stay within the slot precision of the
 * exact figures. */
TEST(mean_and_stddev) {
  sp_hist *h = sp_hist_new();
  uint64_t seed = 11;
  double sum = 0, sum2 = 0;
  int n = 100000;
  for (int i = 0; i < n; i++) {
    int64_t v = sample(DIST_EXPONENTIAL, &seed) + 5000;
    sp_hist_record(h, v);
    sum += (double)v;
    sum2 += (double)v * (double)v;
  }
  double mean = sum / n, sd = sqrt(sum2 / n - mean * mean);
  CHECK(fabs(sp_hist_mean(h) - mean) <= mean * 1e-3);
  CHECK(fabs(sp_hist_stddev(h) - sd) <= sd * 2e-3);
  sp_hist_free(h);
}

SP_TEST_MAIN(percentiles_match_exact_sort, percentile_rounds_up,
             nanosecond_recording_truncates_to_microseconds, merge_equals_single, edge_values,
             empty_histogram, equivalence_helpers, iteration_visits_nonempty_slots_in_order,
             reset_and_copy, mean_and_stddev)
