/* test_oracle_ops: every operator and window type of the stream oracle on
 * hand-made inputs whose outputs were worked out by hand from
 * reference/stream/README.md (each test's comment shows the steps). A
 * test passes when the oracle's recomputation equals, field by field, the
 * records written here: verdict valid, no finding. */
#include <inttypes.h>
#include <string.h>

#include "crc32c.h"
#include "identity.h"
#include "sp_test.h"
#include "stream_case_a.h"

static const uint64_t NONE[SF_COUNT] = {0};

/* Runs the oracle on f and expects a clean pass with these record counts. */
static void expect_clean(fx *f, uint64_t out, uint64_t late, uint64_t errors) {
  stream_result r;
  check_verdict v = fx_check(f, &r);
  if (v != CHECK_VALID) fx_dump_findings(&r);
  CHECK_EQ_INT(v, CHECK_VALID);
  CHECK(fx_findings_are(&r, NONE));
  CHECK_EQ_U64(r.expected[0], out);
  CHECK_EQ_U64(r.expected[1], late);
  CHECK_EQ_U64(r.expected[2], errors);
  stream_result_free(&r);
  fx_free(f);
}

TEST(tumbling_with_filter_late_record_and_bad_input) {
  fx *f = fx_new(sp_test_tmpdir(), "a", CASE_A_JOB);
  case_a(f, PLANT_NONE);
  stream_result r;
  CHECK_EQ_INT(fx_check(f, &r), CHECK_VALID);
  CHECK(fx_findings_are(&r, NONE));
  CHECK_EQ_U64(r.input_records, 8);
  CHECK_EQ_U64(r.expected[0], 3);
  CHECK_EQ_U64(r.tasks[0].late, 1);
  CHECK_EQ_U64(r.tasks[0].bad, 1);
  CHECK(r.tasks[0].ledger);  /* every offset that reached the window covered once */
  stream_result_free(&r);
  fx_free(f);
}

/*   lateness 50, ooo 0, tumbling 100
 *   0 a ts 10 v1  -> [0,100) a; W 9
 *   1 a ts120 v2  -> [100,200) a; W 119: [0,100) a fires rev 0 {0} (drop at W >= 149)
 *   2 a ts 50 v3  -> [0,100) live (119 < 149), already due: rev 1 {0,2} at once
 *   3 a ts160 v4  -> W 159: [0,100) dropped
 *   4 a ts 60 v5  -> [0,100) expired: late (input_wm 159)
 *   5 b ts300 v6  -> W 299: [100,200) a {1,3} fires */
TEST(tumbling_allowed_lateness_revisions) {
  fx *f = fx_new(sp_test_tmpdir(), "b",
                 "name: b\ntime: {allowed_lateness_ms: 50}\nsources:\n  - {name: in, topic: in, format: json}\n"
                 "pipeline:\n  - window: {type: tumbling, size_ms: 100}\nsinks: {output: out, late: late}\n");
  static const char *const in[] = {
      "{'key':'a','ts':10,'value':1}", "{'key':'a','ts':120,'value':2}", "{'key':'a','ts':50,'value':3}",
      "{'key':'a','ts':160,'value':4}", "{'key':'a','ts':60,'value':5}", "{'key':'b','ts':300,'value':6}"};
  fx_input(f, "in", 0, in, NULL, 6);
  fx_out(f, "out", 0, "{'kind':'window','key':'a','ts':99,'value':1,'window':'tumbling','start':0,'end':100,"
                      "'rev':0,'count':1,'sum':1,'min':1,'max':1,'avg':1,'offsets':[0],'through':2,'wm':119}");
  fx_out(f, "out", 0, "{'kind':'window','key':'a','ts':99,'value':2,'window':'tumbling','start':0,'end':100,"
                      "'rev':1,'count':2,'sum':4,'min':1,'max':3,'avg':2,'offsets':[0,2],'through':3,'wm':119}");
  fx_out(f, "out", 0, "{'kind':'window','key':'a','ts':199,'value':2,'window':'tumbling','start':100,'end':200,"
                      "'rev':0,'count':2,'sum':6,'min':2,'max':4,'avg':3,'offsets':[1,3],'through':6,'wm':299}");
  fx_out(f, "late", 0, "{'kind':'late','key':'a','ts':60,'value':5,'op':0,'op_kind':'window','input':0,"
                       "'offset':4,'event':{'key':'a','ts':60,'value':5},'input_wm':159,'through':5,'wm':159}");
  expect_clean(f, 3, 1, 0);
}

/*   hopping 100 every 50, aggregate [count, sum], value sum, ooo 0
 *   0 a ts 60 v1  -> [0,100), [50,150); W 59
 *   1 b ts110 v2  -> [50,150), [100,200); W 109: [0,100) a fires
 *   2 a ts170 v4  -> [100,200), [150,250); W 169: [50,150) a, then b (end, start, key)
 *   3 a ts 40 v8  -> [-50,50) and [0,100) expired: late */
TEST(hopping_windows_order_and_selected_aggregates) {
  fx *f = fx_new(sp_test_tmpdir(), "c",
                 "name: c\nsources:\n  - {name: in, topic: in, format: json}\npipeline:\n"
                 "  - window: {type: hopping, size_ms: 100, advance_ms: 50, aggregate: [count, sum], value: sum}\n"
                 "sinks: {output: out, late: late}\n");
  static const char *const in[] = {"{'key':'a','ts':60,'value':1}", "{'key':'b','ts':110,'value':2}",
                                   "{'key':'a','ts':170,'value':4}", "{'key':'a','ts':40,'value':8}"};
  fx_input(f, "in", 0, in, NULL, 4);
  fx_out(f, "out", 0, "{'kind':'window','key':'a','ts':99,'value':1,'window':'hopping','start':0,'end':100,"
                      "'rev':0,'count':1,'sum':1,'offsets':[0],'through':2,'wm':109}");
  fx_out(f, "out", 0, "{'kind':'window','key':'a','ts':149,'value':1,'window':'hopping','start':50,'end':150,"
                      "'rev':0,'count':1,'sum':1,'offsets':[0],'through':3,'wm':169}");
  fx_out(f, "out", 0, "{'kind':'window','key':'b','ts':149,'value':2,'window':'hopping','start':50,'end':150,"
                      "'rev':0,'count':1,'sum':2,'offsets':[1],'through':3,'wm':169}");
  fx_out(f, "late", 0, "{'kind':'late','key':'a','ts':40,'value':8,'op':0,'op_kind':'window','input':0,"
                       "'offset':3,'event':{'key':'a','ts':40,'value':8},'input_wm':169,'through':4,'wm':169}");
  expect_clean(f, 3, 1, 0);
}

