/* test_sizes: message sizes stay within their bounds and have the right
 * mean (sizes_mean, checked against brute-force summation of the pmf), and
 * the padding after the identity header is what the payload kind says. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "payload.h"
#include "sizes.h"
#include "wl_test_util.h"

/* Draws n sizes; checks bounds; returns mean and standard deviation. */
static void sample(size_dist *d, int n, uint64_t seed, double *mean, double *sd, uint32_t *lo, uint32_t *hi) {
  rng r;
  rng_for(&r, seed, RNG_STREAM_SIZES, 0);
  double sum = 0, sum2 = 0;
  *lo = UINT32_MAX;
  *hi = 0;
  for (int i = 0; i < n; i++) {
    uint32_t x = sizes_draw(d, &r);
    if (x < *lo) *lo = x;
    if (x > *hi) *hi = x;
    sum += x;
    sum2 += (double)x * x;
  }
  *mean = sum / n;
  *sd = sqrt(sum2 / n - *mean * *mean);
}

/* The mean of round(X) restricted to [min, max], by summing the pmf. */
static double brute_mean(const size_dist *d) {
  double num = 0, den = 0;
  for (uint32_t k = d->min_bytes; k <= d->max_bytes; k++) {
    double a = k - 0.5, b = k + 0.5, p;
    if (d->distribution == SIZEDIST_NORMAL)
      p = 0.5 * (erfc(-(b - d->mean) / (d->stddev * sqrt(2))) - erfc(-(a - d->mean) / (d->stddev * sqrt(2))));
    else
      p = 0.5 * (erfc(-(log(b) - d->mu) / (d->sigma * sqrt(2))) - erfc(-(log(a) - d->mu) / (d->sigma * sqrt(2))));
    num += k * p;
    den += p;
  }
  return num / den;
}

TEST(fixed) {
  size_dist d = {.distribution = SIZEDIST_FIXED, .size = 1024};
  sizes_prepare(&d);
  double m, sd;
  uint32_t lo, hi;
  sample(&d, 1000, 1, &m, &sd, &lo, &hi);
  CHECK_EQ_INT(lo, 1024);
  CHECK_EQ_INT(hi, 1024);
  CHECK_NEAR(sizes_mean(&d), 1024, 0);
  CHECK_EQ_INT(sizes_min(&d), 1024);
  CHECK_EQ_INT(sizes_max(&d), 1024);
}

TEST(uniform) {
  size_dist d = {.distribution = SIZEDIST_UNIFORM, .min_bytes = 100, .max_bytes = 200};
  sizes_prepare(&d);
  double m, sd;
  uint32_t lo, hi;
  const int n = 200000;
  sample(&d, n, 2, &m, &sd, &lo, &hi);
  CHECK_EQ_INT(lo, 100); /* both ends reached */
  CHECK_EQ_INT(hi, 200);
  CHECK_NEAR(sizes_mean(&d), 150, 0);
  double sd_true = sqrt((101.0 * 101.0 - 1) / 12);
  CHECK_NEAR(m, 150, 5 * sd_true / sqrt(n));
  CHECK_NEAR(sd, sd_true, 0.5);
}

TEST(normal) {
  size_dist d = {.distribution = SIZEDIST_NORMAL, .mean = 1000, .stddev = 100, .min_bytes = 56, .max_bytes = 1000000};
  sizes_prepare(&d);
  double m, sd;
  uint32_t lo, hi;
  const int n = 200000;
  sample(&d, n, 3, &m, &sd, &lo, &hi);
  CHECK(lo >= 56 && hi <= 1000000);
  CHECK_NEAR(sizes_mean(&d), 1000, 1e-6); /* bounds far away: no truncation */
  CHECK_NEAR(m, 1000, 5 * 100 / sqrt(n));
  CHECK_NEAR(sd, 100, 1.5);
  CHECK_NEAR(sizes_mass_inside(&d), 1, 1e-9);
}

