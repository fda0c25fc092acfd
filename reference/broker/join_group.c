/* join_group.c: JoinGroup v0-5 (codec; the state machine is in
 * group_coordinator.c). The response is held until the group's join phase
 * ends, and the connection processes nothing else meanwhile. */
#include "group_coordinator.h"
#include "messages.h"
#include "request.h"

/* Request v0:   group_id STRING, session_timeout_ms i32, member_id STRING,
 *               protocol_type STRING, protocols ARRAY[name STRING, metadata BYTES]
 * Request v1-4: group_id, session_timeout_ms, rebalance_timeout_ms i32, member_id,
 *               protocol_type, protocols
 * Request v5:   ... member_id, group_instance_id STRING nullable, protocol_type, protocols */
int join_group_request_decode(kreader *r, int16_t version, arena *a, join_group_request *out) {
  out->group_id = kr_string(r);
  out->session_timeout_ms = kr_i32(r);
  out->rebalance_timeout_ms = version >= 1 ? kr_i32(r) : out->session_timeout_ms;
  out->member_id = kr_string(r);
  out->group_instance_id = version >= 5 ? kr_string(r) : (kslice){NULL, -1};
  out->protocol_type = kr_string(r);
  out->n_protocols = kr_array(r, 6);
  if (out->group_id.len < 0 || out->member_id.len < 0 || out->n_protocols < 0) r->err = 1;
  if (r->err) return -1;
  out->protocols = arena_calloc(a, (size_t)out->n_protocols, sizeof *out->protocols);
  for (int32_t i = 0; i < out->n_protocols; i++) {
    out->protocols[i].name = kr_string(r);
    out->protocols[i].metadata = kr_bytes(r);
  }
  return r->err ? -1 : 0;
}

/* Response v0-1: error_code i16, generation_id i32, protocol_name STRING,
 *                leader STRING, member_id STRING,
 *                members ARRAY[member_id STRING, metadata BYTES]
 * Response v2-4: throttle_time_ms i32 first
 * Response v5:   members ARRAY[member_id STRING, group_instance_id STRING nullable,
 *                              metadata BYTES] */
void join_group_response_encode(sp_buf *b, int16_t version, const join_group_response *resp) {
  if (version >= 2) kw_i32(b, 0);
  kw_i16(b, resp->error);
  kw_i32(b, resp->generation_id);
  kw_string(b, resp->protocol_name);
  kw_string(b, resp->leader);
  kw_string(b, resp->member_id);
  kw_i32(b, resp->n_members);
  for (int32_t i = 0; i < resp->n_members; i++) {
    const join_group_member *m = &resp->members[i];
    kw_string(b, m->member_id);
    if (version >= 5) kw_string(b, m->group_instance_id);
    kw_bytes(b, m->metadata, m->metadata_len);
  }
}

int handle_join_group(request *rq) {
  kreader r;
  kr_init(&r, rq->body, rq->body_len);
  join_group_request req;
  if (join_group_request_decode(&r, rq->h->api_version, &rq->slot->mem, &req) != 0) return -1;
  group_join(rq->srv->groups, rq, &req);
  return 0;
}
