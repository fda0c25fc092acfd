/* processor.c: the stream processor of a run (the workload's processor:
 * section): one refstream (reference/stream/README.md) over the run's
 * topics, a fault target ("processor"), and at the end the copies of its
 * input and output topics that the stream oracle of `streamproof check`
 * recomputes (harness/check/README.md "Stream oracle").
 *
 *   prepare  the job file's placeholders replaced (procjob.h), written to
 *            <run>/stream/job.yaml, refstream --check-job (a bad job is a
 *            usage error before anything starts)
 *   start    after the topics exist: refstream --job <run>/stream/job.yaml
 *            --bootstrap <broker> --state-dir <run>/processor/state, log
 *            <run>/logs/processor.log, SP_FIU_CTRL when the fault plan arms
 *            its points; the run waits for "ready: job" before t0
 *   faults   kill/stop/pause/fiu through the executor's hooks; a restart
 *            uses the same state directory, so it recovers from its
 *            checkpoint (README "Exactly-once output")
 *   finish   once the consumers drained: wait until the committed offsets
 *            of its group refstream-<job name> (written after each
 *            checkpoint) reach the input partitions' end offsets, bounded
 *            by drain_timeout_s; SIGTERM (final checkpoint, exit 0); copy
 *            every input and sink topic with topic_copy. A processor that
 *            did not catch up still has its output copied: the oracle
 *            tells what it cannot verify from what is wrong. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "fiu_remote.h"
#include "log.h"
#include "mem.h"
#include "topic_copy.h"
#include "run_int.h"

#define CHECK_JOB_TIMEOUT_MS 30000

/* ---- prepare ---------------------------------------------------------------- */

static int write_all(const char *path, const char *text, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  int rc = fwrite(text, 1, len, f) == len ? 0 : -1;
  if (fclose(f) != 0) rc = -1;
  return rc;
}

/* refstream --check-job on the job as run: its exit 2 (with the message
 * naming file:line:column) is a usage error of the run. */
