/* test_workload_load: every field of the format loads into the right place,
 * defaults are what the README says, OMB files load with OMB's meaning, and
 * the resolved JSON loads back to the same workload. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wl_test_util.h"

static workload load_fixture(const char *path) {
  workload w;
  char err[2048];
  int rc = workload_load(path, &w, err, sizeof err);
  if (rc) fprintf(stderr, "#   %s\n", err);
  CHECK(rc == 0);
  return w;
}

TEST(omb_every_field) {
  workload w = load_fixture("tests/data/omb-every-field.yaml");
  CHECK_EQ_STR(w.name, "OMB every field");
  CHECK_EQ_INT(w.topics, 3);
  CHECK_EQ_INT(w.partitions_per_topic, 12);
  CHECK_EQ_INT(w.key_distributor, OMB_KEY_ROUND_ROBIN);
  CHECK_EQ_INT(w.key_distribution, KEYDIST_ROUND_ROBIN); /* mapped */
  CHECK_EQ_INT(w.key_count, 10000);                      /* OMB's key set */
  CHECK_EQ_INT(w.message_size_omb, 200);
  CHECK_EQ_INT(w.message_size.distribution, SIZEDIST_FIXED);
  CHECK_EQ_INT(w.message_size.size, 200);
  CHECK_EQ_INT(w.use_randomized_payloads, 0);
  CHECK_NEAR(w.random_bytes_ratio, 0.25, 0);
  CHECK_EQ_INT(w.randomized_payload_pool_size, 50);
  CHECK_EQ_STR(w.payload_file, "payload/payload-200b.data");
  CHECK_EQ_INT(w.payload, PAYLOAD_FILE);
  REQUIRE(w.payload_path != NULL);
  CHECK(w.payload_path[0] == '/');
  CHECK(strstr(w.payload_path, "tests/data/payload/payload-200b.data") != NULL);
  CHECK_EQ_INT(w.subscriptions_per_topic, 2);
  CHECK_EQ_INT(w.producers_per_topic, 4);
  CHECK_EQ_INT(w.consumer_per_subscription, 3);
  CHECK_NEAR(w.producer_rate, 75000, 0);
  CHECK_NEAR(w.rate_profile.rate, 75000, 0);
  CHECK_EQ_INT(w.rate_profile.type, RATE_CONSTANT);
  CHECK_NEAR(w.consumer_backlog_size_gb, 2, 0);
  CHECK_NEAR(w.backlog_drain_ratio, 0.9, 0);
  CHECK_EQ_INT(w.test_duration_minutes, 7);
  CHECK_NEAR(w.duration_s, 420, 0);
  CHECK_EQ_INT(w.warmup_duration_minutes, 2);
  CHECK_NEAR(w.warmup_s, 120, 0);
  CHECK_EQ_INT(workload_producer_count(&w), 12);
  CHECK_EQ_INT(workload_consumer_count(&w), 18);
  /* OMB's backlog arithmetic: 2 GiB of 200-byte messages */
  CHECK_EQ_U64(workload_backlog_messages(&w), 2ull * 1024 * 1024 * 1024 / 200);
  CHECK_EQ_U64(workload_backlog_drained_messages(&w),
               (uint64_t)(0.1 * (double)(2ull * 1024 * 1024 * 1024 / 200)));
  workload_free(&w);
}

TEST(omb_randomized_and_default_warmup) {
  workload w = load_fixture("tests/data/omb-randomized.yaml");
  CHECK_EQ_INT(w.payload, PAYLOAD_RANDOMIZED);
  CHECK_EQ_INT(w.use_randomized_payloads, 1);
  CHECK_NEAR(w.random_bytes_ratio, 0.5, 0);
  CHECK_EQ_INT(w.randomized_payload_pool_size, 100);
  CHECK(w.payload_path == NULL);
  CHECK_EQ_INT(w.key_distribution, KEYDIST_UNIFORM); /* RANDOM_NANO */
  CHECK_NEAR(w.duration_s, 300, 0);
  CHECK_NEAR(w.warmup_s, 60, 0); /* OMB's default warm-up: 1 minute */
  CHECK_EQ_U64(workload_backlog_messages(&w), 0);
  workload_free(&w);
}

