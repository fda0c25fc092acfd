/* output.c: encoding of output records. The layout of every kind is
 * specified in README.md ("Output records"); keep both in step. */
#include "output.h"

#include <stdio.h>
#include <string.h>

#include "jsonw.h"

/* Appends "/<n>" to an id. */
static void id_int(sp_buf *id, int64_t v) {
  char tmp[24];
  tmp[0] = '/';
  sp_buf_append(id, tmp, 1 + rs_i64_text(tmp + 1, v));
}

/* Starts an id: "<prefix>/<task>". */
static void id_start(sp_buf *id, const char *prefix, int task) {
  sp_buf_reset(id);
  sp_buf_append(id, prefix, strlen(prefix));
  id_int(id, task);
}

/* {"v":1,"kind":K,"id":ID,"task":T,"topic":..,"p":.. (and "seq") */
static void header(jw *w, const rs_task *t, const char *kind, const sp_buf *id) {
  jw_open(w);
  jw_key(w, "v"); jw_i64(w, 1);
  jw_key(w, "kind"); jw_cstr(w, kind);
  jw_key(w, "id"); jw_str(w, (const char *)id->data, id->len);
  jw_key(w, "task"); jw_i64(w, t->index);
  jw_key(w, "topic"); jw_cstr(w, t->in[0].topic);
  jw_key(w, "p"); jw_i64(w, t->in[0].partition);
}

/* Input positions when the record was written. */
static void through(jw *w, const rs_task *t) {
  jw_key(w, "through"); jw_i64(w, t->in[0].next_offset);
  if (t->n_inputs > 1) {
    jw_key(w, "through1");
    jw_i64(w, t->in[1].next_offset);
  }
  jw_key(w, "wm"); jw_i64(w, t->in[0].wm);
}

/* {"offset":..,"ts":..,"value":..,"event":...} for one side of a pair. */
static void event_obj(jw *w, const rs_event *ev) {
  if (!ev) {
    jw_null(w);
    return;
  }
  jw_open(w);
  jw_key(w, "offset"); jw_i64(w, ev->offset);
  jw_key(w, "key"); jw_str(w, ev->key, ev->key_len);
  jw_key(w, "ts"); jw_i64(w, ev->ts);
  jw_key(w, "value"); jw_i64(w, ev->value);
  jw_key(w, "event"); rs_event_payload_json(ev, w);
  jw_close(w);
}

/* Writes the window fields of a window result (README.md, "Output records"). */
static void window_fields(jw *w, const rs_winres *win, const rs_cover *c) {
  jw_key(w, "window"); jw_cstr(w, win->type);
  jw_key(w, "start"); jw_i64(w, win->start);
  jw_key(w, "end"); jw_i64(w, win->end);
  jw_key(w, "rev"); jw_i64(w, win->rev);
  if (win->aggs & RS_AGG_COUNT) { jw_key(w, "count"); jw_u64(w, win->count); }
  if (win->aggs & RS_AGG_SUM) { jw_key(w, "sum"); jw_i64(w, win->sum); }
  if (win->aggs & RS_AGG_MIN) { jw_key(w, "min"); jw_i64(w, win->min); }
  if (win->aggs & RS_AGG_MAX) { jw_key(w, "max"); jw_i64(w, win->max); }
  if (win->aggs & RS_AGG_AVG) {
    jw_key(w, "avg");
    jw_double(w, (double)win->sum / (double)win->count);
  }
  jw_key(w, "first"); jw_i64(w, c->first);
  jw_key(w, "last"); jw_i64(w, c->last);
  jw_key(w, "n"); jw_u64(w, c->n);
  jw_key(w, "oh"); jw_hex64(w, c->oh);
  if (win->n_superseded) {
    jw_key(w, "superseded");
    jw_aopen(w);
    for (size_t i = 0; i < win->n_superseded; i++) {
      jw_elem(w);
      jw_aopen(w);
      for (int k = 0; k < 3; k++) {
        jw_elem(w);
        jw_i64(w, win->superseded[3 * i + k]);
      }
      jw_aclose(w);
    }
    jw_aclose(w);
  }
}

/* The id suffix of a window result: /<start>/<end>/<rev>/<key>. */
static void window_id(sp_buf *id, const rs_rec *r) {
  id_int(id, r->win->start);
  id_int(id, r->win->end);
  id_int(id, r->win->rev);
  sp_buf_append(id, "/", 1);
  sp_buf_append(id, r->key, r->key_len);
}

/* The "kind" of a result record. */
static const char *kind_name(rs_rec_kind k) {
  static const char *const names[] = {"event", "window", "join", "enrich", "match", "absence"};
  return names[k];
}

