/* offsets_store.c: see offsets_store.h. */
#include "offsets_store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../fault_points.h"
#include "crc32c.h"
#include "dir_sync.h"
#include "fault.h"
#include "kcodec.h"
#include "log.h"
#include "mem.h"
#include "sp_assert.h"
#include "store.h"
#include "torn_fault.h"

#define RECORD_VERSION 1
#define RECORD_HEAD_BYTES 8          /* crc + length */
#define RECORD_MAX_PAYLOAD (1 << 20) /* far above any valid record: a torn length */
#define COMPACT_MIN_BYTES (4 << 20)  /* runtime compaction only past this size... */
#define COMPACT_RATIO 4              /* ...and this many times the live records */

typedef struct offset_entry {
  char *group, *topic;        /* NUL-terminated copies */
  size_t group_len, topic_len;
  int32_t partition;
  int64_t offset;
  char *metadata;             /* NULL: none */
  size_t metadata_len;
} offset_entry;

struct offsets_store {
  char *dir, *path;
  int fd;
  int sync_each;
  int broken;                 /* a cut failed: refuse commits until restart */
  offset_entry **slots;       /* open addressing on (group, topic, partition) */
  size_t cap, count;
  int64_t file_bytes, synced_bytes, live_bytes;
  int64_t commits, synced_commits;
  uint64_t sync_epoch;
};

/* ---- the map ------------------------------------------------------------- */

static uint64_t key_hash(const char *g, size_t gl, const char *t, size_t tl, int32_t part) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < gl; i++) h = (h ^ (uint8_t)g[i]) * 1099511628211ull;
  h = (h ^ 0xff) * 1099511628211ull;
  for (size_t i = 0; i < tl; i++) h = (h ^ (uint8_t)t[i]) * 1099511628211ull;
  return (h ^ (uint32_t)part) * 1099511628211ull;
}

static offset_entry **find_slot(const offsets_store *os, const char *g, size_t gl, const char *t,
                                size_t tl, int32_t part) {
  if (!os->cap) return NULL;
  for (size_t i = key_hash(g, gl, t, tl, part) & (os->cap - 1);; i = (i + 1) & (os->cap - 1)) {
    offset_entry *e = os->slots[i];
    if (!e || (e->partition == part && e->group_len == gl && e->topic_len == tl &&
               memcmp(e->group, g, gl) == 0 && memcmp(e->topic, t, tl) == 0))
      return &os->slots[i];
  }
}

/* Doubles the table, re-placing every entry (kept at most half full). */
static void map_grow(offsets_store *os) {
  offset_entry **old = os->slots;
  size_t old_cap = os->cap;
  os->cap = old_cap ? old_cap * 2 : 64;
  os->slots = sp_calloc(os->cap, sizeof *os->slots);
  for (size_t i = 0; i < old_cap; i++) {
    offset_entry *e = old[i];
    if (e) *find_slot(os, e->group, e->group_len, e->topic, e->topic_len, e->partition) = e;
  }
  free(old);
}

/* Frees one entry and its strings. */
static void entry_free(offset_entry *e) {
  free(e->group);
  free(e->topic);
  free(e->metadata);
  free(e);
}

/* Empties the map (before a reload from the file). */
static void map_clear(offsets_store *os) {
  for (size_t i = 0; i < os->cap; i++) {
    if (os->slots[i]) entry_free(os->slots[i]);
    os->slots[i] = NULL;
  }
  os->count = 0;
}

/* Sets a key's value (metadata NULL with len 0: none). */
static void map_put(offsets_store *os, const char *g, size_t gl, const char *t, size_t tl,
                    int32_t part, int64_t offset, const char *meta, size_t ml) {
  if ((os->count + 1) * 2 > os->cap) map_grow(os);
  offset_entry **slot = find_slot(os, g, gl, t, tl, part);
  offset_entry *e = *slot;
  if (!e) {
    e = sp_calloc(1, sizeof *e);
    e->group = sp_strndup(g, gl);
    e->group_len = gl;
    e->topic = sp_strndup(t, tl);
    e->topic_len = tl;
    e->partition = part;
    *slot = e;
    os->count++;
  }
  e->offset = offset;
  free(e->metadata);
  e->metadata = meta ? sp_strndup(meta, ml) : NULL;
  e->metadata_len = meta ? ml : 0;
}

