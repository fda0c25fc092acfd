/* producer.c: the open-loop producer worker.
 *
 * Message k of logical producer i is intended at t0 + schedule_intended_ns(i,
 * n, k) (schedule.h). The send loop sleeps until that time if it is early
 * and sends at once if it is late: a producer that falls behind never moves
 * its schedule, so the latency measured from the intended time (corrected)
 * includes every stall of the client or the broker, while the latency from
 * the actual send (uncorrected) is what a closed-loop tool would report.
 *
 * Each message carries its identity (identity.h, built by msgbuild.h):
 * writer id, sequence, key, intended and actual send time, event time,
 * topic, checksum, padded to a size from the workload's distribution.
 *
 * Hand-off: every message that is due is built and handed to librdkafka in
 * one rd_kafka_produce_batch call (at most PRODUCER_BATCH_MAX messages or
 * PRODUCER_BATCH_BYTES bytes), all stamped with one send time taken just
 * before the call. At low rates a batch is one message; when the schedule
 * runs ahead of the client the batching keeps the per-message cost low.
 * A full client queue (RD_KAFKA_RESP_ERR__QUEUE_FULL) blocks the loop: it
 * waits and retries the rest of the batch, re-stamping its send time, while
 * the schedule keeps running.
 *
 * Delivery reports come as events on a dedicated thread blocked in
 * rd_kafka_queue_poll, so an acknowledgement is timed when librdkafka hands
 * it over (one clock reading per delivery event: every message of one
 * produce response is acknowledged at the same instant), never delayed by
 * the send loop's sleeps. That thread owns the producer's history
 * (ACK/NACK records) and the publish histograms:
 *
 *   publish              ack - intended   (corrected)
 *   publish-uncorrected  ack - sent
 *   publish-delay        sent - intended  (send thread: how far behind it ran)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "history.h"
#include "log.h"
#include "mem.h"
#include "msgbuild.h"
#include "schedule.h"
#include "worker.h"

#define PRODUCER_IDLE_CHECK_NS 10000000ull    /* re-check stop/commands while idle */
#define PRODUCER_QUEUE_FULL_WAIT_NS 100000ull /* retry period on a full client queue */
#define PRODUCER_BATCH_MAX 64
#define PRODUCER_BATCH_BYTES (1u << 20)

enum { TAG_PUBLISH = 0, TAG_PUBLISH_UNCORRECTED = 1 };
enum { TAG_PUBLISH_DELAY = 0 };

typedef struct producer {
  worker *w;
  rd_kafka_t *rk;
  rd_kafka_topic_t *rkt;
  rd_kafka_queue_t *dr_queue;
  hist_writer *hist; /* owned by the delivery thread while it runs */
  ivl_rec send_ivl, dr_ivl;
  pthread_t dr_thread;
  atomic_int dr_stop;
  int dr_started;
  int acks0; /* acks=0: the client never learns an offset */
  schedule sched;
  msg_builder mb;
  uint8_t *arena; /* the current batch's payloads */
  size_t arena_bytes;
  msg_built batch[PRODUCER_BATCH_MAX];
  rd_kafka_message_t rkm[PRODUCER_BATCH_MAX];
  uint64_t seq; /* messages handed to the client by this writer */
  uint64_t max_lag_ns;
} producer;

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

/* ---- delivery ----------------------------------------------------------- */

/* One delivery event (delivery thread): an ACK or NACK record per message
 * and the publish latencies, all timed at `now`. The identity fields come
 * straight from the payload librdkafka hands back (layout: identity.h). */
