/* input.c: see input.h. */
#include "input.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "crc32c.h"

#define ID_MAGIC 0x314d5053u
#define ID_BYTES 56
#define ID_NO_KEY 0xffffffffu
#define TIME_LIMIT (INT64_C(1) << 60) /* README: event times within +-2^60 */

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

/* The identity header of the layout drawn in workloads/loadgen/identity.h:
 *    0 magic u32 | 4 writer u32 | 8 seq u64 | 16 key u32 | 20 size u32 |
 *   24 intended_ns u64 | 32 sent_ns u64 | 40 event_time_ms i64 |
 *   48 topic u32 | 52 checksum u32 = CRC-32C of [0, 52) and [56, size) */
static const char *decode_identity(const uint8_t *p, int32_t len, in_rec *r) {
  if (len < 0) return "null payload";
  if (len < ID_BYTES) return "identity: payload shorter than the header";
  if (le32(p) != ID_MAGIC) return "identity: bad magic";
  if (le32(p + 20) != (uint32_t)len) return "identity: size field differs from the payload length";
  uint32_t crc = sp_crc32c(sp_crc32c(0, p, 52), p + ID_BYTES, (size_t)len - ID_BYTES);
  if (crc != le32(p + 52)) return "identity: checksum mismatch";
  r->identity = 1;
  r->writer = le32(p + 4);
  r->seq = le64(p + 8);
  r->key_id = le32(p + 16);
  r->size = le32(p + 20);
  r->event_time_ms = (int64_t)le64(p + 40);
  r->topic = le32(p + 48);
  return NULL;
}

json_t *input_parse_json(const uint8_t *p, size_t len) {
  json_error_t e;
  json_t *doc = json_loadb((const char *)p, len, JSON_REJECT_DUPLICATES, &e);
  if (doc && !json_is_object(doc)) {
    json_decref(doc);
    return NULL;
  }
  return doc;
}

json_t *json_path(json_t *obj, const char *path) {
  const char *dot;
  while (obj && (dot = strchr(path, '.'))) {
    char part[256];
    size_t n = (size_t)(dot - path);
    if (n >= sizeof part) return NULL;
    memcpy(part, path, n);
    part[n] = '\0';
    obj = json_is_object(obj) ? json_object_get(obj, part) : NULL;
    path = dot + 1;
  }
  return obj && json_is_object(obj) ? json_object_get(obj, path) : NULL;
}

sval json_sval(json_t *v) {
  if (!v) return (sval){0};
  switch (json_typeof(v)) {
  case JSON_INTEGER: return sval_int(json_integer_value(v));
  case JSON_REAL: return sval_real(json_real_value(v));
  case JSON_STRING: return sval_str(json_string_value(v), json_string_length(v));
  case JSON_TRUE: return sval_int(1);
  case JSON_FALSE: return sval_int(0);
  default: return (sval){0};
  }
}

/* A JSON number that is a whole number in [lo, hi) (integers: [lo, hi]). */
static int json_whole(json_t *v, double lo, double hi, int64_t *out) {
  if (json_is_integer(v)) {
    json_int_t i = json_integer_value(v);
    if ((double)i < lo || (double)i > hi) return 0;
    *out = i;
    return 1;
  }
  if (!json_is_real(v)) return 0;
  double d = json_real_value(v);
  if (!(d >= lo && d < hi) || d != floor(d)) return 0;
  *out = (int64_t)d;
  return 1;
}

/* Sets r->key from a copy of n bytes. */
static void set_key(arena *a, in_rec *r, const void *p, size_t n) {
  r->key = arena_dup(a, p, n);
  r->key_len = (uint32_t)n;
}

/* Sets r->key to the decimal text of v (without printf: one call per
 * record of an identity input). */
static void set_key_num(arena *a, in_rec *r, long long v) {
  char buf[32], *e = buf + sizeof buf, *p = e;
  unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
  do *--p = (char)('0' + u % 10);
  while (u /= 10);
  if (v < 0) *--p = '-';
  set_key(a, r, p, (size_t)(e - p));
}

