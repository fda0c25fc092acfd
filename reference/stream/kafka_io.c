/* kafka_io.c: see kafka_io.h. */
#include "kafka_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "mem.h"

static int set(rd_kafka_conf_t *c, const char *name, const char *value, char *err, size_t errlen) {
  char e[256];
  if (rd_kafka_conf_set(c, name, value, e, sizeof e) != RD_KAFKA_CONF_OK) {
    snprintf(err, errlen, "librdkafka property %s=%s: %s", name, value, e);
    return -1;
  }
  return 0;
}

/* Sets "name=value". */
static int set_kv(rd_kafka_conf_t *c, const char *kv, const char *shown, char *err, size_t errlen) {
  const char *eq = strchr(kv, '=');
  if (!eq || eq == kv) {
    snprintf(err, errlen, "-X %s: expected name=value", shown);
    return -1;
  }
  char name[256];
  size_t n = (size_t)(eq - kv) < sizeof name - 1 ? (size_t)(eq - kv) : sizeof name - 1;
  memcpy(name, kv, n);
  name[n] = '\0';
  return set(c, name, eq + 1, err, errlen);
}

rd_kafka_conf_t *rs_kconf(const rs_kprops *p, const char *role, const char *group,
                          const char *const *defaults, char *err, size_t errlen) {
  rd_kafka_conf_t *c = rd_kafka_conf_new();
  char cid[64];
  snprintf(cid, sizeof cid, "refstream-%s", role);
  if (set(c, "bootstrap.servers", p->bootstrap, err, errlen) != 0) goto fail;
  if (set(c, "client.id", cid, err, errlen) != 0) goto fail;
  if (group && set(c, "group.id", group, err, errlen) != 0) goto fail;
  for (int i = 0; defaults && defaults[i]; i++)
    if (set_kv(c, defaults[i], defaults[i], err, errlen) != 0) goto fail;
  size_t rlen = strlen(role);
  for (int i = 0; i < p->n_props; i++) {
    const char *kv = p->props[i];
    /* "consumer.x=y" only for the consumer, "producer.x=y" only for the producer */
    const char *other = strcmp(role, "consumer") == 0 ? "producer." : "consumer.";
    if (strncmp(kv, other, strlen(other)) == 0) continue;
    if (strncmp(kv, role, rlen) == 0 && kv[rlen] == '.') kv += rlen + 1;
    if (set_kv(c, kv, p->props[i], err, errlen) != 0) goto fail;
  }
  return c;
fail:
  rd_kafka_conf_destroy(c);
  return NULL;
}

/* Partition count from metadata: -2 if the topic is unknown (yet). Asks
 * for all topics: asking for one would make a broker that auto-creates
 * topics create it with its default partition count. */
static int metadata_partitions(rd_kafka_t *rk, const char *topic, char *err, size_t errlen) {
  const struct rd_kafka_metadata *md = NULL;
  rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 1, NULL, &md, 5000);
  if (e) {
    snprintf(err, errlen, "metadata for topic %s: %s", topic, rd_kafka_err2str(e));
    return -1;
  }
  int n = -2;
  snprintf(err, errlen, "topic %s does not exist", topic);
  for (int i = 0; i < md->topic_cnt; i++) {
    if (strcmp(md->topics[i].topic, topic) != 0) continue;
    if (md->topics[i].err || md->topics[i].partition_cnt == 0)
      snprintf(err, errlen, "topic %s: %s", topic, rd_kafka_err2str(md->topics[i].err));
    else
      n = md->topics[i].partition_cnt;
  }
  rd_kafka_metadata_destroy(md);
  return n;
}

int rs_topic_partitions(rd_kafka_t *rk, const char *topic, int wait_ms, char *err, size_t errlen) {
  uint64_t deadline = sp_mono_ns() + (uint64_t)wait_ms * 1000000ull;
  int logged = 0;
  for (;;) {
    int n = metadata_partitions(rk, topic, err, errlen);
    if (n > 0) return n;
    if (sp_mono_ns() >= deadline) return -1;
    if (!logged++) sp_info("waiting up to %d ms for topic %s: %s", wait_ms, topic, err);
    struct timespec ts = {0, 200 * 1000000L};
    nanosleep(&ts, NULL);
  }
}

