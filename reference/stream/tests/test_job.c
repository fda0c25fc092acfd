/* test_job.c: the job file parser: defaults, and a located, specific error
 * for each kind of mistake (file:line:col: key path: what is wrong). */
#include "testkit.h"

static char err[512];

static rs_job *parse(const char *yaml) {
  err[0] = '\0';
  return rs_job_parse("job.yaml", yaml, err, sizeof err);
}

#define SOURCES "sources:\n  - {name: in, topic: in, format: json}\n"

TEST(defaults_and_fields) {
  rs_job *j = parse("name: clicks\n" SOURCES
                    "pipeline:\n  - window: {type: hopping, size_ms: 60000, advance_ms: 10000}\n"
                    "sinks: {output: out}\n");
  REQUIRE(j != NULL);
  CHECK_EQ_STR(j->name, "clicks");
  CHECK_EQ_INT(j->time_mode, RS_TIME_EVENT);
  CHECK_EQ_INT(j->out_of_orderness_ms, 0);
  CHECK_EQ_INT(j->allowed_lateness_ms, 0);
  CHECK_EQ_INT(j->n_sources, 1);
  CHECK_EQ_INT(j->sources[0].key.id, RS_F_JSON);
  CHECK_EQ_STR(j->sources[0].key.path, "key");
  CHECK_EQ_STR(j->sources[0].time.path, "ts");
  CHECK_EQ_STR(j->sources[0].value.path, "value");
  CHECK_EQ_INT(j->ops[0].win, RS_WIN_HOPPING);
  CHECK_EQ_INT(j->ops[0].size, 60000);
  CHECK_EQ_INT(j->ops[0].advance, 10000);
  CHECK_EQ_INT(j->ops[0].aggs, 31);
  CHECK(j->sink_late == NULL);
  rs_job_free(j);
  j = parse("name: x\nsources: [{name: in, topic: in, format: identity}]\npipeline: []\n"
            "sinks: {output: out}\n");
  REQUIRE(j != NULL);
  CHECK_EQ_INT(j->sources[0].key.id, RS_F_KEY_ID);
  CHECK_EQ_INT(j->sources[0].time.id, RS_F_EVENT_TIME);
  CHECK_EQ_INT(j->sources[0].value.id, RS_F_SEQ);
  rs_job_free(j);
}

TEST(fingerprint_ignores_layout_but_not_content) {
  rs_job *a = parse("name: x\n" SOURCES "pipeline: []\nsinks: {output: out}\n");
  rs_job *b = parse("# a comment\nname:   x\nsources:\n- name: in\n  topic: in\n  format: json\n"
                    "pipeline: []\nsinks:\n  output: out\n");
  rs_job *c = parse("name: x\n" SOURCES "pipeline: []\nsinks: {output: out2}\n");
  REQUIRE(a && b && c);
  CHECK(a->fingerprint != c->fingerprint);
  rs_job_free(a);
  rs_job_free(b);
  rs_job_free(c);
}

/* Each bad job gives exactly this message. */
static void expect_error(const char *yaml, const char *want) {
  rs_job *j = parse(yaml);
  CHECK(j == NULL);
  if (strcmp(err, want) != 0) {
    sp_test_report(__FILE__, __LINE__, "error message");
    fprintf(stderr, "#   want: %s\n#   got:  %s\n", want, err);
  }
  rs_job_free(j);
}

