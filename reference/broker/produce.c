/* produce.c: Produce v3-7.
 *
 * Each partition's records (one or more RecordBatch v2) go to
 * partition_append as they arrived: validated (CRC-32C, lengths, magic),
 * base offsets assigned in place, written as opaque bytes. The response:
 *   acks=0     none at all (an error closes the connection instead, as Kafka
 *              does, so the producer notices)
 *   acks=1/-1  under --fsync always it waits for the group commit at the end
 *              of this event-loop pass and reports KAFKA_STORAGE_ERROR for a
 *              partition whose data did not survive the sync; otherwise it is
 *              answered at once. */
#include <stdio.h>

#include "fault.h"
#include "fault_points.h"
#include "log.h"
#include "messages.h"
#include "protocol.h"
#include "request.h"

/* Request v3-7:
 *   transactional_id STRING nullable, acks i16, timeout_ms i32,
 *   topics ARRAY[name STRING, partitions ARRAY[index i32, records BYTES nullable]] */
int produce_request_decode(kreader *r, int16_t version, arena *a, produce_request *out) {
  (void)version;
  out->transactional_id = kr_string(r);
  out->acks = kr_i16(r);
  out->timeout_ms = kr_i32(r);
  out->n_topics = kr_array(r, 6);
  if (out->n_topics < 0) r->err = 1;
  if (r->err) return -1;
  out->topics = arena_calloc(a, (size_t)out->n_topics, sizeof *out->topics);
  for (int32_t t = 0; t < out->n_topics && !r->err; t++) {
    produce_topic *pt = &out->topics[t];
    pt->name = kr_string(r);
    pt->n_partitions = kr_array(r, 8);
    if (pt->name.len < 0 || pt->n_partitions < 0) r->err = 1;
    if (r->err) break;
    pt->partitions = arena_calloc(a, (size_t)pt->n_partitions, sizeof *pt->partitions);
    for (int32_t p = 0; p < pt->n_partitions && !r->err; p++) {
      pt->partitions[p].index = kr_i32(r);
      pt->partitions[p].records = kr_bytes(r);
      pt->partitions[p].base_offset = -1;
      pt->partitions[p].log_start_offset = -1;
    }
  }
  return r->err ? -1 : 0;
}

/* Response v3-7:
 *   responses ARRAY[name STRING,
 *     partitions ARRAY[index i32, error_code i16, base_offset i64,
 *                      log_append_time_ms i64 (-1: CreateTime),
 *                      log_start_offset i64 (v5+)]],
 *   throttle_time_ms i32 */
void produce_response_encode(sp_buf *b, int16_t version, const produce_request *req) {
  kw_i32(b, req->n_topics);
  for (int32_t t = 0; t < req->n_topics; t++) {
    const produce_topic *pt = &req->topics[t];
    kw_kslice_string(b, pt->name);
    kw_i32(b, pt->n_partitions);
    for (int32_t p = 0; p < pt->n_partitions; p++) {
      const produce_partition *pp = &pt->partitions[p];
      kw_i32(b, pp->index);
      kw_i16(b, pp->error);
      kw_i64(b, pp->error ? -1 : pp->base_offset);
      kw_i64(b, -1);
      if (version >= 5) kw_i64(b, pp->log_start_offset);
    }
  }
  kw_i32(b, 0);
}

/* A partition appended under --fsync always: acknowledged only if the
 * group commit made (epoch, last_offset) durable. */
typedef struct held_partition {
  produce_partition *pp;
  partition *part;
  uint64_t epoch;
  int64_t last_offset;
} held_partition;

typedef struct produce_hold {
  pending_ack ack; /* first: the group commit hands this back */
  produce_request req;
  int32_t n_held;
  held_partition *held;
} produce_hold;

/* Queues the response, unless the ack-loss fault point says otherwise. */
static void produce_finish(resp_slot *s, const produce_request *req) {
  if (sp_fault_point(FP_PRODUCE_AFTER_APPEND_BEFORE_ACK)) {
    conn_close(s->c, "fault point " FP_PRODUCE_AFTER_APPEND_BEFORE_ACK ": produce ack dropped");
    return;
  }
  produce_response_encode(&s->out, s->api_version, req);
  slot_complete(s);
}

