/* op_session.c: session windows (README.md, "Windows").
 *
 * Per key, records whose times differ by less than gap belong to one
 * session [first time, last time + gap). A record with time ts is accepted
 * when ts + gap - 1 + lateness > W (W: watermark before it), else it is
 * late. It merges with every live session of its key that overlaps
 * [ts, ts + gap). A session fires when W >= end - 1 and is dropped at
 * end - 1 + lateness. A change to a session that already fired (a late
 * record within the allowed lateness) emits it again with rev = (largest
 * rev among the merged sessions) + 1, and "superseded" lists the
 * previously written sessions (start, end, rev) it replaces when their
 * bounds differ from the new one. Results of one watermark advance leave
 * in order of end, then key. */
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "mem.h"
#include "timerq.h"

enum { T_FIRE = 0, T_EXPIRE = 1 };

typedef struct sess {
  int64_t start, end;
  rs_agg agg;
  uint32_t id;
  uint8_t emitted, dirty;      /* emitted: this session itself was written */
  uint32_t rev;                /* its last written rev (when emitted) */
  int64_t em_start, em_end;    /* its bounds when last written */
  int64_t max_rev;             /* largest rev among it and what merged in; -1: none */
  int64_t *sup;                /* (start, end, rev) of written sessions merged in */
  size_t n_sup;
} sess;

typedef struct ss_key {
  rs_keyed k;
  sess *s; /* sorted by start, non-overlapping */
  size_t n, cap;
} ss_key;

typedef struct ss_op {
  rs_op base;
  int64_t gap, lateness;
  uint32_t next_id;
  rs_keytab keys;
  rs_timerq timers;
} ss_op;

/* Timer ties: key, then session id (only one of them is ever valid). */
static int ss_tiebreak(const rs_timer *a, const rs_timer *b) {
  int c = rs_keyed_tiebreak(a, b);
  return c ? c : (a->gen > b->gen) - (a->gen < b->gen);
}

/* Frees a key's sessions (keytab frees the rest). */
static void key_release(rs_keyed *kd) {
  ss_key *k = (ss_key *)kd;
  for (size_t i = 0; i < k->n; i++) free(k->s[i].sup);
  free(k->s);
}

/* Queues s's next timer (fire when dirty, else expire); a timer is valid only while its time still matches. */
static void push(ss_op *o, ss_key *k, const sess *s) {
  rs_timer t = {s->dirty ? s->end - 1 : s->end - 1 + o->lateness, s->dirty ? T_FIRE : T_EXPIRE,
                s->id, k};
  k->k.refs++;
  rs_timerq_push(&o->timers, t);
}

/* Remembers a written session (start, end, rev) that s now replaces. */
static void add_sup(sess *s, int64_t start, int64_t end, int64_t rev) {
  s->sup = sp_realloc(s->sup, (s->n_sup + 1) * 3 * sizeof *s->sup);
  s->sup[3 * s->n_sup] = start;
  s->sup[3 * s->n_sup + 1] = end;
  s->sup[3 * s->n_sup + 2] = rev;
  s->n_sup++;
}

