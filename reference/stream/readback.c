/* readback.c: see readback.h.
 *
 * A restart may read back hundreds of thousands of records, so the common
 * case (a result, a late or error record) is read by a small scanner that
 * picks the top-level fields it needs and skips the rest, instead of
 * building a JSON tree (8x faster than jansson here). It also decodes the
 * id exactly as output.c encoded it: jsonw.c writes a byte that is not
 * valid UTF-8 as \u00XX, and that must read back as the byte XX for the id
 * to match the one the replay generates. Marks records (rare) use jansson.
 * The scanner is bounded by the record's length and refuses anything
 * malformed (RS_RB_BAD). */
#include "readback.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

typedef struct scan {
  const char *p, *end;
  int bad;
} scan;

/* Skips JSON whitespace. */
static void ws(scan *s) {
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')) s->p++;
}

/* Consumes character c (after whitespace) if it is next. */
static int take(scan *s, char c) {
  ws(s);
  if (s->p < s->end && *s->p == c) {
    s->p++;
    return 1;
  }
  return 0;
}

/* Reads four hex digits of a \\u escape. */
static int hex4(scan *s, unsigned *out) {
  if (s->end - s->p < 4) return -1;
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    char c = s->p[i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
    else return -1;
  }
  s->p += 4;
  *out = v;
  return 0;
}

/* Appends code point cp in UTF-8. */
static void put_utf8(sp_buf *b, unsigned cp) {
  uint8_t u[4];
  size_t n;
  if (cp < 0x80) u[0] = (uint8_t)cp, n = 1;
  else if (cp < 0x800) u[0] = (uint8_t)(0xc0 | cp >> 6), u[1] = (uint8_t)(0x80 | (cp & 0x3f)), n = 2;
  else if (cp < 0x10000)
    u[0] = (uint8_t)(0xe0 | cp >> 12), u[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f)),
    u[2] = (uint8_t)(0x80 | (cp & 0x3f)), n = 3;
  else
    u[0] = (uint8_t)(0xf0 | cp >> 18), u[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f)),
    u[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f)), u[3] = (uint8_t)(0x80 | (cp & 0x3f)), n = 4;
  sp_buf_append(b, u, n);
}

/* A JSON string into out (NULL: skip it). \u0080-\u00ff become single
 * bytes (jsonw.c's convention for bytes that are not UTF-8). */
static int string(scan *s, sp_buf *out) {
  if (!take(s, '"')) return -1;
  while (s->p < s->end) {
    char c = *s->p++;
    if (c == '"') return 0;
    if ((unsigned char)c < 0x20) return -1;
    if (c != '\\') {
      if (out) sp_buf_append(out, &c, 1);
      continue;
    }
    if (s->p >= s->end) return -1;
    char e = *s->p++;
    char lit;
    switch (e) {
    case '"': case '\\': case '/': lit = e; break;
    case 'b': lit = '\b'; break;
    case 'f': lit = '\f'; break;
    case 'n': lit = '\n'; break;
    case 'r': lit = '\r'; break;
    case 't': lit = '\t'; break;
    case 'u': {
      unsigned cp, lo;
      if (hex4(s, &cp) != 0) return -1;
      if (cp >= 0xd800 && cp <= 0xdbff) {
        if (s->end - s->p < 2 || s->p[0] != '\\' || s->p[1] != 'u') return -1;
        s->p += 2;
        if (hex4(s, &lo) != 0 || lo < 0xdc00 || lo > 0xdfff) return -1;
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
      }
      if (out) {
        if (cp < 0x100) {
          uint8_t byte = (uint8_t)cp;
          sp_buf_append(out, &byte, 1);
        } else {
          put_utf8(out, cp);
        }
      }
      continue;
    }
    default: return -1;
    }
    if (out) sp_buf_append(out, &lit, 1);
  }
  return -1;
}

/* Reads a JSON integer that fits int64; -1 for anything else. */
static int integer(scan *s, int64_t *out) {
  ws(s);
  int neg = 0;
  if (s->p < s->end && *s->p == '-') neg = 1, s->p++;
  if (s->p >= s->end || *s->p < '0' || *s->p > '9') return -1;
  uint64_t v = 0;
  while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
    uint64_t d = (uint64_t)(*s->p++ - '0');
    if (v > (UINT64_MAX - d) / 10) return -1;
    v = v * 10 + d;
  }
  if (s->p < s->end && (*s->p == '.' || *s->p == 'e' || *s->p == 'E')) return -1;
  if (v > (uint64_t)INT64_MAX + (uint64_t)neg) return -1;
  *out = neg ? (int64_t)(0 - v) : (int64_t)v;
  return 0;
}

/* Skips any JSON value (bounded nesting). */
static int skip(scan *s, int depth) {
  ws(s);
  if (s->p >= s->end || depth > 64) return -1;
  char c = *s->p;
  if (c == '"') return string(s, NULL);
  if (c == '{' || c == '[') {
    char close = c == '{' ? '}' : ']';
    s->p++;
    if (take(s, close)) return 0;
    do {
      if (c == '{') {
        if (string(s, NULL) != 0 || !take(s, ':')) return -1;
      }
      if (skip(s, depth + 1) != 0) return -1;
    } while (take(s, ','));
    return take(s, close) ? 0 : -1;
  }
  /* number, true, false, null */
  const char *start = s->p;
  while (s->p < s->end && (strchr("+-.eE", *s->p) || (*s->p >= '0' && *s->p <= '9') ||
                           (*s->p >= 'a' && *s->p <= 'z')))
    s->p++;
  return s->p > start ? 0 : -1;
}

