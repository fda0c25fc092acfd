/* record.c: decoding input formats, reading fields, stored events.
 * See record.h and README.md ("Input formats", "Fields"). */
#include "record.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "job.h"
#include "jsonw.h"
#include "mem.h"

size_t rs_int_key(char *buf, int64_t v) { return rs_i64_text(buf, v); }

rs_cover rs_cover_one(int64_t offset) {
  rs_cover c = {offset, offset, 1, rs_mix64((uint64_t)offset)};
  return c;
}

void rs_cover_add(rs_cover *c, const rs_cover *more) {
  if (!more->n) return;
  if (!c->n) {
    *c = *more;
    return;
  }
  if (more->first < c->first) c->first = more->first;
  if (more->last > c->last) c->last = more->last;
  c->n += more->n;
  c->oh += more->oh;
}

/* A JSON value as an rs_value (strings point into the JSON tree). */
static void json_value(const json_t *v, rs_value *out) {
  memset(out, 0, sizeof *out);
  if (!v) return;
  switch (json_typeof(v)) {
  case JSON_INTEGER: out->type = RS_V_INT; out->i = (int64_t)json_integer_value(v); break;
  case JSON_REAL: out->type = RS_V_REAL; out->d = json_real_value(v); break;
  case JSON_STRING:
    out->type = RS_V_STR;
    out->s = json_string_value(v);
    out->len = json_string_length(v);
    break;
  case JSON_TRUE: out->type = RS_V_INT; out->i = 1; break;
  case JSON_FALSE: out->type = RS_V_INT; out->i = 0; break;
  default: break; /* null, object, array: missing */
  }
}

/* Follows a dotted path ("a.b.c") through nested objects. */
static const json_t *json_path(const json_t *obj, const char *path) {
  char part[256];
  while (obj && *path) {
    const char *dot = strchr(path, '.');
    size_t n = dot ? (size_t)(dot - path) : strlen(path);
    if (n >= sizeof part || !json_is_object(obj)) return NULL;
    memcpy(part, path, n);
    part[n] = '\0';
    obj = json_object_get(obj, part);
    path += n + (dot ? 1 : 0);
  }
  return obj;
}

/* An integer from a JSON value: integers, and reals that are whole numbers
 * inside the int64 range. Returns 0 on success. */
static int json_int(const json_t *v, int64_t *out) {
  if (json_is_integer(v)) {
    *out = (int64_t)json_integer_value(v);
    return 0;
  }
  if (json_is_real(v)) {
    double d = json_real_value(v);
    if (d == floor(d) && d >= -9.2e18 && d <= 9.2e18) {
      *out = (int64_t)d;
      return 0;
    }
  }
  return -1;
}

json_t *rs_event_json(rs_event *ev) {
  if (ev->json || ev->format != RS_FMT_JSON || !ev->payload) return ev->json;
  ev->json = json_loadb((const char *)ev->payload, ev->payload_len, JSON_REJECT_DUPLICATES, NULL);
  ev->owns_json = 1;
  return ev->json;
}

void rs_event_clear(rs_event *ev) {
  if (ev->json) json_decref(ev->json);
  ev->json = NULL;
}

/* Identity header fields as integers (RS_V_NONE for other fields). */
static int identity_field(const identity *id, rs_field_id f, int64_t *out) {
  switch (f) {
  case RS_F_WRITER: *out = id->writer; return 0;
  case RS_F_SEQ: *out = (int64_t)id->seq; return 0;
  case RS_F_KEY_ID: *out = id->key == IDENTITY_NO_KEY ? -1 : (int64_t)id->key; return 0;
  case RS_F_SIZE: *out = id->size; return 0;
  case RS_F_TOPIC: *out = id->topic; return 0;
  case RS_F_EVENT_TIME: *out = id->event_time_ms; return 0;
  default: return -1;
  }
}

