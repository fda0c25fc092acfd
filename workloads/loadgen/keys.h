/* keys.h: which key each message carries.
 *
 * A key is a u32 id in [0, key_count); IDENTITY_NO_KEY (0xffffffff) means
 * the message has no key (Kafka null key: the client's partitioner spreads
 * such messages). The distributions:
 *
 *   none         no key at all (OMB's NO_KEY)
 *   round_robin  0, 1, 2, ..., key_count-1, 0, ... per producer
 *                (OMB's KEY_ROUND_ROBIN, over key_count keys)
 *   uniform      each key equally likely, independent draws
 *                (OMB's RANDOM_NANO: OMB takes nanoTime % 10000, which is
 *                roughly uniform; streamproof draws from the seeded
 *                generator instead, so runs repeat)
 *   zipf         key k (0-based) with probability proportional to
 *                1/(k+1)^s, s = zipf_exponent: key 0 is the hottest. Sampled
 *                by rejection-inversion (Hörmann & Derflinger 1996): O(1)
 *                expected per draw, no table, so key_count can be 4 billion.
 *
 * Key bytes on the wire: "k" followed by the id as 8 lowercase hex digits
 * (9 bytes, e.g. key 42 is "k0000002a"). Readable in kcat, fixed length, and
 * parsed back by keys_parse. */
#ifndef SP_KEYS_H
#define SP_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"

typedef enum {
  KEYDIST_NONE = 0,
  KEYDIST_ROUND_ROBIN,
  KEYDIST_UNIFORM,
  KEYDIST_ZIPF,
} key_distribution;

#define KEYS_NO_KEY 0xffffffffu /* == IDENTITY_NO_KEY */
#define KEYS_MAX_COUNT 0xfffffffeu
#define KEY_BYTES 9

typedef struct key_gen {
  key_distribution dist;
  uint32_t count;
  uint32_t next_rr; /* round_robin cursor */
  /* zipf, rejection-inversion constants (see keys.c) */
  double s;
  double h_x1;      /* H(1.5) - h(1): upper end of the inversion interval */
  double h_n;       /* H(count + 0.5): lower end */
  double threshold; /* quick-accept distance */
} key_gen;

/* Prepares a generator. count >= 1 (ignored for none); exponent > 0 for
 * zipf. first is where round_robin starts (producers may start apart). */
void keys_init(key_gen *g, key_distribution dist, uint32_t count, double exponent, uint32_t first);

/* The next key id (KEYS_NO_KEY for none). */
uint32_t keys_next(key_gen *g, rng *r);

/* Writes the key bytes for id into buf (KEY_BYTES long, not terminated);
 * returns KEY_BYTES, or 0 for KEYS_NO_KEY (no key is sent). */
size_t keys_format(uint32_t id, char buf[KEY_BYTES]);

/* Parses key bytes written by keys_format. 0 on success, -1 if the bytes
 * are not a streamproof key. */
int keys_parse(const void *key, size_t len, uint32_t *id);

const char *key_distribution_name(key_distribution d);

#endif
