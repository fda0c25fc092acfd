/* test_stats.c: medians, spreads, verdicts over repeated runs, cell states
 * and the cost ratios against each semantics' no-fault cell
 * (matrix_stats.h). */
#include <math.h>
#include <string.h>

#include "matrix_cell.h"
#include "matrix_stats.h"
#include "sp_test.h"

#define NEAR(a, b) (fabs((a) - (b)) < 1e-9)

TEST(median_odd_even_and_nan) {
  double odd[] = {5, 1, 3};
  mx_stat s = mx_stat_of(odd, 3);
  CHECK(NEAR(s.median, 3) && NEAR(s.min, 1) && NEAR(s.max, 5));
  CHECK_EQ_INT(s.n, 3);
  double even[] = {4, 1, 3, 10};
  s = mx_stat_of(even, 4);
  CHECK(NEAR(s.median, 3.5)); /* the mean of the middle two, as compare takes it */
  double some_nan[] = {NAN, 7, NAN, 1};
  s = mx_stat_of(some_nan, 4);
  CHECK_EQ_INT(s.n, 2);
  CHECK(NEAR(s.median, 4) && NEAR(s.min, 1) && NEAR(s.max, 7));
  double all_nan[] = {NAN, NAN};
  s = mx_stat_of(all_nan, 2);
  CHECK_EQ_INT(s.n, 0);
  CHECK(isnan(s.median) && isnan(s.min) && isnan(s.max));
  s = mx_stat_of(NULL, 0);
  CHECK_EQ_INT(s.n, 0);
  CHECK(isnan(s.median));
  /* the input is left alone (the median sorts a copy) */
  CHECK(NEAR(odd[0], 5) && NEAR(odd[1], 1));
}

TEST(ratio_edges) {
  CHECK(NEAR(mx_ratio(50, 100), 0.5));
  CHECK(NEAR(mx_ratio(0, 100), 0));
  CHECK(isnan(mx_ratio(10, 0)));   /* no baseline to compare with */
  CHECK(isnan(mx_ratio(10, -1)));
  CHECK(isnan(mx_ratio(NAN, 10)));
  CHECK(isnan(mx_ratio(10, NAN)));
}

TEST(verdict_rank_orders_severity) {
  CHECK(mx_verdict_rank("valid") < mx_verdict_rank("unknown"));
  CHECK(mx_verdict_rank("unknown") < mx_verdict_rank("invalid"));
  CHECK_EQ_INT(mx_verdict_rank("not checked"), mx_verdict_rank("unknown"));
  CHECK_EQ_INT(mx_verdict_rank(""), -1);
}

/* A completed run with a verdict and figures. */
static void done(mx_run *r, const char *verdict, double lost, double tput, double p50, double p99) {
  memset(r, 0, sizeof *r);
  mx_figures_clear(&r->fig);
  r->state = MX_RUN_DONE;
  snprintf(r->fig.verdict, sizeof r->fig.verdict, "%s", verdict);
  r->fig.lost = lost;
  r->fig.duplicated = 0;
  r->fig.redelivered = 0;
  r->fig.other = 0;
  r->fig.acked = 1000;
  r->fig.consume_tput = tput;
  r->fig.e2e_p50_ms = p50;
  r->fig.e2e_p99_ms = p99;
}

static void failed(mx_run *r, int code) {
  memset(r, 0, sizeof *r);
  mx_figures_clear(&r->fig);
  r->state = MX_RUN_FAILED;
  r->exit_code = code;
  snprintf(r->reason, sizeof r->reason, "cannot reach the broker");
}

TEST(cell_over_repeats_worst_verdict_medians) {
  mx_run runs[4];
  done(&runs[0], "valid", 10, 900, 5, 50);
  done(&runs[1], "invalid", 30, 1000, 7, 70);
  done(&runs[2], "valid", 20, 800, 6, 60);
  failed(&runs[3], 4);
  mx_cell c = {.runs = runs, .n_runs = 4};
  mx_cell_aggregate(&c);
  CHECK_EQ_INT(c.state, MX_CELL_PARTIAL);
  CHECK_EQ_INT(c.n_done, 3);
  CHECK_EQ_INT(c.n_failed, 1);
  CHECK_EQ_INT(c.n_valid, 2);
  CHECK_EQ_INT(c.n_invalid, 1);
  CHECK_EQ_STR(c.verdict, "invalid"); /* one invalid run is a finding, not noise */
  CHECK(NEAR(c.lost.median, 20) && NEAR(c.lost.min, 10) && NEAR(c.lost.max, 30));
  CHECK_EQ_INT(c.lost.n, 3); /* the failed run has no figures */
  CHECK(NEAR(c.consume_tput.median, 900));
  CHECK(NEAR(c.p50.median, 6) && NEAR(c.p99.median, 60));
  CHECK(NEAR(c.acked.median, 1000));
}

