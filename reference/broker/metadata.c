/* metadata.c: Metadata v0-4: the broker list (just this broker), the
 * controller (this broker), and topics with their partitions, creating
 * unknown topics on request (--auto-create-topics, --default-partitions). */
#include <string.h>

#include "log.h"
#include "messages.h"
#include "protocol.h"
#include "request.h"

#define CLUSTER_ID "refbroker"

/* Request v0:   topics ARRAY[name STRING]            (empty: all topics)
 * Request v1-3: topics ARRAY[name STRING], nullable  (null: all, empty: none)
 * Request v4:   ... then allow_auto_topic_creation BOOL */
int metadata_request_decode(kreader *r, int16_t version, arena *a, metadata_request *out) {
  out->n_topics = kr_array(r, 2);
  if (version == 0 && out->n_topics == 0) out->n_topics = -1;
  out->topics = NULL;
  if (out->n_topics > 0) {
    out->topics = arena_calloc(a, (size_t)out->n_topics, sizeof *out->topics);
    for (int32_t i = 0; i < out->n_topics; i++) {
      out->topics[i] = kr_string(r);
      if (out->topics[i].len < 0) r->err = 1; /* a null name is not a topic */
    }
  }
  out->allow_auto_topic_creation = version >= 4 ? kr_i8(r) : 1;
  return r->err ? -1 : 0;
}

/* Response v0-4:
 *   throttle_time_ms i32                                   (v3+)
 *   brokers ARRAY[node_id i32, host STRING, port i32,
 *                 rack STRING nullable                     (v1+)]
 *   cluster_id STRING nullable                             (v2+)
 *   controller_id i32                                      (v1+)
 *   topics ARRAY[error_code i16, name STRING, is_internal BOOL (v1+),
 *     partitions ARRAY[error_code i16, partition_index i32, leader_id i32,
 *                      replica_nodes ARRAY[i32], isr_nodes ARRAY[i32]]] */
void metadata_response_encode(sp_buf *b, int16_t version, const metadata_response *resp) {
  if (version >= 3) kw_i32(b, 0);
  kw_i32(b, 1);
  kw_i32(b, resp->node_id);
  kw_string(b, resp->host);
  kw_i32(b, resp->port);
  if (version >= 1) kw_string(b, NULL);
  if (version >= 2) kw_string(b, resp->cluster_id);
  if (version >= 1) kw_i32(b, resp->node_id);
  kw_i32(b, resp->n_topics);
  for (int32_t i = 0; i < resp->n_topics; i++) {
    const metadata_topic *t = &resp->topics[i];
    kw_i16(b, t->error);
    kw_string_len(b, t->name, (int16_t)t->name_len);
    if (version >= 1) kw_i8(b, 0);
    kw_i32(b, t->n_partitions);
    for (int32_t p = 0; p < t->n_partitions; p++) {
      kw_i16(b, t->partitions[p].error);
      kw_i32(b, t->partitions[p].index);
      kw_i32(b, t->partitions[p].leader);
      kw_i32(b, 1);
      kw_i32(b, t->partitions[p].leader);
      kw_i32(b, 1);
      kw_i32(b, t->partitions[p].leader);
    }
  }
}

typedef struct topic_list {
  arena *mem;
  metadata_topic *topics;
  int32_t n, cap;
} topic_list;

static metadata_topic *topic_list_add(topic_list *l, const char *name, int32_t len) {
  if (l->n == l->cap) {
    int32_t cap = l->cap ? l->cap * 2 : 16;
    metadata_topic *t = arena_calloc(l->mem, (size_t)cap, sizeof *t);
    if (l->n) memcpy(t, l->topics, (size_t)l->n * sizeof *t);
    l->topics = t;
    l->cap = cap;
  }
  metadata_topic *t = &l->topics[l->n++];
  t->name = arena_strndup(l->mem, name, (size_t)len);
  t->name_len = len;
  return t;
}

static void add_existing(void *ctx, const char *name, int32_t partitions) {
  (void)partitions;
  topic_list_add(ctx, name, (int32_t)strlen(name));
}

/* Fills a topic's partitions (leader: this broker) or sets its error. */
static void describe_topic(request *rq, metadata_topic *t, int auto_create) {
  server *srv = rq->srv;
  int32_t n = store_topic_partitions(srv->st, t->name, (size_t)t->name_len);
  if (n < 0) {
    if (!store_topic_name_valid(t->name, (size_t)t->name_len)) {
      t->error = KERR_INVALID_TOPIC_EXCEPTION;
      return;
    }
    if (!auto_create) {
      t->error = KERR_UNKNOWN_TOPIC_OR_PARTITION;
      return;
    }
    int err = store_create_topic(srv->st, t->name, (size_t)t->name_len,
                                 srv->opts->default_partitions);
    if (err != KERR_NONE && err != KERR_TOPIC_ALREADY_EXISTS) {
      t->error = (int16_t)err;
      return;
    }
    sp_info("%s: auto-created topic %s (%d partitions)", rq->c->peer, t->name,
            srv->opts->default_partitions);
    n = store_topic_partitions(srv->st, t->name, (size_t)t->name_len);
    if (n < 0) {
      t->error = KERR_UNKNOWN_TOPIC_OR_PARTITION;
      return;
    }
  }
  t->n_partitions = n;
  t->partitions = arena_calloc(&rq->slot->mem, (size_t)n, sizeof *t->partitions);
  for (int32_t p = 0; p < n; p++) {
    t->partitions[p].index = p;
    t->partitions[p].leader = srv->opts->node_id;
  }
}

int handle_metadata(request *rq) {
  kreader r;
  kr_init(&r, rq->body, rq->body_len);
  metadata_request req;
  arena *mem = &rq->slot->mem;
  if (metadata_request_decode(&r, rq->h->api_version, mem, &req) != 0) return -1;
  topic_list l = {.mem = mem};
  if (req.n_topics < 0) {
    store_foreach_topic(rq->srv->st, add_existing, &l);
  } else {
    int auto_create = rq->srv->opts->auto_create_topics && req.allow_auto_topic_creation;
    for (int32_t i = 0; i < req.n_topics; i++)
      topic_list_add(&l, (const char *)req.topics[i].ptr, req.topics[i].len);
    for (int32_t i = 0; i < l.n; i++) describe_topic(rq, &l.topics[i], auto_create);
  }
  if (req.n_topics < 0)
    for (int32_t i = 0; i < l.n; i++) describe_topic(rq, &l.topics[i], 0);
  metadata_response resp = {
      .node_id = rq->srv->opts->node_id,
      .host = rq->srv->advertised_host,
      .port = rq->srv->advertised_port,
      .cluster_id = CLUSTER_ID,
      .n_topics = l.n,
      .topics = l.topics,
  };
  metadata_response_encode(&rq->slot->out, rq->h->api_version, &resp);
  slot_complete(rq->slot);
  return 0;
}
