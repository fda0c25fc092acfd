/* workload_fields.c: the workload format as tables, one per mapping, and
 * the parsers of the values that are not a plain scalar. workloads/README.md
 * documents the same fields for people; keep the two in step. */
#include <librdkafka/rdkafka.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "workload_priv.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define RATE_MAX 1e9        /* msg/s */
#define SECONDS_MAX 31536000 /* a year */

/* Table rows, one line per key: name, where it is stored, then for numbers
 * the inclusive range [lo, hi], flags (FL_*) and the unit shown in errors. */
#define STR(k, o, fl) {.name = k, .type = F_STR, .off = (o), .flags = (fl)}
#define BOOL(k, o) {.name = k, .type = F_BOOL, .off = (o)}
#define U64(k, o) {.name = k, .type = F_U64, .off = (o)}
#define INT(k, o, lo, hi, fl, u) {.name = k, .type = F_INT, .off = (o), .min = (lo), .max = (hi), .flags = (fl), .unit = (u)}
#define U32(k, o, lo, hi, fl, u) {.name = k, .type = F_U32, .off = (o), .min = (lo), .max = (hi), .flags = (fl), .unit = (u)}
#define NUM(k, o, lo, hi, fl, u) {.name = k, .type = F_NUM, .off = (o), .min = (lo), .max = (hi), .flags = (fl), .unit = (u)}
#define BYTES(k, o, lo, hi, fl, u) {.name = k, .type = F_BYTES, .off = (o), .min = (lo), .max = (hi), .flags = (fl), .unit = (u)}
#define BYTES32(k, o, lo, hi, fl, u) {.name = k, .type = F_BYTES32, .off = (o), .min = (lo), .max = (hi), .flags = (fl), .unit = (u)}
#define ENUM(k, o, names) {.name = k, .type = F_ENUM, .off = (o), .enum_names = (names)}
#define MAP(k, o, table) {.name = k, .type = F_MAP, .off = (o), .sub = (table)}
#define CUSTOM(k, o, fn, fl) {.name = k, .type = F_CUSTOM, .off = (o), .parse = (fn), .flags = (fl)}

/* ---- enum names (index = enum value) ------------------------------------- */

static const char *const omb_key_names[] = {"NO_KEY", "KEY_ROUND_ROBIN", "RANDOM_NANO", NULL};
static const char *const keydist_names[] = {"none", "round_robin", "uniform", "zipf", NULL};
static const char *const sizedist_names[] = {"fixed", "uniform", "normal", "lognormal", NULL};
static const char *const payload_names[] = {"random", "zeros", "file", "randomized", NULL};
static const char *const semantics_names[] = {"at_most_once", "at_least_once", "exactly_once", NULL};
static const char *const ordering_names[] = {"none", "per_key", NULL};
static const char *const profile_names[] = {"constant", "steps", "bursts", "ramp", NULL};
static const char *const compression_names[] = {"none", "gzip", "snappy", "lz4", "zstd", NULL};

/* ---- custom parsers -------------------------------------------------------- */

/* acks: 0, 1, all (or -1, Kafka's spelling of all). */
static int parse_acks(pctx *c, yaml_node_t *n, void *dst, const field *f) {
  (void)f;
  const char *s = wl_scalar(c, n);
  if (!s) return -1;
  int *acks = dst;
  if (!strcmp(s, "all") || !strcmp(s, "-1")) *acks = -1;
  else if (!strcmp(s, "0")) *acks = 0;
  else if (!strcmp(s, "1")) *acks = 1;
  else return wl_error(c, n, "'%s' must be 0, 1 or all, got '%s'", c->path, s);
  return 0;
}

