/* test_fault_schedule.c: schedule files (every field, every error message with
 * its file:line and key) and their expansion into plans (seeded windows,
 * repetition, random targets, overlap checks). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fault.h"
#include "schedule.h"
#include "sp_test.h"

static char path_buf[512];
static char err[1024];

static const char *write_yaml(const char *name, const char *text) {
  snprintf(path_buf, sizeof path_buf, "%s/%s", sp_test_tmpdir(), name);
  FILE *f = fopen(path_buf, "w");
  if (!f) abort();
  fputs(text, f);
  fclose(f);
  return path_buf;
}

static sp_schedule *load(const char *text) {
  err[0] = 0;
  sp_schedule *s = sp_schedule_load(write_yaml("s.yaml", text), err, sizeof err);
  if (!s) fprintf(stderr, "# load error: %s\n", err);
  return s;
}

static const sp_topology topo = {.producers = 2, .consumers = 3, .has_processor = 1, .has_link = 1};

TEST(kill_at_fixed_time_expands_to_inject_and_restart) {
  sp_schedule *s = load("seed: 7\n"
                        "description: one crash\n"
                        "faults:\n"
                        "  - id: broker-crash\n"
                        "    kind: kill\n"
                        "    target: broker\n"
                        "    at_s: 8\n"
                        "    restart_after_s: 2\n");
  REQUIRE(s);
  CHECK_EQ_INT(s->n_faults, 1);
  CHECK(s->has_seed);
  CHECK_EQ_U64(sp_schedule_seed(s, 99), 7);
  CHECK_EQ_STR(s->description, "one crash");
  const sp_fault *f = &s->faults[0];
  CHECK_EQ_STR(f->id, "broker-crash");
  CHECK_EQ_INT(f->kind, SP_FAULT_KIND_KILL);
  CHECK_EQ_INT(f->target.kind, SP_TARGET_BROKER);
  CHECK_EQ_INT(f->line, 4);
  sp_plan p;
  REQUIRE(sp_schedule_expand(s, 7, &topo, &p, err, sizeof err) == 0);
  REQUIRE(p.n_actions == 2);
  CHECK(p.actions[0].t_s == 8.0 && p.actions[0].phase == SP_ACTION_INJECT);
  CHECK(p.actions[1].t_s == 10.0 && p.actions[1].phase == SP_ACTION_HEAL);
  CHECK_EQ_STR(p.actions[0].target, "broker");
  CHECK_EQ_INT(p.actions[0].pair, 1);
  CHECK_EQ_INT(p.actions[1].pair, 0);
  sp_plan_free(&p);
  sp_schedule_free(s);
}

TEST(every_process_kind_and_field) {
  sp_schedule *s = load("faults:\n"
                        "  - {id: s1, kind: stop, target: processor, at_s: 1, restart_after_s: 5, grace_s: 3}\n"
                        "  - {id: p1, kind: pause, target: consumer:2, at_s: 2.5, duration_s: 1.5}\n"
                        "  - {id: k1, kind: kill, target: producer:1, at_s: 3, restart: false}\n"
                        "  - {id: s2, kind: stop, target: broker, at_s: 20, restart_after_s: 4}\n");
  REQUIRE(s);
  CHECK(s->faults[0].grace_s == 3 && s->faults[0].restart_after_s == 5);
  CHECK_EQ_INT(s->faults[1].target.kind, SP_TARGET_CONSUMER);
  CHECK_EQ_INT(s->faults[1].target.index, 2);
  CHECK(s->faults[1].duration_s == 1.5);
  CHECK(s->faults[2].restart_after_s < 0);
  CHECK(s->faults[3].grace_s == 4); /* default 10, capped by restart_after_s */
  sp_plan p;
  REQUIRE(sp_schedule_expand(s, 1, &topo, &p, err, sizeof err) == 0);
  CHECK_EQ_INT(p.n_actions, 7); /* the kill without restart has no heal */
  CHECK_EQ_STR(p.actions[0].target, "processor");
  CHECK_EQ_STR(p.actions[1].target, "consumer:2");
  CHECK(p.actions[2].t_s == 3 && p.actions[2].pair == -1);
  CHECK(p.actions[3].t_s == 4 && p.actions[3].phase == SP_ACTION_HEAL); /* pause heal */
  sp_plan_free(&p);
  sp_schedule_free(s);
}

