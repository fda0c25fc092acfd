/* readback.c: after the run, read every partition of every topic from its
 * log start to its end offset and record what is stored where
 * (history/readback.hist: one END_OFFSETS per partition, then a READBACK
 * per message). With it the checker can tell an acknowledged message that
 * is missing from the log ("acked but missing") from one that is merely
 * unread. A plain assigned consumer (no group, no commits) does the
 * reading; the end offsets are taken once, before it starts. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "fault_window.h"
#include "history.h"
#include "identity.h"
#include "log.h"
#include "mem.h"
#include "observed.h"
#include "run_int.h"

#define READBACK_STALL_NS 15000000000ull /* give up after this long without progress */

typedef struct rb_part {
  int64_t low, high; /* log start and end (exclusive); high < 0: unknown */
  int64_t next;      /* next offset expected */
} rb_part;

/* The event time (wall ms) of a payload whose identity checked out
 * (identity.h: i64 little-endian at byte 40). */
static int64_t identity_event_time_ms(const void *payload) {
  const uint8_t *p = (const uint8_t *)payload + 40;
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
  return (int64_t)v;
}

static rd_kafka_t *readback_client(run_ctx *c) {
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  char e[512], group[300];
  snprintf(group, sizeof group, "%s-readback", c->n_subs ? c->subs[0].group : "sp-readback");
  for (size_t i = 0; i < c->opt.n_props; i++) { /* -X: security settings and the like */
    char *kv = sp_strdup(c->opt.props[i]);
    char *eq = strchr(kv, '=');
    *eq = '\0';
    rd_kafka_conf_set(conf, kv, eq + 1, e, sizeof e);
    free(kv);
  }
  rd_kafka_conf_set(conf, "bootstrap.servers", c->bootstrap, e, sizeof e);
  rd_kafka_conf_set(conf, "client.id", "streamproof-readback", e, sizeof e);
  rd_kafka_conf_set(conf, "group.id", group, e, sizeof e);
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", e, sizeof e);
  rd_kafka_conf_set(conf, "enable.partition.eof", "false", e, sizeof e);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, e, sizeof e);
  if (!rk) sp_error("readback client: %s", e);
  else rd_kafka_poll_set_consumer(rk);
  return rk;
}

int readback_run(run_ctx *c, double timeout_s) {
  char path[RUN_PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/readback.hist", c->hist_dir);
  hist_writer *out = hist_writer_open(path, HIST_KIND_READBACK, 0);
  if (!out) {
    sp_error("cannot write %s: %s", path, strerror(errno));
    return -1;
  }
  uint32_t n_tps = 0;
  for (uint32_t t = 0; t < c->n_topics; t++) n_tps += (uint32_t)c->topics[t].partitions;
  rb_part *parts = sp_calloc(n_tps ? n_tps : 1, sizeof *parts);
  rd_kafka_topic_partition_list_t *assign = rd_kafka_topic_partition_list_new((int)n_tps);
  uint32_t *base = sp_calloc(c->n_topics ? c->n_topics : 1, sizeof *base);
  int complete = 1;
  uint64_t left = 0;
  for (uint32_t t = 0, tp = 0; t < c->n_topics; t++) {
    base[t] = tp;
    for (int32_t p = 0; p < c->topics[t].partitions; p++, tp++) {
      rb_part *rp = &parts[tp];
      if (admin_watermarks(c, t, p, &rp->low, &rp->high) != 0) {
        rp->high = -1;
        complete = 0;
        continue;
      }
      hist_record r = {.type = HIST_END_OFFSETS, .topic = (uint16_t)t, .partition = p,
                       .offset = rp->high, .seq = (uint64_t)rp->low, .key = HIST_NO_KEY,
                       .t_ns = sp_mono_ns()};
      hist_writer_append(out, &r);
      rp->next = rp->low;
      if (rp->high > rp->low) {
        rd_kafka_topic_partition_list_add(assign, c->topics[t].name, p)->offset = rp->low;
        left += (uint64_t)(rp->high - rp->low);
      }
    }
  }
  rd_kafka_t *rk = assign->cnt ? readback_client(c) : NULL;
  if (assign->cnt && (!rk || rd_kafka_assign(rk, assign) != RD_KAFKA_RESP_ERR_NO_ERROR)) {
    sp_error("readback: cannot assign the partitions");
    complete = 0;
    left = 0;
  }
  uint64_t start = sp_mono_ns(), last_progress = start, read = 0;
  uint64_t deadline = start + (uint64_t)(timeout_s * 1e9);
  while (left > 0) {
    if (run_interrupted) {
      complete = 0;
      break;
    }
    uint64_t now = sp_mono_ns();
    if (now > deadline || now - last_progress > READBACK_STALL_NS) {
      sp_warn("readback incomplete: %" PRIu64 " messages not read back within %.0f s", left,
              (double)(now - start) / 1e9);
      complete = 0;
      break;
    }
    rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
    if (!m) continue;
    if (m->err) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) sp_warn("readback: %s", rd_kafka_message_errstr(m));
      rd_kafka_message_destroy(m);
      continue;
    }
    uint32_t t = 0;
    for (; t < c->n_topics; t++)
      if (!strcmp(rd_kafka_topic_name(m->rkt), c->topics[t].name)) break;
    if (t < c->n_topics && m->partition >= 0 && m->partition < c->topics[t].partitions) {
      rb_part *rp = &parts[base[t] + (uint32_t)m->partition];
      if (rp->high >= 0 && m->offset >= rp->next && m->offset < rp->high) {
        hist_record r = {.type = HIST_READBACK, .topic = (uint16_t)t, .partition = m->partition,
                         .offset = m->offset, .t_ns = now};
        observed_fill(&r, m->payload, m->len, m->key, m->key_len);
        hist_writer_append(out, &r);
        if (c->fw && (r.flags & HIST_F_CHECKSUM) && m->len >= IDENTITY_BYTES)
          fw_event_time(c->fw, r.writer, r.t_intended_ns, r.t_sent_ns, identity_event_time_ms(m->payload));
        /* offsets may have gaps (transaction markers): count what remains */
        left -= (uint64_t)(m->offset + 1 - rp->next);
        rp->next = m->offset + 1;
        read++;
        last_progress = now;
        if (rp->next >= rp->high) sp_debug("readback of %s/%d complete", c->topics[t].name, m->partition);
      }
    }
    rd_kafka_message_destroy(m);
  }
  if (rk) {
    rd_kafka_assign(rk, NULL);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
  }
  rd_kafka_topic_partition_list_destroy(assign);
  free(parts);
  free(base);
  if (hist_writer_close(out) != 0) {
    sp_error("writing %s: %s", path, strerror(errno));
    return -1;
  }
  sp_info("readback: %" PRIu64 " messages read%s", read, complete ? "" : " (incomplete)");
  return complete ? 1 : 0;
}
