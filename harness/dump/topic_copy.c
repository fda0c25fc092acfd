/* topic_copy.c: see topic_copy.h. */
#include "topic_copy.h"

#include <errno.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "mem.h"
#include "topic_dump.h"

#define COPY_DEFAULT_TIMEOUT_MS 60000
#define COPY_POLL_MS 100

/* One partition being copied. */
typedef struct copy_part {
  topic_dump_writer *w; /* NULL once finished (or never opened) */
  int64_t low, high;    /* log start, end offset targeted */
  int64_t next;         /* offset after the last record written */
  int done;
} copy_part;

typedef struct copier {
  const char *topic;
  const char *out_dir;
  rd_kafka_t *rk;
  copy_part *parts;
  int32_t n_parts;
  topic_copy_stats st;
  char *err;
  size_t cap;
} copier;

void topic_copy_path(char *buf, size_t len, const char *out_dir, const char *topic,
                     int32_t partition) {
  snprintf(buf, len, "%s/%s-%" PRId32 ".dump", out_dir, topic, partition);
}

/* librdkafka's own log lines go to our debug level: the caller reports
 * what matters (unreachable broker, missing topic) itself. */
static void copy_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
  (void)rk;
  (void)level;
  sp_debug("librdkafka %s: %s", fac, buf);
}

/* The consumer: assign only, never subscribe (librdkafka's assign needs a
 * group.id, but no group is joined and nothing is committed), the raw log
 * (read_uncommitted), end-of-partition events on. */
static rd_kafka_t *copy_client(const char *bootstrap, const topic_copy_opts *o, char *err,
                               size_t cap) {
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  char e[512];
  for (size_t i = 0; i < o->n_props; i++) {
    char *kv = sp_strdup(o->props[i]);
    char *eq = strchr(kv, '=');
    if (!eq || rd_kafka_conf_set(conf, kv, eq + 1, e, sizeof e) != RD_KAFKA_CONF_OK) {
      snprintf(err, cap, "librdkafka property '%s': %s", o->props[i],
               eq ? e : "expected name=value");
      free(kv);
      rd_kafka_conf_destroy(conf);
      return NULL;
    }
    free(kv);
  }
  static const char *const fixed[][2] = {
      {"client.id", "streamproof-topic-copy"}, {"group.id", "streamproof-topic-copy"},
      {"enable.auto.commit", "false"},          {"enable.auto.offset.store", "false"},
      {"enable.partition.eof", "true"},        {"isolation.level", "read_uncommitted"},
      {"auto.offset.reset", "error"},          {"fetch.message.max.bytes", "8388608"},
  };
  for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
    rd_kafka_conf_set(conf, fixed[i][0], fixed[i][1], e, sizeof e);
  if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, e, sizeof e) != RD_KAFKA_CONF_OK) {
    snprintf(err, cap, "bootstrap '%s': %s", bootstrap, e);
    rd_kafka_conf_destroy(conf);
    return NULL;
  }
  rd_kafka_conf_set_log_cb(conf, copy_log);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, e, sizeof e);
  if (!rk) {
    snprintf(err, cap, "cannot create a Kafka client: %s", e);
    return NULL;
  }
  rd_kafka_poll_set_consumer(rk);
  return rk;
}

/* Milliseconds left before deadline_ns (at least 1 while time is left, 0 after). */
static int ms_left(uint64_t deadline_ns) {
  uint64_t now = sp_mono_ns();
  if (now >= deadline_ns) return 0;
  uint64_t ms = (deadline_ns - now) / 1000000u;
  return ms ? (int)(ms > 600000 ? 600000 : ms) : 1;
}

