/* operator.h: the interface every pipeline operator implements.
 *
 * A task (task.h) runs one instance of the job's pipeline per input
 * partition. Records enter the first operator and flow down the chain
 * through rs_op_emit; the last operator's records become results. Each
 * operator also sees the watermark of its input(s): port 0 is the main
 * chain, port 1 the other source of a join or enrich.
 *
 * The contract that makes replay deterministic (README.md, "Determinism"):
 *  - on_rec and on_watermark depend only on the operator's state and their
 *    arguments (no clocks, no randomness, no hash-table iteration order in
 *    anything that reaches the output);
 *  - when the watermark advances, an operator first emits what the advance
 *    completes (in a documented order), then forwards the watermark, so a
 *    result is never "late" for the operator after it;
 *  - save() writes everything on_rec/on_watermark depend on, and load()
 *    restores it exactly: processing in two halves with a checkpoint in
 *    between gives byte-identical results to one pass (tested). */
#ifndef RS_OPERATOR_H
#define RS_OPERATOR_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "job.h"
#include "kcodec.h"
#include "record.h"

typedef struct rs_op rs_op;
struct rs_task;

typedef struct rs_op_vt {
  void (*on_rec)(rs_op *op, int port, const rs_rec *r);
  /* The watermark of `port` advanced to wm (always > the previous value). */
  void (*on_watermark)(rs_op *op, int port, int64_t wm);
  /* The smallest watermark of `port` at which this operator would act
   * (fire, expire, release); INT64_MAX if none. NULL: stateless. */
  int64_t (*next_timer)(rs_op *op, int port);
  void (*save)(rs_op *op, sp_buf *b); /* NULL: no state */
  int (*load)(rs_op *op, kreader *r); /* 0, or -1 on a bad encoding */
  size_t (*state_items)(rs_op *op);   /* windows/records held (stats) */
  void (*destroy)(rs_op *op);
} rs_op_vt;

struct rs_op {
  const rs_op_vt *vt;
  const rs_op_cfg *cfg;
  struct rs_task *task;
  rs_op *next;
  int index;     /* position in the pipeline */
  int64_t wm[2]; /* last watermark seen per port */
};

/* Passes r to the next operator, or to the task's results. */
void rs_op_emit(rs_op *op, const rs_rec *r);
/* Reports r as late for this operator (README.md, "Lateness"). */
void rs_op_late(rs_op *op, const rs_rec *r);
/* Stores wm for port and forwards it (port 0's) downstream. */
void rs_op_forward_wm(rs_op *op, int port, int64_t wm);

/* Constructors (one file per operator family). */
rs_op *rs_op_stateless_new(const rs_op_cfg *cfg);   /* filter, transform, threshold */
rs_op *rs_op_window_new(const rs_op_cfg *cfg, const rs_job *job); /* tumbling, hopping */
rs_op *rs_op_sliding_new(const rs_op_cfg *cfg, const rs_job *job);
rs_op *rs_op_session_new(const rs_op_cfg *cfg, const rs_job *job);
rs_op *rs_op_countwin_new(const rs_op_cfg *cfg, const rs_job *job);
rs_op *rs_op_join_new(const rs_op_cfg *cfg, const rs_job *job);
rs_op *rs_op_enrich_new(const rs_op_cfg *cfg, const rs_job *job);
rs_op *rs_op_pattern_new(const rs_op_cfg *cfg, const rs_job *job);
rs_op *rs_op_reorder_new(const rs_op_cfg *cfg, const rs_job *job);

/* Builds the operator for cfg (dispatching on kind and window type). */
rs_op *rs_op_new(const rs_op_cfg *cfg, const rs_job *job);

#endif
