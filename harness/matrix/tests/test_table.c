/* test_table.c: the comparison table's strings, its markdown, CSV and
 * plot-data forms and the notes (matrix_table.h, matrix_plot.h), on a
 * synthetic matrix with completed, failed, unavailable and repeated cells. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "matrix_cell.h"
#include "matrix_plot.h"
#include "matrix_stats.h"
#include "matrix_table.h"
#include "sp_test.h"

static void done(mx_run *r, const char *verdict, double lost, double redelivered, double tput, double p50,
                 double p99) {
  mx_figures_clear(&r->fig);
  r->state = MX_RUN_DONE;
  r->exit_code = 0;
  snprintf(r->fig.verdict, sizeof r->fig.verdict, "%s", verdict);
  r->fig.acked = 14000;
  r->fig.lost = lost;
  r->fig.lost_pct = 100 * lost / 14000;
  r->fig.duplicated = 0;
  r->fig.duplicated_pct = 0;
  r->fig.redelivered = redelivered;
  r->fig.redelivered_pct = 100 * redelivered / 14000;
  r->fig.other = 0;
  r->fig.consume_tput = tput;
  r->fig.publish_tput = 1000;
  r->fig.e2e_p50_ms = p50;
  r->fig.e2e_p99_ms = p99;
  r->fig.faults_injected = 4;
  r->fig.fault_errors = 0;
  r->fig.schedule_kept = 1;
  r->fig.drain_completed = 1;
}

/* at_most_once, at_least_once x none, consumer-crash, processor-crash;
 * at_least_once x none failed (exit 4); processor-crash not available. */
static void build(mx_matrix *m, int repeat) {
  memset(m, 0, sizeof *m);
  snprintf(m->workload_name, sizeof m->workload_name, "matrix");
  snprintf(m->workload, sizeof m->workload, "workloads/matrix/default.yaml");
  snprintf(m->command, sizeof m->command, "streamproof matrix");
  m->n_sem = 2;
  m->sem[0] = 0;
  m->sem[1] = 1;
  m->n_faults = 3;
  snprintf(m->faults[0].name, MX_NAME_MAX, "none");
  snprintf(m->faults[1].name, MX_NAME_MAX, "consumer-crash");
  snprintf(m->faults[1].schedule, MX_PATH_MAX, "faults/matrix/consumer-crash.yaml");
  snprintf(m->faults[2].name, MX_NAME_MAX, "processor-crash");
  snprintf(m->faults[2].schedule, MX_PATH_MAX, "faults/matrix/processor-crash.yaml");
  m->none_col = 0;
  m->repeat = repeat;
  mx_matrix_alloc(m);
  for (int k = 0; k < repeat; k++) {
    done(&mx_cell_at(m, 0, 0)->runs[k], "valid", 0, 0, 1000, 6.25, 15.6);
    done(&mx_cell_at(m, 0, 1)->runs[k], "valid", 1224 + 100 * k, 0, 762, 1245, 4370 + 10 * k);
    mx_run *f = &mx_cell_at(m, 1, 0)->runs[k];
    f->state = MX_RUN_FAILED;
    f->exit_code = 4;
    snprintf(f->reason, sizeof f->reason, "cannot reach the broker at 127.0.0.1:1, waited 5.0 s");
    snprintf(f->log, sizeof f->log, "logs/at_least_once.none.%d.log", k + 1);
    done(&mx_cell_at(m, 1, 1)->runs[k], "valid", 0, 480, 750, 2111, 8609);
    for (int s = 0; s < 2; s++) {
      mx_run *r = &mx_cell_at(m, s, 2)->runs[k];
      r->state = MX_RUN_NA;
      r->exit_code = 3;
      snprintf(r->reason, sizeof r->reason, "not available in this build: this run has no stream processor");
    }
  }
  mx_matrix_aggregate(m);
}

/* The grid row of semantics s, fault f. */
static char **row(mx_grid *g, const mx_matrix *m, int s, int f) { return g->cell[1 + s * m->n_faults + f]; }

