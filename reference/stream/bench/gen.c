/* gen.c: refstream-gen, writes deterministic test input for refstream.
 *
 *   refstream-gen --bootstrap HOST:PORT --topic T --count N [options]
 *
 * Record i (i = --first .. --first + N - 1) has key id k = i mod --keys,
 * goes to partition k mod (partitions of T) (so a key always lands in one
 * partition and two topics written with the same --keys are
 * co-partitioned), and event time --start-ms + i * --step-ms, moved back by
 * up to --disorder-ms for a pseudo-random third of the records and by
 * --late-ms for every --late-every-th record. Everything is a function of
 * i and --seed, so a test can write the same input twice.
 *
 *   --format identity   streamproof identity header (writer --writer, seq i,
 *                       key k), padded to --size bytes
 *   --format json       {"key":"k<k>","ts":..,"value":..,"type":"login"|"buy"}
 *                       value = (i * 31) mod 200 - 50; type login when
 *                       i mod 3 == 0 (patterns)
 * Prints "wrote N records in S s (R/s)" when every record is acknowledged. */
#include <errno.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "hash.h"
#include "identity.h"
#include "kafka_io.h"
#include "mem.h"

typedef struct gen_opts {
  const char *topic;
  int64_t count, first, keys, size, start_ms, step_ms, per_ms, disorder_ms, late_every, late_ms;
  uint64_t seed;
  uint32_t writer;
  int json;
  rs_kprops kafka;
} gen_opts;

static volatile int delivery_failed;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk;
  (void)opaque;
  if (m->err && !delivery_failed) {
    fprintf(stderr, "refstream-gen: delivery failed: %s\n", rd_kafka_err2str(m->err));
    delivery_failed = 1;
  }
}

static int64_t event_time(const gen_opts *o, int64_t i) {
  int64_t t = o->start_ms + (i / o->per_ms) * o->step_ms;
  uint64_t r = rs_mix64((uint64_t)i ^ o->seed);
  if (o->disorder_ms && r % 3 == 0) t -= (int64_t)((r >> 8) % (uint64_t)(o->disorder_ms + 1));
  if (o->late_every && i % o->late_every == o->late_every - 1) t -= o->late_ms;
  return t;
}

static int parse_int(const char *opt, const char *v, int64_t *out) {
  char *end;
  errno = 0;
  long long n = strtoll(v, &end, 10);
  if (errno || *end) {
    fprintf(stderr, "refstream-gen: %s: expected an integer, got '%s'\n", opt, v);
    return -1;
  }
  *out = n;
  return 0;
}

