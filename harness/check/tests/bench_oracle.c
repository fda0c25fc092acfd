/* bench_oracle: how long the stream oracle takes per million input records.
 *
 *   bench_oracle [--records N] [--runs R] [--format identity|json]
 *                [--keys K] [--window-ms W] [--dir DIR]
 *
 * Builds a results folder with a keyed tumbling-window count job (the
 * workload of refstream's own benchmark: 1000 records per ms of event
 * time, K keys, 100-byte identity messages, or small JSON objects), the
 * input dump of N records, and the output refstream should write (made by
 * stream_oracle_expected, so every record compares equal), then times
 * stream_oracle_run R times, each in a fresh child process (wall time, CPU
 * time, peak RSS), and prints every run and the medians. Not a test: speed
 * is measured here, never asserted. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "identity.h"
#include "stream/oracle.h"
#include "topic_dump.h"

typedef struct opts {
  long records, runs, keys, window_ms;
  int json;
  const char *dir;
} opts;

static int write_input(const opts *o, const char *stream) {
  char path[4400];
  snprintf(path, sizeof path, "%s/in-0.dump", stream);
  topic_dump_writer *w = topic_dump_create(path, "in", 0, 0);
  if (!w) return -1;
  uint8_t buf[128];
  uint64_t rng = 88172645463325252ull;
  for (long i = 0; i < o->records; i++) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    uint32_t key = (uint32_t)(rng % (uint64_t)o->keys);
    int64_t ts = i / 1000 - (int64_t)(rng >> 60); /* 1000 per ms, up to 15 ms out of order */
    int32_t len;
    if (o->json) {
      len = snprintf((char *)buf, sizeof buf, "{\"key\":\"k%u\",\"ts\":%" PRId64 ",\"value\":%ld}", key, ts, i);
    } else {
      identity id = {.writer = 1, .seq = (uint64_t)i, .key = key, .size = 100, .event_time_ms = ts};
      memset(buf, 0, sizeof buf);
      identity_encode(&id, buf, 100);
      len = 100;
    }
    char k[16];
    int kl = snprintf(k, sizeof k, "%u", key);
    if (topic_dump_append(w, i, ts, k, kl, buf, len) != 0) return -1;
  }
  return topic_dump_finish(w, o->records);
}

static int build(const opts *o, char *run, size_t len) {
  snprintf(run, len, "%s/oracle-bench-%s-%ld", o->dir, o->json ? "json" : "identity", o->records);
  char stream[4200], path[4300];
  snprintf(stream, sizeof stream, "%s/stream", run);
  mkdir(run, 0777);
  mkdir(stream, 0777);
  snprintf(path, sizeof path, "%s/job.yaml", stream);
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  fprintf(f,
          "name: bench\ntime: {out_of_orderness_ms: 20}\nsources:\n  - {name: in, topic: in, format: %s}\n"
          "pipeline:\n  - window: {type: tumbling, size_ms: %ld, aggregate: [count]}\n"
          "sinks: {output: out, late: late}\n",
          o->json ? "json" : "identity", o->window_ms);
  fclose(f);
  uint64_t t0 = sp_mono_ns();
  if (write_input(o, stream) != 0) return -1;
  char err[1024];
  if (stream_oracle_expected(run, stream, err, sizeof err) != 0) {
    fprintf(stderr, "bench_oracle: %s\n", err);
    return -1;
  }
  printf("built %s: %ld records (%.1f s)\n", run, o->records, (double)(sp_mono_ns() - t0) / 1e9);
  return 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  opts o = {.records = 1000000, .runs = 5, .keys = 1000, .window_ms = 100, .dir = "/tmp"};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
    if (!strcmp(a, "--records")) o.records = atol(v), i++;
    else if (!strcmp(a, "--runs")) o.runs = atol(v), i++;
    else if (!strcmp(a, "--keys")) o.keys = atol(v), i++;
    else if (!strcmp(a, "--window-ms")) o.window_ms = atol(v), i++;
    else if (!strcmp(a, "--dir")) o.dir = v, i++;
    else if (!strcmp(a, "--format")) o.json = !strcmp(v, "json"), i++;
    else {
      fprintf(stderr, "usage: bench_oracle [--records N] [--runs R] [--format identity|json] "
                      "[--keys K] [--window-ms W] [--dir DIR]\n");
      return 2;
    }
  }
  if (o.records < 1 || o.runs < 1 || o.keys < 1 || o.window_ms < 1) return 2;
  char run[4096];
  if (build(&o, run, sizeof run) != 0) {
    fprintf(stderr, "bench_oracle: cannot build the run: %s\n", strerror(errno));
    return 1;
  }
  double *wall = calloc((size_t)o.runs, sizeof *wall), *cpu = calloc((size_t)o.runs, sizeof *cpu);
  long max_rss_kb = 0;
  for (long r = 0; r < o.runs; r++) {
    fflush(stdout);
    uint64_t t0 = sp_mono_ns();
    pid_t pid = fork();
    if (pid == 0) {
      stream_result res;
      check_verdict v = stream_oracle_run(run, 3, &res);
      int ok = v == CHECK_VALID && res.input_records == (uint64_t)o.records;
      if (!ok) fprintf(stderr, "bench_oracle: verdict %s, %" PRIu64 " records\n", check_verdict_name(v), res.input_records);
      else if (r == 0)
        printf("oracle: %" PRIu64 " input records, %" PRIu64 " results, %" PRIu64 " late compared\n",
               res.input_records, res.expected[0], res.expected[1]);
      fflush(stdout);
      stream_result_free(&res);
      _exit(ok ? 0 : 1);
    }
    int status;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
      fprintf(stderr, "bench_oracle: run %ld failed\n", r);
      return 1;
    }
    wall[r] = (double)(sp_mono_ns() - t0) / 1e9;
    cpu[r] = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    if (ru.ru_maxrss > max_rss_kb) max_rss_kb = ru.ru_maxrss;
    printf("run %ld: wall %.3f s, cpu %.3f s, %.0f records/s\n", r + 1, wall[r], cpu[r], (double)o.records / wall[r]);
  }
  qsort(wall, (size_t)o.runs, sizeof *wall, cmp_double);
  qsort(cpu, (size_t)o.runs, sizeof *cpu, cmp_double);
  double mw = wall[o.runs / 2], mc = cpu[o.runs / 2];
  printf("median of %ld: wall %.3f s, cpu %.3f s, %.0f input records/s (%.2f s per million), peak RSS %.0f MiB\n",
         o.runs, mw, mc, (double)o.records / mw, mw * 1e6 / (double)o.records, max_rss_kb / 1024.0);
  free(wall);
  free(cpu);
  return 0;
}
