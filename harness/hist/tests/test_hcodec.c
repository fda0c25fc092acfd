/* test_hcodec.c: HdrHistogram V2 compressed encoding, bytes and round trips. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "hcodec.h"
#include "samples.h"
#include "sp_test.h"

/* Inflates the encoded form out of a compressed form (test helper). */
static size_t inflate_all(const sp_buf *b, uint8_t *out, size_t cap) {
  uLongf n = cap;
  REQUIRE(b->len > 8);
  REQUIRE(uncompress(out, &n, b->data + 8, (uLong)(b->len - 8)) == Z_OK);
  return n;
}

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

TEST(varint_round_trip) {
  static const int64_t vals[] = {0, 1, -1, 63, -64, 64, 127, 128, 8191, 8192, -8193,
                                 (int64_t)1 << 55, ((int64_t)1 << 56) - 1, (int64_t)1 << 62,
                                 INT64_MAX, INT64_MIN, INT64_MIN + 1};
  for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
    uint8_t buf[16];
    size_t n = sp_hcodec_put_varint(buf, vals[i]);
    CHECK(n >= 1 && n <= 9);
    int64_t back = 0;
    CHECK_EQ_U64(sp_hcodec_get_varint(buf, buf + n, &back), n);
    CHECK_EQ_INT(back, vals[i]);
    CHECK_EQ_U64(sp_hcodec_get_varint(buf, buf + n - 1, &back), 0); /* cut short */
  }
  uint8_t buf[16];
  CHECK_EQ_U64(sp_hcodec_put_varint(buf, 0), 1);
  CHECK_EQ_U64(buf[0], 0);
  CHECK_EQ_U64(sp_hcodec_put_varint(buf, -1), 1); /* ZigZag: -1 -> 1 */
  CHECK_EQ_U64(buf[0], 1);
  CHECK_EQ_U64(sp_hcodec_put_varint(buf, 64), 2); /* 128: 0x80 0x01 */
  CHECK_EQ_U64(buf[0], 0x80);
  CHECK_EQ_U64(buf[1], 0x01);
  CHECK_EQ_U64(sp_hcodec_put_varint(buf, INT64_MIN), 9); /* 9th byte holds 8 bits */
  CHECK_EQ_U64(buf[8], 0xff);
}

/* The exact encoded bytes of a tiny histogram: header fields as declared in
 * hcodec.h and counts [1, 0, 0, 2] as varints 2 (1), 3 (-2: two zeros), 4 (2). */
TEST(encoded_bytes) {
  sp_hist *h = sp_hist_new();
  sp_hist_record(h, 0);
  sp_hist_record_n(h, 3, 2);
  sp_buf b = SP_BUF_INIT;
  char err[200];
  REQUIRE(sp_hcodec_encode(h, &b, err, sizeof err) == 0);
  CHECK_EQ_U64(be32(b.data), 0x1c849314u);
  CHECK_EQ_U64(be32(b.data + 4), b.len - 8);
  uint8_t enc[256];
  size_t n = inflate_all(&b, enc, sizeof enc);
  static const uint8_t want[] = {
      0x1c, 0x84, 0x93, 0x13, 0, 0, 0, 3,                /* cookie, payload length 3 */
      0, 0, 0, 0, 0, 0, 0, 3,                            /* offset 0, 3 significant figures */
      0, 0, 0, 0, 0, 0, 0, 1,                            /* lowest discernible 1 */
      0, 0, 0, 0, 0xd6, 0x93, 0xa4, 0x00,                /* highest trackable 3600000000 */
      0x3f, 0xf0, 0, 0, 0, 0, 0, 0,                      /* 1.0 */
      0x02, 0x03, 0x04};
  CHECK_EQ_U64(n, sizeof want);
  CHECK(memcmp(enc, want, sizeof want) == 0);
  sp_buf_free(&b);
  sp_hist_free(h);
}

