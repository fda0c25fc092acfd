/* test_workload_errors: every kind of bad input gets its own message, and
 * the message names the file, the line (and column) and the key. Each test
 * is one kind of error; MIN_YAML is five valid lines, so an appended line
 * is line 6. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wl_test_util.h"

TEST(unknown_key_with_suggestion) {
  /* the quality bar of the brief, word for word */
  EXPECT_LOAD_ERROR("topics: 1\npartitionsPerTopc: 2\nmessageSize: 100\nproducerRate: 10\nduration_s: 5\n",
                    "x.yaml:2:1: unknown key 'partitionsPerTopc' (did you mean 'partitionsPerTopic'?)", "");
  EXPECT_LOAD_ERROR(MIN_YAML "consumersPerSubscription: 2\n", "x.yaml:6:1:",
                    "unknown key 'consumersPerSubscription' (did you mean 'consumerPerSubscription'?)");
  EXPECT_LOAD_ERROR(MIN_YAML "Seed: 2\n", "x.yaml:6:1:", "(did you mean 'seed'?)");
}

TEST(unknown_key_nested) {
  EXPECT_LOAD_ERROR(MIN_YAML "broker:\n  fsinc: never\n", "x.yaml:7:3:",
                    "unknown key 'fsinc' in 'broker' (did you mean 'fsync'?)");
  EXPECT_LOAD_ERROR(MIN_YAML "rate_profile:\n  type: steps\n  steps:\n    - {at: 1, rate: 2}\n", "x.yaml:9:8:",
                    "unknown key 'at' in 'rate_profile.steps[]'");
}

TEST(unknown_key_without_suggestion) {
  EXPECT_LOAD_ERROR(MIN_YAML "frobnicate: 1\n", "x.yaml:6:1:", "unknown key 'frobnicate'");
  char e[512];
  workload w;
  CHECK(load_text(MIN_YAML "frobnicate: 1\n", &w, e, sizeof e) != 0);
  CHECK(strstr(e, "did you mean") == NULL);
  workload_free(&w);
}

TEST(key_of_other_omb_versions) {
  EXPECT_LOAD_ERROR(MIN_YAML "sampleRateMillis: 10000\n", "x.yaml:6:1:",
                    "key 'sampleRateMillis' is not supported: it belongs to the Redpanda fork of OMB");
  EXPECT_LOAD_ERROR(MIN_YAML "consumeDelaySeconds: 5\n", "x.yaml:6:1:", "use consumer.start_delay_s");
}

TEST(wrong_type_integer) {
  EXPECT_LOAD_ERROR("topics: many\npartitionsPerTopic: 2\nmessageSize: 100\nproducerRate: 10\nduration_s: 5\n",
                    "x.yaml:1:9:", "'topics' must be a whole number, got 'many'");
  EXPECT_LOAD_ERROR(MIN_YAML "producersPerTopic: 1.5\n", "x.yaml:6:20:",
                    "'producersPerTopic' must be a whole number, got '1.5'");
}

TEST(wrong_type_number) {
  EXPECT_LOAD_ERROR(MIN_YAML "drain_timeout_s: soon\n", "x.yaml:6:18:", "'drain_timeout_s' must be a number, got 'soon'");
  EXPECT_LOAD_ERROR(MIN_YAML "warmup_s: .inf\n", "x.yaml:6:11:", "'warmup_s' must be a number");
}

TEST(wrong_type_structure) {
  EXPECT_LOAD_ERROR(MIN_YAML "seed: {a: 1}\n", "x.yaml:6:7:", "'seed' must be a single value, got a mapping");
  EXPECT_LOAD_ERROR(MIN_YAML "broker: always\n", "x.yaml:6:9:", "'broker' must be a mapping of keys to values, got a scalar");
  EXPECT_LOAD_ERROR(MIN_YAML "rate_profile: {type: steps, steps: 5}\n", "x.yaml:6:36:", "'rate_profile.steps' must be a list");
  EXPECT_LOAD_ERROR(MIN_YAML "broker: {extra_args: [{a: 1}]}\n", "x.yaml:6:23:", "'broker.extra_args[0]' must be a single value");
}