TEST(cell_states) {
  mx_run r[2];
  mx_cell c = {.runs = r, .n_runs = 2};
  failed(&r[0], 4);
  failed(&r[1], 3);
  mx_cell_aggregate(&c);
  CHECK_EQ_INT(c.state, MX_CELL_FAILED);
  CHECK_EQ_STR(c.verdict, "");
  CHECK_EQ_INT(c.lost.n, 0);
  done(&r[0], "unknown", 0, 1, 1, 1);
  done(&r[1], "valid", 0, 1, 1, 1);
  mx_cell_aggregate(&c);
  CHECK_EQ_INT(c.state, MX_CELL_RAN);
  CHECK_EQ_STR(c.verdict, "unknown");
  memset(r, 0, sizeof r);
  r[0].state = r[1].state = MX_RUN_PENDING;
  mx_cell_aggregate(&c);
  CHECK_EQ_INT(c.state, MX_CELL_NOT_RUN);
  r[0].state = r[1].state = MX_RUN_NA;
  mx_cell_aggregate(&c);
  CHECK_EQ_INT(c.state, MX_CELL_NA);
}

/* A 2 x 3 matrix: none, consumer-crash, broker-crash. */
static void small_matrix(mx_matrix *m, int with_none) {
  memset(m, 0, sizeof *m);
  m->n_sem = 2;
  m->sem[0] = 0;
  m->sem[1] = 2;
  m->n_faults = 3;
  snprintf(m->faults[0].name, sizeof m->faults[0].name, with_none ? "none" : "pause");
  snprintf(m->faults[1].name, sizeof m->faults[1].name, "consumer-crash");
  snprintf(m->faults[2].name, sizeof m->faults[2].name, "broker-crash");
  m->none_col = with_none ? 0 : -1;
  m->repeat = 1;
  mx_matrix_alloc(m);
}

TEST(costs_against_the_same_semantics_no_fault_cell) {
  mx_matrix m;
  small_matrix(&m, 1);
  done(&mx_cell_at(&m, 0, 0)->runs[0], "valid", 0, 1000, 5, 10);
  done(&mx_cell_at(&m, 0, 1)->runs[0], "valid", 100, 750, 50, 4000);
  failed(&mx_cell_at(&m, 0, 2)->runs[0], 4);
  done(&mx_cell_at(&m, 1, 0)->runs[0], "valid", 0, 800, 8, 20);
  done(&mx_cell_at(&m, 1, 1)->runs[0], "valid", 0, 400, 16, 200);
  done(&mx_cell_at(&m, 1, 2)->runs[0], "valid", 0, 800, 8, 20);
  mx_matrix_aggregate(&m);
  mx_cell *c = mx_cell_at(&m, 0, 1);
  CHECK(NEAR(c->tput_ratio, 0.75));
  CHECK(NEAR(c->p50_ratio, 10));
  CHECK(NEAR(c->p99_ratio, 400));
  CHECK(NEAR(mx_cell_at(&m, 0, 0)->tput_ratio, 1)); /* the baseline against itself */
  CHECK(isnan(mx_cell_at(&m, 0, 2)->tput_ratio)); /* failed: nothing to compare */
  c = mx_cell_at(&m, 1, 1); /* row 2 against its own no-fault cell, not row 1's */
  CHECK(NEAR(c->tput_ratio, 0.5));
  CHECK(NEAR(c->p99_ratio, 10));
  /* semantics against the first one, without faults */
  CHECK(NEAR(mx_semantics_ratio(&m, 1, 0), 0.8));
  CHECK(NEAR(mx_semantics_ratio(&m, 1, 1), 1.6));
  CHECK(NEAR(mx_semantics_ratio(&m, 1, 2), 2));
  CHECK(NEAR(mx_semantics_ratio(&m, 0, 2), 1));
  mx_matrix_free(&m);
}

TEST(no_costs_without_a_no_fault_column) {
  mx_matrix m;
  small_matrix(&m, 0);
  for (int s = 0; s < 2; s++)
    for (int f = 0; f < 3; f++) done(&mx_cell_at(&m, s, f)->runs[0], "valid", 0, 100, 1, 2);
  mx_matrix_aggregate(&m);
  CHECK(isnan(mx_cell_at(&m, 0, 1)->tput_ratio));
  CHECK(isnan(mx_cell_at(&m, 1, 2)->p99_ratio));
  CHECK(isnan(mx_semantics_ratio(&m, 1, 0)));
  mx_matrix_free(&m);
}

TEST(failed_baseline_gives_no_cost) {
  mx_matrix m;
  small_matrix(&m, 1);
  failed(&mx_cell_at(&m, 0, 0)->runs[0], 4);
  done(&mx_cell_at(&m, 0, 1)->runs[0], "valid", 0, 100, 1, 2);
  mx_matrix_aggregate(&m);
  CHECK(isnan(mx_cell_at(&m, 0, 1)->tput_ratio));
  CHECK(isnan(mx_cell_at(&m, 0, 1)->p50_ratio));
  mx_matrix_free(&m);
}

SP_TEST_MAIN(median_odd_even_and_nan, ratio_edges, verdict_rank_orders_severity,
             cell_over_repeats_worst_verdict_medians, cell_states,
             costs_against_the_same_semantics_no_fault_cell, no_costs_without_a_no_fault_column,
             failed_baseline_gives_no_cost)
