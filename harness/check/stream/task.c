/* task.c: see task.h. */
#include "task.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "mem.h"
#include "sp_assert.h"

/* ---- records and aggregates ------------------------------------------------ */

void agg_init(agg *a) {
  memset(a, 0, sizeof *a);
  a->min = INT64_MAX;
  a->max = INT64_MIN;
  a->cv = cover_empty();
}

void agg_add(agg *a, int64_t value, const cover *cv) {
  a->count++;
  a->sum += (uint64_t)value;
  if (value < a->min) a->min = value;
  if (value > a->max) a->max = value;
  cover_add(&a->cv, cv);
}

void agg_merge(agg *a, const agg *b) {
  a->count += b->count;
  a->sum += b->sum;
  if (b->min < a->min) a->min = b->min;
  if (b->max > a->max) a->max = b->max;
  cover_add(&a->cv, &b->cv);
}

frec frec_event(const in_rec *r) {
  frec f;
  memset(&f, 0, sizeof f);
  f.kind = RK_EVENT;
  f.input = r->input;
  f.key = r->key;
  f.key_len = r->key_len;
  f.ts = r->ts;
  f.value = r->value;
  f.src = r;
  f.cv = cover_of(r->offset);
  return f;
}

snap snap_of(const frec *r) {
  return (snap){.src = r->src, .key = r->key, .key_len = r->key_len, .ts = r->ts, .value = r->value};
}

/* ---- the operator table ------------------------------------------------------- */

static const op_impl *impl_of(const job_op *op) {
  switch (op->kind) {
  case OP_FILTER: return &op_filter_impl;
  case OP_TRANSFORM: return &op_transform_impl;
  case OP_THRESHOLD: return &op_threshold_impl;
  case OP_WINDOW:
    if (op->u.window.by_count) return &op_countwin_impl;
    if (op->u.window.type == WIN_SLIDING) return &op_sliding_impl;
    if (op->u.window.type == WIN_SESSION) return &op_session_impl;
    return &op_window_impl;
  case OP_REORDER: return &op_reorder_impl;
  case OP_PATTERN: return &op_pattern_impl;
  case OP_JOIN: return &op_join_impl;
  case OP_ENRICH: return &op_enrich_impl;
  }
  SP_PANIC("unknown operator");
}

void task_init(task *t, const job *j, int id, const char *topic0, const char *topic1,
               int32_t partition, int64_t start0, int64_t start1) {
  memset(t, 0, sizeof *t);
  t->j = j;
  t->id = id;
  t->two_inputs = j->two_input_op >= 0;
  t->topic[0] = topic0;
  t->topic[1] = topic1;
  t->partition = partition;
  t->ledger_op = -1;
  for (int i = 0; i < 2; i++) {
    t->W[i] = JOB_TIME_NEG_INF;
    t->stamp[i] = JOB_TIME_NEG_INF + 1;
  }
  t->pos[0] = start0;
  t->pos[1] = start1;
  size_t n = j->n_ops ? j->n_ops : 1;
  t->impl = sp_calloc(n, sizeof *t->impl);
  t->state = sp_calloc(n, sizeof *t->state);
  t->op_wm = sp_calloc(n, sizeof *t->op_wm);
  for (size_t i = 0; i < j->n_ops; i++) {
    t->op_wm[i][0] = t->op_wm[i][1] = JOB_TIME_NEG_INF;
    t->impl[i] = impl_of(&j->ops[i]);
    t->state[i] = t->impl[i]->create ? t->impl[i]->create(t, (int)i) : NULL;
  }
}

void task_free(task *t) {
  for (size_t i = 0; i < t->j->n_ops; i++)
    if (t->impl[i]->destroy) t->impl[i]->destroy(t->state[i]);
  free(t->impl);
  free(t->state);
  free(t->op_wm);
  for (int s = 0; s < SINK_COUNT; s++) free(t->out[s].v);
  for (int i = 0; i < 2; i++) free(t->wsteps[i]);
  free(t->offsets);
  json_decref(t->doc);
  arena_free(&t->ar);
  memset(t, 0, sizeof *t);
}

