/* test_check: every anomaly type planted alone is reported exactly (count
 * and example identity) and nothing else is; plants in combination add up;
 * clean histories are valid under every semantics; verdicts follow each
 * semantics' allowed set; incomplete histories are unknown; informational
 * counters (indeterminate, nacked-but-present, below the log start, torn
 * tails, consume counts) say what happened. */
#include <inttypes.h>
#include <string.h>

#include "checkrun.h"
#include "sp_test.h"

static const semantics ALL_SEMS[] = {CHECK_SEM_AT_MOST_ONCE, CHECK_SEM_AT_LEAST_ONCE, CHECK_SEM_EXACTLY_ONCE};

/* A single-subscription run with semantics sem: clean log, derived. */
static gen *one_sub(semantics sem) {
  gen_config c = {.sem = {sem}};
  gen *g = gen_new(&c);
  return g;
}

/* Checks g as <name>; expects exactly `want` and the exit code `rc`. */
static void expect(gen *g, const char *name, const uint64_t want[ANOM_COUNT], int rc,
                   check_result *r, char *dir) {
  int got = checkrun(g, sp_test_tmpdir(), name, r, dir);
  if (got != rc) fprintf(stderr, "# %s: exit %d, expected %d (%s)\n", name, got, rc, r->reason);
  CHECK_EQ_INT(got, rc);
  if (checkrun_diff(r, want)) {
    fprintf(stderr, "#   in run %s\n", name);
    CHECK(0);
  }
}

/* The example's writer/seq are those of the message at tp/offset. */
static void check_example_msg(json_t *ex, const gen *g, uint32_t tp, int64_t offset) {
  REQUIRE(ex);
  const gen_msg *m = gen_at(g, tp, offset);
  CHECK_EQ_INT(checkrun_int(ex, "writer"), m->writer);
  CHECK_EQ_INT(checkrun_int(ex, "seq"), m->seq);
  CHECK_EQ_INT(checkrun_int(ex, "offset"), offset);
  CHECK_EQ_INT(checkrun_int(ex, "partition"), tp % g->c.partitions);
}

TEST(clean_history_is_valid_under_every_semantics) {
  for (int i = 0; i < 3; i++) {
    gen *g = one_sub(ALL_SEMS[i]);
    gen_derive(g);
    check_result r;
    char dir[512], name[32];
    snprintf(name, sizeof name, "clean-%d", i);
    uint64_t none[ANOM_COUNT] = {0};
    expect(g, name, none, CHECK_VALID, &r, dir);
    CHECK_EQ_U64(r.info.messages, 120);
    CHECK_EQ_U64(r.info.acked, 120);
    CHECK_EQ_U64(r.subs[0].consume_counts[1], 120);
    CHECK_EQ_U64(r.subs[0].applies, 120);
    CHECK_EQ_U64(r.info.indeterminate_in_log + r.info.indeterminate_not_in_log, 0);
    json_t *v = checkrun_verdict(dir);
    REQUIRE(v);
    CHECK_EQ_STR(json_string_value(json_object_get(v, "verdict")), "valid");
    json_t *an = json_object_get(v, "anomalies");
    CHECK_EQ_INT(json_object_size(an), ANOM_COUNT); /* every type, found or not */
    json_decref(v);
    check_result_free(&r);
    gen_free(g);
  }
}

TEST(clean_multi_topic_multi_subscription_per_key) {
  gen_config c = {.topics = 2,
                  .partitions = 4,
                  .producers = 3,
                  .messages = 200,
                  .keys = 16,
                  .per_key = 1,
                  .subs = 3,
                  .consumers = 3,
                  .sem = {CHECK_SEM_AT_LEAST_ONCE, CHECK_SEM_EXACTLY_ONCE, CHECK_SEM_AT_MOST_ONCE}};
  gen *g = gen_new(&c);
  gen_derive(g);
  check_result r;
  char dir[512];
  uint64_t none[ANOM_COUNT] = {0};
  expect(g, "clean-multi", none, CHECK_VALID, &r, dir);
  CHECK_EQ_U64(r.info.messages, 2 * 3 * 200);
  for (int s = 0; s < 3; s++) {
    CHECK_EQ_U64(r.subs[s].consume_counts[1], 3 * 200);
    CHECK_EQ_INT(r.subs[s].verdict, CHECK_VALID);
  }
  CHECK(r.checked[ANOM_KEY_ORDER]);
  check_result_free(&r);
  gen_free(g);
}

