/* test_oracle_job: the oracle's own job-file reader (stream/job.h): a job
 * using every feature reads back as written; every kind of mistake is
 * refused with `file:line:column: key.path: what`. */
#include <stdio.h>
#include <string.h>

#include "sp_test.h"
#include "stream/job.h"

/* Writes text to a fresh file and returns its path (static buffer). */
static const char *job_file(const char *name, const char *text) {
  static char path[512];
  snprintf(path, sizeof path, "%s/%s.yaml", sp_test_tmpdir(), name);
  FILE *f = fopen(path, "w");
  fputs(text, f);
  fclose(f);
  return path;
}

TEST(a_job_with_every_feature_reads_back) {
  const char *path = job_file("full",
                              "name: full\n"
                              "time: {mode: event, out_of_orderness_ms: 500, allowed_lateness_ms: 20, processing_tick_ms: 5}\n"
                              "sources:\n"
                              "  - name: clicks\n"
                              "    topics: [a, b]\n"
                              "    format: identity\n"
                              "    key: writer\n"
                              "    time: kafka_timestamp\n"
                              "    value: size\n"
                              "    idle_timeout_ms: 100\n"
                              "    idle_advance: inputs\n"
                              "pipeline:\n"
                              "  - filter: {all: [{field: value, gt: 0}, {not: {field: key, in: [x, '7', 7]}},\n"
                              "             {field: seq, mod: 3, eq: 1}]}\n"
                              "  - transform: {key: payload.user.id, value_mul: -2}\n"
                              "  - threshold: {above: 2.5, mode: crossing, emit_fall: true}\n"
                              "  - window: {type: hopping, size_ms: 1000, advance_ms: 250, offset_ms: 10,\n"
                              "             aggregate: [count, avg], value: max}\n"
                              "  - window: {type: sliding, by: count, size: 4}\n"
                              "sinks: {output: o, late: l, errors: e}\n");
  job j;
  char err[1024];
  int rc = job_load(path, &j, err, sizeof err);
  if (rc) fprintf(stderr, "# %s\n", err);
  REQUIRE(rc == 0);
  CHECK_EQ_STR(j.name, "full");
  CHECK_EQ_INT(j.processing, 0);
  CHECK_EQ_INT(j.ooo_ms, 500);
  CHECK_EQ_INT(j.lateness_ms, 20);
  CHECK_EQ_INT(j.tick_ms, 5);
  REQUIRE(j.n_sources == 1);
  const job_source *s = &j.sources[0];
  CHECK_EQ_INT(s->n_topics, 2);
  CHECK_EQ_STR(s->topics[1], "b");
  CHECK_EQ_INT(s->format, FMT_IDENTITY);
  CHECK_EQ_INT(s->key.kind, SEL_WRITER);
  CHECK_EQ_INT(s->time.kind, SEL_KAFKA_TS);
  CHECK_EQ_INT(s->value.kind, SEL_SIZE);
  CHECK_EQ_INT(s->idle_timeout_ms, 100);
  CHECK_EQ_INT(s->idle, IDLE_INPUTS);
  REQUIRE(j.n_ops == 5);
  const pred *f = &j.ops[0].u.filter;
  CHECK_EQ_INT(f->kind, PRED_ALL);
  REQUIRE(f->n_subs == 3);
  CHECK_EQ_INT(f->subs[0].op, CMP_GT);
  CHECK_EQ_INT(f->subs[0].value.t, SV_INT);
  CHECK_EQ_INT(f->subs[1].kind, PRED_NOT);
  const pred *in = &f->subs[1].subs[0];
  REQUIRE(in->kind == PRED_IN && in->n_values == 3);
  CHECK_EQ_INT(in->values[0].t, SV_STR);
  CHECK_EQ_INT(in->values[1].t, SV_STR); /* quoted: a string */
  CHECK_EQ_INT(in->values[2].t, SV_INT);
  CHECK(f->subs[2].has_mod && f->subs[2].mod == 3);
  CHECK_EQ_STR(j.ops[1].u.transform.key_field, "payload.user.id");
  CHECK(j.ops[1].u.transform.value_field == NULL); /* value_mul without value: no effect */
  CHECK_EQ_INT(j.ops[1].u.transform.mul, -2);
  CHECK_EQ_INT(j.ops[2].u.threshold.above.t, SV_REAL);
  CHECK(j.ops[2].u.threshold.crossing && j.ops[2].u.threshold.emit_fall);
  const job_window *w = &j.ops[3].u.window;
  CHECK_EQ_INT(w->type, WIN_HOPPING);
  CHECK_EQ_INT(w->advance_ms, 250);
  CHECK_EQ_INT(w->offset_ms, 10);
  CHECK_EQ_INT(w->aggregates, AGG_COUNT | AGG_AVG);
  CHECK_EQ_INT(w->value, AGG_MAX);
  CHECK_EQ_STR(job_window_name(&j.ops[4].u.window), "count-sliding");
  CHECK_EQ_INT(j.ops[4].u.window.advance, 1);
  CHECK_EQ_INT(j.two_input_op, -1);
  CHECK_EQ_STR(j.sink_errors, "e");
  CHECK(job_checkable(&j) == NULL);
  job_free(&j);
}

