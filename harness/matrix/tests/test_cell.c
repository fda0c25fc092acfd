/* test_cell.c: reading one run's figures from its results folder
 * (matrix_cell.h): summary.json, verdict.json and faults.jsonl as
 * results/README.md and harness/check/README.md lay them out. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "matrix_cell.h"
#include "sp_test.h"

#define NEAR(a, b) (fabs((a) - (b)) < 1e-6)

static void write_file(const char *dir, const char *name, const char *text) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  REQUIRE(f != NULL);
  fputs(text, f);
  fclose(f);
}

static const char SUMMARY[] =
    "{\"workload\": \"matrix\", \"aggregatedEndToEndLatency50pct\": 6.25, "
    "\"aggregatedEndToEndLatency99pct\": 4370.4,\n"
    " \"counts\": {\"intended\": 14000, \"sent\": 14000, \"acked\": 14000, \"consumed\": 12776},\n"
    " \"throughput\": {\"publish_msgs_per_s\": 1000.5, \"consume_msgs_per_s\": 762.25},\n"
    " \"schedule\": {\"kept\": true}, \"drain\": {\"completed\": false}, \"verdict\": \"valid\"}\n";

/* verdict.json as the checker writes it (the parts the matrix reads). */
static const char VERDICT[] =
    "{\"verdict\": \"valid\", \"subscriptions\": [{\"name\": \"sub-000\", \"semantics\": \"at_most_once\"}],\n"
    " \"anomalies\": {\"lost-write\": {\"count\": 1200, \"allowed\": true},\n"
    "   \"unseen\": {\"count\": 24, \"allowed\": true},\n"
    "   \"duplicate\": {\"count\": 3, \"allowed\": false},\n"
    "   \"redelivered\": {\"count\": 0, \"allowed\": false},\n"
    "   \"poll-skip\": {\"count\": 2, \"allowed\": false},\n"
    "   \"key-order\": {\"count\": 0, \"allowed\": false},\n"
    "   \"acked-but-missing\": {\"count\": 1, \"allowed\": false}}}\n";

static const char FAULTS[] =
    "{\"t_s\":3.0,\"fault\":\"consumer-crash\",\"action\":\"inject\",\"result\":\"ok\"}\n"
    "{\"t_s\":3.5,\"fault\":\"consumer-crash\",\"action\":\"heal\",\"result\":\"ok\"}\n"
    "{\"t_s\":6.0,\"fault\":\"consumer-crash\",\"action\":\"inject\",\"result\":\"ok\"}\n"
    "{\"t_s\":6.5,\"fault\":\"consumer-crash\",\"action\":\"heal\",\"result\":\"error\",\"error\":\"exec\"}\n"
    "{\"t_s\":9.0,\"fault\":\"consumer-cr"; /* cut by a crash */

TEST(reads_every_figure) {
  const char *dir = sp_test_tmpdir();
  write_file(dir, "summary.json", SUMMARY);
  write_file(dir, "verdict.json", VERDICT);
  write_file(dir, "faults.jsonl", FAULTS);
  mx_figures g;
  char err[512] = "";
  REQUIRE(mx_figures_read(dir, &g, err, sizeof err) == 0);
  CHECK_EQ_STR(g.verdict, "valid");
  CHECK_EQ_STR(g.semantics, "at_most_once");
  CHECK(NEAR(g.subscriptions, 1));
  CHECK(NEAR(g.acked, 14000) && NEAR(g.consumed, 12776));
  CHECK(NEAR(g.lost, 1224)); /* lost-write + unseen */
  CHECK(NEAR(g.duplicated, 3));
  CHECK(NEAR(g.redelivered, 0));
  CHECK(NEAR(g.other, 3)); /* poll-skip 2 + acked-but-missing 1; zero counts do not count */
  CHECK(strstr(g.other_types, "poll-skip 2") != NULL);
  CHECK(strstr(g.other_types, "acked-but-missing 1") != NULL);
  CHECK(strstr(g.other_types, "key-order") == NULL);
  CHECK(NEAR(g.lost_pct, 100.0 * 1224 / 14000));
  CHECK(NEAR(g.duplicated_pct, 100.0 * 3 / 14000));
  CHECK(NEAR(g.redelivered_pct, 0));
  CHECK(NEAR(g.publish_tput, 1000.5) && NEAR(g.consume_tput, 762.25));
  CHECK(NEAR(g.e2e_p50_ms, 6.25) && NEAR(g.e2e_p99_ms, 4370.4));
  CHECK_EQ_INT(g.schedule_kept, 1);
  CHECK_EQ_INT(g.drain_completed, 0);
  CHECK(NEAR(g.faults_injected, 2)); /* the torn last line is skipped */
  CHECK(NEAR(g.fault_errors, 1));
}

