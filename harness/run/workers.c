/* workers.c: the producer and consumer processes of a run: who they are
 * (topics, subscriptions, groups, ids), their specs, spawning and
 * restarting them, classifying how each incarnation ended, stopping them.
 *
 * Naming follows OMB: topic t has producersPerTopic producers and
 * subscriptionsPerTopic subscriptions (each a consumer group) of
 * consumerPerSubscription consumers. Producers are numbered 0.. across all
 * topics (producer i of topic t is t * producersPerTopic + i), subscriptions
 * likewise, consumers across all subscriptions. The rate schedule is split
 * over all producers of the run (schedule.h). */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "mem.h"
#include "rng.h"
#include "run_int.h"

/* Adds (or replaces) a librdkafka property in a kv list. */
static void kv_set(kv_list *kv, const char *k, const char *v) {
  for (size_t i = 0; i < kv->n; i++)
    if (!strcmp(kv->keys[i], k)) {
      free(kv->values[i]);
      kv->values[i] = sp_strdup(v);
      return;
    }
  kv->keys = sp_realloc(kv->keys, (kv->n + 1) * sizeof *kv->keys);
  kv->values = sp_realloc(kv->values, (kv->n + 1) * sizeof *kv->values);
  kv->keys[kv->n] = sp_strdup(k);
  kv->values[kv->n] = sp_strdup(v);
  kv->n++;
}

/* 1 when kv sets k. */
static int kv_has(const kv_list *kv, const char *k) {
  for (size_t i = 0; i < kv->n; i++)
    if (!strcmp(kv->keys[i], k)) return 1;
  return 0;
}

/* The client properties of a worker, in the order they apply:
 *   1. harness defaults a workload may override (consumers: session
 *      timeout 6 s and heartbeat 1 s, so a killed consumer's partitions move
 *      in seconds, not librdkafka's 45 s);
 *   2. the workload's (producer: settings; librdkafka: common, role);
 *   3. -X from the command line;
 *   4. what the delivery semantics require (consumers), which nothing may
 *      override: group.id, manual commits, auto.offset.reset=earliest. */
static void client_props(run_ctx *c, worker_role role, const char *group, kv_list *out) {
  memset(out, 0, sizeof *out);
  if (role == WROLE_CONSUMER) {
    kv_set(out, "session.timeout.ms", "6000");
    kv_set(out, "heartbeat.interval.ms", "1000");
  }
  kv_list wl;
  workload_rdkafka_conf(&c->wl, role == WROLE_PRODUCER ? WL_CLIENT_PRODUCER : WL_CLIENT_CONSUMER, &wl);
  for (size_t i = 0; i < wl.n; i++) kv_set(out, wl.keys[i], wl.values[i]);
  kv_list_free(&wl);
  for (size_t i = 0; i < c->opt.n_props; i++) {
    char *kv = sp_strdup(c->opt.props[i]);
    char *eq = strchr(kv, '=');
    *eq = '\0';
    kv_set(out, kv, eq + 1);
    free(kv);
  }
  if (role == WROLE_CONSUMER) {
    kv_set(out, "group.id", group);
    kv_set(out, "enable.auto.commit", "false");
    kv_set(out, "enable.auto.offset.store", "false");
    kv_set(out, "auto.offset.reset", "earliest");
  }
  (void)kv_has;
}

