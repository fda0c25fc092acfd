/* bench_offer: how fast can one streamproof producer offer messages?
 *
 *   bench_offer [WORKLOAD.yaml] [--seconds S] [--runs N] [--batch B] [--producers P]
 *
 * Measures the producer worker's send path exactly as producer.c runs it,
 * for a schedule far beyond what it can keep (so it never sleeps):
 * schedule lookup, message build (size, key, padding, event time),
 * identity stamp (CRC-32C), rd_kafka_produce_batch of up to B messages
 * (default 64, the worker's batch) and the publish-delay histogram, into a
 * librdkafka producer whose broker never answers: every message is
 * accepted into the client's queue and nothing competes for the CPU (no
 * broker, no network thread work). The queue is purged every 100 ms (no
 * delivery reports are requested, so librdkafka frees the messages there
 * and then), as a real run frees each message after its acknowledgement. That is the rate the harness itself can
 * offer; what a real broker accepts is a property of the broker (see
 * harness/run/README.md for end-to-end figures).
 *
 * It also measures the delivery side the worker pays per acknowledged
 * message: an ACK history record (encode + buffered write) and two
 * latency histograms.
 *
 * With --producers P, P producers offer at once (threads here; separate
 * processes in a run), each with its own client, as producersPerTopic: P
 * does: their summed rate is what the harness offers on this machine.
 *
 * Prints one line per run and the median. Default workload: 100-byte
 * messages, random payload, no keys. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "clock.h"
#include "hist.h"
#include "history.h"
#include "msgbuild.h"
#include "schedule.h"
#include "workload.h"

#define MAX_BATCH 1024

static const char *default_workload =
    "name: bench\ntopics: 1\npartitionsPerTopic: 8\nproducersPerTopic: 1\n"
    "subscriptionsPerTopic: 1\nconsumerPerSubscription: 1\nmessageSize: 100\n"
    "producerRate: 100000000\nduration_s: 60\n";

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* One producer: offers for `seconds`; returns messages per second. */
static double offer_run(const workload *wl, double seconds, int batch_max, uint32_t producer) {
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  /* a broker that never answers: the messages stay queued in the client */
  rd_kafka_conf_set(conf, "bootstrap.servers", "127.0.0.1:9", err, sizeof err);
  rd_kafka_conf_set(conf, "queue.buffering.max.messages", "2147483647", err, sizeof err);
  rd_kafka_conf_set(conf, "queue.buffering.max.kbytes", "2147483647", err, sizeof err);
  rd_kafka_conf_set(conf, "message.timeout.ms", "0", err, sizeof err);
  rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) {
    fprintf(stderr, "bench_offer: %s\n", err);
    exit(1);
  }
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, "bench", NULL);
  msg_builder mb;
  if (msg_builder_init(&mb, wl, producer, producer + 1, 0, err, sizeof err) != 0) {
    fprintf(stderr, "bench_offer: %s\n", err);
    exit(1);
  }
  schedule sched;
  schedule_init(&sched, &wl->rate_profile);
  uint32_t max_size = msg_builder_max_size(&mb);
  uint8_t *arena = malloc((size_t)max_size * (size_t)batch_max);
  msg_built *batch = calloc(MAX_BATCH, sizeof *batch);
  rd_kafka_message_t *rkm = calloc(MAX_BATCH, sizeof *rkm);
  sp_hist *delay = sp_hist_new();
  uint64_t t0 = sp_mono_ns();
  mb.t0_mono_ns = t0;
  mb.t0_wall_ns = sp_wall_ns();
  uint64_t end = t0 + (uint64_t)(seconds * 1e9), k = 0, seq = 0, sent = 0;
  uint64_t next_purge = t0 + 100000000ull;
  for (;;) {
    uint64_t now = sp_mono_ns();
    if (now >= end) break;
    if (now >= next_purge) { /* free what was queued (a real run frees after each ack) */
      rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE);
      next_purge = now + 100000000ull;
    }
    int n = 0;
    for (; n < batch_max; n++, k++) { /* everything is due: the schedule is far ahead */
      uint64_t rel = schedule_intended_ns(&sched, 0, 1, k);
      batch[n].buf = arena + (size_t)n * max_size;
      msg_build(&mb, seq + (uint64_t)n, t0 + rel, &batch[n]);
    }
    uint64_t stamp = sp_mono_ns();
    for (int i = 0; i < n; i++) {
      msg_stamp(&mb, &batch[i], stamp);
      rkm[i] = (rd_kafka_message_t){.payload = batch[i].buf, .len = batch[i].id.size,
                                    .key = batch[i].key_len ? batch[i].key : NULL,
                                    .key_len = batch[i].key_len};
    }
    int taken = rd_kafka_produce_batch(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, rkm, n);
    for (int i = 0; i < taken; i++)
      sp_hist_record_ns(delay, (int64_t)(stamp > batch[i].id.intended_ns ? stamp - batch[i].id.intended_ns : 0));
    seq += (uint64_t)taken;
    sent += (uint64_t)taken;
    if (taken < n) {
      fprintf(stderr, "bench_offer: the client refused messages (%s)\n", rd_kafka_err2str(rkm[taken].err));
      exit(1);
    }
  }
  double rate = (double)sent / ((double)(sp_mono_ns() - t0) / 1e9);
  rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  sp_hist_free(delay);
  schedule_free(&sched);
  msg_builder_free(&mb);
  free(arena);
  free(batch);
  free(rkm);
  return rate;
}

