/* test_operators.c: filter, transform, threshold, reorder, pattern, joins,
 * enrichment, processing time, idle marks and input formats, each on a
 * hand-made sequence with the exact expected output (README.md is the
 * spec). */
#include "identity.h"
#include "testkit.h"

/* A record with an explicit Kafka key and timestamp (tables, tombstones). */
static void feed_keyed(rs_engine *e, int src, int64_t off, const char *key, int64_t kafka_ts,
                       const char *json, int64_t now_ms) {
  rs_raw raw = {0, off, kafka_ts, key, strlen(key), json, json ? strlen(json) : 0};
  int input;
  rs_task *t = rs_engine_route(e, src, 0, 0, &input);
  rs_task_record(t, input, &raw, now_ms);
}

TEST(filter_transform_and_bad_records) {
  fixture f;
  setup(&f, "name: t\n"
            "sources: [{name: in, topic: in, format: json}]\n"
            "pipeline:\n"
            "  - filter: {field: type, eq: click}\n"
            "  - transform: {key: user, value: amount, value_mul: 2}\n"
            "sinks: {output: out, errors: err}\n");
  tk_feed(f.e, 0, 0, 0, "{\"key\":\"a\",\"ts\":1,\"value\":1,\"type\":\"click\",\"user\":\"u1\",\"amount\":5}", 0);
  tk_feed(f.e, 0, 0, 1, "{\"key\":\"b\",\"ts\":2,\"value\":1,\"type\":\"view\",\"user\":\"u2\",\"amount\":7}", 0);
  tk_feed(f.e, 0, 0, 2, "{\"key\":\"c\",\"ts\":3,\"value\":1,\"type\":\"click\",\"user\":7,\"amount\":3}", 0);
  tk_feed(f.e, 0, 0, 3, "{\"key\":\"d\",\"ts\":4,\"value\":1,\"type\":\"click\",\"user\":\"u3\"}", 0);
  tk_feed(f.e, 0, 0, 4, "not json", 0);
  tk_feed(f.e, 0, 0, 5, "{\"key\":\"e\",\"value\":1}", 0);
  tk_feed(f.e, 0, 0, 6, "{\"key\":\"f\",\"ts\":1.5,\"value\":1}", 0);
  tk_feed(f.e, 0, 0, 7, "{\"key\":\"g\",\"ts\":7,\"value\":\"x\"}", 0);
  tk_feed(f.e, 0, 0, 5, "{\"key\":\"e\",\"ts\":5,\"value\":1,\"type\":\"click\"}", 0); /* old offset */
  TK_EXPECT(&f.out, NULL, "E 0 u1 10", "E 2 7 6", "X 0@4", "X 0@5", "X 0@6", "X 0@7");
  rs_task_stats st = rs_engine_stats(f.e);
  CHECK_EQ_INT(st.records, 8);
  CHECK_EQ_INT(st.bad, 4);
  CHECK_EQ_INT(st.dropped, 1); /* the click without an amount */
  teardown(&f);
}

static void identity_payload(uint8_t *buf, size_t len, uint32_t writer, uint64_t seq, uint32_t key,
                             int64_t ts) {
  memset(buf, 0xab, len);
  identity id = {writer, seq, key, (uint32_t)len, 1, 2, ts, 0};
  identity_encode(&id, buf, len);
}

static void feed_bytes(rs_engine *e, int64_t off, const void *p, size_t len) {
  rs_raw raw = {0, off, -1, NULL, 0, p, len};
  int input;
  rs_task *t = rs_engine_route(e, 0, 0, 0, &input);
  rs_task_record(t, input, &raw, 0);
}

