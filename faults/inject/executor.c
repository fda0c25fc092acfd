/* executor.c: see executor.h. */
#include "executor.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "clock.h"
#include "fault.h"
#include "fiu_remote.h"
#include "log.h"
#include "mem.h"
#include "proxy_client.h"

#define WATCH_INTERVAL_NS 50000000ull /* crash watch of abort faults: 50 ms */
#define KILL_REAP_MS 5000

typedef enum {
  FOLLOW_ESCALATE,     /* stop: SIGKILL if still alive after grace_s */
  FOLLOW_WATCH,        /* abort fault: has the target died yet? */
  FOLLOW_CRASH_RESTART /* abort fault: restart the target that died */
} follow_kind;

typedef struct followup {
  uint64_t due_ns;
  follow_kind kind;
  int action; /* the plan index of the inject it belongs to */
} followup;

struct sp_executor {
  const sp_plan *plan;
  sp_exec_hooks hooks;
  uint64_t start_ns;
  FILE *jsonl;
  int next;         /* next plan action */
  int *active;      /* per plan index (injects): 1 while in effect */
  int *armed_inc;   /* per inject: incarnation of the target when armed */
  followup *follow;
  int n_follow, cap_follow;
  int errors, records;
};

/* ------------------------------------------------------------ records -- */

static json_t *fault_params(const sp_fault *f) {
  json_t *p = json_object();
  char ebuf[16];
  switch (f->kind) {
  case SP_FAULT_KIND_KILL:
  case SP_FAULT_KIND_STOP:
    json_object_set_new(p, "restart_after_s", f->restart_after_s < 0 ? json_null() : json_real(f->restart_after_s));
    if (f->kind == SP_FAULT_KIND_STOP) json_object_set_new(p, "grace_s", json_real(f->grace_s));
    break;
  case SP_FAULT_KIND_PAUSE: json_object_set_new(p, "duration_s", json_real(f->duration_s)); break;
  case SP_FAULT_KIND_FIU:
  case SP_FAULT_KIND_DISK: {
    json_t *pts = json_array();
    for (int i = 0; i < f->fiu.n_points; i++) json_array_append_new(pts, json_string(f->fiu.points[i]));
    json_object_set_new(p, "points", pts);
    json_object_set_new(p, "mode", json_string(sp_fiu_mode_name(f->fiu.failnum)));
    if (f->fiu.failnum == SP_FAULT_FAIL && f->fiu.failinfo)
      json_object_set_new(p, "errno", json_string(sp_errno_name((int)f->fiu.failinfo, ebuf)));
    if (f->fiu.failnum == SP_FAULT_DELAY) json_object_set_new(p, "delay_ms", json_integer(f->fiu.failinfo));
    json_object_set_new(p, "once", json_boolean(f->fiu.once));
    json_object_set_new(p, "probability", json_real(f->fiu.probability));
    if (f->duration_s >= 0) json_object_set_new(p, "duration_s", json_real(f->duration_s));
    if (f->restart_after_s >= 0) json_object_set_new(p, "restart_after_s", json_real(f->restart_after_s));
    break;
  }
  case SP_FAULT_KIND_NET:
    json_object_set_new(p, "toxic", json_string(sp_net_toxic_name(f->net.toxic)));
    if (f->net.toxic != SP_NET_RESET) json_object_set_new(p, "direction", json_string(sp_direction_name(f->net.direction)));
    if (f->net.toxic == SP_NET_LATENCY) {
      json_object_set_new(p, "latency_ms", json_integer(f->net.latency_ms));
      json_object_set_new(p, "jitter_ms", json_integer(f->net.jitter_ms));
    }
    if (f->net.toxic == SP_NET_BANDWIDTH) json_object_set_new(p, "rate_bytes_per_s", json_integer(f->net.rate_bytes_per_s));
    if (f->net.toxic == SP_NET_SLICER) {
      json_object_set_new(p, "segment_bytes", json_integer(f->net.segment_bytes));
      json_object_set_new(p, "delay_us", json_integer(f->net.delay_us));
    }
    if (f->duration_s >= 0) json_object_set_new(p, "duration_s", json_real(f->duration_s));
    break;
  case SP_FAULT_KIND_CLOCK:
    json_object_set_new(p, "skew_ms", json_integer(f->clock.skew_ms));
    json_object_set_new(p, "late_fraction", json_real(f->clock.late_fraction));
    json_object_set_new(p, "late_max_ms", json_integer(f->clock.late_max_ms));
    if (f->duration_s >= 0) json_object_set_new(p, "duration_s", json_real(f->duration_s));
    break;
  }
  return p;
}

