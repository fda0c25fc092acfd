/* record_batch.c: see record_batch.h. */
#include "record_batch.h"

#include "crc32c.h"
#include "kcodec.h"
#include "store.h"

/* RecordBatch v2, big-endian (DefaultRecordBatch.java in Kafka 3.4):
 *
 *   off  size  field
 *     0     8  baseOffset             rewritten by the broker
 *     8     4  batchLength            total size - 12
 *    12     4  partitionLeaderEpoch   outside the CRC
 *    16     1  magic = 2
 *    17     4  crc                    CRC-32C over [21, end)
 *    21     2  attributes             bits 0-2 compression, 3 LogAppendTime,
 *                                     4 transactional, 5 control
 *    23     4  lastOffsetDelta        recordCount - 1
 *    27     8  baseTimestamp
 *    35     8  maxTimestamp
 *    43     8  producerId             -1 unless idempotent
 *    51     2  producerEpoch
 *    53     4  baseSequence
 *    57     4  recordCount
 *    61     .  records (one compressed blob if compression != 0)
 *
 * Checks, in this order so the error names the first thing wrong: enough
 * bytes for the magic, magic 2, batchLength large enough for the header and
 * small enough to be real, then the fields: recordCount >= 1 and equal to
 * lastOffsetDelta + 1, a known compression codec, producer fields all set or
 * all absent (a transactional batch needs a producer id), timestamps >= -1,
 * maxTimestamp >= baseTimestamp for CreateTime, and for uncompressed batches
 * at least RB_MIN_RECORD_BYTES per record. */
rb_status rb_decode_header(const uint8_t *p, size_t avail, rb_header *h) {
  if (avail < 17) return RB_INCOMPLETE;
  h->base_offset = (int64_t)k_load64(p);
  h->batch_length = (int32_t)k_load32(p + 8);
  h->partition_leader_epoch = (int32_t)k_load32(p + 12);
  h->magic = (int8_t)p[16];
  if (h->magic != RB_MAGIC_V2) return RB_BAD_MAGIC;
  if (h->batch_length < RB_HEADER_BYTES - RB_LOG_OVERHEAD || h->batch_length > INT32_MAX - 64)
    return RB_BAD_LENGTH;
  if (avail < RB_HEADER_BYTES) return RB_INCOMPLETE;
  h->crc = k_load32(p + 17);
  h->attributes = (int16_t)k_load16(p + 21);
  h->last_offset_delta = (int32_t)k_load32(p + 23);
  h->base_timestamp_ms = (int64_t)k_load64(p + 27);
  h->max_timestamp_ms = (int64_t)k_load64(p + 35);
  h->producer_id = (int64_t)k_load64(p + 43);
  h->producer_epoch = (int16_t)k_load16(p + 51);
  h->base_sequence = (int32_t)k_load32(p + 53);
  h->record_count = (int32_t)k_load32(p + 57);

  if (h->record_count < 1 || h->last_offset_delta != h->record_count - 1) return RB_BAD_FIELDS;
  int compression = h->attributes & RB_ATTR_COMPRESSION_MASK;
  if (compression > RB_COMPRESSION_MAX) return RB_BAD_FIELDS;
  if (h->producer_id >= 0) {
    if (h->producer_epoch < 0 || h->base_sequence < 0) return RB_BAD_FIELDS;
  } else if (h->producer_id != -1 || (h->attributes & RB_ATTR_TRANSACTIONAL)) {
    return RB_BAD_FIELDS;
  }
  if (h->base_timestamp_ms < -1 || h->max_timestamp_ms < -1) return RB_BAD_FIELDS;
  if (!(h->attributes & RB_ATTR_LOG_APPEND_TIME) && h->max_timestamp_ms < h->base_timestamp_ms)
    return RB_BAD_FIELDS;
  size_t records_bytes = (size_t)h->batch_length + RB_LOG_OVERHEAD - RB_HEADER_BYTES;
  if (compression == 0 && (size_t)h->record_count > records_bytes / RB_MIN_RECORD_BYTES)
    return RB_BAD_FIELDS;
  return RB_OK;
}

rb_status rb_check(const uint8_t *p, size_t avail, rb_header *h) {
  rb_status st = rb_decode_header(p, avail, h);
  if (st != RB_OK) return st;
  size_t total = rb_total_bytes(h);
  if (avail < total) return RB_INCOMPLETE;
  if (sp_crc32c(0, p + RB_CRC_START, total - RB_CRC_START) != h->crc) return RB_BAD_CRC;
  return RB_OK;
}

int32_t rb_last_sequence(const rb_header *h) {
  int64_t last = (int64_t)h->base_sequence + h->last_offset_delta;
  if (last > INT32_MAX) last -= (int64_t)INT32_MAX + 1;
  return (int32_t)last;
}

void rb_set_base_offset(uint8_t *p, int64_t base_offset) { k_store64(p, (uint64_t)base_offset); }

const char *rb_status_str(rb_status st) {
  switch (st) {
  case RB_OK: return "ok";
  case RB_INCOMPLETE: return "torn (incomplete batch)";
  case RB_BAD_LENGTH: return "bad batch length";
  case RB_BAD_MAGIC: return "bad magic";
  case RB_BAD_CRC: return "bad CRC";
  case RB_BAD_FIELDS: return "inconsistent header fields";
  }
  return "?";
}

int rb_status_kerr(rb_status st) {
  switch (st) {
  case RB_OK: return KERR_NONE;
  case RB_BAD_MAGIC: return KERR_UNSUPPORTED_FOR_MESSAGE_FORMAT;
  case RB_BAD_FIELDS: return KERR_INVALID_RECORD;
  case RB_INCOMPLETE:
  case RB_BAD_LENGTH:
  case RB_BAD_CRC: return KERR_CORRUPT_MESSAGE;
  }
  return KERR_CORRUPT_MESSAGE;
}
