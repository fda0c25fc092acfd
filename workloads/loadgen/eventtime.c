/* eventtime.c: event-time disorder; see eventtime.h. */
#include "eventtime.h"

#include <math.h>

int64_t event_time_skew_ms(const event_time_conf *c, uint64_t seed, uint32_t producer) {
  if (c->n_skews) return producer < c->n_skews ? (int64_t)llround(c->skews_ms[producer]) : 0;
  if (c->clock_skew_ms <= 0) return 0;
  rng r;
  rng_for(&r, seed, RNG_STREAM_CLOCK_SKEW, producer);
  return (int64_t)llround((2.0 * rng_double(&r) - 1.0) * c->clock_skew_ms);
}

int64_t event_time_next(const event_time_conf *c, rng *r, int64_t wall_ms, int64_t skew_ms,
                        event_kind *kind) {
  event_kind k = EVT_ON_TIME;
  double shift = 0;
  if (c->late_fraction > 0 || c->out_of_order_fraction > 0) {
    double u = rng_double(r);
    if (u < c->late_fraction) {
      k = EVT_LATE;
      /* (out_of_order_ms, max_lateness_ms]: 1 - U is in (0, 1] */
      shift = c->out_of_order_ms + (1.0 - rng_double(r)) * (c->max_lateness_ms - c->out_of_order_ms);
    } else if (u < c->late_fraction + c->out_of_order_fraction) {
      k = EVT_OUT_OF_ORDER;
      shift = rng_double(r) * c->out_of_order_ms;
    }
  }
  if (kind) *kind = k;
  /* ceil keeps a late shift strictly beyond out_of_order_ms after rounding */
  return wall_ms + skew_ms - (int64_t)(k == EVT_LATE ? ceil(shift) : floor(shift));
}

int event_time_enabled(const event_time_conf *c) {
  return c->late_fraction > 0 || c->out_of_order_fraction > 0 || c->clock_skew_ms > 0 ||
         c->n_skews > 0;
}
