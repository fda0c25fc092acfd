/* test_fault_window: the figures of a fault window from a synthetic run
 * whose answer is known: 1000 msg/s for 10 s, the broker "paused" from
 * 3 s to 5 s (acks of everything due in the pause arrive at 5.1 s), the
 * consumer stalled until 6 s for what was acked after the pause. Checks
 * the ack gap, the slowest ack, before/during/after rates, latency
 * before and in the window, the publish, lag and backlog recoveries,
 * anomaly attribution (by record time and by message in flight), event
 * times of a clock fault, a failed inject, a fault never healed, and a
 * faults.jsonl with a bad line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault_window.h"
#include "sp_test.h"

#define MS 1000000ull
#define SEC 1000000000ull
#define T0 (100 * SEC)
#define T0_WALL (1700000000ull * SEC)

/* 1000 msg/s from t0: message k intended at k ms. */
static uint64_t intended_before(void *ctx, uint64_t rel_ns) {
  (void)ctx;
  return (rel_ns + MS - 1) / MS;
}

static void line(FILE *f, const char *action, double t_s, const char *fault, const char *kind,
                 const char *target, const char *result) {
  fprintf(f,
          "{\"mono_ns\":%llu,\"t_s\":%.3f,\"fault\":\"%s\",\"kind\":\"%s\",\"target\":\"%s\","
          "\"action\":\"%s\",\"occurrence\":0,\"params\":{\"duration_s\":2.0},\"result\":\"%s\"%s}\n",
          (unsigned long long)(T0 + (uint64_t)(t_s * 1e9)), t_s, fault, kind, target, action, result,
          strcmp(result, "ok") ? ",\"error\":\"no such point\"" : "");
}

static const char *write_faults(void) {
  static char path[512];
  snprintf(path, sizeof path, "%s/faults.jsonl", sp_test_tmpdir());
  FILE *f = fopen(path, "w");
  line(f, "inject", 3.0, "freeze", "pause", "broker", "ok");
  line(f, "inject", 4.0, "skew", "clock", "producer:0", "ok");
  line(f, "inject", 4.5, "bad", "fiu", "broker", "error");
  fputs("this is not json\n", f);
  line(f, "heal", 5.0, "freeze", "pause", "broker", "ok");
  line(f, "heal", 6.0, "skew", "clock", "producer:0", "ok");
  line(f, "inject", 8.0, "forever", "net", "link", "ok");
  fclose(f);
  return path;
}

/* When message k (intended at k ms) is acked and applied. */
static uint64_t ack_of(uint64_t k) {
  uint64_t normal = T0 + k * MS + 2 * MS;
  if (normal >= T0 + 3 * SEC && normal < T0 + 5100 * MS) return T0 + 5100 * MS + (k - 2998) * 1000;
  return normal;
}

static uint64_t apply_of(uint64_t k) {
  uint64_t a = ack_of(k);
  if (a >= T0 + 5100 * MS && k < 5500) return T0 + 6 * SEC + (k - 2998) * 10000;
  return a + MS;
}

