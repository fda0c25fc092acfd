/* test_effects: the exactly-once effect store. Only one process owns a
 * partition's store at a time (a second one, like a new group member
 * while a paused zombie still holds it, is told to wait); the owner learns
 * the last applied offset; a torn tail left by a crash is cut off. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "effects.h"
#include "sp_test.h"

static hist_record apply_at(int64_t offset) {
  hist_record r = {.type = HIST_APPLY, .partition = 3, .offset = offset, .seq = (uint64_t)offset,
                   .writer = 1, .actor = 9, .key = HIST_NO_KEY};
  return r;
}

/* In a child process: tries to acquire; exits with the result + 10. */
static int try_in_child(const char *dir) {
  pid_t pid = fork();
  if (pid == 0) {
    effects_store e;
    effects_init(&e, dir, dir, 0, 1, 3);
    int rc = effects_acquire(&e, 0);
    _exit(rc + 10);
  }
  int status;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) - 10 : -99;
}

TEST(one_owner_and_last_applied) {
  const char *dir = sp_test_tmpdir();
  effects_store e;
  effects_init(&e, dir, dir, 0, 1, 3);
  CHECK(strstr(e.path, "/effects-0-1-3.hist") != NULL);
  REQUIRE(effects_acquire(&e, 0) == 1);
  CHECK_EQ_INT(e.last_applied, -1);
  CHECK_EQ_INT(try_in_child(dir), 0); /* busy: we hold it */
  for (int64_t o = 0; o < 10; o++) {
    hist_record r = apply_at(o);
    REQUIRE(effects_apply(&e, &r) == 0);
  }
  CHECK_EQ_INT(e.last_applied, 9);
  REQUIRE(effects_flush(&e) == 0);
  REQUIRE(effects_release(&e) == 0);
  CHECK(!effects_owned(&e));
  CHECK_EQ_INT(try_in_child(dir), 1); /* free again */
  effects_store e2;
  effects_init(&e2, dir, dir, 0, 1, 3);
  REQUIRE(effects_acquire(&e2, 0) == 1);
  CHECK_EQ_INT(e2.last_applied, 9); /* the effect and its offset came back together */
  effects_release(&e2);
}

TEST(dead_owner_releases) {
  const char *dir = sp_test_tmpdir();
  pid_t pid = fork();
  if (pid == 0) { /* acquire, apply 0..4, die without releasing */
    effects_store e;
    effects_init(&e, dir, dir, 2, 0, 0);
    if (effects_acquire(&e, 2) != 1) _exit(1);
    for (int64_t o = 0; o < 5; o++) {
      hist_record r = apply_at(o);
      effects_apply(&e, &r);
    }
    effects_flush(&e);
    _exit(0);
  }
  int status;
  waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  effects_store e;
  effects_init(&e, dir, dir, 2, 0, 0);
  REQUIRE(effects_acquire(&e, 2) == 1);
  CHECK_EQ_INT(e.last_applied, 4);
  effects_release(&e);
}

TEST(torn_tail_cut) {
  const char *dir = sp_test_tmpdir();
  effects_store e;
  effects_init(&e, dir, dir, 0, 0, 1);
  REQUIRE(effects_acquire(&e, 0) == 1);
  for (int64_t o = 0; o < 3; o++) {
    hist_record r = apply_at(o);
    effects_apply(&e, &r);
  }
  effects_release(&e);
  int fd = open(e.path, O_WRONLY | O_APPEND);
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, "partial-record", 14) == 14); /* a crash mid-write */
  close(fd);
  REQUIRE(effects_acquire(&e, 0) == 1);
  CHECK_EQ_INT(e.last_applied, 2);
  hist_record r = apply_at(3);
  REQUIRE(effects_apply(&e, &r) == 0);
  effects_release(&e);
  hist_file f;
  char err[256];
  REQUIRE(hist_read(e.path, &f, err, sizeof err) == 0);
  CHECK_EQ_INT(f.count, 4);
  CHECK_EQ_INT(f.torn_bytes, 0);
  hist_file_free(&f);
}

TEST(apply_without_ownership_fails) {
  effects_store e;
  effects_init(&e, sp_test_tmpdir(), sp_test_tmpdir(), 0, 0, 0);
  hist_record r = apply_at(0);
  CHECK(effects_apply(&e, &r) != 0);
  CHECK(effects_open_unlocked(&e, 0) == 0); /* the test-only lying consumer */
  CHECK(effects_apply(&e, &r) == 0);
  effects_release(&e);
}

SP_TEST_MAIN(one_owner_and_last_applied, dead_owner_releases, torn_tail_cut,
             apply_without_ownership_fails)
