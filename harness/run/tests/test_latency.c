/* test_latency: the run's latency figures from several workers' interval
 * logs: the measured window's histogram is exactly the merge of the
 * intervals in it (warm-up left out), each second merges every worker's
 * interval of that second, a worker killed mid-line loses only that line,
 * and the combined latency.hlog reads back with every interval. */
#include <stdio.h>
#include <string.h>

#include "hlog.h"
#include "latency.h"
#include "sp_test.h"

#define BASE 1700000000000000000ull
#define SEC 1000000000ull

/* Writes one worker log: for each second k < n, `per` values of (k+1)*base_us
 * in tag publish and e2e. */
static void write_log(const char *path, int n, int per, uint64_t base_us) {
  char err[256];
  sp_hlog_writer *w = sp_hlog_writer_open(path, BASE, BASE, "worker", err, sizeof err);
  REQUIRE(w);
  sp_hist *h = sp_hist_new();
  for (int k = 0; k < n; k++) {
    sp_hist_reset(h);
    for (int i = 0; i < per; i++) sp_hist_record(h, (int64_t)((uint64_t)(k + 1) * base_us));
    REQUIRE(sp_hlog_writer_append(w, "publish", BASE + k * SEC, BASE + (k + 1) * SEC, h, err, sizeof err) == 0);
    REQUIRE(sp_hlog_writer_append(w, "e2e", BASE + k * SEC, BASE + (k + 1) * SEC, h, err, sizeof err) == 0);
  }
  sp_hist_free(h);
  REQUIRE(sp_hlog_writer_close(w) == 0);
}

TEST(window_seconds_and_combined) {
  const char *dir = sp_test_tmpdir();
  char a[512], b[512], comb[512], err[512];
  snprintf(a, sizeof a, "%s/producer-0-1.hlog", dir);
  snprintf(b, sizeof b, "%s/producer-1-2.hlog", dir);
  snprintf(comb, sizeof comb, "%s/../latency-combined-test.hlog", dir);
  write_log(a, 3, 10, 1000);  /* 1, 2, 3 ms */
  write_log(b, 3, 30, 10000); /* 10, 20, 30 ms */
  FILE *f = fopen(b, "a");    /* a kill mid-line */
  fputs("Tag=publish,3.000,1.000,5.0,HISTFAAAA", f);
  fclose(f);
  latency_set s;
  REQUIRE(latency_scan(dir, 1.0, 1e300, 3, comb, &s, err, sizeof err) == 0);
  CHECK_EQ_INT(s.files, 2);
  CHECK_EQ_INT(s.intervals, 12);
  CHECK_EQ_INT(s.truncated_lines, 1);
  /* window [1, inf): seconds 1 and 2 of both workers */
  CHECK_EQ_U64(sp_hist_count(s.total[LAT_PUBLISH]), 2 * (10 + 30));
  CHECK_EQ_U64(sp_hist_count_at(s.total[LAT_PUBLISH], 1000), 0); /* warm-up value left out */
  CHECK_EQ_U64(sp_hist_count_at(s.total[LAT_PUBLISH], 2000), 10);
  CHECK(sp_hist_max(s.total[LAT_PUBLISH]) >= 30000 && sp_hist_max(s.total[LAT_PUBLISH]) < 30100);
  CHECK_EQ_U64(sp_hist_count(s.total[LAT_E2E_UNCORRECTED]), 0);
  /* second 0: 10 x 1 ms and 30 x 10 ms merged */
  CHECK_EQ_U64(s.sec[LAT_PUBLISH][0].count, 40);
  CHECK(s.sec[LAT_PUBLISH][0].p50 >= 10000 && s.sec[LAT_PUBLISH][0].p50 < 10020);
  CHECK_EQ_U64(sp_hist_value_at_percentile(s.total[LAT_E2E], 10), 2000);
  CHECK(s.sec[LAT_E2E][2].max >= 30000 && s.sec[LAT_E2E][2].max < 30100);
  latency_free(&s);
  /* the combined log has every interval of both workers */
  sp_hlog_reader *r = sp_hlog_reader_open(comb, err, sizeof err);
  REQUIRE(r);
  sp_hist *h = sp_hist_new();
  sp_hlog_entry e;
  int n = 0;
  uint64_t total = 0;
  while (sp_hlog_reader_next(r, &e, h, err, sizeof err) == 1) {
    n++;
    total += sp_hist_count(h);
  }
  CHECK_EQ_INT(n, 12);
  CHECK_EQ_U64(total, 2 * 3 * (10 + 30));
  CHECK(sp_hlog_reader_start_time_s(r) > 1.6e9);
  sp_hlog_reader_close(r);
  sp_hist_free(h);
  remove(comb);
}

TEST(corrupt_line_named) {
  const char *dir = sp_test_tmpdir();
  char a[512], err[512] = "";
  snprintf(a, sizeof a, "%s/consumer-0-5.hlog", dir);
  write_log(a, 2, 5, 100);
  FILE *f = fopen(a, "a");
  fputs("Tag=e2e,2.000,1.000,5.0,!!!notbase64!!!\n", f);
  fclose(f);
  latency_set s;
  CHECK(latency_scan(dir, 0, 1e300, 3, NULL, &s, err, sizeof err) != 0);
  CHECK(strstr(err, "consumer-0-5.hlog") != NULL);
  CHECK_EQ_U64(sp_hist_count(s.total[LAT_E2E]), 10); /* what came before is kept */
  latency_free(&s);
}

SP_TEST_MAIN(window_seconds_and_combined, corrupt_line_named)
