/* runner.c: see runner.h. */
#include "runner.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checkpoint.h"
#include "clock.h"
#include "engine.h"
#include "fault.h"
#include "fault_points.h"
#include "log.h"
#include "mem.h"
#include "readback.h"

typedef struct sink_io {
  const char *topic; /* NULL: this sink is not configured */
  rd_kafka_topic_t *rkt;
  int parts;
  int64_t *next; /* per partition: the offset after our last acknowledged record */
} sink_io;

typedef struct pend { /* a record waiting to be handed to the producer */
  int sink;
  int32_t part;
  size_t ko, kl, vo, vl;
  int has_key;
} pend;

typedef struct input_ref {
  rs_task *task;
  int input;
  int64_t end_at_start; /* --stop-at-end: the high watermark at start */
} input_ref;

typedef struct runner {
  const rs_opts *o;
  rs_job *job;
  rs_engine *e;
  rd_kafka_t *consumer, *producer;
  rd_kafka_queue_t *cq;
  sink_io sinks[RS_N_SINKS];
  sp_buf arena;
  pend *pend;
  size_t n_pend, cap_pend;
  input_ref *inputs;
  int n_inputs;
  rd_kafka_topic_t *last_rkt; /* topic-name lookup cache */
  int last_src, last_topic;
  volatile int fatal;
  char fatal_msg[1024];
  uint64_t ckpt_seq;
  uint64_t ckpts, produced;
  double ckpt_ms_sum, ckpt_ms_max, ckpt_ms_last;
  size_t ckpt_bytes;
  long rb_records, rb_marks, rb_foreign, rb_bad;
} runner;

/* ---- output ------------------------------------------------------------ */

static void on_emit(void *ctx, rs_task *t, int sink, const void *key, size_t key_len,
                    const void *value, size_t value_len) {
  runner *r = ctx;
  if (r->n_pend == r->cap_pend) {
    r->cap_pend = r->cap_pend ? 2 * r->cap_pend : 1024;
    r->pend = sp_realloc(r->pend, r->cap_pend * sizeof *r->pend);
  }
  pend *p = &r->pend[r->n_pend++];
  p->sink = sink;
  p->part = t->index % r->sinks[sink].parts;
  p->has_key = key != NULL;
  p->ko = r->arena.len;
  p->kl = key_len;
  if (key_len) sp_buf_append(&r->arena, key, key_len);
  p->vo = r->arena.len;
  p->vl = value_len;
  sp_buf_append(&r->arena, value, value_len);
}

/* librdkafka delivery report: the sink position advances; a failure is fatal. */
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  runner *r = opaque;
  (void)rk;
  int sink = (int)(intptr_t)m->_private;
  if (m->err) {
    if (!r->fatal)
      snprintf(r->fatal_msg, sizeof r->fatal_msg, "writing a result to %s[%d] failed: %s",
               r->sinks[sink].topic, m->partition, rd_kafka_err2str(m->err));
    r->fatal = 1;
    return;
  }
  int64_t *next = &r->sinks[sink].next[m->partition];
  if (m->offset + 1 > *next) *next = m->offset + 1;
}

/* Hands every pending record to the producer (in order, per partition). */
static void flush_pending(runner *r) {
  size_t half = r->n_pend / 2;
  for (size_t i = 0; i < r->n_pend; i++) {
    if (i == half && r->n_pend > 1) (void)sp_fault_point(FP_SINK_MID_BATCH);
    pend *p = &r->pend[i];
    for (;;) {
      rd_kafka_resp_err_t e = rd_kafka_producev(
          r->producer, RD_KAFKA_V_RKT(r->sinks[p->sink].rkt), RD_KAFKA_V_PARTITION(p->part),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_KEY(p->has_key ? r->arena.data + p->ko : NULL, p->kl),
          RD_KAFKA_V_VALUE(r->arena.data + p->vo, p->vl),
          RD_KAFKA_V_OPAQUE((void *)(intptr_t)p->sink), RD_KAFKA_V_END);
      if (!e) break;
      if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        snprintf(r->fatal_msg, sizeof r->fatal_msg, "producing to %s: %s", r->sinks[p->sink].topic,
                 rd_kafka_err2str(e));
        r->fatal = 1;
        return;
      }
      rd_kafka_poll(r->producer, 20); /* serve deliveries to make room */
    }
  }
  r->produced += r->n_pend;
  r->n_pend = 0;
  sp_buf_reset(&r->arena);
  rd_kafka_poll(r->producer, 0);
}

