/* runner.h: a refstream process: recovery, the processing loop, output
 * and checkpoints, over librdkafka (README.md, "Running" and
 * "Exactly-once output").
 *
 * Start:  load the newest valid checkpoint (or start fresh: positions at
 *         the start of each input, output positions at the current end,
 *         and an initial checkpoint at once); read the output written since
 *         the checkpoint back into the tasks (result ids, marks); assign the
 *         inputs at the checkpointed positions.
 * Loop:   consume a batch, process it, hand the results to the idempotent
 *         producer, take clock decisions (ticks), and every checkpoint
 *         interval: write pending marks, flush the producer (every result
 *         acknowledged), write the checkpoint (state, input positions,
 *         output positions), commit input offsets (informational).
 * Stop:   SIGTERM/SIGINT: a final checkpoint, then exit 0. */
#ifndef RS_RUNNER_H
#define RS_RUNNER_H

#include <stdint.h>

#include "kafka_io.h"

typedef struct rs_opts {
  const char *job_path;
  const char *state_dir;
  rs_kprops kafka;
  int64_t checkpoint_interval_ms;
  int64_t wait_topics_ms;
  int stop_at_end;     /* exit (with a final checkpoint) once the inputs' ends seen at start are processed */
  int commit_offsets;  /* commit input offsets to the group after each checkpoint */
  int64_t stats_interval_ms;
} rs_opts;

/* Runs until stopped; returns the process exit status (0 clean, 1 runtime
 * failure, 2 bad job or configuration). */
int rs_run(const rs_opts *o);

/* Set by the signal handler. */
extern volatile int rs_stop_requested;

#endif
