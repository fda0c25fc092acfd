/* run.c: `streamproof run` from start to end (see run.h for the contract).
 *
 *   set-up    options, workload (+ --set), fault schedule, results folder,
 *             broker (embedded or --bootstrap), topics, workers (ready)
 *   t0        a common start 200 ms ahead; "go" to every worker; the fault
 *             executor's clock starts
 *   warm-up   load runs; histograms after it are the measured ones
 *             (consumerBacklogSizeGB: consumers paused until the backlog is
 *             built, then resumed; measurement starts once it is drained)
 *   measure   duration_s of load; rate search (producerRate: 0) retargets
 *   stop      faults healed (what is down is restarted), producers stopped
 *             (flushed: every message acked, failed or purged)
 *   drain     end offsets read; consumers run until they processed up to
 *             them (or drain_timeout_s)
 *   finish    consumers stopped, the processor caught up, stopped and its
 *             topics copied (processor.c), every partition read back, broker
 *             stopped, meta.json, checker, .hgrm, timeline, summary
 *
 * Everything happens on this thread; run_pump() is its event loop. */
#include "run.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "mem.h"
#include "ratecontrol.h"
#include "run_check.h"
#include "run_int.h"

#ifdef SP_HAVE_REPORT
#include "report.h"
#endif

#define RUN_READY_TIMEOUT_S 90
#define RUN_START_LEAD_NS 200000000ull

volatile sig_atomic_t run_interrupted;

static void on_signal(int sig) {
  (void)sig;
  run_interrupted = 1;
}

/* ---- set-up helpers ------------------------------------------------------- */

/* mkdir -p. 0 or -1 (errno). */
static int mkdirs(const char *path) {
  char buf[RUN_PATH_MAX];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(buf, 0755) != 0 && errno != EEXIST) return -1;
    *p = '/';
  }
  return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* 1 when path is an existing non-empty directory (or a file). */
static int exists_nonempty(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) return 0;
  if (!S_ISDIR(st.st_mode)) return 1;
  DIR *d = opendir(path);
  if (!d) return 1;
  struct dirent *de;
  int n = 0;
  while ((de = readdir(d)))
    if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) n++;
  closedir(d);
  return n > 0;
}

/* Creates the results folder and its sub-folders. */
static int make_results_dir(run_ctx *c, char *err, size_t err_len) {
  if (c->opt.out) {
    if (exists_nonempty(c->opt.out)) {
      snprintf(err, err_len, "--out %s: exists and is not an empty folder (refusing to mix runs)",
               c->opt.out);
      return -2;
    }
    snprintf(c->dir, sizeof c->dir, "%s", c->opt.out);
  } else {
    char slug[64], stamp[32];
    workload_slug(&c->wl, slug, sizeof slug);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    snprintf(c->dir, sizeof c->dir, "results/%s-%s", stamp, slug);
    for (int i = 2; exists_nonempty(c->dir) && i < 100; i++)
      snprintf(c->dir, sizeof c->dir, "results/%s-%s-%d", stamp, slug, i);
  }
  run_fmt(c->hist_dir, sizeof c->hist_dir, "%s/history", c->dir);
  run_fmt(c->logs_dir, sizeof c->logs_dir, "%s/logs", c->dir);
  run_fmt(c->workers_dir, sizeof c->workers_dir, "%s/workers", c->dir);
  run_fmt(c->hlog_dir, sizeof c->hlog_dir, "%s/hlog", c->dir);
  const char *dirs[] = {c->dir, c->hist_dir, c->logs_dir, c->workers_dir, c->hlog_dir};
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
    if (mkdirs(dirs[i]) != 0) {
      snprintf(err, err_len, "cannot create %s: %s", dirs[i], strerror(errno));
      return -1;
    }
  return 0;
}