void rs_out_result(const rs_task *t, const rs_rec *r, uint64_t seq, sp_buf *val, sp_buf *id) {
  switch (r->kind) {
  case RS_REC_EVENT:
    id_start(id, "e", t->index);
    id_int(id, r->ev->input);
    id_int(id, r->ev->offset);
    break;
  case RS_REC_WINDOW:
    id_start(id, "w", t->index);
    window_id(id, r);
    break;
  case RS_REC_JOIN:
    id_start(id, "j", t->index);
    id_int(id, r->ev->offset);
    if (r->ev2) id_int(id, r->ev2->offset);
    else sp_buf_append(id, "/-", 2);
    break;
  case RS_REC_ENRICH:
    id_start(id, "n", t->index);
    id_int(id, r->ev->offset);
    break;
  case RS_REC_MATCH:
  case RS_REC_ABSENCE:
    id_start(id, "p", t->index);
    id_int(id, r->ev->offset);
    break;
  }
  sp_buf_reset(val);
  jw w;
  jw_init(&w, val);
  header(&w, t, kind_name(r->kind), id);
  jw_key(&w, "seq"); jw_u64(&w, seq);
  jw_key(&w, "key"); jw_str(&w, r->key, r->key_len);
  jw_key(&w, "ts"); jw_i64(&w, r->ts);
  jw_key(&w, "value"); jw_i64(&w, r->value);
  switch (r->kind) {
  case RS_REC_EVENT:
    jw_key(&w, "offset"); jw_i64(&w, r->ev->offset);
    if (r->alert) { jw_key(&w, "alert"); jw_cstr(&w, r->alert); }
    jw_key(&w, "event"); rs_event_payload_json(r->ev, &w);
    break;
  case RS_REC_WINDOW:
    window_fields(&w, r->win, &r->cover);
    break;
  case RS_REC_JOIN:
    jw_key(&w, "left"); event_obj(&w, r->ev);
    jw_key(&w, "right"); event_obj(&w, r->ev2);
    break;
  case RS_REC_ENRICH:
    jw_key(&w, "offset"); jw_i64(&w, r->ev->offset);
    jw_key(&w, "event"); rs_event_payload_json(r->ev, &w);
    jw_key(&w, "table"); event_obj(&w, r->ev2);
    break;
  case RS_REC_MATCH:
  case RS_REC_ABSENCE:
    jw_key(&w, "first"); event_obj(&w, r->ev);
    jw_key(&w, "then"); event_obj(&w, r->ev2);
    break;
  }
  through(&w, t);
  jw_close(&w);
}

void rs_out_late(const rs_task *t, const rs_op *op, const rs_rec *r, sp_buf *val, sp_buf *id) {
  id_start(id, "l", t->index);
  id_int(id, op->index);
  if (r->kind == RS_REC_WINDOW) {
    sp_buf_append(id, "/w", 2);
    window_id(id, r);
  } else {
    id_int(id, r->ev->input);
    id_int(id, r->ev->offset);
  }
  sp_buf_reset(val);
  jw w;
  jw_init(&w, val);
  header(&w, t, "late", id);
  jw_key(&w, "op"); jw_i64(&w, op->index);
  jw_key(&w, "op_kind"); jw_cstr(&w, rs_op_kind_name(op->cfg->kind));
  jw_key(&w, "key"); jw_str(&w, r->key, r->key_len);
  jw_key(&w, "ts"); jw_i64(&w, r->ts);
  jw_key(&w, "value"); jw_i64(&w, r->value);
  if (r->kind == RS_REC_WINDOW) {
    window_fields(&w, r->win, &r->cover);
  } else {
    jw_key(&w, "input"); jw_i64(&w, r->ev->input);
    jw_key(&w, "offset"); jw_i64(&w, r->ev->offset);
    jw_key(&w, "event"); rs_event_payload_json(r->ev, &w);
  }
  int port = r->ev ? r->ev->input : 0;
  jw_key(&w, "input_wm"); jw_i64(&w, op->wm[port ? 1 : 0]);
  through(&w, t);
  jw_close(&w);
}

void rs_out_error(const rs_task *t, int input, const rs_raw *raw, const char *why, sp_buf *val,
                  sp_buf *id) {
  static const char hex[] = "0123456789abcdef";
  id_start(id, "x", t->index);
  id_int(id, input);
  id_int(id, raw->offset);
  sp_buf_reset(val);
  jw w;
  jw_init(&w, val);
  header(&w, t, "error", id);
  jw_key(&w, "input"); jw_i64(&w, input);
  jw_key(&w, "input_topic"); jw_cstr(&w, t->in[input].topic);
  jw_key(&w, "offset"); jw_i64(&w, raw->offset);
  jw_key(&w, "reason"); jw_cstr(&w, why);
  jw_key(&w, "payload_len"); jw_i64(&w, raw->payload ? (int64_t)raw->payload_len : -1);
  char buf[2 * 256];
  size_t n = raw->payload ? (raw->payload_len < 256 ? raw->payload_len : 256) : 0;
  for (size_t i = 0; i < n; i++) {
    uint8_t c = ((const uint8_t *)raw->payload)[i];
    buf[2 * i] = hex[c >> 4];
    buf[2 * i + 1] = hex[c & 15];
  }
  jw_key(&w, "payload_hex"); jw_str(&w, buf, 2 * n);
  through(&w, t);
  jw_close(&w);
}

void rs_out_marks(const rs_task *t, const rs_mark *m, size_t n, sp_buf *val, sp_buf *id) {
  id_start(id, "m", t->index);
  id_int(id, m[0].input);
  id_int(id, m[0].pos);
  id_int(id, m[0].type);
  id_int(id, m[0].value);
  sp_buf_reset(val);
  jw w;
  jw_init(&w, val);
  header(&w, t, "marks", id);
  jw_key(&w, "marks");
  jw_aopen(&w);
  for (size_t i = 0; i < n; i++) {
    jw_elem(&w);
    jw_open(&w);
    jw_key(&w, "input"); jw_i64(&w, m[i].input);
    jw_key(&w, "input_topic"); jw_cstr(&w, t->in[m[i].input].topic);
    jw_key(&w, "pos"); jw_i64(&w, m[i].pos);
    jw_key(&w, "type"); jw_cstr(&w, m[i].type == RS_MARK_PROC ? "proc" : "idle");
    jw_key(&w, "value"); jw_i64(&w, m[i].value);
    jw_close(&w);
  }
  jw_aclose(&w);
  through(&w, t);
  jw_close(&w);
}