/* Partition count of the topic from the broker's metadata. */
static int topic_partitions(copier *c, uint64_t deadline_ns) {
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(c->rk, c->topic, NULL);
  const rd_kafka_metadata_t *md = NULL;
  rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR__TIMED_OUT;
  /* a fresh topic may take a moment to show its leaders: retry until the deadline */
  for (;;) {
    int left = ms_left(deadline_ns);
    if (!left) break;
    e = rd_kafka_metadata(c->rk, 0, rkt, &md, left < 5000 ? left : 5000);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
          md->topics[0].partition_cnt > 0)
        break;
      e = md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC;
      if (e == RD_KAFKA_RESP_ERR_NO_ERROR) e = RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION;
      rd_kafka_metadata_destroy(md);
      md = NULL;
      if (e == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || e == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC)
        break; /* the broker answered: the topic does not exist */
    }
  }
  rd_kafka_topic_destroy(rkt);
  if (!md) {
    snprintf(c->err, c->cap, "topic %s: %s", c->topic, rd_kafka_err2str(e));
    return -1;
  }
  int n = md->topics[0].partition_cnt;
  rd_kafka_metadata_destroy(md);
  return n;
}

/* Opens the dump of partition p with its watermarks; an empty partition is
 * finished at once. */
static int open_part(copier *c, int32_t p, uint64_t deadline_ns) {
  copy_part *cp = &c->parts[p];
  int left = ms_left(deadline_ns);
  rd_kafka_resp_err_t e = left ? rd_kafka_query_watermark_offsets(c->rk, c->topic, p, &cp->low,
                                                                 &cp->high, left)
                               : RD_KAFKA_RESP_ERR__TIMED_OUT;
  if (e) {
    snprintf(c->err, c->cap, "%s/%" PRId32 ": end offsets: %s", c->topic, p, rd_kafka_err2str(e));
    return -1;
  }
  char path[4096];
  topic_copy_path(path, sizeof path, c->out_dir, c->topic, p);
  cp->w = topic_dump_create(path, c->topic, p, cp->low);
  if (!cp->w) {
    snprintf(c->err, c->cap, "%s: %s", path, strerror(errno));
    return -1;
  }
  cp->next = cp->low;
  return 0;
}

/* Writes the trailer of partition p. */
static int finish_part(copier *c, int32_t p) {
  copy_part *cp = &c->parts[p];
  int rc = topic_dump_finish(cp->w, cp->high);
  cp->w = NULL;
  cp->done = 1;
  if (rc != 0) {
    char path[4096];
    topic_copy_path(path, sizeof path, c->out_dir, c->topic, p);
    snprintf(c->err, c->cap, "%s: %s", path, strerror(errno));
    return -1;
  }
  c->st.complete++;
  return 0;
}

/* Handles one consumed message; -1 on a write error. */
static int on_message(copier *c, const rd_kafka_message_t *m) {
  if (m->partition < 0 || m->partition >= c->n_parts) return 0;
  copy_part *cp = &c->parts[m->partition];
  if (cp->done) return 0;
  if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    /* m->offset is the position reached: past any trailing control records */
    if (m->offset >= cp->high) return finish_part(c, m->partition);
    return 0;
  }
  if (m->err) {
    sp_warn("copy of %s/%" PRId32 ": %s", c->topic, m->partition, rd_kafka_message_errstr(m));
    return 0;
  }
  if (m->offset < cp->next || m->offset >= cp->high) return 0; /* refetch or past the target */
  rd_kafka_timestamp_type_t tt;
  int64_t ts = rd_kafka_message_timestamp(m, &tt);
  int32_t klen = m->key ? (int32_t)m->key_len : -1;
  int32_t vlen = m->payload ? (int32_t)m->len : -1;
  if (topic_dump_append(cp->w, m->offset, ts, m->key, klen, m->payload, vlen) != 0) {
    snprintf(c->err, c->cap, "writing the dump of %s/%" PRId32 ": %s", c->topic, m->partition,
             strerror(errno));
    return -1;
  }
  c->st.records++;
  c->st.bytes += (uint64_t)(klen > 0 ? klen : 0) + (uint64_t)(vlen > 0 ? vlen : 0);
  cp->next = m->offset + 1;
  if (cp->next >= cp->high) return finish_part(c, m->partition);
  return 0;
}

/* Assigns every unfinished partition at its log start and consumes until all
 * are finished or the deadline passes. */
