/* kcodec.h: Kafka wire-protocol primitives, decoded with bounds checks.
 *
 * Everything on the wire is big-endian. The classic (non-flexible) encoding:
 *
 *   int8/16/32/64     fixed width, big-endian
 *   STRING            int16 length N, then N bytes (N = -1: null)
 *   BYTES             int32 length N, then N bytes (N = -1: null)
 *   ARRAY             int32 count N, then N elements (N = -1: null)
 *
 * Flexible versions (only ApiVersions v3 in this project) add:
 *
 *   UNSIGNED_VARINT   7 bits per byte, low group first, high bit = more
 *   COMPACT_STRING    uvarint N+1, then N bytes (0: null)
 *   COMPACT_ARRAY     uvarint N+1, then N elements (0: null)
 *   TAG_BUFFER        uvarint count, then [uvarint tag, uvarint size, bytes]
 *
 * and RecordBatch v2 records use zigzag VARINT/VARLONG ((n << 1) ^ (n >> 63)).
 *
 * The reader has a sticky error: any read past the end (or a negative or
 * impossible length or count) sets r->err, returns 0 or an empty slice, and
 * leaves the cursor at the end, so every later read fails too. A decoder can
 * therefore read a whole request and check r->err once, and no length from a
 * client can make it read out of bounds or allocate unbounded memory:
 * kr_array() refuses any count that could not fit in the bytes that remain. */
#ifndef SP_KCODEC_H
#define SP_KCODEC_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

typedef struct kreader {
  const uint8_t *p;
  const uint8_t *end;
  int err; /* non-zero once any read failed */
} kreader;

/* A view into the request buffer. len == -1 means null. */
typedef struct kslice {
  const uint8_t *ptr;
  int32_t len;
} kslice;

void kr_init(kreader *r, const void *buf, size_t len);
size_t kr_remaining(const kreader *r);

int8_t kr_i8(kreader *r);
int16_t kr_i16(kreader *r);
int32_t kr_i32(kreader *r);
int64_t kr_i64(kreader *r);
uint32_t kr_u32(kreader *r);
uint64_t kr_uvarint(kreader *r);  /* unsigned, at most 10 bytes */
int64_t kr_varlong(kreader *r);   /* zigzag, 64-bit */
int32_t kr_varint(kreader *r);    /* zigzag, must fit 32 bits */

kslice kr_string(kreader *r);          /* int16 length */
kslice kr_bytes(kreader *r);           /* int32 length */
kslice kr_compact_string(kreader *r);  /* uvarint length + 1 */
const uint8_t *kr_raw(kreader *r, size_t len); /* len bytes or NULL + err */

/* Reads an int32 array count. Returns -1 for a null array. Fails (err, 0)
 * when count < -1 or count * min_elem_bytes exceeds the remaining bytes:
 * the guard against "huge array count" inputs. */
int32_t kr_array(kreader *r, size_t min_elem_bytes);
/* Same for a COMPACT_ARRAY (uvarint count + 1). */
int32_t kr_compact_array(kreader *r, size_t min_elem_bytes);
/* Skips a TAG_BUFFER (flexible versions), checking every size. */
void kr_skip_tags(kreader *r);

/* Compares a slice with a C string (a null slice equals nothing). */
int kslice_eq(kslice s, const char *cstr);

/* ---- writer: appends big-endian fields to an sp_buf ------------------- */
void kw_i8(sp_buf *b, int8_t v);
void kw_i16(sp_buf *b, int16_t v);
void kw_i32(sp_buf *b, int32_t v);
void kw_i64(sp_buf *b, int64_t v);
void kw_u32(sp_buf *b, uint32_t v);
void kw_uvarint(sp_buf *b, uint64_t v);
void kw_varint(sp_buf *b, int64_t v); /* zigzag */
/* STRING from a C string; NULL writes the null string (-1). */
void kw_string(sp_buf *b, const char *s);
void kw_string_len(sp_buf *b, const void *s, int16_t len);
/* BYTES; data NULL with len -1 writes null. */
void kw_bytes(sp_buf *b, const void *data, int32_t len);
void kw_compact_string(sp_buf *b, const char *s);
void kw_empty_tags(sp_buf *b);
/* Reserves an int32 to fill in later (sizes, counts); returns its position. */
size_t kw_reserve_i32(sp_buf *b);
void kw_patch_i32(sp_buf *b, size_t pos, int32_t v);

/* Raw big-endian loads and stores on memory the caller bounds-checked. */
static inline uint16_t k_load16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t k_load32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint64_t k_load64(const uint8_t *p) {
  return (uint64_t)k_load32(p) << 32 | k_load32(p + 4);
}
static inline void k_store16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void k_store32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static inline void k_store64(uint8_t *p, uint64_t v) {
  k_store32(p, (uint32_t)(v >> 32));
  k_store32(p + 4, (uint32_t)v);
}

#endif
