/* test_oracle_mismatch: each kind of wrong output, planted alone into the
 * otherwise correct output of the hand-made run (stream_case_a.c), is
 * reported exactly (count, and the example names the record and what is
 * wrong) and nothing else is; dumps cut short or missing make the verdict
 * unknown; `streamproof check` folds the oracle into verdict.json, the
 * summary and the exit code, alone or next to a delivery history. */
#include <string.h>
#include <unistd.h>

#include "checkrun.h"
#include "sp_test.h"
#include "stream_case_a.h"

/* Runs case A with one plant; expects the verdict and exactly `want`. */
static void planted(const char *name, case_a_plant p, check_verdict verdict, const uint64_t want[SF_COUNT],
                    stream_finding ex_kind, const char *ex_text) {
  fx *f = fx_new(sp_test_tmpdir(), name, CASE_A_JOB);
  case_a(f, p);
  stream_result r;
  check_verdict v = fx_check(f, &r);
  if (v != verdict) {
    fprintf(stderr, "# %s: verdict %s, expected %s\n", name, check_verdict_name(v), check_verdict_name(verdict));
    fx_dump_findings(&r);
  }
  CHECK_EQ_INT(v, verdict);
  if (!fx_findings_are(&r, want)) fprintf(stderr, "#   (plant %s)\n", name);
  CHECK(fx_findings_are(&r, want));
  if (ex_text) {
    REQUIRE(r.ex_n[ex_kind] > 0);
    if (!strstr(r.ex[ex_kind][0].detail, ex_text))
      fprintf(stderr, "#   %s: example \"%s\" lacks \"%s\"\n", name, r.ex[ex_kind][0].detail, ex_text);
    CHECK(strstr(r.ex[ex_kind][0].detail, ex_text) != NULL);
    CHECK_EQ_INT(r.ex[ex_kind][0].task, ex_kind == SF_MALFORMED ? -1 : 0); /* no task in garbage */
  }
  stream_result_free(&r);
  fx_free(f);
}

TEST(a_dropped_result_is_missing_and_leaves_an_offset_uncovered) {
  uint64_t want[SF_COUNT] = {[SF_MISSING] = 1, [SF_OFFSET_COVERAGE] = 1};
  planted("drop", PLANT_DROP_RESULT, CHECK_INVALID, want, SF_MISSING, "\"id\":\"w/0/0/100/0/b\"");
  planted("drop2", PLANT_DROP_RESULT, CHECK_INVALID, want, SF_OFFSET_COVERAGE, "input offset 1 not counted");
}

TEST(a_duplicated_id_is_reported_once_with_its_seq_repeat) {
  uint64_t want[SF_COUNT] = {[SF_DUPLICATE_ID] = 1, [SF_WRONG_SEQ] = 1};
  planted("dup", PLANT_DUPLICATE, CHECK_INVALID, want, SF_DUPLICATE_ID, "written 2 times");
}

TEST(a_wrong_sum_shows_expected_and_actual) {
  uint64_t want[SF_COUNT] = {[SF_WRONG_VALUE] = 1};
  planted("sum", PLANT_WRONG_SUM, CHECK_INVALID, want, SF_WRONG_VALUE, "sum: expected 4, got 5");
}

TEST(a_window_counting_an_offset_twice_is_named) {
  uint64_t want[SF_COUNT] = {[SF_WRONG_COVERAGE] = 1, [SF_OFFSET_COVERAGE] = 1};
  planted("twice", PLANT_OFFSET_TWICE, CHECK_INVALID, want, SF_WRONG_COVERAGE,
          "input offset 3 counted once too often");
  planted("twice2", PLANT_OFFSET_TWICE, CHECK_INVALID, want, SF_OFFSET_COVERAGE,
          "input offset 3 counted once too often");
}

