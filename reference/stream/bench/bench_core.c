/* bench_core.c: refstream-bench-core, the engine's speed without a broker.
 *
 *   refstream-bench-core [--records N] [--keys K] [--per-ms M] [--runs R]
 *
 * 1. Throughput: N identity messages (100 bytes, K keys, M records per
 *    millisecond of event time: a 1,000,000 records/s stream) through a keyed tumbling-window count (1 s windows) on one
 *    task, results encoded and dropped. Prints records/s per run and the
 *    median. This is refstream's processing cost per record (decode with
 *    CRC check, window assignment, hash-table update, watermark, result
 *    encoding), the upper bound of what the Kafka path can reach.
 * 2. Checkpoint duration against state size: a tumbling-window job holding
 *    S open windows (S keys in one far window), serialised and written as a
 *    checkpoint file (with fsync) in a temp directory; median of R.
 *    Prints state size, bytes and milliseconds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkpoint.h"
#include "clock.h"
#include "engine.h"
#include "identity.h"
#include "log.h"
#include "mem.h"

static uint64_t results, result_bytes;

static void count_emit(void *ctx, rs_task *t, int sink, const void *key, size_t key_len,
                       const void *value, size_t value_len) {
  (void)ctx; (void)t; (void)sink; (void)key; (void)key_len; (void)value;
  results++;
  result_bytes += value_len;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static rs_job *job_of(const char *yaml) {
  char err[512];
  rs_job *j = rs_job_parse("bench.yaml", yaml, err, sizeof err);
  if (!j) {
    fprintf(stderr, "bench job: %s\n", err);
    exit(2);
  }
  return j;
}

static long per_ms = 1000; /* records per millisecond of event time */

/* N payloads: record i has key i % keys and time 1e12 + i / per_ms ms. */
static uint8_t *make_payloads(long n, long keys) {
  uint8_t *all = sp_malloc((size_t)n * 100);
  for (long i = 0; i < n; i++) {
    uint8_t *p = all + (size_t)i * 100;
    memset(p, (int)(i & 0xff), 100);
    identity id = {1, (uint64_t)i, (uint32_t)(i % keys), 100, 0, 0, 1000000000000 + i / per_ms, 0};
    identity_encode(&id, p, 100);
  }
  return all;
}

static void throughput(long n, long keys, int runs) {
  rs_job *job = job_of("name: bench\n"
                       "sources: [{name: in, topic: in, format: identity, value: one}]\n"
                       "pipeline: [{window: {type: tumbling, size_ms: 1000, aggregate: [count]}}]\n"
                       "sinks: {output: out}\n");
  uint8_t *payloads = make_payloads(n, keys);
  double *rates = sp_calloc((size_t)runs, sizeof *rates);
  printf("keyed tumbling-window count (1 s windows), 1 task, %ld records, %ld keys, %ld records "
         "per ms of event time, 100-byte identity messages\n", n, keys, per_ms);
  for (int r = 0; r < runs; r++) {
    int parts = 1;
    results = result_bytes = 0;
    rs_engine *e = rs_engine_new(job, &parts, count_emit, NULL);
    rs_task *t = e->tasks[0];
    uint64_t t0 = sp_mono_ns();
    for (long i = 0; i < n; i++) {
      rs_raw raw = {0, i, -1, NULL, 0, payloads + (size_t)i * 100, 100};
      rs_task_record(t, 0, &raw, 0);
    }
    double secs = (double)(sp_mono_ns() - t0) / 1e9;
    rates[r] = (double)n / secs;
    printf("  run %d: %.0f records/s (%llu results, %.1f MB of JSON)\n", r + 1, rates[r],
           (unsigned long long)results, (double)result_bytes / 1e6);
    rs_engine_free(e);
  }
  printf("  median: %.0f records/s\n", median(rates, runs));
  free(rates);
  free(payloads);
  rs_job_free(job);
}

static void checkpoint_sizes(int runs) {
  rs_job *job = job_of("name: bench\n"
                       "sources: [{name: in, topic: in, format: identity, value: one}]\n"
                       "pipeline: [{window: {type: tumbling, size_ms: 100000000}}]\n"
                       "sinks: {output: out}\n");
  char dir[] = "/tmp/rs-bench-ckpt-XXXXXX";
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    exit(1);
  }
  printf("checkpoint duration against state size (open windows; serialise + write + fsync + rename)\n");
  static const long sizes[] = {1000, 10000, 100000, 1000000};
  uint64_t seq = 0;
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    long keys = sizes[s];
    int parts = 1;
    rs_engine *e = rs_engine_new(job, &parts, count_emit, NULL);
    uint8_t *payloads = make_payloads(keys, keys);
    for (long i = 0; i < keys; i++) {
      rs_raw raw = {0, i, -1, NULL, 0, payloads + (size_t)i * 100, 100};
      rs_task_record(e->tasks[0], 0, &raw, 0);
    }
    free(payloads);
    double *ms = sp_calloc((size_t)runs, sizeof *ms), *ser = sp_calloc((size_t)runs, sizeof *ser);
    size_t bytes = 0;
    for (int r = 0; r < runs; r++) {
      uint64_t t0 = sp_mono_ns();
      sp_buf b = SP_BUF_INIT;
      rs_engine_save(e, &b);
      uint64_t t1 = sp_mono_ns();
      char err[512];
      if (rs_ckpt_write(dir, ++seq, job->fingerprint, b.data, b.len, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        exit(1);
      }
      ms[r] = (double)(sp_mono_ns() - t0) / 1e6;
      ser[r] = (double)(t1 - t0) / 1e6;
      bytes = b.len;
      sp_buf_free(&b);
    }
    printf("  %8ld windows: %10zu bytes, median %.2f ms (serialise %.2f ms)\n", keys, bytes,
           median(ms, runs), median(ser, runs));
    free(ms);
    free(ser);
    rs_engine_free(e);
  }
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
  rs_job_free(job);
}

int main(int argc, char **argv) {
  long n = 5000000, keys = 1000;
  int runs = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--records")) n = atol(argv[i + 1]);
    else if (!strcmp(argv[i], "--keys")) keys = atol(argv[i + 1]);
    else if (!strcmp(argv[i], "--runs")) runs = atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--per-ms")) per_ms = atol(argv[i + 1]);
    else {
      fprintf(stderr, "usage: refstream-bench-core [--records N] [--keys K] [--per-ms M] [--runs R]\n");
      return 2;
    }
  }
  sp_log_init("refstream-bench-core", SP_LOG_WARN);
  throughput(n, keys, runs);
  checkpoint_sizes(runs);
  return 0;
}
