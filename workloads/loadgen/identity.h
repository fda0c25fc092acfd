/* identity.h: the identity every message carries at the start of its payload.
 *
 * Written by producers, read by consumers (who copy the fields into their
 * history records) and by the end-of-run readback. A payload without a valid
 * header is an "unknown message" to the checker; one whose checksum fails is
 * a "content mismatch".
 *
 * Payload layout (little-endian), padded to the workload's message size:
 *
 *    0  u32  magic          0x314d5053 ("SPM1" in memory order)
 *    4  u32  writer         producer incarnation's writer id (history.h)
 *    8  u64  seq            per-writer sequence, from 0
 *   16  u32  key            key id (0xffffffff: no key)
 *   20  u32  size           total payload size in bytes (header + padding)
 *   24  u64  intended_ns    CLOCK_MONOTONIC send time the schedule intended
 *   32  u64  sent_ns        CLOCK_MONOTONIC time it was handed to the client
 *   40  i64  event_time_ms  event time (wall ms, possibly skewed or late on
 *                           purpose: the workload's event-time disorder)
 *   48  u32  topic          topic index in the run's topic list
 *   52  u32  checksum       CRC-32C of bytes [0, 52) and [56, size)
 *   56  ...  padding        workload bytes (random, zeros, or a payload file)
 *
 * The checksum covers the padding, so corruption anywhere is detected. */
#ifndef SP_IDENTITY_H
#define SP_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#define IDENTITY_MAGIC 0x314d5053u
#define IDENTITY_BYTES 56
#define IDENTITY_NO_KEY 0xffffffffu

typedef struct identity {
  uint32_t writer;
  uint64_t seq;
  uint32_t key;
  uint32_t size;
  uint64_t intended_ns;
  uint64_t sent_ns;
  int64_t event_time_ms;
  uint32_t topic;
} identity;

/* Result of identity_decode. */
typedef enum {
  IDENTITY_OK = 0,
  IDENTITY_TOO_SHORT,    /* payload shorter than the header */
  IDENTITY_BAD_MAGIC,    /* not a streamproof message */
  IDENTITY_BAD_SIZE,     /* size field disagrees with the payload length */
  IDENTITY_BAD_CHECKSUM, /* header parsed, content corrupted */
} identity_status;

/* Writes the header into payload[0..56) (payload_len >= IDENTITY_BYTES,
 * id->size == payload_len) and computes the checksum over the whole payload,
 * so the padding must already be in place. */
void identity_encode(const identity *id, uint8_t *payload, size_t payload_len);

/* Parses and verifies a payload. Fills *id whenever the magic is right (even
 * on a checksum failure, so the checker can say whose message was damaged). */
identity_status identity_decode(const uint8_t *payload, size_t payload_len, identity *id);

const char *identity_status_name(identity_status s);

#endif