static void iso8601_now(char *buf, size_t cap) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  char base[32];
  strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf, cap, "%s.%03ldZ", base, ts.tv_nsec / 1000000);
}

/* Writes one faults.jsonl line for plan action `ai` (its fault, target and
 * occurrence) with the given action word and outcome. */
static void record(sp_executor *ex, int ai, const char *action, const char *error, pid_t pid,
                   const char *detail) {
  const sp_action *a = &ex->plan->actions[ai];
  uint64_t now = sp_mono_ns();
  char wall[48];
  iso8601_now(wall, sizeof wall);
  json_t *o = json_object();
  json_object_set_new(o, "mono_ns", json_integer((json_int_t)now));
  json_object_set_new(o, "wall", json_string(wall));
  json_object_set_new(o, "t_s", json_real(now >= ex->start_ns ? (double)(now - ex->start_ns) / 1e9 : 0));
  json_object_set_new(o, "planned_t_s", json_real(a->t_s));
  json_object_set_new(o, "fault", json_string(a->fault->id));
  json_object_set_new(o, "kind", json_string(sp_fault_kind_name(a->fault->kind)));
  json_object_set_new(o, "target", json_string(a->target));
  json_object_set_new(o, "action", json_string(action));
  json_object_set_new(o, "occurrence", json_integer(a->occurrence));
  json_object_set_new(o, "params", fault_params(a->fault));
  json_object_set_new(o, "result", json_string(error ? "error" : "ok"));
  if (error) json_object_set_new(o, "error", json_string(error));
  if (pid > 0) json_object_set_new(o, "pid", json_integer(pid));
  if (detail && *detail) json_object_set_new(o, "detail", json_string(detail));
  char *line = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(9));
  json_decref(o);
  if (!line) return;
  fputs(line, ex->jsonl);
  fputc('\n', ex->jsonl);
  fflush(ex->jsonl); /* the file must survive a harness crash mid-run */
  ex->records++;
  if (error) {
    ex->errors++;
    sp_error("fault %s %s on %s failed: %s", a->fault->id, action, a->target, error);
  } else {
    sp_info("fault %s %s on %s%s%s", a->fault->id, action, a->target, detail && *detail ? ": " : "",
            detail ? detail : "");
  }
  if (ex->hooks.on_record) ex->hooks.on_record(ex->hooks.ctx, line);
  free(line);
}

/* --------------------------------------------------------- followups --- */

static void follow(sp_executor *ex, uint64_t due, follow_kind kind, int action) {
  if (ex->n_follow == ex->cap_follow) {
    ex->cap_follow = ex->cap_follow ? 2 * ex->cap_follow : 8;
    ex->follow = sp_realloc(ex->follow, sizeof(followup) * (size_t)ex->cap_follow);
  }
  ex->follow[ex->n_follow++] = (followup){due, kind, action};
}

static uint64_t s_to_ns(double s) { return (uint64_t)(s * 1e9 + 0.5); }

/* ---------------------------------------------------- process actions -- */

static sp_proc *target_proc(sp_executor *ex, const char *target, char *err, size_t cap) {
  sp_proc *p = ex->hooks.process ? ex->hooks.process(ex->hooks.ctx, target) : NULL;
  if (!p) snprintf(err, cap, "no process for target %s", target);
  return p;
}

static void arm_points(sp_executor *ex, int ai, const char *action);

/* Restarts a target, then re-arms the fail/delay points of faults still in
 * effect on it (the new process starts with nothing armed). */
static void restart_target(sp_executor *ex, int ai, const char *action, const char *why) {
  const sp_action *a = &ex->plan->actions[ai];
  char err[512] = "", detail[256];
  sp_proc *p = target_proc(ex, a->target, err, sizeof err);
  if (!p) return record(ex, ai, action, err, 0, why);
  if (sp_proc_alive(p)) {
    snprintf(detail, sizeof detail, "%s; already running, not restarted", why);
    return record(ex, ai, action, NULL, sp_proc_pid(p), detail);
  }
  int rc = ex->hooks.restart ? ex->hooks.restart(ex->hooks.ctx, a->target, p, err, sizeof err)
                             : sp_proc_restart(p, err, sizeof err);
  snprintf(detail, sizeof detail, "%s; incarnation %d", why, sp_proc_incarnation(p));
  record(ex, ai, action, rc ? err : NULL, sp_proc_pid(p), detail);
  if (rc) return;
  for (int i = 0; i < ex->plan->n_actions; i++) {
    const sp_action *b = &ex->plan->actions[i];
    int points = b->fault->kind == SP_FAULT_KIND_FIU || b->fault->kind == SP_FAULT_KIND_DISK;
    if (ex->active[i] && points && b->fault->fiu.failnum != SP_FAULT_ABORT && !strcmp(b->target, a->target))
      arm_points(ex, i, "rearm");
  }
}

