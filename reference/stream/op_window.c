/* op_window.c: tumbling and hopping time windows (README.md, "Windows").
 *
 * A record with time ts belongs to every window [s, s + size) with
 * s = offset + k * advance (k any integer) and s <= ts < s + size
 * (tumbling: advance = size). With W the watermark before the record:
 *   - the record is added to each of its windows that is still alive,
 *     W < end - 1 + lateness; if W >= end - 1 already, the window's result
 *     is emitted again at once (rev + 1; rev 0 if it had never fired);
 *   - a record added to no window is late (late sink).
 * When W reaches end - 1 the window fires (rev 0); at end - 1 + lateness
 * it is dropped. Within one watermark advance results leave in order of
 * end, then start, then key (bytewise). */
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "hash.h"
#include "keymap.h"
#include "mem.h"
#include "timerq.h"

enum { T_FIRE = 0, T_EXPIRE = 1 };

typedef struct win_entry {
  int64_t start, end;
  rs_agg agg;
  uint32_t rev;
  uint8_t fired;
  uint32_t key_len;
  char key[];
} win_entry;

typedef struct win_op {
  rs_op base;
  int64_t size, advance, offset, lateness;
  const char *type;
  rs_map map;
  rs_timerq timers;
} win_op;

typedef struct win_key {
  int64_t start;
  const char *key;
  uint32_t len;
} win_key;

/* Hash of a (window start, key) pair: the entry table's key. */
static uint64_t win_hash(int64_t start, const char *key, uint32_t len) {
  return rs_hash_bytes(key, len, (uint64_t)start * 0x9e3779b97f4a7c15ull);
}

/* Whether entry `val` is the window (start, key) in `key`. */
static int win_eq(const void *val, const void *key) {
  const win_entry *e = val;
  const win_key *k = key;
  return e->start == k->start && e->key_len == k->len && memcmp(e->key, k->key, k->len) == 0;
}

/* Orders timers of one time by window start, then key (the documented result order). */
static int win_tiebreak(const rs_timer *a, const rs_timer *b) {
  const win_entry *x = a->ref, *y = b->ref;
  if (x->start != y->start) return x->start < y->start ? -1 : 1;
  return rs_key_cmp(x->key, x->key_len, y->key, y->key_len);
}

/* Writes window e downstream with its current revision. */
static void emit(win_op *w, const win_entry *e) {
  rs_window_emit(&w->base, w->type, e->key, e->key_len, e->start, e->end, e->rev, &e->agg,
                 e->end - 1, NULL, 0);
}

/* Forgets window e (its last timer fired). */
static void drop(win_op *w, win_entry *e) {
  win_key k = {e->start, e->key, e->key_len};
  rs_map_del(&w->map, win_hash(e->start, e->key, e->key_len), win_eq, &k);
  free(e);
}

/* Queues e's next timer: firing at end - 1, or expiry at end - 1 + lateness once fired. */
static void schedule(win_op *w, win_entry *e) {
  rs_timer t = {e->fired ? e->end - 1 + w->lateness : e->end - 1, e->fired ? T_EXPIRE : T_FIRE,
                0, e};
  rs_timerq_push(&w->timers, t);
}

/* Creates the window (start, key) with an empty aggregate. */
static win_entry *entry_new(win_op *w, int64_t start, const char *key, uint32_t len, uint64_t h) {
  win_entry *e = sp_malloc(sizeof *e + len);
  e->start = start;
  e->end = start + w->size;
  rs_agg_init(&e->agg);
  e->rev = 0;
  e->fired = 0;
  e->key_len = len;
  memcpy(e->key, key, len);
  rs_map_put(&w->map, h, e);
  return e;
}

/* Adds a record to each of its live windows (README.md, "Windows"); late if none. */
static void win_on_rec(rs_op *op, int port, const rs_rec *r) {
  win_op *w = (win_op *)op;
  (void)port;
  int64_t wm = op->wm[0];
  int64_t last = w->offset + rs_floor_div(r->ts - w->offset, w->advance) * w->advance;
  int64_t first = last;
  while (first - w->advance > r->ts - w->size) first -= w->advance;
  int added = 0;
  for (int64_t s = first; s <= last; s += w->advance) {
    int64_t end = s + w->size;
    if (wm >= end - 1 + w->lateness) continue; /* expired */
    uint64_t h = win_hash(s, r->key, r->key_len);
    win_key k = {s, r->key, r->key_len};
    win_entry *e = rs_map_find(&w->map, h, win_eq, &k);
    int created = !e;
    if (created) e = entry_new(w, s, r->key, r->key_len, h);
    rs_agg_add(&e->agg, r);
    added = 1;
    if (wm >= end - 1) { /* late but within the allowed lateness */
      if (e->fired) e->rev++;
      e->fired = 1;
      emit(w, e);
      if (created) schedule(w, e);
    } else if (created) {
      schedule(w, e);
    }
  }
  if (!added) rs_op_late(op, r);
}

