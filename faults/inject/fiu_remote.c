/* fiu_remote.c: see fiu_remote.h.
 *
 * The session, in the order libfiu's control thread expects (it blocks in
 * open(.in, O_RDONLY), then in open(.out, O_WRONLY), then reads lines):
 *
 *   harness                               target's libfiu rc thread
 *   open .in  O_WRONLY|O_NONBLOCK  ---->  open(.in) returns
 *   open .out O_RDONLY|O_NONBLOCK  ---->  open(.out) returns
 *   write "cmd\n" (one write, atomic)     read line, run it
 *   poll .out, read "0\n" / "-1\n" <----  write "%d\n"
 *   close both                     ---->  EOF on .in: close, reopen, wait
 *
 * Opening .in fails with ENXIO while no thread has it open for reading
 * (dead target, or the thread between two sessions): retried until the
 * deadline, checking that the pid still exists. */
#include "fiu_remote.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

int sp_fiu_format_enable(const sp_fiu_arm *a, char *buf, size_t cap) {
  int random = a->probability > 0 && a->probability < 1;
  char info[40] = "";
  if (a->failinfo > 0) snprintf(info, sizeof info, ",failinfo=%ld", a->failinfo);
  char prob[40] = "";
  if (random) snprintf(prob, sizeof prob, ",probability=%.6g", a->probability);
  return snprintf(buf, cap, "%s name=%s,failnum=%d%s%s%s", random ? "enable_random" : "enable",
                  a->point, a->failnum > 0 ? a->failnum : 1, info, prob, a->once ? ",onetime" : "");
}

void sp_fiu_fifo_path(const char *prefix, pid_t pid, int out, char *buf, size_t cap) {
  snprintf(buf, cap, "%s-%d.%s", prefix, (int)pid, out ? "out" : "in");
}

/* The state letter of /proc/PID/stat ('R', 'S', 'T', 'Z', ...), 0 if gone. */
static char proc_state(pid_t pid) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  char *paren = strrchr(buf, ')'); /* comm may contain spaces and parens */
  return paren && paren[1] == ' ' ? paren[2] : 0;
}

/* Why the target cannot take a command right now, or NULL if it can. */
static const char *unreachable(pid_t pid) {
  if (kill(pid, 0) != 0 && errno == ESRCH) return "does not exist";
  switch (proc_state(pid)) {
  case 0: return "does not exist";
  case 'Z': return "has exited (zombie, not yet reaped)";
  case 'T':
  case 't': return "is stopped (SIGSTOP): a command would be applied whenever it resumes";
  default: return NULL;
  }
}

