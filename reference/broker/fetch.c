/* fetch.c: Fetch v4-11 with long-poll (see fetch.h). */
#include "fetch.h"

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "protocol.h"
#include "request.h"
#include "server.h"

/* Request v4-11:
 *   replica_id i32, max_wait_ms i32, min_bytes i32, max_bytes i32,
 *   isolation_level i8, session_id i32 (v7+), session_epoch i32 (v7+),
 *   topics ARRAY[topic STRING,
 *     partitions ARRAY[partition i32, current_leader_epoch i32 (v9+),
 *                      fetch_offset i64, log_start_offset i64 (v5+),
 *                      partition_max_bytes i32]],
 *   forgotten_topics_data ARRAY[topic STRING, partitions ARRAY[i32]] (v7+),
 *   rack_id STRING (v11+) */
int fetch_request_decode(kreader *r, int16_t version, arena *a, fetch_request *out) {
  memset(out, 0, sizeof *out);
  out->replica_id = kr_i32(r);
  out->max_wait_ms = kr_i32(r);
  out->min_bytes = kr_i32(r);
  out->max_bytes = kr_i32(r);
  out->isolation_level = kr_i8(r);
  if (version >= 7) {
    out->session_id = kr_i32(r);
    out->session_epoch = kr_i32(r);
  } else {
    out->session_epoch = -1;
  }
  size_t part_bytes = 16 + (version >= 9 ? 4 : 0) + (version >= 5 ? 8 : 0);
  out->n_topics = kr_array(r, 6);
  if (out->n_topics < 0) r->err = 1;
  if (r->err) return -1;
  out->topics = arena_calloc(a, (size_t)out->n_topics, sizeof *out->topics);
  for (int32_t t = 0; t < out->n_topics && !r->err; t++) {
    fetch_topic *ft = &out->topics[t];
    ft->name = kr_string(r);
    ft->n_partitions = kr_array(r, part_bytes);
    if (ft->name.len < 0 || ft->n_partitions < 0) r->err = 1;
    if (r->err) break;
    ft->partitions = arena_calloc(a, (size_t)ft->n_partitions, sizeof *ft->partitions);
    for (int32_t p = 0; p < ft->n_partitions; p++) {
      fetch_partition *fp = &ft->partitions[p];
      fp->index = kr_i32(r);
      fp->current_leader_epoch = version >= 9 ? kr_i32(r) : -1;
      fp->fetch_offset = kr_i64(r);
      fp->log_start_offset = version >= 5 ? kr_i64(r) : -1;
      fp->max_bytes = kr_i32(r);
    }
  }
  if (version >= 7) {
    out->n_forgotten = kr_array(r, 6);
    for (int32_t t = 0; t < out->n_forgotten && !r->err; t++) {
      (void)kr_string(r);
      int32_t n = kr_array(r, 4);
      if (n > 0) (void)kr_raw(r, (size_t)n * 4);
    }
  }
  out->rack_id = version >= 11 ? kr_string(r) : (kslice){NULL, -1};
  return r->err ? -1 : 0;
}

/* Drops trailing batches so at most max_bytes of [start, len) remain. */
static void trim_to_whole_batches(sp_buf *out, size_t start, int32_t max_bytes) {
  size_t pos = start, keep = start;
  while (out->len - pos >= 12) {
    size_t batch = 12 + (size_t)(int32_t)k_load32(out->data + pos + 8);
    if (pos + batch > out->len || pos + batch - start > (size_t)max_bytes) break;
    pos += batch;
    keep = pos;
  }
  out->len = keep;
}

/* Response v4-11:
 *   throttle_time_ms i32, error_code i16 (v7+), session_id i32 (v7+),
 *   responses ARRAY[topic STRING,
 *     partitions ARRAY[partition_index i32, error_code i16, high_watermark i64,
 *                      last_stable_offset i64, log_start_offset i64 (v5+),
 *                      aborted_transactions ARRAY[producer_id i64, first_offset i64],
 *                      preferred_read_replica i32 (v11+), records BYTES]]
 * The last stable offset is the high watermark (no transactions); records
 * is never null (librdkafka rejects a null record set). */