/* Fires and expires the windows the new watermark completes, in timer order. */
static void win_on_watermark(rs_op *op, int port, int64_t wm) {
  win_op *w = (win_op *)op;
  op->wm[port] = wm; /* results emitted below see the new watermark */
  rs_timer t;
  while (rs_timerq_pop_due(&w->timers, wm, &t)) {
    win_entry *e = t.ref;
    if (t.kind == T_FIRE) {
      e->fired = 1;
      emit(w, e);
      if (w->lateness == 0) drop(w, e);
      else schedule(w, e);
    } else {
      drop(w, e);
    }
  }
  rs_op_forward_wm(op, port, wm);
}

/* The watermark at which the next window fires or expires. */
static int64_t win_next_timer(rs_op *op, int port) {
  return port == 0 ? rs_timerq_next(&((win_op *)op)->timers) : INT64_MAX;
}

/* Layout: i32 n | n x (i64 start | u32 rev | i8 fired | agg | BYTES key),
 * in table order; timers are rebuilt from `fired` (their order is total,
 * so the rebuilt queue behaves exactly like the saved one). */
static void win_save(rs_op *op, sp_buf *b) {
  win_op *w = (win_op *)op;
  win_entry **all = sp_malloc((w->map.len + 1) * sizeof *all);
  size_t n = 0;
  for (size_t i = 0; i < w->map.cap; i++)
    if (rs_map_live(&w->map, i)) all[n++] = w->map.slots[i].val;
  kw_i32(b, (int32_t)n);
  for (size_t i = 0; i < n; i++) {
    kw_i64(b, all[i]->start);
    kw_u32(b, all[i]->rev);
    kw_i8(b, (int8_t)all[i]->fired);
    rs_agg_save(&all[i]->agg, b);
    kw_bytes(b, all[i]->key, (int32_t)all[i]->key_len);
  }
  free(all);
}

/* Restores the windows and rebuilds their timers from `fired`. */
static int win_load(rs_op *op, kreader *r) {
  win_op *w = (win_op *)op;
  int32_t n = kr_array(r, 16);
  if (r->err || n < 0) return -1;
  for (int32_t i = 0; i < n; i++) {
    int64_t start = kr_i64(r);
    uint32_t rev = kr_u32(r);
    int fired = kr_i8(r);
    rs_agg agg;
    rs_agg_load(&agg, r);
    kslice k = kr_bytes(r);
    if (r->err || k.len < 0) return -1;
    uint64_t h = win_hash(start, (const char *)k.ptr, (uint32_t)k.len);
    win_entry *e = entry_new(w, start, (const char *)k.ptr, (uint32_t)k.len, h);
    e->rev = rev;
    e->fired = (uint8_t)(fired != 0);
    e->agg = agg;
    schedule(w, e);
  }
  return 0;
}

static size_t win_items(rs_op *op) { return ((win_op *)op)->map.len; }

/* Frees every window and the operator. */
static void win_destroy(rs_op *op) {
  win_op *w = (win_op *)op;
  for (size_t i = 0; i < w->map.cap; i++)
    if (rs_map_live(&w->map, i)) free(w->map.slots[i].val);
  rs_map_free(&w->map);
  rs_timerq_free(&w->timers);
  free(w);
}

static const rs_op_vt win_vt = {win_on_rec, win_on_watermark, win_next_timer, win_save,
                                win_load,   win_items,        win_destroy};

/* A tumbling or hopping window operator for cfg. */
rs_op *rs_op_window_new(const rs_op_cfg *cfg, const rs_job *job) {
  win_op *w = sp_calloc(1, sizeof *w);
  w->base.vt = &win_vt;
  w->base.cfg = cfg;
  w->size = cfg->size;
  w->advance = cfg->advance;
  w->offset = cfg->offset;
  w->lateness = job->allowed_lateness_ms;
  w->type = cfg->win == RS_WIN_HOPPING ? "hopping" : "tumbling";
  rs_timerq_init(&w->timers, win_tiebreak);
  return &w->base;
}
