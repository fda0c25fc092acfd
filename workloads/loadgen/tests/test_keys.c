/* test_keys: key bytes round-trip; each distribution draws what it says.
 * Frequencies are checked against the exact distribution with a fixed seed,
 * so the bounds are deterministic: a chi-square bound far in the tail (an
 * honest sampler fails it with probability < 1e-6 for any seed) plus the
 * probability of the hottest key. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "wl_test_util.h"

TEST(key_bytes_round_trip) {
  char buf[KEY_BYTES];
  uint32_t ids[] = {0, 1, 42, 0xdeadbeef, KEYS_MAX_COUNT - 1};
  for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
    CHECK_EQ_INT(keys_format(ids[i], buf), KEY_BYTES);
    uint32_t back;
    CHECK_EQ_INT(keys_parse(buf, KEY_BYTES, &back), 0);
    CHECK_EQ_U64(back, ids[i]);
  }
  keys_format(42, buf);
  CHECK(memcmp(buf, "k0000002a", KEY_BYTES) == 0);
  CHECK_EQ_INT(keys_format(KEYS_NO_KEY, buf), 0);
  uint32_t id;
  CHECK_EQ_INT(keys_parse("k0000002", 8, &id), -1);
  CHECK_EQ_INT(keys_parse("x0000002a", 9, &id), -1);
  CHECK_EQ_INT(keys_parse("k0000002A", 9, &id), -1);
  CHECK_EQ_INT(keys_parse("kffffffff", 9, &id), -1); /* the no-key id is never a key */
  CHECK_EQ_INT(keys_parse(NULL, 0, &id), -1);
}

TEST(none_and_round_robin) {
  key_gen g;
  rng r;
  rng_seed(&r, 1);
  keys_init(&g, KEYDIST_NONE, 0, 0, 0);
  CHECK_EQ_U64(keys_next(&g, &r), KEYS_NO_KEY);
  keys_init(&g, KEYDIST_ROUND_ROBIN, 5, 0, 3);
  uint32_t want[] = {3, 4, 0, 1, 2, 3, 4, 0};
  for (int i = 0; i < 8; i++) CHECK_EQ_U64(keys_next(&g, &r), want[i]);
}

/* Pearson's chi-square of counts against probabilities p over n cells. */
static double chi_square(const uint64_t *counts, const double *p, size_t n, uint64_t draws) {
  double x = 0;
  for (size_t i = 0; i < n; i++) {
    double e = p[i] * (double)draws;
    x += ((double)counts[i] - e) * ((double)counts[i] - e) / e;
  }
  return x;
}

/* 99 degrees of freedom: mean 99, sd 14; P(X > 190) < 1e-6. */
#define CHI2_BOUND_DF99 190.0

TEST(uniform_frequencies) {
  enum { N = 100, DRAWS = 1000000 };
  key_gen g;
  rng r;
  rng_for(&r, 1, RNG_STREAM_KEYS, 0);
  keys_init(&g, KEYDIST_UNIFORM, N, 0, 0);
  uint64_t counts[N] = {0};
  double p[N];
  for (int i = 0; i < N; i++) p[i] = 1.0 / N;
  for (int i = 0; i < DRAWS; i++) {
    uint32_t k = keys_next(&g, &r);
    REQUIRE(k < N);
    counts[k]++;
  }
  double x = chi_square(counts, p, N, DRAWS);
  CHECK(x < CHI2_BOUND_DF99);
}