TEST(identity_format_fields_and_predicates) {
  fixture f;
  setup(&f, "name: t\n"
            "sources: [{name: in, topic: in, format: identity}]\n"
            "pipeline:\n"
            "  - filter: {all: [{field: seq, mod: 2, eq: 0}, {not: {field: writer, in: [3, 4]}}]}\n"
            "sinks: {output: out, errors: err}\n");
  uint8_t p[100];
  identity_payload(p, sizeof p, 1, 4, 7, 1000);
  feed_bytes(f.e, 0, p, sizeof p);
  identity_payload(p, sizeof p, 1, 5, 7, 1000); /* odd seq */
  feed_bytes(f.e, 1, p, sizeof p);
  identity_payload(p, sizeof p, 3, 6, 7, 1000); /* writer 3 */
  feed_bytes(f.e, 2, p, sizeof p);
  identity_payload(p, sizeof p, 2, 8, IDENTITY_NO_KEY, 1000);
  feed_bytes(f.e, 3, p, sizeof p);
  identity_payload(p, sizeof p, 2, 10, 9, 1000);
  p[80] ^= 1; /* corrupted padding: checksum fails */
  feed_bytes(f.e, 4, p, sizeof p);
  feed_bytes(f.e, 5, "short", 5);
  TK_EXPECT(&f.out, NULL, "E 0 7 4", "E 3  8", "X 0@4", "X 0@5");
  json_t *o = json_loads(f.out.raw[0] + 2, 0, NULL);
  REQUIRE(o != NULL);
  json_t *ev = json_object_get(o, "event");
  CHECK_EQ_INT(tk_i(ev, "writer"), 1);
  CHECK_EQ_INT(tk_i(ev, "seq"), 4);
  CHECK_EQ_INT(tk_i(ev, "key"), 7);
  CHECK_EQ_INT(tk_i(ev, "event_time_ms"), 1000);
  CHECK_EQ_INT(tk_i(o, "ts"), 1000);
  CHECK_EQ_STR(json_string_value(json_object_get(o, "id")), "e/0/0/0");
  json_decref(o);
  o = json_loads(f.out.raw[2] + 2, 0, NULL);
  REQUIRE(o != NULL);
  CHECK_EQ_STR(json_string_value(json_object_get(o, "reason")), "identity header: bad-checksum");
  json_decref(o);
  teardown(&f);
}

TEST(threshold_level_and_crossing) {
  fixture f;
  const char *vals[] = {"a", "5", "a", "12", "a", "15", "b", "20", "a", "8", "a", "11"};
  setup(&f, "name: t\nsources: [{name: in, topic: in, format: json}]\n"
            "pipeline: [{threshold: {above: 10, mode: crossing, emit_fall: true}}]\n"
            "sinks: {output: out}\n");
  for (int i = 0; i < 6; i++) tk_kv(f.e, 0, i, vals[2 * i], i, atoi(vals[2 * i + 1]));
  TK_EXPECT(&f.out, NULL, "E 1 a 12 rise", "E 3 b 20 rise", "E 4 a 8 fall", "E 5 a 11 rise");
  teardown(&f);
  setup(&f, "name: t\nsources: [{name: in, topic: in, format: json}]\n"
            "pipeline: [{threshold: {field: value, above: 10}}]\nsinks: {output: out}\n");
  for (int i = 0; i < 6; i++) tk_kv(f.e, 0, i, vals[2 * i], i, atoi(vals[2 * i + 1]));
  TK_EXPECT(&f.out, NULL, "E 1 a 12", "E 2 a 15", "E 3 b 20", "E 5 a 11");
  teardown(&f);
}

TEST(reorder_releases_in_time_order) {
  fixture f;
  setup(&f, "name: t\ntime: {out_of_orderness_ms: 10}\n"
            "sources: [{name: in, topic: in, format: json}]\n"
            "pipeline: [{reorder: {}}]\nsinks: {output: out, late: late}\n");
  int64_t ts[] = {5, 3, 20, 8, 15, 12, 40};
  for (int i = 0; i < 7; i++) tk_kv(f.e, 0, i, "a", ts[i], i);
  TK_EXPECT(&f.out, NULL, "E 1 a 1", "E 0 a 0", "L 0:0@3", "E 5 a 5", "E 4 a 4", "E 2 a 2");
  teardown(&f);
}

TEST(pattern_followed_by_and_absence) {
  fixture f;
  setup(&f, "name: t\n"
            "sources: [{name: in, topic: in, format: json}]\n"
            "pipeline:\n"
            "  - pattern:\n"
            "      first: {field: type, eq: login}\n"
            "      then: {field: type, eq: buy}\n"
            "      within_ms: 10\n"
            "      emit: both\n"
            "sinks: {output: out, late: late}\n");
  const char *recs[] = {
      "{\"key\":\"a\",\"ts\":0,\"value\":1,\"type\":\"login\"}",
      "{\"key\":\"a\",\"ts\":5,\"value\":1,\"type\":\"buy\"}",
      "{\"key\":\"b\",\"ts\":3,\"value\":1,\"type\":\"login\"}",
      "{\"key\":\"a\",\"ts\":6,\"value\":1,\"type\":\"login\"}",
      "{\"key\":\"a\",\"ts\":14,\"value\":1,\"type\":\"buy\"}",
      "{\"key\":\"c\",\"ts\":2,\"value\":1,\"type\":\"login\"}",
      "{\"key\":\"a\",\"ts\":30,\"value\":1,\"type\":\"buy\"}",
  };
  for (int i = 0; i < 7; i++) tk_feed(f.e, 0, 0, i, recs[i], 0);
  TK_EXPECT(&f.out, NULL, "P a 0 1", "P b 2 -", "L 0:0@5", "P a 3 4");
  teardown(&f);
}

