/* test_determinism.c: the properties exactly-once rests on, for every kind
 * of job, on seeded random inputs with out-of-order and late records:
 *   1. the same input gives byte-identical output;
 *   2. processing in two halves with a checkpoint (save, new engine, load)
 *      in between gives byte-identical output to one pass;
 *   3. a crash at any point after a checkpoint, then restore + read back
 *      the output written since the checkpoint + replay, ends with exactly
 *      the output of a run without the crash: nothing lost, nothing twice.
 * Processing-time jobs cannot reproduce a failure-free run (the clock moved
 * on), so for them (3) checks that every input record is counted in
 * exactly one window result and no result id repeats. */
#include "hash.h"
#include "readback.h"
#include "testkit.h"

typedef struct step {
  int input;       /* 0 main, 1 other; -1: a clock tick (marks) */
  int64_t offset;
  int64_t now_ms;
  char json[160];
} step;

typedef struct scenario {
  const char *name;
  const char *yaml;
  int two_inputs;
  int proc_time;
  step *steps;
  size_t n;
  int count_pairs; /* processing time: records count in pairs (count window, size 2) */
} scenario;

static uint64_t rng_state;
static uint64_t rnd(uint64_t n) {
  rng_state += 0x9e3779b97f4a7c15ull;
  return rs_mix64(rng_state) % n;
}

/* n records with times that mostly increase, some out of order, a few very
 * late; keys k0..k4; a type for patterns. Ticks every 7 steps. */
static void gen(scenario *sc, size_t n, uint64_t seed) {
  rng_state = seed;
  sc->steps = sp_calloc(n + n / 7 + 2, sizeof *sc->steps);
  int64_t t = 1000, off[2] = {0, 0}, now = 50000;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    step *s = &sc->steps[k++];
    s->input = sc->two_inputs && rnd(3) == 0 ? 1 : 0;
    s->offset = off[s->input]++;
    t += (int64_t)rnd(20);
    int64_t ts = t;
    uint64_t r = rnd(100);
    if (r < 20) ts -= (int64_t)rnd(30);       /* out of order */
    else if (r < 25) ts -= 100 + (int64_t)rnd(200); /* late */
    now += (int64_t)rnd(4);
    s->now_ms = now;
    snprintf(s->json, sizeof s->json, "{\"key\":\"k%d\",\"ts\":%lld,\"value\":%d,\"type\":\"%s\"}",
             (int)rnd(5), (long long)ts, (int)rnd(100) - 20, rnd(3) ? "buy" : "login");
    if (i % 7 == 6) {
      step *tk = &sc->steps[k++];
      tk->input = -1;
      tk->now_ms = now;
    }
  }
  sc->n = k;
}

static void apply(rs_engine *e, const step *s, int64_t clock_shift) {
  if (s->input < 0) {
    for (int i = 0; i < e->n_tasks; i++) {
      rs_task *t = e->tasks[i];
      for (int in = 0; in < t->n_inputs; in++) t->in[in].caught_up = 1;
      rs_task_tick(t, s->now_ms + clock_shift);
    }
    return;
  }
  rs_raw raw = {0, s->offset, -1, NULL, 0, s->json, strlen(s->json)};
  int input;
  rs_task *t = rs_engine_route(e, s->input, 0, 0, &input);
  rs_task_record(t, input, &raw, s->now_ms + clock_shift);
}

static rs_engine *engine(rs_job *job, tk_out *out) {
  int parts = 1;
  return rs_engine_new(job, &parts, tk_emit, out);
}

static void checkpoint(rs_engine *e, sp_buf *state) {
  for (int i = 0; i < e->n_tasks; i++) rs_task_flush_marks(e->tasks[i]);
  sp_buf_reset(state);
  rs_engine_save(e, state);
}

/* The end of a run: a far tick fires whatever processing time holds. */
static void finish(rs_engine *e, const scenario *sc, int64_t clock_shift) {
  if (!sc->proc_time) return;
  step end = {-1, 0, 10000000, ""};
  apply(e, &end, clock_shift);
}

static void run_all(const scenario *sc, rs_job *job, tk_out *out) {
  rs_engine *e = engine(job, out);
  for (size_t i = 0; i < sc->n; i++) apply(e, &sc->steps[i], 0);
  finish(e, sc, 0);
  rs_engine_free(e);
}

