/* task.c: one pipeline instance per input partition. See task.h and
 * README.md ("Tasks", "Watermarks", "Marks", "Exactly-once output"). */
#include "task.h"

#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "fault_points.h"
#include "log.h"
#include "mem.h"
#include "output.h"
#include "sp_assert.h"

rs_task *rs_task_new(const rs_job *job, int index, const char *topic, int32_t partition,
                     rs_emit_fn emit, void *emit_ctx) {
  rs_task *t = sp_calloc(1, sizeof *t);
  t->index = index;
  t->job = job;
  t->emit = emit;
  t->emit_ctx = emit_ctx;
  t->n_inputs = 1;
  t->ops = sp_calloc((size_t)job->n_ops + 1, sizeof *t->ops);
  for (int i = 0; i < job->n_ops; i++) {
    rs_op *op = rs_op_new(&job->ops[i], job);
    op->task = t;
    op->index = i;
    op->wm[0] = op->wm[1] = RS_TS_MIN;
    if (i > 0) t->ops[i - 1]->next = op;
    t->ops[i] = op;
    if (job->ops[i].kind == RS_OP_JOIN || job->ops[i].kind == RS_OP_ENRICH) {
      t->port1 = op;
      t->n_inputs = 2;
      t->in[1].src = job->ops[i].other;
      t->in[1].topic = job->sources[job->ops[i].other].topics[0];
    }
  }
  t->n_ops = job->n_ops;
  t->in[0].src = 0;
  t->in[0].topic = topic;
  for (int i = 0; i < t->n_inputs; i++) {
    rs_input_state *in = &t->in[i];
    in->partition = partition;
    in->next_offset = 0;
    in->max_ts = RS_TS_MIN;
    in->wm = RS_TS_MIN;
    in->stamp = RS_TS_MIN;
  }
  return t;
}

/* Frees the task, its operators and buffers. */
void rs_task_free(rs_task *t) {
  if (!t) return;
  for (int i = 0; i < t->n_ops; i++) t->ops[i]->vt->destroy(t->ops[i]);
  free(t->ops);
  for (int i = 0; i < t->n_inputs; i++) free(t->in[i].rb);
  free(t->pending);
  rs_dedupe_clear(&t->dedupe);
  sp_buf_free(&t->val);
  sp_buf_free(&t->id);
  sp_buf_free(&t->mval);
  sp_buf_free(&t->mid);
  free(t);
}

/* ---- output ------------------------------------------------------------ */

/* Writes the pending marks as one marks record. */
void rs_task_flush_marks(rs_task *t) {
  if (!t->n_pending) return;
  rs_out_marks(t, t->pending, t->n_pending, &t->mval, &t->mid);
  t->emit(t->emit_ctx, t, RS_SINK_OUTPUT, NULL, 0, t->mval.data, t->mval.len);
  t->stats.marks += t->n_pending;
  t->n_pending = 0;
}

/* Writes a record unless it was written before the crash (dedupe). */
static void write_record(rs_task *t, int sink, const void *key, size_t key_len) {
  if (t->replaying && rs_dedupe_take(&t->dedupe, (const char *)t->id.data, t->id.len)) {
    t->stats.suppressed++;
    (void)sp_fault_point(FP_RESTORE_MID_REPLAY);
    if (rs_dedupe_count(&t->dedupe) == 0) {
      t->replaying = 0;
      sp_info("task %d: replay caught up: every result written before the crash was "
              "regenerated (%llu suppressed)", t->index, (unsigned long long)t->stats.suppressed);
    }
    return;
  }
  rs_task_flush_marks(t); /* decisions before the results that depend on them */
  t->emit(t->emit_ctx, t, sink, key, key_len, t->val.data, t->val.len);
}

/* Encodes and writes a result (or skips a duplicate of one written before a crash). */
void rs_task_result(rs_task *t, const rs_rec *r) {
  rs_out_result(t, r, t->seq++, &t->val, &t->id);
  t->stats.results++;
  write_record(t, RS_SINK_OUTPUT, r->key, r->key_len);
}

/* Counts a late record and writes it to the late sink when there is one. */
void rs_task_late(rs_task *t, const rs_op *op, const rs_rec *r) {
  t->stats.late++;
  if (!t->job->sink_late) return;
  rs_out_late(t, op, r, &t->val, &t->id);
  write_record(t, RS_SINK_LATE, r->key, r->key_len);
}

