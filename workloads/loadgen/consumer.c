/* consumer.c: the consumer worker: one librdkafka high-level consumer in
 * its subscription's group, implementing a delivery semantics on top of a
 * plain log.
 *
 * "Processing" a message means writing its identity as an APPLY record to
 * the consumer's output, so loss and duplication are observable afterwards:
 *
 *   at_most_once   poll a batch, commit its offsets, then process it. A crash
 *                  between the commit and the processing loses the rest of
 *                  the batch; nothing is ever processed twice. A failed
 *                  commit drops the batch's messages of that partition.
 *                  APPLYs go to consumer-<n>.hist.
 *   at_least_once  poll a batch, process it (APPLYs written out with one
 *                  write(2)), then commit (after every batch, or every
 *                  commit_interval_ms). A crash after processing and before
 *                  the commit redelivers; nothing is lost.
 *   exactly_once   the effect and its input offset are one atomic append to
 *                  the partition's effect store (effects.h); on assignment
 *                  the owner resumes after the last applied offset and skips
 *                  (SKIP record) anything at or below it. Commits are only a
 *                  hint that shortens re-reads.
 *
 * Batches: messages polled before a rebalance are dropped if the
 * rebalance happened before they were processed (the new assignment
 * re-reads them from the committed offset or the effect store).
 *
 * End-to-end latency is taken when the application starts processing a
 * message (as OMB's callback does): e2e = now - intended (corrected) and
 * now - sent (uncorrected), CLOCK_MONOTONIC, every sample kept. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "effects.h"
#include "history.h"
#include "identity.h"
#include "log.h"
#include "mem.h"
#include "observed.h"
#include "worker.h"

#define CONSUMER_BATCH_MAX 500
#define CONSUMER_POLL_MS 100
#define CONSUMER_PENDING_POLL_MS 10
#define CONSUMER_POS_REPORT_NS 100000000ull
#define CONSUMER_COMMIT_TIMEOUT_MS 10000

enum { TAG_E2E = 0, TAG_E2E_UNCORRECTED = 1 };

typedef struct cpart {
  int assigned;
  int pending;           /* exactly-once: assigned, effect store not yet ours */
  int paused;            /* paused by us */
  int64_t next;          /* next offset to process, -1 unknown */
  int64_t committed;     /* last committed next offset, -1 none */
  int pos_dirty;
  int touched;           /* effects buffered in the current batch */
  effects_store fx;
} cpart;

typedef struct consumer {
  worker *w;
  rd_kafka_t *rk;
  hist_writer *hist;
  ivl_rec ivl;
  cpart *parts;
  int32_t n_parts;
  uint64_t generation; /* bumped by every rebalance */
  int ready_sent;
  int window_paused;
  int eo;  /* exactly-once with the effect store */
  int bug; /* test-only lying consumer */
  uint64_t last_commit_ns, last_pos_ns;
  rd_kafka_message_t *batch[CONSUMER_BATCH_MAX];
  uint64_t batch_gen[CONSUMER_BATCH_MAX];
} consumer;

/* The state of partition p (grown on demand). */
static cpart *part_of(consumer *c, int32_t p) {
  if (p >= c->n_parts) {
    int32_t n = p + 1;
    c->parts = sp_realloc(c->parts, (size_t)n * sizeof *c->parts);
    for (int32_t i = c->n_parts; i < n; i++) {
      memset(&c->parts[i], 0, sizeof c->parts[i]);
      c->parts[i].next = c->parts[i].committed = -1;
      effects_init(&c->parts[i].fx, c->w->spec.history_dir, c->w->spec.lock_dir,
                   c->w->spec.subscription, c->w->spec.topic_index, i);
    }
    c->n_parts = n;
  }
  return &c->parts[p];
}

/* Appends a consumer-history record about partition p (offset, err). */
static void mark(consumer *c, uint8_t type, int32_t p, int64_t offset, int32_t err) {
  worker *w = c->w;
  hist_record r = {.type = type, .topic = (uint16_t)w->spec.topic_index, .partition = p,
                   .offset = offset, .actor = w->spec.id, .key = HIST_NO_KEY, .err = err,
                   .t_ns = sp_mono_ns()};
  if (type == HIST_READER_START || type == HIST_READER_END) r.key = w->spec.index;
  if (hist_writer_append(c->hist, &r) != 0) sp_error("history write failed: %s", strerror(errno));
}

