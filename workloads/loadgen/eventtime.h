/* eventtime.h: the event time each message carries, with the disorder a
 * stream processor must cope with.
 *
 * A producer stamps each message with an event time (identity.h,
 * event_time_ms), normally the wall clock when the message was sent. The
 * workload's event_time section makes some of those times lie, on purpose:
 *
 *   clock skew      each producer's clock is off by a fixed amount for the
 *                   whole run: either drawn once per producer, uniform in
 *                   [-clock_skew_ms, +clock_skew_ms], from the seed, or
 *                   given explicitly per producer (a list)
 *   out of order    a fraction of messages is stamped earlier than their
 *                   neighbours by U[0, out_of_order_ms): disorder within the
 *                   bound a watermark normally allows
 *   late            a fraction of messages is stamped earlier by
 *                   U(out_of_order_ms, max_lateness_ms]: beyond that bound,
 *                   so a processor whose watermark allows out_of_order_ms of
 *                   disorder sees them after their window closed
 *
 * event time = wall ms + producer skew - shift. Draws come from the
 * producer's RNG_STREAM_EVENT_TIME generator, so a seed repeats them. */
#ifndef SP_EVENTTIME_H
#define SP_EVENTTIME_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"

typedef struct event_time_conf {
  double late_fraction;         /* [0, 1] */
  double max_lateness_ms;       /* > out_of_order_ms when late_fraction > 0 */
  double out_of_order_fraction; /* [0, 1]; late + out of order <= 1 */
  double out_of_order_ms;       /* >= 0 */
  double clock_skew_ms;         /* >= 0: bound of the drawn per-producer skew */
  double *skews_ms;             /* explicit per-producer skews (list form) */
  size_t n_skews;               /* producers beyond the list have skew 0 */
} event_time_conf;

typedef enum { EVT_ON_TIME = 0, EVT_OUT_OF_ORDER, EVT_LATE } event_kind;

/* The fixed clock skew of producer p (global producer index) in ms. */
int64_t event_time_skew_ms(const event_time_conf *c, uint64_t seed, uint32_t producer);

/* The event time for a message sent at wall_ms by a producer with skew_ms;
 * *kind (if not NULL) says which class the draw fell in. */
int64_t event_time_next(const event_time_conf *c, rng *r, int64_t wall_ms, int64_t skew_ms,
                        event_kind *kind);

/* True when the configuration adds any disorder or skew. */
int event_time_enabled(const event_time_conf *c);

#endif