/* ---- records ------------------------------------------------------------- */

/* One commit record, big-endian:
 *
 *   off  size  field
 *     0     4  crc       CRC-32C of bytes [4, 8 + length)
 *     4     4  length    bytes after this field
 *     8     1  version   1
 *     9     2  G         group length
 *    11     G  group
 *           2  T         topic length
 *              topic
 *           4  partition
 *           8  offset
 *           4  M         metadata length, -1 = null
 *              metadata
 */
static void encode_record(sp_buf *b, const char *g, size_t gl, const char *t, size_t tl,
                          int32_t part, int64_t offset, const char *meta, size_t ml) {
  size_t start = b->len;
  kw_u32(b, 0);
  size_t len_pos = kw_reserve_i32(b);
  kw_i8(b, RECORD_VERSION);
  kw_string_len(b, g, (int16_t)gl);
  kw_string_len(b, t, (int16_t)tl);
  kw_i32(b, part);
  kw_i64(b, offset);
  kw_bytes(b, meta, meta ? (int32_t)ml : -1);
  kw_patch_i32(b, len_pos, (int32_t)(b->len - start - RECORD_HEAD_BYTES));
  k_store32(b->data + start, sp_crc32c(0, b->data + start + 4, b->len - start - 4));
}

/* Decodes the record at p (avail bytes) into the map. Returns its size, or
 * 0 if it is torn or corrupt (where the valid prefix of the file ends). */
static size_t decode_record(offsets_store *os, const uint8_t *p, size_t avail) {
  if (avail < RECORD_HEAD_BYTES) return 0;
  uint32_t len = k_load32(p + 4);
  if (len > RECORD_MAX_PAYLOAD || len > avail - RECORD_HEAD_BYTES) return 0;
  if (sp_crc32c(0, p + 4, 4 + (size_t)len) != k_load32(p)) return 0;
  kreader r;
  kr_init(&r, p + RECORD_HEAD_BYTES, len);
  int8_t version = kr_i8(&r);
  kslice g = kr_string(&r), t = kr_string(&r);
  int32_t part = kr_i32(&r);
  int64_t offset = kr_i64(&r);
  kslice m = kr_bytes(&r);
  if (r.err || version != RECORD_VERSION || g.len < 0 || t.len < 0 || kr_remaining(&r) != 0)
    return 0;
  map_put(os, (const char *)g.ptr, (size_t)g.len, (const char *)t.ptr, (size_t)t.len, part, offset,
          m.len >= 0 ? (const char *)m.ptr : NULL, m.len >= 0 ? (size_t)m.len : 0);
  return RECORD_HEAD_BYTES + len;
}

/* Reads the whole file into the map; cuts (and logs) a torn or corrupt
 * tail. Returns the number of records read, or -1 on an I/O error. */
static int64_t load(offsets_store *os) {
  map_clear(os);
  struct stat st;
  if (fstat(os->fd, &st) != 0) return -1;
  size_t size = (size_t)st.st_size, pos = 0;
  uint8_t *data = sp_malloc(size + 1);
  if (size && pread(os->fd, data, size, 0) != (ssize_t)size) {
    free(data);
    return -1;
  }
  int64_t records = 0;
  size_t n;
  while (pos < size && (n = decode_record(os, data + pos, size - pos)) > 0) {
    pos += n;
    records++;
  }
  free(data);
  if (pos < size) {
    sp_warn("offsets: %s: cut %zu bytes at byte %zu (torn or corrupt record after %" PRId64
            " good ones)", os->path, size - pos, pos, records);
    if (ftruncate(os->fd, (off_t)pos) != 0) return -1;
  }
  os->file_bytes = os->synced_bytes = (int64_t)pos;
  return records;
}

/* Encodes every live entry (the compacted file's contents). */
static void encode_all(const offsets_store *os, sp_buf *b) {
  for (size_t i = 0; i < os->cap; i++) {
    const offset_entry *e = os->slots[i];
    if (e)
      encode_record(b, e->group, e->group_len, e->topic, e->topic_len, e->partition, e->offset,
                    e->metadata, e->metadata_len);
  }
}