static void signal_inject(sp_executor *ex, int ai, int sig, const char *what) {
  const sp_action *a = &ex->plan->actions[ai];
  char err[512] = "", detail[128];
  sp_proc *p = target_proc(ex, a->target, err, sizeof err);
  if (!p) return record(ex, ai, "inject", err, 0, NULL);
  pid_t pid = sp_proc_pid(p);
  if (sp_proc_signal(p, sig) != 0) {
    snprintf(err, sizeof err, "%s to pid %d: %s", what, (int)pid,
             errno == ESRCH ? "the target is not running" : strerror(errno));
    return record(ex, ai, "inject", err, pid, NULL);
  }
  if (sig == SIGKILL) {
    if (sp_proc_wait(p, KILL_REAP_MS) != 0) {
      snprintf(err, sizeof err, "pid %d still not reaped %d ms after SIGKILL", (int)pid, KILL_REAP_MS);
      return record(ex, ai, "inject", err, pid, NULL);
    }
    sp_proc_describe(p, detail, sizeof detail);
  } else {
    snprintf(detail, sizeof detail, "%s sent", what);
  }
  ex->active[ai] = 1;
  record(ex, ai, "inject", NULL, pid, detail);
}

static void stop_inject(sp_executor *ex, int ai) {
  const sp_action *a = &ex->plan->actions[ai];
  char err[512] = "";
  sp_proc *p = target_proc(ex, a->target, err, sizeof err);
  if (!p) return record(ex, ai, "inject", err, 0, NULL);
  sp_proc_signal(p, SIGCONT); /* a paused process cannot act on SIGTERM */
  if (sp_proc_signal(p, SIGTERM) != 0) {
    snprintf(err, sizeof err, "SIGTERM to pid %d: %s", (int)sp_proc_pid(p),
             errno == ESRCH ? "the target is not running" : strerror(errno));
    return record(ex, ai, "inject", err, sp_proc_pid(p), NULL);
  }
  ex->active[ai] = 1;
  record(ex, ai, "inject", NULL, sp_proc_pid(p), "SIGTERM sent");
  follow(ex, sp_mono_ns() + s_to_ns(a->fault->grace_s), FOLLOW_ESCALATE, ai);
}

static void escalate(sp_executor *ex, int ai) {
  const sp_action *a = &ex->plan->actions[ai];
  char err[512] = "", detail[192], how[96];
  sp_proc *p = target_proc(ex, a->target, err, sizeof err);
  if (!p) return;
  if (sp_proc_alive(p)) {
    sp_proc_kill(p);
    snprintf(detail, sizeof detail, "still running %.3g s after SIGTERM: SIGKILL (%s)",
             a->fault->grace_s, sp_proc_describe(p, how, sizeof how));
  } else {
    snprintf(detail, sizeof detail, "stopped within the grace period: %s", sp_proc_describe(p, how, sizeof how));
  }
  record(ex, ai, "observe", NULL, sp_proc_pid(p), detail);
}

static void pause_heal(sp_executor *ex, int ai, int inject, const char *why) {
  const sp_action *a = &ex->plan->actions[ai];
  char err[512] = "";
  sp_proc *p = target_proc(ex, a->target, err, sizeof err);
  if (!p) return record(ex, ai, "heal", err, 0, why);
  if (sp_proc_signal(p, SIGCONT) != 0) {
    char how[96];
    snprintf(err, sizeof err, "SIGCONT: the target is gone (%s)", sp_proc_describe(p, how, sizeof how));
    return record(ex, ai, "heal", err, sp_proc_pid(p), why);
  }
  (void)inject;
  record(ex, ai, "heal", NULL, sp_proc_pid(p), why ? why : "SIGCONT sent");
}

/* ----------------------------------------------------- fiu and disk ---- */