/*   sliding 100, lateness 40, ooo 0 (window t covers (t-100, t])
 *   0 a ts10 v1   -> a@10 {0}; W 9
 *   1 a ts50 v2   -> a@50 = {0} (its range) + {1}; W 49: a@10 fires rev 0 {0}
 *   2 a ts30 v4   -> a@30 = {0} + {2}, due (49 >= 30): rev 0 at once; a@50 += 2
 *   3 a ts10 v8   -> lands in a@10 (fired, live until W >= 50): rev 1 {0,3};
 *                    a@30 rev 1 {0,2,3}; a@50 += 3 (not fired)
 *   4 a ts 5 v16  -> 5 + 40 <= 49: late
 *   5 b ts100 v32 -> W 99: a@50 {0,1,2,3} fires; a@10, a@30, a@50 dropped */
TEST(sliding_windows_fill_reemit_and_fire_due) {
  fx *f = fx_new(sp_test_tmpdir(), "d",
                 "name: d\ntime: {allowed_lateness_ms: 40}\nsources:\n  - {name: in, topic: in, format: json}\n"
                 "pipeline:\n  - window: {type: sliding, size_ms: 100}\nsinks: {output: out, late: late}\n");
  static const char *const in[] = {
      "{'key':'a','ts':10,'value':1}", "{'key':'a','ts':50,'value':2}", "{'key':'a','ts':30,'value':4}",
      "{'key':'a','ts':10,'value':8}", "{'key':'a','ts':5,'value':16}", "{'key':'b','ts':100,'value':32}"};
  fx_input(f, "in", 0, in, NULL, 6);
  fx_out(f, "out", 0, "{'kind':'window','key':'a','ts':10,'value':1,'window':'sliding','start':-89,'end':11,"
                      "'rev':0,'count':1,'sum':1,'min':1,'max':1,'avg':1,'offsets':[0],'through':2,'wm':49}");
  fx_out(f, "out", 0, "{'kind':'window','key':'a','ts':30,'value':2,'window':'sliding','start':-69,'end':31,"
                      "'rev':0,'count':2,'sum':5,'min':1,'max':4,'avg':2.5,'offsets':[0,2],'through':3,'wm':49}");
  fx_out(f, "out", 0, "{'kind':'window','key':'a','ts':10,'value':2,'window':'sliding','start':-89,'end':11,"
                      "'rev':1,'count':2,'sum':9,'min':1,'max':8,'avg':4.5,'offsets':[0,3],'through':4,'wm':49}");
  fx_out(f, "out", 0, "{'kind':'window','key':'a','ts':30,'value':3,'window':'sliding','start':-69,'end':31,"
                      "'rev':1,'count':3,'sum':13,'min':1,'max':8,'avg':4.333333333333333,'offsets':[0,2,3],"
                      "'through':4,'wm':49}");
  fx_out(f, "out", 0, "{'kind':'window','key':'a','ts':50,'value':4,'window':'sliding','start':-49,'end':51,"
                      "'rev':0,'count':4,'sum':15,'min':1,'max':8,'avg':3.75,'offsets':[0,1,2,3],'through':6,'wm':99}");
  fx_out(f, "late", 0, "{'kind':'late','key':'a','ts':5,'value':16,'op':0,'op_kind':'window','input':0,"
                       "'offset':4,'event':{'key':'a','ts':5,'value':16},'input_wm':49,'through':5,'wm':49}");
  expect_clean(f, 5, 1, 0);
}

/*   session gap 50, lateness 300, ooo 0
 *   0 a ts100 v1  -> [100,150); W 99
 *   1 a ts300 v2  -> [300,350); W 299: [100,150) fires rev 0
 *   2 a ts170 v4  -> [170,220), due at once (299 >= 219): rev 0
 *   3 a ts130 v8  -> bridges both: [100,220) {0,2,3}, rev 1, supersedes both
 *   4 a ts200 v16 -> grows it: [100,250), rev 2, supersedes [100,220,1]
 *   5 a ts110 v32 -> inside: same bounds, rev 3, nothing superseded
 *   6 b ts600 v64 -> W 599: [300,350) fires rev 0; [100,250) dropped (549)
 *   7 a ts100 v128-> 100 + 49 + 300 <= 599: late */
