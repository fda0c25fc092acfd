/* test_executor.c: running plans against real processes and checking
 * faults.jsonl (executor.h). The "broker" here is fiu_target: a process
 * with libfiu remote control and one point. Fault points are named in
 * schedules with refbroker's names; the plan is edited to arm fiu_target's
 * "sptest/io/point" instead, since arming is by name only. */
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "executor.h"
#include "fault.h"
#include "sp_test.h"
#include "test_util.h"

static char err[1024];
static char prefix[512], logpath[512], jsonl[512], ypath[512];

typedef struct ctx {
  sp_proc *broker;
  int clock_on, clock_off;
  long clock_skew;
} ctx;

static sp_proc *hook_process(void *c, const char *target) {
  return !strcmp(target, "broker") ? ((ctx *)c)->broker : NULL;
}
static const char *hook_prefix(void *c, const char *target) {
  (void)c;
  return !strcmp(target, "broker") ? prefix : NULL;
}
static int hook_clock(void *c, const char *target, const sp_fault_clock *k, int on, char *e, size_t cap) {
  ctx *x = c;
  if (strcmp(target, "producer:0")) return snprintf(e, cap, "unexpected %s", target), -1;
  if (on) x->clock_on++, x->clock_skew = k->skew_ms;
  else x->clock_off++;
  return 0;
}

static sp_proc *start_broker(const char *argv0) {
  snprintf(prefix, sizeof prefix, "%s/ctl", sp_test_tmpdir());
  snprintf(logpath, sizeof logpath, "%s/broker.log", sp_test_tmpdir());
  char env0[600];
  snprintf(env0, sizeof env0, "SP_FIU_CTRL=%s", prefix);
  const char *env[] = {env0, NULL};
  const char *argv[] = {argv0, NULL};
  const char *sh[] = {"sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done", NULL};
  sp_proc_spec spec = {.argv = argv0 ? argv : sh, .env_add = env, .log_path = logpath, .name = "broker"};
  sp_proc *p = sp_proc_spawn(&spec, err, sizeof err);
  if (p) sp_proc_wait_log(p, "ready", 10000, NULL, 0);
  return p;
}

/* Loads a schedule, expands it, retargets fiu points to sptest/io/point. */
static sp_schedule *plan_of(const char *yaml, sp_plan *plan) {
  snprintf(ypath, sizeof ypath, "%s/s.yaml", sp_test_tmpdir());
  FILE *f = fopen(ypath, "w");
  fputs(yaml, f);
  fclose(f);
  sp_schedule *s = sp_schedule_load(ypath, err, sizeof err);
  if (!s) {
    fprintf(stderr, "# %s\n", err);
    return NULL;
  }
  for (int i = 0; i < s->n_faults; i++)
    for (int j = 0; j < s->faults[i].fiu.n_points; j++) {
      free(s->faults[i].fiu.points[j]);
      s->faults[i].fiu.points[j] = strdup("sptest/io/point");
    }
  sp_topology topo = {.producers = 1, .has_link = 1};
  if (sp_schedule_expand(s, 1, &topo, plan, err, sizeof err)) {
    fprintf(stderr, "# %s\n", err);
    sp_schedule_free(s);
    return NULL;
  }
  return s;
}

static int run_plan(ctx *c, const sp_plan *plan, const char *proxy) {
  snprintf(jsonl, sizeof jsonl, "%s/faults.jsonl", sp_test_tmpdir());
  sp_exec_hooks hooks = {.ctx = c, .process = hook_process, .fiu_prefix = hook_prefix,
                         .clock = hook_clock, .proxy_control = proxy};
  sp_executor *ex = sp_executor_new(plan, &hooks, jsonl, sp_mono_ns(), err, sizeof err);
  if (!ex) return -1;
  sp_executor_run(ex, NULL);
  sp_executor_finish(ex, 1);
  int errors = sp_executor_errors(ex);
  sp_executor_free(ex);
  return errors;
}

/* The faults.jsonl records, as "fault/action/result" strings. */
static json_t *records(void) {
  json_t *all = json_array();
  FILE *f = fopen(jsonl, "r");
  if (!f) return all;
  char line[4096];
  while (fgets(line, sizeof line, f)) {
    json_error_t je;
    json_t *o = json_loads(line, 0, &je);
    if (o) json_array_append_new(all, o);
    else fprintf(stderr, "# bad json line: %s", line);
  }
  fclose(f);
  return all;
}

static const char *str(json_t *o, const char *k) {
  const char *s = json_string_value(json_object_get(o, k));
  return s ? s : "";
}

