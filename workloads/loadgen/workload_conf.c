/* workload_conf.c: what a run derives from a workload: counts, phase
 * lengths, backlog targets, librdkafka properties, refbroker's flags. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "sp_assert.h"
#include "workload_priv.h"

uint32_t workload_producer_count(const workload *w) {
  return (uint32_t)(w->topics * w->producers_per_topic);
}

uint32_t workload_consumer_count(const workload *w) {
  return (uint32_t)(w->topics * w->subscriptions_per_topic * w->consumer_per_subscription);
}

uint64_t workload_warmup_ns(const workload *w) { return (uint64_t)llround(w->warmup_s * 1e9); }
uint64_t workload_duration_ns(const workload *w) { return (uint64_t)llround(w->duration_s * 1e9); }

/* OMB: requested = consumerBacklogSizeGB * 1024^3 bytes, counted in
 * messages of the (mean) message size. */
uint64_t workload_backlog_messages(const workload *w) {
  if (w->consumer_backlog_size_gb <= 0) return 0;
  double bytes = w->consumer_backlog_size_gb * 1024.0 * 1024.0 * 1024.0;
  return (uint64_t)(bytes / sizes_mean(&w->message_size));
}

/* OMB: drained when the backlog is at most max(1000, (1 - ratio) * capacity). */
uint64_t workload_backlog_drained_messages(const workload *w) {
  uint64_t capacity = workload_backlog_messages(w);
  uint64_t level = (uint64_t)((1.0 - w->backlog_drain_ratio) * (double)capacity);
  return level > 1000 ? level : 1000;
}

const subscription_conf *workload_subscription(const workload *w, uint32_t s) {
  SP_ASSERT((int64_t)s < w->subscriptions_per_topic);
  return &w->subscriptions[s];
}

/* Appends k = v (copies). */
static void kv_add(kv_list *kv, const char *k, const char *v) {
  kv->keys = sp_realloc(kv->keys, (kv->n + 1) * sizeof *kv->keys);
  kv->values = sp_realloc(kv->values, (kv->n + 1) * sizeof *kv->values);
  kv->keys[kv->n] = sp_strdup(k);
  kv->values[kv->n] = sp_strdup(v);
  kv->n++;
}

/* Appends every property of `from`, in order. */
static void kv_add_all(kv_list *kv, const kv_list *from) {
  for (size_t i = 0; i < from->n; i++) kv_add(kv, from->keys[i], from->values[i]);
}

void workload_rdkafka_conf(const workload *w, wl_client client, kv_list *out) {
  memset(out, 0, sizeof *out);
  if (client == WL_CLIENT_PRODUCER) {
    const producer_conf *p = &w->producer;
    char buf[64];
    snprintf(buf, sizeof buf, "%d", p->acks);
    kv_add(out, "acks", buf);
    snprintf(buf, sizeof buf, "%.15g", p->linger_ms);
    kv_add(out, "linger.ms", buf);
    snprintf(buf, sizeof buf, "%lld", (long long)p->batch_bytes);
    kv_add(out, "batch.size", buf);
    snprintf(buf, sizeof buf, "%lld", (long long)p->batch_messages);
    kv_add(out, "batch.num.messages", buf);
    kv_add(out, "compression.type", compression_name(p->compression));
    kv_add(out, "enable.idempotence", p->idempotence ? "true" : "false");
    snprintf(buf, sizeof buf, "%lld", (long long)p->max_in_flight);
    kv_add(out, "max.in.flight.requests.per.connection", buf);
  }
  kv_add_all(out, &w->rdkafka_common);
  kv_add_all(out, client == WL_CLIENT_PRODUCER ? &w->rdkafka_producer : &w->rdkafka_consumer);
}

/* Appends a copy of s, keeping argv NULL-terminated. */
static void arg_push(char ***argv, size_t *argc, const char *s) {
  *argv = sp_realloc(*argv, (*argc + 2) * sizeof **argv);
  (*argv)[(*argc)++] = sp_strdup(s);
  (*argv)[*argc] = NULL;
}