TEST(session_windows_merge_and_supersede) {
  fx *f = fx_new(sp_test_tmpdir(), "e",
                 "name: e\ntime: {allowed_lateness_ms: 300}\nsources:\n  - {name: in, topic: in, format: json}\n"
                 "pipeline:\n  - window: {type: session, gap_ms: 50}\nsinks: {output: out, late: late}\n");
  static const char *const in[] = {
      "{'key':'a','ts':100,'value':1}", "{'key':'a','ts':300,'value':2}", "{'key':'a','ts':170,'value':4}",
      "{'key':'a','ts':130,'value':8}", "{'key':'a','ts':200,'value':16}", "{'key':'a','ts':110,'value':32}",
      "{'key':'b','ts':600,'value':64}", "{'key':'a','ts':100,'value':128}"};
  fx_input(f, "in", 0, in, NULL, 8);
  fx_out(f, "out", 0, "{'kind':'window','key':'a','ts':149,'value':1,'window':'session','start':100,'end':150,"
                      "'rev':0,'count':1,'sum':1,'min':1,'max':1,'avg':1,'offsets':[0],'through':2,'wm':299}");
  fx_out(f, "out", 0, "{'kind':'window','key':'a','ts':219,'value':1,'window':'session','start':170,'end':220,"
                      "'rev':0,'count':1,'sum':4,'min':4,'max':4,'avg':4,'offsets':[2],'through':3,'wm':299}");
  fx_out(f, "out", 0, "{'kind':'window','key':'a','ts':219,'value':3,'window':'session','start':100,'end':220,"
                      "'rev':1,'count':3,'sum':13,'min':1,'max':8,'avg':4.333333333333333,'offsets':[0,2,3],"
                      "'superseded':[[100,150,0],[170,220,0]],'through':4,'wm':299}");
  fx_out(f, "out", 0, "{'kind':'window','key':'a','ts':249,'value':4,'window':'session','start':100,'end':250,"
                      "'rev':2,'count':4,'sum':29,'min':1,'max':16,'avg':7.25,'offsets':[0,2,3,4],"
                      "'superseded':[[100,220,1]],'through':5,'wm':299}");
  fx_out(f, "out", 0, "{'kind':'window','key':'a','ts':249,'value':5,'window':'session','start':100,'end':250,"
                      "'rev':3,'count':5,'sum':61,'min':1,'max':32,'avg':12.2,'offsets':[0,2,3,4,5],"
                      "'through':6,'wm':299}");
  fx_out(f, "out", 0, "{'kind':'window','key':'a','ts':349,'value':1,'window':'session','start':300,'end':350,"
                      "'rev':0,'count':1,'sum':2,'min':2,'max':2,'avg':2,'offsets':[1],'through':7,'wm':599}");
  fx_out(f, "late", 0, "{'kind':'late','key':'a','ts':100,'value':128,'op':0,'op_kind':'window','input':0,"
                       "'offset':7,'event':{'key':'a','ts':100,'value':128},'input_wm':599,'through':8,'wm':599}");
  expect_clean(f, 6, 1, 0);
}

/*   count hopping size 3 advance 2, [count, sum]; per key numbering
 *   a: offsets 0,1,2,4,5 are a's records 0..4: window [0,3) = offsets
 *   0,1,2 completes at offset 2 (time 20), window [2,5) = offsets 2,4,5 at
 *   offset 5 (time 30); [4,7) waits. b: one record, its window waits.
 *   W after each record (ooo 0): 9, 9, 19, 19, 19, 29. */
TEST(count_windows_hopping) {
  fx *f = fx_new(sp_test_tmpdir(), "f",
                 "name: f\nsources:\n  - {name: in, topic: in, format: json}\npipeline:\n"
                 "  - window: {type: hopping, by: count, size: 3, advance: 2, aggregate: [count, sum]}\n"
                 "sinks: {output: out}\n");
  static const char *const in[] = {"{'key':'a','ts':10,'value':1}", "{'key':'a','ts':5,'value':2}",
                                   "{'key':'a','ts':20,'value':3}", "{'key':'b','ts':2,'value':6}",
                                   "{'key':'a','ts':1,'value':4}",  "{'key':'a','ts':30,'value':5}"};
  fx_input(f, "in", 0, in, NULL, 6);
  fx_out(f, "out", 0, "{'kind':'window','key':'a','ts':20,'value':3,'window':'count-hopping','start':0,'end':3,"
                      "'rev':0,'count':3,'sum':6,'offsets':[0,1,2],'through':3,'wm':9}");
  fx_out(f, "out", 0, "{'kind':'window','key':'a','ts':30,'value':3,'window':'count-hopping','start':2,'end':5,"
                      "'rev':0,'count':3,'sum':12,'offsets':[2,4,5],'through':6,'wm':19}");
  expect_clean(f, 2, 0, 0);
}

/*   count tumbling 2, then count sliding 2 over its results:
 *   offsets 0..3 (key a) -> tumbling [0,2) {0,1} completes at offset 1
 *   (time 11), [2,4) {2,3} at offset 3 (time 13). Each result goes on with
 *   value = its count (2). The sliding window [0,2) of those two results
 *   completes with the second: count 2, sum 2 + 2, time 13, covering the
 *   union {0,1,2,3} (README: a window of window results covers the union). */
TEST(count_window_of_window_results) {
  fx *f = fx_new(sp_test_tmpdir(), "f2",
                 "name: f2\nsources:\n  - {name: in, topic: in, format: json}\npipeline:\n"
                 "  - window: {type: tumbling, by: count, size: 2, aggregate: [count]}\n"
                 "  - window: {type: sliding, by: count, size: 2, aggregate: [count, sum]}\n"
                 "sinks: {output: out}\n");
  static const char *const in[] = {"{'key':'a','ts':10,'value':1}", "{'key':'a','ts':11,'value':2}",
                                   "{'key':'a','ts':12,'value':3}", "{'key':'a','ts':13,'value':4}"};
  fx_input(f, "in", 0, in, NULL, 4);
  fx_out(f, "out", 0, "{'kind':'window','key':'a','ts':13,'value':2,'window':'count-sliding','start':0,'end':2,"
                      "'rev':0,'count':2,'sum':4,'offsets':[0,1,2,3],'through':4,'wm':11}");
  expect_clean(f, 1, 0, 0);
}

/*   reorder, ooo 20: held until W >= time, released in (time, offset) order
 *   0 a100 1 1 a90 2 b85 -> held; W 79
 *   3 a130         -> W 109: releases 2 (85), 1 (90), 0 (100)
 *   4 a70          -> 70 <= 109: late
 *   5 b150         -> W 129: nothing
 *   6 a200 7 b200  -> W 179: 3 (130), 5 (150)
 *   8 a250         -> W 229: 6 and 7 (time 200, offset order) */
