/* worker_spec.h: what one worker process is told to do.
 *
 * `streamproof run` writes <run>/workers/<name>.json for every producer and
 * consumer and starts `streamproof worker producer|consumer --spec FILE`.
 * A restart rewrites the file first (new writer/reader id, incarnation + 1,
 * the run's t0 and any rate changes so far), so the new process starts
 * where the run is. The file stays in the results folder: it documents
 * exactly what each process was asked to do.
 *
 * The workload itself (rates, keys, sizes, payloads, event-time disorder)
 * is read by the worker from the run's resolved workload.json, so producer
 * and orchestrator compute the same schedule from the same numbers.
 *
 *   {"role": "producer", "name": "producer-0", "index": 0, "id": 7,
 *    "incarnation": 0, "control": "@streamproof-4242-9f1c",
 *    "bootstrap": "127.0.0.1:40123", "workload": "<run>/workload.json",
 *    "history": "<run>/history/producer-0.hist",
 *    "hlog": "<run>/hlog/producer-0-7.hlog",
 *    "history_dir": "<run>/history", "lock_dir": "<run>/workers",
 *    "topic": "sp-quickstart-0-1a2b3c", "topic_index": 0, "partitions": 4,
 *    "n_producers": 2, "flush_timeout_s": 10, "warmup_s": 2,
 *    "rates": [[3000000000, 12000.0]],
 *    "subscription": 0, "group": "sp-...", "semantics": "at_least_once",
 *    "processing_us": 0, "start_delay_s": 0, "commit_interval_ms": 0,
 *    "test_bug": "none",
 *    "t0_mono_ns": 0, "t0_wall_ns": 0,
 *    "rdkafka": {"acks": "-1", "linger.ms": "5", ...}}
 */
#ifndef SP_WORKER_SPEC_H
#define SP_WORKER_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "workload.h"

typedef enum { WROLE_PRODUCER = 0, WROLE_CONSUMER } worker_role;

/* Hidden test-only behaviours (never set by a workload): a consumer that
 * commits before processing yet claims exactly-once, so the checker's tests
 * can prove it catches a lying consumer. */
typedef enum { WBUG_NONE = 0, WBUG_COMMIT_BEFORE_PROCESS } worker_bug;

typedef struct rate_change {
  uint64_t at_ns; /* since t0 */
  double rate;    /* total msg/s of all producers */
} rate_change;

typedef struct worker_spec {
  worker_role role;
  char *name;
  uint32_t index;       /* logical producer or consumer number */
  uint32_t id;          /* writer or reader id of this incarnation */
  uint32_t incarnation; /* 0 for the first start */
  char *control;        /* orchestrator's socket ("@name": abstract namespace) */
  char *bootstrap;
  char *workload_path;
  char *history_path;
  char *hlog_path;
  char *history_dir; /* effects files (exactly-once) live here */
  char *lock_dir;    /* and their lock files here */
  char *topic;
  uint32_t topic_index;
  int32_t partitions;
  /* producer */
  uint32_t n_producers;
  double flush_timeout_s;
  rate_change *rates;
  size_t n_rates;
  /* consumer */
  uint32_t subscription;
  char *group;
  delivery_semantics semantics;
  double processing_us;
  double start_delay_s;
  double commit_interval_ms;
  worker_bug bug;
  /* both */
  double warmup_s;
  uint64_t t0_mono_ns; /* 0 until the run has started */
  uint64_t t0_wall_ns;
  kv_list rdkafka; /* client properties, applied in order */
} worker_spec;

/* Writes spec to path atomically (path.tmp + rename). 0, or -1 with err. */
int worker_spec_save(const worker_spec *s, const char *path, char *err, size_t err_len);

/* Reads a spec. 0, or -1 with "path: what" in err (s is then empty). */
int worker_spec_load(const char *path, worker_spec *s, char *err, size_t err_len);

void worker_spec_free(worker_spec *s);

/* Appends one rate change (copying nothing else). */
void worker_spec_add_rate(worker_spec *s, uint64_t at_ns, double rate);

const char *worker_bug_name(worker_bug b);

#endif
