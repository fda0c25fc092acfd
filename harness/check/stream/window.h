/* window.h: what the window operators share: emitting a result (README
 * "Windows": time = end - 1, or the completing record's time for count
 * windows; key; value = the aggregate named by `value`) and floor division
 * for window starts before time 0. */
#ifndef SP_ORACLE_WINDOW_H
#define SP_ORACLE_WINDOW_H

#include "heap.h"
#include "ptrvec.h"
#include "task.h"

/* floor(a / b) for b > 0. */
static inline int64_t floordiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

/* The value a window result carries downstream. */
int64_t window_value(const job_window *cfg, const agg *a);

/* Emits a window result from operator op: key (arena), bounds, revision,
 * aggregates, time, and (sessions) the superseded triples (copied). */
void window_emit(task *t, int op, const char *key, uint32_t key_len, int64_t start, int64_t end,
                 int64_t rev, const agg *a, int64_t ts, const int64_t *sup, size_t n_sup);

/* A window timer: at `at` the window w fires (drop = 0) or is dropped
 * (drop = 1). `end` is the window's end when the timer was set (sessions
 * grow: a timer of an older end is stale). */
typedef struct wtimer {
  int64_t at, end;
  void *w;
  int drop;
} wtimer;

void window_timers_init(heap *h);
void window_timer_push(heap *h, int64_t at, int64_t end, void *w, int drop);

/* Pops every timer due at W into fire and drops (windows, in no order):
 * those for which live() is false are skipped, fire timers also when
 * pending() is false (the window was already emitted). */
void window_timers_due(heap *h, int64_t W, int (*live)(const wtimer *), int (*pending)(const void *w),
                       ptrvec *fire, ptrvec *drops);

#endif
