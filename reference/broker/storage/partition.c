/* partition.c: appends, group commit, cut-back and offsets of a partition.
 * Reads are in partition_read.c, recovery in partition_open.c, retention in
 * retention.c. */
#include "partition.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../fault_points.h"
#include "fault.h"
#include "log.h"
#include "mem.h"
#include "partition_internal.h"
#include "sp_assert.h"

#define INDEX_FLUSH_ENTRIES 64 /* index entries buffered before one write */

int64_t partition_log_start_offset(const partition *p) { return p->segs[0]->base_offset; }
int64_t partition_log_end_offset(const partition *p) { return p->segs[p->nsegs - 1]->next_offset; }
int64_t partition_high_watermark(const partition *p) { return p->high_watermark; }
uint64_t partition_sync_epoch(const partition *p) { return p->sync_epoch; }

int partition_is_durable(const partition *p, uint64_t epoch, int64_t last_offset) {
  return !p->offline && epoch == p->sync_epoch && last_offset < p->high_watermark;
}

int64_t partition_size_bytes(const partition *p) {
  int64_t total = 0;
  for (size_t i = 0; i < p->nsegs; i++) total += p->segs[i]->size_bytes;
  return total;
}

int64_t partition_max_producer_id(const partition *p) {
  return producer_state_max_id(&p->producers);
}

void partition_mark_dirty(partition *p) {
  if (p->dirty || p->cfg->fsync_policy == STORE_FSYNC_NEVER) return;
  p->dirty = 1;
  p->next_dirty = p->dirty_list->head;
  p->dirty_list->head = p;
}

void partition_push_segment(partition *p, segment *seg) {
  if (p->nsegs == p->segs_cap) {
    p->segs_cap = p->segs_cap ? p->segs_cap * 2 : 8;
    p->segs = sp_realloc(p->segs, p->segs_cap * sizeof *p->segs);
  }
  p->segs[p->nsegs++] = seg;
}

/* ---- append -------------------------------------------------------------- */

/* The headers of the batches of one append, validated. */
typedef struct batch_list {
  rb_header *h;
  size_t n, cap;
  rb_header local[4];
} batch_list;

/* Checks every batch in records[0..len) (framing, CRC, fields, size) and
 * collects their headers. Returns KERR_NONE or the error for the producer. */
static int validate_batches(const partition *p, const uint8_t *records, size_t len,
                            batch_list *bl) {
  if (len == 0) return KERR_INVALID_RECORD;
  if (len > INT32_MAX) return KERR_RECORD_LIST_TOO_LARGE;
  size_t pos = 0;
  while (pos < len) {
    rb_header h;
    rb_status st = rb_check(records + pos, len - pos, &h);
    if (st != RB_OK) {
      sp_debug("partition %s: refused batch at byte %zu of %zu: %s", p->name, pos, len,
               rb_status_str(st));
      return rb_status_kerr(st);
    }
    if (rb_total_bytes(&h) > (size_t)p->cfg->max_batch_bytes) return KERR_MESSAGE_TOO_LARGE;
    if (bl->n == bl->cap) {
      size_t cap = bl->cap * 2;
      rb_header *nh = sp_malloc(cap * sizeof *nh);
      memcpy(nh, bl->h, bl->n * sizeof *nh);
      if (bl->h != bl->local) free(bl->h);
      bl->h = nh;
      bl->cap = cap;
    }
    bl->h[bl->n++] = h;
    pos += rb_total_bytes(&h);
  }
  return KERR_NONE;
}

/* Idempotence: checks each idempotent batch against the producer state, or
 * against the previous batch of the same producer in this request. A
 * duplicate makes the whole append a no-op answered with the original
 * offsets (Kafka does the same). */
static int check_producers(const partition *p, const batch_list *bl, int64_t *dup_base,
                           int64_t *dup_last) {
  for (size_t i = 0; i < bl->n; i++) {
    const rb_header *h = &bl->h[i];
    if (h->producer_id < 0) continue;
    const rb_header *prev = NULL;
    for (size_t j = i; j-- > 0;)
      if (bl->h[j].producer_id == h->producer_id) {
        prev = &bl->h[j];
        break;
      }
    int rc = prev ? producer_state_check_after(prev->producer_epoch, rb_last_sequence(prev),
                                               h->producer_epoch, h->base_sequence)
                  : producer_state_check(&p->producers, h->producer_id, h->producer_epoch,
                                         h->base_sequence, rb_last_sequence(h), dup_base, dup_last);
    if (rc != KERR_NONE) return rc;
  }
  return KERR_NONE;
}

/* Starts a new active segment at the log end. The old one stays as it is
 * (synced by the next group commit when it holds unsynced appends). */