TEST(errors_name_file_line_column_and_key) {
  expect_error("name: t\n" SOURCES "pipeline:\n  - window: {type: tumbling, size_ms: ten}\n"
               "sinks: {output: out}\n",
               "job.yaml:5:39: pipeline[0].window.size_ms: expected an integer, got 'ten'");
  expect_error("name: t\n" SOURCES "pipeline:\n  - window: {type: tumbling, sizee_ms: 10}\n"
               "sinks: {output: out}\n",
               "job.yaml:5:30: pipeline[0].window: unknown key 'sizee_ms' (expected one of: type, "
               "by, size_ms, advance_ms, gap_ms, offset_ms, size, advance, aggregate, value)");
  expect_error("name: t\n" SOURCES "pipeline:\n  - window: {type: tumbling, size_ms: 0}\n"
               "sinks: {output: out}\n",
               "job.yaml:5:39: pipeline[0].window.size_ms: must be at least 1, got 0");
  expect_error("name: t\n" SOURCES "pipeline:\n  - window: {type: rolling, size_ms: 10}\n"
               "sinks: {output: out}\n",
               "job.yaml:5:20: pipeline[0].window.type: 'rolling' is not one of: tumbling, "
               "hopping, sliding, session");
  expect_error("name: t\n" SOURCES "pipeline:\n  - window: {type: hopping, size_ms: 10, advance_ms: 20}\n"
               "sinks: {output: out}\n",
               "job.yaml:5:54: pipeline[0].window: advance_ms must not exceed size_ms");
  expect_error("name: t\n" SOURCES "pipeline:\n  - window: {type: session, by: count, size: 3}\n"
               "sinks: {output: out}\n",
               "job.yaml:5:13: pipeline[0].window: session windows are by time only");
  expect_error("name: t\nsources:\n  - {name: in, topic: in}\npipeline: []\nsinks: {output: out}\n",
               "job.yaml:3:5: sources[0]: missing 'format' (identity or json)");
  expect_error("name: t\nsources:\n  - {name: in, topic: in, format: identity, value: bytes}\n"
               "pipeline: []\nsinks: {output: out}\n",
               "job.yaml:3:52: sources[0].value: 'bytes' is not an identity field (expected one "
               "of: seq, size, writer, topic, key_id, event_time_ms, one)");
  expect_error("name: t\n" SOURCES "pipeline: []\n", "job.yaml:1:1: sinks: missing 'sinks' (at least sinks.output)");
  expect_error("name: t\n" SOURCES "pipeline: []\nsinks: {output: out}\nsinks: {output: b}\n",
               "job.yaml:6:1: job: key 'sinks' given twice");
  expect_error("name: t\n" SOURCES "pipeline:\n  - filter: {field: x, gt: 1, lt: 5}\n"
               "sinks: {output: out}\n",
               "job.yaml:5:28: pipeline[0].filter: give exactly one comparison (eq, ne, lt, le, gt, ge or in)");
  expect_error("name: t\n" SOURCES "pipeline:\n  - filter: {field: x, mod: 2, eq: a}\n"
               "sinks: {output: out}\n",
               "job.yaml:5:36: pipeline[0].filter.eq: with 'mod' the value must be an integer");
  expect_error("name: &a t\n", "job.yaml:1:7: anchors are not supported in job files");
  expect_error("", "job.yaml:1:1: the file is empty");
  expect_error("name: [unclosed\n", "job.yaml:2:1: did not find expected ',' or ']'");
}

TEST(errors_for_pipelines_that_cannot_be_deterministic) {
  const char *two = "sources:\n  - {name: in, topic: in, format: json}\n"
                    "  - {name: other, topic: o, format: json}\n";
  char buf[1024];
  snprintf(buf, sizeof buf, "name: t\n%spipeline:\n  - join: {with: other, within_ms: 5}\n"
           "  - window: {type: tumbling, size_ms: 10}\nsinks: {output: out}\n", two);
  expect_error(buf, "job.yaml:7:5: pipeline[1]: a stateful operator (window) cannot follow a join "
               "or enrich: its input order would depend on how the two inputs interleave");
  snprintf(buf, sizeof buf, "name: t\n%spipeline:\n  - window: {type: tumbling, size_ms: 10}\n"
           "  - join: {with: other, within_ms: 5}\nsinks: {output: out}\n", two);
  expect_error(buf, "job.yaml:7:5: pipeline[1]: join works on input events; it cannot follow the "
               "window at pipeline[0]");
  snprintf(buf, sizeof buf, "name: t\n%spipeline: []\nsinks: {output: out}\n", two);
  expect_error(buf, "job.yaml: sources: source 'other' (sources[1]) is not used by any join or "
               "enrich; the main source is sources[0]");
  snprintf(buf, sizeof buf, "name: t\n%spipeline:\n  - join: {with: nope, within_ms: 5}\n"
           "sinks: {output: out}\n", two);
  expect_error(buf, "job.yaml:6:18: pipeline[0].join: no source named 'nope'");
  expect_error("name: t\nsources:\n  - {name: in, topics: [a, b], format: json}\n"
               "  - {name: other, topic: o, format: json}\n"
               "pipeline:\n  - enrich: {table: other}\nsinks: {output: out}\n",
               "job.yaml: sources[0]: a job with a join or enrich reads one main topic (it is "
               "co-partitioned with the other source)");
}

TEST(load_file_reports_missing_file) {
  rs_job *j = rs_job_load("/nonexistent/job.yaml", err, sizeof err);
  CHECK(j == NULL);
  CHECK(strstr(err, "/nonexistent/job.yaml: cannot open") == err);
}

SP_TEST_MAIN(defaults_and_fields, fingerprint_ignores_layout_but_not_content,
             errors_name_file_line_column_and_key,
             errors_for_pipelines_that_cannot_be_deterministic, load_file_reports_missing_file)
