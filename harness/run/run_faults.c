/* run_faults.c: the fault schedule in a run: loading it, telling the
 * broker set-up what the plan needs (proxy, libfiu control, POSIX
 * preload), and the executor's hooks into the run's processes
 * (faults/inject/executor.h). The executor itself writes faults.jsonl. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "run_int.h"

/* 1 when some fault of the schedule matches. */
static int any_fault(const run_ctx *c, int (*pred)(const sp_fault *)) {
  if (!c->fsched) return 0;
  for (int i = 0; i < c->fsched->n_faults; i++)
    if (pred(&c->fsched->faults[i])) return 1;
  return 0;
}

static int is_link(const sp_fault *f) { return f->target.kind == SP_TARGET_LINK; }
static int is_broker(const sp_fault *f) { return f->target.kind == SP_TARGET_BROKER; }

/* A fiu/disk fault that uses libfiu's POSIX preload points (any target). */
static int uses_preload(const sp_fault *f) {
  if (f->kind == SP_FAULT_KIND_DISK) return 1;
  if (f->kind != SP_FAULT_KIND_FIU) return 0;
  for (int i = 0; i < f->fiu.n_points; i++)
    if (!strncmp(f->fiu.points[i], "posix/", 6)) return 1;
  return 0;
}

/* The same on the broker (the only target the preload serves). */
static int is_preload(const sp_fault *f) { return is_broker(f) && uses_preload(f); }

static int is_own_fiu(const sp_fault *f) { return is_broker(f) && f->kind == SP_FAULT_KIND_FIU && !is_preload(f); }

static int is_processor(const sp_fault *f) { return f->target.kind == SP_TARGET_PROCESSOR; }
static int is_processor_fiu(const sp_fault *f) { return is_processor(f) && f->kind == SP_FAULT_KIND_FIU; }

/* POSIX preload points and disk faults reach the broker only (the processor
 * runs with its own fault points: refstream --list-fault-points). */
static int is_processor_preload(const sp_fault *f) { return is_processor(f) && uses_preload(f); }

int run_faults_need_link(const run_ctx *c) { return any_fault(c, is_link); }
int run_faults_need_preload(const run_ctx *c) { return any_fault(c, is_preload); }
int run_faults_need_fiu(const run_ctx *c) { return any_fault(c, is_own_fiu); }
int run_faults_need_broker(const run_ctx *c) { return any_fault(c, is_broker); }
int run_faults_need_processor_fiu(const run_ctx *c) { return any_fault(c, is_processor_fiu); }

int run_faults_load(run_ctx *c, char *err, size_t err_len) {
  const char *path = c->opt.faults ? c->opt.faults : c->wl.faults_path;
  if (!path) return 0;
  snprintf(c->faults_path, sizeof c->faults_path, "%s", path);
  c->fsched = sp_schedule_load(path, err, err_len);
  if (!c->fsched) return -1;
  if (!c->embedded && (run_faults_need_broker(c) || run_faults_need_link(c))) {
    snprintf(err, err_len,
             "%s: broker and link faults need the embedded refbroker; with --bootstrap only "
             "client-side faults (producer:N, consumer:N, clock) apply",
             path);
    return -1;
  }
  if (any_fault(c, is_processor_preload)) {
    snprintf(err, err_len,
             "%s: disk faults and posix/ fault points apply to the broker only; the processor has "
             "its own points (refstream --list-fault-points, faults/points.md)",
             path);
    return -1;
  }
  sp_topology topo = {.producers = (int)workload_producer_count(&c->wl),
                      .consumers = (int)workload_consumer_count(&c->wl),
                      .has_processor = c->wl.processor.job_path != NULL,
                      .has_link = c->embedded};
  if (sp_schedule_expand(c->fsched, sp_schedule_seed(c->fsched, c->wl.seed), &topo, &c->plan, err,
                         err_len) != 0)
    return -1;
  c->have_plan = 1;
  return 0;
}

/* ---- executor hooks ------------------------------------------------------ */

static sp_proc *hook_process(void *ctx, const char *target) {
  run_ctx *c = ctx;
  if (!strcmp(target, "broker")) return c->broker;
  if (!strcmp(target, "link")) return c->proxy;
  if (!strcmp(target, "processor")) return processor_proc(c);
  run_worker *w = worker_by_target(c, target);
  return w ? w->proc : NULL;
}

static const char *hook_fiu_prefix(void *ctx, const char *target) {
  run_ctx *c = ctx;
  if (!strcmp(target, "processor")) return c->proc.fiu_prefix[0] ? c->proc.fiu_prefix : NULL;
  return !strcmp(target, "broker") && c->fiu_prefix[0] ? c->fiu_prefix : NULL;
}