static int consume_all(copier *c, uint64_t deadline_ns) {
  rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(c->n_parts);
  for (int32_t p = 0; p < c->n_parts; p++)
    if (!c->parts[p].done) rd_kafka_topic_partition_list_add(l, c->topic, p)->offset = c->parts[p].low;
  int rc = 0, left = l->cnt;
  if (left && rd_kafka_assign(c->rk, l) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    snprintf(c->err, c->cap, "%s: cannot assign the partitions", c->topic);
    rc = -1;
  }
  rd_kafka_topic_partition_list_destroy(l);
  while (rc == 0) {
    left = 0;
    for (int32_t p = 0; p < c->n_parts; p++) left += !c->parts[p].done;
    if (!left || !ms_left(deadline_ns)) break;
    rd_kafka_message_t *m = rd_kafka_consumer_poll(c->rk, COPY_POLL_MS);
    if (!m) continue;
    rc = on_message(c, m);
    rd_kafka_message_destroy(m);
  }
  rd_kafka_assign(c->rk, NULL);
  return rc;
}

/* The timeout's message: which partitions are unfinished and how far each got. */
static void report_unfinished(copier *c, int timeout_ms) {
  size_t n = (size_t)snprintf(c->err, c->cap, "%s: copy incomplete after %d ms:", c->topic,
                              timeout_ms);
  int shown = 0;
  for (int32_t p = 0; p < c->n_parts && n < c->cap; p++) {
    const copy_part *cp = &c->parts[p];
    if (cp->done) continue;
    if (shown++ == 8) {
      n += (size_t)snprintf(c->err + n, c->cap - n, " ...");
      break;
    }
    n += (size_t)snprintf(c->err + n, c->cap - n,
                          " partition %" PRId32 " at offset %" PRId64 " of [%" PRId64 ", %" PRId64
                          ")",
                          p, cp->next, cp->low, cp->high);
  }
}

int topic_copy_ex(const char *bootstrap, const char *topic, const char *out_dir,
                  const topic_copy_opts *opts, topic_copy_stats *stats, char *err, size_t cap) {
  uint64_t t0 = sp_mono_ns();
  topic_copy_opts defaults = {0};
  const topic_copy_opts *o = opts ? opts : &defaults;
  int timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : COPY_DEFAULT_TIMEOUT_MS;
  uint64_t deadline_ns = t0 + (uint64_t)timeout_ms * 1000000u;
  copier c = {.topic = topic, .out_dir = out_dir, .err = err, .cap = cap};
  err[0] = '\0';
  int rc = -1;
  c.rk = copy_client(bootstrap, o, err, cap);
  if (!c.rk) goto out;
  int n = topic_partitions(&c, deadline_ns);
  if (n < 0) goto out;
  c.n_parts = n;
  c.st.partitions = n;
  c.parts = sp_calloc((size_t)n, sizeof *c.parts);
  for (int32_t p = 0; p < n; p++) {
    if (open_part(&c, p, deadline_ns) != 0) goto out;
    if (c.parts[p].high <= c.parts[p].low && finish_part(&c, p) != 0) goto out;
  }
  if (consume_all(&c, deadline_ns) != 0) goto out;
  if (c.st.complete == c.n_parts)
    rc = 0;
  else
    report_unfinished(&c, timeout_ms);
out:
  for (int32_t p = 0; p < c.n_parts; p++)
    if (c.parts[p].w) topic_dump_abandon(c.parts[p].w);
  free(c.parts);
  if (c.rk) {
    rd_kafka_consumer_close(c.rk);
    rd_kafka_destroy(c.rk);
  }
  c.st.seconds = (double)(sp_mono_ns() - t0) / 1e9;
  if (stats) *stats = c.st;
  return rc;
}

int topic_copy(const char *bootstrap, const char *topic, const char *out_dir, char *err,
               size_t cap) {
  return topic_copy_ex(bootstrap, topic, out_dir, NULL, NULL, err, cap);
}