/* ---- checkpoint body ---------------------------------------------------- */

/* Layout: BYTES engine state (engine.h) | i32 n_sinks |
 *         per sink: i32 partitions (0: not configured) | partitions x i64 next offset */
static void save_body(runner *r, sp_buf *b) {
  sp_buf es = SP_BUF_INIT;
  rs_engine_save(r->e, &es);
  kw_bytes(b, es.data, (int32_t)es.len);
  sp_buf_free(&es);
  kw_i32(b, RS_N_SINKS);
  for (int s = 0; s < RS_N_SINKS; s++) {
    const sink_io *k = &r->sinks[s];
    kw_i32(b, k->topic ? k->parts : 0);
    for (int p = 0; k->topic && p < k->parts; p++) kw_i64(b, k->next[p]);
  }
}

/* Restores the engine and sink positions from a checkpoint body; -1 if they do not fit. */
static int load_body(runner *r, const sp_buf *body, char *err, size_t errlen) {
  kreader rd;
  kr_init(&rd, body->data, body->len);
  kslice es = kr_bytes(&rd);
  if (rd.err || es.len < 0) goto bad;
  kreader er;
  kr_init(&er, es.ptr, (size_t)es.len);
  if (rs_engine_load(r->e, &er) != 0 || kr_remaining(&er)) {
    snprintf(err, errlen, "the checkpoint's task state does not fit this job and these input "
             "partitions (%d tasks now); use a new --state-dir", r->e->n_tasks);
    return -1;
  }
  if (kr_i32(&rd) != RS_N_SINKS) goto bad;
  for (int s = 0; s < RS_N_SINKS; s++) {
    sink_io *k = &r->sinks[s];
    int32_t parts = kr_i32(&rd);
    if (rd.err) goto bad;
    if (parts != (k->topic ? k->parts : 0)) {
      snprintf(err, errlen, "sink %s had %d partitions at the checkpoint and has %d now; use a "
               "new --state-dir", k->topic ? k->topic : "(none)", parts, k->topic ? k->parts : 0);
      return -1;
    }
    for (int p = 0; p < parts; p++) k->next[p] = kr_i64(&rd);
  }
  if (rd.err || kr_remaining(&rd)) goto bad;
  return 0;
bad:
  snprintf(err, errlen, "the checkpoint body is malformed");
  return -1;
}

/* Commits the input positions to the consumer group (for lag tools; not used on restart). */
static void commit_offsets(runner *r) {
  rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(r->n_inputs);
  for (int i = 0; i < r->n_inputs; i++) {
    const rs_input_state *in = &r->inputs[i].task->in[r->inputs[i].input];
    rd_kafka_topic_partition_list_add(l, in->topic, in->partition)->offset = in->next_offset;
  }
  rd_kafka_resp_err_t e = rd_kafka_commit(r->consumer, l, 1);
  if (e) sp_warn("committing input offsets: %s", rd_kafka_err2str(e));
  rd_kafka_topic_partition_list_destroy(l);
}

/* Writes every result, waits until the broker has them all, then writes
 * the checkpoint. Returns -1 on a fatal output error, and when `must` is
 * set (the first checkpoint: without it a restart could not know which
 * results are ours) also when the checkpoint cannot be written. */
