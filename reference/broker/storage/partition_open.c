/* partition_open.c: opening a partition directory, with recovery.
 *
 * Recovery rules (the README's "Recovery" section in code):
 *   1. Segment files are sorted by base offset. A segment that starts below
 *      the previous one's end overlaps it (a leftover of an interrupted
 *      cut-back) and is removed; one that starts above it leaves a hole, so
 *      it and every later segment are removed (offsets stay dense).
 *   2. The last segment is read whole and every batch's CRC is checked;
 *      older segments have their batch headers walked (framing, fields,
 *      offsets). At the first batch that is torn, corrupt, or does not start
 *      at the next offset, the segment is truncated, and any later segments
 *      are removed: what remains is the longest valid prefix of the log.
 *      Each cut is logged with its byte count, position and offsets.
 *   3. Each segment's index is rebuilt in memory from that walk and
 *      compared with its file; a missing, torn or stale file is rewritten.
 *   4. The producer state is rebuilt from the batch headers, in order. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "partition_internal.h"

/* qsort order for base offsets. */
static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

/* Base offsets of the "<20 digits>.log" files in dir, sorted; removes
 * index files whose segment is gone (a retention deletion cut short).
 * Returns the count, or -1 if the directory cannot be read. */
static ssize_t list_segments(const char *dir, const char *name, int64_t **bases) {
  DIR *d = opendir(dir);
  if (!d) {
    sp_error("partition %s: cannot open directory %s: %s", name, dir, strerror(errno));
    return -1;
  }
  size_t n = 0, cap = 16;
  *bases = sp_malloc(cap * sizeof **bases);
  struct dirent *de;
  while ((de = readdir(d))) {
    int64_t base;
    if (!segment_parse_name(de->d_name, &base)) continue;
    if (n == cap) *bases = sp_realloc(*bases, (cap *= 2) * sizeof **bases);
    (*bases)[n++] = base;
  }
  rewinddir(d);
  while ((de = readdir(d))) {
    size_t len = strlen(de->d_name);
    if (len != 26 || strcmp(de->d_name + 20, ".index") != 0) continue;
    char log_name[32];
    memcpy(log_name, de->d_name, 20);
    strcpy(log_name + 20, ".log");
    int64_t base;
    if (!segment_parse_name(log_name, &base)) continue;
    int found = 0;
    for (size_t i = 0; i < n && !found; i++) found = (*bases)[i] == base;
    if (found) continue;
    char *path = segment_path(dir, base, "index");
    sp_warn("recovery: partition %s: removing index %s whose segment is gone", name, path);
    if (unlink(path) != 0) sp_warn("recovery: partition %s: cannot remove %s", name, path);
    free(path);
  }
  closedir(d);
  if (n) qsort(*bases, n, sizeof **bases, cmp_i64);
  return (ssize_t)n;
}

/* Producer-state replay callback for segment_rebuild. */
static void on_recovered_batch(void *ctx, const rb_header *h) {
  partition *p = ctx;
  if (h->producer_id >= 0)
    producer_state_record(&p->producers, h->producer_id, h->producer_epoch, h->base_sequence,
                          rb_last_sequence(h), h->base_offset, rb_last_offset(h));
}

/* Removes segments [from, nsegs) from disk and memory (they are not part of
 * the valid prefix), logging what was lost. */
static void drop_segments_from(partition *p, size_t from, const char *why) {
  for (size_t i = from; i < p->nsegs; i++) {
    segment *seg = p->segs[i];
    int64_t bytes = segment_file_bytes(seg);
    sp_error("recovery: partition %s: removing segment %s (%" PRId64 " bytes): %s", p->name,
             seg->log_path, bytes, why);
    segment_close_fd(seg);
    if (segment_unlink(seg) != 0)
      sp_error("recovery: partition %s: cannot remove %s: %s", p->name, seg->log_path,
               strerror(errno));
    segment_free(seg);
  }
  if (from < p->nsegs) p->dir_dirty = 1;
  p->nsegs = from;
}

/* Logs and performs the truncation segment_rebuild asked for. */
static int cut_tail(partition *p, segment *seg, const segment_rebuild_result *r) {
  char claim[96] = "";
  if (r->cut_base_offset >= 0)
    snprintf(claim, sizeof claim, ", batch claiming offsets %" PRId64 "..%" PRId64,
             r->cut_base_offset, r->cut_last_offset);
  sp_warn("recovery: partition %s: segment %s: cut %" PRId64 " bytes at byte %" PRId64
          " (log end offset %" PRId64 "): %s%s",
          p->name, seg->log_path, r->cut_bytes, r->cut_position, seg->next_offset,
          r->offset_mismatch ? "batch does not start at the next offset" : rb_status_str(r->cut_status),
          claim);
  if (segment_truncate(seg, r->cut_position) != 0) {
    sp_error("recovery: partition %s: cannot truncate %s: %s", p->name, seg->log_path,
             strerror(errno));
    return -1;
  }
  return 0;
}

/* Compares the rebuilt in-memory index with the file and rewrites the file
 * when they differ (or it is missing or malformed). */