static void on_delivery_event(producer *p, rd_kafka_event_t *ev, uint64_t now) {
  worker *w = p->w;
  ivl_roll(&p->dr_ivl, now);
  uint64_t acked = 0, nacked = 0;
  const rd_kafka_message_t *m;
  while ((m = rd_kafka_event_message_next(ev))) {
    const uint8_t *pl = m->payload;
    if (!pl || m->len < IDENTITY_BYTES) continue; /* not ours: impossible */
    hist_record r;
    r.flags = 0;
    r.topic = (uint16_t)w->spec.topic_index;
    r.partition = m->partition;
    r.writer = le32(pl + 4);
    r.seq = le64(pl + 8);
    r.key = le32(pl + 16);
    r.t_intended_ns = le64(pl + 24);
    r.t_sent_ns = le64(pl + 32);
    r.actor = w->spec.id;
    r.t_ns = now;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      r.type = HIST_ACK;
      r.err = 0;
      r.offset = p->acks0 ? -1 : m->offset;
      ivl_record(&p->dr_ivl, TAG_PUBLISH, (int64_t)(now - r.t_intended_ns));
      ivl_record(&p->dr_ivl, TAG_PUBLISH_UNCORRECTED, (int64_t)(now - r.t_sent_ns));
      acked++;
    } else {
      r.type = HIST_NACK;
      r.offset = -1;
      r.err = m->err;
      if (nacked++ == 0) sp_warn("delivery failed: %s", rd_kafka_err2str(m->err));
    }
    if (hist_writer_append(p->hist, &r) != 0) sp_error("history write failed: %s", strerror(errno));
  }
  if (acked) atomic_fetch_add_explicit(&w->acked, acked, memory_order_relaxed);
  if (nacked) atomic_fetch_add_explicit(&w->nacked, nacked, memory_order_relaxed);
}

/* The delivery thread: serves delivery events until told to stop, closes
 * its latency interval every second and flushes the history with it. */
static void *delivery_thread(void *arg) {
  producer *p = arg;
  for (;;) {
    int stopping = atomic_load(&p->dr_stop);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(p->dr_queue, stopping ? 0 : 50);
    uint64_t now = sp_mono_ns();
    if (ev) {
      if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_DR) on_delivery_event(p, ev, now);
      else if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_ERROR)
        sp_warn("client error: %s", rd_kafka_event_error_string(ev));
      rd_kafka_event_destroy(ev);
    } else if (stopping) {
      break;
    }
    if (ivl_roll(&p->dr_ivl, now) && hist_writer_flush(p->hist) != 0)
      sp_error("history flush failed: %s", strerror(errno));
  }
  return NULL;
}

/* ---- set-up ------------------------------------------------------------- */

/* 1 when the spec sets acks (or request.required.acks) to 0. */
static int spec_acks0(const worker_spec *s) {
  int acks0 = 0;
  for (size_t i = 0; i < s->rdkafka.n; i++)
    if (!strcmp(s->rdkafka.keys[i], "acks") || !strcmp(s->rdkafka.keys[i], "request.required.acks"))
      acks0 = !strcmp(s->rdkafka.values[i], "0");
  return acks0;
}

/* Creates the client and waits until the topic's partitions are known, so
 * the first scheduled message is not delayed by a metadata round trip. */
static int producer_connect(producer *p) {
  worker *w = p->w;
  char err[512];
  rd_kafka_conf_t *conf = worker_rdkafka_conf(w, err, sizeof err);
  if (!conf) {
    worker_fail(w, "%s", err);
    return -1;
  }
  rd_kafka_conf_set_opaque(conf, p);
  rd_kafka_conf_set_events(conf, RD_KAFKA_EVENT_DR | RD_KAFKA_EVENT_ERROR);
  p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!p->rk) {
    worker_fail(w, "cannot create the producer: %s", err);
    return -1;
  }
  p->dr_queue = rd_kafka_queue_get_main(p->rk);
  p->rkt = rd_kafka_topic_new(p->rk, w->spec.topic, NULL);
  uint64_t deadline = sp_mono_ns() + 30000000000ull;
  rd_kafka_resp_err_t last = RD_KAFKA_RESP_ERR_NO_ERROR;
  while (!worker_stopping(w)) {
    const rd_kafka_metadata_t *md = NULL;
    last = rd_kafka_metadata(p->rk, 0, p->rkt, &md, 2000);
    int ok = last == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1 && !md->topics[0].err &&
             md->topics[0].partition_cnt > 0;
    if (md) rd_kafka_metadata_destroy(md);
    if (ok) return 0;
    if (sp_mono_ns() > deadline) break;
    usleep(100000);
  }
  worker_fail(w, "topic %s not available from %s: %s", w->spec.topic, w->spec.bootstrap,
              last ? rd_kafka_err2str(last) : "no partitions");
  return -1;
}

/* Applies rate changes and clock faults the control thread received. */
static void producer_take_commands(producer *p) {
  worker *w = p->w;
  pthread_mutex_lock(&w->cmd_mu);
  for (size_t i = 0; i < w->n_new_rates; i++)
    if (schedule_retarget(&p->sched, w->new_rates[i].at_ns, w->new_rates[i].rate) != 0)
      sp_warn("rate change to %.1f msg/s at %.3f s refused by the schedule", w->new_rates[i].rate,
              (double)w->new_rates[i].at_ns / 1e9);
  w->n_new_rates = 0;
  atomic_store(&w->rates_pending, 0);
  if (atomic_exchange(&w->clock_changed, 0))
    p->mb.clock = (msg_clock_fault){w->clock.on, w->clock.skew_ms, w->clock.late_fraction,
                                    w->clock.late_max_ms};
  pthread_mutex_unlock(&w->cmd_mu);
}

