/* aggregate.h: the running aggregate of a window, and emitting a window
 * result. Shared by every window operator.
 *
 * count, sum, min and max are kept exactly as integers (sum wraps mod 2^64
 * as two's complement); avg is sum / count computed in IEEE double only
 * when written. The coverage (first/last offset, n, oh) says exactly which
 * input records the result aggregates (README.md, "Coverage"). */
#ifndef RS_AGGREGATE_H
#define RS_AGGREGATE_H

#include <stdint.h>

#include "buf.h"
#include "keytab.h"
#include "kcodec.h"
#include "operator.h"
#include "record.h"

typedef struct rs_agg {
  uint64_t count;
  uint64_t sum; /* two's complement, wrapping */
  int64_t min, max;
  int64_t ts_last; /* time of the record added last */
  rs_cover cover;
} rs_agg;

void rs_agg_init(rs_agg *a);
/* Adds one record: its value, time and coverage (a window result brings
 * the coverage of everything it aggregates). */
void rs_agg_add(rs_agg *a, const rs_rec *r);
void rs_agg_merge(rs_agg *a, const rs_agg *b);
void rs_agg_save(const rs_agg *a, sp_buf *b);
void rs_agg_load(rs_agg *a, kreader *r);

/* Emits a window result downstream: its time is `ts`, its value the
 * aggregate the job chose (window.value, count by default). */
void rs_window_emit(rs_op *op, const char *type, const char *key, uint32_t key_len, int64_t start,
                    int64_t end, uint32_t rev, const rs_agg *a, int64_t ts,
                    const int64_t *superseded, size_t n_superseded);

/* floor(a / b) for b > 0, correct for negative a. */
static inline int64_t rs_floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

#endif