TEST(normal_truncated) {
  size_dist d = {.distribution = SIZEDIST_NORMAL, .mean = 100, .stddev = 100, .min_bytes = 56, .max_bytes = 300};
  sizes_prepare(&d);
  double m, sd;
  uint32_t lo, hi;
  const int n = 200000;
  sample(&d, n, 4, &m, &sd, &lo, &hi);
  CHECK_EQ_INT(lo, 56);
  CHECK(hi <= 300);
  double want = brute_mean(&d);
  CHECK(want > 140); /* the truncation at 56 moves the mean well up */
  CHECK_NEAR(sizes_mean(&d), want, 0.05);
  CHECK_NEAR(m, want, 5 * sd / sqrt(n));
  CHECK(sizes_mass_inside(&d) > 0.5 && sizes_mass_inside(&d) < 0.7);
}

TEST(lognormal) {
  size_dist d = {.distribution = SIZEDIST_LOGNORMAL, .mean = 600, .stddev = 400, .min_bytes = 56, .max_bytes = 16384};
  sizes_prepare(&d);
  /* ln X has the parameters that give X this mean and deviation */
  CHECK_NEAR(exp(d.mu + d.sigma * d.sigma / 2), 600, 1e-9);
  CHECK_NEAR(sqrt((exp(d.sigma * d.sigma) - 1) * exp(2 * d.mu + d.sigma * d.sigma)), 400, 1e-9);
  double m, sd;
  uint32_t lo, hi;
  const int n = 200000;
  sample(&d, n, 5, &m, &sd, &lo, &hi);
  CHECK(lo >= 56 && hi <= 16384);
  double want = brute_mean(&d);
  CHECK_NEAR(sizes_mean(&d), want, 0.05);
  CHECK_NEAR(m, want, 5 * sd / sqrt(n));
  CHECK_NEAR(sd, 400, 20); /* little truncation at these bounds */
}

TEST(same_seed_same_sizes) {
  size_dist d = {.distribution = SIZEDIST_LOGNORMAL, .mean = 2000, .stddev = 3000, .min_bytes = 56, .max_bytes = 1000000};
  sizes_prepare(&d);
  rng a, b, c;
  rng_for(&a, 9, RNG_STREAM_SIZES, 1);
  rng_for(&b, 9, RNG_STREAM_SIZES, 1);
  rng_for(&c, 10, RNG_STREAM_SIZES, 1);
  int same = 1, differs = 0;
  for (int i = 0; i < 1000; i++) {
    uint32_t x = sizes_draw(&d, &a), y = sizes_draw(&d, &b), z = sizes_draw(&d, &c);
    same &= x == y;
    differs |= x != z;
  }
  CHECK(same);
  CHECK(differs);
}

/* Builds a message of `size` bytes the way a producer does. */
static void build_message(const payload_src *p, rng *r, uint8_t *buf, uint32_t size) {
  payload_fill(p, r, buf, size);
  identity id = {.writer = 1, .seq = 2, .key = 3, .size = size};
  identity_encode(&id, buf, size);
}

TEST(payload_random_and_zeros) {
  workload w;
  REQUIRE_LOAD(MIN_YAML, &w);
  payload_src p;
  char err[256];
  REQUIRE(payload_src_init(&p, &w, err, sizeof err) == 0);
  rng r;
  rng_for(&r, w.seed, RNG_STREAM_PAYLOAD, 0);
  uint8_t a[100], b[100];
  build_message(&p, &r, a, 100);
  build_message(&p, &r, b, 100);
  CHECK(memcmp(a + 56, b + 56, 44) != 0); /* fresh bytes each message */
  identity id;
  CHECK_EQ_INT(identity_decode(a, 100, &id), IDENTITY_OK);
  payload_src_free(&p);
  workload_free(&w);

  REQUIRE_LOAD(MIN_YAML "payload: zeros\n", &w);
  REQUIRE(payload_src_init(&p, &w, err, sizeof err) == 0);
  memset(a, 0xff, sizeof a);
  build_message(&p, &r, a, 100);
  for (int i = 56; i < 100; i++) CHECK_EQ_INT(a[i], 0);
  CHECK_EQ_INT(identity_decode(a, 100, &id), IDENTITY_OK);
  payload_src_free(&p);
  workload_free(&w);
}