/* ---- sending ------------------------------------------------------------ */

/* Hands batch[from, n) to the client, stamped `sent`. Returns how many
 * were taken (a prefix: librdkafka refuses the rest once its queue is
 * full), or -1 on a fatal error. */
static int hand_off(producer *p, int from, int n, uint64_t sent) {
  for (int i = from; i < n; i++) {
    msg_built *m = &p->batch[i];
    msg_stamp(&p->mb, m, sent);
    p->rkm[i] = (rd_kafka_message_t){.payload = m->buf, .len = m->id.size,
                                     .key = m->key_len ? m->key : NULL, .key_len = m->key_len};
  }
  int taken = rd_kafka_produce_batch(p->rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY,
                                     &p->rkm[from], n - from);
  for (int i = from + taken; i < n; i++)
    if (p->rkm[i].err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      worker_fail(p->w, "produce to %s failed: %s", p->w->spec.topic, rd_kafka_err2str(p->rkm[i].err));
      return -1;
    }
  return taken;
}

/* Accounts for batch[from, to) just handed over at `sent`. */
static void account(producer *p, int from, int to, uint64_t sent) {
  worker *w = p->w;
  uint64_t late = 0, bytes = 0;
  ivl_roll(&p->send_ivl, sent);
  for (int i = from; i < to; i++) {
    uint64_t intended = p->batch[i].id.intended_ns;
    uint64_t lag = sent > intended ? sent - intended : 0;
    ivl_record(&p->send_ivl, TAG_PUBLISH_DELAY, (int64_t)lag);
    if (lag > p->max_lag_ns) p->max_lag_ns = lag;
    late += (uint64_t)schedule_is_late(&w->wl.schedule_tolerance, intended, sent);
    bytes += p->batch[i].id.size;
  }
  atomic_store_explicit(&w->behind_us, p->max_lag_ns / 1000, memory_order_relaxed);
  if (late) atomic_fetch_add_explicit(&w->late, late, memory_order_relaxed);
  atomic_fetch_add_explicit(&w->sent, (uint64_t)(to - from), memory_order_relaxed);
  atomic_fetch_add_explicit(&w->bytes, bytes, memory_order_relaxed);
}

/* Sends the built batch [0, n). While the client's queue is full it waits
 * and retries the rest, re-stamped: the schedule keeps running, the
 * corrected latency will show the stall. *handed says how many were handed
 * over (a prefix). Returns 0 when all were, 1 when the worker is stopping
 * (the rest is dropped: never sent), -1 on a fatal error. */
static int send_batch(producer *p, int n, int *handed) {
  int done = 0;
  *handed = 0;
  for (;;) {
    uint64_t sent = sp_mono_ns();
    int taken = hand_off(p, done, n, sent);
    if (taken < 0) return -1;
    account(p, done, done + taken, sent);
    done += taken;
    *handed = done;
    if (done == n) return 0;
    uint64_t now = sp_mono_ns();
    ivl_roll(&p->send_ivl, now);
    if (worker_stopping(p->w)) return 1;
    sp_sleep_until_ns(now + PRODUCER_QUEUE_FULL_WAIT_NS);
  }
}

/* At a clean stop: the messages due before the load's end that this
 * producer had not built yet (it was behind when the stop came) are never
 * sent. Each counts as late, so the run's schedule check sees them instead
 * of a quiet gap between "intended" and "sent". k: the next message. */
static void producer_count_abandoned(producer *p, uint64_t k) {
  worker *w = p->w;
  uint64_t end = atomic_load_explicit(&w->end_ns, memory_order_relaxed);
  uint64_t stop_at = atomic_load_explicit(&w->stop_at_ns, memory_order_relaxed);
  if (stop_at && (!end || stop_at < end)) end = stop_at;
  if (!end || end <= w->t0_mono_ns) return;
  uint64_t due = schedule_producer_intended_before(&p->sched, w->spec.index, w->spec.n_producers,
                                                   end - w->t0_mono_ns);
  if (due <= k) return;
  atomic_fetch_add_explicit(&w->late, due - k, memory_order_relaxed);
  sp_warn("stopped %" PRIu64 " message(s) behind the schedule: never sent, counted late", due - k);
}

