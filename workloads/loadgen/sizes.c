/* sizes.c: message size distributions; see sizes.h. */
#include "sizes.h"

#include <math.h>

#include "sp_assert.h"

/* After this many redraws outside [min, max] the value is clamped. The
 * loader refuses distributions with less than SIZES_MIN_MASS of their
 * probability inside the bounds, so this is never reached in practice: it
 * only bounds the loop. */
#define MAX_REDRAWS 1000

void sizes_prepare(size_dist *d) {
  d->mu = d->sigma = 0;
  if (d->distribution == SIZEDIST_LOGNORMAL) {
    SP_ASSERT(d->mean > 0);
    double v = log1p((d->stddev * d->stddev) / (d->mean * d->mean));
    d->sigma = sqrt(v);
    d->mu = log(d->mean) - v / 2.0;
  }
}

/* The nearest size within the bounds (the redraw loop's last resort). */
static uint32_t clamp_size(double x, const size_dist *d) {
  if (x < d->min_bytes) return d->min_bytes;
  if (x > d->max_bytes) return d->max_bytes;
  return (uint32_t)x;
}

uint32_t sizes_draw(const size_dist *d, rng *r) {
  switch (d->distribution) {
  case SIZEDIST_FIXED: return d->size;
  case SIZEDIST_UNIFORM: return d->min_bytes + rng_below(r, d->max_bytes - d->min_bytes + 1);
  case SIZEDIST_NORMAL:
  case SIZEDIST_LOGNORMAL: {
    double x = 0;
    for (int i = 0; i < MAX_REDRAWS; i++) {
      double z = rng_normal(r);
      x = d->distribution == SIZEDIST_NORMAL ? d->mean + d->stddev * z
                                             : exp(d->mu + d->sigma * z);
      x = floor(x + 0.5);
      if (x >= d->min_bytes && x <= d->max_bytes) return (uint32_t)x;
    }
    return clamp_size(x, d);
  }
  }
  SP_PANIC("bad size distribution");
}

static double phi_cdf(double z) { return 0.5 * erfc(-z / sqrt(2.0)); }
static double phi_pdf(double z) { return exp(-0.5 * z * z) / sqrt(2.0 * M_PI); }

/* The rounded sample k is kept when k is in [min, max], i.e. when the
 * continuous draw lies in [min - 0.5, max + 0.5). */
static void bounds(const size_dist *d, double *a, double *b) {
  *a = d->min_bytes - 0.5;
  *b = d->max_bytes + 0.5;
}

double sizes_mass_inside(const size_dist *d) {
  double a, b;
  bounds(d, &a, &b);
  switch (d->distribution) {
  case SIZEDIST_FIXED:
  case SIZEDIST_UNIFORM: return 1.0;
  case SIZEDIST_NORMAL:
    return phi_cdf((b - d->mean) / d->stddev) - phi_cdf((a - d->mean) / d->stddev);
  case SIZEDIST_LOGNORMAL:
    return phi_cdf((log(b) - d->mu) / d->sigma) - phi_cdf((log(a) - d->mu) / d->sigma);
  }
  return 0;
}

double sizes_mean(const size_dist *d) {
  double a, b;
  bounds(d, &a, &b);
  switch (d->distribution) {
  case SIZEDIST_FIXED: return d->size;
  case SIZEDIST_UNIFORM: return ((double)d->min_bytes + d->max_bytes) / 2.0;
  case SIZEDIST_NORMAL: {
    /* truncated normal: mu + sigma (phi(al) - phi(be)) / (Phi(be) - Phi(al)) */
    double al = (a - d->mean) / d->stddev, be = (b - d->mean) / d->stddev;
    return d->mean + d->stddev * (phi_pdf(al) - phi_pdf(be)) / (phi_cdf(be) - phi_cdf(al));
  }
  case SIZEDIST_LOGNORMAL: {
    /* E[X | a <= X < b] for ln X ~ N(mu, sigma^2) */
    double mu = d->mu, s = d->sigma, la = log(a), lb = log(b);
    double num = phi_cdf((lb - mu - s * s) / s) - phi_cdf((la - mu - s * s) / s);
    double den = phi_cdf((lb - mu) / s) - phi_cdf((la - mu) / s);
    return exp(mu + s * s / 2.0) * num / den;
  }
  }
  return 0;
}

uint32_t sizes_min(const size_dist *d) {
  return d->distribution == SIZEDIST_FIXED ? d->size : d->min_bytes;
}

uint32_t sizes_max(const size_dist *d) {
  return d->distribution == SIZEDIST_FIXED ? d->size : d->max_bytes;
}

const char *size_distribution_name(size_distribution d) {
  switch (d) {
  case SIZEDIST_FIXED: return "fixed";
  case SIZEDIST_UNIFORM: return "uniform";
  case SIZEDIST_NORMAL: return "normal";
  case SIZEDIST_LOGNORMAL: return "lognormal";
  }
  return "?";
}
