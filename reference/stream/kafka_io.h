/* kafka_io.h: refstream's librdkafka plumbing, kept apart from the engine
 * so the engine never sees a Kafka type.
 *
 *   clients    a consumer (assign only, no group subscription; its group id
 *              is used only to commit input offsets for lag tools) and an
 *              idempotent producer; -X props go to both, consumer.X /
 *              producer.X props to one.
 *   metadata   partition counts, watermarks, creating missing sink topics.
 *   readback   reading a set of partitions from given offsets to their end.
 * Any Kafka-protocol broker works (refbroker, Kafka, Redpanda). */
#ifndef RS_KAFKA_IO_H
#define RS_KAFKA_IO_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rs_kprops {
  const char *bootstrap;
  const char **props; /* "name=value", from -X */
  int n_props;
} rs_kprops;

/* role: "consumer" or "producer" (picks the prefixed -X props). `group`
 * may be NULL; `defaults` ("name=value", NULL-terminated, may be NULL) are
 * set first so -X overrides them. NULL with a message on a bad property. */
rd_kafka_conf_t *rs_kconf(const rs_kprops *p, const char *role, const char *group,
                          const char *const *defaults, char *err, size_t errlen);

/* Partition count of topic, waiting up to wait_ms for it to appear; -1 with
 * a message if it does not. */
int rs_topic_partitions(rd_kafka_t *rk, const char *topic, int wait_ms, char *err, size_t errlen);

/* Creates topic with `partitions` partitions unless it exists; returns its
 * partition count, or -1 with a message. */
int rs_topic_ensure(rd_kafka_t *rk, const char *topic, int partitions, int wait_ms, char *err,
                    size_t errlen);

/* Low and high watermarks; 0 or -1 with a message. */
int rs_watermarks(rd_kafka_t *rk, const char *topic, int32_t partition, int64_t *lo, int64_t *hi,
                  char *err, size_t errlen);

/* Reads partitions [i] of topics[i] from from[i] to the high watermark
 * found now, calling fn for each record (value may be NULL). Returns the
 * number of records read, or -1 with a message. hi_out[i] receives the end. */
typedef void (*rs_readback_fn)(void *ctx, int index, const void *value, size_t len);
long rs_read_partitions(const rs_kprops *p, const char *const *topics, const int32_t *parts,
                        const int64_t *from, int64_t *hi_out, int n, rs_readback_fn fn, void *ctx,
                        int timeout_ms, char *err, size_t errlen);

#endif
