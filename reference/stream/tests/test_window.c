/* test_window.c: every window type on hand-made sequences with
 * out-of-order and late records; exact expected results (README.md,
 * "Windows" is the spec these follow). */
#include "testkit.h"

static const char *job_text(char *buf, size_t cap, int64_t ooo, int64_t late, const char *window) {
  snprintf(buf, cap,
           "name: t\n"
           "time: {out_of_orderness_ms: %lld, allowed_lateness_ms: %lld}\n"
           "sources:\n  - {name: in, topic: in, format: json}\n"
           "pipeline:\n  - window: %s\n"
           "sinks: {output: out, late: late}\n",
           (long long)ooo, (long long)late, window);
  return buf;
}

static void setup_window(fixture *f, int64_t ooo, int64_t late, const char *window) {
  char buf[1024];
  setup(f, job_text(buf, sizeof buf, ooo, late, window));
}

TEST(tumbling_fires_on_watermark_and_drops_late) {
  fixture f;
  setup_window(&f, 5, 0, "{type: tumbling, size_ms: 10}");
  tk_kv(f.e, 0, 0, "a", 1, 1);
  tk_kv(f.e, 0, 1, "a", 5, 2);
  tk_kv(f.e, 0, 2, "b", 3, 3);
  tk_kv(f.e, 0, 3, "a", 12, 4); /* W = 12 - 5 - 1 = 6 */
  tk_kv(f.e, 0, 4, "a", 8, 5);  /* out of order, still in [0,10) */
  CHECK_EQ_INT(f.out.n, 0);
  tk_kv(f.e, 0, 5, "b", 16, 6); /* W = 10 >= 9: [0,10) fires, key order */
  tk_kv(f.e, 0, 6, "a", 9, 7);  /* [0,10) is gone: late */
  tk_kv(f.e, 0, 7, "a", 15, 8);
  tk_kv(f.e, 0, 8, "a", 30, 9); /* W = 24: [10,20) fires */
  TK_EXPECT(&f.out, NULL,
            "W a [0,10) r0 c3 s8 m1 M5",
            "W b [0,10) r0 c1 s3 m3 M3",
            "L 0:0@6",
            "W a [10,20) r0 c2 s12 m4 M8",
            "W b [10,20) r0 c1 s6 m6 M6");
  teardown(&f);
}

TEST(tumbling_allowed_lateness_updates_then_expires) {
  fixture f;
  setup_window(&f, 5, 5, "{type: tumbling, size_ms: 10}");
  tk_kv(f.e, 0, 0, "a", 1, 1);
  tk_kv(f.e, 0, 1, "a", 12, 2);
  tk_kv(f.e, 0, 2, "a", 17, 3); /* W = 11: a[0,10) fires */
  tk_kv(f.e, 0, 3, "c", 5, 9);  /* c[0,10) never existed, past due: written at once */
  tk_kv(f.e, 0, 4, "a", 4, 4);  /* within lateness: rev 1 */
  tk_kv(f.e, 0, 5, "a", 21, 5); /* W = 15 >= 9 + 5: [0,10) windows expire */
  tk_kv(f.e, 0, 6, "a", 7, 6);
  tk_kv(f.e, 0, 7, "c", 8, 10);
  tk_kv(f.e, 0, 8, "a", 26, 7); /* W = 20: a[10,20) fires */
  tk_kv(f.e, 0, 9, "a", 13, 8);
  TK_EXPECT(&f.out, NULL,
            "W a [0,10) r0 c1 s1 m1 M1",
            "W c [0,10) r0 c1 s9 m9 M9",
            "W a [0,10) r1 c2 s5 m1 M4",
            "L 0:0@6",
            "L 0:0@7",
            "W a [10,20) r0 c2 s5 m2 M3",
            "W a [10,20) r1 c3 s13 m2 M8");
  teardown(&f);
}

TEST(tumbling_offset_and_negative_times) {
  fixture f;
  setup_window(&f, 0, 0, "{type: tumbling, size_ms: 10, offset_ms: 3}");
  tk_kv(f.e, 0, 0, "a", -4, 1); /* [-7,3) */
  tk_kv(f.e, 0, 1, "a", 2, 2);  /* [-7,3) */
  tk_kv(f.e, 0, 2, "a", 3, 3);  /* [3,13); W = 2 fires [-7,3) */
  tk_kv(f.e, 0, 3, "a", 13, 4); /* W = 12 fires [3,13) */
  TK_EXPECT(&f.out, NULL, "W a [-7,3) r0 c2 s3 m1 M2", "W a [3,13) r0 c1 s3 m3 M3");
  teardown(&f);
}