/* Counts and logs (rate-limited) a record that cannot be decoded; errors sink when configured. */
static void bad_record(rs_task *t, int input, const rs_raw *raw, const char *why) {
  t->stats.bad++;
  if (t->stats.bad <= 10 || (t->stats.bad & (t->stats.bad - 1)) == 0)
    sp_warn("task %d: bad record at %s[%d]@%lld: %s (%llu so far)", t->index, t->in[input].topic,
            t->in[input].partition, (long long)raw->offset, why,
            (unsigned long long)t->stats.bad);
  if (!t->job->sink_errors) return;
  rs_out_error(t, input, raw, why, &t->val, &t->id);
  write_record(t, RS_SINK_ERRORS, raw->key, raw->key ? raw->key_len : 0);
}

/* ---- watermarks and marks ---------------------------------------------- */

/* Moves input `input`'s watermark forward and tells the operators fed by it. */
static void set_wm(rs_task *t, int input, int64_t wm) {
  rs_input_state *in = &t->in[input];
  if (wm <= in->wm) return;
  in->wm = wm;
  if (input == 1) t->port1->vt->on_watermark(t->port1, 1, wm);
  else if (t->n_ops) t->ops[0]->vt->on_watermark(t->ops[0], 0, wm);
}

/* Applies a mark: a processing stamp (W = stamp - 1) or an idle watermark advance. */
static void apply_mark(rs_task *t, const rs_mark *m) {
  rs_input_state *in = &t->in[m->input];
  if (m->type == RS_MARK_PROC) {
    if (m->value > in->stamp) in->stamp = m->value;
    set_wm(t, m->input, in->stamp - 1);
  } else {
    set_wm(t, m->input, m->value);
  }
}

/* A new decision: recorded (written before the next result) and applied. */
static void take_mark(rs_task *t, int input, int type, int64_t pos, int64_t value) {
  if (t->n_pending == t->cap_pending) {
    t->cap_pending = t->cap_pending ? 2 * t->cap_pending : 16;
    t->pending = sp_realloc(t->pending, t->cap_pending * sizeof *t->pending);
  }
  rs_mark m = {(uint16_t)input, (uint8_t)type, pos, value};
  t->pending[t->n_pending++] = m;
  apply_mark(t, &m);
}

/* Applies read-back marks of input i whose position is <= pos. */
static void apply_due(rs_task *t, int i, int64_t pos) {
  rs_input_state *in = &t->in[i];
  while (in->rb_next < in->rb_len && in->rb[in->rb_next].pos <= pos) {
    rs_mark m = in->rb[in->rb_next++];
    apply_mark(t, &m);
  }
  if (in->rb_next == in->rb_len) in->rb_len = in->rb_next = 0;
}

/* Applies read-back marks already due at the current positions. */
void rs_task_apply_marks(rs_task *t) {
  for (int i = 0; i < t->n_inputs; i++) apply_due(t, i, t->in[i].next_offset);
}

/* now_ms rounded down to a multiple of the processing tick. */
static int64_t tick_of(const rs_job *job, int64_t now_ms) {
  return now_ms - ((now_ms % job->tick_ms) + job->tick_ms) % job->tick_ms;
}

/* ---- records ----------------------------------------------------------- */

/* Processes one input record (README.md, "Tasks", "Time"). */
void rs_task_record(rs_task *t, int input, const rs_raw *raw, int64_t now_ms) {
  rs_input_state *in = &t->in[input];
  const rs_job *job = t->job;
  if (raw->offset < in->next_offset) return;
  in->last_data_ms = now_ms;
  apply_due(t, input, raw->offset);
  if (job->time_mode == RS_TIME_PROCESSING && in->rb_len == 0 && raw->offset >= in->rb_hold) {
    int64_t tick = tick_of(job, now_ms);
    if (tick > in->stamp) take_mark(t, input, RS_MARK_PROC, raw->offset, tick);
  }
  t->stats.records++;
  rs_event ev;
  char why[256];
  in->next_offset = raw->offset + 1;
  if (rs_event_decode(&job->sources[in->src], (uint16_t)input, raw, &ev, why, sizeof why) != 0) {
    bad_record(t, input, raw, why);
    rs_event_clear(&ev);
    apply_due(t, input, in->next_offset);
    return;
  }
  if (job->time_mode == RS_TIME_PROCESSING) ev.ts = in->stamp;
  rs_rec r = rs_rec_of_event(&ev);
  if (input == 1) {
    t->port1->vt->on_rec(t->port1, 1, &r);
  } else if (t->n_ops) {
    t->ops[0]->vt->on_rec(t->ops[0], 0, &r);
  } else {
    rs_task_result(t, &r);
  }
  rs_event_clear(&ev);
  if (job->time_mode == RS_TIME_EVENT && ev.ts > in->max_ts) {
    in->max_ts = ev.ts;
    set_wm(t, input, ev.ts - job->out_of_orderness_ms - 1);
  }
  apply_due(t, input, in->next_offset);
}

