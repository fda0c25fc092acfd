/* engine.h: all the tasks of a job, and their checkpoint state.
 *
 * Task numbering (part of the output contract, README.md "Tasks"): the
 * main source's topics in the order the job lists them, each topic's
 * partitions in order: task = (partitions of the earlier topics) + p.
 * A joined or table source has as many partitions as the main topic and
 * its partition p feeds task p (input 1). */
#ifndef RS_ENGINE_H
#define RS_ENGINE_H

#include <stdint.h>

#include "job.h"
#include "task.h"

typedef struct rs_engine {
  const rs_job *job;
  rs_task **tasks;
  int n_tasks;
  int *topic_base;  /* first task of each main topic */
  int *topic_parts; /* partitions of each main topic */
} rs_engine;

/* partitions[i] = partition count of main topic i. */
rs_engine *rs_engine_new(const rs_job *job, const int *partitions, rs_emit_fn emit, void *ctx);
void rs_engine_free(rs_engine *e);

/* The task and input reading (source src, topic index, partition), or NULL. */
rs_task *rs_engine_route(rs_engine *e, int src, int topic, int32_t partition, int *input);

/* Engine state: i32 n_tasks | per task BYTES (task.c layout). */
void rs_engine_save(rs_engine *e, sp_buf *b);
int rs_engine_load(rs_engine *e, kreader *r);

/* Sums the tasks' counters. */
rs_task_stats rs_engine_stats(const rs_engine *e);

#endif