typedef struct fields {
  int64_t v, task, p, through, through1;
  int has_v, has_task, has_p, has_through, has_through1, is_marks, has_kind;
  sp_buf id, topic, kind;
} fields;

/* Reads the top-level fields readback needs from one record. */
static int scan_record(scan *s, fields *f) {
  if (!take(s, '{')) return -1;
  if (take(s, '}')) return 0;
  sp_buf key = SP_BUF_INIT;
  int rc = -1;
  do {
    sp_buf_reset(&key);
    if (string(s, &key) != 0 || !take(s, ':')) goto out;
#define KEY_IS(lit) (key.len == sizeof(lit) - 1 && memcmp(key.data, lit, key.len) == 0)
    int r;
    if (KEY_IS("v")) r = integer(s, &f->v), f->has_v = 1;
    else if (KEY_IS("task")) r = integer(s, &f->task), f->has_task = 1;
    else if (KEY_IS("p")) r = integer(s, &f->p), f->has_p = 1;
    else if (KEY_IS("through")) r = integer(s, &f->through), f->has_through = 1;
    else if (KEY_IS("through1")) r = integer(s, &f->through1), f->has_through1 = 1;
    else if (KEY_IS("id")) sp_buf_reset(&f->id), r = string(s, &f->id);
    else if (KEY_IS("topic")) sp_buf_reset(&f->topic), r = string(s, &f->topic);
    else if (KEY_IS("kind")) sp_buf_reset(&f->kind), r = string(s, &f->kind), f->has_kind = 1;
    else r = skip(s, 1);
#undef KEY_IS
    if (r != 0) goto out;
  } while (take(s, ','));
  rc = take(s, '}') ? 0 : -1;
out:
  sp_buf_free(&key);
  return rc;
}

/* An integer member of a JSON object; -1 if missing or not an integer. */
static int get_i64(const json_t *o, const char *k, int64_t *out) {
  const json_t *v = json_object_get(o, k);
  if (!json_is_integer(v)) return -1;
  *out = (int64_t)json_integer_value(v);
  return 0;
}

/* Queues the marks of a marks record on task t. */
static rs_rb_status apply_marks(rs_task *t, const void *value, size_t len) {
  json_t *o = json_loadb(value, len, 0, NULL);
  const json_t *marks = o ? json_object_get(o, "marks") : NULL;
  rs_rb_status st = RS_RB_MARKS;
  if (!json_is_array(marks)) {
    st = RS_RB_BAD;
    goto out;
  }
  size_t i;
  const json_t *m;
  json_array_foreach(marks, i, m) {
    int64_t input, pos, val;
    const char *type = json_string_value(json_object_get(m, "type"));
    if (get_i64(m, "input", &input) || get_i64(m, "pos", &pos) || get_i64(m, "value", &val) ||
        !type || input < 0 || input >= t->n_inputs) {
      st = RS_RB_BAD;
      goto out;
    }
    rs_mark mk = {(uint16_t)input, 0, pos, val};
    if (strcmp(type, "proc") == 0) mk.type = RS_MARK_PROC;
    else if (strcmp(type, "idle") == 0) mk.type = RS_MARK_IDLE;
    else {
      st = RS_RB_BAD;
      goto out;
    }
    rs_task_readback_mark(t, &mk);
  }
out:
  json_decref(o);
  return st;
}

rs_rb_status rs_readback_record(rs_engine *e, const void *value, size_t len) {
  if (!value) return RS_RB_FOREIGN;
  fields f;
  memset(&f, 0, sizeof f);
  scan s = {value, (const char *)value + len, 0};
  rs_rb_status st = RS_RB_BAD;
  if (scan_record(&s, &f) != 0) goto out;
  ws(&s);
  if (s.p != s.end) goto out;
  st = RS_RB_FOREIGN;
  if (!f.has_v || f.v != 1 || !f.has_kind || !f.id.len || !f.has_task || f.task < 0 ||
      f.task >= e->n_tasks || !f.has_p)
    goto out;
  rs_task *t = e->tasks[f.task];
  size_t tl = strlen(t->in[0].topic);
  if (f.topic.len != tl || memcmp(f.topic.data, t->in[0].topic, tl) != 0 ||
      f.p != t->in[0].partition)
    goto out; /* another job's task with the same number */
  if (f.has_through) rs_task_readback_through(t, 0, f.through);
  if (t->n_inputs > 1 && f.has_through1) rs_task_readback_through(t, 1, f.through1);
  if (f.kind.len == 5 && memcmp(f.kind.data, "marks", 5) == 0) {
    st = apply_marks(t, value, len);
  } else {
    rs_task_readback_id(t, (const char *)f.id.data, f.id.len);
    st = RS_RB_OK;
  }
out:
  sp_buf_free(&f.id);
  sp_buf_free(&f.topic);
  sp_buf_free(&f.kind);
  return st;
}