int main(int argc, char **argv) {
  gen_opts o = {0};
  o.keys = 100;
  o.size = 100;
  o.start_ms = 1000000;
  o.step_ms = 1;
  o.per_ms = 1;
  o.writer = 1;
  const char **props = sp_calloc((size_t)argc, sizeof *props);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    int64_t n;
    if (!strcmp(a, "--help")) {
      printf("usage: refstream-gen --bootstrap HOST:PORT --topic T --count N [--first I] [--keys K]\n"
             "  [--format identity|json] [--size BYTES] [--start-ms T] [--step-ms S] [--per-step M]\n"
             "  [--disorder-ms D] [--late-every N --late-ms L] [--seed S] [--writer W] [-X k=v]\n"
             "(see the comment at the top of reference/stream/bench/gen.c)\n");
      free(props);
      return 0;
    }
    if (!v) {
      fprintf(stderr, "refstream-gen: %s needs a value\n", a);
      return 2;
    }
    i++;
    if (!strcmp(a, "--bootstrap")) o.kafka.bootstrap = v;
    else if (!strcmp(a, "--topic")) o.topic = v;
    else if (!strcmp(a, "-X")) props[o.kafka.n_props++] = v;
    else if (!strcmp(a, "--format")) {
      if (strcmp(v, "json") && strcmp(v, "identity")) {
        fprintf(stderr, "refstream-gen: --format: json or identity\n");
        return 2;
      }
      o.json = !strcmp(v, "json");
    } else {
      if (parse_int(a, v, &n) != 0) return 2;
      if (!strcmp(a, "--count")) o.count = n;
      else if (!strcmp(a, "--first")) o.first = n;
      else if (!strcmp(a, "--keys")) o.keys = n;
      else if (!strcmp(a, "--size")) o.size = n;
      else if (!strcmp(a, "--start-ms")) o.start_ms = n;
      else if (!strcmp(a, "--step-ms")) o.step_ms = n;
      else if (!strcmp(a, "--per-step")) o.per_ms = n;
      else if (!strcmp(a, "--disorder-ms")) o.disorder_ms = n;
      else if (!strcmp(a, "--late-every")) o.late_every = n;
      else if (!strcmp(a, "--late-ms")) o.late_ms = n;
      else if (!strcmp(a, "--seed")) o.seed = (uint64_t)n;
      else if (!strcmp(a, "--writer")) o.writer = (uint32_t)n;
      else {
        fprintf(stderr, "refstream-gen: unknown option %s\n", a);
        return 2;
      }
    }
  }
  o.kafka.props = props;
  if (!o.kafka.bootstrap || !o.topic || o.count < 0 || o.keys < 1 || o.per_ms < 1 ||
      (!o.json && o.size < IDENTITY_BYTES)) {
    fprintf(stderr, "refstream-gen: --bootstrap, --topic and --count are required (--size >= 56)\n");
    return 2;
  }
  char err[512];
  static const char *const defaults[] = {"enable.idempotence=true", "linger.ms=20",
                                         "batch.size=1000000", "queue.buffering.max.messages=1000000",
                                         NULL};
  rd_kafka_conf_t *c = rs_kconf(&o.kafka, "producer", NULL, defaults, err, sizeof err);
  if (!c) {
    fprintf(stderr, "refstream-gen: %s\n", err);
    return 2;
  }
  rd_kafka_conf_set_dr_msg_cb(c, on_delivery);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
  if (!rk) {
    fprintf(stderr, "refstream-gen: %s\n", err);
    return 2;
  }
  int parts = rs_topic_partitions(rk, o.topic, 0, err, sizeof err);
  if (parts < 0) parts = rs_topic_ensure(rk, o.topic, 1, 10000, err, sizeof err);
  if (parts < 0) {
    fprintf(stderr, "refstream-gen: %s\n", err);
    rd_kafka_destroy(rk);
    return 1;
  }
  rd_kafka_topic_t *t = rd_kafka_topic_new(rk, o.topic, NULL);
  uint8_t *buf = sp_malloc((size_t)(o.size > 256 ? o.size : 256));
  uint64_t t0 = sp_mono_ns();
  for (int64_t i = o.first; i < o.first + o.count && !delivery_failed; i++) {
    int64_t k = i % o.keys;
    size_t len;
    char key[24];
    size_t klen = (size_t)snprintf(key, sizeof key, "%lld", (long long)k);
    if (o.json) {
      len = (size_t)snprintf((char *)buf, 256, "{\"key\":\"k%lld\",\"ts\":%lld,\"value\":%lld,\"type\":\"%s\"}",
                             (long long)k, (long long)event_time(&o, i), (long long)((i * 31) % 200 - 50),
                             i % 3 == 0 ? "login" : "buy");
    } else {
      len = (size_t)o.size;
      memset(buf, (int)(i & 0xff), len);
      identity id = {o.writer, (uint64_t)i, (uint32_t)k, (uint32_t)len, sp_mono_ns(), sp_mono_ns(),
                     event_time(&o, i), 0};
      identity_encode(&id, buf, len);
    }
    while (rd_kafka_produce(t, (int32_t)(k % parts), RD_KAFKA_MSG_F_COPY, buf, len, key, klen,
                            NULL) != 0) {
      if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        fprintf(stderr, "refstream-gen: produce: %s\n", rd_kafka_err2str(rd_kafka_last_error()));
        delivery_failed = 1;
        break;
      }
      rd_kafka_poll(rk, 10);
    }
    if ((i & 1023) == 0) rd_kafka_poll(rk, 0);
  }
  while (rd_kafka_outq_len(rk) > 0 && !delivery_failed) rd_kafka_flush(rk, 1000);
  double secs = (double)(sp_mono_ns() - t0) / 1e9;
  if (!delivery_failed)
    printf("wrote %lld records in %.3f s (%.0f/s)\n", (long long)o.count, secs,
           secs > 0 ? (double)o.count / secs : 0.0);
  free(buf);
  free(props);
  rd_kafka_topic_destroy(t);
  rd_kafka_destroy(rk);
  return delivery_failed ? 1 : 0;
}