/* fsync: always | never | interval:MS (MS >= 1). */
static int parse_fsync(pctx *c, yaml_node_t *n, void *dst, const field *f) {
  (void)f;
  const char *s = wl_scalar(c, n);
  if (!s) return -1;
  broker_conf *b = (broker_conf *)((char *)dst - offsetof(broker_conf, fsync));
  int64_t ms;
  if (!strcmp(s, "always")) b->fsync = FSYNC_ALWAYS;
  else if (!strcmp(s, "never")) b->fsync = FSYNC_NEVER;
  else if (!strncmp(s, "interval:", 9) && !wl_to_int(s + 9, &ms) && ms >= 1 && ms <= 3600000) {
    b->fsync = FSYNC_INTERVAL;
    b->fsync_interval_ms = ms;
  } else {
    return wl_error(c, n, "'%s' must be always, never or interval:MS (MS from 1 to 3600000), got '%s'",
                    c->path, s);
  }
  return 0;
}

/* A list of strings (refbroker's extra arguments). */
static int parse_string_list(pctx *c, yaml_node_t *n, void *dst, const field *f) {
  (void)f;
  broker_conf *b = (broker_conf *)((char *)dst - offsetof(broker_conf, extra_args));
  if (n->type != YAML_SEQUENCE_NODE)
    return wl_error(c, n, "'%s' must be a list of strings, got %s", c->path, wl_node_kind(n));
  size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
  char **v = sp_calloc(cnt + 1, sizeof *v);
  for (size_t i = 0; i < cnt; i++) {
    yaml_node_t *it = yaml_document_get_node(c->doc, n->data.sequence.items.start[i]);
    size_t old = wl_path_push_index(c, i);
    const char *s = wl_scalar(c, it);
    wl_path_pop(c, old);
    if (!s) {
      for (size_t j = 0; j < i; j++) free(v[j]);
      free(v);
      return -1;
    }
    v[i] = sp_strdup(s);
  }
  for (size_t j = 0; j < b->n_extra_args; j++) free(b->extra_args[j]);
  free(b->extra_args);
  b->extra_args = v;
  b->n_extra_args = cnt;
  return 0;
}

/* clock_skew_ms: a bound (each producer's skew drawn in [-x, x]) or a list
 * of explicit skews, one per producer. */
static int parse_clock_skew(pctx *c, yaml_node_t *n, void *dst, const field *f) {
  event_time_conf *e = (event_time_conf *)((char *)dst - offsetof(event_time_conf, clock_skew_ms));
  static const field bound = NUM("", 0, 0, 3600000, 0, "ms");
  static const field item = NUM("", 0, -3600000, 3600000, 0, "ms");
  (void)f;
  if (n->type == YAML_SEQUENCE_NODE) {
    size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    double *v = sp_calloc(cnt ? cnt : 1, sizeof *v);
    for (size_t i = 0; i < cnt; i++) {
      yaml_node_t *it = yaml_document_get_node(c->doc, n->data.sequence.items.start[i]);
      size_t old = wl_path_push_index(c, i);
      int rc = wl_parse_number(c, it, &item, &v[i]);
      wl_path_pop(c, old);
      if (rc) return free(v), -1;
    }
    free(e->skews_ms);
    e->skews_ms = v;
    e->n_skews = cnt;
    e->clock_skew_ms = 0;
    return 0;
  }
  if (wl_parse_number(c, n, &bound, &e->clock_skew_ms)) return -1;
  free(e->skews_ms);
  e->skews_ms = NULL;
  e->n_skews = 0;
  return 0;
}

/* ---- librdkafka passthrough --------------------------------------------- */

/* Properties streamproof sets itself: the semantics and the run decide. */
static const char *const reserved_props[] = {"bootstrap.servers", "metadata.broker.list", "group.id",
                                             "enable.auto.commit", "enable.auto.offset.store"};