static int sem_code(const consumer *c) {
  if (c->bug) return HIST_SEM_EXACTLY_ONCE; /* it claims exactly-once: that is the lie */
  switch (c->w->spec.semantics) {
  case SEM_AT_MOST_ONCE: return HIST_SEM_AT_MOST_ONCE;
  case SEM_AT_LEAST_ONCE: return HIST_SEM_AT_LEAST_ONCE;
  default: return HIST_SEM_EXACTLY_ONCE;
  }
}

/* ---- commits ------------------------------------------------------------ */

/* Commits (synchronously) the next offset of every assigned partition that
 * progressed, recording a COMMIT per partition. Processed APPLYs are
 * written out first: nothing is committed that is not in the output.
 * Returns the number of partitions whose commit failed. */
static int commit_positions(consumer *c) {
  worker *w = c->w;
  if (hist_writer_flush(c->hist) != 0) sp_error("history flush failed: %s", strerror(errno));
  rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(8);
  for (int32_t p = 0; p < c->n_parts; p++) {
    cpart *cp = &c->parts[p];
    if (cp->assigned && !cp->pending && cp->next >= 0 && cp->next > cp->committed)
      rd_kafka_topic_partition_list_add(l, w->spec.topic, p)->offset = cp->next;
  }
  int failed = 0;
  if (l->cnt > 0) {
    rd_kafka_resp_err_t e = rd_kafka_commit(c->rk, l, 0);
    for (int i = 0; i < l->cnt; i++) {
      rd_kafka_topic_partition_t *t = &l->elems[i];
      int32_t err = e ? e : t->err;
      mark(c, HIST_COMMIT, t->partition, t->offset, err);
      if (!err) part_of(c, t->partition)->committed = t->offset;
      else failed++;
    }
    if (e) {
      atomic_fetch_add_explicit(&w->errors, 1, memory_order_relaxed);
      sp_warn("commit failed: %s", rd_kafka_err2str(e));
    }
    hist_writer_flush(c->hist); /* the COMMIT records, at once */
  }
  rd_kafka_topic_partition_list_destroy(l);
  c->last_commit_ns = sp_mono_ns();
  return failed;
}

/* ---- pausing ----------------------------------------------------------- */

/* Pauses (on=1) or resumes partition p. */
static void set_paused(consumer *c, int32_t p, int on) {
  cpart *cp = part_of(c, p);
  if (cp->paused == on) return;
  rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(l, c->w->spec.topic, p);
  rd_kafka_resp_err_t e = on ? rd_kafka_pause_partitions(c->rk, l) : rd_kafka_resume_partitions(c->rk, l);
  if (e) sp_warn("%s partition %d: %s", on ? "pause" : "resume", p, rd_kafka_err2str(e));
  else cp->paused = on;
  rd_kafka_topic_partition_list_destroy(l);
}

/* Whether the workload wants this consumer idle now: before its start
 * delay, inside one of its pause windows, or paused by the run (backlog
 * building). */
static int window_wants_pause(consumer *c, uint64_t now) {
  worker *w = c->w;
  if (atomic_load_explicit(&w->paused, memory_order_relaxed)) return 1;
  if (!atomic_load(&w->go)) return 0;
  double t = ((double)now - (double)w->t0_mono_ns) / 1e9;
  if (w->spec.start_delay_s > 0 && t < w->spec.start_delay_s) return 1;
  const consumer_conf *cc = &w->wl.consumer;
  for (size_t i = 0; i < cc->n_pauses; i++)
    if (t >= cc->pauses[i].at_s && t < cc->pauses[i].at_s + cc->pauses[i].for_s) return 1;
  return 0;
}

static void apply_windows(consumer *c, uint64_t now) {
  int want = window_wants_pause(c, now);
  if (want == c->window_paused) return;
  c->window_paused = want;
  sp_info("%s fetching", want ? "pausing" : "resuming");
  for (int32_t p = 0; p < c->n_parts; p++)
    if (c->parts[p].assigned && !c->parts[p].pending) set_paused(c, p, want);
}

/* ---- rebalance ---------------------------------------------------------- */