typedef struct offer_job {
  const workload *wl;
  double seconds;
  int batch;
  uint32_t producer;
  double rate;
} offer_job;

static void *offer_thread(void *arg) {
  offer_job *j = arg;
  j->rate = offer_run(j->wl, j->seconds, j->batch, j->producer);
  return NULL;
}

/* P producers at once; returns their summed rate. */
static double offer_all(const workload *wl, double seconds, int batch, int producers) {
  pthread_t t[64];
  offer_job jobs[64];
  for (int i = 0; i < producers; i++) {
    jobs[i] = (offer_job){wl, seconds, batch, (uint32_t)i, 0};
    pthread_create(&t[i], NULL, offer_thread, &jobs[i]);
  }
  double sum = 0;
  for (int i = 0; i < producers; i++) {
    pthread_join(t[i], NULL);
    sum += jobs[i].rate;
  }
  return sum;
}

/* The harness's own part of the send path, without librdkafka: schedule
 * lookup, build, stamp, publish-delay histogram. Returns ns per message. */
static double build_run(const workload *wl, size_t n) {
  char err[512];
  msg_builder mb;
  if (msg_builder_init(&mb, wl, 0, 1, 0, err, sizeof err) != 0) exit(1);
  schedule sched;
  schedule_init(&sched, &wl->rate_profile);
  uint8_t *buf = malloc(msg_builder_max_size(&mb));
  sp_hist *delay = sp_hist_new();
  msg_built m = {.buf = buf};
  uint64_t t0 = sp_mono_ns(), crc = 0;
  mb.t0_mono_ns = t0;
  mb.t0_wall_ns = sp_wall_ns();
  for (size_t k = 0; k < n; k++) {
    uint64_t intended = t0 + schedule_intended_ns(&sched, 0, 1, k);
    msg_build(&mb, k, intended, &m);
    uint64_t stamp = (k & 63) ? t0 + k : sp_mono_ns(); /* one clock reading per batch of 64 */
    msg_stamp(&mb, &m, stamp);
    sp_hist_record_ns(delay, (int64_t)(stamp > intended ? stamp - intended : 0));
    crc += buf[52]; /* keep the encoding observable */
  }
  double ns = (double)(sp_mono_ns() - t0) / (double)n;
  if (crc == 1) printf(" ");
  free(buf);
  sp_hist_free(delay);
  schedule_free(&sched);
  msg_builder_free(&mb);
  return ns;
}