static int same_raw(const tk_out *a, const tk_out *b) {
  if (a->n != b->n) return 0;
  for (size_t i = 0; i < a->n; i++)
    if (strcmp(a->raw[i], b->raw[i]) != 0) {
      fprintf(stderr, "#   first difference at record %zu:\n#   %s\n#   %s\n", i, a->raw[i], b->raw[i]);
      return 0;
    }
  return 1;
}

/* Two halves with save/load in between. */
static void run_halves(const scenario *sc, rs_job *job, size_t cut, tk_out *out) {
  sp_buf state = SP_BUF_INIT;
  rs_engine *e = engine(job, out);
  for (size_t i = 0; i < cut; i++) apply(e, &sc->steps[i], 0);
  checkpoint(e, &state);
  rs_engine_free(e);
  e = engine(job, out);
  kreader r;
  kr_init(&r, state.data, state.len);
  CHECK(rs_engine_load(e, &r) == 0 && kr_remaining(&r) == 0);
  for (size_t i = cut; i < sc->n; i++) apply(e, &sc->steps[i], 0);
  finish(e, sc, 0);
  rs_engine_free(e);
  sp_buf_free(&state);
}

/* Checkpoint at step ck, crash after step crash, restart, read back, replay. */
static void run_crash(const scenario *sc, rs_job *job, size_t ck, size_t crash, tk_out *out,
                      int64_t shift) {
  sp_buf state = SP_BUF_INIT;
  rs_engine *e = engine(job, out);
  for (size_t i = 0; i < ck; i++) apply(e, &sc->steps[i], 0);
  checkpoint(e, &state);
  size_t written_at_ckpt = out->n;
  for (size_t i = ck; i < crash; i++) apply(e, &sc->steps[i], 0);
  rs_engine_free(e); /* the crash: everything in memory is gone */
  e = engine(job, out);
  kreader r;
  kr_init(&r, state.data, state.len);
  REQUIRE(rs_engine_load(e, &r) == 0);
  size_t n_written = out->n;
  for (size_t i = written_at_ckpt; i < n_written; i++)
    CHECK(rs_readback_record(e, out->raw[i] + 2, strlen(out->raw[i] + 2)) <= RS_RB_MARKS);
  for (int i = 0; i < e->n_tasks; i++) rs_task_apply_marks(e->tasks[i]);
  for (size_t i = ck; i < sc->n; i++) apply(e, &sc->steps[i], shift);
  finish(e, sc, shift);
  for (int i = 0; i < e->n_tasks; i++) CHECK_EQ_INT(rs_dedupe_count(&e->tasks[i]->dedupe), 0);
  rs_engine_free(e);
  sp_buf_free(&state);
}

/* Processing time: each input record shows one time in every result that
 * carries it (a replay may not re-stamp a record a written result saw). */
static void check_stamps_consistent(const tk_out *out) {
  int64_t seen[2][1024];
  for (int i = 0; i < 2; i++)
    for (int k = 0; k < 1024; k++) seen[i][k] = INT64_MIN;
  for (size_t i = 0; i < out->n; i++) {
    json_t *o = json_loads(out->raw[i] + 2, 0, NULL);
    const char *kind = json_string_value(json_object_get(o, "kind"));
    const json_t *ev[2] = {NULL, NULL};
    if (!strcmp(kind, "join")) {
      ev[0] = json_object_get(o, "left");
      ev[1] = json_object_get(o, "right");
    }
    for (int side = 0; side < 2; side++) {
      if (!json_is_object(ev[side])) continue;
      long long off = tk_i(ev[side], "offset"), ts = tk_i(ev[side], "ts");
      REQUIRE(off >= 0 && off < 1024);
      if (seen[side][off] != INT64_MIN && seen[side][off] != ts) {
        sp_test_report(__FILE__, __LINE__, "one time per input record");
        fprintf(stderr, "#   input %d offset %lld seen at %lld and %lld\n", side, off,
                (long long)seen[side][off], ts);
      }
      seen[side][off] = ts;
    }
    json_decref(o);
  }
}

/* Processing time: ids unique, and window coverage adds up to every record
 * exactly once (sum of n and of oh over all window results). */