static int check_job(run_ctx *c, char *err, size_t err_len) {
  run_processor *p = &c->proc;
  const char *argv[] = {p->refstream, "--check-job", "--job", p->job_path, NULL};
  sp_proc_spec ps = {.argv = argv, .log_path = p->log_path, .name = "processor --check-job"};
  sp_proc *chk = sp_proc_spawn(&ps, err, err_len);
  if (!chk) return -1;
  int done = sp_proc_wait(chk, CHECK_JOB_TIMEOUT_MS) == 0;
  int st = done ? sp_proc_exit_status(chk) : 0;
  char how[64];
  sp_proc_describe(chk, how, sizeof how);
  sp_proc_free(chk);
  if (done && WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
  char tail[1200];
  run_log_tail(p->log_path, tail, sizeof tail);
  run_fmt(err, err_len, "the processor job %s is not valid for %s (%s); %s says:\n%s", c->wl.processor.job_path,
          p->refstream, how, p->log_path, tail);
  return done && WIFEXITED(st) && WEXITSTATUS(st) == 2 ? -2 : -1;
}

int processor_prepare(run_ctx *c, char *err, size_t err_len) {
  run_processor *p = &c->proc;
  if (!c->wl.processor.job_path) return 0;
  p->enabled = 1;
  const char *env = getenv("SP_REFSTREAM");
  if (c->opt.refstream) snprintf(p->refstream, sizeof p->refstream, "%s", c->opt.refstream);
  else if (env && *env) snprintf(p->refstream, sizeof p->refstream, "%s", env);
  else run_sibling(c, "refstream", p->refstream, sizeof p->refstream);
  run_fmt(p->stream_dir, sizeof p->stream_dir, "%s/stream", c->dir);
  run_fmt(p->job_path, sizeof p->job_path, "%s/job.yaml", p->stream_dir);
  run_fmt(p->state_dir, sizeof p->state_dir, "%s/processor/state", c->dir);
  run_fmt(p->log_path, sizeof p->log_path, "%s/processor.log", c->logs_dir);
  char parent[RUN_PATH_MAX];
  run_fmt(parent, sizeof parent, "%s/processor", c->dir);
  const char *dirs[] = {p->stream_dir, parent, p->state_dir};
  for (size_t i = 0; i < 3; i++)
    if (mkdir(dirs[i], 0755) != 0 && errno != EEXIST) {
      run_fmt(err, err_len, "cannot create %s: %s", dirs[i], strerror(errno));
      return -1;
    }

  size_t len = 0, out_len = 0;
  char *text = procjob_read(c->wl.processor.job_path, &len);
  if (!text) {
    run_fmt(err, err_len, "processor job %s: %s", c->wl.processor.job_path, strerror(errno));
    return -2;
  }
  const char **names = sp_calloc(c->n_topics ? c->n_topics : 1, sizeof *names);
  for (uint32_t t = 0; t < c->n_topics; t++) names[t] = c->topics[t].name;
  char run_prefix[128];
  snprintf(run_prefix, sizeof run_prefix, "sp-%s-%08" PRIx32, c->slug, c->nonce);
  procjob_vars vars = {.topics = names, .n_topics = c->n_topics, .run = run_prefix};
  char *job = procjob_expand(text, len, c->wl.processor.job_path, &vars, &out_len, err, err_len);
  free(names);
  free(text);
  if (!job) return -2;
  int rc = procjob_inspect(job, out_len, c->wl.processor.job_path, &p->job, err, err_len) != 0 ? -2 : 0;
  if (rc == 0 && write_all(p->job_path, job, out_len) != 0) {
    run_fmt(err, err_len, "cannot write %s: %s", p->job_path, strerror(errno));
    rc = -1;
  }
  free(job);
  if (rc) return rc;
  for (size_t i = 0; i < p->job.n_inputs; i++) {
    int ours = 0;
    for (uint32_t t = 0; t < c->n_topics; t++) ours |= !strcmp(c->topics[t].name, p->job.inputs[i]);
    if (!ours)
      sp_warn("the processor job reads %s, which is not one of the run's topics (use ${topic} or "
              "${topic:N}): it must exist already", p->job.inputs[i]);
  }
  return check_job(c, err, err_len);
}

/* ---- start, restart, exits ------------------------------------------------------- */

/* Opens the record of a new incarnation. */
static void incarnation_begin(run_processor *p) {
  p->incs = sp_realloc(p->incs, (p->n_incs + 1) * sizeof *p->incs);
  p->incs[p->n_incs++] = (run_incarnation){.id = (uint32_t)sp_proc_pid(p->proc),
                                            .incarnation = sp_proc_incarnation(p->proc),
                                            .exit = "running",
                                            .started_ns = sp_proc_started_ns(p->proc)};
  p->fault_hit = p->fault_down = p->died = 0;
}

/* Closes the current incarnation's record once its process is gone:
 * clean (exit 0), killed (a fault hit it) or crashed. */
static void incarnation_end(run_ctx *c) {
  run_processor *p = &c->proc;
  if (!p->n_incs) return;
  run_incarnation *inc = &p->incs[p->n_incs - 1];
  if (strcmp(inc->exit, "running") != 0) return;
  inc->ended_ns = sp_mono_ns();
  int st = sp_proc_exit_status(p->proc);
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0) inc->exit = "clean";
  else if (p->fault_hit) inc->exit = "killed";
  else inc->exit = "crashed";
  char how[64];
  sp_proc_describe(p->proc, how, sizeof how);
  if (!strcmp(inc->exit, "crashed")) {
    progress_clear(c);
    sp_error("refstream (pid %" PRIu32 ") ended unexpectedly (%s): see %s", inc->id, how, p->log_path);
  } else {
    sp_info("refstream (pid %" PRIu32 ") ended: %s (%s)", inc->id, inc->exit, how);
  }
}