static const char *json_key(const job_sel *s, json_t *doc, arena *a, in_rec *r) {
  json_t *v = json_path(doc, s->member);
  if (!v || json_is_null(v)) set_key(a, r, "", 0);
  else if (json_is_string(v)) set_key(a, r, json_string_value(v), json_string_length(v));
  else if (json_is_integer(v)) set_key_num(a, r, (long long)json_integer_value(v));
  else return "key is not a string or an integer";
  return NULL;
}

/* Key, time and value of a valid record by the source's selectors. */
static const char *select_fields(const job *j, const job_source *src, json_t *doc, arena *a,
                                 in_rec *r) {
  const char *why = NULL;
  switch (src->key.kind) {
  case SEL_MEMBER: why = json_key(&src->key, doc, a, r); break;
  case SEL_KEY_ID:
    if (r->key_id == ID_NO_KEY) set_key(a, r, "", 0);
    else set_key_num(a, r, r->key_id);
    break;
  case SEL_WRITER: set_key_num(a, r, r->writer); break;
  case SEL_TOPIC: set_key_num(a, r, r->topic); break;
  case SEL_KAFKA_KEY: set_key(a, r, r->kkey ? (const char *)r->kkey : "", r->kkey ? (size_t)r->kkey_len : 0); break;
  default: set_key(a, r, "", 0); break;
  }
  if (why) return why;
  if (!j->processing) {
    if (src->time.kind == SEL_KAFKA_TS) r->ts = r->kafka_ts;
    else if (src->time.kind == SEL_EVENT_TIME) r->ts = r->event_time_ms;
    else if (!json_whole(json_path(doc, src->time.member), -(double)TIME_LIMIT,
                         nextafter((double)TIME_LIMIT, INFINITY), &r->ts))
      return "time is not a whole number of milliseconds within +-2^60";
  }
  switch (src->value.kind) {
  case SEL_MEMBER:
    if (r->tombstone) r->value = 0;
    else if (!json_whole(json_path(doc, src->value.member), -9223372036854775808.0,
                         9223372036854775808.0, &r->value))
      return "value is not an integer in the int64 range";
    break;
  case SEL_ONE: r->value = 1; break;
  case SEL_SEQ: r->value = (int64_t)r->seq; break;
  case SEL_SIZE: r->value = r->size; break;
  case SEL_WRITER: r->value = r->writer; break;
  case SEL_TOPIC: r->value = r->topic; break;
  case SEL_KEY_ID: r->value = r->key_id == ID_NO_KEY ? -1 : (int64_t)r->key_id; break;
  case SEL_EVENT_TIME: r->value = r->event_time_ms; break;
  default: r->value = 0; break;
  }
  return NULL;
}

int input_decode(const job *j, const job_source *src, int input, const topic_dump_record *d,
                 arena *a, in_rec *r, json_t **doc) {
  memset(r, 0, sizeof *r);
  r->offset = d->offset;
  r->kafka_ts = d->timestamp_ms;
  r->input = (uint8_t)input;
  r->kkey_len = d->key_len;
  r->payload_len = d->value_len;
  r->kkey = d->key;
  r->payload = d->value;
  json_t *parsed = NULL;
  const char *why = NULL;
  if (!d->value) {
    /* a tombstone is valid only where key and time come from Kafka (a table) */
    if (src->key.kind == SEL_KAFKA_KEY && src->time.kind == SEL_KAFKA_TS) r->tombstone = 1;
    else why = "null payload";
  } else if (src->format == FMT_IDENTITY) {
    why = decode_identity(d->value, d->value_len, r);
  } else if (!(parsed = input_parse_json(d->value, (size_t)d->value_len))) {
    why = "not a JSON object (or duplicate members, bad UTF-8)";
  }
  if (!why) why = select_fields(j, src, parsed, a, r);
  if (why) {
    r->bad = 1;
    r->why = why;
    json_decref(parsed);
    return -1;
  }
  if (doc) *doc = parsed;
  else json_decref(parsed);
  return 0;
}