/* Rewrites the file with one record per key: temp file, fsync, rename,
 * directory fsync. On failure the old file stays in use. Returns 0 or -1. */
static int compact(offsets_store *os) {
  sp_buf b = SP_BUF_INIT;
  encode_all(os, &b);
  size_t tlen = strlen(os->path) + 8;
  char *tmp = sp_malloc(tlen);
  snprintf(tmp, tlen, "%s.tmp", os->path);
  int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  size_t written = 0;
  int ok = fd >= 0 && torn_write(FP_OFFSETS_MID_WRITE, fd, b.data, b.len, 0, &written) == 0 &&
           fdatasync(fd) == 0 && rename(tmp, os->path) == 0;
  ok = ok && storage_fsync_dir(os->dir) == 0;
  if (!ok) {
    sp_error("offsets: cannot compact %s: %s", os->path, strerror(errno));
    if (fd >= 0) close(fd);
    unlink(tmp);
  } else {
    sp_info("offsets: compacted %s from %" PRId64 " to %zu bytes (%zu keys)", os->path,
            os->file_bytes, b.len, os->count);
    close(os->fd);
    os->fd = fd;
    os->file_bytes = os->synced_bytes = os->live_bytes = (int64_t)b.len;
  }
  free(tmp);
  sp_buf_free(&b);
  return ok ? 0 : -1;
}

offsets_store *offsets_store_open(const char *dir, const char *path, int sync_each) {
  offsets_store *os = sp_calloc(1, sizeof *os);
  os->dir = sp_strdup(dir);
  os->path = sp_strdup(path);
  os->sync_each = sync_each;
  os->fd = open(path, O_RDWR | O_CLOEXEC);
  if (os->fd < 0 && errno == ENOENT) { /* a new file: its name must be durable too */
    os->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (os->fd >= 0 && storage_fsync_dir(dir) != 0) {
      close(os->fd);
      os->fd = -1;
    }
  }
  int64_t records = os->fd >= 0 ? load(os) : -1;
  if (records < 0) {
    sp_error("offsets: cannot load %s: %s", path, strerror(errno));
    offsets_store_close(os);
    return NULL;
  }
  sp_buf b = SP_BUF_INIT;
  encode_all(os, &b);
  os->live_bytes = (int64_t)b.len;
  sp_buf_free(&b);
  if (records > (int64_t)os->count) compact(os);
  char *tmp = sp_malloc(strlen(path) + 8);
  sprintf(tmp, "%s.tmp", path);
  unlink(tmp); /* a compaction interrupted before its rename */
  free(tmp);
  return os;
}

void offsets_store_close(offsets_store *os) {
  if (!os) return;
  if (os->fd >= 0) close(os->fd);
  map_clear(os);
  free(os->slots);
  free(os->dir);
  free(os->path);
  free(os);
}

int offsets_store_commit(offsets_store *os, const char *group, size_t group_len, const char *topic,
                         size_t topic_len, int32_t part, int64_t offset, const char *metadata,
                         size_t metadata_len) {
  if (metadata && metadata_len > OFFSETS_METADATA_MAX_BYTES) return OFFSETS_KERR_METADATA_TOO_LARGE;
  if (os->broken || group_len > INT16_MAX || topic_len > INT16_MAX) return KERR_KAFKA_STORAGE_ERROR;
  sp_buf b = SP_BUF_INIT;
  encode_record(&b, group, group_len, topic, topic_len, part, offset, metadata, metadata_len);
  size_t written = 0;
  int rc = KERR_NONE;
  if (torn_write(FP_OFFSETS_MID_WRITE, os->fd, b.data, b.len, (off_t)os->file_bytes, &written) != 0) {
    sp_error("offsets: write to %s failed: %s", os->path, strerror(errno));
    if (ftruncate(os->fd, (off_t)os->file_bytes) != 0) {
      sp_error("offsets: cannot cut the partial write from %s: %s; commits refused until restart",
               os->path, strerror(errno));
      os->broken = 1;
    }
    rc = KERR_KAFKA_STORAGE_ERROR;
  } else {
    os->file_bytes += (int64_t)b.len;
    offset_entry **slot = find_slot(os, group, group_len, topic, topic_len, part);
    if (!slot || !*slot) os->live_bytes += (int64_t)b.len;
    map_put(os, group, group_len, topic, topic_len, part, offset, metadata, metadata_len);
    os->commits++;
    if (!os->sync_each) os->synced_commits = os->commits;
  }
  sp_buf_free(&b);
  return rc;
}