TEST(reorder_releases_in_time_then_offset_order) {
  fx *f = fx_new(sp_test_tmpdir(), "g",
                 "name: g\ntime: {out_of_orderness_ms: 20}\nsources:\n  - {name: in, topic: in, format: json}\n"
                 "pipeline:\n  - reorder: {}\nsinks: {output: out, late: late}\n");
  static const char *const in[] = {
      "{'key':'a','ts':100,'value':1}", "{'key':'a','ts':90,'value':2}",  "{'key':'b','ts':85,'value':3}",
      "{'key':'a','ts':130,'value':4}", "{'key':'a','ts':70,'value':5}",  "{'key':'b','ts':150,'value':6}",
      "{'key':'a','ts':200,'value':7}", "{'key':'b','ts':200,'value':8}", "{'key':'a','ts':250,'value':9}"};
  fx_input(f, "in", 0, in, NULL, 9);
  static const int order[][5] = {{2, 85, 3, 4, 109}, {1, 90, 2, 4, 109}, {0, 100, 1, 4, 109},
                                 {3, 130, 4, 7, 179}, {5, 150, 6, 7, 179}, {6, 200, 7, 9, 229},
                                 {7, 200, 8, 9, 229}};
  for (size_t i = 0; i < 7; i++) {
    const int *o = order[i];
    const char *key = (o[0] == 2 || o[0] == 5 || o[0] == 7) ? "b" : "a";
    char rec[512];
    snprintf(rec, sizeof rec,
             "{'kind':'event','key':'%s','ts':%d,'value':%d,'offset':%d,"
             "'event':{'key':'%s','ts':%d,'value':%d},'through':%d,'wm':%d}",
             key, o[1], o[2], o[0], key, o[1], o[2], o[3], o[4]);
    fx_out(f, "out", 0, rec);
  }
  fx_out(f, "late", 0, "{'kind':'late','key':'a','ts':70,'value':5,'op':0,'op_kind':'reorder','input':0,"
                       "'offset':4,'event':{'key':'a','ts':70,'value':5},'input_wm':109,'through':5,'wm':109}");
  expect_clean(f, 7, 1, 0);
}

/*   pattern login then buy within 50, emit both, ooo 0, lateness 0
 *   0 a100 login  A, decided at W >= 150      1 a120 buy  B
 *   2 b130 login  A (180)   3 a140 login A (190)   4 a110 buy B (110+50 > 139)
 *   5 c160 other  dropped; W 159: A@0 -> earliest B after it: 4 (110) -> match
 *   6 a190 buy    W 189: A@2 (b) has no B -> absence at 180
 *   7 a300 other  W 299: A@3 -> B 6 (190 <= 190) -> match
 *   8 a200 buy    200 + 50 <= 299: late */
TEST(pattern_matches_absences_and_late_b) {
  fx *f = fx_new(sp_test_tmpdir(), "h",
                 "name: h\nsources:\n  - {name: in, topic: in, format: json}\npipeline:\n"
                 "  - pattern: {first: {field: type, eq: login}, then: {field: type, eq: buy}, within_ms: 50, emit: both}\n"
                 "sinks: {output: out, late: late}\n");
  static const char *const in[] = {
      "{'key':'a','ts':100,'value':1,'type':'login'}", "{'key':'a','ts':120,'value':2,'type':'buy'}",
      "{'key':'b','ts':130,'value':3,'type':'login'}", "{'key':'a','ts':140,'value':4,'type':'login'}",
      "{'key':'a','ts':110,'value':5,'type':'buy'}",   "{'key':'c','ts':160,'value':6,'type':'x'}",
      "{'key':'a','ts':190,'value':7,'type':'buy'}",   "{'key':'a','ts':300,'value':8,'type':'x'}",
      "{'key':'a','ts':200,'value':9,'type':'buy'}"};
  fx_input(f, "in", 0, in, NULL, 9);
  fx_out(f, "out", 0,
         "{'kind':'match','id':'p/0/0','key':'a','ts':110,'value':1,"
         "'first':{'offset':0,'key':'a','ts':100,'value':1,'event':{'key':'a','ts':100,'value':1,'type':'login'}},"
         "'then':{'offset':4,'key':'a','ts':110,'value':5,'event':{'key':'a','ts':110,'value':5,'type':'buy'}},"
         "'through':6,'wm':159}");
  fx_out(f, "out", 0,
         "{'kind':'absence','id':'p/0/2','key':'b','ts':180,'value':3,"
         "'first':{'offset':2,'key':'b','ts':130,'value':3,'event':{'key':'b','ts':130,'value':3,'type':'login'}},"
         "'then':null,'through':7,'wm':189}");
  fx_out(f, "out", 0,
         "{'kind':'match','id':'p/0/3','key':'a','ts':190,'value':4,"
         "'first':{'offset':3,'key':'a','ts':140,'value':4,'event':{'key':'a','ts':140,'value':4,'type':'login'}},"
         "'then':{'offset':6,'key':'a','ts':190,'value':7,'event':{'key':'a','ts':190,'value':7,'type':'buy'}},"
         "'through':8,'wm':299}");
  fx_out(f, "late", 0, "{'kind':'late','key':'a','ts':200,'value':9,'op':0,'op_kind':'pattern','input':0,"
                       "'offset':8,'event':{'key':'a','ts':200,'value':9,'type':'buy'},'input_wm':299,"
                       "'through':9,'wm':299}");
  expect_clean(f, 3, 1, 0);
}

/*   left join, before 10 after 20 (l.ts - 10 <= r.ts <= l.ts + 20), ooo 0
 *   left:  0 a100 v1, 1 b100 v2, 2 a150 v3, 3 a50 v4 (50 <= W0 149: late)
 *   right: 0 a95 v10, 1 a115 v11, 2 a125 v12, 3 b300 v13, 4 a90 v14 (late, W1 299)
 *   pairs: (0,0), (0,1); a125 joins nothing; nulls (W1 299 >= l.ts + 20):
 *   left 1 and 2. Two inputs: the multiset without seq/through/wm. */
