/* test_response_codec.c: every response encoder, read back field by field
 * with the bounds-checked reader (the whole body must be consumed exactly),
 * ApiVersions against hand-checked bytes, and the advertised version table
 * against the feature gates librdkafka and kafka-python depend on. */
#include <string.h>

#include "kcodec.h"
#include "messages.h"
#include "protocol.h"
#include "sp_test.h"

static void reader_of(kreader *r, const sp_buf *b) { kr_init(r, b->data, b->len); }
#define DONE(r) CHECK((r)->err == 0 && kr_remaining(r) == 0)

TEST(version_table_is_sound) {
  int n;
  const api_version_range *t = protocol_versions(&n);
  REQUIRE(n >= 14);
  for (int i = 0; i < n; i++) {
    CHECK(t[i].min_version <= t[i].max_version);
    if (i) CHECK(t[i - 1].key < t[i].key); /* ordered and unique */
  }
  /* librdkafka feature gates (rdkafka_feature.c): the range must overlap */
  const api_version_range *p = protocol_find(API_PRODUCE), *f = protocol_find(API_FETCH);
  REQUIRE(p && f);
  CHECK(p->min_version <= 3 && p->max_version >= 3 && p->max_version <= 8);
  CHECK(f->min_version <= 4 && f->max_version >= 4 && f->max_version <= 11);
  CHECK_EQ_INT(protocol_find(API_FIND_COORDINATOR)->min_version, 0);
  CHECK_EQ_INT(protocol_find(API_INIT_PRODUCER_ID)->min_version, 0);
  CHECK(protocol_find(API_INIT_PRODUCER_ID)->max_version <= 1); /* v2+ is flexible */
  CHECK_EQ_INT(protocol_find(API_API_VERSIONS)->min_version, 0);
  CHECK_EQ_INT(protocol_find(API_API_VERSIONS)->max_version, 3);
  CHECK(protocol_find(API_LIST_OFFSETS)->max_version >= 1);
  CHECK(protocol_find(API_OFFSET_FETCH)->max_version <= 5);  /* v6+ is flexible */
  CHECK(protocol_find(API_METADATA)->max_version <= 8);      /* v9+ is flexible */
  /* kafka-python's hard-coded versions must be in range */
  CHECK(protocol_find(API_METADATA)->min_version <= 1);
  CHECK(protocol_find(API_OFFSET_COMMIT)->min_version <= 2);
  CHECK(protocol_find(API_OFFSET_FETCH)->min_version <= 1);
  CHECK(protocol_find(API_JOIN_GROUP)->min_version <= 2);
  CHECK(protocol_find(API_LIST_OFFSETS)->min_version <= 1);
  CHECK(protocol_find(99) == NULL);
}

TEST(api_versions_v0_v3_bytes) {
  int n;
  const api_version_range *t = protocol_versions(&n);
  sp_buf b = SP_BUF_INIT;
  api_versions_response_encode(&b, 0, KERR_UNSUPPORTED_VERSION);
  REQUIRE(b.len == 2 + 4 + 6 * (size_t)n);
  CHECK(b.data[0] == 0 && b.data[1] == 35);
  CHECK_EQ_INT(k_load32(b.data + 2), n);
  CHECK_EQ_INT(k_load16(b.data + 6), t[0].key);
  sp_buf_reset(&b);
  api_versions_response_encode(&b, 3, 0);
  /* error, uvarint N+1, N x {key, min, max, tag 0}, throttle, tag 0 */
  REQUIRE(n < 127);
  REQUIRE(b.len == 2 + 1 + 7 * (size_t)n + 4 + 1);
  CHECK_EQ_INT(b.data[2], n + 1);
  static const uint8_t produce[] = {0x00, 0x00, 0x00, 0x03, 0x00, 0x07, 0x00};
  CHECK(memcmp(b.data + 3, produce, sizeof produce) == 0);
  CHECK_EQ_INT(b.data[b.len - 1], 0);
  sp_buf_reset(&b);
  api_versions_response_encode(&b, 1, 0);
  CHECK_EQ_INT(b.len, 2 + 4 + 6 * (size_t)n + 4);
  sp_buf_free(&b);
}