int wl_kv_put(pctx *c, yaml_node_t *n, kv_list *kv, const char *key, const char *value) {
  for (size_t i = 0; i < COUNT(reserved_props); i++)
    if (!strcmp(key, reserved_props[i]))
      return wl_error(c, n, "librdkafka property '%s' is set by streamproof itself (the run and the delivery semantics decide it)",
                      key);
  /* librdkafka itself knows which properties exist and what they accept */
  char rk_err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_res_t res = rd_kafka_conf_set(conf, key, value, rk_err, sizeof rk_err);
  rd_kafka_conf_destroy(conf);
  if (res == RD_KAFKA_CONF_UNKNOWN)
    return wl_error(c, n, "'%s': librdkafka has no property '%s'", c->path, key);
  if (res != RD_KAFKA_CONF_OK) return wl_error(c, n, "'%s': %s", c->path, rk_err);
  for (size_t i = 0; i < kv->n; i++) {
    if (!strcmp(kv->keys[i], key)) {
      free(kv->values[i]);
      kv->values[i] = sp_strdup(value);
      return 0;
    }
  }
  kv->keys = sp_realloc(kv->keys, (kv->n + 1) * sizeof *kv->keys);
  kv->values = sp_realloc(kv->values, (kv->n + 1) * sizeof *kv->values);
  kv->keys[kv->n] = sp_strdup(key);
  kv->values[kv->n] = sp_strdup(value);
  kv->n++;
  return 0;
}

/* librdkafka.{common,producer,consumer}: property: value, as in a
 * librdkafka .properties file. Values are passed as written. */
static int parse_kv_map(pctx *c, yaml_node_t *n, void *dst, const field *f) {
  (void)f;
  kv_list *kv = dst;
  if (n->type != YAML_MAPPING_NODE)
    return wl_error(c, n, "'%s' must be a mapping of librdkafka properties to values, got %s", c->path,
                    wl_node_kind(n));
  for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
    yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
    const char *key = wl_scalar(c, k);
    if (!key) return -1;
    size_t old = wl_path_push(c, key);
    const char *val = wl_scalar(c, v);
    int rc = val ? wl_kv_put(c, v, kv, key, val) : -1;
    if (rc == 0) wl_mark_set(c, k);
    wl_path_pop(c, old);
    if (rc) return -1;
  }
  return 0;
}

/* ---- lists of mappings ---------------------------------------------------- */

static const field step_fields[] = {
    NUM("at_s", offsetof(rate_step, at_s), 0, SECONDS_MAX, FL_REQUIRED, "s"),
    NUM("rate", offsetof(rate_step, rate), 0, RATE_MAX, FL_REQUIRED, "msg/s"),
};
static const ftable step_table = {"rate_profile.steps[]", step_fields, COUNT(step_fields)};

/* rate_profile.steps: a list of {at_s, rate}. */
static int parse_steps(pctx *c, yaml_node_t *n, void *dst, const field *f) {
  (void)f;
  rate_profile *p = (rate_profile *)((char *)dst - offsetof(rate_profile, steps));
  return wl_parse_list(c, n, &step_table, sizeof(rate_step), NULL, (void **)&p->steps, &p->n_steps);
}

static const field pause_fields[] = {
    NUM("at_s", offsetof(consumer_pause, at_s), 0, SECONDS_MAX, FL_REQUIRED, "s"),
    NUM("for_s", offsetof(consumer_pause, for_s), 0, SECONDS_MAX, FL_REQUIRED | FL_MIN_EXCLUSIVE, "s"),
};
static const ftable pause_table = {"consumer.pauses[]", pause_fields, COUNT(pause_fields)};

/* consumer.pauses: a list of {at_s, for_s}. */
static int parse_pauses(pctx *c, yaml_node_t *n, void *dst, const field *f) {
  (void)f;
  consumer_conf *cc = (consumer_conf *)((char *)dst - offsetof(consumer_conf, pauses));
  return wl_parse_list(c, n, &pause_table, sizeof(consumer_pause), NULL, (void **)&cc->pauses,
                       &cc->n_pauses);
}

