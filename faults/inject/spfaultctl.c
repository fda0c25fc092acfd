/* spfaultctl.c: the `spfaultctl` command, a front end to the fault
 * library for people and tests:
 *
 *   spfaultctl check FILE [--seed N] [--producers N] [--consumers N] [--processor] [--no-link]
 *       validate a schedule and print its plan (one action per line)
 *   spfaultctl run FILE --target NAME [--seed N] [--out FAULTS.jsonl] [--log FILE]
 *                [--fiu-prefix P] [--preload] [--proxy-control SOCK] [--tail-s S] -- PROGRAM ARGS...
 *       start PROGRAM as target NAME (broker, processor, consumer:0, ...),
 *       apply the schedule's faults on it (and on the link, through the
 *       proxy's control socket), write faults.jsonl, then stop it
 *   spfaultctl points
 *       list every known fault point (refbroker, refstream, POSIX preload)
 *
 * Exit status: 0 ok, 1 invalid schedule or a fault action failed, 2 usage. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "executor.h"
#include "fiu_remote.h"
#include "log.h"
#include "points.h"
#include "preload.h"
#include "process.h"
#include "schedule.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig) {
  (void)sig;
  interrupted = 1;
}

static int usage(void) {
  fprintf(stderr,
          "usage: spfaultctl check FILE [--seed N] [--producers N] [--consumers N] [--processor] [--no-link]\n"
          "       spfaultctl run FILE --target NAME [--seed N] [--out FAULTS.jsonl] [--log FILE]\n"
          "                [--fiu-prefix P] [--preload] [--proxy-control SOCK] [--tail-s S] -- PROGRAM ARGS...\n"
          "       spfaultctl points\n");
  return 2;
}

typedef struct opts {
  const char *file, *target, *out, *log, *fiu_prefix, *proxy_control;
  uint64_t seed;
  sp_topology topo;
  int preload;
  double tail_s;
  char **argv; /* after -- */
} opts;

static int parse_opts(int argc, char **argv, opts *o) {
  memset(o, 0, sizeof *o);
  o->topo.has_link = 1;
  o->out = "faults.jsonl";
  o->tail_s = 0.5;
  if (argc < 3) return -1;
  o->file = argv[2];
  for (int i = 3; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--")) {
      o->argv = argv + i + 1;
      break;
    }
    if (!strcmp(a, "--processor")) o->topo.has_processor = 1;
    else if (!strcmp(a, "--no-link")) o->topo.has_link = 0;
    else if (!strcmp(a, "--preload")) o->preload = 1;
    else if (!v) return -1;
    else if (!strcmp(a, "--seed")) o->seed = strtoull(v, NULL, 10), i++;
    else if (!strcmp(a, "--producers")) o->topo.producers = atoi(v), i++;
    else if (!strcmp(a, "--consumers")) o->topo.consumers = atoi(v), i++;
    else if (!strcmp(a, "--target")) o->target = v, i++;
    else if (!strcmp(a, "--out")) o->out = v, i++;
    else if (!strcmp(a, "--log")) o->log = v, i++;
    else if (!strcmp(a, "--fiu-prefix")) o->fiu_prefix = v, i++;
    else if (!strcmp(a, "--proxy-control")) o->proxy_control = v, i++;
    else if (!strcmp(a, "--tail-s")) o->tail_s = atof(v), i++;
    else return -1;
  }
  return 0;
}

static void print_plan(const sp_plan *p) {
  printf("# seed %llu, %d actions\n", (unsigned long long)p->seed, p->n_actions);
  for (int i = 0; i < p->n_actions; i++) {
    const sp_action *a = &p->actions[i];
    printf("%10.3f  %-6s %-7s %-12s %s #%d\n", a->t_s, a->phase == SP_ACTION_INJECT ? "inject" : "heal",
           sp_fault_kind_name(a->fault->kind), a->target, a->fault->id, a->occurrence);
  }
}

static int cmd_points(void) {
  static const char *titles[] = {"refbroker", "refstream", "posix preload"};
  for (int r = 0; r < 3; r++) {
    size_t n = 0;
    const sp_point *pts = sp_points((sp_points_registry)r, &n);
    printf("# %s (%zu)\n", titles[r], n);
    for (size_t i = 0; i < n; i++) printf("%s%s%s\n", pts[i].name, *pts[i].where ? "\t" : "", pts[i].where);
  }
  return 0;
}

/* --- run: one target process, the hooks the executor needs for it ------ */

typedef struct run_ctx {
  const char *target;
  sp_proc *proc;
  const char *fiu_prefix;
} run_ctx;