/* Copies the workload file as given, and writes the resolved one. */
static int save_workload(run_ctx *c, char *err, size_t err_len) {
  char path[RUN_PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/workload.yaml", c->dir);
  FILE *in = fopen(c->opt.workload, "rb"), *out = fopen(path, "wb");
  int rc = in && out ? 0 : -1;
  char buf[8192];
  size_t n;
  while (rc == 0 && (n = fread(buf, 1, sizeof buf, in)) > 0)
    if (fwrite(buf, 1, n, out) != n) rc = -1;
  if (in) fclose(in);
  if (out && fclose(out) != 0) rc = -1;
  if (rc) {
    run_fmt(err, err_len, "cannot copy %s to %s: %s", c->opt.workload, path, strerror(errno));
    return -1;
  }
  run_fmt(c->workload_json, sizeof c->workload_json, "%s/workload.json", c->dir);
  json_t *j = workload_to_json(&c->wl);
  rc = json_dump_file(j, c->workload_json, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(j);
  if (rc) {
    run_fmt(err, err_len, "cannot write %s: %s", c->workload_json, strerror(errno));
    return -1;
  }
  return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static void remove_tree(const char *path) {
  if (path[0]) nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- phases ------------------------------------------------------------------ */

/* Waits until every worker said ready. -1 with err if one died or the
 * time ran out. */
static int wait_ready(run_ctx *c, char *err, size_t err_len) {
  uint64_t deadline = sp_mono_ns() + (uint64_t)RUN_READY_TIMEOUT_S * 1000000000ull;
  for (;;) {
    int ready = 0;
    for (uint32_t i = 0; i < c->n_workers; i++) {
      run_worker *w = &c->workers[i];
      if (w->state == RW_EXITED || w->state == RW_DONE) {
        run_fmt(err, err_len, "%s exited during start-up%s%s; see %s", w->name,
                 w->error[0] ? ": " : "", w->error, w->log_path);
        return -1;
      }
      ready += w->state == RW_READY;
    }
    if (ready == (int)c->n_workers) return 0;
    if (sp_mono_ns() > deadline) {
      for (uint32_t i = 0; i < c->n_workers; i++)
        if (c->workers[i].state != RW_READY) {
          run_fmt(err, err_len, "%s not ready after %d s (consumer groups must form, clients must "
                   "reach %s); see %s", c->workers[i].name, RUN_READY_TIMEOUT_S, c->bootstrap,
                   c->workers[i].log_path);
          break;
        }
      return -1;
    }
    if (run_pump(c, 100) < 0) {
      snprintf(err, err_len, "interrupted during start-up");
      return -1;
    }
  }
}

/* Sends a message to every connected worker of a role. */
static void tell_all(run_ctx *c, worker_role role, const wmsg *m) {
  for (uint32_t i = 0; i < c->n_workers; i++)
    if (c->workers[i].role == role) worker_tell(&c->workers[i], m);
}

/* consumerBacklogSizeGB (OMB): after warm-up, consumers pause until the
 * backlog reaches the target, then resume; measurement starts when it is
 * drained to OMB's level and lasts duration_s. Each step is bounded by
 * duration_s (OMB would wait forever, #334) and says so when it gives up. */
static void backlog_step(run_ctx *c, uint64_t now) {
  wstats p = run_totals(c, WROLE_PRODUCER), q = run_totals(c, WROLE_CONSUMER);
  uint64_t spt = c->n_topics ? c->n_subs / c->n_topics : 0;
  int64_t backlog = (int64_t)(p.acked * spt) - (int64_t)q.consumed;
  uint64_t limit_ns = (uint64_t)(c->wl.duration_s * 1e9);
  if (c->backlog_state == 1) {
    int timeout = now - c->warmup_end > limit_ns;
    if (backlog >= (int64_t)c->backlog_target || timeout) {
      progress_clear(c);
      if (timeout) sp_warn("backlog reached only %" PRId64 " of %" PRIu64 " messages in %.0f s: resuming consumers",
                           backlog, c->backlog_target, c->wl.duration_s);
      else sp_info("backlog of %" PRId64 " messages built: resuming consumers", backlog);
      wmsg m = {.type = WMSG_RESUME};
      tell_all(c, WROLE_CONSUMER, &m);
      c->backlog_state = 2;
      c->backlog_built_ns = now;
    }
  } else if (c->backlog_state == 2) {
    int timeout = now - c->backlog_built_ns > limit_ns;
    if (backlog <= (int64_t)c->backlog_drained_level || timeout) {
      progress_clear(c);
      if (timeout) sp_warn("backlog not drained within %.0f s (%" PRId64 " left): measuring anyway",
                           c->wl.duration_s, backlog);
      else sp_info("backlog drained: measuring for %.0f s", c->wl.duration_s);
      c->backlog_state = 3;
      c->backlog_done_ns = now;
      c->warmup_end = now;
      c->measure_end = now + workload_duration_ns(&c->wl);
      c->phase = PH_MEASURE;
      wmsg end = {.type = WMSG_END, .at_ns = c->measure_end};
      tell_all(c, WROLE_PRODUCER, &end);
    }
  }
}

/* producerRate: 0 — OMB's rate search: every period, the controller picks
 * the next total rate; the schedule changes 100 ms ahead (so every
 * producer applies it at the same instant) and is recorded for restarts
 * and the timeline. */
static void rate_search_step(run_ctx *c, rate_controller *ctl, uint64_t now, uint64_t *next, double *rate) {
  if (!c->wl.rate_profile.search || now < *next) return;
  uint64_t period = (uint64_t)(c->wl.rate_search.period_s * 1e9);
  wstats p = run_totals(c, WROLE_PRODUCER), q = run_totals(c, WROLE_CONSUMER);
  uint64_t spt = c->n_topics ? c->n_subs / c->n_topics : 1;
  uint64_t rel = now - c->t0;
  /* the counters are as of the producers' last reports: compare them with
   * what the schedule intended by then, not by now (else the report's age
   * looks like a publish backlog) */
  uint64_t as_of = now;
  for (uint32_t i = 0; i < c->n_producers; i++)
    if (c->workers[i].state == RW_RUNNING && c->workers[i].last_stats_ns &&
        c->workers[i].last_stats_ns < as_of)
      as_of = c->workers[i].last_stats_ns;
  uint64_t intended = schedule_intended_before(&c->sched, as_of > c->t0 ? as_of - c->t0 : 0);
  double r = ratectl_next(ctl, *rate, period, intended, p.acked, spt ? q.consumed / spt : 0);
  uint64_t at = rel + 100000000ull;
  if (schedule_retarget(&c->sched, at, r) == 0) {
    c->rates = sp_realloc(c->rates, (c->n_rates + 1) * sizeof *c->rates);
    c->rates[c->n_rates++] = (rate_change){at, r};
    wmsg m = {.type = WMSG_RATE, .at_ns = at, .rate = r};
    tell_all(c, WROLE_PRODUCER, &m);
    sp_debug("rate search: %.0f msg/s from %.3f s", r, (double)at / 1e9);
    *rate = r;
  }
  *next = now + period;
}

/* From t0 to the end of the measured phase. -1 when interrupted. */
static int run_load(run_ctx *c) {
  rate_controller ctl;
  double rate = c->wl.rate_profile.search_start_rate;
  uint64_t next_search = 0;
  if (c->wl.rate_profile.search) {
    ratectl_init(&ctl, &c->wl.rate_search);
    next_search = c->t0 + (uint64_t)(c->wl.rate_search.period_s * 1e9);
  }
  c->phase = c->warmup_end > c->t0 ? PH_WARMUP : PH_MEASURE;
  for (;;) {
    uint64_t now = sp_mono_ns();
    int wait_ms = 100; /* wake exactly at the end of the measured phase */
    if (c->phase == PH_MEASURE && c->measure_end > now && c->measure_end - now < 100000000ull)
      wait_ms = (int)((c->measure_end - now) / 1000000) + 1;
    if (run_pump(c, wait_ms) < 0) return -1;
    now = sp_mono_ns();
    if (c->phase == PH_WARMUP && now >= c->warmup_end && !c->backlog_state) {
      if (c->backlog_target) {
        wmsg m = {.type = WMSG_PAUSE};
        tell_all(c, WROLE_CONSUMER, &m);
        c->backlog_state = 1;
        progress_clear(c);
        sp_info("building a backlog of %" PRIu64 " messages (consumers paused)", c->backlog_target);
      } else {
        c->phase = PH_MEASURE;
      }
    }
    if (c->backlog_state == 1 || c->backlog_state == 2) backlog_step(c, now);
    rate_search_step(c, &ctl, now, &next_search, &rate);
    if (c->phase == PH_MEASURE && now >= c->measure_end) return 0;
  }
}

/* Reads the end offsets and waits until every subscription processed up to
 * them, or the drain timeout. Returns 1 complete, 0 not, -1 interrupted. */
static int run_drain(run_ctx *c) {
  int targets_ok = 1;
  for (uint32_t t = 0; t < c->n_topics; t++)
    for (int32_t p = 0; p < c->topics[t].partitions; p++) {
      int64_t low, high;
      if (admin_watermarks(c, t, p, &low, &high) == 0) drain_set_target(&c->drain, t, p, low, high);
      else targets_ok = 0;
    }
  if (!targets_ok) sp_warn("end offsets not all known: the drain cannot complete");
  uint64_t deadline = sp_mono_ns() + (uint64_t)(c->wl.drain_timeout_s * 1e9);
  while (!drain_complete(&c->drain)) {
    if (run_pump(c, 100) < 0) return -1;
    if (sp_mono_ns() >= deadline) {
      progress_clear(c);
      sp_warn("drain incomplete after %.0f s: %" PRIu64 " messages not yet read (\"unseen\" cannot be "
              "told from \"lost\" for them)", c->wl.drain_timeout_s, drain_remaining(&c->drain));
      return 0;
    }
  }
  return 1;
}

/* ---- the end --------------------------------------------------------------- */

/* Stops every process (workers, broker, proxy), quickly. */
static void stop_everything(run_ctx *c) {
  for (uint32_t i = 0; i < c->n_workers; i++) {
    run_worker *w = &c->workers[i];
    if (w->proc && sp_proc_alive(w->proc)) sp_proc_stop(w->proc, 3000);
    if (w->proc && w->state != RW_EXITED && sp_proc_state_of(w->proc) == SP_PROC_EXITED)
      worker_exited(c, w);
  }
  processor_stop(c);
  broker_stop(c);
}

static void free_ctx(run_ctx *c) {
  run_windows_close(c);
  run_faults_free(c);
  admin_close(c);
  workers_free(c);
  processor_free(c);
  broker_stop(c);
  control_close(c);
  drain_free(&c->drain);
  schedule_free(&c->sched);
  free(c->rates);
  workload_free_args(c->broker_flags);
  remove_tree(c->tmp_dir);
  workload_free(&c->wl);
  run_options_free(&c->opt);
}

/* Ends a run that cannot go on: every process stopped, whatever can be
 * written is (meta.json says which histories are incomplete). */
static int run_abort(run_ctx *c, int code, const char *why) {
  progress_clear(c);
  if (why) fprintf(stderr, "streamproof run: %s\n", why);
  stop_everything(c);
  if (c->t0) {
    c->end = sp_mono_ns();
    char err[512];
    if (run_meta_write(c, err, sizeof err) != 0) fprintf(stderr, "streamproof run: %s\n", err);
  }
  if (c->dir[0])
    fprintf(stderr, "streamproof run: %s; partial results in %s\n",
            code == RUN_EXIT_INTERRUPTED ? "interrupted" : "run failed", c->dir);
  free_ctx(c);
  return code;
}

/* The command line as one string (summary.json). */
static void join_command(run_ctx *c, int argc, char **argv) {
  size_t n = (size_t)snprintf(c->command, sizeof c->command, "streamproof");
  for (int i = 0; i < argc && n < sizeof c->command; i++)
    n += (size_t)snprintf(c->command + n, sizeof c->command - n, " %s", argv[i]);
}

/* Prints the run's figures (stdout). */
static void print_figures(run_ctx *c) {
  char path[RUN_PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/summary.json", c->dir);
  json_t *s = json_load_file(path, 0, NULL);
  if (!s) return;
  json_t *counts = json_object_get(s, "counts"), *unc = json_object_get(s, "uncorrected");
#define NUM(o, k) json_number_value(json_object_get(o, k))
  printf("streamproof run %s: %s, %.0f s measured after %.1f s warm-up, seed %" PRIu64 "\n",
         c->wl.name, c->embedded ? "embedded refbroker" : c->bootstrap, NUM(json_object_get(s, "run"), "measured_s"),
         (double)(c->warmup_end - c->t0) / 1e9, c->wl.seed);
  printf("  messages   intended %.0f  sent %.0f  acked %.0f  failed %.0f  consumed %.0f\n",
         NUM(counts, "intended"), NUM(counts, "sent"), NUM(counts, "acked"), NUM(counts, "nacked"),
         NUM(counts, "consumed"));
  json_t *tp = json_object_get(s, "throughput");
  printf("  rate       published %.0f msg/s (%.2f MB/s)  consumed %.0f msg/s\n",
         NUM(tp, "publish_msgs_per_s"), NUM(tp, "publish_mb_per_s"), NUM(tp, "consume_msgs_per_s"));
  printf("  publish    p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f ms   (uncorrected p99 %.3f ms)\n",
         NUM(s, "aggregatedPublishLatency50pct"), NUM(s, "aggregatedPublishLatency99pct"),
         NUM(s, "aggregatedPublishLatency999pct"), NUM(s, "aggregatedPublishLatencyMax"),
         NUM(unc, "aggregatedPublishLatency99pct"));
  printf("  end-to-end p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f ms   (uncorrected p99 %.3f ms)\n",
         NUM(s, "aggregatedEndToEndLatency50pct"), NUM(s, "aggregatedEndToEndLatency99pct"),
         NUM(s, "aggregatedEndToEndLatency999pct"), NUM(s, "aggregatedEndToEndLatencyMax"),
         NUM(unc, "aggregatedEndToEndLatency99pct"));
  json_t *sch = json_object_get(s, "schedule");
  printf("  schedule   %s (max %.3f ms behind, %.0f late or never sent, of %.0f sent; allowed fraction %.3g)\n",
         json_is_true(json_object_get(sch, "kept")) ? "kept" : "NOT KEPT", NUM(sch, "max_behind_ms"),
         NUM(sch, "late"), NUM(counts, "sent_reported"), NUM(sch, "max_late_fraction"));
  if (c->faults_injected) printf("  faults     %d injected (faults.jsonl)\n", c->faults_injected);
  if (!c->drain_completed) printf("  drain      NOT COMPLETED within %.0f s\n", c->wl.drain_timeout_s);
  run_windows_print(s);
  processor_print(s);
#undef NUM
  json_decref(s);
}

/* ---- the command ------------------------------------------------------------- */

int run_main(int argc, char **argv) {
  static run_ctx ctx;
  run_ctx *c = &ctx;
  memset(c, 0, sizeof *c);
  c->listen_fd = -1;
  run_interrupted = 0;
  sp_log_init("streamproof", SP_LOG_INFO);
  char err[2048];
  switch (run_options_parse(argc, argv, &c->opt, err, sizeof err)) {
  case RUN_OPTS_HELP:
    run_usage(stdout);
    run_options_free(&c->opt);
    return 0;
  case RUN_OPTS_ERROR:
    fprintf(stderr, "streamproof run: %s\n", err);
    run_options_free(&c->opt);
    return RUN_EXIT_USAGE;
  case RUN_OPTS_RUN: break;
  }
  join_command(c, argc, argv);
  ssize_t n = readlink("/proc/self/exe", c->exe, sizeof c->exe - 1);
  if (n <= 0) {
    fprintf(stderr, "streamproof run: cannot find my own executable: %s\n", strerror(errno));
    run_options_free(&c->opt);
    return RUN_EXIT_FAILED;
  }
  c->exe[n] = '\0';

  /* ---- inputs: everything that can be wrong with them is reported now ---- */
  if (workload_load(c->opt.workload, &c->wl, err, sizeof err) != 0) {
    fprintf(stderr, "streamproof run: invalid workload: %s\n", err);
    workload_free(&c->wl);
    run_options_free(&c->opt);
    return RUN_EXIT_USAGE;
  }
  for (size_t i = 0; i < c->opt.n_sets; i++)
    if (workload_set(&c->wl, c->opt.sets[i], err, sizeof err) != 0) {
      fprintf(stderr, "streamproof run: %s\n", err);
      workload_free(&c->wl);
      run_options_free(&c->opt);
      return RUN_EXIT_USAGE;
    }
  c->embedded = !c->opt.bootstrap;
  if (run_faults_load(c, err, sizeof err) != 0) {
    fprintf(stderr, "streamproof run: invalid fault schedule: %s\n", err);
    run_faults_free(c);
    workload_free(&c->wl);
    run_options_free(&c->opt);
    return RUN_EXIT_USAGE;
  }
  int rc = make_results_dir(c, err, sizeof err);
  if (rc != 0) {
    fprintf(stderr, "streamproof run: %s\n", err);
    c->dir[0] = '\0';
    run_faults_free(c);
    workload_free(&c->wl);
    run_options_free(&c->opt);
    return rc == -2 ? RUN_EXIT_USAGE : RUN_EXIT_FAILED;
  }
  if (save_workload(c, err, sizeof err) != 0) return run_abort(c, RUN_EXIT_FAILED, err);
  const char *tmp = getenv("TMPDIR");
  snprintf(c->tmp_dir, sizeof c->tmp_dir, "%s/streamproof-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(c->tmp_dir)) {
    run_fmt(err, sizeof err, "cannot create a temporary folder %s: %s", c->tmp_dir, strerror(errno));
    c->tmp_dir[0] = '\0';
    return run_abort(c, RUN_EXIT_FAILED, err);
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns at once */
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  progress_init(c);
  c->begin_wall_ns = sp_wall_ns();
  fprintf(stderr, "streamproof run: %s -> %s\n", c->opt.workload, c->dir);

  /* ---- broker, topics, workers ---- */
  if (control_open(c, err, sizeof err) != 0) return run_abort(c, RUN_EXIT_FAILED, err);
  c->broker_flags = workload_broker_args(&c->wl, &c->n_broker_flags);
  if (c->embedded) {
    if (broker_start(c, err, sizeof err) != 0) return run_abort(c, RUN_EXIT_FAILED, err);
  } else {
    snprintf(c->bootstrap, sizeof c->bootstrap, "%s", c->opt.bootstrap);
  }
  if (admin_connect(c, 5000, err, sizeof err) != 0) return run_abort(c, RUN_EXIT_FAILED, err);
  workers_plan(c);
  int32_t *parts = sp_calloc(c->n_topics ? c->n_topics : 1, sizeof *parts);
  uint32_t *sub_topic = sp_calloc(c->n_subs ? c->n_subs : 1, sizeof *sub_topic);
  for (uint32_t t = 0; t < c->n_topics; t++) parts[t] = c->topics[t].partitions;
  for (uint32_t s = 0; s < c->n_subs; s++) sub_topic[s] = c->subs[s].topic;
  drain_init(&c->drain, c->n_topics, parts, c->n_subs, sub_topic);
  free(parts);
  free(sub_topic);
  schedule_init(&c->sched, &c->wl.rate_profile);
  c->backlog_target = workload_backlog_messages(&c->wl);
  c->backlog_drained_level = c->backlog_target ? workload_backlog_drained_messages(&c->wl) : 0;
  rc = processor_prepare(c, err, sizeof err);
  if (rc != 0) return run_abort(c, rc == -2 ? RUN_EXIT_USAGE : RUN_EXIT_FAILED, err);
  if (admin_create_topics(c, err, sizeof err) != 0)
    return run_abort(c, run_interrupted ? RUN_EXIT_INTERRUPTED : RUN_EXIT_FAILED, err);
  if (processor_start(c, err, sizeof err) != 0) return run_abort(c, RUN_EXIT_FAILED, err);
  if (workers_start(c, err, sizeof err) != 0) return run_abort(c, RUN_EXIT_FAILED, err);
  if (wait_ready(c, err, sizeof err) != 0)
    return run_abort(c, run_interrupted ? RUN_EXIT_INTERRUPTED : RUN_EXIT_FAILED, err);
  if (processor_wait_ready(c, err, sizeof err) != 0)
    return run_abort(c, run_interrupted ? RUN_EXIT_INTERRUPTED : RUN_EXIT_FAILED, err);

  /* ---- t0 ---- */
  uint64_t now = sp_mono_ns();
  c->t0 = now + RUN_START_LEAD_NS;
  c->t0_wall = sp_wall_ns() + RUN_START_LEAD_NS;
  c->warmup_end = c->t0 + workload_warmup_ns(&c->wl);
  c->measure_end = c->warmup_end + workload_duration_ns(&c->wl);
  if (run_faults_start(c, err, sizeof err) != 0) return run_abort(c, RUN_EXIT_FAILED, err);
  for (uint32_t i = 0; i < c->n_workers; i++) worker_go(c, &c->workers[i]);
  if (run_load(c) < 0) return run_abort(c, RUN_EXIT_INTERRUPTED, NULL);

  /* ---- stop the producers, drain ---- */
  run_faults_finish(c);
  c->phase = PH_STOPPING;
  workers_stop(c, WROLE_PRODUCER, c->measure_end, (int)((c->wl.drain_timeout_s > 5 ? c->wl.drain_timeout_s : 5) * 1000) + 15000);
  if (run_interrupted) return run_abort(c, RUN_EXIT_INTERRUPTED, NULL);
  c->producers_stopped = sp_mono_ns();
  c->phase = PH_DRAIN;
  int drained = run_drain(c);
  if (drained < 0) return run_abort(c, RUN_EXIT_INTERRUPTED, NULL);
  c->drain_completed = drained;
  workers_stop(c, WROLE_CONSUMER, 0, 30000);
  if (run_interrupted) return run_abort(c, RUN_EXIT_INTERRUPTED, NULL);
  c->drain_end = sp_mono_ns();
  c->phase = PH_FINISH;
  progress_clear(c);
  processor_finish(c); /* catches up, stops, copies its topics for the stream check */
  if (run_interrupted) return run_abort(c, RUN_EXIT_INTERRUPTED, NULL);

  /* ---- read back (event times into the fault windows), stop the broker ---- */
  run_windows_open(c);
  int rb = readback_run(c, c->wl.drain_timeout_s > 60 ? c->wl.drain_timeout_s : 60);
  if (run_interrupted) return run_abort(c, RUN_EXIT_INTERRUPTED, NULL);
  c->readback_completed = rb == 1;
  admin_close(c);
  broker_stop(c);
  c->end = sp_mono_ns();
  c->end_wall_ns = sp_wall_ns();

  /* ---- results ---- */
  if (run_meta_write(c, err, sizeof err) != 0) return run_abort(c, RUN_EXIT_FAILED, err);
  int verdict = RUN_EXIT_VALID;
  const char *verdict_name = "not checked";
  char *check_text = NULL;
  if (!c->opt.no_check) {
    int code = run_check(c->dir, &verdict_name, &check_text, err, sizeof err);
    if (code == 3) {
      fprintf(stderr, "streamproof run: the checker failed: %s\n", err);
      verdict = RUN_EXIT_FAILED;
    } else if (code >= 0) {
      verdict = code;
    }
  }
  if (results_write(c, verdict, verdict_name, err, sizeof err) != 0) {
    fprintf(stderr, "streamproof run: %s\n", err);
    if (verdict == RUN_EXIT_VALID) verdict = RUN_EXIT_FAILED;
  }
  print_figures(c);
  int checked = check_text != NULL;
  if (check_text) {
    fputs(check_text, stdout);
    free(check_text);
  }
  int code = verdict;
  if (c->proc.enabled && code == RUN_EXIT_VALID && !c->proc.caught_up) {
    printf("the processor did not process its whole input: its output is only partly verified: exit %d\n",
           RUN_EXIT_UNKNOWN);
    code = RUN_EXIT_UNKNOWN;
  }
  wstats ps = run_totals(c, WROLE_PRODUCER);
  if (!schedule_kept(&c->wl.schedule_tolerance, ps.late, ps.sent) && code != RUN_EXIT_INVALID &&
      code != RUN_EXIT_FAILED) {
    printf("the load generator could not keep its schedule: %" PRIu64 " of %" PRIu64
           " messages were sent more than %.0f ms late or never sent (tolerance %.3g%%): exit %d\n",
           ps.late, ps.sent, c->wl.schedule_tolerance.max_lag_ms,
           c->wl.schedule_tolerance.max_late_fraction * 100, RUN_EXIT_SCHEDULE);
    code = RUN_EXIT_SCHEDULE;
  }
#ifdef SP_HAVE_REPORT
  {
    /* A report that cannot be drawn (gnuplot missing, a plot failing) is a
     * warning: the run and its verdict stand without it. */
    char index_path[4096], rerr[1024] = "";
    int report_rc = report_generate(c->dir, index_path, sizeof index_path, rerr, sizeof rerr);
    if (report_rc == REPORT_ERROR)
      sp_warn("no report: %s (the results are complete; `streamproof report %s` retries)", rerr, c->dir);
    else {
      if (report_rc == REPORT_PARTIAL) sp_warn("report incomplete: %s", rerr);
      printf("report: %s\n", index_path);
    }
  }
#endif
  if (!checked) printf("verdict: %s\n", verdict_name);
  printf("results: %s\n", c->dir);
  fflush(stdout);
  free_ctx(c);
  return code;
}
