/* hcodec.c: HdrHistogram V2 compressed encoding (layout drawn in hcodec.h). */
#include "hcodec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "mem.h"

/* Largest payload we agree to inflate: 9 bytes for each slot of the
 * biggest histogram HdrHistogram can declare (5 significant figures,
 * 2^18 sub-buckets, ~45 buckets) is ~100 MiB; real ones are kilobytes. A
 * bound so a corrupt length cannot make us allocate gigabytes. */
#define MAX_PAYLOAD_BYTES (128u << 20)

static void put_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}
static void put_be64(uint8_t *p, uint64_t v) {
  put_be32(p, (uint32_t)(v >> 32));
  put_be32(p + 4, (uint32_t)v);
}
static uint32_t get_be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint64_t get_be64(const uint8_t *p) {
  return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

size_t sp_hcodec_put_varint(uint8_t *p, int64_t value) {
  uint64_t v = ((uint64_t)value << 1) ^ (uint64_t)(value >> 63); /* ZigZag */
  size_t n = 0;
  while (n < 8 && v >= 0x80) {
    p[n++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  p[n++] = (uint8_t)v; /* 9th byte, if reached, holds the last 8 bits */
  return n;
}

size_t sp_hcodec_get_varint(const uint8_t *p, const uint8_t *end, int64_t *value) {
  uint64_t v = 0;
  size_t n = 0;
  for (;;) {
    if (p + n >= end) return 0;
    uint8_t b = p[n];
    if (n == 8) {
      v |= (uint64_t)b << 56;
      n++;
      break;
    }
    v |= (uint64_t)(b & 0x7f) << (7 * n);
    n++;
    if (!(b & 0x80)) break;
  }
  *value = (int64_t)((v >> 1) ^ (~(v & 1) + 1));
  return n;
}

/* Writes the 40-byte encoding header followed by the counts; returns the
 * encoded length. `enc` has room for 40 + 9 * limit bytes. */
static size_t encode_counts(const sp_hist *h, uint8_t *enc) {
  uint32_t limit = h->total_count ? sp_hist_index_of(h->max_us) + 1 : 1;
  size_t n = SP_HCODEC_HEADER_BYTES;
  for (uint32_t i = 0; i < limit;) {
    uint64_t c = h->counts[i++];
    if (c == 0 && i < limit && h->counts[i] == 0) {
      int64_t zeros = 1;
      while (i < limit && h->counts[i] == 0) {
        zeros++;
        i++;
      }
      n += sp_hcodec_put_varint(enc + n, -zeros);
    } else {
      SP_ASSERT(c <= INT64_MAX);
      n += sp_hcodec_put_varint(enc + n, (int64_t)c);
    }
  }
  double ratio = 1.0;
  uint64_t ratio_bits;
  memcpy(&ratio_bits, &ratio, sizeof ratio_bits);
  put_be32(enc, SP_HCODEC_ENCODING_COOKIE);
  put_be32(enc + 4, (uint32_t)(n - SP_HCODEC_HEADER_BYTES));
  put_be32(enc + 8, 0);
  put_be32(enc + 12, SP_HIST_SIGNIFICANT_FIGURES);
  put_be64(enc + 16, SP_HIST_LOWEST_DISCERNIBLE_US);
  put_be64(enc + 24, SP_HIST_HIGHEST_TRACKABLE_US);
  put_be64(enc + 32, ratio_bits);
  return n;
}

/* Deflates scratch into out (after the 8-byte compressed header) with a
 * reused stream; NULL or zlib's complaint. */
static const char *deflate_into(z_stream *zs, const sp_buf *scratch, sp_buf *out) {
  uLong bound = deflateBound(zs, (uLong)scratch->len);
  uint8_t *dst = sp_buf_reserve(out, 8 + bound);
  zs->next_in = scratch->data;
  zs->avail_in = (uInt)scratch->len;
  zs->next_out = dst + 8;
  zs->avail_out = (uInt)bound;
  int zrc = deflate(zs, Z_FINISH);
  size_t z_len = bound - zs->avail_out;
  deflateReset(zs);
  if (zrc != Z_STREAM_END) return zError(zrc);
  put_be32(dst, SP_HCODEC_COMPRESSED_COOKIE);
  put_be32(dst + 4, (uint32_t)z_len);
  sp_buf_commit(out, 8 + z_len);
  return NULL;
}

int sp_hcodec_encode_with(sp_hcodec_encoder *enc, const sp_hist *h, sp_buf *out, char *err,
                          size_t err_len) {
  if (!enc->zs) {
    z_stream *zs = sp_calloc(1, sizeof *zs);
    if (deflateInit(zs, SP_HCODEC_LEVEL) != Z_OK) {
      free(zs);
      snprintf(err, err_len, "deflate init failed");
      return -1;
    }
    enc->zs = zs;
  }
  uint32_t limit = h->total_count ? sp_hist_index_of(h->max_us) + 1 : 1;
  sp_buf_reset(&enc->scratch);
  uint8_t *raw = sp_buf_reserve(&enc->scratch, SP_HCODEC_HEADER_BYTES + 9 * (size_t)limit);
  sp_buf_commit(&enc->scratch, encode_counts(h, raw));
  const char *why = deflate_into(enc->zs, &enc->scratch, out);
  if (why) {
    snprintf(err, err_len, "deflate failed: %s", why);
    return -1;
  }
  return 0;
}

void sp_hcodec_encoder_free(sp_hcodec_encoder *enc) {
  if (enc->zs) {
    deflateEnd(enc->zs);
    free(enc->zs);
  }
  enc->zs = NULL;
  sp_buf_free(&enc->scratch);
}

int sp_hcodec_encode(const sp_hist *h, sp_buf *out, char *err, size_t err_len) {
  sp_hcodec_encoder enc = SP_HCODEC_ENCODER_INIT;
  int rc = sp_hcodec_encode_with(&enc, h, out, err, err_len);
  sp_hcodec_encoder_free(&enc);
  return rc;
}

/* ---- decoding ---------------------------------------------------------- */

/* The slot layout a foreign histogram declares (HdrHistogram's bucket
 * configuration, in integers). */
typedef struct layout {
  int unit_magnitude;
  int sub_half_magnitude;
  int64_t counts_len;
} layout;

/* Derives the layout from the declared parameters; NULL or what is wrong. */
static const char *layout_from(int64_t lowest, int64_t highest, int32_t digits, layout *l) {
  if (digits < 1 || digits > 5) return "significant figures not in 1..5";
  if (lowest < 1 || highest < 2 * lowest) return "lowest/highest trackable values out of order";
  int64_t largest_unit = 2;
  for (int i = 0; i < digits; i++) largest_unit *= 10;
  int m = 0;
  while ((1ll << m) < largest_unit) m++;
  l->sub_half_magnitude = (m > 1 ? m : 1) - 1;
  l->unit_magnitude = 63 - __builtin_clzll((uint64_t)lowest);
  if (l->unit_magnitude + l->sub_half_magnitude > 61) return "lowest discernible value too large";
  int64_t sub_count = 1ll << (l->sub_half_magnitude + 1);
  int64_t smallest_untrackable = sub_count << l->unit_magnitude;
  int64_t buckets = 1;
  while (smallest_untrackable <= highest) {
    if (smallest_untrackable > INT64_MAX / 2) {
      buckets++;
      break;
    }
    smallest_untrackable <<= 1;
    buckets++;
  }
  l->counts_len = (buckets + 1) * (sub_count / 2);
  return NULL;
}

static uint64_t layout_value_at(const layout *l, int64_t index) {
  int64_t half = 1ll << l->sub_half_magnitude;
  int64_t bucket = (index >> l->sub_half_magnitude) - 1;
  int64_t sub = (index & (half - 1)) + half;
  if (bucket < 0) {
    sub -= half;
    bucket = 0;
  }
  return (uint64_t)sub << (bucket + l->unit_magnitude);
}

/* Checks the 40-byte encoding header; NULL or what is wrong. */
static const char *check_header(const uint8_t *h, layout *l, uint32_t *payload_len) {
  uint32_t cookie = get_be32(h);
  if ((cookie & ~0xf0u) == 0x1c849301u) return "V1 encoding (word-size counts) not supported";
  if ((cookie & ~0xf0u) != 0x1c849303u) return "not a V2 histogram encoding (cookie mismatch)";
  *payload_len = get_be32(h + 4);
  if (*payload_len > MAX_PAYLOAD_BYTES) return "payload length out of bounds";
  if (get_be32(h + 8) != 0) return "normalizing index offset not supported";
  double ratio;
  uint64_t bits = get_be64(h + 32);
  memcpy(&ratio, &bits, sizeof ratio);
  if (ratio != 1.0) return "conversion ratio is not 1 (a DoubleHistogram?): not supported";
  return layout_from((int64_t)get_be64(h + 16), (int64_t)get_be64(h + 24),
                     (int32_t)get_be32(h + 12), l);
}

/* Inflates exactly want bytes from [in, in+len) into out; NULL or why not. */
static const char *inflate_exact(const uint8_t *in, size_t len, uint8_t *out, size_t want) {
  z_stream zs;
  memset(&zs, 0, sizeof zs);
  if (inflateInit(&zs) != Z_OK) return "inflate init failed";
  zs.next_in = (Bytef *)in;
  zs.avail_in = (uInt)len;
  zs.next_out = out;
  zs.avail_out = (uInt)want;
  int zrc = inflate(&zs, Z_FINISH);
  size_t got = want - zs.avail_out;
  inflateEnd(&zs);
  if (zrc == Z_STREAM_END && got == want) return NULL;
  if (zrc == Z_DATA_ERROR) return "corrupt deflate stream";
  if (zrc == Z_STREAM_END) return "deflate stream shorter than its declared length";
  return "deflate stream longer than declared, or cut short";
}

/* Reads the counts payload into out; NULL or what is wrong. */
static const char *decode_counts(const uint8_t *p, const uint8_t *end, const layout *l,
                                 sp_hist *out) {
  int64_t index = 0;
  while (p < end) {
    int64_t v;
    size_t n = sp_hcodec_get_varint(p, end, &v);
    if (n == 0) return "counts payload ends inside a number";
    p += n;
    if (v < 0) {
      if (v < -(int64_t)INT32_MAX || index - v > l->counts_len) return "zero run past the last slot";
      index -= v;
      continue;
    }
    if (index >= l->counts_len) return "more counts than the declared histogram has slots";
    if (v > 0) {
      if (out->total_count + (uint64_t)v < out->total_count) return "total count overflows";
      sp_hist_record_n(out, (int64_t)layout_value_at(l, index), (uint64_t)v);
    }
    index++;
  }
  return NULL;
}

int sp_hcodec_decode(const uint8_t *in, size_t len, sp_hist *out, char *err, size_t err_len) {
  sp_hist_reset(out);
  const char *why = NULL;
  uint8_t *enc = NULL;
  layout l;
  uint32_t payload_len = 0;
  if (len < 8) {
    why = "shorter than the 8-byte compressed header";
  } else if ((get_be32(in) & ~0xf0u) != 0x1c849304u) {
    why = (get_be32(in) & ~0xf0u) == 0x1c849302u ? "V1 compressed histogram not supported"
                                                 : "not a V2 compressed histogram (cookie mismatch)";
  } else if (get_be32(in + 4) > len - 8) {
    why = "compressed length runs past the end of the data";
  } else {
    uint8_t head[SP_HCODEC_HEADER_BYTES];
    size_t zlen = get_be32(in + 4);
    /* First the header alone (a stream too short for it is an error)... */
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    int zrc = inflateInit(&zs);
    zs.next_in = (Bytef *)(in + 8);
    zs.avail_in = (uInt)zlen;
    zs.next_out = head;
    zs.avail_out = sizeof head;
    if (zrc == Z_OK) zrc = inflate(&zs, Z_SYNC_FLUSH);
    int head_ok = (zrc == Z_OK || zrc == Z_STREAM_END) && zs.avail_out == 0;
    inflateEnd(&zs);
    if (!head_ok) why = "cannot inflate the 40-byte encoding header";
    if (!why) why = check_header(head, &l, &payload_len);
    /* ...then the whole stream, now that its size is known. */
    if (!why) {
      enc = sp_malloc(SP_HCODEC_HEADER_BYTES + (size_t)payload_len);
      why = inflate_exact(in + 8, zlen, enc, SP_HCODEC_HEADER_BYTES + (size_t)payload_len);
    }
    if (!why)
      why = decode_counts(enc + SP_HCODEC_HEADER_BYTES,
                          enc + SP_HCODEC_HEADER_BYTES + payload_len, &l, out);
  }
  free(enc);
  if (why) {
    sp_hist_reset(out);
    snprintf(err, err_len, "%s", why);
    return -1;
  }
  return 0;
}
