/* test_fiu_remote.c: arming and disarming points in running processes over
 * libfiu's control FIFOs (fiu_remote.h), and the POSIX preload on an
 * unmodified binary (preload.h).
 *
 * fiu_target (tests/fiu_target.c) evaluates "sptest/io/point" every 2 ms
 * and logs each failure/delay; fsync_probe (tests/fsync_probe.c) has no
 * libfiu and logs each change in its write()/fdatasync() results. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fault.h"
#include "fiu_remote.h"
#include "preload.h"
#include "process.h"
#include "sp_test.h"
#include "test_util.h"

static char err[1024];
static char prefix[512], logpath[512];

static sp_proc *start_target(void) {
  snprintf(prefix, sizeof prefix, "%s/ctl", sp_test_tmpdir());
  snprintf(logpath, sizeof logpath, "%s/target.log", sp_test_tmpdir());
  char env0[600];
  snprintf(env0, sizeof env0, "SP_FIU_CTRL=%s", prefix);
  const char *env[] = {env0, NULL};
  const char *argv[] = {FIU_TARGET_PATH, NULL};
  sp_proc_spec spec = {.argv = argv, .env_add = env, .log_path = logpath, .name = "fiu_target"};
  sp_proc *p = sp_proc_spawn(&spec, err, sizeof err);
  if (!p) fprintf(stderr, "# %s\n", err);
  if (p && sp_proc_wait_log(p, "ready", 10000, NULL, 0) != 0) fprintf(stderr, "# target not ready\n");
  return p;
}

static int enable(sp_proc *p, int failnum, long info, int once, double prob) {
  sp_fiu_arm arm = {"sptest/io/point", failnum, info, once, prob};
  int rc = sp_fiu_enable(prefix, sp_proc_pid(p), &arm, 3000, err, sizeof err);
  if (rc) fprintf(stderr, "# enable: %s\n", err);
  return rc;
}

TEST(format_enable_commands) {
  char buf[256];
  sp_fiu_arm a = {"refbroker/log/before-fsync", SP_FAULT_FAIL, 5, 0, 1.0};
  sp_fiu_format_enable(&a, buf, sizeof buf);
  CHECK_EQ_STR(buf, "enable name=refbroker/log/before-fsync,failnum=1,failinfo=5");
  sp_fiu_arm b = {"refbroker/net/before-response", SP_FAULT_DELAY, 200, 1, 0.25};
  sp_fiu_format_enable(&b, buf, sizeof buf);
  CHECK_EQ_STR(buf, "enable_random name=refbroker/net/before-response,failnum=2,failinfo=200,probability=0.25,onetime");
  sp_fiu_arm c = {"posix/io/rw/write/reduce", 1, 0, 0, 1.0};
  sp_fiu_format_enable(&c, buf, sizeof buf);
  CHECK_EQ_STR(buf, "enable name=posix/io/rw/write/reduce,failnum=1");
}

TEST(fail_always_then_disable) {
  sp_proc *p = start_target();
  REQUIRE(p);
  CHECK_EQ_INT(count_lines_with(logpath, "fail errno="), 0);
  REQUIRE(enable(p, SP_FAULT_FAIL, ENOSPC, 0, 1.0) == 0);
  CHECK(wait_lines(logpath, "fail errno=28", 5, 5000));
  REQUIRE(sp_fiu_disable(prefix, sp_proc_pid(p), "sptest/io/point", 3000, err, sizeof err) == 0);
  sleep_ms(50);
  int after = count_lines_with(logpath, "fail errno=28");
  sleep_ms(200);
  CHECK_EQ_INT(count_lines_with(logpath, "fail errno=28"), after);
  sp_proc_stop(p, 5000);
  CHECK(WIFEXITED(sp_proc_exit_status(p)));
  sp_proc_free(p);
}

TEST(fail_once_fires_exactly_once) {
  sp_proc *p = start_target();
  REQUIRE(p);
  REQUIRE(enable(p, SP_FAULT_FAIL, EIO, 1, 1.0) == 0);
  CHECK(wait_lines(logpath, "fail errno=5", 1, 5000));
  sleep_ms(200); /* ~100 more evaluations */
  CHECK_EQ_INT(count_lines_with(logpath, "fail errno=5"), 1);
  sp_proc_free(p);
}

TEST(fail_with_probability_fails_some_not_all) {
  sp_proc *p = start_target();
  REQUIRE(p);
  int evals0 = count_lines_with(logpath, "evals=");
  REQUIRE(enable(p, SP_FAULT_FAIL, EPIPE, 0, 0.5) == 0);
  CHECK(wait_lines(logpath, "evals=", evals0 + 6, 10000)); /* >= 300 evaluations */
  REQUIRE(sp_fiu_disable(prefix, sp_proc_pid(p), "sptest/io/point", 3000, err, sizeof err) == 0);
  int evals = (count_lines_with(logpath, "evals=") - evals0 + 1) * 50;
  int fails = count_lines_with(logpath, "fail errno=32");
  CHECK(fails >= 30);
  CHECK(fails < evals);
  sp_proc_free(p);
}