/* Sets the start offset of each newly assigned partition: for
 * exactly-once the effect store's last applied + 1 (or a pending mark when
 * another process still holds the store), else the group's committed
 * offset (or the log start). */
static void start_offsets(consumer *c, rd_kafka_topic_partition_list_t *l) {
  if (c->eo) {
    for (int i = 0; i < l->cnt; i++) {
      rd_kafka_topic_partition_t *t = &l->elems[i];
      cpart *cp = part_of(c, t->partition);
      int rc = effects_acquire(&cp->fx, c->w->spec.subscription);
      if (rc < 0) sp_error("effect store %s: %s", cp->fx.path, strerror(errno));
      if (rc == 1) {
        t->offset = cp->fx.last_applied >= 0 ? cp->fx.last_applied + 1 : RD_KAFKA_OFFSET_BEGINNING;
        cp->pending = 0;
      } else {
        t->offset = RD_KAFKA_OFFSET_INVALID;
        cp->pending = 1;
        sp_info("partition %d: effect store busy (previous owner still alive): waiting",
                t->partition);
      }
    }
    return;
  }
  rd_kafka_resp_err_t e = rd_kafka_committed(c->rk, l, CONSUMER_COMMIT_TIMEOUT_MS);
  for (int i = 0; i < l->cnt; i++) {
    rd_kafka_topic_partition_t *t = &l->elems[i];
    if (e || t->err) t->offset = RD_KAFKA_OFFSET_INVALID; /* let the client look it up */
    else if (t->offset < 0) t->offset = RD_KAFKA_OFFSET_BEGINNING;
    if (c->bug) effects_open_unlocked(&part_of(c, t->partition)->fx, c->w->spec.subscription);
  }
}

/* Before giving partitions up: everything processed is written out and
 * committed; the effect stores are released. */
static void before_revoke(consumer *c) {
  if (c->w->spec.semantics != SEM_AT_MOST_ONCE || c->eo) commit_positions(c);
  for (int32_t p = 0; p < c->n_parts; p++)
    if (effects_release(&c->parts[p].fx) != 0)
      sp_error("effect store %s: %s", c->parts[p].fx.path, strerror(errno));
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *l, void *opaque) {
  consumer *c = opaque;
  worker *w = c->w;
  c->generation++;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    start_offsets(c, l);
    rd_kafka_resp_err_t e = rd_kafka_assign(rk, l);
    if (e) sp_error("assign failed: %s", rd_kafka_err2str(e));
    for (int i = 0; i < l->cnt; i++) {
      rd_kafka_topic_partition_t *t = &l->elems[i];
      cpart *cp = part_of(c, t->partition);
      cp->assigned = 1;
      cp->paused = 0;
      cp->next = t->offset >= 0 ? t->offset : -1;
      cp->committed = -1;
      cp->pos_dirty = cp->next >= 0;
      mark(c, HIST_ASSIGN, t->partition, cp->next, 0);
      if (cp->pending || c->window_paused) set_paused(c, t->partition, 1);
    }
    hist_writer_flush(c->hist);
    sp_info("assigned %d partition(s)", l->cnt);
    if (!c->ready_sent) {
      wmsg ready = {.type = WMSG_READY};
      worker_send(w, &ready);
      c->ready_sent = 1;
    }
  } else {
    if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) before_revoke(c);
    else sp_error("rebalance error: %s", rd_kafka_err2str(err));
    for (int i = 0; i < l->cnt; i++) {
      cpart *cp = part_of(c, l->elems[i].partition);
      mark(c, HIST_REVOKE, l->elems[i].partition, cp->next, 0);
      cp->assigned = cp->pending = cp->paused = 0;
    }
    hist_writer_flush(c->hist);
    rd_kafka_assign(rk, NULL);
    sp_info("revoked %d partition(s)", l->cnt);
  }
}

/* Exactly-once: takes over partitions whose effect store was busy, once
 * its previous owner let go: reads the last applied offset, seeks past it
 * and resumes fetching. */
