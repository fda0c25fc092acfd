/* workload_validate.c: the rules that involve more than one key, and
 * resolution: OMB's fields folded into the extensions they share a meaning
 * with, context-dependent defaults, paths made absolute. Runs after the
 * file and every --set were parsed, so a rule broken by a --set is reported
 * at that --set. Each error names the key (and where it was written). */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"
#include "payload.h"
#include "procjob.h"
#include "workload_priv.h"

typedef struct vctx {
  workload *w;
  char *err;
  size_t err_len;
} vctx;

static int is_set(const workload *w, const char *path) { return wl_mark_find(w, path) != NULL; }

/* "loc: message", loc being where `path` was set (the file's name when it
 * was not set at all, e.g. for a missing key). */
static int verr(vctx *v, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int verr(vctx *v, const char *path, const char *fmt, ...) {
  char loc[600];
  /* no path: the top-level mapping (its mark is the empty path) */
  wl_loc_of_mark(v->w, wl_mark_find(v->w, path ? path : ""), loc, sizeof loc);
  int k = snprintf(v->err, v->err_len, "%s: ", loc);
  if (k >= 0 && (size_t)k < v->err_len) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->err + k, v->err_len - (size_t)k, fmt, ap);
    va_end(ap);
  }
  return -1;
}

/* " (line N)" or " (--set K)" for a second key in a message. */
static const char *where(const workload *w, const char *path, char *buf, size_t len) {
  const wl_mark *m = wl_mark_find(w, path);
  if (!m) buf[0] = '\0';
  else if (m->set_key) snprintf(buf, len, " (--set %s)", m->set_key);
  else snprintf(buf, len, " (line %d)", m->line);
  return buf;
}

/* Of two keys that conflict, the one to report at: a --set beats the file
 * (the user's latest word), else the later line. */
static const char *later(const workload *w, const char *a, const char *b) {
  const wl_mark *ma = wl_mark_find(w, a), *mb = wl_mark_find(w, b);
  if (!ma) return b;
  if (!mb) return a;
  if (ma->set_key) return a;
  if (mb->set_key) return b;
  return ma->line >= mb->line ? a : b;
}

/* "'a' and 'b' (line N) <why>", reported at the later of the two. */
static int conflict(vctx *v, const char *a, const char *b, const char *why) {
  char buf[300];
  const char *at = later(v->w, a, b), *other = at == a ? b : a;
  return verr(v, at, "'%s' and '%s'%s %s", at, other, where(v->w, other, buf, sizeof buf), why);
}

/* ---- the sections ----------------------------------------------------------- */

/* OMB's field and the extension that says the same thing: not both. */
static int check_alternatives(vctx *v) {
  static const char *const pairs[][2] = {
      {"duration_s", "testDurationMinutes"},
      {"warmup_s", "warmupDurationMinutes"},
      {"message_size", "messageSize"},
      {"key_distribution", "keyDistributor"},
  };
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
    if (is_set(v->w, pairs[i][0]) && is_set(v->w, pairs[i][1]))
      return conflict(v, pairs[i][0], pairs[i][1], "say the same thing in two ways: give only one");
  return 0;
}

/* The keys without a sensible default (reported at the top mapping). */
static int check_required(vctx *v) {
  workload *w = v->w;
  if (!is_set(w, "topics")) return verr(v, NULL, "missing required key 'topics' (the number of topics)");
  if (!is_set(w, "partitionsPerTopic"))
    return verr(v, NULL, "missing required key 'partitionsPerTopic' (partitions of each topic)");
  if (!is_set(w, "messageSize") && !is_set(w, "message_size"))
    return verr(v, NULL, "missing required key 'messageSize' (or 'message_size': the size of each message in bytes)");
  if (!is_set(w, "testDurationMinutes") && !is_set(w, "duration_s"))
    return verr(v, NULL, "missing required key 'testDurationMinutes' (or 'duration_s': how long the measured phase lasts)");
  return 0;
}