static fw_set *run_set(int with_anomalies) {
  fw_params p = {.t0_ns = T0, .t0_wall_ns = T0_WALL, .end_ns = T0 + 12 * SEC, .stop_ns = T0 + 10 * SEC,
                 .subs_per_topic = 1, .intended_before = intended_before};
  fw_set *s = fw_new(&p);
  char err[256];
  REQUIRE(fw_load_faults(s, write_faults(), err, sizeof err) == 0);
  fw_map_writer(s, 0, "producer:0");
  fw_map_writer(s, 1, "producer:1");
  if (with_anomalies) {
    json_error_t e;
    json_t *a = json_loads(
        "{\"duplicate\":{\"count\":1,\"examples\":[{\"partition\":0,\"offset\":9,\"writer\":0,\"seq\":4000}]},"
        "\"redelivered\":{\"count\":3,\"examples\":[{\"t_ns\":" "106000000000" ",\"writer\":0,\"seq\":1},"
        "{\"t_ns\":120000000000,\"writer\":0,\"seq\":2}]}}", 0, &e);
    REQUIRE(a);
    fw_add_anomalies(s, a);
    json_decref(a);
  }
  for (uint64_t k = 0; k < 10000; k++) {
    uint64_t in = T0 + k * MS;
    hist_record ack = {.type = HIST_ACK, .partition = 0, .offset = (int64_t)k, .seq = k, .writer = 0,
                       .t_intended_ns = in, .t_sent_ns = in, .t_ns = ack_of(k)};
    fw_record(s, &ack);
    hist_record ap = ack;
    ap.type = HIST_APPLY;
    ap.t_ns = apply_of(k);
    fw_record(s, &ap);
    /* the clock fault (4 s - 6 s) skews producer 0's event times by -5 s */
    int64_t skew = in >= T0 + 4 * SEC && in < T0 + 6 * SEC ? -5000 : 0;
    fw_event_time(s, 0, in, in, (int64_t)((T0_WALL + k * MS) / MS) + skew);
    fw_event_time(s, 1, in, in, (int64_t)((T0_WALL + k * MS) / MS) + 777); /* another producer */
  }
  hist_record nack = {.type = HIST_NACK, .writer = 0, .seq = 99999, .t_intended_ns = T0 + 3500 * MS,
                      .t_sent_ns = T0 + 3500 * MS, .t_ns = T0 + 4 * SEC, .err = 7};
  fw_record(s, &nack);
  hist_record commit = {.type = HIST_COMMIT, .err = 5, .t_ns = T0 + 4200 * MS};
  fw_record(s, &commit);
  return s;
}

static double num(json_t *o, const char *k1, const char *k2) {
  json_t *v = json_object_get(o, k1);
  if (k2) v = json_object_get(v, k2);
  return json_number_value(v);
}

TEST(pause_window_figures) {
  fw_set *s = run_set(1);
  CHECK_EQ_U64(fw_count(s), 4);
  json_t *a = fw_json(s);
  REQUIRE(json_array_size(a) == 4);
  json_t *w = json_array_get(a, 0);
  CHECK_EQ_STR(json_string_value(json_object_get(w, "fault")), "freeze");
  CHECK(json_is_true(json_object_get(w, "healed")));
  CHECK(num(w, "start_s", NULL) == 3.0 && num(w, "end_s", NULL) == 5.0);
  json_t *u = json_object_get(w, "unavailability");
  /* last ack before: message 2997 at 2.999 s; next: 5.1 s */
  CHECK(num(u, "ack_gap_s", NULL) > 2.100 && num(u, "ack_gap_s", NULL) < 2.102);
  CHECK(num(u, "ack_gap_from_s", NULL) > 2.998 && num(u, "ack_gap_from_s", NULL) < 3.0);
  CHECK(!json_is_true(json_object_get(u, "ack_gap_open")));
  CHECK_EQ_U64((uint64_t)num(u, "messages_intended", NULL), 2000);
  CHECK_EQ_U64((uint64_t)num(u, "acked", NULL), 2000);
  CHECK_EQ_U64((uint64_t)num(u, "nacked", NULL), 1);
  CHECK(num(u, "max_intended_to_ack_s", NULL) > 2.1 && num(u, "max_intended_to_ack_s", NULL) < 2.11);
  json_t *tp = json_object_get(w, "throughput");
  CHECK(num(json_object_get(tp, "before"), "acked_per_s", NULL) > 990);
  CHECK(num(json_object_get(tp, "during"), "acked_per_s", NULL) < 1.0);
  CHECK(num(json_object_get(tp, "after"), "acked_per_s", NULL) > 1300); /* the catch-up */
  CHECK(num(json_object_get(tp, "before"), "intended_per_s", NULL) == 1000);
  CHECK_EQ_U64((uint64_t)num(w, "errors", "nacks"), 1);
  CHECK_EQ_U64((uint64_t)num(w, "errors", "commit_errors"), 1);
  json_t *lat = json_object_get(w, "latency");
  CHECK(num(json_object_get(lat, "publish_before"), "p99_ms", NULL) == 2.0);
  CHECK(num(json_object_get(lat, "publish"), "p99_ms", NULL) > 100.0);
  CHECK(num(json_object_get(lat, "publish"), "max_ms", NULL) > 2100.0);
  CHECK(json_is_true(json_object_get(json_object_get(lat, "publish"), "exact")));
  /* publish is back to 2 ms for messages intended from 5.1 s on */
  CHECK(num(lat, "publish_recovery_s", NULL) > 0.09 && num(lat, "publish_recovery_s", NULL) < 0.12);
  json_t *c = json_object_get(w, "consumer");
  CHECK(json_is_true(json_object_get(c, "recovered")));
  CHECK(num(c, "backlog_before", NULL) <= 1);
  CHECK(num(c, "backlog_max", NULL) > 2000);
  CHECK(num(c, "lag_max_ms", NULL) > 2900); /* message 3000 applied at 6.0 s */
  CHECK(num(c, "lag_recovery_s", NULL) > 0.49 && num(c, "lag_recovery_s", NULL) < 0.52);
  CHECK(num(c, "backlog_recovery_s", NULL) > 1.0 && num(c, "backlog_recovery_s", NULL) < 1.06);
  CHECK(num(c, "recovery_s", NULL) == num(c, "backlog_recovery_s", NULL));
  /* the duplicate's message (intended 4 s) was in flight; one redelivery
   * at 6 s (within 5 s after the heal), the other at 20 s is not */
  json_t *counts = json_object_get(json_object_get(w, "anomalies"), "counts");
  CHECK_EQ_U64((uint64_t)num(counts, "duplicate", NULL), 1);
  CHECK_EQ_U64((uint64_t)num(counts, "redelivered", NULL), 1);
  char buf[2048];
  fw_format_line(w, buf, sizeof buf);
  CHECK(strstr(buf, "freeze#0 pause broker 3.00-5.00 s: no ack for 2.10 s") != NULL);
  CHECK(strstr(buf, "recovered 1.0") != NULL);
  CHECK(strstr(buf, "anomalies duplicate 1, redelivered 1") != NULL);
  json_t *set = fw_settings_json(s);
  CHECK(json_is_false(json_object_get(set, "anomalies_complete"))); /* 3 redeliveries, 2 examples */
  CHECK_EQ_U64((uint64_t)num(set, "faults_jsonl_bad_lines", NULL), 1);
  json_decref(set);
  json_decref(a);
  fw_free(s);
}