static void retry_pending(consumer *c) {
  for (int32_t p = 0; p < c->n_parts; p++) {
    cpart *cp = &c->parts[p];
    if (!cp->assigned || !cp->pending) continue;
    int rc = effects_acquire(&cp->fx, c->w->spec.subscription);
    if (rc < 0) sp_error("effect store %s: %s", cp->fx.path, strerror(errno));
    if (rc != 1) continue;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    int64_t start = cp->fx.last_applied >= 0 ? cp->fx.last_applied + 1 : RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_topic_partition_list_add(l, c->w->spec.topic, p)->offset = start;
    rd_kafka_error_t *e = rd_kafka_seek_partitions(c->rk, l, CONSUMER_COMMIT_TIMEOUT_MS);
    if (e) {
      sp_error("seek partition %d: %s", p, rd_kafka_error_string(e));
      rd_kafka_error_destroy(e);
    }
    rd_kafka_topic_partition_list_destroy(l);
    cp->pending = 0;
    cp->next = start >= 0 ? start : -1;
    cp->pos_dirty = cp->next >= 0;
    c->generation++; /* anything polled before the seek is stale */
    sp_info("partition %d: effect store acquired, resuming at %" PRId64, p, start);
    if (!c->window_paused) set_paused(c, p, 0);
  }
}

static int any_pending(const consumer *c) {
  for (int32_t p = 0; p < c->n_parts; p++)
    if (c->parts[p].assigned && c->parts[p].pending) return 1;
  return 0;
}

/* ---- processing --------------------------------------------------------- */

/* Fills an APPLY/SKIP record from a message; 1 when its payload had a
 * valid identity (only then is there a latency to record). */
static int describe(consumer *c, const rd_kafka_message_t *m, uint8_t type, uint64_t now,
                    hist_record *r) {
  worker *w = c->w;
  memset(r, 0, sizeof *r);
  r->type = type;
  r->topic = (uint16_t)w->spec.topic_index;
  r->partition = m->partition;
  r->offset = m->offset;
  r->actor = w->spec.id;
  r->t_ns = now;
  return observed_fill(r, m->payload, m->len, m->key, m->key_len);
}

/* The application's work on one message: record it (APPLY into out, or
 * SKIP for an exactly-once duplicate) and spend the workload's processing
 * time. */
static void process_one(consumer *c, const rd_kafka_message_t *m) {
  worker *w = c->w;
  cpart *cp = part_of(c, m->partition);
  uint64_t now = sp_mono_ns();
  if (ivl_roll(&c->ivl, now) && hist_writer_flush(c->hist) != 0)
    sp_error("history flush failed: %s", strerror(errno));
  hist_record r;
  if (c->eo && m->offset <= cp->fx.last_applied) {
    describe(c, m, HIST_SKIP, now, &r);
    if (hist_writer_append(c->hist, &r) != 0) sp_error("history write failed: %s", strerror(errno));
    atomic_fetch_add_explicit(&w->skipped, 1, memory_order_relaxed);
  } else {
    if (describe(c, m, HIST_APPLY, now, &r)) {
      ivl_record(&c->ivl, TAG_E2E, (int64_t)(now - r.t_intended_ns));
      ivl_record(&c->ivl, TAG_E2E_UNCORRECTED, (int64_t)(now - r.t_sent_ns));
    }
    int rc;
    if (c->eo || c->bug) {
      rc = effects_apply(&cp->fx, &r);
      cp->touched = 1;
    } else {
      rc = hist_writer_append(c->hist, &r);
    }
    if (rc != 0) sp_error("output write failed: %s", strerror(errno));
    atomic_fetch_add_explicit(&w->consumed, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&w->bytes, m->len, memory_order_relaxed);
    if (w->spec.processing_us > 0) { /* the slow consumer's work */
      uint64_t until = now + (uint64_t)(w->spec.processing_us * 1000.0);
      if (w->spec.processing_us >= 50) sp_sleep_until_ns(until);
      else
        while (sp_mono_ns() < until) {
        }
    }
  }
  cp->next = m->offset + 1;
  cp->pos_dirty = 1;
}

/* at_most_once (and the lying consumer): commit the batch's offsets first.
 * Messages of a partition whose commit failed are dropped (not processed:
 * processing them could make them count twice). */