/* Minutes (OMB) to seconds; the warm-up default depends on the form. */
static void resolve_durations(workload *w) {
  if (is_set(w, "testDurationMinutes")) w->duration_s = 60.0 * (double)w->test_duration_minutes;
  if (is_set(w, "warmupDurationMinutes")) w->warmup_s = 60.0 * (double)w->warmup_duration_minutes;
  else if (!is_set(w, "warmup_s"))
    /* OMB's default warm-up (1 minute) for OMB-style files; none otherwise */
    w->warmup_s = is_set(w, "testDurationMinutes") ? 60.0 * (double)w->warmup_duration_minutes : 0;
}

/* Counts that only make sense together (consumers per subscription, totals). */
static int check_counts(vctx *v) {
  workload *w = v->w;
  if (w->subscriptions_per_topic > 0 && w->consumer_per_subscription < 1)
    return verr(v, "consumerPerSubscription",
                "'consumerPerSubscription' must be at least 1 when subscriptionsPerTopic is %lld",
                (long long)w->subscriptions_per_topic);
  if (w->topics * w->producers_per_topic > 1000000)
    return verr(v, is_set(w, "producersPerTopic") ? "producersPerTopic" : "topics",
                "topics x producersPerTopic is %lld producers; at most 1000000",
                (long long)(w->topics * w->producers_per_topic));
  if (w->topics * w->subscriptions_per_topic * w->consumer_per_subscription > 1000000)
    return verr(v, "consumerPerSubscription", "topics x subscriptionsPerTopic x consumerPerSubscription is above 1000000 consumers");
  return 0;
}

/* message_size keys each distribution takes (others are an error). */
static int check_size_keys(vctx *v) {
  static const struct {
    size_distribution d;
    const char *required[3], *optional[3], *takes;
  } rules[] = {
      {SIZEDIST_FIXED, {"size"}, {NULL}, "size"},
      {SIZEDIST_UNIFORM, {"min_bytes", "max_bytes"}, {NULL}, "min_bytes, max_bytes"},
      {SIZEDIST_NORMAL, {"mean", "stddev"}, {"min_bytes", "max_bytes"}, "mean, stddev, min_bytes, max_bytes"},
      {SIZEDIST_LOGNORMAL, {"mean", "stddev"}, {"min_bytes", "max_bytes"}, "mean, stddev, min_bytes, max_bytes"},
  };
  static const char *const keys[] = {"size", "min_bytes", "max_bytes", "mean", "stddev"};
  workload *w = v->w;
  const size_dist *d = &w->message_size;
  char path[64];
  for (size_t r = 0; r < 4; r++) {
    if (rules[r].d != d->distribution) continue;
    for (size_t k = 0; k < 5; k++) {
      snprintf(path, sizeof path, "message_size.%s", keys[k]);
      if (!is_set(w, path)) continue;
      int ok = 0;
      for (int j = 0; j < 3; j++)
        ok |= (rules[r].required[j] && !strcmp(rules[r].required[j], keys[k])) ||
              (rules[r].optional[j] && !strcmp(rules[r].optional[j], keys[k]));
      if (!ok)
        return verr(v, path, "'%s' does not apply to distribution '%s' (it takes %s)", path,
                    size_distribution_name(d->distribution), rules[r].takes);
    }
    for (int j = 0; j < 3 && rules[r].required[j]; j++) {
      snprintf(path, sizeof path, "message_size.%s", rules[r].required[j]);
      if (!is_set(w, path))
        return verr(v, "message_size", "missing key '%s' (distribution '%s' takes %s)", path,
                    size_distribution_name(d->distribution), rules[r].takes);
    }
  }
  return 0;
}

/* The error for a size below the identity header. */
static int too_small(vctx *v, const char *path, uint32_t bytes) {
  return verr(v, path,
              "'%s' is %u bytes, smaller than the %d-byte identity header every streamproof message starts with "
              "(producer, sequence, send time, checksum); use at least %d",
              path, bytes, 56, 56);
}

/* Resolves message_size (from messageSize when that was given) and checks
 * the distribution's keys, bounds and mass. */