size_t fetch_response_build(sp_buf *b, int16_t version, const fetch_request *req,
                            const fetch_source *src, int *errors) {
  *errors = 0;
  kw_i32(b, 0);
  if (version >= 7) {
    kw_i16(b, KERR_NONE);
    kw_i32(b, 0); /* no fetch session: the client keeps sending full requests */
  }
  int64_t budget = req->max_bytes > 0 ? req->max_bytes : 0;
  int first_data = 1;
  size_t total = 0;
  kw_i32(b, req->n_topics);
  for (int32_t t = 0; t < req->n_topics; t++) {
    const fetch_topic *ft = &req->topics[t];
    kw_kslice_string(b, ft->name);
    kw_i32(b, ft->n_partitions);
    for (int32_t p = 0; p < ft->n_partitions; p++) {
      const fetch_partition *fp = &ft->partitions[p];
      kw_i32(b, fp->index);
      size_t fields = b->len;
      kw_i16(b, 0);
      kw_i64(b, -1);
      kw_i64(b, -1);
      if (version >= 5) kw_i64(b, -1);
      kw_i32(b, 0); /* aborted transactions: none */
      if (version >= 11) kw_i32(b, -1);
      size_t size_pos = kw_reserve_i32(b);
      size_t start = b->len;
      int32_t max_bytes = fp->max_bytes;
      if (max_bytes < 0) max_bytes = 0;
      if (max_bytes > budget) max_bytes = (int32_t)budget;
      int64_t hwm = -1, log_start = -1;
      int err = src->read(src->ctx, ft->name, fp->index, fp->fetch_offset, max_bytes, first_data,
                          b, &hwm, &log_start);
      if (err != KERR_NONE) {
        b->len = start;
        hwm = log_start = -1;
        (*errors)++;
      } else if (!first_data && b->len - start > (size_t)max_bytes) {
        trim_to_whole_batches(b, start, max_bytes);
      }
      size_t n = b->len - start;
      if (n) {
        first_data = 0;
        budget = budget > (int64_t)n ? budget - (int64_t)n : 0;
        total += n;
      }
      k_store16(b->data + fields, (uint16_t)err);
      k_store64(b->data + fields + 2, (uint64_t)hwm);
      k_store64(b->data + fields + 10, (uint64_t)hwm);
      if (version >= 5) k_store64(b->data + fields + 18, (uint64_t)log_start);
      kw_patch_i32(b, size_pos, (int32_t)n);
    }
  }
  return total;
}

/* ---- storage as the fetch source ---------------------------------------- */

static int store_read(void *ctx, kslice topic, int32_t index, int64_t offset, int32_t max_bytes,
                      int at_least_one, sp_buf *out, int64_t *hwm, int64_t *log_start) {
  store *st = ctx;
  partition *p = store_partition(st, (const char *)topic.ptr, (size_t)topic.len, index);
  if (!p) return KERR_UNKNOWN_TOPIC_OR_PARTITION;
  *hwm = partition_high_watermark(p);
  *log_start = partition_log_start_offset(p);
  if (offset < *log_start || offset > *hwm) return KERR_OFFSET_OUT_OF_RANGE;
  if (offset == *hwm || (max_bytes <= 0 && !at_least_one)) return KERR_NONE;
  return partition_read(p, offset, max_bytes > 0 ? max_bytes : 1, out);
}

/* True if any partition of the request has something to say: data past its
 * fetch offset, or an error (out of range, gone). */
static int fetch_has_news(store *st, const fetch_request *req) {
  for (int32_t t = 0; t < req->n_topics; t++) {
    const fetch_topic *ft = &req->topics[t];
    for (int32_t p = 0; p < ft->n_partitions; p++) {
      const fetch_partition *fp = &ft->partitions[p];
      partition *part = store_partition(st, (const char *)ft->name.ptr, (size_t)ft->name.len, fp->index);
      if (!part) return 1;
      int64_t hwm = partition_high_watermark(part);
      if (fp->fetch_offset != hwm || fp->fetch_offset < partition_log_start_offset(part)) return 1;
    }
  }
  return 0;
}

