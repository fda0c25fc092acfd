/* op_stateless.c: filter, transform and threshold (README "filter,
 * transform, threshold"). They pass records of any kind; only threshold's
 * crossing mode keeps state (per key: was the last record with the field
 * above?). */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "smap.h"
#include "task.h"

static const job_op *op_of(task *t, int op) { return &t->j->ops[op]; }

static void filter_record(task *t, int op, void *state, const frec *r) {
  (void)state;
  if (task_pred(t, &op_of(t, op)->u.filter, r)) task_emit(t, op, r);
}

const op_impl op_filter_impl = {.record = filter_record};

/* key := text of a field (string as is, integer decimal, real %.17g,
 * missing ""); value := field * mul + add, wrapping; a record whose value
 * field is missing or not an integer is dropped. */
static void transform_record(task *t, int op, void *state, const frec *r) {
  (void)state;
  const job_transform *x = &op_of(t, op)->u.transform;
  frec out = *r;
  if (x->value_field) {
    sval v = task_field(t, r, x->value_field);
    if (v.t != SV_INT) {
      task_dropped(t);
      return;
    }
    out.value = (int64_t)((uint64_t)v.i * (uint64_t)x->mul + (uint64_t)x->add);
  }
  if (x->key_field) {
    sval k = task_field(t, r, x->key_field);
    char buf[64];
    const char *text;
    size_t n = sval_text(&k, buf, sizeof buf, &text);
    out.key = task_key_dup(t, text, n);
    out.key_len = (uint32_t)n;
  }
  task_emit(t, op, &out);
}

const op_impl op_transform_impl = {.record = transform_record};

/* Crossing state: keys whose last record with the field was above. */
typedef struct thr_state {
  smap above; /* key -> (void *)1 above, (void *)2 not above */
} thr_state;

static void *threshold_create(task *t, int op) {
  (void)t;
  (void)op;
  return sp_calloc(1, sizeof(thr_state));
}

static void threshold_record(task *t, int op, void *state, const frec *r) {
  const job_threshold *x = &op_of(t, op)->u.threshold;
  sval v = task_field(t, r, x->field);
  int c;
  if (!sval_compare(&v, &x->above, &c) || v.t == SV_STR) {
    return; /* no numeric field: neither passes nor changes the state */
  }
  int above = c > 0;
  if (!x->crossing) {
    if (above) task_emit(t, op, r);
    return;
  }
  thr_state *s = state;
  int inserted;
  /* keys live in the task's arena until the task is done: no copy needed */
  void **slot = smap_put(&s->above, r->key, r->key_len, &inserted);
  int was_above = !inserted && *slot == (void *)1; /* a key starts "not above" */
  *slot = above ? (void *)1 : (void *)2;
  if (above == was_above) return;
  if (!above && !x->emit_fall) return;
  frec out = *r;
  out.alert = above ? 1 : 2;
  task_emit(t, op, &out);
}

static void threshold_destroy(void *state) {
  thr_state *s = state;
  smap_free(&s->above);
  free(s);
}

const op_impl op_threshold_impl = {.create = threshold_create, .record = threshold_record,
                                   .destroy = threshold_destroy};
