/* test_request_codec.c: every request decoder, at every supported version:
 * a well-formed body decodes to the fields that were encoded; every strict
 * prefix of it fails cleanly (each prefix sits in an exactly-sized heap
 * block, so ASan catches any read past it); huge array counts fail without
 * allocating; random byte flips never crash. Plus request header parsing. */
#include <stdlib.h>
#include <string.h>

#include "kcodec.h"
#include "messages.h"
#include "request.h"
#include "sp_test.h"

typedef int (*decode_fn)(kreader *r, int16_t version, arena *a, void *out);

/* Decodes len bytes copied into an exact-size block. */
static int decode_copy(decode_fn fn, int16_t version, const uint8_t *data, size_t len, void *out) {
  uint8_t *copy = malloc(len ? len : 1);
  if (len) memcpy(copy, data, len);
  kreader r;
  kr_init(&r, copy, len);
  arena a = ARENA_INIT;
  int rc = fn(&r, version, &a, out);
  arena_free(&a);
  free(copy);
  return rc;
}

/* Every strict prefix must fail; the whole body must succeed. */
static int all_prefixes_fail(decode_fn fn, int16_t version, const sp_buf *body, void *out) {
  for (size_t len = 0; len < body->len; len++)
    if (decode_copy(fn, version, body->data, len, out) == 0) {
      fprintf(stderr, "# prefix of %zu/%zu bytes decoded (version %d)\n", len, body->len, version);
      return 0;
    }
  return decode_copy(fn, version, body->data, body->len, out) == 0;
}

/* Flips random bytes; decoding must never crash or read out of bounds. */
static void fuzz(decode_fn fn, int16_t version, const sp_buf *body, void *out) {
  uint32_t seed = 12345u + (uint32_t)version;
  uint8_t *copy = malloc(body->len);
  for (int round = 0; round < 300; round++) {
    memcpy(copy, body->data, body->len);
    for (int k = 0; k < 3; k++) {
      seed = seed * 1103515245u + 12345u;
      size_t pos = (seed >> 8) % body->len;
      seed = seed * 1103515245u + 12345u;
      copy[pos] = (uint8_t)(seed >> 16);
    }
    (void)decode_copy(fn, version, copy, body->len, out);
  }
  free(copy);
}

/* Type-correct adapters from each decoder to decode_fn. */
#define THUNK(name, type)                                                  \
  static int name##_thunk(kreader *r, int16_t v, arena *a, void *out) {    \
    return name(r, v, a, (type *)out);                                     \
  }
THUNK(api_versions_request_decode, api_versions_request)
THUNK(metadata_request_decode, metadata_request)
THUNK(produce_request_decode, produce_request)
THUNK(fetch_request_decode, fetch_request)
THUNK(list_offsets_request_decode, list_offsets_request)
THUNK(create_topics_request_decode, create_topics_request)
THUNK(find_coordinator_request_decode, find_coordinator_request)
THUNK(offset_commit_request_decode, offset_commit_request)
THUNK(offset_fetch_request_decode, offset_fetch_request)
THUNK(init_producer_id_request_decode, init_producer_id_request)
THUNK(join_group_request_decode, join_group_request)
THUNK(sync_group_request_decode, sync_group_request)
THUNK(heartbeat_request_decode, heartbeat_request)
THUNK(leave_group_request_decode, leave_group_request)
#define DECODER(f) f##_thunk

static void check_decoder(decode_fn fn, int16_t version, const sp_buf *body, void *out) {
  CHECK(all_prefixes_fail(fn, version, body, out));
  fuzz(fn, version, body, out);
}

/* Decodes the full body into out for field checks (arena kept by caller). */
static int decode_keep(decode_fn fn, int16_t version, const sp_buf *body, arena *a, void *out) {
  kreader r;
  kr_init(&r, body->data, body->len);
  return fn(&r, version, a, out);
}

/* ---- request header ---------------------------------------------------- */