const char *task_key_dup(task *t, const char *key, size_t len) { return arena_dup(&t->ar, key, len); }

/* ---- ids and expected records ------------------------------------------------ */

/* Appends one expected record to sink s and returns it (through, wm, need
 * filled; id left to the caller). */
static exp_rec *push(task *t, sink_kind s) {
  exp_vec *v = &t->out[s];
  if (v->n == v->cap) {
    v->cap = v->cap ? v->cap * 2 : 64;
    v->v = sp_realloc(v->v, v->cap * sizeof *v->v);
  }
  exp_rec *e = &v->v[v->n++];
  memset(e, 0, sizeof *e);
  e->sink = s;
  e->seq = -1;
  e->through = t->pos[0];
  e->through1 = t->pos[1];
  e->wm = t->W[0];
  e->need[t->cur_input] = t->pos[t->cur_input];
  e->need[!t->cur_input] = t->need_other;
  return e;
}

__attribute__((format(printf, 3, 4))) static void set_id(task *t, exp_rec *e, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if ((size_t)n >= sizeof buf) {
    /* a long key: format again into the arena */
    char *big = arena_alloc(&t->ar, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    e->id = big;
  } else {
    e->id = arena_dup(&t->ar, buf, (size_t)n);
  }
  e->id_len = (uint32_t)n;
}

/* "<key>" for ids: keys may hold NUL bytes in theory; ids use the bytes up
 * to the first NUL (printf), which only matters for such keys. */
static void result_id(task *t, exp_rec *e) {
  const frec *r = &e->r;
  switch (r->kind) {
  case RK_WINDOW:
    set_id(t, e, "w/%d/%" PRId64 "/%" PRId64 "/%" PRId64 "/%s", t->id, r->w->start, r->w->end,
           r->w->rev, r->key);
    break;
  case RK_EVENT: set_id(t, e, "e/%d/%d/%" PRId64, t->id, r->input, r->src->offset); break;
  case RK_JOIN:
    if (r->s2.src)
      set_id(t, e, "j/%d/%" PRId64 "/%" PRId64, t->id, r->s1.src->offset, r->s2.src->offset);
    else
      set_id(t, e, "j/%d/%" PRId64 "/-", t->id, r->s1.src->offset);
    break;
  case RK_ENRICH: set_id(t, e, "n/%d/%" PRId64, t->id, r->src->offset); break;
  case RK_MATCH:
  case RK_ABSENCE: set_id(t, e, "p/%d/%" PRId64, t->id, r->s1.src->offset); break;
  }
}

static void output(task *t, const frec *r) {
  exp_rec *e = push(t, SINK_OUTPUT);
  e->r = *r;
  e->seq = t->seq++;
  t->results++;
  result_id(t, e);
}

void task_emit(task *t, int op, const frec *r) {
  int next = op + 1;
  if ((size_t)next >= t->j->n_ops) {
    output(t, r);
    return;
  }
  t->impl[next]->record(t, next, t->state[next], r);
}

void task_late(task *t, int op, const frec *r, int64_t w) {
  t->late++;
  if (!t->j->sink_late) return;
  exp_rec *e = push(t, SINK_LATE);
  e->r = *r;
  e->op = op;
  e->input_wm = w;
  if (r->kind == RK_WINDOW)
    set_id(t, e, "l/%d/%d/w/%" PRId64 "/%" PRId64 "/%" PRId64 "/%s", t->id, op, r->w->start,
           r->w->end, r->w->rev, r->key);
  else
    set_id(t, e, "l/%d/%d/%d/%" PRId64, t->id, op, r->input, r->src->offset);
}

void task_dropped(task *t) { t->dropped++; }

/* ---- watermarks ------------------------------------------------------------------ */

static void note_wm(task *t, int input, int64_t w) {
  if (t->n_wsteps[input] == t->cap_wsteps[input]) {
    t->cap_wsteps[input] = t->cap_wsteps[input] ? t->cap_wsteps[input] * 2 : 256;
    t->wsteps[input] = sp_realloc(t->wsteps[input], t->cap_wsteps[input] * sizeof(wm_step));
  }
  t->wsteps[input][t->n_wsteps[input]++] = (wm_step){t->pos[input], w};
}

int64_t task_pos_when(const task *t, int input, int64_t w) {
  const wm_step *s = t->wsteps[input];
  size_t lo = 0, hi = t->n_wsteps[input];
  while (lo < hi) { /* first step with W >= w */
    size_t mid = (lo + hi) / 2;
    if (s[mid].w >= w) hi = mid;
    else lo = mid + 1;
  }
  return lo < t->n_wsteps[input] ? s[lo].pos : t->pos[input];
}

/* W of `input` moves to w: each operator from the first that sees the input
 * emits what the advance completes, then the next one hears of it. */
static void advance(task *t, int input, int64_t w) {
  if (w <= t->W[input]) return;
  t->W[input] = w;
  note_wm(t, input, w);
  size_t first = input == 0 ? 0 : (size_t)t->j->two_input_op;
  for (size_t i = first; i < t->j->n_ops; i++) {
    int64_t old = t->op_wm[i][input];
    if (w <= old) continue;
    t->op_wm[i][input] = w;
    if (t->impl[i]->advance) t->impl[i]->advance(t, (int)i, t->state[i], input, old);
  }
}

void task_record(task *t, int input, in_rec *r, json_t *doc) {
  t->cur_input = input;
  t->need_other = 0;
  t->pos[input] = r->offset + 1;
  t->records++;
  json_decref(t->doc);
  t->doc = doc;
  t->doc_rec = doc ? r : NULL;
  if (r->bad) {
    t->bad++;
    if (!t->j->sink_errors) return;
    exp_rec *e = push(t, SINK_ERRORS);
    e->bad = r;
    e->r.input = (uint8_t)input;
    set_id(t, e, "x/%d/%d/%" PRId64, t->id, input, r->offset);
    return;
  }
  if (t->j->processing) r->ts = t->stamp[input];
  if (input == 0) {
    if (t->n_offsets == t->cap_offsets) {
      t->cap_offsets = t->cap_offsets ? t->cap_offsets * 2 : 1024;
      t->offsets = sp_realloc(t->offsets, t->cap_offsets * sizeof *t->offsets);
    }
    t->offsets[t->n_offsets++] = r->offset;
  }
  frec f = frec_event(r);
  size_t start = input == 0 ? 0 : (size_t)t->j->two_input_op;
  if (start >= t->j->n_ops) output(t, &f);
  else t->impl[start]->record(t, (int)start, t->state[start], &f);
  if (t->j->processing) return; /* W follows the stamp (marks) */
  if (!t->has_t[input] || r->ts > t->max_t[input]) {
    t->has_t[input] = 1;
    t->max_t[input] = r->ts;
    advance(t, input, r->ts - t->j->ooo_ms - 1);
  }
}

void task_mark(task *t, const mark *m) {
  t->cur_input = m->input;
  t->need_other = 0;
  t->marks_applied++;
  if (m->proc) {
    t->stamp[m->input] = m->value;
    advance(t, m->input, m->value - 1);
  } else {
    advance(t, m->input, m->value);
  }
}

void task_finish(task *t) {
  for (size_t i = 0; i < t->j->n_ops; i++)
    if (t->impl[i]->finish) t->impl[i]->finish(t, (int)i, t->state[i]);
}

/* ---- fields and predicates ------------------------------------------------------ */

static const char *const IDENTITY_FIELDS[] = {"writer", "seq", "key_id", "size", "topic", "event_time_ms", NULL};
static const char *const WINDOW_FIELDS[] = {"count", "sum", "min", "max", "avg", "start", "end", "rev", NULL};

static int index_of(const char *const *names, const char *name) {
  for (int i = 0; names[i]; i++)
    if (!strcmp(names[i], name)) return i;
  return -1;
}

static sval identity_field(const in_rec *s, int i) {
  switch (i) {
  case 0: return sval_int(s->writer);
  case 1: return sval_int((int64_t)s->seq);
  case 2: return sval_int(s->key_id == 0xffffffffu ? -1 : (int64_t)s->key_id);
  case 3: return sval_int(s->size);
  case 4: return sval_int(s->topic);
  default: return sval_int(s->event_time_ms);
  }
}

static sval window_field(const winres *w, int i) {
  switch (i) {
  case 0: return sval_int(w->a.count);
  case 1: return sval_int((int64_t)w->a.sum);
  case 2: return w->a.count ? sval_int(w->a.min) : (sval){0};
  case 3: return w->a.count ? sval_int(w->a.max) : (sval){0};
  case 4: return w->a.count ? sval_real((double)(int64_t)w->a.sum / (double)w->a.count) : (sval){0};
  case 5: return sval_int(w->start);
  case 6: return sval_int(w->end);
  default: return sval_int(w->rev);
  }
}

sval task_field(task *t, const frec *r, const char *name) {
  if (!strcmp(name, "key")) return sval_str(r->key, r->key_len);
  if (!strcmp(name, "ts")) return sval_int(r->ts);
  if (!strcmp(name, "value")) return sval_int(r->value);
  if (!strcmp(name, "one")) return sval_int(1);
  if (!strcmp(name, "partition")) return sval_int(t->partition);
  const in_rec *s = r->kind == RK_WINDOW ? NULL : r->src;
  if (!strcmp(name, "offset")) return s ? sval_int(s->offset) : (sval){0};
  if (!strcmp(name, "kafka_key"))
    return s && s->kkey ? sval_str((const char *)s->kkey, (size_t)s->kkey_len) : (sval){0};
  if (!strcmp(name, "kafka_timestamp")) return s ? sval_int(s->kafka_ts) : (sval){0};
  /* The README's names are reserved: an identity field of a JSON record or a
   * window field of an event is missing, not a payload member (refstream
   * agrees; `payload.NAME` reaches a member of such a name). */
  int i;
  if ((i = index_of(IDENTITY_FIELDS, name)) >= 0)
    return s && s->identity ? identity_field(s, i) : (sval){0};
  if ((i = index_of(WINDOW_FIELDS, name)) >= 0)
    return r->kind == RK_WINDOW ? window_field(r->w, i) : (sval){0};
  if (!s || s->identity || !s->payload) return (sval){0};
  if (!strncmp(name, "payload.", 8)) name += 8;
  if (t->doc_rec != s) {
    json_decref(t->doc);
    t->doc = input_parse_json(s->payload, (size_t)s->payload_len);
    t->doc_rec = s;
  }
  return json_sval(json_path(t->doc, name));
}

static int cmp_holds(cmp_op op, int c) {
  switch (op) {
  case CMP_EQ: return c == 0;
  case CMP_NE: return c != 0;
  case CMP_LT: return c < 0;
  case CMP_LE: return c <= 0;
  case CMP_GT: return c > 0;
  default: return c >= 0;
  }
}

int task_pred(task *t, const pred *p, const frec *r) {
  switch (p->kind) {
  case PRED_ALL:
    for (size_t i = 0; i < p->n_subs; i++)
      if (!task_pred(t, &p->subs[i], r)) return 0;
    return 1;
  case PRED_ANY:
    for (size_t i = 0; i < p->n_subs; i++)
      if (task_pred(t, &p->subs[i], r)) return 1;
    return 0;
  case PRED_NOT: return !task_pred(t, &p->subs[0], r);
  case PRED_IN: {
    sval v = task_field(t, r, p->field);
    for (size_t i = 0; i < p->n_values; i++) {
      int c;
      if (sval_compare(&v, &p->values[i], &c) && c == 0) return 1;
    }
    return 0;
  }
  case PRED_CMP: {
    sval v = task_field(t, r, p->field);
    if (p->has_mod) {
      if (v.t != SV_INT) return 0;
      int64_t m = v.i % p->mod;
      v = sval_int(m < 0 ? m + p->mod : m);
    }
    int c;
    return sval_compare(&v, &p->value, &c) && cmp_holds(p->op, c);
  }
  }
  return 0;
}
