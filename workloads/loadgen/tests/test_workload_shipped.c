/* test_workload_shipped: every workload file shipped in workloads/ (and
 * workloads/omb/) loads, and what can be built from it (schedule, payload
 * source, broker flags, JSON) is built. Files are found by glob, so a new
 * workload is covered the moment it is added. */
#include <glob.h>
#include <string.h>

#include "payload.h"
#include "wl_test_util.h"

#ifndef SP_WORKLOADS_DIR
#error "SP_WORKLOADS_DIR must name the workloads/ directory"
#endif

static size_t check_glob(const char *pattern) {
  glob_t g;
  if (glob(pattern, 0, NULL, &g) != 0) return 0;
  for (size_t i = 0; i < g.gl_pathc; i++) {
    const char *path = g.gl_pathv[i];
    workload w;
    char err[2048];
    int rc = workload_load(path, &w, err, sizeof err);
    if (rc) fprintf(stderr, "#   %s\n", err);
    CHECK(rc == 0);
    if (rc == 0) {
      /* the file's header comment says what it stresses */
      FILE *f = fopen(path, "r");
      char first[256] = "";
      if (f) {
        if (!fgets(first, sizeof first, f)) first[0] = '\0';
        fclose(f);
      }
      if (first[0] != '#') fprintf(stderr, "#   %s: no header comment\n", path);
      CHECK(first[0] == '#');
      schedule s;
      schedule_init(&s, &w.rate_profile);
      CHECK(schedule_intended_before(&s, workload_duration_ns(&w) + workload_warmup_ns(&w)) > 0);
      schedule_free(&s);
      payload_src p;
      CHECK(payload_src_init(&p, &w, err, sizeof err) == 0);
      payload_src_free(&p);
      size_t argc;
      workload_free_args(workload_broker_args(&w, &argc));
      json_t *j = workload_to_json(&w);
      CHECK(j != NULL);
      json_decref(j);
    }
    workload_free(&w);
  }
  size_t n = g.gl_pathc;
  globfree(&g);
  return n;
}

TEST(every_shipped_workload_loads) {
  size_t top = check_glob(SP_WORKLOADS_DIR "/*.yaml");
  size_t omb = check_glob(SP_WORKLOADS_DIR "/omb/*.yaml");
  CHECK(top >= 8);
  CHECK(omb >= 2);
}

/* The README's main job: short, durable broker, a crash fault. */
TEST(quickstart) {
  workload w;
  char err[1024];
  REQUIRE(workload_load(SP_WORKLOADS_DIR "/quickstart.yaml", &w, err, sizeof err) == 0);
  CHECK(w.warmup_s + w.duration_s <= 20);
  CHECK_EQ_INT(w.broker.fsync, FSYNC_ALWAYS);
  CHECK_EQ_INT(w.semantics, SEM_AT_LEAST_ONCE);
  CHECK_EQ_INT(w.topics, 1);
  REQUIRE(w.faults_path != NULL);
  const char *tail = "/faults/quickstart.yaml";
  size_t lf = strlen(w.faults_path), lt = strlen(tail);
  CHECK(lf > lt && strcmp(w.faults_path + lf - lt, tail) == 0);
  CHECK(strstr(w.faults_path, "workloads/../faults") != NULL || strstr(w.faults_path, "/faults/") != NULL);
  workload_free(&w);
}

/* OMB's files name payload/... relative to OMB's root: found beside. */
TEST(omb_payload_files_resolve) {
  workload w;
  char err[1024];
  REQUIRE(workload_load(SP_WORKLOADS_DIR "/omb/1-topic-16-partitions-1kb.yaml", &w, err, sizeof err) == 0);
  CHECK_EQ_INT(w.payload, PAYLOAD_FILE);
  CHECK(strstr(w.payload_path, "/workloads/payload/payload-1Kb.data") != NULL);
  CHECK_NEAR(w.warmup_s, 60, 0);
  CHECK_NEAR(w.duration_s, 900, 0);
  workload_free(&w);
}

/* The annotated example in workloads/README.md (its first yaml block) is a
 * valid workload that means what its comments say. */
TEST(readme_example_loads) {
  FILE *f = fopen(SP_WORKLOADS_DIR "/README.md", "r");
  REQUIRE(f != NULL);
  char line[512], text[8192] = "";
  int in = 0, done = 0;
  while (!done && fgets(line, sizeof line, f)) {
    if (!in && !strncmp(line, "```yaml", 7)) in = 1;
    else if (in && !strncmp(line, "```", 3)) done = 1;
    else if (in) strncat(text, line, sizeof text - strlen(text) - 1);
  }
  fclose(f);
  REQUIRE(done);
  workload w;
  char err[1024];
  int rc = workload_parse(text, strlen(text), SP_WORKLOADS_DIR "/README-example.yaml", &w, err, sizeof err);
  if (rc) fprintf(stderr, "#   %s\n", err);
  REQUIRE(rc == 0);
  CHECK_EQ_STR(w.name, "orders");
  CHECK_EQ_INT(workload_producer_count(&w), 3);
  CHECK_EQ_INT(w.rate_profile.type, RATE_STEPS);
  schedule s;
  schedule_init(&s, &w.rate_profile);
  CHECK_NEAR(schedule_rate_at(&s, 70ull * 1000000000), 20000, 1e-6);
  schedule_free(&s);
  CHECK_EQ_INT(w.message_size.max_bytes, 65536);
  CHECK_EQ_INT(workload_subscription(&w, 0)->semantics, SEM_EXACTLY_ONCE);
  CHECK_EQ_INT(workload_subscription(&w, 1)->semantics, SEM_AT_LEAST_ONCE);
  CHECK_NEAR(workload_subscription(&w, 1)->processing_us, 300, 0);
  CHECK_EQ_INT(w.ordering, ORDERING_PER_KEY);
  CHECK(w.faults_path && strstr(w.faults_path, "faults/broker-kill-every-20s.yaml"));
  workload_free(&w);
}

SP_TEST_MAIN(every_shipped_workload_loads, quickstart, omb_payload_files_resolve, readme_example_loads)
