/* test_workload_set: `streamproof run --set key=value` overrides: validated
 * like the file, errors naming "--set key", a failed --set leaving the
 * workload as it was. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wl_test_util.h"

/* Applies assignment; it must succeed. */
#define SET_OK(w, assignment)                                                \
  do {                                                                       \
    char e_[1024];                                                           \
    int rc_ = workload_set((w), (assignment), e_, sizeof e_);                \
    if (rc_) fprintf(stderr, "#   --set %s: %s\n", (assignment), e_);        \
    CHECK(rc_ == 0);                                                         \
  } while (0)

/* Applies assignment; it must fail with an error containing each needle. */
#define SET_FAILS(w, assignment, needle1, needle2)                           \
  do {                                                                       \
    char e_[1024];                                                           \
    CHECK(workload_set((w), (assignment), e_, sizeof e_) != 0);              \
    if (getenv("WL_TEST_VERBOSE")) fprintf(stderr, "# %s\n", e_);            \
    if (!strstr(e_, (needle1)) || !strstr(e_, (needle2))) {                  \
      sp_test_report(__FILE__, __LINE__, "error message");                   \
      fprintf(stderr, "#   got: %s\n#   want: '%s' and '%s'\n", e_, (needle1), (needle2)); \
    }                                                                        \
  } while (0)

TEST(scalars_and_nested) {
  workload w;
  REQUIRE_LOAD(MIN_YAML, &w);
  SET_OK(&w, "producerRate=2500");
  CHECK_NEAR(w.producer_rate, 2500, 0);
  CHECK_NEAR(w.rate_profile.rate, 2500, 0); /* re-resolved */
  SET_OK(&w, "broker.fsync=never");
  CHECK_EQ_INT(w.broker.fsync, FSYNC_NEVER);
  SET_OK(&w, "broker.fsync=interval:7");
  CHECK_EQ_INT(w.broker.fsync, FSYNC_INTERVAL);
  CHECK_EQ_INT(w.broker.fsync_interval_ms, 7);
  SET_OK(&w, "producer.acks=0");
  CHECK_EQ_INT(w.producer.acks, 0);
  SET_OK(&w, "name=my run");
  CHECK_EQ_STR(w.name, "my run");
  SET_OK(&w, "seed=99");
  CHECK_EQ_U64(w.seed, 99);
  SET_OK(&w, "semantics=exactly_once");
  CHECK_EQ_INT(workload_subscription(&w, 0)->semantics, SEM_EXACTLY_ONCE);
  SET_OK(&w, "broker.segment_bytes=1MiB");
  CHECK_EQ_INT(w.broker.segment_bytes, 1 << 20);
  SET_OK(&w, "broker.segment_bytes=");  /* null: back to refbroker's default */
  CHECK_EQ_INT(w.broker.segment_bytes, 0);
  CHECK(workload_is_set(&w, "producer.acks"));
  /* earlier sets survive later ones */
  CHECK_NEAR(w.producer_rate, 2500, 0);
  CHECK_EQ_INT(w.broker.fsync, FSYNC_INTERVAL);
  workload_free(&w);
}

TEST(librdkafka_dotted_property) {
  workload w;
  REQUIRE_LOAD(MIN_YAML, &w);
  SET_OK(&w, "librdkafka.producer.queue.buffering.max.kbytes=2048");
  REQUIRE(w.rdkafka_producer.n == 1);
  CHECK_EQ_STR(w.rdkafka_producer.keys[0], "queue.buffering.max.kbytes");
  CHECK_EQ_STR(w.rdkafka_producer.values[0], "2048");
  SET_OK(&w, "librdkafka.producer.queue.buffering.max.kbytes=4096"); /* replaces */
  REQUIRE(w.rdkafka_producer.n == 1);
  CHECK_EQ_STR(w.rdkafka_producer.values[0], "4096");
  SET_FAILS(&w, "librdkafka.consumer.no.such.thing=1", "--set librdkafka.consumer.no.such.thing:",
            "librdkafka has no property 'no.such.thing'");
  workload_free(&w);
}