TEST(wrong_type_bool) {
  EXPECT_LOAD_ERROR(MIN_YAML "useRandomizedPayloads: maybe\n", "x.yaml:6:24:",
                    "'useRandomizedPayloads' must be true or false, got 'maybe'");
}

TEST(null_value) {
  EXPECT_LOAD_ERROR(MIN_YAML "name:\n", "x.yaml:6:", "'name' needs a value");
}

TEST(negative_count) {
  EXPECT_LOAD_ERROR("topics: -1\npartitionsPerTopic: 2\nmessageSize: 100\nproducerRate: 10\nduration_s: 5\n",
                    "x.yaml:1:9:", "'topics' must be at least 1, got -1");
  EXPECT_LOAD_ERROR(MIN_YAML "subscriptionsPerTopic: -2\n", "x.yaml:6:", "'subscriptionsPerTopic' must be at least 0, got -2");
  EXPECT_LOAD_ERROR(MIN_YAML "key_count: 0\n", "x.yaml:6:", "'key_count' must be at least 1, got 0");
}

TEST(count_too_large) {
  EXPECT_LOAD_ERROR("topics: 100000\npartitionsPerTopic: 2\nmessageSize: 100\nproducerRate: 10\nduration_s: 5\n",
                    "x.yaml:1:9:", "'topics' must be at most 65535, got 100000");
}

TEST(rate_out_of_range) {
  EXPECT_LOAD_ERROR("topics: 1\npartitionsPerTopic: 2\nmessageSize: 100\nproducerRate: 2e9\nduration_s: 5\n",
                    "x.yaml:4:15:", "'producerRate' must be at most 1000000000 msg/s, got 2000000000");
  EXPECT_LOAD_ERROR("topics: 1\npartitionsPerTopic: 2\nmessageSize: 100\nproducerRate: -5\nduration_s: 5\n",
                    "x.yaml:4:15:", "'producerRate' must be at least 0 msg/s, got -5");
  EXPECT_LOAD_ERROR(MIN_YAML "rate_profile: {type: bursts, period_s: 5, burst_s: 1, burst_rate: -1}\n", "x.yaml:6:",
                    "'rate_profile.burst_rate' must be at least 0 msg/s");
}

TEST(duration_zero) {
  EXPECT_LOAD_ERROR("topics: 1\npartitionsPerTopic: 2\nmessageSize: 100\nproducerRate: 10\nduration_s: 0\n",
                    "x.yaml:5:13:", "'duration_s' must be greater than 0 s, got 0");
  EXPECT_LOAD_ERROR("topics: 1\npartitionsPerTopic: 2\nmessageSize: 100\nproducerRate: 10\ntestDurationMinutes: 0\n",
                    "x.yaml:5:22:", "'testDurationMinutes' must be at least 1 min, got 0");
}

TEST(missing_required) {
  EXPECT_LOAD_ERROR("# header\npartitionsPerTopic: 2\nmessageSize: 100\nproducerRate: 10\nduration_s: 5\n",
                    "x.yaml:2:1:", "missing required key 'topics'");
  EXPECT_LOAD_ERROR("topics: 1\nmessageSize: 100\nproducerRate: 10\nduration_s: 5\n", "x.yaml:1:1:",
                    "missing required key 'partitionsPerTopic'");
  EXPECT_LOAD_ERROR("topics: 1\npartitionsPerTopic: 2\nproducerRate: 10\nduration_s: 5\n", "x.yaml:1:1:",
                    "missing required key 'messageSize' (or 'message_size'");
  EXPECT_LOAD_ERROR("topics: 1\npartitionsPerTopic: 2\nmessageSize: 100\nproducerRate: 10\n", "x.yaml:1:1:",
                    "missing required key 'testDurationMinutes' (or 'duration_s'");
  EXPECT_LOAD_ERROR("topics: 1\npartitionsPerTopic: 2\nmessageSize: 100\nduration_s: 5\n", "x.yaml:1:1:",
                    "missing required key 'producerRate'");
}

