/* request.c: the API table, request headers and dispatch (see request.h). */
#include "request.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "messages.h"
#include "protocol.h"

/* The one table of supported APIs: dispatch and ApiVersions both read it.
 *       key                   min max  name               handler */
#define API_TABLE(X)                                                            \
  X(API_PRODUCE,             3,  7, "Produce",          handle_produce)         \
  X(API_FETCH,               4, 11, "Fetch",            handle_fetch)           \
  X(API_LIST_OFFSETS,        0,  2, "ListOffsets",      handle_list_offsets)    \
  X(API_METADATA,            0,  4, "Metadata",         handle_metadata)        \
  X(API_OFFSET_COMMIT,       2,  7, "OffsetCommit",     handle_offset_commit)   \
  X(API_OFFSET_FETCH,        1,  5, "OffsetFetch",      handle_offset_fetch)    \
  X(API_FIND_COORDINATOR,    0,  2, "FindCoordinator",  handle_find_coordinator)\
  X(API_JOIN_GROUP,          0,  5, "JoinGroup",        handle_join_group)      \
  X(API_HEARTBEAT,           0,  3, "Heartbeat",        handle_heartbeat)       \
  X(API_LEAVE_GROUP,         0,  1, "LeaveGroup",       handle_leave_group)     \
  X(API_SYNC_GROUP,          0,  3, "SyncGroup",        handle_sync_group)      \
  X(API_API_VERSIONS,        0,  3, "ApiVersions",      handle_api_versions)    \
  X(API_CREATE_TOPICS,       0,  4, "CreateTopics",     handle_create_topics)   \
  X(API_INIT_PRODUCER_ID,    0,  1, "InitProducerId",   handle_init_producer_id)

#define API_RANGE(key, min, max, name, fn) {key, min, max, name},
#define API_HANDLER(key, min, max, name, fn) fn,
static const api_version_range api_ranges[] = {API_TABLE(API_RANGE)};
static const api_handler api_handlers[] = {API_TABLE(API_HANDLER)};
#define N_APIS ((int)(sizeof api_ranges / sizeof api_ranges[0]))

const api_version_range *protocol_versions(int *n_out) {
  *n_out = N_APIS;
  return api_ranges;
}

/* Index of key in the table, or -1. */
static int api_index(int16_t key) {
  for (int i = 0; i < N_APIS; i++)
    if (api_ranges[i].key == key) return i;
  return -1;
}

const api_version_range *protocol_find(int16_t key) {
  int i = api_index(key);
  return i < 0 ? NULL : &api_ranges[i];
}

const char *protocol_api_name(int16_t key) {
  const api_version_range *r = protocol_find(key);
  return r ? r->name : "unknown API";
}

const char *kerr_name(int code) {
  switch (code) {
  case KERR_UNKNOWN_SERVER_ERROR: return "UNKNOWN_SERVER_ERROR";
  case KERR_NONE: return "NONE";
  case KERR_OFFSET_OUT_OF_RANGE: return "OFFSET_OUT_OF_RANGE";
  case KERR_CORRUPT_MESSAGE: return "CORRUPT_MESSAGE";
  case KERR_UNKNOWN_TOPIC_OR_PARTITION: return "UNKNOWN_TOPIC_OR_PARTITION";
  case KERR_INVALID_FETCH_SIZE: return "INVALID_FETCH_SIZE";
  case KERR_LEADER_NOT_AVAILABLE: return "LEADER_NOT_AVAILABLE";
  case KERR_REQUEST_TIMED_OUT: return "REQUEST_TIMED_OUT";
  case KERR_MESSAGE_TOO_LARGE: return "MESSAGE_TOO_LARGE";
  case KERR_OFFSET_METADATA_TOO_LARGE: return "OFFSET_METADATA_TOO_LARGE";
  case KERR_COORDINATOR_NOT_AVAILABLE: return "COORDINATOR_NOT_AVAILABLE";
  case KERR_NOT_COORDINATOR: return "NOT_COORDINATOR";
  case KERR_INVALID_TOPIC_EXCEPTION: return "INVALID_TOPIC_EXCEPTION";
  case KERR_RECORD_LIST_TOO_LARGE: return "RECORD_LIST_TOO_LARGE";
  case KERR_INVALID_REQUIRED_ACKS: return "INVALID_REQUIRED_ACKS";
  case KERR_ILLEGAL_GENERATION: return "ILLEGAL_GENERATION";
  case KERR_INCONSISTENT_GROUP_PROTOCOL: return "INCONSISTENT_GROUP_PROTOCOL";
  case KERR_INVALID_GROUP_ID: return "INVALID_GROUP_ID";
  case KERR_UNKNOWN_MEMBER_ID: return "UNKNOWN_MEMBER_ID";
  case KERR_INVALID_SESSION_TIMEOUT: return "INVALID_SESSION_TIMEOUT";
  case KERR_REBALANCE_IN_PROGRESS: return "REBALANCE_IN_PROGRESS";
  case KERR_UNSUPPORTED_VERSION: return "UNSUPPORTED_VERSION";
  case KERR_TOPIC_ALREADY_EXISTS: return "TOPIC_ALREADY_EXISTS";
  case KERR_INVALID_PARTITIONS: return "INVALID_PARTITIONS";
  case KERR_INVALID_REPLICATION_FACTOR: return "INVALID_REPLICATION_FACTOR";
  case KERR_INVALID_REPLICA_ASSIGNMENT: return "INVALID_REPLICA_ASSIGNMENT";
  case KERR_INVALID_CONFIG: return "INVALID_CONFIG";
  case KERR_INVALID_REQUEST: return "INVALID_REQUEST";
  case KERR_UNSUPPORTED_FOR_MESSAGE_FORMAT: return "UNSUPPORTED_FOR_MESSAGE_FORMAT";
  case KERR_OUT_OF_ORDER_SEQUENCE_NUMBER: return "OUT_OF_ORDER_SEQUENCE_NUMBER";
  case KERR_DUPLICATE_SEQUENCE_NUMBER: return "DUPLICATE_SEQUENCE_NUMBER";
  case KERR_INVALID_PRODUCER_EPOCH: return "INVALID_PRODUCER_EPOCH";
  case KERR_INVALID_TXN_STATE: return "INVALID_TXN_STATE";
  case KERR_KAFKA_STORAGE_ERROR: return "KAFKA_STORAGE_ERROR";
  case KERR_UNKNOWN_PRODUCER_ID: return "UNKNOWN_PRODUCER_ID";
  case KERR_FETCH_SESSION_ID_NOT_FOUND: return "FETCH_SESSION_ID_NOT_FOUND";
  case KERR_MEMBER_ID_REQUIRED: return "MEMBER_ID_REQUIRED";
  case KERR_GROUP_MAX_SIZE_REACHED: return "GROUP_MAX_SIZE_REACHED";
  case KERR_INVALID_RECORD: return "INVALID_RECORD";
  default: return "UNKNOWN_ERROR_CODE";
  }
}