/* The earliest timer of the operators fed by input `input`. */
int64_t rs_task_next_timer(rs_task *t, int input) {
  int64_t next = INT64_MAX;
  if (input == 1) return t->port1->vt->next_timer(t->port1, 1);
  for (int i = 0; i < t->n_ops; i++) {
    rs_op *op = t->ops[i];
    if (!op->vt->next_timer) continue;
    int64_t n = op->vt->next_timer(op, 0);
    if (n < next) next = n;
  }
  return next;
}

/* Takes the clock decisions due now (proc stamps, idle advances), only when they make an operator act. */
int rs_task_tick(rs_task *t, int64_t now_ms) {
  const rs_job *job = t->job;
  int taken = 0;
  for (int i = 0; i < t->n_inputs; i++) {
    rs_input_state *in = &t->in[i];
    /* replaying recorded decisions: take none */
    if (in->rb_len || in->next_offset < in->rb_hold) continue;
    if (job->time_mode == RS_TIME_PROCESSING) {
      int64_t tick = tick_of(job, now_ms);
      if (tick > in->stamp && rs_task_next_timer(t, i) <= tick - 1) {
        take_mark(t, i, RS_MARK_PROC, in->next_offset, tick);
        taken++;
      }
      continue;
    }
    const rs_source_cfg *src = &job->sources[in->src];
    if (!src->idle_timeout_ms || !in->caught_up) continue;
    if (now_ms - in->last_data_ms < src->idle_timeout_ms) continue;
    if (now_ms - in->last_mark_ms < src->idle_timeout_ms) continue;
    int64_t v;
    switch (src->idle_advance) {
    case RS_IDLE_WALL: v = now_ms - job->out_of_orderness_ms - 1; break;
    case RS_IDLE_END: v = RS_TS_MAX; break;
    default:
      v = RS_TS_MIN;
      for (int k = 0; k < t->n_inputs; k++)
        if (k != i && t->in[k].wm > v) v = t->in[k].wm;
    }
    if (v <= in->wm || rs_task_next_timer(t, i) > v) continue;
    in->last_mark_ms = now_ms;
    take_mark(t, i, RS_MARK_IDLE, in->next_offset, v);
    taken++;
  }
  return taken;
}

/* ---- restart ----------------------------------------------------------- */

/* Adds a result id written before the crash to the dedupe set. */
void rs_task_readback_id(rs_task *t, const char *id, size_t len) {
  rs_dedupe_add(&t->dedupe, id, len);
  t->replaying = 1;
}

/* Queues a read-back mark to apply at its position. */
void rs_task_readback_mark(rs_task *t, const rs_mark *m) {
  SP_ASSERT(m->input < t->n_inputs);
  rs_input_state *in = &t->in[m->input];
  if (in->rb_len == in->rb_cap) {
    in->rb_cap = in->rb_cap ? 2 * in->rb_cap : 16;
    in->rb = sp_realloc(in->rb, in->rb_cap * sizeof *in->rb);
  }
  in->rb[in->rb_len++] = *m; /* marks are read in the order they were taken */
}

/* Holds back new clock decisions before a read-back record's position. */
void rs_task_readback_through(rs_task *t, int input, int64_t pos) {
  if (input < t->n_inputs && pos > t->in[input].rb_hold) t->in[input].rb_hold = pos;
}

/* ---- checkpoint -------------------------------------------------------- */

/* Layout (all through kcodec):
 *   i32 n_inputs
 *   per input: i64 next_offset | i64 max_ts | i64 wm | i64 stamp | i64 rb_hold |
 *              i32 n_marks | n x (i16 input, i8 type, i64 pos, i64 value)
 *   i64 seq | dedupe set (dedupe.h) | i32 n_ops | per op: BYTES state */
