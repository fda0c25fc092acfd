/* test_inputs: bad input gets a clear error naming the file and what is
 * wrong, exit 3 and a verdict.json that says "unknown", never a crash;
 * the sp-check command line keeps its contract (exit codes 0/1/2/3,
 * --json, --quiet, --examples, usage errors). */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkrun.h"
#include "sp_test.h"

/* A clean at-least-once run written to <tmp>/<name>; dir receives the path. */
static void clean_run(const char *name, char *dir) {
  gen_config c = {.sem = {CHECK_SEM_AT_LEAST_ONCE}};
  gen *g = gen_new(&c);
  gen_derive(g);
  snprintf(dir, 512, "%s/%s", sp_test_tmpdir(), name);
  REQUIRE(gen_write(g, dir) == 0);
  gen_free(g);
}

/* Overwrites len bytes at byte `at` of <dir>/history/<file>. */
static void patch(const char *dir, const char *file, long at, const void *bytes, size_t len) {
  char path[700];
  snprintf(path, sizeof path, "%s/history/%s", dir, file);
  FILE *f = fopen(path, "r+b");
  REQUIRE(f);
  REQUIRE(fseek(f, at, SEEK_SET) == 0);
  REQUIRE(fwrite(bytes, 1, len, f) == len);
  fclose(f);
}

static void write_text(const char *dir, const char *file, const char *text) {
  char path[700];
  snprintf(path, sizeof path, "%s/history/%s", dir, file);
  FILE *f = fopen(path, "w");
  REQUIRE(f);
  fputs(text, f);
  fclose(f);
}

/* Checks dir: exit 3, the error mentions every needle, verdict.json says
 * unknown with the error. */
static void expect_error(const char *dir, const char *needle1, const char *needle2) {
  check_result r;
  CHECK_EQ_INT(checkrun_dir(dir, &r), CHECK_ERROR);
  CHECK_EQ_INT(r.verdict, CHECK_ERROR);
  if (!strstr(r.error, needle1) || (needle2 && !strstr(r.error, needle2))) {
    fprintf(stderr, "# error \"%s\" lacks \"%s\" / \"%s\"\n", r.error, needle1,
            needle2 ? needle2 : "");
    CHECK(0);
  }
  json_t *v = checkrun_verdict(dir);
  if (v) {
    CHECK_EQ_STR(json_string_value(json_object_get(v, "verdict")), "unknown");
    CHECK(strstr(json_string_value(json_object_get(v, "error")), needle1) != NULL);
    json_decref(v);
  } else {
    CHECK(0);
  }
  check_result_free(&r);
}

/* Byte offset of field `field_at` of record idx. */
static long rec_at(long idx, long field_at) {
  return HIST_HEADER_BYTES + idx * HIST_RECORD_BYTES + field_at;
}

TEST(missing_meta_json) {
  char dir[512], path[600];
  clean_run("nometa", dir);
  snprintf(path, sizeof path, "%s/history/meta.json", dir);
  REQUIRE(unlink(path) == 0);
  expect_error(dir, "meta.json", "No such file");
}

TEST(malformed_meta_json) {
  char dir[512];
  clean_run("badjson", dir);
  write_text(dir, "meta.json", "{\"version\": 1,\n \"topics\": [\n");
  expect_error(dir, "meta.json", "line");
}