TEST(header_v1_and_truncations) {
  sp_buf b = SP_BUF_INIT;
  kw_i16(&b, 3);
  kw_i16(&b, 4);
  kw_i32(&b, 77);
  kw_string(&b, "kcat");
  kw_i32(&b, -1); /* body */
  request_header h;
  REQUIRE(request_header_parse(b.data, b.len, &h) == 0);
  CHECK_EQ_INT(h.api_key, 3);
  CHECK_EQ_INT(h.api_version, 4);
  CHECK_EQ_INT(h.correlation_id, 77);
  CHECK(kslice_eq(h.client_id, "kcat"));
  CHECK_EQ_INT(h.header_len, 14);
  for (size_t len = 0; len < 14; len++) {
    uint8_t *copy = malloc(len ? len : 1);
    memcpy(copy, b.data, len);
    CHECK(request_header_parse(copy, len, &h) != 0);
    free(copy);
  }
  sp_buf_free(&b);
}

TEST(header_v2_for_api_versions_v3) {
  sp_buf b = SP_BUF_INIT;
  kw_i16(&b, 18);
  kw_i16(&b, 3);
  kw_i32(&b, 1);
  kw_string(&b, NULL); /* null client id */
  kw_uvarint(&b, 1);   /* one tag */
  kw_uvarint(&b, 0);
  kw_uvarint(&b, 2);
  kw_i16(&b, 0x4142);
  request_header h;
  REQUIRE(request_header_parse(b.data, b.len, &h) == 0);
  CHECK_EQ_INT(h.client_id.len, -1);
  CHECK_EQ_INT(h.header_len, b.len);
  for (size_t len = 0; len < b.len; len++) {
    uint8_t *copy = malloc(len ? len : 1);
    memcpy(copy, b.data, len);
    CHECK(request_header_parse(copy, len, &h) != 0);
    free(copy);
  }
  sp_buf_free(&b);
}

/* ---- per API -------------------------------------------------------------- */

TEST(api_versions_v3) {
  sp_buf b = SP_BUF_INIT;
  kw_compact_string(&b, "librdkafka");
  kw_compact_string(&b, "2.0.2");
  kw_empty_tags(&b);
  api_versions_request req;
  arena a = ARENA_INIT;
  REQUIRE(decode_keep(DECODER(api_versions_request_decode), 3, &b, &a, &req) == 0);
  CHECK(kslice_eq(req.client_software_name, "librdkafka"));
  CHECK(kslice_eq(req.client_software_version, "2.0.2"));
  check_decoder(DECODER(api_versions_request_decode), 3, &b, &req);
  arena_free(&a);
  sp_buf_free(&b);
}

static void build_metadata(sp_buf *b, int16_t v) {
  kw_i32(b, 2);
  kw_string(b, "alpha");
  kw_string(b, "beta");
  if (v >= 4) kw_i8(b, 0);
}

TEST(metadata_all_versions) {
  for (int16_t v = 0; v <= 4; v++) {
    sp_buf b = SP_BUF_INIT;
    build_metadata(&b, v);
    metadata_request req;
    arena a = ARENA_INIT;
    REQUIRE(decode_keep(DECODER(metadata_request_decode), v, &b, &a, &req) == 0);
    CHECK_EQ_INT(req.n_topics, 2);
    CHECK(kslice_eq(req.topics[1], "beta"));
    CHECK_EQ_INT(req.allow_auto_topic_creation, v >= 4 ? 0 : 1);
    check_decoder(DECODER(metadata_request_decode), v, &b, &req);
    arena_free(&a);
    sp_buf_free(&b);
  }
  /* null (v1+) and empty (v0) mean "all topics" */
  sp_buf b = SP_BUF_INIT;
  kw_i32(&b, -1);
  metadata_request req;
  arena a = ARENA_INIT;
  REQUIRE(decode_keep(DECODER(metadata_request_decode), 1, &b, &a, &req) == 0);
  CHECK_EQ_INT(req.n_topics, -1);
  sp_buf_reset(&b);
  kw_i32(&b, 0);
  REQUIRE(decode_keep(DECODER(metadata_request_decode), 0, &b, &a, &req) == 0);
  CHECK_EQ_INT(req.n_topics, -1);
  REQUIRE(decode_keep(DECODER(metadata_request_decode), 1, &b, &a, &req) == 0);
  CHECK_EQ_INT(req.n_topics, 0);
  arena_free(&a);
  sp_buf_free(&b);
}

