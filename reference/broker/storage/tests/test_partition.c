/* test_partition: appends, reads, the high watermark and group commit,
 * segment rolls, timestamps, refused batches. */
#include <string.h>

#include "kcodec.h"
#include "record_batch.h"
#include "segment.h"
#include "sp_test.h"
#include "store.h"
#include "store_test_util.h"

static store *open_with_topic(store_config *cfg, const char *topic, int32_t parts) {
  store *s = store_open(cfg);
  if (s && store_topic_partitions(s, topic, strlen(topic)) < 0)
    REQUIRE(store_create_topic(s, topic, strlen(topic), parts) == KERR_NONE);
  return s;
}

TEST(append_assigns_dense_offsets_and_reads_back) {
  store_config cfg = test_config(sp_test_tmpdir(), STORE_FSYNC_NEVER, 1 << 20);
  store *s = open_with_topic(&cfg, "orders", 3);
  REQUIRE(s);
  for (int32_t k = 0; k < 3; k++) {
    partition *p = store_partition(s, "orders", 6, k);
    REQUIRE(p);
    int64_t expect = 0;
    for (int i = 0; i < 20; i++) {
      int64_t b, l;
      int32_t n = 1 + (i * 7 + k) % 13;
      REQUIRE(test_append(p, n, 17, 1000 + i, NULL, &b, &l) == KERR_NONE);
      CHECK_EQ_INT(b, expect);
      CHECK_EQ_INT(l, expect + n - 1);
      expect += n;
    }
    CHECK_EQ_INT(partition_log_end_offset(p), expect);
    CHECK_EQ_INT(partition_high_watermark(p), expect); /* NEVER: visible at once */
    CHECK_EQ_INT(partition_log_start_offset(p), 0);
    CHECK_EQ_INT(test_read_all(p, 100, 1), expect);
    CHECK_EQ_INT(test_read_all(p, 1 << 20, 1), expect);
  }
  CHECK(store_partition(s, "orders", 6, 3) == NULL);
  CHECK(store_partition(s, "orders", 6, -1) == NULL);
  CHECK(store_partition(s, "nope", 4, 0) == NULL);
  store_close(s);
}

TEST(read_rules) {
  store_config cfg = test_config(sp_test_tmpdir(), STORE_FSYNC_NEVER, 1 << 20);
  store *s = open_with_topic(&cfg, "t", 1);
  REQUIRE(s);
  partition *p = store_partition(s, "t", 1, 0);
  size_t batch_bytes = 0;
  for (int i = 0; i < 10; i++) { /* 10 batches of 10 records: offsets 0..99 */
    sp_buf b = SP_BUF_INIT;
    batch_bytes = batch_build_simple(&b, 10, 50, i, NULL);
    int64_t base, last;
    REQUIRE(partition_append(p, b.data, b.len, i, &base, &last) == KERR_NONE);
    sp_buf_free(&b);
  }
  sp_buf out = SP_BUF_INIT;
  rb_header h;
  /* An offset inside a batch returns that whole batch. */
  CHECK_EQ_INT(partition_read(p, 37, (int32_t)batch_bytes, &out), KERR_NONE);
  CHECK_EQ_INT(out.len, batch_bytes);
  REQUIRE(rb_check(out.data, out.len, &h) == RB_OK);
  CHECK_EQ_INT(h.base_offset, 30);
  /* max_bytes smaller than a batch still gives exactly one whole batch. */
  sp_buf_reset(&out);
  CHECK_EQ_INT(partition_read(p, 0, 1, &out), KERR_NONE);
  CHECK_EQ_INT(out.len, batch_bytes);
  sp_buf_reset(&out);
  CHECK_EQ_INT(partition_read(p, 0, 0, &out), KERR_NONE);
  CHECK_EQ_INT(out.len, batch_bytes);
  /* Whole batches only, never more than max_bytes after the first. */
  sp_buf_reset(&out);
  CHECK_EQ_INT(partition_read(p, 10, (int32_t)(batch_bytes * 3 + batch_bytes / 2), &out), KERR_NONE);
  CHECK_EQ_INT(out.len, batch_bytes * 3);
  /* Appends to an existing buffer keep what was there. */
  CHECK_EQ_INT(partition_read(p, 95, 1 << 20, &out), KERR_NONE);
  CHECK_EQ_INT(out.len, batch_bytes * 4);
  REQUIRE(rb_check(out.data + batch_bytes * 3, batch_bytes, &h) == RB_OK);
  CHECK_EQ_INT(h.base_offset, 90);
  /* At the high watermark: nothing, no error. Beyond or below: out of range. */
  sp_buf_reset(&out);
  CHECK_EQ_INT(partition_read(p, 100, 1 << 20, &out), KERR_NONE);
  CHECK_EQ_INT(out.len, 0);
  CHECK_EQ_INT(partition_read(p, 101, 1 << 20, &out), KERR_OFFSET_OUT_OF_RANGE);
  CHECK_EQ_INT(partition_read(p, -1, 1 << 20, &out), KERR_OFFSET_OUT_OF_RANGE);
  CHECK_EQ_INT(out.len, 0);
  sp_buf_free(&out);
  store_close(s);
}