TEST(bad_enum_value) {
  EXPECT_LOAD_ERROR(MIN_YAML "key_distribution: zipff\n", "x.yaml:6:19:",
                    "'key_distribution' must be one of none, round_robin, uniform, zipf, got 'zipff' (did you mean 'zipf'?)");
  EXPECT_LOAD_ERROR(MIN_YAML "keyDistributor: \"ROUND_ROBIN\"\n", "x.yaml:6:17:",
                    "'keyDistributor' must be one of NO_KEY, KEY_ROUND_ROBIN, RANDOM_NANO, got 'ROUND_ROBIN'");
  EXPECT_LOAD_ERROR(MIN_YAML "semantics: exactly-once\n", "x.yaml:6:12:", "(did you mean 'exactly_once'?)");
  EXPECT_LOAD_ERROR(MIN_YAML "producer: {compression: brotli}\n", "x.yaml:6:",
                    "'producer.compression' must be one of none, gzip, snappy, lz4, zstd, got 'brotli'");
}

TEST(bad_acks_and_fsync) {
  EXPECT_LOAD_ERROR(MIN_YAML "producer:\n  acks: 2\n", "x.yaml:7:9:", "'producer.acks' must be 0, 1 or all, got '2'");
  EXPECT_LOAD_ERROR(MIN_YAML "broker:\n  fsync: sometimes\n", "x.yaml:7:10:",
                    "'broker.fsync' must be always, never or interval:MS");
  EXPECT_LOAD_ERROR(MIN_YAML "broker:\n  fsync: interval:0\n", "x.yaml:7:10:", "got 'interval:0'");
}

TEST(bad_byte_count) {
  EXPECT_LOAD_ERROR(MIN_YAML "producer: {batch_bytes: 64 parsecs}\n", "x.yaml:6:25:",
                    "'producer.batch_bytes' must be a whole number of bytes");
  EXPECT_LOAD_ERROR(MIN_YAML "broker: {segment_bytes: 100}\n", "x.yaml:6:25:",
                    "'broker.segment_bytes' must be at least 1024 bytes, got 100");
}

TEST(bad_seed) {
  EXPECT_LOAD_ERROR(MIN_YAML "seed: -3\n", "x.yaml:6:7:", "'seed' must be a whole number from 0 to 9223372036854775807");
}

TEST(duplicate_key) {
  EXPECT_LOAD_ERROR(MIN_YAML "topics: 3\n", "x.yaml:6:1:", "duplicate key 'topics' (first given at line 1)");
}

TEST(yaml_syntax_error) {
  EXPECT_LOAD_ERROR(MIN_YAML "broker: {fsync: never\n", "x.yaml:7:1:", "YAML syntax error");
  EXPECT_LOAD_ERROR(MIN_YAML "  nested: badly\n", "x.yaml:6:", "YAML syntax error");
}

TEST(not_one_mapping) {
  EXPECT_LOAD_ERROR("", "x.yaml", "the workload file is empty");
  EXPECT_LOAD_ERROR("# only a comment\n", "x.yaml", "the workload file is empty");
  EXPECT_LOAD_ERROR("- topics: 1\n", "x.yaml:1:1:", "a workload must be a mapping of keys to values, got a list");
  EXPECT_LOAD_ERROR(MIN_YAML "---\ntopics: 2\n", "x.yaml:7:1:", "a workload file holds one YAML document");
  EXPECT_LOAD_ERROR(MIN_YAML "[a]: 1\n", "x.yaml:6:1:", "a key must be a plain name, got a list");
}

TEST(file_not_found) {
  workload w;
  char e[512];
  CHECK(workload_load("tests/data/no-such-workload.yaml", &w, e, sizeof e) != 0);
  CHECK(strstr(e, "tests/data/no-such-workload.yaml: cannot open the workload file: No such file") != NULL);
  workload_free(&w);
}