static int checkpoint(runner *r, const char *why, int must) {
  uint64_t t0 = sp_mono_ns();
  for (int i = 0; i < r->e->n_tasks; i++) rs_task_flush_marks(r->e->tasks[i]);
  flush_pending(r);
  while (!r->fatal && rd_kafka_outq_len(r->producer) > 0) {
    if (rd_kafka_flush(r->producer, 1000) != RD_KAFKA_RESP_ERR__TIMED_OUT) continue;
    sp_warn("checkpoint: %d result(s) still waiting for the broker", rd_kafka_outq_len(r->producer));
    if (rs_stop_requested) { /* no checkpoint without every result acknowledged */
      snprintf(r->fatal_msg, sizeof r->fatal_msg, "stopped while %d result(s) were not "
               "acknowledged: no final checkpoint (a restart recovers)", rd_kafka_outq_len(r->producer));
      r->fatal = 1;
    }
  }
  if (r->fatal) return -1;
  (void)sp_fault_point(FP_SINK_AFTER_WRITE_BEFORE_CHECKPOINT);
  sp_buf body = SP_BUF_INIT;
  save_body(r, &body);
  char err[2048];
  int rc = rs_ckpt_write(r->o->state_dir, r->ckpt_seq + 1, r->job->fingerprint, body.data,
                         body.len, err, sizeof err);
  size_t bytes = body.len;
  sp_buf_free(&body);
  if (rc != 0) {
    if (must) {
      snprintf(r->fatal_msg, sizeof r->fatal_msg, "%.900s (%s checkpoint)", err, why);
      r->fatal = 1;
      return -1;
    }
    sp_error("%s (keeping checkpoint %" PRIu64 ", retrying at the next interval)", err, r->ckpt_seq);
    return 0;
  }
  r->ckpt_seq++;
  (void)sp_fault_point(FP_CHECKPOINT_AFTER_RENAME_BEFORE_COMMIT);
  if (r->o->commit_offsets) commit_offsets(r);
  double ms = (double)(sp_mono_ns() - t0) / 1e6;
  r->ckpts++;
  r->ckpt_ms_sum += ms;
  r->ckpt_ms_last = ms;
  if (ms > r->ckpt_ms_max) r->ckpt_ms_max = ms;
  r->ckpt_bytes = bytes;
  sp_debug("checkpoint %" PRIu64 " (%s): %zu bytes in %.2f ms", r->ckpt_seq, why, bytes, ms);
  return 0;
}

/* ---- start -------------------------------------------------------------- */

/* Creates the consumer or the idempotent producer with refstream's defaults and -X. */
static rd_kafka_t *make_client(runner *r, rd_kafka_type_t type, char *err, size_t errlen) {
  /* larger fetches than librdkafka's 1 MB default: ~20% more records/s */
  static const char *const cdefaults[] = {"enable.partition.eof=true", "auto.offset.reset=error",
                                          "enable.auto.commit=false",
                                          "enable.auto.offset.store=false",
                                          "fetch.message.max.bytes=8388608",
                                          "queued.min.messages=500000", NULL};
  static const char *const pdefaults[] = {"enable.idempotence=true", "linger.ms=5", NULL};
  char group[300];
  snprintf(group, sizeof group, "refstream-%s", r->job->name);
  int is_c = type == RD_KAFKA_CONSUMER;
  rd_kafka_conf_t *c = rs_kconf(&r->o->kafka, is_c ? "consumer" : "producer", is_c ? group : NULL,
                                is_c ? cdefaults : pdefaults, err, errlen);
  if (!c) return NULL;
  if (!is_c) {
    rd_kafka_conf_set_dr_msg_cb(c, on_delivery);
    rd_kafka_conf_set_opaque(c, r);
  }
  char e[512];
  rd_kafka_t *rk = rd_kafka_new(type, c, e, sizeof e);
  if (!rk) snprintf(err, errlen, "creating the %s: %s", is_c ? "consumer" : "producer", e);
  return rk;
}