static int fiu_target(sp_executor *ex, const sp_action *a, const char **prefix, sp_proc **p,
                      char *err, size_t cap) {
  *p = target_proc(ex, a->target, err, cap);
  if (!*p) return -1;
  *prefix = ex->hooks.fiu_prefix ? ex->hooks.fiu_prefix(ex->hooks.ctx, a->target) : NULL;
  if (!*prefix || !**prefix) {
    snprintf(err, cap, "target %s was not started with fiu remote control (no prefix)", a->target);
    return -1;
  }
  return 0;
}

/* Arms every point of the fault at `ai` (an inject) in its target. */
static void arm_points(sp_executor *ex, int ai, const char *action) {
  const sp_action *a = &ex->plan->actions[ai];
  const sp_fault_fiu *fiu = &a->fault->fiu;
  char err[512] = "";
  const char *prefix = NULL;
  sp_proc *p = NULL;
  if (fiu_target(ex, a, &prefix, &p, err, sizeof err)) return record(ex, ai, action, err, 0, NULL);
  ex->armed_inc[ai] = sp_proc_incarnation(p);
  for (int i = 0; i < fiu->n_points; i++) {
    sp_fiu_arm arm = {fiu->points[i], fiu->failnum, fiu->failinfo, fiu->once, fiu->probability};
    if (sp_fiu_enable(prefix, sp_proc_pid(p), &arm, ex->hooks.fiu_timeout_ms, err, sizeof err))
      return record(ex, ai, action, err, sp_proc_pid(p), fiu->points[i]);
    ex->active[ai] = 1; /* from the first armed point on, the heal must disarm */
  }
  char detail[256];
  snprintf(detail, sizeof detail, "armed %d point%s in incarnation %d", fiu->n_points,
           fiu->n_points == 1 ? "" : "s", ex->armed_inc[ai]);
  record(ex, ai, action, NULL, sp_proc_pid(p), detail);
  if (fiu->failnum == SP_FAULT_ABORT && a->fault->restart_after_s >= 0 && !strcmp(action, "inject"))
    follow(ex, sp_mono_ns() + WATCH_INTERVAL_NS, FOLLOW_WATCH, ai);
}

static void disarm_points(sp_executor *ex, int ai, int inject, const char *why) {
  const sp_action *a = &ex->plan->actions[ai];
  const sp_fault_fiu *fiu = &a->fault->fiu;
  char err[512] = "", detail[256];
  const char *prefix = NULL;
  sp_proc *p = NULL;
  if (fiu_target(ex, a, &prefix, &p, err, sizeof err)) return record(ex, ai, "heal", err, 0, why);
  if (!sp_proc_alive(p) || sp_proc_incarnation(p) != ex->armed_inc[inject]) {
    snprintf(detail, sizeof detail, "%s%starget %s since it was armed: nothing to disarm", why ? why : "",
             why ? "; " : "", sp_proc_alive(p) ? "restarted" : "exited");
    return record(ex, ai, "heal", NULL, sp_proc_pid(p), detail);
  }
  for (int i = 0; i < fiu->n_points; i++)
    if (sp_fiu_disable(prefix, sp_proc_pid(p), fiu->points[i], ex->hooks.fiu_timeout_ms, err, sizeof err))
      return record(ex, ai, "heal", err, sp_proc_pid(p), fiu->points[i]);
  snprintf(detail, sizeof detail, "%s%sdisarmed %d point%s", why ? why : "", why ? "; " : "",
           fiu->n_points, fiu->n_points == 1 ? "" : "s");
  record(ex, ai, "heal", NULL, sp_proc_pid(p), detail);
}

/* Abort faults with restart_after_s: notice the crash, restart later. */
static void watch(sp_executor *ex, int ai) {
  const sp_action *a = &ex->plan->actions[ai];
  if (!ex->active[ai]) return; /* healed: stop watching */
  sp_proc *p = ex->hooks.process ? ex->hooks.process(ex->hooks.ctx, a->target) : NULL;
  if (!p) return;
  if (sp_proc_alive(p)) {
    follow(ex, sp_mono_ns() + WATCH_INTERVAL_NS, FOLLOW_WATCH, ai);
    return;
  }
  char how[96], detail[160];
  snprintf(detail, sizeof detail, "target died: %s", sp_proc_describe(p, how, sizeof how));
  record(ex, ai, "observe", NULL, sp_proc_pid(p), detail);
  follow(ex, sp_mono_ns() + s_to_ns(a->fault->restart_after_s), FOLLOW_CRASH_RESTART, ai);
}

