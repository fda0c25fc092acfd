/* leave_group.c: LeaveGroup v0-1: a member leaves; the rest rebalance. */
#include "group_coordinator.h"
#include "messages.h"
#include "request.h"

/* Request v0-1: group_id STRING, member_id STRING */
int leave_group_request_decode(kreader *r, int16_t version, arena *a, leave_group_request *out) {
  (void)version;
  (void)a;
  out->group_id = kr_string(r);
  out->member_id = kr_string(r);
  if (out->group_id.len < 0 || out->member_id.len < 0) r->err = 1;
  return r->err ? -1 : 0;
}

int handle_leave_group(request *rq) {
  kreader r;
  kr_init(&r, rq->body, rq->body_len);
  leave_group_request req;
  if (leave_group_request_decode(&r, rq->h->api_version, &rq->slot->mem, &req) != 0) return -1;
  error_only_response_encode(&rq->slot->out, rq->h->api_version,
                             group_leave(rq->srv->groups, &req, rq->c->peer));
  slot_complete(rq->slot);
  return 0;
}