static void check_exactly_once_cover(const tk_out *out, const scenario *sc) {
  uint64_t n = 0, oh = 0, want_n = 0, want_oh = 0;
  int per_key[5] = {0};
  int64_t pending[5] = {0};
  for (size_t i = 0; i < sc->n; i++)
    if (sc->steps[i].input == 0) {
      int64_t off = sc->steps[i].offset;
      if (sc->count_pairs) { /* only records of completed pairs reach the window */
        int k = sc->steps[i].json[9] - '0';
        if (per_key[k]++ % 2 == 0) {
          pending[k] = off;
          continue;
        }
        want_n++;
        want_oh += rs_mix64((uint64_t)pending[k]);
      }
      want_n++;
      want_oh += rs_mix64((uint64_t)off);
    }
  if (sc->two_inputs) {
    check_stamps_consistent(out);
    want_n = want_oh = 0; /* no windows in a join job */
  }
  for (size_t i = 0; i < out->n; i++) {
    json_t *o = json_loads(out->raw[i] + 2, 0, NULL);
    REQUIRE(o != NULL);
    if (!strcmp(json_string_value(json_object_get(o, "kind")), "window") && !sc->two_inputs) {
      n += (uint64_t)tk_i(o, "n");
      oh += strtoull(json_string_value(json_object_get(o, "oh")), NULL, 16);
    }
    const char *id = json_string_value(json_object_get(o, "id"));
    for (size_t j = 0; j < i; j++)
      if (strstr(out->raw[j], id) && strstr(out->raw[j], "\"kind\":\"marks\"") == NULL) {
        json_t *p = json_loads(out->raw[j] + 2, 0, NULL);
        CHECK(strcmp(json_string_value(json_object_get(p, "id")), id) != 0);
        json_decref(p);
      }
    json_decref(o);
  }
  CHECK_EQ_U64(n, want_n);
  CHECK_EQ_U64(oh, want_oh);
}

static void check_scenario(scenario *sc, size_t n_records, uint64_t seed) {
  gen(sc, n_records, seed);
  rs_job *job = tk_job(sc->yaml);
  REQUIRE(job != NULL);
  tk_out a = {0}, b = {0};
  run_all(sc, job, &a);
  run_all(sc, job, &b);
  if (!same_raw(&a, &b)) sp_test_report(__FILE__, __LINE__, "two runs are byte-identical");
  CHECK(a.n > 0);
  for (size_t cut = 1; cut < sc->n; cut += sc->n / 5) {
    tk_out h = {0};
    run_halves(sc, job, cut, &h);
    if (!sc->proc_time && !same_raw(&a, &h)) {
      sp_test_report(__FILE__, __LINE__, "two halves equal one pass");
      fprintf(stderr, "#   scenario %s, cut at step %zu\n", sc->name, cut);
    }
    if (sc->proc_time) check_exactly_once_cover(&h, sc);
    tk_out_free(&h);
  }
  for (size_t ck = 0; ck < sc->n; ck += sc->n / 4 + 1)
    for (size_t crash = ck; crash <= sc->n; crash += sc->n / 6 + 1) {
      tk_out c = {0};
      run_crash(sc, job, ck, crash, &c, sc->proc_time ? 1000000 : 0);
      if (sc->proc_time) {
        check_exactly_once_cover(&c, sc);
      } else if (!same_raw(&a, &c)) {
        sp_test_report(__FILE__, __LINE__, "crash + replay equals a failure-free run");
        fprintf(stderr, "#   scenario %s, checkpoint at %zu, crash at %zu\n", sc->name, ck, crash);
      }
      tk_out_free(&c);
    }
  tk_out_free(&a);
  tk_out_free(&b);
  rs_job_free(job);
  free(sc->steps);
}

#define ONE "sources: [{name: in, topic: in, format: json}]\n"
#define TWO(opts) "sources:\n  - {name: in, topic: in, format: json}\n" \
                  "  - {name: other, topic: other, format: json" opts "}\n"
#define SINKS "sinks: {output: out, late: late, errors: err}\n"

TEST(tumbling_with_lateness) {
  scenario sc = {"tumbling", "name: t\ntime: {out_of_orderness_ms: 20, allowed_lateness_ms: 50}\n" ONE
                 "pipeline: [{window: {type: tumbling, size_ms: 100}}]\n" SINKS, 0, 0, NULL, 0, 0};
  check_scenario(&sc, 400, 1);
}

TEST(hopping) {
  scenario sc = {"hopping", "name: t\ntime: {out_of_orderness_ms: 20}\n" ONE
                 "pipeline: [{window: {type: hopping, size_ms: 100, advance_ms: 25}}]\n" SINKS, 0, 0,
                 NULL, 0, 0};
  check_scenario(&sc, 400, 2);
}

