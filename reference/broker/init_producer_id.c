/* init_producer_id.c: InitProducerId v0-1 for idempotent producers: a new,
 * never reused producer id (persisted by storage) with epoch 0. Storage
 * deduplicates retried batches by (producer id, epoch, sequence).
 * Transactional ids are refused: refbroker has no transactions. */
#include "log.h"
#include "messages.h"
#include "protocol.h"
#include "request.h"

/* Request v0-1: transactional_id STRING nullable, transaction_timeout_ms i32 */
int init_producer_id_request_decode(kreader *r, int16_t version, arena *a,
                                    init_producer_id_request *out) {
  (void)version;
  (void)a;
  out->transactional_id = kr_string(r);
  out->transaction_timeout_ms = kr_i32(r);
  return r->err ? -1 : 0;
}

/* Response v0-1: throttle_time_ms i32, error_code i16, producer_id i64,
 *                producer_epoch i16 */
void init_producer_id_response_encode(sp_buf *b, int16_t version,
                                      const init_producer_id_response *resp) {
  (void)version;
  kw_i32(b, 0);
  kw_i16(b, resp->error);
  kw_i64(b, resp->error ? -1 : resp->producer_id);
  kw_i16(b, resp->error ? -1 : resp->producer_epoch);
}

int handle_init_producer_id(request *rq) {
  kreader r;
  kr_init(&r, rq->body, rq->body_len);
  init_producer_id_request req;
  if (init_producer_id_request_decode(&r, rq->h->api_version, &rq->slot->mem, &req) != 0) return -1;
  init_producer_id_response resp = {0};
  if (req.transactional_id.len >= 0) {
    sp_warn("%s: InitProducerId with a transactional id refused: transactions are not implemented",
            rq->c->peer);
    resp.error = KERR_COORDINATOR_NOT_AVAILABLE;
  } else {
    int64_t id = store_next_producer_id(rq->srv->st);
    if (id < 0) resp.error = KERR_KAFKA_STORAGE_ERROR;
    resp.producer_id = id;
    resp.producer_epoch = 0;
  }
  init_producer_id_response_encode(&rq->slot->out, rq->h->api_version, &resp);
  slot_complete(rq->slot);
  return 0;
}
