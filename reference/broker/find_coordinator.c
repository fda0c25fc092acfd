/* find_coordinator.c: FindCoordinator v0-2: this broker coordinates every
 * consumer group. Transactions are not implemented, so a transaction
 * coordinator lookup gets COORDINATOR_NOT_AVAILABLE with a message. */
#include "log.h"
#include "messages.h"
#include "protocol.h"
#include "request.h"

/* Request v0:   key STRING (the group id)
 * Request v1-2: key STRING, key_type i8 (0 group, 1 transaction) */
int find_coordinator_request_decode(kreader *r, int16_t version, arena *a,
                                    find_coordinator_request *out) {
  (void)a;
  out->key = kr_string(r);
  out->key_type = version >= 1 ? kr_i8(r) : 0;
  return r->err ? -1 : 0;
}

/* Response v0:   error_code i16, node_id i32, host STRING, port i32
 * Response v1-2: throttle_time_ms i32, error_code i16,
 *                error_message STRING nullable, node_id i32, host STRING, port i32 */
void find_coordinator_response_encode(sp_buf *b, int16_t version,
                                      const find_coordinator_response *resp) {
  if (version >= 1) kw_i32(b, 0);
  kw_i16(b, resp->error);
  if (version >= 1) kw_string(b, resp->error_message);
  kw_i32(b, resp->error ? -1 : resp->node_id);
  kw_string(b, resp->error ? "" : resp->host);
  kw_i32(b, resp->error ? -1 : resp->port);
}

int handle_find_coordinator(request *rq) {
  kreader r;
  kr_init(&r, rq->body, rq->body_len);
  find_coordinator_request req;
  if (find_coordinator_request_decode(&r, rq->h->api_version, &rq->slot->mem, &req) != 0) return -1;
  find_coordinator_response resp = {
      .node_id = rq->srv->opts->node_id,
      .host = rq->srv->advertised_host,
      .port = rq->srv->advertised_port,
  };
  if (req.key_type == 1) {
    resp.error = KERR_COORDINATOR_NOT_AVAILABLE;
    resp.error_message = "refbroker does not implement transactions";
  } else if (req.key_type != 0) {
    resp.error = KERR_INVALID_REQUEST;
    resp.error_message = "unknown coordinator key type";
  } else if (req.key.len <= 0) {
    resp.error = KERR_INVALID_GROUP_ID;
    resp.error_message = "empty group id";
  }
  find_coordinator_response_encode(&rq->slot->out, rq->h->api_version, &resp);
  slot_complete(rq->slot);
  return 0;
}