TEST(table_strings) {
  mx_matrix m;
  build(&m, 1);
  mx_grid g;
  mx_table_build(&m, &g);
  CHECK_EQ_INT(g.rows, 1 + 6);
  CHECK_EQ_INT(g.cols, 14);
  CHECK_EQ_STR(g.cell[0][0], "semantics");
  CHECK_EQ_STR(g.cell[0][3], "lost");
  char **r = row(&g, &m, 0, 1);
  CHECK_EQ_STR(r[0], "at_most_once");
  CHECK_EQ_STR(r[1], "consumer-crash");
  CHECK_EQ_STR(r[2], "valid");
  CHECK_EQ_STR(r[3], "1224 (8.7%)");
  CHECK_EQ_STR(r[4], "0");
  CHECK_EQ_STR(r[5], "0");
  CHECK_EQ_STR(r[8], "762");
  CHECK_EQ_STR(r[9], "-23.8%");
  CHECK_EQ_STR(r[10], "1245");
  CHECK_EQ_STR(r[11], "\xc3\x97" "199");  /* 1245 / 6.25 */
  CHECK_EQ_STR(r[13], "\xc3\x97" "280");  /* 4370 / 15.6 */
  r = row(&g, &m, 0, 0);
  CHECK_EQ_STR(r[9], "base");
  CHECK_EQ_STR(r[10], "6.25");
  CHECK_EQ_STR(r[12], "15.6");
  r = row(&g, &m, 1, 0);
  CHECK_EQ_STR(r[2], "FAILED (exit 4)");
  CHECK_EQ_STR(r[3], "\xe2\x80\x93");
  r = row(&g, &m, 1, 1);
  CHECK_EQ_STR(r[5], "480 (3.4%)");
  CHECK_EQ_STR(r[9], "\xe2\x80\x93"); /* its baseline failed: no cost */
  r = row(&g, &m, 1, 2);
  CHECK_EQ_STR(r[2], "n/a");
  mx_grid_free(&g);
  mx_matrix_free(&m);
}

TEST(repeats_show_spread_and_verdict_counts) {
  mx_matrix m;
  build(&m, 3);
  mx_grid g;
  mx_table_build(&m, &g);
  char **r = row(&g, &m, 0, 1);
  CHECK_EQ_STR(r[2], "valid 3/3");
  CHECK_EQ_STR(r[3], "1324 (9.5%) [1224..1424]");
  CHECK_EQ_STR(r[8], "762"); /* equal in every run: no spread */
  CHECK_EQ_STR(r[12], "4380 [4370..4390]");
  mx_grid_free(&g);
  mx_matrix_free(&m);
}

TEST(semantics_cost_table) {
  mx_matrix m;
  build(&m, 1);
  /* make at_least_once's no-fault cell complete */
  done(&mx_cell_at(&m, 1, 0)->runs[0], "valid", 0, 0, 990, 12.5, 31.2);
  mx_matrix_aggregate(&m);
  mx_grid g;
  mx_semantics_table_build(&m, &g);
  CHECK_EQ_INT(g.rows, 3);
  CHECK_EQ_STR(g.cell[1][2], "base");
  CHECK_EQ_STR(g.cell[2][0], "at_least_once");
  CHECK_EQ_STR(g.cell[2][2], "-1.0%");
  CHECK_EQ_STR(g.cell[2][4], "\xc3\x97" "2.00");
  CHECK_EQ_STR(g.cell[2][6], "\xc3\x97" "2.00");
  mx_grid_free(&g);
  m.none_col = -1;
  mx_semantics_table_build(&m, &g);
  CHECK_EQ_INT(g.rows, 0);
  mx_grid_free(&g);
  mx_matrix_free(&m);
}

/* Everything a writer printed, as a string (caller frees). Not inlined:
 * GCC's -Wdangling-pointer takes the string open_memstream fills for the
 * address of the local that receives it. */
__attribute__((noinline)) static char *capture(void (*writer)(FILE *, const mx_matrix *), const mx_matrix *m) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  writer(f, m);
  fclose(f);
  return buf;
}

static int count_lines(const char *s) {
  int n = 0;
  for (; *s; s++) n += *s == '\n';
  return n;
}

TEST(markdown_and_text) {
  mx_matrix m;
  build(&m, 1);
  char *md = capture(mx_markdown_write, &m);
  CHECK(strstr(md, "| semantics | fault | verdict | lost |") != NULL);
  CHECK(strstr(md, "|---|---|---|---:|") != NULL);
  CHECK(strstr(md, "| at_most_once | consumer-crash | valid | 1224 (8.7%) |") != NULL);
  CHECK(strstr(md, "![loss, duplication and cost per cell](matrix.png)") != NULL);
  /* the reason a cell failed, with its log */
  CHECK(strstr(md, "at_least_once \xc3\x97 none: FAILED with exit 4: cannot reach the broker") != NULL);
  CHECK(strstr(md, "logs/at_least_once.none.1.log") != NULL);
  CHECK(strstr(md, "no stream processor") != NULL);
  free(md);
  mx_grid g;
  mx_table_build(&m, &g);
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  mx_grid_write_text(f, &g);
  fclose(f);
  CHECK_EQ_INT(count_lines(text), 7);
  /* columns aligned: the semantics column padded to its widest entry */
  CHECK(strstr(text, "at_most_once   consumer-crash") != NULL);
  free(text);
  mx_grid_free(&g);
  mx_matrix_free(&m);
}

