/* process.h: child processes the harness owns: spawn, signal, wait,
 * restart, reap.
 *
 * Used for everything `streamproof run` starts (brokers, producers,
 * consumers, refstream, spproxy) and by the fault executor to kill, stop,
 * pause and restart them. Each child:
 *   - runs in its own process group (signals go to the whole group, so a
 *     wrapper script and what it started are hit together);
 *   - gets PR_SET_PDEATHSIG = SIGKILL, so it dies if the harness dies. Linux
 *     ties this to the *thread* that forked: spawn and restart from a thread
 *     that lives as long as the child (the main thread; the executor runs on
 *     the caller's thread for this reason, see executor.h);
 *   - has stdin on /dev/null and stdout+stderr appended to its log file
 *     (every incarnation appends to the same file);
 *   - starts with default signal dispositions and an empty signal mask,
 *     whatever the harness blocked or ignored (SIGPIPE, signalfd masks);
 *   - inherits no descriptor but 0, 1, 2.
 * An exec failure (no such file, not executable) is reported by
 * sp_proc_spawn itself with the errno, not as a mysterious exit 127.
 *
 * Reaping: this module never installs a SIGCHLD handler and never calls
 * waitpid(-1). It waits for its own children by PID (waitpid WNOHANG, and a
 * pidfd to sleep on). The caller must therefore not set SIGCHLD to SIG_IGN
 * (the kernel would reap the children itself) and must not reap children of
 * this module with waitpid(-1)/wait(). All calls retry EINTR.
 *
 * Not thread-safe per process: one thread drives a given sp_proc. */
#ifndef SP_FAULTS_PROCESS_H
#define SP_FAULTS_PROCESS_H

#include <stdint.h>
#include <sys/types.h>

typedef struct sp_proc_spec {
  const char *const *argv;    /* argv[0] is run through PATH (execvp); NULL-terminated */
  const char *const *env_add; /* "KEY=VALUE" entries set on top of the harness's environment
                                 (NULL-terminated, may be NULL); "KEY=" sets an empty value */
  const char *log_path;       /* stdout+stderr appended here; NULL: inherit the harness's */
  const char *cwd;            /* NULL: the harness's */
  const char *name;           /* for messages ("broker", "consumer:2"); NULL: argv[0] */
} sp_proc_spec;

typedef enum {
  SP_PROC_RUNNING,
  SP_PROC_STOPPED, /* SIGSTOPped by sp_proc_signal (as far as this module knows) */
  SP_PROC_EXITED,  /* reaped; see exit_status */
} sp_proc_state;

typedef struct sp_proc sp_proc;

/* Starts a child. NULL with the reason in err (exec failure included). The
 * spec is copied: the caller's arrays may be freed afterwards. */
sp_proc *sp_proc_spawn(const sp_proc_spec *spec, char *err, size_t err_cap);

/* Starts the same argv/env/log/cwd again. The previous incarnation must have
 * exited (reaped); restarting a live process is an error (kill it first).
 * The pid changes; incarnation() goes up by one. */
int sp_proc_restart(sp_proc *p, char *err, size_t err_cap);

/* Sends sig to the child's process group. 0, or -1 with errno (ESRCH when
 * it has already exited: a signal is never sent to a reaped, maybe reused
 * pid). SIGSTOP/SIGCONT update the state. */
int sp_proc_signal(sp_proc *p, int sig);

/* Reaps without blocking: returns the state afterwards. */
sp_proc_state sp_proc_poll(sp_proc *p);

/* 1 if running or stopped (not yet reaped), after a non-blocking poll. */
int sp_proc_alive(sp_proc *p);

/* Waits up to timeout_ms (-1: forever) for the child to exit. 0 when it has
 * exited (status in sp_proc_exit_status), -1 on timeout (errno ETIMEDOUT). */
int sp_proc_wait(sp_proc *p, int timeout_ms);

/* Clean stop: SIGCONT (a stopped process cannot act on SIGTERM), SIGTERM,
 * wait grace_ms, then SIGKILL and wait. Returns 0 if it exited within the
 * grace period, 1 if it had to be killed; the child is reaped either way. */
int sp_proc_stop(sp_proc *p, int grace_ms);

/* SIGKILL and reap now (no-op if already exited). */
void sp_proc_kill(sp_proc *p);

/* Waits up to timeout_ms for `needle` to appear in what this incarnation
 * wrote to its log (from where the log ended when it was (re)started).
 * Copies the line containing it into line (if not NULL). 0 found, -1 on
 * timeout or when the child exits first (errno ETIMEDOUT / ECHILD). Needs
 * log_path. The way to wait for "listening on 127.0.0.1:PORT". */
int sp_proc_wait_log(sp_proc *p, const char *needle, int timeout_ms, char *line, size_t line_cap);

/* Kills (if alive), reaps and frees. NULL is a no-op. Never leaves a
 * zombie or an orphan behind. */
void sp_proc_free(sp_proc *p);

pid_t sp_proc_pid(const sp_proc *p);     /* current pid (the last one, once exited) */
int sp_proc_pidfd(const sp_proc *p);     /* pollable (POLLIN on exit), -1 if unsupported */
sp_proc_state sp_proc_state_of(const sp_proc *p);
int sp_proc_incarnation(const sp_proc *p); /* 0 for the first start */
const char *sp_proc_name(const sp_proc *p);
/* Raw wait status of the last exit (WIFEXITED etc.), valid once EXITED. */
int sp_proc_exit_status(const sp_proc *p);
/* "exited 0", "killed by SIGKILL", "running", ... into buf; returns buf. */
const char *sp_proc_describe(const sp_proc *p, char *buf, size_t cap);

/* Monotonic ns when the current incarnation was started. */
uint64_t sp_proc_started_ns(const sp_proc *p);

#endif
