/* op_join.c: stream-stream windowed join, inner or left (README.md,
 * "Operators").
 *
 * Left = the main chain (port 0), right = the joined source (port 1),
 * co-partitioned and joined on equal keys. A left record l and a right
 * record r join when l.ts - before_ms <= r.ts <= l.ts + after_ms. Each
 * side judges lateness by its own watermark only: a record is late when
 * ts + lateness <= W(its side), so the set of pairs does not depend on how
 * the two inputs interleave. A pair is written when its second record
 * arrives (pairs of one record in (time, offset) order of the other side).
 * Left join: a left record that never joined is written with right = null
 * once no right record can join it any more, i.e. when the right watermark
 * reaches l.ts + after_ms + lateness. */
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "mem.h"
#include "stored_list.h"
#include "task.h"
#include "timerq.h"

typedef struct jn_key {
  rs_keyed k;
  rs_slist side[2]; /* 0 left (flag = joined), 1 right */
} jn_key;

typedef struct jn_op {
  rs_op base;
  int64_t before, after, lateness;
  int outer;
  rs_keytab keys;
  rs_timerq q[2]; /* q[p] is driven by port p's watermark and purges the other side */
} jn_op;

/* Frees a key's stored records (keytab frees the rest). */
static void key_release(rs_keyed *kd) {
  jn_key *k = (jn_key *)kd;
  rs_slist_free(&k->side[0]);
  rs_slist_free(&k->side[1]);
}

/* Schedules the purge of stored record s of side `side`. */
static void push(jn_op *o, jn_key *k, const rs_stored *s, int side) {
  rs_timer t;
  memset(&t, 0, sizeof t);
  t.ref = k;
  if (side == 0) { /* a left record waits for the right watermark */
    t.time = s->ts + o->after + o->lateness;
    rs_timerq_push(&o->q[1], t);
  } else {
    t.time = s->ts + o->before + o->lateness;
    rs_timerq_push(&o->q[0], t);
  }
  k->k.refs++;
}

/* Writes the pair (l, r); r NULL for a left record that never joined. */
static void write_pair(jn_op *o, jn_key *k, const rs_stored *l, const rs_stored *r) {
  rs_event el, er;
  rs_stored_view(l, &el);
  if (r) rs_stored_view(r, &er);
  rs_rec out;
  memset(&out, 0, sizeof out);
  out.kind = RS_REC_JOIN;
  out.key = k->k.key;
  out.key_len = k->k.key_len;
  out.ts = r && r->ts > l->ts ? r->ts : l->ts;
  out.value = l->value;
  out.cover = rs_cover_one(l->offset);
  out.ev = &el;
  out.ev2 = r ? &er : NULL;
  rs_op_emit(&o->base, &out);
  rs_event_clear(&el);
  if (r) rs_event_clear(&er);
}

/* Joins a record with the other side's stored records in range, then keeps it while it can still join. */
static void jn_on_rec(rs_op *op, int port, const rs_rec *r) {
  jn_op *o = (jn_op *)op;
  if (r->ts + o->lateness <= op->wm[port]) {
    rs_op_late(op, r);
    return;
  }
  jn_key *k = rs_keytab_get(&o->keys, r->key, r->key_len, 1);
  rs_stored *s = rs_stored_new(r->ev);
  rs_slist *other = &k->side[1 - port];
  /* the other side's records in range, in (time, offset) order */
  int64_t lo = port == 0 ? r->ts - o->before : r->ts - o->after;
  int64_t hi = port == 0 ? r->ts + o->after : r->ts + o->before;
  for (size_t i = rs_slist_lower(other, lo, INT64_MIN); i < other->n && other->v[i]->ts <= hi; i++) {
    rs_stored *m = other->v[i];
    if (port == 0) {
      s->flag = 1;
      write_pair(o, k, s, m);
    } else {
      m->flag = 1;
      write_pair(o, k, m, s);
    }
  }
  /* no record of the other side can join it any more: do not keep it */
  int64_t purge_at = port == 0 ? s->ts + o->after + o->lateness : s->ts + o->before + o->lateness;
  if (purge_at <= op->wm[1 - port]) {
    if (port == 0 && !s->flag) {
      if (o->outer) write_pair(o, k, s, NULL);
      else o->base.task->stats.dropped++;
    }
    free(s);
    if (k->k.refs == 0 && !k->side[0].n && !k->side[1].n) {
      key_release(&k->k);
      rs_keytab_del(&o->keys, &k->k);
    }
    return;
  }
  rs_slist_insert(&k->side[port], s);
  push(o, k, s, port);
}

