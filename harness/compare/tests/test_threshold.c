/* test_threshold.c: `--max-regress` parsing (threshold.h), the bounds it
 * sets in each direction, and the metric table's medians (metrics.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sp_test.h"
#include "threshold.h"

/* The limit on metric `name` in set, or NULL. */
static const threshold *limit(const threshold_set *set, const char *name) {
  const metric *m = metric_find(name);
  return m ? threshold_find(set, m) : NULL;
}

TEST(relative_absolute_and_both) {
  threshold_set s = {0};
  char err[512];
  REQUIRE(threshold_parse("e2e.p99=10%,throughput=5%,publish.max=250ms,e2e.p50=10%+0.5ms", &s, err, sizeof err) == 0);
  CHECK_EQ_INT(s.n, 4);
  const threshold *t = limit(&s, "e2e.p99");
  REQUIRE(t != NULL);
  CHECK(t->rel_pct == 10 && t->abs == 0);
  CHECK_EQ_STR(t->text, "10%");
  CHECK(fabs(threshold_bound(t, 20.0) - 22.0) < 1e-9);
  CHECK(threshold_crossed(t, 20.0, 22.5));
  CHECK(!threshold_crossed(t, 20.0, 21.9));
  CHECK(!threshold_crossed(t, 20.0, 5.0)); /* better is never a regression */

  t = limit(&s, "throughput");
  REQUIRE(t != NULL);
  CHECK(fabs(threshold_bound(t, 1000) - 950) < 1e-9); /* throughput may fall by 5% */
  CHECK(threshold_crossed(t, 1000, 940));
  CHECK(!threshold_crossed(t, 1000, 960));
  CHECK(!threshold_crossed(t, 1000, 5000));

  t = limit(&s, "publish.max");
  REQUIRE(t != NULL);
  CHECK(t->rel_pct == 0 && t->abs == 250);

  t = limit(&s, "e2e.p50");
  REQUIRE(t != NULL);
  CHECK(fabs(threshold_bound(t, 2.0) - 2.7) < 1e-9); /* 10% of 2 ms + 0.5 ms */
  threshold_set_free(&s);
}

TEST(units_convert_to_the_metrics_unit) {
  threshold_set s = {0};
  char err[512];
  REQUIRE(threshold_parse("e2e.p99=500us,publish.p99=2s,publish-delay.p99=3ms,nacked=0,late-fraction=0.01", &s, err, sizeof err) == 0);
  CHECK(fabs(limit(&s, "e2e.p99")->abs - 0.5) < 1e-12);       /* ms */
  CHECK(fabs(limit(&s, "publish.p99")->abs - 2000) < 1e-9);   /* ms */
  CHECK(fabs(limit(&s, "publish-delay.p99")->abs - 3000) < 1e-9); /* us */
  CHECK(limit(&s, "nacked")->abs == 0);
  CHECK(threshold_crossed(limit(&s, "nacked"), 0, 1));
  CHECK(!threshold_crossed(limit(&s, "nacked"), 0, 0));
  CHECK(fabs(limit(&s, "late-fraction")->abs - 0.01) < 1e-12);
  threshold_set_free(&s);
  REQUIRE(threshold_parse("throughput=500msg/s", &s, err, sizeof err) == 0);
  CHECK(threshold_crossed(limit(&s, "throughput"), 2000, 1499));
  threshold_set_free(&s);
}

TEST(bare_figures_set_e2e_and_publish) {
  threshold_set s = {0};
  char err[512];
  REQUIRE(threshold_parse("p99=10%", &s, err, sizeof err) == 0);
  CHECK_EQ_INT(s.n, 2);
  CHECK(limit(&s, "e2e.p99") != NULL && limit(&s, "publish.p99") != NULL);
  CHECK(limit(&s, "e2e-uncorrected.p99") == NULL);
  /* A full name wins over the bare one, in either order and across options. */
  REQUIRE(threshold_parse("e2e.p99=50%", &s, err, sizeof err) == 0);
  CHECK(limit(&s, "e2e.p99")->rel_pct == 50);
  CHECK(limit(&s, "publish.p99")->rel_pct == 10);
  threshold_set_free(&s);
  REQUIRE(threshold_parse("publish.p99.9=1%, p999=20%", &s, err, sizeof err) == 0);
  CHECK(limit(&s, "publish.p99.9")->rel_pct == 1);
  CHECK(limit(&s, "e2e.p99.9")->rel_pct == 20);
  threshold_set_free(&s);
  REQUIRE(threshold_parse("max=1s,mean=5%,p9999=2ms", &s, err, sizeof err) == 0);
  CHECK_EQ_INT(s.n, 6);
  CHECK(limit(&s, "e2e.p99.99")->abs == 2);
  threshold_set_free(&s);
}