static void join_sequence(fixture *f) {
  tk_kv(f->e, 0, 0, "a", 10, 1);
  tk_kv(f->e, 1, 0, "a", 12, 2);
  tk_kv(f->e, 1, 1, "a", 30, 3); /* right W = 29: left a@10 purged */
  tk_kv(f->e, 0, 1, "a", 28, 4);
  tk_kv(f->e, 0, 2, "b", 29, 5);
  tk_kv(f->e, 1, 2, "b", 2, 6);  /* late on the right */
  tk_kv(f->e, 1, 3, "c", 40, 7); /* right W = 39: left b@29 never joined */
}

static const char *join_job(char *buf, size_t cap, const char *type) {
  snprintf(buf, cap, "name: t\n"
                     "sources:\n"
                     "  - {name: clicks, topic: clicks, format: json}\n"
                     "  - {name: views, topic: views, format: json}\n"
                     "pipeline: [{join: {with: views, type: %s, within_ms: 5}}]\n"
                     "sinks: {output: out, late: late}\n", type);
  return buf;
}

TEST(join_inner_and_left) {
  fixture f;
  char buf[512];
  setup(&f, join_job(buf, sizeof buf, "inner"));
  join_sequence(&f);
  TK_EXPECT(&f.out, NULL, "J a 0 0", "J a 1 1", "L 0:1@2");
  CHECK_EQ_INT(rs_engine_stats(f.e).dropped, 1); /* b@29 never joined */
  teardown(&f);
  setup(&f, join_job(buf, sizeof buf, "left"));
  join_sequence(&f);
  TK_EXPECT(&f.out, NULL, "J a 0 0", "J a 1 1", "L 0:1@2", "J b 2 -");
  teardown(&f);
}

TEST(join_results_do_not_depend_on_interleaving) {
  /* the same two inputs fed in three different interleavings give the same
   * set of pairs (README.md, "Determinism") */
  static const int64_t lts[] = {10, 14, 3, 22, 17, 30, 25, 41};
  static const int64_t rts[] = {12, 5, 19, 27, 9, 33, 16, 44};
  char *sets[3];
  for (int order = 0; order < 3; order++) {
    fixture f;
    char buf[512];
    setup(&f, join_job(buf, sizeof buf, "left"));
    int li = 0, ri = 0;
    for (int step = 0; step < 16; step++) {
      int left = order == 0 ? step % 2 == 0 : order == 1 ? step < 8 : step >= 8;
      if (left) {
        char k[2] = {(char)('a' + li % 2), 0};
        tk_kv(f.e, 0, li, k, lts[li], li);
        li++;
      } else {
        char k[2] = {(char)('a' + ri % 2), 0};
        tk_kv(f.e, 1, ri, k, rts[ri], ri);
        ri++;
      }
    }
    /* sort the summaries: the set is what must not change */
    for (size_t i = 0; i < f.out.n; i++)
      for (size_t j = i + 1; j < f.out.n; j++)
        if (strcmp(f.out.lines[i], f.out.lines[j]) > 0) {
          char *x = f.out.lines[i];
          f.out.lines[i] = f.out.lines[j];
          f.out.lines[j] = x;
        }
    char all[4096] = "";
    for (size_t i = 0; i < f.out.n; i++) tk_appendf(all, sizeof all, "%s;", f.out.lines[i]);
    sets[order] = sp_strdup(all);
    teardown(&f);
  }
  CHECK_EQ_STR(sets[0], sets[1]);
  CHECK_EQ_STR(sets[0], sets[2]);
  CHECK(strstr(sets[0], "J ") != NULL);
  for (int i = 0; i < 3; i++) free(sets[i]);
}