static void commit_batch_first(consumer *c, int n) {
  worker *w = c->w;
  rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(8);
  for (int i = 0; i < n; i++) {
    rd_kafka_message_t *m = c->batch[i];
    if (!m) continue;
    rd_kafka_topic_partition_t *t = rd_kafka_topic_partition_list_find(l, w->spec.topic, m->partition);
    if (!t) t = rd_kafka_topic_partition_list_add(l, w->spec.topic, m->partition);
    if (m->offset + 1 > t->offset) t->offset = m->offset + 1;
  }
  rd_kafka_resp_err_t e = rd_kafka_commit(c->rk, l, 0);
  for (int i = 0; i < l->cnt; i++) {
    rd_kafka_topic_partition_t *t = &l->elems[i];
    int32_t err = e ? e : t->err;
    mark(c, HIST_COMMIT, t->partition, t->offset, err);
    if (!err) {
      part_of(c, t->partition)->committed = t->offset;
      continue;
    }
    for (int k = 0; k < n; k++)
      if (c->batch[k] && c->batch[k]->partition == t->partition) {
        rd_kafka_message_destroy(c->batch[k]);
        c->batch[k] = NULL;
      }
  }
  if (e) {
    atomic_fetch_add_explicit(&w->errors, 1, memory_order_relaxed);
    sp_warn("commit failed, batch dropped: %s", rd_kafka_err2str(e));
  }
  hist_writer_flush(c->hist); /* the COMMIT records, before any processing */
  rd_kafka_topic_partition_list_destroy(l);
}

/* Processes one polled batch according to the semantics. */
static void process_batch(consumer *c, int n) {
  worker *w = c->w;
  /* drop errors, and messages from before a rebalance or of partitions not
   * (yet) ours */
  for (int i = 0; i < n; i++) {
    rd_kafka_message_t *m = c->batch[i];
    int drop = 0;
    if (m->err) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        atomic_fetch_add_explicit(&w->errors, 1, memory_order_relaxed);
        sp_warn("consume error: %s", rd_kafka_message_errstr(m));
      }
      drop = 1;
    } else {
      cpart *cp = part_of(c, m->partition);
      drop = c->batch_gen[i] != c->generation || !cp->assigned || cp->pending;
    }
    if (drop) {
      rd_kafka_message_destroy(m);
      c->batch[i] = NULL;
    }
  }
  int commit_first = w->spec.semantics == SEM_AT_MOST_ONCE || c->bug;
  if (commit_first) commit_batch_first(c, n);
  for (int i = 0; i < n; i++)
    if (c->batch[i]) process_one(c, c->batch[i]);
  for (int32_t p = 0; p < c->n_parts; p++)
    if (c->parts[p].touched) {
      if (effects_flush(&c->parts[p].fx) != 0)
        sp_error("effect store %s: %s", c->parts[p].fx.path, strerror(errno));
      c->parts[p].touched = 0;
    }
  for (int i = 0; i < n; i++)
    if (c->batch[i]) rd_kafka_message_destroy(c->batch[i]);
  /* the batch's output (APPLY/SKIP) goes out with one write: a crash loses
   * at most the batch being processed */
  if (hist_writer_flush(c->hist) != 0) sp_error("history flush failed: %s", strerror(errno));
  if (!commit_first) {
    uint64_t due = c->last_commit_ns + (uint64_t)(w->spec.commit_interval_ms * 1e6);
    if (w->spec.commit_interval_ms <= 0 || sp_mono_ns() >= due) commit_positions(c);
  }
}

/* Sends the positions that changed (at most every 100 ms). */
static void report_positions(consumer *c, int force) {
  uint64_t now = sp_mono_ns();
  if (!force && now < c->last_pos_ns + CONSUMER_POS_REPORT_NS) return;
  wmsg m = {.type = WMSG_POS};
  for (int32_t p = 0; p < c->n_parts; p++) {
    cpart *cp = &c->parts[p];
    if (!cp->pos_dirty || cp->next < 0) continue;
    m.pos[m.n_pos++] = (wpos){c->w->spec.topic_index, p, cp->next};
    cp->pos_dirty = 0;
    if (m.n_pos == WMSG_POS_MAX) {
      worker_send(c->w, &m);
      m.n_pos = 0;
    }
  }
  if (m.n_pos) worker_send(c->w, &m);
  c->last_pos_ns = now;
}

/* ---- the worker --------------------------------------------------------- */