TEST(lost_write_is_reported_and_allowed_only_at_most_once) {
  for (int i = 0; i < 3; i++) {
    gen *g = one_sub(ALL_SEMS[i]);
    gen_derive(g);
    gen_restart(g, 0, 1, 9, 12); /* offsets 10 and 11 of partition 1 never applied */
    uint64_t want[ANOM_COUNT] = {[ANOM_LOST_WRITE] = 2};
    check_result r;
    char dir[512], name[32];
    snprintf(name, sizeof name, "lost-%d", i);
    expect(g, name, want, ALL_SEMS[i] == CHECK_SEM_AT_MOST_ONCE ? CHECK_VALID : CHECK_INVALID, &r, dir);
    CHECK_EQ_INT(r.allowed[ANOM_LOST_WRITE], ALL_SEMS[i] == CHECK_SEM_AT_MOST_ONCE);
    CHECK_EQ_U64(r.subs[0].consume_counts[0], 2);
    json_t *v = checkrun_verdict(dir);
    json_t *ex = checkrun_example(v, ANOM_LOST_WRITE, 0);
    check_example_msg(ex, g, gen_tp(g, 0, 1), 10);
    CHECK_EQ_STR(json_string_value(json_object_get(ex, "subscription")), "sub-000");
    CHECK(checkrun_int(ex, "highest_applied_offset") > 11);
    check_example_msg(checkrun_example(v, ANOM_LOST_WRITE, 1), g, gen_tp(g, 0, 1), 11);
    json_decref(v);
    check_result_free(&r);
    gen_free(g);
  }
}

TEST(unseen_after_drain_is_a_loss_and_unknown_without_drain) {
  for (int i = 0; i < 3; i++) {
    for (int drained = 0; drained < 2; drained++) {
      gen *g = one_sub(ALL_SEMS[i]);
      gen_derive(g);
      int64_t n = (int64_t)g->log[gen_tp(g, 0, 0)].n;
      gen_stop(g, 0, 0, n - 3); /* the last 3 offsets of partition 0 never applied */
      g->drain_completed = drained;
      uint64_t want[ANOM_COUNT] = {[ANOM_UNSEEN] = 3};
      int rc = ALL_SEMS[i] == CHECK_SEM_AT_MOST_ONCE ? CHECK_VALID
               : drained                       ? CHECK_INVALID
                                               : CHECK_UNKNOWN;
      check_result r;
      char dir[512], name[32];
      snprintf(name, sizeof name, "unseen-%d-%d", i, drained);
      expect(g, name, want, rc, &r, dir);
      if (rc == CHECK_UNKNOWN) CHECK(strstr(r.reason, "drain") != NULL);
      json_t *v = checkrun_verdict(dir);
      check_example_msg(checkrun_example(v, ANOM_UNSEEN, 0), g, gen_tp(g, 0, 0), n - 3);
      json_decref(v);
      check_result_free(&r);
      gen_free(g);
    }
  }
}

TEST(redelivery_is_valid_at_least_once_and_invalid_otherwise) {
  for (int i = 0; i < 3; i++) {
    gen *g = one_sub(ALL_SEMS[i]);
    gen_derive(g);
    gen_restart(g, 0, 2, 12, 10); /* offsets 10..12 applied twice */
    uint64_t want[ANOM_COUNT] = {[ANOM_REDELIVERED] = 3};
    check_result r;
    char dir[512], name[32];
    snprintf(name, sizeof name, "redeliver-%d", i);
    expect(g, name, want, ALL_SEMS[i] == CHECK_SEM_AT_LEAST_ONCE ? CHECK_VALID : CHECK_INVALID, &r, dir);
    CHECK_EQ_U64(r.subs[0].consume_counts[2], 3);
    json_t *v = checkrun_verdict(dir);
    json_t *ex = checkrun_example(v, ANOM_REDELIVERED, 0);
    check_example_msg(ex, g, gen_tp(g, 0, 2), 10);
    CHECK_EQ_INT(checkrun_int(ex, "applies"), 2);
    CHECK_EQ_INT(checkrun_int(ex, "reader"), (int64_t)g->next_id - 1); /* the new incarnation */
    CHECK(json_is_string(json_object_get(ex, "file")));
    json_decref(v);
    check_result_free(&r);
    gen_free(g);
  }
}