TEST(join_left_pairs_nulls_and_late_sides) {
  fx *f = fx_new(sp_test_tmpdir(), "i",
                 "name: i\nsources:\n  - {name: in, topic: in, format: json}\n"
                 "  - {name: other, topic: other, format: json}\npipeline:\n"
                 "  - join: {with: other, type: left, before_ms: 10, after_ms: 20}\n"
                 "sinks: {output: out, late: late}\n");
  static const char *const left[] = {"{'key':'a','ts':100,'value':1}", "{'key':'b','ts':100,'value':2}",
                                     "{'key':'a','ts':150,'value':3}", "{'key':'a','ts':50,'value':4}"};
  static const char *const right[] = {"{'key':'a','ts':95,'value':10}", "{'key':'a','ts':115,'value':11}",
                                      "{'key':'a','ts':125,'value':12}", "{'key':'b','ts':300,'value':13}",
                                      "{'key':'a','ts':90,'value':14}"};
  fx_input(f, "in", 0, left, NULL, 4);
  fx_input(f, "other", 0, right, NULL, 5);
#define L0 "{'offset':0,'key':'a','ts':100,'value':1,'event':{'key':'a','ts':100,'value':1}}"
  /* written in another order than the recomputation's, with made-up timing fields */
  fx_out(f, "out", 0, "{'kind':'join','id':'j/0/2/-','key':'a','ts':150,'value':3,'left':{'offset':2,'key':'a',"
                      "'ts':150,'value':3,'event':{'key':'a','ts':150,'value':3}},'right':null,"
                      "'through':4,'through1':4,'wm':149}");
  fx_out(f, "out", 0, "{'kind':'join','id':'j/0/0/1','key':'a','ts':115,'value':1,'left':" L0 ","
                      "'right':{'offset':1,'key':'a','ts':115,'value':11,'event':{'key':'a','ts':115,'value':11}},"
                      "'through':1,'through1':2,'wm':99}");
  fx_out(f, "out", 0, "{'kind':'join','id':'j/0/0/0','key':'a','ts':100,'value':1,'left':" L0 ","
                      "'right':{'offset':0,'key':'a','ts':95,'value':10,'event':{'key':'a','ts':95,'value':10}},"
                      "'through':1,'through1':1,'wm':99}");
  fx_out(f, "out", 0, "{'kind':'join','id':'j/0/1/-','key':'b','ts':100,'value':2,'left':{'offset':1,'key':'b',"
                      "'ts':100,'value':2,'event':{'key':'b','ts':100,'value':2}},'right':null,"
                      "'through':2,'through1':4,'wm':99}");
#undef L0
  fx_out(f, "late", 0, "{'kind':'late','key':'a','ts':90,'value':14,'op':0,'op_kind':'join','input':1,"
                       "'offset':4,'event':{'key':'a','ts':90,'value':14},'input_wm':299,'through':4,"
                       "'through1':5,'wm':149}");
  fx_out(f, "late", 0, "{'kind':'late','key':'a','ts':50,'value':4,'op':0,'op_kind':'join','input':0,"
                       "'offset':3,'event':{'key':'a','ts':50,'value':4},'input_wm':149,'through':4,"
                       "'through1':5,'wm':149}");
  expect_clean(f, 4, 2, 0);
}

/*   enrich left, ooo 0, lateness 0; table (JSON times)
 *   table: 0 a100 v10, 1 b150 v30, 2 a200 v20, 3 a200 v21 (same time, higher
 *          offset: wins), 4 b120 v31 (120 <= W1 199: late), 5 z400 v99 (W1 399)
 *   stream: 0 b100 -> no b row at 100: table null; 1 a150 -> table 0;
 *          2 a200 -> table 3; 3 c500 -> waits for W1 >= 500: never (not
 *          written); 4 a50 -> late (W0 499) */
TEST(enrich_versions_ties_and_left_nulls) {
  fx *f = fx_new(sp_test_tmpdir(), "j",
                 "name: j\nsources:\n  - {name: in, topic: in, format: json}\n"
                 "  - {name: users, topic: users, format: json}\npipeline:\n"
                 "  - enrich: {table: users, type: left}\nsinks: {output: out, late: late}\n");
  static const char *const table[] = {"{'key':'a','ts':100,'value':10}", "{'key':'b','ts':150,'value':30}",
                                      "{'key':'a','ts':200,'value':20}", "{'key':'a','ts':200,'value':21}",
                                      "{'key':'b','ts':120,'value':31}", "{'key':'z','ts':400,'value':99}"};
  static const char *const stream[] = {"{'key':'b','ts':100,'value':1}", "{'key':'a','ts':150,'value':2}",
                                       "{'key':'a','ts':200,'value':3}", "{'key':'c','ts':500,'value':4}",
                                       "{'key':'a','ts':50,'value':5}"};
  fx_input(f, "users", 0, table, NULL, 6);
  fx_input(f, "in", 0, stream, NULL, 5);
  fx_out(f, "out", 0, "{'kind':'enrich','key':'b','ts':100,'value':1,'offset':0,"
                      "'event':{'key':'b','ts':100,'value':1},'table':null,'through':1,'through1':6,'wm':-2305843009213693952}");
  fx_out(f, "out", 0, "{'kind':'enrich','key':'a','ts':150,'value':2,'offset':1,'event':{'key':'a','ts':150,'value':2},"
                      "'table':{'offset':0,'key':'a','ts':100,'value':10,'event':{'key':'a','ts':100,'value':10}},"
                      "'through':2,'through1':6,'wm':99}");
  fx_out(f, "out", 0, "{'kind':'enrich','key':'a','ts':200,'value':3,'offset':2,'event':{'key':'a','ts':200,'value':3},"
                      "'table':{'offset':3,'key':'a','ts':200,'value':21,'event':{'key':'a','ts':200,'value':21}},"
                      "'through':3,'through1':6,'wm':149}");
  fx_out(f, "late", 0, "{'kind':'late','key':'b','ts':120,'value':31,'op':0,'op_kind':'enrich','input':1,"
                       "'offset':4,'event':{'key':'b','ts':120,'value':31},'input_wm':199,'through':0,"
                       "'through1':5,'wm':-2305843009213693952}");
  fx_out(f, "late", 0, "{'kind':'late','key':'a','ts':50,'value':5,'op':0,'op_kind':'enrich','input':0,"
                       "'offset':4,'event':{'key':'a','ts':50,'value':5},'input_wm':499,'through':5,"
                       "'through1':6,'wm':499}");
  stream_result r;
  CHECK_EQ_INT(fx_check(f, &r), CHECK_VALID);
  CHECK(fx_findings_are(&r, NONE));
  CHECK_EQ_U64(r.expected[0], 3); /* c500 still waits: not expected yet */
  stream_result_free(&r);
  fx_free(f);
}