TEST(fiu_fields) {
  sp_schedule *s = load("faults:\n"
                        "  - id: f1\n    kind: fiu\n    target: broker\n    point: refbroker/log/before-fsync\n"
                        "    errno: ENOSPC\n    probability: 0.25\n    at_s: 1\n    duration_s: 2\n"
                        "  - id: f2\n    kind: fiu\n    target: broker\n    point: refbroker/net/before-response\n"
                        "    mode: delay\n    delay_ms: 300\n    at_s: 1\n"
                        "  - id: f3\n    kind: fiu\n    target: broker\n    point: refbroker/log/*\n"
                        "    mode: abort\n    once: true\n    restart_after_s: 1\n    at_s: 4\n"
                        "  - id: f4\n    kind: fiu\n    target: broker\n    point: posix/io/sync/fdatasync\n"
                        "    errno: 5\n    at_s: 6\n    duration_s: 1\n");
  REQUIRE(s);
  const sp_fault_fiu *a = &s->faults[0].fiu, *b = &s->faults[1].fiu, *c = &s->faults[2].fiu;
  CHECK_EQ_STR(a->points[0], "refbroker/log/before-fsync");
  CHECK_EQ_INT(a->failnum, SP_FAULT_FAIL);
  CHECK_EQ_INT(a->failinfo, ENOSPC);
  CHECK(fabs(a->probability - 0.25) < 1e-9);
  CHECK_EQ_INT(a->once, 0);
  CHECK_EQ_INT(b->failnum, SP_FAULT_DELAY);
  CHECK_EQ_INT(b->failinfo, 300);
  CHECK(b->probability == 1.0);
  CHECK(s->faults[1].duration_s < 0);
  CHECK_EQ_INT(c->failnum, SP_FAULT_ABORT);
  CHECK_EQ_INT(c->once, 1);
  CHECK(s->faults[2].restart_after_s == 1);
  CHECK_EQ_INT(s->faults[3].fiu.failinfo, 5);
  sp_schedule_free(s);
}

TEST(disk_fields) {
  sp_schedule *s = load("faults:\n"
                        "  - {id: d1, kind: disk, target: broker, ops: [fsync, fdatasync], errno: EIO, at_s: 1, duration_s: 1}\n"
                        "  - {id: d2, kind: disk, target: broker, op: write, short: true, once: true, at_s: 3}\n"
                        "  - {id: d3, kind: disk, target: broker, op: pwrite, errno: ENOSPC, probability: 0.5, at_s: 5, duration_s: 1}\n");
  REQUIRE(s);
  const sp_fault_fiu *d1 = &s->faults[0].fiu, *d2 = &s->faults[1].fiu, *d3 = &s->faults[2].fiu;
  REQUIRE(d1->n_points == 2);
  CHECK_EQ_STR(d1->points[0], "posix/io/sync/fsync");
  CHECK_EQ_STR(d1->points[1], "posix/io/sync/fdatasync");
  CHECK_EQ_INT(d1->failinfo, EIO);
  CHECK_EQ_STR(d2->points[0], "posix/io/rw/write/reduce");
  CHECK_EQ_INT(d2->failinfo, 0);
  CHECK_EQ_INT(d2->once, 1);
  CHECK_EQ_STR(d3->points[0], "posix/io/rw/pwrite");
  CHECK_EQ_INT(d3->failinfo, ENOSPC);
  sp_schedule_free(s);
}