TEST(duplicate_in_the_log_is_allowed_only_at_least_once) {
  for (int i = 0; i < 3; i++) {
    gen *g = one_sub(ALL_SEMS[i]);
    uint32_t tp = gen_tp(g, 0, 0);
    gen_log_duplicate(g, tp, 5); /* a producer retry stored it twice */
    gen_derive(g);
    uint64_t want[ANOM_COUNT] = {[ANOM_DUPLICATE] = 1};
    check_result r;
    char dir[512], name[32];
    snprintf(name, sizeof name, "dup-%d", i);
    expect(g, name, want, ALL_SEMS[i] == CHECK_SEM_AT_LEAST_ONCE ? CHECK_VALID : CHECK_INVALID, &r, dir);
    CHECK_EQ_U64(r.subs[0].consume_counts[2], 1); /* applied once at each offset */
    json_t *v = checkrun_verdict(dir);
    json_t *ex = checkrun_example(v, ANOM_DUPLICATE, 0);
    check_example_msg(ex, g, tp, 5);
    CHECK_EQ_INT(checkrun_int(ex, "other_offset"), 6);
    json_decref(v);
    check_result_free(&r);
    gen_free(g);
  }
}

TEST(inconsistent_offsets_from_two_acks_for_one_offset) {
  gen *g = one_sub(CHECK_SEM_AT_LEAST_ONCE);
  gen_derive(g);
  uint32_t tp = gen_tp(g, 0, 1);
  const gen_msg *a = gen_at(g, tp, 4), *b = gen_at(g, tp, 5);
  gen_ack_offset(g, a->writer, a->seq, 5); /* the broker acked a at b's offset */
  uint64_t want[ANOM_COUNT] = {[ANOM_INCONSISTENT_OFFSETS] = 1};
  check_result r;
  char dir[512];
  expect(g, "inconsistent", want, CHECK_INVALID, &r, dir);
  json_t *v = checkrun_verdict(dir);
  json_t *ex = checkrun_example(v, ANOM_INCONSISTENT_OFFSETS, 0);
  REQUIRE(ex);
  CHECK_EQ_INT(checkrun_int(ex, "offset"), 5);
  /* the two messages named are a and b, in either order */
  int64_t w1 = checkrun_int(ex, "seq"), w2 = checkrun_int(json_object_get(ex, "other"), "seq");
  CHECK((w1 == (int64_t)a->seq && w2 == (int64_t)b->seq) ||
        (w1 == (int64_t)b->seq && w2 == (int64_t)a->seq));
  json_decref(v);
  check_result_free(&r);
  gen_free(g);
}

TEST(poll_skip_without_reassignment) {
  for (int i = 0; i < 3; i++) {
    gen *g = one_sub(ALL_SEMS[i]);
    gen_derive(g);
    uint32_t owner_reader = g->readers[gen_owner(g, 0, 2)].id;
    gen_skip_via_other(g, 0, 2, 7); /* owner jumps 6 -> 8; another reader applied 7 */
    uint64_t want[ANOM_COUNT] = {[ANOM_POLL_SKIP] = 1};
    check_result r;
    char dir[512], name[32];
    snprintf(name, sizeof name, "skip-%d", i);
    expect(g, name, want, CHECK_INVALID, &r, dir);
    json_t *v = checkrun_verdict(dir);
    json_t *ex = checkrun_example(v, ANOM_POLL_SKIP, 0);
    REQUIRE(ex);
    CHECK_EQ_INT(checkrun_int(ex, "reader"), owner_reader);
    CHECK_EQ_INT(checkrun_int(ex, "previous_offset"), 6);
    CHECK_EQ_INT(checkrun_int(ex, "offset"), 8);
    CHECK_EQ_INT(checkrun_int(ex, "skipped_offsets"), 1);
    json_decref(v);
    check_result_free(&r);
    gen_free(g);
  }
}

