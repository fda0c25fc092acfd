/* history.c: see history.h for the file and record layouts. */
#include "history.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "mem.h"
#include "sp_assert.h"

#define HIST_BUFFER_RECORDS 1024

struct hist_writer {
  int fd;
  int err; /* first errno seen, sticky */
  size_t used;
  uint8_t buf[HIST_BUFFER_RECORDS * HIST_RECORD_BYTES];
};

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

void hist_encode(const hist_record *r, uint8_t out[HIST_RECORD_BYTES]) {
  out[0] = r->type;
  out[1] = r->flags;
  put16(out + 2, r->topic);
  put32(out + 4, (uint32_t)r->partition);
  put64(out + 8, (uint64_t)r->offset);
  put64(out + 16, r->seq);
  put32(out + 24, r->writer);
  put32(out + 28, r->actor);
  put32(out + 32, r->key);
  put32(out + 36, (uint32_t)r->err);
  put64(out + 40, r->t_intended_ns);
  put64(out + 48, r->t_sent_ns);
  put64(out + 56, r->t_ns);
}

void hist_decode(const uint8_t in[HIST_RECORD_BYTES], hist_record *r) {
  r->type = in[0];
  r->flags = in[1];
  r->topic = get16(in + 2);
  r->partition = (int32_t)get32(in + 4);
  r->offset = (int64_t)get64(in + 8);
  r->seq = get64(in + 16);
  r->writer = get32(in + 24);
  r->actor = get32(in + 28);
  r->key = get32(in + 32);
  r->err = (int32_t)get32(in + 36);
  r->t_intended_ns = get64(in + 40);
  r->t_sent_ns = get64(in + 48);
  r->t_ns = get64(in + 56);
}

/* Fills a 64-byte header. */
static void header_encode(uint8_t h[HIST_HEADER_BYTES], uint32_t kind, uint32_t logical_id,
                          uint64_t created_wall_ns) {
  memset(h, 0, HIST_HEADER_BYTES);
  memcpy(h, HIST_MAGIC, 8);
  put32(h + 8, HIST_VERSION);
  put32(h + 12, HIST_RECORD_BYTES);
  put32(h + 16, kind);
  put32(h + 20, logical_id);
  put64(h + 24, created_wall_ns);
}

/* Checks a header; returns NULL or what is wrong with it. */
static const char *header_check(const uint8_t h[HIST_HEADER_BYTES]) {
  if (memcmp(h, HIST_MAGIC, 8) != 0) return "bad magic (not a streamproof history file)";
  if (get32(h + 8) != HIST_VERSION) return "unsupported history version";
  if (get32(h + 12) != HIST_RECORD_BYTES) return "unexpected record size";
  return NULL;
}

/* Reads exactly len bytes at off; returns 0 or -1 (errno, EIO on short). */
static int pread_full(int fd, void *buf, size_t len, off_t off) {
  uint8_t *p = buf;
  while (len) {
    ssize_t n = pread(fd, p, len, off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return -1;
    }
    p += n;
    len -= (size_t)n;
    off += n;
  }
  return 0;
}

