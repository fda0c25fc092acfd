/* create_topics.c: CreateTopics v0-4 (Admin API; sent to the controller,
 * which is this broker). num_partitions/replication_factor -1 take the
 * broker defaults (KIP-464); a single broker can only hold replication
 * factor 1; per-topic configs are refused with INVALID_CONFIG because
 * refbroker applies broker-wide settings only (silently ignoring a
 * retention.ms would be a lie). validate_only checks without creating. */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "messages.h"
#include "protocol.h"
#include "request.h"

/* Request v0:   topics ARRAY[name STRING, num_partitions i32, replication_factor i16,
 *                 assignments ARRAY[partition_index i32, broker_ids ARRAY[i32]],
 *                 configs ARRAY[name STRING, value STRING nullable]],
 *               timeout_ms i32
 * Request v1-4: ... then validate_only BOOL */
int create_topics_request_decode(kreader *r, int16_t version, arena *a, create_topics_request *out) {
  out->n_topics = kr_array(r, 16);
  if (out->n_topics < 0) r->err = 1;
  if (r->err) return -1;
  out->topics = arena_calloc(a, (size_t)out->n_topics, sizeof *out->topics);
  for (int32_t t = 0; t < out->n_topics && !r->err; t++) {
    create_topic *ct = &out->topics[t];
    ct->name = kr_string(r);
    ct->num_partitions = kr_i32(r);
    ct->replication_factor = kr_i16(r);
    ct->n_assignments = kr_array(r, 8);
    if (ct->name.len < 0 || ct->n_assignments < 0) r->err = 1;
    if (r->err) break;
    ct->assignments = arena_calloc(a, (size_t)ct->n_assignments, sizeof *ct->assignments);
    for (int32_t i = 0; i < ct->n_assignments && !r->err; i++) {
      create_topic_assignment *as = &ct->assignments[i];
      as->partition_index = kr_i32(r);
      as->n_broker_ids = kr_array(r, 4);
      if (as->n_broker_ids < 0) r->err = 1;
      if (r->err) break;
      as->broker_ids = arena_calloc(a, (size_t)as->n_broker_ids, sizeof *as->broker_ids);
      for (int32_t k = 0; k < as->n_broker_ids; k++) as->broker_ids[k] = kr_i32(r);
    }
    ct->n_configs = kr_array(r, 4);
    if (ct->n_configs < 0) r->err = 1;
    if (r->err) break;
    ct->configs = arena_calloc(a, (size_t)ct->n_configs, sizeof *ct->configs);
    for (int32_t i = 0; i < ct->n_configs; i++) {
      ct->configs[i].name = kr_string(r);
      ct->configs[i].value = kr_string(r);
    }
  }
  out->timeout_ms = kr_i32(r);
  out->validate_only = version >= 1 ? kr_i8(r) : 0;
  return r->err ? -1 : 0;
}

/* Response v0:   topics ARRAY[name STRING, error_code i16]
 * Response v1:   topics ARRAY[name STRING, error_code i16, error_message STRING nullable]
 * Response v2-4: throttle_time_ms i32, then as v1 */
void create_topics_response_encode(sp_buf *b, int16_t version, const create_topics_request *req) {
  if (version >= 2) kw_i32(b, 0);
  kw_i32(b, req->n_topics);
  for (int32_t t = 0; t < req->n_topics; t++) {
    const create_topic *ct = &req->topics[t];
    kw_kslice_string(b, ct->name);
    kw_i16(b, ct->error);
    if (version >= 1) kw_string(b, ct->error_message);
  }
}

/* Checks one topic; returns the partition count to create or -1 with
 * ct->error/error_message set. */