TEST(nonmonotonic_poll_going_back_and_repeating) {
  for (int i = 0; i < 3; i++) {
    gen *g = one_sub(ALL_SEMS[i]);
    gen_derive(g);
    int64_t last = (int64_t)g->log[gen_tp(g, 0, 1)].n - 1;
    gen_move_block(g, 0, 1, 5, 8); /* 0..4, ASSIGN, 8..last, then 5..7 */
    uint64_t want[ANOM_COUNT] = {[ANOM_NONMONOTONIC_POLL] = 1};
    check_result r;
    char dir[512], name[32];
    snprintf(name, sizeof name, "back-%d", i);
    expect(g, name, want, CHECK_INVALID, &r, dir);
    json_t *v = checkrun_verdict(dir);
    json_t *ex = checkrun_example(v, ANOM_NONMONOTONIC_POLL, 0);
    REQUIRE(ex);
    CHECK_EQ_INT(checkrun_int(ex, "previous_offset"), last);
    CHECK_EQ_INT(checkrun_int(ex, "offset"), 5);
    json_decref(v);
    check_result_free(&r);
    gen_free(g);
  }
  /* exactly-once: polling an applied offset again (SKIP) without a reset */
  gen *g = one_sub(CHECK_SEM_EXACTLY_ONCE);
  gen_derive(g);
  gen_repoll(g, 0, 0, 3);
  uint64_t want[ANOM_COUNT] = {[ANOM_NONMONOTONIC_POLL] = 1};
  check_result r;
  char dir[512];
  expect(g, "repoll", want, CHECK_INVALID, &r, dir);
  check_result_free(&r);
  gen_free(g);
}

TEST(key_order_violation_only_with_per_key_ordering) {
  for (int per_key = 0; per_key < 2; per_key++) {
    gen_config c = {.sem = {CHECK_SEM_AT_LEAST_ONCE}, .per_key = per_key};
    gen *g = gen_new(&c);
    uint32_t tp = gen_tp(g, 0, 1);
    int64_t a, b;
    gen_same_key(g, tp, &a, &b);
    gen_log_swap(g, tp, a, b); /* one writer's key stored out of sequence order */
    gen_derive(g);
    uint64_t want[ANOM_COUNT] = {[ANOM_KEY_ORDER] = (uint64_t)per_key};
    check_result r;
    char dir[512], name[32];
    snprintf(name, sizeof name, "order-%d", per_key);
    expect(g, name, want, per_key ? CHECK_INVALID : CHECK_VALID, &r, dir);
    CHECK_EQ_INT(r.checked[ANOM_KEY_ORDER], per_key);
    if (per_key) {
      json_t *v = checkrun_verdict(dir);
      json_t *ex = checkrun_example(v, ANOM_KEY_ORDER, 0);
      check_example_msg(ex, g, tp, b);
      CHECK_EQ_INT(checkrun_int(ex, "previous_offset"), a);
      CHECK_EQ_INT(checkrun_int(ex, "previous_seq"), gen_at(g, tp, a)->seq);
      CHECK_EQ_INT(checkrun_int(ex, "key"), gen_at(g, tp, b)->key);
      json_decref(v);
    }
    check_result_free(&r);
    gen_free(g);
  }
}

TEST(content_mismatch_in_transit_in_the_log_and_in_the_key) {
  struct {
    const char *name;
    int in_log;
    uint8_t clear;
    const char *reason;
  } cases[] = {{"transit", 0, HIST_F_CHECKSUM, "checksum"},
               {"stored", 1, HIST_F_CHECKSUM, "checksum"},
               {"key", 0, HIST_F_KEY_OK, "key"}};
  for (int i = 0; i < 3; i++) {
    gen *g = one_sub(CHECK_SEM_EXACTLY_ONCE);
    uint32_t tp = gen_tp(g, 0, 2);
    if (cases[i].in_log)
      gen_log_flags(g, tp, 4, (uint8_t)(gen_at(g, tp, 4)->flags & ~cases[i].clear));
    gen_derive(g);
    if (!cases[i].in_log) gen_apply_flags(g, 0, 2, 4, cases[i].clear);
    uint64_t want[ANOM_COUNT] = {[ANOM_CONTENT_MISMATCH] = 1};
    check_result r;
    char dir[512];
    expect(g, cases[i].name, want, CHECK_INVALID, &r, dir);
    CHECK_EQ_U64(r.subs[0].consume_counts[1], 120); /* still one delivery each */
    json_t *v = checkrun_verdict(dir);
    json_t *ex = checkrun_example(v, ANOM_CONTENT_MISMATCH, 0);
    check_example_msg(ex, g, tp, 4);
    CHECK(strstr(json_string_value(json_object_get(ex, "reason")), cases[i].reason) != NULL);
    json_decref(v);
    check_result_free(&r);
    gen_free(g);
  }
}