/*   inner enrich against a table keyed and timed by Kafka (tombstones):
 *   table: a@100 {name x}, a@200 tombstone, z@1000 {}
 *   stream: b120 -> no row: no output (inner); a150 -> the a@100 row;
 *           a250 -> deleted: no output */
TEST(enrich_inner_tombstones_delete_rows) {
  fx *f = fx_new(sp_test_tmpdir(), "k",
                 "name: k\nsources:\n  - {name: in, topic: in, format: json}\n"
                 "  - {name: users, topic: users, format: json, key: kafka_key, time: kafka_timestamp, value: one}\n"
                 "pipeline:\n  - enrich: {table: users}\nsinks: {output: out}\n");
  fx_input_ts(f, "users", 0, "{'name':'x'}", "a", 100);
  fx_input_ts(f, "users", 0, NULL, "a", 200);
  fx_input_ts(f, "users", 0, "{}", "z", 1000);
  static const char *const stream[] = {"{'key':'b','ts':120,'value':3}", "{'key':'a','ts':150,'value':1}",
                                       "{'key':'a','ts':250,'value':2}"};
  fx_input(f, "in", 0, stream, NULL, 3);
  fx_out(f, "out", 0, "{'kind':'enrich','key':'a','ts':150,'value':1,'offset':1,'event':{'key':'a','ts':150,'value':1},"
                      "'table':{'offset':0,'key':'a','ts':100,'value':1,'event':{'name':'x'}},'through':2,"
                      "'through1':3,'wm':119}");
  stream_result r;
  CHECK_EQ_INT(fx_check(f, &r), CHECK_VALID);
  CHECK(fx_findings_are(&r, NONE));
  CHECK_EQ_U64(r.tasks[0].dropped, 2);
  stream_result_free(&r);
  fx_free(f);
}

/*   transform key := user, value := amount * 2 + 1; threshold crossing
 *   above 10 with falls (ooo 0, W = ts - 1 after each record)
 *   0 u1 3 -> 7   below (a key starts below): nothing
 *   1 u1 6 -> 13  rise     2 u1 7 -> 15 still above
 *   3 u2 5 -> 11  rise     4 u1 2 -> 5  fall
 *   5 amount "x"  dropped by transform (still moves W)
 *   6 user 1.5 amount 100 -> key "1.5", 201: rise */
TEST(transform_and_threshold_crossing) {
  fx *f = fx_new(sp_test_tmpdir(), "l",
                 "name: l\nsources:\n  - {name: in, topic: in, format: json}\npipeline:\n"
                 "  - transform: {key: user, value: amount, value_mul: 2, value_add: 1}\n"
                 "  - threshold: {above: 10, mode: crossing, emit_fall: true}\nsinks: {output: out}\n");
  static const char *const in[] = {
      "{'ts':1,'value':0,'user':'u1','amount':3}", "{'ts':2,'value':0,'user':'u1','amount':6}",
      "{'ts':3,'value':0,'user':'u1','amount':7}", "{'ts':4,'value':0,'user':'u2','amount':5}",
      "{'ts':5,'value':0,'user':'u1','amount':2}", "{'ts':6,'value':0,'user':7,'amount':'x'}",
      "{'ts':7,'value':0,'user':1.5,'amount':100}"};
  fx_input(f, "in", 0, in, NULL, 7);
  fx_out(f, "out", 0, "{'kind':'event','key':'u1','ts':2,'value':13,'offset':1,'alert':'rise',"
                      "'event':{'ts':2,'value':0,'user':'u1','amount':6},'through':2,'wm':0}");
  fx_out(f, "out", 0, "{'kind':'event','key':'u2','ts':4,'value':11,'offset':3,'alert':'rise',"
                      "'event':{'ts':4,'value':0,'user':'u2','amount':5},'through':4,'wm':2}");
  fx_out(f, "out", 0, "{'kind':'event','key':'u1','ts':5,'value':5,'offset':4,'alert':'fall',"
                      "'event':{'ts':5,'value':0,'user':'u1','amount':2},'through':5,'wm':3}");
  fx_out(f, "out", 0, "{'kind':'event','key':'1.5','ts':7,'value':201,'offset':6,'alert':'rise',"
                      "'event':{'ts':7,'value':0,'user':1.5,'amount':100},'through':7,'wm':5}");
  stream_result r;
  CHECK_EQ_INT(fx_check(f, &r), CHECK_VALID);
  CHECK(fx_findings_are(&r, NONE));
  CHECK_EQ_U64(r.tasks[0].dropped, 1);
  stream_result_free(&r);
  fx_free(f);
}

/*   an idle mark with +infinity (idle_advance: end) fires the last window:
 *   0 a10, 1 a150 -> W 149: [0,100) a fires (through 2)
 *   mark pos 2 idle +inf -> [100,200) a {1} fires (through 2, wm +inf) */
TEST(idle_mark_fires_the_last_window) {
  fx *f = fx_new(sp_test_tmpdir(), "m",
                 "name: m\nsources:\n  - {name: in, topic: in, format: json, idle_timeout_ms: 100, idle_advance: end}\n"
                 "pipeline:\n  - window: {type: tumbling, size_ms: 100, aggregate: [count]}\nsinks: {output: out}\n");
  static const char *const in[] = {"{'key':'a','ts':10,'value':1}", "{'key':'a','ts':150,'value':2}"};
  fx_input(f, "in", 0, in, NULL, 2);
  fx_out(f, "out", 0, "{'kind':'window','key':'a','ts':99,'value':1,'window':'tumbling','start':0,'end':100,"
                      "'rev':0,'count':1,'offsets':[0],'through':2,'wm':149}");
  fx_out(f, "out", 0, "{'kind':'marks','id':'m/0/0/2/idle/2305843009213693951','marks':[{'input':0,"
                      "'input_topic':'in','pos':2,'type':'idle','value':2305843009213693951}],'through':2,"
                      "'wm':2305843009213693951}");
  fx_out(f, "out", 0, "{'kind':'window','key':'a','ts':199,'value':1,'window':'tumbling','start':100,'end':200,"
                      "'rev':0,'count':1,'offsets':[1],'through':2,'wm':2305843009213693951}");
  stream_result r;
  CHECK_EQ_INT(fx_check(f, &r), CHECK_VALID);
  CHECK(fx_findings_are(&r, NONE));
  CHECK_EQ_U64(r.marks, 1);
  CHECK_EQ_U64(r.pending, 0);
  stream_result_free(&r);
  fx_free(f);
}