TEST(enrich_uses_the_version_current_at_event_time) {
  fixture f;
  setup(&f, "name: t\n"
            "sources:\n"
            "  - {name: orders, topic: orders, format: json}\n"
            "  - {name: users, topic: users, format: json, key: kafka_key, time: kafka_timestamp, value: one}\n"
            "pipeline: [{enrich: {table: users, type: left}}]\n"
            "sinks: {output: out, late: late}\n");
  feed_keyed(f.e, 1, 0, "u1", 0, "{\"name\":\"alice\"}", 0);
  tk_kv(f.e, 0, 0, "u1", 5, 1);  /* waits for the table watermark */
  feed_keyed(f.e, 1, 1, "u1", 10, "{\"name\":\"alice2\"}", 0); /* table W = 9: releases it */
  tk_kv(f.e, 0, 1, "u2", 7, 3);  /* table complete up to 9: at once, no row */
  tk_kv(f.e, 0, 2, "u1", 12, 2);
  feed_keyed(f.e, 1, 2, "u1", 11, NULL, 0); /* tombstone from 11 */
  feed_keyed(f.e, 1, 3, "u1", 4, "{\"name\":\"old\"}", 0); /* late version */
  feed_keyed(f.e, 1, 4, "u9", 20, "{\"name\":\"z\"}", 0); /* W = 19 releases u1@12: deleted */
  TK_EXPECT(&f.out, NULL, "N 0 0", "N 1 -", "L 0:1@3", "N 2 -");
  json_t *o = json_loads(f.out.raw[0] + 2, 0, NULL);
  REQUIRE(o != NULL);
  CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(json_object_get(o, "table"), "event"), "name")), "alice");
  json_decref(o);
  teardown(&f);
}

TEST(idle_table_advances_by_mark_written_before_results) {
  fixture f;
  setup(&f, "name: t\n"
            "sources:\n"
            "  - {name: orders, topic: orders, format: json}\n"
            "  - {name: users, topic: users, format: json, value: one, idle_timeout_ms: 100, idle_advance: inputs}\n"
            "pipeline: [{enrich: {table: users}}]\n"
            "sinks: {output: out}\n");
  rs_task *t = f.e->tasks[0];
  tk_feed(f.e, 1, 0, 0, "{\"key\":\"u1\",\"ts\":0,\"name\":\"a\"}", 1000);
  t->in[1].caught_up = 1;
  tk_feed(f.e, 0, 0, 0, "{\"key\":\"u1\",\"ts\":50,\"value\":1}", 1000);
  tk_feed(f.e, 0, 0, 1, "{\"key\":\"u1\",\"ts\":70,\"value\":1}", 1000);
  CHECK_EQ_INT(rs_task_tick(t, 1050), 0); /* not idle long enough */
  CHECK_EQ_INT(f.out.n, 0);
  CHECK_EQ_INT(rs_task_tick(t, 1200), 1);
  TK_EXPECT(&f.out, NULL, "K 1@1 idle=69", "N 0 0");
  CHECK_EQ_INT(rs_task_tick(t, 1250), 0); /* once per timeout */
  teardown(&f);
}

TEST(processing_time_stamps_are_marks) {
  fixture f;
  setup(&f, "name: t\ntime: {mode: processing, processing_tick_ms: 10}\n"
            "sources: [{name: in, topic: in, format: json}]\n"
            "pipeline: [{window: {type: tumbling, size_ms: 100}}]\nsinks: {output: out}\n");
  rs_task *t = f.e->tasks[0];
  tk_feed(f.e, 0, 0, 0, "{\"key\":\"a\",\"value\":1}", 1005);
  tk_feed(f.e, 0, 0, 1, "{\"key\":\"a\",\"value\":2}", 1050);
  tk_feed(f.e, 0, 0, 2, "{\"key\":\"a\",\"value\":4}", 1051);
  tk_feed(f.e, 0, 0, 3, "{\"key\":\"a\",\"value\":8}", 1099);
  CHECK_EQ_INT(rs_task_tick(t, 1099), 0);
  CHECK_EQ_INT(f.out.n, 0);
  CHECK_EQ_INT(rs_task_tick(t, 1105), 1);
  TK_EXPECT(&f.out, NULL, "K 0@0 proc=1000 0@1 proc=1050 0@3 proc=1090 0@4 proc=1100",
            "W a [1000,1100) r0 c4 s15 m1 M8");
  CHECK_EQ_INT(rs_task_tick(t, 1200), 0); /* nothing to fire: no mark */
  teardown(&f);
}

SP_TEST_MAIN(filter_transform_and_bad_records, identity_format_fields_and_predicates,
             threshold_level_and_crossing, reorder_releases_in_time_order,
             pattern_followed_by_and_absence, join_inner_and_left,
             join_results_do_not_depend_on_interleaving,
             enrich_uses_the_version_current_at_event_time,
             idle_table_advances_by_mark_written_before_results, processing_time_stamps_are_marks)