static int check_message_size(vctx *v) {
  workload *w = v->w;
  size_dist *d = &w->message_size;
  if (!is_set(w, "message_size")) {
    d->distribution = SIZEDIST_FIXED;
    d->size = (uint32_t)w->message_size_omb;
    if (d->size < 56) return too_small(v, "messageSize", d->size);
    sizes_prepare(d);
    return 0;
  }
  if (check_size_keys(v)) return -1;
  if (d->distribution == SIZEDIST_FIXED) {
    if (d->size < 56) return too_small(v, "message_size.size", d->size);
  } else {
    if (d->min_bytes < 56) return too_small(v, is_set(w, "message_size.min_bytes") ? "message_size.min_bytes" : "message_size", d->min_bytes);
    if (d->max_bytes < d->min_bytes || (d->distribution != SIZEDIST_UNIFORM && d->max_bytes == d->min_bytes))
      return verr(v, "message_size", "'message_size.max_bytes' (%u) must be greater than 'message_size.min_bytes' (%u)",
                  d->max_bytes, d->min_bytes);
  }
  if (d->distribution == SIZEDIST_NORMAL || d->distribution == SIZEDIST_LOGNORMAL) {
    if (d->mean < d->min_bytes || d->mean > d->max_bytes)
      return verr(v, "message_size.mean", "'message_size.mean' (%.15g) must lie within [min_bytes, max_bytes] = [%u, %u]",
                  d->mean, d->min_bytes, d->max_bytes);
    sizes_prepare(d);
    double mass = sizes_mass_inside(d);
    if (mass < SIZES_MIN_MASS)
      return verr(v, "message_size.stddev",
                  "only %.1f%% of this %s distribution lies within [%u, %u] bytes; narrow 'message_size.stddev' or widen the bounds",
                  100 * mass, size_distribution_name(d->distribution), d->min_bytes, d->max_bytes);
  }
  sizes_prepare(d);
  return 0;
}