/* Finds the input partitions, builds the tasks, creates missing sink topics. */
static int setup_topics(runner *r, char *err, size_t errlen) {
  const rs_job *j = r->job;
  const rs_source_cfg *main = &j->sources[0];
  int *parts = sp_calloc((size_t)main->n_topics, sizeof *parts);
  for (int s = 0; s < j->n_sources; s++)
    for (int t = 0; t < j->sources[s].n_topics; t++)
      for (int s2 = 0; s2 <= s; s2++)
        for (int t2 = 0; t2 < (s2 == s ? t : j->sources[s2].n_topics); t2++)
          if (strcmp(j->sources[s].topics[t], j->sources[s2].topics[t2]) == 0) {
            snprintf(err, errlen, "%s: topic %s is read twice; each topic may feed one source",
                     j->path, j->sources[s].topics[t]);
            free(parts);
            return -1;
          }
  for (int t = 0; t < main->n_topics; t++) {
    parts[t] = rs_topic_partitions(r->consumer, main->topics[t], (int)r->o->wait_topics_ms, err, errlen);
    if (parts[t] < 0) {
      free(parts);
      return -1;
    }
  }
  for (int s = 1; s < j->n_sources; s++) {
    int n = rs_topic_partitions(r->consumer, j->sources[s].topics[0], (int)r->o->wait_topics_ms, err, errlen);
    if (n < 0) {
      free(parts);
      return -1;
    }
    if (n != parts[0]) {
      snprintf(err, errlen, "source %s (topic %s) has %d partitions but the main topic %s has %d: "
               "joined sources must be co-partitioned", j->sources[s].name, j->sources[s].topics[0],
               n, main->topics[0], parts[0]);
      free(parts);
      return -1;
    }
  }
  r->e = rs_engine_new(j, parts, on_emit, r);
  free(parts);
  const char *names[RS_N_SINKS] = {j->sink_output, j->sink_late, j->sink_errors};
  for (int s = 0; s < RS_N_SINKS; s++) {
    if (!names[s]) continue;
    sink_io *k = &r->sinks[s];
    k->topic = names[s];
    k->parts = rs_topic_ensure(r->producer, names[s], r->e->n_tasks, (int)r->o->wait_topics_ms, err, errlen);
    if (k->parts < 0) return -1;
    k->rkt = rd_kafka_topic_new(r->producer, names[s], NULL);
    k->next = sp_calloc((size_t)k->parts, sizeof *k->next);
  }
  r->inputs = sp_calloc((size_t)r->e->n_tasks * RS_MAX_INPUTS, sizeof *r->inputs);
  for (int i = 0; i < r->e->n_tasks; i++)
    for (int in = 0; in < r->e->tasks[i]->n_inputs; in++) {
      r->inputs[r->n_inputs] = (input_ref){r->e->tasks[i], in, -1};
      r->e->tasks[i]->in[in].io = &r->inputs[r->n_inputs++];
    }
  return 0;
}

/* Fresh positions: each input at its start (or end), each sink at its end
 * (or start, when outputs of a lost state must be read back). */
static int fresh_positions(runner *r, int sinks_from_start, char *err, size_t errlen) {
  for (int i = 0; i < r->n_inputs; i++) {
    rs_input_state *in = &r->inputs[i].task->in[r->inputs[i].input];
    int64_t lo, hi;
    if (rs_watermarks(r->consumer, in->topic, in->partition, &lo, &hi, err, errlen) != 0) return -1;
    in->next_offset = r->job->sources[in->src].start_latest ? hi : lo;
  }
  for (int s = 0; s < RS_N_SINKS; s++)
    for (int p = 0; r->sinks[s].topic && p < r->sinks[s].parts; p++) {
      int64_t lo, hi;
      if (rs_watermarks(r->producer, r->sinks[s].topic, p, &lo, &hi, err, errlen) != 0) return -1;
      r->sinks[s].next[p] = sinks_from_start ? lo : hi;
    }
  return 0;
}

/* Hands one read-back record to its task. */
static void on_readback(void *ctx, int index, const void *value, size_t len) {
  runner *r = ctx;
  (void)index;
  switch (rs_readback_record(r->e, value, len)) {
  case RS_RB_OK: r->rb_records++; break;
  case RS_RB_MARKS: r->rb_marks++; break;
  case RS_RB_FOREIGN: r->rb_foreign++; break;
  case RS_RB_BAD: r->rb_bad++; break;
  }
}

/* Reads every sink partition from its checkpointed offset to the end. */
static int readback(runner *r, char *err, size_t errlen) {
  int n = 0;
  for (int s = 0; s < RS_N_SINKS; s++) n += r->sinks[s].topic ? r->sinks[s].parts : 0;
  const char **topics = sp_calloc((size_t)n + 1, sizeof *topics);
  int32_t *parts = sp_calloc((size_t)n + 1, sizeof *parts);
  int64_t *from = sp_calloc((size_t)n + 1, sizeof *from), *hi = sp_calloc((size_t)n + 1, sizeof *hi);
  int k = 0;
  for (int s = 0; s < RS_N_SINKS; s++)
    for (int p = 0; r->sinks[s].topic && p < r->sinks[s].parts; p++) {
      topics[k] = r->sinks[s].topic;
      parts[k] = p;
      from[k++] = r->sinks[s].next[p];
    }
  long got = rs_read_partitions(&r->o->kafka, topics, parts, from, hi, n, on_readback, r, 120000,
                                err, errlen);
  k = 0;
  for (int s = 0; s < RS_N_SINKS && got >= 0; s++)
    for (int p = 0; r->sinks[s].topic && p < r->sinks[s].parts; p++) r->sinks[s].next[p] = hi[k++];
  free(topics);
  free(parts);
  free(from);
  free(hi);
  if (got < 0) return -1;
  for (int i = 0; i < r->e->n_tasks; i++) rs_task_apply_marks(r->e->tasks[i]);
  if (r->rb_bad) sp_warn("readback: %ld record(s) in the sinks are not refstream records", r->rb_bad);
  if (r->rb_foreign)
    sp_warn("readback: %ld record(s) in the sinks belong to another job or task layout",
            r->rb_foreign);
  return 0;
}

