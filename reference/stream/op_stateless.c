/* op_stateless.c: filter, transform and threshold (README.md, "Operators").
 *
 * filter     passes records whose predicate holds.
 * transform  replaces the key and/or value: key := text of a field, value
 *            := field * value_mul + value_add (integers, wrapping mod 2^64).
 *            A record whose new value field is missing or not an integer
 *            is dropped (counted).
 * threshold  level mode passes records whose field is > above. crossing
 *            mode keeps, per key, whether the last record was above, and
 *            passes only a record that goes above ("rise") and, with
 *            emit_fall, one that goes back to <= above ("fall"); decided in
 *            the order records reach it (offset order within the task). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "keytab.h"
#include "mem.h"
#include "operator.h"
#include "task.h"

typedef struct stateless_op {
  rs_op base;
  rs_keytab above; /* threshold crossing: keys whose last record was above */
} stateless_op;

static void no_release(rs_keyed *k) { (void)k; }

/* The text of a value as a key. */
static size_t value_text(const rs_value *v, char *buf, size_t cap, const char **out) {
  switch (v->type) {
  case RS_V_STR: *out = v->s; return v->len;
  case RS_V_INT: *out = buf; return rs_i64_text(buf, v->i);
  case RS_V_REAL: *out = buf; return (size_t)snprintf(buf, cap, "%.17g", v->d);
  default: *out = ""; return 0;
  }
}

/* An integer from a field value (whole reals too); 0, or -1 if it is not one. */
static int value_int(const rs_value *v, int64_t *out) {
  if (v->type == RS_V_INT) {
    *out = v->i;
    return 0;
  }
  if (v->type == RS_V_REAL && v->d == floor(v->d) && fabs(v->d) < 9.2e18) {
    *out = (int64_t)v->d;
    return 0;
  }
  return -1;
}

/* Passes the record on with its key and/or value replaced; drops it when the value is missing. */
static void do_transform(stateless_op *s, const rs_rec *r) {
  const rs_op_cfg *cfg = s->base.cfg;
  rs_rec out = *r;
  rs_event ev2;
  char keybuf[64];
  if (cfg->has_key) {
    rs_value v;
    rs_rec_get(r, &cfg->new_key, &v);
    const char *k;
    size_t n = value_text(&v, keybuf, sizeof keybuf, &k);
    out.key = k;
    out.key_len = (uint32_t)n;
  }
  if (cfg->has_value) {
    rs_value v;
    int64_t x;
    rs_rec_get(r, &cfg->new_value, &v);
    if (value_int(&v, &x) != 0) {
      s->base.task->stats.dropped++;
      return;
    }
    out.value = (int64_t)((uint64_t)x * (uint64_t)cfg->value_mul + (uint64_t)cfg->value_add);
  }
  if (r->ev && r->kind == RS_REC_EVENT) {
    ev2 = *r->ev;
    ev2.key = out.key;
    ev2.key_len = out.key_len;
    ev2.value = out.value;
    ev2.owns_json = 0;
    out.ev = &ev2;
  }
  rs_op_emit(&s->base, &out);
  if (out.ev == &ev2 && ev2.json != r->ev->json) json_decref(ev2.json);
}

/* Passes records above the threshold (level) or the crossings of it (crossing). */
static void do_threshold(stateless_op *s, const rs_rec *r) {
  const rs_op_cfg *cfg = s->base.cfg;
  rs_value v;
  rs_rec_get(r, &cfg->th_field, &v);
  double x;
  int known = 1;
  if (v.type == RS_V_INT) x = (double)v.i;
  else if (v.type == RS_V_REAL) x = v.d;
  else known = 0;
  int is_above = known && x > cfg->th_above;
  if (!cfg->th_crossing) {
    if (is_above) rs_op_emit(&s->base, r);
    return;
  }
  if (!known) return; /* a record without the field changes nothing */
  rs_keyed *was = rs_keytab_get(&s->above, r->key, r->key_len, 0);
  if (is_above == (was != NULL)) return;
  rs_rec out = *r;
  if (is_above) {
    (void)rs_keytab_get(&s->above, r->key, r->key_len, 1);
    out.alert = "rise";
    rs_op_emit(&s->base, &out);
  } else {
    rs_keytab_del(&s->above, was);
    out.alert = "fall";
    if (cfg->th_emit_fall) rs_op_emit(&s->base, &out);
  }
}

