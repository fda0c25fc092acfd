/* test_drain: the drain is complete exactly when every subscription has
 * processed up to every partition's end offset; empty partitions and
 * partitions whose start was deleted count as done; positions never move
 * back; out-of-range reports are ignored. */
#include "drain.h"
#include "sp_test.h"

TEST(completion) {
  int32_t parts[] = {2, 1};
  uint32_t sub_topic[] = {0, 0, 1}; /* two subscriptions on topic 0, one on topic 1 */
  drain_tracker d;
  drain_init(&d, 2, parts, 3, sub_topic);
  CHECK(!drain_complete(&d)); /* no targets yet */
  drain_set_target(&d, 0, 0, 0, 100);
  drain_set_target(&d, 0, 1, 0, 0); /* empty */
  drain_set_target(&d, 1, 0, 50, 80); /* retention moved the start to 50 */
  CHECK(!drain_sub_complete(&d, 0));
  CHECK_EQ_U64(drain_remaining(&d), 100 + 100 + 30);
  drain_report(&d, 0, 0, 0, 60);
  drain_report(&d, 0, 0, 0, 40); /* a restarted member re-reads: no step back */
  CHECK_EQ_U64(drain_remaining(&d), 40 + 100 + 30);
  drain_report(&d, 0, 0, 0, 100);
  CHECK(drain_sub_complete(&d, 0));
  CHECK(!drain_sub_complete(&d, 1));
  drain_report(&d, 1, 0, 0, 100);
  CHECK(drain_sub_complete(&d, 1));
  CHECK(!drain_complete(&d));
  drain_report(&d, 2, 0, 0, 100); /* wrong topic for subscription 2: ignored */
  drain_report(&d, 2, 1, 5, 100); /* no such partition */
  drain_report(&d, 7, 1, 0, 100); /* no such subscription */
  CHECK(!drain_sub_complete(&d, 2));
  drain_report(&d, 2, 1, 0, 79);
  CHECK(!drain_complete(&d));
  drain_report(&d, 2, 1, 0, 80);
  CHECK(drain_complete(&d));
  CHECK_EQ_U64(drain_remaining(&d), 0);
  drain_free(&d);
}

TEST(no_subscriptions) {
  int32_t parts[] = {4};
  drain_tracker d;
  drain_init(&d, 1, parts, 0, NULL);
  CHECK(drain_complete(&d)); /* nothing to wait for */
  drain_free(&d);
}

SP_TEST_MAIN(completion, no_subscriptions)