/* Loads the newest checkpoint (or starts fresh) and reads back the output written since. */
static int recover(runner *r, char *err, size_t errlen) {
  uint64_t t0 = sp_mono_ns();
  sp_buf body = SP_BUF_INIT;
  uint64_t seq = 0;
  rs_ckpt_status st = rs_ckpt_load(r->o->state_dir, r->job->fingerprint, &body, &seq, err, errlen);
  int rc = -1;
  switch (st) {
  case RS_CKPT_IO:
  case RS_CKPT_OTHER_JOB: goto out;
  case RS_CKPT_NONE:
    sp_info("no checkpoint in %s: fresh start", r->o->state_dir);
    if (fresh_positions(r, 0, err, errlen) != 0) goto out;
    rc = checkpoint(r, "initial", 1);
    if (rc != 0) snprintf(err, errlen, "%s", r->fatal_msg);
    goto out;
  case RS_CKPT_ALL_BAD:
    sp_error("NO VALID CHECKPOINT in %s (%s): starting over from the beginning of the inputs and "
             "reading back ALL output so nothing already written is written again",
             r->o->state_dir, err);
    if (fresh_positions(r, 1, err, errlen) != 0) goto out;
    for (int i = 0; i < r->n_inputs; i++) {
      rs_input_state *in = &r->inputs[i].task->in[r->inputs[i].input];
      int64_t lo, hi;
      if (rs_watermarks(r->consumer, in->topic, in->partition, &lo, &hi, err, errlen) != 0) goto out;
      in->next_offset = lo;
    }
    break;
  case RS_CKPT_OK:
    if (load_body(r, &body, err, errlen) != 0) goto out;
    r->ckpt_seq = seq;
    break;
  }
  double load_ms = (double)(sp_mono_ns() - t0) / 1e6;
  (void)sp_fault_point(FP_RESTORE_AFTER_LOAD_BEFORE_READBACK);
  uint64_t t1 = sp_mono_ns();
  if (readback(r, err, errlen) != 0) goto out;
  int replaying = 0;
  for (int i = 0; i < r->e->n_tasks; i++) replaying += r->e->tasks[i]->replaying;
  sp_info("recovered: checkpoint %" PRIu64 " (%zu bytes) loaded in %.1f ms; %ld result(s) and "
          "%ld marks record(s) read back in %.1f ms; %d task(s) replaying", r->ckpt_seq, body.len,
          load_ms, r->rb_records, r->rb_marks, (double)(sp_mono_ns() - t1) / 1e6, replaying);
  rc = 0;
  if (st == RS_CKPT_ALL_BAD && checkpoint(r, "restart", 1) != 0) {
    snprintf(err, errlen, "%s", r->fatal_msg);
    rc = -1;
  }
out:
  sp_buf_free(&body);
  return rc;
}

/* Assigns every input partition at its task's position. */
static int assign_inputs(runner *r) {
  rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(r->n_inputs);
  for (int i = 0; i < r->n_inputs; i++) {
    rs_input_state *in = &r->inputs[i].task->in[r->inputs[i].input];
    rd_kafka_topic_partition_list_add(l, in->topic, in->partition)->offset = in->next_offset;
    if (r->o->stop_at_end) {
      int64_t lo, hi;
      char err[512];
      if (rs_watermarks(r->consumer, in->topic, in->partition, &lo, &hi, err, sizeof err) == 0)
        r->inputs[i].end_at_start = hi;
    }
  }
  rd_kafka_resp_err_t e = rd_kafka_assign(r->consumer, l);
  rd_kafka_topic_partition_list_destroy(l);
  if (e) {
    sp_error("assigning input partitions: %s", rd_kafka_err2str(e));
    return -1;
  }
  return 0;
}

