/* test_worker_proto: every message survives format -> parse; malformed
 * lines are refused with a reason; the line splitter handles partial and
 * oversized input (a broken worker must not wedge the orchestrator). */
#include <string.h>

#include "sp_test.h"
#include "worker_proto.h"

static wmsg round_trip(const wmsg *in) {
  char line[WMSG_LINE_MAX], err[256];
  wmsg out;
  int n = wmsg_format(in, line, sizeof line);
  REQUIRE(n > 0 && line[n - 1] == '\n');
  line[n - 1] = '\0';
  if (wmsg_parse(line, &out, err, sizeof err) != 0) {
    fprintf(stderr, "# parse failed: %s\n", err);
    REQUIRE(0);
  }
  CHECK_EQ_INT(out.type, in->type);
  return out;
}

TEST(hello_stats_done) {
  wmsg m = {.type = WMSG_HELLO, .pid = 4242, .id = 4000000000u};
  strcpy(m.name, "consumer-12");
  wmsg r = round_trip(&m);
  CHECK_EQ_STR(r.name, "consumer-12");
  CHECK_EQ_INT(r.pid, 4242);
  CHECK_EQ_U64(r.id, 4000000000u);
  wmsg s = {.type = WMSG_STATS, .stats = {.interval = 7, .sent = 1, .acked = 2, .nacked = 3,
                                          .consumed = 4, .skipped = 5, .late = 6,
                                          .behind_us = 18446744073709551615ull, .p99_us = 8,
                                          .errors = 9, .bytes = 10}};
  r = round_trip(&s);
  CHECK(memcmp(&r.stats, &s.stats, sizeof s.stats) == 0);
  s.type = WMSG_DONE;
  r = round_trip(&s);
  CHECK(memcmp(&r.stats, &s.stats, sizeof s.stats) == 0);
}

TEST(commands) {
  wmsg go = {.type = WMSG_GO, .t0_mono_ns = 123456789012345ull, .t0_wall_ns = 1795306225312000000ull,
             .end_ns = 99};
  wmsg r = round_trip(&go);
  CHECK_EQ_U64(r.t0_mono_ns, go.t0_mono_ns);
  CHECK_EQ_U64(r.t0_wall_ns, go.t0_wall_ns);
  CHECK_EQ_U64(r.end_ns, 99);
  wmsg rate = {.type = WMSG_RATE, .at_ns = 3000000000ull, .rate = 12345.678};
  r = round_trip(&rate);
  CHECK_EQ_U64(r.at_ns, 3000000000ull);
  CHECK(r.rate == 12345.678);
  wmsg clk = {.type = WMSG_CLOCK, .skew_ms = -1500, .late_fraction = 0.25, .late_max_ms = 900};
  r = round_trip(&clk);
  CHECK_EQ_INT(r.skew_ms, -1500);
  CHECK(r.late_fraction == 0.25);
  CHECK_EQ_INT(r.late_max_ms, 900);
  wmsg off = {.type = WMSG_CLOCK_OFF};
  round_trip(&off);
  wmsg stop = {.type = WMSG_STOP, .at_ns = 77};
  r = round_trip(&stop);
  CHECK_EQ_U64(r.at_ns, 77);
  wmsg end = {.type = WMSG_END, .at_ns = 78};
  r = round_trip(&end);
  CHECK_EQ_U64(r.at_ns, 78);
  wmsg simple[] = {{.type = WMSG_READY}, {.type = WMSG_PAUSE}, {.type = WMSG_RESUME}};
  for (size_t i = 0; i < 3; i++) round_trip(&simple[i]);
}

TEST(positions) {
  wmsg m = {.type = WMSG_POS, .n_pos = 3};
  m.pos[0] = (wpos){0, 3, 1234};
  m.pos[1] = (wpos){2, 0, 0};
  m.pos[2] = (wpos){65535, 1048575, 9000000000000ll};
  wmsg r = round_trip(&m);
  CHECK_EQ_INT(r.n_pos, 3);
  CHECK(memcmp(r.pos, m.pos, 3 * sizeof m.pos[0]) == 0);
}

TEST(error_text_keeps_spaces_drops_newlines) {
  wmsg m = {.type = WMSG_ERROR};
  strcpy(m.text, "topic t not available:\nLocal: Broker transport failure");
  wmsg r = round_trip(&m);
  CHECK_EQ_STR(r.text, "topic t not available: Local: Broker transport failure");
}

TEST(malformed_lines_refused) {
  static const char *const bad[] = {
      "",                      "frobnicate",          "go",                 "go wall=1",
      "rate at=1",             "stats sent=-1",       "stats sent=1x",      "stats sent",
      "pos 1:2",               "pos a:1:2",           "pos 0:-1:5",         "hello pid=1",
      "clock late_fraction=2", "end",                 "go t0=18446744073709551616",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    wmsg m;
    char err[256] = "";
    int rc = wmsg_parse(bad[i], &m, err, sizeof err);
    if (rc == 0) fprintf(stderr, "# accepted: '%s'\n", bad[i]);
    CHECK(rc != 0);
    CHECK(strstr(err, "control line") != NULL);
  }
  /* unknown keys are ignored: a newer worker may send more */
  wmsg m;
  char err[256];
  CHECK(wmsg_parse("stats sent=5 shiny_new_counter=9", &m, err, sizeof err) == 0);
  CHECK_EQ_U64(m.stats.sent, 5);
}

TEST(line_splitter) {
  wline_buf b;
  wline_init(&b);
  const char *input = "ready\nstats sent=1\npar";
  size_t room;
  char *dst = wline_space(&b, &room);
  memcpy(dst, input, strlen(input));
  wline_commit(&b, strlen(input));
  int overflow;
  CHECK_EQ_STR(wline_next(&b, &overflow), "ready");
  CHECK_EQ_STR(wline_next(&b, &overflow), "stats sent=1");
  CHECK(wline_next(&b, &overflow) == NULL);
  CHECK(!overflow);
  dst = wline_space(&b, &room);
  memcpy(dst, "tial\n", 5);
  wline_commit(&b, 5);
  CHECK_EQ_STR(wline_next(&b, &overflow), "partial");
  /* a line longer than the limit is an overflow, not a hang */
  wline_init(&b);
  dst = wline_space(&b, &room);
  REQUIRE(room > WMSG_LINE_MAX);
  memset(dst, 'x', WMSG_LINE_MAX + 1);
  wline_commit(&b, WMSG_LINE_MAX + 1);
  CHECK(wline_next(&b, &overflow) == NULL);
  CHECK(overflow);
}

TEST(format_refuses_what_does_not_fit) {
  wmsg m = {.type = WMSG_STATS};
  char small[16];
  CHECK(wmsg_format(&m, small, sizeof small) < 0);
}

SP_TEST_MAIN(hello_stats_done, commands, positions, error_text_keeps_spaces_drops_newlines,
             malformed_lines_refused, line_splitter, format_refuses_what_does_not_fit)
