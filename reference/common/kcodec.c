/* kcodec.c: see kcodec.h for the encodings and the sticky-error contract. */
#include "kcodec.h"

#include <string.h>

void kr_init(kreader *r, const void *buf, size_t len) {
  r->p = buf;
  r->end = r->p + len;
  r->err = 0;
}

size_t kr_remaining(const kreader *r) { return (size_t)(r->end - r->p); }

/* Marks the reader failed and parks the cursor at the end. */
static void kr_fail(kreader *r) {
  r->err = 1;
  r->p = r->end;
}

const uint8_t *kr_raw(kreader *r, size_t len) {
  if (r->err || kr_remaining(r) < len) {
    kr_fail(r);
    return NULL;
  }
  const uint8_t *p = r->p;
  r->p += len;
  return p;
}

int8_t kr_i8(kreader *r) {
  const uint8_t *p = kr_raw(r, 1);
  return p ? (int8_t)p[0] : 0;
}
int16_t kr_i16(kreader *r) {
  const uint8_t *p = kr_raw(r, 2);
  return p ? (int16_t)k_load16(p) : 0;
}
int32_t kr_i32(kreader *r) {
  const uint8_t *p = kr_raw(r, 4);
  return p ? (int32_t)k_load32(p) : 0;
}
uint32_t kr_u32(kreader *r) {
  const uint8_t *p = kr_raw(r, 4);
  return p ? k_load32(p) : 0;
}
int64_t kr_i64(kreader *r) {
  const uint8_t *p = kr_raw(r, 8);
  return p ? (int64_t)k_load64(p) : 0;
}

uint64_t kr_uvarint(kreader *r) {
  uint64_t v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    const uint8_t *p = kr_raw(r, 1);
    if (!p) return 0;
    if (shift == 63 && (*p & 0x7e)) break; /* would overflow 64 bits */
    v |= (uint64_t)(*p & 0x7f) << shift;
    if (!(*p & 0x80)) return v;
  }
  kr_fail(r);
  return 0;
}

int64_t kr_varlong(kreader *r) {
  uint64_t z = kr_uvarint(r);
  return (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
}

int32_t kr_varint(kreader *r) {
  int64_t v = kr_varlong(r);
  if (v < INT32_MIN || v > INT32_MAX) {
    kr_fail(r);
    return 0;
  }
  return (int32_t)v;
}

/* Reads len bytes as a slice; len -1 is null, any other negative fails. */
static kslice kr_slice(kreader *r, int64_t len) {
  kslice s = {NULL, -1};
  if (r->err) return s;
  if (len == -1) return s;
  if (len < 0 || (uint64_t)len > kr_remaining(r)) {
    kr_fail(r);
    return s;
  }
  s.ptr = kr_raw(r, (size_t)len);
  s.len = (int32_t)len;
  return s;
}

kslice kr_string(kreader *r) { return kr_slice(r, kr_i16(r)); }
kslice kr_bytes(kreader *r) { return kr_slice(r, kr_i32(r)); }

kslice kr_compact_string(kreader *r) {
  uint64_t n = kr_uvarint(r);
  if (r->err) return (kslice){NULL, -1};
  if (n > INT32_MAX) {
    kr_fail(r);
    return (kslice){NULL, -1};
  }
  return kr_slice(r, (int64_t)n - 1);
}

/* Shared count check: count * min_elem_bytes must fit in what remains. */
static int32_t kr_check_count(kreader *r, int64_t count, size_t min_elem_bytes) {
  if (r->err) return 0;
  if (count == -1) return -1;
  if (count < 0 || count > INT32_MAX ||
      (uint64_t)count * (min_elem_bytes ? min_elem_bytes : 1) > kr_remaining(r)) {
    kr_fail(r);
    return 0;
  }
  return (int32_t)count;
}

int32_t kr_array(kreader *r, size_t min_elem_bytes) {
  return kr_check_count(r, kr_i32(r), min_elem_bytes);
}

int32_t kr_compact_array(kreader *r, size_t min_elem_bytes) {
  uint64_t n = kr_uvarint(r);
  if (r->err) return 0;
  if (n > (uint64_t)INT32_MAX + 1) {
    kr_fail(r);
    return 0;
  }
  return kr_check_count(r, (int64_t)n - 1, min_elem_bytes);
}

void kr_skip_tags(kreader *r) {
  uint64_t count = kr_uvarint(r);
  if (count > kr_remaining(r) / 2) { /* each tag takes at least two bytes */
    kr_fail(r);
    return;
  }
  for (uint64_t i = 0; i < count && !r->err; i++) {
    (void)kr_uvarint(r); /* tag */
    uint64_t size = kr_uvarint(r);
    if (size > kr_remaining(r)) kr_fail(r);
    else kr_raw(r, (size_t)size);
  }
}

int kslice_eq(kslice s, const char *cstr) {
  if (s.len < 0) return 0;
  size_t n = strlen(cstr);
  return (size_t)s.len == n && memcmp(s.ptr, cstr, n) == 0;
}

/* ---- writer ----------------------------------------------------------- */

void kw_i8(sp_buf *b, int8_t v) { sp_buf_append(b, &v, 1); }
void kw_i16(sp_buf *b, int16_t v) {
  k_store16(sp_buf_reserve(b, 2), (uint16_t)v);
  sp_buf_commit(b, 2);
}
void kw_i32(sp_buf *b, int32_t v) {
  k_store32(sp_buf_reserve(b, 4), (uint32_t)v);
  sp_buf_commit(b, 4);
}
void kw_u32(sp_buf *b, uint32_t v) {
  k_store32(sp_buf_reserve(b, 4), v);
  sp_buf_commit(b, 4);
}
void kw_i64(sp_buf *b, int64_t v) {
  k_store64(sp_buf_reserve(b, 8), (uint64_t)v);
  sp_buf_commit(b, 8);
}

void kw_uvarint(sp_buf *b, uint64_t v) {
  uint8_t *p = sp_buf_reserve(b, 10);
  size_t n = 0;
  while (v >= 0x80) {
    p[n++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  p[n++] = (uint8_t)v;
  sp_buf_commit(b, n);
}

void kw_varint(sp_buf *b, int64_t v) {
  kw_uvarint(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

void kw_string_len(sp_buf *b, const void *s, int16_t len) {
  kw_i16(b, len);
  if (len > 0) sp_buf_append(b, s, (size_t)len);
}

void kw_string(sp_buf *b, const char *s) {
  if (!s) {
    kw_i16(b, -1);
    return;
  }
  size_t n = strlen(s);
  kw_string_len(b, s, (int16_t)(n > INT16_MAX ? INT16_MAX : n));
}

void kw_bytes(sp_buf *b, const void *data, int32_t len) {
  kw_i32(b, len);
  if (len > 0) sp_buf_append(b, data, (size_t)len);
}

void kw_compact_string(sp_buf *b, const char *s) {
  if (!s) {
    kw_uvarint(b, 0);
    return;
  }
  size_t n = strlen(s);
  kw_uvarint(b, n + 1);
  sp_buf_append(b, s, n);
}

void kw_empty_tags(sp_buf *b) { kw_uvarint(b, 0); }

size_t kw_reserve_i32(sp_buf *b) {
  size_t pos = b->len;
  kw_i32(b, 0);
  return pos;
}

void kw_patch_i32(sp_buf *b, size_t pos, int32_t v) { k_store32(b->data + pos, (uint32_t)v); }