TEST(extensions_every_field) {
  workload w = load_fixture("tests/data/ext-every-field.yaml");
  CHECK_EQ_STR(w.name, "extensions");
  CHECK_EQ_U64(w.seed, 12345);
  CHECK_NEAR(w.duration_s, 42.5, 0);
  CHECK_NEAR(w.warmup_s, 7, 0);
  CHECK_NEAR(w.drain_timeout_s, 12, 0);
  CHECK_EQ_U64(workload_duration_ns(&w), 42500000000ull);
  CHECK_EQ_U64(workload_warmup_ns(&w), 7000000000ull);
  const size_dist *d = &w.message_size;
  CHECK_EQ_INT(d->distribution, SIZEDIST_NORMAL);
  CHECK_NEAR(d->mean, 900, 0);
  CHECK_NEAR(d->stddev, 150, 0);
  CHECK_EQ_INT(d->min_bytes, 300);
  CHECK_EQ_INT(d->max_bytes, 2048);
  CHECK_EQ_INT(w.payload, PAYLOAD_ZEROS);
  CHECK_EQ_INT(w.key_distribution, KEYDIST_ZIPF);
  CHECK_EQ_INT(w.key_count, 5000);
  CHECK_NEAR(w.zipf_exponent, 0.8, 0);
  CHECK_EQ_INT(w.ordering, ORDERING_PER_KEY);
  const rate_profile *p = &w.rate_profile;
  CHECK_EQ_INT(p->type, RATE_STEPS);
  CHECK_NEAR(p->rate, 3000, 0);
  REQUIRE(p->n_steps == 3);
  CHECK_NEAR(p->steps[0].at_s, 10, 0);
  CHECK_NEAR(p->steps[0].rate, 6000, 0);
  CHECK_NEAR(p->steps[1].rate, 0, 0);
  CHECK_NEAR(p->steps[2].at_s, 25, 0);
  CHECK_NEAR(p->steps[2].rate, 1500.5, 0);
  CHECK_EQ_INT(w.semantics, SEM_EXACTLY_ONCE);
  REQUIRE(w.n_sub_overrides == 2);
  const subscription_conf *s0 = workload_subscription(&w, 0), *s1 = workload_subscription(&w, 1),
                          *s2 = workload_subscription(&w, 2);
  CHECK_EQ_INT(s0->semantics, SEM_AT_MOST_ONCE);
  CHECK_NEAR(s0->processing_us, 250, 0);
  CHECK_NEAR(s0->start_delay_s, 1.5, 0); /* inherited from consumer: */
  CHECK_NEAR(s0->commit_interval_ms, 200, 0);
  CHECK_EQ_INT(s1->semantics, SEM_EXACTLY_ONCE); /* inherited */
  CHECK_NEAR(s1->processing_us, 20, 0);
  CHECK_NEAR(s1->start_delay_s, 4, 0);
  CHECK_NEAR(s1->commit_interval_ms, 50, 0);
  CHECK_EQ_INT(s2->semantics, SEM_EXACTLY_ONCE); /* not listed: all inherited */
  CHECK_NEAR(s2->processing_us, 20, 0);
  const producer_conf *pc = &w.producer;
  CHECK_EQ_INT(pc->acks, 1);
  CHECK_NEAR(pc->linger_ms, 2.5, 0);
  CHECK_EQ_INT(pc->batch_bytes, 65536);
  CHECK_EQ_INT(pc->batch_messages, 500);
  CHECK_EQ_INT(pc->compression, COMPRESSION_LZ4);
  CHECK_EQ_INT(pc->idempotence, 0);
  CHECK_EQ_INT(pc->max_in_flight, 3);
  const consumer_conf *cc = &w.consumer;
  CHECK_NEAR(cc->processing_us, 20, 0);
  CHECK_NEAR(cc->start_delay_s, 1.5, 0);
  REQUIRE(cc->n_pauses == 2);
  CHECK_NEAR(cc->pauses[0].at_s, 30, 0);
  CHECK_NEAR(cc->pauses[0].for_s, 2, 0);
  CHECK_NEAR(cc->pauses[1].at_s, 33, 0);
  CHECK_NEAR(cc->commit_interval_ms, 200, 0);
  const event_time_conf *e = &w.event_time;
  CHECK_NEAR(e->late_fraction, 0.05, 0);
  CHECK_NEAR(e->max_lateness_ms, 5000, 0);
  CHECK_NEAR(e->out_of_order_fraction, 0.2, 0);
  CHECK_NEAR(e->out_of_order_ms, 250, 0);
  REQUIRE(e->n_skews == 4);
  CHECK_NEAR(e->skews_ms[1], -30, 0);
  const broker_conf *b = &w.broker;
  CHECK_EQ_INT(b->fsync, FSYNC_INTERVAL);
  CHECK_EQ_INT(b->fsync_interval_ms, 25);
  CHECK_EQ_INT(b->segment_bytes, 16 << 20);
  CHECK_EQ_INT(b->retention_bytes, -1);
  CHECK_EQ_INT(b->retention_ms, 3600000);
  CHECK_EQ_INT(b->default_partitions, 3);
  REQUIRE(b->n_extra_args == 2);
  CHECK_EQ_STR(b->extra_args[0], "--max-request-bytes");
  CHECK_EQ_STR(b->extra_args[1], "2097152");
  CHECK_EQ_STR(w.faults, "faults/ext.yaml");
  REQUIRE(w.faults_path != NULL);
  CHECK(w.faults_path[0] == '/');
  CHECK(strstr(w.faults_path, "tests/data/faults/ext.yaml") != NULL); /* beside the workload */
  REQUIRE(w.rdkafka_common.n == 1 && w.rdkafka_producer.n == 1 && w.rdkafka_consumer.n == 1);
  CHECK_EQ_STR(w.rdkafka_common.keys[0], "socket.keepalive.enable");
  CHECK_EQ_STR(w.rdkafka_common.values[0], "true");
  CHECK_EQ_STR(w.rdkafka_producer.keys[0], "queue.buffering.max.messages");
  CHECK_EQ_STR(w.rdkafka_producer.values[0], "200000");
  CHECK_EQ_STR(w.rdkafka_consumer.values[0], "50");
  CHECK_NEAR(w.schedule_tolerance.max_lag_ms, 250, 0);
  CHECK_NEAR(w.schedule_tolerance.max_late_fraction, 0.001, 0);
  CHECK(workload_is_set(&w, "producer.acks"));
  CHECK(workload_is_set(&w, "librdkafka.producer.queue.buffering.max.messages"));
  CHECK(!workload_is_set(&w, "rate_search.start_rate"));
  workload_free(&w);
}

