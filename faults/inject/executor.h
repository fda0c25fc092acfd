/* executor.h: applies a plan (schedule.h) to a running system at the
 * planned times and writes every inject, heal and observation to
 * faults.jsonl.
 *
 * Tick model, on the caller's thread (no thread of its own, on purpose):
 * restarts fork from the thread that calls sp_executor_tick, and
 * PR_SET_PDEATHSIG kills a child when the thread that forked it exits, so a
 * private executor thread that ended before the run would take the
 * restarted broker with it. The orchestrator calls
 *
 *   uint64_t next_ns = sp_executor_tick(ex, sp_mono_ns());
 *
 * from its main loop and sleeps (or epoll_waits) until min(next_ns, its own
 * deadlines). A tick runs every action due, in plan order, late ones too
 * (an action is never skipped because the loop was slow; faults.jsonl
 * records both the planned and the actual time). A tick blocks at most for
 * a kill's reap (milliseconds) or a fiu command's timeout (fiu_timeout_ms,
 * 2 s by default: a target whose control FIFO does not answer). Single-
 * threaded programs can call sp_executor_run, which loops and sleeps.
 *
 * What each action does (the orchestrator supplies the targets):
 *   kill   inject SIGKILL to the process group, reap. heal: restart.
 *   stop   inject SIGCONT+SIGTERM; SIGKILL if alive after grace_s
 *          ("observe" record). heal: restart.
 *   pause  inject SIGSTOP. heal SIGCONT.
 *   fiu, disk  inject: arm each point through the target's control FIFO
 *          (fiu_remote.h). heal: disarm. If the target was restarted in
 *          between (a kill in the same run), the new process is re-armed
 *          right after the restart ("rearm" record) so the fault keeps its
 *          window, except abort points (they would crash it again).
 *          An abort fault with restart_after_s: the executor watches the
 *          target; when it dies it records "observe" (how it died) and
 *          restarts it restart_after_s later.
 *   net    a command to spproxy's control socket (latency/bandwidth/...),
 *          heal: "clear <toxic> <direction>".
 *   clock  the clock hook, on=1 at inject, on=0 at heal.
 * A failed action is recorded with result "error" and its reason, counted
 * (sp_executor_errors) and logged with sp_error; the plan goes on.
 *
 * faults.jsonl: one JSON object per line (results/README.md):
 *   {"mono_ns":123,"wall":"2026-11-21T23:25:01.123Z","t_s":8.001,
 *    "planned_t_s":8.0,"fault":"broker-crash","kind":"kill",
 *    "target":"broker","action":"inject","occurrence":0,
 *    "params":{"restart_after_s":2},"result":"ok","pid":4242,
 *    "detail":"killed by SIGKILL"}
 * action is inject | heal | rearm | observe; "error":"..." appears when
 * result is "error". mono_ns is CLOCK_MONOTONIC (comparable with the
 * histories); t_s is seconds since run start. */
#ifndef SP_FAULTS_EXECUTOR_H
#define SP_FAULTS_EXECUTOR_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "process.h"
#include "schedule.h"

typedef struct sp_exec_hooks {
  void *ctx;
  /* The process of a concrete target ("broker", "consumer:2"), or NULL if
   * the run has none. Needed for kill/stop/pause/fiu/disk. */
  sp_proc *(*process)(void *ctx, const char *target);
  /* The libfiu control prefix the target was started with (SP_FIU_CTRL or
   * the preload's FIU_CTRL_FIFO), or NULL. Needed for fiu/disk. */
  const char *(*fiu_prefix)(void *ctx, const char *target);
  /* Optional: restart the target (the orchestrator's own bookkeeping: new
   * history writer, waiting for "listening on"...). NULL: sp_proc_restart. */
  int (*restart)(void *ctx, const char *target, sp_proc *p, char *err, size_t err_cap);
  /* Needed for clock faults: on=1 apply, on=0 remove. 0 or -1 with err. */
  int (*clock)(void *ctx, const char *target, const sp_fault_clock *c, int on, char *err,
               size_t err_cap);
  /* Optional: called with each faults.jsonl line (no newline) after it is
   * written, e.g. to draw the fault on the live timeline. */
  void (*on_record)(void *ctx, const char *json_line);
  const char *proxy_control; /* spproxy's --control socket; needed for net */
  int fiu_timeout_ms;        /* 0: SP_FIU_TIMEOUT_MS_DEFAULT */
} sp_exec_hooks;

typedef struct sp_executor sp_executor;

/* Prepares to run `plan` (which must outlive the executor) with time 0 at
 * start_mono_ns. Opens jsonl_path for appending. NULL with err on failure. */
sp_executor *sp_executor_new(const sp_plan *plan, const sp_exec_hooks *hooks, const char *jsonl_path,
                             uint64_t start_mono_ns, char *err, size_t err_cap);

/* Runs everything due at or before now_ns. Returns when the next thing is
 * due (monotonic ns), UINT64_MAX when nothing is left. */
uint64_t sp_executor_tick(sp_executor *ex, uint64_t now_ns);

/* Loops tick + sleep until the plan is done or *stop becomes non-zero.
 * Returns the number of failed actions. */
int sp_executor_run(sp_executor *ex, volatile sig_atomic_t *stop);

/* End of run: heals every fault still in effect (resumes paused targets,
 * restarts killed ones whose restart had not come yet only if
 * restart_pending is set, disarms points, clears toxics, removes clock
 * faults), recording each with detail "end of run". */
void sp_executor_finish(sp_executor *ex, int restart_pending);

int sp_executor_done(const sp_executor *ex);   /* nothing left to run */
int sp_executor_errors(const sp_executor *ex); /* actions recorded with result error */
int sp_executor_records(const sp_executor *ex);/* lines written to faults.jsonl */

/* Closes faults.jsonl and frees. Does not touch any process. */
void sp_executor_free(sp_executor *ex);

#endif