TEST(metadata_response_versions) {
  metadata_partition parts[2] = {{0, 0, 7}, {0, 1, 7}};
  metadata_topic topics[2] = {{0, "t", 1, 2, parts}, {KERR_UNKNOWN_TOPIC_OR_PARTITION, "x", 1, 0, NULL}};
  metadata_response resp = {7, "127.0.0.1", 9092, "refbroker", 2, topics};
  for (int16_t v = 0; v <= 4; v++) {
    sp_buf b = SP_BUF_INIT;
    metadata_response_encode(&b, v, &resp);
    kreader r;
    reader_of(&r, &b);
    if (v >= 3) CHECK_EQ_INT(kr_i32(&r), 0);
    CHECK_EQ_INT(kr_i32(&r), 1);
    CHECK_EQ_INT(kr_i32(&r), 7);
    CHECK(kslice_eq(kr_string(&r), "127.0.0.1"));
    CHECK_EQ_INT(kr_i32(&r), 9092);
    if (v >= 1) CHECK_EQ_INT(kr_string(&r).len, -1); /* rack */
    if (v >= 2) CHECK(kslice_eq(kr_string(&r), "refbroker"));
    if (v >= 1) CHECK_EQ_INT(kr_i32(&r), 7); /* controller: this broker */
    CHECK_EQ_INT(kr_i32(&r), 2);
    CHECK_EQ_INT(kr_i16(&r), 0);
    CHECK(kslice_eq(kr_string(&r), "t"));
    if (v >= 1) CHECK_EQ_INT(kr_i8(&r), 0);
    CHECK_EQ_INT(kr_i32(&r), 2);
    for (int p = 0; p < 2; p++) {
      CHECK_EQ_INT(kr_i16(&r), 0);
      CHECK_EQ_INT(kr_i32(&r), p);
      CHECK_EQ_INT(kr_i32(&r), 7);
      CHECK_EQ_INT(kr_i32(&r), 1);
      CHECK_EQ_INT(kr_i32(&r), 7);
      CHECK_EQ_INT(kr_i32(&r), 1);
      CHECK_EQ_INT(kr_i32(&r), 7);
    }
    CHECK_EQ_INT(kr_i16(&r), KERR_UNKNOWN_TOPIC_OR_PARTITION);
    CHECK(kslice_eq(kr_string(&r), "x"));
    if (v >= 1) kr_i8(&r);
    CHECK_EQ_INT(kr_i32(&r), 0);
    DONE(&r);
    sp_buf_free(&b);
  }
}

TEST(produce_response_versions) {
  produce_partition pp[2] = {{.index = 0, .error = 0, .base_offset = 100, .log_start_offset = 5},
                             {.index = 3, .error = KERR_CORRUPT_MESSAGE, .base_offset = 9, .log_start_offset = 0}};
  produce_topic pt = {{(const uint8_t *)"t", 1}, 2, pp};
  produce_request req = {.acks = -1, .n_topics = 1, .topics = &pt};
  for (int16_t v = 3; v <= 7; v++) {
    sp_buf b = SP_BUF_INIT;
    produce_response_encode(&b, v, &req);
    kreader r;
    reader_of(&r, &b);
    CHECK_EQ_INT(kr_i32(&r), 1);
    CHECK(kslice_eq(kr_string(&r), "t"));
    CHECK_EQ_INT(kr_i32(&r), 2);
    CHECK_EQ_INT(kr_i32(&r), 0);
    CHECK_EQ_INT(kr_i16(&r), 0);
    CHECK_EQ_INT(kr_i64(&r), 100);
    CHECK_EQ_INT(kr_i64(&r), -1); /* log append time: CreateTime */
    if (v >= 5) CHECK_EQ_INT(kr_i64(&r), 5);
    CHECK_EQ_INT(kr_i32(&r), 3);
    CHECK_EQ_INT(kr_i16(&r), KERR_CORRUPT_MESSAGE);
    CHECK_EQ_INT(kr_i64(&r), -1); /* no offset for a refused batch */
    CHECK_EQ_INT(kr_i64(&r), -1);
    if (v >= 5) CHECK_EQ_INT(kr_i64(&r), 0);
    CHECK_EQ_INT(kr_i32(&r), 0); /* throttle last */
    DONE(&r);
    sp_buf_free(&b);
  }
}

