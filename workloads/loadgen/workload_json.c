/* workload_json.c: the resolved workload as JSON (summary.json's
 * "workload"). Every key is written with its resolved value, defaults
 * included, in the file format's own keys and forms, so the object saved as
 * a .yaml file loads back to the same workload: a results folder carries
 * the exact workload to re-run. Where OMB and an extension say the same
 * thing (testDurationMinutes / duration_s, ...) the extension is written. */
#include <string.h>

#include "workload_priv.h"

static void put(json_t *o, const char *k, json_t *v) { json_object_set_new(o, k, v); }
static void put_num(json_t *o, const char *k, double v) { put(o, k, json_real(v)); }
static void put_int(json_t *o, const char *k, int64_t v) { put(o, k, json_integer(v)); }
static void put_str(json_t *o, const char *k, const char *v) { put(o, k, v ? json_string(v) : json_null()); }

/* rate_profile with the keys of its type only (others would not load back). */
static json_t *rate_profile_json(const rate_profile *p, int base_rate_given) {
  json_t *o = json_object();
  put_str(o, "type", rate_profile_type_name(p->type));
  switch (p->type) {
  case RATE_CONSTANT: break;
  case RATE_STEPS: {
    json_t *a = json_array();
    for (size_t i = 0; i < p->n_steps; i++) {
      json_t *s = json_object();
      put_num(s, "at_s", p->steps[i].at_s);
      put_num(s, "rate", p->steps[i].rate);
      json_array_append_new(a, s);
    }
    put(o, "steps", a);
    break;
  }
  case RATE_BURSTS:
    put_num(o, "period_s", p->period_s);
    put_num(o, "burst_s", p->burst_s);
    put_num(o, "burst_rate", p->burst_rate);
    if (base_rate_given) put_num(o, "base_rate", p->rate);
    break;
  case RATE_RAMP:
    put_num(o, "from_rate", p->from_rate);
    put_num(o, "ramp_s", p->ramp_s);
    break;
  }
  return o;
}

/* message_size with the keys of its distribution only. */
static json_t *size_json(const size_dist *d) {
  json_t *o = json_object();
  put_str(o, "distribution", size_distribution_name(d->distribution));
  if (d->distribution == SIZEDIST_FIXED) {
    put_int(o, "size", d->size);
    return o;
  }
  if (d->distribution != SIZEDIST_UNIFORM) {
    put_num(o, "mean", d->mean);
    put_num(o, "stddev", d->stddev);
  }
  put_int(o, "min_bytes", d->min_bytes);
  put_int(o, "max_bytes", d->max_bytes);
  return o;
}

/* A property list as an object of strings, in order. */
static json_t *kv_json(const kv_list *kv) {
  json_t *o = json_object();
  for (size_t i = 0; i < kv->n; i++) put_str(o, kv->keys[i], kv->values[i]);
  return o;
}

/* producer: acks as 0, 1 or "all", as written in files. */
static json_t *producer_json(const producer_conf *p) {
  json_t *o = json_object();
  if (p->acks == -1) put_str(o, "acks", "all");
  else put_int(o, "acks", p->acks);
  put_num(o, "linger_ms", p->linger_ms);
  put_int(o, "batch_bytes", p->batch_bytes);
  put_int(o, "batch_messages", p->batch_messages);
  put_str(o, "compression", compression_name(p->compression));
  put(o, "idempotence", json_boolean(p->idempotence));
  put_int(o, "max_in_flight", p->max_in_flight);
  return o;
}

/* consumer: the workload-wide consumer settings. */
static json_t *consumer_json(const consumer_conf *c) {
  json_t *o = json_object();
  put_num(o, "processing_us", c->processing_us);
  put_num(o, "start_delay_s", c->start_delay_s);
  json_t *a = json_array();
  for (size_t i = 0; i < c->n_pauses; i++) {
    json_t *p = json_object();
    put_num(p, "at_s", c->pauses[i].at_s);
    put_num(p, "for_s", c->pauses[i].for_s);
    json_array_append_new(a, p);
  }
  put(o, "pauses", a);
  put_num(o, "commit_interval_ms", c->commit_interval_ms);
  return o;
}

/* event_time: clock_skew_ms as a bound or as the explicit list. */
static json_t *event_time_json(const event_time_conf *e) {
  json_t *o = json_object();
  put_num(o, "late_fraction", e->late_fraction);
  put_num(o, "max_lateness_ms", e->max_lateness_ms);
  put_num(o, "out_of_order_fraction", e->out_of_order_fraction);
  put_num(o, "out_of_order_ms", e->out_of_order_ms);
  if (e->n_skews) {
    json_t *a = json_array();
    for (size_t i = 0; i < e->n_skews; i++) json_array_append_new(a, json_real(e->skews_ms[i]));
    put(o, "clock_skew_ms", a);
  } else {
    put_num(o, "clock_skew_ms", e->clock_skew_ms);
  }
  return o;
}

/* A refbroker numeric flag: null when refbroker's own default applies. */
static void put_flag(json_t *o, const char *k, int64_t v) { put(o, k, v ? json_integer(v) : json_null()); }