static void remove_fifos(const char *prefix, pid_t pid) {
  char path[PATH_MAX];
  sp_fiu_fifo_path(prefix, pid, 0, path, sizeof path);
  unlink(path);
  sp_fiu_fifo_path(prefix, pid, 1, path, sizeof path);
  unlink(path);
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static int ms_left(uint64_t deadline_ns) {
  uint64_t now = sp_mono_ns();
  return now >= deadline_ns ? 0 : (int)((deadline_ns - now + 999999) / 1000000);
}

/* Opens both FIFOs (see the top comment). */
static int open_session(const char *prefix, pid_t pid, uint64_t deadline, int *fd_in, int *fd_out,
                        char *err, size_t cap) {
  char in[PATH_MAX], out[PATH_MAX];
  sp_fiu_fifo_path(prefix, pid, 0, in, sizeof in);
  sp_fiu_fifo_path(prefix, pid, 1, out, sizeof out);
  for (;;) {
    const char *why = unreachable(pid);
    if (why) {
      if (kill(pid, 0) != 0 && errno == ESRCH) remove_fifos(prefix, pid);
      snprintf(err, cap, "fiu control of pid %d: the process %s", (int)pid, why);
      return -1;
    }
    *fd_in = open(in, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (*fd_in >= 0) break;
    int e = errno;
    if ((e != ENXIO && e != ENOENT) || ms_left(deadline) == 0) {
      snprintf(err, cap, "fiu control of pid %d: %s: %s", (int)pid, in,
               e == ENXIO ? "nobody reads it (no libfiu control thread in that process?)"
               : e == ENOENT ? "no such FIFO (not started with SP_FIU_CTRL or the fiu preload?)"
                             : strerror(e));
      return -1;
    }
    sleep_ms(5);
  }
  *fd_out = open(out, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (*fd_out < 0) {
    snprintf(err, cap, "fiu control of pid %d: %s: %s", (int)pid, out, strerror(errno));
    close(*fd_in);
    return -1;
  }
  char junk[256]; /* replies nobody read (a timed-out earlier session) */
  while (read(*fd_out, junk, sizeof junk) > 0) {
  }
  return 0;
}

/* Reads one reply line ("0", "-1") into line. */
static int read_reply(int fd, pid_t pid, const char *cmd, uint64_t deadline, char *line,
                      size_t line_cap, char *err, size_t cap) {
  size_t len = 0;
  for (;;) {
    int left = ms_left(deadline);
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int r = left > 0 ? poll(&pfd, 1, left) : 0;
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      snprintf(err, cap,
               "fiu control of pid %d: no reply to '%s' within the timeout (the process is hung "
               "or paused; the command may still be applied later)",
               (int)pid, cmd);
      return -1;
    }
    char c;
    ssize_t n = read(fd, &c, 1);
    if (n == 1) {
      if (c == '\n') break;
      if (len + 1 < line_cap) line[len++] = c;
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    snprintf(err, cap, "fiu control of pid %d: the process closed the reply FIFO before answering '%s'%s",
             (int)pid, cmd, unreachable(pid) ? " (it died)" : "");
    return -1;
  }
  line[len] = 0;
  return 0;
}

static int run_command(int fd_in, int fd_out, pid_t pid, const char *cmd, uint64_t deadline,
                       char *err, size_t cap) {
  char buf[512];
  int len = snprintf(buf, sizeof buf, "%s\n", cmd);
  if (len <= 1 || (size_t)len >= sizeof buf || strchr(cmd, '\n')) {
    snprintf(err, cap, "fiu control: bad command '%s' (empty, too long or multi-line)", cmd);
    return -1;
  }
  ssize_t w;
  while ((w = write(fd_in, buf, (size_t)len)) < 0 && errno == EINTR) {
  }
  if (w != len) {
    snprintf(err, cap, "fiu control of pid %d: writing '%s': %s", (int)pid, cmd,
             w < 0 ? strerror(errno) : "short write");
    return -1;
  }
  char reply[64];
  if (read_reply(fd_out, pid, cmd, deadline, reply, sizeof reply, err, cap)) return -1;
  char *end = NULL;
  long v = strtol(reply, &end, 10);
  if (end == reply || *end) {
    snprintf(err, cap, "fiu control of pid %d: unexpected reply '%s' to '%s'", (int)pid, reply, cmd);
    return -1;
  }
  if (v != 0) {
    snprintf(err, cap, "fiu control of pid %d: the process rejected '%s' (reply %ld)", (int)pid, cmd, v);
    return -1;
  }
  return 0;
}

int sp_fiu_commands(const char *prefix, pid_t pid, const char *const *cmds, int n, int timeout_ms,
                    char *err, size_t err_cap) {
  if (!prefix || !*prefix || pid <= 0) {
    snprintf(err, err_cap, "fiu control: no control prefix or pid for this target");
    return -1;
  }
  uint64_t deadline = sp_mono_ns() + (uint64_t)(timeout_ms > 0 ? timeout_ms : SP_FIU_TIMEOUT_MS_DEFAULT) * 1000000u;
  int fd_in = -1, fd_out = -1;
  if (open_session(prefix, pid, deadline, &fd_in, &fd_out, err, err_cap)) return -1;
  /* A write to a FIFO whose reader died raises SIGPIPE: block it for the
   * session (and consume any that became pending) so only EPIPE is seen. */
  sigset_t pipe_set, old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  int rc = 0;
  for (int i = 0; i < n && !rc; i++) rc = run_command(fd_in, fd_out, pid, cmds[i], deadline, err, err_cap);
  close(fd_in);
  close(fd_out);
  struct timespec zero = {0, 0};
  while (sigtimedwait(&pipe_set, NULL, &zero) > 0) {
  }
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return rc;
}

int sp_fiu_command(const char *prefix, pid_t pid, const char *cmd, int timeout_ms, char *err,
                   size_t err_cap) {
  return sp_fiu_commands(prefix, pid, &cmd, 1, timeout_ms, err, err_cap);
}

int sp_fiu_enable(const char *prefix, pid_t pid, const sp_fiu_arm *arm, int timeout_ms, char *err,
                  size_t err_cap) {
  char cmd[400];
  if (sp_fiu_format_enable(arm, cmd, sizeof cmd) >= (int)sizeof cmd) {
    snprintf(err, err_cap, "fiu control: point name too long");
    return -1;
  }
  return sp_fiu_command(prefix, pid, cmd, timeout_ms, err, err_cap);
}

int sp_fiu_disable(const char *prefix, pid_t pid, const char *point, int timeout_ms, char *err,
                   size_t err_cap) {
  char cmd[400];
  snprintf(cmd, sizeof cmd, "disable name=%s", point);
  return sp_fiu_command(prefix, pid, cmd, timeout_ms, err, err_cap);
}

int sp_fiu_cleanup_stale(const char *prefix) {
  char dir[PATH_MAX];
  const char *base = prefix;
  const char *slash = strrchr(prefix, '/');
  if (slash) {
    int dir_len = slash == prefix ? 1 : (int)(slash - prefix);
    snprintf(dir, sizeof dir, "%.*s", dir_len, prefix);
    base = slash + 1;
  } else {
    snprintf(dir, sizeof dir, ".");
  }
  size_t blen = strlen(base);
  DIR *d = opendir(dir);
  if (!d) return 0;
  int removed = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (strncmp(de->d_name, base, blen) != 0 || de->d_name[blen] != '-') continue;
    char *end = NULL;
    long pid = strtol(de->d_name + blen + 1, &end, 10);
    if (pid <= 0 || (strcmp(end, ".in") != 0 && strcmp(end, ".out") != 0)) continue;
    if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
    char path[PATH_MAX + 256];
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    if (unlink(path) == 0) removed++;
  }
  closedir(d);
  return removed;
}