TEST(list_offsets_response_versions) {
  list_offsets_partition lp = {.index = 2, .timestamp = -1, .max_num_offsets = 1, .error = 0,
                               .found_timestamp = -1, .offset = 77};
  list_offsets_topic lt = {{(const uint8_t *)"t", 1}, 1, &lp};
  list_offsets_request req = {.n_topics = 1, .topics = &lt};
  for (int16_t v = 0; v <= 2; v++) {
    sp_buf b = SP_BUF_INIT;
    list_offsets_response_encode(&b, v, &req);
    kreader r;
    reader_of(&r, &b);
    if (v >= 2) CHECK_EQ_INT(kr_i32(&r), 0);
    CHECK_EQ_INT(kr_i32(&r), 1);
    CHECK(kslice_eq(kr_string(&r), "t"));
    CHECK_EQ_INT(kr_i32(&r), 1);
    CHECK_EQ_INT(kr_i32(&r), 2);
    CHECK_EQ_INT(kr_i16(&r), 0);
    if (v == 0) {
      CHECK_EQ_INT(kr_i32(&r), 1);
      CHECK_EQ_INT(kr_i64(&r), 77);
    } else {
      CHECK_EQ_INT(kr_i64(&r), -1);
      CHECK_EQ_INT(kr_i64(&r), 77);
    }
    DONE(&r);
    sp_buf_free(&b);
  }
}

TEST(create_topics_response_versions) {
  create_topic ct = {.name = {(const uint8_t *)"nt", 2}, .error = KERR_INVALID_CONFIG,
                     .error_message = "no"};
  create_topics_request req = {.n_topics = 1, .topics = &ct};
  for (int16_t v = 0; v <= 4; v++) {
    sp_buf b = SP_BUF_INIT;
    create_topics_response_encode(&b, v, &req);
    kreader r;
    reader_of(&r, &b);
    if (v >= 2) CHECK_EQ_INT(kr_i32(&r), 0);
    CHECK_EQ_INT(kr_i32(&r), 1);
    CHECK(kslice_eq(kr_string(&r), "nt"));
    CHECK_EQ_INT(kr_i16(&r), KERR_INVALID_CONFIG);
    if (v >= 1) CHECK(kslice_eq(kr_string(&r), "no"));
    DONE(&r);
    sp_buf_free(&b);
  }
}

TEST(find_coordinator_response_versions) {
  find_coordinator_response resp = {0, NULL, 1, "localhost", 9093};
  for (int16_t v = 0; v <= 2; v++) {
    sp_buf b = SP_BUF_INIT;
    find_coordinator_response_encode(&b, v, &resp);
    kreader r;
    reader_of(&r, &b);
    if (v >= 1) CHECK_EQ_INT(kr_i32(&r), 0);
    CHECK_EQ_INT(kr_i16(&r), 0);
    if (v >= 1) CHECK_EQ_INT(kr_string(&r).len, -1);
    CHECK_EQ_INT(kr_i32(&r), 1);
    CHECK(kslice_eq(kr_string(&r), "localhost"));
    CHECK_EQ_INT(kr_i32(&r), 9093);
    DONE(&r);
    sp_buf_free(&b);
  }
}

TEST(offset_commit_and_fetch_responses) {
  offset_commit_partition op = {.index = 1, .error = KERR_ILLEGAL_GENERATION};
  offset_commit_topic ot = {{(const uint8_t *)"t", 1}, 1, &op};
  offset_commit_request creq = {.n_topics = 1, .topics = &ot};
  for (int16_t v = 2; v <= 7; v++) {
    sp_buf b = SP_BUF_INIT;
    offset_commit_response_encode(&b, v, &creq);
    kreader r;
    reader_of(&r, &b);
    if (v >= 3) CHECK_EQ_INT(kr_i32(&r), 0);
    CHECK_EQ_INT(kr_i32(&r), 1);
    CHECK(kslice_eq(kr_string(&r), "t"));
    CHECK_EQ_INT(kr_i32(&r), 1);
    CHECK_EQ_INT(kr_i32(&r), 1);
    CHECK_EQ_INT(kr_i16(&r), KERR_ILLEGAL_GENERATION);
    DONE(&r);
    sp_buf_free(&b);
  }
  offset_fetch_partition fp[2] = {{0, 42, "meta", 0}, {1, -1, NULL, 0}};
  offset_fetch_topic ft = {"t", 1, 2, fp};
  offset_fetch_response fresp = {1, &ft, 0};
  for (int16_t v = 1; v <= 5; v++) {
    sp_buf b = SP_BUF_INIT;
    offset_fetch_response_encode(&b, v, &fresp);
    kreader r;
    reader_of(&r, &b);
    if (v >= 3) CHECK_EQ_INT(kr_i32(&r), 0);
    CHECK_EQ_INT(kr_i32(&r), 1);
    CHECK(kslice_eq(kr_string(&r), "t"));
    CHECK_EQ_INT(kr_i32(&r), 2);
    CHECK_EQ_INT(kr_i32(&r), 0);
    CHECK_EQ_INT(kr_i64(&r), 42);
    if (v >= 5) CHECK_EQ_INT(kr_i32(&r), -1);
    CHECK(kslice_eq(kr_string(&r), "meta"));
    CHECK_EQ_INT(kr_i16(&r), 0);
    CHECK_EQ_INT(kr_i32(&r), 1);
    CHECK_EQ_INT(kr_i64(&r), -1);
    if (v >= 5) kr_i32(&r);
    CHECK(kslice_eq(kr_string(&r), ""));
    CHECK_EQ_INT(kr_i16(&r), 0);
    if (v >= 2) CHECK_EQ_INT(kr_i16(&r), 0);
    DONE(&r);
    sp_buf_free(&b);
  }
}

