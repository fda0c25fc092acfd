/* admin.c: the orchestrator's own Kafka client: is the broker reachable,
 * create the run's topics, read partition watermarks (the drain's targets
 * and the readback's range). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "mem.h"
#include "run_int.h"

#define ADMIN_TOPIC_TIMEOUT_MS 30000

/* librdkafka's own log lines are details: our debug level, except errors
 * about what we asked for, which the calling code reports itself. */
static void admin_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
  (void)rk;
  sp_log(level <= 3 ? SP_LOG_DEBUG : SP_LOG_DEBUG, "librdkafka %s: %s", fac, buf);
}

int admin_connect(run_ctx *c, int timeout_ms, char *err, size_t err_len) {
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  char e[512];
  kv_list common;
  workload_rdkafka_conf(&c->wl, WL_CLIENT_CONSUMER, &common); /* security etc. from the workload */
  for (size_t i = 0; i < common.n; i++)
    rd_kafka_conf_set(conf, common.keys[i], common.values[i], e, sizeof e); /* role-specific ones are ignored */
  kv_list_free(&common);
  for (size_t i = 0; i < c->opt.n_props; i++) {
    char *kv = sp_strdup(c->opt.props[i]);
    char *eq = strchr(kv, '=');
    *eq = '\0';
    if (rd_kafka_conf_set(conf, kv, eq + 1, e, sizeof e) != RD_KAFKA_CONF_OK) {
      snprintf(err, err_len, "-X %s: %s", c->opt.props[i], e);
      free(kv);
      rd_kafka_conf_destroy(conf);
      return -1;
    }
    free(kv);
  }
  rd_kafka_conf_set(conf, "bootstrap.servers", c->bootstrap, e, sizeof e);
  rd_kafka_conf_set(conf, "client.id", "streamproof-run", e, sizeof e);
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", e, sizeof e);
  rd_kafka_conf_set_log_cb(conf, admin_log);
  c->admin = rd_kafka_new(RD_KAFKA_CONSUMER, conf, e, sizeof e);
  if (!c->admin) {
    snprintf(err, err_len, "cannot create a Kafka client: %s", e);
    return -1;
  }
  const rd_kafka_metadata_t *md = NULL;
  rd_kafka_resp_err_t rc = rd_kafka_metadata(c->admin, 0, NULL, &md, timeout_ms);
  if (rc != RD_KAFKA_RESP_ERR_NO_ERROR) {
    snprintf(err, err_len, "cannot reach the broker at %s: %s (waited %.1f s)", c->bootstrap,
             rd_kafka_err2str(rc), timeout_ms / 1000.0);
    return -1;
  }
  sp_info("broker at %s: %d broker(s) in metadata", c->bootstrap, md->broker_cnt);
  rd_kafka_metadata_destroy(md);
  return 0;
}

/* Sends CreateTopics for topics [from, to) with a replication factor; fills
 * per-topic results (0 ok, else the error). Returns -1 when the request
 * itself failed. */