static int decode_identity(const rs_source_cfg *src, const rs_raw *raw, rs_event *ev, char *why,
                           size_t whylen) {
  identity_status st = identity_decode(raw->payload, raw->payload_len, &ev->ident);
  if (st != IDENTITY_OK) {
    snprintf(why, whylen, "identity header: %s", identity_status_name(st));
    return -1;
  }
  int64_t v;
  switch (src->key.id) {
  case RS_F_KAFKA_KEY:
    ev->key = raw->key ? raw->key : "";
    ev->key_len = raw->key ? (uint32_t)raw->key_len : 0;
    break;
  case RS_F_NONE: ev->key = ""; ev->key_len = 0; break;
  case RS_F_KEY_ID:
    if (ev->ident.key == IDENTITY_NO_KEY) {
      ev->key = "";
      ev->key_len = 0;
      break;
    }
    /* fallthrough */
  default:
    if (identity_field(&ev->ident, src->key.id, &v) != 0) v = 0;
    ev->key_len = (uint32_t)rs_int_key(ev->keybuf, v);
    ev->key = ev->keybuf;
  }
  if (src->time.id == RS_F_KAFKA_TS) {
    if (raw->kafka_ts < 0) {
      snprintf(why, whylen, "no Kafka timestamp");
      return -1;
    }
    ev->ts = raw->kafka_ts;
  } else if (src->time.id != RS_F_NONE) {
    (void)identity_field(&ev->ident, src->time.id, &ev->ts);
  }
  if (src->value.id == RS_F_ONE) ev->value = 1;
  else (void)identity_field(&ev->ident, src->value.id, &ev->value);
  return 0;
}

static int decode_json(const rs_source_cfg *src, const rs_raw *raw, rs_event *ev, char *why,
                       size_t whylen) {
  json_error_t jerr;
  ev->json = json_loadb((const char *)raw->payload, raw->payload_len, JSON_REJECT_DUPLICATES,
                        &jerr);
  ev->owns_json = 1;
  if (!ev->json) {
    snprintf(why, whylen, "bad JSON at byte %d: %s", jerr.position, jerr.text);
    return -1;
  }
  if (!json_is_object(ev->json)) {
    snprintf(why, whylen, "JSON payload is not an object");
    return -1;
  }
  if (src->key.id == RS_F_KAFKA_KEY) {
    ev->key = raw->key ? raw->key : "";
    ev->key_len = raw->key ? (uint32_t)raw->key_len : 0;
  } else if (src->key.id == RS_F_NONE) {
    ev->key = "";
    ev->key_len = 0;
  } else {
    const json_t *k = json_path(ev->json, src->key.path);
    if (!k || json_is_null(k)) {
      ev->key = "";
      ev->key_len = 0;
    } else if (json_is_string(k)) {
      ev->key = json_string_value(k);
      ev->key_len = (uint32_t)json_string_length(k);
    } else if (json_is_integer(k)) {
      ev->key_len = (uint32_t)rs_int_key(ev->keybuf, (int64_t)json_integer_value(k));
      ev->key = ev->keybuf;
    } else {
      snprintf(why, whylen, "key field '%s' is not a string or an integer", src->key.path);
      return -1;
    }
  }
  if (src->time.id == RS_F_KAFKA_TS) {
    if (raw->kafka_ts < 0) {
      snprintf(why, whylen, "no Kafka timestamp");
      return -1;
    }
    ev->ts = raw->kafka_ts;
  } else if (src->time.id == RS_F_JSON) {
    const json_t *t = json_path(ev->json, src->time.path);
    if (!t || json_int(t, &ev->ts) != 0) {
      snprintf(why, whylen, "time field '%s' missing or not an integer", src->time.path);
      return -1;
    }
    if (ev->ts < RS_TS_MIN / 2 || ev->ts > RS_TS_MAX / 2) {
      snprintf(why, whylen, "time %lld out of range", (long long)ev->ts);
      return -1;
    }
  }
  if (src->value.id == RS_F_ONE) {
    ev->value = 1;
  } else {
    const json_t *v = json_path(ev->json, src->value.path);
    if (!v || json_int(v, &ev->value) != 0) {
      snprintf(why, whylen, "value field '%s' missing or not an integer", src->value.path);
      return -1;
    }
  }
  return 0;
}

