/* test_worker_spec: a spec saved by the orchestrator is read back by the
 * worker exactly (including property order, which librdkafka applies in
 * order); broken files are refused with the file named. */
#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "sp_test.h"
#include "worker_spec.h"

static void kv(kv_list *l, const char *k, const char *v) {
  l->keys = sp_realloc(l->keys, (l->n + 1) * sizeof *l->keys);
  l->values = sp_realloc(l->values, (l->n + 1) * sizeof *l->values);
  l->keys[l->n] = sp_strdup(k);
  l->values[l->n++] = sp_strdup(v);
}

TEST(round_trip) {
  worker_spec s = {0};
  s.role = WROLE_CONSUMER;
  s.name = sp_strdup("consumer-3");
  s.index = 3;
  s.id = 17;
  s.incarnation = 2;
  s.control = sp_strdup("@streamproof-1-abc");
  s.bootstrap = sp_strdup("127.0.0.1:9092");
  s.workload_path = sp_strdup("/r/workload.json");
  s.history_path = sp_strdup("/r/history/consumer-3.hist");
  s.hlog_path = sp_strdup("/r/hlog/consumer-3-17.hlog");
  s.history_dir = sp_strdup("/r/history");
  s.lock_dir = sp_strdup("/r/workers");
  s.topic = sp_strdup("sp-x-0");
  s.topic_index = 1;
  s.partitions = 8;
  s.n_producers = 4;
  s.flush_timeout_s = 12.5;
  worker_spec_add_rate(&s, 3000000000ull, 1234.5);
  worker_spec_add_rate(&s, 6000000000ull, 0);
  s.subscription = 2;
  s.group = sp_strdup("sp-x-sub-002");
  s.semantics = SEM_EXACTLY_ONCE;
  s.processing_us = 1500;
  s.start_delay_s = 15;
  s.commit_interval_ms = 1000;
  s.bug = WBUG_COMMIT_BEFORE_PROCESS;
  s.warmup_s = 2;
  s.t0_mono_ns = 123456789012345ull;
  s.t0_wall_ns = 1795306225312000000ull;
  kv(&s.rdkafka, "session.timeout.ms", "6000");
  kv(&s.rdkafka, "acks", "all");
  kv(&s.rdkafka, "group.id", "sp-x-sub-002");
  char path[512], err[512];
  snprintf(path, sizeof path, "%s/spec.json", sp_test_tmpdir());
  REQUIRE(worker_spec_save(&s, path, err, sizeof err) == 0);
  worker_spec r;
  if (worker_spec_load(path, &r, err, sizeof err) != 0) fprintf(stderr, "# %s\n", err);
  REQUIRE(r.name != NULL);
  CHECK_EQ_INT(r.role, WROLE_CONSUMER);
  CHECK_EQ_STR(r.name, "consumer-3");
  CHECK_EQ_INT(r.index, 3);
  CHECK_EQ_INT(r.id, 17);
  CHECK_EQ_INT(r.incarnation, 2);
  CHECK_EQ_STR(r.control, s.control);
  CHECK_EQ_STR(r.hlog_path, s.hlog_path);
  CHECK_EQ_STR(r.topic, "sp-x-0");
  CHECK_EQ_INT(r.topic_index, 1);
  CHECK_EQ_INT(r.partitions, 8);
  CHECK(r.flush_timeout_s == 12.5);
  REQUIRE(r.n_rates == 2);
  CHECK_EQ_U64(r.rates[0].at_ns, 3000000000ull);
  CHECK(r.rates[0].rate == 1234.5);
  CHECK(r.rates[1].rate == 0);
  CHECK_EQ_STR(r.group, "sp-x-sub-002");
  CHECK_EQ_INT(r.semantics, SEM_EXACTLY_ONCE);
  CHECK(r.processing_us == 1500 && r.start_delay_s == 15 && r.commit_interval_ms == 1000);
  CHECK_EQ_INT(r.bug, WBUG_COMMIT_BEFORE_PROCESS);
  CHECK_EQ_U64(r.t0_mono_ns, s.t0_mono_ns);
  CHECK_EQ_U64(r.t0_wall_ns, s.t0_wall_ns);
  REQUIRE(r.rdkafka.n == 3);
  CHECK_EQ_STR(r.rdkafka.keys[0], "session.timeout.ms");
  CHECK_EQ_STR(r.rdkafka.keys[2], "group.id");
  CHECK_EQ_STR(r.rdkafka.values[1], "all");
  worker_spec_free(&r);
  worker_spec_free(&s);
}

TEST(bad_files_named) {
  char path[512], err[512];
  worker_spec r;
  snprintf(path, sizeof path, "%s/missing.json", sp_test_tmpdir());
  CHECK(worker_spec_load(path, &r, err, sizeof err) != 0);
  CHECK(strstr(err, "missing.json") != NULL);
  static const char *const bodies[] = {
      "{\"role\": \"producer\"",                          /* cut */
      "[1, 2]",                                           /* not an object */
      "{\"role\": \"juggler\"}",                          /* bad role */
  };
  for (size_t i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "%s/bad%zu.json", sp_test_tmpdir(), i);
    FILE *f = fopen(path, "w");
    fputs(bodies[i], f);
    fclose(f);
    err[0] = '\0';
    CHECK(worker_spec_load(path, &r, err, sizeof err) != 0);
    CHECK(strstr(err, path) != NULL);
  }
}

SP_TEST_MAIN(round_trip, bad_files_named)
