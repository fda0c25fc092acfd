/* hash.h: the hash functions refstream uses (header only).
 *
 * rs_mix64 is the splitmix64 finaliser. It is part of the output contract:
 * a window result's "oh" field is the sum (mod 2^64) of rs_mix64(offset)
 * over the input offsets it covers, so an oracle can verify membership
 * exactly (README.md, "Coverage"). Never change it.
 *
 *   z = x + 0x9e3779b97f4a7c15
 *   z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
 *   z = (z ^ (z >> 27)) * 0x94d049bb133111eb
 *   return z ^ (z >> 31)                         (all mod 2^64)
 *
 * rs_hash_bytes is only for in-memory tables (not persisted, free to change). */
#ifndef RS_HASH_H
#define RS_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t rs_mix64(uint64_t x) {
  uint64_t z = x + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static inline uint64_t rs_hash_bytes(const void *data, size_t len, uint64_t seed) {
  const uint8_t *p = data;
  uint64_t h = seed ^ (len * 0x9e3779b97f4a7c15ull);
  while (len >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    h = rs_mix64(h ^ w);
    p += 8;
    len -= 8;
  }
  uint64_t w = 0;
  memcpy(&w, p, len);
  return rs_mix64(h ^ w ^ ((uint64_t)len << 56));
}

#endif
