/* op_session.c: session windows (README "Windows", session).
 *
 * Per key, accepted records (late when ts + gap - 1 + lateness <= W_before)
 * whose times differ by less than gap form one session [first time,
 * last time + gap). A record with time t merges with every live session of
 * its key that overlaps [t, t + gap) (s.start < t + gap && t < s.end) into
 * one. A session fires when W >= end - 1 and is dropped when
 * W >= end - 1 + lateness. A session that changed since it was last written
 * and is due is written at once, rev = (largest rev written for any merged
 * session) + 1, with `superseded` listing [start, end, rev] of the written
 * sessions it replaces (sorted; the one with its own bounds omitted). One
 * advance fires sessions in order of end, then key.
 *
 * Interpretation: a session that is due as soon as a record creates or
 * changes it is written at once (like a window already due), also when
 * nothing of it was written before (rev 0); the README says so explicitly
 * only for sessions written before. The written sessions a session
 * replaces are those its parts last wrote: writing a session replaces
 * everything it superseded, so they are not listed again. */
#include <stdlib.h>
#include <string.h>

#include "heap.h"
#include "mem.h"
#include "ptrvec.h"
#include "smap.h"
#include "window.h"

typedef struct sess {
  const char *key;
  uint32_t key_len;
  int64_t start, end;
  agg a;
  int64_t max_rev;  /* largest rev written of it or anything merged into it; -1 none */
  int64_t *written; /* triples start, end, rev: written versions it would replace */
  size_t n_written;
  int dirty; /* changed since last written (or never written) */
  int dead;  /* merged into another, or dropped */
} sess;

typedef struct session_state {
  const job_window *cfg;
  smap keys; /* key -> ptrvec of live sessions, by start */
  heap timers;
} session_state;

static void *session_create(task *t, int op) {
  session_state *s = sp_calloc(1, sizeof *s);
  s->cfg = &t->j->ops[op].u.window;
  window_timers_init(&s->timers);
  return s;
}

static int triple_cmp(const void *a, const void *b) {
  const int64_t *x = a, *y = b;
  for (int i = 0; i < 3; i++)
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

/* Writes session x now: the next revision, superseding what its parts wrote. */
static void write_session(task *t, int op, sess *x) {
  int64_t rev = x->max_rev + 1;
  int64_t *sup = sp_malloc((x->n_written ? x->n_written : 1) * 3 * sizeof *sup);
  size_t n = 0;
  for (size_t i = 0; i < x->n_written; i++) {
    const int64_t *w = &x->written[3 * i];
    if (w[0] == x->start && w[1] == x->end) continue; /* an earlier revision of itself */
    memcpy(&sup[3 * n++], w, 3 * sizeof *w);
  }
  if (n) qsort(sup, n, 3 * sizeof *sup, triple_cmp);
  window_emit(t, op, x->key, x->key_len, x->start, x->end, rev, &x->a, x->end - 1, sup, n);
  free(sup);
  x->written = arena_alloc(&t->ar, 3 * sizeof *x->written);
  x->written[0] = x->start;
  x->written[1] = x->end;
  x->written[2] = rev;
  x->n_written = 1;
  x->max_rev = rev;
  x->dirty = 0;
}

static void session_record(task *t, int op, void *state, const frec *r) {
  session_state *s = state;
  int64_t W = t->op_wm[op][0], L = t->j->lateness_ms, gap = s->cfg->gap_ms;
  if (r->ts + gap - 1 + L <= W) {
    task_late(t, op, r, W);
    return;
  }
  int inserted;
  ptrvec **slot = (ptrvec **)smap_put(&s->keys, r->key, r->key_len, &inserted);
  if (inserted) *slot = sp_calloc(1, sizeof(ptrvec));
  ptrvec *k = *slot;
  sess *x = arena_alloc(&t->ar, sizeof *x);
  x->key = r->key;
  x->key_len = r->key_len;
  x->start = r->ts;
  x->end = r->ts + gap;
  x->max_rev = -1;
  x->dirty = 1;
  agg_init(&x->a);
  agg_add(&x->a, r->value, &r->cv);
  ptrvec merged = {0};
  size_t n_written = 0;
  for (size_t i = 0; i < k->n;) {
    sess *o = k->v[i];
    if (!(o->start < r->ts + gap && r->ts < o->end)) {
      i++;
      continue;
    }
    if (o->start < x->start) x->start = o->start;
    if (o->end > x->end) x->end = o->end;
    agg_merge(&x->a, &o->a);
    if (o->max_rev > x->max_rev) x->max_rev = o->max_rev;
    n_written += o->n_written;
    o->dead = 1;
    ptrvec_remove_at(k, i);
    ptrvec_push(&merged, o);
  }
  if (n_written) {
    x->written = arena_alloc(&t->ar, n_written * 3 * sizeof *x->written);
    for (size_t m = 0; m < merged.n; m++) {
      const sess *o = merged.v[m];
      if (!o->n_written) continue;
      memcpy(&x->written[3 * x->n_written], o->written, o->n_written * 3 * sizeof *o->written);
      x->n_written += o->n_written;
    }
  }
  ptrvec_free(&merged);
  size_t i = 0;
  while (i < k->n && ((sess *)k->v[i])->start < x->start) i++;
  ptrvec_insert(k, i, x);
  window_timer_push(&s->timers, x->end - 1, x->end, x, 0);
  window_timer_push(&s->timers, x->end - 1 + L, x->end, x, 1);
  if (W >= x->end - 1) write_session(t, op, x);
}

/* A timer of a session merged away, or of an end it has grown past, is stale. */
static int current(const wtimer *tm) {
  const sess *x = tm->w;
  return !x->dead && x->end == tm->end;
}

static int dirty(const void *w) { return ((const sess *)w)->dirty; }

static int fire_order(const void *a, const void *b) {
  const sess *x = *(sess *const *)a, *y = *(sess *const *)b;
  if (x->end != y->end) return x->end < y->end ? -1 : 1;
  return bytes_cmp(x->key, x->key_len, y->key, y->key_len);
}

static void session_advance(task *t, int op, void *state, int input, int64_t old_w) {
  (void)old_w;
  if (input != 0) return;
  session_state *s = state;
  int64_t W = t->op_wm[op][0];
  ptrvec fire = {0}, drops = {0};
  window_timers_due(&s->timers, W, current, dirty, &fire, &drops);
  if (fire.n) qsort(fire.v, fire.n, sizeof *fire.v, fire_order);
  for (size_t i = 0; i < fire.n; i++) write_session(t, op, fire.v[i]);
  for (size_t i = 0; i < drops.n; i++) {
    sess *x = drops.v[i];
    x->dead = 1;
    ptrvec_remove(smap_get(&s->keys, x->key, x->key_len), x);
  }
  ptrvec_free(&fire);
  ptrvec_free(&drops);
}

static void session_destroy(void *state) {
  session_state *s = state;
  for (size_t i = 0; i < s->keys.cap; i++)
    if (s->keys.slots[i].key) {
      ptrvec_free(s->keys.slots[i].value);
      free(s->keys.slots[i].value);
    }
  smap_free(&s->keys);
  heap_free(&s->timers);
  free(s);
}

const op_impl op_session_impl = {.create = session_create, .record = session_record,
                                 .advance = session_advance, .destroy = session_destroy};
