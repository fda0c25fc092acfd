/* test_shipped.c: the shipped matrix files and the checks before a matrix
 * starts (matrix_setup.h): the default workload loads under every
 * semantics, each schedule of faults/matrix/ fits it (the consumer crash
 * repeats often enough in the default run to show loss and redelivery),
 * and mistakes that every cell would hit are refused at once. */
#include <stdio.h>
#include <string.h>

#include "executor.h" /* faults/inject/schedule.h (see matrix_setup.c) */
#include "matrix_options.h"
#include "matrix_setup.h"
#include "sp_test.h"
#include "workload.h"

#define WL SP_SOURCE_DIR "/workloads/matrix/default.yaml"
#define FAULTS SP_SOURCE_DIR "/faults/matrix/"

/* The plan of a shipped schedule on the default workload. */
static int plan_of(const char *name, sp_plan *plan, sp_schedule **s, workload *w) {
  char err[1024];
  if (workload_load(WL, w, err, sizeof err) != 0) {
    fprintf(stderr, "# %s\n", err);
    return -1;
  }
  char path[512];
  snprintf(path, sizeof path, FAULTS "%s.yaml", name);
  *s = sp_schedule_load(path, err, sizeof err);
  if (!*s) {
    fprintf(stderr, "# %s\n", err);
    return -1;
  }
  sp_topology topo = {.producers = (int)workload_producer_count(w), .consumers = (int)workload_consumer_count(w),
                      .has_processor = 1, .has_link = 1};
  if (sp_schedule_expand(*s, sp_schedule_seed(*s, w->seed), &topo, plan, err, sizeof err) != 0) {
    fprintf(stderr, "# %s\n", err);
    return -1;
  }
  return 0;
}

/* Injections of a plan that start before the load ends. */
static int injections_before(const sp_plan *p, double end_s, const char *target_prefix) {
  int n = 0;
  for (int i = 0; i < p->n_actions; i++)
    if (p->actions[i].phase == SP_ACTION_INJECT && p->actions[i].t_s < end_s &&
        !strncmp(p->actions[i].target, target_prefix, strlen(target_prefix)))
      n++;
  return n;
}

TEST(default_workload_runs_every_semantics) {
  workload w;
  char err[1024];
  REQUIRE(workload_load(WL, &w, err, sizeof err) == 0);
  CHECK(w.subscriptions_per_topic >= 1);
  CHECK(workload_consumer_count(&w) >= 2); /* a killed consumer's partitions move to the other */
  CHECK(w.consumer.processing_us > 0);     /* busy consumers: a kill lands mid-batch */
  CHECK(w.producer.idempotence);           /* broker crashes must not duplicate in the log */
  CHECK(w.broker.fsync == FSYNC_ALWAYS);   /* an ack means on disk: loss is the consumer's */
  CHECK(w.warmup_s + w.duration_s <= 20);  /* a short matrix */
  const char *sems[] = {"semantics=at_most_once", "semantics=at_least_once", "semantics=exactly_once"};
  for (int i = 0; i < 3; i++) CHECK(workload_set(&w, sems[i], err, sizeof err) == 0);
  CHECK(workload_set(&w, "faults=", err, sizeof err) == 0);
  workload_free(&w);
}

TEST(consumer_crash_repeats_within_the_run) {
  workload w;
  sp_schedule *s = NULL;
  sp_plan p;
  REQUIRE(plan_of("consumer-crash", &p, &s, &w) == 0);
  double end = w.warmup_s + w.duration_s;
  /* several kills: each lands in a busy consumer with high probability, so
   * the run shows at-most-once loss and at-least-once redelivery reliably */
  CHECK(injections_before(&p, end, "consumer:") >= 4);
  CHECK(p.actions[0].t_s >= w.warmup_s); /* after the warm-up: in the measured phase */
  sp_plan_free(&p);
  sp_schedule_free(s);
  workload_free(&w);
}

TEST(broker_and_processor_crash) {
  workload w;
  sp_schedule *s = NULL;
  sp_plan p;
  REQUIRE(plan_of("broker-crash", &p, &s, &w) == 0);
  CHECK_EQ_INT(injections_before(&p, w.warmup_s + w.duration_s, "broker"), 1);
  sp_plan_free(&p);
  sp_schedule_free(s);
  workload_free(&w);
  REQUIRE(plan_of("processor-crash", &p, &s, &w) == 0);
  CHECK(injections_before(&p, w.warmup_s + w.duration_s, "processor") >= 1);
  sp_plan_free(&p);
  sp_schedule_free(s);
  workload_free(&w);
}

/* Options for the set-up functions, from a list of arguments. */
static int options(mx_options *o, const char *const *args) {
  static char store[16][512];
  static char *argv[17];
  int argc = 0;
  argv[argc++] = "matrix";
  for (; *args; args++, argc++) {
    snprintf(store[argc], sizeof store[argc], "%s", *args);
    argv[argc] = store[argc];
  }
  char err[512];
  return mx_options_parse(argc, argv, o, err, sizeof err) == MX_OPTS_RUN ? 0 : -1;
}

