/* test_procjob: the processor section of a workload and its job file's
 * placeholders (procjob.h): what the run substitutes, every error with its
 * file:line:column, what the run reads from the job (name, input and sink
 * topics), and the workload keys of processor:. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procjob.h"
#include "wl_test_util.h"

static const char *const TOPICS[] = {"sp-w-0000000-abc", "sp-w-0000001-abc"};
static const procjob_vars VARS = {.topics = TOPICS, .n_topics = 2, .run = "sp-w-abc"};

/* Expands text; returns the malloc'd result or NULL (err filled). */
static char *expand(const char *text, char *err, size_t err_len) {
  return procjob_expand(text, strlen(text), "job.yaml", &VARS, NULL, err, err_len);
}

TEST(placeholders_are_replaced) {
  char err[512];
  char *out = expand("a: ${topic}\nb: ${topic:1}\nc: ${run}-out\nd: ${topics}\ne: x$y $${run} $\n", err, sizeof err);
  REQUIRE(out != NULL);
  CHECK_EQ_STR(out, "a: sp-w-0000000-abc\nb: sp-w-0000001-abc\nc: sp-w-abc-out\n"
                    "d: [sp-w-0000000-abc, sp-w-0000001-abc]\ne: x$y ${run} $\n");
  free(out);
}

TEST(lines_are_kept_and_length_reported) {
  char err[512];
  size_t len = 0;
  const char *text = "x: ${topic}\n\ny: 1\n";
  char *out = procjob_expand(text, strlen(text), "job.yaml", &VARS, &len, err, sizeof err);
  REQUIRE(out != NULL);
  CHECK_EQ_INT((long)len, (long)strlen(out));
  int lines = 0;
  for (const char *p = out; *p; p++) lines += *p == '\n';
  CHECK_EQ_INT(lines, 3);
  free(out);
}

/* Reports a message that lacks want. */
static void check_message(const char *err, const char *want, int line) {
  if (strstr(err, want)) return;
  sp_test_report(__FILE__, line, "error message");
  fprintf(stderr, "#   got:  %s\n#   want: %s\n", err, want);
}

/* The expansion of text must fail with a message containing want. */
static void expect_error(const char *text, const char *want) {
  char err[512] = "";
  char *out = expand(text, err, sizeof err);
  CHECK(out == NULL);
  free(out);
  check_message(err, want, __LINE__);
}

TEST(unknown_and_out_of_range_placeholders_name_their_place) {
  expect_error("name: j\nsinks: {output: ${runn}}\n", "job.yaml:2:17: unknown placeholder ${runn}");
  expect_error("a: ${topic:2}\n", "job.yaml:1:4: unknown placeholder ${topic:2}");
  expect_error("a: ${topic:2}\n", "N from 0 to 1");
  expect_error("a: ${topic:}\n", "unknown placeholder ${topic:}");
  expect_error("a: ${topic:-1}\n", "unknown placeholder ${topic:-1}");
  expect_error("a: ${topic:x}\n", "unknown placeholder ${topic:x}");
  expect_error("a: ${}\n", "unknown placeholder ${}");
  /* columns count characters after a substitution on the same line too */
  expect_error("a: ${topic} ${nope}\n", "job.yaml:1:13:");
  expect_error("# é\nb: ${x}\n", "job.yaml:2:4:");
}

TEST(unclosed_placeholder_is_an_error) {
  expect_error("a: ${topic\nb: }\n", "job.yaml:1:4: '${' without a closing '}'");
  expect_error("a: ${", "job.yaml:1:4:");
}

TEST(inspect_reads_name_inputs_and_sinks) {
  const char *job = "name: joined\nsources:\n  - {name: a, topics: [t1, t2, t1]}\n  - name: b\n    topic: t3\n"
                    "pipeline: []\nsinks: {output: out, late: late-t, errors: err-t}\n";
  procjob_info info;
  char err[512];
  REQUIRE(procjob_inspect(job, strlen(job), "j.yaml", &info, err, sizeof err) == 0);
  CHECK_EQ_STR(info.name, "joined");
  REQUIRE(info.n_inputs == 3);
  CHECK_EQ_STR(info.inputs[0], "t1");
  CHECK_EQ_STR(info.inputs[1], "t2");
  CHECK_EQ_STR(info.inputs[2], "t3");
  REQUIRE(info.n_sinks == 3);
  CHECK_EQ_STR(info.sinks[0], "out");
  CHECK_EQ_STR(info.sinks[2], "err-t");
  procjob_info_free(&info);
}

/* procjob_inspect of text must fail with want in the message. */
static void expect_inspect_error(const char *text, const char *want) {
  procjob_info info;
  char err[512] = "";
  CHECK(procjob_inspect(text, strlen(text), "j.yaml", &info, err, sizeof err) != 0);
  check_message(err, want, __LINE__);
}

