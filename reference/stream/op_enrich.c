/* op_enrich.c: stream-table join, i.e. enrichment (README.md, "Operators").
 *
 * The table is kept from a compacted or changelog topic (port 1): each
 * record is a version of its key's row, valid from its time; a tombstone
 * (null payload) deletes the row from its time. A stream record e (port 0)
 * is joined with the version of its key that was current at e's time: the
 * latest version with time <= e.ts (equal times: the higher offset wins).
 * So that the answer cannot change afterwards, e waits until the table's
 * watermark reaches e.ts + lateness; a table version is late (dropped to
 * the late sink) when ts + lateness <= W(table). Both rules use each
 * side's own watermark, so the results do not depend on how the inputs
 * interleave. An idle table only advances through idle marks (README.md,
 * "Idle inputs": tables default to advancing to the stream's watermark).
 * Inner: a stream record without a row is dropped (counted); left: it is
 * written with table = null. Records released by one watermark advance
 * leave in order of time, then key, then offset. */
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "mem.h"
#include "stored_list.h"
#include "task.h"
#include "timerq.h"

typedef struct en_key {
  rs_keyed k;
  rs_slist versions; /* table rows by (time, offset) */
  rs_slist pending;  /* stream records waiting for the table watermark */
} en_key;

typedef struct en_op {
  rs_op base;
  int64_t lateness;
  int outer;
  rs_keytab keys;
  rs_timerq timers; /* driven by the table watermark */
} en_op;

/* Frees a key's versions and waiting records (keytab frees the rest). */
static void key_release(rs_keyed *kd) {
  en_key *k = (en_key *)kd;
  rs_slist_free(&k->versions);
  rs_slist_free(&k->pending);
}

/* Drops versions no pending or future stream record can need: all but the
 * newest one at or before the earliest time such a record can have. */
static void prune(en_op *o, en_key *k) {
  int64_t m = o->base.wm[0] - o->lateness + 1; /* future stream records: ts >= m */
  if (k->pending.n && k->pending.v[0]->ts < m) m = k->pending.v[0]->ts;
  size_t keep_from = 0;
  for (size_t i = 0; i < k->versions.n && k->versions.v[i]->ts <= m; i++) keep_from = i;
  rs_slist_drop_front(&k->versions, keep_from);
}

/* Writes stream record e joined with the version current at its time. */
static void release(en_op *o, en_key *k, const rs_stored *e) {
  /* the latest version with time <= e.ts */
  size_t i = rs_slist_lower(&k->versions, e->ts, INT64_MAX);
  const rs_stored *v = i ? k->versions.v[i - 1] : NULL;
  if (v && v->payload_len == UINT32_MAX) v = NULL; /* deleted */
  if (!v && !o->outer) {
    o->base.task->stats.dropped++;
    return;
  }
  rs_event es, ev;
  rs_stored_view(e, &es);
  if (v) rs_stored_view(v, &ev);
  rs_rec out;
  memset(&out, 0, sizeof out);
  out.kind = RS_REC_ENRICH;
  out.key = k->k.key;
  out.key_len = k->k.key_len;
  out.ts = e->ts;
  out.value = e->value;
  out.cover = rs_cover_one(e->offset);
  out.ev = &es;
  out.ev2 = v ? &ev : NULL;
  rs_op_emit(&o->base, &out);
  rs_event_clear(&es);
  if (v) rs_event_clear(&ev);
}

/* Stores a table version, or releases/holds a stream record until the table is complete up to its time. */
static void en_on_rec(rs_op *op, int port, const rs_rec *r) {
  en_op *o = (en_op *)op;
  if (r->ts + o->lateness <= op->wm[port]) {
    rs_op_late(op, r);
    return;
  }
  en_key *k = rs_keytab_get(&o->keys, r->key, r->key_len, 1);
  rs_stored *s = rs_stored_new(r->ev);
  if (port == 1) {
    rs_slist_insert(&k->versions, s);
    prune(o, k);
    return;
  }
  if (op->wm[1] >= r->ts + o->lateness) { /* the table is complete up to e.ts */
    release(o, k, s);
    free(s);
    prune(o, k);
    return;
  }
  rs_slist_insert(&k->pending, s);
  rs_timer t = {r->ts + o->lateness, 0, 0, k};
  k->k.refs++;
  rs_timerq_push(&o->timers, t);
}