TEST(delay_slows_the_point) {
  sp_proc *p = start_target();
  REQUIRE(p);
  REQUIRE(enable(p, SP_FAULT_DELAY, 120, 1, 1.0) == 0);
  CHECK(wait_lines(logpath, "delayed ms=", 1, 5000));
  FILE *f = fopen(logpath, "r");
  REQUIRE(f);
  char line[256];
  int ms = 0;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "delayed ms=%d", &ms) == 1) break;
  fclose(f);
  CHECK(ms >= 120);
  CHECK_EQ_INT(count_lines_with(logpath, "fail errno="), 0); /* a delay is not a failure */
  sp_proc_free(p);
}

TEST(abort_kills_the_target_and_its_fifos_are_cleaned) {
  sp_proc *p = start_target();
  REQUIRE(p);
  pid_t pid = sp_proc_pid(p);
  REQUIRE(enable(p, SP_FAULT_ABORT, 0, 1, 1.0) == 0);
  REQUIRE(sp_proc_wait(p, 10000) == 0);
  CHECK(WIFSIGNALED(sp_proc_exit_status(p)) && WTERMSIG(sp_proc_exit_status(p)) == SIGABRT);
  char in[600];
  sp_fiu_fifo_path(prefix, pid, 0, in, sizeof in);
  struct stat st;
  CHECK(stat(in, &st) == 0 && S_ISFIFO(st.st_mode)); /* left behind by the abort */
  uint64_t t0 = sp_mono_ns();
  CHECK_EQ_INT(sp_fiu_command(prefix, pid, "disable name=sptest/io/point", 2000, err, sizeof err), -1);
  CHECK(sp_mono_ns() - t0 < 1000000000ull); /* a dead pid fails fast */
  CHECK(strstr(err, "does not exist") != NULL);
  CHECK(stat(in, &st) != 0); /* and its stale FIFOs are gone */
  sp_proc_free(p);
}

TEST(rejected_commands_are_errors) {
  sp_proc *p = start_target();
  REQUIRE(p);
  CHECK_EQ_INT(sp_fiu_command(prefix, sp_proc_pid(p), "frobnicate name=x", 3000, err, sizeof err), -1);
  CHECK(strstr(err, "rejected 'frobnicate name=x' (reply -1)") != NULL);
  CHECK_EQ_INT(sp_fiu_disable(prefix, sp_proc_pid(p), "never/armed", 3000, err, sizeof err), -1);
  CHECK(strstr(err, "rejected 'disable name=never/armed'") != NULL);
  CHECK_EQ_INT(sp_fiu_command(prefix, sp_proc_pid(p), "enable name=a,bogus=1", 3000, err, sizeof err), -1);
  /* a batch stops at the first rejection; the session still works after */
  const char *cmds[] = {"enable name=sptest/io/point,failinfo=7", "disable name=nope", "disable name=sptest/io/point"};
  CHECK_EQ_INT(sp_fiu_commands(prefix, sp_proc_pid(p), cmds, 3, 3000, err, sizeof err), -1);
  CHECK(strstr(err, "disable name=nope") != NULL);
  CHECK(wait_lines(logpath, "fail errno=7", 1, 5000)); /* the first one was applied */
  CHECK_EQ_INT(sp_fiu_disable(prefix, sp_proc_pid(p), "sptest/io/point", 3000, err, sizeof err), 0);
  sp_proc_free(p);
}

TEST(unreachable_targets_fail_within_the_timeout) {
  snprintf(prefix, sizeof prefix, "%s/ctl", sp_test_tmpdir());
  /* alive, but never opened a control FIFO */
  const char *argv[] = {"sleep", "30", NULL};
  sp_proc_spec spec = {.argv = argv};
  sp_proc *p = sp_proc_spawn(&spec, err, sizeof err);
  REQUIRE(p);
  uint64_t t0 = sp_mono_ns();
  CHECK_EQ_INT(sp_fiu_command(prefix, sp_proc_pid(p), "disable name=x", 300, err, sizeof err), -1);
  uint64_t took = sp_mono_ns() - t0;
  CHECK(took >= 300000000ull && took < 3000000000ull);
  CHECK(strstr(err, "no such FIFO") != NULL);
  sp_proc_free(p);

  /* a fiu target that is stopped is refused at once */
  p = start_target();
  REQUIRE(p);
  sp_proc_signal(p, SIGSTOP);
  for (int i = 0; i < 1000 && test_proc_state(sp_proc_pid(p)) != 'T'; i++) sleep_ms(5);
  t0 = sp_mono_ns();
  CHECK_EQ_INT(sp_fiu_command(prefix, sp_proc_pid(p), "disable name=x", 2000, err, sizeof err), -1);
  CHECK(sp_mono_ns() - t0 < 1000000000ull);
  CHECK(strstr(err, "is stopped") != NULL);
  sp_proc_signal(p, SIGCONT);
  sp_proc_free(p);

  /* a zombie (exited, not reaped) */
  const char *argv2[] = {"true", NULL};
  spec.argv = argv2;
  p = sp_proc_spawn(&spec, err, sizeof err);
  REQUIRE(p);
  for (int i = 0; i < 1000 && test_proc_state(sp_proc_pid(p)) != 'Z'; i++) sleep_ms(5);
  CHECK_EQ_INT(sp_fiu_command(prefix, sp_proc_pid(p), "disable name=x", 2000, err, sizeof err), -1);
  CHECK(strstr(err, "zombie") != NULL);
  sp_proc_free(p);
}

