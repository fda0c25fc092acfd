/* test_record_batch: RecordBatch v2 header validation and the test builder
 * (the builder's bytes must be what real producers send, so other tests'
 * batches mean something). */
#include <string.h>

#include "batch_builder.h"
#include "crc32c.h"
#include "kcodec.h"
#include "record_batch.h"
#include "sp_test.h"
#include "store.h"

/* Re-computes the CRC after a test edited header fields. */
static void fix_crc(sp_buf *b) {
  k_store32(b->data + 17, sp_crc32c(0, b->data + RB_CRC_START, b->len - RB_CRC_START));
}

TEST(builder_layout_matches_kafka) {
  sp_buf b = SP_BUF_INIT;
  batch_builder_opts o = {1001, 0, 0, 0, 0};
  size_t n = batch_build_simple(&b, 5, 10, 1700000000000, &o);
  CHECK_EQ_INT(n, b.len);
  rb_header h;
  REQUIRE(rb_check(b.data, b.len, &h) == RB_OK);
  CHECK_EQ_INT(h.batch_length, (int64_t)n - 12);
  CHECK_EQ_INT(h.magic, 2);
  CHECK_EQ_INT(h.record_count, 5);
  CHECK_EQ_INT(h.last_offset_delta, 4);
  CHECK_EQ_INT(h.base_timestamp_ms, 1700000000000);
  CHECK_EQ_INT(h.max_timestamp_ms, 1700000000004);
  CHECK_EQ_INT(h.producer_id, 1001);
  CHECK_EQ_INT(h.producer_epoch, 0);
  CHECK_EQ_INT(h.base_sequence, 0);
  /* First record: length 16 = attrs(1) tsDelta(1) offDelta(1) keyLen(1)
   * valueLen(1) value(10) headers(1), zigzag-encoded as 0x20; a null key
   * is zigzag(-1) = 0x01, valueLen zigzag(10) = 0x14. */
  const uint8_t *r = b.data + RB_HEADER_BYTES;
  CHECK_EQ_INT(r[0], 0x20);
  CHECK_EQ_INT(r[1], 0);
  CHECK_EQ_INT(r[4], 0x01);
  CHECK_EQ_INT(r[5], 0x14);
  sp_buf_free(&b);
}

TEST(reader_round_trips_keys_values_headers) {
  sp_buf b = SP_BUF_INIT;
  batch_builder bb;
  batch_builder_begin(&bb, &b, NULL);
  batch_header_kv hdrs[2] = {{"h1", "v1", 2}, {"h2", NULL, -1}};
  batch_builder_add(&bb, 1000, "key", 3, "value", 5, hdrs, 2);
  batch_builder_add(&bb, 999, NULL, -1, NULL, -1, NULL, 0); /* earlier timestamp: negative delta */
  uint8_t big[300];
  memset(big, 'x', sizeof big);
  batch_builder_add(&bb, 2000, big, 200, big, 300, NULL, 0); /* multi-byte varints */
  batch_builder_finish(&bb);
  rb_set_base_offset(b.data, 42);

  batch_reader r;
  REQUIRE(batch_reader_init(&r, b.data, b.len) == 0);
  batch_record rec;
  REQUIRE(batch_reader_next(&r, &rec) == 1);
  CHECK_EQ_INT(rec.offset, 42);
  CHECK_EQ_INT(rec.timestamp_ms, 1000);
  CHECK(rec.key_len == 3 && memcmp(rec.key, "key", 3) == 0);
  CHECK(rec.value_len == 5 && memcmp(rec.value, "value", 5) == 0);
  CHECK_EQ_INT(rec.header_count, 2);
  const uint8_t *k, *v;
  int32_t kl, vl;
  REQUIRE(batch_record_header(&rec, 1, &k, &kl, &v, &vl) == 0);
  CHECK(kl == 2 && memcmp(k, "h2", 2) == 0 && vl == -1 && v == NULL);
  REQUIRE(batch_reader_next(&r, &rec) == 1);
  CHECK_EQ_INT(rec.offset, 43);
  CHECK_EQ_INT(rec.timestamp_ms, 999);
  CHECK(rec.key == NULL && rec.key_len == -1 && rec.value == NULL);
  REQUIRE(batch_reader_next(&r, &rec) == 1);
  CHECK(rec.key_len == 200 && rec.value_len == 300);
  CHECK_EQ_INT(batch_reader_next(&r, &rec), 0);
  rb_header h;
  REQUIRE(rb_check(b.data, b.len, &h) == RB_OK);
  CHECK_EQ_INT(h.max_timestamp_ms, 2000);
  CHECK_EQ_INT(h.base_timestamp_ms, 1000);
  sp_buf_free(&b);
}

TEST(every_truncation_is_incomplete) {
  sp_buf b = SP_BUF_INIT;
  batch_build_simple(&b, 3, 20, 5, NULL);
  rb_header h;
  for (size_t len = 0; len < b.len; len++) CHECK_EQ_INT(rb_check(b.data, len, &h), RB_INCOMPLETE);
  CHECK_EQ_INT(rb_check(b.data, b.len, &h), RB_OK);
  sp_buf_free(&b);
}

