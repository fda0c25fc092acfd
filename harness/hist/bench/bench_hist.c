/* bench_hist: what the latency histogram costs (a program, not a test).
 *
 *   bench_hist [records] [runs]      defaults: 100000000 records, 5 runs
 *
 * Prints, as medians over the runs:
 *   - ns per record (sp_hist_record, microsecond input; sp_hist_record_ns,
 *     nanosecond input) for two value mixes: a realistic latency shape
 *     (bimodal with a heavy tail) and log-uniform 1 us..1 h (every slot in
 *     use: the cache-hostile worst case). Values come from a pre-generated
 *     array of 8 M values (64 MiB, more than the L3 cache) replayed until
 *     `records` are recorded, so the loop measures recording, not the RNG.
 *   - merge cost: one per-second interval histogram (100 k values) added
 *     into a run total, and a full-span histogram (every slot).
 *   - .hlog cost per interval: V2 encoding + deflate + base64 + one write
 *     to a file (the per-second price each worker pays), and the decode.
 * Build it Release (-DCMAKE_BUILD_TYPE=Release); run with nothing else busy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "hcodec.h"
#include "hist.h"
#include "hlog.h"
#include "../tests/samples.h"

#define ARRAY_LEN (8u << 20)
#define MAX_RUNS 15

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ns per record over `records` values cycled from vals. */
static double time_records(sp_hist *h, const int64_t *vals, uint64_t records, int as_ns) {
  sp_hist_reset(h);
  uint64_t t0 = sp_mono_ns(), done = 0;
  while (done < records) {
    uint64_t n = records - done < ARRAY_LEN ? records - done : ARRAY_LEN;
    if (as_ns)
      for (uint64_t i = 0; i < n; i++) sp_hist_record_ns(h, vals[i]);
    else
      for (uint64_t i = 0; i < n; i++) sp_hist_record(h, vals[i]);
    done += n;
  }
  uint64_t t1 = sp_mono_ns();
  if (sp_hist_count(h) != records) {
    fprintf(stderr, "bench_hist: lost records\n");
    exit(1);
  }
  return (double)(t1 - t0) / (double)records;
}

static void bench_record(dist d, uint64_t records, int runs) {
  int64_t *us = malloc(ARRAY_LEN * sizeof *us), *ns = malloc(ARRAY_LEN * sizeof *ns);
  uint64_t seed = 12345;
  for (uint32_t i = 0; i < ARRAY_LEN; i++) {
    us[i] = sample(d, &seed);
    ns[i] = us[i] * 1000 + (int64_t)(rng_next(&seed) % 1000);
  }
  sp_hist *h = sp_hist_new();
  double t_us[MAX_RUNS], t_ns[MAX_RUNS];
  for (int r = 0; r < runs; r++) {
    t_us[r] = time_records(h, us, records, 0);
    t_ns[r] = time_records(h, ns, records, 1);
  }
  printf("record     %-22s %6.2f ns/record (us input)   %6.2f ns/record (ns input)"
         "   [%llu records x %d runs, p99 %llu us]\n",
         dist_names[d], median(t_us, runs), median(t_ns, runs), (unsigned long long)records, runs,
         (unsigned long long)sp_hist_value_at_percentile(h, 99.0));
  sp_hist_free(h);
  free(us);
  free(ns);
}

/* Median time of `reps` calls of one operation, in ns. */
#define TIME_OP(result, reps, setup, op)                         \
  do {                                                           \
    double t_[101];                                              \
    for (int r_ = 0; r_ < (reps); r_++) {                        \
      setup;                                                     \
      uint64_t a_ = sp_mono_ns();                                \
      op;                                                        \
      t_[r_] = (double)(sp_mono_ns() - a_);                      \
    }                                                            \
    result = median(t_, (reps));                                 \
  } while (0)

static void fill(sp_hist *h, dist d, int n, uint64_t seed) {
  for (int i = 0; i < n; i++) sp_hist_record(h, sample(d, &seed));
}

