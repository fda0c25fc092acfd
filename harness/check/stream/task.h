/* task.h: one task of the job recomputed from its input (README "Tasks",
 * "Time", "Recomputing the results").
 *
 * A task feeds its input records, in offset order, through the pipeline,
 * keeping per input a watermark W, a processing-time stamp and a position
 * (the next offset: last processed + 1). Marks read from the output apply
 * just before the first record of their input at or past their `pos`.
 * After a valid record has gone through the whole pipeline its time may
 * raise W; each operator then emits what the advance completes before the
 * new W is passed to the next operator (so a result is never late for the
 * operator after it).
 *
 * What reaches the end of the pipeline, the late records and the bad input
 * records become the task's expected output: exp_rec, with the id, seq,
 * through and wm the README prescribes, and `need`: the input positions
 * the processor must have reached before it could have written the record
 * (an expected record absent from the output is "pending", not "missing",
 * when the output shows the processor had not got that far). */
#ifndef SP_ORACLE_TASK_H
#define SP_ORACLE_TASK_H

#include <jansson.h>
#include <stdint.h>

#include "arena.h"
#include "job.h"
#include "record.h"

typedef enum { SINK_OUTPUT = 0, SINK_LATE, SINK_ERRORS, SINK_COUNT } sink_kind;

/* One expected output record. */
typedef struct exp_rec {
  sink_kind sink;
  frec r;             /* output, late: the record */
  const in_rec *bad;  /* errors: the input record that did not decode */
  int op;             /* late: the operator it was late for */
  int64_t input_wm;   /* late: the watermark it was late against */
  int64_t seq;        /* output: the task's result counter */
  int64_t through, through1, wm;
  int64_t need[2];    /* positions the processor must have reached */
  const char *id;     /* the deterministic id (arena) */
  uint32_t id_len;
} exp_rec;

typedef struct exp_vec {
  exp_rec *v;
  size_t n, cap;
} exp_vec;

/* A mark (README "Marks"): before the record at offset `pos` of `input`,
 * set the input's clock to `value`. */
typedef struct mark {
  int64_t pos, value;
  uint8_t input;
  uint8_t proc; /* 1 proc (stamp := value, W := value - 1), 0 idle (W := value) */
} mark;

typedef struct task task;

/* An operator: what it does with a record that reaches it, with a
 * watermark advance of one of its inputs, and its state's release. */
typedef struct op_impl {
  void *(*create)(task *t, int op);
  void (*record)(task *t, int op, void *state, const frec *r);
  /* op's watermark of `input` has just moved from old_w to t->op_wm[op][input] */
  void (*advance)(task *t, int op, void *state, int input, int64_t old_w);
  /* end of input (optional): note what is left, emit nothing */
  void (*finish)(task *t, int op, void *state);
  void (*destroy)(void *state);
} op_impl;

/* W position history of an input: after `pos` records, W was `w`. */
typedef struct wm_step {
  int64_t pos, w;
} wm_step;

struct task {
  const job *j;
  int id;
  int two_inputs;
  const char *topic[2]; /* input topics */
  int32_t partition;
  arena ar;
  /* per input */
  int64_t W[2], max_t[2], stamp[2], pos[2];
  int has_t[2];
  wm_step *wsteps[2];
  size_t n_wsteps[2], cap_wsteps[2];
  int cur_input;       /* the input being processed */
  int64_t need_other;  /* set by an operator before it emits: the other input's requirement */
  /* operators */
  const op_impl **impl;
  void **state;
  int64_t (*op_wm)[2];
  /* output */
  exp_vec out[SINK_COUNT];
  int64_t seq;
  /* the JSON payload of the record last looked up (field access) */
  const in_rec *doc_rec;
  json_t *doc;
  /* the valid input-0 offsets, to name an offset a window counted wrongly */
  int64_t *offsets;
  size_t n_offsets, cap_offsets;
  /* statistics */
  uint64_t records, bad, late, dropped, marks_applied, results;
  /* tumbling ledger (see ledger in oracle.c): offsets that reached the
   * window operator, and those still in windows never fired */
  int ledger_op;       /* the window operator whose coverage is ledgered, or -1 */
  cover ledger_in;
  cover ledger_unfired;
};

/* Prepares task `id` of job j (inputs' topics and partition given by the
 * caller). */
void task_init(task *t, const job *j, int id, const char *topic0, const char *topic1,
               int32_t partition, int64_t start0, int64_t start1);
void task_free(task *t);

/* Processes one input record (decoded or bad) of input `input`. */
void task_record(task *t, int input, in_rec *r, json_t *doc);
/* Applies one mark. */
void task_mark(task *t, const mark *m);
/* End of input: lets operators note what is left (the ledger). */
void task_finish(task *t);

/* ---- for operators ---- */

/* Record r leaves operator op (goes to op + 1, or to the output). */
void task_emit(task *t, int op, const frec *r);
/* Record r is late for operator op (watermark w). */
void task_late(task *t, int op, const frec *r, int64_t w);
/* Counts a record an operator dropped (transform, inner enrich). */
void task_dropped(task *t);
/* Where the input `input` was when its W first reached w (for `need`). */
int64_t task_pos_when(const task *t, int input, int64_t w);
/* A field of r (README "Fields"); numbers and strings point into r, the
 * task's arena or the task's cached JSON document. */
sval task_field(task *t, const frec *r, const char *name);
/* Evaluates a predicate on r. */
int task_pred(task *t, const pred *p, const frec *r);
/* A copy of a key in the task's arena. */
const char *task_key_dup(task *t, const char *key, size_t len);

/* Operator implementations (op_*.c). */
extern const op_impl op_filter_impl, op_transform_impl, op_threshold_impl, op_window_impl,
    op_sliding_impl, op_session_impl, op_countwin_impl, op_reorder_impl, op_pattern_impl,
    op_join_impl, op_enrich_impl;

#endif
