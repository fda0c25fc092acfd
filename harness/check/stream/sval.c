/* sval.c: see sval.h. */
#include "sval.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bytes_cmp(const char *a, size_t alen, const char *b, size_t blen) {
  size_t n = alen < blen ? alen : blen;
  int c = n ? memcmp(a, b, n) : 0;
  if (c) return c;
  return alen < blen ? -1 : alen > blen ? 1 : 0;
}

int sval_compare(const sval *a, const sval *b, int *res) {
  if (a->t == SV_MISSING || b->t == SV_MISSING) return 0;
  if (a->t == SV_STR || b->t == SV_STR) {
    if (a->t != b->t) return 0;
    *res = bytes_cmp(a->s, a->len, b->s, b->len);
    return 1;
  }
  if (a->t == SV_INT && b->t == SV_INT) {
    *res = a->i < b->i ? -1 : a->i > b->i ? 1 : 0;
    return 1;
  }
  double x = a->t == SV_INT ? (double)a->i : a->d, y = b->t == SV_INT ? (double)b->i : b->d;
  if (x != x || y != y) return 0; /* NaN compares with nothing */
  *res = x < y ? -1 : x > y ? 1 : 0;
  return 1;
}

size_t sval_text(const sval *v, char *buf, size_t cap, const char **out) {
  int n = 0;
  *out = buf;
  switch (v->t) {
  case SV_STR: *out = v->s; return v->len;
  case SV_INT: n = snprintf(buf, cap, "%lld", (long long)v->i); break;
  case SV_REAL: n = snprintf(buf, cap, "%.17g", v->d); break;
  default: return 0;
  }
  return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

sval sval_parse_scalar(const char *s, size_t len, int quoted) {
  if (quoted || len == 0 || len > 200) return sval_str(s, len);
  char tmp[256];
  memcpy(tmp, s, len);
  tmp[len] = '\0';
  char *end;
  errno = 0;
  long long i = strtoll(tmp, &end, 10);
  if (*end == '\0' && errno == 0 && end != tmp && tmp[0] != ' ') return sval_int(i);
  errno = 0;
  double d = strtod(tmp, &end);
  if (*end == '\0' && end != tmp && tmp[0] != ' ') return sval_real(d);
  return sval_str(s, len);
}