/* Writes all of buf; returns 0 or -1 (errno). */
static int write_full(int fd, const void *buf, size_t len) {
  const uint8_t *p = buf;
  while (len) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

hist_writer *hist_writer_open(const char *path, uint32_t kind, uint32_t logical_id) {
  int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return NULL;
  struct stat st;
  if (fstat(fd, &st) != 0) goto fail;
  if (st.st_size == 0) {
    uint8_t h[HIST_HEADER_BYTES];
    header_encode(h, kind, logical_id, sp_wall_ns());
    if (write_full(fd, h, sizeof h) != 0) goto fail;
  } else {
    uint8_t h[HIST_HEADER_BYTES];
    if (st.st_size < HIST_HEADER_BYTES || pread_full(fd, h, sizeof h, 0) != 0 ||
        header_check(h) || get32(h + 16) != kind || get32(h + 20) != logical_id) {
      errno = EINVAL;
      goto fail;
    }
    off_t torn = (st.st_size - HIST_HEADER_BYTES) % HIST_RECORD_BYTES;
    if (torn && ftruncate(fd, st.st_size - torn) != 0) goto fail;
  }
  hist_writer *w = sp_calloc(1, sizeof *w);
  w->fd = fd;
  return w;
fail:;
  int saved = errno;
  close(fd);
  errno = saved;
  return NULL;
}

int hist_writer_flush(hist_writer *w) {
  if (w->used && !w->err && write_full(w->fd, w->buf, w->used) != 0) w->err = errno;
  w->used = 0;
  if (w->err) {
    errno = w->err;
    return -1;
  }
  return 0;
}

int hist_writer_append(hist_writer *w, const hist_record *rec) {
  if (w->used == sizeof w->buf && hist_writer_flush(w) != 0) return -1;
  hist_encode(rec, w->buf + w->used);
  w->used += HIST_RECORD_BYTES;
  return 0;
}

int hist_writer_sync(hist_writer *w) {
  if (hist_writer_flush(w) != 0) return -1;
  if (fdatasync(w->fd) != 0) {
    w->err = errno;
    return -1;
  }
  return 0;
}

int hist_writer_close(hist_writer *w) {
  if (!w) return 0;
  int rc = hist_writer_flush(w);
  int saved = errno;
  if (close(w->fd) != 0 && rc == 0) {
    rc = -1;
    saved = errno;
  }
  free(w);
  errno = saved;
  return rc;
}

int hist_read(const char *path, hist_file *out, char *err, size_t err_len) {
  memset(out, 0, sizeof *out);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    snprintf(err, err_len, "%s: %s", path, strerror(errno));
    return -1;
  }
  struct stat st;
  uint8_t h[HIST_HEADER_BYTES];
  const char *why = NULL;
  if (fstat(fd, &st) != 0) why = strerror(errno);
  else if (st.st_size < HIST_HEADER_BYTES) why = "shorter than the 64-byte header";
  else if (pread_full(fd, h, sizeof h, 0) != 0) why = strerror(errno);
  else why = header_check(h);
  if (why) {
    snprintf(err, err_len, "%s: byte 0: %s", path, why);
    close(fd);
    return -1;
  }
  size_t body = (size_t)st.st_size - HIST_HEADER_BYTES;
  out->kind = get32(h + 16);
  out->logical_id = get32(h + 20);
  out->created_wall_ns = get64(h + 24);
  out->count = body / HIST_RECORD_BYTES;
  out->torn_bytes = body % HIST_RECORD_BYTES;
  out->raw = sp_malloc(out->count * HIST_RECORD_BYTES);
  if (pread_full(fd, out->raw, out->count * HIST_RECORD_BYTES, HIST_HEADER_BYTES) != 0) {
    snprintf(err, err_len, "%s: reading records: %s", path, strerror(errno));
    close(fd);
    hist_file_free(out);
    return -1;
  }
  close(fd);
  return 0;
}

void hist_file_get(const hist_file *f, size_t i, hist_record *rec) {
  SP_ASSERT(i < f->count);
  hist_decode(f->raw + i * HIST_RECORD_BYTES, rec);
}

void hist_file_free(hist_file *f) {
  free(f->raw);
  f->raw = NULL;
  f->count = 0;
}

int hist_read_last(const char *path, hist_record *rec) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? 0 : -1;
  struct stat st;
  int rc = -1;
  if (fstat(fd, &st) == 0) {
    size_t body = st.st_size > HIST_HEADER_BYTES ? (size_t)st.st_size - HIST_HEADER_BYTES : 0;
    size_t count = body / HIST_RECORD_BYTES;
    uint8_t raw[HIST_RECORD_BYTES];
    if (count == 0) rc = 0;
    else if (pread_full(fd, raw, sizeof raw,
                        (off_t)(HIST_HEADER_BYTES + (count - 1) * HIST_RECORD_BYTES)) == 0) {
      hist_decode(raw, rec);
      rc = 1;
    }
  }
  int saved = errno;
  close(fd);
  errno = saved;
  return rc;
}

const char *hist_type_name(uint8_t type) {
  switch (type) {
  case HIST_WRITER_START: return "writer-start";
  case HIST_ACK: return "ack";
  case HIST_NACK: return "nack";
  case HIST_WRITER_END: return "writer-end";
  case HIST_READER_START: return "reader-start";
  case HIST_ASSIGN: return "assign";
  case HIST_REVOKE: return "revoke";
  case HIST_APPLY: return "apply";
  case HIST_SKIP: return "skip";
  case HIST_COMMIT: return "commit";
  case HIST_READER_END: return "reader-end";
  case HIST_READBACK: return "readback";
  case HIST_END_OFFSETS: return "end-offsets";
  default: return "unknown";
  }
}
