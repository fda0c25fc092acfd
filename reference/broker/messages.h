/* messages.h: decoded Kafka requests and the responses refbroker encodes.
 *
 * One pair of functions per API, defined in the API's own file
 * (produce.c, fetch.c, ...):
 *
 *   int  X_request_decode(kreader *r, int16_t version, arena *a, X_request *out);
 *   void X_response_encode(sp_buf *b, int16_t version, const X_response *resp);
 *
 * Decoders read only through the bounds-checked kreader and return 0, or -1
 * when the body is truncated or malformed (impossible lengths, array counts
 * that cannot fit in the remaining bytes, trailing garbage is allowed as
 * Kafka allows it). Arrays are allocated from the request's arena; strings
 * and byte fields are kslices pointing into the request body, so the body
 * must outlive the decoded request. Encoders write the response body only
 * (the size prefix and correlation id are the connection's business).
 *
 * Field layouts are drawn above each encoder; "(vN+)" marks a field that
 * exists from version N on. */
#ifndef REFBROKER_MESSAGES_H
#define REFBROKER_MESSAGES_H

#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "kcodec.h"

/* ---- ApiVersions v0-3 --------------------------------------------------- */
typedef struct api_versions_request {
  kslice client_software_name;    /* v3+ */
  kslice client_software_version; /* v3+ */
} api_versions_request;
int api_versions_request_decode(kreader *r, int16_t version, arena *a, api_versions_request *out);
/* Encodes the advertised table with `error`. version > 3 (unsupported) must
 * be answered with version 0 (see api_versions.c). */
void api_versions_response_encode(sp_buf *b, int16_t version, int16_t error);

/* ---- Metadata v0-4 ------------------------------------------------------ */
typedef struct metadata_request {
  int32_t n_topics; /* -1: all topics (v1+); v0 sends 0 for all */
  kslice *topics;
  int8_t allow_auto_topic_creation; /* v4+; 1 before v4 (the broker decides) */
} metadata_request;
typedef struct metadata_partition {
  int16_t error;
  int32_t index;
  int32_t leader;
} metadata_partition;
typedef struct metadata_topic {
  int16_t error;
  const char *name;
  int32_t name_len;
  int32_t n_partitions;
  metadata_partition *partitions;
} metadata_topic;
typedef struct metadata_response {
  int32_t node_id; /* the one broker, leader of everything, controller */
  const char *host;
  int32_t port;
  const char *cluster_id;
  int32_t n_topics;
  metadata_topic *topics;
} metadata_response;
int metadata_request_decode(kreader *r, int16_t version, arena *a, metadata_request *out);
void metadata_response_encode(sp_buf *b, int16_t version, const metadata_response *resp);

/* ---- Produce v3-7 ------------------------------------------------------- */
typedef struct produce_partition {
  int32_t index;
  kslice records; /* may be null (len -1) */
  /* response */
  int16_t error;
  int64_t base_offset;
  int64_t log_start_offset;
} produce_partition;
typedef struct produce_topic {
  kslice name;
  int32_t n_partitions;
  produce_partition *partitions;
} produce_topic;
typedef struct produce_request {
  kslice transactional_id;
  int16_t acks;
  int32_t timeout_ms;
  int32_t n_topics;
  produce_topic *topics;
} produce_request;
int produce_request_decode(kreader *r, int16_t version, arena *a, produce_request *out);
/* The response echoes the request's topics with the per-partition results. */
void produce_response_encode(sp_buf *b, int16_t version, const produce_request *req);

/* ---- Fetch v4-11 -------------------------------------------------------- */
typedef struct fetch_partition {
  int32_t index;
  int32_t current_leader_epoch; /* v9+ */
  int64_t fetch_offset;
  int64_t log_start_offset; /* v5+ (follower field) */
  int32_t max_bytes;
} fetch_partition;
typedef struct fetch_topic {
  kslice name;
  int32_t n_partitions;
  fetch_partition *partitions;
} fetch_topic;
typedef struct fetch_request {
  int32_t replica_id;
  int32_t max_wait_ms;
  int32_t min_bytes;
  int32_t max_bytes;
  int8_t isolation_level;
  int32_t session_id;    /* v7+ */
  int32_t session_epoch; /* v7+ */
  int32_t n_topics;
  fetch_topic *topics;
  int32_t n_forgotten; /* v7+, ignored: refbroker keeps no sessions */
  kslice rack_id;      /* v11+ */
} fetch_request;
int fetch_request_decode(kreader *r, int16_t version, arena *a, fetch_request *out);