/* Encode then decode gives the same count in every slot. */
TEST(round_trip) {
  for (int d = 0; d < DIST_COUNT; d++) {
    sp_hist *h = sp_hist_new(), *back = sp_hist_new();
    uint64_t seed = 77 + (uint64_t)d;
    for (int i = 0; i < 100000; i++) sp_hist_record(h, sample((dist)d, &seed));
    sp_hist_record_n(h, 0, 5);
    sp_buf b = SP_BUF_INIT;
    char err[200];
    REQUIRE(sp_hcodec_encode(h, &b, err, sizeof err) == 0);
    REQUIRE(sp_hcodec_decode(b.data, b.len, back, err, sizeof err) == 0);
    CHECK(memcmp(h->counts, back->counts, sizeof h->counts) == 0);
    CHECK_EQ_U64(back->total_count, h->total_count);
    CHECK_EQ_U64(sp_hist_min(back), sp_hist_min(h));
    CHECK_EQ_U64(sp_hist_max(back), sp_hist_max(h));
    CHECK(sp_hist_check(back) == NULL);
    sp_buf_free(&b);
    sp_hist_free(h);
    sp_hist_free(back);
  }
}

TEST(empty_round_trip) {
  sp_hist *h = sp_hist_new(), *back = sp_hist_new();
  sp_hist_record(back, 5); /* decode resets its output */
  sp_buf b = SP_BUF_INIT;
  char err[200];
  REQUIRE(sp_hcodec_encode(h, &b, err, sizeof err) == 0);
  REQUIRE(sp_hcodec_decode(b.data, b.len, back, err, sizeof err) == 0);
  CHECK(sp_hist_equal(h, back));
  sp_buf_free(&b);
  sp_hist_free(h);
  sp_hist_free(back);
}

/* Builds a compressed form from an encoded header + payload (for foreign
 * and corrupt inputs). */
static void build(sp_buf *out, uint32_t cookie, int32_t digits, int64_t lowest, int64_t highest,
                  const uint8_t *payload, size_t payload_len) {
  uint8_t enc[512];
  memset(enc, 0, 40);
  uint32_t c = 0x1c849313u;
  for (int i = 0; i < 4; i++) enc[i] = (uint8_t)(c >> (24 - 8 * i));
  for (int i = 0; i < 4; i++) enc[4 + i] = (uint8_t)(payload_len >> (24 - 8 * i));
  for (int i = 0; i < 4; i++) enc[12 + i] = (uint8_t)((uint32_t)digits >> (24 - 8 * i));
  for (int i = 0; i < 8; i++) enc[16 + i] = (uint8_t)((uint64_t)lowest >> (56 - 8 * i));
  for (int i = 0; i < 8; i++) enc[24 + i] = (uint8_t)((uint64_t)highest >> (56 - 8 * i));
  enc[32] = 0x3f;
  enc[33] = 0xf0;
  memcpy(enc + 40, payload, payload_len);
  uLongf zlen = compressBound(40 + payload_len);
  sp_buf_reset(out);
  uint8_t *dst = sp_buf_reserve(out, 8 + zlen);
  REQUIRE(compress(dst + 8, &zlen, enc, 40 + payload_len) == Z_OK);
  for (int i = 0; i < 4; i++) dst[i] = (uint8_t)(cookie >> (24 - 8 * i));
  for (int i = 0; i < 4; i++) dst[4 + i] = (uint8_t)(zlen >> (24 - 8 * i));
  sp_buf_commit(out, 8 + zlen);
}

/* A histogram declared with other parameters (nanosecond-style: lowest
 * discernible 1000 -> 512-unit slots, 2 digits -> 256 sub-buckets) decodes
 * value by value into ours. */
