/* oracle_int.h: what the oracle's parts share (not part of oracle.h).
 *
 *   actual.c   reads the output dumps into per-task record lists and marks
 *   expect.c   renders an expected record as the JSON refstream must write
 *   compare.c  matches expected with actual records, per task and sink
 *   oracle.c   the driver: job, tasks, input dumps, recomputation
 *   report.c   the verdict.json section and the summary */
#ifndef SP_ORACLE_INT_H
#define SP_ORACLE_INT_H

#include <jansson.h>

#include "arena.h"
#include "job.h"
#include "oracle.h"
#include "smap.h"
#include "task.h"

/* One record read from an output dump. */
typedef struct act_rec {
  const char *text; /* the JSON value (arena) */
  uint32_t len;
  int32_t kkey_len; /* Kafka key, -1: null */
  const char *kkey;
  const char *id;
  uint32_t id_len;
  const char *topic; /* where it was read: topic, partition, offset */
  int32_t partition;
  int64_t offset;
  int64_t seq; /* -1 when absent */
} act_rec;

typedef struct act_vec {
  act_rec *v;
  size_t n, cap;
} act_vec;

/* A task's output as read back. */
typedef struct act_task {
  act_vec recs[SINK_COUNT];
  mark *marks; /* in the order written */
  size_t n_marks, cap_marks;
  smap mark_ids;
  int64_t seen[2]; /* furthest input positions the output proves processed */
} act_task;

typedef struct actual {
  arena ar;
  act_task *tasks;
  int n_tasks;
  int32_t parts[SINK_COUNT]; /* partitions of each sink topic (0: none) */
  int complete[SINK_COUNT];  /* every partition of the sink copied whole */
} actual;

/* Reads the output dumps of every sink of j from dir into a (tasks 0 ..
 * n_tasks-1). Findings (malformed records) and gaps (dumps cut short or
 * missing) go to r. */
void actual_load(actual *a, const char *dir, const job *j, int n_tasks, stream_result *r);
void actual_free(actual *a);

/* Counts one finding for task tid (or -1) and keeps an example while fewer than
 * r->ex_max were kept. */
void oracle_finding(stream_result *r, stream_finding f, int tid, const char *sink, const char *id,
                    const char *where, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* The JSON an expected record must be written as (README "Output
 * records"): every field the README names, timing fields included. */
json_t *expect_json(const task *t, const exp_rec *e);

/* Compares task t's expected records with what the output holds; findings
 * and the task's counts go to r and tr. */
void compare_task(task *t, act_task *at, const actual *a, stream_result *r,
                  stream_task_result *tr);

extern const char *const SINK_NAMES[SINK_COUNT];

#endif
