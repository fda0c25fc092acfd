/* store.h: refbroker's storage engine, as the protocol layer sees it.
 *
 * DDIA ch. 11's log-based broker on disk: each topic has N partitions, each
 * partition is an append-only sequence of segment files holding Kafka
 * RecordBatch v2 bytes exactly as the producer sent them (compressed batches
 * stay compressed), with the broker-assigned base offset written in. Offsets
 * are dense and increase by one per record. Old segments are deleted whole by
 * retention (the on-disk ring buffer), which moves the log start offset.
 *
 *   <data-dir>/
 *     <topic>-<partition>/
 *       00000000000000000000.log     segment: batches back to back
 *       00000000000000000000.index   sparse index: (relative offset, position)
 *       00000000000000052311.log     next segment, named by its base offset
 *       ...
 *     group-offsets.log              committed consumer-group offsets (a log
 *                                    of CRC'd records, compacted at start)
 *     producer-ids                   next producer id block (idempotence)
 *
 * Durability (store_config.fsync_policy):
 *   STORE_FSYNC_ALWAYS    appends go to the page cache; store_sync() (called
 *                         once per event-loop pass: group commit) fdatasyncs
 *                         every dirty partition and only then moves each
 *                         partition's high watermark. Consumers see and
 *                         producers are acked only up to the high watermark,
 *                         so nothing acknowledged or served can be lost to a
 *                         crash, and offsets are never reused for other data.
 *   STORE_FSYNC_INTERVAL  store_sync() is called every interval_ms; the high
 *                         watermark follows the log end immediately.
 *   STORE_FSYNC_NEVER     no fdatasync except at a clean close; likewise.
 *
 * A failed write or fdatasync is never acknowledged: the partition is cut
 * back to its last good end (ftruncate) and every append after that point
 * reports KERR_KAFKA_STORAGE_ERROR, so the client can retry. If the cut
 * itself fails the partition goes offline (every request for it gets
 * KERR_KAFKA_STORAGE_ERROR) and the broker keeps serving the others.
 *
 * Single-threaded: the event loop owns the store. Every function that can
 * fail returns a Kafka error code (KERR_*; 0 = none) or -1 with errno, as
 * documented per function, and logs one line for notable events (recovery,
 * truncation, topic creation, retention deletion). */
#ifndef REFBROKER_STORE_H
#define REFBROKER_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Kafka error codes the storage layer returns (subset of the protocol's). */
enum {
  KERR_NONE = 0,
  KERR_OFFSET_OUT_OF_RANGE = 1,
  KERR_CORRUPT_MESSAGE = 2,
  KERR_UNKNOWN_TOPIC_OR_PARTITION = 3,
  KERR_INVALID_FETCH_SIZE = 4,
  KERR_MESSAGE_TOO_LARGE = 10,
  KERR_INVALID_TOPIC_EXCEPTION = 17,
  KERR_RECORD_LIST_TOO_LARGE = 18,
  KERR_INVALID_PARTITIONS = 37,
  KERR_TOPIC_ALREADY_EXISTS = 36,
  KERR_UNSUPPORTED_FOR_MESSAGE_FORMAT = 43,
  KERR_OUT_OF_ORDER_SEQUENCE_NUMBER = 45,
  KERR_DUPLICATE_SEQUENCE_NUMBER = 46,
  KERR_INVALID_PRODUCER_EPOCH = 47,
  KERR_KAFKA_STORAGE_ERROR = 56,
  KERR_UNKNOWN_PRODUCER_ID = 59,
  KERR_INVALID_RECORD = 87,
};

typedef enum {
  STORE_FSYNC_ALWAYS,
  STORE_FSYNC_INTERVAL,
  STORE_FSYNC_NEVER,
} store_fsync_policy;

/* Sizes <= 0 take the default in brackets (Kafka's). */
typedef struct store_config {
  const char *data_dir;
  store_fsync_policy fsync_policy;
  int64_t fsync_interval_ms;   /* STORE_FSYNC_INTERVAL only */
  int64_t segment_bytes;       /* roll the active segment past this size [1 GiB, at most 2 GiB-1] */
  int64_t retention_bytes;     /* -1: unlimited; per partition */
  int64_t retention_ms;        /* -1: unlimited; by a segment's newest timestamp */
  int64_t index_interval_bytes;/* one index entry per this many log bytes [4096] */
  int32_t max_batch_bytes;     /* largest accepted batch (message.max.bytes) [1048588] */
} store_config;

