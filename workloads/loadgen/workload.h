/* workload.h: a workload file, loaded, validated and fully resolved.
 *
 * A workload says what load to offer and how to consume it: topics,
 * partitions, producers, subscriptions, rates over time, keys, message sizes
 * and content, delivery semantics, event-time disorder, the embedded
 * broker's settings and a fault schedule. The format is a superset of
 * OpenMessaging Benchmark's workload YAML: OMB's field names load as-is and
 * mean what they mean in OMB; streamproof's extensions have snake_case
 * names. workloads/README.md documents every field (type, default, meaning).
 *
 * Every key is checked: an unknown key, a value of the wrong type or out of
 * range, a missing required key or two keys that contradict each other is an
 * error naming file:line:column and the key, e.g.
 *
 *   workloads/x.yaml:7:1: unknown key 'partitionsPerTopc' (did you mean 'partitionsPerTopic'?)
 *
 * Usage (the orchestrator):
 *
 *   workload w;
 *   char err[512];
 *   if (workload_load(path, &w, err, sizeof err) != 0) { print err; exit 2; }
 *   for each --set: if (workload_set(&w, "broker.fsync=never", err, sizeof err)) ...
 *   json_t *j = workload_to_json(&w);     // summary.json's "workload"
 *   ... schedule_init(&s, &w.rate_profile); keys_init(...); sizes_draw(&w.message_size, ...)
 *   workload_free(&w);
 *
 * After a successful load or set, every field below holds its resolved value
 * (defaults filled in, OMB fields mapped onto the extensions they share a
 * meaning with); the "raw" fields keep what the file said, for messages. */
#ifndef SP_WORKLOAD_H
#define SP_WORKLOAD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "eventtime.h"
#include "keys.h"
#include "ratecontrol.h"
#include "schedule.h"
#include "sizes.h"

typedef enum { SEM_AT_MOST_ONCE = 0, SEM_AT_LEAST_ONCE, SEM_EXACTLY_ONCE } delivery_semantics;
typedef enum { ORDERING_NONE = 0, ORDERING_PER_KEY } ordering_mode;
/* What fills a message after its identity header (see payload.h). */
typedef enum { PAYLOAD_RANDOM = 0, PAYLOAD_ZEROS, PAYLOAD_FILE, PAYLOAD_RANDOMIZED } payload_kind;
typedef enum { COMPRESSION_NONE = 0, COMPRESSION_GZIP, COMPRESSION_SNAPPY, COMPRESSION_LZ4,
               COMPRESSION_ZSTD } compression_codec;
typedef enum { FSYNC_ALWAYS = 0, FSYNC_NEVER, FSYNC_INTERVAL } fsync_policy;
/* OMB's keyDistributor values. */
typedef enum { OMB_NO_KEY = 0, OMB_KEY_ROUND_ROBIN, OMB_RANDOM_NANO } omb_key_distributor;
typedef enum { WL_CLIENT_PRODUCER = 0, WL_CLIENT_CONSUMER } wl_client;

/* An ordered list of librdkafka property = value strings. */
typedef struct kv_list {
  char **keys;
  char **values;
  size_t n;
} kv_list;

typedef struct producer_conf {
  int acks;                /* 0, 1, or -1 for all */
  double linger_ms;        /* linger.ms */
  int64_t batch_bytes;     /* batch.size */
  int64_t batch_messages;  /* batch.num.messages */
  compression_codec compression;
  int idempotence;         /* enable.idempotence */
  int64_t max_in_flight;   /* max.in.flight.requests.per.connection */
} producer_conf;

typedef struct consumer_pause {
  double at_s;  /* since start of load */
  double for_s; /* > 0 */
} consumer_pause;

typedef struct consumer_conf {
  double processing_us;      /* time spent per message (slow consumers) */
  double start_delay_s;      /* consumers start this long after load starts */
  consumer_pause *pauses;    /* every consumer stops consuming for a while */
  size_t n_pauses;
  double commit_interval_ms; /* at_least_once: commit processed offsets this
                                often; 0 = after every polled batch */
} consumer_conf;

/* The resolved settings of one subscription (subscription index s within a
 * topic; the same for every topic). */
typedef struct subscription_conf {
  delivery_semantics semantics;
  double processing_us;
  double start_delay_s;
  double commit_interval_ms;
} subscription_conf;

/* A subscriptions: entry as written: unset fields are NaN / -1. */
typedef struct subscription_override {
  int semantics; /* -1: inherit */
  double processing_us, start_delay_s, commit_interval_ms; /* NaN: inherit */
} subscription_override;

typedef struct broker_conf {
  fsync_policy fsync;
  int64_t fsync_interval_ms; /* FSYNC_INTERVAL */
  /* 0: not passed (refbroker's own default); retention -1: unlimited */
  int64_t segment_bytes;
  int64_t retention_bytes;
  int64_t retention_ms;
  int64_t default_partitions;
  char **extra_args;
  size_t n_extra_args;
} broker_conf;

/* processor: a stream processor (refstream) the run starts over its topics
 * (procjob.h: the job file's placeholders). */
typedef struct processor_conf {
  char *job;                      /* raw: the job file as written; NULL: no processor */
  char *job_path;                 /* resolved against the workload's directory */
  int64_t checkpoint_interval_ms; /* refstream --checkpoint-interval-ms */
  double ready_timeout_s;         /* start-up bound: refstream logs "ready: job" */
  double stop_timeout_s;          /* end of run: SIGTERM to exit (its final checkpoint) */
  kv_list rdkafka;                /* -X properties for refstream's clients */
} processor_conf;

