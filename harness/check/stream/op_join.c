/* op_join.c: the windowed stream-stream join, inner and left (README
 * "join").
 *
 * Left = records reaching the operator (input 0), right = the other source
 * (input 1), joined on equal keys when
 * l.ts - before <= r.ts <= l.ts + after. Each side is late when
 * ts + lateness <= its own input's W_before. A pair is written when its
 * second record arrives (the pairs of one arriving record in (time, offset)
 * order of the other side). A left join also writes (l, null) for a left
 * record that never joined, once no right record can join it: when the
 * right W reaches l.ts + after + lateness (or at once if it already has).
 *
 * Not in the README, taken from refstream's output (reported as a spec
 * gap): a pair's key is the join key, its time max(l.ts, r.ts), its value
 * the left value; (l, null) has l's time and value. */
#include <stdlib.h>
#include <string.h>

#include "heap.h"
#include "mem.h"
#include "ptrvec.h"
#include "smap.h"
#include "task.h"

typedef struct jleft {
  snap s;
  int64_t need0; /* input 0's position when it reached the join */
  int joined;
  int gone; /* nulled or expired */
} jleft;

typedef struct jright {
  snap s;
} jright;

typedef struct jkey {
  ptrvec lefts;  /* jleft, by (time, offset) */
  ptrvec rights; /* jright, by (time, offset) */
} jkey;

typedef struct lexp {
  int64_t at; /* l.ts + after + lateness */
  jleft *l;
} lexp;

typedef struct join_state {
  const job_join *cfg;
  smap keys;
  heap expiry; /* lexp: lefts no right can join once W1 >= at */
} join_state;

static int lexp_less(const void *a, const void *b) {
  return ((const lexp *)a)->at < ((const lexp *)b)->at;
}

static void *join_create(task *t, int op) {
  join_state *s = sp_calloc(1, sizeof *s);
  s->cfg = &t->j->ops[op].u.join;
  heap_init(&s->expiry, sizeof(lexp), lexp_less);
  return s;
}

static jkey *key_of(join_state *s, const char *key, uint32_t len) {
  int inserted;
  jkey **slot = (jkey **)smap_put(&s->keys, key, len, &inserted);
  if (inserted) *slot = sp_calloc(1, sizeof(jkey));
  return *slot;
}

static int snap_before(const snap *a, const snap *b) {
  return a->ts < b->ts || (a->ts == b->ts && a->src->offset < b->src->offset);
}

/* Inserts x (whose first member is a snap) into v in (time, offset) order. */
static void insert_sorted(ptrvec *v, void *x) {
  size_t i = v->n;
  while (i > 0 && snap_before((const snap *)x, (const snap *)v->v[i - 1])) i--;
  ptrvec_insert(v, i, x);
}

static void emit_pair(task *t, int op, const snap *l, const snap *r) {
  frec out;
  memset(&out, 0, sizeof out);
  out.kind = RK_JOIN;
  out.key = l->key;
  out.key_len = l->key_len;
  out.ts = r && r->ts > l->ts ? r->ts : l->ts;
  out.value = l->value;
  out.src = l->src;
  out.s1 = *l;
  if (r) out.s2 = *r;
  out.cv = cover_of(l->src->offset);
  task_emit(t, op, &out);
}

static int in_range(const job_join *c, const snap *l, const snap *r) {
  return l->ts - c->before_ms <= r->ts && r->ts <= l->ts + c->after_ms;
}