TEST(clock_failed_and_unhealed_windows) {
  fw_set *s = run_set(0);
  json_t *a = fw_json(s);
  json_t *clock = json_array_get(a, 1);
  CHECK_EQ_STR(json_string_value(json_object_get(clock, "kind")), "clock");
  json_t *ev = json_object_get(clock, "event_time");
  json_t *during = json_object_get(ev, "during"), *before = json_object_get(ev, "before");
  CHECK_EQ_U64((uint64_t)num(during, "messages", NULL), 2000); /* producer 0 only */
  CHECK(num(during, "offset_ms_min", NULL) == -5000 && num(during, "offset_ms_max", NULL) == -5000);
  CHECK(num(before, "offset_ms_min", NULL) == 0 && num(before, "offset_ms_max", NULL) == 0);
  CHECK(json_is_null(json_object_get(clock, "anomalies"))); /* no checker output given */
  json_t *bad = json_array_get(a, 2);
  CHECK_EQ_STR(json_string_value(json_object_get(bad, "result")), "error");
  CHECK_EQ_STR(json_string_value(json_object_get(bad, "error")), "no such point");
  CHECK(json_object_get(bad, "unavailability") == NULL);
  char buf[512];
  fw_format_line(bad, buf, sizeof buf);
  CHECK(strstr(buf, "FAILED: no such point") != NULL);
  json_t *never = json_array_get(a, 3);
  CHECK(json_is_false(json_object_get(never, "healed")));
  CHECK(num(never, "end_s", NULL) == 10.0); /* the producers' stop */
  CHECK(json_is_null(json_object_get(json_object_get(never, "throughput"), "after")));
  json_decref(a);
  fw_free(s);
}

TEST(no_faults_file_no_windows) {
  fw_params p = {.t0_ns = T0, .end_ns = T0 + SEC, .stop_ns = T0 + SEC};
  fw_set *s = fw_new(&p);
  char err[256], path[512];
  snprintf(path, sizeof path, "%s/absent.jsonl", sp_test_tmpdir());
  CHECK(fw_load_faults(s, path, err, sizeof err) == 0);
  CHECK_EQ_U64(fw_count(s), 0);
  json_t *a = fw_json(s);
  CHECK(json_array_size(a) == 0);
  json_decref(a);
  fw_free(s);
}

SP_TEST_MAIN(pause_window_figures, clock_failed_and_unhealed_windows, no_faults_file_no_windows)
