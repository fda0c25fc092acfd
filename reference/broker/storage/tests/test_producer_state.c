/* test_producer_state: Kafka 3.4's idempotence rules, on the state alone and
 * through partition appends (dedupe answers the original offsets, also
 * after a restart). */
#include "producer_state.h"
#include "sp_test.h"
#include "store.h"
#include "store_test_util.h"

TEST(rules_on_the_state) {
  producer_state ps;
  producer_state_init(&ps);
  int64_t b = -1, l = -1;
  /* Unknown producer: any sequence is accepted. */
  CHECK_EQ_INT(producer_state_check(&ps, 7, 0, 42, 46, &b, &l), KERR_NONE);
  producer_state_record(&ps, 7, 0, 42, 46, 100, 104);
  /* Exact duplicate of the last batch. */
  CHECK_EQ_INT(producer_state_check(&ps, 7, 0, 42, 46, &b, &l), KERR_DUPLICATE_SEQUENCE_NUMBER);
  CHECK_EQ_INT(b, 100);
  CHECK_EQ_INT(l, 104);
  /* Next in sequence; a gap; an overlap. */
  CHECK_EQ_INT(producer_state_check(&ps, 7, 0, 47, 50, &b, &l), KERR_NONE);
  CHECK_EQ_INT(producer_state_check(&ps, 7, 0, 48, 50, &b, &l), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
  CHECK_EQ_INT(producer_state_check(&ps, 7, 0, 45, 47, &b, &l), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
  /* Stale epoch; new epoch must restart at 0. */
  producer_state_record(&ps, 7, 3, 0, 0, 105, 105);
  CHECK_EQ_INT(producer_state_check(&ps, 7, 2, 1, 1, &b, &l), KERR_INVALID_PRODUCER_EPOCH);
  CHECK_EQ_INT(producer_state_check(&ps, 7, 4, 5, 5, &b, &l), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
  CHECK_EQ_INT(producer_state_check(&ps, 7, 4, 0, 9, &b, &l), KERR_NONE);
  /* A duplicate from an older epoch is not a duplicate any more. */
  CHECK_EQ_INT(producer_state_check(&ps, 7, 0, 42, 46, &b, &l), KERR_INVALID_PRODUCER_EPOCH);
  producer_state_free(&ps);
}

TEST(keeps_exactly_the_last_five_batches) {
  producer_state ps;
  producer_state_init(&ps);
  for (int i = 0; i < 8; i++) producer_state_record(&ps, 1, 0, i * 10, i * 10 + 9, i * 10, i * 10 + 9);
  int64_t b, l;
  for (int i = 0; i < 8; i++) {
    int rc = producer_state_check(&ps, 1, 0, i * 10, i * 10 + 9, &b, &l);
    if (i < 3) CHECK_EQ_INT(rc, KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
    else {
      CHECK_EQ_INT(rc, KERR_DUPLICATE_SEQUENCE_NUMBER);
      CHECK_EQ_INT(b, i * 10);
    }
  }
  producer_state_free(&ps);
}

TEST(sequence_wraps_at_int32_max) {
  producer_state ps;
  producer_state_init(&ps);
  int64_t b, l;
  producer_state_record(&ps, 9, 1, INT32_MAX - 4, INT32_MAX, 0, 4);
  CHECK_EQ_INT(producer_state_check(&ps, 9, 1, 0, 3, &b, &l), KERR_NONE);
  CHECK_EQ_INT(producer_state_check(&ps, 9, 1, 1, 3, &b, &l), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
  producer_state_free(&ps);
}

TEST(many_producers_grow_the_table) {
  producer_state ps;
  producer_state_init(&ps);
  for (int64_t pid = 0; pid < 5000; pid++) producer_state_record(&ps, pid * 3, 0, 0, 0, pid, pid);
  int64_t b, l;
  for (int64_t pid = 0; pid < 5000; pid++) {
    CHECK_EQ_INT(producer_state_check(&ps, pid * 3, 0, 0, 0, &b, &l), KERR_DUPLICATE_SEQUENCE_NUMBER);
    CHECK_EQ_INT(b, pid);
  }
  CHECK_EQ_INT(producer_state_max_id(&ps), 4999 * 3);
  CHECK(producer_state_find(&ps, 1) == NULL);
  producer_state_free(&ps);
}

/* Appends through a partition: duplicates are not written again. */
TEST(partition_dedupes_and_survives_reopen) {
  const char *dir = sp_test_tmpdir();
  store_config cfg = test_config(dir, STORE_FSYNC_NEVER, 4096);
  store *s = store_open(&cfg);
  REQUIRE(s);
  REQUIRE(store_create_topic(s, "t", 1, 1) == KERR_NONE);
  partition *p = store_partition(s, "t", 1, 0);
  batch_builder_opts o = {store_next_producer_id(s), 0, 0, 0, 0};
  int64_t base[12], last[12], b, l;
  for (int i = 0; i < 12; i++) {
    o.base_sequence = i * 10;
    REQUIRE(test_append(p, 10, 30, 1000 + i, &o, &base[i], &last[i]) == KERR_NONE);
  }
  int64_t end = partition_log_end_offset(p);
  CHECK_EQ_INT(end, 120);
  o.base_sequence = 110; /* retry of the last batch */
  CHECK_EQ_INT(test_append(p, 10, 30, 1011, &o, &b, &l), KERR_NONE);
  CHECK_EQ_INT(b, base[11]);
  CHECK_EQ_INT(l, last[11]);
  CHECK_EQ_INT(partition_log_end_offset(p), end);
  o.base_sequence = 130; /* gap */
  CHECK_EQ_INT(test_append(p, 10, 30, 1012, &o, &b, &l), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
  CHECK_EQ_INT(partition_log_end_offset(p), end);
  store_close(s);

  s = store_open(&cfg); /* state rebuilt from the log: still a duplicate */
  REQUIRE(s);
  p = store_partition(s, "t", 1, 0);
  o.base_sequence = 80;
  CHECK_EQ_INT(test_append(p, 10, 30, 1008, &o, &b, &l), KERR_NONE);
  CHECK_EQ_INT(b, base[8]);
  o.base_sequence = 120;
  CHECK_EQ_INT(test_append(p, 10, 30, 1012, &o, &b, &l), KERR_NONE);
  CHECK_EQ_INT(b, end);
  /* A new producer id never collides with the old one. */
  CHECK(store_next_producer_id(s) > o.producer_id);
  CHECK_EQ_INT(test_read_all(p, 1000, 1), 130);
  store_close(s);
}

/* Two batches of one producer in one request: the second must follow the
 * first, not the stored state. */
TEST(batches_in_one_request_chain) {
  const char *dir = sp_test_tmpdir();
  store_config cfg = test_config(dir, STORE_FSYNC_NEVER, 1 << 20);
  store *s = store_open(&cfg);
  REQUIRE(s);
  REQUIRE(store_create_topic(s, "t", 1, 1) == KERR_NONE);
  partition *p = store_partition(s, "t", 1, 0);
  sp_buf req = SP_BUF_INIT;
  batch_builder_opts o = {5, 0, 0, 0, 0};
  batch_build_simple(&req, 3, 10, 1, &o);
  o.base_sequence = 3;
  batch_build_simple(&req, 2, 10, 1, &o);
  int64_t b, l;
  CHECK_EQ_INT(partition_append(p, req.data, req.len, 1, &b, &l), KERR_NONE);
  CHECK_EQ_INT(b, 0);
  CHECK_EQ_INT(l, 4);
  sp_buf_reset(&req);
  o.base_sequence = 5;
  batch_build_simple(&req, 2, 10, 1, &o);
  o.base_sequence = 9; /* gap inside the request: nothing is written */
  batch_build_simple(&req, 2, 10, 1, &o);
  CHECK_EQ_INT(partition_append(p, req.data, req.len, 1, &b, &l), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
  CHECK_EQ_INT(partition_log_end_offset(p), 5);
  sp_buf_free(&req);
  store_close(s);
}

SP_TEST_MAIN(rules_on_the_state, keeps_exactly_the_last_five_batches, sequence_wraps_at_int32_max,
             many_producers_grow_the_table, partition_dedupes_and_survives_reopen,
             batches_in_one_request_chain)
