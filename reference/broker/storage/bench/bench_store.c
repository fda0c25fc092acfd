/* bench_store: storage-engine micro-benchmark (not a test).
 *
 * Appends RecordBatch v2 batches (built once with the test builder: N
 * records of B bytes each) to one partition through partition_append, then
 * reads the whole log back with partition_read, and prints records/s and
 * MB/s (MB = 10^6 bytes of batch data as stored) for each fsync policy:
 * "never" (page cache only) and "always" (a group commit, store_sync, every
 * K appended batches). Each configuration runs R times in a fresh data dir;
 * the table shows the median and the range. Example:
 *
 *   bench_store --record-bytes 100,1024 --records-per-batch 1000 \
 *               --megabytes 256 --sync-every 1,8 --runs 5 --dir /tmp/bs
 *
 * The broker's end-to-end targets (>= 1 M msgs/s of 100 B without fsync,
 * >= 300 k/s with fsync always) include the network and the client, so the
 * storage engine alone should be far above them. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch_builder.h"
#include "clock.h"
#include "log.h"
#include "record_batch.h"
#include "store.h"

#define MAX_LIST 8

typedef struct bench_opts {
  int record_bytes[MAX_LIST], n_record_bytes;
  int sync_every[MAX_LIST], n_sync_every;
  int records_per_batch;
  int64_t megabytes;
  int runs;
  const char *dir;
  int64_t segment_bytes;
} bench_opts;

typedef struct run_result {
  double append_records_per_s, append_mb_per_s, read_records_per_s, read_mb_per_s;
} run_result;

static void usage(FILE *f) {
  fprintf(f,
          "usage: bench_store [options]\n"
          "  --record-bytes LIST       value bytes per record, e.g. 100,1024 (default 100,1024)\n"
          "  --records-per-batch N     records in each batch (default 1000)\n"
          "  --megabytes M             batch data appended per run (default 256)\n"
          "  --sync-every LIST         fsync always: batches per group commit, e.g. 1,8\n"
          "                            (default 1,8; \"never\" always runs too)\n"
          "  --runs R                  runs per configuration, median reported (default 5)\n"
          "  --segment-bytes B         segment size (default 268435456)\n"
          "  --dir DIR                 scratch data directory, removed after each run\n"
          "                            (default /tmp/bench_store-PID)\n");
}

static int parse_list(const char *s, int *out) {
  int n = 0;
  for (char *end; *s && n < MAX_LIST; s = *end ? end + 1 : end) {
    long v = strtol(s, &end, 10);
    if (end == s || v <= 0 || (*end && *end != ',')) return -1;
    out[n++] = (int)v;
  }
  return n;
}

static int parse_opts(int argc, char **argv, bench_opts *o) {
  static const struct option longs[] = {
      {"record-bytes", required_argument, 0, 'b'}, {"records-per-batch", required_argument, 0, 'n'},
      {"megabytes", required_argument, 0, 'm'},    {"sync-every", required_argument, 0, 'k'},
      {"runs", required_argument, 0, 'r'},         {"dir", required_argument, 0, 'd'},
      {"segment-bytes", required_argument, 0, 's'}, {"help", no_argument, 0, 'h'},
      {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
    switch (c) {
    case 'b': o->n_record_bytes = parse_list(optarg, o->record_bytes); break;
    case 'k': o->n_sync_every = parse_list(optarg, o->sync_every); break;
    case 'n': o->records_per_batch = atoi(optarg); break;
    case 'm': o->megabytes = atoll(optarg); break;
    case 'r': o->runs = atoi(optarg); break;
    case 'd': o->dir = optarg; break;
    case 's': o->segment_bytes = atoll(optarg); break;
    case 'h': usage(stdout); exit(0);
    default: return -1;
    }
  }
  if (o->n_record_bytes <= 0 || o->n_sync_every <= 0 || o->records_per_batch <= 0 ||
      o->megabytes <= 0 || o->runs <= 0 || optind != argc) {
    fprintf(stderr, "bench_store: bad arguments\n");
    return -1;
  }
  return 0;
}

static void remove_dir(const char *dir) {
  char cmd[1100];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "bench_store: cannot remove %s\n", dir);
}

/* One run: append `bytes` of batches (sync_every 0: policy never), then
 * read everything back. Returns 0 or -1 (with a message). */