static void produce_after_sync(pending_ack *a, int sync_failures) {
  (void)sync_failures; /* each partition answers for itself */
  produce_hold *h = (produce_hold *)a;
  for (int32_t i = 0; i < h->n_held; i++) {
    held_partition *hp = &h->held[i];
    if (!partition_is_durable(hp->part, hp->epoch, hp->last_offset)) {
      hp->pp->error = KERR_KAFKA_STORAGE_ERROR;
      hp->pp->base_offset = -1;
    }
    hp->pp->log_start_offset = partition_log_start_offset(hp->part);
  }
  produce_finish(a->slot, &h->req);
}

/* Appends one partition's records; returns the Kafka error code. */
static int append_partition(request *rq, const produce_request *req, const produce_topic *pt,
                            produce_partition *pp, int64_t now_ms, held_partition *held,
                            int32_t *n_held) {
  server *srv = rq->srv;
  if (req->acks != 0 && req->acks != 1 && req->acks != -1) return KERR_INVALID_REQUIRED_ACKS;
  if (req->transactional_id.len >= 0) return KERR_INVALID_TXN_STATE;
  partition *part = store_partition(srv->st, (const char *)pt->name.ptr, (size_t)pt->name.len, pp->index);
  if (!part)
    return store_topic_name_valid((const char *)pt->name.ptr, (size_t)pt->name.len)
               ? KERR_UNKNOWN_TOPIC_OR_PARTITION
               : KERR_INVALID_TOPIC_EXCEPTION;
  if (pp->records.len <= 0) return KERR_CORRUPT_MESSAGE;
  uint64_t epoch = partition_sync_epoch(part);
  int64_t base = -1, last = -1;
  int err = partition_append(part, (uint8_t *)pp->records.ptr, (size_t)pp->records.len, now_ms,
                             &base, &last);
  pp->log_start_offset = partition_log_start_offset(part);
  if (err != KERR_NONE) return err;
  pp->base_offset = base;
  if (srv->opts->fsync_policy == STORE_FSYNC_ALWAYS) {
    if (req->acks != 0) held[(*n_held)++] = (held_partition){pp, part, epoch, last};
  } else {
    server_note_data(srv);
  }
  return KERR_NONE;
}

int handle_produce(request *rq) {
  kreader r;
  kr_init(&r, rq->body, rq->body_len);
  resp_slot *s = rq->slot;
  produce_hold *h = arena_calloc(&s->mem, 1, sizeof *h);
  produce_request *req = &h->req;
  if (produce_request_decode(&r, rq->h->api_version, &s->mem, req) != 0) return -1;
  int32_t total = 0;
  for (int32_t t = 0; t < req->n_topics; t++) total += req->topics[t].n_partitions;
  h->held = arena_calloc(&s->mem, (size_t)total, sizeof *h->held);
  int64_t now_ms = server_now_ms();
  int errors = 0;
  char what[320];
  for (int32_t t = 0; t < req->n_topics; t++) {
    produce_topic *pt = &req->topics[t];
    for (int32_t p = 0; p < pt->n_partitions; p++) {
      produce_partition *pp = &pt->partitions[p];
      pp->error = (int16_t)append_partition(rq, req, pt, pp, now_ms, h->held, &h->n_held);
      if (pp->error == KERR_NONE) continue;
      errors++;
      snprintf(what, sizeof what, "Produce to %.*s-%d refused: %s", pt->name.len > 200 ? 200 : pt->name.len,
               (const char *)pt->name.ptr, pp->index, kerr_name(pp->error));
      if (pp->error == KERR_UNKNOWN_TOPIC_OR_PARTITION) sp_debug("%s: %s", rq->c->peer, what);
      else sp_warn("%s: %s", rq->c->peer, what);
    }
  }
  if (req->acks == 0) {
    /* No response: an error can only be signalled by closing the connection. */
    slot_drop_tail(rq->c, s);
    if (errors) conn_close(rq->c, "acks=0 Produce failed (see the line above)");
    return 0;
  }
  if (h->n_held) server_hold_for_sync(rq->srv, &h->ack, s, produce_after_sync);
  else produce_finish(s, req);
  return 0;
}