static int32_t validate_topic(request *rq, const create_topics_request *req, int32_t idx,
                              create_topic *ct, char *msg, size_t cap) {
  const broker_options *o = rq->srv->opts;
  const char *name = (const char *)ct->name.ptr;
  for (int32_t j = 0; j < idx; j++)
    if (req->topics[j].name.len == ct->name.len &&
        memcmp(req->topics[j].name.ptr, ct->name.ptr, (size_t)ct->name.len) == 0) {
      ct->error = KERR_INVALID_REQUEST;
      ct->error_message = "topic named twice in one request";
      return -1;
    }
  if (!store_topic_name_valid(name, (size_t)ct->name.len)) {
    ct->error = KERR_INVALID_TOPIC_EXCEPTION;
    ct->error_message = "topic names are 1-249 characters of [a-zA-Z0-9._-], not '.' or '..'";
    return -1;
  }
  if (store_topic_partitions(rq->srv->st, name, (size_t)ct->name.len) >= 0) {
    ct->error = KERR_TOPIC_ALREADY_EXISTS;
    ct->error_message = "topic already exists";
    return -1;
  }
  if (ct->n_configs > 0) {
    snprintf(msg, cap, "per-topic configs are not supported (got '%.*s'); refbroker applies its "
             "command-line settings to every topic",
             ct->configs[0].name.len > 100 ? 100 : (ct->configs[0].name.len < 0 ? 0 : ct->configs[0].name.len),
             ct->configs[0].name.ptr ? (const char *)ct->configs[0].name.ptr : "");
    ct->error = KERR_INVALID_CONFIG;
    ct->error_message = msg;
    return -1;
  }
  int32_t partitions = ct->num_partitions;
  if (ct->n_assignments > 0) {
    if (ct->num_partitions != -1 || ct->replication_factor != -1) {
      ct->error = KERR_INVALID_REQUEST;
      ct->error_message = "give either assignments or num_partitions/replication_factor";
      return -1;
    }
    for (int32_t i = 0; i < ct->n_assignments; i++) {
      const create_topic_assignment *as = &ct->assignments[i];
      if (as->partition_index != i || as->n_broker_ids != 1 || as->broker_ids[0] != o->node_id) {
        snprintf(msg, cap, "assignments must list partitions 0..n-1 in order, each on broker %d only",
                 o->node_id);
        ct->error = KERR_INVALID_REPLICA_ASSIGNMENT;
        ct->error_message = msg;
        return -1;
      }
    }
    partitions = ct->n_assignments;
  } else {
    if (partitions == -1) partitions = o->default_partitions;
    if (partitions < 1 || partitions > 100000) {
      ct->error = KERR_INVALID_PARTITIONS;
      ct->error_message = "number of partitions must be 1..100000 (or -1 for the default)";
      return -1;
    }
    if (ct->replication_factor != -1 && ct->replication_factor != 1) {
      snprintf(msg, cap, "replication factor %d is larger than the 1 available broker",
               ct->replication_factor);
      ct->error = KERR_INVALID_REPLICATION_FACTOR;
      ct->error_message = msg;
      return -1;
    }
  }
  return partitions;
}

int handle_create_topics(request *rq) {
  kreader r;
  kr_init(&r, rq->body, rq->body_len);
  create_topics_request req;
  arena *mem = &rq->slot->mem;
  if (create_topics_request_decode(&r, rq->h->api_version, mem, &req) != 0) return -1;
  for (int32_t t = 0; t < req.n_topics; t++) {
    create_topic *ct = &req.topics[t];
    char *msg = arena_calloc(mem, 256, 1);
    int32_t partitions = validate_topic(rq, &req, t, ct, msg, 256);
    if (partitions < 0 || req.validate_only) continue;
    int err = store_create_topic(rq->srv->st, (const char *)ct->name.ptr, (size_t)ct->name.len, partitions);
    ct->error = (int16_t)err;
    if (err) ct->error_message = "the topic could not be created (see the broker log)";
    else sp_info("%s: created topic %.*s (%d partitions)", rq->c->peer, ct->name.len,
                 (const char *)ct->name.ptr, partitions);
  }
  create_topics_response_encode(&rq->slot->out, rq->h->api_version, &req);
  slot_complete(rq->slot);
  return 0;
}