static int consumer_connect(consumer *c) {
  worker *w = c->w;
  char err[512];
  rd_kafka_conf_t *conf = worker_rdkafka_conf(w, err, sizeof err);
  if (!conf) {
    worker_fail(w, "%s", err);
    return -1;
  }
  rd_kafka_conf_set_opaque(conf, c);
  rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
  c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!c->rk) {
    worker_fail(w, "cannot create the consumer: %s", err);
    return -1;
  }
  rd_kafka_poll_set_consumer(c->rk);
  rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(l, w->spec.topic, RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t e = rd_kafka_subscribe(c->rk, l);
  rd_kafka_topic_partition_list_destroy(l);
  if (e) {
    worker_fail(w, "cannot subscribe to %s: %s", w->spec.topic, rd_kafka_err2str(e));
    return -1;
  }
  return 0;
}

/* The poll loop, from start (joining the group) to stop. */
static void consumer_loop(consumer *c) {
  worker *w = c->w;
  while (!worker_stopping(w)) {
    uint64_t now = sp_mono_ns();
    if (ivl_roll(&c->ivl, now) && hist_writer_flush(c->hist) != 0)
      sp_error("history flush failed: %s", strerror(errno));
    apply_windows(c, now);
    if (c->eo) retry_pending(c);
    int timeout = c->eo && any_pending(c) ? CONSUMER_PENDING_POLL_MS : CONSUMER_POLL_MS;
    int n = 0;
    rd_kafka_message_t *m = rd_kafka_consumer_poll(c->rk, timeout);
    while (m) {
      c->batch[n] = m;
      c->batch_gen[n++] = c->generation;
      if (n == CONSUMER_BATCH_MAX) break;
      m = rd_kafka_consumer_poll(c->rk, 0);
    }
    if (n) process_batch(c, n);
    report_positions(c, 0);
  }
}

int consumer_run(worker *w) {
  static consumer c; /* lives as long as the process; its callbacks point here */
  memset(&c, 0, sizeof c);
  c.w = w;
  c.bug = w->spec.bug == WBUG_COMMIT_BEFORE_PROCESS;
  c.eo = w->spec.semantics == SEM_EXACTLY_ONCE && !c.bug;
  int status = 1;
  static const char *const tags[] = {"e2e", "e2e-uncorrected"};
  ivl_init(&c.ivl, w, tags, 2, TAG_E2E);
  part_of(&c, w->spec.partitions > 0 ? w->spec.partitions - 1 : 0);
  c.hist = hist_writer_open(w->spec.history_path, HIST_KIND_CONSUMER, w->spec.index);
  if (!c.hist) {
    worker_fail(w, "cannot open history %s: %s", w->spec.history_path, strerror(errno));
    goto out;
  }
  mark(&c, HIST_READER_START, -1, -1, sem_code(&c));
  hist_writer_flush(c.hist);
  if (c.bug) sp_warn("TEST MODE: commits before processing while claiming exactly-once");
  if (consumer_connect(&c) != 0) goto out;
  consumer_loop(&c);
  /* finish: commit what was processed, leave the group (the revoke
   * callback releases the effect stores), write the END record */
  if (!atomic_load(&w->orphaned)) {
    if (w->spec.semantics != SEM_AT_MOST_ONCE && !c.bug) commit_positions(&c);
    report_positions(&c, 1);
  }
  rd_kafka_consumer_close(c.rk);
  for (int32_t p = 0; p < c.n_parts; p++) effects_release(&c.parts[p].fx);
  ivl_finish(&c.ivl);
  mark(&c, HIST_READER_END, -1, -1, 0);
  status = hist_writer_close(c.hist) == 0 ? 0 : 1;
  c.hist = NULL;
  if (status) sp_error("history %s: %s", w->spec.history_path, strerror(errno));
  wmsg done = {.type = WMSG_DONE};
  worker_snapshot(w, &done.stats);
  worker_send(w, &done);
  sp_info("done: consumed %" PRIu64 ", skipped %" PRIu64 ", errors %" PRIu64, done.stats.consumed,
          done.stats.skipped, done.stats.errors);
  if (atomic_load(&w->orphaned)) status = 1;
out:
  ivl_finish(&c.ivl);
  if (c.hist) hist_writer_close(c.hist);
  if (c.rk) rd_kafka_destroy(c.rk);
  for (int32_t p = 0; p < c.n_parts; p++) effects_release(&c.parts[p].fx);
  free(c.parts);
  return status;
}