TEST(joined_sources_and_defaults) {
  const char *path = job_file("join",
                              "name: j\n"
                              "sources:\n"
                              "  - {name: l, topic: left, format: json}\n"
                              "  - {name: r, topic: right, format: json, key: user, time: at.ms, value: one}\n"
                              "pipeline:\n"
                              "  - reorder: {}\n"
                              "  - join: {with: r, type: left, within_ms: 7}\n"
                              "  - filter: {field: value, ne: 0}\n"
                              "sinks: {output: o}\n");
  job j;
  char err[1024];
  int rc = job_load(path, &j, err, sizeof err);
  if (rc) fprintf(stderr, "# %s\n", err);
  REQUIRE(rc == 0);
  CHECK_EQ_INT(j.two_input_op, 1);
  CHECK_EQ_INT(j.ops[1].u.join.source, 1);
  CHECK(j.ops[1].u.join.left);
  CHECK_EQ_INT(j.ops[1].u.join.before_ms, 7);
  CHECK_EQ_INT(j.ops[1].u.join.after_ms, 7);
  CHECK_EQ_INT(j.sources[0].key.kind, SEL_MEMBER); /* json defaults: "key", "ts", "value" */
  CHECK_EQ_STR(j.sources[0].key.member, "key");
  CHECK_EQ_STR(j.sources[0].time.member, "ts");
  CHECK_EQ_STR(j.sources[1].key.member, "user");
  CHECK_EQ_STR(j.sources[1].time.member, "at.ms");
  CHECK_EQ_INT(j.sources[1].value.kind, SEL_ONE);
  CHECK(j.sink_late == NULL);
  job_free(&j);
}

/* The job text fails with exactly this message after "<file>:". */
static void refused(const char *name, const char *text, const char *want) {
  const char *path = job_file(name, text);
  job j;
  char err[1024], full[1600];
  CHECK_EQ_INT(job_load(path, &j, err, sizeof err), -1);
  snprintf(full, sizeof full, "%s:%s", path, want);
  if (strcmp(err, full)) fprintf(stderr, "#   got  %s\n#   want %s\n", err, full);
  CHECK_EQ_STR(err, full);
  job_free(&j);
}

TEST(mistakes_name_file_line_column_and_key) {
  const char *src = "sources:\n  - {name: in, topic: in, format: json}\n";
  char text[1024];
  refused("unknown", "name: x\nsources:\n  - {name: in, topic: in, format: json, colour: red}\npipeline: []\nsinks: {output: o}\n",
          "3:41: sources[0].colour: unknown key");
  refused("twice", "name: x\nname: y\nsources: []\npipeline: []\nsinks: {output: o}\n", "2:1: name: key given twice");
  refused("format", "name: x\nsources:\n  - {name: in, topic: in, format: csv}\npipeline: []\nsinks: {output: o}\n",
          "3:35: sources[0].format: 'csv' is not one of: identity, json");
  snprintf(text, sizeof text, "name: x\n%spipeline:\n  - window: {type: tumbling, size_ms: soon}\nsinks: {output: o}\n", src);
  refused("type", text, "5:39: pipeline[0].window.size_ms: expected an integer, got 'soon'");
  snprintf(text, sizeof text, "name: x\n%spipeline:\n  - join: {with: nosuch, within_ms: 5}\nsinks: {output: o}\n", src);
  refused("ref", text, "5:18: pipeline[0].join.with: 'nosuch' is not a source (other than the main source)");
  snprintf(text, sizeof text, "name: x\n%spipeline: []\nsinks: {late: l}\n", src);
  refused("noout", text, "5:8: sinks.output: required");
  snprintf(text, sizeof text, "name: x\n%spipeline:\n  - window: {type: hopping, size_ms: 10, advance_ms: 20}\nsinks: {output: o}\n", src);
  refused("advance", text, "5:54: pipeline[0].window.advance_ms: 20 is out of range [1, 10]");
  snprintf(text, sizeof text, "name: x\n%spipeline:\n  - window: {type: tumbling, size_ms: 10}\n  - reorder: {}\nsinks: {output: o}\n", src);
  refused("after", text, "6:5: pipeline[1]: reorder cannot follow a window");
  refused("unused",
          "name: x\nsources:\n  - {name: in, topic: in, format: json}\n  - {name: t, topic: t, format: json}\n"
          "pipeline: []\nsinks: {output: o}\n",
          "4:5: sources[1]: source 't' must be used by exactly one join or enrich (used by 0)");
  refused("stateful",
          "name: x\nsources:\n  - {name: in, topic: in, format: json}\n  - {name: t, topic: t, format: json}\n"
          "pipeline:\n  - enrich: {table: t}\n  - reorder: {}\nsinks: {output: o}\n",
          "7:5: pipeline[1]: no stateful operator after a join or enrich");
  refused("idvalue", "name: x\nsources:\n  - {name: in, topic: in, format: identity, value: price}\npipeline: []\nsinks: {output: o}\n",
          "3:52: sources[0].value: 'price' is not one of: seq, size, writer, topic, key_id, event_time_ms, one (identity format)");
  refused("pred", "name: x\nsources:\n  - {name: in, topic: in, format: json}\npipeline:\n  - filter: {field: v}\nsinks: {output: o}\n",
          "5:13: pipeline[0].filter: a comparison (eq, ne, lt, le, gt, ge or in) is required");
  refused("yaml", "name: x\nsources: [\n", "3:1: (yaml): did not find expected node content while parsing a flow node");
}

