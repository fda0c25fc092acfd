/* test_generate.c: report_generate, the entry `streamproof run` calls at
 * the end of a run: it writes the report into the results folder and gives
 * back index.html's path; an unusable folder or a missing gnuplot is an
 * error with the reason, never a crash. Needs gnuplot (gnuplot-nox). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "report.h"
#include "sp_test.h"

/* Writes text to dir/name. */
static void put(const char *dir, const char *name, const char *text) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  if (f) {
    fputs(text, f);
    fclose(f);
  }
}

/* 1 when dir/name exists and is not empty. */
static int nonempty(const char *dir, const char *name) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  struct stat st;
  return stat(path, &st) == 0 && st.st_size > 0;
}

TEST(writes_the_report_into_the_results_folder) {
  char dir[512], index[1024], err[1024] = "";
  snprintf(dir, sizeof dir, "%s/run", sp_test_tmpdir());
  REQUIRE(mkdir(dir, 0777) == 0);
  put(dir, "summary.json", "{\"workload\": \"unit\", \"verdict\": \"valid\"}");
  put(dir, "timeline.csv",
      "t_s,phase,intended,sent,acked,nacked,consumed,errors,backlog\n"
      "0,measure,10,10,10,0,9,0,1\n1,measure,10,10,10,0,11,0,0\n");
  put(dir, "faults.jsonl",
      "{\"t_s\":0.5,\"fault\":\"f\",\"kind\":\"pause\",\"target\":\"broker\",\"action\":\"inject\",\"result\":\"ok\"}\n"
      "{\"t_s\":1.2,\"fault\":\"f\",\"kind\":\"pause\",\"target\":\"broker\",\"action\":\"heal\",\"result\":\"ok\"}\n");
  int rc = report_generate(dir, index, sizeof index, err, sizeof err);
  if (rc != REPORT_OK) fprintf(stderr, "# %s\n", err);
  REQUIRE(rc == REPORT_OK);
  CHECK(strstr(index, "/run/index.html") != NULL);
  CHECK(nonempty(dir, "index.html"));
  CHECK(nonempty(dir, "plots/throughput.png"));
  CHECK(nonempty(dir, "plots/throughput.svg"));
  CHECK(nonempty(dir, "plots/backlog.png"));
  CHECK(nonempty(dir, "plots/faults.csv"));
  CHECK(!nonempty(dir, "plots/latency_percentiles.png")); /* no .hgrm files: said, not drawn */
}

TEST(errors_come_back_with_the_reason) {
  char index[1024] = "", err[1024] = "";
  CHECK_EQ_INT(report_generate("/nonexistent/run", index, sizeof index, err, sizeof err), REPORT_ERROR);
  CHECK(strstr(err, "/nonexistent/run") != NULL);
  char dir[512];
  snprintf(dir, sizeof dir, "%s/run", sp_test_tmpdir());
  REQUIRE(mkdir(dir, 0777) == 0);
  setenv("SP_GNUPLOT", "/nonexistent/gnuplot", 1);
  CHECK_EQ_INT(report_generate(dir, index, sizeof index, err, sizeof err), REPORT_ERROR);
  CHECK(strstr(err, "SP_GNUPLOT") != NULL);
  unsetenv("SP_GNUPLOT");
  CHECK(!nonempty(dir, "index.html"));
}

SP_TEST_MAIN(writes_the_report_into_the_results_folder, errors_come_back_with_the_reason)