TEST(alternatives_both_given) {
  EXPECT_LOAD_ERROR(MIN_YAML "testDurationMinutes: 2\n", "x.yaml:6:1:",
                    "'testDurationMinutes' and 'duration_s' (line 5) say the same thing in two ways: give only one");
  EXPECT_LOAD_ERROR(MIN_YAML "warmup_s: 1\nwarmupDurationMinutes: 1\n", "x.yaml:7:1:", "'warmupDurationMinutes' and 'warmup_s' (line 6)");
  EXPECT_LOAD_ERROR(MIN_YAML "message_size: 100\n", "x.yaml:6:1:", "'message_size' and 'messageSize' (line 3)");
  EXPECT_LOAD_ERROR(MIN_YAML "keyDistributor: NO_KEY\nkey_distribution: uniform\n", "x.yaml:7:1:",
                    "'key_distribution' and 'keyDistributor' (line 6)");
}

TEST(message_smaller_than_header) {
  EXPECT_LOAD_ERROR("topics: 1\npartitionsPerTopic: 2\nmessageSize: 20\nproducerRate: 10\nduration_s: 5\n",
                    "x.yaml:3:1:", "'messageSize' is 20 bytes, smaller than the 56-byte identity header");
  EXPECT_LOAD_ERROR("topics: 1\npartitionsPerTopic: 2\nproducerRate: 10\nduration_s: 5\n"
                    "message_size: {distribution: uniform, min_bytes: 10, max_bytes: 100}\n",
                    "x.yaml:5:", "'message_size.min_bytes' is 10 bytes, smaller than the 56-byte identity header");
}

TEST(size_distribution_keys) {
  const char *head = "topics: 1\npartitionsPerTopic: 2\nproducerRate: 10\nduration_s: 5\n";
  char y[512];
  snprintf(y, sizeof y, "%smessage_size:\n  distribution: uniform\n  min_bytes: 100\n  max_bytes: 200\n  mean: 150\n", head);
  EXPECT_LOAD_ERROR(y, "x.yaml:9:3:", "'message_size.mean' does not apply to distribution 'uniform' (it takes min_bytes, max_bytes)");
  snprintf(y, sizeof y, "%smessage_size:\n  distribution: normal\n  mean: 150\n", head);
  EXPECT_LOAD_ERROR(y, "x.yaml:5:1:", "missing key 'message_size.stddev'");
  snprintf(y, sizeof y, "%smessage_size: {distribution: uniform, min_bytes: 300, max_bytes: 200}\n", head);
  EXPECT_LOAD_ERROR(y, "x.yaml:5:1:", "'message_size.max_bytes' (200) must be greater than 'message_size.min_bytes' (300)");
  snprintf(y, sizeof y, "%smessage_size: {distribution: normal, mean: 5000, stddev: 10, max_bytes: 1000}\n", head);
  EXPECT_LOAD_ERROR(y, "x.yaml:5:", "'message_size.mean' (5000) must lie within [min_bytes, max_bytes] = [56, 1000]");
  snprintf(y, sizeof y, "%smessage_size: {distribution: normal, mean: 60, stddev: 100000, max_bytes: 100}\n", head);
  EXPECT_LOAD_ERROR(y, "x.yaml:5:", "of this normal distribution lies within [56, 100] bytes");
}

TEST(payload_file_size_mismatch) {
  write_file("p.data", "0123456789");
  EXPECT_LOAD_ERROR(MIN_YAML "payloadFile: p.data\n", "x.yaml:6:1:",
                    "is 10 bytes but the message size is 100: OMB requires the payload file to be exactly messageSize bytes");
}