TEST(a_missing_late_record_is_missing_and_uncovered) {
  uint64_t want[SF_COUNT] = {[SF_MISSING] = 1, [SF_OFFSET_COVERAGE] = 1};
  planted("nolate", PLANT_DROP_LATE, CHECK_INVALID, want, SF_MISSING, "\"id\":\"l/0/1/0/5\"");
  planted("nolate2", PLANT_DROP_LATE, CHECK_INVALID, want, SF_OFFSET_COVERAGE, "input offset 5 not counted");
}

TEST(results_out_of_order_are_reported) {
  uint64_t want[SF_COUNT] = {[SF_WRONG_ORDER] = 1};
  planted("swap", PLANT_SWAP, CHECK_INVALID, want, SF_WRONG_ORDER, "expected as the");
}

TEST(an_unexpected_result_and_a_malformed_record) {
  uint64_t want[SF_COUNT] = {[SF_UNEXPECTED] = 1};
  planted("extra", PLANT_UNEXPECTED, CHECK_INVALID, want, SF_UNEXPECTED, "not produced by the recomputation");
  uint64_t want2[SF_COUNT] = {[SF_MALFORMED] = 1};
  planted("garbage", PLANT_MALFORMED, CHECK_INVALID, want2, SF_MALFORMED, "not JSON");
}

/* Records of every wrong shape: counted, never a crash. */
TEST(garbage_output_records_are_counted_not_fatal) {
  fx *f = fx_new(sp_test_tmpdir(), "garbage", CASE_A_JOB);
  case_a(f, PLANT_NONE);
  static const char *const junk[] = {
      "{\"v\":1,\"kind\":\"window\",\"id\":\"w/0/9/9/0/q\",\"task\":0,\"seq\":3,\"start\":\"x\",\"n\":\"7\",\"oh\":5,\"key\":3}",
      "{\"v\":1,\"kind\":\"marks\",\"id\":\"m/x\",\"task\":0,\"marks\":[{\"input\":5}]}",
      "{\"v\":1,\"kind\":\"marks\",\"id\":\"m/y\",\"task\":0,\"marks\":\"no\"}",
      "{\"v\":1,\"kind\":\"late\",\"id\":\"l/0/1/0/5\",\"task\":0,\"op\":\"x\"}",
      "{\"v\":2,\"kind\":\"window\",\"id\":\"w\",\"task\":0}",
      "{\"v\":1,\"kind\":\"window\",\"id\":\"w/0/0/100/0/a\",\"task\":\"0\"}",
      "{\"v\":1,\"kind\":\"event\",\"id\":\"e/0/0/0\",\"task\":99}",
      "null",
      "{\"v\":1,\"kind\":\"teleport\",\"id\":\"t\",\"task\":0}",
  };
  for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++)
    fx_input_raw(f, "out", 0, junk[i], (int32_t)strlen(junk[i]), NULL);
  fx_input_raw(f, "out", 0, NULL, -1, NULL); /* a null payload */
  stream_result r;
  CHECK_EQ_INT(fx_check(f, &r), CHECK_INVALID);
  /* the junk late record (read first: the output topic is read before the
   * late topic) takes the id: it is wrong, the real one a duplicate */
  uint64_t want[SF_COUNT] = {[SF_UNEXPECTED] = 1, [SF_DUPLICATE_ID] = 1, [SF_WRONG_VALUE] = 1,
                             [SF_MALFORMED] = 8};
  CHECK(fx_findings_are(&r, want));
  stream_result_free(&r);
  fx_free(f);
}

/* Random inputs (garbage bytes, broken and odd JSON) through every kind of
 * operator: the oracle never crashes, and its own expected output
 * (stream_oracle_expected) checks clean against the recomputation. */
