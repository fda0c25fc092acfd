/* test_process.c: spawning, signalling, waiting for, restarting and
 * reaping child processes (process.h). */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process.h"
#include "sp_test.h"
#include "test_util.h"

static char err[512];

static sp_proc *spawn_sh(const char *script, const char *log, const char *const *env) {
  const char *argv[] = {"sh", "-c", script, NULL};
  sp_proc_spec spec = {.argv = argv, .env_add = env, .log_path = log, .name = "child"};
  sp_proc *p = sp_proc_spawn(&spec, err, sizeof err);
  if (!p) fprintf(stderr, "# spawn: %s\n", err);
  return p;
}

TEST(kill_stop_cont_restart_a_sleeping_child) {
  sp_proc *p = spawn_sh("exec sleep 30", NULL, NULL);
  REQUIRE(p);
  pid_t first = sp_proc_pid(p);
  CHECK(first > 0);
  CHECK(sp_proc_alive(p));
  CHECK(sp_proc_pidfd(p) >= 0);
  CHECK_EQ_INT(getpgid(first), first); /* its own process group */
  CHECK_EQ_INT(sp_proc_wait(p, 50), -1);
  CHECK_EQ_INT(errno, ETIMEDOUT);

  CHECK_EQ_INT(sp_proc_signal(p, SIGSTOP), 0);
  CHECK_EQ_INT(sp_proc_state_of(p), SP_PROC_STOPPED);
  for (int i = 0; i < 1000 && test_proc_state(first) != 'T'; i++) sleep_ms(5);
  CHECK_EQ_INT(test_proc_state(first), 'T');
  CHECK_EQ_INT(sp_proc_signal(p, SIGCONT), 0);
  CHECK_EQ_INT(sp_proc_state_of(p), SP_PROC_RUNNING);
  for (int i = 0; i < 1000 && test_proc_state(first) == 'T'; i++) sleep_ms(5);
  char resumed = test_proc_state(first); /* S, R, or D while it pages in */
  CHECK(resumed != 'T' && resumed != 't' && resumed != 'Z' && resumed != 0);

  CHECK_EQ_INT(sp_proc_signal(p, SIGKILL), 0);
  CHECK_EQ_INT(sp_proc_wait(p, 5000), 0);
  CHECK_EQ_INT(sp_proc_state_of(p), SP_PROC_EXITED);
  CHECK(WIFSIGNALED(sp_proc_exit_status(p)) && WTERMSIG(sp_proc_exit_status(p)) == SIGKILL);
  char how[96];
  CHECK_EQ_STR(sp_proc_describe(p, how, sizeof how), "killed by SIGKILL");
  CHECK_EQ_INT(sp_proc_signal(p, SIGTERM), -1); /* never signals a reaped pid */
  CHECK_EQ_INT(errno, ESRCH);

  REQUIRE(sp_proc_restart(p, err, sizeof err) == 0);
  CHECK(sp_proc_pid(p) != first);
  CHECK_EQ_INT(sp_proc_incarnation(p), 1);
  CHECK(sp_proc_alive(p));
  CHECK_EQ_INT(sp_proc_restart(p, err, sizeof err), -1); /* still running */
  CHECK(strstr(err, "still running") != NULL);
  CHECK_EQ_INT(sp_proc_stop(p, 2000), 0); /* sleep dies of SIGTERM within the grace */
  CHECK(WIFSIGNALED(sp_proc_exit_status(p)) && WTERMSIG(sp_proc_exit_status(p)) == SIGTERM);
  sp_proc_free(p);
}

TEST(stop_escalates_to_sigkill_when_term_is_ignored) {
  sp_proc *p = spawn_sh("trap '' TERM; echo armed; while :; do sleep 0.05; done", NULL, NULL);
  REQUIRE(p);
  sleep_ms(100); /* let the shell install its trap */
  uint64_t t0 = sp_mono_ns();
  CHECK_EQ_INT(sp_proc_stop(p, 300), 1);
  CHECK(sp_mono_ns() - t0 >= 300000000ull);
  CHECK(WIFSIGNALED(sp_proc_exit_status(p)) && WTERMSIG(sp_proc_exit_status(p)) == SIGKILL);
  sp_proc_free(p);
}

TEST(exec_failure_is_reported_with_errno) {
  const char *argv[] = {"/nonexistent/streamproof-binary", NULL};
  sp_proc_spec spec = {.argv = argv};
  sp_proc *p = sp_proc_spawn(&spec, err, sizeof err);
  CHECK(p == NULL);
  CHECK(strstr(err, "cannot start /nonexistent/streamproof-binary: No such file or directory") != NULL);
  const char *argv2[] = {"true", NULL};
  spec.argv = argv2;
  spec.cwd = "/nonexistent-dir";
  p = sp_proc_spawn(&spec, err, sizeof err);
  CHECK(p == NULL);
  CHECK(strstr(err, "No such file or directory") != NULL);
}