static int hook_restart(void *ctx, const char *target, sp_proc *p, char *err, size_t err_len) {
  run_ctx *c = ctx;
  if (!strcmp(target, "broker")) return broker_restart(c, err, err_len);
  if (!strcmp(target, "processor")) return processor_restart(c, err, err_len);
  run_worker *w = worker_by_target(c, target);
  if (!w) return sp_proc_restart(p, err, err_len);
  if (w->state != RW_EXITED) worker_exited(c, w); /* classify the incarnation that died */
  if (w->role == WROLE_PRODUCER && c->phase >= PH_STOPPING) {
    sp_info("%s not restarted: the producers are stopping", w->name);
    return 0;
  }
  return worker_spawn(c, w, err, err_len);
}

static int hook_clock(void *ctx, const char *target, const sp_fault_clock *fc, int on, char *err,
                      size_t err_len) {
  run_ctx *c = ctx;
  run_worker *w = worker_by_target(c, target);
  if (!w || w->role != WROLE_PRODUCER) {
    snprintf(err, err_len, "clock faults apply to producers, not %s", target);
    return -1;
  }
  wmsg m = {.type = on ? WMSG_CLOCK : WMSG_CLOCK_OFF, .skew_ms = fc->skew_ms,
            .late_fraction = fc->late_fraction, .late_max_ms = fc->late_max_ms};
  w->clock = on ? m : (wmsg){0}; /* a restarted incarnation gets it again (worker_go) */
  if (worker_tell(w, &m) != 0) {
    w->clock = (wmsg){0}; /* not in force: the executor will not heal it either */
    snprintf(err, err_len, "%s is not connected", target);
    return -1;
  }
  return 0;
}

/* Every faults.jsonl line: notes which incarnation a kill or stop hit (so
 * its end is "killed", not "crashed"), when the broker is down on purpose,
 * and counts injections. */
static void hook_record(void *ctx, const char *line) {
  run_ctx *c = ctx;
  json_t *o = json_loads(line, 0, NULL);
  if (!o) return;
  const char *action = json_string_value(json_object_get(o, "action"));
  const char *kind = json_string_value(json_object_get(o, "kind"));
  const char *target = json_string_value(json_object_get(o, "target"));
  const char *result = json_string_value(json_object_get(o, "result"));
  int ok = result && !strcmp(result, "ok");
  if (action && kind && target && ok) {
    int down = !strcmp(kind, "kill") || !strcmp(kind, "stop") ||
               (!strcmp(kind, "fiu") && json_is_object(json_object_get(o, "params")) &&
                json_object_get(json_object_get(o, "params"), "restart_after_s"));
    if (!strcmp(action, "inject")) {
      c->faults_injected++;
      run_worker *w = worker_by_target(c, target);
      if (w && down) w->fault_hit = 1;
      if (!strcmp(target, "broker") && down) c->broker_fault_down = 1;
      if (!strcmp(target, "processor") && down) c->proc.fault_hit = c->proc.fault_down = 1;
      const char *mode = json_string_value(json_object_get(json_object_get(o, "params"), "mode"));
      if (!strcmp(target, "processor") && !strcmp(kind, "fiu") && mode && !strcmp(mode, "abort"))
        c->proc.fault_hit = 1; /* its abort is the fault's doing (no restart without restart_after_s) */
    } else if (!strcmp(action, "heal") && !strcmp(target, "broker")) {
      c->broker_fault_down = 0;
    } else if (!strcmp(action, "observe") && !strcmp(target, "broker")) {
      c->broker_fault_down = 1; /* an abort point crashed it; the executor restarts it */
    } else if (!strcmp(action, "observe") && !strcmp(target, "processor")) {
      c->proc.fault_hit = c->proc.fault_down = 1;
    }
  }
  progress_clear(c);
  json_decref(o);
}

int run_faults_start(run_ctx *c, char *err, size_t err_len) {
  char path[RUN_PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/faults.jsonl", c->dir);
  if (!c->have_plan) { /* the file is part of every results folder, empty without faults */
    FILE *f = fopen(path, "a");
    if (!f) {
      snprintf(err, err_len, "%s: %s", path, strerror(errno));
      return -1;
    }
    fclose(f);
    return 0;
  }
  sp_exec_hooks hooks = {
      .ctx = c,
      .process = hook_process,
      .fiu_prefix = hook_fiu_prefix,
      .restart = hook_restart,
      .clock = hook_clock,
      .on_record = hook_record,
      .proxy_control = c->proxy_control[0] ? c->proxy_control : NULL,
  };
  c->ex = sp_executor_new(&c->plan, &hooks, path, c->t0, err, err_len);
  return c->ex ? 0 : -1;
}

void run_faults_finish(run_ctx *c) {
  if (c->ex) sp_executor_finish(c->ex, 1);
}

void run_faults_free(run_ctx *c) {
  sp_executor_free(c->ex);
  c->ex = NULL;
  if (c->have_plan) sp_plan_free(&c->plan);
  c->have_plan = 0;
  if (c->fsched) sp_schedule_free(c->fsched);
  c->fsched = NULL;
}
