/* op_sliding.c: sliding time windows (README.md, "Windows").
 *
 * One window per key and distinct record time t: (t - size, t], i.e.
 * [t - size + 1, t + 1). A record with time ts is accepted when
 * ts + lateness > W (W: watermark before it; otherwise it is late); it
 * creates window t = ts if that does not exist yet and joins every live
 * window t' of its key with ts <= t' < ts + size. A window fires when
 * W >= t; a record joining a window that already fired re-emits it
 * (rev + 1). A window is dropped when W >= t + lateness. Results of one
 * watermark advance leave in order of t, then key. */
#include <stdlib.h>
#include <string.h>

#include "aggregate.h"
#include "mem.h"
#include "timerq.h"

enum { T_FIRE = 0, T_EXPIRE = 1, T_GC = 2 };

typedef struct sl_ev {
  int64_t ts, value;
  rs_cover cover;
} sl_ev;

typedef struct sl_win {
  int64_t t;
  uint32_t rev;
  uint8_t fired;
} sl_win;

typedef struct sl_key {
  rs_keyed k;
  sl_ev *evs; /* sorted by (ts, first offset) */
  size_t n_ev, cap_ev;
  sl_win *wins; /* sorted by t */
  size_t n_win, cap_win;
} sl_key;

typedef struct sl_op {
  rs_op base;
  int64_t size, lateness;
  rs_keytab keys;
  rs_timerq timers;
} sl_op;

/* Frees a key's event and window arrays (keytab frees the rest). */
static void key_release(rs_keyed *kd) {
  sl_key *k = (sl_key *)kd;
  free(k->evs);
  free(k->wins);
}

/* Queues a timer for key k; k->refs counts them so k outlives its timers. */
static void push(sl_op *s, sl_key *k, int64_t time, uint32_t kind) {
  rs_timer t = {time, kind, 0, k};
  k->k.refs++;
  rs_timerq_push(&s->timers, t);
}