/* Orders (start, end, rev) triples. */
static int triple_cmp(const void *a, const void *b) {
  const int64_t *x = a, *y = b;
  for (int i = 0; i < 3; i++)
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

/* Writes session s and makes it clean; the caller schedules its expiry.
 * superseded = what was written before for the sessions it now covers,
 * except an earlier revision with exactly the same bounds. */
static void emit(ss_op *o, ss_key *k, sess *s) {
  if (s->emitted) add_sup(s, s->em_start, s->em_end, s->rev);
  uint32_t rev = (uint32_t)(s->max_rev + 1);
  if (s->n_sup) qsort(s->sup, s->n_sup, 3 * sizeof *s->sup, triple_cmp);
  size_t keep = 0;
  for (size_t i = 0; i < s->n_sup; i++) {
    if (s->sup[3 * i] == s->start && s->sup[3 * i + 1] == s->end) continue;
    memmove(s->sup + 3 * keep, s->sup + 3 * i, 3 * sizeof *s->sup);
    keep++;
  }
  rs_window_emit(&o->base, "session", k->k.key, k->k.key_len, s->start, s->end, rev, &s->agg,
                 s->end - 1, s->sup, keep);
  free(s->sup);
  s->sup = NULL;
  s->n_sup = 0;
  s->emitted = 1;
  s->rev = rev;
  s->max_rev = rev;
  s->em_start = s->start;
  s->em_end = s->end;
  s->dirty = 0;
}

/* Removes the session at index i of key k. */
static void remove_at(ss_key *k, size_t i) {
  free(k->s[i].sup);
  memmove(k->s + i, k->s + i + 1, (k->n - i - 1) * sizeof *k->s);
  k->n--;
}

/* Merges a record with the overlapping live sessions of its key; re-emits a due session at once. */
static void ss_on_rec(rs_op *op, int port, const rs_rec *r) {
  ss_op *o = (ss_op *)op;
  (void)port;
  int64_t wm = op->wm[0];
  if (r->ts + o->gap - 1 + o->lateness <= wm) {
    rs_op_late(op, r);
    return;
  }
  ss_key *k = rs_keytab_get(&o->keys, r->key, r->key_len, 1);
  int64_t lo = r->ts, hi = r->ts + o->gap;
  /* overlapping sessions form a contiguous run [a, b) of the sorted list */
  size_t a = 0;
  while (a < k->n && k->s[a].end <= lo) a++;
  size_t b = a;
  while (b < k->n && k->s[b].start < hi) b++;
  sess *s;
  if (a == b) {
    if (k->n == k->cap) {
      k->cap = k->cap ? 2 * k->cap : 4;
      k->s = sp_realloc(k->s, k->cap * sizeof *k->s);
    }
    memmove(k->s + a + 1, k->s + a, (k->n - a) * sizeof *k->s);
    k->n++;
    s = &k->s[a];
    memset(s, 0, sizeof *s);
    s->start = lo;
    s->end = hi;
    s->id = o->next_id++;
    s->max_rev = -1;
    rs_agg_init(&s->agg);
  } else {
    s = &k->s[a];
    for (size_t i = a + 1; i < b; i++) { /* absorb the others into the first */
      sess *m = &k->s[i];
      rs_agg_merge(&s->agg, &m->agg);
      if (m->end > s->end) s->end = m->end;
      if (m->emitted) add_sup(s, m->em_start, m->em_end, m->rev);
      for (size_t j = 0; j < m->n_sup; j++)
        add_sup(s, m->sup[3 * j], m->sup[3 * j + 1], m->sup[3 * j + 2]);
      if (m->max_rev > s->max_rev) s->max_rev = m->max_rev;
    }
    for (size_t i = b; i-- > a + 1;) remove_at(k, i);
    if (lo < s->start) s->start = lo;
    if (hi > s->end) s->end = hi;
  }
  rs_agg_add(&s->agg, r);
  s->dirty = 1;
  if (wm >= s->end - 1) {
    emit(o, k, s);
    push(o, k, s);
  } else {
    push(o, k, s); /* a FIRE at the (possibly new) end; stale timers are ignored */
  }
}

/* The live session of k with id `id`, or NULL (merged away). */
static sess *find_id(ss_key *k, uint32_t id, size_t *at) {
  for (size_t i = 0; i < k->n; i++)
    if (k->s[i].id == id) {
      *at = i;
      return &k->s[i];
    }
  return NULL;
}

/* Fires dirty sessions whose end - 1 is reached and drops expired ones, ignoring stale timers. */
static void ss_on_watermark(rs_op *op, int port, int64_t wm) {
  ss_op *o = (ss_op *)op;
  op->wm[port] = wm;
  rs_timer t;
  while (rs_timerq_pop_due(&o->timers, wm, &t)) {
    ss_key *k = t.ref;
    k->k.refs--;
    size_t at;
    sess *s = find_id(k, t.gen, &at);
    if (s && t.kind == T_FIRE && s->dirty && t.time == s->end - 1) {
      emit(o, k, s);
      if (o->lateness == 0) remove_at(k, at);
      else push(o, k, s);
    } else if (s && t.kind == T_EXPIRE && !s->dirty && t.time == s->end - 1 + o->lateness) {
      remove_at(k, at);
    }
    if (k->k.refs == 0 && k->n == 0) {
      key_release(&k->k);
      rs_keytab_del(&o->keys, &k->k);
    }
  }
  rs_op_forward_wm(op, port, wm);
}

/* The watermark at which the next session fires or expires. */
static int64_t ss_next_timer(rs_op *op, int port) {
  return port == 0 ? rs_timerq_next(&((ss_op *)op)->timers) : INT64_MAX;
}

/* Layout: u32 next_id | i32 n_keys | per key (table order): BYTES key |
 *   i32 n | n x (i64 start, i64 end, agg, u32 id, i8 emitted, i8 dirty,
 *   u32 rev, i64 em_start, i64 em_end, i64 max_rev, i32 n_sup, 3 n_sup x i64) */
static void ss_save(rs_op *op, sp_buf *b) {
  ss_op *o = (ss_op *)op;
  size_t n;
  rs_keyed **all = rs_keytab_all(&o->keys, &n);
  kw_u32(b, o->next_id);
  kw_i32(b, (int32_t)n);
  for (size_t i = 0; i < n; i++) {
    ss_key *k = (ss_key *)all[i];
    kw_bytes(b, k->k.key, (int32_t)k->k.key_len);
    kw_i32(b, (int32_t)k->n);
    for (size_t j = 0; j < k->n; j++) {
      sess *s = &k->s[j];
      kw_i64(b, s->start);
      kw_i64(b, s->end);
      rs_agg_save(&s->agg, b);
      kw_u32(b, s->id);
      kw_i8(b, (int8_t)s->emitted);
      kw_i8(b, (int8_t)s->dirty);
      kw_u32(b, s->rev);
      kw_i64(b, s->em_start);
      kw_i64(b, s->em_end);
      kw_i64(b, s->max_rev);
      kw_i32(b, (int32_t)s->n_sup);
      for (size_t q = 0; q < 3 * s->n_sup; q++) kw_i64(b, s->sup[q]);
    }
  }
  free(all);
}

/* Restores keys and sessions and rebuilds their timers. */
static int ss_load(rs_op *op, kreader *r) {
  ss_op *o = (ss_op *)op;
  o->next_id = kr_u32(r);
  int32_t n = kr_array(r, 8);
  if (r->err || n < 0) return -1;
  for (int32_t i = 0; i < n; i++) {
    kslice key = kr_bytes(r);
    int32_t ns = kr_array(r, 126);
    if (r->err || key.len < 0 || ns < 0) return -1;
    ss_key *k = rs_keytab_get(&o->keys, (const char *)key.ptr, (uint32_t)key.len, 1);
    k->s = sp_calloc((size_t)ns + 1, sizeof *k->s);
    k->cap = (size_t)ns + 1;
    for (int32_t j = 0; j < ns; j++) {
      sess *s = &k->s[k->n++];
      s->start = kr_i64(r);
      s->end = kr_i64(r);
      rs_agg_load(&s->agg, r);
      s->id = kr_u32(r);
      s->emitted = (uint8_t)(kr_i8(r) != 0);
      s->dirty = (uint8_t)(kr_i8(r) != 0);
      s->rev = kr_u32(r);
      s->em_start = kr_i64(r);
      s->em_end = kr_i64(r);
      s->max_rev = kr_i64(r);
      int32_t nsup = kr_array(r, 24);
      if (r->err || nsup < 0) return -1;
      s->sup = nsup ? sp_malloc((size_t)nsup * 3 * sizeof *s->sup) : NULL;
      s->n_sup = (size_t)nsup;
      for (int32_t q = 0; q < 3 * nsup; q++) s->sup[q] = kr_i64(r);
      if (r->err) return -1;
      push(o, k, s);
    }
  }
  return 0;
}

static size_t key_sessions(const rs_keyed *k) { return ((const ss_key *)k)->n; }

static size_t ss_items(rs_op *op) { return rs_keytab_sum(&((ss_op *)op)->keys, key_sessions); }

/* Frees every key and the operator. */
static void ss_destroy(rs_op *op) {
  ss_op *o = (ss_op *)op;
  rs_keytab_free(&o->keys, key_release);
  rs_timerq_free(&o->timers);
  free(o);
}

static const rs_op_vt ss_vt = {ss_on_rec, ss_on_watermark, ss_next_timer, ss_save,
                               ss_load,   ss_items,        ss_destroy};

/* A session window operator for cfg. */
rs_op *rs_op_session_new(const rs_op_cfg *cfg, const rs_job *job) {
  ss_op *o = sp_calloc(1, sizeof *o);
  o->base.vt = &ss_vt;
  o->base.cfg = cfg;
  o->gap = cfg->gap;
  o->lateness = job->allowed_lateness_ms;
  rs_keytab_init(&o->keys, sizeof(ss_key), 9);
  rs_timerq_init(&o->timers, ss_tiebreak);
  return &o->base;
}