TEST(unknown_message_no_identity_foreign_writer_unsent_seq) {
  for (int i = 0; i < 3; i++) {
    gen *g = one_sub(CHECK_SEM_AT_LEAST_ONCE);
    uint32_t tp = gen_tp(g, 0, 0);
    uint8_t ok = HIST_F_IDENTITY | HIST_F_CHECKSUM | HIST_F_KEY_OK;
    gen_msg foreign[] = {{0, 0, HIST_NO_KEY, 0},          /* kcat wrote plain bytes */
                         {999, 3, HIST_NO_KEY, ok},       /* writer id not in meta.json */
                         {g->writers[0].id, 500, 1, ok}}; /* its writer sent only 60 */
    gen_log_insert(g, tp, 7, foreign[i]);
    gen_derive(g);
    uint64_t want[ANOM_COUNT] = {[ANOM_UNKNOWN_MESSAGE] = 1};
    check_result r;
    char dir[512], name[32];
    snprintf(name, sizeof name, "unknown-%d", i);
    expect(g, name, want, CHECK_INVALID, &r, dir);
    json_t *v = checkrun_verdict(dir);
    json_t *ex = checkrun_example(v, ANOM_UNKNOWN_MESSAGE, 0);
    REQUIRE(ex);
    CHECK_EQ_INT(checkrun_int(ex, "offset"), 7);
    CHECK(json_is_string(json_object_get(ex, "reason")));
    json_decref(v);
    check_result_free(&r);
    gen_free(g);
  }
}

TEST(acked_but_missing_from_the_readback) {
  for (int hole = 0; hole < 2; hole++) {
    gen *g = one_sub(CHECK_SEM_AT_LEAST_ONCE);
    gen_derive(g);
    uint32_t tp = gen_tp(g, 0, 1);
    int64_t n = (int64_t)g->log[tp].n;
    if (hole)
      gen_readback_drop(g, tp, 3, 4); /* offset 3 gone */
    else
      gen_readback_drop(g, tp, n - 2, -1); /* log truncated after consumption */
    uint64_t want[ANOM_COUNT] = {[ANOM_ACKED_BUT_MISSING] = hole ? 1u : 2u};
    check_result r;
    char dir[512];
    expect(g, hole ? "missing-hole" : "missing-tail", want, CHECK_INVALID, &r, dir);
    json_t *v = checkrun_verdict(dir);
    json_t *ex = checkrun_example(v, ANOM_ACKED_BUT_MISSING, 0);
    check_example_msg(ex, g, tp, hole ? 3 : n - 2);
    CHECK_EQ_INT(checkrun_int(ex, "log_end_offset"), hole ? n : n - 2);
    json_decref(v);
    check_result_free(&r);
    gen_free(g);
  }
}

TEST(ack_without_offset_never_stored) {
  gen *g = one_sub(CHECK_SEM_AT_LEAST_ONCE);
  uint32_t tp = gen_tp(g, 0, 2);
  gen_msg m = *gen_at(g, tp, 6);
  gen_log_remove(g, tp, 6);
  gen_fate(g, m.writer, m.seq, GEN_FATE_ACK); /* acked, yet stored nowhere */
  gen_derive(g);
  uint64_t want[ANOM_COUNT] = {[ANOM_UNSEEN] = 1, [ANOM_ACKED_BUT_MISSING] = 1};
  check_result r;
  char dir[512];
  expect(g, "ack-no-offset", want, CHECK_INVALID, &r, dir);
  CHECK_EQ_U64(r.info.acks_without_offset, 1);
  json_t *v = checkrun_verdict(dir);
  json_t *ex = checkrun_example(v, ANOM_ACKED_BUT_MISSING, 0);
  REQUIRE(ex);
  CHECK_EQ_INT(checkrun_int(ex, "writer"), m.writer);
  CHECK_EQ_INT(checkrun_int(ex, "seq"), m.seq);
  json_decref(v);
  check_result_free(&r);
  gen_free(g);
}