TEST(fsync_always_hides_appends_until_group_commit) {
  store_config cfg = test_config(sp_test_tmpdir(), STORE_FSYNC_ALWAYS, 1 << 20);
  store *s = open_with_topic(&cfg, "t", 2);
  REQUIRE(s);
  store_sync(s); /* the new partitions' directory entries */
  CHECK(!store_needs_sync(s));
  partition *p0 = store_partition(s, "t", 1, 0), *p1 = store_partition(s, "t", 1, 1);
  uint64_t epoch = partition_sync_epoch(p0);
  int64_t b, l;
  REQUIRE(test_append(p0, 5, 10, 1, NULL, &b, &l) == KERR_NONE);
  CHECK_EQ_INT(partition_log_end_offset(p0), 5);
  CHECK_EQ_INT(partition_high_watermark(p0), 0);
  CHECK(!partition_is_durable(p0, epoch, l));
  CHECK(store_needs_sync(s));
  sp_buf out = SP_BUF_INIT;
  CHECK_EQ_INT(partition_read(p0, 0, 1 << 20, &out), KERR_NONE);
  CHECK_EQ_INT(out.len, 0); /* not visible to consumers yet */
  CHECK_EQ_INT(partition_read(p0, 3, 1 << 20, &out), KERR_OFFSET_OUT_OF_RANGE);
  CHECK_EQ_INT(store_sync(s), 0);
  CHECK(!store_needs_sync(s));
  CHECK_EQ_INT(partition_high_watermark(p0), 5);
  CHECK(partition_is_durable(p0, epoch, l));
  CHECK(!partition_is_durable(p0, epoch + 1, l));
  CHECK_EQ_INT(partition_high_watermark(p1), 0);
  CHECK_EQ_INT(test_read_all(p0, 1 << 20, 1), 5);
  /* Several appends, one commit. */
  for (int i = 0; i < 4; i++) REQUIRE(test_append(p1, 3, 10, 1, NULL, &b, &l) == KERR_NONE);
  REQUIRE(test_append(p0, 3, 10, 1, NULL, &b, &l) == KERR_NONE);
  CHECK_EQ_INT(partition_high_watermark(p1), 0);
  CHECK_EQ_INT(store_sync(s), 0);
  CHECK_EQ_INT(partition_high_watermark(p1), 12);
  CHECK_EQ_INT(partition_high_watermark(p0), 8);
  sp_buf_free(&out);
  store_close(s);
}