TEST(payload_file_problems) {
  EXPECT_LOAD_ERROR(MIN_YAML "payloadFile: missing.data\n", "x.yaml:6:1:",
                    "'payloadFile' 'missing.data' not found (looked for ");
  EXPECT_LOAD_ERROR(MIN_YAML "payloadFile: p.data\nuseRandomizedPayloads: true\n", "x.yaml:7:1:",
                    "'useRandomizedPayloads' and 'payloadFile' (line 6) contradict each other");
  EXPECT_LOAD_ERROR(MIN_YAML "payload: file\n", "x.yaml:6:1:", "'payload: file' needs 'payloadFile'");
  EXPECT_LOAD_ERROR(MIN_YAML "useRandomizedPayloads: true\npayload: zeros\n", "x.yaml:7:1:",
                    "'payload' and 'useRandomizedPayloads' (line 6) contradict each other");
  EXPECT_LOAD_ERROR(MIN_YAML "useRandomizedPayloads: true\nrandomizedPayloadPoolSize: 0\n", "x.yaml:7:1:",
                    "'randomizedPayloadPoolSize' must be at least 1 with useRandomizedPayloads: true");
  EXPECT_LOAD_ERROR("topics: 1\npartitionsPerTopic: 2\nproducerRate: 10\nduration_s: 5\nmessageSize: 1000000\n"
                    "useRandomizedPayloads: true\nrandomBytesRatio: 1\nrandomizedPayloadPoolSize: 1000\n",
                    "x.yaml:8:1:", "the randomized payload pool would hold");
}

TEST(payload_file_and_distribution) {
  write_file("p.data", "0123456789");
  EXPECT_LOAD_ERROR("topics: 1\npartitionsPerTopic: 2\nproducerRate: 10\nduration_s: 5\n"
                    "message_size: {distribution: uniform, min_bytes: 60, max_bytes: 70}\npayloadFile: p.data\n",
                    "x.yaml:6:1:", "'payloadFile' and 'message_size' (line 5) contradict each other");
}

TEST(profile_keys) {
  EXPECT_LOAD_ERROR(MIN_YAML "rate_profile: {burst_s: 1}\n", "x.yaml:6:1:", "missing key 'rate_profile.type'");
  EXPECT_LOAD_ERROR(MIN_YAML "rate_profile:\n  type: steps\n  period_s: 4\n  steps: [{at_s: 1, rate: 1}]\n",
                    "x.yaml:8:3:", "'rate_profile.period_s' does not apply to rate_profile type 'steps' (it takes steps)");
  EXPECT_LOAD_ERROR(MIN_YAML "rate_profile: {type: bursts, period_s: 10, burst_rate: 5}\n", "x.yaml:6:1:",
                    "missing key 'rate_profile.burst_s' (rate_profile type 'bursts' takes");
  EXPECT_LOAD_ERROR(MIN_YAML "rate_profile: {type: steps, steps: [{at_s: 1}]}\n", "x.yaml:6:37:",
                    "missing key 'rate_profile.steps[0].rate'");
  EXPECT_LOAD_ERROR(MIN_YAML "rate_profile: {type: steps, steps: []}\n", "x.yaml:6:", "'rate_profile.steps' is empty");
}

TEST(profile_values) {
  EXPECT_LOAD_ERROR(MIN_YAML "rate_profile:\n  type: steps\n  steps:\n  - {at_s: 5, rate: 1}\n  - {at_s: 5, rate: 2}\n",
                    "x.yaml:10:6:", "'rate_profile.steps[1].at_s' (5) must be after the previous step's at_s (5)");
  EXPECT_LOAD_ERROR(MIN_YAML "rate_profile: {type: bursts, period_s: 2, burst_s: 2, burst_rate: 5}\n", "x.yaml:6:",
                    "'rate_profile.burst_s' (2) must be shorter than period_s (2)");
  EXPECT_LOAD_ERROR("topics: 1\npartitionsPerTopic: 2\nmessageSize: 100\nduration_s: 5\n"
                    "rate_profile: {type: steps, steps: [{at_s: 0, rate: 0}]}\n",
                    "x.yaml:5:1:", "the rate profile never sends a message: every rate in it is 0");
  EXPECT_LOAD_ERROR(MIN_YAML "rate_profile: {type: bursts, period_s: 5, burst_s: 1, burst_rate: 9, base_rate: 1}\n",
                    "x.yaml:6:", "'rate_profile.base_rate' and 'producerRate' (line 4) both give the base rate");
}