TEST(replaces_omb_alternative) {
  /* the CI use: shorten an OMB file from the command line */
  workload w;
  REQUIRE_LOAD("topics: 1\npartitionsPerTopic: 2\nmessageSize: 100\nproducerRate: 10\n"
               "testDurationMinutes: 15\nwarmupDurationMinutes: 1\nkeyDistributor: KEY_ROUND_ROBIN\n", &w);
  CHECK_NEAR(w.duration_s, 900, 0);
  SET_OK(&w, "duration_s=5");
  CHECK_NEAR(w.duration_s, 5, 0);
  CHECK(!workload_is_set(&w, "testDurationMinutes"));
  CHECK_NEAR(w.warmup_s, 60, 0); /* still the file's warmupDurationMinutes */
  SET_OK(&w, "warmup_s=0.5");
  CHECK_NEAR(w.warmup_s, 0.5, 0);
  SET_OK(&w, "testDurationMinutes=2"); /* and back */
  CHECK_NEAR(w.duration_s, 120, 0);
  SET_OK(&w, "message_size={distribution: uniform, min_bytes: 100, max_bytes: 200}");
  CHECK_EQ_INT(w.message_size.distribution, SIZEDIST_UNIFORM);
  SET_OK(&w, "messageSize=64");
  CHECK_EQ_INT(w.message_size.distribution, SIZEDIST_FIXED);
  CHECK_EQ_INT(w.message_size.size, 64);
  SET_OK(&w, "key_distribution=zipf");
  CHECK_EQ_INT(w.key_distribution, KEYDIST_ZIPF);
  workload_free(&w);
}

TEST(lists_and_mappings) {
  workload w;
  REQUIRE_LOAD(MIN_YAML "subscriptionsPerTopic: 2\n", &w);
  SET_OK(&w, "rate_profile={type: steps, steps: [{at_s: 1, rate: 50}, {at_s: 2, rate: 0}]}");
  CHECK_EQ_INT(w.rate_profile.type, RATE_STEPS);
  CHECK_EQ_INT(w.rate_profile.n_steps, 2);
  SET_OK(&w, "rate_profile.steps=[{at_s: 3, rate: 7}]"); /* a list is replaced */
  REQUIRE(w.rate_profile.n_steps == 1);
  CHECK_NEAR(w.rate_profile.steps[0].rate, 7, 0);
  SET_OK(&w, "subscriptions=[{semantics: at_most_once}]");
  CHECK_EQ_INT(workload_subscription(&w, 0)->semantics, SEM_AT_MOST_ONCE);
  CHECK_EQ_INT(workload_subscription(&w, 1)->semantics, SEM_AT_LEAST_ONCE);
  SET_OK(&w, "event_time.clock_skew_ms=[-5]");
  CHECK_EQ_INT(w.event_time.n_skews, 1);
  SET_OK(&w, "event_time.clock_skew_ms=20"); /* back to a bound */
  CHECK_EQ_INT(w.event_time.n_skews, 0);
  CHECK_NEAR(w.event_time.clock_skew_ms, 20, 0);
  SET_OK(&w, "broker.extra_args=[--idle-timeout-ms, 5000]");
  REQUIRE(w.broker.n_extra_args == 2);
  CHECK_EQ_STR(w.broker.extra_args[1], "5000");
  SET_OK(&w, "producer={linger_ms: 1, compression: zstd}"); /* a mapping merges */
  CHECK_NEAR(w.producer.linger_ms, 1, 0);
  CHECK_EQ_INT(w.producer.compression, COMPRESSION_ZSTD);
  workload_free(&w);
}

TEST(paths_relative_to_cwd) {
  workload w;
  REQUIRE_LOAD(MIN_YAML, &w);
  char cwd[PATH_MAX], want[PATH_MAX + 32];
  REQUIRE(getcwd(cwd, sizeof cwd) != NULL);
  SET_OK(&w, "faults=my-faults.yaml");
  snprintf(want, sizeof want, "%s/my-faults.yaml", cwd);
  CHECK_EQ_STR(w.faults_path, want);
  SET_OK(&w, "messageSize=200");
  SET_OK(&w, "payloadFile=tests/data/payload/payload-200b.data");
  CHECK_EQ_INT(w.payload, PAYLOAD_FILE);
  CHECK(strstr(w.payload_path, "/tests/data/payload/payload-200b.data") != NULL);
  workload_free(&w);
}