static const field sub_fields[] = {
    ENUM("semantics", offsetof(subscription_override, semantics), semantics_names),
    NUM("processing_us", offsetof(subscription_override, processing_us), 0, 1e8, 0, "us"),
    NUM("start_delay_s", offsetof(subscription_override, start_delay_s), 0, SECONDS_MAX, 0, "s"),
    NUM("commit_interval_ms", offsetof(subscription_override, commit_interval_ms), 0, 3600000, 0, "ms"),
};
static const ftable sub_table = {"subscriptions[]", sub_fields, COUNT(sub_fields)};

/* A subscriptions: entry starts with every field "inherit". */
static void sub_init(void *item) {
  subscription_override *o = item;
  o->semantics = -1;
  o->processing_us = o->start_delay_s = o->commit_interval_ms = NAN;
}

/* subscriptions: per-subscription overrides, resolved in validation. */
static int parse_subscriptions(pctx *c, yaml_node_t *n, void *dst, const field *f) {
  (void)f;
  workload *w = (workload *)((char *)dst - offsetof(workload, sub_overrides));
  return wl_parse_list(c, n, &sub_table, sizeof(subscription_override), sub_init,
                       (void **)&w->sub_overrides, &w->n_sub_overrides);
}

/* ---- message_size: a byte count, or a distribution mapping ---------------- */

static const field size_fields[] = {
    ENUM("distribution", offsetof(size_dist, distribution), sizedist_names),
    BYTES32("size", offsetof(size_dist, size), 1, SIZES_MAX_BYTES, 0, "bytes"),
    BYTES32("min_bytes", offsetof(size_dist, min_bytes), 1, SIZES_MAX_BYTES, 0, "bytes"),
    BYTES32("max_bytes", offsetof(size_dist, max_bytes), 1, SIZES_MAX_BYTES, 0, "bytes"),
    NUM("mean", offsetof(size_dist, mean), 0, SIZES_MAX_BYTES, FL_MIN_EXCLUSIVE, "bytes"),
    NUM("stddev", offsetof(size_dist, stddev), 0, SIZES_MAX_BYTES, FL_MIN_EXCLUSIVE, "bytes"),
};
static const ftable size_table = {"message_size", size_fields, COUNT(size_fields)};

/* message_size: a byte count (fixed) or a distribution mapping; which keys
 * each distribution takes is checked in validation. */
static int parse_message_size(pctx *c, yaml_node_t *n, void *dst, const field *f) {
  (void)f;
  size_dist *d = dst;
  if (n->type == YAML_MAPPING_NODE) return wl_parse_map(c, n, &size_table, d);
  /* the scalar form is short for {distribution: fixed, size: N} */
  static const field fixed = BYTES32("", 0, 1, SIZES_MAX_BYTES, 0, "bytes");
  d->distribution = SIZEDIST_FIXED;
  if (wl_parse_field(c, &fixed, n, &d->size)) return -1;
  static const char *const implied[] = {"distribution", "size"};
  for (int i = 0; i < 2; i++) {
    size_t old = wl_path_push(c, implied[i]);
    wl_mark_set(c, n);
    wl_path_pop(c, old);
  }
  return 0;
}

/* ---- the tables ------------------------------------------------------------ */

static const field profile_fields[] = {
    ENUM("type", offsetof(rate_profile, type), profile_names),
    CUSTOM("steps", offsetof(rate_profile, steps), parse_steps, 0),
    NUM("period_s", offsetof(rate_profile, period_s), 0, SECONDS_MAX, FL_MIN_EXCLUSIVE, "s"),
    NUM("burst_s", offsetof(rate_profile, burst_s), 0, SECONDS_MAX, FL_MIN_EXCLUSIVE, "s"),
    NUM("burst_rate", offsetof(rate_profile, burst_rate), 0, RATE_MAX, 0, "msg/s"),
    NUM("base_rate", offsetof(rate_profile, rate), 0, RATE_MAX, 0, "msg/s"),
    NUM("from_rate", offsetof(rate_profile, from_rate), 0, RATE_MAX, 0, "msg/s"),
    NUM("ramp_s", offsetof(rate_profile, ramp_s), 0, SECONDS_MAX, FL_MIN_EXCLUSIVE, "s"),
};
static const ftable profile_table = {"rate_profile", profile_fields, COUNT(profile_fields)};

