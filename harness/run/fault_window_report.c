/* fault_window_report.c: each window's figures from what fault_window.c
 * collected (definitions in fault_window.h and results/README.md), as
 * summary.json's `fault_windows`, and the one line per fault a run
 * prints. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault_window_int.h"
#include "mem.h"

static double s_of(const fw_set *s, uint64_t t) {
  return t > s->p.t0_ns ? (double)(t - s->p.t0_ns) / 1e9 : 0;
}

static void put_real(json_t *o, const char *k, double v) { json_object_set_new(o, k, json_real(v)); }
static void put_int(json_t *o, const char *k, uint64_t v) { json_object_set_new(o, k, json_integer((json_int_t)v)); }

/* Messages intended in [a, b) (absolute ns), none after the stop instant. */
static uint64_t intended(const fw_set *s, uint64_t a, uint64_t b) {
  if (b > s->p.stop_ns) b = s->p.stop_ns;
  if (a < s->p.t0_ns) a = s->p.t0_ns;
  if (!s->p.intended_before || b <= a) return 0;
  return s->p.intended_before(s->p.ctx, b - s->p.t0_ns) - s->p.intended_before(s->p.ctx, a - s->p.t0_ns);
}

/* First bin starting at or after t. */
static size_t bin_ceil(const fw_set *s, uint64_t t) {
  if (t <= s->p.t0_ns) return 0;
  size_t k = (size_t)((t - s->p.t0_ns + s->bin_ns - 1) / s->bin_ns);
  return k < s->n_bins ? k : s->n_bins;
}

static uint64_t bin_start(const fw_set *s, size_t k) { return s->p.t0_ns + (uint64_t)k * s->bin_ns; }

/* ---- latency samples ---------------------------------------------------- */

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

/* The p-th percentile (0..100) of the samples, us: the smallest value with
 * at least p% of the samples at or below it. */
static uint64_t percentile_us(const fw_samples *x, double p) {
  if (!x->len) return 0;
  uint32_t *v = sp_malloc(x->len * sizeof *v);
  memcpy(v, x->v, x->len * sizeof *v);
  if (x->len) qsort(v, x->len, sizeof *v, cmp_u32);
  size_t rank = (size_t)(p / 100.0 * (double)x->len + 0.999999);
  uint64_t r = v[rank ? rank - 1 : 0];
  free(v);
  return r;
}

/* {p50_ms, p99_ms, max_ms, count} of one population, or null if empty. */
static json_t *latency_json(const fw_samples *x) {
  if (!x->n) return json_null();
  json_t *o = json_object();
  put_int(o, "count", x->n);
  put_real(o, "p50_ms", (double)percentile_us(x, 50) / 1000.0);
  put_real(o, "p99_ms", (double)percentile_us(x, 99) / 1000.0);
  put_real(o, "max_ms", (double)x->max_us / 1000.0);
  json_object_set_new(o, "exact", json_boolean(x->n == x->len));
  return o;
}

/* ---- unavailability ------------------------------------------------------ */

/* The longest ack gap overlapping [start, end] with a message intended in
 * it (fault_window.h). Bins: gaps inside one bin are shorter than it. */
