/* test_offsets_store: committed group offsets: the map, durability across
 * reopen, compaction, and a torn tail at every length. */
#include <string.h>

#include "offsets_store.h"
#include "sp_test.h"
#include "store.h"
#include "store_test_util.h"

#define S(x) x, strlen(x)

typedef struct seen {
  char topics[8][32];
  int32_t parts[8];
  int64_t offsets[8];
  int n;
} seen;

static void collect(void *ctx, const char *topic, int32_t part, int64_t offset, const char *meta) {
  seen *sn = ctx;
  (void)meta;
  if (sn->n >= 8) return;
  snprintf(sn->topics[sn->n], 32, "%s", topic);
  sn->parts[sn->n] = part;
  sn->offsets[sn->n++] = offset;
}

TEST(commit_get_foreach) {
  store_config cfg = test_config(sp_test_tmpdir(), STORE_FSYNC_ALWAYS, 1 << 20);
  store *s = store_open(&cfg);
  REQUIRE(s);
  const char *meta;
  CHECK_EQ_INT(store_committed_offset(s, S("g"), S("t"), 0, &meta), -1);
  CHECK(meta == NULL);
  CHECK_EQ_INT(store_commit_offset(s, S("g"), S("t"), 1, 10, "m1", 2), KERR_NONE);
  CHECK_EQ_INT(store_commit_offset(s, S("g"), S("t"), 0, 5, NULL, 0), KERR_NONE);
  CHECK_EQ_INT(store_commit_offset(s, S("g"), S("a"), 3, 7, "", 0), KERR_NONE);
  CHECK_EQ_INT(store_commit_offset(s, S("g2"), S("t"), 0, 99, NULL, 0), KERR_NONE);
  CHECK_EQ_INT(store_commit_offset(s, S("g"), S("t"), 1, 11, "m2", 2), KERR_NONE);
  CHECK_EQ_INT(store_committed_offset(s, S("g"), S("t"), 1, &meta), 11);
  CHECK_EQ_STR(meta, "m2");
  CHECK_EQ_INT(store_committed_offset(s, S("g"), S("t"), 0, &meta), 5);
  CHECK(meta == NULL);
  CHECK_EQ_INT(store_committed_offset(s, S("g"), S("a"), 3, &meta), 7);
  CHECK_EQ_STR(meta, "");
  CHECK_EQ_INT(store_committed_offset(s, S("g"), S("t"), 2, NULL), -1);
  /* "g" + "t" must not be confused with "gt" + "". */
  CHECK_EQ_INT(store_committed_offset(s, S("gt"), "", 0, 1, NULL), -1);
  seen sn = {0};
  store_foreach_committed(s, S("g"), collect, &sn);
  REQUIRE(sn.n == 3); /* sorted by topic, partition */
  CHECK_EQ_STR(sn.topics[0], "a");
  CHECK_EQ_STR(sn.topics[1], "t");
  CHECK_EQ_INT(sn.parts[1], 0);
  CHECK_EQ_INT(sn.parts[2], 1);
  CHECK_EQ_INT(sn.offsets[2], 11);
  char big[5000];
  memset(big, 'x', sizeof big);
  CHECK_EQ_INT(store_commit_offset(s, S("g"), S("t"), 0, 6, big, sizeof big),
               OFFSETS_KERR_METADATA_TOO_LARGE);
  CHECK_EQ_INT(store_committed_offset(s, S("g"), S("t"), 0, NULL), 5);
  store_close(s);
}

TEST(durable_after_sync_and_across_reopen) {
  const char *dir = sp_test_tmpdir();
  store_config cfg = test_config(dir, STORE_FSYNC_ALWAYS, 1 << 20);
  store *s = store_open(&cfg);
  REQUIRE(s);
  uint64_t epoch = store_offsets_sync_epoch(s);
  CHECK_EQ_INT(store_commit_offset(s, S("g"), S("t"), 0, 1, NULL, 0), KERR_NONE);
  int64_t count = store_offsets_commit_count(s);
  CHECK(store_needs_sync(s));
  CHECK(!store_offsets_is_durable(s, epoch, count));
  CHECK_EQ_INT(store_sync(s), 0);
  CHECK(store_offsets_is_durable(s, epoch, count));
  CHECK(!store_needs_sync(s));
  for (int i = 2; i <= 100; i++) REQUIRE(store_commit_offset(s, S("g"), S("t"), i % 3, i, "m", 1) == 0);
  store_close(s);
  int64_t size_before = test_file_size(test_path(dir, "group-offsets.log"));
  s = store_open(&cfg); /* compacted at open: three keys left */
  REQUIRE(s);
  CHECK_EQ_INT(store_committed_offset(s, S("g"), S("t"), 0, NULL), 99);
  CHECK_EQ_INT(store_committed_offset(s, S("g"), S("t"), 1, NULL), 100);
  CHECK_EQ_INT(store_committed_offset(s, S("g"), S("t"), 2, NULL), 98);
  int64_t size_after = test_file_size(test_path(dir, "group-offsets.log"));
  CHECK(size_after < size_before / 10);
  CHECK_EQ_INT(test_file_size(test_path(dir, "group-offsets.log.tmp")), -1);
  store_close(s);
}

