/* check.h: `streamproof check`, the delivery-semantics verifier.
 *
 *   streamproof check RESULTS_DIR [--json] [--examples N] [--quiet]
 *
 * Reads RESULTS_DIR/history/ (meta.json and the *.hist files, contracts in
 * harness/history/), finds the anomalies of anomaly.h per subscription, per
 * partition and in total, judges them against the semantics each
 * subscription claims, writes RESULTS_DIR/verdict.json and prints a short
 * summary. `streamproof run` calls check_run at the end of a run.
 *
 * When RESULTS_DIR/stream/ exists (a run with a stream processor: the job
 * file and topic dumps), the stream oracle (stream/oracle.h) recomputes the
 * processor's results from its input and compares them with its output; a
 * mismatch makes the verdict invalid, an incomplete dump unknown. A results
 * folder with stream/ but without history/meta.json is checked by the
 * oracle alone.
 *
 * Verdict and exit code:
 *   0 valid    nothing forbidden was found and the history is complete
 *   1 invalid  a forbidden anomaly was found
 *   2 unknown  nothing forbidden was proven, but the history is incomplete
 *              (a process still running, the drain not completed while
 *              something is unseen, the readback missing when needed, a
 *              history file missing)
 *   3 error    usage, or input that cannot be read (meta.json missing or
 *              malformed, a corrupt history header, a record naming a topic,
 *              partition, writer or reader that meta.json does not have);
 *              verdict.json then says "unknown" with the error. */
#ifndef SP_CHECK_H
#define SP_CHECK_H

#include <stdint.h>
#include <stdio.h>

#include "anomaly.h"

typedef enum {
  CHECK_VALID = 0,
  CHECK_INVALID = 1,
  CHECK_UNKNOWN = 2,
  CHECK_ERROR = 3,
} check_verdict;

/* Consume-count buckets: messages applied 0, 1, ..., 7 times, and 8 or more
 * (Jepsen's consume-counts). */
#define CHECK_CONSUME_BUCKETS 9

typedef struct check_options {
  int examples; /* examples kept per anomaly type (default 5) */
  int quiet;    /* print only the verdict line */
  int json;     /* print verdict.json to `out` instead of the summary */
  int no_write; /* do not write RESULTS_DIR/verdict.json */
  FILE *out;    /* where the summary goes; NULL = stdout */
} check_options;

typedef struct check_sub_result {
  char *name;
  semantics sem;
  check_verdict verdict;
  uint64_t count[ANOM_COUNT]; /* anomalies charged to this subscription */
  uint64_t consume_counts[CHECK_CONSUME_BUCKETS];
  uint64_t applies;                   /* APPLY records of its readers */
  uint64_t below_log_start_unapplied; /* not applied, but deleted by retention */
} check_sub_result;

/* Information, not anomalies. */
typedef struct check_info {
  uint64_t messages;      /* distinct messages known to be in the log */
  uint64_t acked, nacked; /* messages with an ACK / a NACK */
  uint64_t acks_without_offset;
  uint64_t indeterminate_in_log;     /* neither ack nor nack, found in the log */
  uint64_t indeterminate_not_in_log; /* neither ack nor nack, never seen */
  uint64_t nacked_but_present;       /* NACKed, yet found in the log */
  uint64_t below_log_start;          /* messages below the final log start */
  uint64_t torn_files, torn_bytes;   /* history files cut short mid-record */
  uint64_t ignored_records;          /* record types that do not belong in their file */
} check_info;

typedef struct check_result {
  check_verdict verdict;
  uint64_t count[ANOM_COUNT];
  int allowed[ANOM_COUNT]; /* tolerated by every subscription it was charged to */
  int checked[ANOM_COUNT]; /* 0: could not be checked (key-order without
                            * ordering per_key, acked-but-missing without a
                            * complete readback) */
  check_sub_result *subs;
  size_t n_subs;
  check_info info;
  uint64_t files, records, bytes;
  double seconds;
  /* the stream oracle (harness/check/stream/oracle.h), when <run>/stream/ exists */
  int stream_checked;             /* the oracle ran */
  check_verdict stream_verdict;   /* its own verdict */
  uint64_t stream_findings;       /* mismatches it found (all kinds) */
  char reason[512]; /* not valid: the first violation (invalid) or gap (unknown) */
  char error[1024]; /* CHECK_ERROR: what is wrong and where */
} check_result;

void check_options_init(check_options *o);

/* Checks results_dir; fills *r (free with check_result_free) and returns the
 * exit code (the verdict). Never exits or aborts on bad input. */
int check_run(const char *results_dir, const check_options *o, check_result *r);
void check_result_free(check_result *r);

/* The subcommand: argv[0] is "check" (or the program name). Returns the exit
 * code. */
int check_main(int argc, char **argv);

const char *check_verdict_name(check_verdict v);

#endif
