/* test_faults: each fault point of the storage engine, armed with libfiu:
 * a failed write or fsync is never acknowledged, is cut off the log, bumps
 * the sync epoch, and the log keeps working; the same for group offsets,
 * segment rolls and retention. */
#include <errno.h>
#include <string.h>

#include "../../fault_points.h"
#include "fault.h"
#include "record_batch.h"
#include "sp_test.h"
#include "store.h"
#include "store_test_util.h"

#ifdef FIU_ENABLE
#include <fiu-control.h>

#define S(x) x, strlen(x)

static store *open_topic(store_config *cfg, int32_t parts) {
  sp_fault_init();
  store *s = store_open(cfg);
  if (s && store_topic_partitions(s, S("t")) < 0) {
    if (store_create_topic(s, S("t"), parts) != KERR_NONE) return NULL;
  }
  if (s) store_sync(s);
  return s;
}

static int64_t seg0_size(const char *dir) {
  return test_file_size(test_path(dir, "t-0/00000000000000000000.log"));
}

TEST(mid_batch_write_failure_is_cut_off) {
  const char *dir = sp_test_tmpdir();
  store_config cfg = test_config(dir, STORE_FSYNC_ALWAYS, 1 << 20);
  store *s = open_topic(&cfg, 1);
  REQUIRE(s);
  partition *p = store_partition(s, S("t"), 0);
  int64_t b, l, b2, l2;
  REQUIRE(test_append(p, 5, 20, 1, NULL, &b, &l) == KERR_NONE); /* pending, not yet synced */
  int64_t size = seg0_size(dir);
  uint64_t epoch = partition_sync_epoch(p);
  fiu_enable(FP_LOG_MID_BATCH_WRITE, SP_FAULT_FAIL, (void *)(intptr_t)ENOSPC, FIU_ONETIME);
  CHECK_EQ_INT(test_append(p, 5, 20, 2, NULL, &b2, &l2), KERR_KAFKA_STORAGE_ERROR);
  CHECK_EQ_INT(seg0_size(dir), size); /* the half-written batch is gone */
  CHECK_EQ_INT(partition_log_end_offset(p), 5);
  /* The earlier pending append is unaffected and becomes durable. */
  CHECK_EQ_INT(store_sync(s), 0);
  CHECK(partition_is_durable(p, epoch, l));
  CHECK_EQ_INT(test_append(p, 5, 20, 3, NULL, &b2, &l2), KERR_NONE);
  CHECK_EQ_INT(b2, 5);
  CHECK_EQ_INT(store_sync(s), 0);
  CHECK_EQ_INT(test_read_all(p, 1 << 20, 1), 10);
  store_close(s);
}

/* A failed group commit: appends since the last good sync are cut off (also
 * the segment rolled in between), never reported durable, and their
 * offsets are reused by later appends. */
static void failed_sync_cuts_back(const char *point) {
  const char *dir = sp_test_tmpdir();
  store_config cfg = test_config(dir, STORE_FSYNC_ALWAYS, 1500);
  store *s = open_topic(&cfg, 1);
  REQUIRE(s);
  partition *p = store_partition(s, S("t"), 0);
  int64_t b, l;
  REQUIRE(test_append(p, 5, 100, 1, NULL, &b, &l) == KERR_NONE);
  REQUIRE(store_sync(s) == 0);
  int64_t good_size = seg0_size(dir);
  uint64_t epoch = partition_sync_epoch(p);
  int64_t lasts[4];
  for (int i = 0; i < 4; i++) REQUIRE(test_append(p, 5, 100, 10 + i, NULL, &b, &lasts[i]) == 0);
  CHECK(test_count_files(test_path(dir, "t-0"), ".log") >= 2); /* rolled meanwhile */
  fiu_enable(point, SP_FAULT_FAIL, (void *)(intptr_t)EIO, FIU_ONETIME);
  CHECK_EQ_INT(store_sync(s), 1);
  fiu_disable(point);
  for (int i = 0; i < 4; i++) CHECK(!partition_is_durable(p, epoch, lasts[i]));
  CHECK(partition_sync_epoch(p) != epoch);
  CHECK_EQ_INT(partition_log_end_offset(p), 5);
  CHECK_EQ_INT(partition_high_watermark(p), 5);
  CHECK_EQ_INT(seg0_size(dir), good_size);
  CHECK_EQ_INT(test_count_files(test_path(dir, "t-0"), ".log"), 1);
  /* The log goes on: offsets 5.. are given again, to new data. */
  epoch = partition_sync_epoch(p);
  REQUIRE(test_append(p, 2, 100, 99, NULL, &b, &l) == KERR_NONE);
  CHECK_EQ_INT(b, 5);
  CHECK_EQ_INT(store_sync(s), 0);
  CHECK(partition_is_durable(p, epoch, l));
  CHECK_EQ_INT(test_read_all(p, 1 << 20, 1), 7);
  store_close(s);
  s = open_topic(&cfg, 1);
  REQUIRE(s);
  p = store_partition(s, S("t"), 0);
  CHECK_EQ_INT(partition_log_end_offset(p), 7);
  CHECK_EQ_INT(test_read_all(p, 1 << 20, 1), 7);
  store_close(s);
}

TEST(failure_before_fsync_cuts_back) { failed_sync_cuts_back(FP_LOG_BEFORE_FSYNC); }
TEST(failure_after_fsync_cuts_back) { failed_sync_cuts_back(FP_LOG_AFTER_FSYNC); }

