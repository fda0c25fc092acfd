/* list_offsets.c: ListOffsets v0-2: the earliest (-2) and latest (-1)
 * offsets of a partition, or the first offset at or after a timestamp.
 * "Latest" is the high watermark, which is also the last stable offset (no
 * transactions), as librdkafka's read_committed default expects. */
#include "messages.h"
#include "protocol.h"
#include "request.h"

/* Request v0:   replica_id i32,
 *               topics ARRAY[name STRING,
 *                 partitions ARRAY[partition_index i32, timestamp i64, max_num_offsets i32]]
 * Request v1:   the same without max_num_offsets
 * Request v2:   replica_id i32, isolation_level i8, topics (as v1) */
int list_offsets_request_decode(kreader *r, int16_t version, arena *a, list_offsets_request *out) {
  out->replica_id = kr_i32(r);
  out->isolation_level = version >= 2 ? kr_i8(r) : 0;
  out->n_topics = kr_array(r, 6);
  if (out->n_topics < 0) r->err = 1;
  if (r->err) return -1;
  size_t part_bytes = version == 0 ? 16 : 12;
  out->topics = arena_calloc(a, (size_t)out->n_topics, sizeof *out->topics);
  for (int32_t t = 0; t < out->n_topics && !r->err; t++) {
    list_offsets_topic *lt = &out->topics[t];
    lt->name = kr_string(r);
    lt->n_partitions = kr_array(r, part_bytes);
    if (lt->name.len < 0 || lt->n_partitions < 0) r->err = 1;
    if (r->err) break;
    lt->partitions = arena_calloc(a, (size_t)lt->n_partitions, sizeof *lt->partitions);
    for (int32_t p = 0; p < lt->n_partitions; p++) {
      list_offsets_partition *lp = &lt->partitions[p];
      lp->index = kr_i32(r);
      lp->timestamp = kr_i64(r);
      lp->max_num_offsets = version == 0 ? kr_i32(r) : 1;
      lp->offset = -1;
      lp->found_timestamp = -1;
    }
  }
  return r->err ? -1 : 0;
}

/* Response v0:   topics ARRAY[name STRING,
 *                  partitions ARRAY[partition_index i32, error_code i16,
 *                                   old_style_offsets ARRAY[i64]]]
 * Response v1:   topics ARRAY[name STRING,
 *                  partitions ARRAY[partition_index i32, error_code i16,
 *                                   timestamp i64, offset i64]]
 * Response v2:   throttle_time_ms i32, then as v1 */
void list_offsets_response_encode(sp_buf *b, int16_t version, const list_offsets_request *req) {
  if (version >= 2) kw_i32(b, 0);
  kw_i32(b, req->n_topics);
  for (int32_t t = 0; t < req->n_topics; t++) {
    const list_offsets_topic *lt = &req->topics[t];
    kw_kslice_string(b, lt->name);
    kw_i32(b, lt->n_partitions);
    for (int32_t p = 0; p < lt->n_partitions; p++) {
      const list_offsets_partition *lp = &lt->partitions[p];
      kw_i32(b, lp->index);
      kw_i16(b, lp->error);
      if (version == 0) {
        int has = !lp->error && lp->offset >= 0 && lp->max_num_offsets > 0;
        kw_i32(b, has ? 1 : 0);
        if (has) kw_i64(b, lp->offset);
      } else {
        kw_i64(b, lp->error ? -1 : lp->found_timestamp);
        kw_i64(b, lp->error ? -1 : lp->offset);
      }
    }
  }
}

/* Resolves one partition's query against storage. */
static void list_one(store *st, const list_offsets_topic *lt, list_offsets_partition *lp) {
  partition *p = store_partition(st, (const char *)lt->name.ptr, (size_t)lt->name.len, lp->index);
  if (!p) {
    lp->error = KERR_UNKNOWN_TOPIC_OR_PARTITION;
    return;
  }
  if (lp->timestamp == -1) {
    lp->offset = partition_high_watermark(p);
  } else if (lp->timestamp == -2) {
    lp->offset = partition_log_start_offset(p);
  } else if (lp->timestamp < 0) {
    lp->error = KERR_INVALID_REQUEST;
  } else {
    int64_t off = -1, ts = -1;
    int err = partition_offset_for_time(p, lp->timestamp, &off, &ts);
    if (err) {
      lp->error = (int16_t)err;
    } else {
      lp->offset = off;
      lp->found_timestamp = off >= 0 ? ts : -1;
    }
  }
}

int handle_list_offsets(request *rq) {
  kreader r;
  kr_init(&r, rq->body, rq->body_len);
  list_offsets_request req;
  if (list_offsets_request_decode(&r, rq->h->api_version, &rq->slot->mem, &req) != 0) return -1;
  for (int32_t t = 0; t < req.n_topics; t++)
    for (int32_t p = 0; p < req.topics[t].n_partitions; p++)
      list_one(rq->srv->st, &req.topics[t], &req.topics[t].partitions[p]);
  list_offsets_response_encode(&rq->slot->out, rq->h->api_version, &req);
  slot_complete(rq->slot);
  return 0;
}
