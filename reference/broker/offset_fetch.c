/* offset_fetch.c: OffsetFetch v1-5: a group's committed offsets (-1 where
 * nothing is committed), for the listed partitions or, with a null topic
 * list (v2+), for everything the group committed. */
#include <string.h>

#include "messages.h"
#include "protocol.h"
#include "request.h"

/* Request v1-5: group_id STRING,
 *               topics ARRAY[name STRING, partition_indexes ARRAY[i32]]
 *               (nullable from v2: null asks for every committed offset) */
int offset_fetch_request_decode(kreader *r, int16_t version, arena *a, offset_fetch_request *out) {
  out->group_id = kr_string(r);
  out->n_topics = kr_array(r, 6);
  if (out->group_id.len < 0 || (out->n_topics < 0 && version < 2)) r->err = 1;
  if (r->err) return -1;
  out->topics = NULL;
  if (out->n_topics <= 0) return 0;
  out->topics = arena_calloc(a, (size_t)out->n_topics, sizeof *out->topics);
  for (int32_t t = 0; t < out->n_topics && !r->err; t++) {
    offset_fetch_topic *ot = &out->topics[t];
    kslice name = kr_string(r);
    ot->n_partitions = kr_array(r, 4);
    if (name.len < 0 || ot->n_partitions < 0) r->err = 1;
    if (r->err) break;
    ot->name = (const char *)name.ptr;
    ot->name_len = name.len;
    ot->partitions = arena_calloc(a, (size_t)ot->n_partitions, sizeof *ot->partitions);
    for (int32_t p = 0; p < ot->n_partitions; p++) {
      ot->partitions[p].index = kr_i32(r);
      ot->partitions[p].offset = -1;
    }
  }
  return r->err ? -1 : 0;
}

/* Response v1-2: topics ARRAY[name STRING,
 *                  partitions ARRAY[partition_index i32, committed_offset i64,
 *                                   committed_leader_epoch i32 (v5+),
 *                                   metadata STRING nullable, error_code i16]],
 *                error_code i16 (v2+)
 * Response v3-5: throttle_time_ms i32 first */
void offset_fetch_response_encode(sp_buf *b, int16_t version, const offset_fetch_response *resp) {
  if (version >= 3) kw_i32(b, 0);
  kw_i32(b, resp->n_topics);
  for (int32_t t = 0; t < resp->n_topics; t++) {
    const offset_fetch_topic *ot = &resp->topics[t];
    kw_string_len(b, ot->name, (int16_t)ot->name_len);
    kw_i32(b, ot->n_partitions);
    for (int32_t p = 0; p < ot->n_partitions; p++) {
      const offset_fetch_partition *op = &ot->partitions[p];
      kw_i32(b, op->index);
      kw_i64(b, op->offset);
      if (version >= 5) kw_i32(b, -1);
      kw_string(b, op->offset >= 0 ? (op->metadata ? op->metadata : "") : "");
      kw_i16(b, op->error);
    }
  }
  if (version >= 2) kw_i16(b, resp->error);
}

/* Collects every committed offset of a group, grouped by topic. */
typedef struct collect_ctx {
  arena *mem;
  offset_fetch_topic *topics;
  int32_t n, cap;
} collect_ctx;

static void collect_one(void *vctx, const char *topic, int32_t index, int64_t offset,
                        const char *metadata) {
  collect_ctx *c = vctx;
  size_t len = strlen(topic);
  offset_fetch_topic *ot = NULL;
  for (int32_t i = 0; i < c->n; i++)
    if ((size_t)c->topics[i].name_len == len && memcmp(c->topics[i].name, topic, len) == 0)
      ot = &c->topics[i];
  if (!ot) {
    if (c->n == c->cap) {
      int32_t cap = c->cap ? c->cap * 2 : 8;
      offset_fetch_topic *t = arena_calloc(c->mem, (size_t)cap, sizeof *t);
      if (c->n) memcpy(t, c->topics, (size_t)c->n * sizeof *t);
      c->topics = t;
      c->cap = cap;
    }
    ot = &c->topics[c->n++];
    ot->name = arena_strndup(c->mem, topic, len);
    ot->name_len = (int32_t)len;
  }
  /* Partitions grow one at a time: copy-on-grow in powers of two. */
  int32_t n = ot->n_partitions;
  if ((n & (n - 1)) == 0) {
    offset_fetch_partition *p = arena_calloc(c->mem, (size_t)(n ? n * 2 : 1), sizeof *p);
    if (n) memcpy(p, ot->partitions, (size_t)n * sizeof *p);
    ot->partitions = p;
  }
  offset_fetch_partition *op = &ot->partitions[ot->n_partitions++];
  op->index = index;
  op->offset = offset;
  op->metadata = metadata ? arena_strndup(c->mem, metadata, strlen(metadata)) : NULL;
}

int handle_offset_fetch(request *rq) {
  kreader r;
  kr_init(&r, rq->body, rq->body_len);
  offset_fetch_request req;
  arena *mem = &rq->slot->mem;
  if (offset_fetch_request_decode(&r, rq->h->api_version, mem, &req) != 0) return -1;
  store *st = rq->srv->st;
  const char *group = (const char *)req.group_id.ptr;
  size_t group_len = (size_t)req.group_id.len;
  offset_fetch_response resp = {0};
  if (req.n_topics < 0) {
    collect_ctx c = {.mem = mem};
    store_foreach_committed(st, group, group_len, collect_one, &c);
    resp.n_topics = c.n;
    resp.topics = c.topics;
  } else {
    resp.n_topics = req.n_topics;
    resp.topics = req.topics;
    for (int32_t t = 0; t < req.n_topics; t++) {
      offset_fetch_topic *ot = &req.topics[t];
      for (int32_t p = 0; p < ot->n_partitions; p++) {
        offset_fetch_partition *op = &ot->partitions[p];
        const char *metadata = NULL;
        op->offset = store_committed_offset(st, group, group_len, ot->name, (size_t)ot->name_len,
                                            op->index, &metadata);
        op->metadata = metadata;
      }
    }
  }
  if (req.group_id.len == 0) resp.error = KERR_INVALID_GROUP_ID;
  offset_fetch_response_encode(&rq->slot->out, rq->h->api_version, &resp);
  slot_complete(rq->slot);
  return 0;
}