static int roll(partition *p) {
  segment *old = p->segs[p->nsegs - 1];
  segment *seg = segment_new(p->dir, old->next_offset);
  if (segment_create_file(seg) != 0) {
    sp_error("partition %s: cannot create segment %s: %s", p->name, seg->log_path, strerror(errno));
    segment_free(seg);
    return -1;
  }
  int e = sp_fault_point(FP_LOG_SEGMENT_ROLL);
  if (e) {
    sp_error("partition %s: cannot roll to segment %s: %s", p->name, seg->log_path, strerror(e));
    if (unlink(seg->log_path) != 0) sp_warn("partition %s: cannot remove %s", p->name, seg->log_path);
    segment_free(seg);
    errno = e;
    return -1;
  }
  index_flush(&old->index);
  partition_push_segment(p, seg);
  p->dir_dirty = 1;
  partition_mark_dirty(p);
  sp_debug("partition %s: rolled to segment %020" PRId64 " (previous %" PRId64 " bytes)", p->name,
           seg->base_offset, old->size_bytes);
  return 0;
}

/* True when `len` more bytes ending at offset `last` must go to a new
 * segment: the active one is non-empty and would pass segment_bytes, or its
 * positions or relative offsets would overflow the index's u32 fields. */
static int needs_roll(const partition *p, size_t len, int64_t last) {
  const segment *seg = p->segs[p->nsegs - 1];
  if (seg->size_bytes == 0) return 0;
  return seg->size_bytes + (int64_t)len > p->cfg->segment_bytes ||
         seg->size_bytes + (int64_t)len > (int64_t)UINT32_MAX ||
         last - seg->base_offset > (int64_t)INT32_MAX;
}

int partition_append(partition *p, uint8_t *records, size_t len, int64_t now_ms,
                     int64_t *base_offset, int64_t *last_offset) {
  if (p->offline) return KERR_KAFKA_STORAGE_ERROR;
  batch_list bl = {.h = NULL, .n = 0, .cap = 4};
  bl.h = bl.local;
  int rc = validate_batches(p, records, len, &bl);
  int64_t dup_base = -1, dup_last = -1;
  if (rc == KERR_NONE) rc = check_producers(p, &bl, &dup_base, &dup_last);
  if (rc == KERR_DUPLICATE_SEQUENCE_NUMBER) {
    *base_offset = dup_base;
    *last_offset = dup_last;
    rc = KERR_NONE;
    goto out;
  }
  if (rc != KERR_NONE) goto out;

  int64_t next = partition_log_end_offset(p);
  size_t pos = 0;
  for (size_t i = 0; i < bl.n; i++) {
    rb_set_base_offset(records + pos, next);
    bl.h[i].base_offset = next;
    next += bl.h[i].record_count;
    pos += rb_total_bytes(&bl.h[i]);
  }
  if (needs_roll(p, len, next - 1) && roll(p) != 0) {
    rc = KERR_KAFKA_STORAGE_ERROR;
    goto out;
  }
  segment *seg = p->segs[p->nsegs - 1];
  int w = segment_write(seg, records, len);
  if (w != 0) {
    sp_error("partition %s: write of %zu bytes at offset %" PRId64 " failed: %s%s", p->name, len,
             bl.h[0].base_offset, strerror(errno),
             w == -2 ? "; cutting the partial write failed too: partition offline" : "");
    if (w == -2) p->offline = 1;
    rc = KERR_KAFKA_STORAGE_ERROR;
    goto out;
  }
  int64_t at = seg->size_bytes;
  for (size_t i = 0; i < bl.n; i++) {
    const rb_header *h = &bl.h[i];
    segment_note_batch(seg, h, at, p->cfg->index_interval_bytes, now_ms);
    at += (int64_t)rb_total_bytes(h);
    if (h->producer_id >= 0)
      producer_state_record(&p->producers, h->producer_id, h->producer_epoch, h->base_sequence,
                            rb_last_sequence(h), h->base_offset, rb_last_offset(h));
  }
  if (seg->index.count - seg->index.flushed >= INDEX_FLUSH_ENTRIES) index_flush(&seg->index);
  if (p->cfg->fsync_policy == STORE_FSYNC_NEVER) seg->pinned = 0; /* nothing will wait for a sync */
  if (p->cfg->fsync_policy == STORE_FSYNC_ALWAYS) partition_mark_dirty(p);
  else {
    p->high_watermark = next;
    partition_mark_dirty(p);
  }
  *base_offset = bl.h[0].base_offset;
  *last_offset = next - 1;
out:
  if (bl.h != bl.local) free(bl.h);
  return rc;
}

/* ---- group commit and cut-back ------------------------------------------ */