/* ---- ListOffsets v0-2 --------------------------------------------------- */
typedef struct list_offsets_partition {
  int32_t index;
  int64_t timestamp;       /* -1 latest, -2 earliest, else a time in ms */
  int32_t max_num_offsets; /* v0 only */
  /* response */
  int16_t error;
  int64_t found_timestamp; /* v1+ */
  int64_t offset;          /* -1 when none */
} list_offsets_partition;
typedef struct list_offsets_topic {
  kslice name;
  int32_t n_partitions;
  list_offsets_partition *partitions;
} list_offsets_topic;
typedef struct list_offsets_request {
  int32_t replica_id;
  int8_t isolation_level; /* v2+ */
  int32_t n_topics;
  list_offsets_topic *topics;
} list_offsets_request;
int list_offsets_request_decode(kreader *r, int16_t version, arena *a, list_offsets_request *out);
void list_offsets_response_encode(sp_buf *b, int16_t version, const list_offsets_request *req);

/* ---- CreateTopics v0-4 -------------------------------------------------- */
typedef struct create_topic_assignment {
  int32_t partition_index;
  int32_t n_broker_ids;
  int32_t *broker_ids;
} create_topic_assignment;
typedef struct create_topic_config {
  kslice name;
  kslice value;
} create_topic_config;
typedef struct create_topic {
  kslice name;
  int32_t num_partitions;     /* -1: broker default (v4) */
  int16_t replication_factor; /* -1: broker default (v4) */
  int32_t n_assignments;
  create_topic_assignment *assignments;
  int32_t n_configs;
  create_topic_config *configs;
  /* response */
  int16_t error;
  const char *error_message; /* v1+, NULL when none */
} create_topic;
typedef struct create_topics_request {
  int32_t n_topics;
  create_topic *topics;
  int32_t timeout_ms;
  int8_t validate_only; /* v1+ */
} create_topics_request;
int create_topics_request_decode(kreader *r, int16_t version, arena *a, create_topics_request *out);
void create_topics_response_encode(sp_buf *b, int16_t version, const create_topics_request *req);

/* ---- FindCoordinator v0-2 ----------------------------------------------- */
typedef struct find_coordinator_request {
  kslice key;
  int8_t key_type; /* v1+: 0 group, 1 transaction */
} find_coordinator_request;
typedef struct find_coordinator_response {
  int16_t error;
  const char *error_message; /* v1+ */
  int32_t node_id;
  const char *host;
  int32_t port;
} find_coordinator_response;
int find_coordinator_request_decode(kreader *r, int16_t version, arena *a,
                                    find_coordinator_request *out);
void find_coordinator_response_encode(sp_buf *b, int16_t version,
                                      const find_coordinator_response *resp);

/* ---- OffsetCommit v2-7 -------------------------------------------------- */
typedef struct offset_commit_partition {
  int32_t index;
  int64_t offset;
  int32_t leader_epoch; /* v6+ */
  kslice metadata;      /* nullable */
  int16_t error;        /* response */
} offset_commit_partition;
typedef struct offset_commit_topic {
  kslice name;
  int32_t n_partitions;
  offset_commit_partition *partitions;
} offset_commit_topic;
typedef struct offset_commit_request {
  kslice group_id;
  int32_t generation_id;    /* v1+ */
  kslice member_id;         /* v1+ */
  int64_t retention_ms;     /* v2-4 */
  kslice group_instance_id; /* v7+ */
  int32_t n_topics;
  offset_commit_topic *topics;
} offset_commit_request;
int offset_commit_request_decode(kreader *r, int16_t version, arena *a, offset_commit_request *out);
void offset_commit_response_encode(sp_buf *b, int16_t version, const offset_commit_request *req);

