/* request.h: request headers, dispatch, and the handler contract.
 *
 * Request header v1 (every API refbroker serves, classic encoding):
 *
 *   api_key i16 | api_version i16 | correlation_id i32 | client_id STRING (nullable)
 *
 * Request header v2 (flexible requests; here only ApiVersions v3) adds a
 * TAG_BUFFER after client_id (client_id stays a classic int16 string).
 *
 * Response header v0 (every response, ApiVersions v3 included):
 *
 *   correlation_id i32
 *
 * A request for an API key refbroker does not implement, or a version
 * outside the advertised range, is logged and closes the connection (what
 * Kafka does), except ApiVersions: an unsupported ApiVersions version gets a
 * v0-format UNSUPPORTED_VERSION response listing the supported range, so the
 * client retries with a version we speak. */
#ifndef REFBROKER_REQUEST_H
#define REFBROKER_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "connection.h"
#include "kcodec.h"
#include "server.h"

typedef struct request_header {
  int16_t api_key;
  int16_t api_version;
  int32_t correlation_id;
  kslice client_id;
  size_t header_len; /* bytes before the body */
} request_header;

/* Parses the header of one frame (without its size prefix). Returns 0, or
 * -1 if the frame is too short or malformed. The header version depends on
 * the api key and version, which come first. */
int request_header_parse(const uint8_t *frame, size_t len, request_header *h);

/* What a handler gets: the connection, its response slot (header already
 * written into slot->out; the handler appends the body), and the header. */
typedef struct request {
  server *srv;
  conn *c;
  resp_slot *slot;
  const request_header *h;
  uint8_t *body; /* mutable: Produce rewrites base offsets in place */
  size_t body_len;
} request;

/* A handler decodes the body, does the work and then either
 *   - appends the body to rq->slot->out and calls slot_complete(rq->slot),
 *   - parks the slot (slot_park / server_hold_for_sync) to complete later,
 *   - or drops it (slot_drop_tail: acks=0 Produce).
 * Returns 0, or -1 if the body is malformed: the caller logs and closes the
 * connection. */
typedef int (*api_handler)(request *rq);

/* Handles one complete frame (mutable, without the size prefix). Returns 0,
 * or -1 if the connection must be closed (already logged). */
int request_dispatch(conn *c, uint8_t *frame, size_t len);

/* Copies the body into the slot's arena so decoded slices stay valid while
 * the request is parked (the input buffer moves on). */
void request_own_body(request *rq);

/* Handlers, one per API file. */
int handle_api_versions(request *rq);
int handle_metadata(request *rq);
int handle_produce(request *rq);
int handle_fetch(request *rq);
int handle_list_offsets(request *rq);
int handle_create_topics(request *rq);
int handle_find_coordinator(request *rq);
int handle_offset_commit(request *rq);
int handle_offset_fetch(request *rq);
int handle_init_producer_id(request *rq);
int handle_join_group(request *rq);
int handle_sync_group(request *rq);
int handle_heartbeat(request *rq);
int handle_leave_group(request *rq);

#endif