static json_t *unavailability(const fw_set *s, const fw_window *w) {
  json_t *o = json_object();
  size_t k0 = fw_bin_of(s, w->start_ns), k1 = fw_bin_of(s, w->end_ns);
  size_t k = k0;
  while (k > 0 && !s->bins[k - 1].acked) k--;
  uint64_t prev = k > 0 ? s->bins[k - 1].last_ack_ns : s->p.t0_ns;
  uint64_t best = 0, best_from = 0, best_to = 0;
  int open = 0, found = 0;
  for (; k < s->n_bins; k++) {
    const fw_bin *b = &s->bins[k];
    if (!b->acked) continue;
    uint64_t a = prev, z = b->first_ack_ns;
    if (a <= w->end_ns && z >= w->start_ns && z > a && z - a > best && intended(s, a, z) > 0) {
      best = z - a;
      best_from = a;
      best_to = z;
      found = 1;
    }
    prev = b->last_ack_ns;
    if (k > k1 && prev > w->end_ns) break;
  }
  if (k >= s->n_bins && prev <= w->end_ns) { /* no ack after the window at all */
    uint64_t z = s->p.end_ns > prev ? s->p.end_ns : prev;
    if (intended(s, prev, z) > 0 && z - prev >= best) {
      best = z - prev;
      best_from = prev;
      best_to = z;
      open = found = 1;
    }
  }
  if (found) {
    put_real(o, "ack_gap_s", (double)best / 1e9);
    put_real(o, "ack_gap_from_s", s_of(s, best_from));
    put_real(o, "ack_gap_to_s", s_of(s, best_to));
  } else {
    json_object_set_new(o, "ack_gap_s", json_real(0));
  }
  json_object_set_new(o, "ack_gap_open", json_boolean(open));
  uint64_t n = intended(s, w->start_ns, fw_span_end(s, w));
  put_int(o, "messages_intended", n);
  put_int(o, "acked", w->int_acked);
  put_int(o, "nacked", w->int_nacked);
  put_int(o, "no_outcome", n > w->int_acked + w->int_nacked ? n - w->int_acked - w->int_nacked : 0);
  if (w->int_acked) put_real(o, "max_intended_to_ack_s", (double)w->max_int_to_ack_ns / 1e9);
  else json_object_set_new(o, "max_intended_to_ack_s", json_null());
  return o;
}

/* ---- throughput ----------------------------------------------------------- */

/* Rates over the bins wholly inside [a, b): acked, consumed, intended per
 * second (null when no whole bin fits). */
static json_t *rates(const fw_set *s, uint64_t a, uint64_t b) {
  size_t ka = bin_ceil(s, a), kb = b > s->p.t0_ns ? (size_t)((b - s->p.t0_ns) / s->bin_ns) : 0;
  if (kb > s->n_bins) kb = s->n_bins;
  if (kb <= ka) return json_null();
  uint64_t acked = 0, applied = 0, nacked = 0;
  for (size_t k = ka; k < kb; k++) {
    acked += s->bins[k].acked;
    applied += s->bins[k].applied;
    nacked += s->bins[k].nacked;
  }
  double secs = (double)(kb - ka) * (double)s->bin_ns / 1e9;
  json_t *o = json_object();
  put_real(o, "from_s", s_of(s, bin_start(s, ka)));
  put_real(o, "seconds", secs);
  put_real(o, "intended_per_s", (double)intended(s, bin_start(s, ka), bin_start(s, kb)) / secs);
  put_real(o, "acked_per_s", (double)acked / secs);
  put_real(o, "nacked_per_s", (double)nacked / secs);
  put_real(o, "consumed_per_s", (double)applied / secs);
  return o;
}

static json_t *throughput(const fw_set *s, const fw_window *w) {
  json_t *o = json_object();
  uint64_t before = w->start_ns > s->p.t0_ns + FW_CONTEXT_NS ? w->start_ns - FW_CONTEXT_NS : s->p.t0_ns;
  uint64_t after = w->end_ns + FW_CONTEXT_NS < s->p.stop_ns ? w->end_ns + FW_CONTEXT_NS : s->p.stop_ns;
  json_object_set_new(o, "before", rates(s, before, w->start_ns));
  json_object_set_new(o, "during", rates(s, w->start_ns, w->end_ns));
  json_object_set_new(o, "after", rates(s, w->end_ns, after));
  return o;
}

/* ---- recovery --------------------------------------------------------------- */

/* Which per-bin signal a recovery looks at. */
typedef enum { SIG_PUBLISH, SIG_E2E, SIG_BACKLOG } signal_kind;

/* Bin k's value of the signal, and whether the bin says anything (a bin
 * with no message intended in it says nothing about latency). */
static int signal_at(const fw_set *s, const int64_t *backlog, signal_kind sig, size_t k, uint64_t *v) {
  const fw_bin *b = &s->bins[k];
  switch (sig) {
  case SIG_PUBLISH: *v = b->pub_max_us; return b->int_acked > 0;
  case SIG_E2E: *v = b->e2e_max_us; return b->int_applied > 0;
  case SIG_BACKLOG: *v = (uint64_t)backlog[k]; return 1;
  }
  return 0;
}

