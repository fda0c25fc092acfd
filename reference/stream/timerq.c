/* timerq.c: see timerq.h. */
#include "timerq.h"

#include <stdlib.h>

#include "mem.h"

void rs_timerq_init(rs_timerq *q, rs_timer_tiebreak tiebreak) {
  q->heap = NULL;
  q->len = q->cap = 0;
  q->tiebreak = tiebreak;
}

/* Timer order: time, then kind, then the operator's tie-break. */
static int less(const rs_timerq *q, const rs_timer *a, const rs_timer *b) {
  if (a->time != b->time) return a->time < b->time;
  if (a->kind != b->kind) return a->kind < b->kind;
  return q->tiebreak ? q->tiebreak(a, b) < 0 : 0;
}

void rs_timerq_push(rs_timerq *q, rs_timer t) {
  if (q->len == q->cap) {
    q->cap = q->cap ? q->cap * 2 : 64;
    q->heap = sp_realloc(q->heap, q->cap * sizeof *q->heap);
  }
  size_t i = q->len++;
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (!less(q, &t, &q->heap[parent])) break;
    q->heap[i] = q->heap[parent];
    i = parent;
  }
  q->heap[i] = t;
}

int rs_timerq_pop_due(rs_timerq *q, int64_t wm, rs_timer *out) {
  if (!q->len || q->heap[0].time > wm) return 0;
  *out = q->heap[0];
  rs_timer last = q->heap[--q->len];
  size_t i = 0, n = q->len;
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && less(q, &q->heap[c + 1], &q->heap[c])) c++;
    if (!less(q, &q->heap[c], &last)) break;
    q->heap[i] = q->heap[c];
    i = c;
  }
  if (n) q->heap[i] = last;
  return 1;
}

int64_t rs_timerq_next(const rs_timerq *q) { return q->len ? q->heap[0].time : INT64_MAX; }

void rs_timerq_free(rs_timerq *q) {
  free(q->heap);
  q->heap = NULL;
  q->len = q->cap = 0;
}