/* broker: fsync in its file form ("interval:MS"). */
static json_t *broker_json(const broker_conf *b) {
  json_t *o = json_object();
  if (b->fsync == FSYNC_INTERVAL) {
    char buf[40];
    snprintf(buf, sizeof buf, "interval:%lld", (long long)b->fsync_interval_ms);
    put_str(o, "fsync", buf);
  } else {
    put_str(o, "fsync", fsync_policy_name(b->fsync));
  }
  put_flag(o, "segment_bytes", b->segment_bytes);
  put_flag(o, "retention_bytes", b->retention_bytes);
  put_flag(o, "retention_ms", b->retention_ms);
  put_flag(o, "default_partitions", b->default_partitions);
  json_t *a = json_array();
  for (size_t i = 0; i < b->n_extra_args; i++) json_array_append_new(a, json_string(b->extra_args[i]));
  put(o, "extra_args", a);
  return o;
}

json_t *workload_to_json(const workload *w) {
  json_t *j = json_object();
  put_str(j, "name", w->name);
  put_int(j, "seed", (int64_t)w->seed);
  put_int(j, "topics", w->topics);
  put_int(j, "partitionsPerTopic", w->partitions_per_topic);
  put_int(j, "producersPerTopic", w->producers_per_topic);
  put_int(j, "subscriptionsPerTopic", w->subscriptions_per_topic);
  put_int(j, "consumerPerSubscription", w->consumer_per_subscription);
  if (!(w->rate_profile.type == RATE_BURSTS && workload_is_set(w, "rate_profile.base_rate")) &&
      (workload_is_set(w, "producerRate") || w->rate_profile.type != RATE_STEPS))
    put_num(j, "producerRate", w->producer_rate);
  put(j, "rate_profile", rate_profile_json(&w->rate_profile, workload_is_set(w, "rate_profile.base_rate")));
  if (w->rate_profile.search) {
    json_t *s = json_object();
    put_num(s, "start_rate", w->rate_search.start_rate);
    put_num(s, "period_s", w->rate_search.period_s);
    put_num(s, "publish_backlog_limit", w->rate_search.publish_backlog_limit);
    put_num(s, "receive_backlog_limit", w->rate_search.receive_backlog_limit);
    put_num(s, "min_ramping_factor", w->rate_search.min_ramping_factor);
    put_num(s, "max_ramping_factor", w->rate_search.max_ramping_factor);
    put(j, "rate_search", s);
  }
  put_num(j, "duration_s", w->duration_s);
  put_num(j, "warmup_s", w->warmup_s);
  put_num(j, "drain_timeout_s", w->drain_timeout_s);
  put(j, "message_size", size_json(&w->message_size));
  put_str(j, "payload", payload_kind_name(w->payload));
  if (w->payload == PAYLOAD_FILE) put_str(j, "payloadFile", w->payload_path);
  put(j, "useRandomizedPayloads", json_boolean(w->use_randomized_payloads));
  put_num(j, "randomBytesRatio", w->random_bytes_ratio);
  put_int(j, "randomizedPayloadPoolSize", w->randomized_payload_pool_size);
  put_str(j, "key_distribution", key_distribution_name(w->key_distribution));
  if (w->key_distribution != KEYDIST_NONE) put_int(j, "key_count", w->key_count);
  if (w->key_distribution == KEYDIST_ZIPF) put_num(j, "zipf_exponent", w->zipf_exponent);
  put_str(j, "ordering", ordering_name(w->ordering));
  put_num(j, "consumerBacklogSizeGB", w->consumer_backlog_size_gb);
  put_num(j, "backlogDrainRatio", w->backlog_drain_ratio);
  put_str(j, "semantics", semantics_name(w->semantics));
  put(j, "producer", producer_json(&w->producer));
  put(j, "consumer", consumer_json(&w->consumer));
  json_t *subs = json_array();
  for (int64_t i = 0; w->subscriptions && i < w->subscriptions_per_topic; i++) {
    const subscription_conf *s = &w->subscriptions[i];
    json_t *o = json_object();
    put_str(o, "semantics", semantics_name(s->semantics));
    put_num(o, "processing_us", s->processing_us);
    put_num(o, "start_delay_s", s->start_delay_s);
    put_num(o, "commit_interval_ms", s->commit_interval_ms);
    json_array_append_new(subs, o);
  }
  put(j, "subscriptions", subs);
  put(j, "event_time", event_time_json(&w->event_time));
  put(j, "broker", broker_json(&w->broker));
  put_str(j, "faults", w->faults_path);
  json_t *rk = json_object();
  put(rk, "common", kv_json(&w->rdkafka_common));
  put(rk, "producer", kv_json(&w->rdkafka_producer));
  put(rk, "consumer", kv_json(&w->rdkafka_consumer));
  put(j, "librdkafka", rk);
  json_t *tol = json_object();
  put_num(tol, "max_lag_ms", w->schedule_tolerance.max_lag_ms);
  put_num(tol, "max_late_fraction", w->schedule_tolerance.max_late_fraction);
  put(j, "schedule_tolerance", tol);
  if (w->processor.job_path) {
    json_t *pr = json_object();
    put_str(pr, "job", w->processor.job_path);
    put_int(pr, "checkpoint_interval_ms", w->processor.checkpoint_interval_ms);
    put_num(pr, "ready_timeout_s", w->processor.ready_timeout_s);
    put_num(pr, "stop_timeout_s", w->processor.stop_timeout_s);
    put(pr, "librdkafka", kv_json(&w->processor.rdkafka));
    put(j, "processor", pr);
  }
  return j;
}