static const field search_fields[] = {
    NUM("start_rate", offsetof(rate_search_conf, start_rate), 0, RATE_MAX, FL_MIN_EXCLUSIVE, "msg/s"),
    NUM("period_s", offsetof(rate_search_conf, period_s), 0, 3600, FL_MIN_EXCLUSIVE, "s"),
    NUM("publish_backlog_limit", offsetof(rate_search_conf, publish_backlog_limit), 0, 1e12, 0, "messages"),
    NUM("receive_backlog_limit", offsetof(rate_search_conf, receive_backlog_limit), 0, 1e12, 0, "messages"),
    NUM("min_ramping_factor", offsetof(rate_search_conf, min_ramping_factor), 0, 10, FL_MIN_EXCLUSIVE, NULL),
    NUM("max_ramping_factor", offsetof(rate_search_conf, max_ramping_factor), 0, 10, FL_MIN_EXCLUSIVE, NULL),
};
static const ftable search_table = {"rate_search", search_fields, COUNT(search_fields)};

static const field producer_fields[] = {
    CUSTOM("acks", offsetof(producer_conf, acks), parse_acks, 0),
    NUM("linger_ms", offsetof(producer_conf, linger_ms), 0, 900000, 0, "ms"),
    BYTES("batch_bytes", offsetof(producer_conf, batch_bytes), 1, 2147483647, 0, "bytes"),
    INT("batch_messages", offsetof(producer_conf, batch_messages), 1, 1000000, 0, NULL),
    ENUM("compression", offsetof(producer_conf, compression), compression_names),
    BOOL("idempotence", offsetof(producer_conf, idempotence)),
    INT("max_in_flight", offsetof(producer_conf, max_in_flight), 1, 1000000, 0, NULL),
};
static const ftable producer_table = {"producer", producer_fields, COUNT(producer_fields)};

static const field consumer_fields[] = {
    NUM("processing_us", offsetof(consumer_conf, processing_us), 0, 1e8, 0, "us"),
    NUM("start_delay_s", offsetof(consumer_conf, start_delay_s), 0, SECONDS_MAX, 0, "s"),
    CUSTOM("pauses", offsetof(consumer_conf, pauses), parse_pauses, 0),
    NUM("commit_interval_ms", offsetof(consumer_conf, commit_interval_ms), 0, 3600000, 0, "ms"),
};
static const ftable consumer_table = {"consumer", consumer_fields, COUNT(consumer_fields)};

static const field event_time_fields[] = {
    NUM("late_fraction", offsetof(event_time_conf, late_fraction), 0, 1, 0, NULL),
    NUM("max_lateness_ms", offsetof(event_time_conf, max_lateness_ms), 0, 86400000, 0, "ms"),
    NUM("out_of_order_fraction", offsetof(event_time_conf, out_of_order_fraction), 0, 1, 0, NULL),
    NUM("out_of_order_ms", offsetof(event_time_conf, out_of_order_ms), 0, 86400000, 0, "ms"),
    CUSTOM("clock_skew_ms", offsetof(event_time_conf, clock_skew_ms), parse_clock_skew, 0),
};
static const ftable event_time_table = {"event_time", event_time_fields, COUNT(event_time_fields)};

static const field broker_fields[] = {
    CUSTOM("fsync", offsetof(broker_conf, fsync), parse_fsync, 0),
    BYTES("segment_bytes", offsetof(broker_conf, segment_bytes), 1024, 1e15, FL_NULLABLE, "bytes"),
    BYTES("retention_bytes", offsetof(broker_conf, retention_bytes), 1, 1e18, FL_NULLABLE | FL_MINUS_ONE, "bytes"),
    INT("retention_ms", offsetof(broker_conf, retention_ms), 1, 1e15, FL_NULLABLE | FL_MINUS_ONE, "ms"),
    INT("default_partitions", offsetof(broker_conf, default_partitions), 1, 1000000, FL_NULLABLE, NULL),
    CUSTOM("extra_args", offsetof(broker_conf, extra_args), parse_string_list, 0),
};
static const ftable broker_table = {"broker", broker_fields, COUNT(broker_fields)};