TEST(max_rate_search_conflicts) {
  const char *z = "topics: 1\npartitionsPerTopic: 2\nmessageSize: 100\nproducerRate: 0\nduration_s: 5\n";
  char y[512];
  snprintf(y, sizeof y, "%srate_profile: {type: ramp, ramp_s: 5}\n", z);
  EXPECT_LOAD_ERROR(y, "x.yaml:6:1:", "producerRate: 0 asks for OMB's max-sustainable-rate search");
  snprintf(y, sizeof y, "%sconsumerBacklogSizeGB: 1\n", z);
  EXPECT_LOAD_ERROR(y, "x.yaml:6:1:", "cannot run while a backlog is built");
  snprintf(y, sizeof y, "%ssubscriptionsPerTopic: 0\n", z);
  EXPECT_LOAD_ERROR(y, "x.yaml:4:1:", "but subscriptionsPerTopic is 0");
  EXPECT_LOAD_ERROR(MIN_YAML "rate_search: {start_rate: 5}\n", "x.yaml:6:",
                    "'rate_search' applies only with producerRate: 0");
}

TEST(key_conflicts) {
  EXPECT_LOAD_ERROR(MIN_YAML "key_count: 10\n", "x.yaml:6:1:", "'key_count' is set but there are no keys");
  EXPECT_LOAD_ERROR(MIN_YAML "keyDistributor: NO_KEY\nkey_count: 10\n", "x.yaml:7:1:",
                    "'key_count' and 'keyDistributor' (line 6) contradict each other: there are no keys to count");
  EXPECT_LOAD_ERROR(MIN_YAML "key_distribution: uniform\nzipf_exponent: 2\n", "x.yaml:7:1:",
                    "zipf_exponent applies to key_distribution: zipf only");
  EXPECT_LOAD_ERROR(MIN_YAML "ordering: per_key\n", "x.yaml:6:1:", "'ordering: per_key' needs keys");
  EXPECT_LOAD_ERROR(MIN_YAML "key_distribution: zipf\nzipf_exponent: 0\n", "x.yaml:7:16:",
                    "'zipf_exponent' must be greater than 0, got 0");
}

TEST(consumer_conflicts) {
  EXPECT_LOAD_ERROR(MIN_YAML "consumerPerSubscription: 0\n", "x.yaml:6:1:",
                    "'consumerPerSubscription' must be at least 1 when subscriptionsPerTopic is 1");
  EXPECT_LOAD_ERROR(MIN_YAML "subscriptions: [{}, {}]\n", "x.yaml:6:1:",
                    "'subscriptions' lists 2 entries but subscriptionsPerTopic is 1");
  EXPECT_LOAD_ERROR(MIN_YAML "consumer:\n  pauses:\n  - {at_s: 10, for_s: 5}\n  - {at_s: 12, for_s: 1}\n",
                    "x.yaml:9:6:", "'consumer.pauses[1].at_s' (12) starts before the previous pause ends (15)");
  EXPECT_LOAD_ERROR(MIN_YAML "consumer: {pauses: [{at_s: 1, for_s: 0}]}\n", "x.yaml:6:",
                    "'consumer.pauses[0].for_s' must be greater than 0 s");
  EXPECT_LOAD_ERROR(MIN_YAML "consumerBacklogSizeGB: 1\nconsumer: {start_delay_s: 5}\n", "x.yaml:7:",
                    "'consumer.start_delay_s' and 'consumerBacklogSizeGB' (line 6) contradict each other");
  EXPECT_LOAD_ERROR(MIN_YAML "subscriptionsPerTopic: 0\nconsumerBacklogSizeGB: 1\n", "x.yaml:7:1:",
                    "but subscriptionsPerTopic is 0");
  EXPECT_LOAD_ERROR(MIN_YAML "subscriptions: [{semantics: twice}]\n", "x.yaml:6:29:",
                    "'subscriptions[0].semantics' must be one of at_most_once, at_least_once, exactly_once");
}

