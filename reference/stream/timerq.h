/* timerq.h: a binary min-heap of event-time timers.
 *
 * Operators schedule "when the watermark reaches T, do X for this window or
 * key". Ties at the same T are broken by the operator's comparator (window
 * start, then key bytes), which makes the order in which results leave a
 * watermark advance deterministic and explainable: README.md documents it
 * as part of the output contract. A timer refers to operator state by
 * pointer; operators guarantee that state outlives its timers (or check a
 * generation number when the timer fires). */
#ifndef RS_TIMERQ_H
#define RS_TIMERQ_H

#include <stddef.h>
#include <stdint.h>

typedef struct rs_timer {
  int64_t time;  /* watermark value at which the timer is due */
  uint32_t kind; /* operator-defined (e.g. fire before expire) */
  uint32_t gen;  /* operator-defined check value */
  void *ref;     /* operator state */
} rs_timer;

/* Orders two timers with the same time; returns <0, 0, >0. */
typedef int (*rs_timer_tiebreak)(const rs_timer *a, const rs_timer *b);

typedef struct rs_timerq {
  rs_timer *heap;
  size_t len, cap;
  rs_timer_tiebreak tiebreak;
} rs_timerq;

void rs_timerq_init(rs_timerq *q, rs_timer_tiebreak tiebreak);
void rs_timerq_push(rs_timerq *q, rs_timer t);
/* The earliest timer (undefined when empty). */
static inline const rs_timer *rs_timerq_top(const rs_timerq *q) { return &q->heap[0]; }
/* Pops the earliest timer if its time <= wm; returns 1 and fills *out. */
int rs_timerq_pop_due(rs_timerq *q, int64_t wm, rs_timer *out);
/* Earliest timer time, INT64_MAX when empty. */
int64_t rs_timerq_next(const rs_timerq *q);
void rs_timerq_free(rs_timerq *q);

#endif
