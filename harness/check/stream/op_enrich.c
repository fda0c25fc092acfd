/* op_enrich.c: the stream-table join (README "enrich").
 *
 * The table source (input 1) is a changelog: each record is a version of
 * its key's row, valid from its time; a tombstone deletes the row from its
 * time. A table record with ts + lateness <= W_table_before is late. A
 * stream record e (late when e.ts + lateness <= W0_before) joins the
 * version current at e's time: the latest non-late version with
 * time <= e.ts (equal times: the higher offset), unless it is a tombstone.
 * It waits until the table's W reaches e.ts + lateness (at once if it
 * already has). Records one advance releases leave in order of time, key,
 * offset. Inner: no row, no output (counted as dropped); left: table null.
 * The result carries e's key, time and value (observed: the README does not
 * name them). */
#include <stdlib.h>
#include <string.h>

#include "heap.h"
#include "mem.h"
#include "smap.h"
#include "task.h"

typedef struct version {
  snap s;
  int tombstone;
} version;

typedef struct vvec {
  version *v; /* by (time, offset) */
  size_t n, cap;
} vvec;

typedef struct waiting {
  int64_t due; /* e.ts + lateness */
  int64_t need0;
  frec e;
} waiting;

typedef struct enrich_state {
  const job_join *cfg;
  smap table; /* key -> vvec */
  heap waiting;
} enrich_state;

static int due_less(const void *a, const void *b) {
  return ((const waiting *)a)->due < ((const waiting *)b)->due;
}

static void *enrich_create(task *t, int op) {
  enrich_state *s = sp_calloc(1, sizeof *s);
  s->cfg = &t->j->ops[op].u.join;
  heap_init(&s->waiting, sizeof(waiting), due_less);
  return s;
}

static void add_version(enrich_state *s, const frec *r) {
  int inserted;
  vvec **slot = (vvec **)smap_put(&s->table, r->key, r->key_len, &inserted);
  if (inserted) *slot = sp_calloc(1, sizeof(vvec));
  vvec *v = *slot;
  if (v->n == v->cap) {
    v->cap = v->cap ? v->cap * 2 : 8;
    v->v = sp_realloc(v->v, v->cap * sizeof *v->v);
  }
  size_t i = v->n;
  while (i > 0 && (v->v[i - 1].s.ts > r->ts ||
                   (v->v[i - 1].s.ts == r->ts && v->v[i - 1].s.src->offset > r->src->offset)))
    i--;
  memmove(v->v + i + 1, v->v + i, (v->n - i) * sizeof *v->v);
  v->v[i] = (version){snap_of(r), r->src->tombstone};
  v->n++;
}

/* Emits e with the version current at its time. */
static void resolve(task *t, int op, enrich_state *s, const frec *e) {
  vvec *v = smap_get(&s->table, e->key, e->key_len);
  const version *cur = NULL;
  for (size_t i = 0; v && i < v->n && v->v[i].s.ts <= e->ts; i++) cur = &v->v[i];
  if (cur && cur->tombstone) cur = NULL;
  if (!cur && !s->cfg->left) {
    task_dropped(t);
    return;
  }
  frec out = *e;
  out.kind = RK_ENRICH;
  out.s1 = snap_of(e);
  memset(&out.s2, 0, sizeof out.s2);
  if (cur) out.s2 = cur->s;
  task_emit(t, op, &out);
}

static void enrich_record(task *t, int op, void *state, const frec *r) {
  enrich_state *s = state;
  int64_t L = t->j->lateness_ms, W = t->op_wm[op][r->input];
  if (r->ts + L <= W) {
    task_late(t, op, r, W);
    return;
  }
  if (r->input == 1) {
    add_version(s, r);
    return;
  }
  if (t->op_wm[op][1] >= r->ts + L) {
    t->need_other = task_pos_when(t, 1, r->ts + L);
    resolve(t, op, s, r);
  } else {
    heap_push(&s->waiting, &(waiting){r->ts + L, t->pos[0], *r});
  }
}

static int release_order(const void *a, const void *b) {
  const frec *x = &((const waiting *)a)->e, *y = &((const waiting *)b)->e;
  if (x->ts != y->ts) return x->ts < y->ts ? -1 : 1;
  int c = bytes_cmp(x->key, x->key_len, y->key, y->key_len);
  if (c) return c;
  return x->src->offset < y->src->offset ? -1 : x->src->offset > y->src->offset;
}

static void enrich_advance(task *t, int op, void *state, int input, int64_t old_w) {
  (void)old_w;
  if (input != 1) return;
  enrich_state *s = state;
  int64_t W1 = t->op_wm[op][1];
  waiting *due = NULL;
  size_t n = 0, cap = 0;
  while (heap_top(&s->waiting) && ((const waiting *)heap_top(&s->waiting))->due <= W1) {
    if (n == cap) {
      cap = cap ? cap * 2 : 16;
      due = sp_realloc(due, cap * sizeof *due);
    }
    heap_pop(&s->waiting, &due[n++]);
  }
  if (n) qsort(due, n, sizeof *due, release_order);
  for (size_t i = 0; i < n; i++) {
    t->need_other = due[i].need0;
    resolve(t, op, s, &due[i].e);
  }
  free(due);
}

static void enrich_destroy(void *state) {
  enrich_state *s = state;
  for (size_t i = 0; i < s->table.cap; i++)
    if (s->table.slots[i].key) {
      vvec *v = s->table.slots[i].value;
      free(v->v);
      free(v);
    }
  smap_free(&s->table);
  heap_free(&s->waiting);
  free(s);
}

const op_impl op_enrich_impl = {.create = enrich_create, .record = enrich_record,
                                .advance = enrich_advance, .destroy = enrich_destroy};
