/* test_kcodec: round trips of every primitive, and the bounds checks that
 * keep hostile lengths and counts from reading past the buffer. */
#include <stdint.h>
#include <string.h>

#include "kcodec.h"
#include "sp_test.h"

TEST(fixed_width_round_trip) {
  sp_buf b = SP_BUF_INIT;
  kw_i8(&b, -5);
  kw_i16(&b, -12345);
  kw_i32(&b, INT32_MIN);
  kw_i64(&b, INT64_MAX);
  kw_u32(&b, 0xdeadbeefu);
  kreader r;
  kr_init(&r, b.data, b.len);
  CHECK_EQ_INT(kr_i8(&r), -5);
  CHECK_EQ_INT(kr_i16(&r), -12345);
  CHECK_EQ_INT(kr_i32(&r), INT32_MIN);
  CHECK_EQ_INT(kr_i64(&r), INT64_MAX);
  CHECK_EQ_U64(kr_u32(&r), 0xdeadbeefu);
  CHECK_EQ_INT(kr_remaining(&r), 0);
  CHECK(!r.err);
  /* big-endian on the wire */
  CHECK_EQ_INT(b.data[1], 0xcf);
  sp_buf_free(&b);
}

TEST(varints_zigzag) {
  static const int64_t vals[] = {0, -1, 1, 63, -64, 64, 300, -300, INT32_MAX, INT32_MIN,
                                 INT64_MAX, INT64_MIN};
  sp_buf b = SP_BUF_INIT;
  for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) kw_varint(&b, vals[i]);
  kreader r;
  kr_init(&r, b.data, b.len);
  for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) CHECK_EQ_INT(kr_varlong(&r), vals[i]);
  CHECK(!r.err);
  /* zigzag: -1 encodes as 0x01, 1 as 0x02 (protobuf/Kafka records) */
  sp_buf_reset(&b);
  kw_varint(&b, -1);
  kw_varint(&b, 1);
  CHECK_EQ_INT(b.data[0], 1);
  CHECK_EQ_INT(b.data[1], 2);
  /* a varint that does not fit 32 bits fails kr_varint */
  sp_buf_reset(&b);
  kw_varint(&b, (int64_t)INT32_MAX + 1);
  kr_init(&r, b.data, b.len);
  (void)kr_varint(&r);
  CHECK(r.err);
  sp_buf_free(&b);
}

TEST(uvarint_overlong_rejected) {
  uint8_t bad[11];
  memset(bad, 0xff, sizeof bad);
  kreader r;
  kr_init(&r, bad, sizeof bad);
  (void)kr_uvarint(&r);
  CHECK(r.err);
  uint8_t trunc[2] = {0x80, 0x80};
  kr_init(&r, trunc, sizeof trunc);
  (void)kr_uvarint(&r);
  CHECK(r.err);
}

TEST(strings_and_bytes) {
  sp_buf b = SP_BUF_INIT;
  kw_string(&b, "topic");
  kw_string(&b, NULL);
  kw_bytes(&b, "\x01\x02", 2);
  kw_bytes(&b, NULL, -1);
  kw_compact_string(&b, "rdkafka");
  kw_compact_string(&b, NULL);
  kreader r;
  kr_init(&r, b.data, b.len);
  CHECK(kslice_eq(kr_string(&r), "topic"));
  CHECK_EQ_INT(kr_string(&r).len, -1);
  kslice s = kr_bytes(&r);
  CHECK_EQ_INT(s.len, 2);
  CHECK_EQ_INT(s.ptr[1], 2);
  CHECK_EQ_INT(kr_bytes(&r).len, -1);
  CHECK(kslice_eq(kr_compact_string(&r), "rdkafka"));
  CHECK_EQ_INT(kr_compact_string(&r).len, -1);
  CHECK(!r.err);
  sp_buf_free(&b);
}

TEST(bad_lengths_fail_safely) {
  /* string claims 100 bytes, 3 present */
  uint8_t s1[] = {0x00, 0x64, 'a', 'b', 'c'};
  kreader r;
  kr_init(&r, s1, sizeof s1);
  kslice s = kr_string(&r);
  CHECK(r.err);
  CHECK_EQ_INT(s.len, -1);
  /* negative length other than -1 */
  uint8_t s2[] = {0xff, 0xfe};
  kr_init(&r, s2, sizeof s2);
  (void)kr_string(&r);
  CHECK(r.err);
  /* bytes with INT32_MIN length */
  uint8_t s3[] = {0x80, 0x00, 0x00, 0x00};
  kr_init(&r, s3, sizeof s3);
  (void)kr_bytes(&r);
  CHECK(r.err);
  /* sticky: every later read fails and returns zero */
  CHECK_EQ_INT(kr_i32(&r), 0);
  CHECK(r.err);
}

TEST(huge_array_counts_rejected) {
  uint8_t a1[] = {0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0};
  kreader r;
  kr_init(&r, a1, sizeof a1);
  CHECK_EQ_INT(kr_array(&r, 4), 0);
  CHECK(r.err);
  uint8_t a2[] = {0xff, 0xff, 0xff, 0xff};
  kr_init(&r, a2, sizeof a2);
  CHECK_EQ_INT(kr_array(&r, 4), -1); /* null array */
  CHECK(!r.err);
  uint8_t a3[] = {0xff, 0xff, 0xff, 0xfe};
  kr_init(&r, a3, sizeof a3);
  (void)kr_array(&r, 1);
  CHECK(r.err);
  uint8_t a4[] = {0x00, 0x00, 0x00, 0x02, 1, 2, 3, 4, 5, 6, 7, 8};
  kr_init(&r, a4, sizeof a4);
  CHECK_EQ_INT(kr_array(&r, 4), 2);
  CHECK(!r.err);
  uint8_t a5[] = {0x00, 0x00, 0x00, 0x03, 1, 2, 3, 4, 5, 6, 7, 8};
  kr_init(&r, a5, sizeof a5);
  (void)kr_array(&r, 4);
  CHECK(r.err);
}

TEST(tags_skipped_with_checks) {
  sp_buf b = SP_BUF_INIT;
  kw_uvarint(&b, 1);
  kw_uvarint(&b, 7);
  kw_uvarint(&b, 3);
  sp_buf_append(&b, "xyz", 3);
  kw_i8(&b, 42);
  kreader r;
  kr_init(&r, b.data, b.len);
  kr_skip_tags(&r);
  CHECK_EQ_INT(kr_i8(&r), 42);
  CHECK(!r.err);
  uint8_t bad[] = {0x01, 0x00, 0x10, 'a'};
  kr_init(&r, bad, sizeof bad);
  kr_skip_tags(&r);
  CHECK(r.err);
  sp_buf_free(&b);
}

TEST(reserve_and_patch) {
  sp_buf b = SP_BUF_INIT;
  size_t pos = kw_reserve_i32(&b);
  kw_string(&b, "abc");
  kw_patch_i32(&b, pos, (int32_t)(b.len - 4));
  kreader r;
  kr_init(&r, b.data, b.len);
  CHECK_EQ_INT(kr_i32(&r), 5);
  sp_buf_free(&b);
}

SP_TEST_MAIN(fixed_width_round_trip, varints_zigzag, uvarint_overlong_rejected,
             strings_and_bytes, bad_lengths_fail_safely, huge_array_counts_rejected,
             tags_skipped_with_checks, reserve_and_patch)
