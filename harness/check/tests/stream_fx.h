/* stream_fx.h: hand-made stream runs for the oracle's unit tests.
 *
 * A fixture is a results folder with stream/job.yaml, input dumps written
 * from compact record lists, and output dumps holding the records a test
 * wrote by hand from reference/stream/README.md. The helper fills only the
 * mechanical fields of an output record so tests stay readable:
 *
 *   v, task (0 unless given), topic and p (the task's main input), seq
 *   (results: counted per task in the order added), id (README's forms,
 *   from the record's own fields), first/last/n/oh from a pseudo-field
 *   "offsets": [..] (the input offsets the test says the window holds), and
 *   the Kafka key (the record's key; none for marks).
 *
 * Everything else (key, ts, value, bounds, aggregates, through, wm, ...)
 * is written by the test. Test JSON may use ' for " (fx_input, fx_out). fx_check runs the oracle; fx_expect_only checks
 * that exactly the listed findings were reported. */
#ifndef SP_STREAM_FX_H
#define SP_STREAM_FX_H

#include <jansson.h>
#include <stdint.h>

#include "stream/oracle.h"

typedef struct fx fx;

/* A fixture in a fresh directory under base with this job file. */
fx *fx_new(const char *base, const char *name, const char *job_yaml);
/* Appends JSON input records to topic/partition; each string is one
 * payload ("" for a null payload); kkeys may be NULL (no Kafka keys). */
void fx_input(fx *f, const char *topic, int32_t partition, const char *const *payloads,
              const char *const *kkeys, size_t n);
/* Appends one raw input record (identity payloads, bad bytes). */
void fx_input_raw(fx *f, const char *topic, int32_t partition, const void *payload, int32_t len,
                  const char *kkey);
/* Appends one input record with a Kafka timestamp (others get 1000 + offset);
 * payload NULL: a tombstone. */
void fx_input_ts(fx *f, const char *topic, int32_t partition, const char *payload, const char *kkey,
                 int64_t ts);
/* Appends one output record to topic/partition (JSON text, see above). */
void fx_out(fx *f, const char *topic, int32_t partition, const char *json);
/* Marks the topic's dumps as present even when empty (partitions 0..n-1). */
void fx_topic(fx *f, const char *topic, int32_t partitions);
/* Leaves the dump of topic/partition without its trailer (a copy cut short). */
void fx_cut(fx *f, const char *topic, int32_t partition);
/* Writes every dump (with trailers) and runs the oracle. */
check_verdict fx_check(fx *f, stream_result *r);
/* The run folder (for streamproof check). */
const char *fx_dir(const fx *f);
void fx_free(fx *f);

/* 1 when r holds exactly `want` findings of each kind (SF_COUNT counts) and
 * prints what differs (with the first examples) otherwise. */
int fx_findings_are(const stream_result *r, const uint64_t want[SF_COUNT]);
/* Prints every finding's examples (for failing tests). */
void fx_dump_findings(const stream_result *r);

/* mix64 of the README (the coverage hash), for tests that plant errors. */
uint64_t fx_mix64(uint64_t offset);

#endif
