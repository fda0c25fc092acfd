/* job.h: a refstream job, as read from its YAML file.
 *
 * README.md ("Job file") documents every key. The parser checks everything
 * it can before the job runs: unknown keys, bad values, references to
 * unknown sources, pipelines whose results could not be deterministic
 * (a stateful operator after a two-input one). Errors name file:line:col
 * and the key path, e.g. "job.yaml:14:7: pipeline[1].window.size_ms:
 * expected a positive integer, got 'ten'". */
#ifndef RS_JOB_H
#define RS_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "predicate.h"
#include "record.h"

typedef enum { RS_TIME_EVENT = 0, RS_TIME_PROCESSING = 1 } rs_time_mode;

/* What an idle input's watermark is advanced to (README.md, "Idle inputs"). */
typedef enum {
  RS_IDLE_WALL = 0, /* wall clock - out_of_orderness */
  RS_IDLE_INPUTS,   /* the largest watermark of the task's other inputs */
  RS_IDLE_END,      /* end of time: every open window fires */
} rs_idle_advance;

typedef struct rs_source_cfg {
  char *name;
  char **topics; /* one topic, or several for the main source (one task each) */
  int n_topics;
  rs_format format;
  rs_field key, time, value; /* how an event's key, time and value are read */
  int start_latest;          /* start from the end instead of the beginning */
  int64_t idle_timeout_ms;   /* 0: never idle */
  rs_idle_advance idle_advance;
  int line;
} rs_source_cfg;

typedef enum {
  RS_OP_FILTER = 0,
  RS_OP_TRANSFORM,
  RS_OP_THRESHOLD,
  RS_OP_WINDOW,
  RS_OP_JOIN,
  RS_OP_ENRICH,
  RS_OP_PATTERN,
  RS_OP_REORDER,
} rs_op_kind;

typedef enum { RS_WIN_TUMBLING = 0, RS_WIN_HOPPING, RS_WIN_SLIDING, RS_WIN_SESSION } rs_win_type;

/* Aggregates a window result includes (bit mask). */
enum { RS_AGG_COUNT = 1, RS_AGG_SUM = 2, RS_AGG_MIN = 4, RS_AGG_MAX = 8, RS_AGG_AVG = 16 };

typedef struct rs_op_cfg {
  rs_op_kind kind;
  int line;
  /* filter */
  rs_pred *where;
  /* transform */
  int has_key, has_value;
  rs_field new_key, new_value;
  int64_t value_mul, value_add;
  /* threshold */
  rs_field th_field;
  double th_above;
  int th_crossing; /* 0: every record above; 1: only upward crossings */
  int th_emit_fall;
  /* window */
  rs_win_type win;
  int by_count;
  int64_t size, advance, gap, offset; /* ms, or records for count windows */
  unsigned aggs;
  rs_field_id result_value; /* the aggregate a result carries as "value" downstream */
  /* join (stream-stream) and enrich (stream-table) */
  int other;     /* source index */
  int outer;     /* left join / left enrich */
  int64_t before_ms, after_ms;
  /* pattern */
  rs_pred *first, *then;
  int64_t within_ms;
  int emit_matches, emit_absences;
} rs_op_cfg;

typedef struct rs_job {
  char *path;
  char *name;
  rs_time_mode time_mode;
  int64_t out_of_orderness_ms;
  int64_t allowed_lateness_ms;
  int64_t tick_ms; /* processing-time granularity */
  rs_source_cfg *sources;
  int n_sources;
  rs_op_cfg *ops;
  int n_ops;
  char *sink_output, *sink_late, *sink_errors; /* late/errors may be NULL */
  uint64_t fingerprint; /* hash of the job's content: a checkpoint of another job is refused */
} rs_job;

/* Loads and validates a job file. NULL with a located message in err. */
rs_job *rs_job_load(const char *path, char *err, size_t errlen);
/* The same from text (tests). */
rs_job *rs_job_parse(const char *name, const char *yaml, char *err, size_t errlen);
void rs_job_free(rs_job *job);

const char *rs_op_kind_name(rs_op_kind k);
const char *rs_win_type_name(rs_win_type w);

#endif
