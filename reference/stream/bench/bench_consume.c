/* bench_consume.c: refstream-bench-consume, the ceiling refstream's input
 * path can reach on this machine: a bare librdkafka consumer, configured
 * like refstream's (assign, consume_batch_queue, partition EOF), reading
 * every partition of a topic to its end and touching one byte per record.
 *
 *   refstream-bench-consume --bootstrap HOST:PORT --topic T [-X k=v ...]
 * Prints "N records in S s (R/s)". */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "kafka_io.h"
#include "mem.h"

int main(int argc, char **argv) {
  rs_kprops p = {0};
  const char *topic = NULL;
  const char **props = sp_calloc((size_t)argc, sizeof *props);
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--bootstrap")) p.bootstrap = argv[i + 1];
    else if (!strcmp(argv[i], "--topic")) topic = argv[i + 1];
    else if (!strcmp(argv[i], "-X")) props[p.n_props++] = argv[i + 1];
  }
  p.props = props;
  if (!p.bootstrap || !topic) {
    fprintf(stderr, "usage: refstream-bench-consume --bootstrap HOST:PORT --topic T [-X k=v]\n");
    return 2;
  }
  char err[512];
  static const char *const defaults[] = {"enable.partition.eof=true", "enable.auto.commit=false", NULL};
  rd_kafka_conf_t *c = rs_kconf(&p, "consumer", "refstream-bench-consume", defaults, err, sizeof err);
  rd_kafka_t *rk = c ? rd_kafka_new(RD_KAFKA_CONSUMER, c, err, sizeof err) : NULL;
  if (!rk) {
    fprintf(stderr, "refstream-bench-consume: %s\n", err);
    return 2;
  }
  int parts = rs_topic_partitions(rk, topic, 10000, err, sizeof err);
  if (parts < 0) {
    fprintf(stderr, "refstream-bench-consume: %s\n", err);
    return 1;
  }
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(parts);
  for (int i = 0; i < parts; i++) rd_kafka_topic_partition_list_add(l, topic, i)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(rk, l);
  rd_kafka_topic_partition_list_destroy(l);
  rd_kafka_queue_t *q = rd_kafka_queue_get_consumer(rk);
  rd_kafka_message_t *m[4096];
  long n = 0;
  int eofs = 0;
  unsigned sum = 0;
  uint64_t t0 = 0;
  while (eofs < parts) {
    ssize_t k = rd_kafka_consume_batch_queue(q, 100, m, 4096);
    for (ssize_t i = 0; i < k; i++) {
      if (!t0) t0 = sp_mono_ns();
      if (m[i]->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) eofs++;
      else if (!m[i]->err) {
        n++;
        sum += m[i]->len ? ((const unsigned char *)m[i]->payload)[0] : 0;
      }
      rd_kafka_message_destroy(m[i]);
    }
  }
  double secs = (double)(sp_mono_ns() - t0) / 1e9;
  printf("%ld records in %.3f s (%.0f/s) [%u]\n", n, secs, (double)n / secs, sum & 1);
  rd_kafka_queue_destroy(q);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  free(props);
  return 0;
}