TEST(what_the_oracle_cannot_recompute_is_said) {
  const char *path = job_file("latest", "name: x\nsources:\n  - {name: in, topic: in, format: json, start: latest}\n"
                                        "pipeline: []\nsinks: {output: o}\n");
  job j;
  char err[1024];
  REQUIRE(job_load(path, &j, err, sizeof err) == 0);
  CHECK(job_checkable(&j) != NULL && strstr(job_checkable(&j), "latest"));
  job_free(&j);
}

/* Mutated job files (bytes flipped, cut short, lines dropped) are refused
 * or read, never crash or leak (run under ASan in CI). */
TEST(mutated_job_files_never_crash) {
  static const char base[] =
      "name: m\ntime: {out_of_orderness_ms: 5, allowed_lateness_ms: 2}\nsources:\n"
      "  - {name: in, topic: in, format: json}\n  - {name: t, topic: t, format: json, key: kafka_key}\n"
      "pipeline:\n  - filter: {any: [{field: v, in: [1, 'a']}, {not: {field: w, mod: 3, eq: 1}}]}\n"
      "  - reorder: {}\n  - pattern: {first: {field: x, eq: 1}, then: {field: y, eq: 2}, within_ms: 4}\n"
      "  - enrich: {table: t, type: left}\nsinks: {output: o, late: l, errors: e}\n";
  uint64_t rng = 12345;
  char text[sizeof base + 8];
  int accepted = 0;
  for (int i = 0; i < 3000; i++) {
    memcpy(text, base, sizeof base);
    size_t len = sizeof base - 1;
    int edits = 1 + (int)(rng % 3);
    for (int e = 0; e < edits && len > 0; e++) {
      rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
      size_t at = (size_t)(rng % len);
      switch ((rng >> 20) % 4) {
      case 0: text[at] = (char)(rng >> 32); break;                                /* any byte */
      case 1: text[at] = "{}[]:,'\" -\n#&*!|>"[(rng >> 32) % 17]; break;          /* YAML syntax */
      case 2: len = at; break;                                                   /* cut short */
      default: memmove(text + at, text + at + 1, len - at), len--; break;        /* drop a byte */
      }
    }
    text[len] = '\0';
    const char *path = job_file("mutant", text);
    job j;
    char err[1024];
    int ok = job_load(path, &j, err, sizeof err) == 0;
    accepted += ok;
    if (ok) CHECK(job_checkable(&j) == NULL || job_checkable(&j)[0]);
    else CHECK(strncmp(err, path, strlen(path)) == 0); /* every refusal names the file */
    job_free(&j);
  }
  CHECK(accepted > 0 && accepted < 3000);
}

SP_TEST_MAIN(a_job_with_every_feature_reads_back, joined_sources_and_defaults,
             mistakes_name_file_line_column_and_key, what_the_oracle_cannot_recompute_is_said,
             mutated_job_files_never_crash)
