/* process.c: see process.h. */
#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "mem.h"

extern char **environ;

struct sp_proc {
  char *name;
  char **argv;
  char **envp; /* the full environment of the child */
  char *log_path;
  char *cwd;
  pid_t pid;
  int pidfd;
  sp_proc_state state;
  int exit_status;
  int incarnation;
  uint64_t started_ns;
  off_t log_start; /* log size when this incarnation started */
};

static char **strv_dup(const char *const *v) {
  size_t n = 0;
  while (v && v[n]) n++;
  char **out = sp_calloc(n + 1, sizeof(char *));
  for (size_t i = 0; i < n; i++) out[i] = sp_strdup(v[i]);
  return out;
}

static void strv_free(char **v) {
  for (size_t i = 0; v && v[i]; i++) free(v[i]);
  free(v);
}

/* The harness's environment with env_add applied on top (same KEY replaced). */
static char **build_env(const char *const *add) {
  size_t n_env = 0, n_add = 0;
  while (environ && environ[n_env]) n_env++;
  while (add && add[n_add]) n_add++;
  char **out = sp_calloc(n_env + n_add + 1, sizeof(char *));
  size_t n = 0;
  for (size_t i = 0; i < n_env; i++) {
    const char *eq = strchr(environ[i], '=');
    size_t klen = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
    int overridden = 0;
    for (size_t j = 0; j < n_add && !overridden; j++)
      overridden = strncmp(add[j], environ[i], klen) == 0 && add[j][klen] == '=';
    if (!overridden) out[n++] = sp_strdup(environ[i]);
  }
  for (size_t j = 0; j < n_add; j++) out[n++] = sp_strdup(add[j]);
  return out;
}

static void retry_write(int fd, const void *buf, size_t len) {
  while (write(fd, buf, len) < 0 && errno == EINTR) {
  }
}

/* In the child between fork and exec: only async-signal-safe calls (the
 * harness may be multi-threaded). Reports a failure's errno on err_fd. */
static _Noreturn void child_exec(const sp_proc *p, pid_t parent, int err_fd) {
  int e = 0;
  setpgid(0, 0);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(127);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; s++) sigaction(s, &dfl, NULL); /* EINVAL for KILL/STOP: fine */
  int devnull = open("/dev/null", O_RDONLY);
  if (devnull < 0 || dup2(devnull, 0) < 0) goto fail;
  if (p->log_path) {
    int log = open(p->log_path, O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (log < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0) goto fail;
  }
  if (p->cwd && chdir(p->cwd) != 0) goto fail;
  /* everything above 2 except err_fd (which is O_CLOEXEC) goes */
  if (err_fd > 3) syscall(SYS_close_range, 3U, (unsigned)err_fd - 1, 0U);
  syscall(SYS_close_range, (unsigned)err_fd + 1, ~0U, 0U);
  execvpe(p->argv[0], p->argv, p->envp);
fail:
  e = errno;
  retry_write(err_fd, &e, sizeof e);
  _exit(127);
}

/* Forks and execs the current incarnation. */
static int launch(sp_proc *p, char *err, size_t cap) {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) {
    snprintf(err, cap, "%s: pipe2: %s", p->name, strerror(errno));
    return -1;
  }
  struct stat st;
  p->log_start = p->log_path && stat(p->log_path, &st) == 0 ? st.st_size : 0;
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    snprintf(err, cap, "%s: fork: %s", p->name, strerror(errno));
    close(pipefd[0]), close(pipefd[1]);
    return -1;
  }
  if (pid == 0) child_exec(p, parent, pipefd[1]);
  close(pipefd[1]);
  setpgid(pid, pid); /* also from the parent: no window where signals miss the group */
  int child_errno = 0;
  ssize_t r;
  while ((r = read(pipefd[0], &child_errno, sizeof child_errno)) < 0 && errno == EINTR) {
  }
  close(pipefd[0]);
  p->pid = pid;
  p->started_ns = sp_mono_ns();
  if (r > 0) {
    int st2;
    while (waitpid(pid, &st2, 0) < 0 && errno == EINTR) {
    }
    p->state = SP_PROC_EXITED;
    p->exit_status = st2;
    snprintf(err, cap, "%s: cannot start %s: %s", p->name, p->argv[0], strerror(child_errno));
    return -1;
  }
  p->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  p->state = SP_PROC_RUNNING;
  return 0;
}