/* The send loop, from go to stop. Returns 0 or -1 (fatal). */
static int producer_loop(producer *p) {
  worker *w = p->w;
  uint32_t i = w->spec.index, n = w->spec.n_producers;
  uint64_t t0 = w->t0_mono_ns, now = sp_mono_ns();
  uint32_t max_size = msg_builder_max_size(&p->mb);
  /* A restarted incarnation resumes at the schedule's present: what was
   * intended while no process was alive was never sent by anyone. */
  uint64_t k = now > t0 ? schedule_producer_intended_before(&p->sched, i, n, now - t0) : 0;
  if (k) sp_info("resuming the schedule at message %" PRIu64 " (%.3f s after t0)", k,
                 (double)(now - t0) / 1e9);
  while (!worker_stopping(w)) {
    if (atomic_load_explicit(&w->rates_pending, memory_order_relaxed) ||
        atomic_load_explicit(&w->clock_changed, memory_order_relaxed))
      producer_take_commands(p);
    uint64_t end = atomic_load_explicit(&w->end_ns, memory_order_relaxed);
    uint64_t stop_at = atomic_load_explicit(&w->stop_at_ns, memory_order_relaxed);
    if (stop_at && (!end || stop_at < end)) end = stop_at;
    now = sp_mono_ns();
    /* build every message that is due (up to a batch) */
    int nb = 0;
    size_t used = 0;
    uint64_t next_due = UINT64_MAX;
    while (nb < PRODUCER_BATCH_MAX && used + max_size <= p->arena_bytes) {
      uint64_t rel = schedule_intended_ns(&p->sched, i, n, k);
      if (rel == SCHEDULE_NEVER || (end && t0 + rel >= end)) break; /* nothing more, ever */
      if (t0 + rel > now) {
        next_due = t0 + rel;
        break;
      }
      msg_built *m = &p->batch[nb];
      m->buf = p->arena + used;
      msg_build(&p->mb, p->seq + (uint64_t)nb, t0 + rel, m);
      used += m->id.size;
      nb++;
      k++;
    }
    if (nb) {
      int handed;
      int rc = send_batch(p, nb, &handed);
      p->seq += (uint64_t)handed; /* WRITER_END counts exactly what the client got */
      if (rc < 0) return -1;
      if (rc > 0) break;
      continue;
    }
    ivl_roll(&p->send_ivl, now);
    uint64_t wake = now + PRODUCER_IDLE_CHECK_NS;
    if (next_due < wake) wake = next_due;
    sp_sleep_until_ns(wake);
  }
  producer_count_abandoned(p, k);
  return 0;
}

/* After the loop: waits for outstanding deliveries (bounded by the flush
 * timeout), purges what is left (those come back as NACKs: indeterminate),
 * and stops the delivery thread. */
static void producer_drain(producer *p) {
  worker *w = p->w;
  uint64_t deadline = sp_mono_ns() + (uint64_t)(w->spec.flush_timeout_s * 1e9);
  while (rd_kafka_outq_len(p->rk) > 0 && sp_mono_ns() < deadline && !atomic_load(&w->orphaned))
    usleep(5000);
  int left = rd_kafka_outq_len(p->rk);
  if (left > 0) {
    sp_warn("%d messages still unacknowledged after %.1f s: purging (reported as failed)", left,
            w->spec.flush_timeout_s);
    rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    uint64_t purge_deadline = sp_mono_ns() + 5000000000ull;
    while (rd_kafka_outq_len(p->rk) > 0 && sp_mono_ns() < purge_deadline) usleep(5000);
  }
  atomic_store(&p->dr_stop, 1);
  if (p->dr_started) pthread_join(p->dr_thread, NULL);
  p->dr_started = 0;
}

/* Appends a WRITER_START or WRITER_END record and writes it out at once. */
static void producer_mark(producer *p, uint8_t type) {
  worker *w = p->w;
  hist_record r = {.type = type, .topic = (uint16_t)w->spec.topic_index, .partition = -1,
                   .offset = -1, .writer = w->spec.id, .actor = w->spec.id,
                   .key = w->spec.index, .t_ns = sp_mono_ns()};
  if (type == HIST_WRITER_END) r.seq = p->seq;
  if (hist_writer_append(p->hist, &r) != 0 || hist_writer_flush(p->hist) != 0)
    sp_error("history write failed: %s", strerror(errno));
}

