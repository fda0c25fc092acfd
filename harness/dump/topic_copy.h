/* topic_copy.h: copy every partition of a Kafka topic into topic dumps.
 *
 * After a run with a stream processor, the orchestrator copies the
 * processor's input and output topics into <run>/stream/ so that
 * `streamproof check` can recompute the processor's results offline (the
 * stream oracle, harness/check/stream/). The files are the topic dumps of
 * harness/history/topic_dump.h: one per partition,
 * <out_dir>/<topic>-<partition>.dump, each ending with a trailer when the
 * copy of that partition is complete.
 *
 * How: one librdkafka consumer with `assign` (no group, nothing committed),
 * isolation.level=read_uncommitted (the raw log, aborted transactions
 * included: the oracle wants what is stored, not a view of it). For each
 * partition the log start and end offsets are read once, before reading;
 * the copy reads from the log start up to that end offset (records appended
 * later are not copied, so a copy of a live topic is a consistent prefix).
 * Offsets may have gaps (transaction markers, compaction): a partition is
 * complete when the consumer reports end-of-partition at or past the end
 * offset, or a record at end - 1 arrived. The whole copy is bounded by a
 * timeout; partitions not complete by then are left without a trailer (the
 * checker reports them as incomplete copies, never uses them as whole). */
#ifndef SP_TOPIC_COPY_H
#define SP_TOPIC_COPY_H

#include <stddef.h>
#include <stdint.h>

typedef struct topic_copy_opts {
  int timeout_ms;           /* the whole copy (default 60000) */
  const char *const *props; /* extra librdkafka properties "name=value" (security...) */
  size_t n_props;
} topic_copy_opts;

typedef struct topic_copy_stats {
  int32_t partitions;        /* partitions of the topic */
  int32_t complete;          /* of which copied completely (trailer written) */
  uint64_t records;          /* records written */
  uint64_t bytes;            /* key + value bytes written */
  double seconds;
} topic_copy_stats;

/* Copies topic from the broker at bootstrap into out_dir (which must exist).
 * Returns 0 when every partition was copied completely; -1 otherwise with
 * the reason in err (cap bytes): broker unreachable, no such topic, a file
 * that cannot be written, or the timeout (naming the partitions left and how
 * far each got). Default options (60 s). */
int topic_copy(const char *bootstrap, const char *topic, const char *out_dir, char *err,
               size_t cap);

/* The same with options (NULL: defaults) and statistics (NULL: not wanted). */
int topic_copy_ex(const char *bootstrap, const char *topic, const char *out_dir,
                  const topic_copy_opts *opts, topic_copy_stats *stats, char *err, size_t cap);

/* The dump file path of one partition: "<out_dir>/<topic>-<partition>.dump". */
void topic_copy_path(char *buf, size_t len, const char *out_dir, const char *topic,
                     int32_t partition);

#endif