TEST(segments_roll_and_reads_cross_them) {
  const char *dir = sp_test_tmpdir();
  store_config cfg = test_config(dir, STORE_FSYNC_ALWAYS, 2000);
  store *s = open_with_topic(&cfg, "t", 1);
  REQUIRE(s);
  partition *p = store_partition(s, "t", 1, 0);
  int64_t b, l, total = 0;
  for (int i = 0; i < 60; i++) {
    int32_t n = 1 + i % 9;
    REQUIRE(test_append(p, n, 40, 10 * i, NULL, &b, &l) == KERR_NONE);
    total += n;
    if (i % 7 == 0) REQUIRE(store_sync(s) == 0);
  }
  REQUIRE(store_sync(s) == 0);
  const char *pdir = test_path(dir, "t-0");
  int segs = test_count_files(pdir, ".log");
  CHECK(segs >= 8);
  CHECK(test_count_files(pdir, ".index") >= segs - 1); /* an index file per segment with entries */
  CHECK_EQ_INT(test_read_all(p, 1 << 20, 1), total);     /* large reads span segments */
  CHECK_EQ_INT(test_read_all(p, 1, 1), total);           /* one batch at a time */
  store_close(s);

  s = store_open(&cfg);
  REQUIRE(s);
  p = store_partition(s, "t", 1, 0);
  CHECK_EQ_INT(partition_log_end_offset(p), total);
  CHECK_EQ_INT(partition_high_watermark(p), total);
  CHECK_EQ_INT(test_count_files(test_path(dir, "t-0"), ".log"), segs);
  CHECK_EQ_INT(test_read_all(p, 777, 1), total);
  REQUIRE(test_append(p, 4, 40, 1000, NULL, &b, &l) == KERR_NONE);
  CHECK_EQ_INT(b, total);
  store_close(s);
}

TEST(batch_larger_than_a_segment_gets_its_own) {
  store_config cfg = test_config(sp_test_tmpdir(), STORE_FSYNC_NEVER, 500);
  store *s = open_with_topic(&cfg, "t", 1);
  REQUIRE(s);
  partition *p = store_partition(s, "t", 1, 0);
  int64_t b, l;
  REQUIRE(test_append(p, 2, 10, 1, NULL, &b, &l) == KERR_NONE);
  REQUIRE(test_append(p, 20, 100, 1, NULL, &b, &l) == KERR_NONE); /* ~2.3 KB */
  REQUIRE(test_append(p, 2, 10, 1, NULL, &b, &l) == KERR_NONE);
  CHECK_EQ_INT(test_read_all(p, 10, 1), 24);
  store_close(s);
}

TEST(bad_batches_write_nothing) {
  store_config cfg = test_config(sp_test_tmpdir(), STORE_FSYNC_NEVER, 1 << 20);
  cfg.max_batch_bytes = 1000;
  store *s = open_with_topic(&cfg, "t", 1);
  REQUIRE(s);
  partition *p = store_partition(s, "t", 1, 0);
  sp_buf b = SP_BUF_INIT;
  int64_t base, last;
  batch_build_simple(&b, 2, 10, 1, NULL);
  size_t first = b.len;
  batch_build_simple(&b, 2, 10, 1, NULL);
  b.data[b.len - 1] ^= 1; /* second batch corrupt: the first is not written either */
  CHECK_EQ_INT(partition_append(p, b.data, b.len, 1, &base, &last), KERR_CORRUPT_MESSAGE);
  CHECK_EQ_INT(partition_append(p, b.data, first - 1, 1, &base, &last), KERR_CORRUPT_MESSAGE);
  CHECK_EQ_INT(partition_append(p, b.data, 0, 1, &base, &last), KERR_INVALID_RECORD);
  b.data[16] = 1;
  CHECK_EQ_INT(partition_append(p, b.data, first, 1, &base, &last),
               KERR_UNSUPPORTED_FOR_MESSAGE_FORMAT);
  sp_buf_reset(&b);
  batch_build_simple(&b, 10, 100, 1, NULL);
  CHECK_EQ_INT(partition_append(p, b.data, b.len, 1, &base, &last), KERR_MESSAGE_TOO_LARGE);
  CHECK_EQ_INT(partition_log_end_offset(p), 0);
  sp_buf_reset(&b);
  batch_build_simple(&b, 3, 10, 1, NULL);
  rb_set_base_offset(b.data, 999); /* whatever the producer sent is replaced */
  CHECK_EQ_INT(partition_append(p, b.data, b.len, 1, &base, &last), KERR_NONE);
  CHECK_EQ_INT(base, 0);
  CHECK_EQ_INT((int64_t)k_load64(b.data), 0);
  CHECK_EQ_INT(test_read_all(p, 1 << 20, 1), 3);
  sp_buf_free(&b);
  store_close(s);
}