TEST(process_fiu_clock_and_failed_net_actions_are_recorded) {
  ctx c = {0};
  c.broker = start_broker(FIU_TARGET_PATH);
  REQUIRE(c.broker);
  pid_t first = sp_proc_pid(c.broker);
  sp_plan plan;
  sp_schedule *s = plan_of("faults:\n"
                           "  - {id: crash, kind: kill, target: broker, at_s: 0.1, restart_after_s: 0.2}\n"
                           "  - {id: freeze, kind: pause, target: broker, at_s: 0.6, duration_s: 0.2}\n"
                           "  - {id: eio, kind: fiu, target: broker, point: refbroker/log/before-fsync, errno: EIO, at_s: 1.0, duration_s: 0.3}\n"
                           "  - {id: skew, kind: clock, target: producer:0, skew_ms: -700, at_s: 0.2, duration_s: 0.3}\n"
                           "  - {id: lag, kind: net, toxic: latency, latency_ms: 50, at_s: 0.3, duration_s: 0.1}\n",
                           &plan);
  REQUIRE(s);
  char nosock[600];
  snprintf(nosock, sizeof nosock, "%s/no-proxy.sock", sp_test_tmpdir());
  uint64_t t0 = sp_mono_ns();
  CHECK_EQ_INT(run_plan(&c, &plan, nosock), 1); /* the net inject (its heal is skipped) */
  CHECK(sp_mono_ns() - t0 >= 1300000000ull);
  json_t *r = records();
  static const char *want[][3] = {
      {"crash", "inject", "ok"}, {"skew", "inject", "ok"}, {"crash", "heal", "ok"},
      {"lag", "inject", "error"}, {"lag", "heal", "ok"}, {"skew", "heal", "ok"},
      {"freeze", "inject", "ok"}, {"freeze", "heal", "ok"}, {"eio", "inject", "ok"},
      {"eio", "heal", "ok"}};
  size_t n = sizeof want / sizeof want[0];
  CHECK_EQ_INT(json_array_size(r), n);
  for (size_t i = 0; i < n && i < json_array_size(r); i++) {
    json_t *o = json_array_get(r, i);
    int ok = !strcmp(str(o, "fault"), want[i][0]) && !strcmp(str(o, "action"), want[i][1]) &&
             !strcmp(str(o, "result"), want[i][2]);
    if (!ok) fprintf(stderr, "# record %zu: %s %s %s\n", i, str(o, "fault"), str(o, "action"), str(o, "result"));
    CHECK(ok);
    CHECK(json_integer_value(json_object_get(o, "mono_ns")) > 0);
    CHECK(strlen(str(o, "wall")) == 24 && str(o, "wall")[23] == 'Z');
    CHECK(json_real_value(json_object_get(o, "t_s")) >= json_real_value(json_object_get(o, "planned_t_s")) - 1e-9);
    CHECK(json_is_object(json_object_get(o, "params")));
  }
  json_t *kill = json_array_get(r, 0), *restart = json_array_get(r, 2), *lag = json_array_get(r, 3);
  CHECK_EQ_INT(json_integer_value(json_object_get(kill, "pid")), first);
  CHECK_EQ_STR(str(kill, "detail"), "killed by SIGKILL");
  CHECK(json_integer_value(json_object_get(restart, "pid")) != first);
  CHECK(strstr(str(lag, "error"), "no-proxy.sock") != NULL);
  CHECK_EQ_STR(str(json_object_get(lag, "params"), "toxic"), "latency");
  CHECK_EQ_INT(c.clock_on, 1);
  CHECK_EQ_INT(c.clock_off, 1);
  CHECK_EQ_INT(c.clock_skew, -700);
  /* the fiu fault hit the restarted broker, and was healed */
  CHECK(count_lines_with(logpath, "fail errno=5") > 10);
  CHECK_EQ_INT(sp_proc_incarnation(c.broker), 1);
  json_decref(r);
  sp_plan_free(&plan);
  sp_schedule_free(s);
  sp_proc_free(c.broker);
}

/* A kill inside a fiu window: the new incarnation is re-armed. */
TEST(points_are_rearmed_after_a_restart) {
  ctx c = {0};
  c.broker = start_broker(FIU_TARGET_PATH);
  REQUIRE(c.broker);
  sp_plan plan;
  sp_schedule *s = plan_of("faults:\n"
                           "  - {id: eio, kind: fiu, target: broker, point: refbroker/log/before-fsync, errno: ENOSPC, at_s: 0.05, duration_s: 1.2}\n"
                           "  - {id: crash, kind: kill, target: broker, at_s: 0.3, restart_after_s: 0.2}\n",
                           &plan);
  REQUIRE(s);
  CHECK_EQ_INT(run_plan(&c, &plan, NULL), 0);
  json_t *r = records();
  int rearm = 0;
  for (size_t i = 0; i < json_array_size(r); i++) {
    json_t *o = json_array_get(r, i);
    if (!strcmp(str(o, "action"), "rearm") && !strcmp(str(o, "result"), "ok")) rearm++;
  }
  CHECK_EQ_INT(rearm, 1);
  json_t *last = json_array_get(r, json_array_size(r) - 1);
  CHECK_EQ_STR(str(last, "fault"), "eio");
  CHECK_EQ_STR(str(last, "action"), "heal");
  CHECK_EQ_STR(str(last, "result"), "ok");
  CHECK(strstr(str(last, "detail"), "disarmed 1 point") != NULL);
  json_decref(r);
  /* failures from both incarnations ("ready" printed twice) */
  CHECK_EQ_INT(count_lines_with(logpath, "ready"), 2);
  FILE *f = fopen(logpath, "r");
  REQUIRE(f);
  char line[256];
  int readies = 0, fails_after_restart = 0;
  while (fgets(line, sizeof line, f)) {
    if (strstr(line, "ready")) readies++;
    if (readies == 2 && strstr(line, "fail errno=28")) fails_after_restart++;
  }
  fclose(f);
  CHECK(fails_after_restart > 10);
  sp_plan_free(&plan);
  sp_schedule_free(s);
  sp_proc_free(c.broker);
}

