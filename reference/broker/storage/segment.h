/* segment.h: one segment file, <base offset, 20 digits>.log, and its index.
 *
 * A segment holds whole RecordBatch v2 batches back to back, with offsets
 * base_offset .. next_offset-1 and nothing else: no file header, no padding,
 * so the file can be served to consumers byte for byte. Its byte size fits
 * an unsigned 32-bit position (the index's), which partition.c guarantees by
 * rolling early.
 *
 * File descriptors: a segment's fd is opened lazily (segment_fd) and kept in
 * one process-wide least-recently-used list, so a store with many
 * partitions and segments holds at most segment_fd_budget() of them (half
 * the RLIMIT_NOFILE soft limit, leaving the rest to sockets): the least
 * recently used one is closed when a new one is needed. A segment holding
 * writes that are not yet fdatasynced is pinned (never closed), because an
 * fd opened after a failed writeback would not see the error (Linux
 * errseq), and the failed data could then be acknowledged. */
#ifndef REFBROKER_SEGMENT_H
#define REFBROKER_SEGMENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dir_sync.h"
#include "index.h"
#include "record_batch.h"

typedef struct segment {
  int64_t base_offset;
  int64_t next_offset;         /* offset after the last batch */
  int64_t size_bytes;          /* bytes of whole batches */
  int64_t max_timestamp_ms;    /* largest record timestamp in it, -1 if none */
  int64_t last_append_ms;      /* wall time of the newest append (file mtime at open) */
  int64_t bytes_since_index;   /* log bytes since the last index entry */
  int fd;                      /* -1 while closed */
  int pinned;                  /* unsynced writes: the fd must stay open */
  struct segment *lru_prev, *lru_next; /* in the fd list while fd >= 0 */
  char *log_path;
  offset_index index;
} segment;

/* A new in-memory segment for <dir>/<base>.log (no file touched). */
segment *segment_new(const char *dir, int64_t base_offset);
/* Closes the file and frees the segment (files stay on disk). */
void segment_free(segment *seg);

/* Creates the file, which must not exist. Returns 0 or -1 with errno. */
int segment_create_file(segment *seg);
/* The open descriptor, opening the existing file if needed (and closing
 * the least recently used unpinned one if over budget); -1 with errno. */
int segment_fd(segment *seg);
void segment_close_fd(segment *seg);
/* How many segment fds may be open at once; segment fds open now. */
int segment_fd_budget(void);
int segment_fds_open(void);
/* Overrides the budget (tests; a broker that needs more sockets). */
void segment_set_fd_budget(int budget);
/* Size of the file on disk (may exceed size_bytes before recovery). */
int64_t segment_file_bytes(segment *seg);

/* Appends len bytes at size_bytes (one pwrite, split only by the
 * FP_LOG_MID_BATCH_WRITE fault point). On failure cuts the file back to
 * size_bytes: returns -1 (cut done) or -2 (the cut failed too: the file has
 * a partial write at its end), errno set from the write. size_bytes is not
 * changed: segment_note_batch() accounts each batch after success. */
int segment_write(segment *seg, const void *buf, size_t len);

/* Accounts a batch written at `position` with header h: index entry when
 * interval_bytes have passed since the last one, max timestamp, next
 * offset, size. Used by appends and by scans that rebuild a segment. */
void segment_note_batch(segment *seg, const rb_header *h, int64_t position, int64_t interval_bytes,
                        int64_t now_ms);

/* Reads exactly len bytes at pos (short only at end of file: returns the
 * count read), or -1 with errno. */
ssize_t segment_read(segment *seg, void *buf, size_t len, int64_t pos);

/* Cuts the file to `position` bytes (a batch boundary) and forgets index
 * entries beyond it. Does not recompute next_offset or timestamps (the
 * caller rescans). Returns 0 or -1 with errno. */
int segment_truncate(segment *seg, int64_t position);
int segment_sync(segment *seg);
/* Unlinks the log and index files. Returns 0 or -1 with errno. */
int segment_unlink(segment *seg);

/* ---- scanning ------------------------------------------------------------
 * A forward iterator over the batches of a segment from a byte position,
 * reading through a buffer (large sequential preads), used by recovery,
 * producer-state rebuilds, reads and timestamp lookups. In SCAN_VERIFY mode
 * every batch is read whole and its CRC checked; SCAN_HEADERS reads only
 * headers (and checks that each batch ends inside the limit). */
typedef enum { SCAN_HEADERS, SCAN_VERIFY } scan_mode;

typedef struct segment_scan {
  segment *seg;
  scan_mode mode;
  int64_t position;            /* where the current batch starts */
  int64_t next_position;       /* where the next batch starts */
  int64_t limit;               /* scan stops here (the file or segment size) */
  rb_header h;                 /* the current batch */
  const uint8_t *batch;        /* the current batch's bytes (SCAN_VERIFY: all) */
  rb_status status;            /* why the scan stopped early (RB_OK: end or I/O) */
  int header_ok;               /* sc->h was decoded whole (even if the batch is bad) */
  int io_errno;                /* non-zero when a read failed */
  uint8_t *buf;
  size_t buf_cap, buf_len;
  int64_t buf_pos;
} segment_scan;

void segment_scan_begin(segment_scan *sc, segment *seg, scan_mode mode, int64_t position,
                        int64_t limit);
/* 1: a batch (sc->h at sc->position); 0: clean end at sc->limit; -1: stopped
 * at sc->position because of sc->status (bad bytes) or sc->io_errno. */
int segment_scan_next(segment_scan *sc);
void segment_scan_end(segment_scan *sc);

/* What segment_rebuild found: the segment's state is set to the good
 * prefix; cut_* describe what follows it (nothing when cut_bytes == 0). */
typedef struct segment_rebuild_result {
  int64_t cut_position;        /* first byte not kept */
  int64_t cut_bytes;           /* file bytes beyond it */
  rb_status cut_status;        /* why (RB_OK with an offset mismatch) */
  int offset_mismatch;         /* a batch's base offset was not the next offset */
  int64_t cut_base_offset;     /* header of the first bad batch if decodable, else -1 */
  int64_t cut_last_offset;
  int io_errno;                /* a read failed: nothing was decided */
} segment_rebuild_result;

/* Rescans the segment from byte 0 (mode as above), rebuilding in memory its
 * index, size, next offset and max timestamp, and calling on_batch for each
 * good batch. Stops at the first batch that is bad, torn, or does not start
 * at the expected offset. Does not modify the file. Returns 0, or -1 if a
 * read failed (r->io_errno). */
int segment_rebuild(segment *seg, scan_mode mode, int64_t interval_bytes,
                    void (*on_batch)(void *ctx, const rb_header *h), void *ctx,
                    segment_rebuild_result *r);

/* Byte position of the batch that contains `offset` (size_bytes when
 * offset >= next_offset), with that batch's base offset in *batch_base
 * (next_offset at the end). Returns -1 if the bytes are not a chain of
 * batches there, -2 on a read error (errno). offset >= base_offset. */
int64_t segment_locate(segment *seg, int64_t offset, int64_t *batch_base);

/* "<dir>/<20-digit base>.<ext>" */
char *segment_path(const char *dir, int64_t base_offset, const char *ext);
/* Parses a "<20 digits>.log" file name; returns 1 and the base, else 0. */
int segment_parse_name(const char *name, int64_t *base_offset);

#endif
