/* keys.c: key distributions; see keys.h. */
#include "keys.h"

#include <math.h>

#include "sp_assert.h"

/* ---- zipf by rejection-inversion -------------------------------------
 *
 * Ranks x = 1..n with weight h(x) = x^-s. H is an antiderivative of h,
 *   H(x) = (x^(1-s) - 1) / (1-s)      (ln x when s = 1),
 * written as ln(x) * expm1(t)/t with t = (1-s) ln x so one formula covers
 * s = 1 without cancellation. A draw picks u uniformly in (H(n+0.5),
 * H(1.5) - h(1)], maps it back with H^-1 and rounds to the nearest rank k;
 * k is accepted when u falls under the part of the curve that belongs to k
 * (u >= H(k+0.5) - h(k)), or at once when x is close enough to k that the
 * test must pass (the precomputed threshold). The expected number of
 * rounds is below 1.1 for every s, so a draw is O(1). */

/* expm1(t)/t, continuous at t = 0. */
static double expm1_over(double t) { return fabs(t) > 1e-8 ? expm1(t) / t : 1.0 + t / 2.0; }

/* log1p(t)/t, continuous at t = 0. */
static double log1p_over(double t) { return fabs(t) > 1e-8 ? log1p(t) / t : 1.0 - t / 2.0; }

static double zipf_h(double s, double x) { return exp(-s * log(x)); }

/* H(x), the antiderivative of h: ln(x) * expm1(t)/t with t = (1-s) ln x. */
static double zipf_H(double s, double x) {
  double lx = log(x);
  return expm1_over((1.0 - s) * lx) * lx;
}

/* H^-1(u) = exp(u * log1p(t)/t) with t = u (1-s). */
static double zipf_H_inv(double s, double u) {
  double t = u * (1.0 - s);
  if (t < -1.0) t = -1.0; /* rounding at the edge of the domain */
  return exp(log1p_over(t) * u);
}

void keys_init(key_gen *g, key_distribution dist, uint32_t count, double exponent, uint32_t first) {
  g->dist = dist;
  g->count = count;
  g->next_rr = 0;
  g->s = 0;
  g->h_x1 = g->h_n = g->threshold = 0;
  if (dist == KEYDIST_NONE) return;
  SP_ASSERT(count >= 1 && count <= KEYS_MAX_COUNT);
  g->next_rr = first % count;
  if (dist == KEYDIST_ZIPF) {
    SP_ASSERT(exponent > 0);
    double s = exponent;
    g->s = s;
    g->h_x1 = zipf_H(s, 1.5) - 1.0;
    g->h_n = zipf_H(s, (double)count + 0.5);
    g->threshold = 2.0 - zipf_H_inv(s, zipf_H(s, 2.5) - zipf_h(s, 2.0));
  }
}

/* One zipf draw by rejection-inversion (see the comment above); 0-based. */
static uint32_t zipf_next(const key_gen *g, rng *r) {
  if (g->count == 1) return 0;
  double s = g->s;
  for (;;) {
    double u = g->h_n + rng_double(r) * (g->h_x1 - g->h_n);
    double x = zipf_H_inv(s, u);
    double kd = floor(x + 0.5);
    if (kd < 1) kd = 1;
    if (kd > g->count) kd = g->count;
    if (kd - x <= g->threshold || u >= zipf_H(s, kd + 0.5) - zipf_h(s, kd))
      return (uint32_t)kd - 1;
  }
}

uint32_t keys_next(key_gen *g, rng *r) {
  switch (g->dist) {
  case KEYDIST_NONE: return KEYS_NO_KEY;
  case KEYDIST_ROUND_ROBIN: {
    uint32_t k = g->next_rr;
    g->next_rr = k + 1 == g->count ? 0 : k + 1;
    return k;
  }
  case KEYDIST_UNIFORM: return rng_below(r, g->count);
  case KEYDIST_ZIPF: return zipf_next(g, r);
  }
  SP_PANIC("bad key distribution");
}

static const char hexdigits[] = "0123456789abcdef";

size_t keys_format(uint32_t id, char buf[KEY_BYTES]) {
  if (id == KEYS_NO_KEY) return 0;
  buf[0] = 'k';
  for (int i = 0; i < 8; i++) buf[1 + i] = hexdigits[(id >> (28 - 4 * i)) & 0xf];
  return KEY_BYTES;
}

int keys_parse(const void *key, size_t len, uint32_t *id) {
  const char *p = key;
  if (!p || len != KEY_BYTES || p[0] != 'k') return -1;
  uint32_t v = 0;
  for (int i = 1; i < KEY_BYTES; i++) {
    char c = p[i];
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return -1;
    v = v << 4 | (uint32_t)d;
  }
  if (v == KEYS_NO_KEY) return -1;
  *id = v;
  return 0;
}

const char *key_distribution_name(key_distribution d) {
  switch (d) {
  case KEYDIST_NONE: return "none";
  case KEYDIST_ROUND_ROBIN: return "round_robin";
  case KEYDIST_UNIFORM: return "uniform";
  case KEYDIST_ZIPF: return "zipf";
  }
  return "?";
}
