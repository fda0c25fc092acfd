/* expect.c: an expected record as the JSON the README's "Output records"
 * prescribes (oracle_int.h). Field order is not rendered (the comparison
 * is by name); which fields are compared is compare.c's business. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "input.h"
#include "oracle_int.h"

static const char *const KIND_NAMES[] = {"event", "window", "join", "enrich", "match", "absence"};

static void set(json_t *o, const char *k, json_t *v) { json_object_set_new(o, k, v); }
static json_t *jint(int64_t v) { return json_integer((json_int_t)v); }
static json_t *jstr(const char *s, size_t n) { return json_stringn_nocheck(s, n); }

/* The input payload: a JSON payload as written, an identity header as
 * {"writer","seq","key" (null: no key),"size","event_time_ms","topic"}. */
static json_t *event_json(const in_rec *s) {
  if (!s || !s->payload) return json_null();
  if (s->identity) {
    json_t *o = json_object();
    set(o, "writer", jint(s->writer));
    set(o, "seq", jint((int64_t)s->seq));
    set(o, "key", s->key_id == 0xffffffffu ? json_null() : jint(s->key_id));
    set(o, "size", jint(s->size));
    set(o, "event_time_ms", jint(s->event_time_ms));
    set(o, "topic", jint(s->topic));
    return o;
  }
  json_t *doc = input_parse_json(s->payload, (size_t)s->payload_len);
  return doc ? doc : json_null();
}

/* {"offset","key","ts","value","event"} of a record as it reached an
 * operator; null when there is none. */
static json_t *snap_json(const snap *s) {
  if (!s->src) return json_null();
  json_t *o = json_object();
  set(o, "offset", jint(s->src->offset));
  set(o, "key", jstr(s->key, s->key_len));
  set(o, "ts", jint(s->ts));
  set(o, "value", jint(s->value));
  set(o, "event", event_json(s->src));
  return o;
}

static void window_fields(json_t *o, const winres *w) {
  static const char *const names[] = {"count", "sum", "min", "max", "avg"};
  set(o, "window", json_string(job_window_name(w->cfg)));
  set(o, "start", jint(w->start));
  set(o, "end", jint(w->end));
  set(o, "rev", jint(w->rev));
  for (int i = 0; i < 5; i++) {
    if (!(w->cfg->aggregates & (1u << i))) continue;
    json_t *v;
    switch (i) {
    case 0: v = jint(w->a.count); break;
    case 1: v = jint((int64_t)w->a.sum); break;
    case 2: v = jint(w->a.min); break;
    case 3: v = jint(w->a.max); break;
    default: v = json_real((double)(int64_t)w->a.sum / (double)w->a.count); break;
    }
    set(o, names[i], v);
  }
  char oh[17];
  snprintf(oh, sizeof oh, "%016" PRIx64, w->a.cv.oh);
  set(o, "first", jint(w->a.cv.first));
  set(o, "last", jint(w->a.cv.last));
  set(o, "n", jint((int64_t)w->a.cv.n));
  set(o, "oh", json_string(oh));
  if (w->n_sup) {
    json_t *a = json_array();
    for (size_t i = 0; i < w->n_sup; i++)
      json_array_append_new(a, json_pack("[III]", (json_int_t)w->superseded[3 * i],
                                         (json_int_t)w->superseded[3 * i + 1],
                                         (json_int_t)w->superseded[3 * i + 2]));
    set(o, "superseded", a);
  }
}

static void result_fields(json_t *o, const frec *r) {
  switch (r->kind) {
  case RK_WINDOW: window_fields(o, r->w); break;
  case RK_EVENT:
    set(o, "offset", jint(r->src->offset));
    if (r->alert) set(o, "alert", json_string(r->alert == 1 ? "rise" : "fall"));
    set(o, "event", event_json(r->src));
    break;
  case RK_JOIN:
    set(o, "left", snap_json(&r->s1));
    set(o, "right", snap_json(&r->s2));
    break;
  case RK_ENRICH:
    set(o, "offset", jint(r->src->offset));
    set(o, "event", event_json(r->src));
    set(o, "table", snap_json(&r->s2));
    break;
  case RK_MATCH:
  case RK_ABSENCE:
    set(o, "first", snap_json(&r->s1));
    set(o, "then", snap_json(&r->s2));
    break;
  }
}

static void error_fields(json_t *o, const task *t, const exp_rec *e) {
  const in_rec *b = e->bad;
  set(o, "input", jint(b->input));
  set(o, "input_topic", json_string(t->topic[b->input]));
  set(o, "offset", jint(b->offset));
  set(o, "reason", json_string(b->why));
  set(o, "payload_len", jint(b->payload_len));
  char hex[513];
  size_t n = b->payload_len > 256 ? 256 : b->payload_len > 0 ? (size_t)b->payload_len : 0;
  for (size_t i = 0; i < n; i++) snprintf(hex + 2 * i, 3, "%02x", b->payload[i]);
  hex[2 * n] = '\0';
  set(o, "payload_hex", json_string(hex));
}

json_t *expect_json(const task *t, const exp_rec *e) {
  json_t *o = json_object();
  const frec *r = &e->r;
  set(o, "v", jint(1));
  set(o, "kind", json_string(e->sink == SINK_LATE ? "late" : e->sink == SINK_ERRORS ? "error" : KIND_NAMES[r->kind]));
  set(o, "id", jstr(e->id, e->id_len));
  set(o, "task", jint(t->id));
  set(o, "topic", json_string(t->topic[0]));
  set(o, "p", jint(t->partition));
  if (e->sink == SINK_OUTPUT) set(o, "seq", jint(e->seq));
  if (e->sink != SINK_ERRORS) {
    set(o, "key", jstr(r->key, r->key_len));
    set(o, "ts", jint(r->ts));
    set(o, "value", jint(r->value));
  }
  switch (e->sink) {
  case SINK_OUTPUT: result_fields(o, r); break;
  case SINK_LATE:
    set(o, "op", jint(e->op));
    set(o, "op_kind", json_string(job_op_name(t->j->ops[e->op].kind)));
    if (r->kind == RK_WINDOW) {
      window_fields(o, r->w);
    } else {
      set(o, "input", jint(r->input));
      set(o, "offset", jint(r->src->offset));
      set(o, "event", event_json(r->src));
    }
    set(o, "input_wm", jint(e->input_wm));
    break;
  default: error_fields(o, t, e); break;
  }
  set(o, "through", jint(e->through));
  if (t->two_inputs) set(o, "through1", jint(e->through1));
  set(o, "wm", jint(e->wm));
  return o;
}