TEST(produce_all_versions) {
  for (int16_t v = 3; v <= 7; v++) {
    sp_buf b = SP_BUF_INIT;
    kw_string(&b, NULL);
    kw_i16(&b, -1);
    kw_i32(&b, 30000);
    kw_i32(&b, 1);
    kw_string(&b, "t");
    kw_i32(&b, 2);
    kw_i32(&b, 0);
    kw_bytes(&b, "0123456789", 10);
    kw_i32(&b, 1);
    kw_bytes(&b, NULL, -1);
    produce_request req;
    arena a = ARENA_INIT;
    REQUIRE(decode_keep(DECODER(produce_request_decode), v, &b, &a, &req) == 0);
    CHECK_EQ_INT(req.acks, -1);
    CHECK_EQ_INT(req.timeout_ms, 30000);
    CHECK_EQ_INT(req.transactional_id.len, -1);
    REQUIRE(req.n_topics == 1 && req.topics[0].n_partitions == 2);
    CHECK_EQ_INT(req.topics[0].partitions[0].records.len, 10);
    CHECK(memcmp(req.topics[0].partitions[0].records.ptr, "0123456789", 10) == 0);
    CHECK_EQ_INT(req.topics[0].partitions[1].index, 1);
    CHECK_EQ_INT(req.topics[0].partitions[1].records.len, -1);
    check_decoder(DECODER(produce_request_decode), v, &b, &req);
    arena_free(&a);
    sp_buf_free(&b);
  }
}

static void build_fetch(sp_buf *b, int16_t v) {
  kw_i32(b, -1);
  kw_i32(b, 500);
  kw_i32(b, 1);
  kw_i32(b, 52428800);
  kw_i8(b, 1);
  if (v >= 7) {
    kw_i32(b, 0);
    kw_i32(b, -1);
  }
  kw_i32(b, 1);
  kw_string(b, "topic");
  kw_i32(b, 2);
  for (int p = 0; p < 2; p++) {
    kw_i32(b, p);
    if (v >= 9) kw_i32(b, -1);
    kw_i64(b, 1000 + p);
    if (v >= 5) kw_i64(b, -1);
    kw_i32(b, 1048576);
  }
  if (v >= 7) {
    kw_i32(b, 1);
    kw_string(b, "gone");
    kw_i32(b, 1);
    kw_i32(b, 3);
  }
  if (v >= 11) kw_string(b, "rack-a");
}

TEST(fetch_all_versions) {
  for (int16_t v = 4; v <= 11; v++) {
    sp_buf b = SP_BUF_INIT;
    build_fetch(&b, v);
    fetch_request req;
    arena a = ARENA_INIT;
    REQUIRE(decode_keep(DECODER(fetch_request_decode), v, &b, &a, &req) == 0);
    CHECK_EQ_INT(req.max_wait_ms, 500);
    CHECK_EQ_INT(req.min_bytes, 1);
    CHECK_EQ_INT(req.max_bytes, 52428800);
    REQUIRE(req.n_topics == 1 && req.topics[0].n_partitions == 2);
    CHECK(kslice_eq(req.topics[0].name, "topic"));
    CHECK_EQ_INT(req.topics[0].partitions[1].fetch_offset, 1001);
    CHECK_EQ_INT(req.topics[0].partitions[1].max_bytes, 1048576);
    if (v >= 11) CHECK(kslice_eq(req.rack_id, "rack-a"));
    check_decoder(DECODER(fetch_request_decode), v, &b, &req);
    arena_free(&a);
    sp_buf_free(&b);
  }
}