void rs_task_save(rs_task *t, sp_buf *b) {
  SP_ASSERT(t->n_pending == 0);
  kw_i32(b, t->n_inputs);
  for (int i = 0; i < t->n_inputs; i++) {
    rs_input_state *in = &t->in[i];
    kw_i64(b, in->next_offset);
    kw_i64(b, in->max_ts);
    kw_i64(b, in->wm);
    kw_i64(b, in->stamp);
    kw_i64(b, in->rb_hold);
    kw_i32(b, (int32_t)(in->rb_len - in->rb_next));
    for (size_t k = in->rb_next; k < in->rb_len; k++) {
      kw_i16(b, (int16_t)in->rb[k].input);
      kw_i8(b, (int8_t)in->rb[k].type);
      kw_i64(b, in->rb[k].pos);
      kw_i64(b, in->rb[k].value);
    }
  }
  kw_i64(b, (int64_t)t->seq);
  rs_dedupe_save(&t->dedupe, b);
  kw_i32(b, t->n_ops);
  sp_buf st = SP_BUF_INIT;
  for (int i = 0; i < t->n_ops; i++) {
    rs_op *op = t->ops[i];
    sp_buf_reset(&st);
    kw_i64(&st, op->wm[0]);
    kw_i64(&st, op->wm[1]);
    if (op->vt->save) op->vt->save(op, &st);
    kw_bytes(b, st.data, (int32_t)st.len);
  }
  sp_buf_free(&st);
}

/* Restores a task saved by rs_task_save; -1 on any inconsistency. */
int rs_task_load(rs_task *t, kreader *r) {
  if (kr_i32(r) != t->n_inputs || r->err) return -1;
  for (int i = 0; i < t->n_inputs; i++) {
    rs_input_state *in = &t->in[i];
    in->next_offset = kr_i64(r);
    in->max_ts = kr_i64(r);
    in->wm = kr_i64(r);
    in->stamp = kr_i64(r);
    in->rb_hold = kr_i64(r);
    int32_t n = kr_array(r, 19);
    if (r->err || n < 0) return -1;
    for (int32_t k = 0; k < n; k++) {
      rs_mark m;
      m.input = (uint16_t)kr_i16(r);
      m.type = (uint8_t)kr_i8(r);
      m.pos = kr_i64(r);
      m.value = kr_i64(r);
      if (r->err || m.input >= t->n_inputs || (m.type != RS_MARK_IDLE && m.type != RS_MARK_PROC))
        return -1;
      rs_task_readback_mark(t, &m);
    }
  }
  t->seq = (uint64_t)kr_i64(r);
  if (rs_dedupe_load(&t->dedupe, r) != 0) return -1;
  t->replaying = rs_dedupe_count(&t->dedupe) > 0;
  if (kr_i32(r) != t->n_ops || r->err) return -1;
  for (int i = 0; i < t->n_ops; i++) {
    rs_op *op = t->ops[i];
    kslice s = kr_bytes(r);
    if (r->err || s.len < 0) return -1;
    kreader sub;
    kr_init(&sub, s.ptr, (size_t)s.len);
    op->wm[0] = kr_i64(&sub);
    op->wm[1] = kr_i64(&sub);
    if (op->vt->load && op->vt->load(op, &sub) != 0) return -1;
    if (sub.err || kr_remaining(&sub) != 0) return -1;
  }
  return 0;
}

/* Windows and records held by the task's operators (stats). */
size_t rs_task_state_items(rs_task *t) {
  size_t n = 0;
  for (int i = 0; i < t->n_ops; i++)
    if (t->ops[i]->vt->state_items) n += t->ops[i]->vt->state_items(t->ops[i]);
  return n;
}

/* ---- operator helpers (operator.h) ------------------------------------- */

/* Passes r downstream, or to the task's results after the last operator. */
void rs_op_emit(rs_op *op, const rs_rec *r) {
  if (op->next) op->next->vt->on_rec(op->next, 0, r);
  else rs_task_result(op->task, r);
}

void rs_op_late(rs_op *op, const rs_rec *r) { rs_task_late(op->task, op, r); }

/* Records the watermark of `port` and forwards port 0's downstream. */
void rs_op_forward_wm(rs_op *op, int port, int64_t wm) {
  op->wm[port] = wm;
  if (port == 0 && op->next) op->next->vt->on_watermark(op->next, 0, wm);
}