/* The pre-fault level: latency, the slowest message of the context
 * before the window (done before it began); backlog, its largest value
 * over the bins of that context. -1 when there is nothing to go by. */
static int64_t level_before(const fw_set *s, const int64_t *backlog, signal_kind sig, const fw_window *w) {
  if (sig == SIG_PUBLISH) return w->pub_before.n ? (int64_t)w->pub_before.max_us : -1;
  if (sig == SIG_E2E) return w->e2e_before.n ? (int64_t)w->e2e_before.max_us : -1;
  uint64_t from = w->start_ns > s->p.t0_ns + FW_CONTEXT_NS ? w->start_ns - FW_CONTEXT_NS : s->p.t0_ns;
  size_t ka = bin_ceil(s, from), kb = fw_bin_of(s, w->start_ns);
  int64_t level = 0; /* a fault at t0: nothing was waiting */
  for (size_t k = ka; k < kb; k++)
    if (backlog[k] > level) level = backlog[k];
  return level;
}

/* The first bin boundary T >= from from which the signal stays at or
 * below `level` for FW_HOLD_NS (in the bins that say something, at least
 * one of which must; latency signals end at the stop instant, the backlog
 * at the end of the data). 0 when it never does. */
static uint64_t recovered_at(const fw_set *s, const int64_t *backlog, signal_kind sig, int64_t level,
                             uint64_t from) {
  size_t hold = (size_t)((FW_HOLD_NS + s->bin_ns - 1) / s->bin_ns);
  size_t last = sig == SIG_BACKLOG ? s->n_bins : bin_ceil(s, s->p.stop_ns);
  size_t t = bin_ceil(s, from);
  while (t < last) {
    size_t stop = t + hold < last ? t + hold : last, bad = SIZE_MAX;
    int spoke = 0;
    for (size_t k = t; k < stop; k++) {
      uint64_t v;
      if (!signal_at(s, backlog, sig, k, &v)) continue;
      if ((int64_t)v > level) bad = k;
      else spoke = 1;
    }
    if (bad == SIZE_MAX && spoke) return bin_start(s, t);
    t = bad == SIZE_MAX ? stop : bad + 1; /* nothing said in [t, stop): no data left there */
  }
  return 0;
}

static void put_recovery(json_t *o, const fw_set *s, const fw_window *w, const char *prefix, uint64_t at) {
  char k1[64], k2[64];
  snprintf(k1, sizeof k1, "%s_recovered_at_s", prefix);
  snprintf(k2, sizeof k2, "%s_recovery_s", prefix);
  json_object_set_new(o, k1, at ? json_real(s_of(s, at)) : json_null());
  json_object_set_new(o, k2, at ? json_real(at > w->end_ns ? (double)(at - w->end_ns) / 1e9 : 0) : json_null());
}

/* Publish recovery, and the consumers' lag, backlog and recovery. The
 * backlog (acked - consumed) does not grow while nothing is acked, so it
 * is judged after its peak: the peak is searched from the start to the
 * lag's recovery (messages intended from then on are consumed as fast as
 * before), or to the end of the data when the lag never recovers. Sets
 * w->recovered_ns. */