TEST(csv_rows_and_quoting) {
  mx_matrix m;
  build(&m, 1);
  char *csv = capture(mx_table_csv, &m);
  CHECK_EQ_INT(count_lines(csv), 1 + 6);
  CHECK(strncmp(csv, "semantics,fault,state,runs,", 27) == 0);
  CHECK(strstr(csv, "at_most_once,consumer-crash,ran,1,1,0,valid,1,0,0,14000,1224,1224,1224,") != NULL);
  CHECK(strstr(csv, "at_least_once,none,failed,1,0,1,,0,0,0,") != NULL);
  /* a reason with a comma is quoted */
  CHECK(strstr(csv, "\"cannot reach the broker at 127.0.0.1:1, waited 5.0 s\"") != NULL);
  CHECK(strstr(csv, "at_most_once,processor-crash,not available,") != NULL);
  free(csv);
  char *runs = capture(mx_runs_csv, &m);
  CHECK_EQ_INT(count_lines(runs), 1 + 6);
  CHECK(strstr(runs, "at_least_once,none,1,failed,4,") != NULL);
  free(runs);
  mx_matrix_free(&m);
}

TEST(notes_say_what_is_wrong) {
  mx_matrix m;
  build(&m, 1);
  mx_run *r = &mx_cell_at(&m, 0, 1)->runs[0];
  r->fig.faults_injected = 0;
  r->fig.schedule_kept = 0;
  snprintf(r->fig.other_types, sizeof r->fig.other_types, "poll-skip 2");
  snprintf(r->fig.semantics, sizeof r->fig.semantics, "exactly_once");
  notes nt = {0};
  mx_table_notes(&m, &nt);
  int injected = 0, schedule = 0, other = 0, claimed = 0, failed = 0, na = 0;
  for (size_t i = 0; i < nt.n; i++) {
    injected += strstr(nt.v[i], "at_most_once \xc3\x97 consumer-crash: the fault schedule injected nothing") != NULL;
    schedule += strstr(nt.v[i], "fell behind its schedule") != NULL;
    other += strstr(nt.v[i], "other anomalies: poll-skip 2") != NULL;
    claimed += strstr(nt.v[i], "claimed exactly_once, not at_most_once") != NULL;
    failed += strstr(nt.v[i], "FAILED with exit 4") != NULL;
    na += strstr(nt.v[i], "processor-crash (every semantics): not available in this build") != NULL;
    na += strstr(nt.v[i], "no stream processor") != NULL;
  }
  CHECK_EQ_INT(injected, 1);
  CHECK_EQ_INT(schedule, 1);
  CHECK_EQ_INT(other, 1);
  CHECK_EQ_INT(claimed, 1);
  CHECK_EQ_INT(failed, 1);
  CHECK_EQ_INT(na, 2); /* one note for the whole column, not one per cell or repeat */
  notes_free(&nt);
  m.none_col = -1;
  mx_table_notes(&m, &nt);
  REQUIRE(nt.n > 0);
  CHECK(strstr(nt.v[0], "no 'none' column") != NULL);
  notes_free(&nt);
  mx_matrix_free(&m);
}

/* Gives a completed run a stream processor whose check said sv. */
static void with_processor(mx_run *r, const char *sv, double expected, double written, double findings,
                           const char *types, double restarts) {
  r->fig.has_processor = 1;
  snprintf(r->fig.stream_verdict, sizeof r->fig.stream_verdict, "%s", sv);
  r->fig.stream_expected = expected;
  r->fig.stream_written = written;
  r->fig.stream_findings = findings;
  snprintf(r->fig.stream_finding_types, sizeof r->fig.stream_finding_types, "%s", types);
  r->fig.stream_pending = r->fig.stream_unverified = 0;
  r->fig.proc_restarts = restarts;
  r->fig.proc_caught_up = 1;
}

/* The matrix of build() with its processor-crash column run: at_most_once
 * exact, at_least_once with findings (repeat runs: k more restarts). */
