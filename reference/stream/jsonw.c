/* jsonw.c: see jsonw.h. */
#include "jsonw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jw_init(jw *w, sp_buf *b) {
  w->b = b;
  w->first = 1;
}

void jw_open(jw *w) {
  sp_buf_append(w->b, "{", 1);
  w->first = 1;
}

void jw_close(jw *w) {
  sp_buf_append(w->b, "}", 1);
  w->first = 0;
}

void jw_aopen(jw *w) {
  sp_buf_append(w->b, "[", 1);
  w->first = 1;
}

void jw_aclose(jw *w) {
  sp_buf_append(w->b, "]", 1);
  w->first = 0;
}

void jw_elem(jw *w) {
  if (!w->first) sp_buf_append(w->b, ",", 1);
  w->first = 0;
}

void jw_key(jw *w, const char *key) {
  jw_elem(w);
  jw_cstr(w, key);
  sp_buf_append(w->b, ":", 1);
  w->first = 1; /* the value that follows needs no comma */
}

/* Length of the valid UTF-8 sequence starting at p (1..4), or 0. */
static size_t utf8_seq(const uint8_t *p, size_t n) {
  uint8_t c = p[0];
  size_t len;
  uint32_t cp;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) len = 2, cp = c & 0x1f;
  else if (c >= 0xe0 && c <= 0xef) len = 3, cp = c & 0x0f;
  else if (c >= 0xf0 && c <= 0xf4) len = 4, cp = c & 0x07;
  else return 0;
  if (len > n) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((p[i] & 0xc0) != 0x80) return 0;
    cp = cp << 6 | (p[i] & 0x3f);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff))) return 0;
  if (cp >= 0xd800 && cp <= 0xdfff) return 0;
  return len;
}

void jw_str(jw *w, const char *s, size_t len) {
  static const char hex[] = "0123456789abcdef";
  const uint8_t *p = (const uint8_t *)s;
  /* worst case 6 bytes out per byte in, plus quotes */
  uint8_t *o = sp_buf_reserve(w->b, len * 6 + 2), *start = o;
  *o++ = '"';
  size_t i = 0;
  while (i < len) {
    uint8_t c = p[i];
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      *o++ = c;
      i++;
      continue;
    }
    if (c >= 0x80) {
      size_t k = utf8_seq(p + i, len - i);
      if (k) {
        memcpy(o, p + i, k);
        o += k;
        i += k;
        continue;
      }
    }
    *o++ = '\\';
    switch (c) {
    case '"': *o++ = '"'; break;
    case '\\': *o++ = '\\'; break;
    case '\n': *o++ = 'n'; break;
    case '\r': *o++ = 'r'; break;
    case '\t': *o++ = 't'; break;
    default:
      *o++ = 'u'; *o++ = '0'; *o++ = '0';
      *o++ = (uint8_t)hex[c >> 4];
      *o++ = (uint8_t)hex[c & 15];
    }
    i++;
  }
  *o++ = '"';
  sp_buf_commit(w->b, (size_t)(o - start));
  w->first = 0;
}

void jw_cstr(jw *w, const char *s) { jw_str(w, s, strlen(s)); }

size_t rs_i64_text(char *out, int64_t v) {
  char tmp[24];
  size_t n = 0;
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  do {
    tmp[n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  size_t k = 0;
  if (v < 0) out[k++] = '-';
  while (n) out[k++] = tmp[--n];
  out[k] = '\0';
  return k;
}

void jw_i64(jw *w, int64_t v) {
  char *o = (char *)sp_buf_reserve(w->b, 24);
  sp_buf_commit(w->b, rs_i64_text(o, v));
  w->first = 0;
}

void jw_u64(jw *w, uint64_t v) {
  char tmp[24];
  size_t n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  char *o = (char *)sp_buf_reserve(w->b, n);
  for (size_t i = 0; i < n; i++) o[i] = tmp[n - 1 - i];
  sp_buf_commit(w->b, n);
  w->first = 0;
}

void jw_double(jw *w, double v) {
  if (!isfinite(v)) {
    jw_null(w);
    return;
  }
  char tmp[40];
  /* the shortest of %.15g/%.16g/%.17g that reads back exactly */
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(tmp, sizeof tmp, "%.*g", prec, v);
    if (strtod(tmp, NULL) == v) break;
  }
  sp_buf_append(w->b, tmp, strlen(tmp));
  w->first = 0;
}

void jw_null(jw *w) {
  sp_buf_append(w->b, "null", 4);
  w->first = 0;
}

void jw_bool(jw *w, int v) {
  if (v) sp_buf_append(w->b, "true", 4);
  else sp_buf_append(w->b, "false", 5);
  w->first = 0;
}

void jw_raw(jw *w, const void *json, size_t len) {
  sp_buf_append(w->b, json, len);
  w->first = 0;
}

void jw_hex64(jw *w, uint64_t v) {
  static const char hex[] = "0123456789abcdef";
  char tmp[18];
  tmp[0] = '"';
  for (int i = 0; i < 16; i++) tmp[1 + i] = hex[(v >> (60 - 4 * i)) & 15];
  tmp[17] = '"';
  sp_buf_append(w->b, tmp, 18);
  w->first = 0;
}
