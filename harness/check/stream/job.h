/* job.h: the oracle's own reader of refstream job files.
 *
 * Written from reference/stream/README.md ("Job file", "Fields",
 * "Predicates", "Operators"), independently of refstream's parser: the
 * oracle must not share a misreading with the system it checks. Every error
 * names `file:line:column: key.path: what` (the same shape refstream uses).
 *
 * What the oracle cannot recompute is still parsed (so a valid job is never
 * refused) and marked: job_checkable() says why a job cannot be checked. */
#ifndef SP_ORACLE_JOB_H
#define SP_ORACLE_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "sval.h"

/* -infinity and +infinity of watermarks, as refstream writes them. */
#define JOB_TIME_NEG_INF (-2305843009213693952LL) /* -2^61 */
#define JOB_TIME_POS_INF 2305843009213693951LL    /* 2^61 - 1 */

typedef enum { FMT_IDENTITY = 0, FMT_JSON } job_format;

/* Where a source reads its key, time or value from. */
typedef enum {
  SEL_MEMBER = 0,   /* json: a payload member (dotted path in `member`) */
  SEL_KEY_ID,       /* identity header fields ... */
  SEL_WRITER,
  SEL_TOPIC,
  SEL_SEQ,
  SEL_SIZE,
  SEL_EVENT_TIME,
  SEL_KAFKA_KEY,    /* the Kafka message key bytes */
  SEL_KAFKA_TS,     /* the Kafka message timestamp */
  SEL_NONE,         /* key: "" */
  SEL_ONE,          /* value: 1 */
} sel_kind;

typedef struct job_sel {
  sel_kind kind;
  char *member; /* SEL_MEMBER */
} job_sel;

typedef enum { IDLE_WALL = 0, IDLE_INPUTS, IDLE_END } idle_advance;

typedef struct job_source {
  char *name;
  char **topics; /* main source: one or more; others: exactly one */
  size_t n_topics;
  job_format format;
  job_sel key, time, value;
  int start_latest;
  int64_t idle_timeout_ms;
  idle_advance idle;
  int line;
} job_source;

/* Predicates (README "Predicates"). */
typedef enum { PRED_CMP = 0, PRED_IN, PRED_ALL, PRED_ANY, PRED_NOT } pred_kind;
typedef enum { CMP_EQ = 0, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE } cmp_op;

typedef struct pred {
  pred_kind kind;
  char *field;       /* CMP, IN */
  cmp_op op;         /* CMP */
  sval value;        /* CMP: the constant (strings owned) */
  int has_mod;       /* CMP: compare (field mod `mod`) */
  int64_t mod;
  sval *values;      /* IN */
  size_t n_values;
  struct pred *subs; /* ALL, ANY (n_subs), NOT (1) */
  size_t n_subs;
} pred;

typedef enum {
  OP_FILTER = 0,
  OP_TRANSFORM,
  OP_THRESHOLD,
  OP_WINDOW,
  OP_REORDER,
  OP_PATTERN,
  OP_JOIN,
  OP_ENRICH,
} op_kind;

typedef enum { WIN_TUMBLING = 0, WIN_HOPPING, WIN_SLIDING, WIN_SESSION } win_type;

/* Aggregates, as bits of job_window.aggregates and as the `value` choice. */
enum { AGG_COUNT = 1, AGG_SUM = 2, AGG_MIN = 4, AGG_MAX = 8, AGG_AVG = 16, AGG_ALL = 31 };

typedef struct job_window {
  win_type type;
  int by_count;
  int64_t size_ms, advance_ms, gap_ms, offset_ms; /* by time */
  int64_t size, advance;                          /* by count */
  unsigned aggregates;                            /* AGG_* bits */
  unsigned value;                                 /* one AGG_* bit (not AVG) */
} job_window;

typedef struct job_transform {
  char *key_field;   /* NULL: key unchanged */
  char *value_field; /* NULL: value unchanged */
  int64_t mul, add;
} job_transform;

typedef struct job_threshold {
  char *field;
  sval above; /* a number */
  int crossing;
  int emit_fall;
} job_threshold;

enum { EMIT_MATCHES = 1, EMIT_ABSENCES = 2 };

typedef struct job_pattern {
  pred first, then;
  int64_t within_ms;
  unsigned emit; /* EMIT_* bits */
} job_pattern;

typedef struct job_join {
  int source; /* index into job.sources */
  int left;   /* type: left (else inner) */
  int64_t before_ms, after_ms;
} job_join;

typedef struct job_op {
  op_kind kind;
  int line, col;
  union {
    pred filter;
    job_transform transform;
    job_threshold threshold;
    job_window window;
    job_pattern pattern;
    job_join join; /* join and enrich (enrich: before/after unused) */
  } u;
} job_op;

typedef struct job {
  char *path;
  char *name;
  int processing;    /* time.mode: processing */
  int64_t ooo_ms;    /* out_of_orderness_ms */
  int64_t lateness_ms;
  int64_t tick_ms;
  job_source *sources;
  size_t n_sources;
  job_op *ops;
  size_t n_ops;
  int two_input_op; /* index of the join/enrich operator, or -1 */
  char *sink_output, *sink_late, *sink_errors; /* late/errors may be NULL */
} job;

/* Reads and validates a job file. 0, or -1 with "file:line:col: path: what"
 * in err. *j is zeroed first and must be freed with job_free either way. */
int job_load(const char *path, job *j, char *err, size_t err_len);
void job_free(job *j);

/* NULL when the oracle can recompute every result of j; otherwise why not
 * (static text). */
const char *job_checkable(const job *j);

/* The YAML key of an operator ("filter", "window", ...), as refstream writes
 * it in late records' op_kind. */
const char *job_op_name(op_kind k);
/* "tumbling", "count-sliding", ...: the `window` field of a result. */
const char *job_window_name(const job_window *w);
/* 1 for operators that keep state across records (window, reorder,
 * pattern, join, enrich, threshold crossing). */
int job_op_stateful(const job_op *op);

#endif