sp_proc *sp_proc_spawn(const sp_proc_spec *spec, char *err, size_t err_cap) {
  if (!spec->argv || !spec->argv[0]) {
    snprintf(err, err_cap, "spawn: empty argv");
    return NULL;
  }
  sp_proc *p = sp_calloc(1, sizeof *p);
  p->name = sp_strdup(spec->name ? spec->name : spec->argv[0]);
  p->argv = strv_dup(spec->argv);
  p->envp = build_env(spec->env_add);
  p->log_path = spec->log_path ? sp_strdup(spec->log_path) : NULL;
  p->cwd = spec->cwd ? sp_strdup(spec->cwd) : NULL;
  p->pidfd = -1;
  if (launch(p, err, err_cap) != 0) {
    sp_proc_free(p);
    return NULL;
  }
  return p;
}

int sp_proc_restart(sp_proc *p, char *err, size_t err_cap) {
  if (sp_proc_poll(p) != SP_PROC_EXITED) {
    snprintf(err, err_cap, "%s: restart while pid %d is still running", p->name, (int)p->pid);
    return -1;
  }
  if (p->pidfd >= 0) close(p->pidfd);
  p->pidfd = -1;
  p->incarnation++;
  return launch(p, err, err_cap);
}

sp_proc_state sp_proc_poll(sp_proc *p) {
  if (p->state == SP_PROC_EXITED) return p->state;
  int status = 0;
  pid_t r;
  while ((r = waitpid(p->pid, &status, WNOHANG)) < 0 && errno == EINTR) {
  }
  if (r == p->pid) {
    p->state = SP_PROC_EXITED;
    p->exit_status = status;
  } else if (r < 0 && errno == ECHILD) {
    /* someone else reaped it (a caller breaking the contract in process.h) */
    p->state = SP_PROC_EXITED;
    p->exit_status = 0;
  }
  return p->state;
}

int sp_proc_alive(sp_proc *p) { return sp_proc_poll(p) != SP_PROC_EXITED; }

int sp_proc_signal(sp_proc *p, int sig) {
  if (sp_proc_poll(p) == SP_PROC_EXITED) {
    errno = ESRCH;
    return -1;
  }
  /* the group, or the pid alone if the child has not reached setpgid yet */
  if (kill(-p->pid, sig) != 0 && kill(p->pid, sig) != 0) return -1;
  if (sig == SIGSTOP) p->state = SP_PROC_STOPPED;
  if (sig == SIGCONT && p->state == SP_PROC_STOPPED) p->state = SP_PROC_RUNNING;
  return 0;
}

int sp_proc_wait(sp_proc *p, int timeout_ms) {
  uint64_t deadline = timeout_ms < 0 ? UINT64_MAX : sp_mono_ns() + (uint64_t)timeout_ms * 1000000u;
  for (;;) {
    if (sp_proc_poll(p) == SP_PROC_EXITED) return 0;
    uint64_t now = sp_mono_ns();
    if (now >= deadline) {
      errno = ETIMEDOUT;
      return -1;
    }
    uint64_t left_ms = deadline == UINT64_MAX ? 1000 : (deadline - now + 999999) / 1000000;
    if (p->pidfd >= 0) {
      struct pollfd pfd = {.fd = p->pidfd, .events = POLLIN};
      poll(&pfd, 1, (int)(left_ms > 1000 ? 1000 : left_ms)); /* EINTR: just loop */
    } else {
      struct timespec ts = {0, 5000000}; /* 5 ms */
      nanosleep(&ts, NULL);
    }
  }
}

