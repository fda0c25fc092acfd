/* offsets_store.h: committed consumer-group offsets, <data-dir>/group-offsets.log.
 *
 * An append-only file of CRC'd records, one per commit (layout drawn above
 * encode_record in offsets_store.c), mirrored by an in-memory map from
 * (group, topic, partition) to (offset, metadata); the newest record for a
 * key wins. At open the file is read, a torn or corrupt tail is cut (logged
 * with byte counts), and the file is compacted to one record per key by
 * writing a temporary file, fsyncing it, renaming it over the old one and
 * fsyncing the directory, so a crash at any instant leaves either the old
 * or the new file whole. It is compacted again at a sync when it has grown
 * to several times its live size.
 *
 * Durability follows the partitions' rule: commits are written at once (page
 * cache) and fdatasynced by offsets_store_sync (group commit); a failed
 * write is cut off, a failed sync cuts the file back to its last synced
 * size, reloads the map from it and bumps the sync epoch, so a commit is
 * only reported durable if it really reached the disk. */
#ifndef REFBROKER_OFFSETS_STORE_H
#define REFBROKER_OFFSETS_STORE_H

#include <stddef.h>
#include <stdint.h>

#define OFFSETS_METADATA_MAX_BYTES 4096 /* Kafka's offset.metadata.max.bytes */
#define OFFSETS_KERR_METADATA_TOO_LARGE 12 /* OFFSET_METADATA_TOO_LARGE */

typedef struct offsets_store offsets_store;

/* Opens (creating if needed) `path` in directory `dir`. sync_each: whether
 * commits are held back until offsets_store_sync (fsync policy ALWAYS).
 * Returns NULL with a log line when the file cannot be read or written. */
offsets_store *offsets_store_open(const char *dir, const char *path, int sync_each);
void offsets_store_close(offsets_store *os);

/* Records a commit. Returns KERR_NONE, OFFSETS_KERR_METADATA_TOO_LARGE or
 * KERR_KAFKA_STORAGE_ERROR (nothing recorded). */
int offsets_store_commit(offsets_store *os, const char *group, size_t group_len, const char *topic,
                         size_t topic_len, int32_t part, int64_t offset, const char *metadata,
                         size_t metadata_len);

int64_t offsets_store_get(const offsets_store *os, const char *group, size_t group_len,
                          const char *topic, size_t topic_len, int32_t part,
                          const char **metadata);

/* Calls fn for every commit of a group, in (topic, partition) order. */
void offsets_store_foreach(const offsets_store *os, const char *group, size_t group_len,
                           void (*fn)(void *ctx, const char *topic, int32_t part,
                                      int64_t offset, const char *metadata),
                           void *ctx);

int offsets_store_needs_sync(const offsets_store *os);
/* fdatasyncs pending commits. Returns 0, or -1 (cut back; epoch bumped). */
int offsets_store_sync(offsets_store *os);
/* Flushes everything whatever the policy (clean close). */
int offsets_store_sync_all(offsets_store *os);

uint64_t offsets_store_sync_epoch(const offsets_store *os);
int64_t offsets_store_commit_count(const offsets_store *os);
int offsets_store_is_durable(const offsets_store *os, uint64_t epoch, int64_t commit_count);

/* Number of (group, topic, partition) keys held. */
size_t offsets_store_size(const offsets_store *os);

#endif
