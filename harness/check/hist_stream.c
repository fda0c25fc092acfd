/* hist_stream.c: see hist_stream.h. */
#include "hist_stream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"

#define STREAM_BUF_RECORDS 16384 /* 1 MiB reads */

static uint32_t le32(const uint8_t *p) {
  return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Reads up to len bytes at off; returns bytes read or -1 (errno). */
static ssize_t pread_some(int fd, uint8_t *buf, size_t len, off_t off) {
  size_t got = 0;
  while (got < len) {
    ssize_t n = pread(fd, buf + got, len - got, off + (off_t)got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    got += (size_t)n;
  }
  return (ssize_t)got;
}

int hist_stream_open(hist_stream *s, const char *path, char *err, size_t err_len) {
  memset(s, 0, sizeof *s);
  s->fd = open(path, O_RDONLY | O_CLOEXEC);
  if (s->fd < 0) {
    snprintf(err, err_len, "%s: %s", path, strerror(errno));
    return -1;
  }
  struct stat st;
  uint8_t h[HIST_HEADER_BYTES];
  const char *why = NULL;
  if (fstat(s->fd, &st) != 0)
    why = strerror(errno);
  else if (st.st_size < HIST_HEADER_BYTES)
    why = "shorter than the 64-byte header";
  else if (pread_some(s->fd, h, sizeof h, 0) != (ssize_t)sizeof h)
    why = "cannot read the header";
  else if (memcmp(h, HIST_MAGIC, 8) != 0)
    why = "bad magic (not a streamproof history file)";
  else if (le32(h + 8) != HIST_VERSION)
    why = "unsupported history version";
  else if (le32(h + 12) != HIST_RECORD_BYTES)
    why = "unexpected record size";
  if (why) {
    snprintf(err, err_len, "%s: byte 0: %s", path, why);
    close(s->fd);
    s->fd = -1;
    return -1;
  }
  uint64_t body = (uint64_t)st.st_size - HIST_HEADER_BYTES;
  s->kind = le32(h + 16);
  s->logical_id = le32(h + 20);
  s->count = body / HIST_RECORD_BYTES;
  s->torn_bytes = body % HIST_RECORD_BYTES;
  s->buf = sp_malloc((size_t)STREAM_BUF_RECORDS * HIST_RECORD_BYTES);
  posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return 0;
}

/* hist_decode, with whole-field copies on little-endian hosts (the file
 * layout is little-endian): the checker decodes tens of millions of records. */
static inline void decode(const uint8_t *in, hist_record *r) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  r->type = in[0];
  r->flags = in[1];
  memcpy(&r->topic, in + 2, 2);
  memcpy(&r->partition, in + 4, 4);
  memcpy(&r->offset, in + 8, 8);
  memcpy(&r->seq, in + 16, 8);
  memcpy(&r->writer, in + 24, 4);
  memcpy(&r->actor, in + 28, 4);
  memcpy(&r->key, in + 32, 4);
  memcpy(&r->err, in + 36, 4);
  memcpy(&r->t_intended_ns, in + 40, 8);
  memcpy(&r->t_sent_ns, in + 48, 8);
  memcpy(&r->t_ns, in + 56, 8);
#else
  hist_decode(in, r);
#endif
}

int hist_stream_next(hist_stream *s, hist_record *rec, char *err, size_t err_len) {
  if (s->buf_pos == s->buf_records) {
    if (s->next >= s->count) return 0;
    uint64_t left = s->count - s->next;
    size_t want = left < STREAM_BUF_RECORDS ? (size_t)left : STREAM_BUF_RECORDS;
    off_t off = (off_t)(HIST_HEADER_BYTES + s->next * HIST_RECORD_BYTES);
    ssize_t got = pread_some(s->fd, s->buf, want * HIST_RECORD_BYTES, off);
    if (got != (ssize_t)(want * HIST_RECORD_BYTES)) {
      snprintf(err, err_len, "byte %lld: %s", (long long)off,
               got < 0 ? strerror(errno) : "file shrank while being read");
      return -1;
    }
    s->buf_records = want;
    s->buf_pos = 0;
  }
  decode(s->buf + s->buf_pos * HIST_RECORD_BYTES, rec);
  s->buf_pos++;
  s->next++;
  return 1;
}

void hist_stream_close(hist_stream *s) {
  if (s->fd >= 0) close(s->fd);
  free(s->buf);
  s->fd = -1;
  s->buf = NULL;
}