TEST(failed_roll_refuses_the_append_only) {
  const char *dir = sp_test_tmpdir();
  store_config cfg = test_config(dir, STORE_FSYNC_NEVER, 500);
  store *s = open_topic(&cfg, 1);
  REQUIRE(s);
  partition *p = store_partition(s, S("t"), 0);
  int64_t b, l;
  REQUIRE(test_append(p, 5, 80, 1, NULL, &b, &l) == KERR_NONE);
  fiu_enable(FP_LOG_SEGMENT_ROLL, SP_FAULT_FAIL, NULL, FIU_ONETIME);
  CHECK_EQ_INT(test_append(p, 5, 80, 2, NULL, &b, &l), KERR_KAFKA_STORAGE_ERROR);
  CHECK_EQ_INT(test_count_files(test_path(dir, "t-0"), ".log"), 1);
  CHECK_EQ_INT(test_append(p, 5, 80, 3, NULL, &b, &l), KERR_NONE);
  CHECK_EQ_INT(b, 5);
  CHECK_EQ_INT(test_count_files(test_path(dir, "t-0"), ".log"), 2);
  CHECK_EQ_INT(test_read_all(p, 1 << 20, 1), 10);
  store_close(s);
}

TEST(offset_commit_failures) {
  const char *dir = sp_test_tmpdir();
  store_config cfg = test_config(dir, STORE_FSYNC_ALWAYS, 1 << 20);
  store *s = open_topic(&cfg, 1);
  REQUIRE(s);
  REQUIRE(store_commit_offset(s, S("g"), S("t"), 0, 10, NULL, 0) == KERR_NONE);
  REQUIRE(store_sync(s) == 0);
  /* A torn write: refused, nothing changes. */
  fiu_enable(FP_OFFSETS_MID_WRITE, SP_FAULT_FAIL, NULL, FIU_ONETIME);
  CHECK_EQ_INT(store_commit_offset(s, S("g"), S("t"), 0, 20, NULL, 0), KERR_KAFKA_STORAGE_ERROR);
  CHECK_EQ_INT(store_committed_offset(s, S("g"), S("t"), 0, NULL), 10);
  /* A failed fsync: the commit is not durable and is forgotten. */
  uint64_t epoch = store_offsets_sync_epoch(s);
  REQUIRE(store_commit_offset(s, S("g"), S("t"), 0, 30, NULL, 0) == KERR_NONE);
  REQUIRE(store_commit_offset(s, S("g"), S("t"), 1, 5, NULL, 0) == KERR_NONE);
  int64_t count = store_offsets_commit_count(s);
  CHECK_EQ_INT(store_committed_offset(s, S("g"), S("t"), 0, NULL), 30);
  fiu_enable(FP_OFFSETS_BEFORE_FSYNC, SP_FAULT_FAIL, NULL, FIU_ONETIME);
  CHECK_EQ_INT(store_sync(s), 1);
  CHECK(!store_offsets_is_durable(s, epoch, count));
  CHECK_EQ_INT(store_committed_offset(s, S("g"), S("t"), 0, NULL), 10);
  CHECK_EQ_INT(store_committed_offset(s, S("g"), S("t"), 1, NULL), -1);
  epoch = store_offsets_sync_epoch(s);
  REQUIRE(store_commit_offset(s, S("g"), S("t"), 0, 40, NULL, 0) == KERR_NONE);
  count = store_offsets_commit_count(s);
  CHECK_EQ_INT(store_sync(s), 0);
  CHECK(store_offsets_is_durable(s, epoch, count));
  store_close(s);
  s = open_topic(&cfg, 1);
  REQUIRE(s);
  CHECK_EQ_INT(store_committed_offset(s, S("g"), S("t"), 0, NULL), 40);
  CHECK_EQ_INT(store_committed_offset(s, S("g"), S("t"), 1, NULL), -1);
  store_close(s);
}

TEST(retention_fault_after_unlink_keeps_state_consistent) {
  const char *dir = sp_test_tmpdir();
  store_config cfg = test_config(dir, STORE_FSYNC_NEVER, 400);
  cfg.retention_bytes = 0;
  store *s = open_topic(&cfg, 1);
  REQUIRE(s);
  partition *p = store_partition(s, S("t"), 0);
  int64_t b, l;
  for (int i = 0; i < 6; i++) REQUIRE(test_append(p, 3, 100, 1, NULL, &b, &l) == KERR_NONE);
  int segs = test_count_files(test_path(dir, "t-0"), ".log");
  REQUIRE(segs >= 4);
  fiu_enable(FP_LOG_RETENTION_DELETE, SP_FAULT_FAIL, NULL, FIU_ONETIME);
  CHECK_EQ_INT(store_enforce_retention(s, 0), 1); /* one deleted, then the pass stops */
  CHECK_EQ_INT(test_count_files(test_path(dir, "t-0"), ".log"), segs - 1);
  int64_t start = partition_log_start_offset(p);
  CHECK(start > 0);
  CHECK_EQ_INT(test_read_all(p, 1 << 20, 1), partition_log_end_offset(p) - start);
  CHECK_EQ_INT(store_enforce_retention(s, 0), segs - 2); /* the rest, but not the active one */
  CHECK_EQ_INT(test_count_files(test_path(dir, "t-0"), ".log"), 1);
  store_close(s);
}

SP_TEST_MAIN(mid_batch_write_failure_is_cut_off, failure_before_fsync_cuts_back,
             failure_after_fsync_cuts_back, failed_roll_refuses_the_append_only,
             offset_commit_failures, retention_fault_after_unlink_keeps_state_consistent)
#else
TEST(fault_points_not_compiled_in) { printf("# FIU_ENABLE is off: nothing to test\n"); }
SP_TEST_MAIN(fault_points_not_compiled_in)
#endif