/* Header version for a request: 2 only for flexible requests (ApiVersions
 * v3+ among the APIs we serve; unknown keys are closed before their body
 * matters, so v1 is a safe guess for them). */
static int header_version(int16_t key, int16_t version) {
  return key == API_API_VERSIONS && version >= 3 ? 2 : 1;
}

int request_header_parse(const uint8_t *frame, size_t len, request_header *h) {
  kreader r;
  kr_init(&r, frame, len);
  h->api_key = kr_i16(&r);
  h->api_version = kr_i16(&r);
  h->correlation_id = kr_i32(&r);
  h->client_id = kr_string(&r);
  if (!r.err && header_version(h->api_key, h->api_version) >= 2) kr_skip_tags(&r);
  if (r.err) return -1;
  h->header_len = len - kr_remaining(&r);
  return 0;
}

/* Printable copy of a client-supplied string for a log line. */
static const char *printable(kslice s, char *buf, size_t cap) {
  if (s.len < 0) return "(null)";
  size_t n = 0;
  for (int32_t i = 0; i < s.len && n + 1 < cap; i++) {
    uint8_t ch = s.ptr[i];
    buf[n++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
  }
  buf[n] = '\0';
  return buf;
}

void request_own_body(request *rq) {
  uint8_t *copy = arena_calloc(&rq->slot->mem, rq->body_len ? rq->body_len : 1, 1);
  memcpy(copy, rq->body, rq->body_len);
  rq->body = copy;
}

int request_dispatch(conn *c, uint8_t *frame, size_t len) {
  request_header h;
  char client[64], why[256];
  if (request_header_parse(frame, len, &h) != 0) {
    /* The correlation id sits at a fixed place: answer an ApiVersions of a
     * version we do not know even if its header does not parse as v2. */
    if (len >= 8 && (int16_t)k_load16(frame) == API_API_VERSIONS &&
        (int16_t)k_load16(frame + 2) > 3) {
      memset(&h, 0, sizeof h);
      h.api_key = API_API_VERSIONS;
      h.api_version = (int16_t)k_load16(frame + 2);
      h.correlation_id = (int32_t)k_load32(frame + 4);
      h.client_id = (kslice){NULL, -1};
    } else {
      conn_close(c, "malformed request header");
      return -1;
    }
  }
  int i = api_index(h.api_key);
  if (h.api_key == API_API_VERSIONS && (h.api_version < api_ranges[i].min_version ||
                                        h.api_version > api_ranges[i].max_version)) {
    /* Kafka's answer: do not parse the body, reply in v0 format. */
    sp_info("%s: ApiVersions v%d is not supported, answering UNSUPPORTED_VERSION (client %s)",
            c->peer, h.api_version, printable(h.client_id, client, sizeof client));
    resp_slot *s = slot_new(c, h.api_key, 0, h.correlation_id);
    api_versions_response_encode(&s->out, 0, KERR_UNSUPPORTED_VERSION);
    slot_complete(s);
    return 0;
  }
  if (i < 0) {
    snprintf(why, sizeof why, "unsupported API key %d (v%d, correlation id %d, client %s)",
             h.api_key, h.api_version, h.correlation_id,
             printable(h.client_id, client, sizeof client));
    conn_close(c, why);
    return -1;
  }
  if (h.api_version < api_ranges[i].min_version || h.api_version > api_ranges[i].max_version) {
    snprintf(why, sizeof why, "unsupported %s version %d (supported %d-%d, client %s)",
             api_ranges[i].name, h.api_version, api_ranges[i].min_version,
             api_ranges[i].max_version, printable(h.client_id, client, sizeof client));
    conn_close(c, why);
    return -1;
  }
  resp_slot *s = slot_new(c, h.api_key, h.api_version, h.correlation_id);
  request rq = {.srv = c->srv, .c = c, .slot = s, .h = &h,
                .body = frame + h.header_len, .body_len = len - h.header_len};
  c->requests++;
  if (api_handlers[i](&rq) != 0) {
    snprintf(why, sizeof why, "malformed %s v%d request (correlation id %d, %zu body bytes, client %s)",
             api_ranges[i].name, h.api_version, h.correlation_id, rq.body_len,
             printable(h.client_id, client, sizeof client));
    conn_close(c, why);
    return -1;
  }
  return 0;
}

void kw_kslice_string(sp_buf *b, kslice s) {
  if (s.len < 0) {
    kw_i16(b, -1);
    return;
  }
  kw_string_len(b, s.ptr, (int16_t)s.len);
}