TEST(sliding_with_lateness) {
  scenario sc = {"sliding", "name: t\ntime: {out_of_orderness_ms: 10, allowed_lateness_ms: 30}\n" ONE
                 "pipeline: [{window: {type: sliding, size_ms: 60}}]\n" SINKS, 0, 0, NULL, 0, 0};
  check_scenario(&sc, 300, 3);
}

TEST(session_with_lateness) {
  scenario sc = {"session", "name: t\ntime: {out_of_orderness_ms: 10, allowed_lateness_ms: 40}\n" ONE
                 "pipeline: [{window: {type: session, gap_ms: 25}}]\n" SINKS, 0, 0, NULL, 0, 0};
  check_scenario(&sc, 400, 4);
}

TEST(count_windows_then_window_of_windows) {
  scenario sc = {"count", "name: t\ntime: {out_of_orderness_ms: 10}\n" ONE
                 "pipeline:\n  - window: {type: hopping, by: count, size: 5, advance: 2}\n"
                 "  - filter: {field: sum, gt: 0}\n"
                 "  - window: {type: tumbling, size_ms: 200, value: max}\n" SINKS, 0, 0, NULL, 0, 0};
  check_scenario(&sc, 400, 5);
}

TEST(reorder_pattern_threshold) {
  scenario sc = {"pattern", "name: t\ntime: {out_of_orderness_ms: 30, allowed_lateness_ms: 10}\n" ONE
                 "pipeline:\n  - threshold: {above: 0, mode: crossing, emit_fall: true}\n"
                 "  - reorder: {}\n"
                 "  - pattern: {first: {field: type, eq: login}, then: {field: type, eq: buy}, "
                 "within_ms: 40, emit: both}\n" SINKS, 0, 0, NULL, 0, 0};
  check_scenario(&sc, 400, 6);
}

TEST(join_left) {
  scenario sc = {"join", "name: t\ntime: {out_of_orderness_ms: 15, allowed_lateness_ms: 5}\n" TWO("")
                 "pipeline: [{join: {with: other, type: left, before_ms: 20, after_ms: 10}}]\n" SINKS,
                 1, 0, NULL, 0, 0};
  check_scenario(&sc, 400, 7);
}

TEST(enrich_with_idle_table) {
  scenario sc = {"enrich", "name: t\ntime: {out_of_orderness_ms: 15}\n"
                 TWO(", idle_timeout_ms: 5, idle_advance: inputs")
                 "pipeline: [{enrich: {table: other, type: left}}]\n" SINKS, 1, 0, NULL, 0, 0};
  check_scenario(&sc, 400, 8);
}

TEST(processing_time_tumbling) {
  scenario sc = {"proc", "name: t\ntime: {mode: processing, processing_tick_ms: 5}\n" ONE
                 "pipeline: [{window: {type: tumbling, size_ms: 20}}]\n" SINKS, 0, 1, NULL, 0, 0};
  check_scenario(&sc, 300, 9);
}

TEST(processing_time_count_then_time_window) {
  scenario sc = {"proc-count", "name: t\ntime: {mode: processing, processing_tick_ms: 5}\n" ONE
                 "pipeline:\n  - window: {type: tumbling, by: count, size: 2}\n"
                 "  - window: {type: tumbling, size_ms: 20}\n" SINKS, 0, 1, NULL, 0, 1};
  check_scenario(&sc, 300, 11);
}

TEST(processing_time_join) {
  scenario sc = {"proc-join", "name: t\ntime: {mode: processing, processing_tick_ms: 3}\n" TWO("")
                 "pipeline: [{join: {with: other, type: left, within_ms: 4}}]\n" SINKS, 1, 1, NULL, 0, 0};
  check_scenario(&sc, 300, 12);
}

TEST(event_time_idle_wall_marks) {
  scenario sc = {"idle", "name: t\ntime: {out_of_orderness_ms: 20}\n"
                 "sources: [{name: in, topic: in, format: json, idle_timeout_ms: 2}]\n"
                 "pipeline: [{window: {type: tumbling, size_ms: 50}}]\n" SINKS, 0, 0, NULL, 0, 0};
  check_scenario(&sc, 300, 10);
}

SP_TEST_MAIN(tumbling_with_lateness, hopping, sliding_with_lateness, session_with_lateness,
             count_windows_then_window_of_windows, reorder_pattern_threshold, join_left,
             enrich_with_idle_table, processing_time_tumbling, processing_time_count_then_time_window,
             processing_time_join, event_time_idle_wall_marks)