TEST(offset_for_time) {
  store_config cfg = test_config(sp_test_tmpdir(), STORE_FSYNC_ALWAYS, 3000);
  store *s = open_with_topic(&cfg, "t", 1);
  REQUIRE(s);
  partition *p = store_partition(s, "t", 1, 0);
  /* batch i: 5 records with timestamps 1000*i + 0..4, offsets 5i..5i+4 */
  for (int i = 0; i < 40; i++) {
    int64_t b, l;
    REQUIRE(test_append(p, 5, 30, 1000 * i, NULL, &b, &l) == KERR_NONE);
  }
  int64_t off, ts;
  CHECK_EQ_INT(partition_offset_for_time(p, 0, &off, &ts), KERR_NONE);
  CHECK_EQ_INT(off, -1); /* nothing visible before the group commit */
  REQUIRE(store_sync(s) == 0);
  CHECK_EQ_INT(partition_offset_for_time(p, 0, &off, &ts), KERR_NONE);
  CHECK_EQ_INT(off, 0);
  CHECK_EQ_INT(ts, 0);
  CHECK_EQ_INT(partition_offset_for_time(p, 17003, &off, &ts), KERR_NONE);
  CHECK_EQ_INT(off, 88);
  CHECK_EQ_INT(ts, 17003);
  CHECK_EQ_INT(partition_offset_for_time(p, 17005, &off, &ts), KERR_NONE);
  CHECK_EQ_INT(off, 90);
  CHECK_EQ_INT(ts, 18000);
  CHECK_EQ_INT(partition_offset_for_time(p, 39004, &off, &ts), KERR_NONE);
  CHECK_EQ_INT(off, 199);
  CHECK_EQ_INT(partition_offset_for_time(p, 39005, &off, &ts), KERR_NONE);
  CHECK_EQ_INT(off, -1);
  CHECK_EQ_INT(ts, -1);
  /* Every timestamp, compared with a linear answer. */
  for (int64_t t = 0; t < 40000; t += 333) {
    CHECK_EQ_INT(partition_offset_for_time(p, t, &off, &ts), KERR_NONE);
    int64_t i = t / 1000, r = t % 1000;
    int64_t expect = r <= 4 ? 5 * i + r : 5 * (i + 1);
    CHECK_EQ_INT(off, expect >= 200 ? -1 : expect);
  }
  store_close(s);
}

/* Many partitions and segments share a small descriptor budget: least
 * recently used fds are closed, never one holding unsynced writes. */
TEST(descriptor_budget) {
  store_config cfg = test_config(sp_test_tmpdir(), STORE_FSYNC_ALWAYS, 600);
  int saved = segment_fd_budget();
  segment_set_fd_budget(10);
  store *s = open_with_topic(&cfg, "t", 30);
  REQUIRE(s);
  REQUIRE(store_sync(s) == 0);
  int64_t b, l;
  for (int round = 0; round < 6; round++) {
    for (int32_t k = 0; k < 30; k++)
      REQUIRE(test_append(store_partition(s, "t", 1, k), 3, 60, round, NULL, &b, &l) == KERR_NONE);
    CHECK(segment_fds_open() >= 30); /* every partition has unsynced (pinned) writes */
    REQUIRE(store_sync(s) == 0);
  }
  for (int32_t k = 0; k < 30; k++) CHECK_EQ_INT(test_read_all(store_partition(s, "t", 1, k), 1, 1), 18);
  CHECK(segment_fds_open() <= 10);
  store_close(s);
  CHECK_EQ_INT(segment_fds_open(), 0);
  segment_set_fd_budget(saved);
}

SP_TEST_MAIN(append_assigns_dense_offsets_and_reads_back, read_rules, descriptor_budget,
             fsync_always_hides_appends_until_group_commit, segments_roll_and_reads_cross_them,
             batch_larger_than_a_segment_gets_its_own, bad_batches_write_nothing, offset_for_time)