static void build_with_processor(mx_matrix *m, int repeat) {
  build(m, repeat);
  for (int k = 0; k < repeat; k++) {
    mx_run *r = &mx_cell_at(m, 0, 2)->runs[k];
    done(r, "valid", 0, 0, 1000, 6.5, 16);
    r->reason[0] = '\0';
    with_processor(r, "valid", 24, 24, 0, "", 2 + k);
    r = &mx_cell_at(m, 1, 2)->runs[k];
    done(r, "invalid", 0, 0, 990, 7, 18);
    r->reason[0] = '\0';
    if (k == 0) with_processor(r, "invalid", 24, 23, 3, "missing 2, duplicate-id 1", 1);
    else with_processor(r, "valid", 24, 24, 0, "", 1);
  }
  mx_matrix_aggregate(m);
}

TEST(processor_column) {
  mx_matrix m;
  build_with_processor(&m, 1);
  mx_grid g;
  mx_table_build(&m, &g);
  CHECK_EQ_STR(g.cell[0][7], "processor");
  CHECK_EQ_STR(row(&g, &m, 0, 2)[7], "exact 24/24, 2 restarts");
  CHECK_EQ_STR(row(&g, &m, 1, 2)[7], "3 findings (missing 2, duplicate-id 1), 1 restart");
  CHECK_EQ_STR(row(&g, &m, 1, 2)[6], "0"); /* stream findings are not other anomalies */
  CHECK_EQ_STR(row(&g, &m, 1, 2)[2], "invalid");
  CHECK_EQ_STR(row(&g, &m, 0, 1)[7], "\xe2\x80\x93"); /* no processor in that run */
  CHECK_EQ_STR(row(&g, &m, 1, 0)[7], "\xe2\x80\x93"); /* failed cell */
  mx_grid_free(&g);

  char *csv = capture(mx_table_csv, &m);
  CHECK(strstr(csv, ",e2e_p99_ratio,processor_verdict,processor_results_expected,processor_results_written,"
                    "processor_findings,processor_findings_min,processor_findings_max,processor_restarts,"
                    "processor_restarts_min,processor_restarts_max,reason\n") != NULL);
  CHECK(strstr(csv, ",valid,24,24,0,0,0,2,2,2,\n") != NULL);
  CHECK(strstr(csv, ",invalid,24,23,3,3,3,1,1,1,\n") != NULL);
  /* a cell without a processor leaves its fields empty */
  const char *row = strstr(csv, "at_most_once,consumer-crash,");
  REQUIRE(row != NULL);
  CHECK(strstr(row, ",,,,,,,,,,\n") != NULL);
  free(csv);
  char *runs = capture(mx_runs_csv, &m);
  CHECK(strstr(runs, ",processor_verdict,processor_results_expected,processor_results_written,processor_pending,"
                     "processor_unverified,processor_findings,processor_finding_types,processor_restarts,"
                     "processor_caught_up,results,") != NULL);
  CHECK(strstr(runs, ",invalid,24,23,0,0,3,\"missing 2, duplicate-id 1\",1,1,") != NULL);
  free(runs);

  notes nt = {0};
  mx_table_notes(&m, &nt);
  int findings = 0;
  for (size_t i = 0; i < nt.n; i++)
    findings += strstr(nt.v[i], "at_least_once \xc3\x97 processor-crash: stream output findings: missing 2, "
                                "duplicate-id 1") != NULL;
  CHECK_EQ_INT(findings, 1);
  notes_free(&nt);
  char *md = capture(mx_markdown_write, &m);
  CHECK(strstr(md, "| other | processor | consumed msg/s |") != NULL);
  CHECK(strstr(md, "| exact 24/24, 2 restarts |") != NULL);
  free(md);
  mx_matrix_free(&m);
}