TEST(log_env_cwd_and_wait_log_per_incarnation) {
  char log[600];
  snprintf(log, sizeof log, "%s/child.log", sp_test_tmpdir());
  const char *env[] = {"SP_TEST_VALUE=hello world", "HOME=/nowhere", NULL};
  const char *argv[] = {"sh", "-c", "echo value=$SP_TEST_VALUE home=$HOME dir=$(pwd); echo listening on 127.0.0.1:$$ >&2; sleep 30", NULL};
  sp_proc_spec spec = {.argv = argv, .env_add = env, .log_path = log, .cwd = "/tmp", .name = "c"};
  sp_proc *p = sp_proc_spawn(&spec, err, sizeof err);
  REQUIRE(p);
  char line[256];
  REQUIRE(sp_proc_wait_log(p, "listening on", 5000, line, sizeof line) == 0);
  char want[64];
  snprintf(want, sizeof want, "listening on 127.0.0.1:%d", (int)sp_proc_pid(p));
  CHECK_EQ_STR(line, want);
  CHECK_EQ_INT(count_lines_with(log, "value=hello world home=/nowhere dir=/tmp"), 1);
  sp_proc_kill(p);
  REQUIRE(sp_proc_restart(p, err, sizeof err) == 0);
  REQUIRE(sp_proc_wait_log(p, "listening on", 5000, line, sizeof line) == 0);
  snprintf(want, sizeof want, "listening on 127.0.0.1:%d", (int)sp_proc_pid(p));
  CHECK_EQ_STR(line, want); /* this incarnation's line, not the first one's */
  CHECK_EQ_INT(count_lines_with(log, "value=hello world"), 2); /* appended */
  CHECK_EQ_INT(sp_proc_wait_log(p, "never printed", 50, NULL, 0), -1);
  CHECK_EQ_INT(errno, ETIMEDOUT);
  sp_proc_free(p);

  /* exits before printing: ECHILD, not a full timeout */
  p = spawn_sh("exit 3", log, NULL);
  REQUIRE(p);
  CHECK_EQ_INT(sp_proc_wait_log(p, "never printed", 10000, NULL, 0), -1);
  CHECK_EQ_INT(errno, ECHILD);
  char how[64];
  CHECK_EQ_STR(sp_proc_describe(p, how, sizeof how), "exited 3");
  sp_proc_free(p);
}

/* The child starts clean whatever the harness did to its own signals and
 * descriptors (inspected from outside, in /proc, while it sleeps). */
TEST(child_gets_default_signals_and_no_extra_fds) {
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, &old);
  struct sigaction ign = {.sa_handler = SIG_IGN}, prev;
  sigaction(SIGPIPE, &ign, &prev);
  FILE *leak = fopen("/dev/null", "r"); /* not O_CLOEXEC */
  sp_proc *p = spawn_sh("exec sleep 30", NULL, NULL);
  fclose(leak);
  sigaction(SIGPIPE, &prev, NULL);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  REQUIRE(p);
  char path[64], line[256];
  /* Until sh has exec'd sleep and sleep sleeps: the kernel renames the
   * task (comm) before it closes the close-on-exec descriptors, so "sleep"
   * in comm alone does not mean the exec is over; state S does. */
  for (int i = 0; i < 1000; i++) {
    snprintf(path, sizeof path, "/proc/%d/stat", (int)sp_proc_pid(p));
    FILE *f = fopen(path, "r");
    int is_sleeping = f && fgets(line, sizeof line, f) && strstr(line, "(sleep) S ") != NULL;
    if (f) fclose(f);
    if (is_sleeping) break;
    sleep_ms(5);
  }
  snprintf(path, sizeof path, "/proc/%d/status", (int)sp_proc_pid(p));
  CHECK_EQ_INT(count_lines_with(path, "SigBlk:\t0000000000000000"), 1);
  CHECK_EQ_INT(count_lines_with(path, "SigIgn:\t0000000000000000"), 1);
  snprintf(path, sizeof path, "/proc/%d/fd", (int)sp_proc_pid(p));
  DIR *d = opendir(path);
  REQUIRE(d);
  int fds = 0, others = 0;
  for (struct dirent *de; (de = readdir(d)) != NULL;) {
    if (de->d_name[0] == '.') continue;
    fds++;
    others += atoi(de->d_name) > 2;
  }
  closedir(d);
  CHECK_EQ_INT(fds, 3);
  CHECK_EQ_INT(others, 0);
  sp_proc_free(p);
}

/* PR_SET_PDEATHSIG: a child dies with the process that spawned it. */
TEST(child_dies_with_its_parent) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t helper = fork();
  REQUIRE(helper >= 0);
  if (helper == 0) {
    const char *argv[] = {"sleep", "30", NULL};
    sp_proc_spec spec = {.argv = argv};
    sp_proc *p = sp_proc_spawn(&spec, err, sizeof err);
    int pid = p ? (int)sp_proc_pid(p) : -1;
    if (write(fds[1], &pid, sizeof pid) != sizeof pid) _exit(1);
    _exit(0); /* without killing it */
  }
  close(fds[1]);
  int pid = -1;
  CHECK(read(fds[0], &pid, sizeof pid) == sizeof pid);
  close(fds[0]);
  waitpid(helper, NULL, 0);
  REQUIRE(pid > 0);
  char st = 'S';
  for (int i = 0; i < 400; i++) {
    st = test_proc_state(pid);
    if (st == 0 || st == 'Z') break;
    sleep_ms(5);
  }
  CHECK(st == 0 || st == 'Z');
}

TEST(free_kills_and_reaps) {
  sp_proc *p = spawn_sh("exec sleep 30", NULL, NULL);
  REQUIRE(p);
  pid_t pid = sp_proc_pid(p);
  sp_proc_free(p);
  CHECK(kill(pid, 0) != 0 && errno == ESRCH); /* gone, not a zombie */
  sp_proc_free(NULL);
}

SP_TEST_MAIN(kill_stop_cont_restart_a_sleeping_child, stop_escalates_to_sigkill_when_term_is_ignored,
             exec_failure_is_reported_with_errno, log_env_cwd_and_wait_log_per_incarnation,
             child_gets_default_signals_and_no_extra_fds, child_dies_with_its_parent, free_kills_and_reaps)
