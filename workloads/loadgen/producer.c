/* producer.c: the open-loop producer worker.
 *
 * Message k of logical producer i is intended at t0 + schedule_intended_ns(i,
 * n, k) (schedule.h). The send loop sleeps until that time if it is early
 * and sends at once if it is late: a producer that falls behind never moves
 * its schedule, so the latency measured from the intended time (corrected)
 * includes every stall of the client or the broker, while the latency from
 * the actual send (uncorrected) is what a closed-loop tool would report.
 *
 * Each message carries its identity (identity.h): writer id, sequence, key,
 * intended and actual send time, event time, topic, checksum, padded to a
 * size from the workload's distribution. A full client queue
 * (RD_KAFKA_RESP_ERR__QUEUE_FULL) blocks the loop: it waits and retries,
 * re-stamping the actual send time, while the schedule keeps running.
 *
 * Delivery reports are served by a dedicated thread blocked in
 * rd_kafka_poll, so an acknowledgement is timed when librdkafka hands it
 * over, never delayed by the send loop's sleeps. That thread owns the
 * producer's history (ACK/NACK records) and the publish histograms:
 *
 *   publish              ack - intended   (corrected)
 *   publish-uncorrected  ack - sent
 *   publish-delay        sent - intended  (send thread: how far behind it ran)
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "history.h"
#include "identity.h"
#include "keys.h"
#include "log.h"
#include "mem.h"
#include "payload.h"
#include "rng.h"
#include "schedule.h"
#include "sizes.h"
#include "eventtime.h"
#include "worker.h"

#define PRODUCER_IDLE_CHECK_NS 10000000ull    /* re-check stop/commands while idle */
#define PRODUCER_QUEUE_FULL_WAIT_NS 100000ull /* retry period on a full client queue */

enum { TAG_PUBLISH = 0, TAG_PUBLISH_UNCORRECTED = 1 };
enum { TAG_PUBLISH_DELAY = 0 };

typedef struct producer {
  worker *w;
  rd_kafka_t *rk;
  rd_kafka_topic_t *rkt;
  hist_writer *hist; /* owned by the delivery thread while it runs */
  ivl_rec send_ivl, dr_ivl;
  pthread_t dr_thread;
  atomic_int dr_stop;
  int dr_started;
  schedule sched;
  key_gen keys;
  rng key_rng, size_rng, payload_rng, event_rng, clock_rng;
  payload_src payload;
  int64_t skew_ms;
  worker_clock clock;
  uint8_t *buf;
  uint64_t seq; /* messages handed to the client by this writer */
  uint64_t max_lag_ns;
} producer;

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

/* Delivery report (delivery thread): one ACK or NACK record, and the
 * publish latencies, timed now. The identity fields come straight from the
 * payload librdkafka hands back (layout in identity.h). */
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk;
  producer *p = opaque;
  worker *w = p->w;
  uint64_t now = sp_mono_ns();
  ivl_roll(&p->dr_ivl, now);
  const uint8_t *pl = m->payload;
  if (!pl || m->len < IDENTITY_BYTES) return; /* not ours: impossible */
  hist_record r = {0};
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
    r.offset = m->offset;
    ivl_record(&p->dr_ivl, TAG_PUBLISH, (int64_t)(now - r.t_intended_ns));
    ivl_record(&p->dr_ivl, TAG_PUBLISH_UNCORRECTED, (int64_t)(now - r.t_sent_ns));
    atomic_fetch_add_explicit(&w->acked, 1, memory_order_relaxed);
  } else {
    r.type = HIST_NACK;
    r.offset = -1;
    r.err = m->err;
    atomic_fetch_add_explicit(&w->nacked, 1, memory_order_relaxed);
    static uint64_t logged;
    if (logged++ < 5) sp_warn("delivery failed: %s", rd_kafka_err2str(m->err));
  }
  if (hist_writer_append(p->hist, &r) != 0) sp_error("history write failed: %s", strerror(errno));
}

/* The delivery thread: serves delivery reports until told to stop, closes
 * its latency interval every second and flushes the history with it. */