static void bench_merge(void) {
  sp_hist *total = sp_hist_new(), *interval = sp_hist_new(), *full = sp_hist_new();
  fill(interval, DIST_BIMODAL_TAIL, 100000, 1);
  fill(full, DIST_LOG_1US_1H, 2000000, 2);
  for (uint32_t i = 0; i < SP_HIST_COUNTS_LEN; i += 1) /* really every slot */
    if (i <= sp_hist_index_of(SP_HIST_HIGHEST_TRACKABLE_US))
      sp_hist_record(full, (int64_t)sp_hist_value_at_index(i));
  double t_int, t_full, t_reset;
  TIME_OP(t_int, 101, (void)0, sp_hist_add(total, interval));
  TIME_OP(t_full, 101, (void)0, sp_hist_add(total, full));
  TIME_OP(t_reset, 101, sp_hist_copy(total, interval), sp_hist_reset(total));
  printf("merge      interval (100k bimodal)  %8.2f us   full span (all slots) %8.2f us"
         "   reset after an interval %6.2f us\n",
         t_int / 1000, t_full / 1000, t_reset / 1000);
  sp_hist_free(total);
  sp_hist_free(interval);
  sp_hist_free(full);
}

static void bench_hlog(void) {
  char path[] = "/tmp/bench_hist-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) {
    perror("mkstemp");
    return;
  }
  close(fd);
  char err[200];
  uint64_t base = sp_wall_ns();
  sp_hlog_writer *w = sp_hlog_writer_open(path, base, base, "bench", err, sizeof err);
  if (!w) {
    fprintf(stderr, "bench_hist: %s\n", err);
    return;
  }
  sp_hist *interval = sp_hist_new(), *full = sp_hist_new(), *back = sp_hist_new();
  fill(interval, DIST_BIMODAL_TAIL, 100000, 3);
  fill(full, DIST_LOG_1US_1H, 2000000, 4);
  sp_buf b = SP_BUF_INIT;
  double t_app, t_app_full, t_dec;
  uint64_t k = 0;
  TIME_OP(t_app, 101, k++, sp_hlog_writer_append(w, "e2e", base + k * 1000000000ull,
                                                 base + (k + 1) * 1000000000ull, interval, err,
                                                 sizeof err));
  TIME_OP(t_app_full, 31, k++, sp_hlog_writer_append(w, "e2e", base + k * 1000000000ull,
                                                     base + (k + 1) * 1000000000ull, full, err,
                                                     sizeof err));
  sp_hcodec_encode(interval, &b, err, sizeof err);
  size_t bytes = b.len;
  TIME_OP(t_dec, 101, (void)0, sp_hcodec_decode(b.data, b.len, back, err, sizeof err));
  sp_buf_reset(&b);
  sp_hcodec_encode(full, &b, err, sizeof err);
  printf("hlog       append interval (100k bimodal) %7.1f us, %zu B compressed   "
         "append full span %7.1f us, %zu B   decode interval %7.1f us\n",
         t_app / 1000, bytes, t_app_full / 1000, b.len, t_dec / 1000);
  sp_hlog_writer_close(w);
  unlink(path);
  sp_buf_free(&b);
  sp_hist_free(interval);
  sp_hist_free(full);
  sp_hist_free(back);
}

int main(int argc, char **argv) {
  uint64_t records = argc > 1 ? strtoull(argv[1], NULL, 10) : 100000000ull;
  int runs = argc > 2 ? atoi(argv[2]) : 5;
  if (records == 0 || runs < 1 || runs > MAX_RUNS) {
    fprintf(stderr, "usage: bench_hist [records > 0] [runs 1..%d]\n", MAX_RUNS);
    return 2;
  }
  bench_record(DIST_BIMODAL_TAIL, records, runs);
  bench_record(DIST_LOG_1US_1H, records, runs);
  bench_merge();
  bench_hlog();
  return 0;
}
