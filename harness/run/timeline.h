/* timeline.h: the run second by second, computed after the run from the
 * histories (counts) and the interval logs (latency), written as
 * <run>/timeline.csv (columns: results/README.md).
 *
 * Counting rules, so the timeline's column sums are the summary's counts:
 *   intended  the rate schedule (with the rate changes the run made) up to
 *             the moment the producers were told to stop
 *   sent      ACK and NACK records, by their t_sent_ns (a message handed to
 *             the client by a process killed before its outcome was
 *             recorded is not here: see counts.indeterminate)
 *   acked     ACK records by t_ns; nacked: NACK records by t_ns
 *   consumed  APPLY records (consumer and effect-store files) by t_ns
 *   errors    nacked + failed commits
 *   backlog   acked so far x subscriptions per topic - consumed so far,
 *             never below 0 (redeliveries can make consumed exceed it)
 *   faults_active  faults in force during the second (faults.jsonl: from an
 *             inject to the heal of the same occurrence; t_s is the same
 *             clock in both files)
 * Second k covers [t0 + k s, t0 + k + 1 s); records before t0 count in
 * second 0, records after the last second in the last. */
#ifndef SP_TIMELINE_H
#define SP_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "latency.h"
#include "run_int.h"

typedef struct tl_second {
  uint64_t intended, sent, acked, nacked, consumed, errors;
} tl_second;

typedef struct tl_counts {
  size_t n_seconds;
  tl_second *rows;
  uint64_t *consumed_per_sub; /* [n_subs] */
  uint64_t intended, sent, acked, nacked, consumed, commit_errors;
  uint64_t skipped;           /* exactly-once duplicates skipped */
  size_t files, torn_files;
} tl_counts;

/* Reads every history file of the run. 0, or -1 with err. */
int timeline_count(run_ctx *c, size_t n_seconds, tl_counts *out, char *err, size_t err_len);
/* Writes timeline.csv. 0, or -1 with err. */
int timeline_write(run_ctx *c, const tl_counts *tc, const latency_set *lat, char *err, size_t err_len);
void timeline_free(tl_counts *tc);

/* The backlog from running totals (clamped at 0). */
int64_t timeline_backlog(int64_t acked, uint64_t subs_per_topic, int64_t consumed);

/* The phase of second k ("warmup", "measure", "drain"). */
const char *timeline_phase(const run_ctx *c, size_t k);

#endif
