/* op_pattern.c: temporal event ordering, "first then `then` within T"
 * (README.md, "Operators").
 *
 * Per key, a record satisfying `first` is an A; one satisfying `then` is a
 * B (a record can be both). For each A, the match is the earliest B after
 * it in (time, offset) order with time <= A.time + within_ms. The decision
 * for an A is taken when the watermark reaches A.time + within_ms +
 * lateness: a "match" (first, then) or, with no such B, an "absence".
 * A record with time + within_ms + lateness <= W on arrival is late. Each
 * A is decided once; one B may complete several As. Decisions of one
 * watermark advance leave in order of A time, then key, then A offset. */
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "mem.h"
#include "stored_list.h"
#include "timerq.h"

enum { T_DECIDE = 0, T_GC = 1 };

typedef struct pt_key {
  rs_keyed k;
  rs_slist a, b;
} pt_key;

typedef struct pt_op {
  rs_op base;
  int64_t within, lateness;
  rs_keytab keys;
  rs_timerq timers;
} pt_op;

/* Frees a key's As and Bs (keytab frees the rest). */
static void key_release(rs_keyed *kd) {
  pt_key *k = (pt_key *)kd;
  rs_slist_free(&k->a);
  rs_slist_free(&k->b);
}

/* Queues a timer for key k; k->refs counts them so k outlives its timers. */
static void push(pt_op *o, pt_key *k, int64_t time, uint32_t kind) {
  rs_timer t = {time, kind, 0, k};
  k->k.refs++;
  rs_timerq_push(&o->timers, t);
}

/* Stores a record as an A (with its decision timer) and/or a B; late if it can no longer matter. */
static void pt_on_rec(rs_op *op, int port, const rs_rec *r) {
  pt_op *o = (pt_op *)op;
  (void)port;
  int is_a = rs_pred_eval(op->cfg->first, r), is_b = rs_pred_eval(op->cfg->then, r);
  if (!is_a && !is_b) return;
  if (r->ts + o->within + o->lateness <= op->wm[0]) {
    rs_op_late(op, r);
    return;
  }
  pt_key *k = rs_keytab_get(&o->keys, r->key, r->key_len, 1);
  if (is_a) {
    rs_slist_insert(&k->a, rs_stored_new(r->ev));
    push(o, k, r->ts + o->within + o->lateness, T_DECIDE);
  }
  if (is_b) {
    rs_slist_insert(&k->b, rs_stored_new(r->ev));
    if (k->k.refs == 0) push(o, k, r->ts + o->within + o->lateness, T_GC);
  }
}

/* Writes the match or absence of A `a` (README.md, "pattern"). */
static void decide(pt_op *o, pt_key *k, const rs_stored *a) {
  const rs_op_cfg *cfg = o->base.cfg;
  size_t i = rs_slist_lower(&k->b, a->ts, a->offset);
  /* strictly after A: skip A itself when it is also a B */
  while (i < k->b.n && k->b.v[i]->ts == a->ts && k->b.v[i]->offset <= a->offset) i++;
  const rs_stored *b = i < k->b.n && k->b.v[i]->ts <= a->ts + o->within ? k->b.v[i] : NULL;
  if ((b && !cfg->emit_matches) || (!b && !cfg->emit_absences)) return;
  rs_event ea, eb;
  rs_stored_view(a, &ea);
  if (b) rs_stored_view(b, &eb);
  rs_rec r;
  memset(&r, 0, sizeof r);
  r.kind = b ? RS_REC_MATCH : RS_REC_ABSENCE;
  r.key = k->k.key;
  r.key_len = k->k.key_len;
  r.ts = b ? b->ts : a->ts + o->within;
  r.value = a->value;
  r.cover = rs_cover_one(a->offset);
  r.ev = &ea;
  r.ev2 = b ? &eb : NULL;
  rs_op_emit(&o->base, &r);
  rs_event_clear(&ea);
  if (b) rs_event_clear(&eb);
}