/* Parsing spec fails with a message containing want, and leaves set alone. */
static void refused(const char *spec, const char *want) {
  threshold_set s = {0};
  char err[512] = "";
  REQUIRE(threshold_parse("throughput=5%", &s, err, sizeof err) == 0);
  int rc = threshold_parse(spec, &s, err, sizeof err);
  CHECK_EQ_INT(rc, -1);
  if (!strstr(err, want)) {
    fprintf(stderr, "#   spec \"%s\": message \"%s\" lacks \"%s\"\n", spec, err, want);
    CHECK(strstr(err, want) != NULL);
  }
  CHECK_EQ_INT(s.n, 1); /* unchanged */
  threshold_set_free(&s);
}

TEST(errors_name_the_item_and_the_fix) {
  refused("p99", "expected NAME=LIMIT");
  refused("p98=10%", "unknown metric \"p98\"");
  refused("latency=10%", "streamproof compare --help");
  refused("p99=", "no limit after '='");
  refused("=10%", "no metric name");
  refused("p99=abc", "the limit must be a percentage");
  refused("p99=10%%", "the limit must be a percentage");
  refused("p99=10%-2ms", "the limit must be a percentage");
  refused("p99=-5%", "cannot be negative");
  refused("p99=10%+-1ms", "cannot be negative");
  refused("p99=10", "\"\" is not a unit for e2e.p99");
  refused("e2e.p99=10kg", "\"kg\" is not a unit");
  refused("throughput=500", "msg/s");
  refused("nacked=3ms", "a bare count");
  refused("e2e.p99=1%,e2e.p99=2%", "given twice");
  refused("p99=1%,p99=2%", "given twice");
  refused(",,", "no NAME=LIMIT item");
  refused("e2e.p99=nan", "the limit must be a percentage");
  refused("e2e.p99=infms", "the limit must be a percentage");
  /* A bad item after good ones: nothing of the spec is kept. */
  refused("e2e.max=1%,bogus=1%", "unknown metric");
}

TEST(medians) {
  double a[] = {5};
  CHECK(metric_median(a, 1) == 5);
  double b[] = {9, 1, 5};
  CHECK(metric_median(b, 3) == 5);
  CHECK(b[0] == 1 && b[2] == 9); /* sorted: callers read min and max off it */
  double c[] = {4, 1, 3, 100};
  CHECK(metric_median(c, 4) == 3.5);
}

TEST(metric_table) {
  /* Names are unique and every latency figure exists for all four kinds. */
  for (size_t i = 0; i < metric_count(); i++)
    for (size_t k = i + 1; k < metric_count(); k++) CHECK(strcmp(metric_at(i)->name, metric_at(k)->name) != 0);
  const char *kinds[] = {"publish", "e2e", "publish-uncorrected", "e2e-uncorrected"};
  const char *figs[] = {"mean", "p50", "p75", "p95", "p99", "p99.9", "p99.99", "max"};
  for (int k = 0; k < 4; k++)
    for (int f = 0; f < 8; f++) {
      char name[64];
      snprintf(name, sizeof name, "%s.%s", kinds[k], figs[f]);
      const metric *m = metric_find(name);
      CHECK(m != NULL);
      if (m) CHECK(!m->higher_is_better && m->unit == UNIT_MS);
    }
  CHECK(metric_find("throughput")->higher_is_better);
  CHECK(metric_find("nope") == NULL);
  char buf[64];
  metric_format(metric_find("e2e.p99"), 1.23456, buf, sizeof buf);
  CHECK_EQ_STR(buf, "1.235");
  metric_format(metric_find("nacked"), 7, buf, sizeof buf);
  CHECK_EQ_STR(buf, "7");
  metric_format(metric_find("nacked"), NAN, buf, sizeof buf);
  CHECK_EQ_STR(buf, "n/a");
}

SP_TEST_MAIN(relative_absolute_and_both, units_convert_to_the_metrics_unit, bare_figures_set_e2e_and_publish,
             errors_name_the_item_and_the_fix, medians, metric_table)