/*   processing time: record times are the stamps the proc marks set
 *   mark pos 0 proc 1000 (stamp 1000, W 999); records 0 a, 1 b, 2 a at 1000
 *   mark pos 3 proc 1100 (no record yet): W 1099 fires [1000,1100) a {0,2}, b {1}
 *   mark pos 3 proc 1250 (written later, applies before record 3 too): W 1249
 *   record 3 a at 1250 -> [1200,1300); mark pos 4 proc 1300: W 1299 fires it */
TEST(processing_time_follows_the_proc_marks) {
  fx *f = fx_new(sp_test_tmpdir(), "n",
                 "name: n\ntime: {mode: processing, processing_tick_ms: 50}\n"
                 "sources:\n  - {name: in, topic: in, format: json}\n"
                 "pipeline:\n  - window: {type: tumbling, size_ms: 100, aggregate: [count]}\nsinks: {output: out}\n");
  static const char *const in[] = {"{'key':'a','ts':1,'value':1}", "{'key':'b','ts':1,'value':1}",
                                   "{'key':'a','ts':1,'value':1}", "{'key':'a','ts':1,'value':1}"};
  fx_input(f, "in", 0, in, NULL, 4);
  fx_out(f, "out", 0, "{'kind':'marks','id':'m/0/0/0/proc/1000','marks':[{'input':0,'input_topic':'in','pos':0,"
                      "'type':'proc','value':1000},{'input':0,'input_topic':'in','pos':3,'type':'proc',"
                      "'value':1100}],'through':3,'wm':1099}");
  fx_out(f, "out", 0, "{'kind':'window','key':'a','ts':1099,'value':2,'window':'tumbling','start':1000,'end':1100,"
                      "'rev':0,'count':2,'offsets':[0,2],'through':3,'wm':1099}");
  fx_out(f, "out", 0, "{'kind':'window','key':'b','ts':1099,'value':1,'window':'tumbling','start':1000,'end':1100,"
                      "'rev':0,'count':1,'offsets':[1],'through':3,'wm':1099}");
  fx_out(f, "out", 0, "{'kind':'marks','id':'m/0/0/3/proc/1250','marks':[{'input':0,'input_topic':'in','pos':3,"
                      "'type':'proc','value':1250}],'through':4,'wm':1249}");
  fx_out(f, "out", 0, "{'kind':'marks','id':'m/0/0/4/proc/1300','marks':[{'input':0,'input_topic':'in','pos':4,"
                      "'type':'proc','value':1300}],'through':4,'wm':1299}");
  fx_out(f, "out", 0, "{'kind':'window','key':'a','ts':1299,'value':1,'window':'tumbling','start':1200,'end':1300,"
                      "'rev':0,'count':1,'offsets':[3],'through':4,'wm':1299}");
  stream_result r;
  CHECK_EQ_INT(fx_check(f, &r), CHECK_VALID);
  CHECK(fx_findings_are(&r, NONE));
  CHECK_EQ_U64(r.marks, 4);
  stream_result_free(&r);
  fx_free(f);
}

/* An identity message built with the load generator's encoder. */
static void identity_input(fx *f, uint32_t writer, uint64_t seq, uint32_t key, int64_t et, int corrupt) {
  uint8_t p[64] = {0};
  identity id = {.writer = writer, .seq = seq, .key = key, .size = sizeof p, .event_time_ms = et};
  identity_encode(&id, p, sizeof p);
  if (corrupt) p[60] ^= 1;
  fx_input_raw(f, "ids", 0, p, sizeof p, NULL);
}

/*   identity input, filter key_id mod 2 = 0 (mathematical mod: no key is
 *   key_id -1, and -1 mod 2 = 1), errors sink
 *   0 key 2  -> passes     1 key 3 -> filtered     2 no key -> filtered
 *   3 key 4, padding corrupted -> bad: an error record
 *   4 a 10-byte payload -> bad     5 key 4 -> passes */
TEST(identity_input_and_error_records) {
  fx *f = fx_new(sp_test_tmpdir(), "o",
                 "name: o\nsources:\n  - {name: in, topic: ids, format: identity}\npipeline:\n"
                 "  - filter: {field: key_id, mod: 2, eq: 0}\nsinks: {output: out, errors: bad}\n");
  identity_input(f, 7, 5, 2, 100, 0);
  identity_input(f, 7, 6, 3, 101, 0);
  identity_input(f, 7, 7, IDENTITY_NO_KEY, 102, 0);
  identity_input(f, 7, 8, 4, 103, 1);
  fx_input_raw(f, "ids", 0, "0123456789", 10, "k");
  identity_input(f, 8, 1, 4, 90, 0);
  fx_out(f, "out", 0, "{'kind':'event','key':'2','ts':100,'value':5,'offset':0,'event':{'writer':7,'seq':5,"
                      "'key':2,'size':64,'event_time_ms':100,'topic':0},'through':1,'wm':-2305843009213693952}");
  fx_out(f, "out", 0, "{'kind':'event','key':'4','ts':90,'value':1,'offset':5,'event':{'writer':8,'seq':1,"
                      "'key':4,'size':64,'event_time_ms':90,'topic':0},'through':6,'wm':101}");
  /* the corrupted message: its hex is whatever 64 bytes it has; computed here */
  uint8_t p[64] = {0};
  identity id = {.writer = 7, .seq = 8, .key = 4, .size = 64, .event_time_ms = 103};
  identity_encode(&id, p, sizeof p);
  p[60] ^= 1;
  char hex[129], rec[512];
  for (int i = 0; i < 64; i++) snprintf(hex + 2 * i, 3, "%02x", p[i]);
  snprintf(rec, sizeof rec, "{'kind':'error','input':0,'input_topic':'ids','offset':3,'reason':'crc',"
                            "'payload_len':64,'payload_hex':'%s','through':4,'wm':101}", hex);
  fx_out(f, "bad", 0, rec);
  fx_out(f, "bad", 0, "{'kind':'error','input':0,'input_topic':'ids','offset':4,'reason':'short',"
                      "'payload_len':10,'payload_hex':'30313233343536373839','kafka_key':'k','through':5,'wm':101}");
  expect_clean(f, 2, 0, 2);
}

