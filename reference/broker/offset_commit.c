/* offset_commit.c: OffsetCommit v2-7: committed consumer-group offsets,
 * stored by storage (store_commit_offset) and, under --fsync always,
 * answered only after the group commit made them durable. A commit by a
 * group member is checked against the group's generation (the coordinator
 * decides); generation -1 with an empty member id is a "simple" commit by
 * a consumer outside any group, as assign()-based consumers send. */
#include <stdio.h>

#include "group_coordinator.h"
#include "log.h"
#include "messages.h"
#include "protocol.h"
#include "request.h"

#define OFFSET_METADATA_MAX_BYTES 4096 /* Kafka's offset.metadata.max.bytes */

/* Request v2-4: group_id STRING, generation_id i32, member_id STRING,
 *               retention_time_ms i64, topics
 * Request v5-6: group_id STRING, generation_id i32, member_id STRING, topics
 * Request v7:   group_id STRING, generation_id i32, member_id STRING,
 *               group_instance_id STRING nullable, topics
 *   topics ARRAY[name STRING,
 *     partitions ARRAY[partition_index i32, committed_offset i64,
 *                      committed_leader_epoch i32 (v6+),
 *                      committed_metadata STRING nullable]] */
int offset_commit_request_decode(kreader *r, int16_t version, arena *a, offset_commit_request *out) {
  out->group_id = kr_string(r);
  out->generation_id = kr_i32(r);
  out->member_id = kr_string(r);
  out->retention_ms = version <= 4 ? kr_i64(r) : -1;
  out->group_instance_id = version >= 7 ? kr_string(r) : (kslice){NULL, -1};
  out->n_topics = kr_array(r, 6);
  if (out->group_id.len < 0 || out->n_topics < 0) r->err = 1;
  if (r->err) return -1;
  size_t part_bytes = 14 + (version >= 6 ? 4 : 0);
  out->topics = arena_calloc(a, (size_t)out->n_topics, sizeof *out->topics);
  for (int32_t t = 0; t < out->n_topics && !r->err; t++) {
    offset_commit_topic *ot = &out->topics[t];
    ot->name = kr_string(r);
    ot->n_partitions = kr_array(r, part_bytes);
    if (ot->name.len < 0 || ot->n_partitions < 0) r->err = 1;
    if (r->err) break;
    ot->partitions = arena_calloc(a, (size_t)ot->n_partitions, sizeof *ot->partitions);
    for (int32_t p = 0; p < ot->n_partitions; p++) {
      offset_commit_partition *op = &ot->partitions[p];
      op->index = kr_i32(r);
      op->offset = kr_i64(r);
      op->leader_epoch = version >= 6 ? kr_i32(r) : -1;
      op->metadata = kr_string(r);
    }
  }
  return r->err ? -1 : 0;
}

/* Response v2:   topics ARRAY[name STRING, partitions ARRAY[partition_index i32, error_code i16]]
 * Response v3-7: throttle_time_ms i32, then as v2 */
void offset_commit_response_encode(sp_buf *b, int16_t version, const offset_commit_request *req) {
  if (version >= 3) kw_i32(b, 0);
  kw_i32(b, req->n_topics);
  for (int32_t t = 0; t < req->n_topics; t++) {
    const offset_commit_topic *ot = &req->topics[t];
    kw_kslice_string(b, ot->name);
    kw_i32(b, ot->n_partitions);
    for (int32_t p = 0; p < ot->n_partitions; p++) {
      kw_i32(b, ot->partitions[p].index);
      kw_i16(b, ot->partitions[p].error);
    }
  }
}

typedef struct commit_hold {
  pending_ack ack; /* first: the group commit hands this back */
  offset_commit_request req;
} commit_hold;

static void commit_after_sync(pending_ack *a, int sync_failures) {
  commit_hold *h = (commit_hold *)a;
  resp_slot *s = a->slot;
  /* store.h does not say which file a failed sync belonged to, so any
   * failure refuses the commit: the consumer retries it (never a false ack). */
  if (sync_failures) {
    for (int32_t t = 0; t < h->req.n_topics; t++)
      for (int32_t p = 0; p < h->req.topics[t].n_partitions; p++)
        if (!h->req.topics[t].partitions[p].error)
          h->req.topics[t].partitions[p].error = KERR_KAFKA_STORAGE_ERROR;
  }
  offset_commit_response_encode(&s->out, s->api_version, &h->req);
  slot_complete(s);
}

int handle_offset_commit(request *rq) {
  kreader r;
  kr_init(&r, rq->body, rq->body_len);
  resp_slot *s = rq->slot;
  commit_hold *h = arena_calloc(&s->mem, 1, sizeof *h);
  offset_commit_request *req = &h->req;
  if (offset_commit_request_decode(&r, rq->h->api_version, &s->mem, req) != 0) return -1;
  server *srv = rq->srv;
  int16_t group_error = KERR_NONE;
  if (req->group_id.len == 0) group_error = KERR_INVALID_GROUP_ID;
  else group_error = group_check_commit(srv->groups, req->group_id, req->generation_id, req->member_id);
  int stored = 0;
  for (int32_t t = 0; t < req->n_topics; t++) {
    offset_commit_topic *ot = &req->topics[t];
    for (int32_t p = 0; p < ot->n_partitions; p++) {
      offset_commit_partition *op = &ot->partitions[p];
      if (group_error) {
        op->error = group_error;
      } else if (!store_partition(srv->st, (const char *)ot->name.ptr, (size_t)ot->name.len, op->index)) {
        op->error = KERR_UNKNOWN_TOPIC_OR_PARTITION;
      } else if (op->metadata.len > OFFSET_METADATA_MAX_BYTES) {
        op->error = KERR_OFFSET_METADATA_TOO_LARGE;
      } else {
        op->error = (int16_t)store_commit_offset(
            srv->st, (const char *)req->group_id.ptr, (size_t)req->group_id.len,
            (const char *)ot->name.ptr, (size_t)ot->name.len, op->index, op->offset,
            op->metadata.len >= 0 ? (const char *)op->metadata.ptr : NULL,
            op->metadata.len >= 0 ? (size_t)op->metadata.len : 0);
        if (!op->error) stored++;
      }
    }
  }
  if (group_error)
    sp_debug("%s: OffsetCommit for group %.*s refused: %s", rq->c->peer, req->group_id.len,
             (const char *)req->group_id.ptr, kerr_name(group_error));
  if (stored && srv->opts->fsync_policy == STORE_FSYNC_ALWAYS) {
    server_hold_for_sync(srv, &h->ack, s, commit_after_sync);
    return 0;
  }
  offset_commit_response_encode(&s->out, rq->h->api_version, req);
  slot_complete(s);
  return 0;
}