void workers_plan(run_ctx *c) {
  const workload *wl = &c->wl;
  char slug[64];
  workload_slug(wl, slug, sizeof slug);
  /* Topic and group names must be new on every run (an external broker
   * keeps old topics): a nonce from the clock and pid, not the seed. */
  rng r;
  rng_seed(&r, sp_wall_ns() ^ (uint64_t)getpid() * 0x9e3779b97f4a7c15ull);
  uint32_t nonce = (uint32_t)rng_next(&r);
  c->nonce = nonce;
  snprintf(c->slug, sizeof c->slug, "%s", slug);
  c->n_topics = (uint32_t)wl->topics;
  c->topics = sp_calloc(c->n_topics, sizeof *c->topics);
  for (uint32_t t = 0; t < c->n_topics; t++) {
    snprintf(c->topics[t].name, sizeof c->topics[t].name, "sp-%s-%07" PRIu32 "-%08" PRIx32, slug, t,
             nonce);
    c->topics[t].partitions = (int32_t)wl->partitions_per_topic;
  }
  uint32_t spt = (uint32_t)wl->subscriptions_per_topic;
  c->n_subs = c->n_topics * spt;
  c->subs = sp_calloc(c->n_subs ? c->n_subs : 1, sizeof *c->subs);
  for (uint32_t s = 0; s < c->n_subs; s++) {
    run_sub *sub = &c->subs[s];
    sub->id = s;
    sub->topic = s / spt;
    sub->j = s % spt;
    snprintf(sub->name, sizeof sub->name, "sub-%03" PRIu32, s);
    snprintf(sub->group, sizeof sub->group, "sp-%s-sub-%03" PRIu32 "-%08" PRIx32, slug, s, nonce);
    sub->semantics = workload_subscription(wl, sub->j)->semantics;
  }
  c->n_producers = workload_producer_count(wl);
  c->n_consumers = workload_consumer_count(wl);
  c->n_workers = c->n_producers + c->n_consumers;
  c->workers = sp_calloc(c->n_workers ? c->n_workers : 1, sizeof *c->workers);
  uint32_t ppt = (uint32_t)wl->producers_per_topic, cps = (uint32_t)wl->consumer_per_subscription;
  for (uint32_t i = 0; i < c->n_workers; i++) {
    run_worker *w = &c->workers[i];
    int prod = i < c->n_producers;
    w->role = prod ? WROLE_PRODUCER : WROLE_CONSUMER;
    w->index = prod ? i : i - c->n_producers;
    w->fd = -1;
    snprintf(w->name, sizeof w->name, "%s-%" PRIu32, prod ? "producer" : "consumer", w->index);
    snprintf(w->target, sizeof w->target, "%s:%" PRIu32, prod ? "producer" : "consumer", w->index);
    run_fmt(w->spec_path, sizeof w->spec_path, "%s/%s.json", c->workers_dir, w->name);
    run_fmt(w->log_path, sizeof w->log_path, "%s/%s.log", c->logs_dir, w->name);
    if (prod) {
      w->topic = w->index / ppt;
    } else {
      w->subscription = w->index / cps;
      w->topic = c->subs[w->subscription].topic;
    }
  }
}

/* Fills w's spec for its next incarnation (everything but the id). */
static void build_spec(run_ctx *c, run_worker *w) {
  worker_spec *s = &w->spec;
  uint32_t incarnation = w->n_incs ? (uint32_t)w->n_incs : 0;
  worker_spec_free(s);
  s->role = w->role;
  s->name = sp_strdup(w->name);
  s->index = w->index;
  s->incarnation = incarnation;
  s->control = sp_strdup(c->control_name);
  s->bootstrap = sp_strdup(c->bootstrap);
  s->workload_path = sp_strdup(c->workload_json);
  char path[RUN_PATH_MAX + 64];
  snprintf(path, sizeof path, "%s/%s.hist", c->hist_dir, w->name);
  s->history_path = sp_strdup(path);
  s->history_dir = sp_strdup(c->hist_dir);
  s->lock_dir = sp_strdup(c->workers_dir);
  s->topic = sp_strdup(c->topics[w->topic].name);
  s->topic_index = w->topic;
  s->partitions = c->topics[w->topic].partitions;
  s->n_producers = c->n_producers;
  s->flush_timeout_s = c->wl.drain_timeout_s > 5 ? c->wl.drain_timeout_s : 5;
  for (size_t i = 0; i < c->n_rates; i++) worker_spec_add_rate(s, c->rates[i].at_ns, c->rates[i].rate);
  s->warmup_s = c->wl.warmup_s;
  s->t0_mono_ns = c->t0;
  s->t0_wall_ns = c->t0_wall;
  if (w->role == WROLE_CONSUMER) {
    const run_sub *sub = &c->subs[w->subscription];
    const subscription_conf *sc = workload_subscription(&c->wl, sub->j);
    s->subscription = w->subscription;
    s->group = sp_strdup(sub->group);
    s->semantics = sc->semantics;
    s->processing_us = sc->processing_us;
    s->start_delay_s = sc->start_delay_s;
    s->commit_interval_ms = sc->commit_interval_ms;
    const char *bug = getenv("SP_TEST_CONSUMER_BUG"); /* hidden: the checker's own tests */
    if (bug && !strcmp(bug, "commit_before_process") && sc->semantics == SEM_EXACTLY_ONCE)
      s->bug = WBUG_COMMIT_BEFORE_PROCESS;
    client_props(c, w->role, sub->group, &s->rdkafka);
  } else {
    client_props(c, w->role, NULL, &s->rdkafka);
  }
}