/*   two tasks (2 partitions) writing to a 1-partition output: both share
 *   partition 0 (task mod 1), each task's records compared on their own */
TEST(two_tasks_share_one_output_partition) {
  fx *f = fx_new(sp_test_tmpdir(), "p",
                 "name: p\nsources:\n  - {name: in, topic: in, format: json}\npipeline:\n"
                 "  - filter: {field: value, gt: 1}\nsinks: {output: out}\n");
  static const char *const p0[] = {"{'key':'a','ts':1,'value':1}", "{'key':'a','ts':2,'value':2}"};
  static const char *const p1[] = {"{'key':'b','ts':5,'value':3}"};
  fx_input(f, "in", 0, p0, NULL, 2);
  fx_input(f, "in", 1, p1, NULL, 1);
  fx_out(f, "out", 0, "{'kind':'event','task':1,'p':1,'key':'b','ts':5,'value':3,'offset':0,"
                      "'event':{'key':'b','ts':5,'value':3},'through':1,'wm':-2305843009213693952}");
  fx_out(f, "out", 0, "{'kind':'event','key':'a','ts':2,'value':2,'offset':1,"
                      "'event':{'key':'a','ts':2,'value':2},'through':2,'wm':0}");
  expect_clean(f, 2, 0, 0);
}

/*   the README's field names are reserved: on a JSON record `seq` (an
 *   identity field) and `count` (a window field) are missing, whatever the
 *   payload holds; payload.seq reaches the member. So of
 *   0 {seq 7, count 1}  1 {seq 8, count 9}  only 1 passes
 *   any[seq = 7, count = 9, payload.seq = 8]. */
TEST(reserved_field_names_do_not_read_the_payload) {
  fx *f = fx_new(sp_test_tmpdir(), "q",
                 "name: q\nsources:\n  - {name: in, topic: in, format: json}\npipeline:\n"
                 "  - filter: {any: [{field: seq, eq: 7}, {field: count, eq: 9}, {field: payload.seq, eq: 8}]}\n"
                 "sinks: {output: out}\n");
  static const char *const in[] = {"{'key':'a','ts':1,'value':1,'seq':7,'count':1}",
                                   "{'key':'a','ts':2,'value':2,'seq':8,'count':9}"};
  fx_input(f, "in", 0, in, NULL, 2);
  fx_out(f, "out", 0, "{'kind':'event','key':'a','ts':2,'value':2,'offset':1,"
                      "'event':{'key':'a','ts':2,'value':2,'seq':8,'count':9},'through':2,'wm':0}");
  expect_clean(f, 1, 0, 0);
}

/*   an idle mark on input 1 (a table with idle_advance: inputs) releases
 *   the stream records waiting for the table's watermark:
 *   table 0 a@100 (W1 99); stream 0 a@150 waits (W1 < 150), 1 b@160 waits;
 *   mark input 1 pos 1 idle 155: W1 155 >= 150 releases a@150 (row a@100);
 *   b@160 still waits (not expected). */
TEST(idle_mark_on_the_table_releases_waiting_records) {
  fx *f = fx_new(sp_test_tmpdir(), "r",
                 "name: r\nsources:\n  - {name: in, topic: in, format: json}\n"
                 "  - {name: t, topic: t, format: json, idle_timeout_ms: 50, idle_advance: inputs}\n"
                 "pipeline:\n  - enrich: {table: t, type: left}\nsinks: {output: out}\n");
  static const char *const table[] = {"{'key':'a','ts':100,'value':7}"};
  static const char *const stream[] = {"{'key':'a','ts':150,'value':1}", "{'key':'b','ts':160,'value':2}"};
  fx_input(f, "t", 0, table, NULL, 1);
  fx_input(f, "in", 0, stream, NULL, 2);
  fx_out(f, "out", 0, "{'kind':'marks','id':'m/0/1/1/idle/155','marks':[{'input':1,'input_topic':'t','pos':1,"
                      "'type':'idle','value':155}],'through':2,'through1':1,'wm':159}");
  fx_out(f, "out", 0, "{'kind':'enrich','key':'a','ts':150,'value':1,'offset':0,'event':{'key':'a','ts':150,'value':1},"
                      "'table':{'offset':0,'key':'a','ts':100,'value':7,'event':{'key':'a','ts':100,'value':7}},"
                      "'through':2,'through1':1,'wm':159}");
  stream_result r;
  CHECK_EQ_INT(fx_check(f, &r), CHECK_VALID);
  CHECK(fx_findings_are(&r, NONE));
  CHECK_EQ_U64(r.expected[0], 1);
  CHECK_EQ_U64(r.marks, 1);
  stream_result_free(&r);
  fx_free(f);
}

SP_TEST_MAIN(tumbling_with_filter_late_record_and_bad_input, tumbling_allowed_lateness_revisions,
             hopping_windows_order_and_selected_aggregates, sliding_windows_fill_reemit_and_fire_due,
             session_windows_merge_and_supersede, count_windows_hopping, count_window_of_window_results,
             reorder_releases_in_time_then_offset_order, pattern_matches_absences_and_late_b,
             join_left_pairs_nulls_and_late_sides, enrich_versions_ties_and_left_nulls,
             enrich_inner_tombstones_delete_rows, transform_and_threshold_crossing,
             idle_mark_fires_the_last_window, processing_time_follows_the_proc_marks,
             identity_input_and_error_records, two_tasks_share_one_output_partition,
             reserved_field_names_do_not_read_the_payload,
             idle_mark_on_the_table_releases_waiting_records)
