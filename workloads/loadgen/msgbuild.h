/* msgbuild.h: building a producer's messages: size, key, padding, event
 * time and identity header, from the workload and the producer's seeded
 * random streams (rng.h), so the same seed gives the same messages.
 *
 * Two steps, because a message's actual send time is only known when it is
 * handed to the client, after it was built:
 *
 *   msg_build()  draws size, key and event-time offset, writes the padding
 *   msg_stamp()  sets the send time and the event time (wall time of the
 *                send + the offset), writes the identity header (its
 *                checksum covers the padding): may be called again with a
 *                later time when the hand-off had to wait, without drawing
 *                anything new (the seed alone decides every draw)
 *
 * Used by the producer worker and by bench_offer (which measures exactly
 * this path). Nothing here allocates per message. */
#ifndef SP_MSGBUILD_H
#define SP_MSGBUILD_H

#include <stddef.h>
#include <stdint.h>

#include "identity.h"
#include "keys.h"
#include "payload.h"
#include "rng.h"
#include "workload.h"

/* An event-time clock fault in force (faults' kind: clock). */
typedef struct msg_clock_fault {
  int on;
  int64_t skew_ms;
  double late_fraction;
  int64_t late_max_ms;
} msg_clock_fault;

typedef struct msg_builder {
  const workload *wl;
  uint32_t writer, topic;
  key_gen keys;
  rng key_rng, size_rng, payload_rng, event_rng, clock_rng;
  payload_src payload;
  int64_t skew_ms;
  msg_clock_fault clock;
  uint64_t t0_mono_ns, t0_wall_ns; /* to turn a monotonic send time into wall ms */
} msg_builder;

/* One built message (its bytes live in the caller's buffer). */
typedef struct msg_built {
  identity id;
  char key[KEY_BYTES];
  size_t key_len; /* 0: no key */
  int64_t event_offset_ms; /* event time - wall time of sending (skew, disorder, clock fault) */
  uint8_t *buf;   /* id.size bytes */
} msg_built;

/* Prepares the builder of logical producer `producer` (its random streams)
 * writing as `writer` to topic index `topic`. 0, or -1 with err. */
int msg_builder_init(msg_builder *b, const workload *wl, uint32_t producer, uint32_t writer,
                     uint32_t topic, char *err, size_t err_len);
void msg_builder_free(msg_builder *b);

/* The largest message the workload can produce (buffer size). */
uint32_t msg_builder_max_size(const msg_builder *b);

/* Builds message `seq`, intended at intended_ns, into m->buf (which must
 * hold msg_builder_max_size bytes). */
void msg_build(msg_builder *b, uint64_t seq, uint64_t intended_ns, msg_built *m);

/* Stamps the actual send time (and the event time derived from it) and
 * encodes the identity header. */
void msg_stamp(msg_builder *b, msg_built *m, uint64_t sent_ns);

#endif