int processor_start(run_ctx *c, char *err, size_t err_len) {
  run_processor *p = &c->proc;
  if (!p->enabled) return 0;
  const workload *w = &c->wl;
  char interval[32], wait_ms[32];
  snprintf(interval, sizeof interval, "%" PRId64, w->processor.checkpoint_interval_ms);
  snprintf(wait_ms, sizeof wait_ms, "%.0f", w->processor.ready_timeout_s * 1000);
  size_t n = 0;
  const char **argv = sp_calloc(16 + 2 * w->processor.rdkafka.n, sizeof *argv);
  char **props = sp_calloc(w->processor.rdkafka.n + 1, sizeof *props);
  argv[n++] = p->refstream;
  argv[n++] = "--job";
  argv[n++] = p->job_path;
  argv[n++] = "--bootstrap";
  argv[n++] = c->bootstrap;
  argv[n++] = "--state-dir";
  argv[n++] = p->state_dir;
  argv[n++] = "--checkpoint-interval-ms";
  argv[n++] = interval;
  argv[n++] = "--wait-topics-ms";
  argv[n++] = wait_ms;
  argv[n++] = "--stats-interval-ms";
  argv[n++] = "1000";
  for (size_t i = 0; i < w->processor.rdkafka.n; i++) {
    size_t len = strlen(w->processor.rdkafka.keys[i]) + strlen(w->processor.rdkafka.values[i]) + 2;
    props[i] = sp_malloc(len);
    snprintf(props[i], len, "%s=%s", w->processor.rdkafka.keys[i], w->processor.rdkafka.values[i]);
    argv[n++] = "-X";
    argv[n++] = props[i];
  }
  argv[n] = NULL;
  char fiu_env[RUN_PATH_MAX + 16];
  const char *env[2] = {NULL, NULL};
  if (run_faults_need_processor_fiu(c)) {
    run_fmt(p->fiu_prefix, sizeof p->fiu_prefix, "%s/fiu-processor", c->tmp_dir);
    sp_fiu_cleanup_stale(p->fiu_prefix);
    run_fmt(fiu_env, sizeof fiu_env, "SP_FIU_CTRL=%s", p->fiu_prefix);
    env[0] = fiu_env;
  }
  sp_proc_spec ps = {.argv = argv, .env_add = env[0] ? env : NULL, .log_path = p->log_path,
                     .name = "processor"};
  p->proc = sp_proc_spawn(&ps, err, err_len);
  for (size_t i = 0; i < w->processor.rdkafka.n; i++) free(props[i]);
  free(props);
  free(argv);
  if (!p->proc) return -1;
  incarnation_begin(p);
  sp_info("refstream started (pid %d): job %s over %zu input topic(s)", (int)sp_proc_pid(p->proc),
          p->job.name, p->job.n_inputs);
  return 0;
}

int processor_wait_ready(run_ctx *c, char *err, size_t err_len) {
  run_processor *p = &c->proc;
  if (!p->enabled) return 0;
  char line[512];
  uint64_t deadline = sp_mono_ns() + (uint64_t)(c->wl.processor.ready_timeout_s * 1e9);
  /* in slices, so Ctrl-C and the workers' messages are served meanwhile */
  int ready;
  while (!(ready = sp_proc_wait_log(p->proc, "ready: job", 100, line, sizeof line) == 0)) {
    if (!sp_proc_alive(p->proc) || sp_mono_ns() >= deadline) break;
    if (run_pump(c, 0) < 0) {
      snprintf(err, err_len, "interrupted while waiting for the processor to be ready");
      return -1;
    }
  }
  if (ready) return 0;
  char tail[1200], how[64];
  int gone = !sp_proc_alive(p->proc);
  sp_proc_describe(p->proc, how, sizeof how);
  if (gone) incarnation_end(c);
  run_log_tail(p->log_path, tail, sizeof tail);
  run_fmt(err, err_len, "the processor (refstream) %s (%s); %s says:\n%s",
          gone ? "exited during start-up" : "was not ready in time (processor.ready_timeout_s)", how,
          p->log_path, tail);
  return -1;
}

sp_proc *processor_proc(run_ctx *c) { return c->proc.enabled ? c->proc.proc : NULL; }

int processor_restart(run_ctx *c, char *err, size_t err_len) {
  run_processor *p = &c->proc;
  if (!p->proc) {
    snprintf(err, err_len, "the run has no processor");
    return -1;
  }
  if (sp_proc_alive(p->proc)) sp_proc_kill(p->proc); /* the executor restarts what it took down */
  incarnation_end(c);
  if (sp_proc_restart(p->proc, err, err_len) != 0) return -1;
  incarnation_begin(p);
  sp_info("refstream restarted (pid %d): recovering from its checkpoint", (int)sp_proc_pid(p->proc));
  return 0;
}

