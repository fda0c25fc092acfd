/* aggregate.c: see aggregate.h. */
#include "aggregate.h"

#include <string.h>

void rs_agg_init(rs_agg *a) {
  memset(a, 0, sizeof *a);
  a->min = INT64_MAX;
  a->max = INT64_MIN;
}

void rs_agg_add(rs_agg *a, const rs_rec *r) {
  a->count++; /* records reaching the window (a window result counts as one) */
  a->sum += (uint64_t)r->value;
  if (r->value < a->min) a->min = r->value;
  if (r->value > a->max) a->max = r->value;
  a->ts_last = r->ts;
  rs_cover_add(&a->cover, &r->cover);
}

void rs_agg_merge(rs_agg *a, const rs_agg *b) {
  if (!b->count) return;
  a->count += b->count;
  a->sum += b->sum;
  if (b->min < a->min) a->min = b->min;
  if (b->max > a->max) a->max = b->max;
  a->ts_last = b->ts_last;
  rs_cover_add(&a->cover, &b->cover);
}

/* Layout: u64 count | u64 sum | i64 min | i64 max | i64 ts_last |
 *         i64 first | i64 last | u64 n | u64 oh */
void rs_agg_save(const rs_agg *a, sp_buf *b) {
  kw_i64(b, (int64_t)a->count);
  kw_i64(b, (int64_t)a->sum);
  kw_i64(b, a->min);
  kw_i64(b, a->max);
  kw_i64(b, a->ts_last);
  kw_i64(b, a->cover.first);
  kw_i64(b, a->cover.last);
  kw_i64(b, (int64_t)a->cover.n);
  kw_i64(b, (int64_t)a->cover.oh);
}

void rs_agg_load(rs_agg *a, kreader *r) {
  a->count = (uint64_t)kr_i64(r);
  a->sum = (uint64_t)kr_i64(r);
  a->min = kr_i64(r);
  a->max = kr_i64(r);
  a->ts_last = kr_i64(r);
  a->cover.first = kr_i64(r);
  a->cover.last = kr_i64(r);
  a->cover.n = (uint64_t)kr_i64(r);
  a->cover.oh = (uint64_t)kr_i64(r);
}

void rs_window_emit(rs_op *op, const char *type, const char *key, uint32_t key_len, int64_t start,
                    int64_t end, uint32_t rev, const rs_agg *a, int64_t ts,
                    const int64_t *superseded, size_t n_superseded) {
  rs_winres w;
  w.type = type;
  w.start = start;
  w.end = end;
  w.rev = rev;
  w.count = a->count;
  w.sum = (int64_t)a->sum;
  w.min = a->min;
  w.max = a->max;
  w.aggs = op->cfg->aggs;
  w.ts_last = a->ts_last;
  w.superseded = superseded;
  w.n_superseded = n_superseded;
  rs_rec r;
  memset(&r, 0, sizeof r);
  r.kind = RS_REC_WINDOW;
  r.ts = ts;
  r.key = key;
  r.key_len = key_len;
  r.cover = a->cover;
  r.win = &w;
  switch (op->cfg->result_value) {
  case RS_F_SUM: r.value = w.sum; break;
  case RS_F_MIN: r.value = w.min; break;
  case RS_F_MAX: r.value = w.max; break;
  default: r.value = (int64_t)w.count; break;
  }
  rs_op_emit(op, &r);
}