static void recovery(const fw_set *s, const int64_t *backlog, fw_window *w, json_t *pub, json_t **cons) {
  int64_t pl = level_before(s, backlog, SIG_PUBLISH, w);
  uint64_t pat = pl >= 0 ? recovered_at(s, backlog, SIG_PUBLISH, pl, w->end_ns) : 0;
  if (pl >= 0) put_real(pub, "level_before_ms", (double)pl / 1000.0);
  put_recovery(pub, s, w, "publish", pat);
  w->recovered_ns = pat;
  *cons = json_null();
  if (!s->p.subs_per_topic) return;
  json_t *o = json_object();
  int64_t el = level_before(s, backlog, SIG_E2E, w), bl = level_before(s, backlog, SIG_BACKLOG, w);
  uint64_t eat = el >= 0 ? recovered_at(s, backlog, SIG_E2E, el, w->end_ns) : 0;
  size_t ka = fw_bin_of(s, w->start_ns), kb = eat ? fw_bin_of(s, eat + FW_HOLD_NS) : s->n_bins - 1;
  if (kb < fw_bin_of(s, w->end_ns)) kb = fw_bin_of(s, w->end_ns);
  int64_t bmax = 0;
  size_t bmax_k = ka;
  for (size_t k = ka; k <= kb; k++)
    if (backlog[k] > bmax) {
      bmax = backlog[k];
      bmax_k = k;
    }
  uint64_t peak = bin_start(s, bmax_k + 1);
  uint64_t bat = recovered_at(s, backlog, SIG_BACKLOG, bl, peak > w->end_ns ? peak : w->end_ns);
  /* the worst lag at consume time, from the start until both recovered */
  uint64_t lag_until = bat > eat ? bat : eat;
  size_t kl = lag_until && bat && (el < 0 || eat) ? fw_bin_of(s, lag_until) : s->n_bins - 1;
  uint32_t lag = 0;
  for (size_t k = ka; k <= kl; k++)
    if (s->bins[k].lag_max_us > lag) lag = s->bins[k].lag_max_us;
  put_int(o, "backlog_before", (uint64_t)bl);
  put_int(o, "backlog_max", (uint64_t)bmax);
  put_real(o, "backlog_max_at_s", s_of(s, peak));
  put_real(o, "lag_max_ms", (double)lag / 1000.0);
  if (el >= 0) put_real(o, "lag_level_before_ms", (double)el / 1000.0);
  put_recovery(o, s, w, "lag", eat);
  put_recovery(o, s, w, "backlog", bat);
  int recovered = bat && (el < 0 || eat);
  uint64_t until = eat > bat ? eat : bat;
  json_object_set_new(o, "recovered", json_boolean(recovered));
  json_object_set_new(o, "recovery_s", recovered ? json_real(until > w->end_ns ? (double)(until - w->end_ns) / 1e9 : 0)
                                                 : json_null());
  if (!recovered) w->recovered_ns = 0;
  else if (w->recovered_ns && until > w->recovered_ns) w->recovered_ns = until;
  *cons = o;
}

/* ---- anomalies ---------------------------------------------------------------- */

/* 1 when anomaly x belongs to window w: its record time in the fault's
 * impact ([start, the later of end and the recovery, + C); to the end of
 * the data when nothing recovered), or its message in flight at some
 * moment of [start, end]. */
static int anomaly_in(const fw_set *s, const fw_anomaly *x, const fw_window *w) {
  uint64_t impact = w->recovered_ns > w->end_ns ? w->recovered_ns : w->end_ns;
  impact = w->recovered_ns ? impact + FW_CONTEXT_NS : s->p.end_ns + 1;
  if (x->t_ns && x->t_ns >= w->start_ns && x->t_ns < impact) return 1;
  return x->has_msg && x->outcome && x->from_ns <= w->end_ns && x->to_ns >= w->start_ns;
}

static json_t *anomalies(const fw_set *s, fw_window *w) {
  json_t *counts = json_object();
  for (size_t i = 0; i < s->n_anom; i++) {
    const fw_anomaly *x = &s->anom[i];
    if (!anomaly_in(s, x, w)) continue;
    json_t *c = json_object_get(counts, x->type);
    json_object_set_new(counts, x->type, json_integer(c ? json_integer_value(c) + 1 : 1));
    if (json_array_size(w->anom_examples) < FW_LINE_EXAMPLES) {
      json_t *e = json_deep_copy(x->example);
      json_object_set_new(e, "type", json_string(x->type));
      if (x->outcome) put_real(e, "in_flight_from_s", s_of(s, x->from_ns));
      json_array_append_new(w->anom_examples, e);
    }
  }
  json_t *o = json_object();
  json_object_set_new(o, "counts", counts);
  json_object_set_new(o, "examples", json_incref(w->anom_examples));
  return o;
}