TEST(random_inputs_recompute_consistently) {
  static const char *const pipelines[] = {
      "  - filter: {any: [{field: value, mod: 3, eq: 1}, {field: tag, in: [a, 2]}]}\n"
      "  - window: {type: hopping, size_ms: 40, advance_ms: 10}",
      "  - transform: {key: tag, value: value, value_mul: 3}\n  - window: {type: session, gap_ms: 7}",
      "  - window: {type: sliding, size_ms: 15}",
      "  - reorder: {}\n  - pattern: {first: {field: tag, eq: a}, then: {field: tag, eq: b}, within_ms: 9, emit: both}",
      "  - threshold: {above: 0, mode: crossing, emit_fall: true}\n  - window: {type: hopping, by: count, size: 3, advance: 2}",
      "  - join: {with: other, type: left, before_ms: 5, after_ms: 8}",
      "  - enrich: {table: other, type: left}",
  };
  uint64_t rng = 777;
  for (size_t k = 0; k < sizeof pipelines / sizeof pipelines[0]; k++) {
    int two = strstr(pipelines[k], "join") || strstr(pipelines[k], "enrich");
    char job[2048], name[32];
    snprintf(job, sizeof job,
             "name: rnd%zu\ntime: {out_of_orderness_ms: 3, allowed_lateness_ms: 4}\nsources:\n"
             "  - {name: in, topic: in, format: json}\n%spipeline:\n%s\nsinks: {output: out, late: late, errors: bad}\n",
             k, two ? "  - {name: other, topic: other, format: json}\n" : "", pipelines[k]);
    snprintf(name, sizeof name, "rnd%zu", k);
    fx *f = fx_new(sp_test_tmpdir(), name, job);
    for (int part = 0; part < 2; part++)
      for (int i = 0; i < 400; i++) {
        for (int in = 0; in < 1 + two; in++) {
          rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
          char p[160];
          int n;
          switch (rng % 10) {
          case 0: /* garbage bytes */
            n = (int)((rng >> 8) % 40);
            for (int b = 0; b < n; b++) p[b] = (char)(rng >> (b % 50));
            break;
          case 1: n = snprintf(p, sizeof p, "{\"key\":\"k%d\",\"ts\":%d.5,\"value\":1}", (int)((rng >> 9) % 4), i); break;
          case 2: n = snprintf(p, sizeof p, "{\"key\":%d,\"ts\":%d,\"value\":%d,\"tag\":\"a\",\"tag\":1}", i, i, i); break;
          default:
            n = snprintf(p, sizeof p, "{\"key\":\"k%d\",\"ts\":%d,\"value\":%lld,\"tag\":\"%c\"}",
                         (int)((rng >> 9) % 4), i + (int)((rng >> 20) % 12) - 6, (long long)(rng >> 3) - (1ll << 59),
                         "ab2"[(rng >> 30) % 3]);
          }
          fx_input_raw(f, in ? "other" : "in", part, p, n, NULL);
        }
      }
    stream_result r;
    fx_check(f, &r); /* writes the input dumps */
    stream_result_free(&r);
    char stream[1200], err[1024];
    snprintf(stream, sizeof stream, "%s/stream", fx_dir(f));
    if (stream_oracle_expected(fx_dir(f), stream, err, sizeof err) != 0) fprintf(stderr, "# %s\n", err);
    REQUIRE(stream_oracle_expected(fx_dir(f), stream, err, sizeof err) == 0);
    check_verdict v = stream_oracle_run(fx_dir(f), 5, &r);
    if (v != CHECK_VALID) fx_dump_findings(&r);
    CHECK_EQ_INT(v, CHECK_VALID);
    CHECK(r.input_records == (two ? 1600u : 800u));
    CHECK(r.expected[2] > 0); /* the garbage became error records */
    stream_result_free(&r);
    fx_free(f);
  }
}

TEST(a_result_in_the_wrong_sink_partition) {
  uint64_t want[SF_COUNT] = {[SF_WRONG_VALUE] = 1};
  planted("part", PLANT_WRONG_PARTITION, CHECK_INVALID, want, SF_WRONG_VALUE, "written to out/1, expected out/0");
}

