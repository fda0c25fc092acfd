/* payload.h: the bytes after each message's identity header.
 *
 * A producer builds a message as: the padding below written into
 * payload[56, size), then identity_encode over payload[0, 56) (whose
 * checksum covers the padding). The workload's `payload` picks the bytes:
 *
 *   random      fresh random bytes for every message (incompressible; the
 *               default)
 *   zeros       all zero (maximally compressible)
 *   file        OMB's payloadFile: bytes [56, size) of the file, whose size
 *               equals the message size; its first 56 bytes are replaced by
 *               the identity header
 *   randomized  OMB's randomized payload pool: randomizedPayloadPoolSize
 *               payloads built once from the seed, one picked at random per
 *               message; a payload of `size` bytes is random for its first
 *               floor(size * randomBytesRatio) bytes (the header counting as
 *               random) and zero after, as in OMB
 *
 * Filling is a memcpy or the generator, no allocation: cheap enough for
 * millions of messages a second. */
#ifndef SP_PAYLOAD_H
#define SP_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"
#include "workload.h"

typedef struct payload_src {
  payload_kind kind;
  uint8_t *bytes;      /* file contents, or the pool (pool_count entries) */
  size_t entry_bytes;  /* bytes per pool entry / the file's size */
  uint32_t pool_count;
  double random_ratio;
} payload_src;

/* Prepares the padding source of a validated workload (reads the payload
 * file, builds the pool from the workload's seed). 0, or -1 with err. */
int payload_src_init(payload_src *p, const workload *w, char *err, size_t err_len);
void payload_src_free(payload_src *p);

/* Writes payload[IDENTITY_BYTES, size) for one message of `size` bytes
 * (size >= IDENTITY_BYTES, within the workload's size bounds). r is the
 * producer's RNG_STREAM_PAYLOAD generator. */
void payload_fill(const payload_src *p, rng *r, uint8_t *payload, uint32_t size);

/* Most bytes the randomized pool may hold (pool size x random bytes per
 * entry); the loader refuses larger pools. */
#define PAYLOAD_POOL_MAX_BYTES (256u << 20)

#endif
