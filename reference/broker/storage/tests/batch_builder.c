/* batch_builder.c: see batch_builder.h. */
#include "batch_builder.h"

#include <string.h>

#include "crc32c.h"
#include "kcodec.h"
#include "record_batch.h"
#include "sp_assert.h"

void batch_builder_begin(batch_builder *b, sp_buf *out, const batch_builder_opts *opts) {
  memset(b, 0, sizeof *b);
  b->out = out;
  b->start = out->len;
  b->opts = opts ? *opts : BATCH_BUILDER_DEFAULTS;
  b->base_timestamp_ms = b->max_timestamp_ms = -1;
  memset(sp_buf_reserve(out, RB_HEADER_BYTES), 0, RB_HEADER_BYTES); /* filled by finish */
  sp_buf_commit(out, RB_HEADER_BYTES);
}

/* A varint-length-prefixed byte string; NULL/-1 writes the null length. */
static void put_varbytes(sp_buf *b, const void *data, int32_t len) {
  if (!data || len < 0) {
    kw_varint(b, -1);
    return;
  }
  kw_varint(b, len);
  sp_buf_append(b, data, (size_t)len);
}

/* Record, all varints zigzag-encoded:
 *   length | attributes i8 | timestampDelta | offsetDelta | keyLen | key |
 *   valueLen | value | headerCount | [hkeyLen | hkey | hvalLen | hval]...
 * where length counts everything after itself. */
void batch_builder_add(batch_builder *b, int64_t timestamp_ms, const void *key, int32_t key_len,
                       const void *value, int32_t value_len, const batch_header_kv *headers,
                       int header_count) {
  if (b->count == 0) b->base_timestamp_ms = timestamp_ms;
  if (timestamp_ms > b->max_timestamp_ms) b->max_timestamp_ms = timestamp_ms;
  sp_buf *r = &b->scratch;
  sp_buf_reset(r);
  kw_i8(r, 0);
  kw_varint(r, timestamp_ms - b->base_timestamp_ms);
  kw_varint(r, b->count);
  put_varbytes(r, key, key_len);
  put_varbytes(r, value, value_len);
  kw_varint(r, header_count);
  for (int i = 0; i < header_count; i++) {
    put_varbytes(r, headers[i].key, (int32_t)strlen(headers[i].key));
    put_varbytes(r, headers[i].value, headers[i].value_len);
  }
  kw_varint(b->out, (int64_t)r->len);
  sp_buf_append(b->out, r->data, r->len);
  b->count++;
}

size_t batch_builder_finish(batch_builder *b) {
  SP_ASSERT(b->count > 0);
  uint8_t *h = b->out->data + b->start;
  size_t total = b->out->len - b->start;
  k_store64(h, (uint64_t)b->opts.base_offset);
  k_store32(h + 8, (uint32_t)(total - RB_LOG_OVERHEAD));
  k_store32(h + 12, 0);
  h[16] = RB_MAGIC_V2;
  k_store16(h + 21, (uint16_t)b->opts.attributes);
  k_store32(h + 23, (uint32_t)(b->count - 1));
  k_store64(h + 27, (uint64_t)b->base_timestamp_ms);
  k_store64(h + 35, (uint64_t)b->max_timestamp_ms);
  k_store64(h + 43, (uint64_t)b->opts.producer_id);
  k_store16(h + 51, (uint16_t)b->opts.producer_epoch);
  k_store32(h + 53, (uint32_t)b->opts.base_sequence);
  k_store32(h + 57, (uint32_t)b->count);
  k_store32(h + 17, sp_crc32c(0, h + RB_CRC_START, total - RB_CRC_START));
  sp_buf_free(&b->scratch);
  return total;
}

uint8_t batch_simple_value_byte(int32_t i, size_t j) {
  return (uint8_t)('a' + ((size_t)i * 7 + j) % 26);
}

size_t batch_build_simple(sp_buf *out, int32_t count, size_t value_bytes, int64_t timestamp_ms,
                          const batch_builder_opts *opts) {
  batch_builder b;
  batch_builder_begin(&b, out, opts);
  sp_buf value = SP_BUF_INIT;
  uint8_t *v = sp_buf_reserve(&value, value_bytes + 1);
  for (int32_t i = 0; i < count; i++) {
    for (size_t j = 0; j < value_bytes; j++) v[j] = batch_simple_value_byte(i, j);
    batch_builder_add(&b, timestamp_ms + i, NULL, -1, v, (int32_t)value_bytes, NULL, 0);
  }
  sp_buf_free(&value);
  return batch_builder_finish(&b);
}

/* ---- reading back -------------------------------------------------------- */

int batch_reader_init(batch_reader *r, const uint8_t *bytes, size_t len) {
  rb_header h;
  if (rb_check(bytes, len, &h) != RB_OK || (h.attributes & RB_ATTR_COMPRESSION_MASK)) return -1;
  r->p = bytes + RB_HEADER_BYTES;
  r->end = bytes + rb_total_bytes(&h);
  r->base_offset = h.base_offset;
  r->base_timestamp_ms = h.base_timestamp_ms;
  r->remaining = h.record_count;
  return 0;
}

/* Reads a varint-length-prefixed byte string (-1: null). */
static void get_varbytes(kreader *k, const uint8_t **data, int32_t *len) {
  *len = kr_varint(k);
  *data = NULL;
  if (*len < -1) k->err = 1;
  if (*len >= 0) *data = kr_raw(k, (size_t)*len);
}

int batch_reader_next(batch_reader *r, batch_record *rec) {
  if (r->remaining == 0) return r->p == r->end ? 0 : -1;
  kreader k;
  kr_init(&k, r->p, (size_t)(r->end - r->p));
  int32_t len = kr_varint(&k);
  if (k.err || len < 0 || (size_t)len > kr_remaining(&k)) return -1;
  const uint8_t *body_end = k.p + len;
  kr_init(&k, k.p, (size_t)len);
  (void)kr_i8(&k);
  rec->timestamp_ms = r->base_timestamp_ms + kr_varlong(&k);
  rec->offset = r->base_offset + kr_varint(&k);
  get_varbytes(&k, &rec->key, &rec->key_len);
  get_varbytes(&k, &rec->value, &rec->value_len);
  rec->header_count = kr_varint(&k);
  rec->headers = k.p;
  rec->headers_bytes = kr_remaining(&k);
  for (int32_t i = 0; i < rec->header_count && !k.err; i++) {
    const uint8_t *d;
    int32_t l;
    get_varbytes(&k, &d, &l);
    if (l < 0) k.err = 1; /* header keys are never null */
    get_varbytes(&k, &d, &l);
  }
  if (k.err || rec->header_count < 0 || kr_remaining(&k) != 0) return -1;
  r->p = body_end;
  r->remaining--;
  return 1;
}

int batch_record_header(const batch_record *rec, int32_t i, const uint8_t **key, int32_t *key_len,
                        const uint8_t **value, int32_t *value_len) {
  if (i < 0 || i >= rec->header_count) return -1;
  kreader k;
  kr_init(&k, rec->headers, rec->headers_bytes);
  for (int32_t n = 0; n <= i && !k.err; n++) {
    get_varbytes(&k, key, key_len);
    get_varbytes(&k, value, value_len);
  }
  return k.err ? -1 : 0;
}