static int create(run_ctx *c, int rf, rd_kafka_resp_err_t *results, char *err, size_t err_len) {
  rd_kafka_NewTopic_t **nt = sp_calloc(c->n_topics, sizeof *nt);
  char e[512];
  for (uint32_t t = 0; t < c->n_topics; t++) {
    nt[t] = rd_kafka_NewTopic_new(c->topics[t].name, c->topics[t].partitions, rf, e, sizeof e);
    if (!nt[t]) {
      snprintf(err, err_len, "topic %s: %s", c->topics[t].name, e);
      for (uint32_t k = 0; k < t; k++) rd_kafka_NewTopic_destroy(nt[k]);
      free(nt);
      return -1;
    }
  }
  rd_kafka_queue_t *q = rd_kafka_queue_new(c->admin);
  rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(c->admin, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(o, ADMIN_TOPIC_TIMEOUT_MS, e, sizeof e);
  rd_kafka_AdminOptions_set_request_timeout(o, ADMIN_TOPIC_TIMEOUT_MS, e, sizeof e);
  rd_kafka_CreateTopics(c->admin, nt, c->n_topics, o, q);
  rd_kafka_event_t *ev = rd_kafka_queue_poll(q, ADMIN_TOPIC_TIMEOUT_MS + 5000);
  int rc = 0;
  if (!ev || rd_kafka_event_error(ev)) {
    snprintf(err, err_len, "CreateTopics: %s",
             ev ? rd_kafka_event_error_string(ev) : "no answer within the timeout");
    rc = -1;
  } else {
    const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
    size_t n;
    const rd_kafka_topic_result_t **tr = rd_kafka_CreateTopics_result_topics(res, &n);
    for (uint32_t t = 0; t < c->n_topics; t++) results[t] = RD_KAFKA_RESP_ERR_NO_ERROR;
    for (size_t i = 0; i < n; i++)
      for (uint32_t t = 0; t < c->n_topics; t++)
        if (!strcmp(rd_kafka_topic_result_name(tr[i]), c->topics[t].name)) {
          results[t] = rd_kafka_topic_result_error(tr[i]);
          if (results[t])
            sp_debug("CreateTopics %s: %s", c->topics[t].name, rd_kafka_topic_result_error_string(tr[i]));
        }
  }
  if (ev) rd_kafka_event_destroy(ev);
  rd_kafka_AdminOptions_destroy(o);
  rd_kafka_queue_destroy(q);
  for (uint32_t t = 0; t < c->n_topics; t++) rd_kafka_NewTopic_destroy(nt[t]);
  free(nt);
  return rc;
}

/* 1 when every topic has all its partitions, each with a leader. */
static int topics_ready(run_ctx *c) {
  const rd_kafka_metadata_t *md = NULL;
  if (rd_kafka_metadata(c->admin, 1, NULL, &md, 5000) != RD_KAFKA_RESP_ERR_NO_ERROR) return 0;
  int ready = 1;
  for (uint32_t t = 0; t < c->n_topics && ready; t++) {
    int found = 0;
    for (int i = 0; i < md->topic_cnt; i++) {
      const rd_kafka_metadata_topic_t *mt = &md->topics[i];
      if (strcmp(mt->topic, c->topics[t].name)) continue;
      found = !mt->err && mt->partition_cnt == c->topics[t].partitions;
      for (int p = 0; found && p < mt->partition_cnt; p++) found = mt->partitions[p].leader >= 0;
    }
    ready = found;
  }
  rd_kafka_metadata_destroy(md);
  return ready;
}

int admin_create_topics(run_ctx *c, char *err, size_t err_len) {
  rd_kafka_resp_err_t *res = sp_calloc(c->n_topics, sizeof *res);
  /* replication factor -1: the broker's default (Kafka, Redpanda); a
   * broker that does not take -1 gets 1 */
  int rc = create(c, -1, res, err, err_len);
  int retry = 0;
  for (uint32_t t = 0; rc == 0 && t < c->n_topics; t++)
    retry |= res[t] == RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR ||
             res[t] == RD_KAFKA_RESP_ERR_INVALID_REQUEST ||
             res[t] == RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION;
  if (retry) rc = create(c, 1, res, err, err_len);
  for (uint32_t t = 0; rc == 0 && t < c->n_topics; t++)
    if (res[t] && res[t] != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      snprintf(err, err_len, "cannot create topic %s (%d partitions) on %s: %s", c->topics[t].name,
               c->topics[t].partitions, c->bootstrap, rd_kafka_err2str(res[t]));
      rc = -1;
    }
  free(res);
  if (rc) return -1;
  uint64_t deadline = sp_mono_ns() + (uint64_t)ADMIN_TOPIC_TIMEOUT_MS * 1000000ull;
  while (!topics_ready(c)) {
    if (run_interrupted) {
      snprintf(err, err_len, "interrupted");
      return -1;
    }
    if (sp_mono_ns() > deadline) {
      snprintf(err, err_len, "topics created on %s but their partitions have no leader after %d s",
               c->bootstrap, ADMIN_TOPIC_TIMEOUT_MS / 1000);
      return -1;
    }
    usleep(100000);
  }
  return 0;
}

int admin_watermarks(run_ctx *c, uint32_t topic, int32_t partition, int64_t *low, int64_t *high) {
  rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(c->admin, c->topics[topic].name, partition,
                                                           low, high, 5000);
  if (e) {
    sp_warn("watermarks of %s/%d: %s", c->topics[topic].name, partition, rd_kafka_err2str(e));
    return -1;
  }
  return 0;
}

void admin_close(run_ctx *c) {
  if (c->admin) rd_kafka_destroy(c->admin);
  c->admin = NULL;
}
