/* heartbeat.c: Heartbeat v0-3: keeps a member's session alive and tells it
 * to rejoin (REBALANCE_IN_PROGRESS) when the group rebalances. */
#include "group_coordinator.h"
#include "messages.h"
#include "request.h"

/* Request v0-2: group_id STRING, generation_id i32, member_id STRING
 * Request v3:   ... then group_instance_id STRING nullable */
int heartbeat_request_decode(kreader *r, int16_t version, arena *a, heartbeat_request *out) {
  (void)a;
  out->group_id = kr_string(r);
  out->generation_id = kr_i32(r);
  out->member_id = kr_string(r);
  out->group_instance_id = version >= 3 ? kr_string(r) : (kslice){NULL, -1};
  if (out->group_id.len < 0 || out->member_id.len < 0) r->err = 1;
  return r->err ? -1 : 0;
}

/* Response v0:   error_code i16
 * Response v1+:  throttle_time_ms i32, error_code i16
 * (LeaveGroup v0-1 has the same shape.) */
void error_only_response_encode(sp_buf *b, int16_t version, int16_t error) {
  if (version >= 1) kw_i32(b, 0);
  kw_i16(b, error);
}

int handle_heartbeat(request *rq) {
  kreader r;
  kr_init(&r, rq->body, rq->body_len);
  heartbeat_request req;
  if (heartbeat_request_decode(&r, rq->h->api_version, &rq->slot->mem, &req) != 0) return -1;
  error_only_response_encode(&rq->slot->out, rq->h->api_version, group_heartbeat(rq->srv->groups, &req));
  slot_complete(rq->slot);
  return 0;
}
