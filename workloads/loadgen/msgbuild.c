/* msgbuild.c: see msgbuild.h. */
#include "msgbuild.h"

#include <string.h>

#include "eventtime.h"
#include "sizes.h"

int msg_builder_init(msg_builder *b, const workload *wl, uint32_t producer, uint32_t writer,
                     uint32_t topic, char *err, size_t err_len) {
  memset(b, 0, sizeof *b);
  b->wl = wl;
  b->writer = writer;
  b->topic = topic;
  uint64_t i = producer;
  rng_for(&b->key_rng, wl->seed, RNG_STREAM_KEYS, i);
  rng_for(&b->size_rng, wl->seed, RNG_STREAM_SIZES, i);
  rng_for(&b->payload_rng, wl->seed, RNG_STREAM_PAYLOAD, i);
  rng_for(&b->event_rng, wl->seed, RNG_STREAM_EVENT_TIME, i);
  /* clock faults draw from their own stream so a fault leaves the
   * workload's own event-time draws as they were */
  rng_for(&b->clock_rng, wl->seed, RNG_STREAM_EVENT_TIME, i + 0x100000000ull);
  /* round_robin producers start apart so they do not send the same keys in step */
  keys_init(&b->keys, wl->key_distribution, wl->key_count, wl->zipf_exponent,
            (uint32_t)(i * 7919u % (wl->key_count ? wl->key_count : 1)));
  b->skew_ms = event_time_skew_ms(&wl->event_time, wl->seed, producer);
  return payload_src_init(&b->payload, wl, err, err_len);
}

void msg_builder_free(msg_builder *b) { payload_src_free(&b->payload); }

uint32_t msg_builder_max_size(const msg_builder *b) { return sizes_max(&b->wl->message_size); }

void msg_build(msg_builder *b, uint64_t seq, uint64_t intended_ns, msg_built *m) {
  uint32_t size = sizes_draw(&b->wl->message_size, &b->size_rng);
  uint32_t key = keys_next(&b->keys, &b->key_rng);
  m->key_len = keys_format(key, m->key);
  payload_fill(&b->payload, &b->payload_rng, m->buf, size);
  m->id = (identity){.writer = b->writer, .seq = seq, .key = key, .size = size,
                     .intended_ns = intended_ns, .topic = b->topic};
  /* event time = wall time of the send + skew - disorder shift (eventtime.h) */
  int64_t off = event_time_next(&b->wl->event_time, &b->event_rng, 0, b->skew_ms, NULL);
  if (b->clock.on) {
    off += b->clock.skew_ms;
    if (b->clock.late_fraction > 0 && rng_double(&b->clock_rng) < b->clock.late_fraction)
      off -= (int64_t)rng_below(&b->clock_rng, (uint32_t)(b->clock.late_max_ms + 1));
  }
  m->event_offset_ms = off;
}

void msg_stamp(msg_builder *b, msg_built *m, uint64_t sent_ns) {
  int64_t wall_ms = (int64_t)((b->t0_wall_ns + (sent_ns - b->t0_mono_ns)) / 1000000ull);
  m->id.sent_ns = sent_ns;
  m->id.event_time_ms = wall_ms + m->event_offset_ms;
  identity_encode(&m->id, m->buf, m->id.size);
}
