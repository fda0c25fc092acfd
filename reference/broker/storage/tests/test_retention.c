/* test_retention: deleting whole oldest segments by size and by age; the
 * log start moves, reads below it are out of range, nothing unsynced or
 * active is deleted, and the state survives a reopen. */
#include <string.h>

#include "sp_test.h"
#include "store.h"
#include "store_test_util.h"

#define S(x) x, strlen(x)
#define HOUR_MS 3600000LL

static partition *make(store **s, store_config *cfg) {
  *s = store_open(cfg);
  if (!*s) return NULL;
  if (store_topic_partitions(*s, S("t")) < 0 && store_create_topic(*s, S("t"), 1) != KERR_NONE)
    return NULL;
  store_sync(*s);
  return store_partition(*s, S("t"), 0);
}

TEST(by_bytes) {
  const char *dir = sp_test_tmpdir();
  store_config cfg = test_config(dir, STORE_FSYNC_NEVER, 1000);
  cfg.retention_bytes = 3000;
  store *s;
  partition *p = make(&s, &cfg);
  REQUIRE(p);
  int64_t b, l;
  for (int i = 0; i < 40; i++) REQUIRE(test_append(p, 4, 50, 1000 + i, NULL, &b, &l) == KERR_NONE);
  int64_t total = partition_log_end_offset(p);
  int before = test_count_files(test_path(dir, "t-0"), ".log");
  int deleted = store_enforce_retention(s, 0);
  CHECK(deleted > 0);
  CHECK_EQ_INT(test_count_files(test_path(dir, "t-0"), ".log"), before - deleted);
  int64_t bases[64];
  int n = test_segment_bases(test_path(dir, "t-0"), bases, 64);
  int64_t start = partition_log_start_offset(p);
  CHECK_EQ_INT(start, bases[0]);
  CHECK(start > 0);
  /* At least retention_bytes remain, and one segment fewer would not do. */
  int64_t kept = 0, first = 0;
  for (int i = 0; i < n; i++) {
    char name[64];
    snprintf(name, sizeof name, "t-0/%020lld.log", (long long)bases[i]);
    int64_t size = test_file_size(test_path(dir, name));
    kept += size;
    if (i == 0) first = size;
  }
  CHECK(kept >= cfg.retention_bytes);
  CHECK(kept - first < cfg.retention_bytes);
  sp_buf out = SP_BUF_INIT;
  CHECK_EQ_INT(partition_read(p, start - 1, 1 << 20, &out), KERR_OFFSET_OUT_OF_RANGE);
  CHECK_EQ_INT(partition_read(p, 0, 1 << 20, &out), KERR_OFFSET_OUT_OF_RANGE);
  CHECK_EQ_INT(test_read_all(p, 1 << 20, 1), total - start);
  CHECK_EQ_INT(store_enforce_retention(s, 0), 0); /* nothing more to do */
  store_close(s);
  p = make(&s, &cfg);
  REQUIRE(p);
  CHECK_EQ_INT(partition_log_start_offset(p), start);
  CHECK_EQ_INT(partition_log_end_offset(p), total);
  CHECK_EQ_INT(test_read_all(p, 700, 1), total - start);
  int64_t off, ts;
  CHECK_EQ_INT(partition_offset_for_time(p, 0, &off, &ts), KERR_NONE);
  CHECK_EQ_INT(off, start); /* the earliest surviving record */
  sp_buf_free(&out);
  store_close(s);
}