/* ---- loop --------------------------------------------------------------- */

/* The input a consumed message belongs to (topic lookup cached per topic handle). */
static input_ref *find_input(runner *r, const rd_kafka_message_t *m) {
  const rs_job *j = r->job;
  if (m->rkt != r->last_rkt) {
    const char *name = rd_kafka_topic_name(m->rkt);
    r->last_src = -1;
    for (int s = 0; s < j->n_sources && r->last_src < 0; s++)
      for (int t = 0; t < j->sources[s].n_topics; t++)
        if (strcmp(j->sources[s].topics[t], name) == 0) {
          r->last_src = s;
          r->last_topic = t;
          break;
        }
    r->last_rkt = m->rkt;
  }
  if (r->last_src < 0) return NULL;
  int input;
  rs_task *t = rs_engine_route(r->e, r->last_src, r->last_topic, m->partition, &input);
  return t ? t->in[input].io : NULL;
}

/* Processes one consumed message or consumer event. */
static void handle(runner *r, rd_kafka_message_t *m, int64_t now_ms) {
  if (m->err) {
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      input_ref *ir = find_input(r, m);
      if (ir) ir->task->in[ir->input].caught_up = 1;
      return;
    }
    if (m->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET ||
        m->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE) {
      snprintf(r->fatal_msg, sizeof r->fatal_msg, "an input position is no longer in the log "
               "(deleted by retention before it was processed?): %s", rd_kafka_message_errstr(m));
      r->fatal = 1;
      return;
    }
    sp_warn("consumer: %s", rd_kafka_message_errstr(m));
    return;
  }
  input_ref *ir = find_input(r, m);
  if (!ir) return;
  rd_kafka_timestamp_type_t tt;
  int64_t ts = rd_kafka_message_timestamp(m, &tt);
  rs_raw raw = {m->partition, m->offset, ts, m->key, m->key_len, m->payload, m->len};
  ir->task->in[ir->input].caught_up = 0;
  rs_task_record(ir->task, ir->input, &raw, now_ms);
}

/* Whether every input reached the end it had at start (--stop-at-end). */
static int inputs_done(runner *r) {
  for (int i = 0; i < r->n_inputs; i++)
    if (r->inputs[i].task->in[r->inputs[i].input].next_offset < r->inputs[i].end_at_start) return 0;
  return 1;
}

/* Logs the counters (the stats: and stopped: lines). */
static void stats_line(runner *r, const char *what, uint64_t t_start) {
  rs_task_stats s = rs_engine_stats(r->e);
  size_t items = 0;
  for (int i = 0; i < r->e->n_tasks; i++) items += rs_task_state_items(r->e->tasks[i]);
  double secs = (double)(sp_mono_ns() - t_start) / 1e9;
  sp_info("%s: records=%" PRIu64 " (%.0f/s) results=%" PRIu64 " late=%" PRIu64 " bad=%" PRIu64
          " dropped=%" PRIu64 " suppressed=%" PRIu64 " marks=%" PRIu64 " state_items=%zu checkpoints=%" PRIu64
          " checkpoint_ms_avg=%.2f checkpoint_ms_max=%.2f checkpoint_bytes=%zu elapsed_s=%.3f",
          what, s.records, secs > 0 ? (double)s.records / secs : 0.0, s.results, s.late, s.bad,
          s.dropped, s.suppressed, s.marks, items, r->ckpts, r->ckpts ? r->ckpt_ms_sum / (double)r->ckpts : 0.0,
          r->ckpt_ms_max, r->ckpt_bytes, secs);
}

/* Closes the clients and frees everything. */
static void teardown(runner *r) {
  if (r->consumer) {
    rd_kafka_consumer_close(r->consumer);
    if (r->cq) rd_kafka_queue_destroy(r->cq);
    rd_kafka_destroy(r->consumer);
  }
  for (int s = 0; s < RS_N_SINKS; s++) {
    if (r->sinks[s].rkt) rd_kafka_topic_destroy(r->sinks[s].rkt);
    free(r->sinks[s].next);
  }
  if (r->producer) {
    rd_kafka_flush(r->producer, 10000);
    rd_kafka_destroy(r->producer);
  }
  rs_engine_free(r->e);
  rs_job_free(r->job);
  free(r->inputs);
  free(r->pend);
  sp_buf_free(&r->arena);
}