TEST(invalid_values) {
  workload w;
  REQUIRE_LOAD(MIN_YAML, &w);
  SET_FAILS(&w, "topics=0", "--set topics:", "'topics' must be at least 1, got 0");
  SET_FAILS(&w, "producerRate=fast", "--set producerRate:", "'producerRate' must be a number, got 'fast'");
  SET_FAILS(&w, "broker.fsync=sometimes", "--set broker.fsync:", "must be always, never or interval:MS");
  SET_FAILS(&w, "semantics=exactly-once", "--set semantics:", "did you mean 'exactly_once'?");
  SET_FAILS(&w, "producer=5", "--set producer:", "'producer' must be a mapping of keys to values");
  SET_FAILS(&w, "rate_profile.steps=[{at_s: 1}]", "--set rate_profile.steps:", "missing key 'rate_profile.steps[0].rate'");
  SET_FAILS(&w, "name={unclosed", "--set name:", "not valid YAML");
  workload_free(&w);
}

TEST(invalid_keys) {
  workload w;
  REQUIRE_LOAD(MIN_YAML, &w);
  SET_FAILS(&w, "partitionsPerTopc=3", "--set partitionsPerTopc:",
            "unknown key 'partitionsPerTopc' (did you mean 'partitionsPerTopic'?)");
  SET_FAILS(&w, "broker.fsinc=never", "--set broker.fsinc:", "unknown key 'fsinc' in 'broker' (did you mean 'fsync'?)");
  SET_FAILS(&w, "topics.count=3", "--set topics.count:", "'topics' has no key 'count'");
  SET_FAILS(&w, "no-equals-sign", "--set expects key=value", "no-equals-sign");
  SET_FAILS(&w, "=5", "--set expects key=value", "=5");
  SET_FAILS(&w, "sampleRateMillis=5", "--set sampleRateMillis:", "Redpanda fork");
  workload_free(&w);
}

TEST(contradiction_names_the_set) {
  workload w;
  REQUIRE_LOAD(MIN_YAML, &w);
  SET_FAILS(&w, "key_count=50", "--set key_count:", "'key_count' is set but there are no keys");
  SET_FAILS(&w, "messageSize=20", "--set messageSize:", "smaller than the 56-byte identity header");
  SET_FAILS(&w, "consumerPerSubscription=0", "--set consumerPerSubscription:", "must be at least 1 when subscriptionsPerTopic is 1");
  workload_free(&w);
  REQUIRE_LOAD(MIN_YAML "producer: {acks: 1}\n", &w);
  /* the --set is the later word: reported there, the file line named */
  SET_FAILS(&w, "producer.idempotence=true", "--set producer.idempotence: 'producer.idempotence' and 'producer.acks' (line 6)",
            "idempotence needs acks: all");
  workload_free(&w);
}

TEST(failed_set_changes_nothing) {
  workload w;
  REQUIRE_LOAD(MIN_YAML "broker: {fsync: never}\n", &w);
  SET_OK(&w, "producerRate=77");
  json_t *before = workload_to_json(&w);
  char e[512];
  CHECK(workload_set(&w, "topics=-4", e, sizeof e) != 0);
  CHECK(workload_set(&w, "broker.fsync=bad", e, sizeof e) != 0);
  CHECK(workload_set(&w, "key_count=5", e, sizeof e) != 0); /* valid value, invalid workload */
  json_t *after = workload_to_json(&w);
  CHECK(json_equal(before, after));
  CHECK_NEAR(w.producer_rate, 77, 0);
  CHECK(!workload_is_set(&w, "key_count"));
  json_decref(before);
  json_decref(after);
  workload_free(&w);
}

SP_TEST_MAIN(scalars_and_nested, librdkafka_dotted_property, replaces_omb_alternative, lists_and_mappings,
             paths_relative_to_cwd, invalid_values, invalid_keys, contradiction_names_the_set,
             failed_set_changes_nothing)
