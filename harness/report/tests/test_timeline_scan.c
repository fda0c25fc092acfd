/* test_timeline_scan.c: what the report learns from timeline.csv before
 * asking gnuplot for plots (timeline_scan.h). */
#include <stdio.h>
#include <string.h>

#include "sp_test.h"
#include "timeline_scan.h"

#define HEADER "t_s,phase,intended,sent,acked,nacked,consumed,errors,backlog,publish_p50_ms,publish_p99_ms," \
               "publish_max_ms,e2e_p50_ms,e2e_p99_ms,e2e_max_ms,faults_active\n"

/* Writes text to <tmp>/timeline.csv and returns the path. */
static const char *write_timeline(const char *text) {
  static char path[512];
  snprintf(path, sizeof path, "%s/timeline.csv", sp_test_tmpdir());
  FILE *f = fopen(path, "w");
  if (!f) return NULL;
  fputs(text, f);
  fclose(f);
  return path;
}

TEST(phases_columns_and_samples) {
  const char *path = write_timeline(HEADER
      "0,warmup,2000,2000,1991,0,1991,0,0,5.899,11.759,14.823,5.999,13.175,18.671,0\n"
      "1,warmup,2000,2000,2003,0,2003,0,0,6.055,13.231,17.327,6.215,16.655,22.591,0\n"
      "2,measure,2000,2000,1997,0,1997,0,0,6.499,24.063,31.791,6.639,37.503,47.487,0\n"
      "3,measure,2000,2000,0,0,0,0,0,,,,,,,1\n"
      "4,drain,0,0,8,0,8,0,0,6.847,10.223,10.223,6.823,10.295,10.295,0\n");
  REQUIRE(path != NULL);
  timeline_info ti;
  notes nt = {0};
  char err[256];
  REQUIRE(timeline_scan(path, &ti, &nt, NULL, err, sizeof err) == 0);
  CHECK_EQ_INT(ti.rows, 5);
  CHECK(ti.end_s == 5);
  CHECK(ti.warmup_end_s == 2);
  CHECK(ti.drain_start_s == 4);
  CHECK(ti.max_rate == 2003);
  CHECK_EQ_INT(ti.publish_samples, 1);
  CHECK_EQ_INT(ti.e2e_samples, 1);
  unsigned all = TL_T_S | TL_PHASE | TL_INTENDED | TL_ACKED | TL_CONSUMED | TL_ERRORS | TL_BACKLOG |
                 TL_PUBLISH_LATENCY | TL_E2E_LATENCY;
  CHECK_EQ_INT(ti.columns, all);
  CHECK_EQ_INT(nt.n, 0);
  notes_free(&nt);
}

TEST(no_consumption_means_no_e2e_samples) {
  const char *path = write_timeline(HEADER
      "0,measure,100,100,100,0,0,0,100,1.0,2.0,3.0,,,,0\n"
      "1,measure,100,100,100,0,0,0,200,1.0,2.0,3.0,,,,0\n");
  timeline_info ti;
  notes nt = {0};
  char err[256];
  REQUIRE(timeline_scan(path, &ti, &nt, NULL, err, sizeof err) == 0);
  CHECK_EQ_INT(ti.e2e_samples, 0);
  CHECK_EQ_INT(ti.publish_samples, 1);
  CHECK(ti.warmup_end_s == 0); /* no warm-up rows: nothing to shade */
  CHECK(ti.drain_start_s == 0);
  notes_free(&nt);
}

TEST(header_only_and_missing_columns) {
  const char *path = write_timeline("t_s,acked\n");
  timeline_info ti;
  notes nt = {0};
  char err[256];
  REQUIRE(timeline_scan(path, &ti, &nt, NULL, err, sizeof err) == 0);
  CHECK_EQ_INT(ti.rows, 0);
  CHECK_EQ_INT(ti.columns, TL_T_S | TL_ACKED);
  notes_free(&nt);
}

TEST(bad_rows_are_noted) {
  const char *path = write_timeline("t_s,phase,acked\n0,measure,5\nx,measure,6\n2,measure\n3,measure,7");
  timeline_info ti;
  notes nt = {0};
  char err[256];
  REQUIRE(timeline_scan(path, &ti, &nt, NULL, err, sizeof err) == 0);
  CHECK_EQ_INT(ti.rows, 2);
  CHECK_EQ_INT(ti.bad_rows, 2);
  REQUIRE(nt.n == 2);
  CHECK(strstr(nt.v[0], "line 3") != NULL);
  CHECK(strstr(nt.v[1], "line 4") != NULL);
  /* The copy of the good rows, for gnuplot. */
  char copy[512], buf[256] = "";
  snprintf(copy, sizeof copy, "%s/good.csv", sp_test_tmpdir());
  FILE *f = fopen(copy, "w");
  REQUIRE(f != NULL);
  REQUIRE(timeline_scan(path, &ti, &nt, f, err, sizeof err) == 0);
  fclose(f);
  f = fopen(copy, "r");
  REQUIRE(f != NULL);
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  CHECK_EQ_STR(buf, "t_s,phase,acked\n0,measure,5\n3,measure,7\n");
  notes_free(&nt);
}

TEST(absent_empty_and_foreign_files) {
  timeline_info ti;
  notes nt = {0};
  char err[256], path[512];
  snprintf(path, sizeof path, "%s/none.csv", sp_test_tmpdir());
  CHECK_EQ_INT(timeline_scan(path, &ti, &nt, NULL, err, sizeof err), 1);
  const char *empty = write_timeline("");
  CHECK_EQ_INT(timeline_scan(empty, &ti, &nt, NULL, err, sizeof err), -1);
  CHECK(strstr(err, "empty") != NULL);
  const char *foreign = write_timeline("time,value\n1,2\n");
  CHECK_EQ_INT(timeline_scan(foreign, &ti, &nt, NULL, err, sizeof err), -1);
  CHECK(strstr(err, "t_s") != NULL && strstr(err, "timeline.csv") != NULL);
  notes_free(&nt);
}

SP_TEST_MAIN(phases_columns_and_samples, no_consumption_means_no_e2e_samples, header_only_and_missing_columns,
             bad_rows_are_noted, absent_empty_and_foreign_files)