typedef struct store store;
typedef struct partition partition;

/* ---- lifecycle -------------------------------------------------------- */

/* Opens (creating if needed) the data directory and recovers every
 * partition: validates the tail of each partition's last segment, truncates
 * a torn or corrupt tail at the first bad batch (logging what was cut),
 * rebuilds missing or bad index files, rebuilds producer state for
 * idempotence, and loads committed group offsets. Returns NULL with a log
 * line saying what and where when the directory cannot be used. */
store *store_open(const store_config *cfg);

/* Syncs everything (whatever the policy) and frees the store. */
void store_close(store *s);

/* ---- topics ----------------------------------------------------------- */

/* Kafka's rule: 1..249 chars of [a-zA-Z0-9._-], and not "." or "..". Such a
 * name can never escape the data directory. */
int store_topic_name_valid(const char *name, size_t len);

/* Creates a topic with `partitions` partitions (1..100000). Returns
 * KERR_NONE, KERR_TOPIC_ALREADY_EXISTS, KERR_INVALID_TOPIC_EXCEPTION,
 * KERR_INVALID_PARTITIONS or KERR_KAFKA_STORAGE_ERROR. Durable before it
 * returns (directories fsynced). */
int store_create_topic(store *s, const char *name, size_t len, int32_t partitions);

/* Number of partitions of a topic, or -1 if it does not exist. */
int32_t store_topic_partitions(const store *s, const char *name, size_t len);

/* Calls fn for every topic (name, partition count), in name order. */
void store_foreach_topic(const store *s, void (*fn)(void *ctx, const char *name,
                                                    int32_t partitions), void *ctx);

/* The partition, or NULL if the topic or partition does not exist. */
partition *store_partition(store *s, const char *topic, size_t len, int32_t index);

/* ---- partitions: append ---------------------------------------------- */

/* Appends the record batches in records[0..len) (one or more RecordBatch v2,
 * back to back, as a Produce request carries them) as one unit: every batch
 * is validated first (magic 2, lengths, CRC-32C over bytes [21, end),
 * recordCount >= 1 and consistent with lastOffsetDelta, size <=
 * max_batch_bytes), so a bad batch writes nothing. The broker assigns
 * offsets: each batch's baseOffset field is rewritten in `records` (the
 * buffer is modified) before the write. Idempotent producers (producerId >=
 * 0): a batch whose (producer id, epoch, sequence range) matches one of the
 * last 5 appended batches of that producer is not written again and reports
 * the original base offset; sequence gaps and stale epochs are refused.
 *
 * On success returns KERR_NONE and sets *base_offset to the first offset of
 * the first batch and *last_offset to the last offset of the last batch.
 * The data is in the page cache: under STORE_FSYNC_ALWAYS it becomes
 * visible and acknowledgeable only after a successful store_sync() (see
 * partition_is_durable). Errors: KERR_CORRUPT_MESSAGE (CRC or lengths),
 * KERR_INVALID_RECORD, KERR_UNSUPPORTED_FOR_MESSAGE_FORMAT (magic != 2),
 * KERR_MESSAGE_TOO_LARGE, KERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
 * KERR_INVALID_PRODUCER_EPOCH, KERR_KAFKA_STORAGE_ERROR (write failed; the
 * partial write was cut off). */
int partition_append(partition *p, uint8_t *records, size_t len, int64_t now_ms,
                     int64_t *base_offset, int64_t *last_offset);

/* ---- partitions: durability ------------------------------------------- */

/* Group commit: fdatasyncs every partition with unsynced appends (and the
 * directory entries of newly rolled segments), then advances each synced
 * partition's high watermark to its log end. A partition whose sync fails
 * is cut back to its last synced end (its unsynced appends are lost and
 * were never acknowledged) and its sync epoch increases. Also syncs pending
 * group-offset commits. Returns the number of partitions that failed. */
int store_sync(store *s);

/* True if there are appends or offset commits not yet synced (always
 * false under STORE_FSYNC_NEVER, where store_sync does nothing). */