TEST(hopping_assigns_every_window_and_partial_expiry_is_not_late) {
  fixture f;
  setup_window(&f, 0, 0, "{type: hopping, size_ms: 10, advance_ms: 5}");
  tk_kv(f.e, 0, 0, "a", 7, 1);  /* [0,10) and [5,15) */
  tk_kv(f.e, 0, 1, "a", 3, 2);  /* [-5,5) expired, [0,10) alive: not late */
  tk_kv(f.e, 0, 2, "a", 12, 3); /* W = 11: [0,10) fires */
  tk_kv(f.e, 0, 3, "a", 1, 4);  /* both windows expired: late */
  tk_kv(f.e, 0, 4, "a", 20, 5); /* W = 19: [5,15) and [10,20) fire, by end */
  TK_EXPECT(&f.out, NULL,
            "W a [0,10) r0 c2 s3 m1 M2",
            "L 0:0@3",
            "W a [5,15) r0 c2 s4 m1 M3",
            "W a [10,20) r0 c1 s3 m3 M3");
  teardown(&f);
}

TEST(sliding_one_window_per_record_time) {
  fixture f;
  setup_window(&f, 5, 0, "{type: sliding, size_ms: 10}");
  tk_kv(f.e, 0, 0, "a", 5, 1);
  tk_kv(f.e, 0, 1, "a", 8, 2);
  tk_kv(f.e, 0, 2, "a", 6, 3);  /* out of order: joins windows 6 and 8 */
  tk_kv(f.e, 0, 3, "a", 14, 4); /* W = 8: windows 5, 6, 8 fire */
  tk_kv(f.e, 0, 4, "a", 20, 5); /* W = 14: window 14 fires */
  TK_EXPECT(&f.out, NULL,
            "W a [-4,6) r0 c1 s1 m1 M1",
            "W a [-3,7) r0 c2 s4 m1 M3",
            "W a [-1,9) r0 c3 s6 m1 M3",
            "W a [5,15) r0 c4 s10 m1 M4");
  teardown(&f);
}

TEST(sliding_lateness_updates_every_covering_window) {
  fixture f;
  setup_window(&f, 0, 3, "{type: sliding, size_ms: 10}");
  tk_kv(f.e, 0, 0, "a", 5, 1);
  tk_kv(f.e, 0, 1, "a", 9, 2);  /* W = 8: window 5 fires */
  tk_kv(f.e, 0, 2, "a", 4, 3);  /* 4 + 3 <= 8: late */
  tk_kv(f.e, 0, 3, "a", 6, 4);  /* new window 6, already due: written at once */
  tk_kv(f.e, 0, 4, "a", 12, 5); /* W = 11: window 9 fires */
  tk_kv(f.e, 0, 5, "a", 8, 6);  /* 8 + 3 <= 11: late */
  tk_kv(f.e, 0, 6, "a", 10, 7); /* new window 10, due */
  tk_kv(f.e, 0, 7, "a", 9, 8);  /* updates windows 9 and 10 */
  tk_kv(f.e, 0, 8, "a", 40, 9); /* window 12 fires */
  TK_EXPECT(&f.out, NULL,
            "W a [-4,6) r0 c1 s1 m1 M1",
            "L 0:0@2",
            "W a [-3,7) r0 c2 s5 m1 M4",
            "W a [0,10) r0 c3 s7 m1 M4",
            "L 0:0@5",
            "W a [1,11) r0 c4 s14 m1 M7",
            "W a [0,10) r1 c4 s15 m1 M8",
            "W a [1,11) r1 c5 s22 m1 M8",
            "W a [3,13) r0 c6 s27 m1 M8");
  teardown(&f);
}

TEST(session_merges_and_fires_by_end) {
  fixture f;
  setup_window(&f, 0, 0, "{type: session, gap_ms: 10}");
  tk_kv(f.e, 0, 0, "a", 0, 1);
  tk_kv(f.e, 0, 1, "a", 5, 2);  /* [0,15) */
  tk_kv(f.e, 0, 2, "a", 30, 3); /* W = 29: [0,15) fires */
  tk_kv(f.e, 0, 3, "a", 20, 9); /* 20 + 9 <= 29: late */
  tk_kv(f.e, 0, 4, "a", 21, 4); /* joins [30,40): [21,40) */
  tk_kv(f.e, 0, 5, "b", 22, 5);
  tk_kv(f.e, 0, 6, "a", 55, 6); /* W = 54: b[22,32) then a[21,40) */
  TK_EXPECT(&f.out, NULL,
            "W a [0,15) r0 c2 s3 m1 M2",
            "L 0:0@3",
            "W b [22,32) r0 c1 s5 m5 M5",
            "W a [21,40) r0 c2 s7 m3 M4");
  teardown(&f);
}