/* ---- OffsetFetch v1-5 --------------------------------------------------- */
typedef struct offset_fetch_partition {
  int32_t index;
  int64_t offset; /* -1: nothing committed */
  const char *metadata;
  int16_t error;
} offset_fetch_partition;
typedef struct offset_fetch_topic {
  const char *name;
  int32_t name_len;
  int32_t n_partitions;
  offset_fetch_partition *partitions;
} offset_fetch_topic;
typedef struct offset_fetch_request {
  kslice group_id;
  int32_t n_topics; /* -1: every committed offset of the group (v2+) */
  offset_fetch_topic *topics;
} offset_fetch_request;
typedef struct offset_fetch_response {
  int32_t n_topics;
  offset_fetch_topic *topics;
  int16_t error; /* v2+ */
} offset_fetch_response;
int offset_fetch_request_decode(kreader *r, int16_t version, arena *a, offset_fetch_request *out);
void offset_fetch_response_encode(sp_buf *b, int16_t version, const offset_fetch_response *resp);

/* ---- InitProducerId v0-1 ------------------------------------------------ */
typedef struct init_producer_id_request {
  kslice transactional_id;
  int32_t transaction_timeout_ms;
} init_producer_id_request;
typedef struct init_producer_id_response {
  int16_t error;
  int64_t producer_id;
  int16_t producer_epoch;
} init_producer_id_response;
int init_producer_id_request_decode(kreader *r, int16_t version, arena *a,
                                    init_producer_id_request *out);
void init_producer_id_response_encode(sp_buf *b, int16_t version,
                                      const init_producer_id_response *resp);

/* ---- JoinGroup v0-5 ----------------------------------------------------- */
typedef struct join_group_protocol {
  kslice name;
  kslice metadata;
} join_group_protocol;
typedef struct join_group_request {
  kslice group_id;
  int32_t session_timeout_ms;
  int32_t rebalance_timeout_ms; /* v1+; = session timeout before */
  kslice member_id;
  kslice group_instance_id; /* v5+ */
  kslice protocol_type;
  int32_t n_protocols;
  join_group_protocol *protocols;
} join_group_request;
typedef struct join_group_member {
  const char *member_id;
  const char *group_instance_id; /* v5+, nullable */
  const uint8_t *metadata;
  int32_t metadata_len;
} join_group_member;
typedef struct join_group_response {
  int16_t error;
  int32_t generation_id;
  const char *protocol_name;
  const char *leader;
  const char *member_id;
  int32_t n_members; /* only the leader gets the member list */
  join_group_member *members;
} join_group_response;
int join_group_request_decode(kreader *r, int16_t version, arena *a, join_group_request *out);
void join_group_response_encode(sp_buf *b, int16_t version, const join_group_response *resp);

/* ---- SyncGroup v0-3 ----------------------------------------------------- */
typedef struct sync_group_assignment {
  kslice member_id;
  kslice assignment;
} sync_group_assignment;
typedef struct sync_group_request {
  kslice group_id;
  int32_t generation_id;
  kslice member_id;
  kslice group_instance_id; /* v3+ */
  int32_t n_assignments;
  sync_group_assignment *assignments;
} sync_group_request;
int sync_group_request_decode(kreader *r, int16_t version, arena *a, sync_group_request *out);
void sync_group_response_encode(sp_buf *b, int16_t version, int16_t error, const uint8_t *assignment,
                                int32_t assignment_len);

/* ---- Heartbeat v0-3 ----------------------------------------------------- */
typedef struct heartbeat_request {
  kslice group_id;
  int32_t generation_id;
  kslice member_id;
  kslice group_instance_id; /* v3+ */
} heartbeat_request;
int heartbeat_request_decode(kreader *r, int16_t version, arena *a, heartbeat_request *out);

/* ---- LeaveGroup v0-1 ---------------------------------------------------- */
typedef struct leave_group_request {
  kslice group_id;
  kslice member_id;
} leave_group_request;
int leave_group_request_decode(kreader *r, int16_t version, arena *a, leave_group_request *out);

/* Heartbeat and LeaveGroup responses: throttle_time_ms (v1+), error_code. */
void error_only_response_encode(sp_buf *b, int16_t version, int16_t error);

/* ---- shared helpers ------------------------------------------------------ */
/* Writes a kslice as a STRING (null slice: null string). */
void kw_kslice_string(sp_buf *b, kslice s);

#endif