static void left_record(task *t, int op, join_state *s, const frec *r) {
  int64_t L = t->j->lateness_ms, W0 = t->op_wm[op][0], W1 = t->op_wm[op][1];
  if (r->ts + L <= W0) {
    task_late(t, op, r, W0);
    return;
  }
  jkey *k = key_of(s, r->key, r->key_len);
  jleft *l = arena_alloc(&t->ar, sizeof *l);
  l->s = snap_of(r);
  l->need0 = t->pos[0];
  for (size_t i = 0; i < k->rights.n; i++) {
    const jright *x = k->rights.v[i];
    if (!in_range(s->cfg, &l->s, &x->s)) continue;
    l->joined = 1;
    t->need_other = x->s.src->offset + 1;
    emit_pair(t, op, &l->s, &x->s);
  }
  int64_t expiry = r->ts + s->cfg->after_ms + L;
  if (W1 >= expiry) { /* no right record can join it any more */
    if (!l->joined && s->cfg->left) {
      t->need_other = task_pos_when(t, 1, expiry);
      emit_pair(t, op, &l->s, NULL);
    }
    return;
  }
  insert_sorted(&k->lefts, l);
  heap_push(&s->expiry, &(lexp){expiry, l});
}

static void right_record(task *t, int op, join_state *s, const frec *r) {
  int64_t L = t->j->lateness_ms, W1 = t->op_wm[op][1];
  if (r->ts + L <= W1) {
    task_late(t, op, r, W1);
    return;
  }
  jkey *k = key_of(s, r->key, r->key_len);
  jright *x = arena_alloc(&t->ar, sizeof *x);
  x->s = snap_of(r);
  for (size_t i = 0; i < k->lefts.n; i++) {
    jleft *l = k->lefts.v[i];
    if (!in_range(s->cfg, &l->s, &x->s)) continue;
    l->joined = 1;
    t->need_other = l->need0;
    emit_pair(t, op, &l->s, &x->s);
  }
  insert_sorted(&k->rights, x);
}

static void join_record(task *t, int op, void *state, const frec *r) {
  if (r->input == 1) right_record(t, op, state, r);
  else left_record(t, op, state, r);
}

static int null_order(const void *a, const void *b) {
  const snap *x = &(*(jleft *const *)a)->s, *y = &(*(jleft *const *)b)->s;
  if (x->ts != y->ts) return x->ts < y->ts ? -1 : 1;
  int c = bytes_cmp(x->key, x->key_len, y->key, y->key_len);
  if (c) return c;
  return x->src->offset < y->src->offset ? -1 : x->src->offset > y->src->offset;
}

/* W1 advances: lefts no right can join any more leave the state; a left
 * join writes (l, null) for those that never joined. (W0 advancing changes
 * nothing: a right record stays harmlessly, no left it could join is
 * accepted any more.) */
static void join_advance(task *t, int op, void *state, int input, int64_t old_w) {
  (void)old_w;
  join_state *s = state;
  if (input != 1) return;
  int64_t W1 = t->op_wm[op][1];
  ptrvec done = {0};
  lexp e;
  while (heap_top(&s->expiry) && ((const lexp *)heap_top(&s->expiry))->at <= W1) {
    heap_pop(&s->expiry, &e);
    e.l->gone = 1;
    ptrvec_remove(&key_of(s, e.l->s.key, e.l->s.key_len)->lefts, e.l);
    if (!e.l->joined && s->cfg->left) ptrvec_push(&done, e.l);
  }
  if (done.n) qsort(done.v, done.n, sizeof *done.v, null_order);
  for (size_t i = 0; i < done.n; i++) {
    jleft *l = done.v[i];
    t->need_other = l->need0;
    emit_pair(t, op, &l->s, NULL);
  }
  ptrvec_free(&done);
}

static void join_destroy(void *state) {
  join_state *s = state;
  for (size_t i = 0; i < s->keys.cap; i++)
    if (s->keys.slots[i].key) {
      jkey *k = s->keys.slots[i].value;
      ptrvec_free(&k->lefts);
      ptrvec_free(&k->rights);
      free(k);
    }
  smap_free(&s->keys);
  heap_free(&s->expiry);
  free(s);
}

const op_impl op_join_impl = {.create = join_create, .record = join_record,
                              .advance = join_advance, .destroy = join_destroy};
