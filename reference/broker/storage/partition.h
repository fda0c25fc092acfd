/* partition.h: the ordered segments of one partition (internal to storage).
 *
 * The public operations (partition_append, partition_read, offsets, sync
 * epochs) are declared in store.h; this header adds what store.c and
 * topic.c need: opening with recovery, group commit, retention, closing.
 *
 * Invariants (checked by recovery at open and kept by every operation):
 *   - segments are sorted by base offset and chained: each segment's base is
 *     the previous one's next offset, so offsets are dense from the log
 *     start (first segment's base) to the log end (last segment's next);
 *   - only the last segment (the active one) is appended to;
 *   - log start <= high watermark <= synced end <= log end under ALWAYS
 *     (synced end = high watermark after each successful sync); under
 *     INTERVAL and NEVER the high watermark is the log end.
 *   - a segment's bytes are whole, CRC-valid batches (recovery cuts the rest). */
#ifndef REFBROKER_PARTITION_H
#define REFBROKER_PARTITION_H

#include <stdint.h>

#include "producer_state.h"
#include "segment.h"
#include "store.h"

/* Partitions with unsynced appends, linked through partition.next_dirty, so
 * store_sync() visits only those (not every partition of every topic). */
typedef struct partition_dirty_list {
  partition *head;
} partition_dirty_list;

struct partition {
  char *dir;                   /* <data-dir>/<topic>-<n> */
  char *name;                  /* "<topic>-<n>", for log lines */
  const store_config *cfg;
  partition_dirty_list *dirty_list;
  partition *next_dirty;
  segment **segs;
  size_t nsegs, segs_cap;
  int64_t read_hint_offset;    /* where the last read ended (sequential consumers)... */
  int64_t read_hint_position;  /* ...its byte position in... */
  segment *read_hint_segment;  /* ...this segment (NULL: no hint) */
  int64_t high_watermark;
  int64_t synced_end;          /* log end at the last successful sync */
  uint64_t sync_epoch;
  int dirty;                   /* on the dirty list: appends or dir entries to sync */
  int dir_dirty;               /* segment files created or removed since the last dir fsync */
  int offline;                 /* a cut-back failed: every request gets STORAGE_ERROR */
  producer_state producers;
};

/* Opens the partition directory `dir` (which must exist), recovering it:
 * chains the segments (dropping stale or disconnected ones), validates and
 * truncates the last segment's tail (CRC of every batch), checks every
 * older segment's batch headers, rebuilds bad or missing indexes and the
 * producer state. An empty directory gets its first segment at offset 0.
 * Returns NULL (with a log line) if the directory cannot be read or the
 * first segment cannot be created. */
partition *partition_open(const char *dir, const char *name, const store_config *cfg,
                          partition_dirty_list *dirty_list);

/* Flushes index entries and frees the partition (no sync: see store_close). */
void partition_free(partition *p);

/* Group commit for one partition: fdatasyncs the segments holding unsynced
 * appends (and the directory after segment files came or went), then moves
 * the high watermark to the log end. On failure cuts the log back to the
 * last synced end and bumps the sync epoch. Returns 0 or -1 (failed). */
int partition_sync(partition *p);

/* Deletes whole oldest segments beyond retention (see store.h). Returns
 * the number deleted. */
int partition_enforce_retention(partition *p, int64_t now_ms);

/* Largest producer id in the partition's producer state (-1 if none). */
int64_t partition_max_producer_id(const partition *p);

/* Sum of the segments' sizes in bytes. */
int64_t partition_size_bytes(const partition *p);

#endif
