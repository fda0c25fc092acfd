/* op_pattern.c: "A then B within T" and "A without B within T" (README
 * "pattern").
 *
 * Per key, a record satisfying `first` is an A, one satisfying `then` a B
 * (a record can be both; one satisfying neither is dropped). An A or B with
 * ts + T + lateness <= W_before is late. For each accepted A the decision is
 * taken when W reaches A.ts + T + lateness: its match is the earliest B
 * after it in (time, offset) order with B.ts <= A.ts + T. A match gives a
 * `match` record (time B.ts), none an `absence` (time A.ts + T); one B may
 * complete several As. Decisions of one advance leave in order of A time,
 * key, A offset.
 *
 * Not in the README, taken from refstream's output (reported as a spec
 * gap): the value of a match or absence is A's value. */
#include <stdlib.h>
#include <string.h>

#include "heap.h"
#include "mem.h"
#include "smap.h"
#include "task.h"

typedef struct bvec {
  snap *v; /* the key's accepted Bs, by (time, offset) */
  size_t n, cap;
} bvec;

typedef struct pending_a {
  int64_t due; /* A.ts + T + lateness */
  frec a;
} pending_a;

typedef struct pattern_state {
  const job_pattern *cfg;
  smap bs; /* key -> bvec */
  heap as; /* pending_a by due */
} pattern_state;

static int due_less(const void *a, const void *b) {
  return ((const pending_a *)a)->due < ((const pending_a *)b)->due;
}

static void *pattern_create(task *t, int op) {
  pattern_state *s = sp_calloc(1, sizeof *s);
  s->cfg = &t->j->ops[op].u.pattern;
  heap_init(&s->as, sizeof(pending_a), due_less);
  return s;
}

/* (ts, offset) order of two snapshots. */
static int snap_before(int64_t ts, int64_t off, int64_t ts2, int64_t off2) {
  return ts < ts2 || (ts == ts2 && off < off2);
}

static void add_b(pattern_state *s, const frec *r) {
  int inserted;
  bvec **slot = (bvec **)smap_put(&s->bs, r->key, r->key_len, &inserted);
  if (inserted) *slot = sp_calloc(1, sizeof(bvec));
  bvec *b = *slot;
  if (b->n == b->cap) {
    b->cap = b->cap ? b->cap * 2 : 8;
    b->v = sp_realloc(b->v, b->cap * sizeof *b->v);
  }
  size_t i = b->n;
  while (i > 0 && snap_before(r->ts, r->src->offset, b->v[i - 1].ts, b->v[i - 1].src->offset)) i--;
  memmove(b->v + i + 1, b->v + i, (b->n - i) * sizeof *b->v);
  b->v[i] = snap_of(r);
  b->n++;
}

static void pattern_record(task *t, int op, void *state, const frec *r) {
  pattern_state *s = state;
  int is_a = task_pred(t, &s->cfg->first, r), is_b = task_pred(t, &s->cfg->then, r);
  if (!is_a && !is_b) return;
  int64_t W = t->op_wm[op][0], horizon = s->cfg->within_ms + t->j->lateness_ms;
  if (r->ts + horizon <= W) {
    task_late(t, op, r, W);
    return;
  }
  if (is_b) add_b(s, r);
  if (is_a) heap_push(&s->as, &(pending_a){r->ts + horizon, *r});
}

static int decision_order(const void *a, const void *b) {
  const frec *x = &((const pending_a *)a)->a, *y = &((const pending_a *)b)->a;
  if (x->ts != y->ts) return x->ts < y->ts ? -1 : 1;
  int c = bytes_cmp(x->key, x->key_len, y->key, y->key_len);
  if (c) return c;
  return x->src->offset < y->src->offset ? -1 : x->src->offset > y->src->offset;
}

/* Decides one A: its earliest B after it within T, or none. */
static void decide(task *t, int op, pattern_state *s, const frec *a) {
  bvec *b = smap_get(&s->bs, a->key, a->key_len);
  const snap *match = NULL;
  for (size_t i = 0; b && i < b->n; i++) {
    const snap *x = &b->v[i];
    if (!snap_before(a->ts, a->src->offset, x->ts, x->src->offset)) continue;
    if (x->ts <= a->ts + s->cfg->within_ms) match = x;
    break;
  }
  if (match ? !(s->cfg->emit & EMIT_MATCHES) : !(s->cfg->emit & EMIT_ABSENCES)) return;
  frec out;
  memset(&out, 0, sizeof out);
  out.kind = match ? RK_MATCH : RK_ABSENCE;
  out.key = a->key;
  out.key_len = a->key_len;
  out.ts = match ? match->ts : a->ts + s->cfg->within_ms;
  out.value = a->value;
  out.src = a->src;
  out.s1 = snap_of(a);
  if (match) out.s2 = *match;
  out.cv = a->cv;
  task_emit(t, op, &out);
}

/* Bs no undecided or future A can use: B.ts <= W - T - lateness. */
static void prune_bs(pattern_state *s, const frec *a, int64_t limit) {
  bvec *b = smap_get(&s->bs, a->key, a->key_len);
  size_t drop = 0;
  while (b && drop < b->n && b->v[drop].ts <= limit) drop++;
  if (!drop) return;
  memmove(b->v, b->v + drop, (b->n - drop) * sizeof *b->v);
  b->n -= drop;
}

static void pattern_advance(task *t, int op, void *state, int input, int64_t old_w) {
  (void)old_w;
  if (input != 0) return;
  pattern_state *s = state;
  int64_t W = t->op_wm[op][0];
  pending_a *due = NULL;
  size_t n = 0, cap = 0;
  while (heap_top(&s->as) && ((const pending_a *)heap_top(&s->as))->due <= W) {
    if (n == cap) {
      cap = cap ? cap * 2 : 16;
      due = sp_realloc(due, cap * sizeof *due);
    }
    heap_pop(&s->as, &due[n++]);
  }
  if (n) qsort(due, n, sizeof *due, decision_order);
  for (size_t i = 0; i < n; i++) decide(t, op, s, &due[i].a);
  for (size_t i = 0; i < n; i++)
    prune_bs(s, &due[i].a, W - s->cfg->within_ms - t->j->lateness_ms);
  free(due);
}

static void pattern_destroy(void *state) {
  pattern_state *s = state;
  for (size_t i = 0; i < s->bs.cap; i++)
    if (s->bs.slots[i].key) {
      bvec *b = s->bs.slots[i].value;
      free(b->v);
      free(b);
    }
  smap_free(&s->bs);
  heap_free(&s->as);
  free(s);
}

const op_impl op_pattern_impl = {.create = pattern_create, .record = pattern_record,
                                 .advance = pattern_advance, .destroy = pattern_destroy};
