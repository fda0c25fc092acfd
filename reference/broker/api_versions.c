/* api_versions.c: ApiVersions v0-3, the first request on every connection.
 *
 * librdkafka sends v3 (flexible body, request header v2) first; the answer
 * always uses response header v0 (no header tags). An unsupported version
 * is answered in v0 format by request.c; a v3 body that does not decode or
 * names the client badly gets INVALID_REQUEST, which also makes librdkafka
 * retry with v0. */
#include "messages.h"
#include "protocol.h"
#include "request.h"

/* Kafka's rule for client software names and versions:
 * [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])? */
static int software_field_valid(kslice s) {
  if (s.len <= 0) return 0;
  for (int32_t i = 0; i < s.len; i++) {
    uint8_t ch = s.ptr[i];
    int alnum = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
    int inner = ch == '-' || ch == '.';
    if (!alnum && (!inner || i == 0 || i == s.len - 1)) return 0;
  }
  return 1;
}

/* Request v0-2: empty body.
 * Request v3:   client_software_name COMPACT_STRING
 *               client_software_version COMPACT_STRING
 *               TAG_BUFFER */
int api_versions_request_decode(kreader *r, int16_t version, arena *a, api_versions_request *out) {
  (void)a;
  out->client_software_name = out->client_software_version = (kslice){NULL, -1};
  if (version >= 3) {
    out->client_software_name = kr_compact_string(r);
    out->client_software_version = kr_compact_string(r);
    kr_skip_tags(r);
  }
  return r->err ? -1 : 0;
}

/* Response v0:   error_code i16, api_keys ARRAY[api_key i16, min i16, max i16]
 * Response v1-2: ... then throttle_time_ms i32
 * Response v3:   error_code i16,
 *                api_keys COMPACT_ARRAY[api_key i16, min i16, max i16, TAG_BUFFER],
 *                throttle_time_ms i32, TAG_BUFFER */
void api_versions_response_encode(sp_buf *b, int16_t version, int16_t error) {
  int n;
  const api_version_range *t = protocol_versions(&n);
  kw_i16(b, error);
  if (version >= 3) kw_uvarint(b, (uint64_t)n + 1);
  else kw_i32(b, n);
  for (int i = 0; i < n; i++) {
    kw_i16(b, t[i].key);
    kw_i16(b, t[i].min_version);
    kw_i16(b, t[i].max_version);
    if (version >= 3) kw_empty_tags(b);
  }
  if (version >= 1) kw_i32(b, 0);
  if (version >= 3) kw_empty_tags(b);
}

int handle_api_versions(request *rq) {
  kreader r;
  kr_init(&r, rq->body, rq->body_len);
  api_versions_request req;
  int16_t error = KERR_NONE;
  if (api_versions_request_decode(&r, rq->h->api_version, &rq->slot->mem, &req) != 0 ||
      (rq->h->api_version >= 3 && (!software_field_valid(req.client_software_name) ||
                                   !software_field_valid(req.client_software_version))))
    error = KERR_INVALID_REQUEST;
  api_versions_response_encode(&rq->slot->out, rq->h->api_version, error);
  slot_complete(rq->slot);
  return 0;
}
