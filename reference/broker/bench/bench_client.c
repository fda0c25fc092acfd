/* bench_client.c: produce or consume throughput against a Kafka broker
 * with librdkafka (the client every harness workload uses).
 *
 *   bench_client produce BOOTSTRAP TOPIC COUNT SIZE [PARTITIONS]
 *   bench_client consume BOOTSTRAP TOPIC COUNT [PARTITIONS [FIRST]]
 *
 * produce: sends COUNT messages of SIZE bytes round-robin over PARTITIONS
 *   (default 1) as fast as librdkafka accepts them (rd_kafka_produce_batch,
 *   acks=all), and times from
 *   the first send to the last delivery report.
 * consume: reads at least COUNT messages from the beginning of PARTITIONS
 *   partitions (FIRST, FIRST+1, ...; default 0)
 *   (assign(), no group, rd_kafka_consume_batch_queue), timing from the first message to the last.
 * BENCH_CONF="key=value,..." in the environment adds librdkafka settings.
 * Prints one JSON object per phase: {"mode", "msgs", "bytes", "seconds", "msgs_per_s",
 * "mb_per_s", "errors"} (MB = 10^6 bytes of payload). Exit 1 on any error. */
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

#ifndef BENCH_FETCH_BYTES
#define BENCH_FETCH_BYTES "16777216" /* max.partition.fetch.bytes: 16 MiB per partition */
#endif

static int64_t delivered, failed;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk;
  (void)opaque;
  if (m->err) failed++;
  else delivered++;
}

static rd_kafka_t *make_client(rd_kafka_type_t type, const char *bootstrap, const char *const *kv) {
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err) != RD_KAFKA_CONF_OK)
    goto bad;
  for (; kv && kv[0]; kv += 2)
    if (rd_kafka_conf_set(conf, kv[0], kv[1], err, sizeof err) != RD_KAFKA_CONF_OK) goto bad;
  /* BENCH_CONF="key=value,key=value" overrides (experiments, tuning). */
  const char *extra = getenv("BENCH_CONF");
  if (extra && *extra) {
    char *copy = strdup(extra), *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
      char *eq = strchr(item, '=');
      if (!eq) {
        snprintf(err, sizeof err, "BENCH_CONF item '%s' is not key=value", item);
        free(copy);
        goto bad;
      }
      *eq = '\0';
      if (rd_kafka_conf_set(conf, item, eq + 1, err, sizeof err) != RD_KAFKA_CONF_OK) {
        free(copy);
        goto bad;
      }
    }
    free(copy);
  }
  if (type == RD_KAFKA_PRODUCER) rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_t *rk = rd_kafka_new(type, conf, err, sizeof err);
  if (!rk) {
    fprintf(stderr, "rd_kafka_new: %s\n", err);
    exit(1);
  }
  return rk;
bad:
  fprintf(stderr, "config: %s\n", err);
  exit(1);
}

static void report(const char *mode, int64_t msgs, int64_t bytes, uint64_t ns, int64_t errors) {
  double s = (double)ns / 1e9;
  printf("{\"mode\": \"%s\", \"msgs\": %" PRId64 ", \"bytes\": %" PRId64 ", \"seconds\": %.4f, "
         "\"msgs_per_s\": %.0f, \"mb_per_s\": %.2f, \"errors\": %" PRId64 "}\n",
         mode, msgs, bytes, s, (double)msgs / s, (double)bytes / s / 1e6, errors);
}

