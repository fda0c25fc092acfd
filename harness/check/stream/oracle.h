/* oracle.h: the stream-processor oracle of `streamproof check`.
 *
 * When a results folder has <run>/stream/ (the refstream job file as run,
 * job.yaml, and topic dumps of every input and output topic of the job,
 * harness/history/topic_dump.h), the oracle recomputes every result, late
 * record and error record from the input dumps by
 * reference/stream/README.md, independently of refstream's code, applying
 * the marks refstream wrote, and compares them with the output dumps:
 *
 *   missing           an expected record the output lacks (and the output
 *                     shows the processor got far enough to write it)
 *   unexpected        an output record the recomputation does not produce
 *   duplicate-id      an id written more than once
 *   wrong-value       same id, a field differs (key, time, value,
 *                     aggregates, bounds, payloads, through, wm, Kafka key,
 *                     sink partition...)
 *   wrong-coverage    first/last/n/oh of a window differ: it aggregates
 *                     other input offsets than it should
 *   offset-coverage   (tumbling windows) the offsets covered by all results
 *                     plus late records are not every input offset once
 *   wrong-order       a record out of the order the README prescribes
 *                     (single-input tasks)
 *   wrong-seq         a task's result counter not 0, 1, 2, ... in output
 *                     order (single-input tasks)
 *   malformed         an output record that is not a refstream record
 *
 * Any of them makes the verdict invalid; a dump cut short, missing, or a
 * task the README does not let the oracle recompute makes it unknown. */
#ifndef SP_ORACLE_H
#define SP_ORACLE_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "check.h"
#include "strlist.h"

typedef enum {
  SF_MISSING = 0,
  SF_UNEXPECTED,
  SF_DUPLICATE_ID,
  SF_WRONG_VALUE,
  SF_WRONG_COVERAGE,
  SF_OFFSET_COVERAGE,
  SF_WRONG_ORDER,
  SF_WRONG_SEQ,
  SF_MALFORMED,
  SF_COUNT
} stream_finding;

/* One example of a finding. */
typedef struct sf_example {
  int task;          /* -1: no task could be named */
  const char *sink;  /* "output", "late", "errors", "marks" */
  char *id;          /* the record's id, or NULL */
  char *where;       /* "topic/partition@offset" of the output record, or NULL */
  char *detail;      /* what differs: expected vs actual */
} sf_example;

typedef struct stream_task_result {
  int task;
  char *topic; /* main input topic */
  int32_t partition;
  int checked;   /* 0: not recomputed (why in `why`) */
  char *why;
  uint64_t input_records, bad, late, dropped, marks;
  uint64_t expected[3]; /* output, late, errors records recomputed */
  uint64_t actual[3];   /* records read from the output dumps */
  uint64_t pending;     /* expected, not written, the processor not that far */
  uint64_t unverified;  /* expected, not found in a sink whose copy is partial */
  int ledger;           /* the offset ledger was checked */
  uint64_t count[SF_COUNT];
} stream_task_result;

typedef struct stream_result {
  int ran; /* the run has a stream/ folder */
  check_verdict verdict;
  char *job_name;
  char error[1024]; /* CHECK_ERROR: why the oracle could not run */
  stream_task_result *tasks;
  size_t n_tasks;
  uint64_t count[SF_COUNT];
  sf_example *ex[SF_COUNT];
  size_t ex_n[SF_COUNT], ex_max;
  uint64_t input_records, expected[3], actual[3], pending, unverified, marks;
  uint64_t dumps, dump_bytes;
  strlist incomplete; /* why the verdict is at best unknown */
  strlist notes;      /* harmless oddities, spec gaps met */
  double seconds;
} stream_result;

/* Runs the oracle on run_dir (does nothing, ran = 0, when run_dir/stream
 * does not exist). Keeps up to `examples` examples per finding. Returns the
 * verdict (CHECK_VALID, CHECK_INVALID, CHECK_UNKNOWN, or CHECK_ERROR when
 * job.yaml cannot be read). */
check_verdict stream_oracle_run(const char *run_dir, int examples, stream_result *r);
void stream_result_free(stream_result *r);

/* Writes what the processor should have written for run_dir's input (no
 * marks: event time without idle marks) as output dumps in out_dir, one
 * partition per task (tests and the benchmark build clean outputs with
 * it). 0, or -1 with err. */
int stream_oracle_expected(const char *run_dir, const char *out_dir, char *err, size_t err_len);

const char *stream_finding_name(stream_finding f);
const char *stream_finding_definition(stream_finding f);

/* The "stream" section of verdict.json. */
json_t *stream_result_json(const stream_result *r);
/* The summary lines (after the delivery checker's, before the verdict). */
void stream_result_print(const stream_result *r, FILE *out);

#endif
