/* test_recovery: what store_open does with a damaged log.
 *
 * A valid log is cut at every byte length across its last batches, and has
 * single bits flipped across them: recovery must keep exactly the whole,
 * intact batches before the damage, later appends must continue with dense
 * offsets, and a second reopen must change nothing. Also: missing and
 * corrupt index files, damage in an older segment, stale segments left by
 * an interrupted cut-back, and leftover files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record_batch.h"
#include "sp_test.h"
#include "store.h"
#include "store_test_util.h"

#define SEG0 "t-0/00000000000000000000.log"
#define IDX0 "t-0/00000000000000000000.index"

typedef struct file_copy {
  uint8_t *data;
  size_t len;
} file_copy;

static file_copy read_whole(const char *path) {
  file_copy c = {NULL, 0};
  FILE *f = fopen(path, "rb");
  if (!f) return c;
  fseek(f, 0, SEEK_END);
  c.len = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  c.data = malloc(c.len + 1);
  if (fread(c.data, 1, c.len, f) != c.len) c.len = 0;
  fclose(f);
  return c;
}

static void write_whole(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, len, f) != len) abort();
  fclose(f);
}

/* Builds topic t (one partition) holding `batches` batches of varying record
 * counts and sizes; records each batch's end byte and end offset. */
static void build_log(store_config *cfg, int batches, int64_t *end_byte, int64_t *end_offset) {
  store *s = store_open(cfg);
  REQUIRE(s);
  REQUIRE(store_create_topic(s, "t", 1, 1) == KERR_NONE);
  partition *p = store_partition(s, "t", 1, 0);
  int64_t bytes = 0;
  for (int i = 0; i < batches; i++) {
    sp_buf b = SP_BUF_INIT;
    bytes += (int64_t)batch_build_simple(&b, 1 + (i * 5) % 7, 10 + (i * 13) % 40, 1000 + i, NULL);
    int64_t base, last;
    REQUIRE(partition_append(p, b.data, b.len, 1000 + i, &base, &last) == KERR_NONE);
    sp_buf_free(&b);
    end_byte[i] = bytes;
    end_offset[i] = last + 1;
  }
  store_close(s);
}

/* Opens the store and checks the partition holds exactly `offsets`
 * records, all readable and valid; then appends one batch, which must get
 * the next offset, and checks a reopen agrees. */
static void check_recovered(store_config *cfg, int64_t offsets, const char *what, int64_t at) {
  store *s = store_open(cfg);
  REQUIRE(s);
  partition *p = store_partition(s, "t", 1, 0);
  REQUIRE(p);
  if (partition_log_end_offset(p) != offsets)
    fprintf(stderr, "# %s at %lld: log end %lld, expected %lld\n", what, (long long)at,
            (long long)partition_log_end_offset(p), (long long)offsets);
  CHECK_EQ_INT(partition_log_end_offset(p), offsets);
  CHECK_EQ_INT(partition_high_watermark(p), offsets);
  CHECK_EQ_INT(test_read_all(p, 300, 1), offsets);
  int64_t b, l;
  CHECK_EQ_INT(test_append(p, 3, 5, 5000, NULL, &b, &l), KERR_NONE);
  CHECK_EQ_INT(b, offsets);
  store_close(s);
  s = store_open(cfg);
  REQUIRE(s);
  p = store_partition(s, "t", 1, 0);
  CHECK_EQ_INT(partition_log_end_offset(p), offsets + 3);
  CHECK_EQ_INT(test_read_all(p, 1 << 20, 1), offsets + 3);
  store_close(s);
}

TEST(torn_tail_at_every_length) {
  const char *dir = sp_test_tmpdir();
  store_config cfg = test_config(dir, STORE_FSYNC_NEVER, 1 << 20);
  int64_t end_byte[12], end_offset[12];
  build_log(&cfg, 12, end_byte, end_offset);
  char seg[1024];
  snprintf(seg, sizeof seg, "%s", test_path(dir, SEG0));
  file_copy orig = read_whole(seg);
  REQUIRE(orig.len == (size_t)end_byte[11]);
  /* Every length from the end of batch 8 to the full file. */
  for (int64_t len = end_byte[8]; len <= end_byte[11]; len++) {
    write_whole(seg, orig.data, (size_t)len);
    unlink(test_path(dir, IDX0));
    int64_t whole = 0;
    for (int i = 0; i < 12; i++)
      if (end_byte[i] <= len) whole = end_offset[i];
    check_recovered(&cfg, whole, "cut", len);
  }
  free(orig.data);
}

TEST(flipped_bit_cuts_at_the_damaged_batch) {
  const char *dir = sp_test_tmpdir();
  store_config cfg = test_config(dir, STORE_FSYNC_NEVER, 1 << 20);
  int64_t end_byte[8], end_offset[8];
  build_log(&cfg, 8, end_byte, end_offset);
  char seg[1024];
  snprintf(seg, sizeof seg, "%s", test_path(dir, SEG0));
  file_copy orig = read_whole(seg);
  /* One bit of each byte of the last two batches (bit varies with pos). */
  for (int64_t pos = end_byte[5]; pos < end_byte[7]; pos++) {
    write_whole(seg, orig.data, orig.len);
    test_flip_bit(seg, pos, (int)(pos % 8));
    int victim = pos < end_byte[6] ? 6 : 7;
    int64_t in_batch = pos - end_byte[victim - 1];
    /* The partition leader epoch (bytes 12..15) is neither checked nor used. */
    int64_t expect = in_batch >= 12 && in_batch < 16 ? end_offset[7] : end_offset[victim - 1];
    check_recovered(&cfg, expect, "flip", pos);
  }
  free(orig.data);
}