TEST(producer_id_and_group_responses) {
  sp_buf b = SP_BUF_INIT;
  init_producer_id_response ip = {0, 1001, 0};
  init_producer_id_response_encode(&b, 1, &ip);
  kreader r;
  reader_of(&r, &b);
  CHECK_EQ_INT(kr_i32(&r), 0);
  CHECK_EQ_INT(kr_i16(&r), 0);
  CHECK_EQ_INT(kr_i64(&r), 1001);
  CHECK_EQ_INT(kr_i16(&r), 0);
  DONE(&r);

  join_group_member members[2] = {{"m1", NULL, (const uint8_t *)"ab", 2}, {"m2", "i2", (const uint8_t *)"", 0}};
  join_group_response jr = {0, 4, "range", "m1", "m1", 2, members};
  for (int16_t v = 0; v <= 5; v++) {
    sp_buf_reset(&b);
    join_group_response_encode(&b, v, &jr);
    reader_of(&r, &b);
    if (v >= 2) CHECK_EQ_INT(kr_i32(&r), 0);
    CHECK_EQ_INT(kr_i16(&r), 0);
    CHECK_EQ_INT(kr_i32(&r), 4);
    CHECK(kslice_eq(kr_string(&r), "range"));
    CHECK(kslice_eq(kr_string(&r), "m1"));
    CHECK(kslice_eq(kr_string(&r), "m1"));
    CHECK_EQ_INT(kr_i32(&r), 2);
    CHECK(kslice_eq(kr_string(&r), "m1"));
    if (v >= 5) CHECK_EQ_INT(kr_string(&r).len, -1);
    CHECK_EQ_INT(kr_bytes(&r).len, 2);
    CHECK(kslice_eq(kr_string(&r), "m2"));
    if (v >= 5) CHECK(kslice_eq(kr_string(&r), "i2"));
    CHECK_EQ_INT(kr_bytes(&r).len, 0);
    DONE(&r);
  }
  for (int16_t v = 0; v <= 3; v++) {
    sp_buf_reset(&b);
    sync_group_response_encode(&b, v, 0, (const uint8_t *)"xyz", 3);
    reader_of(&r, &b);
    if (v >= 1) CHECK_EQ_INT(kr_i32(&r), 0);
    CHECK_EQ_INT(kr_i16(&r), 0);
    kslice a = kr_bytes(&r);
    CHECK(a.len == 3 && memcmp(a.ptr, "xyz", 3) == 0);
    DONE(&r);
    sp_buf_reset(&b);
    error_only_response_encode(&b, v, KERR_REBALANCE_IN_PROGRESS);
    reader_of(&r, &b);
    if (v >= 1) CHECK_EQ_INT(kr_i32(&r), 0);
    CHECK_EQ_INT(kr_i16(&r), KERR_REBALANCE_IN_PROGRESS);
    DONE(&r);
  }
  sp_buf_free(&b);
}

TEST(error_names) {
  CHECK_EQ_STR(kerr_name(KERR_CORRUPT_MESSAGE), "CORRUPT_MESSAGE");
  CHECK_EQ_STR(kerr_name(KERR_OFFSET_OUT_OF_RANGE), "OFFSET_OUT_OF_RANGE");
  CHECK_EQ_STR(kerr_name(12345), "UNKNOWN_ERROR_CODE");
  CHECK_EQ_STR(protocol_api_name(API_FETCH), "Fetch");
}

SP_TEST_MAIN(version_table_is_sound, api_versions_v0_v3_bytes, metadata_response_versions,
             produce_response_versions, list_offsets_response_versions,
             create_topics_response_versions, find_coordinator_response_versions,
             offset_commit_and_fetch_responses, producer_id_and_group_responses, error_names)
