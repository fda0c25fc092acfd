/* partition_read.c: fetch reads and timestamp lookups of a partition. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kcodec.h"
#include "log.h"
#include "mem.h"
#include "partition_internal.h"

size_t partition_find_segment(const partition *p, int64_t offset) {
  size_t lo = 0, hi = p->nsegs; /* first segment with base > offset */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (p->segs[mid]->base_offset <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo ? lo - 1 : 0;
}

void partition_forget_hint(partition *p) {
  p->read_hint_segment = NULL;
  p->read_hint_offset = p->read_hint_position = -1;
}

int64_t partition_locate(partition *p, segment *seg, int64_t offset) {
  if (seg == p->read_hint_segment && offset == p->read_hint_offset) return p->read_hint_position;
  int64_t batch_base;
  return segment_locate(seg, offset, &batch_base);
}

/* Appends to `out` whole batches of `seg` from byte `pos` (a batch start):
 * stops at the segment's end, before a batch at or beyond `hwm`, or before
 * passing `budget` bytes, except that with `must_take` the first batch is
 * taken whatever its size (a consumer must always make progress). One
 * pread of `budget` bytes, plus one more when that first batch is larger.
 * Returns the bytes appended and sets *next to the offset after the last
 * batch taken; -1 if the segment cannot be read or holds bad bytes. */
static int64_t read_batches(segment *seg, int64_t pos, int64_t hwm, size_t budget, int must_take,
                            sp_buf *out, int64_t *next) {
  int64_t avail = seg->size_bytes - pos;
  size_t want = budget < RB_HEADER_BYTES ? RB_HEADER_BYTES : budget;
  if ((int64_t)want > avail) want = (size_t)avail;
  size_t start = out->len;
  ssize_t n = segment_read(seg, sp_buf_reserve(out, want), want, pos);
  if (n != (ssize_t)want) {
    if (n >= 0) errno = EIO;
    return -1;
  }
  size_t off = 0, taken = 0;
  while (off < want) {
    rb_header h;
    rb_status st = rb_decode_header(out->data + start + off, want - off, &h);
    if (st == RB_INCOMPLETE && taken > 0) break;
    if (st != RB_OK) {
      errno = EBADMSG;
      return -1;
    }
    if (h.base_offset >= hwm) break;
    size_t total = rb_total_bytes(&h);
    if (taken + total > budget && !(must_take && taken == 0)) break;
    if (off + total > want) { /* only the oversized first batch gets here */
      sp_buf_reserve(out, total);
      ssize_t m = segment_read(seg, out->data + start + want, total - want, pos + (int64_t)want);
      if (m != (ssize_t)(total - want)) {
        if (m >= 0) errno = EIO;
        return -1;
      }
      want = total;
    }
    taken += total;
    off += total;
    *next = rb_last_offset(&h) + 1;
  }
  sp_buf_commit(out, taken);
  return (int64_t)taken;
}

int partition_read(partition *p, int64_t offset, int32_t max_bytes, sp_buf *out) {
  if (p->offline) return KERR_KAFKA_STORAGE_ERROR;
  if (offset < partition_log_start_offset(p) || offset > p->high_watermark)
    return KERR_OFFSET_OUT_OF_RANGE;
  size_t budget = max_bytes > 0 ? (size_t)max_bytes : 0, taken = 0, start_len = out->len;
  for (size_t i = partition_find_segment(p, offset); offset < p->high_watermark && i < p->nsegs;
       i++) {
    segment *seg = p->segs[i];
    if (offset >= seg->next_offset) continue; /* an empty active segment */
    int64_t next = offset;
    int64_t pos = partition_locate(p, seg, offset);
    int64_t n = pos < 0 ? -1
                        : read_batches(seg, pos, p->high_watermark, budget - taken, taken == 0, out,
                                       &next);
    if (n < 0) {
      if (pos == -1) errno = EBADMSG;
      sp_error("partition %s: read at offset %" PRId64 " from %s failed: %s", p->name, offset,
               seg->log_path, strerror(errno));
      out->len = start_len;
      return KERR_KAFKA_STORAGE_ERROR;
    }
    taken += (size_t)n;
    p->read_hint_segment = seg; /* the next fetch most likely starts here */
    p->read_hint_offset = next;
    p->read_hint_position = pos + n;
    if (next < seg->next_offset || taken >= budget) break;
    offset = next;
  }
  return KERR_NONE;
}

