/* index.h: the sparse offset (and time) index of one segment, <base>.index.
 *
 * One entry per index_interval_bytes of log: the batch starting at that
 * point, as (offset relative to the segment base, byte position), plus the
 * largest record timestamp of all batches *before* that position in the
 * segment. Offsets and positions strictly increase along the index, and the
 * "timestamp before" never decreases, so both kinds of lookup are binary
 * searches: the batch holding an offset, and the first batch that may hold a
 * timestamp >= t (ListOffsets by time). The entries live in memory; the file
 * is derived data, appended in small bursts and rebuilt from the segment
 * whenever it is missing, torn or disagrees with the log (recovery). It is
 * never fsynced: a stale or short index is still correct, only sparser. */
#ifndef REFBROKER_INDEX_H
#define REFBROKER_INDEX_H

#include <stddef.h>
#include <stdint.h>

#define INDEX_ENTRY_BYTES 16

typedef struct index_entry {
  uint32_t rel_offset;        /* batch base offset - segment base offset */
  uint32_t position;          /* byte position of the batch in the segment */
  int64_t max_ts_before_ms;   /* max timestamp of the batches before it, -1 if none */
} index_entry;

typedef struct offset_index {
  index_entry *entries;
  size_t count, cap;
  size_t flushed;             /* entries[0..flushed) are in the file */
  char *path;
} offset_index;

void index_init(offset_index *idx, const char *path);
void index_free(offset_index *idx);

/* Reads the file into memory. Returns 0 when it holds a well-formed index
 * for a segment of segment_bytes bytes and offsets below next_rel_offset
 * (whole entries, strictly increasing, in bounds), 1 when the file does not
 * exist, -1 (with a log line saying why) when it is malformed: the caller
 * then rebuilds it. */
int index_load(offset_index *idx, int64_t segment_bytes, int64_t next_rel_offset);

/* Adds an entry in memory (flushed to the file later by index_flush). */
void index_add(offset_index *idx, uint32_t rel_offset, uint32_t position, int64_t max_ts_before_ms);

/* Appends the entries not yet in the file (one write). Failures are logged
 * and left for the next open to repair: the index is advisory. */
void index_flush(offset_index *idx);

/* Replaces the file with the in-memory entries (after a rebuild). */
int index_rewrite(offset_index *idx);

/* Drops entries at or beyond byte position `position` (log truncation), in
 * memory and in the file. */
void index_truncate(offset_index *idx, uint32_t position);

/* True when both indexes hold the same entries. */
int index_equal(const offset_index *a, const offset_index *b);

/* Byte position to start scanning for rel_offset: the last entry whose
 * offset is <= rel_offset, else 0. */
uint32_t index_lookup_offset(const offset_index *idx, uint32_t rel_offset);

/* Byte position to start scanning for the first timestamp >= ts_ms: the
 * last entry whose earlier batches are all older than ts_ms, else 0. */
uint32_t index_lookup_time(const offset_index *idx, int64_t ts_ms);

/* Removes the file (segment deletion). */
int index_remove_file(const offset_index *idx);

#endif