TEST(session_late_merge_supersedes_written_sessions) {
  fixture f;
  setup_window(&f, 0, 20, "{type: session, gap_ms: 10}");
  tk_kv(f.e, 0, 0, "a", 0, 1);
  tk_kv(f.e, 0, 1, "a", 25, 2); /* W = 24: [0,10) fires */
  tk_kv(f.e, 0, 2, "a", 12, 3); /* new session, already due */
  tk_kv(f.e, 0, 3, "a", 8, 4);  /* bridges both: [0,22) rev 1 */
  tk_kv(f.e, 0, 4, "a", 50, 5); /* [25,35) fires */
  TK_EXPECT(&f.out, NULL,
            "W a [0,10) r0 c1 s1 m1 M1",
            "W a [12,22) r0 c1 s3 m3 M3",
            "W a [0,22) r1 c3 s8 m1 M4 ~[0,10)r0 ~[12,22)r0",
            "W a [25,35) r0 c1 s2 m2 M2");
  teardown(&f);
}

TEST(count_windows_tumbling_sliding_hopping) {
  fixture f;
  setup_window(&f, 0, 0, "{type: tumbling, by: count, size: 3}");
  const char *keys = "abaabab";
  for (int i = 0; i < 7; i++) {
    char k[2] = {keys[i], 0};
    tk_kv(f.e, 0, i, k, 100 - i, i + 1); /* times go backwards: count windows ignore them */
  }
  TK_EXPECT(&f.out, NULL, "W a [0,3) r0 c3 s8 m1 M4", "W b [0,3) r0 c3 s14 m2 M7");
  teardown(&f);

  setup_window(&f, 0, 0, "{type: sliding, by: count, size: 3}");
  for (int i = 0; i < 5; i++) tk_kv(f.e, 0, i, "a", i, i + 1);
  TK_EXPECT(&f.out, NULL, "W a [0,3) r0 c3 s6 m1 M3", "W a [1,4) r0 c3 s9 m2 M4",
            "W a [2,5) r0 c3 s12 m3 M5");
  teardown(&f);

  setup_window(&f, 0, 0, "{type: hopping, by: count, size: 4, advance: 2}");
  for (int i = 0; i < 7; i++) tk_kv(f.e, 0, i, "a", i, i + 1);
  TK_EXPECT(&f.out, NULL, "W a [0,4) r0 c4 s10 m1 M4", "W a [2,6) r0 c4 s18 m3 M6");
  teardown(&f);
}

TEST(window_result_carries_exact_coverage) {
  fixture f;
  setup_window(&f, 0, 0, "{type: tumbling, size_ms: 10, aggregate: [count, avg]}");
  tk_kv(f.e, 0, 7, "a", 1, 1);
  tk_kv(f.e, 0, 9, "a", 2, 2);
  tk_kv(f.e, 0, 12, "a", 30, 2);
  REQUIRE(f.out.n == 1);
  json_t *o = json_loads(f.out.raw[0] + 2, 0, NULL);
  REQUIRE(o != NULL);
  CHECK_EQ_INT(tk_i(o, "first"), 7);
  CHECK_EQ_INT(tk_i(o, "last"), 9);
  CHECK_EQ_INT(tk_i(o, "n"), 2);
  char oh[17];
  uint64_t want = rs_mix64(7) + rs_mix64(9);
  for (int i = 0; i < 16; i++) oh[i] = "0123456789abcdef"[(want >> (60 - 4 * i)) & 15];
  oh[16] = 0;
  CHECK_EQ_STR(json_string_value(json_object_get(o, "oh")), oh);
  CHECK(json_object_get(o, "sum") == NULL); /* not asked for */
  CHECK(json_real_value(json_object_get(o, "avg")) == 1.5);
  CHECK_EQ_STR(json_string_value(json_object_get(o, "id")), "w/0/0/10/0/a");
  CHECK_EQ_INT(tk_i(o, "through"), 13); /* written while processing offset 12 */
  json_decref(o);
  teardown(&f);
}

SP_TEST_MAIN(tumbling_fires_on_watermark_and_drops_late, tumbling_allowed_lateness_updates_then_expires,
             tumbling_offset_and_negative_times,
             hopping_assigns_every_window_and_partial_expiry_is_not_late,
             sliding_one_window_per_record_time, sliding_lateness_updates_every_covering_window,
             session_merges_and_fires_by_end, session_late_merge_supersedes_written_sessions,
             count_windows_tumbling_sliding_hopping, window_result_carries_exact_coverage)