/* 1 when p names a regular file. */
static int is_file(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* Finds a relative payloadFile where OMB users keep it: next to the
 * workload file, in its parent (OMB's layout: workloads/ beside payload/),
 * then the working directory (OMB's own rule: it runs from its root). A
 * --set value is relative to the working directory only. */
static int resolve_payload_file(vctx *v) {
  workload *w = v->w;
  const char *p = w->payload_file;
  char cands[3][PATH_MAX];
  int n = 0;
  const wl_mark *m = wl_mark_find(w, "payloadFile");
  if (p[0] == '/' || (m && m->set_key)) {
    snprintf(cands[n++], PATH_MAX, "%s", p);
  } else {
    snprintf(cands[n++], PATH_MAX, "%s/%s", w->dir, p);
    snprintf(cands[n++], PATH_MAX, "%s/../%s", w->dir, p);
    snprintf(cands[n++], PATH_MAX, "%s", p);
  }
  for (int i = 0; i < n; i++) {
    if (!is_file(cands[i])) continue;
    char real[PATH_MAX];
    if (!realpath(cands[i], real)) break;
    free(w->payload_path);
    w->payload_path = sp_strdup(real);
    return 0;
  }
  char tried[3 * PATH_MAX + 16] = "";
  for (int i = 0; i < n; i++) {
    size_t l = strlen(tried);
    snprintf(tried + l, sizeof tried - l, "%s%s", i ? ", " : "", cands[i]);
  }
  return verr(v, "payloadFile", "'payloadFile' '%s' not found (looked for %s)", p, tried);
}

/* Resolves what fills the messages: payload, payloadFile and OMB's
 * randomized pool must agree; the file must be exactly the message size. */
static int check_payload(vctx *v) {
  workload *w = v->w;
  int has_file = w->payload_file != NULL;
  if (has_file && !w->payload_file[0]) return verr(v, "payloadFile", "'payloadFile' is empty");
  if (has_file && w->use_randomized_payloads)
    return conflict(v, "payloadFile", "useRandomizedPayloads",
                    "contradict each other: a payload comes from the file or from the randomized pool");
  payload_kind implied = has_file ? PAYLOAD_FILE : w->use_randomized_payloads ? PAYLOAD_RANDOMIZED : PAYLOAD_RANDOM;
  if (is_set(w, "payload")) {
    if (w->payload == PAYLOAD_FILE && !has_file)
      return verr(v, "payload", "'payload: file' needs 'payloadFile' (the file to send)");
    if (w->payload == PAYLOAD_RANDOMIZED) w->use_randomized_payloads = 1;
    else if (implied != PAYLOAD_RANDOM && w->payload != implied)
      return conflict(v, "payload", has_file ? "payloadFile" : "useRandomizedPayloads",
                      "contradict each other");
  } else {
    w->payload = implied;
  }
  free(w->payload_path);
  w->payload_path = NULL;
  if (w->payload == PAYLOAD_RANDOMIZED && w->randomized_payload_pool_size < 1)
    return verr(v, "randomizedPayloadPoolSize", "'randomizedPayloadPoolSize' must be at least 1 with useRandomizedPayloads: true");
  if (w->payload == PAYLOAD_RANDOMIZED) {
    double pool = (double)w->randomized_payload_pool_size *
                  floor((double)sizes_max(&w->message_size) * w->random_bytes_ratio);
    if (pool > PAYLOAD_POOL_MAX_BYTES)
      return verr(v, "randomizedPayloadPoolSize",
                  "the randomized payload pool would hold %.0f MiB (pool size x random bytes per payload); at most %u MiB",
                  pool / 1048576, PAYLOAD_POOL_MAX_BYTES >> 20);
  }
  if (w->payload != PAYLOAD_FILE) return 0;
  if (w->message_size.distribution != SIZEDIST_FIXED)
    return conflict(v, "payloadFile", "message_size",
                    "contradict each other: a payload file has one size, the distribution many");
  if (resolve_payload_file(v)) return -1;
  struct stat st;
  if (stat(w->payload_path, &st) != 0)
    return verr(v, "payloadFile", "cannot read payloadFile '%s': %s", w->payload_path, strerror(errno));
  if ((uint64_t)st.st_size != w->message_size.size)
    return verr(v, "payloadFile",
                "'payloadFile' %s is %lld bytes but the message size is %u: OMB requires the payload file to be exactly messageSize bytes",
                w->payload_path, (long long)st.st_size, w->message_size.size);
  return 0;
}

/* Maps keyDistributor onto key_distribution; key settings need keys. */
static int check_keys(vctx *v) {
  workload *w = v->w;
  if (is_set(w, "keyDistributor")) {
    static const key_distribution map[] = {KEYDIST_NONE, KEYDIST_ROUND_ROBIN, KEYDIST_UNIFORM};
    w->key_distribution = map[w->key_distributor];
  }
  const char *dist_key = is_set(w, "keyDistributor") ? "keyDistributor" : "key_distribution";
  int dist_set = is_set(w, dist_key);
  if (w->key_distribution == KEYDIST_NONE && is_set(w, "key_count"))
    return dist_set ? conflict(v, "key_count", dist_key, "contradict each other: there are no keys to count")
                    : verr(v, "key_count", "'key_count' is set but there are no keys: key_distribution is none by default (set uniform, zipf or round_robin)");
  if (w->key_distribution != KEYDIST_ZIPF && is_set(w, "zipf_exponent"))
    return dist_set ? conflict(v, "zipf_exponent", dist_key, "contradict each other: zipf_exponent applies to key_distribution: zipf only")
                    : verr(v, "zipf_exponent", "'zipf_exponent' is set but key_distribution is none by default (set key_distribution: zipf)");
  if (w->ordering == ORDERING_PER_KEY && w->key_distribution == KEYDIST_NONE)
    return verr(v, "ordering", "'ordering: per_key' needs keys, but the key distribution is none");
  return 0;
}

/* Which rate_profile keys each type takes. */
static int check_profile_keys(vctx *v) {
  static const char *const keys[] = {"steps", "period_s", "burst_s", "burst_rate", "base_rate", "from_rate", "ramp_s"};
  /* per type: bit i set = keys[i] allowed; required in the second mask */
  static const struct { unsigned allowed, required; const char *takes; } rules[] = {
      [RATE_CONSTANT] = {0, 0, "no other keys: the rate is producerRate"},
      [RATE_STEPS] = {1u << 0, 1u << 0, "steps"},
      [RATE_BURSTS] = {0x1eu, 0x0eu, "period_s, burst_s, burst_rate, base_rate"},
      [RATE_RAMP] = {0x60u, 0x40u, "ramp_s, from_rate"},
  };
  workload *w = v->w;
  rate_profile_type t = w->rate_profile.type;
  if (is_set(w, "rate_profile") && !is_set(w, "rate_profile.type"))
    return verr(v, "rate_profile", "missing key 'rate_profile.type' (constant, steps, bursts or ramp)");
  char path[64];
  for (unsigned i = 0; i < 7; i++) {
    snprintf(path, sizeof path, "rate_profile.%s", keys[i]);
    if (is_set(w, path) && !(rules[t].allowed & (1u << i)))
      return verr(v, path, "'%s' does not apply to rate_profile type '%s' (it takes %s)", path,
                  rate_profile_type_name(t), rules[t].takes);
    if (!is_set(w, path) && (rules[t].required & (1u << i)))
      return verr(v, "rate_profile", "missing key '%s' (rate_profile type '%s' takes %s)", path,
                  rate_profile_type_name(t), rules[t].takes);
  }
  return 0;
}

/* The highest rate the profile ever asks for (0: it never sends). */
static double max_profile_rate(const rate_profile *p) {
  double m = 0;
  switch (p->type) {
  case RATE_CONSTANT: m = p->rate; break;
  case RATE_STEPS:
    if (p->n_steps == 0 || p->steps[0].at_s > 0) m = p->rate;
    for (size_t i = 0; i < p->n_steps; i++) m = fmax(m, p->steps[i].rate);
    break;
  case RATE_BURSTS: m = fmax(p->rate, p->burst_rate); break;
  case RATE_RAMP: m = fmax(p->rate, p->from_rate); break;
  }
  return m;
}

/* producerRate: 0 (OMB's search): OMB's restrictions, then search mode. */
static int check_search(vctx *v) {
  workload *w = v->w;
  rate_profile *p = &w->rate_profile;
  if (is_set(w, "rate_profile") && p->type != RATE_CONSTANT)
    return conflict(v, "producerRate", "rate_profile",
                    "contradict each other: producerRate: 0 asks for OMB's max-sustainable-rate search, "
                    "which finds its own rates; a rate profile fixes them in advance");
  if (w->consumer_backlog_size_gb > 0)
    return conflict(v, "producerRate", "consumerBacklogSizeGB",
                    "contradict each other: the max-sustainable-rate search (producerRate: 0) cannot run while a backlog is built (as in OMB)");
  if (w->subscriptions_per_topic == 0)
    return verr(v, "producerRate", "'producerRate: 0' (the max-sustainable-rate search) watches the consumers' backlog, "
                                   "but subscriptionsPerTopic is 0");
  if (w->rate_search.min_ramping_factor > w->rate_search.max_ramping_factor)
    return verr(v, "rate_search.min_ramping_factor", "'rate_search.min_ramping_factor' must not exceed max_ramping_factor");
  p->search = 1;
  p->search_start_rate = w->rate_search.start_rate;
  return 0;
}

/* Resolves the rate profile: its keys, its base rate, step order, burst
 * length, and that it sends at all. */
static int check_rate(vctx *v) {
  workload *w = v->w;
  rate_profile *p = &w->rate_profile;
  p->search = 0;
  if (check_profile_keys(v)) return -1;
  int has_rate = is_set(w, "producerRate");
  if (p->type == RATE_BURSTS && is_set(w, "rate_profile.base_rate") && has_rate)
    return conflict(v, "rate_profile.base_rate", "producerRate", "both give the base rate: give only one");
  int self_contained = (p->type == RATE_STEPS && p->n_steps > 0 && p->steps[0].at_s == 0) ||
                       (p->type == RATE_BURSTS && is_set(w, "rate_profile.base_rate"));
  if (!has_rate && !self_contained)
    return verr(v, NULL, "missing required key 'producerRate' (the total rate in messages per second over all producers)");
  if (has_rate && w->producer_rate == 0) return check_search(v);
  static const char *const search_keys[] = {"start_rate", "period_s", "publish_backlog_limit",
                                             "receive_backlog_limit", "min_ramping_factor", "max_ramping_factor"};
  for (size_t i = 0; i < sizeof search_keys / sizeof search_keys[0]; i++) {
    char path[64];
    snprintf(path, sizeof path, "rate_search.%s", search_keys[i]);
    if (is_set(w, path)) return verr(v, path, "'rate_search' applies only with producerRate: 0 (the max-sustainable-rate search)");
  }
  if (!(p->type == RATE_BURSTS && is_set(w, "rate_profile.base_rate"))) p->rate = w->producer_rate;
  if (p->type == RATE_STEPS) {
    if (p->n_steps == 0) return verr(v, "rate_profile.steps", "'rate_profile.steps' is empty");
    for (size_t i = 1; i < p->n_steps; i++)
      if (!(p->steps[i].at_s > p->steps[i - 1].at_s)) {
        char path[64];
        snprintf(path, sizeof path, "rate_profile.steps[%zu].at_s", i);
        return verr(v, path, "'%s' (%.15g) must be after the previous step's at_s (%.15g)", path,
                    p->steps[i].at_s, p->steps[i - 1].at_s);
      }
  }
  if (p->type == RATE_BURSTS && !(p->burst_s < p->period_s))
    return verr(v, "rate_profile.burst_s", "'rate_profile.burst_s' (%.15g) must be shorter than period_s (%.15g)",
                p->burst_s, p->period_s);
  if (max_profile_rate(p) <= 0)
    return verr(v, is_set(w, "rate_profile") ? "rate_profile" : "producerRate",
                "the rate profile never sends a message: every rate in it is 0");
  return 0;
}

/* Backlog mechanisms, pause order, and the resolved subscriptions. */
static int check_consumers(vctx *v) {
  workload *w = v->w;
  consumer_conf *cc = &w->consumer;
  if (w->consumer_backlog_size_gb > 0) {
    if (w->subscriptions_per_topic == 0)
      return verr(v, "consumerBacklogSizeGB", "'consumerBacklogSizeGB' builds a backlog for consumers, but subscriptionsPerTopic is 0");
    if (cc->start_delay_s > 0 || cc->n_pauses > 0)
      return conflict(v, "consumerBacklogSizeGB", cc->start_delay_s > 0 ? "consumer.start_delay_s" : "consumer.pauses",
                      "contradict each other: build a backlog by size (OMB) or by time, not both");
  }
  for (size_t i = 1; i < cc->n_pauses; i++) {
    if (cc->pauses[i].at_s < cc->pauses[i - 1].at_s + cc->pauses[i - 1].for_s) {
      char path[64];
      snprintf(path, sizeof path, "consumer.pauses[%zu].at_s", i);
      return verr(v, path, "'%s' (%.15g) starts before the previous pause ends (%.15g): pauses must be in order and not overlap",
                  path, cc->pauses[i].at_s, cc->pauses[i - 1].at_s + cc->pauses[i - 1].for_s);
    }
  }
  if ((int64_t)w->n_sub_overrides > w->subscriptions_per_topic)
    return verr(v, "subscriptions", "'subscriptions' lists %zu entries but subscriptionsPerTopic is %lld",
                w->n_sub_overrides, (long long)w->subscriptions_per_topic);
  free(w->subscriptions);
  size_t n = (size_t)w->subscriptions_per_topic;
  w->subscriptions = sp_calloc(n ? n : 1, sizeof *w->subscriptions);
  for (size_t i = 0; i < n; i++) {
    subscription_conf *s = &w->subscriptions[i];
    s->semantics = w->semantics;
    s->processing_us = cc->processing_us;
    s->start_delay_s = cc->start_delay_s;
    s->commit_interval_ms = cc->commit_interval_ms;
    if (i >= w->n_sub_overrides) continue;
    const subscription_override *o = &w->sub_overrides[i];
    if (o->semantics >= 0) s->semantics = (delivery_semantics)o->semantics;
    if (!isnan(o->processing_us)) s->processing_us = o->processing_us;
    if (!isnan(o->start_delay_s)) s->start_delay_s = o->start_delay_s;
    if (!isnan(o->commit_interval_ms)) s->commit_interval_ms = o->commit_interval_ms;
  }
  return 0;
}

/* Fractions add up, late means later than out of order, skews fit. */
static int check_event_time(vctx *v) {
  workload *w = v->w;
  event_time_conf *e = &w->event_time;
  if (e->late_fraction + e->out_of_order_fraction > 1.0 + 1e-12)
    return conflict(v, "event_time.late_fraction", "event_time.out_of_order_fraction",
                    "add up to more than 1: a message is either late, out of order or on time");
  if (e->late_fraction > 0 && !(e->max_lateness_ms > e->out_of_order_ms))
    return verr(v, is_set(w, "event_time.max_lateness_ms") ? "event_time.max_lateness_ms" : "event_time.late_fraction",
                "'event_time.max_lateness_ms' (%.15g) must be greater than out_of_order_ms (%.15g): late events are "
                "shifted back by more than the ordinary disorder",
                e->max_lateness_ms, e->out_of_order_ms);
  uint64_t producers = (uint64_t)(w->topics * w->producers_per_topic);
  if (e->n_skews > producers)
    return verr(v, "event_time.clock_skew_ms", "'event_time.clock_skew_ms' lists %zu skews but there are %llu producers",
                e->n_skews, (unsigned long long)producers);
  return 0;
}

/* The librdkafka property names (and aliases) of the named producer keys. */
static const struct {
  const char *key, *props[2];
} producer_props[] = {
    {"producer.acks", {"acks", "request.required.acks"}},
    {"producer.linger_ms", {"linger.ms", "queue.buffering.max.ms"}},
    {"producer.batch_bytes", {"batch.size", NULL}},
    {"producer.batch_messages", {"batch.num.messages", NULL}},
    {"producer.compression", {"compression.type", "compression.codec"}},
    {"producer.idempotence", {"enable.idempotence", NULL}},
    {"producer.max_in_flight", {"max.in.flight.requests.per.connection", "max.in.flight"}},
};

/* Idempotence's requirements; a named producer key and a librdkafka
 * property for the same thing must not both be given. */
static int check_producer(vctx *v) {
  workload *w = v->w;
  producer_conf *pc = &w->producer;
  if (pc->idempotence) {
    if (pc->acks != -1)
      return conflict(v, "producer.acks", "producer.idempotence", "contradict each other: idempotence needs acks: all");
    if (!is_set(w, "producer.max_in_flight")) pc->max_in_flight = 5;
    else if (pc->max_in_flight > 5)
      return conflict(v, "producer.max_in_flight", "producer.idempotence",
                      "contradict each other: an idempotent producer allows at most 5 requests in flight");
  }
  const kv_list *lists[2] = {&w->rdkafka_common, &w->rdkafka_producer};
  const char *names[2] = {"librdkafka.common", "librdkafka.producer"};
  for (size_t i = 0; i < sizeof producer_props / sizeof producer_props[0]; i++) {
    if (!is_set(w, producer_props[i].key)) continue;
    for (int l = 0; l < 2; l++)
      for (size_t k = 0; k < lists[l]->n; k++)
        for (int a = 0; a < 2; a++) {
          const char *prop = producer_props[i].props[a];
          if (!prop || strcmp(prop, lists[l]->keys[k])) continue;
          char path[300];
          snprintf(path, sizeof path, "%s.%s", names[l], prop);
          return conflict(v, path, producer_props[i].key, "set the same librdkafka property: set it once");
        }
  }
  return 0;
}

/* A path written in the workload, made absolute: relative to the workload
 * file's directory (a --set value: to the working directory). malloc'd. */
static char *resolve_path(const workload *w, const char *raw, const char *key) {
  const wl_mark *m = wl_mark_find(w, key);
  char joined[PATH_MAX * 2 + 2], cwd[PATH_MAX];
  if (raw[0] == '/') snprintf(joined, sizeof joined, "%s", raw);
  else if (m && m->set_key) snprintf(joined, sizeof joined, "%s", raw);
  else snprintf(joined, sizeof joined, "%s/%s", w->dir, raw);
  if (joined[0] != '/' && getcwd(cwd, sizeof cwd)) {
    char abs[sizeof joined + PATH_MAX + 2];
    snprintf(abs, sizeof abs, "%s/%s", cwd, joined);
    return sp_strdup(abs);
  }
  return sp_strdup(joined);
}

/* faults: made absolute. Not opened here: the fault file's format belongs
 * to the fault scheduler, which reports its own errors. */
static int resolve_faults(vctx *v) {
  workload *w = v->w;
  free(w->faults_path);
  w->faults_path = NULL;
  if (!w->faults) return 0;
  if (!w->faults[0]) return verr(v, "faults", "'faults' is empty");
  w->faults_path = resolve_path(w, w->faults, "faults");
  return 0;
}

/* processor: the job file exists and its placeholders are ones the run
 * fills in (procjob.h), checked against stand-in topic names so that a bad
 * job is a workload error, before anything starts. Its content proper is
 * refstream's to judge (the run asks refstream --check-job). */
static int resolve_processor(vctx *v) {
  workload *w = v->w;
  processor_conf *p = &w->processor;
  free(p->job_path);
  p->job_path = NULL;
  if (!p->job) {
    if (is_set(w, "processor.job")) return 0; /* job: null turns the processor off */
    for (size_t i = 0; w->marks && i < w->marks->n; i++) {
      const char *k = w->marks->v[i].path;
      if (!strncmp(k, "processor.", 10) && strcmp(k, "processor.job") != 0)
        return verr(v, k, "'%s' without 'processor.job': say which job the processor runs", k);
    }
    return 0;
  }
  if (!p->job[0]) return verr(v, "processor.job", "'processor.job' is empty");
  p->job_path = resolve_path(w, p->job, "processor.job");
  size_t len = 0;
  char *text = procjob_read(p->job_path, &len);
  if (!text) return verr(v, "processor.job", "processor job %s: %s", p->job_path, strerror(errno));
  size_t n = w->topics > 0 ? (size_t)w->topics : 1;
  char **names = sp_calloc(n, sizeof *names);
  for (size_t t = 0; t < n; t++) {
    names[t] = sp_malloc(32);
    snprintf(names[t], 32, "sp-check-%07zu-0", t);
  }
  procjob_vars vars = {.topics = (const char *const *)names, .n_topics = n, .run = "sp-check-0"};
  char perr[700];
  char *out = procjob_expand(text, len, p->job_path, &vars, NULL, perr, sizeof perr);
  for (size_t t = 0; t < n; t++) free(names[t]);
  free(names);
  free(text);
  if (!out) return verr(v, "processor.job", "processor job: %s", perr);
  free(out);
  return 0;
}

/* The default name: the file name without its extension. */
static void resolve_name(workload *w) {
  if (w->name && w->name[0]) return;
  free(w->name);
  char *tmp = sp_strdup(w->path ? w->path : "workload");
  char *base = basename(tmp);
  char *dot = strrchr(base, '.');
  if (dot && (!strcmp(dot, ".yaml") || !strcmp(dot, ".yml") || !strcmp(dot, ".json"))) *dot = '\0';
  w->name = sp_strdup(base[0] ? base : "workload");
  free(tmp);
}

/* All cross-field rules in order; the first broken one is the error. */
int wl_validate(workload *w, char *err, size_t err_len) {
  vctx v = {.w = w, .err = err, .err_len = err_len};
  if (check_alternatives(&v) || check_required(&v)) return -1;
  resolve_durations(w);
  if (check_counts(&v) || check_message_size(&v) || check_payload(&v) || check_keys(&v) ||
      check_rate(&v) || check_consumers(&v) || check_event_time(&v) || check_producer(&v) ||
      resolve_faults(&v) || resolve_processor(&v))
    return -1;
  resolve_name(w);
  return 0;
}