/* ---- parked fetches ------------------------------------------------------ */

struct fetch_waiter {
  el_timer timer; /* first: the timer callback finds the waiter */
  fetch_waiter *next, *prev;
  server *srv;
  resp_slot *slot;
  size_t header_len; /* response bytes before the body */
  fetch_request req;
};

static void waiter_unlink(fetch_waiter *w) {
  server *srv = w->srv;
  if (w->prev) w->prev->next = w->next;
  else srv->waiters = w->next;
  if (w->next) w->next->prev = w->prev;
  w->next = w->prev = NULL;
  el_timer_cancel(srv->loop, &w->timer);
}

/* The connection closed while the fetch was parked. */
static void waiter_cancel(resp_slot *s) { waiter_unlink(s->pending); }

/* Builds the response into the slot; completes it if `force` or it meets
 * MinBytes (or carries an error). Returns 1 if completed. */
static int waiter_try(fetch_waiter *w, int force) {
  resp_slot *s = w->slot;
  fetch_source src = {store_read, w->srv->st};
  int errors;
  size_t bytes = fetch_response_build(&s->out, s->api_version, &w->req, &src, &errors);
  if (!force && !errors && bytes < (size_t)(w->req.min_bytes > 0 ? w->req.min_bytes : 1)) {
    s->out.len = w->header_len;
    return 0;
  }
  waiter_unlink(w);
  slot_complete(s);
  return 1;
}

static void waiter_deadline(el_timer *t) { waiter_try((fetch_waiter *)t, 1); }

void fetch_wake_waiters(server *srv) {
  fetch_waiter *w = srv->waiters;
  while (w) {
    fetch_waiter *next = w->next;
    if (fetch_has_news(srv->st, &w->req)) waiter_try(w, 0);
    w = next;
  }
}

void fetch_release_all(server *srv) {
  while (srv->waiters) waiter_try(srv->waiters, 1);
}

int handle_fetch(request *rq) {
  resp_slot *s = rq->slot;
  request_own_body(rq); /* the request may outlive this pass's input buffer */
  kreader r;
  kr_init(&r, rq->body, rq->body_len);
  fetch_waiter *w = arena_calloc(&s->mem, 1, sizeof *w);
  if (fetch_request_decode(&r, rq->h->api_version, &s->mem, &w->req) != 0) return -1;
  w->header_len = s->out.len;
  if (w->req.session_id != 0 || w->req.session_epoch > 0) {
    /* We never create sessions, so an incremental fetch names none of ours. */
    kw_i32(&s->out, 0);
    kw_i16(&s->out, KERR_FETCH_SESSION_ID_NOT_FOUND);
    kw_i32(&s->out, 0);
    kw_i32(&s->out, 0);
    slot_complete(s);
    return 0;
  }
  fetch_source src = {store_read, rq->srv->st};
  int errors;
  size_t bytes = fetch_response_build(&s->out, rq->h->api_version, &w->req, &src, &errors);
  int n_partitions = 0;
  for (int32_t t = 0; t < w->req.n_topics; t++) n_partitions += w->req.topics[t].n_partitions;
  if (w->req.max_wait_ms <= 0 || errors || n_partitions == 0 ||
      bytes >= (size_t)(w->req.min_bytes > 0 ? w->req.min_bytes : 1)) {
    slot_complete(s);
    return 0;
  }
  /* Park: nothing (or too little) to return yet. */
  s->out.len = w->header_len;
  server *srv = rq->srv;
  w->srv = srv;
  w->slot = s;
  el_timer_init(&w->timer, waiter_deadline);
  el_timer_arm(srv->loop, &w->timer, sp_mono_ns() + (uint64_t)w->req.max_wait_ms * 1000000ull);
  w->next = srv->waiters;
  if (srv->waiters) srv->waiters->prev = w;
  srv->waiters = w;
  slot_park(s, waiter_cancel, w, 1);
  return 0;
}