/* Purges what the new watermark of `port` makes unjoinable (left join: writing unjoined left records). */
static void jn_on_watermark(rs_op *op, int port, int64_t wm) {
  jn_op *o = (jn_op *)op;
  op->wm[port] = wm;
  rs_timer t;
  int side = 1 - port; /* the side this watermark purges */
  int64_t bound = side == 0 ? o->after + o->lateness : o->before + o->lateness;
  while (rs_timerq_pop_due(&o->q[port], wm, &t)) {
    jn_key *k = t.ref;
    k->k.refs--;
    rs_slist *l = &k->side[side];
    size_t n = 0;
    while (n < l->n && l->v[n]->ts + bound <= t.time) {
      if (side == 0 && !l->v[n]->flag) {
        if (o->outer) write_pair(o, k, l->v[n], NULL);
        else o->base.task->stats.dropped++;
      }
      n++;
    }
    rs_slist_drop_front(l, n);
    if (k->k.refs == 0 && !k->side[0].n && !k->side[1].n) {
      key_release(&k->k);
      rs_keytab_del(&o->keys, &k->k);
    }
  }
  rs_op_forward_wm(op, port, wm);
}

static int64_t jn_next_timer(rs_op *op, int port) { return rs_timerq_next(&((jn_op *)op)->q[port]); }

/* Layout: i32 n_keys | per key (table order): BYTES key |
 *   i32 n_left | n_left x (i8 joined, stored) | right list (stored_list.h) */
static void jn_save(rs_op *op, sp_buf *b) {
  jn_op *o = (jn_op *)op;
  size_t n;
  rs_keyed **all = rs_keytab_all(&o->keys, &n);
  kw_i32(b, (int32_t)n);
  for (size_t i = 0; i < n; i++) {
    jn_key *k = (jn_key *)all[i];
    kw_bytes(b, k->k.key, (int32_t)k->k.key_len);
    kw_i32(b, (int32_t)k->side[0].n);
    for (size_t j = 0; j < k->side[0].n; j++) {
      kw_i8(b, (int8_t)k->side[0].v[j]->flag);
      rs_stored_save(k->side[0].v[j], b);
    }
    rs_slist_save(&k->side[1], b);
  }
  free(all);
}

/* Restores keys and both sides and rebuilds the purge timers. */
static int jn_load(rs_op *op, kreader *r) {
  jn_op *o = (jn_op *)op;
  int32_t n = kr_array(r, 12);
  if (r->err || n < 0) return -1;
  for (int32_t i = 0; i < n; i++) {
    kslice key = kr_bytes(r);
    int32_t nl = kr_array(r, 41);
    if (r->err || key.len < 0 || nl < 0) return -1;
    jn_key *k = rs_keytab_get(&o->keys, (const char *)key.ptr, (uint32_t)key.len, 1);
    for (int32_t j = 0; j < nl; j++) {
      int flag = kr_i8(r);
      rs_stored *s = rs_stored_load(r);
      if (!s) return -1;
      s->flag = (uint8_t)(flag != 0);
      rs_slist_insert(&k->side[0], s);
    }
    if (rs_slist_load(&k->side[1], r) != 0) return -1;
    for (int side = 0; side < 2; side++)
      for (size_t j = 0; j < k->side[side].n; j++) push(o, k, k->side[side].v[j], side);
  }
  return 0;
}

static size_t key_records(const rs_keyed *k) {
  return ((const jn_key *)k)->side[0].n + ((const jn_key *)k)->side[1].n;
}

static size_t jn_items(rs_op *op) { return rs_keytab_sum(&((jn_op *)op)->keys, key_records); }

/* Frees every key and the operator. */
static void jn_destroy(rs_op *op) {
  jn_op *o = (jn_op *)op;
  rs_keytab_free(&o->keys, key_release);
  rs_timerq_free(&o->q[0]);
  rs_timerq_free(&o->q[1]);
  free(o);
}

static const rs_op_vt jn_vt = {jn_on_rec, jn_on_watermark, jn_next_timer, jn_save,
                               jn_load,   jn_items,        jn_destroy};

/* A stream-stream join operator for cfg. */
rs_op *rs_op_join_new(const rs_op_cfg *cfg, const rs_job *job) {
  jn_op *o = sp_calloc(1, sizeof *o);
  o->base.vt = &jn_vt;
  o->base.cfg = cfg;
  o->before = cfg->before_ms;
  o->after = cfg->after_ms;
  o->outer = cfg->outer;
  o->lateness = job->allowed_lateness_ms;
  rs_keytab_init(&o->keys, sizeof(jn_key), 17);
  rs_timerq_init(&o->q[0], rs_keyed_tiebreak);
  rs_timerq_init(&o->q[1], rs_keyed_tiebreak);
  return &o->base;
}