/* ---- event time ----------------------------------------------------------------- */

static json_t *offsets_json(const fw_offsets *x) {
  if (!x->n) return json_null();
  json_t *o = json_object();
  put_int(o, "messages", x->n);
  put_real(o, "offset_ms_min", (double)x->min_ms);
  put_real(o, "offset_ms_mean", x->sum_ms / (double)x->n);
  put_real(o, "offset_ms_max", (double)x->max_ms);
  return o;
}

/* ---- one window ------------------------------------------------------------------ */

static json_t *window_json(fw_set *s, fw_window *w, const int64_t *backlog) {
  json_t *o = json_object();
  json_object_set_new(o, "fault", json_string(w->fault));
  json_object_set_new(o, "kind", json_string(w->kind));
  json_object_set_new(o, "target", json_string(w->target));
  put_int(o, "occurrence", (uint64_t)w->occurrence);
  json_object_set_new(o, "params", w->params ? json_incref(w->params) : json_object());
  json_object_set_new(o, "result", json_string(w->error[0] ? "error" : "ok"));
  if (w->error[0]) json_object_set_new(o, "error", json_string(w->error));
  put_real(o, "start_s", s_of(s, w->start_ns));
  put_real(o, "end_s", s_of(s, w->end_ns));
  put_real(o, "duration_s", (double)(w->end_ns - w->start_ns) / 1e9);
  json_object_set_new(o, "healed", json_boolean(w->healed));
  json_object_set_new(o, "events", json_incref(w->events));
  if (w->error[0]) return o;
  json_object_set_new(o, "unavailability", unavailability(s, w));
  json_object_set_new(o, "throughput", throughput(s, w));
  json_t *err = json_object();
  put_int(err, "nacks", w->nacks);
  put_int(err, "commit_errors", w->commit_errors);
  json_object_set_new(o, "errors", err);
  json_t *lat = json_object();
  json_object_set_new(lat, "publish", latency_json(&w->pub));
  json_object_set_new(lat, "publish_before", latency_json(&w->pub_before));
  json_object_set_new(lat, "e2e", latency_json(&w->e2e));
  json_object_set_new(lat, "e2e_before", latency_json(&w->e2e_before));
  json_t *cons;
  recovery(s, backlog, w, lat, &cons);
  json_object_set_new(o, "latency", lat);
  json_object_set_new(o, "consumer", cons);
  if (!strcmp(w->kind, "clock") && s->have_event_times) {
    json_t *e = json_object();
    json_object_set_new(e, "during", offsets_json(&w->evt));
    json_object_set_new(e, "before", offsets_json(&w->evt_before));
    json_object_set_new(o, "event_time", e);
  }
  json_object_set_new(o, "anomalies", s->have_anomalies ? anomalies(s, w) : json_null());
  return o;
}

json_t *fw_json(fw_set *s) {
  int64_t *backlog = sp_calloc(s->n_bins, sizeof *backlog);
  int64_t acked = 0, applied = 0;
  for (size_t k = 0; k < s->n_bins; k++) {
    acked += s->bins[k].acked;
    applied += s->bins[k].applied;
    int64_t b = acked * (int64_t)s->p.subs_per_topic - applied; /* as timeline.csv's */
    backlog[k] = b > 0 ? b : 0;
  }
  json_t *a = json_array();
  for (size_t i = 0; i < s->n; i++) json_array_append_new(a, window_json(s, &s->w[i], backlog));
  free(backlog);
  return a;
}

json_t *fw_settings_json(const fw_set *s) {
  json_t *o = json_object();
  put_real(o, "bin_ms", (double)s->bin_ns / 1e6);
  put_real(o, "context_s", (double)FW_CONTEXT_NS / 1e9);
  put_real(o, "hold_s", (double)FW_HOLD_NS / 1e9);
  put_int(o, "sample_cap", FW_SAMPLE_CAP);
  json_object_set_new(o, "anomalies_checked", json_boolean(s->have_anomalies));
  json_object_set_new(o, "anomalies_complete", json_boolean(s->have_anomalies && s->anomalies_complete));
  put_int(o, "anomaly_examples_per_type", FW_ANOMALY_EXAMPLES);
  json_object_set_new(o, "event_times", json_boolean(s->have_event_times));
  put_int(o, "faults_jsonl_bad_lines", s->bad_lines);
  return o;
}