TEST(net_fields) {
  sp_schedule *s = load("faults:\n"
                        "  - {id: n1, kind: net, toxic: latency, latency_ms: 100, jitter_ms: 10, direction: downstream, at_s: 1, duration_s: 5}\n"
                        "  - {id: n2, kind: net, target: link, toxic: bandwidth, rate_bytes_per_s: 65536, at_s: 1, duration_s: 5}\n"
                        "  - {id: n3, kind: net, toxic: reset, at_s: 7, duration_s: 2}\n"
                        "  - {id: n4, kind: net, toxic: blackhole, direction: upstream, at_s: 10, duration_s: 3}\n"
                        "  - {id: n5, kind: net, toxic: slicer, segment_bytes: 8, delay_us: 500, at_s: 14, duration_s: 1}\n"
                        "  - {id: n6, kind: net, toxic: reset, at_s: 20}\n");
  REQUIRE(s);
  const sp_fault_net *n1 = &s->faults[0].net;
  CHECK_EQ_INT(n1->toxic, SP_NET_LATENCY);
  CHECK_EQ_INT(n1->latency_ms, 100);
  CHECK_EQ_INT(n1->jitter_ms, 10);
  CHECK_EQ_INT(n1->direction, SP_DIR_DOWNSTREAM);
  CHECK_EQ_INT(s->faults[0].target.kind, SP_TARGET_LINK);
  CHECK_EQ_INT(s->faults[1].net.rate_bytes_per_s, 65536);
  CHECK_EQ_INT(s->faults[1].net.direction, SP_DIR_BOTH);
  CHECK_EQ_INT(s->faults[2].net.toxic, SP_NET_RESET);
  CHECK_EQ_INT(s->faults[3].net.direction, SP_DIR_UPSTREAM);
  CHECK_EQ_INT(s->faults[4].net.segment_bytes, 8);
  CHECK_EQ_INT(s->faults[4].net.delay_us, 500);
  sp_plan p;
  REQUIRE(sp_schedule_expand(s, 1, &topo, &p, err, sizeof err) == 0);
  CHECK_EQ_INT(p.n_actions, 11); /* the last reset is one-shot */
  sp_plan_free(&p);
  sp_schedule_free(s);
}

TEST(clock_fields) {
  sp_schedule *s = load("faults:\n"
                        "  - {id: c1, kind: clock, target: producer:0, skew_ms: -5000, at_s: 1, duration_s: 5}\n"
                        "  - {id: c2, kind: clock, target: producers, late_fraction: 0.1, late_max_ms: 3000, window_s: [2, 4], duration_s: 10}\n");
  REQUIRE(s);
  CHECK_EQ_INT(s->faults[0].clock.skew_ms, -5000);
  CHECK(fabs(s->faults[1].clock.late_fraction - 0.1) < 1e-9);
  CHECK_EQ_INT(s->faults[1].clock.late_max_ms, 3000);
  sp_plan p;
  REQUIRE(sp_schedule_expand(s, 3, &topo, &p, err, sizeof err) == 0);
  /* c2 must avoid producer:0 whose clock c1 holds during [1, 6) */
  for (int i = 0; i < p.n_actions; i++)
    if (p.actions[i].fault_index == 1) CHECK_EQ_STR(p.actions[i].target, "producer:1");
  sp_plan_free(&p);
  sp_schedule_free(s);
}

