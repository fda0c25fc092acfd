/* task.h: one task = the job's pipeline applied to one input partition.
 *
 * Like a Kafka Streams task: task k reads partition p of the main source
 * (and partition p of a joined or table source: co-partitioning), owns its
 * own operator state, watermarks and output sequence, so every result is a
 * deterministic function of that partition's records (plus the recorded
 * marks below). README.md ("Tasks", "Watermarks", "Marks") is the spec.
 *
 * Marks. The only inputs to a task that are not records are decisions
 * taken from the wall clock: the processing-time stamp of records, and
 * advancing an idle input's watermark. Each decision is a mark, "before the
 * record at offset POS of input I, set its clock to VALUE", and is written
 * to the output topic (a "marks" record) before any result that depends on
 * it. On restart the task reads its marks back and applies them at the same
 * positions, so replay takes the same decisions; an oracle reads them too.
 *
 * Exactly-once. Every result has a deterministic id. After a restart the
 * task is given the ids it wrote after its checkpoint (readback) and skips
 * them while it replays. */
#ifndef RS_TASK_H
#define RS_TASK_H

#include <stddef.h>
#include <stdint.h>

#include "dedupe.h"
#include "job.h"
#include "operator.h"
#include "record.h"

#define RS_MAX_INPUTS 2

enum { RS_MARK_IDLE = 1, RS_MARK_PROC = 2 };

typedef struct rs_mark {
  uint16_t input;
  uint8_t type; /* RS_MARK_IDLE or RS_MARK_PROC */
  int64_t pos;  /* applied when the input's next offset reaches pos */
  int64_t value;
} rs_mark;

/* Where results go: RS_SINK_OUTPUT (results and marks), RS_SINK_LATE,
 * RS_SINK_ERRORS. */
enum { RS_SINK_OUTPUT = 0, RS_SINK_LATE = 1, RS_SINK_ERRORS = 2, RS_N_SINKS = 3 };

struct rs_task;
/* Receives each record the task writes (key may be NULL). */
typedef void (*rs_emit_fn)(void *ctx, struct rs_task *t, int sink, const void *key,
                           size_t key_len, const void *value, size_t value_len);

typedef struct rs_input_state {
  int src;           /* job source index */
  const char *topic;
  int32_t partition;
  int64_t next_offset; /* the next offset to process */
  int64_t max_ts;      /* event time: the largest record time seen */
  int64_t wm;          /* this input's watermark */
  int64_t stamp;       /* processing time: the current stamp */
  /* marks read back after a restart, not yet applied (sorted by pos) */
  rs_mark *rb;
  size_t rb_len, rb_next, rb_cap;
  /* no new mark before this position: the results written before the crash
   * saw records up to here with the recorded clock (README.md, "Marks") */
  int64_t rb_hold;
  /* live, not checkpointed: fed by the I/O layer */
  int caught_up;          /* the consumer reached the partition's end */
  int64_t last_data_ms;   /* wall time of the last record */
  int64_t last_mark_ms;   /* wall time of the last idle mark */
  void *io;               /* the I/O layer's record of this input */
} rs_input_state;

typedef struct rs_task_stats {
  uint64_t records, bad, late, results, suppressed, marks;
  uint64_t dropped; /* dropped by an operator's rule: transform without a value,
                       inner join/enrich without a match */
} rs_task_stats;

typedef struct rs_task {
  int index;
  const rs_job *job;
  int n_inputs;
  rs_input_state in[RS_MAX_INPUTS];
  rs_op **ops;
  int n_ops;
  rs_op *port1; /* the operator fed by input 1 (join/enrich), or NULL */
  uint64_t seq; /* results emitted (suppressed duplicates included) */
  rs_mark *pending; /* marks taken but not yet written */
  size_t n_pending, cap_pending;
  rs_dedupe dedupe;
  int replaying; /* the dedupe set was non-empty at restart */
  rs_emit_fn emit;
  void *emit_ctx;
  rs_task_stats stats;
  sp_buf val, id;   /* encoding scratch (results) */
  sp_buf mval, mid; /* encoding scratch (marks) */
} rs_task;

/* A task for main-source topic `topic` partition `partition`; input 1 (if
 * the job joins another source) reads the same partition of that source. */
rs_task *rs_task_new(const rs_job *job, int index, const char *topic, int32_t partition,
                     rs_emit_fn emit, void *emit_ctx);
void rs_task_free(rs_task *t);

/* Processes one record of input `input` (0 main, 1 other). Records at
 * offsets below the input's next offset are ignored (already processed).
 * now_ms is the wall clock (processing-time stamps only). */
void rs_task_record(rs_task *t, int input, const rs_raw *raw, int64_t now_ms);

/* Clock-driven work: processing-time advance and idle inputs. Takes marks
 * only when they would make an operator act. Returns marks taken. */
int rs_task_tick(rs_task *t, int64_t now_ms);

/* Writes pending marks (before a checkpoint). */
void rs_task_flush_marks(rs_task *t);

/* Restart: a result id written after the checkpoint / a mark read back. */
void rs_task_readback_id(rs_task *t, const char *id, size_t len);
void rs_task_readback_mark(rs_task *t, const rs_mark *m);
/* A read-back record's input position ("through"/"through1"). */
void rs_task_readback_through(rs_task *t, int input, int64_t pos);
/* Applies read-back marks that are due at the current positions. */
void rs_task_apply_marks(rs_task *t);

/* Checkpoint state: positions, watermarks, sequence, unapplied marks,
 * dedupe set, operator state. load returns 0 or -1 (bad encoding). */
void rs_task_save(rs_task *t, sp_buf *b);
int rs_task_load(rs_task *t, kreader *r);

/* Called by operators (via operator.h helpers). */
void rs_task_result(rs_task *t, const rs_rec *r);
void rs_task_late(rs_task *t, const rs_op *op, const rs_rec *r);

/* Earliest timer of any operator fed by input i (INT64_MAX: none). */
int64_t rs_task_next_timer(rs_task *t, int input);
size_t rs_task_state_items(rs_task *t);

#endif
