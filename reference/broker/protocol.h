/* protocol.h: Kafka API keys, error codes and the supported-version table.
 *
 * refbroker speaks only classic (non-flexible) versions, except ApiVersions
 * v3 which librdkafka sends first on every connection (its flexible body is
 * special-cased in api_versions.c). The table in request.c is the single
 * source of truth: dispatch uses it and ApiVersions advertises exactly it.
 * Minimum versions stay low on purpose: librdkafka turns features on only
 * if the advertised range overlaps specific old versions (Produce 3 and
 * Fetch 4 for magic-2 batches, FindCoordinator 0 for groups, InitProducerId 0
 * for idempotence), and kafka-python hard-codes old versions. */
#ifndef REFBROKER_PROTOCOL_H
#define REFBROKER_PROTOCOL_H

#include <stdint.h>

#include "storage/store.h" /* KERR_* codes shared with the storage engine */

enum {
  API_PRODUCE = 0,
  API_FETCH = 1,
  API_LIST_OFFSETS = 2,
  API_METADATA = 3,
  API_OFFSET_COMMIT = 8,
  API_OFFSET_FETCH = 9,
  API_FIND_COORDINATOR = 10,
  API_JOIN_GROUP = 11,
  API_HEARTBEAT = 12,
  API_LEAVE_GROUP = 13,
  API_SYNC_GROUP = 14,
  API_API_VERSIONS = 18,
  API_CREATE_TOPICS = 19,
  API_INIT_PRODUCER_ID = 22,
};

/* Error codes beyond the storage subset in store.h (Kafka's numbering). */
enum {
  KERR_UNKNOWN_SERVER_ERROR = -1,
  KERR_LEADER_NOT_AVAILABLE = 5,
  KERR_REQUEST_TIMED_OUT = 7,
  KERR_OFFSET_METADATA_TOO_LARGE = 12,
  KERR_COORDINATOR_NOT_AVAILABLE = 15,
  KERR_NOT_COORDINATOR = 16,
  KERR_INVALID_REQUIRED_ACKS = 21,
  KERR_ILLEGAL_GENERATION = 22,
  KERR_INCONSISTENT_GROUP_PROTOCOL = 23,
  KERR_INVALID_GROUP_ID = 24,
  KERR_UNKNOWN_MEMBER_ID = 25,
  KERR_INVALID_SESSION_TIMEOUT = 26,
  KERR_REBALANCE_IN_PROGRESS = 27,
  KERR_UNSUPPORTED_VERSION = 35,
  KERR_INVALID_REPLICATION_FACTOR = 38,
  KERR_INVALID_REPLICA_ASSIGNMENT = 39,
  KERR_INVALID_CONFIG = 40,
  KERR_INVALID_REQUEST = 42,
  KERR_INVALID_TXN_STATE = 48,
  KERR_FETCH_SESSION_ID_NOT_FOUND = 70,
  KERR_MEMBER_ID_REQUIRED = 79,
  KERR_GROUP_MAX_SIZE_REACHED = 81,
};

/* Kafka's name for an error code ("UNKNOWN_TOPIC_OR_PARTITION"), for logs. */
const char *kerr_name(int code);

/* One supported API: key, version range, name (for logs). */
typedef struct api_version_range {
  int16_t key;
  int16_t min_version;
  int16_t max_version;
  const char *name;
} api_version_range;

/* The advertised table, ordered by key; n_out gets its length. */
const api_version_range *protocol_versions(int *n_out);
/* The entry for a key, or NULL if refbroker does not implement it. */
const api_version_range *protocol_find(int16_t key);
/* Human name of any API key ("Produce"), "ApiKey<n>" style if unknown. */
const char *protocol_api_name(int16_t key);

#endif
