/* fiu_remote.h: arming libfiu fault points in a running process, through
 * libfiu's remote-control FIFOs, with every reply checked.
 *
 * A process opens the FIFOs when it was started with SP_FIU_CTRL=PREFIX
 * (refbroker/refstream: reference/common/fault.h) or under the fiu-run
 * preload with FIU_CTRL_FIFO=PREFIX (preload.h): libfiu then creates
 * PREFIX-PID.in and PREFIX-PID.out and a thread that reads one command per
 * line from .in and writes its result ("0" or "-1") to .out.
 *
 * Why not `fiu-ctrl`: it exits 0 even when the pid is unknown or a command
 * fails, and it blocks forever on a paused or dead target. Here:
 *   - the reply of every command is read and checked; anything but 0 is an
 *     error naming the command ("pid 42 rejected 'enable name=x,...': -1");
 *   - everything is bounded by timeout_ms: a target that does not exist, has
 *     no control thread, is stopped (SIGSTOP) or a zombie fails fast or at
 *     the deadline, never hangs the harness;
 *   - a stopped target is refused up front (the command would sit in the
 *     FIFO and be applied whenever it resumes, and its reply would then be
 *     read as the answer to a later command);
 *   - stale FIFOs of dead processes (libfiu removes them only on a normal
 *     exit, not after SIGKILL or abort) are removed.
 * One session at a time per target: the executor is single-threaded. */
#ifndef SP_FAULTS_FIU_REMOTE_H
#define SP_FAULTS_FIU_REMOTE_H

#include <stddef.h>
#include <sys/types.h>

#define SP_FIU_TIMEOUT_MS_DEFAULT 2000

/* How to arm one point. */
typedef struct sp_fiu_arm {
  const char *point;  /* "refbroker/log/before-fsync", "posix/io/sync/fdatasync", or a prefix ending in a star */
  int failnum;        /* refbroker/refstream: SP_FAULT_FAIL/DELAY/ABORT; POSIX points: 1 */
  long failinfo;      /* errno for fail, ms for delay, 0: none (POSIX points pick a random errno) */
  int once;           /* fire at most once */
  double probability; /* 1.0 (or <= 0): every time; else enable_random */
} sp_fiu_arm;

/* Formats the libfiu command for arm: "enable name=P,failnum=1,failinfo=5[,onetime]" or
 * "enable_random name=P,...,probability=0.2". Returns the length (like snprintf). */
int sp_fiu_format_enable(const sp_fiu_arm *arm, char *buf, size_t cap);

/* Sends the n commands in one session and checks each reply. 0 if all were
 * accepted; -1 with the reason in err at the first failure (later commands
 * are not sent). */
int sp_fiu_commands(const char *prefix, pid_t pid, const char *const *cmds, int n, int timeout_ms,
                    char *err, size_t err_cap);

/* One command. */
int sp_fiu_command(const char *prefix, pid_t pid, const char *cmd, int timeout_ms, char *err,
                   size_t err_cap);

/* Arms / disarms one point (builds the command, then sp_fiu_command). */
int sp_fiu_enable(const char *prefix, pid_t pid, const sp_fiu_arm *arm, int timeout_ms, char *err,
                  size_t err_cap);
int sp_fiu_disable(const char *prefix, pid_t pid, const char *point, int timeout_ms, char *err,
                   size_t err_cap);

/* "PREFIX-PID.in" / ".out". */
void sp_fiu_fifo_path(const char *prefix, pid_t pid, int out, char *buf, size_t cap);

/* Removes PREFIX-PID.in/.out for every PID in PREFIX's directory that no
 * longer exists. Returns how many files were removed. Call it before a run
 * and after killing a target. */
int sp_fiu_cleanup_stale(const char *prefix);

#endif