TEST(damage_in_an_older_segment_drops_what_follows) {
  const char *dir = sp_test_tmpdir();
  store_config cfg = test_config(dir, STORE_FSYNC_NEVER, 600);
  int64_t end_byte[30], end_offset[30];
  build_log(&cfg, 30, end_byte, end_offset);
  char pdir[1024];
  snprintf(pdir, sizeof pdir, "%s", test_path(dir, "t-0"));
  int segs = test_count_files(pdir, ".log");
  REQUIRE(segs >= 4);
  /* The second segment loses its tail (say, a power cut under NEVER). */
  int64_t bases[64];
  REQUIRE(test_segment_bases(pdir, bases, 64) == segs);
  int64_t second_base = bases[1];
  char name[64];
  snprintf(name, sizeof name, "t-0/%020lld.log", (long long)second_base);
  char seg[1024];
  snprintf(seg, sizeof seg, "%s", test_path(dir, name));
  int64_t size = test_file_size(seg);
  test_truncate(seg, size - 7);
  /* Its remaining batches: the last whole one ends before size - 7. */
  store *s = store_open(&cfg);
  REQUIRE(s);
  partition *p = store_partition(s, "t", 1, 0);
  int64_t end = partition_log_end_offset(p);
  CHECK(end > second_base);
  CHECK(end < end_offset[29]);
  CHECK_EQ_INT(test_count_files(pdir, ".log"), 2); /* later segments removed */
  CHECK_EQ_INT(test_read_all(p, 1 << 20, 1), end);
  int64_t b, l;
  CHECK_EQ_INT(test_append(p, 2, 5, 1, NULL, &b, &l), KERR_NONE);
  CHECK_EQ_INT(b, end);
  store_close(s);
}

TEST(missing_and_corrupt_indexes_are_rebuilt) {
  const char *dir = sp_test_tmpdir();
  store_config cfg = test_config(dir, STORE_FSYNC_NEVER, 1500);
  int64_t end_byte[40], end_offset[40];
  build_log(&cfg, 40, end_byte, end_offset);
  int segs = test_count_files(test_path(dir, "t-0"), ".log");
  REQUIRE(segs >= 5);
  int64_t bases[64];
  REQUIRE(test_segment_bases(test_path(dir, "t-0"), bases, 64) == segs);
  char idx[4][1024];
  file_copy orig[4];
  for (int i = 0; i < 4; i++) {
    char name[64];
    snprintf(name, sizeof name, "t-0/%020lld.index", (long long)bases[i]);
    snprintf(idx[i], sizeof idx[i], "%s", test_path(dir, name));
    orig[i] = read_whole(idx[i]);
    REQUIRE(orig[i].len > 0);
  }
  unlink(idx[0]);                                          /* missing */
  test_truncate(idx[1], (int64_t)orig[1].len - 3);         /* torn */
  test_flip_bit(idx[2], 5, 7);                             /* position out of bounds */
  write_whole(idx[3], orig[3].data, orig[3].len - 16);     /* stale: well-formed, one short */
  store *s = store_open(&cfg);
  REQUIRE(s);
  partition *p = store_partition(s, "t", 1, 0);
  CHECK_EQ_INT(partition_log_end_offset(p), end_offset[39]);
  CHECK_EQ_INT(test_read_all(p, 1, 1), end_offset[39]);
  store_close(s);
  for (int i = 0; i < 4; i++) {
    file_copy now = read_whole(idx[i]);
    CHECK(now.len == orig[i].len && memcmp(now.data, orig[i].data, now.len) == 0);
    free(now.data);
    free(orig[i].data);
  }
}

TEST(stale_and_disconnected_segments) {
  const char *dir = sp_test_tmpdir();
  store_config cfg = test_config(dir, STORE_FSYNC_NEVER, 1 << 20);
  int64_t end_byte[5], end_offset[5];
  build_log(&cfg, 5, end_byte, end_offset);
  /* A segment starting inside the first (a cut-back leftover), and one
   * leaving a hole, plus an orphan index. */
  char seg[1024];
  snprintf(seg, sizeof seg, "%s", test_path(dir, SEG0));
  file_copy orig = read_whole(seg);
  write_whole(test_path(dir, "t-0/00000000000000000002.log"), orig.data, orig.len);
  write_whole(test_path(dir, "t-0/00000000000000009999.log"), orig.data, orig.len);
  write_whole(test_path(dir, "t-0/00000000000000004444.index"), "x", 1);
  check_recovered(&cfg, end_offset[4], "stale", 0);
  CHECK_EQ_INT(test_file_size(test_path(dir, "t-0/00000000000000000002.log")), -1);
  CHECK_EQ_INT(test_file_size(test_path(dir, "t-0/00000000000000009999.log")), -1);
  CHECK_EQ_INT(test_file_size(test_path(dir, "t-0/00000000000000004444.index")), -1);
  free(orig.data);
}

TEST(garbage_segment_is_emptied_not_fatal) {
  const char *dir = sp_test_tmpdir();
  store_config cfg = test_config(dir, STORE_FSYNC_NEVER, 1 << 20);
  int64_t end_byte[2], end_offset[2];
  build_log(&cfg, 2, end_byte, end_offset);
  uint8_t junk[5000];
  for (size_t i = 0; i < sizeof junk; i++) junk[i] = (uint8_t)(i * 31 + 7);
  write_whole(test_path(dir, SEG0), junk, sizeof junk);
  check_recovered(&cfg, 0, "junk", 0);
}

SP_TEST_MAIN(torn_tail_at_every_length, flipped_bit_cuts_at_the_damaged_batch,
             damage_in_an_older_segment_drops_what_follows, missing_and_corrupt_indexes_are_rebuilt,
             stale_and_disconnected_segments, garbage_segment_is_emptied_not_fatal)