/* What a workload holds when the file says nothing: the README's table. */
TEST(defaults) {
  workload w;
  REQUIRE_LOAD(MIN_YAML, &w);
  CHECK_EQ_STR(w.name, "x"); /* the file name */
  CHECK_EQ_U64(w.seed, 1);
  CHECK_EQ_INT(w.subscriptions_per_topic, 1);
  CHECK_EQ_INT(w.consumer_per_subscription, 1);
  CHECK_EQ_INT(w.producers_per_topic, 1);
  CHECK_NEAR(w.warmup_s, 0, 0); /* duration in seconds: no OMB warm-up */
  CHECK_NEAR(w.drain_timeout_s, 30, 0);
  CHECK_NEAR(w.backlog_drain_ratio, 1.0, 0);
  CHECK_EQ_INT(w.key_distribution, KEYDIST_NONE);
  CHECK_EQ_INT(w.payload, PAYLOAD_RANDOM);
  CHECK_EQ_INT(w.rate_profile.type, RATE_CONSTANT);
  CHECK_EQ_INT(w.rate_profile.search, 0);
  CHECK_EQ_INT(w.semantics, SEM_AT_LEAST_ONCE);
  CHECK_EQ_INT(w.ordering, ORDERING_NONE);
  CHECK_EQ_INT(w.producer.acks, -1);
  CHECK_NEAR(w.producer.linger_ms, 5, 0);
  CHECK_EQ_INT(w.producer.batch_bytes, 1000000);
  CHECK_EQ_INT(w.producer.batch_messages, 10000);
  CHECK_EQ_INT(w.producer.compression, COMPRESSION_NONE);
  CHECK_EQ_INT(w.producer.idempotence, 0);
  CHECK_EQ_INT(w.producer.max_in_flight, 1000000);
  CHECK_NEAR(w.consumer.processing_us, 0, 0);
  CHECK_NEAR(w.consumer.start_delay_s, 0, 0);
  CHECK_EQ_INT(w.consumer.n_pauses, 0);
  CHECK_NEAR(w.consumer.commit_interval_ms, 1000, 0);
  CHECK(!event_time_enabled(&w.event_time));
  CHECK_NEAR(w.event_time.out_of_order_ms, 100, 0);
  CHECK_NEAR(w.event_time.max_lateness_ms, 1000, 0);
  CHECK_EQ_INT(w.broker.fsync, FSYNC_ALWAYS);
  CHECK_EQ_INT(w.broker.segment_bytes, 0);
  CHECK(w.faults_path == NULL);
  CHECK_NEAR(w.schedule_tolerance.max_lag_ms, 1000, 0);
  CHECK_NEAR(w.schedule_tolerance.max_late_fraction, 0.01, 0);
  CHECK_EQ_INT(w.rdkafka_common.n + w.rdkafka_producer.n + w.rdkafka_consumer.n, 0);
  CHECK(!workload_is_set(&w, "producer.acks"));
  CHECK(workload_is_set(&w, "topics"));
  workload_free(&w);
}