/* Cuts the file at every length inside its last two records: the commits
 * before the cut survive, the torn one is dropped, later commits work. */
TEST(torn_tail_at_every_length) {
  const char *dir = sp_test_tmpdir();
  store_config cfg = test_config(dir, STORE_FSYNC_ALWAYS, 1 << 20);
  store *s = store_open(&cfg);
  REQUIRE(s);
  REQUIRE(store_commit_offset(s, S("group"), S("topic"), 0, 100, "meta", 4) == 0);
  REQUIRE(store_sync(s) == 0);
  store_close(s);
  char path[1024];
  snprintf(path, sizeof path, "%s", test_path(dir, "group-offsets.log"));
  int64_t one = test_file_size(path);
  s = store_open(&cfg);
  REQUIRE(s);
  REQUIRE(store_commit_offset(s, S("group"), S("topic"), 0, 200, "meta", 4) == 0);
  REQUIRE(store_commit_offset(s, S("group"), S("topic"), 1, 300, NULL, 0) == 0);
  store_close(s);
  int64_t full = test_file_size(path);
  REQUIRE(full > one);
  /* keep a copy to restore before every cut */
  FILE *f = fopen(path, "rb");
  REQUIRE(f);
  char buf[4096];
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  REQUIRE((int64_t)n == full);
  int64_t second = -1; /* where the third record starts */
  for (int64_t cut = one; cut <= full; cut++) {
    f = fopen(path, "wb");
    REQUIRE(f && fwrite(buf, 1, (size_t)cut, f) == (size_t)cut);
    fclose(f);
    s = store_open(&cfg);
    REQUIRE(s);
    int64_t o0 = store_committed_offset(s, S("group"), S("topic"), 0, NULL);
    int64_t o1 = store_committed_offset(s, S("group"), S("topic"), 1, NULL);
    if (o0 == 200 && second < 0) second = cut;
    if (second < 0) CHECK_EQ_INT(o0, 100);
    else CHECK_EQ_INT(o0, 200);
    CHECK_EQ_INT(o1, cut == full ? 300 : -1);
    REQUIRE(store_commit_offset(s, S("group"), S("topic"), 2, cut, NULL, 0) == 0);
    store_close(s);
    s = store_open(&cfg);
    REQUIRE(s);
    CHECK_EQ_INT(store_committed_offset(s, S("group"), S("topic"), 2, NULL), cut);
    store_close(s);
  }
  CHECK(second > one && second < full);
}

TEST(flipped_bit_drops_the_record_and_what_follows) {
  const char *dir = sp_test_tmpdir();
  store_config cfg = test_config(dir, STORE_FSYNC_NEVER, 1 << 20);
  store *s = store_open(&cfg);
  REQUIRE(s);
  for (int i = 0; i < 3; i++) REQUIRE(store_commit_offset(s, S("g"), S("t"), i, 10 + i, NULL, 0) == 0);
  store_close(s);
  const char *path = test_path(dir, "group-offsets.log");
  int64_t rec = test_file_size(path) / 3;
  test_flip_bit(path, rec + rec / 2, 3); /* inside the second record */
  s = store_open(&cfg);
  REQUIRE(s);
  CHECK_EQ_INT(store_committed_offset(s, S("g"), S("t"), 0, NULL), 10);
  CHECK_EQ_INT(store_committed_offset(s, S("g"), S("t"), 1, NULL), -1);
  CHECK_EQ_INT(store_committed_offset(s, S("g"), S("t"), 2, NULL), -1);
  store_close(s);
}

SP_TEST_MAIN(commit_get_foreach, durable_after_sync_and_across_reopen, torn_tail_at_every_length,
             flipped_bit_drops_the_record_and_what_follows)
