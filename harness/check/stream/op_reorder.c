/* op_reorder.c: the buffered reordering stage (README "reorder").
 *
 * Holds records and releases each when W >= its time, in (time, offset)
 * order. A record with time <= W_before is late (allowed lateness does not
 * apply). */
#include <stdlib.h>

#include "heap.h"
#include "mem.h"
#include "task.h"

static int held_less(const void *a, const void *b) {
  const frec *x = a, *y = b;
  if (x->ts != y->ts) return x->ts < y->ts;
  return x->src->offset < y->src->offset;
}

static void *reorder_create(task *t, int op) {
  (void)t;
  (void)op;
  heap *h = sp_calloc(1, sizeof *h);
  heap_init(h, sizeof(frec), held_less);
  return h;
}

static void reorder_record(task *t, int op, void *state, const frec *r) {
  int64_t W = t->op_wm[op][r->input];
  if (r->ts <= W) task_late(t, op, r, W);
  else heap_push(state, r);
}

static void reorder_advance(task *t, int op, void *state, int input, int64_t old_w) {
  (void)old_w;
  heap *h = state;
  int64_t W = t->op_wm[op][input];
  frec r;
  while (heap_top(h) && ((const frec *)heap_top(h))->ts <= W) {
    heap_pop(h, &r);
    task_emit(t, op, &r);
  }
}

static void reorder_destroy(void *state) {
  heap_free(state);
  free(state);
}

const op_impl op_reorder_impl = {.create = reorder_create, .record = reorder_record,
                                 .advance = reorder_advance, .destroy = reorder_destroy};