/* The delivery side per acknowledged message: returns ns per message. */
static double ack_run(size_t n) {
  char path[] = "/tmp/bench_offer-XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  unlink(path);
  hist_writer *w = hist_writer_open(path, HIST_KIND_PRODUCER, 0);
  sp_hist *pub = sp_hist_new(), *unc = sp_hist_new();
  uint8_t payload[100] = {0};
  uint64_t t0 = sp_mono_ns();
  for (size_t i = 0; i < n; i++) {
    uint64_t now = t0 + i * 500; /* what the delivery thread reads once per event */
    hist_record r = {.type = HIST_ACK, .topic = 0, .partition = (int32_t)(i & 7), .offset = (int64_t)i,
                     .seq = i, .writer = payload[4], .actor = 1, .key = 0xffffffffu,
                     .t_intended_ns = now - 2000000 - (i & 1023), .t_sent_ns = now - 1000000, .t_ns = now};
    sp_hist_record_ns(pub, (int64_t)(now - r.t_intended_ns));
    sp_hist_record_ns(unc, (int64_t)(now - r.t_sent_ns));
    hist_writer_append(w, &r);
  }
  hist_writer_close(w);
  double ns = (double)(sp_mono_ns() - t0) / (double)n;
  unlink(path);
  sp_hist_free(pub);
  sp_hist_free(unc);
  return ns;
}

int main(int argc, char **argv) {
  const char *path = NULL;
  double seconds = 2;
  int runs = 5, batch = 64, producers = 1;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--seconds") && i + 1 < argc) seconds = atof(argv[++i]);
    else if (!strcmp(argv[i], "--runs") && i + 1 < argc) runs = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--batch") && i + 1 < argc) batch = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--producers") && i + 1 < argc) producers = atoi(argv[++i]);
    else if (argv[i][0] != '-') path = argv[i];
    else {
      fprintf(stderr, "usage: bench_offer [WORKLOAD.yaml] [--seconds S] [--runs N] [--batch B] "
              "[--producers P]\n");
      return 2;
    }
  }
  if (batch < 1 || batch > MAX_BATCH || runs < 1 || runs > 99 || seconds <= 0 || producers < 1 ||
      producers > 64) {
    fprintf(stderr, "bench_offer: bad --batch (1..%d), --runs (1..99), --producers (1..64) or "
            "--seconds\n", MAX_BATCH);
    return 2;
  }
  workload wl;
  char err[1024];
  int rc = path ? workload_load(path, &wl, err, sizeof err)
                : workload_parse(default_workload, strlen(default_workload), "bench.yaml", &wl, err, sizeof err);
  if (rc != 0) {
    fprintf(stderr, "bench_offer: %s\n", err);
    workload_free(&wl);
    return 2;
  }
  printf("bench_offer: %s, mean message %.0f B, batch %d, %d producer(s), %d runs of %.1f s, "
         "librdkafka %s\n", path ? path : "100 B, random payload, no key",
         sizes_mean(&wl.message_size), batch, producers, runs, seconds, rd_kafka_version_str());
  double rates[99], builds[99], acks[99];
  for (int r = 0; r < runs; r++) {
    rates[r] = offer_all(&wl, seconds, batch, producers);
    builds[r] = build_run(&wl, 5000000);
    acks[r] = ack_run(5000000);
    printf("  run %d: offered %.0f msg/s; harness part %.1f ns/msg; delivery accounting %.1f "
           "ns/ack\n", r + 1, rates[r], builds[r], acks[r]);
    fflush(stdout);
  }
  qsort(rates, (size_t)runs, sizeof rates[0], cmp_double);
  qsort(builds, (size_t)runs, sizeof builds[0], cmp_double);
  qsort(acks, (size_t)runs, sizeof acks[0], cmp_double);
  printf("median: offered %.0f msg/s by %d producer(s); harness part %.1f ns/msg "
         "(alone: %.0f msg/s per thread); delivery accounting %.1f ns per ack\n",
         rates[runs / 2], producers, builds[runs / 2], 1e9 / builds[runs / 2], acks[runs / 2]);
  workload_free(&wl);
  return 0;
}