#define OPTIONS(...) options(&o, (const char *const[]){__VA_ARGS__, NULL})

TEST(setup_finds_the_shipped_files) {
  mx_options o;
  mx_matrix m;
  mx_setup su;
  char err[2048] = "";
  memset(&m, 0, sizeof m);
  REQUIRE(OPTIONS("--quiet") == 0);
  REQUIRE(mx_setup_workload(&o, &m, &su, err, sizeof err) == 0);
  CHECK(strstr(m.workload, "workloads/matrix/default.yaml") != NULL);
  CHECK_EQ_STR(m.workload_name, "matrix");
  CHECK(su.cell_timeout_s > su.warmup_s + su.duration_s);
  REQUIRE(mx_setup_faults(&o, &su, &m, err, sizeof err) == 0);
  CHECK_EQ_INT(m.n_faults, 4);
  CHECK_EQ_INT(m.none_col, 0);
  CHECK_EQ_STR(m.faults[0].schedule, "");
  CHECK(strstr(m.faults[1].schedule, "faults/matrix/consumer-crash.yaml") != NULL);
  CHECK(m.faults[3].targets_processor);
  CHECK(!m.faults[1].targets_processor);
  for (int f = 0; f < 4; f++) CHECK_EQ_STR(m.faults[f].na_reason, "");
  mx_options_free(&o);
}

TEST(bootstrap_makes_broker_crash_unavailable) {
  mx_options o;
  mx_matrix m;
  mx_setup su;
  char err[2048] = "";
  memset(&m, 0, sizeof m);
  REQUIRE(OPTIONS("--bootstrap", "127.0.0.1:9092") == 0);
  REQUIRE(mx_setup_workload(&o, &m, &su, err, sizeof err) == 0);
  REQUIRE(mx_setup_faults(&o, &su, &m, err, sizeof err) == 0);
  CHECK(strstr(m.faults[2].na_reason, "embedded refbroker") != NULL);
  CHECK_EQ_STR(m.faults[1].na_reason, ""); /* a consumer crash works against any broker */
  mx_options_free(&o);
}

/* Expects set-up (workload, then faults) to fail with `want` in the message. */
static void refused(const char *const *args, const char *want) {
  mx_options o;
  mx_matrix m;
  mx_setup su;
  char err[2048] = "";
  memset(&m, 0, sizeof m);
  REQUIRE(options(&o, args) == 0);
  int rc = mx_setup_workload(&o, &m, &su, err, sizeof err);
  if (rc == 0) rc = mx_setup_faults(&o, &su, &m, err, sizeof err);
  CHECK(rc != 0);
  if (!strstr(err, want)) fprintf(stderr, "# error '%s' lacks '%s'\n", err, want);
  CHECK(strstr(err, want) != NULL);
  mx_options_free(&o);
}

#define REFUSED(want, ...) refused((const char *const[]){__VA_ARGS__, NULL}, want)

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  REQUIRE(f != NULL);
  fputs(text, f);
  fclose(f);
}

TEST(mistakes_are_refused_before_any_run) {
  const char *dir = sp_test_tmpdir();
  char late[600], subsem[600], noconsumer[600], broken[600];
  snprintf(late, sizeof late, "%s/late.yaml", dir);
  write_file(late, "faults:\n  - {id: late, kind: kill, target: consumers, at_s: 60, restart_after_s: 1}\n");
  snprintf(broken, sizeof broken, "%s/broken.yaml", dir);
  write_file(broken, "faults:\n  - {id: b, kind: kill, target: consumers, at_s: 3, restart_afer_s: 1}\n");
  snprintf(subsem, sizeof subsem, "%s/subsem.yaml", dir);
  write_file(subsem, "topics: 1\npartitionsPerTopic: 2\nmessageSize: 100\nproducerRate: 10\nduration_s: 5\n"
                     "subscriptions:\n  - {semantics: exactly_once}\n");
  snprintf(noconsumer, sizeof noconsumer, "%s/nosub.yaml", dir);
  write_file(noconsumer, "topics: 1\npartitionsPerTopic: 2\nmessageSize: 100\nproducerRate: 10\nduration_s: 5\n"
                         "subscriptionsPerTopic: 0\n");
  REFUSED("the load ends at 14.0 s", "--faults", late);
  REFUSED("restart_afer_s", "--faults", broken);
  REFUSED("no such schedule in faults/matrix/ (shipped: ", "--faults", "none,consumer-crsh");
  REFUSED("broker-crash", "--faults", "consumer-crsh");
  REFUSED("sets its own semantics (exactly_once)", subsem);
  REFUSED("needs a subscription", noconsumer);
  REFUSED("duratoin_s", "--set", "duratoin_s=5");
  REFUSED("invalid workload", "/nonexistent/w.yaml");
}

SP_TEST_MAIN(default_workload_runs_every_semantics, consumer_crash_repeats_within_the_run,
             broker_and_processor_crash, setup_finds_the_shipped_files, bootstrap_makes_broker_crash_unavailable,
             mistakes_are_refused_before_any_run)