TEST(shares_count_every_subscription) {
  const char *dir = sp_test_tmpdir();
  write_file(dir, "summary.json", SUMMARY);
  write_file(dir, "verdict.json",
             "{\"verdict\": \"invalid\", \"subscriptions\": [{\"semantics\": \"exactly_once\"}, "
             "{\"semantics\": \"at_least_once\"}], \"anomalies\": {\"lost-write\": {\"count\": 700}, "
             "\"redelivered\": {\"count\": 1400}}}");
  mx_figures g;
  char err[512];
  REQUIRE(mx_figures_read(dir, &g, err, sizeof err) == 0);
  CHECK_EQ_STR(g.verdict, "invalid");
  CHECK_EQ_STR(g.semantics, "mixed");
  CHECK(NEAR(g.lost_pct, 100.0 * 700 / 28000)); /* two subscriptions each read 14000 */
  CHECK(NEAR(g.redelivered_pct, 5));
  CHECK(NEAR(g.faults_injected, 0)); /* no faults.jsonl: nothing injected */
  CHECK_EQ_STR(g.other_types, "");
}

TEST(unchecked_run_has_no_counts) {
  const char *dir = sp_test_tmpdir();
  write_file(dir, "summary.json", "{\"counts\": {\"acked\": 10}}");
  mx_figures g;
  char err[512];
  REQUIRE(mx_figures_read(dir, &g, err, sizeof err) == 0);
  CHECK_EQ_STR(g.verdict, "not checked");
  /* unknown, never 0: a missing count must not read as "nothing lost" */
  CHECK(isnan(g.lost) && isnan(g.redelivered) && isnan(g.lost_pct));
  CHECK(isnan(g.e2e_p99_ms));
  CHECK_EQ_INT(g.schedule_kept, -1);
}

TEST(verdict_copy_in_summary_is_used) {
  const char *dir = sp_test_tmpdir();
  write_file(dir, "summary.json", "{\"verdict\": \"unknown\"}");
  mx_figures g;
  char err[512];
  REQUIRE(mx_figures_read(dir, &g, err, sizeof err) == 0);
  CHECK_EQ_STR(g.verdict, "unknown");
}

/* A run with a stream processor: summary.json processor, verdict.json
 * stream (harness/check/README.md "Stream oracle"). */
static const char PROC_SUMMARY[] =
    "{\"counts\": {\"acked\": 7000}, \"processor\": {\"job\": \"partition-counts\", \"records\": 7000, "
    "\"restarts\": 2, \"caught_up\": false, \"recovery_ms\": [16.3, 12.1]}}";
static const char PROC_VERDICT[] =
    "{\"verdict\": \"invalid\", \"anomalies\": {\"poll-skip\": {\"count\": 0}},\n"
    " \"stream\": {\"verdict\": \"invalid\", \"job\": \"partition-counts\",\n"
    "  \"totals\": {\"tasks\": 4, \"input_records\": 7000, \"expected\": {\"output\": 56, \"late\": 0},\n"
    "             \"written\": {\"output\": 55, \"late\": 0}, \"pending\": 4, \"unverified\": 1},\n"
    "  \"findings\": {\"missing\": {\"count\": 2}, \"unexpected\": {\"count\": 0},\n"
    "               \"duplicate-id\": {\"count\": 1}},\n"
    "  \"incomplete\": [\"partition 3 of sp-counts: dump cut short\"]}}";