int worker_spawn(run_ctx *c, run_worker *w, char *err, size_t err_len) {
  build_spec(c, w);
  w->spec.id = c->next_id++;
  char hlog[RUN_PATH_MAX + 64];
  snprintf(hlog, sizeof hlog, "%s/%s-%" PRIu32 ".hlog", c->hlog_dir, w->name, w->spec.id);
  w->spec.hlog_path = sp_strdup(hlog);
  if (worker_spec_save(&w->spec, w->spec_path, err, err_len) != 0) return -1;
  if (w->fd >= 0) close(w->fd);
  w->fd = -1;
  wline_init(&w->in);
  w->finished = worker_totals(w);
  memset(&w->last, 0, sizeof w->last);
  w->fault_hit = 0;
  w->error[0] = '\0';
  int rc;
  if (!w->proc) {
    const char *argv[] = {c->exe, "worker", w->role == WROLE_PRODUCER ? "producer" : "consumer",
                          "--spec", w->spec_path, NULL};
    sp_proc_spec ps = {.argv = argv, .log_path = w->log_path, .name = w->target};
    w->proc = sp_proc_spawn(&ps, err, err_len);
    rc = w->proc ? 0 : -1;
  } else {
    rc = sp_proc_restart(w->proc, err, err_len);
  }
  if (rc != 0) return -1;
  int incarnation = (int)w->n_incs;
  w->incs = sp_realloc(w->incs, (w->n_incs + 1) * sizeof *w->incs);
  w->incs[incarnation] = (run_incarnation){w->spec.id, incarnation, "running", sp_mono_ns(), 0};
  w->n_incs++;
  w->state = RW_STARTING;
  return 0;
}

int workers_start(run_ctx *c, char *err, size_t err_len) {
  for (uint32_t i = 0; i < c->n_workers; i++)
    if (worker_spawn(c, &c->workers[i], err, err_len) != 0) return -1;
  return 0;
}

void worker_exited(run_ctx *c, run_worker *w) {
  if (w->state == RW_EXITED) return;
  worker_read_rest(c, w); /* its "done" may still be in the socket */
  int clean_end = w->state == RW_DONE;
  w->state = RW_EXITED;
  if (w->fd >= 0) {
    close(w->fd);
    w->fd = -1;
  }
  if (!w->n_incs) return;
  run_incarnation *inc = &w->incs[w->n_incs - 1];
  inc->ended_ns = sp_mono_ns();
  int status = sp_proc_exit_status(w->proc);
  int exited_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  char how[64];
  sp_proc_describe(w->proc, how, sizeof how);
  if (clean_end && exited_ok) inc->exit = "clean";
  else if (w->fault_hit) inc->exit = "killed";
  else inc->exit = "crashed";
  if (!strcmp(inc->exit, "crashed") && c->phase != PH_SETUP) {
    progress_clear(c);
    sp_error("%s (id %" PRIu32 ") ended unexpectedly (%s)%s%s: see %s", w->name, inc->id, how,
             w->error[0] ? ": " : "", w->error, w->log_path);
  } else {
    sp_info("%s (id %" PRIu32 ") ended: %s (%s)", w->name, inc->id, inc->exit, how);
  }
}