/* ------------------------------------------------------- net, clock ---- */

static void net_command(const sp_fault_net *n, int heal, double duration_s, char *cmd, size_t cap) {
  const char *dir = sp_direction_name(n->direction);
  if (n->toxic == SP_NET_RESET) {
    if (heal) snprintf(cmd, cap, "clear refuse");
    else snprintf(cmd, cap, "reset %ld", duration_s > 0 ? (long)(duration_s * 1000 + 0.5) : 0L);
    return;
  }
  if (heal) {
    snprintf(cmd, cap, "clear %s %s", sp_net_toxic_name(n->toxic), dir);
    return;
  }
  switch (n->toxic) {
  case SP_NET_LATENCY: snprintf(cmd, cap, "latency %s %ld %ld", dir, n->latency_ms, n->jitter_ms); break;
  case SP_NET_BANDWIDTH: snprintf(cmd, cap, "bandwidth %s %ld", dir, n->rate_bytes_per_s); break;
  case SP_NET_SLICER: snprintf(cmd, cap, "slicer %s %ld %ld", dir, n->segment_bytes, n->delay_us); break;
  default: snprintf(cmd, cap, "blackhole %s", dir); break;
  }
}

static void net_action(sp_executor *ex, int ai, int heal, const char *why) {
  const sp_action *a = &ex->plan->actions[ai];
  char cmd[128], reply[512], err[640] = "", detail[256];
  net_command(&a->fault->net, heal, a->fault->duration_s, cmd, sizeof cmd);
  int rc = ex->hooks.proxy_control
               ? sp_proxy_command(ex->hooks.proxy_control, cmd, 2000, reply, sizeof reply, err, sizeof err)
               : (snprintf(err, sizeof err, "no proxy control socket for target link"), -1);
  if (!heal && rc == 0) ex->active[ai] = 1;
  snprintf(detail, sizeof detail, "%s%s%s", why ? why : "", why ? "; " : "", cmd);
  record(ex, ai, heal ? "heal" : "inject", rc ? err : NULL, 0, detail);
}

static void clock_action(sp_executor *ex, int ai, int on, const char *why) {
  const sp_action *a = &ex->plan->actions[ai];
  char err[512] = "";
  int rc = ex->hooks.clock ? ex->hooks.clock(ex->hooks.ctx, a->target, &a->fault->clock, on, err, sizeof err)
                           : (snprintf(err, sizeof err, "no clock hook for %s", a->target), -1);
  if (on && rc == 0) ex->active[ai] = 1;
  record(ex, ai, on ? "inject" : "heal", rc ? err : NULL, 0, why);
}

/* --------------------------------------------------------- dispatch ---- */

/* Heals the fault injected at plan index `inject`; the record is written
 * for plan index `ai` (the heal action, or the inject at end of run). */
static void heal(sp_executor *ex, int ai, int inject, const char *why) {
  const sp_fault *f = ex->plan->actions[ai].fault;
  int restart = f->kind == SP_FAULT_KIND_KILL || f->kind == SP_FAULT_KIND_STOP;
  if (!restart && inject >= 0 && !ex->active[inject]) {
    /* the inject failed (and was recorded as an error): nothing to undo. A
     * kill/stop heal still runs: it brings the target back if it is down. */
    return record(ex, ai, "heal", NULL, 0, "skipped: the inject did not take effect");
  }
  switch (f->kind) {
  case SP_FAULT_KIND_KILL:
  case SP_FAULT_KIND_STOP: restart_target(ex, ai, "heal", why ? why : "restart"); break;
  case SP_FAULT_KIND_PAUSE: pause_heal(ex, ai, inject, why); break;
  case SP_FAULT_KIND_FIU:
  case SP_FAULT_KIND_DISK: disarm_points(ex, ai, inject, why); break;
  case SP_FAULT_KIND_NET: net_action(ex, ai, 1, why); break;
  case SP_FAULT_KIND_CLOCK: clock_action(ex, ai, 0, why); break;
  }
  if (inject >= 0) ex->active[inject] = 0;
}