typedef struct workload {
  char *path; /* the file as given ("--set" values resolve against the cwd) */
  char *dir;  /* its directory: relative paths in the file start here */

  /* ---- OMB fields (names as in OMB's Workload.java) ---- */
  char *name;                           /* default: file name without .yaml */
  int64_t topics;
  int64_t partitions_per_topic;
  int64_t message_size_omb;             /* raw messageSize (see message_size) */
  char *payload_file;                   /* raw payloadFile */
  int use_randomized_payloads;
  double random_bytes_ratio;
  int64_t randomized_payload_pool_size;
  int64_t subscriptions_per_topic;
  int64_t consumer_per_subscription;
  int64_t producers_per_topic;
  double producer_rate;                 /* total msg/s; 0 = max-rate search */
  double consumer_backlog_size_gb;      /* GiB, OMB's 1024^3 */
  double backlog_drain_ratio;
  int64_t test_duration_minutes;        /* raw (see duration_s) */
  int64_t warmup_duration_minutes;      /* raw (see warmup_s) */
  omb_key_distributor key_distributor;  /* raw (see key_distribution) */

  /* ---- extensions (resolved; OMB equivalents folded in) ---- */
  uint64_t seed;
  double duration_s;       /* measured phase */
  double warmup_s;         /* before it; histograms exclude it */
  double drain_timeout_s;  /* final drain bound after producers stop */
  key_distribution key_distribution;
  uint32_t key_count;
  double zipf_exponent;
  size_dist message_size;
  payload_kind payload;
  char *payload_path;      /* resolved payloadFile (absolute), or NULL */
  rate_profile rate_profile;
  rate_search_conf rate_search;
  producer_conf producer;
  delivery_semantics semantics;
  consumer_conf consumer;
  subscription_override *sub_overrides; /* raw subscriptions: list */
  size_t n_sub_overrides;
  subscription_conf *subscriptions;     /* resolved, subscriptions_per_topic */
  ordering_mode ordering;
  event_time_conf event_time;
  broker_conf broker;
  char *faults;            /* raw */
  char *faults_path;       /* resolved against the workload's directory */
  kv_list rdkafka_common, rdkafka_producer, rdkafka_consumer;
  schedule_tolerance schedule_tolerance;
  processor_conf processor;

  struct wl_marks *marks;  /* private: where each key was set */
} workload;

/* Loads and validates a workload file. 0 on success; -1 with a message in
 * err ("file:line:col: ...") otherwise. Either way w must be released with
 * workload_free. */
int workload_load(const char *path, workload *w, char *err, size_t err_len);

/* The same from text in memory; display_path names it in errors and its
 * directory anchors relative paths. */
int workload_parse(const char *text, size_t len, const char *display_path, workload *w,
                   char *err, size_t err_len);

/* Applies one `--set key=value` override (dotted keys reach nested fields:
 * "broker.fsync=never", "librdkafka.producer.linger.ms=5"). The value is
 * read as YAML and validated exactly like the file; the whole workload is
 * then re-validated. Setting one of two alternative keys drops the other
 * (duration_s replaces testDurationMinutes, ...). On error w is unchanged
 * and err names "--set key". */
int workload_set(workload *w, const char *assignment, char *err, size_t err_len);

/* The fully resolved workload as JSON (defaults included), in the file
 * format's own keys: saved as a .yaml file it loads back to the same
 * workload. The caller owns the reference. */
json_t *workload_to_json(const workload *w);

void workload_free(workload *w);

/* 1 when the key (dotted path, e.g. "producer.acks") was given by the file
 * or a --set, 0 when it holds its default. */
int workload_is_set(const workload *w, const char *path);

/* ---- derived facts the run needs ---- */

uint32_t workload_producer_count(const workload *w); /* topics x producersPerTopic */
uint32_t workload_consumer_count(const workload *w); /* topics x subs x consumers */
uint64_t workload_warmup_ns(const workload *w);
uint64_t workload_duration_ns(const workload *w);
/* The backlog to build before consumers resume (consumerBacklogSizeGB), in
 * messages of the mean size; 0 when there is none. */
uint64_t workload_backlog_messages(const workload *w);
/* OMB's drained level: the backlog counts as drained at or below this. */
uint64_t workload_backlog_drained_messages(const workload *w);
const subscription_conf *workload_subscription(const workload *w, uint32_t s);

/* librdkafka properties for a producer or consumer, in the order to apply
 * them: the named producer settings, then librdkafka.common, then
 * librdkafka.producer / .consumer. The caller frees with kv_list_free. */
void workload_rdkafka_conf(const workload *w, wl_client client, kv_list *out);
void kv_list_free(kv_list *kv);

/* refbroker's flags for the embedded broker (without --listen/--data-dir),
 * NULL-terminated; free with workload_free_args. */
char **workload_broker_args(const workload *w, size_t *argc);
void workload_free_args(char **argv);

/* The name made safe for a directory name: [A-Za-z0-9._-], others '-'. */
void workload_slug(const workload *w, char *buf, size_t len);

const char *semantics_name(delivery_semantics s);
const char *ordering_name(ordering_mode o);
const char *payload_kind_name(payload_kind p);
const char *compression_name(compression_codec c);
const char *fsync_policy_name(fsync_policy f);

#endif