TEST(event_time_conflicts) {
  EXPECT_LOAD_ERROR(MIN_YAML "event_time: {late_fraction: 0.6, out_of_order_fraction: 0.5}\n", "x.yaml:6:",
                    "add up to more than 1");
  EXPECT_LOAD_ERROR(MIN_YAML "event_time:\n  late_fraction: 0.1\n  out_of_order_ms: 500\n  max_lateness_ms: 400\n",
                    "x.yaml:9:3:", "'event_time.max_lateness_ms' (400) must be greater than out_of_order_ms (500)");
  EXPECT_LOAD_ERROR(MIN_YAML "event_time: {clock_skew_ms: [1, 2]}\n", "x.yaml:6:14:",
                    "'event_time.clock_skew_ms' lists 2 skews but there are 1 producers");
  EXPECT_LOAD_ERROR(MIN_YAML "event_time: {late_fraction: 1.5}\n", "x.yaml:6:", "'event_time.late_fraction' must be at most 1");
}

TEST(producer_conflicts) {
  EXPECT_LOAD_ERROR(MIN_YAML "producer:\n  acks: 1\n  idempotence: true\n", "x.yaml:8:3:",
                    "'producer.idempotence' and 'producer.acks' (line 7) contradict each other: idempotence needs acks: all");
  EXPECT_LOAD_ERROR(MIN_YAML "producer: {idempotence: true, max_in_flight: 10}\n", "x.yaml:6:",
                    "an idempotent producer allows at most 5 requests in flight");
}

TEST(librdkafka_properties) {
  EXPECT_LOAD_ERROR(MIN_YAML "librdkafka:\n  producer:\n    lingerr.ms: 5\n", "x.yaml:8:17:",
                    "'librdkafka.producer.lingerr.ms': librdkafka has no property 'lingerr.ms'");
  EXPECT_LOAD_ERROR(MIN_YAML "librdkafka:\n  consumer:\n    fetch.wait.max.ms: soon\n", "x.yaml:8:24:",
                    "'librdkafka.consumer.fetch.wait.max.ms': Invalid value");
  EXPECT_LOAD_ERROR(MIN_YAML "librdkafka:\n  common:\n    bootstrap.servers: a:1\n", "x.yaml:8:24:",
                    "librdkafka property 'bootstrap.servers' is set by streamproof itself");
  EXPECT_LOAD_ERROR(MIN_YAML "producer: {linger_ms: 1}\nlibrdkafka: {producer: {queue.buffering.max.ms: 9}}\n",
                    "x.yaml:7:", "'librdkafka.producer.queue.buffering.max.ms' and 'producer.linger_ms' (line 6) set the same librdkafka property");
  EXPECT_LOAD_ERROR(MIN_YAML "librdkafka: {kafka: {a: b}}\n", "x.yaml:6:14:",
                    "unknown key 'kafka' in 'librdkafka'");
}

TEST(faults_empty) {
  EXPECT_LOAD_ERROR(MIN_YAML "faults: ''\n", "x.yaml:6:1:", "'faults' is empty");
}

SP_TEST_MAIN(unknown_key_with_suggestion, unknown_key_nested, unknown_key_without_suggestion,
             key_of_other_omb_versions, wrong_type_integer, wrong_type_number, wrong_type_structure,
             wrong_type_bool, null_value, negative_count, count_too_large, rate_out_of_range,
             duration_zero, missing_required, bad_enum_value, bad_acks_and_fsync, bad_byte_count,
             bad_seed, duplicate_key, yaml_syntax_error, not_one_mapping, file_not_found,
             alternatives_both_given, message_smaller_than_header, size_distribution_keys,
             payload_file_size_mismatch, payload_file_problems, payload_file_and_distribution,
             profile_keys, profile_values, max_rate_search_conflicts, key_conflicts,
             consumer_conflicts, event_time_conflicts, producer_conflicts, librdkafka_properties,
             faults_empty)