int rs_event_decode(const rs_source_cfg *src, uint16_t input, const rs_raw *raw, rs_event *ev,
                    char *why, size_t whylen) {
  /* every field set explicitly (no memset: this is the per-record path) */
  ev->ts = 0;
  ev->value = 0;
  ev->owns_json = 0;
  ev->json = NULL;
  ev->key = "";
  ev->key_len = 0;
  ev->input = input;
  ev->partition = raw->partition;
  ev->offset = raw->offset;
  ev->kafka_ts = raw->kafka_ts;
  ev->format = (uint8_t)src->format;
  ev->payload = raw->payload;
  ev->payload_len = (uint32_t)raw->payload_len;
  ev->kafka_key = raw->key;
  ev->kafka_key_len = (uint32_t)raw->key_len;
  if (!raw->payload) {
    /* a tombstone: only meaningful when key and time come from the message */
    int time_ok = src->time.id == RS_F_NONE || (src->time.id == RS_F_KAFKA_TS && raw->kafka_ts >= 0);
    if (src->key.id != RS_F_KAFKA_KEY || !raw->key || !time_ok) {
      snprintf(why, whylen, "null payload (a tombstone needs key: kafka_key and time: "
               "kafka_timestamp)");
      return -1;
    }
    ev->key = raw->key;
    ev->key_len = (uint32_t)raw->key_len;
    ev->ts = raw->kafka_ts;
    return 0;
  }
  if (src->format == RS_FMT_IDENTITY) return decode_identity(src, raw, ev, why, whylen);
  return decode_json(src, raw, ev, why, whylen);
}

rs_rec rs_rec_of_event(rs_event *ev) {
  rs_rec r = {.kind = RS_REC_EVENT, .ts = ev->ts, .value = ev->value, .key = ev->key,
              .key_len = ev->key_len, .cover = rs_cover_one(ev->offset), .ev = ev};
  return r;
}

/* Makes out an integer value. */
static void set_int(rs_value *out, int64_t v) {
  out->type = RS_V_INT;
  out->i = v;
}

void rs_rec_get(const rs_rec *r, const rs_field *f, rs_value *out) {
  memset(out, 0, sizeof *out);
  rs_event *ev = r->ev;
  const rs_winres *w = r->win;
  int64_t v;
  switch (f->id) {
  case RS_F_NONE: return;
  case RS_F_KEY: out->type = RS_V_STR; out->s = r->key; out->len = r->key_len; return;
  case RS_F_TS: set_int(out, r->ts); return;
  case RS_F_VALUE: set_int(out, r->value); return;
  case RS_F_ONE: set_int(out, 1); return;
  case RS_F_OFFSET: if (ev) set_int(out, ev->offset); return;
  case RS_F_PARTITION: if (ev) set_int(out, ev->partition); return;
  case RS_F_KAFKA_TS: if (ev && ev->kafka_ts >= 0) set_int(out, ev->kafka_ts); return;
  case RS_F_KAFKA_KEY:
    if (ev && ev->kafka_key) {
      out->type = RS_V_STR;
      out->s = ev->kafka_key;
      out->len = ev->kafka_key_len;
    }
    return;
  case RS_F_WRITER: case RS_F_SEQ: case RS_F_KEY_ID: case RS_F_SIZE: case RS_F_TOPIC:
  case RS_F_EVENT_TIME:
    if (ev && ev->format == RS_FMT_IDENTITY && identity_field(&ev->ident, f->id, &v) == 0)
      set_int(out, v);
    return;
  case RS_F_COUNT: if (w) set_int(out, (int64_t)w->count); return;
  case RS_F_SUM: if (w) set_int(out, w->sum); return;
  case RS_F_MIN: if (w && w->count) set_int(out, w->min); return;
  case RS_F_MAX: if (w && w->count) set_int(out, w->max); return;
  case RS_F_AVG:
    if (w && w->count) {
      out->type = RS_V_REAL;
      out->d = (double)w->sum / (double)w->count;
    }
    return;
  case RS_F_START: if (w) set_int(out, w->start); return;
  case RS_F_END: if (w) set_int(out, w->end); return;
  case RS_F_REV: if (w) set_int(out, w->rev); return;
  case RS_F_JSON:
    if (ev) json_value(json_path(rs_event_json(ev), f->path), out);
    return;
  }
}