TEST(list_offsets_all_versions) {
  for (int16_t v = 0; v <= 2; v++) {
    sp_buf b = SP_BUF_INIT;
    kw_i32(&b, -1);
    if (v >= 2) kw_i8(&b, 1);
    kw_i32(&b, 1);
    kw_string(&b, "t");
    kw_i32(&b, 1);
    kw_i32(&b, 4);
    kw_i64(&b, -2);
    if (v == 0) kw_i32(&b, 1);
    list_offsets_request req;
    arena a = ARENA_INIT;
    REQUIRE(decode_keep(DECODER(list_offsets_request_decode), v, &b, &a, &req) == 0);
    REQUIRE(req.n_topics == 1 && req.topics[0].n_partitions == 1);
    CHECK_EQ_INT(req.topics[0].partitions[0].index, 4);
    CHECK_EQ_INT(req.topics[0].partitions[0].timestamp, -2);
    check_decoder(DECODER(list_offsets_request_decode), v, &b, &req);
    arena_free(&a);
    sp_buf_free(&b);
  }
}

TEST(create_topics_all_versions) {
  for (int16_t v = 0; v <= 4; v++) {
    sp_buf b = SP_BUF_INIT;
    kw_i32(&b, 1);
    kw_string(&b, "new");
    kw_i32(&b, -1);
    kw_i16(&b, -1);
    kw_i32(&b, 1);
    kw_i32(&b, 0);
    kw_i32(&b, 1);
    kw_i32(&b, 1);
    kw_i32(&b, 1);
    kw_string(&b, "retention.ms");
    kw_string(&b, "1000");
    kw_i32(&b, 5000);
    if (v >= 1) kw_i8(&b, 1);
    create_topics_request req;
    arena a = ARENA_INIT;
    REQUIRE(decode_keep(DECODER(create_topics_request_decode), v, &b, &a, &req) == 0);
    REQUIRE(req.n_topics == 1);
    CHECK(kslice_eq(req.topics[0].name, "new"));
    CHECK_EQ_INT(req.topics[0].num_partitions, -1);
    REQUIRE(req.topics[0].n_assignments == 1 && req.topics[0].assignments[0].n_broker_ids == 1);
    CHECK_EQ_INT(req.topics[0].assignments[0].broker_ids[0], 1);
    REQUIRE(req.topics[0].n_configs == 1);
    CHECK(kslice_eq(req.topics[0].configs[0].value, "1000"));
    CHECK_EQ_INT(req.timeout_ms, 5000);
    CHECK_EQ_INT(req.validate_only, v >= 1 ? 1 : 0);
    check_decoder(DECODER(create_topics_request_decode), v, &b, &req);
    arena_free(&a);
    sp_buf_free(&b);
  }
}

TEST(find_coordinator_all_versions) {
  for (int16_t v = 0; v <= 2; v++) {
    sp_buf b = SP_BUF_INIT;
    kw_string(&b, "group-1");
    if (v >= 1) kw_i8(&b, 0);
    find_coordinator_request req;
    arena a = ARENA_INIT;
    REQUIRE(decode_keep(DECODER(find_coordinator_request_decode), v, &b, &a, &req) == 0);
    CHECK(kslice_eq(req.key, "group-1"));
    check_decoder(DECODER(find_coordinator_request_decode), v, &b, &req);
    arena_free(&a);
    sp_buf_free(&b);
  }
}