/* ---- timestamps ---------------------------------------------------------- */

/* Within a batch whose max timestamp is >= ts_ms: the first record with a
 * timestamp >= ts_ms. Uncompressed records are walked (varints only, no
 * copies of keys or values); for a compressed or LogAppendTime batch the
 * answer is the batch's first offset and its max timestamp, which never
 * skips a matching record. */
static void record_for_time(segment *seg, int64_t pos, const rb_header *h, int64_t ts_ms,
                            int64_t *offset, int64_t *found_ms) {
  *offset = h->base_offset;
  *found_ms = h->max_timestamp_ms;
  if ((h->attributes & RB_ATTR_COMPRESSION_MASK) || (h->attributes & RB_ATTR_LOG_APPEND_TIME))
    return;
  size_t total = rb_total_bytes(h);
  uint8_t *buf = sp_malloc(total);
  if (segment_read(seg, buf, total, pos) == (ssize_t)total) {
    kreader r;
    kr_init(&r, buf + RB_HEADER_BYTES, total - RB_HEADER_BYTES);
    for (int32_t i = 0; i < h->record_count && !r.err; i++) {
      int32_t len = kr_varint(&r);
      if (r.err || len < 0 || (size_t)len > kr_remaining(&r)) break;
      kreader rec;
      kr_init(&rec, r.p, (size_t)len);
      (void)kr_i8(&rec);
      int64_t ts_delta = kr_varlong(&rec);
      int32_t offset_delta = kr_varint(&rec);
      if (rec.err) break;
      if (h->base_timestamp_ms + ts_delta >= ts_ms) {
        *offset = h->base_offset + offset_delta;
        *found_ms = h->base_timestamp_ms + ts_delta;
        break;
      }
      kr_raw(&r, (size_t)len);
    }
  }
  free(buf);
}

int partition_offset_for_time(partition *p, int64_t timestamp_ms, int64_t *offset,
                              int64_t *found_timestamp_ms) {
  *offset = -1;
  *found_timestamp_ms = -1;
  if (p->offline) return KERR_KAFKA_STORAGE_ERROR;
  for (size_t i = 0; i < p->nsegs; i++) {
    segment *seg = p->segs[i];
    if (seg->base_offset >= p->high_watermark) break;
    if (seg->max_timestamp_ms < timestamp_ms) continue; /* nothing new enough in it */
    segment_scan sc;
    segment_scan_begin(&sc, seg, SCAN_HEADERS, index_lookup_time(&seg->index, timestamp_ms),
                       seg->size_bytes);
    int rc;
    while ((rc = segment_scan_next(&sc)) == 1) {
      if (sc.h.base_offset >= p->high_watermark) break;
      if (sc.h.max_timestamp_ms >= timestamp_ms) {
        record_for_time(seg, sc.position, &sc.h, timestamp_ms, offset, found_timestamp_ms);
        break;
      }
    }
    segment_scan_end(&sc);
    if (rc < 0) {
      sp_error("partition %s: timestamp lookup in %s failed at byte %" PRId64 ": %s", p->name,
               seg->log_path, sc.position, sc.io_errno ? strerror(sc.io_errno) : "bad batch");
      return KERR_KAFKA_STORAGE_ERROR;
    }
    if (*offset >= 0 || sc.h.base_offset >= p->high_watermark) break;
  }
  return KERR_NONE;
}