/* Each bad file gives an error with the file, the line and the key. */
TEST(errors_name_file_line_and_key) {
  static const struct {
    const char *yaml, *expect_at, *expect_text;
  } cases[] = {
      {"faults:\n  - id: a\n    kind: kill\n    target: broker\n    at_s: 1\n    restart_afer_s: 2\n",
       ":6:5: fault 'a': key 'restart_afer_s': unknown key for kind kill", "expected one of"},
      {"faults:\n  - {id: a, kind: explode, target: broker, at_s: 1}\n", ":2:", "key 'kind': unknown kind 'explode'"},
      {"faults:\n  - {id: a, kind: kill, target: brokr, at_s: 1, restart_after_s: 1}\n", ":2:",
       "key 'target': unknown target 'brokr'"},
      {"faults:\n  - {id: a, kind: kill, target: producer:x, at_s: 1, restart_after_s: 1}\n", ":2:",
       "unknown target 'producer:x'"},
      {"faults:\n  - id: a\n    kind: kill\n    target: broker\n    at_s: soon\n    restart_after_s: 1\n",
       ":5:11:", "key 'at_s': 'soon' is not a number"},
      {"faults:\n  - {id: a, kind: kill, target: broker, at_s: -1, restart_after_s: 1}\n", ":2:",
       "key 'at_s': must be >= 0"},
      {"faults:\n  - {id: a, kind: kill, target: broker, restart_after_s: 1}\n", ":2:", "key 'at_s': missing"},
      {"faults:\n  - {id: a, kind: kill, target: broker, at_s: 1}\n", ":2:", "key 'restart_after_s': missing"},
      {"faults:\n  - {id: a, kind: pause, target: broker, at_s: 1}\n", ":2:", "key 'duration_s': missing"},
      {"faults:\n  - {id: a, kind: kill, target: link, at_s: 1, restart_after_s: 1}\n", ":2:",
       "kind kill needs target a process"},
      {"faults:\n  - {id: a, kind: fiu, target: broker, point: refbroker/log/befor-fsync, at_s: 1}\n", ":2:",
       "key 'point': unknown fault point 'refbroker/log/befor-fsync'"},
      {"faults:\n  - {id: a, kind: fiu, target: broker, point: refstream/x/y, at_s: 1}\n", ":2:",
       "is not a refbroker point"},
      {"faults:\n  - {id: a, kind: fiu, target: broker, point: posix/io/sync/fsync, mode: delay, delay_ms: 5, at_s: 1}\n",
       ":2:", "POSIX preload points can only fail"},
      {"faults:\n  - {id: a, kind: fiu, target: broker, point: refbroker/log/before-fsync, mode: delay, at_s: 1}\n",
       ":2:", "key 'delay_ms': missing"},
      {"faults:\n  - {id: a, kind: fiu, target: broker, point: refbroker/log/before-fsync, errno: EWHAT, at_s: 1}\n",
       ":2:", "key 'errno': unknown errno 'EWHAT'"},
      {"faults:\n  - {id: a, kind: fiu, target: broker, point: refbroker/log/before-fsync, probability: 1.5, at_s: 1}\n",
       ":2:", "key 'probability': must be in (0, 1]"},
      {"faults:\n  - {id: a, kind: disk, target: broker, ops: [fsync, frob], at_s: 1}\n", ":2:",
       "key 'ops': unknown operation 'frob'"},
      {"faults:\n  - {id: a, kind: disk, target: broker, op: fsync, short: true, at_s: 1}\n", ":2:",
       "'short: true' needs read/write operations"},
      {"faults:\n  - {id: a, kind: net, toxic: latency, rate_bytes_per_s: 5, latency_ms: 5, at_s: 1}\n", ":2:",
       "key 'rate_bytes_per_s': not used by toxic latency"},
      {"faults:\n  - {id: a, kind: net, toxic: latency, at_s: 1}\n", ":2:", "key 'latency_ms': missing"},
      {"faults:\n  - {id: a, kind: net, toxic: fire, at_s: 1}\n", ":2:", "key 'toxic': unknown toxic 'fire'"},
      {"faults:\n  - {id: a, kind: net, toxic: latency, latency_ms: 5, direction: sideways, at_s: 1}\n", ":2:",
       "key 'direction': expected upstream, downstream or both"},
      {"faults:\n  - {id: a, kind: clock, target: broker, skew_ms: 5, at_s: 1}\n", ":2:",
       "kind clock needs target producer:N or producers"},
      {"faults:\n  - {id: a, kind: clock, target: producer:0, late_fraction: 0.5, at_s: 1}\n", ":2:",
       "key 'late_max_ms': missing"},
      {"faults:\n  - {id: a, kind: kill, target: broker, at_s: 1, window_s: [1, 2], restart_after_s: 1}\n", ":2:",
       "give either at_s or window_s"},
      {"faults:\n  - {id: a, kind: kill, target: broker, window_s: [5, 2], restart_after_s: 1}\n", ":2:",
       "key 'window_s': to_s (2) is before from_s (5)"},
      {"faults:\n  - {id: a, kind: kill, target: broker, at_s: 1, restart_after_s: 6, every: {min_s: 5, max_s: 10}, until_s: 60}\n",
       ":2:", "repetitions would overlap"},
      {"faults:\n  - {id: a, kind: kill, target: broker, at_s: 1, restart_after_s: 1, every: {min_s: 5}}\n", ":2:",
       "key 'every': needs until_s or count"},
      {"faults:\n  - {id: a, kind: kill, target: broker, at_s: 1, restart: false, every: {min_s: 5}, count: 3}\n",
       ":2:", "repeats a fault that is never healed"},
      {"faults:\n  - {id: a, kind: kill, target: broker, at_s: 1, restart_after_s: 1, every: {min_s: 5, max_s: 2}, count: 2}\n",
       ":2:", "key 'every.max_s': max_s (2) is below min_s (5)"},
      {"faults:\n  - {id: a, kind: kill, target: broker, at_s: 1, restart_after_s: 1, until_s: 9}\n", ":2:",
       "key 'until_s': only meaningful with every"},
      {"faults:\n  - {id: a, kind: kill, target: broker, at_s: 1, restart_after_s: 1}\n"
       "  - {id: a, kind: kill, target: broker, at_s: 5, restart_after_s: 1}\n",
       ":3:", "key 'id': duplicate id 'a' (first used at line 2)"},
      {"faults:\n  - {id: 'a b', kind: kill, target: broker, at_s: 1, restart_after_s: 1}\n", ":2:",
       "only letters, digits"},
      {"faults:\n  - {kind: kill, target: broker, at_s: 1, restart_after_s: 1}\n", ":2:", "fault #1: key 'id': missing"},
      {"faults:\n  - {id: a, kind: stop, target: broker, at_s: 1, restart_after_s: 1, grace_s: 5}\n", ":2:",
       "shorter than grace_s"},
      {"seeds: 3\nfaults: []\n", ":1:1:", "key 'seeds': unknown top-level key"},
      {"seed: 3\n", ":1:1:", "key 'faults': missing"},
      {"faults:\n  - {id: a, kind: kill, target: broker, at_s: 1, restart_after_s: 1, at_s: 2}\n", ":2:",
       "key 'at_s': given twice"},
      {"faults: [\n", ":", "YAML syntax error"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char name[32];
    snprintf(name, sizeof name, "bad%zu.yaml", i);
    const char *path = write_yaml(name, cases[i].yaml);
    err[0] = 0;
    sp_schedule *s = sp_schedule_load(path, err, sizeof err);
    CHECK(s == NULL);
    sp_schedule_free(s);
    int ok = strncmp(err, path, strlen(path)) == 0 && strstr(err, cases[i].expect_at) &&
             strstr(err, cases[i].expect_text);
    if (!ok) fprintf(stderr, "# case %zu: got \"%s\"\n#   want \"%s\" and \"%s\"\n", i, err,
                     cases[i].expect_at, cases[i].expect_text);
    CHECK(ok);
  }
}

static int plans_equal(const sp_plan *a, const sp_plan *b) {
  if (a->n_actions != b->n_actions) return 0;
  for (int i = 0; i < a->n_actions; i++)
    if (a->actions[i].t_s != b->actions[i].t_s || strcmp(a->actions[i].target, b->actions[i].target) ||
        a->actions[i].phase != b->actions[i].phase || a->actions[i].pair != b->actions[i].pair)
      return 0;
  return 1;
}

static const char *random_yaml =
    "faults:\n"
    "  - {id: w, kind: kill, target: broker, window_s: [5, 15], restart_after_s: 1}\n"
    "  - {id: loop, kind: kill, target: consumers, at_s: 2, restart_after_s: 1,\n"
    "     every: {min_s: 5, max_s: 10}, until_s: 60}\n";

TEST(same_seed_same_plan_other_seed_other_plan) {
  sp_schedule *s = load(random_yaml);
  REQUIRE(s);
  sp_plan a, b, c;
  REQUIRE(sp_schedule_expand(s, 42, &topo, &a, err, sizeof err) == 0);
  REQUIRE(sp_schedule_expand(s, 42, &topo, &b, err, sizeof err) == 0);
  REQUIRE(sp_schedule_expand(s, 43, &topo, &c, err, sizeof err) == 0);
  CHECK(plans_equal(&a, &b));
  CHECK(!plans_equal(&a, &c));
  CHECK_EQ_U64(a.seed, 42);
  /* the windowed start differs between seeds and stays in the window */
  double wa = -1, wc = -1;
  for (int i = 0; i < a.n_actions; i++)
    if (a.actions[i].fault_index == 0 && a.actions[i].phase == SP_ACTION_INJECT) wa = a.actions[i].t_s;
  for (int i = 0; i < c.n_actions; i++)
    if (c.actions[i].fault_index == 0 && c.actions[i].phase == SP_ACTION_INJECT) wc = c.actions[i].t_s;
  CHECK(wa >= 5 && wa <= 15);
  CHECK(wc >= 5 && wc <= 15);
  CHECK(wa != wc);
  sp_plan_free(&a);
  sp_plan_free(&b);
  sp_plan_free(&c);
  sp_schedule_free(s);
}

/* Over many seeds the window start covers the window (not one corner). */
TEST(window_starts_spread_over_the_window) {
  sp_schedule *s = load(random_yaml);
  REQUIRE(s);
  double lo = 1e9, hi = -1;
  for (uint64_t seed = 0; seed < 200; seed++) {
    sp_plan p;
    REQUIRE(sp_schedule_expand(s, seed, &topo, &p, err, sizeof err) == 0);
    for (int i = 0; i < p.n_actions; i++)
      if (p.actions[i].fault_index == 0 && p.actions[i].phase == SP_ACTION_INJECT) {
        double t = p.actions[i].t_s;
        CHECK(t >= 5 && t <= 15);
        lo = t < lo ? t : lo;
        hi = t > hi ? t : hi;
      }
    sp_plan_free(&p);
  }
  CHECK(lo < 6 && hi > 14);
  sp_schedule_free(s);
}

TEST(repetition_every_until) {
  sp_schedule *s = load(random_yaml);
  REQUIRE(s);
  sp_plan p;
  REQUIRE(sp_schedule_expand(s, 9, &topo, &p, err, sizeof err) == 0);
  double prev = -1;
  int injects = 0, seen[3] = {0, 0, 0};
  for (int i = 0; i < p.n_actions; i++) {
    const sp_action *a = &p.actions[i];
    if (i) CHECK(a->t_s >= p.actions[i - 1].t_s); /* sorted */
    if (a->fault_index != 1) continue;
    if (a->phase == SP_ACTION_INJECT) {
      CHECK(a->t_s <= 60);
      if (prev >= 0) CHECK(a->t_s - prev >= 5 - 1e-9 && a->t_s - prev <= 10 + 1e-9);
      if (prev < 0) CHECK(a->t_s == 2);
      CHECK_EQ_INT(a->occurrence, injects);
      REQUIRE(a->pair >= 0);
      CHECK(fabs(p.actions[a->pair].t_s - (a->t_s + 1)) < 1e-9);
      CHECK_EQ_STR(p.actions[a->pair].target, a->target);
      int idx = a->target[9] - '0';
      REQUIRE(strncmp(a->target, "consumer:", 9) == 0 && idx >= 0 && idx < 3);
      seen[idx]++;
      prev = a->t_s;
      injects++;
    }
  }
  /* 2 + k*[5,10] <= 60: between 6 and 12 occurrences */
  CHECK(injects >= 6 && injects <= 12);
  CHECK(seen[0] + seen[1] + seen[2] == injects);
  CHECK((seen[0] > 0) + (seen[1] > 0) + (seen[2] > 0) >= 2); /* random, not always one */
  sp_plan_free(&p);

  sp_schedule *c = load("faults:\n  - {id: k, kind: pause, target: broker, at_s: 1, duration_s: 1,\n"
                        "     every: {min_s: 3, max_s: 3}, count: 4}\n");
  REQUIRE(c);
  REQUIRE(sp_schedule_expand(c, 1, &topo, &p, err, sizeof err) == 0);
  REQUIRE(p.n_actions == 8);
  for (int i = 0; i < 4; i++) {
    CHECK(p.actions[2 * i].t_s == 1 + 3 * i && p.actions[2 * i].phase == SP_ACTION_INJECT);
    CHECK(p.actions[2 * i + 1].t_s == 2 + 3 * i && p.actions[2 * i + 1].phase == SP_ACTION_HEAL);
  }
  sp_plan_free(&p);
  sp_schedule_free(c);
  sp_schedule_free(s);
}

TEST(overlap_and_topology_errors_at_expansion) {
  sp_plan p;
  sp_schedule *s = load("faults:\n"
                        "  - {id: k, kind: kill, target: broker, at_s: 5, restart_after_s: 4}\n"
                        "  - {id: z, kind: pause, target: broker, at_s: 7, duration_s: 1}\n");
  REQUIRE(s);
  CHECK(sp_schedule_expand(s, 1, &topo, &p, err, sizeof err) == -1);
  CHECK(strstr(err, "s.yaml:3:5: fault 'z': occurrence 0 at 7.000 s holds process broker while fault 'k' (line 2)"));
  CHECK_EQ_INT(p.n_actions, 0);
  sp_schedule_free(s);

  /* back to back is fine: the heal sorts before the inject */
  s = load("faults:\n"
           "  - {id: k, kind: kill, target: broker, at_s: 5, restart_after_s: 2}\n"
           "  - {id: z, kind: pause, target: broker, at_s: 7, duration_s: 1}\n");
  REQUIRE(s);
  REQUIRE(sp_schedule_expand(s, 1, &topo, &p, err, sizeof err) == 0);
  CHECK(p.actions[1].t_s == 7 && p.actions[1].phase == SP_ACTION_HEAL);
  CHECK(p.actions[2].t_s == 7 && p.actions[2].phase == SP_ACTION_INJECT);
  sp_plan_free(&p);
  sp_schedule_free(s);

  s = load("faults:\n  - {id: x, kind: kill, target: producer:5, at_s: 1, restart_after_s: 1}\n");
  REQUIRE(s);
  CHECK(sp_schedule_expand(s, 1, &topo, &p, err, sizeof err) == -1);
  CHECK(strstr(err, ":2:5: fault 'x': target producer:5, but the workload has 2 producers"));
  sp_schedule_free(s);

  s = load("faults:\n  - {id: n, kind: net, toxic: latency, latency_ms: 5, at_s: 1}\n");
  REQUIRE(s);
  sp_topology no_link = topo;
  no_link.has_link = 0;
  CHECK(sp_schedule_expand(s, 1, &no_link, &p, err, sizeof err) == -1);
  CHECK(strstr(err, "this run has no fault proxy"));
  sp_schedule_free(s);

  /* same toxic and direction twice at once */
  s = load("faults:\n"
           "  - {id: a, kind: net, toxic: latency, latency_ms: 5, at_s: 1, duration_s: 10}\n"
           "  - {id: b, kind: net, toxic: latency, latency_ms: 50, direction: upstream, at_s: 5, duration_s: 1}\n"
           "  - {id: c, kind: net, toxic: bandwidth, rate_bytes_per_s: 100, at_s: 5, duration_s: 1}\n");
  REQUIRE(s);
  CHECK(sp_schedule_expand(s, 1, &topo, &p, err, sizeof err) == -1);
  CHECK(strstr(err, "fault 'b'") && strstr(err, "latency toxic upstream"));
  sp_schedule_free(s);

  /* every consumer busy: the random pick has nowhere to go */
  s = load("faults:\n"
           "  - {id: a, kind: pause, target: consumers, at_s: 1, duration_s: 10}\n"
           "  - {id: b, kind: pause, target: consumers, at_s: 1, duration_s: 10}\n"
           "  - {id: c, kind: pause, target: consumers, at_s: 1, duration_s: 10}\n"
           "  - {id: d, kind: pause, target: consumers, at_s: 2, duration_s: 1}\n");
  REQUIRE(s);
  CHECK(sp_schedule_expand(s, 1, &topo, &p, err, sizeof err) == -1);
  CHECK(strstr(err, "fault 'd'") && strstr(err, "every candidate") && strstr(err, "(seed 1)"));
  sp_schedule_free(s);
}

TEST(errno_names_round_trip) {
  char buf[16];
  CHECK_EQ_INT(sp_errno_parse("EIO"), EIO);
  CHECK_EQ_INT(sp_errno_parse("28"), 28);
  CHECK_EQ_INT(sp_errno_parse("E2BIG_NOT"), -1);
  CHECK_EQ_INT(sp_errno_parse("0"), -1);
  CHECK_EQ_STR(sp_errno_name(ENOSPC, buf), "ENOSPC");
  CHECK_EQ_STR(sp_errno_name(4000, buf), "4000");
}

/* Every shipped schedule in faults/ loads and expands. */
TEST(shipped_schedules_are_valid) {
  static const char *files[] = {"quickstart.yaml", "broker-pause.yaml", "fsync-eio.yaml",
                                "network-latency.yaml", "partition-heal.yaml",
                                "consumer-kill-loop.yaml", "crash-points.yaml"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    char path[256];
    snprintf(path, sizeof path, "../%s", files[i]);
    sp_schedule *s = sp_schedule_load(path, err, sizeof err);
    if (!s) fprintf(stderr, "# %s\n", err);
    CHECK(s != NULL);
    if (!s) continue;
    sp_plan p;
    int rc = sp_schedule_expand(s, 1, &topo, &p, err, sizeof err);
    if (rc) fprintf(stderr, "# %s\n", err);
    CHECK(rc == 0 && p.n_actions > 0);
    if (!rc) sp_plan_free(&p);
    sp_schedule_free(s);
  }
}

SP_TEST_MAIN(kill_at_fixed_time_expands_to_inject_and_restart, every_process_kind_and_field, fiu_fields,
             disk_fields, net_fields, clock_fields, errors_name_file_line_and_key,
             same_seed_same_plan_other_seed_other_plan, window_starts_spread_over_the_window,
             repetition_every_until, overlap_and_topology_errors_at_expansion, errno_names_round_trip,
             shipped_schedules_are_valid)