TEST(dumps_cut_short_or_missing_make_it_unknown) {
  uint64_t none[SF_COUNT] = {0};
  planted("cut", PLANT_CUT_OUTPUT, CHECK_UNKNOWN, none, SF_MISSING, NULL);
  /* an input dump cut short: the task is not checked */
  fx *f = fx_new(sp_test_tmpdir(), "cutin", CASE_A_JOB);
  case_a(f, PLANT_NONE);
  fx_cut(f, "in", 0);
  stream_result r;
  CHECK_EQ_INT(fx_check(f, &r), CHECK_UNKNOWN);
  CHECK(fx_findings_are(&r, none));
  CHECK_EQ_INT(r.tasks[0].checked, 0);
  REQUIRE(r.incomplete.n > 0);
  CHECK(strstr(r.incomplete.v[0], "ends without its trailer") != NULL);
  stream_result_free(&r);
  fx_free(f);
  /* the late sink never copied */
  f = fx_new(sp_test_tmpdir(), "nolatedump", CASE_A_JOB);
  case_a(f, PLANT_NONE);
  char path[1200];
  snprintf(path, sizeof path, "%s/stream/late-0.dump", fx_dir(f));
  CHECK_EQ_INT(fx_check(f, &r), CHECK_VALID);
  stream_result_free(&r);
  REQUIRE(unlink(path) == 0);
  CHECK_EQ_INT(stream_oracle_run(fx_dir(f), 5, &r), CHECK_UNKNOWN);
  REQUIRE(r.incomplete.n > 0);
  CHECK(strstr(r.incomplete.v[0], "late-0.dump is missing") != NULL);
  stream_result_free(&r);
  fx_free(f);
}

TEST(a_bad_job_file_is_an_input_error_naming_file_and_line) {
  fx *f = fx_new(sp_test_tmpdir(), "badjob",
                 "name: x\nsources:\n  - {name: in, topic: in, format: json}\npipeline:\n"
                 "  - window: {type: tumbling, size_ms: 100, bogus: 1}\nsinks: {output: out}\n");
  stream_result r;
  CHECK_EQ_INT(fx_check(f, &r), CHECK_ERROR);
  CHECK(strstr(r.error, "job.yaml:5:44: pipeline[0].window.bogus: unknown key") != NULL);
  stream_result_free(&r);
  check_result cr;
  CHECK_EQ_INT(checkrun_dir(fx_dir(f), &cr), CHECK_ERROR);
  CHECK(strstr(cr.error, "pipeline[0].window.bogus") != NULL);
  check_result_free(&cr);
  fx_free(f);
}