/* Appends "flag v" unless v is 0 (not set: refbroker's default applies). */
static void flag_push(char ***argv, size_t *argc, const char *flag, int64_t v) {
  if (!v) return; /* refbroker's own default */
  char buf[32];
  snprintf(buf, sizeof buf, "%lld", (long long)v);
  arg_push(argv, argc, flag);
  arg_push(argv, argc, buf);
}

char **workload_broker_args(const workload *w, size_t *argc) {
  char **argv = NULL;
  size_t n = 0;
  const broker_conf *b = &w->broker;
  arg_push(&argv, &n, "--fsync");
  if (b->fsync == FSYNC_INTERVAL) {
    char buf[40];
    snprintf(buf, sizeof buf, "interval:%lld", (long long)b->fsync_interval_ms);
    arg_push(&argv, &n, buf);
  } else {
    arg_push(&argv, &n, fsync_policy_name(b->fsync));
  }
  flag_push(&argv, &n, "--segment-bytes", b->segment_bytes);
  flag_push(&argv, &n, "--retention-bytes", b->retention_bytes);
  flag_push(&argv, &n, "--retention-ms", b->retention_ms);
  flag_push(&argv, &n, "--default-partitions", b->default_partitions);
  for (size_t i = 0; i < b->n_extra_args; i++) arg_push(&argv, &n, b->extra_args[i]);
  if (argc) *argc = n;
  return argv;
}

void workload_free_args(char **argv) {
  if (!argv) return;
  for (char **p = argv; *p; p++) free(*p);
  free(argv);
}

void workload_slug(const workload *w, char *buf, size_t len) {
  if (!len) return;
  size_t j = 0;
  int dash = 0;
  for (const char *p = w->name ? w->name : "workload"; *p && j + 1 < len; p++) {
    char ch = *p;
    int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
             ch == '.' || ch == '_' || ch == '-';
    if (ok) {
      buf[j++] = ch;
      dash = 0;
    } else if (!dash && j > 0) { /* one '-' for a run of other characters */
      buf[j++] = '-';
      dash = 1;
    }
  }
  while (j > 0 && buf[j - 1] == '-') j--;
  if (j == 0 || (j == 1 && buf[0] == '.') || (j == 2 && buf[0] == '.' && buf[1] == '.'))
    j = (size_t)snprintf(buf, len, "workload");
  buf[j < len ? j : len - 1] = '\0';
}

const char *semantics_name(delivery_semantics s) {
  switch (s) {
  case SEM_AT_MOST_ONCE: return "at_most_once";
  case SEM_AT_LEAST_ONCE: return "at_least_once";
  case SEM_EXACTLY_ONCE: return "exactly_once";
  }
  return "?";
}

const char *ordering_name(ordering_mode o) { return o == ORDERING_PER_KEY ? "per_key" : "none"; }

const char *payload_kind_name(payload_kind p) {
  switch (p) {
  case PAYLOAD_RANDOM: return "random";
  case PAYLOAD_ZEROS: return "zeros";
  case PAYLOAD_FILE: return "file";
  case PAYLOAD_RANDOMIZED: return "randomized";
  }
  return "?";
}

const char *compression_name(compression_codec c) {
  switch (c) {
  case COMPRESSION_NONE: return "none";
  case COMPRESSION_GZIP: return "gzip";
  case COMPRESSION_SNAPPY: return "snappy";
  case COMPRESSION_LZ4: return "lz4";
  case COMPRESSION_ZSTD: return "zstd";
  }
  return "?";
}

const char *fsync_policy_name(fsync_policy f) {
  switch (f) {
  case FSYNC_ALWAYS: return "always";
  case FSYNC_NEVER: return "never";
  case FSYNC_INTERVAL: return "interval";
  }
  return "?";
}
