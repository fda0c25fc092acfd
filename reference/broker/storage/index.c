/* index.c: see index.h. */
#include "index.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kcodec.h"
#include "log.h"
#include "mem.h"

void index_init(offset_index *idx, const char *path) {
  memset(idx, 0, sizeof *idx);
  idx->path = sp_strdup(path);
}

void index_free(offset_index *idx) {
  free(idx->entries);
  free(idx->path);
  memset(idx, 0, sizeof *idx);
}

/* On-disk entry, 16 bytes, big-endian like everything else we store:
 *
 *   off  size  field
 *     0     4  relative offset (u32)
 *     4     4  byte position in the segment (u32)
 *     8     8  max timestamp of the batches before this one (i64, -1: none)
 */
static void index_encode(const index_entry *e, uint8_t *out) {
  k_store32(out, e->rel_offset);
  k_store32(out + 4, e->position);
  k_store64(out + 8, (uint64_t)e->max_ts_before_ms);
}

static void index_decode(const uint8_t *in, index_entry *e) {
  e->rel_offset = k_load32(in);
  e->position = k_load32(in + 4);
  e->max_ts_before_ms = (int64_t)k_load64(in + 8);
}

/* Checks entry i against its predecessor and the segment bounds. */
static int index_entry_ok(const offset_index *idx, size_t i, int64_t segment_bytes,
                          int64_t next_rel_offset) {
  const index_entry *e = &idx->entries[i];
  if ((int64_t)e->position >= segment_bytes || (int64_t)e->rel_offset >= next_rel_offset)
    return 0;
  if (e->max_ts_before_ms < -1) return 0;
  if (i == 0) return e->position > 0 && e->rel_offset > 0;
  const index_entry *p = &idx->entries[i - 1];
  return e->position > p->position && e->rel_offset > p->rel_offset &&
         e->max_ts_before_ms >= p->max_ts_before_ms;
}

int index_load(offset_index *idx, int64_t segment_bytes, int64_t next_rel_offset) {
  idx->count = idx->flushed = 0;
  int fd = open(idx->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return 1;
    sp_warn("index %s: cannot open: %s", idx->path, strerror(errno));
    return -1;
  }
  struct stat st;
  int rc = -1;
  uint8_t *raw = NULL;
  if (fstat(fd, &st) != 0) {
    sp_warn("index %s: cannot stat: %s", idx->path, strerror(errno));
    goto out;
  }
  if (st.st_size % INDEX_ENTRY_BYTES != 0 ||
      st.st_size / INDEX_ENTRY_BYTES > segment_bytes / 61 + 1) {
    sp_warn("index %s: size %lld is not a whole number of entries", idx->path,
            (long long)st.st_size);
    goto out;
  }
  size_t n = (size_t)st.st_size / INDEX_ENTRY_BYTES;
  raw = sp_malloc(n * INDEX_ENTRY_BYTES + 1);
  ssize_t got = n ? pread(fd, raw, n * INDEX_ENTRY_BYTES, 0) : 0;
  if (got != (ssize_t)(n * INDEX_ENTRY_BYTES)) {
    sp_warn("index %s: short read", idx->path);
    goto out;
  }
  if (idx->cap < n) {
    idx->entries = sp_realloc(idx->entries, n * sizeof *idx->entries);
    idx->cap = n;
  }
  for (size_t i = 0; i < n; i++) {
    index_decode(raw + i * INDEX_ENTRY_BYTES, &idx->entries[i]);
    idx->count = i + 1;
    if (!index_entry_ok(idx, i, segment_bytes, next_rel_offset)) {
      sp_warn("index %s: entry %zu (offset +%u, position %u) is out of order or out of bounds",
              idx->path, i, idx->entries[i].rel_offset, idx->entries[i].position);
      idx->count = 0;
      goto out;
    }
  }
  idx->flushed = idx->count;
  rc = 0;
out:
  free(raw);
  close(fd);
  return rc;
}