TEST(by_age_with_a_quiet_partition) {
  const char *dir = sp_test_tmpdir();
  store_config cfg = test_config(dir, STORE_FSYNC_NEVER, 1000);
  cfg.retention_ms = 24 * HOUR_MS;
  store *s;
  partition *p = make(&s, &cfg);
  REQUIRE(p);
  int64_t now = 1700000000000, b, l;
  /* Ten segments' worth from 3 days ago, then some from 1 hour ago. */
  for (int i = 0; i < 30; i++)
    REQUIRE(test_append(p, 4, 50, now - 72 * HOUR_MS + i, NULL, &b, &l) == KERR_NONE);
  int64_t recent = partition_log_end_offset(p);
  for (int i = 0; i < 30; i++)
    REQUIRE(test_append(p, 4, 50, now - HOUR_MS + i, NULL, &b, &l) == KERR_NONE);
  int64_t end = partition_log_end_offset(p);
  CHECK(store_enforce_retention(s, now) > 0);
  int64_t start = partition_log_start_offset(p);
  CHECK(start <= recent); /* nothing recent deleted */
  CHECK(start > recent - 12); /* the old segments are gone: at most a mixed one remains */
  CHECK_EQ_INT(test_read_all(p, 1 << 20, 1), end - start);
  /* Two days later everything has aged out, even the active segment: it is
   * rolled and deleted, and the log continues at the same offset. */
  CHECK(store_enforce_retention(s, now + 48 * HOUR_MS) > 0);
  CHECK_EQ_INT(partition_log_start_offset(p), end);
  CHECK_EQ_INT(partition_log_end_offset(p), end);
  CHECK_EQ_INT(test_count_files(test_path(dir, "t-0"), ".log"), 1);
  REQUIRE(test_append(p, 2, 10, now + 48 * HOUR_MS, NULL, &b, &l) == KERR_NONE);
  CHECK_EQ_INT(b, end);
  store_close(s);
  p = make(&s, &cfg);
  REQUIRE(p);
  CHECK_EQ_INT(partition_log_start_offset(p), end);
  CHECK_EQ_INT(test_read_all(p, 1 << 20, 1), 2);
  store_close(s);
}

TEST(never_deletes_what_is_not_yet_durable) {
  const char *dir = sp_test_tmpdir();
  store_config cfg = test_config(dir, STORE_FSYNC_ALWAYS, 800);
  cfg.retention_bytes = 0;
  store *s;
  partition *p = make(&s, &cfg);
  REQUIRE(p);
  int64_t b, l;
  for (int i = 0; i < 10; i++) REQUIRE(test_append(p, 4, 50, 1, NULL, &b, &l) == KERR_NONE);
  int segs = test_count_files(test_path(dir, "t-0"), ".log");
  REQUIRE(segs > 3);
  CHECK_EQ_INT(store_enforce_retention(s, 0), 0); /* high watermark still 0 */
  CHECK_EQ_INT(partition_log_start_offset(p), 0);
  REQUIRE(store_sync(s) == 0);
  CHECK_EQ_INT(store_enforce_retention(s, 0), segs - 1);
  int64_t bases[64];
  REQUIRE(test_segment_bases(test_path(dir, "t-0"), bases, 64) == 1);
  CHECK_EQ_INT(partition_log_start_offset(p), bases[0]);
  CHECK(bases[0] > 0);
  store_close(s);
}

TEST(segments_without_timestamps_age_by_append_time) {
  const char *dir = sp_test_tmpdir();
  store_config cfg = test_config(dir, STORE_FSYNC_NEVER, 500);
  cfg.retention_ms = 1000;
  store *s;
  partition *p = make(&s, &cfg);
  REQUIRE(p);
  /* Timestamps -1 (a producer that sets none): appended at t=1000 and 5000. */
  sp_buf buf = SP_BUF_INIT;
  int64_t b, l;
  for (int i = 0; i < 8; i++) {
    sp_buf_reset(&buf);
    batch_builder bb;
    batch_builder_begin(&bb, &buf, NULL);
    for (int k = 0; k < 3; k++) batch_builder_add(&bb, -1, NULL, -1, "0123456789012345678901234567890123456789", 40, NULL, 0);
    batch_builder_finish(&bb);
    REQUIRE(partition_append(p, buf.data, buf.len, i < 4 ? 1000 : 5000, &b, &l) == KERR_NONE);
  }
  sp_buf_free(&buf);
  CHECK(store_enforce_retention(s, 5500) > 0);
  CHECK_EQ_INT(partition_log_start_offset(p) <= 12, 1);
  CHECK(partition_log_start_offset(p) > 0);
  store_close(s);
}

SP_TEST_MAIN(by_bytes, by_age_with_a_quiet_partition, never_deletes_what_is_not_yet_durable,
             segments_without_timestamps_age_by_append_time)
