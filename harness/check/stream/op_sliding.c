/* op_sliding.c: sliding windows by time (README "Windows", sliding).
 *
 * One window per key and distinct record time t, covering (t - size, t]
 * (start t - size + 1, end t + 1). An accepted record (late when
 * ts + lateness <= W_before) creates window t = its time if the key does
 * not have it yet, then is added to every live window t' of its key with
 * t <= t' < t + size. A window fires when W >= t and is dropped when
 * W >= t + lateness. A record that lands in a window that already fired
 * re-emits it (rev + 1, in increasing t); a new window already due
 * (W_before >= t) is emitted at once with rev 0.
 *
 * Interpretation (README ambiguity, see harness/check/README.md): "covering
 * (t - size, t]" is taken literally: a new window starts with the key's
 * earlier accepted records whose times fall in (t - size, t], not empty.
 * The algorithmic sentence alone would leave it empty; refstream fills it. */
#include <stdlib.h>
#include <string.h>

#include "heap.h"
#include "mem.h"
#include "ptrvec.h"
#include "smap.h"
#include "window.h"

typedef struct srec {
  int64_t ts, value;
  cover cv;
} srec;

typedef struct swin {
  const char *key;
  uint32_t key_len;
  int64_t t;
  int64_t rev; /* -1: never emitted */
  agg a;
} swin;

typedef struct skey {
  srec *recs; /* accepted records, by time */
  size_t nr, cr;
  ptrvec wins; /* live windows (swin), by t */
} skey;

typedef struct sliding_state {
  const job_window *cfg;
  smap keys;
  heap timers;
} sliding_state;

static void *sliding_create(task *t, int op) {
  sliding_state *s = sp_calloc(1, sizeof *s);
  s->cfg = &t->j->ops[op].u.window;
  window_timers_init(&s->timers);
  return s;
}

static void emit(task *t, int op, sliding_state *s, swin *w) {
  w->rev++;
  window_emit(t, op, w->key, w->key_len, w->t - s->cfg->size_ms + 1, w->t + 1, w->rev, &w->a,
              w->t, NULL, 0);
}

/* Drops the records no future window can hold: a window created from now on
 * has t + lateness > W, so it only holds times > W - lateness - size. */
static void prune_records(skey *k, int64_t W, int64_t size, int64_t L) {
  size_t drop = 0;
  while (drop < k->nr && k->recs[drop].ts + size + L <= W) drop++;
  if (!drop) return;
  memmove(k->recs, k->recs + drop, (k->nr - drop) * sizeof *k->recs);
  k->nr -= drop;
}

/* The window of k at time t, created from the key's records in
 * (t - size, t] when absent; *created says which. */
static swin *window_at(task *t, sliding_state *s, skey *k, const frec *r, int *created) {
  size_t i = 0;
  *created = 0;
  while (i < k->wins.n && ((swin *)k->wins.v[i])->t < r->ts) i++;
  if (i < k->wins.n && ((swin *)k->wins.v[i])->t == r->ts) return k->wins.v[i];
  swin *w = arena_alloc(&t->ar, sizeof *w);
  w->key = r->key;
  w->key_len = r->key_len;
  w->t = r->ts;
  w->rev = -1;
  agg_init(&w->a);
  for (size_t j = 0; j < k->nr; j++)
    if (k->recs[j].ts > r->ts - s->cfg->size_ms && k->recs[j].ts <= r->ts)
      agg_add(&w->a, k->recs[j].value, &k->recs[j].cv);
  ptrvec_insert(&k->wins, i, w);
  window_timer_push(&s->timers, w->t, w->t + 1, w, 0);
  window_timer_push(&s->timers, w->t + t->j->lateness_ms, w->t + 1, w, 1);
  *created = 1;
  return w;
}

static void add_record(skey *k, const frec *r) {
  if (k->nr == k->cr) {
    k->cr = k->cr ? k->cr * 2 : 16;
    k->recs = sp_realloc(k->recs, k->cr * sizeof *k->recs);
  }
  size_t i = k->nr;
  while (i > 0 && k->recs[i - 1].ts > r->ts) i--;
  memmove(k->recs + i + 1, k->recs + i, (k->nr - i) * sizeof *k->recs);
  k->recs[i] = (srec){r->ts, r->value, r->cv};
  k->nr++;
}

static void sliding_record(task *t, int op, void *state, const frec *r) {
  sliding_state *s = state;
  int64_t W = t->op_wm[op][0], L = t->j->lateness_ms, size = s->cfg->size_ms;
  if (r->ts + L <= W) {
    task_late(t, op, r, W);
    return;
  }
  int inserted;
  skey **slot = (skey **)smap_put(&s->keys, r->key, r->key_len, &inserted);
  if (inserted) *slot = sp_calloc(1, sizeof(skey));
  skey *k = *slot;
  prune_records(k, W, size, L);
  int created;
  swin *mine = window_at(t, s, k, r, &created);
  add_record(k, r);
  for (size_t i = 0; i < k->wins.n; i++) {
    swin *w = k->wins.v[i];
    if (w->t < r->ts || w->t >= r->ts + size) continue;
    agg_add(&w->a, r->value, &r->cv);
    if (w->rev >= 0) emit(t, op, s, w);                    /* re-emitted: rev + 1 */
    else if (w == mine && created && W >= w->t) emit(t, op, s, w); /* due at once */
  }
}

static int never_emitted(const void *w) { return ((const swin *)w)->rev < 0; }

static int fire_order(const void *a, const void *b) {
  const swin *x = *(swin *const *)a, *y = *(swin *const *)b;
  if (x->t != y->t) return x->t < y->t ? -1 : 1; /* end, then start: both follow t */
  return bytes_cmp(x->key, x->key_len, y->key, y->key_len);
}

static void sliding_advance(task *t, int op, void *state, int input, int64_t old_w) {
  (void)old_w;
  if (input != 0) return;
  sliding_state *s = state;
  int64_t W = t->op_wm[op][0];
  ptrvec fire = {0}, drops = {0};
  window_timers_due(&s->timers, W, NULL, never_emitted, &fire, &drops);
  if (fire.n) qsort(fire.v, fire.n, sizeof *fire.v, fire_order);
  for (size_t i = 0; i < fire.n; i++) emit(t, op, s, fire.v[i]);
  for (size_t i = 0; i < drops.n; i++) {
    swin *w = drops.v[i];
    skey *k = smap_get(&s->keys, w->key, w->key_len);
    ptrvec_remove(&k->wins, w);
  }
  ptrvec_free(&fire);
  ptrvec_free(&drops);
}

static void sliding_destroy(void *state) {
  sliding_state *s = state;
  for (size_t i = 0; i < s->keys.cap; i++)
    if (s->keys.slots[i].key) {
      skey *k = s->keys.slots[i].value;
      free(k->recs);
      ptrvec_free(&k->wins);
      free(k);
    }
  smap_free(&s->keys);
  heap_free(&s->timers);
  free(s);
}

const op_impl op_sliding_impl = {.create = sliding_create, .record = sliding_record,
                                 .advance = sliding_advance, .destroy = sliding_destroy};