TEST(meta_json_schema_errors_name_the_field) {
  static const struct {
    const char *json, *needle;
  } cases[] = {
      {"{\"version\": 1}", "missing \"topics\""},
      {"{\"version\": 2, \"topics\": []}", "version"},
      {"{\"version\": 1, \"topics\": [{\"name\": \"t\", \"partitions\": 0}]}",
       "topics[0].partitions"},
      {"{\"version\": 1, \"topics\": [{\"name\": \"t\", \"partitions\": 1}], \"subscriptions\": "
       "[{\"id\": 0, \"topic\": 0, \"semantics\": \"maybe_once\"}], \"producers\": [], "
       "\"consumers\": []}",
       "subscriptions[0].semantics"},
      {"{\"version\": 1, \"topics\": [{\"name\": \"t\", \"partitions\": 1}], \"subscriptions\": "
       "[], "
       "\"producers\": [{\"id\": 0, \"topic\": 3, \"writers\": []}], \"consumers\": []}",
       "producers[0].topic"},
      {"{\"version\": 1, \"topics\": [{\"name\": \"t\", \"partitions\": 1}], \"subscriptions\": "
       "[], "
       "\"producers\": [{\"id\": 0, \"topic\": 0, \"writers\": [{\"writer\": 1, \"exit\": "
       "\"clean\"}, "
       "{\"writer\": 1, \"exit\": \"clean\"}]}], \"consumers\": []}",
       "used twice"},
      {"{\"version\": 1, \"topics\": [{\"name\": \"t\", \"partitions\": 1}], \"subscriptions\": "
       "[], "
       "\"producers\": [{\"id\": 0, \"topic\": 0, \"writers\": [{\"writer\": 1, \"exit\": "
       "\"gone\"}]}], "
       "\"consumers\": []}",
       "exit"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char dir[512], name[32];
    snprintf(name, sizeof name, "schema-%zu", i);
    clean_run(name, dir);
    write_text(dir, "meta.json", cases[i].json);
    expect_error(dir, "meta.json", cases[i].needle);
  }
}

TEST(corrupt_or_short_history_header) {
  char dir[512];
  clean_run("badmagic", dir);
  patch(dir, "consumer-0.hist", 0, "NOTAHIST", 8);
  expect_error(dir, "consumer-0.hist", "bad magic");

  clean_run("short", dir);
  char path[700];
  snprintf(path, sizeof path, "%s/history/producer-1.hist", dir);
  REQUIRE(truncate(path, 10) == 0);
  expect_error(dir, "producer-1.hist", "shorter than the 64-byte header");

  clean_run("kind", dir);
  uint8_t kind[4] = {HIST_KIND_PRODUCER, 0, 0, 0};
  patch(dir, "consumer-1.hist", 16, kind, 4);
  expect_error(dir, "consumer-1.hist", "file kind");
}

TEST(records_that_contradict_meta_json) {
  /* consumer-0.hist: 0 READER_START, 1 ASSIGN p0, 2 ASSIGN p2, 3 APPLY p0@0 */
  char dir[512];
  clean_run("topic", dir);
  uint8_t topic[2] = {7, 0};
  patch(dir, "consumer-0.hist", rec_at(3, 2), topic, 2);
  expect_error(dir, "consumer-0.hist: record 3 (apply", "topic index 7 out of range");

  clean_run("partition", dir);
  uint8_t part[4] = {9, 0, 0, 0};
  patch(dir, "consumer-0.hist", rec_at(3, 4), part, 4);
  expect_error(dir, "consumer-0.hist: record 3", "partition 9 out of range");

  clean_run("reader", dir);
  uint8_t actor[4] = {0x92, 0x10, 0, 0}; /* 4242 */
  patch(dir, "consumer-0.hist", rec_at(3, 28), actor, 4);
  expect_error(dir, "reader id 4242 is not in meta.json", NULL);

  clean_run("writer", dir); /* producer-0.hist: 0 WRITER_START, 1 ACK */
  patch(dir, "producer-0.hist", rec_at(1, 24), actor, 4);
  expect_error(dir, "producer-0.hist: record 1 (ack", "writer id 4242");

  clean_run("offset", dir);
  int64_t neg = -5;
  patch(dir, "readback.hist", rec_at(0, 8), &neg, 8);
  expect_error(dir, "readback.hist: record 0 (readback", "not an offset");
}

TEST(random_garbage_records_never_crash) {
  /* Random bytes over whole records of every file kind: the checker must
   * answer (an anomaly, an input error naming the record) and never crash or
   * leak (the sanitizer build runs this). */
  static const char *files[] = {"producer-0.hist", "consumer-1.hist", "readback.hist",
                                "effects-0-0-1.hist"};
  unsigned x = 2024;
  for (int round = 0; round < 40; round++) {
    gen_config c = {.sem = {round % 2 ? CHECK_SEM_EXACTLY_ONCE : CHECK_SEM_AT_LEAST_ONCE}, .per_key = 1};
    gen *g = gen_new(&c);
    gen_derive(g);
    char dir[512], name[32];
    snprintf(name, sizeof name, "garbage-%d", round);
    snprintf(dir, sizeof dir, "%s/%s", sp_test_tmpdir(), name);
    REQUIRE(gen_write(g, dir) == 0);
    gen_free(g);
    const char *file = files[round % (round % 2 ? 4 : 3)];
    for (int k = 0; k < 3; k++) {
      uint8_t junk[HIST_RECORD_BYTES];
      for (size_t b = 0; b < sizeof junk; b++)
        junk[b] = (uint8_t)((x = x * 1103515245u + 12345u) >> 16);
      if (k == 0) junk[0] = (uint8_t)(HIST_ACK + (x >> 8) % 40); /* mostly plausible types */
      patch(dir, file, rec_at((long)((x >> 4) % 30), 0), junk, sizeof junk);
    }
    check_result r;
    int rc = checkrun_dir(dir, &r);
    CHECK(rc >= CHECK_VALID && rc <= CHECK_ERROR);
    if (rc == CHECK_ERROR) CHECK(strstr(r.error, file) != NULL);
    check_result_free(&r);
  }
}

TEST(not_a_results_folder) {
  char dir[512];
  snprintf(dir, sizeof dir, "%s/empty", sp_test_tmpdir());
  REQUIRE(mkdir(dir, 0755) == 0);
  check_result r;
  CHECK_EQ_INT(checkrun_dir(dir, &r), CHECK_ERROR);
  CHECK(strstr(r.error, "meta.json") != NULL);
  check_result_free(&r);
  snprintf(dir, sizeof dir, "%s/does/not/exist", sp_test_tmpdir());
  CHECK_EQ_INT(checkrun_dir(dir, &r), CHECK_ERROR);
  check_result_free(&r);
}

/* ---- the command line ----------------------------------------------------------- */

/* Runs sp-check with args; stdout into out (up to len), returns the exit code. */
static int cli(const char *args, char *out, size_t len) {
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "%s %s 2>%s/stderr.txt", SP_CHECK_BIN, args, sp_test_tmpdir());
  FILE *p = popen(cmd, "r");
  REQUIRE(p);
  size_t n = fread(out, 1, len - 1, p);
  out[n] = '\0';
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void cli_stderr(char *buf, size_t len) {
  char path[600];
  snprintf(path, sizeof path, "%s/stderr.txt", sp_test_tmpdir());
  FILE *f = fopen(path, "r");
  size_t n = f ? fread(buf, 1, len - 1, f) : 0;
  buf[n] = '\0';
  if (f) fclose(f);
}

/* Last line of s. */
static const char *last_line(char *s) {
  size_t n = strlen(s);
  while (n && s[n - 1] == '\n') s[--n] = '\0';
  char *nl = strrchr(s, '\n');
  return nl ? nl + 1 : s;
}

TEST(command_line_exit_codes_and_output) {
  static char out[1 << 16];
  char err[4096], args[1024];
  CHECK_EQ_INT(cli("", out, sizeof out), 3);
  CHECK_EQ_INT(cli("--frobnicate x", out, sizeof out), 3);
  cli_stderr(err, sizeof err);
  CHECK(strstr(err, "unknown option --frobnicate") != NULL);
  CHECK_EQ_INT(cli("--examples lots x", out, sizeof out), 3);
  CHECK_EQ_INT(cli("a b", out, sizeof out), 3);
  CHECK_EQ_INT(cli("--help", out, sizeof out), 0);
  CHECK(strstr(out, "usage: streamproof check") != NULL);

  char dir[512];
  clean_run("cli-valid", dir);
  snprintf(args, sizeof args, "%s", dir);
  CHECK_EQ_INT(cli(args, out, sizeof out), 0);
  CHECK_EQ_STR(last_line(out), "verdict: valid");

  /* invalid: a redelivery under exactly-once */
  gen_config c = {.sem = {CHECK_SEM_EXACTLY_ONCE}};
  gen *g = gen_new(&c);
  gen_derive(g);
  gen_restart(g, 0, 0, 6, 2);
  snprintf(dir, sizeof dir, "%s/cli-invalid", sp_test_tmpdir());
  REQUIRE(gen_write(g, dir) == 0);
  gen_free(g);
  snprintf(args, sizeof args, "%s", dir);
  CHECK_EQ_INT(cli(args, out, sizeof out), 1);
  CHECK(strstr(out, "redelivered") != NULL && strstr(out, "FORBIDDEN") != NULL);
  CHECK_EQ_STR(last_line(out), "verdict: invalid");
  snprintf(args, sizeof args, "--quiet %s", dir);
  CHECK_EQ_INT(cli(args, out, sizeof out), 1);
  CHECK_EQ_STR(out, "verdict: invalid\n");
  snprintf(args, sizeof args, "%s --json --examples 1", dir);
  CHECK_EQ_INT(cli(args, out, sizeof out), 1);
  json_error_t je;
  json_t *v = json_loads(out, 0, &je);
  REQUIRE(v);
  CHECK_EQ_STR(json_string_value(json_object_get(v, "verdict")), "invalid");
  CHECK_EQ_INT(json_array_size(json_object_get(
                   json_object_get(json_object_get(v, "anomalies"), "redelivered"), "examples")),
               1);
  CHECK_EQ_INT(
      checkrun_int(json_object_get(json_object_get(v, "anomalies"), "redelivered"), "count"), 5);
  json_decref(v);

  /* unknown: a reader still running */
  c.sem[0] = CHECK_SEM_AT_LEAST_ONCE;
  g = gen_new(&c);
  gen_derive(g);
  gen_exit(g, g->readers[1].id, "running");
  snprintf(dir, sizeof dir, "%s/cli-unknown", sp_test_tmpdir());
  REQUIRE(gen_write(g, dir) == 0);
  gen_free(g);
  snprintf(args, sizeof args, "%s", dir);
  CHECK_EQ_INT(cli(args, out, sizeof out), 2);
  CHECK(strstr(out, "incomplete: reader") != NULL);

  /* unreadable: the message names the file */
  snprintf(args, sizeof args, "%s/nowhere", sp_test_tmpdir());
  CHECK_EQ_INT(cli(args, out, sizeof out), 3);
  cli_stderr(err, sizeof err);
  CHECK(strstr(err, "nowhere/history/meta.json") != NULL);
}

SP_TEST_MAIN(missing_meta_json, malformed_meta_json, meta_json_schema_errors_name_the_field,
             corrupt_or_short_history_header, records_that_contradict_meta_json,
             random_garbage_records_never_crash, not_a_results_folder,
             command_line_exit_codes_and_output)
