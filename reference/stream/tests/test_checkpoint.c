/* test_checkpoint.c: checkpoint files are atomic, checked, and fall back to
 * the previous good one; a crash at each fault point leaves the old or the
 * new checkpoint whole, never a mix (SQLite crash-test style, with fork). */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checkpoint.h"
#include "fault_points.h"
#include "testkit.h"
#ifdef FIU_ENABLE
#include <fiu-control.h>
#include <fiu.h>
#endif

static char err[512];

static void write_ok(const char *dir, uint64_t seq, const char *body) {
  CHECK(rs_ckpt_write(dir, seq, 42, body, strlen(body), err, sizeof err) == 0);
}

static rs_ckpt_status load(const char *dir, sp_buf *b, uint64_t *seq) {
  sp_buf_reset(b);
  return rs_ckpt_load(dir, 42, b, seq, err, sizeof err);
}

static int count_files(const char *dir) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "ls %s | wc -l", dir);
  FILE *p = popen(cmd, "r");
  int n = -1;
  if (p) {
    if (fscanf(p, "%d", &n) != 1) n = -1;
    pclose(p);
  }
  return n;
}

static void path_of(char *out, size_t cap, const char *dir, uint64_t seq) {
  snprintf(out, cap, "%s/checkpoint-%020llu.ckpt", dir, (unsigned long long)seq);
}

TEST(roundtrip_keeps_two_newest) {
  const char *dir = sp_test_tmpdir();
  sp_buf b = SP_BUF_INIT;
  uint64_t seq = 0;
  CHECK_EQ_INT(load(dir, &b, &seq), RS_CKPT_NONE);
  for (uint64_t s = 1; s <= 5; s++) {
    char body[32];
    snprintf(body, sizeof body, "state %llu", (unsigned long long)s);
    write_ok(dir, s, body);
  }
  CHECK_EQ_INT(load(dir, &b, &seq), RS_CKPT_OK);
  CHECK_EQ_INT(seq, 5);
  CHECK(b.len == 7 && memcmp(b.data, "state 5", 7) == 0);
  CHECK_EQ_INT(count_files(dir), 2);
  CHECK_EQ_INT(rs_ckpt_load(dir, 43, &b, &seq, err, sizeof err), RS_CKPT_OTHER_JOB);
  CHECK(strstr(err, "written by another job") != NULL);
  sp_buf_free(&b);
}

TEST(corrupt_or_torn_newest_falls_back_to_previous) {
  const char *dir = sp_test_tmpdir();
  sp_buf b = SP_BUF_INIT;
  uint64_t seq;
  char path[512];
  write_ok(dir, 1, "first");
  write_ok(dir, 2, "second");
  path_of(path, sizeof path, dir, 2);
  /* flip one bit in the body */
  int fd = open(path, O_RDWR);
  REQUIRE(fd >= 0);
  uint8_t c;
  CHECK(pread(fd, &c, 1, 41) == 1);
  c ^= 4;
  CHECK(pwrite(fd, &c, 1, 41) == 1);
  close(fd);
  CHECK_EQ_INT(load(dir, &b, &seq), RS_CKPT_OK);
  CHECK_EQ_INT(seq, 1);
  CHECK(b.len == 5 && memcmp(b.data, "first", 5) == 0);
  /* a torn (truncated) newest checkpoint */
  write_ok(dir, 3, "third");
  write_ok(dir, 4, "fourth");
  path_of(path, sizeof path, dir, 4);
  CHECK(truncate(path, 45) == 0);
  CHECK_EQ_INT(load(dir, &b, &seq), RS_CKPT_OK);
  CHECK_EQ_INT(seq, 3);
  /* everything corrupt */
  for (uint64_t s = 3; s <= 4; s++) {
    path_of(path, sizeof path, dir, s);
    FILE *f = fopen(path, "w");
    if (f) {
      fputs("garbage", f);
      fclose(f);
    }
  }
  CHECK_EQ_INT(load(dir, &b, &seq), RS_CKPT_ALL_BAD);
  sp_buf_free(&b);
}

