/* topic_dump.c: see topic_dump.h for the layout. */
#include "topic_dump.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"

#define TOPIC_DUMP_HEADER_BYTES 32
#define TOPIC_DUMP_RECORD_BYTES 24

struct topic_dump_writer {
  FILE *f;
};

struct topic_dump_reader {
  FILE *f;
  char path[512];
  char *topic;
  int32_t partition;
  int64_t log_start;
  long pos; /* byte offset of the next record, for error messages */
  uint8_t *buf;
  size_t cap;
};

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

topic_dump_writer *topic_dump_create(const char *path, const char *topic, int32_t partition,
                                     int64_t log_start_offset) {
  size_t name_len = strlen(topic);
  if (name_len > UINT16_MAX) {
    errno = ENAMETOOLONG;
    return NULL;
  }
  FILE *f = fopen(path, "wbe");
  if (!f) return NULL;
  uint8_t h[TOPIC_DUMP_HEADER_BYTES] = {0};
  memcpy(h, TOPIC_DUMP_MAGIC, 8);
  put32(h + 8, TOPIC_DUMP_VERSION);
  put32(h + 12, (uint32_t)partition);
  put64(h + 16, (uint64_t)log_start_offset);
  put16(h + 24, (uint16_t)name_len);
  if (fwrite(h, 1, sizeof h, f) != sizeof h || fwrite(topic, 1, name_len, f) != name_len) {
    int saved = errno;
    fclose(f);
    errno = saved;
    return NULL;
  }
  topic_dump_writer *w = sp_calloc(1, sizeof *w);
  w->f = f;
  return w;
}

int topic_dump_append(topic_dump_writer *w, int64_t offset, int64_t timestamp_ms,
                      const void *key, int32_t key_len, const void *value, int32_t value_len) {
  uint8_t r[TOPIC_DUMP_RECORD_BYTES];
  put64(r, (uint64_t)offset);
  put64(r + 8, (uint64_t)timestamp_ms);
  put32(r + 16, (uint32_t)key_len);
  put32(r + 20, (uint32_t)value_len);
  if (fwrite(r, 1, sizeof r, w->f) != sizeof r) return -1;
  if (key_len > 0 && fwrite(key, 1, (size_t)key_len, w->f) != (size_t)key_len) return -1;
  if (value_len > 0 && fwrite(value, 1, (size_t)value_len, w->f) != (size_t)value_len) return -1;
  return 0;
}

int topic_dump_finish(topic_dump_writer *w, int64_t end_offset) {
  int rc = topic_dump_append(w, -1, end_offset, NULL, -1, NULL, -1);
  if (rc == 0 && fflush(w->f) != 0) rc = -1;
  if (rc == 0 && fsync(fileno(w->f)) != 0) rc = -1;
  int saved = errno;
  if (fclose(w->f) != 0 && rc == 0) {
    rc = -1;
    saved = errno;
  }
  free(w);
  errno = saved;
  return rc;
}

void topic_dump_abandon(topic_dump_writer *w) {
  fclose(w->f);
  free(w);
}

topic_dump_reader *topic_dump_open(const char *path, char *err, size_t err_len) {
  FILE *f = fopen(path, "rbe");
  if (!f) {
    snprintf(err, err_len, "%s: %s", path, strerror(errno));
    return NULL;
  }
  uint8_t h[TOPIC_DUMP_HEADER_BYTES];
  const char *why = NULL;
  if (fread(h, 1, sizeof h, f) != sizeof h) why = "shorter than the 32-byte header";
  else if (memcmp(h, TOPIC_DUMP_MAGIC, 8) != 0) why = "bad magic (not a streamproof topic dump)";
  else if (get32(h + 8) != TOPIC_DUMP_VERSION) why = "unsupported dump version";
  uint16_t name_len = why ? 0 : get16(h + 24);
  char *name = sp_malloc((size_t)name_len + 1);
  if (!why && fread(name, 1, name_len, f) != name_len) why = "topic name cut short";
  if (why) {
    snprintf(err, err_len, "%s: byte 0: %s", path, why);
    free(name);
    fclose(f);
    return NULL;
  }
  name[name_len] = '\0';
  topic_dump_reader *r = sp_calloc(1, sizeof *r);
  r->f = f;
  snprintf(r->path, sizeof r->path, "%s", path);
  r->topic = name;
  r->partition = (int32_t)get32(h + 12);
  r->log_start = (int64_t)get64(h + 16);
  r->pos = TOPIC_DUMP_HEADER_BYTES + name_len;
  return r;
}

const char *topic_dump_topic(const topic_dump_reader *r) { return r->topic; }
int32_t topic_dump_partition(const topic_dump_reader *r) { return r->partition; }
int64_t topic_dump_log_start(const topic_dump_reader *r) { return r->log_start; }

int topic_dump_next(topic_dump_reader *r, topic_dump_record *rec, int64_t *end_offset, char *err,
                    size_t err_len) {
  uint8_t h[TOPIC_DUMP_RECORD_BYTES];
  size_t n = fread(h, 1, sizeof h, r->f);
  if (n != sizeof h) {
    snprintf(err, err_len, "%s: byte %ld: %s", r->path, r->pos,
             n == 0 ? "ends without its trailer (the copy was cut short)"
                    : "record header cut short");
    return -1;
  }
  rec->offset = (int64_t)get64(h);
  rec->timestamp_ms = (int64_t)get64(h + 8);
  rec->key_len = (int32_t)get32(h + 16);
  rec->value_len = (int32_t)get32(h + 20);
  if (rec->offset == -1 && rec->key_len == -1 && rec->value_len == -1) {
    if (end_offset) *end_offset = rec->timestamp_ms;
    return 0;
  }
  if (rec->offset < 0 || rec->key_len < -1 || rec->value_len < -1) {
    snprintf(err, err_len, "%s: byte %ld: bad record header (offset %lld, key %d, value %d bytes)",
             r->path, r->pos, (long long)rec->offset, rec->key_len, rec->value_len);
    return -1;
  }
  size_t body = (size_t)(rec->key_len > 0 ? rec->key_len : 0) +
                (size_t)(rec->value_len > 0 ? rec->value_len : 0);
  if (body > r->cap) {
    r->buf = sp_realloc(r->buf, body);
    r->cap = body;
  }
  if (fread(r->buf, 1, body, r->f) != body) {
    snprintf(err, err_len, "%s: byte %ld: record at offset %lld cut short", r->path, r->pos,
             (long long)rec->offset);
    return -1;
  }
  rec->key = rec->key_len >= 0 ? r->buf : NULL;
  rec->value = rec->value_len >= 0 ? r->buf + (rec->key_len > 0 ? rec->key_len : 0) : NULL;
  r->pos += (long)(sizeof h + body);
  return 1;
}

void topic_dump_close(topic_dump_reader *r) {
  if (!r) return;
  fclose(r->f);
  free(r->topic);
  free(r->buf);
  free(r);
}