static void *delivery_thread(void *arg) {
  producer *p = arg;
  while (!atomic_load(&p->dr_stop)) {
    rd_kafka_poll(p->rk, 50);
    if (ivl_roll(&p->dr_ivl, sp_mono_ns()) && hist_writer_flush(p->hist) != 0)
      sp_error("history flush failed: %s", strerror(errno));
  }
  rd_kafka_poll(p->rk, 0);
  return NULL;
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
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!p->rk) {
    worker_fail(w, "cannot create the producer: %s", err);
    return -1;
  }
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
  if (atomic_exchange(&w->clock_changed, 0)) p->clock = w->clock;
  pthread_mutex_unlock(&w->cmd_mu);
}

/* Event time of a message sent at sent_ns: the workload's disorder, then a
 * clock fault if one is in force. */
static int64_t producer_event_time(producer *p, uint64_t sent_ns) {
  worker *w = p->w;
  int64_t wall_ms = (int64_t)((w->t0_wall_ns + (sent_ns - w->t0_mono_ns)) / 1000000ull);
  int64_t t = event_time_next(&w->wl.event_time, &p->event_rng, wall_ms, p->skew_ms, NULL);
  if (p->clock.on) {
    t += p->clock.skew_ms;
    if (p->clock.late_fraction > 0 && rng_double(&p->clock_rng) < p->clock.late_fraction)
      t -= (int64_t)rng_below(&p->clock_rng, (uint32_t)(p->clock.late_max_ms + 1));
  }
  return t;
}

/* Sends one message intended at intended_ns. Returns 0 when it was handed
 * to the client, 1 when the worker is stopping (not sent), -1 on a fatal
 * client error. */
static int producer_send(producer *p, uint64_t intended_ns) {
  worker *w = p->w;
  const workload *wl = &w->wl;
  uint32_t size = sizes_draw(&wl->message_size, &p->size_rng);
  uint32_t key = keys_next(&p->keys, &p->key_rng);
  char kbuf[KEY_BYTES];
  size_t klen = keys_format(key, kbuf);
  payload_fill(&p->payload, &p->payload_rng, p->buf, size);
  identity id = {.writer = w->spec.id, .seq = p->seq, .key = key, .size = size,
                 .intended_ns = intended_ns, .topic = w->spec.topic_index};
  for (;;) {
    uint64_t sent = sp_mono_ns();
    id.sent_ns = sent;
    id.event_time_ms = producer_event_time(p, sent);
    identity_encode(&id, p->buf, size);
    if (rd_kafka_produce(p->rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, p->buf, size,
                         klen ? kbuf : NULL, klen, NULL) == 0) {
      uint64_t lag = sent > intended_ns ? sent - intended_ns : 0;
      ivl_roll(&p->send_ivl, sent);
      ivl_record(&p->send_ivl, TAG_PUBLISH_DELAY, (int64_t)lag);
      if (lag > p->max_lag_ns) {
        p->max_lag_ns = lag;
        atomic_store_explicit(&w->behind_us, lag / 1000, memory_order_relaxed);
      }
      if (schedule_is_late(&wl->schedule_tolerance, intended_ns, sent))
        atomic_fetch_add_explicit(&w->late, 1, memory_order_relaxed);
      atomic_fetch_add_explicit(&w->sent, 1, memory_order_relaxed);
      atomic_fetch_add_explicit(&w->bytes, size, memory_order_relaxed);
      p->seq++;
      return 0;
    }
    rd_kafka_resp_err_t e = rd_kafka_last_error();
    if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      worker_fail(w, "produce to %s failed: %s", w->spec.topic, rd_kafka_err2str(e));
      return -1;
    }
    /* The client's queue is full: wait for deliveries to make room. The
     * schedule keeps running; the corrected latency will show the stall. */
    uint64_t now = sp_mono_ns();
    ivl_roll(&p->send_ivl, now);
    if (worker_stopping(w)) return 1;
    sp_sleep_until_ns(now + PRODUCER_QUEUE_FULL_WAIT_NS);
  }
}