TEST(write_failure_keeps_previous_and_leaves_no_temp) {
  const char *dir = sp_test_tmpdir();
  sp_buf b = SP_BUF_INIT;
  uint64_t seq;
  write_ok(dir, 1, "one");
  char missing[600];
  snprintf(missing, sizeof missing, "%s/no/such/dir", dir);
  CHECK(rs_ckpt_write(missing, 2, 42, "x", 1, err, sizeof err) == -1);
  CHECK(strstr(err, "open of") != NULL);
#ifdef FIU_ENABLE
  fiu_init(0);
  fiu_enable(FP_CHECKPOINT_MID_WRITE, 1, (void *)(intptr_t)ENOSPC, FIU_ONETIME);
  CHECK(rs_ckpt_write(dir, 2, 42, "two", 3, err, sizeof err) == -1);
  CHECK(strstr(err, "No space left on device") != NULL);
  CHECK_EQ_INT(count_files(dir), 1);
  fiu_disable(FP_CHECKPOINT_MID_WRITE);
#endif
  CHECK_EQ_INT(load(dir, &b, &seq), RS_CKPT_OK);
  CHECK_EQ_INT(seq, 1);
  /* a stale temp from a crashed write is removed by the next good write */
  char tmp[600];
  snprintf(tmp, sizeof tmp, "%s/checkpoint-00000000000000000007.tmp", dir);
  FILE *f = fopen(tmp, "w");
  REQUIRE(f != NULL);
  fclose(f);
  write_ok(dir, 2, "two");
  CHECK(access(tmp, F_OK) != 0);
  sp_buf_free(&b);
}

#ifdef FIU_ENABLE
/* Writes checkpoint 2 in a child that aborts at `point`; returns what a
 * restart then loads. */
static uint64_t crash_at(const char *dir, const char *point) {
  write_ok(dir, 1, "old state");
  pid_t pid = fork();
  if (pid == 0) {
    fiu_init(0);
    fiu_enable(point, 3 /* SP_FAULT_ABORT */, NULL, 0);
    /* no sanitizer report for the intentional abort */
    close(2);
    (void)rs_ckpt_write(dir, 2, 42, "new state", 9, err, sizeof err);
    _exit(0);
  }
  int status;
  waitpid(pid, &status, 0);
  CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
  sp_buf b = SP_BUF_INIT;
  uint64_t seq = 0;
  CHECK_EQ_INT(load(dir, &b, &seq), RS_CKPT_OK);
  if (seq == 1) CHECK(b.len == 9 && memcmp(b.data, "old state", 9) == 0);
  if (seq == 2) CHECK(b.len == 9 && memcmp(b.data, "new state", 9) == 0);
  sp_buf_free(&b);
  return seq;
}
#endif

TEST(crash_at_each_point_leaves_old_or_new_whole) {
#ifdef FIU_ENABLE
  char dir[600];
  const char *base = sp_test_tmpdir();
  struct {
    const char *point;
    uint64_t want;
  } cases[] = {{FP_CHECKPOINT_MID_WRITE, 1},
               {FP_CHECKPOINT_BEFORE_FSYNC, 1},
               {FP_CHECKPOINT_BEFORE_RENAME, 1},
               {FP_CHECKPOINT_AFTER_RENAME_BEFORE_DIR_FSYNC, 2}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    snprintf(dir, sizeof dir, "%s/%zu", base, i);
    REQUIRE(mkdir(dir, 0755) == 0);
    CHECK_EQ_INT(crash_at(dir, cases[i].point), cases[i].want);
  }
#else
  printf("# skipped: built without FIU_ENABLE\n");
#endif
}

SP_TEST_MAIN(roundtrip_keeps_two_newest, corrupt_or_torn_newest_falls_back_to_previous,
             write_failure_keeps_previous_and_leaves_no_temp,
             crash_at_each_point_leaves_old_or_new_whole)
