/* batch_builder.h: builds (and reads back) Kafka RecordBatch v2 bytes, for
 * tests and benchmarks of anything that stores or serves batches.
 *
 * Records are written uncompressed, exactly as a producer would send them:
 * zigzag varints for every length, count and delta, null keys/values as
 * -1, headers with string keys and nullable values, the batch header fields
 * filled in and the CRC-32C computed over bytes [21, end). Typical use:
 *
 *   sp_buf out = SP_BUF_INIT;
 *   batch_builder b;
 *   batch_builder_begin(&b, &out, NULL);              // non-idempotent
 *   batch_builder_add(&b, ts_ms, "k", 1, "v", 1, NULL, 0);
 *   size_t n = batch_builder_finish(&b);               // batch appended to out
 *
 * For an idempotent producer pass options with producer_id, epoch and
 * base_sequence. Several batches may be built back to back into one buffer
 * (a Produce request's records field). batch_reader walks the records of an
 * uncompressed batch back out (keys, values, headers, absolute offsets and
 * timestamps), checking every length. */
#ifndef SP_TEST_BATCH_BUILDER_H
#define SP_TEST_BATCH_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

typedef struct batch_builder_opts {
  int64_t producer_id;        /* -1: not idempotent */
  int16_t producer_epoch;     /* -1 unless idempotent */
  int32_t base_sequence;      /* -1 unless idempotent */
  int16_t attributes;         /* e.g. RB_ATTR_TRANSACTIONAL; compression bits are only claimed */
  int64_t base_offset;        /* producers send 0 */
} batch_builder_opts;

#define BATCH_BUILDER_DEFAULTS ((batch_builder_opts){-1, -1, -1, 0, 0})

/* A record header: key is a string, value may be NULL (value_len -1). */
typedef struct batch_header_kv {
  const char *key;
  const void *value;
  int32_t value_len;
} batch_header_kv;

typedef struct batch_builder {
  sp_buf *out;
  size_t start;               /* where this batch begins in out */
  batch_builder_opts opts;
  int32_t count;
  int64_t base_timestamp_ms, max_timestamp_ms;
  sp_buf scratch;             /* one record's body */
} batch_builder;

/* Starts a batch at the end of out (opts NULL: BATCH_BUILDER_DEFAULTS). */
void batch_builder_begin(batch_builder *b, sp_buf *out, const batch_builder_opts *opts);

/* Adds a record. key/value NULL with length -1 means null. The first
 * record's timestamp is the batch's base timestamp. */
void batch_builder_add(batch_builder *b, int64_t timestamp_ms, const void *key, int32_t key_len,
                       const void *value, int32_t value_len, const batch_header_kv *headers,
                       int header_count);

/* Fills in the header and CRC. Returns the batch's size in bytes. At least
 * one record must have been added. */
size_t batch_builder_finish(batch_builder *b);

/* One call for the common case: `count` records without keys, each value
 * value_bytes long (bytes derived from the record's index so content can be
 * checked), timestamps timestamp_ms + i. Appends to out; returns the size. */
size_t batch_build_simple(sp_buf *out, int32_t count, size_t value_bytes, int64_t timestamp_ms,
                          const batch_builder_opts *opts);

/* The value byte batch_build_simple writes at position j of record i. */
uint8_t batch_simple_value_byte(int32_t i, size_t j);

/* ---- reading records back ------------------------------------------------ */

typedef struct batch_record {
  int64_t offset;             /* baseOffset + offsetDelta */
  int64_t timestamp_ms;       /* baseTimestamp + timestampDelta */
  const uint8_t *key;         /* NULL when null */
  int32_t key_len;            /* -1 when null */
  const uint8_t *value;
  int32_t value_len;
  int32_t header_count;
  const uint8_t *headers;     /* the encoded headers (batch_reader_header walks them) */
  size_t headers_bytes;
} batch_record;

typedef struct batch_reader {
  const uint8_t *p, *end;
  int64_t base_offset, base_timestamp_ms;
  int32_t remaining;
} batch_reader;

/* Starts reading the batch at bytes[0..len): checks magic, length, CRC and
 * that it is uncompressed. Returns 0, or -1 if it is not such a batch. */
int batch_reader_init(batch_reader *r, const uint8_t *bytes, size_t len);

/* 1: *rec is the next record; 0: no more; -1: a malformed record. */
int batch_reader_next(batch_reader *r, batch_record *rec);

/* The i-th header of rec: 0 with key/value filled in, -1 if out of range
 * or malformed. key is not NUL-terminated. */
int batch_record_header(const batch_record *rec, int32_t i, const uint8_t **key, int32_t *key_len,
                        const uint8_t **value, int32_t *value_len);

#endif