TEST(processor_column_over_repeats) {
  mx_matrix m;
  build_with_processor(&m, 3);
  mx_grid g;
  mx_table_build(&m, &g);
  CHECK_EQ_STR(row(&g, &m, 0, 2)[7], "exact 24/24, 3 restarts [2..4]");
  /* one run of three had findings: the median is 0, the spread and the
   * worst run's kinds say so; the stream verdict is the worst run's */
  CHECK_EQ_STR(row(&g, &m, 1, 2)[7], "0 findings [0..3] (worst run: missing 2, duplicate-id 1), 1 restart");
  CHECK_EQ_STR(m.cells[1 * 3 + 2].proc_verdict, "invalid");
  mx_grid_free(&g);
  /* a processor whose output was not checked, and one the check could not judge */
  mx_run *r = &mx_cell_at(&m, 0, 2)->runs[0];
  r->fig.stream_verdict[0] = '\0';
  r->fig.stream_expected = r->fig.stream_written = r->fig.stream_findings = NAN;
  mx_cell_aggregate(mx_cell_at(&m, 0, 2));
  char buf[256];
  mx_processor_text(mx_cell_at(&m, 0, 2), buf, sizeof buf);
  CHECK_EQ_STR(buf, "not checked, 3 restarts [2..4]");
  for (int k = 0; k < 3; k++) {
    r = &mx_cell_at(&m, 0, 2)->runs[k];
    with_processor(r, "unknown", 24, 20, 0, "", 1);
    r->fig.stream_pending = 4;
  }
  snprintf(r->fig.stream_incomplete, sizeof r->fig.stream_incomplete, "sink dump cut short");
  mx_cell_aggregate(mx_cell_at(&m, 0, 2));
  mx_processor_text(mx_cell_at(&m, 0, 2), buf, sizeof buf);
  CHECK_EQ_STR(buf, "unknown 20/24, 1 restart");
  notes nt = {0};
  mx_table_notes(&m, &nt);
  int cut = 0, pending = 0;
  for (size_t i = 0; i < nt.n; i++) {
    cut += strstr(nt.v[i], "processor-crash, run 3: the stream check could not conclude: sink dump cut short") != NULL;
    pending += strstr(nt.v[i], "4 expected stream result(s) pending") != NULL;
  }
  CHECK_EQ_INT(cut, 1);
  CHECK_EQ_INT(pending, 3);
  notes_free(&nt);
  mx_matrix_free(&m);
}

TEST(plot_data) {
  mx_matrix m;
  build(&m, 1);
  char *csv = capture(mx_plot_data_write, &m);
  CHECK_EQ_INT(count_lines(csv), 1 + 6);
  CHECK(strncmp(csv, "fault_i,sem_i,sem_id,status,lost_pct,", 37) == 0);
  /* at_most_once x consumer-crash: count label, p99 factor, throughput change */
  CHECK(strstr(csv, "\n1,0,0,,8.742857143,8.742857143,8.742857143,1224,0,0,0,0,1245,4370,4370,4370,"
                    "\xc3\x97" "280,762,762,762,-23.8%\n") != NULL);
  /* the no-fault cell is labelled with its values */
  CHECK(strstr(csv, ",15.6 ms,1000,1000,1000,1000/s\n") != NULL);
  CHECK(strstr(csv, "\n0,1,1,failed,") != NULL);
  CHECK(strstr(csv, "\n2,1,1,n/a,") != NULL);
  free(csv);
  mx_matrix_free(&m);
}

TEST(formatting) {
  char b[32];
  mx_fmt_ms(0.842, b, sizeof b);
  CHECK_EQ_STR(b, "0.84");
  mx_fmt_ms(12.54, b, sizeof b);
  CHECK_EQ_STR(b, "12.5");
  mx_fmt_ms(4370.4, b, sizeof b);
  CHECK_EQ_STR(b, "4370");
  mx_fmt_ms(NAN, b, sizeof b);
  CHECK_EQ_STR(b, "\xe2\x80\x93");
  mx_fmt_change_pct(1.001, b, sizeof b);
  CHECK_EQ_STR(b, "+0.1%");
  mx_fmt_factor(0.98, b, sizeof b);
  CHECK_EQ_STR(b, "\xc3\x97" "0.98");
  mx_fmt_factor(41.2, b, sizeof b);
  CHECK_EQ_STR(b, "\xc3\x97" "41.2");
  mx_stat count = {3, 3, 3, 1}, share = {0.005, 0.005, 0.005, 1};
  mx_fmt_count_share(&count, &share, b, sizeof b);
  CHECK_EQ_STR(b, "3 (<0.01%)");
  mx_stat none = {NAN, NAN, NAN, 0};
  mx_fmt_count_share(&none, NULL, b, sizeof b);
  CHECK_EQ_STR(b, "\xe2\x80\x93");
}

SP_TEST_MAIN(table_strings, repeats_show_spread_and_verdict_counts, semantics_cost_table, markdown_and_text,
             csv_rows_and_quoting, notes_say_what_is_wrong, processor_column, processor_column_over_repeats,
             plot_data, formatting)