TEST(offset_commit_all_versions) {
  for (int16_t v = 2; v <= 7; v++) {
    sp_buf b = SP_BUF_INIT;
    kw_string(&b, "g");
    kw_i32(&b, 3);
    kw_string(&b, "member-1");
    if (v <= 4) kw_i64(&b, -1);
    if (v >= 7) kw_string(&b, NULL);
    kw_i32(&b, 1);
    kw_string(&b, "t");
    kw_i32(&b, 1);
    kw_i32(&b, 0);
    kw_i64(&b, 42);
    if (v >= 6) kw_i32(&b, -1);
    kw_string(&b, "");
    offset_commit_request req;
    arena a = ARENA_INIT;
    REQUIRE(decode_keep(DECODER(offset_commit_request_decode), v, &b, &a, &req) == 0);
    CHECK(kslice_eq(req.group_id, "g"));
    CHECK_EQ_INT(req.generation_id, 3);
    CHECK(kslice_eq(req.member_id, "member-1"));
    REQUIRE(req.n_topics == 1 && req.topics[0].n_partitions == 1);
    CHECK_EQ_INT(req.topics[0].partitions[0].offset, 42);
    CHECK_EQ_INT(req.topics[0].partitions[0].metadata.len, 0);
    check_decoder(DECODER(offset_commit_request_decode), v, &b, &req);
    arena_free(&a);
    sp_buf_free(&b);
  }
}

TEST(offset_fetch_all_versions) {
  for (int16_t v = 1; v <= 5; v++) {
    sp_buf b = SP_BUF_INIT;
    kw_string(&b, "g");
    kw_i32(&b, 1);
    kw_string(&b, "t");
    kw_i32(&b, 2);
    kw_i32(&b, 0);
    kw_i32(&b, 7);
    offset_fetch_request req;
    arena a = ARENA_INIT;
    REQUIRE(decode_keep(DECODER(offset_fetch_request_decode), v, &b, &a, &req) == 0);
    REQUIRE(req.n_topics == 1 && req.topics[0].n_partitions == 2);
    CHECK_EQ_INT(req.topics[0].partitions[1].index, 7);
    check_decoder(DECODER(offset_fetch_request_decode), v, &b, &req);
    /* null topics: all (v2+), refused by v1 */
    sp_buf_reset(&b);
    kw_string(&b, "g");
    kw_i32(&b, -1);
    int rc = decode_keep(DECODER(offset_fetch_request_decode), v, &b, &a, &req);
    CHECK_EQ_INT(rc, v >= 2 ? 0 : -1);
    if (v >= 2) CHECK_EQ_INT(req.n_topics, -1);
    arena_free(&a);
    sp_buf_free(&b);
  }
}

TEST(init_producer_id_all_versions) {
  for (int16_t v = 0; v <= 1; v++) {
    sp_buf b = SP_BUF_INIT;
    kw_string(&b, NULL);
    kw_i32(&b, -1);
    init_producer_id_request req;
    arena a = ARENA_INIT;
    REQUIRE(decode_keep(DECODER(init_producer_id_request_decode), v, &b, &a, &req) == 0);
    CHECK_EQ_INT(req.transactional_id.len, -1);
    CHECK_EQ_INT(req.transaction_timeout_ms, -1);
    check_decoder(DECODER(init_producer_id_request_decode), v, &b, &req);
    arena_free(&a);
    sp_buf_free(&b);
  }
}

TEST(join_group_all_versions) {
  for (int16_t v = 0; v <= 5; v++) {
    sp_buf b = SP_BUF_INIT;
    kw_string(&b, "g");
    kw_i32(&b, 45000);
    if (v >= 1) kw_i32(&b, 300000);
    kw_string(&b, "");
    if (v >= 5) kw_string(&b, NULL);
    kw_string(&b, "consumer");
    kw_i32(&b, 2);
    kw_string(&b, "range");
    kw_bytes(&b, "\x00\x01meta", 6);
    kw_string(&b, "roundrobin");
    kw_bytes(&b, "", 0);
    join_group_request req;
    arena a = ARENA_INIT;
    REQUIRE(decode_keep(DECODER(join_group_request_decode), v, &b, &a, &req) == 0);
    CHECK_EQ_INT(req.session_timeout_ms, 45000);
    CHECK_EQ_INT(req.rebalance_timeout_ms, v >= 1 ? 300000 : 45000);
    CHECK(kslice_eq(req.protocol_type, "consumer"));
    REQUIRE(req.n_protocols == 2);
    CHECK(kslice_eq(req.protocols[1].name, "roundrobin"));
    CHECK_EQ_INT(req.protocols[0].metadata.len, 6);
    check_decoder(DECODER(join_group_request_decode), v, &b, &req);
    arena_free(&a);
    sp_buf_free(&b);
  }
}