run_worker *worker_by_target(run_ctx *c, const char *target) {
  for (uint32_t i = 0; i < c->n_workers; i++)
    if (!strcmp(c->workers[i].target, target) || !strcmp(c->workers[i].name, target))
      return &c->workers[i];
  return NULL;
}

run_worker *worker_by_name(run_ctx *c, const char *name) { return worker_by_target(c, name); }

/* a += b, field by field (behind_us and interval: the larger). */
static void stats_add(wstats *a, const wstats *b) {
  a->sent += b->sent;
  a->acked += b->acked;
  a->nacked += b->nacked;
  a->consumed += b->consumed;
  a->skipped += b->skipped;
  a->late += b->late;
  a->errors += b->errors;
  a->bytes += b->bytes;
  if (b->behind_us > a->behind_us) a->behind_us = b->behind_us;
  if (b->interval > a->interval) a->interval = b->interval;
  a->p99_us = b->p99_us;
}

wstats worker_totals(const run_worker *w) {
  wstats t = w->finished;
  stats_add(&t, &w->last);
  return t;
}

wstats run_totals(const run_ctx *c, worker_role role) {
  wstats t;
  memset(&t, 0, sizeof t);
  uint64_t p99 = 0;
  for (uint32_t i = 0; i < c->n_workers; i++) {
    if (c->workers[i].role != role) continue;
    wstats s = worker_totals(&c->workers[i]);
    stats_add(&t, &s);
    if (c->workers[i].state != RW_EXITED && s.p99_us > p99) p99 = s.p99_us;
  }
  t.p99_us = p99; /* the worst worker's last interval */
  return t;
}

void workers_stop(run_ctx *c, worker_role role, uint64_t at_ns, int timeout_ms) {
  wmsg stop = {.type = WMSG_STOP, .at_ns = at_ns};
  for (uint32_t i = 0; i < c->n_workers; i++) {
    run_worker *w = &c->workers[i];
    if (w->role != role || w->state == RW_EXITED || !w->proc) continue;
    if (sp_proc_state_of(w->proc) == SP_PROC_STOPPED) sp_proc_signal(w->proc, SIGCONT);
    if (worker_tell(w, &stop) != 0) sp_proc_signal(w->proc, SIGTERM);
  }
  uint64_t deadline = sp_mono_ns() + (uint64_t)timeout_ms * 1000000ull;
  for (;;) {
    int alive = 0;
    for (uint32_t i = 0; i < c->n_workers; i++)
      alive += c->workers[i].role == role && c->workers[i].proc && c->workers[i].state != RW_EXITED;
    if (!alive || sp_mono_ns() >= deadline) break;
    if (run_pump(c, 100) < 0) break;
  }
  for (uint32_t i = 0; i < c->n_workers; i++) {
    run_worker *w = &c->workers[i];
    if (w->role != role || !w->proc || w->state == RW_EXITED) continue;
    progress_clear(c);
    sp_warn("%s did not stop in time: SIGTERM", w->name);
    int killed = sp_proc_stop(w->proc, 3000);
    if (killed) sp_warn("%s needed SIGKILL", w->name);
    for (int k = 0; k < 3 && w->fd >= 0; k++) run_pump(c, 50); /* its last lines (done) */
    worker_exited(c, w);
  }
}

void workers_free(run_ctx *c) {
  for (uint32_t i = 0; i < c->n_workers; i++) {
    run_worker *w = &c->workers[i];
    if (w->fd >= 0) close(w->fd);
    sp_proc_free(w->proc); /* kills and reaps anything still alive */
    worker_spec_free(&w->spec);
    free(w->incs);
  }
  free(c->workers);
  free(c->topics);
  free(c->subs);
  c->workers = NULL;
  c->topics = NULL;
  c->subs = NULL;
  c->n_workers = 0;
}