static void reconcile_index(partition *p, segment *seg) {
  offset_index disk;
  index_init(&disk, seg->index.path);
  int rc = index_load(&disk, seg->size_bytes, seg->next_offset - seg->base_offset);
  if (rc == 0 && index_equal(&disk, &seg->index)) {
    seg->index.flushed = seg->index.count;
  } else {
    if (rc != 1 || seg->index.count > 0)
      sp_info("recovery: partition %s: rebuilt index %s (%zu entries; file was %s)", p->name,
              seg->index.path, seg->index.count,
              rc == 1 ? "missing" : rc < 0 ? "malformed" : "stale");
    index_rewrite(&seg->index);
  }
  index_free(&disk);
}

/* Recovers segment i (see the rules above). Returns 0 to go on, 1 when
 * segment i is now the last one, -1 when the partition must go offline. */
static int recover_segment(partition *p, size_t i, int *replay) {
  segment *seg = p->segs[i];
  int last = i + 1 == p->nsegs;
  segment_rebuild_result r;
  if (segment_rebuild(seg, last ? SCAN_VERIFY : SCAN_HEADERS, p->cfg->index_interval_bytes,
                      on_recovered_batch, p, &r) != 0) {
    sp_error("recovery: partition %s: cannot read %s: %s", p->name, seg->log_path,
             strerror(r.io_errno));
    return -1;
  }
  if (r.cut_bytes > 0) {
    if (!last && !r.offset_mismatch) {
      /* An older segment is damaged: check its CRCs too before cutting, so
       * the cut lands at the first bad batch, not the first bad header.
       * The producer state is replayed once recovery is done. */
      p->dir_dirty = 1;
      if (segment_rebuild(seg, SCAN_VERIFY, p->cfg->index_interval_bytes, NULL, NULL, &r) != 0)
        return -1;
      *replay = 1;
    }
    if (cut_tail(p, seg, &r) != 0) return -1;
    if (!last) {
      drop_segments_from(p, i + 1, "it follows a damaged segment");
      last = 1;
    }
  }
  reconcile_index(p, seg);
  if (!last) segment_close_fd(seg);
  return last;
}

/* Applies the recovery rules to the listed segments. */
static int recover(partition *p) {
  int replay = 0;
  for (size_t i = 0; i < p->nsegs; i++) {
    segment *seg = p->segs[i];
    if (i > 0) {
      int64_t expected = p->segs[i - 1]->next_offset;
      if (seg->base_offset < expected) {
        /* A leftover of a cut-back whose unlink did not reach the disk: the
         * previous segment was rewritten past it and is the authority. */
        sp_warn("recovery: partition %s: removing segment %s: it starts at offset %" PRId64
                ", inside the previous segment (which ends at %" PRId64 ")",
                p->name, seg->log_path, seg->base_offset, expected);
        if (segment_unlink(seg) != 0)
          sp_error("recovery: partition %s: cannot remove %s: %s", p->name, seg->log_path,
                   strerror(errno));
        segment_free(seg);
        memmove(&p->segs[i], &p->segs[i + 1], (p->nsegs - i - 1) * sizeof *p->segs);
        p->nsegs--;
        p->dir_dirty = 1;
        i--;
        continue;
      }
      if (seg->base_offset > expected) {
        char why[128];
        snprintf(why, sizeof why, "offsets %" PRId64 "..%" PRId64 " are missing before it",
                 expected, seg->base_offset - 1);
        drop_segments_from(p, i, why);
        break;
      }
    }
    int rc = recover_segment(p, i, &replay);
    if (rc < 0) return -1;
    if (rc == 1) break;
  }
  return replay ? partition_replay_producers(p) : 0;
}

partition *partition_open(const char *dir, const char *name, const store_config *cfg,
                          partition_dirty_list *dirty_list) {
  int64_t *bases = NULL;
  ssize_t n = list_segments(dir, name, &bases);
  if (n < 0) return NULL;
  partition *p = sp_calloc(1, sizeof *p);
  p->dir = sp_strdup(dir);
  p->name = sp_strdup(name);
  p->cfg = cfg;
  p->dirty_list = dirty_list;
  producer_state_init(&p->producers);
  partition_forget_hint(p);
  for (ssize_t i = 0; i < n; i++) partition_push_segment(p, segment_new(dir, bases[i]));
  free(bases);
  if (p->nsegs == 0) {
    segment *seg = segment_new(dir, 0);
    if (segment_create_file(seg) != 0) {
      sp_error("partition %s: cannot create %s: %s", name, seg->log_path, strerror(errno));
      segment_free(seg);
      partition_free(p);
      return NULL;
    }
    partition_push_segment(p, seg);
    p->dir_dirty = 1;
  } else if (recover(p) != 0) {
    p->offline = 1;
    sp_error("partition %s: recovery failed: partition offline", name);
  }
  p->high_watermark = p->synced_end = partition_log_end_offset(p);
  if (p->dir_dirty) partition_mark_dirty(p);
  return p;
}

void partition_free(partition *p) {
  if (!p) return;
  for (size_t i = 0; i < p->nsegs; i++) {
    index_flush(&p->segs[i]->index);
    segment_free(p->segs[i]);
  }
  free(p->segs);
  producer_state_free(&p->producers);
  free(p->dir);
  free(p->name);
  free(p);
}