/* An abort point with restart_after_s: crash observed, target restarted. */
TEST(abort_fault_crash_is_observed_and_restarted) {
  ctx c = {0};
  c.broker = start_broker(FIU_TARGET_PATH);
  REQUIRE(c.broker);
  sp_plan plan;
  sp_schedule *s = plan_of("faults:\n"
                           "  - {id: boom, kind: fiu, target: broker, point: refbroker/log/mid-batch-write, mode: abort,\n"
                           "     once: true, restart_after_s: 0.2, at_s: 0.05, duration_s: 1.0}\n",
                           &plan);
  REQUIRE(s);
  CHECK_EQ_INT(run_plan(&c, &plan, NULL), 0);
  json_t *r = records();
  static const char *want[] = {"inject", "observe", "restart", "heal"};
  CHECK_EQ_INT(json_array_size(r), 4);
  for (size_t i = 0; i < 4 && i < json_array_size(r); i++)
    CHECK_EQ_STR(str(json_array_get(r, i), "action"), want[i]);
  CHECK(strstr(str(json_array_get(r, 1), "detail"), "killed by SIGABRT") != NULL);
  CHECK(strstr(str(json_array_get(r, 3), "detail"), "nothing to disarm") != NULL);
  CHECK(sp_proc_alive(c.broker));
  CHECK_EQ_INT(sp_proc_incarnation(c.broker), 1);
  json_decref(r);
  sp_plan_free(&plan);
  sp_schedule_free(s);
  sp_proc_free(c.broker);
}

/* stop: SIGTERM ignored, SIGKILL after grace_s, restart. */
TEST(stop_escalates_and_restarts) {
  ctx c = {0};
  c.broker = start_broker(NULL);
  REQUIRE(c.broker);
  sp_plan plan;
  sp_schedule *s = plan_of("faults:\n"
                           "  - {id: term, kind: stop, target: broker, at_s: 0.05, grace_s: 0.2, restart_after_s: 0.4}\n",
                           &plan);
  REQUIRE(s);
  CHECK_EQ_INT(run_plan(&c, &plan, NULL), 0);
  json_t *r = records();
  REQUIRE(json_array_size(r) == 3);
  CHECK_EQ_STR(str(json_array_get(r, 1), "action"), "observe");
  CHECK(strstr(str(json_array_get(r, 1), "detail"), "SIGKILL") != NULL);
  CHECK_EQ_STR(str(json_array_get(r, 2), "action"), "heal");
  CHECK(sp_proc_alive(c.broker));
  json_decref(r);
  sp_plan_free(&plan);
  sp_schedule_free(s);
  sp_proc_free(c.broker);
}

/* A fault on a target that is not running is an error, never skipped. */
TEST(inject_on_a_dead_target_is_an_error) {
  ctx c = {0};
  c.broker = start_broker(FIU_TARGET_PATH);
  REQUIRE(c.broker);
  sp_proc_kill(c.broker);
  sp_plan plan;
  sp_schedule *s = plan_of("faults:\n"
                           "  - {id: z, kind: pause, target: broker, at_s: 0.01, duration_s: 0.05}\n"
                           "  - {id: f, kind: fiu, target: broker, point: refbroker/log/before-fsync, at_s: 0.1}\n",
                           &plan);
  REQUIRE(s);
  CHECK_EQ_INT(run_plan(&c, &plan, NULL), 2);
  json_t *r = records();
  CHECK_EQ_INT(json_array_size(r), 3);
  CHECK(strstr(str(json_array_get(r, 0), "error"), "not running") != NULL);
  CHECK(strstr(str(json_array_get(r, 1), "detail"), "skipped: the inject did not take effect") != NULL);
  CHECK(strstr(str(json_array_get(r, 2), "error"), "does not exist") != NULL);
  json_decref(r);
  sp_plan_free(&plan);
  sp_schedule_free(s);
  sp_proc_free(c.broker);
}

SP_TEST_MAIN(process_fiu_clock_and_failed_net_actions_are_recorded, points_are_rearmed_after_a_restart,
             abort_fault_crash_is_observed_and_restarted, stop_escalates_and_restarts,
             inject_on_a_dead_target_is_an_error)