TEST(cleanup_removes_only_dead_pids_fifos) {
  snprintf(prefix, sizeof prefix, "%s/ctl", sp_test_tmpdir());
  int dead = 0;
  for (int pid = 4000000; pid > 300000 && !dead; pid -= 9973)
    if (kill(pid, 0) != 0 && errno == ESRCH) dead = pid;
  REQUIRE(dead);
  char path[600];
  for (int out = 0; out < 2; out++) {
    sp_fiu_fifo_path(prefix, dead, out, path, sizeof path);
    REQUIRE(mkfifo(path, 0600) == 0);
    sp_fiu_fifo_path(prefix, getpid(), out, path, sizeof path);
    REQUIRE(mkfifo(path, 0600) == 0);
  }
  snprintf(path, sizeof path, "%s/other-%d.in", sp_test_tmpdir(), dead);
  REQUIRE(mkfifo(path, 0600) == 0);
  CHECK_EQ_INT(sp_fiu_cleanup_stale(prefix), 2);
  struct stat st;
  CHECK(stat(path, &st) == 0); /* another prefix: untouched */
  sp_fiu_fifo_path(prefix, getpid(), 0, path, sizeof path);
  CHECK(stat(path, &st) == 0); /* a live pid: untouched */
  CHECK_EQ_INT(sp_fiu_cleanup_stale(prefix), 0);
}

/* An unmodified binary under the preload: fdatasync fails with EIO from
 * the start, then is healed and write is made to fail at run time. */
TEST(posix_preload_on_an_unmodified_binary) {
  snprintf(prefix, sizeof prefix, "%s/pre", sp_test_tmpdir());
  snprintf(logpath, sizeof logpath, "%s/probe.log", sp_test_tmpdir());
  char data[600];
  snprintf(data, sizeof data, "%s/data", sp_test_tmpdir());
  char *env[8] = {0};
  REQUIRE(sp_fiu_preload_env(FSYNC_PROBE_PATH, prefix, "enable name=posix/io/sync/fdatasync,failinfo=5", env,
                             err, sizeof err) == 0);
  char asan[128];
  int has_asan = sp_elf_needs(FSYNC_PROBE_PATH, "libasan.so", asan, sizeof asan);
  CHECK(has_asan >= 0);
  CHECK(strncmp(env[0], "LD_PRELOAD=", 11) == 0);
  if (has_asan == 1) CHECK(strncmp(env[0] + 11, "libasan.so", 10) == 0); /* ASan runtime first */
  CHECK(strstr(env[0], "/usr/lib/fiu/fiu_run_preload.so /usr/lib/fiu/fiu_posix_preload.so") != NULL);
  const char *argv[] = {FSYNC_PROBE_PATH, data, NULL};
  sp_proc_spec spec = {.argv = argv, .env_add = (const char *const *)env, .log_path = logpath};
  sp_proc *p = sp_proc_spawn(&spec, err, sizeof err);
  sp_fiu_preload_env_free(env);
  REQUIRE(p);
  CHECK(wait_lines(logpath, "write=4 fdatasync=-1 errno=5", 1, 10000));
  CHECK_EQ_INT(count_lines_with(logpath, "fdatasync=0"), 0);
  REQUIRE(sp_fiu_disable(prefix, sp_proc_pid(p), "posix/io/sync/fdatasync", 3000, err, sizeof err) == 0);
  CHECK(wait_lines(logpath, "write=4 fdatasync=0", 1, 5000));
  sp_fiu_arm arm = {"posix/io/rw/write", 1, ENOSPC, 0, 1.0};
  REQUIRE(sp_fiu_enable(prefix, sp_proc_pid(p), &arm, 3000, err, sizeof err) == 0);
  CHECK(wait_lines(logpath, "write=-1 fdatasync=0", 1, 5000));
  CHECK_EQ_INT(sp_proc_stop(p, 5000), 0);
  CHECK(WIFEXITED(sp_proc_exit_status(p)) && WEXITSTATUS(sp_proc_exit_status(p)) == 0); /* no leak report */
  sp_proc_free(p);
  CHECK_EQ_INT(sp_elf_needs("/etc/hostname", "libc", asan, sizeof asan), -1);
  CHECK_EQ_INT(sp_elf_needs(FIU_TARGET_PATH, "libfiu.so", asan, sizeof asan), 1);
}

SP_TEST_MAIN(format_enable_commands, fail_always_then_disable, fail_once_fires_exactly_once,
             fail_with_probability_fails_some_not_all, delay_slows_the_point,
             abort_kills_the_target_and_its_fifos_are_cleaned, rejected_commands_are_errors,
             unreachable_targets_fail_within_the_timeout, cleanup_removes_only_dead_pids_fifos,
             posix_preload_on_an_unmodified_binary)