TEST(decodes_foreign_layout) {
  /* index 5: 5 * 512 = 2560; index 200: bucket 0 sub 200 -> 102400;
   * index 300: bucket 1, sub 172 -> 172 << 10 = 176128. */
  uint8_t payload[32];
  size_t n = 0;
  n += sp_hcodec_put_varint(payload + n, -5);
  n += sp_hcodec_put_varint(payload + n, 7);
  n += sp_hcodec_put_varint(payload + n, -194);
  n += sp_hcodec_put_varint(payload + n, 1);
  n += sp_hcodec_put_varint(payload + n, -99);
  n += sp_hcodec_put_varint(payload + n, 3);
  sp_buf b = SP_BUF_INIT;
  build(&b, 0x1c849314u, 2, 1000, 3600000000000ll, payload, n);
  sp_hist *h = sp_hist_new();
  char err[200];
  REQUIRE(sp_hcodec_decode(b.data, b.len, h, err, sizeof err) == 0);
  CHECK_EQ_U64(sp_hist_count(h), 11);
  CHECK_EQ_U64(sp_hist_count_at(h, 2560), 7);
  CHECK_EQ_U64(sp_hist_count_at(h, 102400), 1);
  CHECK_EQ_U64(sp_hist_count_at(h, 176128), 3);
  sp_buf_free(&b);
  sp_hist_free(h);
}

/* Corrupt or unsupported input: an error that says what, never a crash, and
 * the output left empty. */
TEST(rejects_bad_input) {
  sp_hist *h = sp_hist_new(), *ok = sp_hist_new();
  sp_hist_record_n(ok, 1234, 10);
  sp_buf good = SP_BUF_INIT, bad = SP_BUF_INIT;
  char err[200];
  REQUIRE(sp_hcodec_encode(ok, &good, err, sizeof err) == 0);
  struct {
    const char *what;
    size_t len;
  } cut[] = {{"shorter than the 8-byte", 5}, {"compressed length runs past", good.len - 1}};
  for (size_t i = 0; i < 2; i++) {
    sp_hist_record(h, 1);
    CHECK(sp_hcodec_decode(good.data, cut[i].len, h, err, sizeof err) == -1);
    CHECK(strstr(err, cut[i].what) != NULL);
    CHECK_EQ_U64(sp_hist_count(h), 0);
  }
  /* Flip every byte of the deflate stream in turn: each is rejected or, if
   * zlib cannot tell, decodes to a consistent histogram; nothing crashes. */
  for (size_t i = 8; i < good.len; i++) {
    sp_buf_reset(&bad);
    sp_buf_append(&bad, good.data, good.len);
    bad.data[i] ^= 0x5a;
    if (sp_hcodec_decode(bad.data, bad.len, h, err, sizeof err) == 0)
      CHECK(sp_hist_check(h) == NULL);
    else
      CHECK_EQ_U64(sp_hist_count(h), 0);
  }
  uint8_t v1[8] = {0x1c, 0x84, 0x93, 0x12, 0, 0, 0, 0};
  CHECK(sp_hcodec_decode(v1, sizeof v1, h, err, sizeof err) == -1);
  CHECK(strstr(err, "V1") != NULL);
  uint8_t payload[16];
  size_t n = sp_hcodec_put_varint(payload, -30000); /* zero run past the end */
  build(&bad, 0x1c849314u, 3, 1, 3600000000ll, payload, n);
  CHECK(sp_hcodec_decode(bad.data, bad.len, h, err, sizeof err) == -1);
  CHECK(strstr(err, "zero run past") != NULL);
  payload[0] = 0x80; /* a varint that never ends */
  build(&bad, 0x1c849314u, 3, 1, 3600000000ll, payload, 1);
  CHECK(sp_hcodec_decode(bad.data, bad.len, h, err, sizeof err) == -1);
  CHECK(strstr(err, "ends inside a number") != NULL);
  build(&bad, 0x1c849314u, 9, 1, 3600000000ll, payload, 0);
  CHECK(sp_hcodec_decode(bad.data, bad.len, h, err, sizeof err) == -1);
  CHECK(strstr(err, "significant figures") != NULL);
  sp_buf_free(&good);
  sp_buf_free(&bad);
  sp_hist_free(h);
  sp_hist_free(ok);
}

SP_TEST_MAIN(varint_round_trip, encoded_bytes, round_trip, empty_round_trip,
             decodes_foreign_layout, rejects_bad_input)