/* Index of the first event with ts > bound (events sorted by ts). */
static size_t ev_upper(const sl_key *k, int64_t bound) {
  size_t lo = 0, hi = k->n_ev;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (k->evs[mid].ts <= bound) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* Index of the window with time t, or where it would go. */
static size_t win_find(const sl_key *k, int64_t t) {
  size_t lo = 0, hi = k->n_win;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (k->wins[mid].t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* Aggregates the events in (t - size, t] and writes window w. */
static void emit(sl_op *s, sl_key *k, const sl_win *w) {
  rs_agg a;
  rs_agg_init(&a);
  size_t hi = ev_upper(k, w->t), lo = ev_upper(k, w->t - s->size);
  for (size_t i = lo; i < hi; i++) {
    rs_rec r;
    memset(&r, 0, sizeof r);
    r.ts = k->evs[i].ts;
    r.value = k->evs[i].value;
    r.cover = k->evs[i].cover;
    rs_agg_add(&a, &r);
  }
  rs_window_emit(&s->base, "sliding", k->k.key, k->k.key_len, w->t - s->size + 1, w->t + 1, w->rev,
                 &a, w->t, NULL, 0);
}

/* Inserts window t at index `at` of the key's sorted window list. */
static void add_window(sl_key *k, size_t at, int64_t t) {
  if (k->n_win == k->cap_win) {
    k->cap_win = k->cap_win ? 2 * k->cap_win : 4;
    k->wins = sp_realloc(k->wins, k->cap_win * sizeof *k->wins);
  }
  memmove(k->wins + at + 1, k->wins + at, (k->n_win - at) * sizeof *k->wins);
  k->wins[at] = (sl_win){t, 0, 0};
  k->n_win++;
}

/* Inserts an event after every event with the same or an earlier time. */
static void add_event(sl_key *k, const sl_ev *e) {
  size_t at = ev_upper(k, e->ts); /* after every event with ts <= e->ts */
  if (k->n_ev == k->cap_ev) {
    k->cap_ev = k->cap_ev ? 2 * k->cap_ev : 4;
    k->evs = sp_realloc(k->evs, k->cap_ev * sizeof *k->evs);
  }
  memmove(k->evs + at + 1, k->evs + at, (k->n_ev - at) * sizeof *k->evs);
  k->evs[at] = *e;
  k->n_ev++;
}

/* Accepts a record into its key's events and windows; late updates re-emit fired windows. */
static void sl_on_rec(rs_op *op, int port, const rs_rec *r) {
  sl_op *s = (sl_op *)op;
  (void)port;
  int64_t wm = op->wm[0];
  if (r->ts + s->lateness <= wm) {
    rs_op_late(op, r);
    return;
  }
  sl_key *k = rs_keytab_get(&s->keys, r->key, r->key_len, 1);
  sl_ev e = {r->ts, r->value, r->cover};
  add_event(k, &e);
  int fired_new = 0;
  size_t wi = win_find(k, r->ts);
  if (wi == k->n_win || k->wins[wi].t != r->ts) {
    add_window(k, wi, r->ts);
    if (wm >= r->ts) { /* due already (late within lateness): fire now */
      k->wins[wi].fired = 1;
      emit(s, k, &k->wins[wi]);
      push(s, k, r->ts + s->lateness, T_EXPIRE);
      fired_new = 1;
    } else {
      push(s, k, r->ts, T_FIRE);
    }
  }
  /* fired windows that now include the record: late updates, in t order */
  for (size_t i = wi; i < k->n_win && k->wins[i].t < r->ts + s->size; i++) {
    sl_win *w = &k->wins[i];
    if (!w->fired || (i == wi && fired_new)) continue;
    w->rev++;
    emit(s, k, w);
  }
}

/* Drops window t of key k if it is there. */
static void remove_window(sl_key *k, int64_t t) {
  size_t i = win_find(k, t);
  if (i == k->n_win || k->wins[i].t != t) return;
  memmove(k->wins + i, k->wins + i + 1, (k->n_win - i - 1) * sizeof *k->wins);
  k->n_win--;
}

/* Drops events no live or future window can contain. */
static void purge(sl_op *s, sl_key *k, int64_t wm) {
  size_t n = 0;
  while (n < k->n_ev && k->evs[n].ts + s->size - 1 + s->lateness <= wm) n++;
  if (!n) return;
  memmove(k->evs, k->evs + n, (k->n_ev - n) * sizeof *k->evs);
  k->n_ev -= n;
}

/* Fires, expires and garbage-collects in timer order, then forwards the watermark. */
static void sl_on_watermark(rs_op *op, int port, int64_t wm) {
  sl_op *s = (sl_op *)op;
  op->wm[port] = wm;
  rs_timer t;
  while (rs_timerq_pop_due(&s->timers, wm, &t)) {
    sl_key *k = t.ref;
    k->k.refs--;
    if (t.kind == T_FIRE) {
      size_t i = win_find(k, t.time);
      if (i < k->n_win && k->wins[i].t == t.time && !k->wins[i].fired) {
        k->wins[i].fired = 1;
        emit(s, k, &k->wins[i]);
        if (s->lateness == 0) remove_window(k, t.time);
        else push(s, k, t.time + s->lateness, T_EXPIRE);
      }
    } else if (t.kind == T_EXPIRE) {
      remove_window(k, t.time - s->lateness);
    }
    purge(s, k, wm);
    if (k->k.refs == 0) {
      if (!k->n_ev) {
        key_release(&k->k);
        rs_keytab_del(&s->keys, &k->k);
      }
      else push(s, k, k->evs[k->n_ev - 1].ts + s->size - 1 + s->lateness, T_GC);
    }
  }
  rs_op_forward_wm(op, port, wm);
}

/* The watermark at which the next window fires or expires. */
static int64_t sl_next_timer(rs_op *op, int port) {
  return port == 0 ? rs_timerq_next(&((sl_op *)op)->timers) : INT64_MAX;
}

/* Layout: i32 n_keys | per key (table order): BYTES key |
 *   i32 n_ev | n_ev x (i64 ts, i64 value, i64 first, i64 last, u64 n, u64 oh) |
 *   i32 n_win | n_win x (i64 t, u32 rev, i8 fired) */
static void sl_save(rs_op *op, sp_buf *b) {
  sl_op *s = (sl_op *)op;
  size_t n;
  rs_keyed **all = rs_keytab_all(&s->keys, &n);
  kw_i32(b, (int32_t)n);
  for (size_t i = 0; i < n; i++) {
    sl_key *k = (sl_key *)all[i];
    kw_bytes(b, k->k.key, (int32_t)k->k.key_len);
    kw_i32(b, (int32_t)k->n_ev);
    for (size_t e = 0; e < k->n_ev; e++) {
      kw_i64(b, k->evs[e].ts);
      kw_i64(b, k->evs[e].value);
      kw_i64(b, k->evs[e].cover.first);
      kw_i64(b, k->evs[e].cover.last);
      kw_i64(b, (int64_t)k->evs[e].cover.n);
      kw_i64(b, (int64_t)k->evs[e].cover.oh);
    }
    kw_i32(b, (int32_t)k->n_win);
    for (size_t w = 0; w < k->n_win; w++) {
      kw_i64(b, k->wins[w].t);
      kw_u32(b, k->wins[w].rev);
      kw_i8(b, (int8_t)k->wins[w].fired);
    }
  }
  free(all);
}

/* Restores keys, events and windows and rebuilds their timers. */
static int sl_load(rs_op *op, kreader *r) {
  sl_op *s = (sl_op *)op;
  int32_t n = kr_array(r, 12);
  if (r->err || n < 0) return -1;
  for (int32_t i = 0; i < n; i++) {
    kslice key = kr_bytes(r);
    if (r->err || key.len < 0) return -1;
    sl_key *k = rs_keytab_get(&s->keys, (const char *)key.ptr, (uint32_t)key.len, 1);
    int32_t ne = kr_array(r, 48);
    if (r->err || ne < 0) return -1;
    for (int32_t e = 0; e < ne; e++) {
      sl_ev ev;
      ev.ts = kr_i64(r);
      ev.value = kr_i64(r);
      ev.cover.first = kr_i64(r);
      ev.cover.last = kr_i64(r);
      ev.cover.n = (uint64_t)kr_i64(r);
      ev.cover.oh = (uint64_t)kr_i64(r);
      add_event(k, &ev);
    }
    int32_t nw = kr_array(r, 13);
    if (r->err || nw < 0) return -1;
    for (int32_t w = 0; w < nw; w++) {
      int64_t t = kr_i64(r);
      uint32_t rev = kr_u32(r);
      int fired = kr_i8(r);
      if (r->err) return -1;
      size_t at = win_find(k, t);
      add_window(k, at, t);
      k->wins[at].rev = rev;
      k->wins[at].fired = (uint8_t)(fired != 0);
      if (fired) push(s, k, t + s->lateness, T_EXPIRE);
      else push(s, k, t, T_FIRE);
    }
    if (!k->n_win && k->n_ev)
      push(s, k, k->evs[k->n_ev - 1].ts + s->size - 1 + s->lateness, T_GC);
  }
  return 0;
}

static size_t key_windows(const rs_keyed *k) { return ((const sl_key *)k)->n_win; }

static size_t sl_items(rs_op *op) { return rs_keytab_sum(&((sl_op *)op)->keys, key_windows); }

/* Frees every key and the operator. */
static void sl_destroy(rs_op *op) {
  sl_op *s = (sl_op *)op;
  rs_keytab_free(&s->keys, key_release);
  rs_timerq_free(&s->timers);
  free(s);
}

static const rs_op_vt sl_vt = {sl_on_rec, sl_on_watermark, sl_next_timer, sl_save,
                               sl_load,   sl_items,        sl_destroy};

/* A sliding window operator for cfg. */
rs_op *rs_op_sliding_new(const rs_op_cfg *cfg, const rs_job *job) {
  sl_op *s = sp_calloc(1, sizeof *s);
  s->base.vt = &sl_vt;
  s->base.cfg = cfg;
  s->size = cfg->size;
  s->lateness = job->allowed_lateness_ms;
  rs_keytab_init(&s->keys, sizeof(sl_key), 5);
  rs_timerq_init(&s->timers, rs_keyed_tiebreak);
  return &s->base;
}