/* The send loop, from go to stop. Returns 0 or -1 (fatal). */
static int producer_loop(producer *p) {
  worker *w = p->w;
  uint32_t i = w->spec.index, n = w->spec.n_producers;
  uint64_t t0 = w->t0_mono_ns, now = sp_mono_ns();
  /* A restarted incarnation resumes at the schedule's present: what was
   * intended while no process was alive was never sent by anyone. */
  uint64_t k = now > t0 ? schedule_producer_intended_before(&p->sched, i, n, now - t0) : 0;
  if (k) sp_info("resuming the schedule at message %" PRIu64 " (%.3f s after t0)", k,
                 (double)(now - t0) / 1e9);
  while (!worker_stopping(w)) {
    if (atomic_load_explicit(&w->rates_pending, memory_order_relaxed) ||
        atomic_load_explicit(&w->clock_changed, memory_order_relaxed))
      producer_take_commands(p);
    uint64_t rel = schedule_intended_ns(&p->sched, i, n, k);
    uint64_t end = atomic_load_explicit(&w->end_ns, memory_order_relaxed);
    if (rel != SCHEDULE_NEVER && end && t0 + rel >= end) rel = SCHEDULE_NEVER; /* load is over */
    now = sp_mono_ns();
    if (rel == SCHEDULE_NEVER || t0 + rel > now) {
      ivl_roll(&p->send_ivl, now);
      uint64_t wake = now + PRODUCER_IDLE_CHECK_NS;
      if (rel != SCHEDULE_NEVER && t0 + rel < wake) wake = t0 + rel;
      sp_sleep_until_ns(wake);
      continue;
    }
    uint64_t stop_at = atomic_load_explicit(&w->stop_at_ns, memory_order_relaxed);
    if (stop_at && t0 + rel >= stop_at) break; /* the run ended before this one was due */
    int rc = producer_send(p, t0 + rel);
    if (rc < 0) return -1;
    if (rc > 0) break;
    k++;
  }
  return 0;
}

/* After the loop: waits for outstanding deliveries (bounded by the flush
 * timeout), purges what is left (those come back as NACKs: indeterminate),
 * and stops the delivery thread. */
static void producer_drain(producer *p) {
  worker *w = p->w;
  uint64_t deadline = sp_mono_ns() + (uint64_t)(w->spec.flush_timeout_s * 1e9);
  while (rd_kafka_outq_len(p->rk) > 0 && sp_mono_ns() < deadline &&
         !atomic_load(&w->orphaned))
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

/* Seeds the per-producer generators from the workload seed and the logical
 * producer number, so each producer's keys, sizes and payloads repeat with
 * the seed (a restarted incarnation starts its streams afresh). */
static int producer_prepare(producer *p) {
  worker *w = p->w;
  const workload *wl = &w->wl;
  char err[512];
  uint64_t i = w->spec.index;
  rng_for(&p->key_rng, wl->seed, RNG_STREAM_KEYS, i);
  rng_for(&p->size_rng, wl->seed, RNG_STREAM_SIZES, i);
  rng_for(&p->payload_rng, wl->seed, RNG_STREAM_PAYLOAD, i);
  rng_for(&p->event_rng, wl->seed, RNG_STREAM_EVENT_TIME, i);
  rng_for(&p->clock_rng, wl->seed, RNG_STREAM_EVENT_TIME, i + 0x100000000ull);
  keys_init(&p->keys, wl->key_distribution, wl->key_count, wl->zipf_exponent,
            (uint32_t)(i * 7919u % (wl->key_count ? wl->key_count : 1)));
  p->skew_ms = event_time_skew_ms(&wl->event_time, wl->seed, (uint32_t)i);
  if (payload_src_init(&p->payload, wl, err, sizeof err) != 0) {
    worker_fail(w, "payload: %s", err);
    return -1;
  }
  p->buf = sp_malloc(sizes_max(&wl->message_size));
  schedule_init(&p->sched, &wl->rate_profile);
  for (size_t r = 0; r < w->spec.n_rates; r++)
    schedule_retarget(&p->sched, w->spec.rates[r].at_ns, w->spec.rates[r].rate);
  p->hist = hist_writer_open(w->spec.history_path, HIST_KIND_PRODUCER, w->spec.index);
  if (!p->hist) {
    worker_fail(w, "cannot open history %s: %s", w->spec.history_path, strerror(errno));
    return -1;
  }
  return 0;
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
  if (p.rkt) rd_kafka_topic_destroy(p.rkt);
  if (p.rk) rd_kafka_destroy(p.rk);
  schedule_free(&p.sched);
  payload_src_free(&p.payload);
  free(p.buf);
  return status;
}