/* ---- the line -------------------------------------------------------------------- */

static double num(json_t *o, const char *path) {
  char buf[128];
  snprintf(buf, sizeof buf, "%s", path);
  json_t *cur = o;
  for (char *save = NULL, *tok = strtok_r(buf, ".", &save); tok && cur; tok = strtok_r(NULL, ".", &save))
    cur = json_object_get(cur, tok);
  return json_is_number(cur) ? json_number_value(cur) : -1;
}

#define ADD(...)                                                             \
  do {                                                                       \
    if (n < cap) n += (size_t)snprintf(buf + n, cap - n, __VA_ARGS__);      \
  } while (0)

/* A string member, "" when absent (the line is also drawn from a summary
 * read back from disk). */
static const char *str(json_t *o, const char *k) {
  const char *v = json_string_value(json_object_get(o, k));
  return v ? v : "";
}

void fw_format_line(json_t *w, char *buf, size_t cap) {
  size_t n = 0;
  buf[0] = '\0';
  ADD("%s#%d %s %s %.2f-%.2f s", str(w, "fault"), (int)num(w, "occurrence"), str(w, "kind"), str(w, "target"),
      num(w, "start_s"), num(w, "end_s"));
  if (!json_is_true(json_object_get(w, "healed"))) ADD(" (not healed)");
  if (strcmp(str(w, "result"), "ok")) {
    ADD(": FAILED: %s", str(w, "error"));
    return;
  }
  ADD(": no ack for %.2f s%s", num(w, "unavailability.ack_gap_s"),
      json_is_true(json_object_get(json_object_get(w, "unavailability"), "ack_gap_open")) ? " (to the end)" : "");
  if (num(w, "unavailability.max_intended_to_ack_s") >= 0)
    ADD(", slowest ack %.2f s", num(w, "unavailability.max_intended_to_ack_s"));
  json_t *tp = json_object_get(w, "throughput");
  ADD("; acked/s");
  static const char *const spans[] = {"before", "during", "after"};
  for (int i = 0; i < 3; i++) {
    json_t *r = json_object_get(tp, spans[i]);
    if (json_is_object(r)) ADD("%s%.0f", i ? "|" : " ", num(r, "acked_per_s"));
    else ADD("%s-", i ? "|" : " ");
  }
  ADD("; nacks %.0f", num(w, "errors.nacks"));
  if (num(w, "latency.publish.p99_ms") >= 0) {
    ADD("; publish p99 %.1f ms", num(w, "latency.publish.p99_ms"));
    if (num(w, "latency.publish_before.p99_ms") >= 0) ADD(" (before %.1f)", num(w, "latency.publish_before.p99_ms"));
  }
  json_t *c = json_object_get(w, "consumer");
  if (json_is_object(c)) {
    ADD("; backlog max %.0f (before %.0f), lag max %.0f ms", num(c, "backlog_max"), num(c, "backlog_before"),
        num(c, "lag_max_ms"));
    if (json_is_true(json_object_get(c, "recovered"))) ADD(", recovered %.2f s after heal", num(c, "recovery_s"));
    else ADD(", NOT recovered");
  }
  json_t *ev = json_object_get(json_object_get(w, "event_time"), "during");
  if (json_is_object(ev))
    ADD("; event time offset %.0f..%.0f ms", num(ev, "offset_ms_min"), num(ev, "offset_ms_max"));
  json_t *counts = json_object_get(json_object_get(w, "anomalies"), "counts");
  if (json_object_size(counts)) {
    ADD("; anomalies");
    const char *k;
    json_t *v;
    int first = 1;
    json_object_foreach(counts, k, v) {
      ADD("%s %s %" JSON_INTEGER_FORMAT, first ? "" : ",", k, json_integer_value(v));
      first = 0;
    }
  }
}
