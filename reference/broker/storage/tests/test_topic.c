/* test_topic: topic names (Kafka's rule, nothing escapes the data dir),
 * creation, discovery at open, interrupted creation. */
#include <string.h>
#include <sys/stat.h>

#include "sp_test.h"
#include "store.h"
#include "store_test_util.h"

#define S(x) x, strlen(x)

TEST(name_rule) {
  CHECK(store_topic_name_valid(S("orders")));
  CHECK(store_topic_name_valid(S("a.b_c-D9")));
  CHECK(store_topic_name_valid(S("...")));
  CHECK(!store_topic_name_valid(S("")));
  CHECK(!store_topic_name_valid(S(".")));
  CHECK(!store_topic_name_valid(S("..")));
  CHECK(!store_topic_name_valid(S("../x")));
  CHECK(!store_topic_name_valid(S("a/b")));
  CHECK(!store_topic_name_valid(S("a b")));
  CHECK(!store_topic_name_valid("a\0b", 3));
  CHECK(!store_topic_name_valid(NULL, 3));
  char name[251];
  memset(name, 'x', sizeof name);
  CHECK(store_topic_name_valid(name, 249));
  CHECK(!store_topic_name_valid(name, 250));
}

TEST(create_and_rediscover) {
  const char *dir = sp_test_tmpdir();
  store_config cfg = test_config(dir, STORE_FSYNC_ALWAYS, 1 << 20);
  store *s = store_open(&cfg);
  REQUIRE(s);
  CHECK_EQ_INT(store_create_topic(s, S("b-topic"), 3), KERR_NONE);
  CHECK_EQ_INT(store_create_topic(s, S("a"), 1), KERR_NONE);
  CHECK_EQ_INT(store_create_topic(s, S("a"), 2), KERR_TOPIC_ALREADY_EXISTS);
  CHECK_EQ_INT(store_create_topic(s, S("../escape"), 1), KERR_INVALID_TOPIC_EXCEPTION);
  CHECK_EQ_INT(store_create_topic(s, S("c"), 0), KERR_INVALID_PARTITIONS);
  CHECK_EQ_INT(store_create_topic(s, S("c"), 100001), KERR_INVALID_PARTITIONS);
  CHECK_EQ_INT(store_topic_partitions(s, S("b-topic")), 3);
  CHECK_EQ_INT(store_topic_partitions(s, S("c")), -1);
  CHECK_EQ_INT(store_topic_partitions(s, "a", 1), 1);
  CHECK_EQ_INT(store_topic_partitions(s, "ab", 1), 1); /* lengths, not NULs, delimit names */
  struct stat st;
  CHECK(stat(test_path(dir, "b-topic-2"), &st) == 0 && S_ISDIR(st.st_mode));
  int64_t b, l;
  REQUIRE(test_append(store_partition(s, S("b-topic"), 2), 4, 10, 1, NULL, &b, &l) == 0);
  REQUIRE(store_sync(s) == 0);
  store_close(s);

  s = store_open(&cfg);
  REQUIRE(s);
  CHECK_EQ_INT(store_topic_partitions(s, S("b-topic")), 3);
  CHECK_EQ_INT(store_topic_partitions(s, S("a")), 1);
  CHECK_EQ_INT(partition_log_end_offset(store_partition(s, S("b-topic"), 2)), 4);
  store_close(s);
}

typedef struct topic_list {
  char names[8][32];
  int32_t parts[8];
  int n;
} topic_list;

static void list_topic(void *ctx, const char *name, int32_t parts) {
  topic_list *t = ctx;
  if (t->n < 8) {
    snprintf(t->names[t->n], 32, "%s", name);
    t->parts[t->n++] = parts;
  }
}

TEST(foreach_in_name_order_and_interrupted_creation) {
  const char *dir = sp_test_tmpdir();
  store_config cfg = test_config(dir, STORE_FSYNC_ALWAYS, 1 << 20);
  store *s = store_open(&cfg);
  REQUIRE(s);
  REQUIRE(store_create_topic(s, S("zeta"), 2) == 0);
  REQUIRE(store_create_topic(s, S("alpha"), 1) == 0);
  REQUIRE(store_create_topic(s, S("mid-1"), 1) == 0);
  store_close(s);
  /* A creation cut short (partition 0 is made last), a gap, and noise. */
  mkdir(test_path(dir, "half-1"), 0755);
  mkdir(test_path(dir, "half-2"), 0755);
  mkdir(test_path(dir, "zeta-3"), 0755);
  mkdir(test_path(dir, "not_a_partition"), 0755);
  mkdir(test_path(dir, "x-01"), 0755);
  s = store_open(&cfg);
  REQUIRE(s);
  topic_list t = {0};
  store_foreach_topic(s, list_topic, &t);
  REQUIRE(t.n == 3);
  CHECK_EQ_STR(t.names[0], "alpha");
  CHECK_EQ_STR(t.names[1], "mid-1");
  CHECK_EQ_STR(t.names[2], "zeta");
  CHECK_EQ_INT(t.parts[2], 2);
  CHECK_EQ_INT(store_topic_partitions(s, S("half")), -1);
  /* Retrying the interrupted creation reuses its directories. */
  CHECK_EQ_INT(store_create_topic(s, S("half"), 3), KERR_NONE);
  CHECK_EQ_INT(store_topic_partitions(s, S("half")), 3);
  store_close(s);
}

SP_TEST_MAIN(name_rule, create_and_rediscover, foreach_in_name_order_and_interrupted_creation)
