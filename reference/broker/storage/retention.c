/* retention.c: deleting whole oldest segments (the on-disk ring buffer).
 *
 * A segment goes when the partition would still hold retention_bytes
 * without it, or when its newest record is older than retention_ms (a
 * segment without timestamps ages by its last append, or file mtime after a
 * restart). Never the active segment, and never a segment holding offsets
 * at or above the high watermark (not yet durable or visible). When the
 * active segment alone has aged out and is fully synced, it is rolled first
 * so a quiet partition's old data still expires (Kafka's segment.ms). The
 * log start offset becomes the next segment's base; reads below it get
 * OFFSET_OUT_OF_RANGE. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "../fault_points.h"
#include "fault.h"
#include "log.h"
#include "partition_internal.h"

/* The age of a segment's data for retention.ms: its newest timestamp. */
static int64_t segment_age_ms(const segment *seg, int64_t now_ms) {
  int64_t ts = seg->max_timestamp_ms >= 0 ? seg->max_timestamp_ms : seg->last_append_ms;
  return ts >= 0 ? now_ms - ts : -1;
}

static int expired_by_age(const partition *p, const segment *seg, int64_t now_ms) {
  return p->cfg->retention_ms >= 0 && segment_age_ms(seg, now_ms) > p->cfg->retention_ms;
}

/* Rolls an aged-out, fully visible active segment so it can be deleted
 * (after every older segment, which is at least as old, normally). */
static void roll_if_aged(partition *p, int64_t now_ms) {
  segment *active = p->segs[p->nsegs - 1];
  if (active->size_bytes == 0 || active->next_offset > p->high_watermark ||
      !expired_by_age(p, active, now_ms))
    return;
  segment *seg = segment_new(p->dir, active->next_offset);
  if (segment_create_file(seg) != 0) {
    sp_warn("retention: partition %s: cannot roll the aged segment: %s", p->name, strerror(errno));
    segment_free(seg);
    return;
  }
  index_flush(&active->index);
  partition_push_segment(p, seg);
  p->dir_dirty = 1;
  partition_mark_dirty(p);
}

/* Removes the oldest segment. Returns 1 (deleted), 2 (deleted, but the
 * fault point says stop for this pass) or -1 (not deleted). */
static int delete_oldest(partition *p, const char *why) {
  segment *seg = p->segs[0];
  if (unlink(seg->log_path) != 0 && errno != ENOENT) {
    sp_error("retention: partition %s: cannot delete %s: %s", p->name, seg->log_path,
             strerror(errno));
    return -1;
  }
  int e = sp_fault_point(FP_LOG_RETENTION_DELETE);
  if (index_remove_file(&seg->index) != 0)
    sp_warn("retention: partition %s: cannot delete %s: %s", p->name, seg->index.path,
            strerror(errno));
  if (p->read_hint_segment == seg) partition_forget_hint(p);
  sp_info("retention: partition %s: deleted segment %s (%" PRId64 " bytes, offsets %" PRId64
          "..%" PRId64 ", %s); log start offset now %" PRId64,
          p->name, seg->log_path, seg->size_bytes, seg->base_offset, seg->next_offset - 1, why,
          p->segs[1]->base_offset);
  segment_free(seg);
  memmove(&p->segs[0], &p->segs[1], (p->nsegs - 1) * sizeof *p->segs);
  p->nsegs--;
  p->dir_dirty = 1;
  return e ? 2 : 1;
}

int partition_enforce_retention(partition *p, int64_t now_ms) {
  if (p->offline) return 0;
  roll_if_aged(p, now_ms);
  int deleted = 0;
  int64_t total = partition_size_bytes(p);
  while (p->nsegs > 1) {
    segment *seg = p->segs[0];
    if (seg->next_offset > p->high_watermark) break;
    const char *why = NULL;
    if (p->cfg->retention_bytes >= 0 && total - seg->size_bytes >= p->cfg->retention_bytes)
      why = "over retention bytes";
    else if (expired_by_age(p, seg, now_ms))
      why = "older than retention ms";
    if (!why) break;
    int64_t size = seg->size_bytes;
    int rc = delete_oldest(p, why);
    if (rc < 0) break;
    total -= size;
    deleted++;
    if (rc == 2) break;
  }
  return deleted;
}