void processor_check(run_ctx *c) {
  run_processor *p = &c->proc;
  if (!p->proc || p->died || p->fault_down) return;
  if (sp_proc_poll(p->proc) != SP_PROC_EXITED) return;
  incarnation_end(c);
  p->died = 1;
}

/* ---- finish ------------------------------------------------------------------ */

/* A consumer handle with the processor's group id, to read its committed
 * offsets (no subscription: it never joins the group). */
static rd_kafka_t *group_reader(run_ctx *c) {
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  char e[512], group[300];
  for (size_t i = 0; i < c->opt.n_props; i++) {
    char *kv = sp_strdup(c->opt.props[i]);
    char *eq = strchr(kv, '=');
    *eq = '\0';
    rd_kafka_conf_set(conf, kv, eq + 1, e, sizeof e);
    free(kv);
  }
  snprintf(group, sizeof group, "refstream-%s", c->proc.job.name);
  rd_kafka_conf_set(conf, "bootstrap.servers", c->bootstrap, e, sizeof e);
  rd_kafka_conf_set(conf, "group.id", group, e, sizeof e);
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", e, sizeof e);
  rd_kafka_conf_set(conf, "client.id", "streamproof-run-processor", e, sizeof e);
  rd_kafka_conf_set(conf, "log_level", "3", e, sizeof e);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, e, sizeof e);
  if (!rk) sp_warn("cannot read the processor's committed offsets: %s", e);
  return rk;
}

/* Every partition of the processor's input topics. NULL when the metadata
 * cannot be read. */
static rd_kafka_topic_partition_list_t *input_partitions(run_ctx *c, rd_kafka_t *rk) {
  const rd_kafka_metadata_t *md = NULL;
  if (rd_kafka_metadata(rk, 1, NULL, &md, 5000) != RD_KAFKA_RESP_ERR_NO_ERROR) return NULL;
  rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(16);
  for (size_t i = 0; i < c->proc.job.n_inputs; i++)
    for (int t = 0; t < md->topic_cnt; t++)
      if (!strcmp(md->topics[t].topic, c->proc.job.inputs[i]))
        for (int q = 0; q < md->topics[t].partition_cnt; q++)
          rd_kafka_topic_partition_list_add(l, md->topics[t].topic, md->topics[t].partitions[q].id);
  rd_kafka_metadata_destroy(md);
  return l;
}

/* Records the processor still has to commit past: the sum over its input
 * partitions of (end offset - committed offset). -1 when unknown. */
static int64_t processor_behind(rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts) {
  rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_copy(parts);
  int64_t behind = 0;
  if (rd_kafka_committed(rk, l, 5000) != RD_KAFKA_RESP_ERR_NO_ERROR) behind = -1;
  for (int i = 0; behind >= 0 && i < l->cnt; i++) {
    int64_t lo, hi;
    if (rd_kafka_query_watermark_offsets(rk, l->elems[i].topic, l->elems[i].partition, &lo, &hi, 5000) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      behind = -1;
      break;
    }
    int64_t at = l->elems[i].offset >= 0 ? l->elems[i].offset : 0;
    if (at < lo) at = lo; /* deleted by retention before it was read: refstream would have failed */
    if (hi > at) behind += hi - at;
  }
  rd_kafka_topic_partition_list_destroy(l);
  return behind;
}

/* Waits until the processor committed every input record, bounded by the
 * workload's drain_timeout_s. 1 caught up, 0 not. */