static sp_proc *hook_process(void *ctx, const char *target) {
  run_ctx *c = ctx;
  return !strcmp(target, c->target) ? c->proc : NULL;
}

static const char *hook_prefix(void *ctx, const char *target) {
  run_ctx *c = ctx;
  return !strcmp(target, c->target) ? c->fiu_prefix : NULL;
}

static int cmd_run(const opts *o, const sp_plan *plan) {
  char err[1024];
  char *env[8] = {0};
  if (o->preload) {
    if (!o->fiu_prefix) {
      fprintf(stderr, "spfaultctl: --preload needs --fiu-prefix\n");
      return 2;
    }
    if (sp_fiu_preload_env(o->argv[0], o->fiu_prefix, NULL, env, err, sizeof err)) {
      fprintf(stderr, "spfaultctl: %s\n", err);
      return 1;
    }
  } else if (o->fiu_prefix) {
    size_t len = strlen(o->fiu_prefix) + 16;
    env[0] = malloc(len);
    snprintf(env[0], len, "SP_FIU_CTRL=%s", o->fiu_prefix);
  }
  if (o->fiu_prefix) sp_fiu_cleanup_stale(o->fiu_prefix);
  sp_proc_spec spec = {.argv = (const char *const *)o->argv, .env_add = (const char *const *)env,
                       .log_path = o->log, .name = o->target};
  run_ctx ctx = {.target = o->target, .fiu_prefix = o->fiu_prefix};
  ctx.proc = sp_proc_spawn(&spec, err, sizeof err);
  sp_fiu_preload_env_free(env);
  if (!ctx.proc) {
    fprintf(stderr, "spfaultctl: %s\n", err);
    return 1;
  }
  printf("spfaultctl: started %s pid %d\n", o->target, (int)sp_proc_pid(ctx.proc));
  fflush(stdout);
  sp_exec_hooks hooks = {.ctx = &ctx, .process = hook_process, .fiu_prefix = hook_prefix,
                         .proxy_control = o->proxy_control};
  sp_executor *ex = sp_executor_new(plan, &hooks, o->out, sp_mono_ns(), err, sizeof err);
  if (!ex) {
    fprintf(stderr, "spfaultctl: %s\n", err);
    sp_proc_free(ctx.proc);
    return 1;
  }
  sp_executor_run(ex, &interrupted);
  uint64_t tail_end = sp_mono_ns() + (uint64_t)(o->tail_s * 1e9);
  while (!interrupted && sp_mono_ns() < tail_end) sp_sleep_until_ns(sp_mono_ns() + 10000000ull);
  sp_executor_finish(ex, 0);
  int errors = sp_executor_errors(ex), records = sp_executor_records(ex);
  sp_executor_free(ex);
  char how[96];
  int killed = sp_proc_stop(ctx.proc, 5000);
  printf("spfaultctl: %d records, %d errors; %s %s%s\n", records, errors, o->target,
         sp_proc_describe(ctx.proc, how, sizeof how), killed ? " (needed SIGKILL)" : "");
  sp_proc_free(ctx.proc);
  return errors ? 1 : 0;
}

int main(int argc, char **argv) {
  sp_log_init("spfaultctl", SP_LOG_INFO);
  if (argc >= 2 && !strcmp(argv[1], "points")) return cmd_points();
  opts o;
  if (argc < 3 || parse_opts(argc, argv, &o) != 0) return usage();
  int run = !strcmp(argv[1], "run");
  if (!run && strcmp(argv[1], "check")) return usage();
  if (run && (!o.target || !o.argv || !o.argv[0])) return usage();
  if (run) {
    /* the target named on the command line exists in the topology */
    if (!strncmp(o.target, "producer:", 9)) o.topo.producers = atoi(o.target + 9) + 1;
    if (!strncmp(o.target, "consumer:", 9)) o.topo.consumers = atoi(o.target + 9) + 1;
    if (!strcmp(o.target, "processor")) o.topo.has_processor = 1;
    if (!o.proxy_control) o.topo.has_link = 0;
  }
  char err[1024];
  sp_schedule *s = sp_schedule_load(o.file, err, sizeof err);
  if (!s) {
    fprintf(stderr, "%s\n", err);
    return 1;
  }
  sp_plan plan;
  if (sp_schedule_expand(s, sp_schedule_seed(s, o.seed), &o.topo, &plan, err, sizeof err)) {
    fprintf(stderr, "%s\n", err);
    sp_schedule_free(s);
    return 1;
  }
  int rc = 0;
  if (run) {
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    rc = cmd_run(&o, &plan);
  } else {
    print_plan(&plan);
  }
  sp_plan_free(&plan);
  sp_schedule_free(s);
  return rc;
}
