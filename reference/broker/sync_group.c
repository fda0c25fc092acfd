/* sync_group.c: SyncGroup v0-3 (codec; the state machine is in
 * group_coordinator.c). The leader sends every member's assignment; the
 * followers' requests are held until it does. */
#include "group_coordinator.h"
#include "messages.h"
#include "request.h"

/* Request v0-2: group_id STRING, generation_id i32, member_id STRING,
 *               assignments ARRAY[member_id STRING, assignment BYTES]
 * Request v3:   ... member_id, group_instance_id STRING nullable, assignments */
int sync_group_request_decode(kreader *r, int16_t version, arena *a, sync_group_request *out) {
  out->group_id = kr_string(r);
  out->generation_id = kr_i32(r);
  out->member_id = kr_string(r);
  out->group_instance_id = version >= 3 ? kr_string(r) : (kslice){NULL, -1};
  out->n_assignments = kr_array(r, 6);
  if (out->group_id.len < 0 || out->member_id.len < 0 || out->n_assignments < 0) r->err = 1;
  if (r->err) return -1;
  out->assignments = arena_calloc(a, (size_t)out->n_assignments, sizeof *out->assignments);
  for (int32_t i = 0; i < out->n_assignments; i++) {
    out->assignments[i].member_id = kr_string(r);
    out->assignments[i].assignment = kr_bytes(r);
  }
  return r->err ? -1 : 0;
}

/* Response v0:   error_code i16, assignment BYTES
 * Response v1-3: throttle_time_ms i32, error_code i16, assignment BYTES */
void sync_group_response_encode(sp_buf *b, int16_t version, int16_t error, const uint8_t *assignment,
                                int32_t assignment_len) {
  if (version >= 1) kw_i32(b, 0);
  kw_i16(b, error);
  kw_bytes(b, assignment, assignment_len);
}

int handle_sync_group(request *rq) {
  kreader r;
  kr_init(&r, rq->body, rq->body_len);
  sync_group_request req;
  if (sync_group_request_decode(&r, rq->h->api_version, &rq->slot->mem, &req) != 0) return -1;
  group_sync(rq->srv->groups, rq, &req);
  return 0;
}