static void check_zipf(double s) {
  enum { N = 100, DRAWS = 1000000 };
  key_gen g;
  rng r;
  rng_for(&r, 2, RNG_STREAM_KEYS, 0);
  keys_init(&g, KEYDIST_ZIPF, N, s, 0);
  double p[N], h = 0;
  for (int k = 0; k < N; k++) h += pow(k + 1, -s);
  for (int k = 0; k < N; k++) p[k] = pow(k + 1, -s) / h;
  uint64_t counts[N] = {0};
  for (int i = 0; i < DRAWS; i++) {
    uint32_t k = keys_next(&g, &r);
    REQUIRE(k < N);
    counts[k]++;
  }
  double x = chi_square(counts, p, N, DRAWS);
  if (!(x < CHI2_BOUND_DF99)) fprintf(stderr, "#   zipf s=%g chi2=%g\n", s, x);
  CHECK(x < CHI2_BOUND_DF99);
  /* the hottest key within 5 standard errors */
  double f0 = (double)counts[0] / DRAWS, se = sqrt(p[0] * (1 - p[0]) / DRAWS);
  CHECK_NEAR(f0, p[0], 5 * se);
  /* and the order of popularity holds at the head */
  CHECK(counts[0] > counts[1] && counts[1] > counts[2]);
}

TEST(zipf_frequencies) {
  check_zipf(0.5);
  check_zipf(0.99);
  check_zipf(1.0); /* the ln x branch */
  check_zipf(1.01);
  check_zipf(1.5);
  check_zipf(3.0);
}

/* Four billion keys: no table, and the head still has the right mass. */
TEST(zipf_huge_key_space) {
  const uint32_t n = 4000000000u;
  const double s = 1.1;
  key_gen g;
  rng r;
  rng_for(&r, 3, RNG_STREAM_KEYS, 0);
  keys_init(&g, KEYDIST_ZIPF, n, s, 0);
  /* H(n, s): exact sum to 1e6, then the Euler-Maclaurin tail */
  double h = 0;
  for (int k = 1; k <= 1000000; k++) h += pow(k, -s);
  double a = 1000000.0, b = n;
  h += (pow(b, 1 - s) - pow(a, 1 - s)) / (1 - s) + (pow(b, -s) - pow(a, -s)) / 2;
  double p0 = 1.0 / h;
  const int draws = 400000;
  int hot = 0, deep = 0;
  for (int i = 0; i < draws; i++) {
    uint32_t k = keys_next(&g, &r);
    REQUIRE(k < n);
    hot += k == 0;
    deep += k >= 1000000000u;
  }
  double se = sqrt(p0 * (1 - p0) / draws);
  CHECK_NEAR((double)hot / draws, p0, 5 * se);
  /* P(key >= 1e9) = (H(n) - H(1e9)) / H(n), about 1.6% */
  double tail = ((pow(b, 1 - s) - pow(1e9, 1 - s)) / (1 - s)) / h;
  double se_t = sqrt(tail * (1 - tail) / draws);
  CHECK_NEAR((double)deep / draws, tail, 5 * se_t);
}

TEST(single_key) {
  key_gen g;
  rng r;
  rng_seed(&r, 4);
  keys_init(&g, KEYDIST_ZIPF, 1, 1.2, 0);
  for (int i = 0; i < 100; i++) CHECK_EQ_U64(keys_next(&g, &r), 0);
  keys_init(&g, KEYDIST_UNIFORM, 1, 0, 0);
  CHECK_EQ_U64(keys_next(&g, &r), 0);
}

TEST(same_seed_same_keys) {
  key_gen g1, g2, g3;
  rng r1, r2, r3;
  rng_for(&r1, 77, RNG_STREAM_KEYS, 5);
  rng_for(&r2, 77, RNG_STREAM_KEYS, 5);
  rng_for(&r3, 77, RNG_STREAM_KEYS, 6); /* another producer */
  keys_init(&g1, KEYDIST_ZIPF, 1000, 1.2, 0);
  keys_init(&g2, KEYDIST_ZIPF, 1000, 1.2, 0);
  keys_init(&g3, KEYDIST_ZIPF, 1000, 1.2, 0);
  int same = 1, differs = 0;
  for (int i = 0; i < 10000; i++) {
    uint32_t a = keys_next(&g1, &r1), b = keys_next(&g2, &r2), c = keys_next(&g3, &r3);
    same &= a == b;
    differs |= a != c;
  }
  CHECK(same);
  CHECK(differs);
}

SP_TEST_MAIN(key_bytes_round_trip, none_and_round_robin, uniform_frequencies, zipf_frequencies,
             zipf_huge_key_space, single_key, same_seed_same_keys)