TEST(indeterminate_and_nacked_sends_are_information) {
  gen *g = one_sub(CHECK_SEM_AT_LEAST_ONCE);
  uint32_t tp = gen_tp(g, 0, 0);
  const gen_msg *in_log = gen_at(g, tp, 2), *nacked = gen_at(g, tp, 3);
  gen_fate(g, in_log->writer, in_log->seq, GEN_FATE_NONE); /* timed out, but stored */
  gen_fate(g, nacked->writer, nacked->seq, GEN_FATE_NACK); /* failed, but stored */
  gen_msg gone = *gen_at(g, tp, 9), lost = *gen_at(g, tp, 10);
  gen_log_remove(g, tp, 10);
  gen_log_remove(g, tp, 9);                          /* NACKed and not stored: correct */
  gen_fate(g, lost.writer, lost.seq, GEN_FATE_NONE); /* timed out and not stored */
  (void)gone;
  gen_derive(g);
  uint64_t none[ANOM_COUNT] = {0};
  check_result r;
  char dir[512];
  expect(g, "indeterminate", none, CHECK_VALID, &r, dir);
  CHECK_EQ_U64(r.info.indeterminate_in_log, 1);
  CHECK_EQ_U64(r.info.indeterminate_not_in_log, 1);
  CHECK_EQ_U64(r.info.nacked_but_present, 1);
  CHECK_EQ_U64(r.info.nacked, 2);
  CHECK_EQ_U64(r.info.messages, 118); /* 120 sent, 2 never stored */
  json_t *v = checkrun_verdict(dir);
  json_t *ind = json_object_get(json_object_get(v, "info"), "indeterminate_sends");
  CHECK_EQ_INT(checkrun_int(ind, "in_log"), 1);
  CHECK_EQ_INT(checkrun_int(ind, "not_in_log"), 1);
  json_decref(v);
  check_result_free(&r);
  gen_free(g);
}

TEST(messages_below_the_log_start_are_not_loss) {
  gen *g = one_sub(CHECK_SEM_EXACTLY_ONCE);
  gen_derive(g);
  uint32_t tp = gen_tp(g, 0, 1);
  gen_log_start(g, tp, 5);    /* retention deleted 0..4 */
  gen_restart(g, 0, 1, 1, 5); /* 2..4 were never applied: deleted before they were read */
  uint64_t none[ANOM_COUNT] = {0};
  check_result r;
  char dir[512];
  expect(g, "retention", none, CHECK_VALID, &r, dir);
  CHECK_EQ_U64(r.info.below_log_start, 5);
  CHECK_EQ_U64(r.subs[0].below_log_start_unapplied, 3);
  check_result_free(&r);
  gen_free(g);
}

TEST(torn_history_tails_are_tolerated_and_reported) {
  gen *g = one_sub(CHECK_SEM_EXACTLY_ONCE);
  gen_derive(g);
  gen_torn(g, "consumer-1.hist", 10);
  gen_torn(g, "producer-0.hist", 63);
  uint64_t none[ANOM_COUNT] = {0};
  check_result r;
  char dir[512];
  expect(g, "torn", none, CHECK_VALID, &r, dir);
  CHECK_EQ_U64(r.info.torn_files, 2);
  CHECK_EQ_U64(r.info.torn_bytes, 73);
  json_t *v = checkrun_verdict(dir);
  json_t *torn = json_object_get(json_object_get(v, "info"), "torn_history_tails");
  CHECK_EQ_INT(json_array_size(torn), 2);
  json_decref(v);
  check_result_free(&r);
  gen_free(g);
}

TEST(running_processes_make_the_verdict_unknown_unless_invalid) {
  for (int who = 0; who < 3; who++) {
    gen *g = one_sub(CHECK_SEM_EXACTLY_ONCE);
    if (who == 2) gen_log_duplicate(g, gen_tp(g, 0, 0), 3); /* forbidden: invalid wins */
    gen_derive(g);
    gen_exit(g, who == 0 ? g->writers[1].id : g->readers[0].id, "running");
    uint64_t want[ANOM_COUNT] = {[ANOM_DUPLICATE] = who == 2};
    check_result r;
    char dir[512], name[32];
    snprintf(name, sizeof name, "running-%d", who);
    expect(g, name, want, who == 2 ? CHECK_INVALID : CHECK_UNKNOWN, &r, dir);
    if (who < 2) CHECK(strstr(r.reason, "still running") != NULL);
    check_result_free(&r);
    gen_free(g);
  }
}