int64_t offsets_store_get(const offsets_store *os, const char *group, size_t group_len,
                          const char *topic, size_t topic_len, int32_t part,
                          const char **metadata) {
  offset_entry **slot = find_slot(os, group, group_len, topic, topic_len, part);
  if (metadata) *metadata = slot && *slot ? (*slot)->metadata : NULL;
  return slot && *slot ? (*slot)->offset : -1;
}

/* Orders entries by topic, then partition, for OffsetFetch answers. */
static int cmp_entry(const void *a, const void *b) {
  const offset_entry *x = *(offset_entry *const *)a, *y = *(offset_entry *const *)b;
  int c = strcmp(x->topic, y->topic);
  return c ? c : (x->partition > y->partition) - (x->partition < y->partition);
}

void offsets_store_foreach(const offsets_store *os, const char *group, size_t group_len,
                           void (*fn)(void *ctx, const char *topic, int32_t partition,
                                      int64_t offset, const char *metadata),
                           void *ctx) {
  offset_entry **list = sp_malloc((os->count + 1) * sizeof *list);
  size_t n = 0;
  for (size_t i = 0; i < os->cap; i++) {
    offset_entry *e = os->slots[i];
    if (e && e->group_len == group_len && memcmp(e->group, group, group_len) == 0) list[n++] = e;
  }
  if (n) qsort(list, n, sizeof *list, cmp_entry);
  for (size_t i = 0; i < n; i++) fn(ctx, list[i]->topic, list[i]->partition, list[i]->offset,
                                    list[i]->metadata);
  free(list);
}

int offsets_store_needs_sync(const offsets_store *os) {
  return os->sync_each && os->file_bytes != os->synced_bytes;
}

/* Cuts the file back to its last synced size and reloads the map from it,
 * after a failed sync: the pages beyond may never reach the disk. */
static void cut_back(offsets_store *os, int err) {
  int64_t lost = os->commits - os->synced_commits;
  os->sync_epoch++;
  os->commits = os->synced_commits;
  if (ftruncate(os->fd, (off_t)os->synced_bytes) != 0 || load(os) < 0) {
    sp_error("offsets: cannot cut %s back after a failed sync: %s; commits refused until restart",
             os->path, strerror(errno));
    os->broken = 1;
    return;
  }
  sp_error("offsets: fdatasync of %s failed: %s; cut back to %" PRId64 " bytes, %" PRId64
           " commits lost and not acknowledged",
           os->path, strerror(err), os->synced_bytes, lost);
}

/* fdatasyncs unsynced commits; on failure cuts back (see cut_back).
 * Compacts afterwards when the file has grown well past its live size. */
static int sync_now(offsets_store *os) {
  if (os->broken) return -1;
  if (os->file_bytes == os->synced_bytes) return 0;
  int e = sp_fault_point(FP_OFFSETS_BEFORE_FSYNC);
  if (!e && fdatasync(os->fd) != 0) e = errno;
  if (e) {
    cut_back(os, e);
    return -1;
  }
  os->synced_bytes = os->file_bytes;
  os->synced_commits = os->commits;
  if (os->file_bytes > COMPACT_MIN_BYTES && os->file_bytes > COMPACT_RATIO * os->live_bytes)
    compact(os);
  return 0;
}

int offsets_store_sync(offsets_store *os) { return os->sync_each ? sync_now(os) : 0; }
int offsets_store_sync_all(offsets_store *os) { return sync_now(os); }

uint64_t offsets_store_sync_epoch(const offsets_store *os) { return os->sync_epoch; }
int64_t offsets_store_commit_count(const offsets_store *os) { return os->commits; }
int offsets_store_is_durable(const offsets_store *os, uint64_t epoch, int64_t commit_count) {
  return epoch == os->sync_epoch && commit_count <= os->synced_commits;
}

size_t offsets_store_size(const offsets_store *os) { return os->count; }