int store_needs_sync(const store *s);

/* Every truncation of unsynced data bumps the partition's epoch. The
 * protocol layer remembers (epoch, last_offset) when it appends and, after
 * store_sync(), acknowledges only if partition_is_durable() says so. */
uint64_t partition_sync_epoch(const partition *p);
int partition_is_durable(const partition *p, uint64_t epoch, int64_t last_offset);

/* ---- partitions: offsets and reads ------------------------------------ */

int64_t partition_log_start_offset(const partition *p);
/* Next offset to be assigned. */
int64_t partition_log_end_offset(const partition *p);
/* Offsets below this are visible to consumers (and, under ALWAYS, durable).
 * Also the last stable offset: there are no transactions. */
int64_t partition_high_watermark(const partition *p);

/* Appends to `out` whole record batches starting with the batch that
 * contains `offset`, up to max_bytes (but always at least one whole batch
 * when any is available, so a batch larger than max_bytes is still served),
 * never past the high watermark. Returns KERR_NONE (possibly with 0 bytes
 * appended when offset == high watermark), KERR_OFFSET_OUT_OF_RANGE when
 * offset < log start or offset > high watermark, or
 * KERR_KAFKA_STORAGE_ERROR if the segment cannot be read. */
int partition_read(partition *p, int64_t offset, int32_t max_bytes, sp_buf *out);

/* ListOffsets by timestamp: the first offset whose record timestamp is >=
 * timestamp_ms, with that record's timestamp; offset -1 if none.
 * (Timestamps -1 "latest" and -2 "earliest" are handled by the caller.) */
int partition_offset_for_time(partition *p, int64_t timestamp_ms, int64_t *offset,
                              int64_t *found_timestamp_ms);

/* ---- retention -------------------------------------------------------- */

/* Deletes whole oldest segments beyond retention_bytes or older than
 * retention_ms (never the active segment) and moves log start offsets.
 * Returns the number of segments deleted. */
int store_enforce_retention(store *s, int64_t now_ms);

/* ---- committed consumer-group offsets ---------------------------------- */

/* Records a commit. Durable after the next store_sync() under ALWAYS (the
 * protocol layer answers OffsetCommit after it, like produce acks: see
 * store_offsets_is_durable). Returns KERR_NONE, 12 (OFFSET_METADATA_TOO_LARGE,
 * when metadata exceeds 4096 bytes, Kafka's offset.metadata.max.bytes; the
 * protocol layer's enum names it) or KERR_KAFKA_STORAGE_ERROR (nothing
 * recorded). metadata may be NULL. */
int store_commit_offset(store *s, const char *group, size_t group_len, const char *topic,
                        size_t topic_len, int32_t partition_index, int64_t offset,
                        const char *metadata, size_t metadata_len);

/* The committed offset (-1 if none) and its metadata (NULL if none; valid
 * until the next commit). */
int64_t store_committed_offset(const store *s, const char *group, size_t group_len,
                               const char *topic, size_t topic_len, int32_t partition_index,
                               const char **metadata);

/* Calls fn for every (topic, partition, offset, metadata) committed for a
 * group (OffsetFetch with a null topic list). */
void store_foreach_committed(const store *s, const char *group, size_t group_len,
                             void (*fn)(void *ctx, const char *topic, int32_t partition_index,
                                        int64_t offset, const char *metadata),
                             void *ctx);

/* Acknowledging OffsetCommit follows the produce rule: after the commits of
 * a request, remember (store_offsets_sync_epoch, store_offsets_commit_count);
 * after store_sync(), answer success only if store_offsets_is_durable()
 * (a failed fdatasync cuts unsynced commits back and bumps the epoch), else
 * KERR_KAFKA_STORAGE_ERROR. Under INTERVAL and NEVER commits count as
 * durable at once, like the high watermark. */
uint64_t store_offsets_sync_epoch(const store *s);
int64_t store_offsets_commit_count(const store *s);
int store_offsets_is_durable(const store *s, uint64_t epoch, int64_t commit_count);

/* ---- idempotent producers ---------------------------------------------- */

/* Allocates a new producer id (persisted so ids are never reused across
 * restarts). Returns >= 0, or -1 on a storage error. */
int64_t store_next_producer_id(store *s);

#endif