void index_add(offset_index *idx, uint32_t rel_offset, uint32_t position, int64_t max_ts_before_ms) {
  if (idx->count == idx->cap) {
    idx->cap = idx->cap ? idx->cap * 2 : 64;
    idx->entries = sp_realloc(idx->entries, idx->cap * sizeof *idx->entries);
  }
  idx->entries[idx->count++] = (index_entry){rel_offset, position, max_ts_before_ms};
}

/* Writes entries [from, count) at their place in the file. */
static int index_write_from(offset_index *idx, int fd, size_t from) {
  size_t n = idx->count - from;
  if (n == 0) return 0;
  uint8_t *raw = sp_malloc(n * INDEX_ENTRY_BYTES);
  for (size_t i = 0; i < n; i++) index_encode(&idx->entries[from + i], raw + i * INDEX_ENTRY_BYTES);
  ssize_t w = pwrite(fd, raw, n * INDEX_ENTRY_BYTES, (off_t)(from * INDEX_ENTRY_BYTES));
  int saved = errno;
  free(raw);
  if (w != (ssize_t)(n * INDEX_ENTRY_BYTES)) {
    errno = w < 0 ? saved : EIO;
    return -1;
  }
  return 0;
}

void index_flush(offset_index *idx) {
  if (idx->flushed == idx->count) return;
  int fd = open(idx->path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0 || ftruncate(fd, (off_t)(idx->flushed * INDEX_ENTRY_BYTES)) != 0 ||
      index_write_from(idx, fd, idx->flushed) != 0) {
    sp_warn("index %s: cannot append (rebuilt at next open): %s", idx->path, strerror(errno));
  } else {
    idx->flushed = idx->count;
  }
  if (fd >= 0) close(fd);
}

int index_rewrite(offset_index *idx) {
  int fd = open(idx->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 || index_write_from(idx, fd, 0) != 0) {
    sp_warn("index %s: cannot rewrite: %s", idx->path, strerror(errno));
    if (fd >= 0) close(fd);
    idx->flushed = 0;
    return -1;
  }
  close(fd);
  idx->flushed = idx->count;
  return 0;
}

void index_truncate(offset_index *idx, uint32_t position) {
  size_t keep = idx->count;
  while (keep > 0 && idx->entries[keep - 1].position >= position) keep--;
  if (keep == idx->count) return;
  idx->count = keep;
  if (idx->flushed > keep) {
    idx->flushed = keep;
    if (truncate(idx->path, (off_t)(keep * INDEX_ENTRY_BYTES)) != 0 && errno != ENOENT)
      sp_warn("index %s: cannot truncate (rebuilt at next open): %s", idx->path, strerror(errno));
  }
}

int index_equal(const offset_index *a, const offset_index *b) {
  if (a->count != b->count) return 0;
  for (size_t i = 0; i < a->count; i++) {
    const index_entry *x = &a->entries[i], *y = &b->entries[i];
    if (x->rel_offset != y->rel_offset || x->position != y->position ||
        x->max_ts_before_ms != y->max_ts_before_ms)
      return 0;
  }
  return 1;
}

uint32_t index_lookup_offset(const offset_index *idx, uint32_t rel_offset) {
  size_t lo = 0, hi = idx->count; /* first entry with rel_offset > target */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (idx->entries[mid].rel_offset <= rel_offset) lo = mid + 1;
    else hi = mid;
  }
  return lo ? idx->entries[lo - 1].position : 0;
}

uint32_t index_lookup_time(const offset_index *idx, int64_t ts_ms) {
  size_t lo = 0, hi = idx->count; /* first entry with max_ts_before >= ts */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (idx->entries[mid].max_ts_before_ms < ts_ms) lo = mid + 1;
    else hi = mid;
  }
  return lo ? idx->entries[lo - 1].position : 0;
}

int index_remove_file(const offset_index *idx) {
  if (unlink(idx->path) != 0 && errno != ENOENT) return -1;
  return 0;
}