int rs_topic_ensure(rd_kafka_t *rk, const char *topic, int partitions, int wait_ms, char *err,
                    size_t errlen) {
  int n = metadata_partitions(rk, topic, err, errlen);
  if (n > 0) return n;
  char e[512];
  rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, partitions, -1, e, sizeof e);
  if (!nt) {
    snprintf(err, errlen, "cannot describe topic %s: %s", topic, e);
    return -1;
  }
  rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
  rd_kafka_event_t *ev = rd_kafka_queue_poll(q, wait_ms);
  int rc = 0;
  if (!ev) {
    snprintf(err, errlen, "creating topic %s: no answer in %d ms", topic, wait_ms);
    rc = -1;
  } else if (rd_kafka_event_error(ev)) {
    snprintf(err, errlen, "creating topic %s: %s", topic, rd_kafka_event_error_string(ev));
    rc = -1;
  } else {
    const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
    size_t cnt;
    const rd_kafka_topic_result_t **tr = rd_kafka_CreateTopics_result_topics(res, &cnt);
    if (cnt == 1 && rd_kafka_topic_result_error(tr[0]) &&
        rd_kafka_topic_result_error(tr[0]) != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      snprintf(err, errlen, "creating topic %s: %s", topic, rd_kafka_topic_result_error_string(tr[0]));
      rc = -1;
    }
  }
  if (ev) rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_NewTopic_destroy(nt);
  if (rc != 0) return -1;
  sp_info("created topic %s with %d partitions", topic, partitions);
  return rs_topic_partitions(rk, topic, wait_ms, err, errlen);
}

int rs_watermarks(rd_kafka_t *rk, const char *topic, int32_t partition, int64_t *lo, int64_t *hi,
                  char *err, size_t errlen) {
  rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_NO_ERROR;
  for (int attempt = 0; attempt < 50; attempt++) {
    e = rd_kafka_query_watermark_offsets(rk, topic, partition, lo, hi, 5000);
    if (!e) return 0;
    struct timespec ts = {0, 100 * 1000000L};
    nanosleep(&ts, NULL);
  }
  snprintf(err, errlen, "watermarks of %s[%d]: %s", topic, partition, rd_kafka_err2str(e));
  return -1;
}

long rs_read_partitions(const rs_kprops *p, const char *const *topics, const int32_t *parts,
                        const int64_t *from, int64_t *hi_out, int n, rs_readback_fn fn, void *ctx,
                        int timeout_ms, char *err, size_t errlen) {
  static const char *const defaults[] = {"enable.partition.eof=false", "auto.offset.reset=error",
                                         "enable.auto.commit=false",
                                         "fetch.message.max.bytes=8388608", NULL};
  rd_kafka_conf_t *c = rs_kconf(p, "consumer", "refstream-readback", defaults, err, errlen);
  if (!c) return -1;
  char e[512];
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, e, sizeof e);
  if (!rk) {
    snprintf(err, errlen, "readback consumer: %s", e);
    return -1;
  }
  long count = 0;
  int left = 0;
  int64_t *next = sp_calloc((size_t)n + 1, sizeof *next);
  rd_kafka_topic_partition_list_t *assign = rd_kafka_topic_partition_list_new(n);
  for (int i = 0; i < n; i++) {
    int64_t lo, hi;
    if (rs_watermarks(rk, topics[i], parts[i], &lo, &hi, err, errlen) != 0) goto fail;
    hi_out[i] = hi;
    next[i] = from[i] < lo ? lo : from[i];
    if (from[i] < lo)
      sp_warn("readback: %s[%d] starts at %lld but the checkpoint asked for %lld (deleted by "
              "retention?)", topics[i], parts[i], (long long)lo, (long long)from[i]);
    if (next[i] >= hi) continue;
    rd_kafka_topic_partition_list_add(assign, topics[i], parts[i])->offset = next[i];
    left++;
  }
  if (left) rd_kafka_assign(rk, assign);
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_queue_t *q = rd_kafka_queue_get_consumer(rk);
  rd_kafka_message_t *batch[1024];
  uint64_t deadline = sp_mono_ns() + (uint64_t)timeout_ms * 1000000ull;
  int failed = 0;
  while (left > 0 && !failed) {
    if (sp_mono_ns() > deadline) {
      snprintf(err, errlen, "readback: %d partition(s) not read to the end in %d ms", left, timeout_ms);
      failed = 1;
      break;
    }
    ssize_t k = rd_kafka_consume_batch_queue(q, 100, batch, 1024);
    for (ssize_t b = 0; b < k; b++) {
      rd_kafka_message_t *m = batch[b];
      if (m->err) {
        if (m->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET ||
            m->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE) {
          snprintf(err, errlen, "readback: %s", rd_kafka_message_errstr(m));
          failed = 1;
        } else {
          sp_warn("readback: %s", rd_kafka_message_errstr(m));
        }
      } else if (!failed) {
        const char *tn = rd_kafka_topic_name(m->rkt);
        for (int i = 0; i < n; i++) {
          if (parts[i] != m->partition || strcmp(topics[i], tn) != 0) continue;
          if (m->offset < next[i] || next[i] >= hi_out[i]) break;
          fn(ctx, i, m->payload, m->len);
          count++;
          next[i] = m->offset + 1;
          if (next[i] >= hi_out[i]) left--;
          break;
        }
      }
      rd_kafka_message_destroy(m);
    }
  }
  rd_kafka_queue_destroy(q);
  if (failed) goto fail;
  rd_kafka_topic_partition_list_destroy(assign);
  free(next);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return count;
fail:
  rd_kafka_topic_partition_list_destroy(assign);
  free(next);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return -1;
}
