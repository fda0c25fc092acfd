/* op_window.c: tumbling and hopping windows by time (README "Windows").
 *
 * A record with time t belongs to every window [s, s + size) with
 * s = offset + k * advance and s <= t < s + size. For each, in increasing
 * s: expired (W_before >= s + size - 1 + lateness) windows are skipped;
 * otherwise the record is added, and a window already due
 * (W_before >= s + size - 1) is emitted at once (rev 0 if never emitted,
 * else rev + 1). A record added to no window is late. A window fires
 * (rev 0) when W reaches end - 1 and is dropped when W reaches
 * end - 1 + lateness; the windows one advance fires leave in order of end,
 * start, key. */
#include <stdlib.h>
#include <string.h>

#include "heap.h"
#include "mem.h"
#include "ptrvec.h"
#include "smap.h"
#include "window.h"

typedef struct twin {
  const char *key;
  uint32_t key_len;
  int64_t start, end;
  int64_t rev; /* last revision emitted, -1: never */
  agg a;
} twin;

typedef struct win_state {
  const job_window *cfg;
  smap keys; /* key -> ptrvec of its open windows (twin), by start */
  heap timers;
  int ledger; /* the task's ledger is this operator's (see win_create) */
} win_state;

static void *win_create(task *t, int op) {
  win_state *s = sp_calloc(1, sizeof *s);
  s->cfg = &t->j->ops[op].u.window;
  window_timers_init(&s->timers);
  /* the ledger: a last tumbling window puts every record that reaches it in
   * exactly one result (or the late sink, or a window never fired) */
  s->ledger = s->cfg->type == WIN_TUMBLING && (size_t)op + 1 == t->j->n_ops;
  if (s->ledger) {
    t->ledger_op = op;
    t->ledger_in = cover_empty();
  }
  return s;
}

/* The open window of key starting at start, created (with its timers) if
 * absent. */
static twin *window_at(task *t, win_state *s, const frec *r, int64_t start) {
  int inserted;
  ptrvec **slot = (ptrvec **)smap_put(&s->keys, r->key, r->key_len, &inserted);
  if (inserted) *slot = sp_calloc(1, sizeof(ptrvec));
  ptrvec *k = *slot;
  size_t i = 0;
  while (i < k->n && ((twin *)k->v[i])->start < start) i++;
  if (i < k->n && ((twin *)k->v[i])->start == start) return k->v[i];
  twin *w = arena_alloc(&t->ar, sizeof *w);
  w->key = r->key;
  w->key_len = r->key_len;
  w->start = start;
  w->end = start + s->cfg->size_ms;
  w->rev = -1;
  agg_init(&w->a);
  ptrvec_insert(k, i, w);
  window_timer_push(&s->timers, w->end - 1, w->end, w, 0);
  window_timer_push(&s->timers, w->end - 1 + t->j->lateness_ms, w->end, w, 1);
  return w;
}

static void emit(task *t, int op, twin *w) {
  w->rev++;
  window_emit(t, op, w->key, w->key_len, w->start, w->end, w->rev, &w->a, w->end - 1, NULL, 0);
}

static void win_record(task *t, int op, void *state, const frec *r) {
  win_state *s = state;
  const job_window *c = s->cfg;
  int64_t W = t->op_wm[op][0], L = t->j->lateness_ms;
  if (op == t->ledger_op) cover_add(&t->ledger_in, &r->cv);
  int64_t last = c->offset_ms + floordiv(r->ts - c->offset_ms, c->advance_ms) * c->advance_ms;
  int64_t first = last;
  while (first - c->advance_ms > r->ts - c->size_ms) first -= c->advance_ms;
  int added = 0;
  for (int64_t st = first; st <= last; st += c->advance_ms) {
    int64_t end = st + c->size_ms;
    if (W >= end - 1 + L) continue; /* expired */
    twin *w = window_at(t, s, r, st);
    agg_add(&w->a, r->value, &r->cv);
    added = 1;
    if (W >= end - 1) emit(t, op, w); /* already due */
  }
  if (!added) task_late(t, op, r, W);
}

static int never_emitted(const void *w) { return ((const twin *)w)->rev < 0; }

static int fire_order(const void *a, const void *b) {
  const twin *x = *(twin *const *)a, *y = *(twin *const *)b;
  if (x->end != y->end) return x->end < y->end ? -1 : 1;
  if (x->start != y->start) return x->start < y->start ? -1 : 1;
  return bytes_cmp(x->key, x->key_len, y->key, y->key_len);
}

static void win_advance(task *t, int op, void *state, int input, int64_t old_w) {
  (void)old_w;
  if (input != 0) return;
  win_state *s = state;
  int64_t W = t->op_wm[op][0];
  ptrvec fire = {0}, drops = {0};
  window_timers_due(&s->timers, W, NULL, never_emitted, &fire, &drops);
  if (fire.n) qsort(fire.v, fire.n, sizeof *fire.v, fire_order);
  for (size_t i = 0; i < fire.n; i++) emit(t, op, fire.v[i]);
  for (size_t i = 0; i < drops.n; i++) {
    twin *w = drops.v[i];
    ptrvec_remove(smap_get(&s->keys, w->key, w->key_len), w);
  }
  ptrvec_free(&fire);
  ptrvec_free(&drops);
}

/* The ledger's "still open, never fired" part. */
static void win_finish(task *t, int op, void *state) {
  win_state *s = state;
  if (op != t->ledger_op) return;
  t->ledger_unfired = cover_empty();
  for (size_t i = 0; i < s->keys.cap; i++) {
    ptrvec *k = s->keys.slots[i].key ? s->keys.slots[i].value : NULL;
    for (size_t w = 0; k && w < k->n; w++) {
      const twin *x = k->v[w];
      if (x->rev < 0) cover_add(&t->ledger_unfired, &x->a.cv);
    }
  }
}

static void win_destroy(void *state) {
  win_state *s = state;
  for (size_t i = 0; i < s->keys.cap; i++)
    if (s->keys.slots[i].key) {
      ptrvec_free(s->keys.slots[i].value);
      free(s->keys.slots[i].value);
    }
  smap_free(&s->keys);
  heap_free(&s->timers);
  free(s);
}

const op_impl op_window_impl = {.create = win_create, .record = win_record,
                                .advance = win_advance, .finish = win_finish,
                                .destroy = win_destroy};