TEST(readback_missing_is_unknown_only_when_needed) {
  for (int i = 0; i < 2; i++) {
    gen *g = one_sub(i ? CHECK_SEM_AT_MOST_ONCE : CHECK_SEM_AT_LEAST_ONCE);
    gen_derive(g);
    g->write_readback = 0;
    if (i) gen_stop(g, 0, 0, 3); /* at-most-once lost messages: was the broker to blame? */
    uint64_t want[ANOM_COUNT] = {[ANOM_UNSEEN] = i ? g->log[gen_tp(g, 0, 0)].n - 3 : 0};
    check_result r;
    char dir[512];
    expect(g, i ? "no-readback-loss" : "no-readback", want, i ? CHECK_UNKNOWN : CHECK_VALID, &r,
           dir);
    CHECK_EQ_INT(r.checked[ANOM_ACKED_BUT_MISSING], 0);
    if (i) CHECK(strstr(r.reason, "readback") != NULL);
    check_result_free(&r);
    gen_free(g);
  }
}

TEST(missing_producer_history_is_unknown) {
  gen *g = one_sub(CHECK_SEM_AT_LEAST_ONCE);
  gen_derive(g);
  check_result r;
  char dir[512], path[600];
  snprintf(dir, sizeof dir, "%s/noprod", sp_test_tmpdir());
  REQUIRE(gen_write(g, dir) == 0);
  snprintf(path, sizeof path, "%s/history/producer-1.hist", dir);
  REQUIRE(unlink(path) == 0);
  CHECK_EQ_INT(checkrun_dir(dir, &r), CHECK_UNKNOWN);
  CHECK(strstr(r.reason, "producer-1.hist") != NULL);
  check_result_free(&r);
  gen_free(g);
}

/* ---- combinations ------------------------------------------------------------
 * Eleven plants at disjoint places of one history (sub 0 at_least_once, sub 1
 * exactly_once, four partitions): every subset must report exactly the sum
 * of what its members report alone. */

enum {
  P_LOST,
  P_REDELIVER,
  P_UNSEEN,
  P_DUP,
  P_INCONS,
  P_SKIP,
  P_BACK,
  P_ORDER,
  P_CONTENT,
  P_UNKNOWN,
  P_MISSING,
  P_COUNT
};

static const struct {
  anomaly_type type;
  uint64_t count;
  int sub; /* the subscription it belongs to, -1 log-level (both) */
} PLANT[P_COUNT] = {
    [P_LOST] = {ANOM_LOST_WRITE, 2, 0},
    [P_REDELIVER] = {ANOM_REDELIVERED, 3, 1},
    [P_UNSEEN] = {ANOM_UNSEEN, 3, 0},
    [P_DUP] = {ANOM_DUPLICATE, 1, -1},
    [P_INCONS] = {ANOM_INCONSISTENT_OFFSETS, 1, -1},
    [P_SKIP] = {ANOM_POLL_SKIP, 1, 0},
    [P_BACK] = {ANOM_NONMONOTONIC_POLL, 1, 1},
    [P_ORDER] = {ANOM_KEY_ORDER, 1, -1},
    [P_CONTENT] = {ANOM_CONTENT_MISMATCH, 1, -1},
    [P_UNKNOWN] = {ANOM_UNKNOWN_MESSAGE, 1, -1},
    [P_MISSING] = {ANOM_ACKED_BUT_MISSING, 1, -1},
};