TEST(every_bit_flip_in_crc_range_is_caught) {
  sp_buf b = SP_BUF_INIT;
  batch_build_simple(&b, 2, 8, 5, NULL);
  rb_header h;
  for (size_t pos = RB_CRC_START - 4; pos < b.len; pos++)
    for (int bit = 0; bit < 8; bit++) {
      b.data[pos] ^= (uint8_t)(1 << bit);
      CHECK(rb_check(b.data, b.len, &h) != RB_OK);
      b.data[pos] ^= (uint8_t)(1 << bit);
    }
  /* Fields outside the CRC: base offset and leader epoch may change. */
  rb_set_base_offset(b.data, 123456789);
  k_store32(b.data + 12, 7);
  CHECK_EQ_INT(rb_check(b.data, b.len, &h), RB_OK);
  CHECK_EQ_INT(h.base_offset, 123456789);
  sp_buf_free(&b);
}

TEST(bad_fields_are_refused_with_the_right_error) {
  sp_buf b = SP_BUF_INIT;
  rb_header h;
  batch_build_simple(&b, 3, 8, 5, NULL);
  b.data[16] = 1; /* magic 1 */
  CHECK_EQ_INT(rb_check(b.data, b.len, &h), RB_BAD_MAGIC);
  CHECK_EQ_INT(rb_status_kerr(RB_BAD_MAGIC), KERR_UNSUPPORTED_FOR_MESSAGE_FORMAT);
  b.data[16] = 2;
  k_store32(b.data + 8, 10); /* batchLength smaller than a header */
  CHECK_EQ_INT(rb_check(b.data, b.len, &h), RB_BAD_LENGTH);
  k_store32(b.data + 8, (uint32_t)(b.len - 12));

  k_store32(b.data + 57, 4); /* recordCount != lastOffsetDelta + 1 */
  fix_crc(&b);
  CHECK_EQ_INT(rb_check(b.data, b.len, &h), RB_BAD_FIELDS);
  CHECK_EQ_INT(rb_status_kerr(RB_BAD_FIELDS), KERR_INVALID_RECORD);
  k_store32(b.data + 57, 0); /* zero records */
  k_store32(b.data + 23, (uint32_t)-1);
  fix_crc(&b);
  CHECK_EQ_INT(rb_check(b.data, b.len, &h), RB_BAD_FIELDS);
  k_store32(b.data + 57, 3);
  k_store32(b.data + 23, 2);

  k_store16(b.data + 21, 5); /* compression codec 5 does not exist */
  fix_crc(&b);
  CHECK_EQ_INT(rb_check(b.data, b.len, &h), RB_BAD_FIELDS);
  k_store16(b.data + 21, RB_ATTR_TRANSACTIONAL); /* transactional without producer id */
  fix_crc(&b);
  CHECK_EQ_INT(rb_check(b.data, b.len, &h), RB_BAD_FIELDS);
  k_store16(b.data + 21, 0);
  k_store64(b.data + 43, 5); /* producer id without epoch / sequence */
  fix_crc(&b);
  CHECK_EQ_INT(rb_check(b.data, b.len, &h), RB_BAD_FIELDS);
  k_store64(b.data + 43, (uint64_t)-1);
  k_store64(b.data + 35, 1); /* maxTimestamp below baseTimestamp (CreateTime) */
  fix_crc(&b);
  CHECK_EQ_INT(rb_check(b.data, b.len, &h), RB_BAD_FIELDS);
  k_store64(b.data + 35, 7);
  k_store32(b.data + 57, 1000); /* more records than the bytes could hold */
  k_store32(b.data + 23, 999);
  fix_crc(&b);
  CHECK_EQ_INT(rb_check(b.data, b.len, &h), RB_BAD_FIELDS);
  k_store16(b.data + 21, 4); /* ...unless compressed: counts are opaque then */
  fix_crc(&b);
  CHECK_EQ_INT(rb_check(b.data, b.len, &h), RB_OK);
  sp_buf_free(&b);
}

TEST(last_sequence_wraps_like_kafka) {
  rb_header h = {0};
  h.base_sequence = 10;
  h.last_offset_delta = 4;
  CHECK_EQ_INT(rb_last_sequence(&h), 14);
  h.base_sequence = INT32_MAX - 1;
  h.last_offset_delta = 3; /* INT32_MAX-1, INT32_MAX, 0, 1 */
  CHECK_EQ_INT(rb_last_sequence(&h), 1);
  h.base_sequence = INT32_MAX;
  h.last_offset_delta = 0;
  CHECK_EQ_INT(rb_last_sequence(&h), INT32_MAX);
}

SP_TEST_MAIN(builder_layout_matches_kafka, reader_round_trips_keys_values_headers,
             every_truncation_is_incomplete, every_bit_flip_in_crc_range_is_caught,
             bad_fields_are_refused_with_the_right_error, last_sequence_wraps_like_kafka)
