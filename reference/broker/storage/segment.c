/* segment.c: see segment.h. */
#include "segment.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../fault_points.h"
#include "mem.h"
#include "sp_assert.h"
#include "torn_fault.h"

#define SCAN_CHUNK_VERIFY (1 << 20) /* sequential reads while checking CRCs */
#define SCAN_CHUNK_HEADERS (64 << 10)
#define SCAN_CHUNK_SMALL (4 << 10)  /* first read, and headers of large batches */

char *segment_path(const char *dir, int64_t base_offset, const char *ext) {
  size_t n = strlen(dir) + 32 + strlen(ext);
  char *p = sp_malloc(n);
  snprintf(p, n, "%s/%020" PRId64 ".%s", dir, base_offset, ext);
  return p;
}

int segment_parse_name(const char *name, int64_t *base_offset) {
  int64_t v = 0;
  for (int i = 0; i < 20; i++) {
    if (name[i] < '0' || name[i] > '9') return 0;
    if (v > (INT64_MAX - 9) / 10) return 0;
    v = v * 10 + (name[i] - '0');
  }
  if (strcmp(name + 20, ".log") != 0) return 0;
  *base_offset = v;
  return 1;
}

segment *segment_new(const char *dir, int64_t base_offset) {
  segment *seg = sp_calloc(1, sizeof *seg);
  seg->base_offset = seg->next_offset = base_offset;
  seg->max_timestamp_ms = -1;
  seg->last_append_ms = -1;
  seg->fd = -1;
  seg->log_path = segment_path(dir, base_offset, "log");
  char *ipath = segment_path(dir, base_offset, "index");
  index_init(&seg->index, ipath);
  free(ipath);
  return seg;
}

void segment_free(segment *seg) {
  if (!seg) return;
  seg->pinned = 0;
  segment_close_fd(seg);
  index_free(&seg->index);
  free(seg->log_path);
  free(seg);
}

/* ---- descriptors ----------------------------------------------------------
 * The process-wide LRU list of open segment fds (the store is single-
 * threaded: the event loop owns it). Most recently used at the head. */
static segment *lru_head, *lru_tail;
static int lru_count, lru_budget;

int segment_fd_budget(void) {
  if (!lru_budget) {
    struct rlimit rl;
    rlim_t cur = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? rl.rlim_cur : 1024;
    lru_budget = cur == RLIM_INFINITY || cur > 1000000 ? 500000 : (int)(cur / 2);
    if (lru_budget < 64) lru_budget = 64;
  }
  return lru_budget;
}

int segment_fds_open(void) { return lru_count; }

void segment_set_fd_budget(int budget) { lru_budget = budget > 1 ? budget : 1; }

static void lru_unlink(segment *seg) {
  if (seg->lru_prev) seg->lru_prev->lru_next = seg->lru_next;
  else lru_head = seg->lru_next;
  if (seg->lru_next) seg->lru_next->lru_prev = seg->lru_prev;
  else lru_tail = seg->lru_prev;
  seg->lru_prev = seg->lru_next = NULL;
  lru_count--;
}

static void lru_push_front(segment *seg) {
  seg->lru_prev = NULL;
  seg->lru_next = lru_head;
  if (lru_head) lru_head->lru_prev = seg;
  lru_head = seg;
  if (!lru_tail) lru_tail = seg;
  lru_count++;
}

/* Closes least recently used unpinned fds until under budget (pinned ones
 * are skipped; if all are pinned the budget is exceeded rather than risk
 * losing a write error). */
static void lru_trim(const segment *keep) {
  for (segment *victim = lru_tail; victim && lru_count > segment_fd_budget();) {
    segment *prev = victim->lru_prev;
    if (!victim->pinned && victim != keep) segment_close_fd(victim);
    victim = prev;
  }
}

/* Registers a freshly opened fd. */
static void fd_opened(segment *seg) {
  lru_push_front(seg);
  lru_trim(seg);
}