rs_stored *rs_stored_new(const rs_event *ev) {
  size_t plen = ev->payload ? ev->payload_len : 0;
  rs_stored *s = sp_malloc(sizeof *s + ev->key_len + 1 + plen);
  s->ts = ev->ts;
  s->value = ev->value;
  s->offset = ev->offset;
  s->kafka_ts = ev->kafka_ts;
  s->partition = ev->partition;
  s->input = ev->input;
  s->format = ev->format;
  s->flag = 0;
  s->key_len = ev->key_len;
  s->payload_len = ev->payload ? ev->payload_len : UINT32_MAX;
  memcpy(s->data, ev->key, ev->key_len);
  s->data[ev->key_len] = '\0';
  if (plen) memcpy(s->data + ev->key_len + 1, ev->payload, plen);
  return s;
}

void rs_stored_view(const rs_stored *s, rs_event *ev) {
  memset(ev, 0, offsetof(rs_event, keybuf));
  ev->ts = s->ts;
  ev->value = s->value;
  ev->offset = s->offset;
  ev->kafka_ts = s->kafka_ts;
  ev->partition = s->partition;
  ev->input = s->input;
  ev->format = s->format;
  ev->key = s->data;
  ev->key_len = s->key_len;
  if (s->payload_len != UINT32_MAX) {
    ev->payload = (const uint8_t *)s->data + s->key_len + 1;
    ev->payload_len = s->payload_len;
    if (s->format == RS_FMT_IDENTITY) (void)identity_decode(ev->payload, ev->payload_len, &ev->ident);
  }
}

/* Checkpoint layout of a stored event:
 *   i64 ts | i64 value | i64 offset | i64 kafka_ts | i32 partition |
 *   i16 input | i8 format | BYTES key | BYTES payload (-1: none) */
void rs_stored_save(const rs_stored *s, sp_buf *b) {
  kw_i64(b, s->ts);
  kw_i64(b, s->value);
  kw_i64(b, s->offset);
  kw_i64(b, s->kafka_ts);
  kw_i32(b, s->partition);
  kw_i16(b, (int16_t)s->input);
  kw_i8(b, (int8_t)s->format);
  kw_bytes(b, s->data, (int32_t)s->key_len);
  if (s->payload_len == UINT32_MAX) kw_bytes(b, NULL, -1);
  else kw_bytes(b, s->data + s->key_len + 1, (int32_t)s->payload_len);
}

rs_stored *rs_stored_load(kreader *r) {
  rs_stored tmp;
  memset(&tmp, 0, sizeof tmp);
  tmp.ts = kr_i64(r);
  tmp.value = kr_i64(r);
  tmp.offset = kr_i64(r);
  tmp.kafka_ts = kr_i64(r);
  tmp.partition = kr_i32(r);
  tmp.input = (uint16_t)kr_i16(r);
  tmp.format = (uint8_t)kr_i8(r);
  kslice k = kr_bytes(r);
  kslice p = kr_bytes(r);
  if (r->err || k.len < 0 || tmp.format > RS_FMT_JSON) {
    r->err = 1;
    return NULL;
  }
  size_t plen = p.len > 0 ? (size_t)p.len : 0;
  rs_stored *s = sp_malloc(sizeof *s + (size_t)k.len + 1 + plen);
  *s = tmp;
  s->key_len = (uint32_t)k.len;
  s->payload_len = p.len < 0 ? UINT32_MAX : (uint32_t)p.len;
  memcpy(s->data, k.ptr, (size_t)k.len);
  s->data[k.len] = '\0';
  if (plen) memcpy(s->data + k.len + 1, p.ptr, plen);
  return s;
}

void rs_event_payload_json(const rs_event *ev, jw *w) {
  if (!ev->payload) {
    jw_null(w);
    return;
  }
  if (ev->format == RS_FMT_JSON) {
    jw_raw(w, ev->payload, ev->payload_len);
    return;
  }
  const identity *id = &ev->ident;
  jw_open(w);
  jw_key(w, "writer"); jw_u64(w, id->writer);
  jw_key(w, "seq"); jw_u64(w, id->seq);
  jw_key(w, "key");
  if (id->key == IDENTITY_NO_KEY) jw_null(w);
  else jw_u64(w, id->key);
  jw_key(w, "size"); jw_u64(w, id->size);
  jw_key(w, "event_time_ms"); jw_i64(w, id->event_time_ms);
  jw_key(w, "topic"); jw_u64(w, id->topic);
  jw_close(w);
}