int sp_proc_stop(sp_proc *p, int grace_ms) {
  if (sp_proc_poll(p) == SP_PROC_EXITED) return 0;
  sp_proc_signal(p, SIGCONT);
  sp_proc_signal(p, SIGTERM);
  if (sp_proc_wait(p, grace_ms) == 0) return 0;
  sp_proc_kill(p);
  return 1;
}

void sp_proc_kill(sp_proc *p) {
  if (sp_proc_poll(p) == SP_PROC_EXITED) return;
  sp_proc_signal(p, SIGKILL);
  sp_proc_wait(p, -1);
}

/* Searches this incarnation's part of the log for needle. */
static int log_find(const sp_proc *p, const char *needle, char *line, size_t line_cap) {
  FILE *f = fopen(p->log_path, "rb");
  if (!f) return 0;
  int found = 0;
  if (fseeko(f, p->log_start, SEEK_SET) == 0) {
    char buf[4096];
    while (!found && fgets(buf, sizeof buf, f)) {
      if (!strstr(buf, needle)) continue;
      found = 1;
      if (line) {
        buf[strcspn(buf, "\n")] = 0;
        snprintf(line, line_cap, "%s", buf);
      }
    }
  }
  fclose(f);
  return found;
}

int sp_proc_wait_log(sp_proc *p, const char *needle, int timeout_ms, char *line, size_t line_cap) {
  uint64_t deadline = sp_mono_ns() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms) * 1000000u;
  for (;;) {
    if (p->log_path && log_find(p, needle, line, line_cap)) return 0;
    if (!sp_proc_alive(p)) {
      /* it may have printed the line and exited: look once more */
      if (p->log_path && log_find(p, needle, line, line_cap)) return 0;
      errno = ECHILD;
      return -1;
    }
    if (!p->log_path || sp_mono_ns() >= deadline) {
      errno = ETIMEDOUT;
      return -1;
    }
    struct timespec ts = {0, 10000000}; /* 10 ms */
    nanosleep(&ts, NULL);
  }
}

void sp_proc_free(sp_proc *p) {
  if (!p) return;
  if (p->pid > 0) sp_proc_kill(p);
  if (p->pidfd >= 0) close(p->pidfd);
  free(p->name);
  strv_free(p->argv);
  strv_free(p->envp);
  free(p->log_path);
  free(p->cwd);
  free(p);
}

pid_t sp_proc_pid(const sp_proc *p) { return p->pid; }
int sp_proc_pidfd(const sp_proc *p) { return p->pidfd; }
sp_proc_state sp_proc_state_of(const sp_proc *p) { return p->state; }
int sp_proc_incarnation(const sp_proc *p) { return p->incarnation; }
const char *sp_proc_name(const sp_proc *p) { return p->name; }
int sp_proc_exit_status(const sp_proc *p) { return p->exit_status; }
uint64_t sp_proc_started_ns(const sp_proc *p) { return p->started_ns; }

const char *sp_proc_describe(const sp_proc *p, char *buf, size_t cap) {
  if (p->state == SP_PROC_RUNNING) snprintf(buf, cap, "running (pid %d)", (int)p->pid);
  else if (p->state == SP_PROC_STOPPED) snprintf(buf, cap, "stopped (pid %d)", (int)p->pid);
  else if (WIFEXITED(p->exit_status)) snprintf(buf, cap, "exited %d", WEXITSTATUS(p->exit_status));
  else if (WIFSIGNALED(p->exit_status))
    snprintf(buf, cap, "killed by SIG%s%s", sigabbrev_np(WTERMSIG(p->exit_status)) ?
             sigabbrev_np(WTERMSIG(p->exit_status)) : "?", WCOREDUMP(p->exit_status) ? " (core dumped)" : "");
  else snprintf(buf, cap, "exited (status 0x%x)", p->exit_status);
  return buf;
}