static void run_action(sp_executor *ex, int ai) {
  const sp_action *a = &ex->plan->actions[ai];
  if (a->phase == SP_ACTION_HEAL) return heal(ex, ai, a->pair, NULL);
  switch (a->fault->kind) {
  case SP_FAULT_KIND_KILL: signal_inject(ex, ai, SIGKILL, "SIGKILL"); break;
  case SP_FAULT_KIND_STOP: stop_inject(ex, ai); break;
  case SP_FAULT_KIND_PAUSE: signal_inject(ex, ai, SIGSTOP, "SIGSTOP"); break;
  case SP_FAULT_KIND_FIU:
  case SP_FAULT_KIND_DISK: arm_points(ex, ai, "inject"); break;
  case SP_FAULT_KIND_NET: net_action(ex, ai, 0, NULL); break;
  case SP_FAULT_KIND_CLOCK: clock_action(ex, ai, 1, NULL); break;
  }
}

static void run_followup(sp_executor *ex, followup f) {
  switch (f.kind) {
  case FOLLOW_ESCALATE: escalate(ex, f.action); break;
  case FOLLOW_WATCH: watch(ex, f.action); break;
  case FOLLOW_CRASH_RESTART: restart_target(ex, f.action, "restart", "restarted after it crashed"); break;
  }
}

uint64_t sp_executor_tick(sp_executor *ex, uint64_t now_ns) {
  for (;;) {
    uint64_t plan_due = ex->next < ex->plan->n_actions
                            ? ex->start_ns + s_to_ns(ex->plan->actions[ex->next].t_s)
                            : UINT64_MAX;
    int fi = -1;
    for (int i = 0; i < ex->n_follow; i++)
      if (fi < 0 || ex->follow[i].due_ns < ex->follow[fi].due_ns) fi = i;
    uint64_t follow_due = fi >= 0 ? ex->follow[fi].due_ns : UINT64_MAX;
    uint64_t due = follow_due <= plan_due ? follow_due : plan_due;
    if (due == UINT64_MAX || due > now_ns) return due;
    if (fi >= 0 && follow_due <= plan_due) {
      followup f = ex->follow[fi];
      ex->follow[fi] = ex->follow[--ex->n_follow];
      run_followup(ex, f);
    } else {
      run_action(ex, ex->next++);
    }
  }
}

int sp_executor_run(sp_executor *ex, volatile sig_atomic_t *stop) {
  while (!(stop && *stop)) {
    uint64_t next = sp_executor_tick(ex, sp_mono_ns());
    if (next == UINT64_MAX) break;
    uint64_t now = sp_mono_ns(), cap = now + 100000000ull; /* re-check *stop every 100 ms */
    sp_sleep_until_ns(next < cap ? next : cap);
  }
  return ex->errors;
}

void sp_executor_finish(sp_executor *ex, int restart_pending) {
  ex->n_follow = 0;
  for (int i = ex->plan->n_actions - 1; i >= 0; i--) {
    if (!ex->active[i]) continue;
    const sp_fault *f = ex->plan->actions[i].fault;
    int process_down = f->kind == SP_FAULT_KIND_KILL || f->kind == SP_FAULT_KIND_STOP;
    if (process_down && !restart_pending) {
      ex->active[i] = 0;
      continue;
    }
    heal(ex, i, i, "end of run");
  }
  ex->next = ex->plan->n_actions;
}

sp_executor *sp_executor_new(const sp_plan *plan, const sp_exec_hooks *hooks, const char *jsonl_path,
                             uint64_t start_mono_ns, char *err, size_t err_cap) {
  FILE *f = fopen(jsonl_path, "a");
  if (!f) {
    snprintf(err, err_cap, "%s: %s", jsonl_path, strerror(errno));
    return NULL;
  }
  sp_executor *ex = sp_calloc(1, sizeof *ex);
  ex->plan = plan;
  ex->hooks = *hooks;
  ex->start_ns = start_mono_ns;
  ex->jsonl = f;
  ex->active = sp_calloc((size_t)plan->n_actions + 1, sizeof(int));
  ex->armed_inc = sp_calloc((size_t)plan->n_actions + 1, sizeof(int));
  return ex;
}

int sp_executor_done(const sp_executor *ex) { return ex->next >= ex->plan->n_actions && ex->n_follow == 0; }
int sp_executor_errors(const sp_executor *ex) { return ex->errors; }
int sp_executor_records(const sp_executor *ex) { return ex->records; }

void sp_executor_free(sp_executor *ex) {
  if (!ex) return;
  fclose(ex->jsonl);
  free(ex->active);
  free(ex->armed_inc);
  free(ex->follow);
  free(ex);
}