int rs_run(const rs_opts *o) {
  runner rr, *r = &rr;
  memset(r, 0, sizeof *r);
  r->o = o;
  uint64_t t_start = sp_mono_ns();
  char err[2048];
  int status = 2;
  r->job = rs_job_load(o->job_path, err, sizeof err);
  if (!r->job) goto fail;
  if (mkdir(o->state_dir, 0755) != 0 && errno != EEXIST) {
    snprintf(err, sizeof err, "cannot create state directory %s: %s", o->state_dir, strerror(errno));
    goto fail;
  }
  if (!(r->consumer = make_client(r, RD_KAFKA_CONSUMER, err, sizeof err))) goto fail;
  if (!(r->producer = make_client(r, RD_KAFKA_PRODUCER, err, sizeof err))) goto fail;
  rd_kafka_poll_set_consumer(r->consumer);
  r->cq = rd_kafka_queue_get_consumer(r->consumer);
  status = 1; /* from here on: the broker or the state, not the job */
  if (setup_topics(r, err, sizeof err) != 0) goto fail;
  if (recover(r, err, sizeof err) != 0) goto fail;
  if (assign_inputs(r) != 0) goto fail_quiet;
  sp_info("ready: job %s, %d task(s), recovered in %.1f ms", r->job->name, r->e->n_tasks,
          (double)(sp_mono_ns() - t_start) / 1e6);

  enum { BATCH = 4096 };
  rd_kafka_message_t **msgs = sp_malloc(BATCH * sizeof *msgs);
  uint64_t t_run = sp_mono_ns();
  uint64_t next_ckpt = t_run + (uint64_t)o->checkpoint_interval_ms * 1000000ull;
  uint64_t next_stats = t_run + (uint64_t)o->stats_interval_ms * 1000000ull;
  int64_t last_tick_ms = 0;
  while (!rs_stop_requested && !r->fatal) {
    uint64_t now_ns = sp_mono_ns();
    int timeout = next_ckpt > now_ns ? (int)((next_ckpt - now_ns) / 1000000ull) : 0;
    if (timeout > 100) timeout = 100;
    ssize_t n = rd_kafka_consume_batch_queue(r->cq, timeout, msgs, BATCH);
    int64_t now_ms = sp_wall_ms();
    if (n > 0) (void)sp_fault_point(FP_SOURCE_AFTER_POLL_BEFORE_PROCESS);
    for (ssize_t i = 0; i < n; i++) {
      handle(r, msgs[i], now_ms);
      rd_kafka_message_destroy(msgs[i]);
    }
    if (now_ms != last_tick_ms) {
      for (int i = 0; i < r->e->n_tasks; i++) rs_task_tick(r->e->tasks[i], now_ms);
      last_tick_ms = now_ms;
    }
    flush_pending(r);
    now_ns = sp_mono_ns();
    if (now_ns >= next_ckpt) {
      if (checkpoint(r, "interval", 0) != 0) break;
      next_ckpt = sp_mono_ns() + (uint64_t)o->checkpoint_interval_ms * 1000000ull;
    }
    if (o->stats_interval_ms && now_ns >= next_stats) {
      stats_line(r, "stats", t_run);
      next_stats = now_ns + (uint64_t)o->stats_interval_ms * 1000000ull;
    }
    if (o->stop_at_end && inputs_done(r)) break;
  }
  free(msgs);
  /* the final checkpoint must succeed for a clean exit: otherwise say so
   * (exit 1); the next start still recovers exactly-once from the last
   * good checkpoint and the output it reads back */
  if (!r->fatal && checkpoint(r, "final", 1) == 0 && !r->fatal) {
    stats_line(r, "stopped", t_run);
    teardown(r);
    return 0;
  }
  snprintf(err, sizeof err, "%s", r->fatal_msg);
fail:
  sp_error("%s", err);
fail_quiet:
  teardown(r);
  return status;
}