TEST(payload_file) {
  workload w;
  char err[256];
  REQUIRE(workload_load("tests/data/omb-every-field.yaml", &w, err, sizeof err) == 0);
  payload_src p;
  REQUIRE(payload_src_init(&p, &w, err, sizeof err) == 0);
  FILE *f = fopen("tests/data/payload/payload-200b.data", "rb");
  REQUIRE(f != NULL);
  uint8_t file[200], msg[200];
  REQUIRE(fread(file, 1, 200, f) == 200);
  fclose(f);
  rng r;
  rng_seed(&r, 1);
  build_message(&p, &r, msg, 200);
  CHECK(memcmp(msg + 56, file + 56, 144) == 0); /* the file's bytes after the header */
  identity id;
  CHECK_EQ_INT(identity_decode(msg, 200, &id), IDENTITY_OK);
  payload_src_free(&p);
  workload_free(&w);
}

TEST(payload_file_changed_after_load) {
  workload w;
  const char *path = write_file("p.data", "0123456789012345678901234567890123456789012345678901234567890123");
  char y[1024], err[256];
  snprintf(y, sizeof y, "%spayloadFile: %s\n",
           "topics: 1\npartitionsPerTopic: 2\nmessageSize: 64\nproducerRate: 10\nduration_s: 5\n", path);
  REQUIRE_LOAD(y, &w);
  write_file("p.data", "short");
  payload_src p;
  CHECK(payload_src_init(&p, &w, err, sizeof err) != 0);
  CHECK(strstr(err, "is 5 bytes, expected 64") != NULL);
  payload_src_free(&p);
  workload_free(&w);
}

/* OMB's pool: each payload random for floor(size * ratio) bytes, then zero;
 * the pool comes from the seed. */
TEST(payload_randomized_pool) {
  workload w;
  REQUIRE_LOAD("topics: 1\npartitionsPerTopic: 2\nproducerRate: 10\nduration_s: 5\n"
               "message_size: {distribution: uniform, min_bytes: 100, max_bytes: 1000}\n"
               "useRandomizedPayloads: true\nrandomBytesRatio: 0.5\nrandomizedPayloadPoolSize: 4\n", &w);
  payload_src p, q;
  char err[256];
  REQUIRE(payload_src_init(&p, &w, err, sizeof err) == 0);
  REQUIRE(payload_src_init(&q, &w, err, sizeof err) == 0);
  CHECK_EQ_INT(p.pool_count, 4);
  CHECK(memcmp(p.bytes, q.bytes, p.pool_count * p.entry_bytes) == 0); /* same seed, same pool */
  rng r;
  rng_for(&r, w.seed, RNG_STREAM_PAYLOAD, 0);
  uint8_t buf[1000];
  int seen[4] = {0};
  for (int i = 0; i < 200; i++) {
    uint32_t size = 100 + (uint32_t)i * 4;
    memset(buf, 0xee, sizeof buf);
    build_message(&p, &r, buf, size);
    uint32_t random_end = (uint32_t)(size * 0.5);
    int zeros_ok = 1;
    for (uint32_t j = random_end > 56 ? random_end : 56; j < size; j++) zeros_ok &= buf[j] == 0;
    CHECK(zeros_ok);
    /* the random part is one of the pool entries */
    if (random_end > 56) {
      int found = 0;
      for (uint32_t e = 0; e < 4; e++)
        if (!memcmp(buf + 56, p.bytes + e * p.entry_bytes + 56, random_end - 56)) found = 1, seen[e] = 1;
      CHECK(found);
    }
  }
  CHECK(seen[0] && seen[1] && seen[2] && seen[3]);
  payload_src_free(&p);
  payload_src_free(&q);
  workload_free(&w);
}

SP_TEST_MAIN(fixed, uniform, normal, normal_truncated, lognormal, same_seed_same_sizes,
             payload_random_and_zeros, payload_file, payload_file_changed_after_load,
             payload_randomized_pool)