static int one_run(const bench_opts *o, int record_bytes, int sync_every, run_result *r) {
  store_config cfg = {0};
  cfg.data_dir = o->dir;
  cfg.fsync_policy = sync_every ? STORE_FSYNC_ALWAYS : STORE_FSYNC_NEVER;
  cfg.segment_bytes = o->segment_bytes;
  cfg.retention_bytes = cfg.retention_ms = -1;
  cfg.max_batch_bytes = 64 << 20;
  remove_dir(o->dir);
  store *s = store_open(&cfg);
  if (!s || store_create_topic(s, "bench", 5, 1) != KERR_NONE) {
    fprintf(stderr, "bench_store: cannot open a store in %s\n", o->dir);
    store_close(s);
    return -1;
  }
  store_sync(s);
  partition *p = store_partition(s, "bench", 5, 0);
  sp_buf batch = SP_BUF_INIT;
  size_t batch_bytes = batch_build_simple(&batch, o->records_per_batch, (size_t)record_bytes,
                                          sp_wall_ms(), NULL);
  int64_t batches = o->megabytes * 1000000 / (int64_t)batch_bytes;
  if (batches < 1) batches = 1;

  uint64_t t0 = sp_mono_ns();
  for (int64_t i = 0; i < batches; i++) {
    int64_t base, last;
    int rc = partition_append(p, batch.data, batch.len, 0, &base, &last);
    if (rc != KERR_NONE || (sync_every && (i + 1) % sync_every == 0 && store_sync(s) != 0)) {
      fprintf(stderr, "bench_store: append or sync failed (%d)\n", rc);
      return -1;
    }
  }
  if (sync_every && store_sync(s) != 0) return -1;
  double append_s = (double)(sp_mono_ns() - t0) / 1e9;
  int64_t records = partition_high_watermark(p);

  sp_buf out = SP_BUF_INIT;
  int64_t read_records = 0, read_bytes = 0;
  t0 = sp_mono_ns();
  for (int64_t off = 0; off < records;) {
    sp_buf_reset(&out);
    if (partition_read(p, off, 1 << 20, &out) != KERR_NONE || out.len == 0) return -1;
    rb_header h;
    for (size_t pos = 0; pos < out.len; pos += rb_total_bytes(&h)) {
      if (rb_decode_header(out.data + pos, out.len - pos, &h) != RB_OK) return -1;
      read_records += h.record_count;
      off = rb_last_offset(&h) + 1;
    }
    read_bytes += (int64_t)out.len;
  }
  double read_s = (double)(sp_mono_ns() - t0) / 1e9;
  if (read_records != records) {
    fprintf(stderr, "bench_store: read %" PRId64 " records of %" PRId64 "\n", read_records, records);
    return -1;
  }
  r->append_records_per_s = (double)records / append_s;
  r->append_mb_per_s = (double)batches * (double)batch_bytes / append_s / 1e6;
  r->read_records_per_s = (double)read_records / read_s;
  r->read_mb_per_s = (double)read_bytes / read_s / 1e6;
  sp_buf_free(&out);
  sp_buf_free(&batch);
  store_close(s);
  remove_dir(o->dir);
  return 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Median, min and max of v[0..n) (sorts v). */
static void stats(double *v, int n, double *med, double *lo, double *hi) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  *med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  *lo = v[0];
  *hi = v[n - 1];
}

static void print_metric(const char *name, double *v, int n, double scale, const char *unit) {
  double med, lo, hi;
  stats(v, n, &med, &lo, &hi);
  printf("  %-16s median %10.2f %s  (min %.2f, max %.2f)\n", name, med / scale, unit, lo / scale,
         hi / scale);
}

static int run_config(const bench_opts *o, int record_bytes, int sync_every) {
  double ar[64], am[64], rr[64], rm[64];
  int n = o->runs < 64 ? o->runs : 64;
  for (int i = 0; i < n; i++) {
    run_result r;
    if (one_run(o, record_bytes, sync_every, &r) != 0) return -1;
    ar[i] = r.append_records_per_s;
    am[i] = r.append_mb_per_s;
    rr[i] = r.read_records_per_s;
    rm[i] = r.read_mb_per_s;
  }
  if (sync_every)
    printf("fsync always (group commit every %d batches), %d-byte records, %d per batch, %d runs:\n",
           sync_every, record_bytes, o->records_per_batch, n);
  else
    printf("fsync never, %d-byte records, %d per batch, %d runs:\n", record_bytes,
           o->records_per_batch, n);
  print_metric("append records/s", ar, n, 1e6, "M");
  print_metric("append MB/s", am, n, 1, "  ");
  print_metric("read records/s", rr, n, 1e6, "M");
  print_metric("read MB/s", rm, n, 1, "  ");
  fflush(stdout);
  return 0;
}

int main(int argc, char **argv) {
  sp_log_init("bench_store", SP_LOG_WARN);
  char default_dir[64];
  snprintf(default_dir, sizeof default_dir, "/tmp/bench_store-%d", (int)getpid());
  bench_opts o = {{100, 1024}, 2, {1, 8}, 2, 1000, 256, 5, default_dir, 256LL << 20};
  if (parse_opts(argc, argv, &o) != 0) {
    usage(stderr);
    return 2;
  }
  for (int i = 0; i < o.n_record_bytes; i++) {
    if (run_config(&o, o.record_bytes[i], 0) != 0) return 1;
    for (int k = 0; k < o.n_sync_every; k++)
      if (run_config(&o, o.record_bytes[i], o.sync_every[k]) != 0) return 1;
  }
  return 0;
}
