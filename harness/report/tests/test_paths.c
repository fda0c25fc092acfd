/* test_paths.c: the report's small pure helpers: relative links between
 * the page and the run folder, the percentile plot's x range, HTML
 * escaping, and reading a results folder's JSON files (rundir.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "html.h"
#include "report_int.h"
#include "sp_test.h"

static void rel(const char *from, const char *to, const char *want) {
  char out[512];
  relative_path(from, to, out, sizeof out);
  CHECK_EQ_STR(out, want);
}

TEST(relative_paths) {
  rel("/tmp/out", "/tmp/rp/runs/x", "../rp/runs/x");
  rel("/tmp/x", "/tmp/x", ".");
  rel("/tmp/x", "/tmp/x/y", "y");
  rel("/tmp/xy", "/tmp/x", "../x");
  rel("/tmp/x", "/tmp/xy", "../xy");
  rel("/a/b/c", "/d", "../../../d");
  rel("/", "/d/e", "d/e");
}

TEST(percentile_axis_end) {
  CHECK(percentile_xmax(0) == 100);
  CHECK(percentile_xmax(35.5) == 100);
  CHECK(percentile_xmax(100) == 100);
  CHECK(percentile_xmax(101) == 1000);
  CHECK(percentile_xmax(40000) == 100000);
  CHECK(percentile_xmax(1e12) == 1e7);
}

TEST(html_escaping) {
  char path[512], buf[512] = "";
  snprintf(path, sizeof path, "%s/out.html", sp_test_tmpdir());
  FILE *f = fopen(path, "w");
  REQUIRE(f != NULL);
  html_text(f, "<a href=\"x\">&'</a>");
  fputc('|', f);
  html_url(f, "logs/a b#c.log");
  fclose(f);
  f = fopen(path, "r");
  REQUIRE(f != NULL);
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  CHECK_EQ_STR(buf, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;|logs/a%20b%23c.log");
}

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

TEST(results_folder_json) {
  char dir[512], err[1024];
  snprintf(dir, sizeof dir, "%s/run-1", sp_test_tmpdir());
  REQUIRE(mkdir(dir, 0777) == 0);
  rundir rd;
  /* Empty folder: fine for the report, an error for compare. */
  REQUIRE(rundir_open(dir, 0, &rd, err, sizeof err) == 0);
  CHECK(rd.summary == NULL && rd.verdict == NULL);
  CHECK_EQ_INT(rd.notes.n, 2);
  CHECK_EQ_STR(rd.name, "run-1");
  rundir_close(&rd);
  CHECK(rundir_open(dir, 1, &rd, err, sizeof err) == -1);
  CHECK(strstr(err, "summary.json: missing") != NULL);

  put(dir, "summary.json", "{\"workload\": \"w\", \"throughput\": {\"publish_msgs_per_s\": 1999.5},\n \"verdict\": \"valid\"}");
  REQUIRE(rundir_open(dir, 1, &rd, err, sizeof err) == 0);
  double v = 0;
  CHECK(json_num_at(rd.summary, "throughput.publish_msgs_per_s", &v) == 0 && v == 1999.5);
  CHECK(json_num_at(rd.summary, "throughput.nothing", &v) == -1);
  CHECK(json_num_at(rd.summary, "workload.deeper", &v) == -1);
  CHECK_EQ_STR(rundir_verdict(&rd), "valid");
  rundir_close(&rd);

  /* verdict.json's verdict wins over the copy in summary.json. */
  put(dir, "verdict.json", "{\"verdict\": \"invalid\"}");
  REQUIRE(rundir_open(dir, 1, &rd, err, sizeof err) == 0);
  CHECK_EQ_STR(rundir_verdict(&rd), "invalid");
  rundir_close(&rd);

  /* A damaged file is an error naming it, its line and column. */
  put(dir, "verdict.json", "{\"verdict\": \n  invalid}");
  CHECK(rundir_open(dir, 0, &rd, err, sizeof err) == -1);
  CHECK(strstr(err, "verdict.json: line 2") != NULL);
  put(dir, "verdict.json", "[1]");
  CHECK(rundir_open(dir, 0, &rd, err, sizeof err) == -1);
  CHECK(strstr(err, "not a JSON object") != NULL);

  /* Not a folder at all. */
  char file[1024];
  snprintf(file, sizeof file, "%s/summary.json", dir);
  CHECK(rundir_open(file, 0, &rd, err, sizeof err) == -1);
  CHECK(strstr(err, "not a directory") != NULL);
  CHECK(rundir_open("/nonexistent/run", 0, &rd, err, sizeof err) == -1);
  CHECK(strstr(err, "/nonexistent/run") != NULL);
}

TEST(unique_labels) {
  char a[600], b[600], err[256];
  snprintf(a, sizeof a, "%s/a", sp_test_tmpdir());
  snprintf(b, sizeof b, "%s/b", sp_test_tmpdir());
  REQUIRE(mkdir(a, 0777) == 0 && mkdir(b, 0777) == 0);
  strcat(a, "/run");
  strcat(b, "/run");
  REQUIRE(mkdir(a, 0777) == 0 && mkdir(b, 0777) == 0);
  rundir runs[3];
  REQUIRE(rundir_open(a, 0, &runs[0], err, sizeof err) == 0);
  REQUIRE(rundir_open(b, 0, &runs[1], err, sizeof err) == 0);
  REQUIRE(rundir_open(a, 0, &runs[2], err, sizeof err) == 0);
  rundir_unique_labels(runs, 3);
  CHECK_EQ_STR(runs[0].name, "a/run");
  CHECK_EQ_STR(runs[1].name, "b/run");
  CHECK_EQ_STR(runs[2].name, "a/run #3");
  for (int i = 0; i < 3; i++) rundir_close(&runs[i]);
}

SP_TEST_MAIN(relative_paths, percentile_axis_end, html_escaping, results_folder_json, unique_labels)