static int produce(const char *bootstrap, const char *topic, int64_t count, int size, int partitions) {
  static const char *const kv[] = {"acks", "all", "linger.ms", "5", "batch.num.messages", "10000",
                                   "batch.size", "1000000", "queue.buffering.max.messages", "2000000",
                                   "queue.buffering.max.kbytes", "2097151", NULL};
  rd_kafka_t *rk = make_client(RD_KAFKA_PRODUCER, bootstrap, kv);
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
  char *payload = malloc((size_t)size);
  memset(payload, 'p', (size_t)size);
  /* warm up: metadata and connection, not timed */
  rd_kafka_produce(rkt, 0, RD_KAFKA_MSG_F_COPY, payload, (size_t)size, NULL, 0, NULL);
  rd_kafka_flush(rk, 30000);
  delivered = failed = 0;
  /* rd_kafka_produce_batch: one call per CHUNK messages of one partition,
   * the cheapest way librdkafka offers to enqueue (the broker is measured,
   * not the application's call overhead). */
  enum { CHUNK = 10000 };
  rd_kafka_message_t *msgs = calloc(CHUNK, sizeof *msgs);
  uint64_t t0 = sp_mono_ns();
  int32_t part = 0;
  for (int64_t sent = 0; sent < count;) {
    int n = count - sent < CHUNK ? (int)(count - sent) : CHUNK;
    for (int k = 0; k < n; k++) {
      msgs[k].payload = payload;
      msgs[k].len = (size_t)size;
      msgs[k].err = 0;
    }
    int ok = rd_kafka_produce_batch(rkt, part, RD_KAFKA_MSG_F_COPY, msgs, n);
    sent += ok;
    if (ok < n) rd_kafka_poll(rk, 1); /* queue full: let deliveries drain */
    else part = (part + 1) % partitions;
    rd_kafka_poll(rk, 0);
  }
  free(msgs);
  rd_kafka_flush(rk, 120000);
  uint64_t ns = sp_mono_ns() - t0;
  report("produce", delivered, delivered * size, ns, failed + (count - delivered - failed));
  free(payload);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  return failed || delivered != count;
}

static int consume(const char *bootstrap, const char *topic, int64_t count, int partitions,
                   int first_partition) {
  static const char *const kv[] = {"group.id", "bench", "enable.auto.commit", "false",
                                   "fetch.wait.max.ms", "100", "enable.partition.eof", "false",
                                   "queued.min.messages", "1000000", "fetch.message.max.bytes", BENCH_FETCH_BYTES, "fetch.max.bytes", "67108864", NULL};
  rd_kafka_t *rk = make_client(RD_KAFKA_CONSUMER, bootstrap, kv);
  rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; p++)
    rd_kafka_topic_partition_list_add(parts, topic, first_partition + p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(rk, parts);
  rd_kafka_topic_partition_list_destroy(parts);
  rd_kafka_queue_t *q = rd_kafka_queue_get_consumer(rk);
  enum { BATCH = 4096 };
  rd_kafka_message_t **batch = calloc(BATCH, sizeof *batch);
  int64_t got = 0, bytes = 0, errors = 0;
  uint64_t t0 = 0, deadline = sp_mono_ns() + 120000000000ull;
  while (got < count) {
    ssize_t n = rd_kafka_consume_batch_queue(q, 100, batch, BATCH);
    if (n <= 0 && sp_mono_ns() > deadline) break;
    for (ssize_t k = 0; k < n; k++) {
      rd_kafka_message_t *m = batch[k];
      if (m->err) {
        errors++;
      } else {
        if (!got) t0 = sp_mono_ns();
        got++;
        bytes += (int64_t)m->len;
      }
      rd_kafka_message_destroy(m);
    }
  }
  free(batch);
  rd_kafka_queue_destroy(q);
  uint64_t ns = sp_mono_ns() - t0;
  report("consume", got, bytes, ns, errors);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return got < count || errors;
}

int main(int argc, char **argv) {
  if (argc >= 6 && strcmp(argv[1], "produce") == 0)
    return produce(argv[2], argv[3], atoll(argv[4]), atoi(argv[5]), argc > 6 ? atoi(argv[6]) : 1);
  if (argc >= 5 && strcmp(argv[1], "consume") == 0)
    return consume(argv[2], argv[3], atoll(argv[4]), argc > 5 ? atoi(argv[5]) : 1,
                   argc > 6 ? atoi(argv[6]) : 0);
  fprintf(stderr,
          "usage: bench_client produce BOOTSTRAP TOPIC COUNT SIZE [PARTITIONS]\n"
          "       bench_client consume BOOTSTRAP TOPIC COUNT [PARTITIONS [FIRST]]\n");
  return 2;
}