/* streamproof check on a processor-only folder: exit code, verdict.json. */
TEST(streamproof_check_folds_the_oracle_in) {
  fx *f = fx_new(sp_test_tmpdir(), "clean", CASE_A_JOB);
  case_a(f, PLANT_NONE);
  stream_result sr;
  fx_check(f, &sr); /* writes the dumps */
  stream_result_free(&sr);
  check_result r;
  CHECK_EQ_INT(checkrun_dir(fx_dir(f), &r), CHECK_VALID);
  CHECK(r.stream_checked);
  CHECK_EQ_INT(r.stream_verdict, CHECK_VALID);
  check_result_free(&r);
  json_t *v = checkrun_verdict(fx_dir(f));
  REQUIRE(v);
  json_t *s = json_object_get(v, "stream");
  CHECK_EQ_STR(json_string_value(json_object_get(v, "verdict")), "valid");
  CHECK_EQ_STR(json_string_value(json_object_get(s, "verdict")), "valid");
  CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(s, "totals"), "input_records")), 8);
  CHECK_EQ_INT(json_array_size(json_object_get(s, "tasks")), 1);
  json_decref(v);
  fx_free(f);

  f = fx_new(sp_test_tmpdir(), "bad", CASE_A_JOB);
  case_a(f, PLANT_WRONG_SUM);
  fx_check(f, &sr);
  stream_result_free(&sr);
  CHECK_EQ_INT(checkrun_dir(fx_dir(f), &r), CHECK_INVALID);
  CHECK_EQ_U64(r.stream_findings, 1);
  CHECK(strstr(r.reason, "stream job case-a: 1 wrong-value") != NULL);
  check_result_free(&r);
  v = checkrun_verdict(fx_dir(f));
  REQUIRE(v);
  json_t *wv = json_object_get(json_object_get(json_object_get(v, "stream"), "findings"), "wrong-value");
  CHECK_EQ_INT(json_integer_value(json_object_get(wv, "count")), 1);
  json_t *ex = json_array_get(json_object_get(wv, "examples"), 0);
  CHECK_EQ_STR(json_string_value(json_object_get(ex, "id")), "w/0/0/100/0/a");
  CHECK_EQ_STR(json_string_value(json_object_get(ex, "where")), "out/0@0");
  CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(wv, "by_task"), "0")), 1);
  json_decref(v);
  /* the summary names the finding and its example */
  char path[1200];
  snprintf(path, sizeof path, "%s/summary.txt", fx_dir(f));
  check_options o;
  check_options_init(&o);
  o.out = fopen(path, "w");
  o.no_write = 1;
  check_run(fx_dir(f), &o, &r);
  fclose(o.out);
  check_result_free(&r);
  FILE *in = fopen(path, "r");
  char text[8192] = "";
  size_t n = fread(text, 1, sizeof text - 1, in);
  fclose(in);
  text[n] = '\0';
  CHECK(strstr(text, "stream oracle only") != NULL);
  CHECK(strstr(text, "wrong-value") && strstr(text, "sum: expected 4, got 5"));
  CHECK(strstr(text, "verdict: invalid") != NULL);
  fx_free(f);
}

/* A delivery history and a stream/ folder: both judged, the worst wins. */
TEST(delivery_history_and_stream_together) {
  char dir[512];
  for (int bad = 0; bad < 2; bad++) {
    gen_config c = {.sem = {CHECK_SEM_EXACTLY_ONCE}};
    gen *g = gen_new(&c);
    gen_derive(g);
    snprintf(dir, sizeof dir, "%s/both%d", sp_test_tmpdir(), bad);
    REQUIRE(gen_write(g, dir) == 0);
    gen_free(g);
    char name[32];
    snprintf(name, sizeof name, "both%d", bad);
    fx *f = fx_new(sp_test_tmpdir(), name, CASE_A_JOB);
    case_a(f, bad ? PLANT_DROP_LATE : PLANT_NONE);
    stream_result sr;
    fx_check(f, &sr);
    stream_result_free(&sr);
    check_result r;
    CHECK_EQ_INT(checkrun_dir(dir, &r), bad ? CHECK_INVALID : CHECK_VALID);
    CHECK_EQ_U64(r.info.messages, 120); /* the delivery check ran too */
    CHECK(r.stream_checked);
    CHECK_EQ_U64(r.stream_findings, bad ? 2 : 0);
    check_result_free(&r);
    json_t *v = checkrun_verdict(dir);
    REQUIRE(v);
    CHECK(json_object_get(v, "subscriptions") != NULL);
    CHECK(json_object_get(v, "stream") != NULL);
    json_decref(v);
    fx_free(f);
  }
}

SP_TEST_MAIN(a_dropped_result_is_missing_and_leaves_an_offset_uncovered,
             a_duplicated_id_is_reported_once_with_its_seq_repeat, a_wrong_sum_shows_expected_and_actual,
             a_window_counting_an_offset_twice_is_named, a_missing_late_record_is_missing_and_uncovered,
             results_out_of_order_are_reported, an_unexpected_result_and_a_malformed_record,
             a_result_in_the_wrong_sink_partition, garbage_output_records_are_counted_not_fatal,
             random_inputs_recompute_consistently, dumps_cut_short_or_missing_make_it_unknown,
             a_bad_job_file_is_an_input_error_naming_file_and_line, streamproof_check_folds_the_oracle_in,
             delivery_history_and_stream_together)