/* Dispatches to filter, transform or threshold. */
static void st_on_rec(rs_op *op, int port, const rs_rec *r) {
  stateless_op *s = (stateless_op *)op;
  (void)port;
  switch (op->cfg->kind) {
  case RS_OP_FILTER:
    if (rs_pred_eval(op->cfg->where, r)) rs_op_emit(op, r);
    break;
  case RS_OP_TRANSFORM: do_transform(s, r); break;
  case RS_OP_THRESHOLD: do_threshold(s, r); break;
  default: break;
  }
}

static void st_on_watermark(rs_op *op, int port, int64_t wm) { rs_op_forward_wm(op, port, wm); }

/* Threshold state: i32 n, then n BYTES keys (table order). */
static void st_save(rs_op *op, sp_buf *b) {
  stateless_op *s = (stateless_op *)op;
  size_t n;
  rs_keyed **all = rs_keytab_all(&s->above, &n);
  kw_i32(b, (int32_t)n);
  for (size_t i = 0; i < n; i++) kw_bytes(b, all[i]->key, (int32_t)all[i]->key_len);
  free(all);
}

/* Restores the set of keys above the threshold. */
static int st_load(rs_op *op, kreader *r) {
  stateless_op *s = (stateless_op *)op;
  int32_t n = kr_array(r, 4);
  if (r->err || n < 0) return -1;
  for (int32_t i = 0; i < n; i++) {
    kslice k = kr_bytes(r);
    if (r->err || k.len < 0) return -1;
    (void)rs_keytab_get(&s->above, (const char *)k.ptr, (uint32_t)k.len, 1);
  }
  return 0;
}

static size_t st_items(rs_op *op) { return ((stateless_op *)op)->above.map.len; }

/* Frees the key set and the operator. */
static void st_destroy(rs_op *op) {
  stateless_op *s = (stateless_op *)op;
  rs_keytab_free(&s->above, no_release);
  free(s);
}

static const rs_op_vt stateless_vt = {st_on_rec, st_on_watermark, NULL, NULL, NULL, NULL, st_destroy};
static const rs_op_vt crossing_vt = {st_on_rec, st_on_watermark, NULL, st_save, st_load, st_items,
                                     st_destroy};

/* A filter, transform or threshold operator for cfg. */
rs_op *rs_op_stateless_new(const rs_op_cfg *cfg) {
  stateless_op *s = sp_calloc(1, sizeof *s);
  s->base.cfg = cfg;
  rs_keytab_init(&s->above, sizeof(rs_keyed), 3);
  s->base.vt = cfg->kind == RS_OP_THRESHOLD && cfg->th_crossing ? &crossing_vt : &stateless_vt;
  return &s->base;
}

rs_op *rs_op_new(const rs_op_cfg *cfg, const rs_job *job) {
  switch (cfg->kind) {
  case RS_OP_FILTER:
  case RS_OP_TRANSFORM:
  case RS_OP_THRESHOLD: return rs_op_stateless_new(cfg);
  case RS_OP_WINDOW:
    if (cfg->by_count) return rs_op_countwin_new(cfg, job);
    if (cfg->win == RS_WIN_SLIDING) return rs_op_sliding_new(cfg, job);
    if (cfg->win == RS_WIN_SESSION) return rs_op_session_new(cfg, job);
    return rs_op_window_new(cfg, job);
  case RS_OP_JOIN: return rs_op_join_new(cfg, job);
  case RS_OP_ENRICH: return rs_op_enrich_new(cfg, job);
  case RS_OP_PATTERN: return rs_op_pattern_new(cfg, job);
  case RS_OP_REORDER: return rs_op_reorder_new(cfg, job);
  }
  return NULL;
}