TEST(inspect_errors) {
  expect_inspect_error("name: x\nsources: [{topic: a}]\nsinks: {late: l}\n", "j.yaml:3:8: the job has no sinks.output");
  expect_inspect_error("sources: [{topic: a}]\nsinks: {output: o}\n", "the job has no name");
  expect_inspect_error("name: x\nsinks: {output: o}\n", "the job has no sources");
  expect_inspect_error("name: x\nsources: [{name: a}]\nsinks: {output: o}\n", "a source without topic");
  expect_inspect_error("name: [x\n", "j.yaml:");
  expect_inspect_error("- a\n", "a job is a mapping");
}

/* ---- the workload's processor: section ------------------------------------- */

#define JOB_TEXT "name: c\nsources: [{name: in, topic: '${topic}', format: identity}]\npipeline: []\nsinks: {output: '${run}-o'}\n"

TEST(processor_section_loads_with_defaults) {
  write_file("job.yaml", JOB_TEXT);
  workload w;
  REQUIRE_LOAD(MIN_YAML "processor:\n  job: job.yaml\n", &w);
  REQUIRE(w.processor.job_path != NULL);
  CHECK(w.processor.job_path[0] == '/');
  CHECK(strstr(w.processor.job_path, "/job.yaml") != NULL);
  CHECK_EQ_INT((long)w.processor.checkpoint_interval_ms, 1000);
  CHECK_NEAR(w.processor.ready_timeout_s, 60, 0);
  json_t *j = workload_to_json(&w);
  CHECK(json_object_get(j, "processor") != NULL);
  json_decref(j);
  workload_free(&w);
  REQUIRE_LOAD(MIN_YAML, &w);
  CHECK(w.processor.job_path == NULL); /* no section: no processor */
  j = workload_to_json(&w);
  CHECK(json_object_get(j, "processor") == NULL);
  json_decref(j);
  workload_free(&w);
}

TEST(processor_section_all_keys) {
  write_file("job.yaml", JOB_TEXT);
  workload w;
  REQUIRE_LOAD(MIN_YAML "processor:\n  job: job.yaml\n  checkpoint_interval_ms: 250\n  ready_timeout_s: 5\n"
               "  stop_timeout_s: 7\n  librdkafka: {fetch.wait.max.ms: 20}\n", &w);
  CHECK_EQ_INT((long)w.processor.checkpoint_interval_ms, 250);
  CHECK_NEAR(w.processor.stop_timeout_s, 7, 0);
  REQUIRE(w.processor.rdkafka.n == 1);
  CHECK_EQ_STR(w.processor.rdkafka.keys[0], "fetch.wait.max.ms");
  char e[512];
  CHECK(workload_set(&w, "processor.checkpoint_interval_ms=100", e, sizeof e) == 0);
  CHECK_EQ_INT((long)w.processor.checkpoint_interval_ms, 100);
  CHECK(workload_set(&w, "processor.job=null", e, sizeof e) == 0); /* turns it off */
  CHECK(w.processor.job_path == NULL);
  workload_free(&w);
}

TEST(processor_section_errors) {
  write_file("job.yaml", JOB_TEXT);
  EXPECT_LOAD_ERROR(MIN_YAML "processor:\n  jbo: job.yaml\n", "x.yaml:7:3:", "unknown key 'jbo' in 'processor' (did you mean 'job'?)");
  EXPECT_LOAD_ERROR(MIN_YAML "processor:\n  job: job.yaml\n  checkpoint_interval_ms: 0\n", "x.yaml:8:27:",
                    "checkpoint_interval_ms");
  EXPECT_LOAD_ERROR(MIN_YAML "processor:\n  job: job.yaml\n  librdkafka: {group.id: x}\n", "x.yaml:8:",
                    "'group.id' is set by streamproof itself");
  EXPECT_LOAD_ERROR(MIN_YAML "processor:\n  job: job.yaml\n  librdkafka: {no.such.prop: 1}\n", "x.yaml:8:",
                    "librdkafka has no property 'no.such.prop'");
  EXPECT_LOAD_ERROR(MIN_YAML "processor:\n  checkpoint_interval_ms: 10\n", "x.yaml:7:3:",
                    "without 'processor.job'");
  EXPECT_LOAD_ERROR(MIN_YAML "processor:\n  job: missing.yaml\n", "x.yaml:7:3:", "missing.yaml: No such file");
  EXPECT_LOAD_ERROR(MIN_YAML "processor:\n  job: ''\n", "x.yaml:7:3:", "'processor.job' is empty");
  write_file("bad.yaml", "name: c\nsources: [{topic: '${topic:1}'}]\n");
  /* the workload has one topic: ${topic:1} does not exist */
  EXPECT_LOAD_ERROR(MIN_YAML "processor:\n  job: bad.yaml\n", "x.yaml:7:3:",
                    "bad.yaml:2:20: unknown placeholder ${topic:1}");
}

SP_TEST_MAIN(placeholders_are_replaced, lines_are_kept_and_length_reported,
             unknown_and_out_of_range_placeholders_name_their_place, unclosed_placeholder_is_an_error,
             inspect_reads_name_inputs_and_sinks, inspect_errors, processor_section_loads_with_defaults,
             processor_section_all_keys, processor_section_errors)