TEST(reads_the_stream_processor) {
  const char *dir = sp_test_tmpdir();
  write_file(dir, "summary.json", PROC_SUMMARY);
  write_file(dir, "verdict.json", PROC_VERDICT);
  mx_figures g;
  char err[512];
  REQUIRE(mx_figures_read(dir, &g, err, sizeof err) == 0);
  CHECK_EQ_INT(g.has_processor, 1);
  CHECK_EQ_STR(g.stream_verdict, "invalid");
  CHECK(NEAR(g.stream_expected, 56) && NEAR(g.stream_written, 55));
  CHECK(NEAR(g.stream_pending, 4) && NEAR(g.stream_unverified, 1));
  CHECK(NEAR(g.stream_findings, 3));
  CHECK_EQ_STR(g.stream_finding_types, "missing 2, duplicate-id 1"); /* kinds with a count only */
  CHECK_EQ_STR(g.stream_incomplete, "partition 3 of sp-counts: dump cut short");
  CHECK(NEAR(g.proc_restarts, 2));
  CHECK_EQ_INT(g.proc_caught_up, 0);
  /* stream findings are the processor's, not the consumers' anomalies */
  CHECK(NEAR(g.other, 0));
  CHECK_EQ_STR(g.other_types, "");

  /* a processor whose output was not checked (no verdict.json): known to
   * have run, its check unknown, never "0 findings" */
  char unchecked[600];
  snprintf(unchecked, sizeof unchecked, "%s/unchecked", dir);
  REQUIRE(mkdir(unchecked, 0755) == 0);
  write_file(unchecked, "summary.json", PROC_SUMMARY);
  REQUIRE(mx_figures_read(unchecked, &g, err, sizeof err) == 0);
  CHECK_EQ_INT(g.has_processor, 1);
  CHECK_EQ_STR(g.stream_verdict, "");
  CHECK(isnan(g.stream_findings) && isnan(g.stream_expected));
  CHECK(NEAR(g.proc_restarts, 2));
}

TEST(run_without_a_processor) {
  const char *dir = sp_test_tmpdir();
  write_file(dir, "summary.json", SUMMARY);
  write_file(dir, "verdict.json", VERDICT);
  mx_figures g;
  char err[512];
  REQUIRE(mx_figures_read(dir, &g, err, sizeof err) == 0);
  CHECK_EQ_INT(g.has_processor, 0);
  CHECK_EQ_STR(g.stream_verdict, "");
  CHECK(isnan(g.stream_findings) && isnan(g.stream_written) && isnan(g.proc_restarts));
  CHECK_EQ_INT(g.proc_caught_up, -1);
}

TEST(errors_name_the_file) {
  const char *dir = sp_test_tmpdir();
  mx_figures g;
  char err[512] = "";
  CHECK(mx_figures_read(dir, &g, err, sizeof err) == -1);
  CHECK(strstr(err, "summary.json") != NULL);
  write_file(dir, "summary.json", SUMMARY);
  write_file(dir, "verdict.json", "{\"verdict\": \"valid\",\n \"anomalies\": {");
  CHECK(mx_figures_read(dir, &g, err, sizeof err) == -1);
  CHECK(strstr(err, "verdict.json") != NULL);
  CHECK(strstr(err, "line 2") != NULL);
  char missing[600];
  snprintf(missing, sizeof missing, "%s/nope", dir);
  CHECK(mx_figures_read(missing, &g, err, sizeof err) == -1);
  CHECK(strstr(err, "nope") != NULL);
}

SP_TEST_MAIN(reads_every_figure, shares_count_every_subscription, unchecked_run_has_no_counts,
             verdict_copy_in_summary_is_used, reads_the_stream_processor, run_without_a_processor,
             errors_name_the_file)
