/* op_reorder.c: the buffered reordering stage (README.md, "Operators").
 *
 * Holds records and releases them in event-time order: a record with time
 * ts leaves when the watermark reaches ts (W >= ts); records with equal
 * times leave in offset order. A record with ts <= W on arrival cannot be
 * placed in order any more and is late. The bound on disorder is the
 * watermark's out-of-orderness; allowed lateness does not apply here. */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "operator.h"
#include "timerq.h"

typedef struct ro_op {
  rs_op base;
  rs_timerq buf; /* time = record time, ref = rs_stored */
} ro_op;

/* Orders records of one time by input, then offset. */
static int ro_tiebreak(const rs_timer *a, const rs_timer *b) {
  const rs_stored *x = a->ref, *y = b->ref;
  if (x->input != y->input) return x->input < y->input ? -1 : 1;
  return (x->offset > y->offset) - (x->offset < y->offset);
}

/* Buffers stored record s until the watermark reaches its time. */
static void hold(ro_op *o, rs_stored *s) {
  rs_timer t = {s->ts, 0, 0, s};
  rs_timerq_push(&o->buf, t);
}

/* Buffers a record, or reports it late if its time is behind the watermark. */
static void ro_on_rec(rs_op *op, int port, const rs_rec *r) {
  (void)port;
  if (r->ts <= op->wm[0]) {
    rs_op_late(op, r);
    return;
  }
  hold((ro_op *)op, rs_stored_new(r->ev));
}

/* Releases the buffered records the watermark has passed, in (time, offset) order. */
static void ro_on_watermark(rs_op *op, int port, int64_t wm) {
  ro_op *o = (ro_op *)op;
  op->wm[port] = wm;
  rs_timer t;
  while (rs_timerq_pop_due(&o->buf, wm, &t)) {
    rs_stored *s = t.ref;
    rs_event ev;
    rs_stored_view(s, &ev);
    rs_rec r = rs_rec_of_event(&ev);
    rs_op_emit(op, &r);
    rs_event_clear(&ev);
    free(s);
  }
  rs_op_forward_wm(op, port, wm);
}

/* The time of the earliest buffered record. */
static int64_t ro_next_timer(rs_op *op, int port) {
  return port == 0 ? rs_timerq_next(&((ro_op *)op)->buf) : INT64_MAX;
}

/* Orders stored records by (time, offset). */
static int stored_cmp(const void *a, const void *b) {
  const rs_stored *x = *(const rs_stored *const *)a, *y = *(const rs_stored *const *)b;
  if (x->ts != y->ts) return x->ts < y->ts ? -1 : 1;
  return (x->offset > y->offset) - (x->offset < y->offset);
}

/* Layout: i32 n | n stored events (record.c) in (time, offset) order. */
static void ro_save(rs_op *op, sp_buf *b) {
  ro_op *o = (ro_op *)op;
  rs_stored **all = sp_malloc((o->buf.len + 1) * sizeof *all);
  for (size_t i = 0; i < o->buf.len; i++) all[i] = o->buf.heap[i].ref;
  if (o->buf.len) qsort(all, o->buf.len, sizeof *all, stored_cmp);
  kw_i32(b, (int32_t)o->buf.len);
  for (size_t i = 0; i < o->buf.len; i++) rs_stored_save(all[i], b);
  free(all);
}

/* Restores the buffered records. */
static int ro_load(rs_op *op, kreader *r) {
  int32_t n = kr_array(r, 40);
  if (r->err || n < 0) return -1;
  for (int32_t i = 0; i < n; i++) {
    rs_stored *s = rs_stored_load(r);
    if (!s) return -1;
    hold((ro_op *)op, s);
  }
  return 0;
}

static size_t ro_items(rs_op *op) { return ((ro_op *)op)->buf.len; }

/* Frees the buffered records and the operator. */
static void ro_destroy(rs_op *op) {
  ro_op *o = (ro_op *)op;
  for (size_t i = 0; i < o->buf.len; i++) free(o->buf.heap[i].ref);
  rs_timerq_free(&o->buf);
  free(o);
}

static const rs_op_vt ro_vt = {ro_on_rec, ro_on_watermark, ro_next_timer, ro_save,
                               ro_load,   ro_items,        ro_destroy};

/* A reordering operator. */
rs_op *rs_op_reorder_new(const rs_op_cfg *cfg, const rs_job *job) {
  ro_op *o = sp_calloc(1, sizeof *o);
  (void)job;
  o->base.vt = &ro_vt;
  o->base.cfg = cfg;
  rs_timerq_init(&o->buf, ro_tiebreak);
  return &o->base;
}