TEST(yaml_forms) {
  workload w;
  /* flow style, quoted numbers (Jackson coerces them; so do we), digit
   * separators, yes/no booleans, exponents for whole numbers, comments */
  REQUIRE_LOAD("{topics: '2', partitionsPerTopic: 1_000, messageSize: 1e3, # size\n"
               " producerRate: \"2_500.5\", testDurationMinutes: 1, useRandomizedPayloads: yes}\n",
               &w);
  CHECK_EQ_INT(w.topics, 2);
  CHECK_EQ_INT(w.partitions_per_topic, 1000);
  CHECK_EQ_INT(w.message_size.size, 1000);
  CHECK_NEAR(w.producer_rate, 2500.5, 0);
  CHECK_EQ_INT(w.payload, PAYLOAD_RANDOMIZED);
  workload_free(&w);
  /* anchors and aliases resolve */
  REQUIRE_LOAD(MIN_YAML "consumer: &c {processing_us: 7}\nsubscriptions: [*c]\n", &w);
  CHECK_NEAR(workload_subscription(&w, 0)->processing_us, 7, 0);
  workload_free(&w);
}

TEST(message_size_forms) {
  workload w;
  REQUIRE_LOAD("topics: 1\npartitionsPerTopic: 1\nproducerRate: 1\nduration_s: 1\nmessage_size: 4KiB\n", &w);
  CHECK_EQ_INT(w.message_size.distribution, SIZEDIST_FIXED);
  CHECK_EQ_INT(w.message_size.size, 4096);
  workload_free(&w);
  REQUIRE_LOAD("topics: 1\npartitionsPerTopic: 1\nproducerRate: 1\nduration_s: 1\n"
               "message_size: {distribution: uniform, min_bytes: 56, max_bytes: 1kB}\n", &w);
  CHECK_EQ_INT(w.message_size.distribution, SIZEDIST_UNIFORM);
  CHECK_EQ_INT(w.message_size.max_bytes, 1000);
  workload_free(&w);
  REQUIRE_LOAD("topics: 1\npartitionsPerTopic: 1\nproducerRate: 1\nduration_s: 1\n"
               "message_size: {distribution: lognormal, mean: 2000, stddev: 3000}\n", &w);
  CHECK_EQ_INT(w.message_size.min_bytes, 56);       /* default bounds */
  CHECK_EQ_INT(w.message_size.max_bytes, 1000000);
  CHECK(w.message_size.sigma > 0);
  workload_free(&w);
}

TEST(rate_profile_forms) {
  workload w;
  REQUIRE_LOAD(MIN_YAML "rate_profile: {type: bursts, period_s: 10, burst_s: 1, burst_rate: 500}\n", &w);
  CHECK_EQ_INT(w.rate_profile.type, RATE_BURSTS);
  CHECK_NEAR(w.rate_profile.rate, 10, 0); /* base = producerRate */
  CHECK_NEAR(w.rate_profile.burst_rate, 500, 0);
  workload_free(&w);
  REQUIRE_LOAD("topics: 1\npartitionsPerTopic: 1\nmessageSize: 100\nduration_s: 5\n"
               "rate_profile: {type: bursts, period_s: 10, burst_s: 1, burst_rate: 500, base_rate: 0}\n", &w);
  CHECK_NEAR(w.rate_profile.rate, 0, 0); /* idle between bursts */
  workload_free(&w);
  REQUIRE_LOAD(MIN_YAML "rate_profile: {type: ramp, ramp_s: 30, from_rate: 2}\n", &w);
  CHECK_EQ_INT(w.rate_profile.type, RATE_RAMP);
  CHECK_NEAR(w.rate_profile.from_rate, 2, 0);
  CHECK_NEAR(w.rate_profile.rate, 10, 0);
  workload_free(&w);
  /* steps from 0 need no producerRate */
  REQUIRE_LOAD("topics: 1\npartitionsPerTopic: 1\nmessageSize: 100\nduration_s: 5\n"
               "rate_profile:\n  type: steps\n  steps:\n  - {at_s: 0, rate: 5}\n  - {at_s: 2, rate: 50}\n", &w);
  CHECK_EQ_INT(w.rate_profile.n_steps, 2);
  workload_free(&w);
}