/* Decides the As due at each timer, drops Bs no A can use, frees idle keys. */
static void pt_on_watermark(rs_op *op, int port, int64_t wm) {
  pt_op *o = (pt_op *)op;
  op->wm[port] = wm;
  rs_timer t;
  while (rs_timerq_pop_due(&o->timers, wm, &t)) {
    pt_key *k = t.ref;
    k->k.refs--;
    size_t n = 0;
    /* only As due at this timer's time: keeps the documented order */
    while (n < k->a.n && k->a.v[n]->ts + o->within + o->lateness <= t.time)
      decide(o, k, k->a.v[n++]);
    rs_slist_drop_front(&k->a, n);
    size_t nb = 0;
    while (nb < k->b.n && k->b.v[nb]->ts + o->within + o->lateness <= wm) nb++;
    rs_slist_drop_front(&k->b, nb);
    if (k->k.refs == 0) {
      if (!k->a.n && !k->b.n) {
        key_release(&k->k);
        rs_keytab_del(&o->keys, &k->k);
      }
      else if (k->b.n) push(o, k, k->b.v[k->b.n - 1]->ts + o->within + o->lateness, T_GC);
    }
  }
  rs_op_forward_wm(op, port, wm);
}

/* The watermark at which the next decision is due. */
static int64_t pt_next_timer(rs_op *op, int port) {
  return port == 0 ? rs_timerq_next(&((pt_op *)op)->timers) : INT64_MAX;
}

/* Layout: i32 n_keys | per key (table order): BYTES key | A list | B list */
static void pt_save(rs_op *op, sp_buf *b) {
  pt_op *o = (pt_op *)op;
  size_t n;
  rs_keyed **all = rs_keytab_all(&o->keys, &n);
  kw_i32(b, (int32_t)n);
  for (size_t i = 0; i < n; i++) {
    pt_key *k = (pt_key *)all[i];
    kw_bytes(b, k->k.key, (int32_t)k->k.key_len);
    rs_slist_save(&k->a, b);
    rs_slist_save(&k->b, b);
  }
  free(all);
}

/* Restores keys, As and Bs and rebuilds their timers. */
static int pt_load(rs_op *op, kreader *r) {
  pt_op *o = (pt_op *)op;
  int32_t n = kr_array(r, 12);
  if (r->err || n < 0) return -1;
  for (int32_t i = 0; i < n; i++) {
    kslice key = kr_bytes(r);
    if (r->err || key.len < 0) return -1;
    pt_key *k = rs_keytab_get(&o->keys, (const char *)key.ptr, (uint32_t)key.len, 1);
    if (rs_slist_load(&k->a, r) != 0 || rs_slist_load(&k->b, r) != 0) return -1;
    for (size_t a = 0; a < k->a.n; a++) push(o, k, k->a.v[a]->ts + o->within + o->lateness, T_DECIDE);
    if (!k->a.n && k->b.n) push(o, k, k->b.v[k->b.n - 1]->ts + o->within + o->lateness, T_GC);
  }
  return 0;
}

static size_t key_records(const rs_keyed *k) {
  return ((const pt_key *)k)->a.n + ((const pt_key *)k)->b.n;
}

static size_t pt_items(rs_op *op) { return rs_keytab_sum(&((pt_op *)op)->keys, key_records); }

/* Frees every key and the operator. */
static void pt_destroy(rs_op *op) {
  pt_op *o = (pt_op *)op;
  rs_keytab_free(&o->keys, key_release);
  rs_timerq_free(&o->timers);
  free(o);
}

static const rs_op_vt pt_vt = {pt_on_rec, pt_on_watermark, pt_next_timer, pt_save,
                               pt_load,   pt_items,        pt_destroy};

/* A temporal pattern operator for cfg. */
rs_op *rs_op_pattern_new(const rs_op_cfg *cfg, const rs_job *job) {
  pt_op *o = sp_calloc(1, sizeof *o);
  o->base.vt = &pt_vt;
  o->base.cfg = cfg;
  o->within = cfg->within_ms;
  o->lateness = job->allowed_lateness_ms;
  rs_keytab_init(&o->keys, sizeof(pt_key), 13);
  rs_timerq_init(&o->timers, rs_keyed_tiebreak);
  return &o->base;
}
