/* op_countwin.c: count windows (README.md, "Windows").
 *
 * Per key, records are numbered 0, 1, 2, ... in the order they reach the
 * operator (offset order within the task). Window k covers the key's
 * records [k * advance, k * advance + size); it is emitted the moment its
 * last record arrives (rev 0, never updated), with time = that record's
 * time. Tumbling: advance = size; sliding: advance = 1. Count windows do
 * not use the watermark: nothing is late, and a key's unfinished window
 * waits for more records. Keys are never forgotten (their record number
 * must survive), so state grows with the number of distinct keys. */
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "mem.h"

typedef struct cw_key {
  rs_keyed k;
  uint64_t next;   /* number of the key's next record */
  uint64_t k_lo;   /* number of the oldest open window */
  rs_agg *open;    /* open windows k_lo, k_lo + 1, ... */
  size_t n_open, cap_open;
} cw_key;

typedef struct cw_op {
  rs_op base;
  uint64_t size, advance;
  const char *type;
  rs_keytab keys;
} cw_op;

static void key_release(rs_keyed *k) { free(((cw_key *)k)->open); }

/* Numbers the record within its key, adds it to the open windows, emits the one it completes. */
static void cw_on_rec(rs_op *op, int port, const rs_rec *r) {
  cw_op *o = (cw_op *)op;
  (void)port;
  cw_key *k = rs_keytab_get(&o->keys, r->key, r->key_len, 1);
  uint64_t i = k->next++;
  if (i % o->advance == 0) { /* record i opens window i / advance */
    if (k->n_open == k->cap_open) {
      k->cap_open = k->cap_open ? 2 * k->cap_open : 4;
      k->open = sp_realloc(k->open, k->cap_open * sizeof *k->open);
    }
    if (k->n_open == 0) k->k_lo = i / o->advance;
    rs_agg_init(&k->open[k->n_open++]);
  }
  for (size_t w = 0; w < k->n_open; w++) rs_agg_add(&k->open[w], r);
  if (k->n_open && k->k_lo * o->advance + o->size - 1 == i) {
    int64_t start = (int64_t)(k->k_lo * o->advance);
    rs_agg done = k->open[0];
    memmove(k->open, k->open + 1, (k->n_open - 1) * sizeof *k->open);
    k->n_open--;
    k->k_lo++;
    rs_window_emit(op, o->type, k->k.key, k->k.key_len, start, start + (int64_t)o->size, 0, &done,
                   r->ts, NULL, 0);
  }
}

static void cw_on_watermark(rs_op *op, int port, int64_t wm) { rs_op_forward_wm(op, port, wm); }

/* Layout: i32 n_keys | per key (table order): BYTES key | u64 next |
 *   u64 k_lo | i32 n_open | n_open x agg */
static void cw_save(rs_op *op, sp_buf *b) {
  cw_op *o = (cw_op *)op;
  size_t n;
  rs_keyed **all = rs_keytab_all(&o->keys, &n);
  kw_i32(b, (int32_t)n);
  for (size_t i = 0; i < n; i++) {
    cw_key *k = (cw_key *)all[i];
    kw_bytes(b, k->k.key, (int32_t)k->k.key_len);
    kw_i64(b, (int64_t)k->next);
    kw_i64(b, (int64_t)k->k_lo);
    kw_i32(b, (int32_t)k->n_open);
    for (size_t w = 0; w < k->n_open; w++) rs_agg_save(&k->open[w], b);
  }
  free(all);
}

/* Restores every key's record number and open windows. */
static int cw_load(rs_op *op, kreader *r) {
  cw_op *o = (cw_op *)op;
  int32_t n = kr_array(r, 24);
  if (r->err || n < 0) return -1;
  for (int32_t i = 0; i < n; i++) {
    kslice key = kr_bytes(r);
    if (r->err || key.len < 0) return -1;
    cw_key *k = rs_keytab_get(&o->keys, (const char *)key.ptr, (uint32_t)key.len, 1);
    k->next = (uint64_t)kr_i64(r);
    k->k_lo = (uint64_t)kr_i64(r);
    int32_t no = kr_array(r, 72);
    if (r->err || no < 0) return -1;
    k->open = sp_calloc((size_t)no + 1, sizeof *k->open);
    k->cap_open = (size_t)no + 1;
    for (int32_t w = 0; w < no; w++) rs_agg_load(&k->open[k->n_open++], r);
  }
  return r->err ? -1 : 0;
}

static size_t cw_items(rs_op *op) { return ((cw_op *)op)->keys.map.len; }

/* Frees every key and the operator. */
static void cw_destroy(rs_op *op) {
  cw_op *o = (cw_op *)op;
  rs_keytab_free(&o->keys, key_release);
  free(o);
}

static const rs_op_vt cw_vt = {cw_on_rec, cw_on_watermark, NULL, cw_save, cw_load, cw_items,
                               cw_destroy};

/* A count window operator for cfg. */
rs_op *rs_op_countwin_new(const rs_op_cfg *cfg, const rs_job *job) {
  cw_op *o = sp_calloc(1, sizeof *o);
  (void)job;
  o->base.vt = &cw_vt;
  rs_keytab_init(&o->keys, sizeof(cw_key), 11);
  o->base.cfg = cfg;
  o->size = (uint64_t)cfg->size;
  o->advance = (uint64_t)cfg->advance;
  o->type = cfg->win == RS_WIN_TUMBLING ? "count-tumbling"
            : cfg->win == RS_WIN_SLIDING ? "count-sliding" : "count-hopping";
  return &o->base;
}