typedef struct rdkafka_maps {
  kv_list common, producer, consumer;
} rdkafka_maps;
_Static_assert(offsetof(workload, rdkafka_producer) - offsetof(workload, rdkafka_common) ==
                       offsetof(rdkafka_maps, producer) &&
                   offsetof(workload, rdkafka_consumer) - offsetof(workload, rdkafka_common) ==
                       offsetof(rdkafka_maps, consumer),
               "librdkafka maps are laid out as rdkafka_maps");

static const field rdkafka_fields[] = {
    CUSTOM("common", offsetof(rdkafka_maps, common), parse_kv_map, FL_KVMAP),
    CUSTOM("producer", offsetof(rdkafka_maps, producer), parse_kv_map, FL_KVMAP),
    CUSTOM("consumer", offsetof(rdkafka_maps, consumer), parse_kv_map, FL_KVMAP),
};
static const ftable rdkafka_table = {"librdkafka", rdkafka_fields, COUNT(rdkafka_fields)};

static const field tolerance_fields[] = {
    NUM("max_lag_ms", offsetof(schedule_tolerance, max_lag_ms), 0, 86400000, FL_MIN_EXCLUSIVE, "ms"),
    NUM("max_late_fraction", offsetof(schedule_tolerance, max_late_fraction), 0, 1, 0, NULL),
};
static const ftable tolerance_table = {"schedule_tolerance", tolerance_fields, COUNT(tolerance_fields)};

static const field processor_fields[] = {
    STR("job", offsetof(processor_conf, job), FL_NULLABLE),
    INT("checkpoint_interval_ms", offsetof(processor_conf, checkpoint_interval_ms), 1, 3600000, 0, "ms"),
    NUM("ready_timeout_s", offsetof(processor_conf, ready_timeout_s), 0, 3600, FL_MIN_EXCLUSIVE, "s"),
    NUM("stop_timeout_s", offsetof(processor_conf, stop_timeout_s), 0, 3600, FL_MIN_EXCLUSIVE, "s"),
    CUSTOM("librdkafka", offsetof(processor_conf, rdkafka), parse_kv_map, FL_KVMAP),
};
static const ftable processor_table = {"processor", processor_fields, COUNT(processor_fields)};