/* Replays every batch header of the log into a fresh producer state (after
 * a cut-back removed batches it had recorded). Returns 0 or -1 (read error). */
int partition_replay_producers(partition *p) {
  producer_state_clear(&p->producers);
  for (size_t i = 0; i < p->nsegs; i++) {
    segment_scan sc;
    segment_scan_begin(&sc, p->segs[i], SCAN_HEADERS, 0, p->segs[i]->size_bytes);
    int rc;
    while ((rc = segment_scan_next(&sc)) == 1)
      if (sc.h.producer_id >= 0)
        producer_state_record(&p->producers, sc.h.producer_id, sc.h.producer_epoch,
                              sc.h.base_sequence, rb_last_sequence(&sc.h), sc.h.base_offset,
                              rb_last_offset(&sc.h));
    segment_scan_end(&sc);
    if (rc < 0) return -1;
  }
  return 0;
}

/* Takes the partition offline after a failure that left disk and memory
 * possibly disagreeing: only a restart (recovery) can make it consistent. */
static void go_offline(partition *p, const char *what) {
  p->offline = 1;
  sp_error("partition %s: %s: %s; partition offline until restart", p->name, what, strerror(errno));
}

/* Cuts the log back to `to` (a batch boundary at or below the log end):
 * removes later segments, truncates the one holding `to`, rebuilds its
 * in-memory state and the producer state, and bumps the sync epoch so no
 * append beyond `to` is ever acknowledged. Goes offline if any step fails. */
void partition_cut_back(partition *p, int64_t to, const char *why) {
  int64_t end = partition_log_end_offset(p), bytes = 0;
  partition_forget_hint(p);
  while (p->nsegs > 1 && p->segs[p->nsegs - 1]->base_offset > to) {
    segment *seg = p->segs[p->nsegs - 1];
    bytes += seg->size_bytes;
    if (segment_unlink(seg) != 0) { go_offline(p, "cannot remove a cut segment"); return; }
    segment_free(seg);
    p->nsegs--;
    p->dir_dirty = 1;
  }
  segment *seg = p->segs[p->nsegs - 1];
  int64_t batch_base = -1;
  int64_t pos = segment_locate(seg, to, &batch_base);
  if (pos < 0 || batch_base != to) {
    if (pos != -2) errno = EINVAL;
    { go_offline(p, "cannot find the cut position"); return; }
  }
  bytes += seg->size_bytes - pos;
  if (segment_truncate(seg, pos) != 0) { go_offline(p, "ftruncate failed"); return; }
  seg->pinned = 0; /* what is left was synced */
  segment_rebuild_result r;
  if (segment_rebuild(seg, SCAN_HEADERS, p->cfg->index_interval_bytes, NULL, NULL, &r) != 0 ||
      seg->next_offset != to) {
    errno = r.io_errno ? r.io_errno : EINVAL;
    { go_offline(p, "cannot rescan the cut segment"); return; }
  }
  index_rewrite(&seg->index);
  if (partition_replay_producers(p) != 0) { go_offline(p, "cannot rebuild producer state"); return; }
  if (p->high_watermark > to) p->high_watermark = to;
  if (p->synced_end > to) p->synced_end = to;
  p->sync_epoch++;
  sp_error("partition %s: %s: cut the log back from offset %" PRId64 " to %" PRId64
           " (%" PRId64 " bytes); those appends are not acknowledged (sync epoch %" PRIu64 ")",
           p->name, why, end, to, bytes, p->sync_epoch);
}

int partition_sync(partition *p) {
  p->dirty = 0;
  if (p->offline) return -1;
  int64_t end = partition_log_end_offset(p);
  const char *what = "fdatasync";
  int e = sp_fault_point(FP_LOG_BEFORE_FSYNC);
  for (size_t i = p->nsegs; !e && i-- > 0;) {
    segment *seg = p->segs[i];
    if (seg->next_offset > p->synced_end) {
      index_flush(&seg->index);
      if (segment_sync(seg) != 0) e = errno;
    }
    if (seg->base_offset <= p->synced_end) break;
  }
  if (!e && p->dir_dirty && storage_fsync_dir(p->dir) != 0) {
    what = "directory fsync";
    e = errno;
  }
  if (!e && (e = sp_fault_point(FP_LOG_AFTER_FSYNC)) != 0) what = "sync (fault after fdatasync)";
  if (e) {
    char why[96];
    snprintf(why, sizeof why, "%s failed: %s", what, strerror(e));
    partition_cut_back(p, p->synced_end, why);
    return -1;
  }
  p->dir_dirty = 0;
  p->synced_end = end;
  p->high_watermark = end;
  return 0;
}
