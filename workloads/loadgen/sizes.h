/* sizes.h: how large each message is.
 *
 * Every size counts the whole payload: the 56-byte identity header plus the
 * padding after it, so no size is below IDENTITY_BYTES. Distributions:
 *
 *   fixed      always `size` bytes (OMB's messageSize)
 *   uniform    integers in [min_bytes, max_bytes], each equally likely
 *   normal     round(N(mean, stddev)), redrawn until inside [min, max]
 *              (a truncated normal: the shape is kept, nothing piles up at
 *              the bounds)
 *   lognormal  round(X), ln X normal, with `mean` and `stddev` the mean and
 *              standard deviation of X itself (in bytes, as people think of
 *              message sizes), truncated to [min, max] the same way
 *
 * A sample is drawn from a per-producer generator (rng.h), so the sizes of a
 * run repeat with its seed. */
#ifndef SP_SIZES_H
#define SP_SIZES_H

#include <stdint.h>

#include "rng.h"

typedef enum {
  SIZEDIST_FIXED = 0,
  SIZEDIST_UNIFORM,
  SIZEDIST_NORMAL,
  SIZEDIST_LOGNORMAL,
} size_distribution;

/* Largest message accepted: librdkafka's upper limit of message.max.bytes. */
#define SIZES_MAX_BYTES 1000000000u

typedef struct size_dist {
  size_distribution distribution;
  uint32_t size;      /* fixed */
  uint32_t min_bytes; /* uniform, normal, lognormal */
  uint32_t max_bytes;
  double mean; /* normal, lognormal: of the size in bytes */
  double stddev;
  /* derived by sizes_prepare (lognormal): parameters of ln X */
  double mu, sigma;
} size_dist;

/* Computes derived parameters; call once after filling the fields. */
void sizes_prepare(size_dist *d);

/* One message size in bytes, within the distribution's bounds. */
uint32_t sizes_draw(const size_dist *d, rng *r);

/* Expected size in bytes of sizes_draw's output (the truncated
 * distribution's mean, integrated numerically for normal and lognormal):
 * what backlog sizes in bytes are converted with. */
double sizes_mean(const size_dist *d);

/* Share of the untruncated distribution inside [min_bytes, max_bytes]
 * (1 for fixed and uniform). The loader requires at least SIZES_MIN_MASS so
 * that redrawing outside values stays cheap and the shape stays meaningful. */
#define SIZES_MIN_MASS 0.05
double sizes_mass_inside(const size_dist *d);

/* Smallest and largest size the distribution can produce. */
uint32_t sizes_min(const size_dist *d);
uint32_t sizes_max(const size_dist *d);

const char *size_distribution_name(size_distribution d);

#endif
