/* samples.h: seeded random latency samples for the histogram tests.
 *
 * Four shapes a latency histogram meets, all in integer microseconds:
 * uniform, exponential, bimodal with a heavy (Pareto) tail, and
 * log-uniform from 1 us to 1 h (every bucket of the layout is hit). */
#ifndef SP_HIST_TEST_SAMPLES_H
#define SP_HIST_TEST_SAMPLES_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

typedef enum { DIST_UNIFORM, DIST_EXPONENTIAL, DIST_BIMODAL_TAIL, DIST_LOG_1US_1H, DIST_COUNT } dist;

static const char *const dist_names[DIST_COUNT] = {"uniform", "exponential", "bimodal+tail",
                                                   "log-uniform 1us..1h"};

/* splitmix64: small, seeded, good enough for test data. */
static inline uint64_t rng_next(uint64_t *s) {
  uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* Uniform in (0, 1]. */
static inline double rng_unit(uint64_t *s) { return ((double)(rng_next(s) >> 11) + 1.0) / 9007199254740992.0; }

/* Standard normal (Box-Muller). */
static inline double rng_normal(uint64_t *s) {
  return sqrt(-2.0 * log(rng_unit(s))) * cos(6.283185307179586 * rng_unit(s));
}

static inline int64_t sample(dist d, uint64_t *s) {
  double v;
  switch (d) {
  case DIST_UNIFORM:
    return 1 + (int64_t)(rng_next(s) % 1000000u);
  case DIST_EXPONENTIAL:
    return (int64_t)(-2000.0 * log(rng_unit(s)));
  case DIST_BIMODAL_TAIL: {
    double u = rng_unit(s);
    if (u < 0.70) v = 300.0 + 50.0 * rng_normal(s);
    else if (u < 0.999) v = 15000.0 + 3000.0 * rng_normal(s);
    else v = 20000.0 * pow(rng_unit(s), -1.0 / 1.1); /* Pareto tail */
    if (v < 0) v = 0;
    if (v > 3.6e9) v = 3.6e9;
    return (int64_t)v;
  }
  case DIST_LOG_1US_1H:
  default:
    v = exp(rng_unit(s) * log(3.6e9));
    return v > 3.6e9 ? 3600000000 : (int64_t)v;
  }
}

static inline int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

#endif
