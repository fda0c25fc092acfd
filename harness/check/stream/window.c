/* window.c: see window.h. */
#include "window.h"

#include <string.h>

int64_t window_value(const job_window *cfg, const agg *a) {
  switch (cfg->value) {
  case AGG_SUM: return (int64_t)a->sum;
  case AGG_MIN: return a->min;
  case AGG_MAX: return a->max;
  default: return a->count;
  }
}

void window_emit(task *t, int op, const char *key, uint32_t key_len, int64_t start, int64_t end,
                 int64_t rev, const agg *a, int64_t ts, const int64_t *sup, size_t n_sup) {
  winres *w = arena_alloc(&t->ar, sizeof *w);
  w->cfg = &t->j->ops[op].u.window;
  w->start = start;
  w->end = end;
  w->rev = rev;
  w->a = *a;
  if (n_sup) {
    w->superseded = arena_alloc(&t->ar, n_sup * 3 * sizeof(int64_t));
    memcpy(w->superseded, sup, n_sup * 3 * sizeof(int64_t));
    w->n_sup = n_sup;
  }
  frec f;
  memset(&f, 0, sizeof f);
  f.kind = RK_WINDOW;
  f.key = key;
  f.key_len = key_len;
  f.ts = ts;
  f.value = window_value(w->cfg, a);
  f.w = w;
  f.cv = a->cv;
  task_emit(t, op, &f);
}

static int timer_less(const void *a, const void *b) {
  return ((const wtimer *)a)->at < ((const wtimer *)b)->at;
}

void window_timers_init(heap *h) { heap_init(h, sizeof(wtimer), timer_less); }

void window_timer_push(heap *h, int64_t at, int64_t end, void *w, int drop) {
  heap_push(h, &(wtimer){at, end, w, drop});
}

void window_timers_due(heap *h, int64_t W, int (*live)(const wtimer *), int (*pending)(const void *w),
                       ptrvec *fire, ptrvec *drops) {
  wtimer tm;
  while (heap_top(h) && ((const wtimer *)heap_top(h))->at <= W) {
    heap_pop(h, &tm);
    if (live && !live(&tm)) continue;
    if (tm.drop) ptrvec_push(drops, tm.w);
    else if (pending(tm.w)) ptrvec_push(fire, tm.w);
  }
}
