/* stored_list.h: a list of stored events kept in (time, offset) order, the
 * building block of the pattern, join and enrich operators (header only).
 * Inserting a record is O(n) in the list; lists hold one key's records
 * within the operator's time bound, so they stay short. */
#ifndef RS_STORED_LIST_H
#define RS_STORED_LIST_H

#include <stdlib.h>
#include <string.h>

#include "kcodec.h"
#include "mem.h"
#include "record.h"

typedef struct rs_slist {
  rs_stored **v;
  size_t n, cap;
} rs_slist;

/* (ts, offset) order; offsets of one input are unique. */
static inline int rs_stored_before(const rs_stored *a, int64_t ts, int64_t offset) {
  return a->ts < ts || (a->ts == ts && a->offset < offset);
}

/* Index of the first element not before (ts, offset). */
static inline size_t rs_slist_lower(const rs_slist *l, int64_t ts, int64_t offset) {
  size_t lo = 0, hi = l->n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (rs_stored_before(l->v[mid], ts, offset)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

static inline void rs_slist_insert(rs_slist *l, rs_stored *s) {
  size_t at = rs_slist_lower(l, s->ts, s->offset);
  if (l->n == l->cap) {
    l->cap = l->cap ? 2 * l->cap : 4;
    l->v = sp_realloc(l->v, l->cap * sizeof *l->v);
  }
  memmove(l->v + at + 1, l->v + at, (l->n - at) * sizeof *l->v);
  l->v[at] = s;
  l->n++;
}

/* Frees and removes the first n elements. */
static inline void rs_slist_drop_front(rs_slist *l, size_t n) {
  if (!n) return;
  for (size_t i = 0; i < n; i++) free(l->v[i]);
  memmove(l->v, l->v + n, (l->n - n) * sizeof *l->v);
  l->n -= n;
}

static inline void rs_slist_free(rs_slist *l) {
  rs_slist_drop_front(l, l->n);
  free(l->v);
  l->v = NULL;
  l->cap = 0;
}

/* Layout: i32 n | n stored events in list order. */
static inline void rs_slist_save(const rs_slist *l, sp_buf *b) {
  kw_i32(b, (int32_t)l->n);
  for (size_t i = 0; i < l->n; i++) rs_stored_save(l->v[i], b);
}

static inline int rs_slist_load(rs_slist *l, kreader *r) {
  int32_t n = kr_array(r, 40);
  if (r->err || n < 0) return -1;
  for (int32_t i = 0; i < n; i++) {
    rs_stored *s = rs_stored_load(r);
    if (!s) return -1;
    rs_slist_insert(l, s);
  }
  return 0;
}

#endif