/* Messages, schedule (with the run's rate changes so far) and history. */
static int producer_prepare(producer *p) {
  worker *w = p->w;
  char err[512];
  if (msg_builder_init(&p->mb, &w->wl, w->spec.index, w->spec.id, w->spec.topic_index, err,
                       sizeof err) != 0) {
    worker_fail(w, "payload: %s", err);
    return -1;
  }
  uint32_t max_size = msg_builder_max_size(&p->mb);
  p->arena_bytes = max_size > PRODUCER_BATCH_BYTES / PRODUCER_BATCH_MAX
                       ? (max_size > PRODUCER_BATCH_BYTES ? max_size : PRODUCER_BATCH_BYTES)
                       : (size_t)max_size * PRODUCER_BATCH_MAX;
  p->arena = sp_malloc(p->arena_bytes);
  schedule_init(&p->sched, &w->wl.rate_profile);
  for (size_t r = 0; r < w->spec.n_rates; r++)
    schedule_retarget(&p->sched, w->spec.rates[r].at_ns, w->spec.rates[r].rate);
  p->acks0 = spec_acks0(&w->spec);
  p->hist = hist_writer_open(w->spec.history_path, HIST_KIND_PRODUCER, w->spec.index);
  if (!p->hist) {
    worker_fail(w, "cannot open history %s: %s", w->spec.history_path, strerror(errno));
    return -1;
  }
  return 0;
}

int producer_run(worker *w) {
  static producer p; /* the histograms' owners live as long as the process */
  memset(&p, 0, sizeof p);
  p.w = w;
  int status = 1;
  static const char *const dr_tags[] = {"publish", "publish-uncorrected"};
  static const char *const send_tags[] = {"publish-delay"};
  ivl_init(&p.dr_ivl, w, dr_tags, 2, TAG_PUBLISH);
  ivl_init(&p.send_ivl, w, send_tags, 1, -1);
  if (producer_prepare(&p) != 0) goto out;
  producer_mark(&p, HIST_WRITER_START);
  if (producer_connect(&p) != 0) goto out;
  if (pthread_create(&p.dr_thread, NULL, delivery_thread, &p) != 0) {
    worker_fail(w, "cannot start the delivery thread");
    goto out;
  }
  p.dr_started = 1;
  wmsg ready = {.type = WMSG_READY};
  worker_send(w, &ready);
  if (worker_wait_go(w) == 0) {
    p.mb.t0_mono_ns = w->t0_mono_ns;
    p.mb.t0_wall_ns = w->t0_wall_ns;
    sp_info("load starts at t0 (in %.3f s)",
            (double)((int64_t)w->t0_mono_ns - (int64_t)sp_mono_ns()) / 1e9);
    if (producer_loop(&p) == 0) status = 0;
  } else {
    status = atomic_load(&w->orphaned) ? 1 : 0;
  }
  producer_drain(&p);
  ivl_finish(&p.send_ivl);
  ivl_finish(&p.dr_ivl);
  producer_mark(&p, HIST_WRITER_END);
  if (hist_writer_close(p.hist) != 0) {
    sp_error("history %s: %s", w->spec.history_path, strerror(errno));
    status = 1;
  }
  p.hist = NULL;
  wmsg done = {.type = WMSG_DONE};
  worker_snapshot(w, &done.stats);
  worker_send(w, &done);
  sp_info("done: sent %" PRIu64 ", acked %" PRIu64 ", failed %" PRIu64 ", late %" PRIu64
          ", max behind %.3f ms",
          done.stats.sent, done.stats.acked, done.stats.nacked, done.stats.late,
          (double)p.max_lag_ns / 1e6);
out:
  if (p.dr_started) {
    atomic_store(&p.dr_stop, 1);
    pthread_join(p.dr_thread, NULL);
  }
  ivl_finish(&p.send_ivl);
  ivl_finish(&p.dr_ivl);
  if (p.hist) hist_writer_close(p.hist);
  if (p.dr_queue) rd_kafka_queue_destroy(p.dr_queue);
  if (p.rkt) rd_kafka_topic_destroy(p.rkt);
  if (p.rk) rd_kafka_destroy(p.rk);
  schedule_free(&p.sched);
  msg_builder_free(&p.mb);
  free(p.arena);
  return status;
}