static int wait_caught_up(run_ctx *c, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts) {
  run_processor *p = &c->proc;
  uint64_t start = sp_mono_ns(), deadline = start + (uint64_t)(c->wl.drain_timeout_s * 1e9);
  int64_t behind = -1;
  int said = 0;
  while (parts && !run_interrupted) {
    if (p->died || !sp_proc_alive(p->proc)) break;
    behind = processor_behind(rk, parts);
    if (behind == 0) break;
    if (sp_mono_ns() >= deadline) break;
    if (!said && behind > 0) {
      progress_clear(c);
      sp_info("waiting for the processor to catch up: %" PRId64 " input record(s) not yet committed", behind);
      said = 1;
    }
    if (run_pump(c, 200) < 0) break;
  }
  p->catch_up_s = (double)(sp_mono_ns() - start) / 1e9;
  if (behind == 0) return 1;
  progress_clear(c);
  if (behind > 0)
    sp_warn("the processor had not caught up within %.0f s: %" PRId64 " input record(s) not committed",
            c->wl.drain_timeout_s, behind);
  return 0;
}

/* After the stop: its final checkpoint may have committed the rest. Says
 * plainly when it did not process its whole input. */
static int caught_up_at_stop(run_ctx *c, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts) {
  int64_t behind = rk && parts ? processor_behind(rk, parts) : -1;
  if (behind == 0) return 1;
  progress_clear(c);
  if (behind > 0)
    sp_warn("the processor stopped %" PRId64 " input record(s) short of the end (the stream check can "
            "verify only what it wrote)", behind);
  else
    sp_warn("the processor's progress is unknown (%s): the stream check can verify only what it wrote",
            "its committed offsets are unreadable");
  return 0;
}

/* Copies one topic into <run>/stream/; adds to the copy figures. */
static int copy_topic(run_ctx *c, const char *topic) {
  run_processor *p = &c->proc;
  topic_copy_opts o = {.timeout_ms = 60000, .props = c->opt.props, .n_props = c->opt.n_props};
  topic_copy_stats st = {0};
  char err[1024];
  int rc = topic_copy_ex(c->bootstrap, topic, p->stream_dir, &o, &st, err, sizeof err);
  p->copied_records += st.records;
  p->copy_s += st.seconds;
  if (rc != 0) sp_warn("copy of %s for the stream check incomplete: %s", topic, err);
  return rc;
}

void processor_finish(run_ctx *c) {
  run_processor *p = &c->proc;
  if (!p->enabled || !p->proc) return;
  rd_kafka_t *rk = group_reader(c);
  rd_kafka_topic_partition_list_t *parts = rk ? input_partitions(c, rk) : NULL;
  p->caught_up = rk && parts && wait_caught_up(c, rk, parts);
  if (sp_proc_alive(p->proc)) {
    int grace = (int)(c->wl.processor.stop_timeout_s * 1000);
    if (sp_proc_stop(p->proc, grace) != 0)
      sp_warn("refstream did not stop within %.0f s of SIGTERM: killed (no final checkpoint)",
              c->wl.processor.stop_timeout_s);
    incarnation_end(c);
    int st = sp_proc_exit_status(p->proc);
    p->stopped_clean = WIFEXITED(st) && WEXITSTATUS(st) == 0;
  } else {
    incarnation_end(c);
  }
  sp_proc_describe(p->proc, p->stop_how, sizeof p->stop_how);
  if (!p->caught_up) p->caught_up = caught_up_at_stop(c, rk, parts);
  if (parts) rd_kafka_topic_partition_list_destroy(parts);
  if (rk) rd_kafka_destroy(rk);
  int ok = 1;
  for (size_t i = 0; i < p->job.n_inputs && !run_interrupted; i++) ok &= copy_topic(c, p->job.inputs[i]) == 0;
  for (size_t i = 0; i < p->job.n_sinks && !run_interrupted; i++) ok &= copy_topic(c, p->job.sinks[i]) == 0;
  p->copy_complete = ok && !run_interrupted;
}

void processor_stop(run_ctx *c) {
  run_processor *p = &c->proc;
  if (!p->proc) return;
  if (sp_proc_alive(p->proc)) sp_proc_stop(p->proc, 5000);
  incarnation_end(c);
}

void processor_free(run_ctx *c) {
  run_processor *p = &c->proc;
  if (p->proc) {
    processor_stop(c);
    sp_proc_free(p->proc);
    p->proc = NULL;
  }
  if (p->fiu_prefix[0]) sp_fiu_cleanup_stale(p->fiu_prefix);
  procjob_info_free(&p->job);
  free(p->incs);
  p->incs = NULL;
  p->n_incs = 0;
}