TEST(max_rate_search) {
  workload w;
  REQUIRE_LOAD("topics: 1\npartitionsPerTopic: 1\nmessageSize: 100\nduration_s: 5\nproducerRate: 0\n", &w);
  CHECK_EQ_INT(w.rate_profile.search, 1);
  CHECK_NEAR(w.rate_profile.search_start_rate, 10000, 0); /* OMB's start */
  CHECK_NEAR(w.rate_search.period_s, 3, 0);
  CHECK_NEAR(w.rate_search.publish_backlog_limit, 1000, 0);
  CHECK_NEAR(w.rate_search.receive_backlog_limit, 1000, 0);
  CHECK_NEAR(w.rate_search.min_ramping_factor, 0.01, 0);
  CHECK_NEAR(w.rate_search.max_ramping_factor, 1, 0);
  workload_free(&w);
  REQUIRE_LOAD("topics: 1\npartitionsPerTopic: 1\nmessageSize: 100\nduration_s: 5\nproducerRate: 0\n"
               "rate_search: {start_rate: 500, period_s: 1}\n", &w);
  CHECK_NEAR(w.rate_profile.search_start_rate, 500, 0);
  workload_free(&w);
}

TEST(idempotence_caps_in_flight) {
  workload w;
  REQUIRE_LOAD(MIN_YAML "producer: {idempotence: true}\n", &w);
  CHECK_EQ_INT(w.producer.max_in_flight, 5);
  workload_free(&w);
}

static const char *kv_get(const kv_list *kv, const char *key) {
  const char *v = NULL; /* the last one wins, as in librdkafka */
  for (size_t i = 0; i < kv->n; i++)
    if (!strcmp(kv->keys[i], key)) v = kv->values[i];
  return v;
}

TEST(rdkafka_conf_and_broker_args) {
  workload w = load_fixture("tests/data/ext-every-field.yaml");
  kv_list p, c;
  workload_rdkafka_conf(&w, WL_CLIENT_PRODUCER, &p);
  CHECK_EQ_STR(kv_get(&p, "acks"), "1");
  CHECK_EQ_STR(kv_get(&p, "linger.ms"), "2.5");
  CHECK_EQ_STR(kv_get(&p, "batch.size"), "65536");
  CHECK_EQ_STR(kv_get(&p, "batch.num.messages"), "500");
  CHECK_EQ_STR(kv_get(&p, "compression.type"), "lz4");
  CHECK_EQ_STR(kv_get(&p, "enable.idempotence"), "false");
  CHECK_EQ_STR(kv_get(&p, "max.in.flight.requests.per.connection"), "3");
  CHECK_EQ_STR(kv_get(&p, "socket.keepalive.enable"), "true");
  CHECK_EQ_STR(kv_get(&p, "queue.buffering.max.messages"), "200000");
  CHECK(kv_get(&p, "fetch.wait.max.ms") == NULL);
  workload_rdkafka_conf(&w, WL_CLIENT_CONSUMER, &c);
  CHECK_EQ_STR(kv_get(&c, "fetch.wait.max.ms"), "50");
  CHECK_EQ_STR(kv_get(&c, "socket.keepalive.enable"), "true");
  CHECK(kv_get(&c, "acks") == NULL);
  kv_list_free(&p);
  kv_list_free(&c);

  size_t argc;
  char **argv = workload_broker_args(&w, &argc);
  const char *want[] = {"--fsync", "interval:25", "--segment-bytes", "16777216", "--retention-bytes", "-1",
                        "--retention-ms", "3600000", "--default-partitions", "3", "--max-request-bytes", "2097152"};
  REQUIRE(argc == sizeof want / sizeof want[0]);
  for (size_t i = 0; i < argc; i++) CHECK_EQ_STR(argv[i], want[i]);
  CHECK(argv[argc] == NULL);
  workload_free_args(argv);
  workload_free(&w);

  /* unset numeric flags are left to refbroker's defaults */
  REQUIRE_LOAD(MIN_YAML "broker: {fsync: never}\n", &w);
  argv = workload_broker_args(&w, &argc);
  CHECK_EQ_INT(argc, 2);
  CHECK_EQ_STR(argv[1], "never");
  workload_free_args(argv);
  workload_free(&w);
}