#define W(member) offsetof(workload, member)
static const field top_fields[] = {
    /* OMB's fields, as in its Workload.java */
    STR("name", W(name), 0),
    INT("topics", W(topics), 1, 65535, 0, NULL),
    INT("partitionsPerTopic", W(partitions_per_topic), 1, 1000000, 0, NULL),
    INT("messageSize", W(message_size_omb), 1, SIZES_MAX_BYTES, 0, "bytes"),
    STR("payloadFile", W(payload_file), 0),
    BOOL("useRandomizedPayloads", W(use_randomized_payloads)),
    NUM("randomBytesRatio", W(random_bytes_ratio), 0, 1, 0, NULL),
    INT("randomizedPayloadPoolSize", W(randomized_payload_pool_size), 0, 1000000, 0, NULL),
    INT("subscriptionsPerTopic", W(subscriptions_per_topic), 0, 1000, 0, NULL),
    INT("consumerPerSubscription", W(consumer_per_subscription), 0, 100000, 0, NULL),
    INT("producersPerTopic", W(producers_per_topic), 1, 100000, 0, NULL),
    NUM("producerRate", W(producer_rate), 0, RATE_MAX, 0, "msg/s"),
    NUM("consumerBacklogSizeGB", W(consumer_backlog_size_gb), 0, 1e6, 0, "GiB"),
    NUM("backlogDrainRatio", W(backlog_drain_ratio), 0, 1, 0, NULL),
    INT("testDurationMinutes", W(test_duration_minutes), 1, 525600, 0, "min"),
    INT("warmupDurationMinutes", W(warmup_duration_minutes), 0, 525600, 0, "min"),
    ENUM("keyDistributor", W(key_distributor), omb_key_names),
    /* streamproof's extensions */
    U64("seed", W(seed)),
    NUM("duration_s", W(duration_s), 0, SECONDS_MAX, FL_MIN_EXCLUSIVE, "s"),
    NUM("warmup_s", W(warmup_s), 0, SECONDS_MAX, 0, "s"),
    NUM("drain_timeout_s", W(drain_timeout_s), 0, 86400, 0, "s"),
    ENUM("key_distribution", W(key_distribution), keydist_names),
    U32("key_count", W(key_count), 1, KEYS_MAX_COUNT, 0, NULL),
    NUM("zipf_exponent", W(zipf_exponent), 0, 100, FL_MIN_EXCLUSIVE, NULL),
    CUSTOM("message_size", W(message_size), parse_message_size, 0),
    ENUM("payload", W(payload), payload_names),
    MAP("rate_profile", W(rate_profile), &profile_table),
    MAP("rate_search", W(rate_search), &search_table),
    MAP("producer", W(producer), &producer_table),
    ENUM("semantics", W(semantics), semantics_names),
    MAP("consumer", W(consumer), &consumer_table),
    CUSTOM("subscriptions", W(sub_overrides), parse_subscriptions, 0),
    ENUM("ordering", W(ordering), ordering_names),
    MAP("event_time", W(event_time), &event_time_table),
    MAP("broker", W(broker), &broker_table),
    STR("faults", W(faults), FL_NULLABLE),
    MAP("librdkafka", W(rdkafka_common), &rdkafka_table),
    MAP("schedule_tolerance", W(schedule_tolerance), &tolerance_table),
    MAP("processor", W(processor), &processor_table),
};
#undef W

const ftable wl_top_table = {"", top_fields, COUNT(top_fields)};

/* Keys of other OMB versions and forks, with what to do instead. */
static const struct {
  const char *key, *why;
} foreign[] = {
    {"sampleRateMillis", "it belongs to the Redpanda fork of OMB; streamproof samples its timeline every second"},
    {"existingTopicList", "it belongs to the Redpanda fork of OMB; streamproof creates its own topics"},
    {"existingProduceTopicList", "it belongs to the Redpanda fork of OMB; streamproof creates its own topics"},
    {"existingConsumeTopicList", "it belongs to the Redpanda fork of OMB; streamproof creates its own topics"},
    {"producerStartRate", "it belongs to older OMB versions; use rate_profile (type ramp or steps)"},
    {"producerIncrementRate", "it belongs to older OMB versions; use rate_profile (type steps)"},
    {"producerIncrementSeconds", "it belongs to older OMB versions; use rate_profile (type steps)"},
    {"acceptableBacklog", "it belongs to older OMB versions; see rate_search.receive_backlog_limit"},
    {"messageRateReceivedForSubscription", "it belongs to older OMB versions (filtered subscriptions), .off = which streamproof does not model"},
    {"producerPauseBeforeDrain", "it belongs to older OMB versions; use rate_profile steps with rate 0"},
    {"producerPauseDuringDrain", "it belongs to older OMB versions; use rate_profile steps with rate 0"},
    {"consumeDelaySeconds", "it was proposed for OMB (PR #458) but not merged; use consumer.start_delay_s"},
    {"drainProducerRate", "it belongs to the Redpanda fork of OMB; use rate_profile steps"},
};

const char *wl_foreign_key(const char *key) {
  for (size_t i = 0; i < COUNT(foreign); i++)
    if (!strcmp(foreign[i].key, key)) return foreign[i].why;
  return NULL;
}
