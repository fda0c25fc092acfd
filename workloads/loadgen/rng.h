/* rng.h: the seeded pseudo-random generator behind every random choice of a
 * run (keys, message sizes, payload bytes, event-time disorder, clock skew).
 *
 * xoshiro256** (Blackman & Vigna), seeded through splitmix64: fast (about
 * 1 ns a draw), 256 bits of state, passes BigCrush; not cryptographic, which
 * a load generator does not need.
 *
 * Determinism: a run never seeds from the clock. Each consumer of randomness
 * gets its own generator from rng_for(seed, stream, index), where the stream
 * names the purpose and the index the producer (or pool slot, ...). So the
 * same workload seed gives the same keys, sizes and payloads, and changing
 * one distribution (say, the message sizes) does not change the draws of
 * another (the keys). */
#ifndef SP_RNG_H
#define SP_RNG_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct rng {
  uint64_t s[4];
} rng;

/* The purposes that draw random numbers; each gets an independent stream. */
typedef enum {
  RNG_STREAM_KEYS = 1,       /* key ids, per producer */
  RNG_STREAM_SIZES = 2,      /* message sizes, per producer */
  RNG_STREAM_PAYLOAD = 3,    /* padding bytes / pool choice, per producer */
  RNG_STREAM_POOL = 4,       /* building the randomized payload pool */
  RNG_STREAM_EVENT_TIME = 5, /* late / out-of-order event times, per producer */
  RNG_STREAM_CLOCK_SKEW = 6, /* the per-producer clock skew */
  RNG_STREAM_NAMES = 7,      /* random suffixes of topic and group names */
  RNG_STREAM_FAULTS = 8,     /* reserved for the fault scheduler */
} rng_stream;

/* splitmix64 step: advances *x and returns a well-mixed 64-bit value. Used
 * to expand one seed word into a full generator state. */
static inline uint64_t rng_splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* Seeds r from one 64-bit word (every seed, 0 included, is fine). */
static inline void rng_seed(rng *r, uint64_t seed) {
  uint64_t x = seed;
  for (int i = 0; i < 4; i++) r->s[i] = rng_splitmix64(&x);
}

/* The generator for (workload seed, purpose, index): independent streams
 * for different purposes or indexes, the same stream for the same triple. */
static inline void rng_for(rng *r, uint64_t seed, rng_stream stream, uint64_t index) {
  uint64_t x = seed ^ (0xd6e8feb86659fd93ull * ((uint64_t)stream + 1));
  uint64_t a = rng_splitmix64(&x);
  x = a ^ (index * 0xa0761d6478bd642full + 0xe7037ed1a0b428dbull);
  rng_seed(r, rng_splitmix64(&x));
}

static inline uint64_t rng_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* The next 64 random bits (xoshiro256**). */
static inline uint64_t rng_next(rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rng_rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rng_rotl(s[3], 45);
  return result;
}

/* Uniform double in [0, 1), 53 bits of precision. */
static inline double rng_double(rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

/* Uniform double in (0, 1]: safe to take the log of. */
static inline double rng_double_nonzero(rng *r) {
  return (double)((rng_next(r) >> 11) + 1) * 0x1.0p-53;
}

/* Uniform integer in [0, n), n >= 1, without modulo bias (Lemire's
 * multiply-and-reject: one multiplication, a division only on rejection). */
static inline uint32_t rng_below(rng *r, uint32_t n) {
  uint64_t m = (uint64_t)(uint32_t)(rng_next(r) >> 32) * n;
  uint32_t low = (uint32_t)m;
  if (low < n) {
    uint32_t threshold = (uint32_t)(-n) % n;
    while (low < threshold) {
      m = (uint64_t)(uint32_t)(rng_next(r) >> 32) * n;
      low = (uint32_t)m;
    }
  }
  return (uint32_t)(m >> 32);
}

/* Standard normal deviate (Box-Muller; one of the pair is discarded, which
 * keeps the generator stateless beyond its 256 bits). */
static inline double rng_normal(rng *r) {
  double u1 = rng_double_nonzero(r), u2 = rng_double(r);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925 * u2);
}

/* Fills len bytes with random bytes. Bulk bytes (message padding, up to
 * megabytes a second) come from wyrand seeded by one draw of r: its state
 * advances by an addition, so successive words do not wait on each other
 * and a KiB costs a fraction of what 128 xoshiro draws would. Deterministic
 * for a seed on every little-endian machine (words are stored in the
 * machine's byte order). */
static inline void rng_fill(rng *r, uint8_t *dst, size_t len) {
  uint64_t state = rng_next(r);
  for (; len >= 8; dst += 8, len -= 8) {
    state += 0xa0761d6478bd642full;
    __uint128_t m = (__uint128_t)state * (state ^ 0xe7037ed1a0b428dbull);
    uint64_t v = (uint64_t)(m >> 64) ^ (uint64_t)m;
    memcpy(dst, &v, 8);
  }
  if (len) {
    uint64_t v = rng_next(r);
    memcpy(dst, &v, len);
  }
}

#endif