TEST(slug) {
  workload w = load_fixture("tests/data/omb-randomized.yaml");
  char buf[128];
  workload_slug(&w, buf, sizeof buf);
  CHECK_EQ_STR(buf, "100k-rate-4-producers-and-4-consumers-on-1-topic-10-partitions");
  free(w.name);
  w.name = strdup("..");
  workload_slug(&w, buf, sizeof buf);
  CHECK_EQ_STR(buf, "workload"); /* never a path component that climbs */
  free(w.name);
  w.name = strdup("../../etc");
  workload_slug(&w, buf, sizeof buf);
  CHECK_EQ_STR(buf, "..-..-etc");
  workload_free(&w);
}

/* Saves the JSON of a workload as YAML, loads it, and compares the JSON. */
static void check_round_trip(const char *path) {
  workload a = load_fixture(path);
  json_t *ja = workload_to_json(&a);
  char *text = json_dumps(ja, JSON_SORT_KEYS | JSON_INDENT(1));
  const char *copy = write_file("roundtrip.yaml", text);
  workload b;
  char err[2048];
  int rc = workload_load(copy, &b, err, sizeof err);
  if (rc) fprintf(stderr, "#   %s: %s\n", path, err);
  CHECK(rc == 0);
  if (rc == 0) {
    json_t *jb = workload_to_json(&b);
    char *text_b = json_dumps(jb, JSON_SORT_KEYS | JSON_INDENT(1));
    if (strcmp(text, text_b)) {
      sp_test_report(__FILE__, __LINE__, "round trip");
      fprintf(stderr, "# %s\n--- first\n%s\n--- second\n%s\n", path, text, text_b);
    }
    free(text_b);
    json_decref(jb);
  }
  workload_free(&b);
  free(text);
  json_decref(ja);
  workload_free(&a);
}

TEST(json_round_trip) {
  check_round_trip("tests/data/ext-every-field.yaml");
  check_round_trip("tests/data/omb-every-field.yaml");
  check_round_trip("tests/data/omb-randomized.yaml");
  check_round_trip("../omb/max-rate-1-topic-16-partitions-1kb.yaml");
  check_round_trip("../bursts.yaml");
  check_round_trip("../keyed-zipf-ordering.yaml");
}

TEST(json_has_resolved_values) {
  workload w = load_fixture("tests/data/omb-every-field.yaml");
  json_t *j = workload_to_json(&w);
  CHECK_NEAR(json_real_value(json_object_get(j, "duration_s")), 420, 0);
  CHECK_NEAR(json_real_value(json_object_get(j, "warmup_s")), 120, 0);
  CHECK_EQ_STR(json_string_value(json_object_get(j, "key_distribution")), "round_robin");
  CHECK_EQ_INT(json_integer_value(json_object_get(j, "key_count")), 10000);
  json_t *ms = json_object_get(j, "message_size");
  CHECK_EQ_INT(json_integer_value(json_object_get(ms, "size")), 200);
  CHECK(json_object_get(j, "testDurationMinutes") == NULL); /* written as duration_s */
  CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(j, "broker"), "fsync")), "always");
  CHECK(json_is_null(json_object_get(json_object_get(j, "broker"), "segment_bytes")));
  CHECK_EQ_STR(json_string_value(json_object_get(json_object_get(j, "producer"), "acks")), "all");
  CHECK_EQ_INT(json_array_size(json_object_get(j, "subscriptions")), 2);
  CHECK(json_is_null(json_object_get(j, "faults")));
  json_decref(j);
  workload_free(&w);
}

TEST(parse_from_memory) {
  workload w;
  char err[512];
  const char *text = MIN_YAML "faults: f.yaml\n";
  REQUIRE(workload_parse(text, strlen(text), "/some/dir/mem.yaml", &w, err, sizeof err) == 0);
  CHECK_EQ_STR(w.name, "mem");
  CHECK_EQ_STR(w.faults_path, "/some/dir/f.yaml");
  workload_free(&w);
}

SP_TEST_MAIN(omb_every_field, omb_randomized_and_default_warmup, extensions_every_field, defaults,
             yaml_forms, message_size_forms, rate_profile_forms, max_rate_search,
             idempotence_caps_in_flight, rdkafka_conf_and_broker_args, slug, json_round_trip,
             json_has_resolved_values, parse_from_memory)