/* On a table watermark advance, releases the stream records it completes. */
static void en_on_watermark(rs_op *op, int port, int64_t wm) {
  en_op *o = (en_op *)op;
  op->wm[port] = wm;
  rs_timer t;
  if (port == 1) {
    while (rs_timerq_pop_due(&o->timers, wm, &t)) {
      en_key *k = t.ref;
      k->k.refs--;
      size_t n = 0;
      while (n < k->pending.n && k->pending.v[n]->ts + o->lateness <= t.time)
        release(o, k, k->pending.v[n++]);
      rs_slist_drop_front(&k->pending, n);
      prune(o, k);
    }
  }
  rs_op_forward_wm(op, port, wm);
}

/* The table watermark at which the next waiting record can be released. */
static int64_t en_next_timer(rs_op *op, int port) {
  return port == 1 ? rs_timerq_next(&((en_op *)op)->timers) : INT64_MAX;
}

/* Layout: i32 n_keys | per key (table order): BYTES key | versions |
 *   pending (stored_list.h) */
static void en_save(rs_op *op, sp_buf *b) {
  en_op *o = (en_op *)op;
  size_t n;
  rs_keyed **all = rs_keytab_all(&o->keys, &n);
  kw_i32(b, (int32_t)n);
  for (size_t i = 0; i < n; i++) {
    en_key *k = (en_key *)all[i];
    kw_bytes(b, k->k.key, (int32_t)k->k.key_len);
    rs_slist_save(&k->versions, b);
    rs_slist_save(&k->pending, b);
  }
  free(all);
}

/* Restores keys, versions and waiting records and rebuilds the timers. */
static int en_load(rs_op *op, kreader *r) {
  en_op *o = (en_op *)op;
  int32_t n = kr_array(r, 12);
  if (r->err || n < 0) return -1;
  for (int32_t i = 0; i < n; i++) {
    kslice key = kr_bytes(r);
    if (r->err || key.len < 0) return -1;
    en_key *k = rs_keytab_get(&o->keys, (const char *)key.ptr, (uint32_t)key.len, 1);
    if (rs_slist_load(&k->versions, r) != 0 || rs_slist_load(&k->pending, r) != 0) return -1;
    for (size_t j = 0; j < k->pending.n; j++) {
      rs_timer t = {k->pending.v[j]->ts + o->lateness, 0, 0, k};
      k->k.refs++;
      rs_timerq_push(&o->timers, t);
    }
  }
  return 0;
}

static size_t key_records(const rs_keyed *k) {
  return ((const en_key *)k)->versions.n + ((const en_key *)k)->pending.n;
}

static size_t en_items(rs_op *op) { return rs_keytab_sum(&((en_op *)op)->keys, key_records); }

/* Frees every key and the operator. */
static void en_destroy(rs_op *op) {
  en_op *o = (en_op *)op;
  rs_keytab_free(&o->keys, key_release);
  rs_timerq_free(&o->timers);
  free(o);
}

static const rs_op_vt en_vt = {en_on_rec, en_on_watermark, en_next_timer, en_save,
                               en_load,   en_items,        en_destroy};

/* A stream-table join (enrichment) operator for cfg. */
rs_op *rs_op_enrich_new(const rs_op_cfg *cfg, const rs_job *job) {
  en_op *o = sp_calloc(1, sizeof *o);
  o->base.vt = &en_vt;
  o->base.cfg = cfg;
  o->outer = cfg->outer;
  o->lateness = job->allowed_lateness_ms;
  rs_keytab_init(&o->keys, sizeof(en_key), 19);
  rs_timerq_init(&o->timers, rs_keyed_tiebreak);
  return &o->base;
}