int segment_create_file(segment *seg) {
  SP_ASSERT(seg->fd < 0);
  seg->fd = open(seg->log_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (seg->fd < 0) return -1;
  fd_opened(seg);
  return 0;
}

int segment_fd(segment *seg) {
  if (seg->fd >= 0) {
    if (lru_head != seg) {
      lru_unlink(seg);
      lru_push_front(seg);
    }
    return seg->fd;
  }
  seg->fd = open(seg->log_path, O_RDWR | O_CLOEXEC);
  if (seg->fd >= 0) fd_opened(seg);
  return seg->fd;
}

void segment_close_fd(segment *seg) {
  if (seg->fd < 0) return;
  SP_ASSERT(!seg->pinned);
  lru_unlink(seg);
  close(seg->fd);
  seg->fd = -1;
}

int64_t segment_file_bytes(segment *seg) {
  struct stat st;
  if (segment_fd(seg) < 0 || fstat(seg->fd, &st) != 0) return -1;
  if (seg->last_append_ms < 0)
    seg->last_append_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
  return (int64_t)st.st_size;
}

int segment_write(segment *seg, const void *buf, size_t len) {
  if (segment_fd(seg) < 0) return -1;
  seg->pinned = 1; /* until segment_sync succeeds (or the segment goes) */
  size_t written = 0;
  if (torn_write(FP_LOG_MID_BATCH_WRITE, seg->fd, buf, len, (off_t)seg->size_bytes, &written) == 0)
    return 0;
  int saved = errno;
  int rc = ftruncate(seg->fd, (off_t)seg->size_bytes) == 0 ? -1 : -2;
  errno = saved;
  return rc;
}

void segment_note_batch(segment *seg, const rb_header *h, int64_t position, int64_t interval_bytes,
                        int64_t now_ms) {
  if (position > 0 && seg->bytes_since_index >= interval_bytes) {
    index_add(&seg->index, (uint32_t)(h->base_offset - seg->base_offset), (uint32_t)position,
              seg->max_timestamp_ms);
    seg->bytes_since_index = 0;
  }
  int64_t total = (int64_t)rb_total_bytes(h);
  seg->bytes_since_index += total;
  if (h->max_timestamp_ms > seg->max_timestamp_ms) seg->max_timestamp_ms = h->max_timestamp_ms;
  seg->next_offset = rb_last_offset(h) + 1;
  seg->size_bytes = position + total;
  if (now_ms >= 0) seg->last_append_ms = now_ms;
}

ssize_t segment_read(segment *seg, void *buf, size_t len, int64_t pos) {
  if (segment_fd(seg) < 0) return -1;
  size_t done = 0;
  while (done < len) {
    ssize_t r = pread(seg->fd, (uint8_t *)buf + done, len - done, (off_t)(pos + (int64_t)done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (r == 0) break;
    done += (size_t)r;
  }
  return (ssize_t)done;
}

int segment_truncate(segment *seg, int64_t position) {
  if (segment_fd(seg) < 0 || ftruncate(seg->fd, (off_t)position) != 0) return -1;
  index_truncate(&seg->index, (uint32_t)position);
  return 0;
}

int segment_sync(segment *seg) {
  if (segment_fd(seg) < 0) return -1;
  if (fdatasync(seg->fd) != 0) return -1;
  seg->pinned = 0;
  return 0;
}

int segment_unlink(segment *seg) {
  int rc = 0;
  if (unlink(seg->log_path) != 0 && errno != ENOENT) rc = -1;
  int saved = errno;
  if (index_remove_file(&seg->index) != 0) rc = -1;
  else errno = saved;
  return rc;
}

/* ---- scanning ------------------------------------------------------------ */

void segment_scan_begin(segment_scan *sc, segment *seg, scan_mode mode, int64_t position,
                        int64_t limit) {
  memset(sc, 0, sizeof *sc);
  sc->seg = seg;
  sc->mode = mode;
  sc->position = sc->next_position = position;
  sc->limit = limit;
  sc->buf_pos = -1;
}

void segment_scan_end(segment_scan *sc) {
  free(sc->buf);
  sc->buf = NULL;
}

/* Makes bytes [pos, pos+need) available in the buffer (fewer if the limit
 * or the file ends first). Returns a pointer to them and the count, or NULL
 * on a read error. Reads ahead a chunk sized for the mode, so a scan over
 * small batches costs one pread per chunk, not per batch. */
static const uint8_t *scan_fill(segment_scan *sc, int64_t pos, size_t need, size_t *got) {
  if (sc->buf_pos >= 0 && pos >= sc->buf_pos &&
      pos + (int64_t)need <= sc->buf_pos + (int64_t)sc->buf_len) {
    *got = need;
    return sc->buf + (pos - sc->buf_pos);
  }
  size_t chunk = SCAN_CHUNK_VERIFY;
  if (sc->mode == SCAN_HEADERS) { /* start small (a lookup near an index entry), then grow */
    chunk = sc->buf_pos < 0 || sc->h.batch_length > SCAN_CHUNK_HEADERS / 2
                ? SCAN_CHUNK_SMALL
                : (sc->buf_len * 2 < SCAN_CHUNK_HEADERS ? sc->buf_len * 2 : SCAN_CHUNK_HEADERS);
    if (chunk < SCAN_CHUNK_SMALL) chunk = SCAN_CHUNK_SMALL;
  }
  size_t want = need > chunk ? need : chunk;
  if (pos + (int64_t)want > sc->limit) want = (size_t)(sc->limit - pos);
  if (want > sc->buf_cap) {
    sc->buf = sp_realloc(sc->buf, want);
    sc->buf_cap = want;
  }
  ssize_t n = segment_read(sc->seg, sc->buf, want, pos);
  if (n < 0) {
    sc->io_errno = errno;
    sc->buf_pos = -1;
    return NULL;
  }
  sc->buf_pos = pos;
  sc->buf_len = (size_t)n;
  *got = (size_t)n < need ? (size_t)n : need;
  return sc->buf;
}

int segment_scan_next(segment_scan *sc) {
  int64_t pos = sc->next_position;
  sc->position = pos;
  sc->batch = NULL;
  sc->header_ok = 0;
  if (pos >= sc->limit) return 0;
  size_t avail = (size_t)(sc->limit - pos), got;
  const uint8_t *p = scan_fill(sc, pos, avail < RB_HEADER_BYTES ? avail : RB_HEADER_BYTES, &got);
  if (!p) return -1;
  sc->status = rb_decode_header(p, got, &sc->h);
  sc->header_ok = sc->status == RB_OK || sc->status == RB_BAD_FIELDS;
  if (sc->status != RB_OK) return -1;
  size_t total = rb_total_bytes(&sc->h);
  if (total > avail) {
    sc->status = RB_INCOMPLETE;
    return -1;
  }
  if (sc->mode == SCAN_VERIFY) {
    p = scan_fill(sc, pos, total, &got);
    if (!p) return -1;
    sc->status = rb_check(p, got, &sc->h);
    if (sc->status != RB_OK) return -1;
    sc->batch = p;
  }
  sc->next_position = pos + (int64_t)total;
  return 1;
}

int segment_rebuild(segment *seg, scan_mode mode, int64_t interval_bytes,
                    void (*on_batch)(void *ctx, const rb_header *h), void *ctx,
                    segment_rebuild_result *r) {
  memset(r, 0, sizeof *r);
  r->cut_base_offset = r->cut_last_offset = -1;
  int64_t file_bytes = segment_file_bytes(seg);
  if (file_bytes < 0) {
    r->io_errno = errno;
    return -1;
  }
  seg->index.count = 0;
  seg->index.flushed = 0;
  seg->size_bytes = 0;
  seg->next_offset = seg->base_offset;
  seg->max_timestamp_ms = -1;
  seg->bytes_since_index = 0;

  segment_scan sc;
  segment_scan_begin(&sc, seg, mode, 0, file_bytes);
  int rc;
  while ((rc = segment_scan_next(&sc)) == 1) {
    if (sc.h.base_offset != seg->next_offset) {
      r->offset_mismatch = 1;
      r->cut_base_offset = sc.h.base_offset;
      r->cut_last_offset = rb_last_offset(&sc.h);
      break;
    }
    segment_note_batch(seg, &sc.h, sc.position, interval_bytes, -1);
    if (on_batch) on_batch(ctx, &sc.h);
  }
  if (rc < 0 && sc.io_errno) {
    r->io_errno = sc.io_errno;
    segment_scan_end(&sc);
    return -1;
  }
  if (rc < 0 && sc.header_ok) {
    r->cut_base_offset = sc.h.base_offset; /* header decoded: say what it claimed */
    r->cut_last_offset = sc.h.base_offset + sc.h.last_offset_delta;
  }
  r->cut_status = rc < 0 ? sc.status : RB_OK;
  r->cut_position = seg->size_bytes;
  r->cut_bytes = file_bytes - seg->size_bytes;
  segment_scan_end(&sc);
  return 0;
}

int64_t segment_locate(segment *seg, int64_t offset, int64_t *batch_base) {
  SP_ASSERT(offset >= seg->base_offset);
  if (offset >= seg->next_offset) {
    *batch_base = seg->next_offset;
    return seg->size_bytes;
  }
  uint32_t start = index_lookup_offset(&seg->index, (uint32_t)(offset - seg->base_offset));
  segment_scan sc;
  segment_scan_begin(&sc, seg, SCAN_HEADERS, start, seg->size_bytes);
  int64_t found = -1;
  int rc;
  while ((rc = segment_scan_next(&sc)) == 1) {
    if (sc.h.base_offset > offset) break;
    if (rb_last_offset(&sc.h) >= offset) {
      found = sc.position;
      *batch_base = sc.h.base_offset;
      break;
    }
  }
  if (rc < 0 && sc.io_errno) {
    errno = sc.io_errno;
    found = -2;
  }
  segment_scan_end(&sc);
  return found;
}