static void run_combination(unsigned mask, int *failures) {
  gen_config c = {.partitions = 4,
                  .producers = 2,
                  .messages = 100,
                  .keys = 8,
                  .per_key = 1,
                  .subs = 2,
                  .consumers = 2,
                  .sem = {CHECK_SEM_AT_LEAST_ONCE, CHECK_SEM_EXACTLY_ONCE}};
  gen *g = gen_new(&c);
  uint32_t tp0 = gen_tp(g, 0, 0), tp1 = gen_tp(g, 0, 1), tp2 = gen_tp(g, 0, 2),
           tp3 = gen_tp(g, 0, 3);
  if (mask & 1u << P_DUP) gen_log_duplicate(g, tp0, 20);
  if (mask & 1u << P_ORDER) {
    int64_t a, b;
    gen_same_key(g, tp2, &a, &b);
    gen_log_swap(g, tp2, a, b);
  }
  if (mask & 1u << P_UNKNOWN) gen_log_insert(g, tp1, 15, (gen_msg){0, 0, HIST_NO_KEY, 0});
  gen_derive(g);
  if (mask & 1u << P_LOST) gen_restart(g, 0, 1, 9, 12);
  if (mask & 1u << P_REDELIVER) gen_restart(g, 1, 2, 12, 10);
  if (mask & 1u << P_UNSEEN) gen_stop(g, 0, 3, (int64_t)g->log[tp3].n - 3);
  if (mask & 1u << P_INCONS) {
    const gen_msg *a = gen_at(g, tp3, 30);
    gen_ack_offset(g, a->writer, a->seq, 31);
  }
  if (mask & 1u << P_SKIP) gen_skip_via_other(g, 0, 2, 5);
  if (mask & 1u << P_BACK) gen_repoll(g, 1, 1, 3);
  if (mask & 1u << P_CONTENT) gen_apply_flags(g, 0, 0, 40, HIST_F_CHECKSUM);
  if (mask & 1u << P_MISSING) gen_readback_drop(g, tp0, 45, 46);
  uint64_t want[ANOM_COUNT] = {0};
  int sub_bad[2] = {0, 0};
  for (int p = 0; p < P_COUNT; p++) {
    if (!(mask & 1u << p)) continue;
    want[PLANT[p].type] += PLANT[p].count;
    /* a duplicate is allowed at least once (sub 0), forbidden exactly once */
    if (PLANT[p].sub != 1 && p != P_DUP) sub_bad[0] = 1;
    if (PLANT[p].sub != 0) sub_bad[1] = 1;
  }
  check_result r;
  char dir[512], name[32];
  static int runs; /* a fresh folder per run: gen_write appends to existing files */
  snprintf(name, sizeof name, "combo-%d-%03x", runs++, mask);
  int rc = checkrun(g, sp_test_tmpdir(), name, &r, dir);
  int bad = checkrun_diff(&r, want);
  int want_rc = sub_bad[0] || sub_bad[1] ? CHECK_INVALID : CHECK_VALID;
  if (rc != want_rc) bad++;
  for (int s = 0; s < 2; s++)
    if (r.subs[s].verdict != (sub_bad[s] ? CHECK_INVALID : CHECK_VALID)) bad++;
  if (bad) {
    fprintf(stderr, "# combination 0x%03x: %d mismatches (exit %d)\n", mask, bad, rc);
    (*failures)++;
  }
  check_result_free(&r);
  gen_free(g);
}

TEST(every_plant_alone_and_in_combination_adds_up) {
  int failures = 0;
  run_combination(0, &failures);
  for (unsigned a = 0; a < P_COUNT; a++) {
    run_combination(1u << a, &failures);
    for (unsigned b = a + 1; b < P_COUNT; b++) run_combination(1u << a | 1u << b, &failures);
  }
  unsigned x = 12345; /* a fixed pseudo-random walk over larger subsets */
  for (int i = 0; i < 48; i++) {
    x = x * 1103515245u + 12345u;
    run_combination((x >> 8) & ((1u << P_COUNT) - 1), &failures);
  }
  run_combination((1u << P_COUNT) - 1, &failures);
  CHECK_EQ_INT(failures, 0);
}

SP_TEST_MAIN(
    clean_history_is_valid_under_every_semantics, clean_multi_topic_multi_subscription_per_key,
    lost_write_is_reported_and_allowed_only_at_most_once,
    unseen_after_drain_is_a_loss_and_unknown_without_drain,
    redelivery_is_valid_at_least_once_and_invalid_otherwise,
    duplicate_in_the_log_is_allowed_only_at_least_once,
    inconsistent_offsets_from_two_acks_for_one_offset, poll_skip_without_reassignment,
    nonmonotonic_poll_going_back_and_repeating, key_order_violation_only_with_per_key_ordering,
    content_mismatch_in_transit_in_the_log_and_in_the_key,
    unknown_message_no_identity_foreign_writer_unsent_seq, acked_but_missing_from_the_readback,
    ack_without_offset_never_stored, indeterminate_and_nacked_sends_are_information,
    messages_below_the_log_start_are_not_loss, torn_history_tails_are_tolerated_and_reported,
    running_processes_make_the_verdict_unknown_unless_invalid,
    readback_missing_is_unknown_only_when_needed, missing_producer_history_is_unknown,
    every_plant_alone_and_in_combination_adds_up)
