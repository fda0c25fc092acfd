/* test_msgbuild: a producer's messages depend on the seed alone: the same
 * workload and producer give the same sizes, keys, padding and event-time
 * offsets; re-stamping a message (the client's queue was full) changes its
 * send time and nothing else; every message decodes with its identity. */
#include <string.h>

#include "msgbuild.h"
#include "sp_test.h"

static const char *wl_text =
    "name: mb\ntopics: 1\npartitionsPerTopic: 2\nproducersPerTopic: 1\nsubscriptionsPerTopic: 1\n"
    "consumerPerSubscription: 1\nproducerRate: 100\nseed: 42\nduration_s: 10\n"
    "message_size: {distribution: uniform, min_bytes: 60, max_bytes: 300}\n"
    "key_distribution: zipf\nkey_count: 100\nzipf_exponent: 1.1\n"
    "event_time: {out_of_order_fraction: 0.3, out_of_order_ms: 50}\n";

/* Parses the test workload (a failure is reported with its reason). */
static int load(workload *wl) {
  char err[512];
  if (workload_parse(wl_text, strlen(wl_text), "mb.yaml", wl, err, sizeof err) == 0) return 0;
  fprintf(stderr, "# %s\n", err);
  workload_free(wl);
  return -1;
}

TEST(same_seed_same_messages) {
  workload wl;
  char err[512];
  REQUIRE(load(&wl) == 0);
  msg_builder a, b;
  REQUIRE(msg_builder_init(&a, &wl, 3, 10, 0, err, sizeof err) == 0);
  REQUIRE(msg_builder_init(&b, &wl, 3, 11, 0, err, sizeof err) == 0);
  a.t0_wall_ns = b.t0_wall_ns = 1700000000000000000ull;
  uint8_t ba[300], bb[300];
  int keys_seen = 0, disorder = 0;
  for (uint64_t k = 0; k < 200; k++) {
    msg_built ma = {.buf = ba}, mbm = {.buf = bb};
    msg_build(&a, k, 1000 + k, &ma);
    msg_build(&b, k, 1000 + k, &mbm);
    CHECK_EQ_INT(ma.id.size, mbm.id.size);
    CHECK(ma.id.size >= 60 && ma.id.size <= 300);
    CHECK_EQ_INT(ma.id.key, mbm.id.key);
    CHECK_EQ_INT(ma.event_offset_ms, mbm.event_offset_ms);
    CHECK(memcmp(ba + IDENTITY_BYTES, bb + IDENTITY_BYTES, ma.id.size - IDENTITY_BYTES) == 0);
    keys_seen += ma.key_len == KEY_BYTES;
    disorder += ma.event_offset_ms < 0;
    msg_stamp(&a, &ma, 5000 + k);
    identity id;
    REQUIRE(identity_decode(ba, ma.id.size, &id) == IDENTITY_OK);
    CHECK_EQ_INT(id.writer, 10);
    CHECK_EQ_U64(id.seq, k);
    CHECK_EQ_U64(id.intended_ns, 1000 + k);
    CHECK_EQ_U64(id.sent_ns, 5000 + k);
    int64_t wall_ms = (int64_t)((a.t0_wall_ns + 5000 + k) / 1000000ull);
    CHECK_EQ_INT(id.event_time_ms, wall_ms + ma.event_offset_ms);
    /* re-stamp later: only the send (and event) time move */
    uint8_t before[300];
    memcpy(before, ba, ma.id.size);
    msg_stamp(&a, &ma, 5000 + k + 3000000000ull);
    REQUIRE(identity_decode(ba, ma.id.size, &id) == IDENTITY_OK);
    CHECK_EQ_U64(id.sent_ns, 5000 + k + 3000000000ull);
    CHECK_EQ_INT(id.event_time_ms, wall_ms + 3000 + ma.event_offset_ms);
    CHECK(memcmp(before + IDENTITY_BYTES, ba + IDENTITY_BYTES, ma.id.size - IDENTITY_BYTES) == 0);
  }
  CHECK_EQ_INT(keys_seen, 200);
  CHECK(disorder > 20 && disorder < 120); /* ~30% out of order */
  msg_builder_free(&a);
  msg_builder_free(&b);
  workload_free(&wl);
}

TEST(producers_differ) {
  workload wl;
  char err[512];
  REQUIRE(load(&wl) == 0);
  msg_builder a, b;
  REQUIRE(msg_builder_init(&a, &wl, 0, 1, 0, err, sizeof err) == 0);
  REQUIRE(msg_builder_init(&b, &wl, 1, 2, 0, err, sizeof err) == 0);
  uint8_t ba[300], bb[300];
  int same = 0;
  for (uint64_t k = 0; k < 50; k++) {
    msg_built ma = {.buf = ba}, mbm = {.buf = bb};
    msg_build(&a, k, k, &ma);
    msg_build(&b, k, k, &mbm);
    same += ma.id.size == mbm.id.size && ma.id.key == mbm.id.key;
  }
  CHECK(same < 10);
  msg_builder_free(&a);
  msg_builder_free(&b);
  workload_free(&wl);
}

SP_TEST_MAIN(same_seed_same_messages, producers_differ)
