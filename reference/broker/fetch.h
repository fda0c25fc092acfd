/* fetch.h: Fetch v4-11 with long-poll, and its response builder.
 *
 * A Fetch whose data is below MinBytes parks (its slot blocks the
 * connection) until MaxWaitMs passes or an append makes data visible on one
 * of its partitions (server_pass_end calls fetch_wake_waiters after the
 * group commit). No timer ticks while nothing happens: one timer per parked
 * fetch, at its deadline. */
#ifndef REFBROKER_FETCH_H
#define REFBROKER_FETCH_H

#include <stdint.h>

#include "buf.h"
#include "kcodec.h"
#include "messages.h"

typedef struct server server;

/* Where the builder gets partition data: a callback so unit tests can feed
 * it without storage. read() returns a Kafka error code and, on success,
 * sets *high_watermark and *log_start_offset and appends whole record
 * batches starting at `offset` to out: at most max_bytes, except that when
 * `at_least_one` is set one batch larger than max_bytes is still returned. */
typedef struct fetch_source {
  int (*read)(void *ctx, kslice topic, int32_t partition, int64_t offset, int32_t max_bytes,
              int at_least_one, sp_buf *out, int64_t *high_watermark, int64_t *log_start_offset);
  void *ctx;
} fetch_source;

/* Response v4-11 as built (drawn in fetch.c). Returns the number of record
 * bytes included; *errors gets the number of partitions answered with an
 * error. Respects the response's max_bytes and each partition's max_bytes,
 * but the first partition with data returns at least one whole batch. */
size_t fetch_response_build(sp_buf *b, int16_t version, const fetch_request *req,
                            const fetch_source *src, int *errors);

/* Re-evaluates parked fetches after data arrived or retention moved. */
void fetch_wake_waiters(server *srv);
/* Answers every parked fetch now (shutdown). */
void fetch_release_all(server *srv);

#endif