TEST(sync_group_all_versions) {
  for (int16_t v = 0; v <= 3; v++) {
    sp_buf b = SP_BUF_INIT;
    kw_string(&b, "g");
    kw_i32(&b, 1);
    kw_string(&b, "m1");
    if (v >= 3) kw_string(&b, NULL);
    kw_i32(&b, 1);
    kw_string(&b, "m1");
    kw_bytes(&b, "assign", 6);
    sync_group_request req;
    arena a = ARENA_INIT;
    REQUIRE(decode_keep(DECODER(sync_group_request_decode), v, &b, &a, &req) == 0);
    REQUIRE(req.n_assignments == 1);
    CHECK(kslice_eq(req.assignments[0].member_id, "m1"));
    CHECK_EQ_INT(req.assignments[0].assignment.len, 6);
    check_decoder(DECODER(sync_group_request_decode), v, &b, &req);
    arena_free(&a);
    sp_buf_free(&b);
  }
}

TEST(heartbeat_and_leave_all_versions) {
  for (int16_t v = 0; v <= 3; v++) {
    sp_buf b = SP_BUF_INIT;
    kw_string(&b, "g");
    kw_i32(&b, 9);
    kw_string(&b, "m1");
    if (v >= 3) kw_string(&b, "instance");
    heartbeat_request req;
    arena a = ARENA_INIT;
    REQUIRE(decode_keep(DECODER(heartbeat_request_decode), v, &b, &a, &req) == 0);
    CHECK_EQ_INT(req.generation_id, 9);
    if (v >= 3) CHECK(kslice_eq(req.group_instance_id, "instance"));
    check_decoder(DECODER(heartbeat_request_decode), v, &b, &req);
    arena_free(&a);
    sp_buf_free(&b);
  }
  for (int16_t v = 0; v <= 1; v++) {
    sp_buf b = SP_BUF_INIT;
    kw_string(&b, "g");
    kw_string(&b, "m1");
    leave_group_request req;
    arena a = ARENA_INIT;
    REQUIRE(decode_keep(DECODER(leave_group_request_decode), v, &b, &a, &req) == 0);
    CHECK(kslice_eq(req.member_id, "m1"));
    check_decoder(DECODER(leave_group_request_decode), v, &b, &req);
    arena_free(&a);
    sp_buf_free(&b);
  }
}

/* A count of 2^31-1 elements with a few bytes behind it must be refused
 * before anything is allocated for it. */
TEST(huge_array_counts_refused) {
  sp_buf b = SP_BUF_INIT;
  kw_string(&b, NULL);
  kw_i16(&b, 1);
  kw_i32(&b, 0);
  kw_i32(&b, 0x7fffffff);
  kw_i32(&b, 0);
  produce_request preq;
  CHECK(decode_copy(DECODER(produce_request_decode), 7, b.data, b.len, &preq) != 0);
  sp_buf_reset(&b);
  kw_i32(&b, 0x7ffffff0);
  kw_string(&b, "t");
  metadata_request mreq;
  CHECK(decode_copy(DECODER(metadata_request_decode), 4, b.data, b.len, &mreq) != 0);
  sp_buf_reset(&b);
  kw_i32(&b, -5); /* negative counts other than -1 are malformed */
  CHECK(decode_copy(DECODER(metadata_request_decode), 4, b.data, b.len, &mreq) != 0);
  sp_buf_free(&b);
}

SP_TEST_MAIN(header_v1_and_truncations, header_v2_for_api_versions_v3, api_versions_v3,
             metadata_all_versions, produce_all_versions, fetch_all_versions,
             list_offsets_all_versions, create_topics_all_versions, find_coordinator_all_versions,
             offset_commit_all_versions, offset_fetch_all_versions, init_producer_id_all_versions,
             join_group_all_versions, sync_group_all_versions, heartbeat_and_leave_all_versions,
             huge_array_counts_refused)
