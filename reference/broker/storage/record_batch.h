/* record_batch.h: Kafka RecordBatch v2 headers, checked before they touch disk.
 *
 * The storage engine treats a batch as opaque bytes: it reads the 61-byte
 * header (offsets, counts, producer fields, timestamps), checks the CRC-32C
 * over the rest, and rewrites only the baseOffset field. Records are never
 * decompressed or re-encoded, so one CRC pass is the only per-byte work. The
 * layout is drawn above rb_decode_header in record_batch.c. */
#ifndef REFBROKER_RECORD_BATCH_H
#define REFBROKER_RECORD_BATCH_H

#include <stddef.h>
#include <stdint.h>

#define RB_LOG_OVERHEAD 12        /* baseOffset i64 + batchLength i32 */
#define RB_HEADER_BYTES 61        /* everything before the first record */
#define RB_CRC_START 21           /* the CRC covers [21, end) */
#define RB_MAGIC_V2 2
#define RB_MIN_RECORD_BYTES 7     /* length, attrs, ts, offset, key, value, headers: 1 byte each */

#define RB_ATTR_COMPRESSION_MASK 0x07 /* 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd */
#define RB_ATTR_LOG_APPEND_TIME 0x08
#define RB_ATTR_TRANSACTIONAL 0x10
#define RB_ATTR_CONTROL 0x20
#define RB_COMPRESSION_MAX 4

/* The decoded header of one batch (all fields as on the wire). */
typedef struct rb_header {
  int64_t base_offset;
  int32_t batch_length; /* bytes after this field: total size - 12 */
  int32_t partition_leader_epoch;
  int8_t magic;
  uint32_t crc;
  int16_t attributes;
  int32_t last_offset_delta;
  int64_t base_timestamp_ms;
  int64_t max_timestamp_ms;
  int64_t producer_id; /* -1: not idempotent */
  int16_t producer_epoch;
  int32_t base_sequence;
  int32_t record_count;
} rb_header;

/* What is wrong with the bytes at a position (RB_OK: nothing). Recovery
 * logs these words; the append path maps them to Kafka error codes. */
typedef enum {
  RB_OK = 0,
  RB_INCOMPLETE,   /* fewer bytes than the header or batchLength claims */
  RB_BAD_LENGTH,   /* batchLength too small for a header, or absurd */
  RB_BAD_MAGIC,    /* magic is not 2 */
  RB_BAD_CRC,      /* CRC-32C over [21, end) does not match */
  RB_BAD_FIELDS,   /* counts, deltas, compression, producer fields or timestamps */
} rb_status;

/* Decodes and checks the header at p (avail bytes readable). Does not need
 * the whole batch and does not check the CRC. On RB_OK, h is filled and
 * rb_total_bytes(h) is the batch's size (it may exceed avail: the caller
 * checks). On RB_BAD_MAGIC, h->magic is set; on a later status the fields
 * decoded so far are set. */
rb_status rb_decode_header(const uint8_t *p, size_t avail, rb_header *h);

/* Checks a whole batch: rb_decode_header, all of it present in avail bytes,
 * and the CRC. */
rb_status rb_check(const uint8_t *p, size_t avail, rb_header *h);

/* Total size in bytes of the batch with this header. */
static inline size_t rb_total_bytes(const rb_header *h) {
  return (size_t)h->batch_length + RB_LOG_OVERHEAD;
}
static inline int64_t rb_last_offset(const rb_header *h) {
  return h->base_offset + h->last_offset_delta;
}

/* The batch's last sequence number: base + lastOffsetDelta, wrapping past
 * INT32_MAX to 0 as Kafka's producers do. */
int32_t rb_last_sequence(const rb_header *h);

/* Writes the broker-assigned base offset into the batch at p (the field is
 * outside the CRC, so nothing else changes). */
void rb_set_base_offset(uint8_t *p, int64_t base_offset);

/* One word for logs ("torn", "bad CRC", ...). */
const char *rb_status_str(rb_status st);

/* The Kafka error code a producer gets for a batch with this status. */
int rb_status_kerr(rb_status st);

#endif
