/* fault_window.c: collecting what fault_window.h measures: the windows
 * from faults.jsonl, then one pass over every history record, the
 * readback's event times and the checker's anomaly examples.
 * fault_window_report.c turns it into figures. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault_window_int.h"
#include "mem.h"

fw_set *fw_new(const fw_params *p) {
  fw_set *s = sp_calloc(1, sizeof *s);
  s->p = *p;
  uint64_t span = p->end_ns > p->t0_ns ? p->end_ns - p->t0_ns : 0;
  s->bin_ns = FW_BIN_NS;
  if (span / s->bin_ns >= FW_MAX_BINS) s->bin_ns = span / (FW_MAX_BINS - 1) + 1;
  s->n_bins = (size_t)(span / s->bin_ns) + 1;
  s->bins = sp_calloc(s->n_bins, sizeof *s->bins);
  rng_seed(&s->r, 0x5f3759df); /* fixed: the same files give the same figures */
  s->anomalies_complete = 1;
  return s;
}

static void samples_free(fw_samples *x) { free(x->v); }

void fw_free(fw_set *s) {
  if (!s) return;
  for (size_t i = 0; i < s->n; i++) {
    fw_window *w = &s->w[i];
    json_decref(w->params);
    json_decref(w->events);
    json_decref(w->anom_examples);
    samples_free(&w->pub);
    samples_free(&w->pub_before);
    samples_free(&w->e2e);
    samples_free(&w->e2e_before);
  }
  free(s->w);
  free(s->bins);
  free(s->writer_ids);
  free(s->writer_targets);
  free(s->anom);
  free(s->anom_by_msg);
  json_decref(s->anomalies);
  free(s);
}

size_t fw_count(const fw_set *s) { return s->n; }

size_t fw_bin_of(const fw_set *s, uint64_t t_ns) {
  size_t k = t_ns > s->p.t0_ns ? (size_t)((t_ns - s->p.t0_ns) / s->bin_ns) : 0;
  return k < s->n_bins ? k : s->n_bins - 1;
}

uint64_t fw_span_end(const fw_set *s, const fw_window *w) {
  return w->end_ns > w->start_ns + s->bin_ns ? w->end_ns : w->start_ns + s->bin_ns;
}

/* ---- faults.jsonl ----------------------------------------------------- */

static const char *str_of(json_t *o, const char *k) {
  const char *v = json_string_value(json_object_get(o, k));
  return v ? v : "";
}

/* The open window of (fault, occurrence, target), or NULL. */
static fw_window *find_window(fw_set *s, const char *fault, long occ, const char *target) {
  for (size_t i = s->n; i-- > 0;)
    if (s->w[i].occurrence == occ && !strcmp(s->w[i].fault, fault) && !strcmp(s->w[i].target, target))
      return &s->w[i];
  return NULL;
}

/* Applies one faults.jsonl record. */
static void take_record(fw_set *s, json_t *o) {
  const char *action = str_of(o, "action"), *fault = str_of(o, "fault"), *target = str_of(o, "target");
  long occ = (long)json_integer_value(json_object_get(o, "occurrence"));
  json_t *mono = json_object_get(o, "mono_ns");
  if (!json_is_integer(mono) || !*action || !*fault) {
    s->bad_lines++;
    return;
  }
  uint64_t t = (uint64_t)json_integer_value(mono);
  int ok = !strcmp(str_of(o, "result"), "ok");
  fw_window *w = find_window(s, fault, occ, target);
  if (!strcmp(action, "inject")) {
    if (s->n == s->cap) {
      s->cap = s->cap ? 2 * s->cap : 8;
      s->w = sp_realloc(s->w, s->cap * sizeof *s->w);
    }
    w = &s->w[s->n++];
    memset(w, 0, sizeof *w);
    snprintf(w->fault, sizeof w->fault, "%s", fault);
    snprintf(w->kind, sizeof w->kind, "%s", str_of(o, "kind"));
    snprintf(w->target, sizeof w->target, "%s", target);
    w->occurrence = occ;
    w->params = json_incref(json_object_get(o, "params"));
    w->start_ns = w->end_ns = t;
    w->events = json_array();
    w->anom_examples = json_array();
    if (!ok) snprintf(w->error, sizeof w->error, "%s", *str_of(o, "error") ? str_of(o, "error") : "failed");
    return;
  }
  if (!w) return; /* a heal without an inject (a skipped heal of a failed one) */
  if (!strcmp(action, "heal")) {
    if (!w->healed) w->end_ns = t;
    w->healed = 1;
    return;
  }
  json_t *e = json_object();
  json_object_set_new(e, "action", json_string(action));
  json_object_set_new(e, "t_s", json_real(t > s->p.t0_ns ? (double)(t - s->p.t0_ns) / 1e9 : 0));
  json_object_set_new(e, "result", json_string(ok ? "ok" : "error"));
  const char *detail = *str_of(o, "detail") ? str_of(o, "detail") : str_of(o, "error");
  if (*detail) json_object_set_new(e, "detail", json_string(detail));
  json_array_append_new(w->events, e);
}

static int by_start(const void *a, const void *b) {
  const fw_window *x = a, *y = b;
  if (x->start_ns != y->start_ns) return x->start_ns < y->start_ns ? -1 : 1;
  int c = strcmp(x->fault, y->fault);
  return c ? c : (x->occurrence > y->occurrence) - (x->occurrence < y->occurrence);
}

int fw_load_faults(fw_set *s, const char *path, char *err, size_t err_len) {
  FILE *f = fopen(path, "r");
  if (!f) {
    if (errno == ENOENT) return 0;
    snprintf(err, err_len, "%s: %s", path, strerror(errno));
    return -1;
  }
  char *line = NULL;
  size_t cap = 0;
  while (getline(&line, &cap, f) > 0) {
    json_t *o = json_loads(line, 0, NULL);
    if (json_is_object(o)) take_record(s, o);
    else if (strspn(line, " \t\r\n") != strlen(line)) s->bad_lines++;
    json_decref(o);
  }
  free(line);
  fclose(f);
  for (size_t i = 0; i < s->n; i++) {
    fw_window *w = &s->w[i];
    if (!w->healed) w->end_ns = w->start_ns > s->p.stop_ns ? w->start_ns : s->p.stop_ns;
  }
  if (s->n) qsort(s->w, s->n, sizeof *s->w, by_start); /* injects are written in time order already */
  for (size_t i = 0; i < s->n; i++) {
    uint64_t lo = s->w[i].start_ns > FW_CONTEXT_NS ? s->w[i].start_ns - FW_CONTEXT_NS : 0;
    uint64_t reach = fw_span_end(s, &s->w[i]) - lo;
    if (reach > s->max_reach_ns) s->max_reach_ns = reach;
  }
  return 0;
}

void fw_map_writer(fw_set *s, uint32_t writer, const char *target) {
  s->writer_ids = sp_realloc(s->writer_ids, (s->n_writers + 1) * sizeof *s->writer_ids);
  s->writer_targets = sp_realloc(s->writer_targets, (s->n_writers + 1) * sizeof *s->writer_targets);
  s->writer_ids[s->n_writers] = writer;
  snprintf(s->writer_targets[s->n_writers], sizeof s->writer_targets[0], "%s", target);
  s->n_writers++;
}

static const char *writer_target(const fw_set *s, uint32_t writer) {
  for (size_t i = 0; i < s->n_writers; i++)
    if (s->writer_ids[i] == writer) return s->writer_targets[i];
  return "";
}

/* ---- windows by time -------------------------------------------------- */

/* Number of windows with start - C <= t: the candidates for time t are
 * below it (windows are sorted by start). */
static size_t candidates(const fw_set *s, uint64_t t) {
  size_t lo = 0, hi = s->n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (s->w[mid].start_ns <= t + FW_CONTEXT_NS) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* 1 when no window below w (in start order) can still reach t. */
static int past_reach(const fw_set *s, const fw_window *w, uint64_t t) {
  uint64_t lo = w->start_ns > FW_CONTEXT_NS ? w->start_ns - FW_CONTEXT_NS : 0;
  return lo + s->max_reach_ns <= t;
}

static void sample_add(fw_set *s, fw_samples *x, uint64_t ns) {
  uint64_t us = ns / 1000;
  uint32_t v = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
  x->n++;
  if (us > x->max_us) x->max_us = us;
  if (x->len < FW_SAMPLE_CAP) {
    if (x->len == x->cap) {
      x->cap = x->cap ? 2 * x->cap : 256;
      x->v = sp_realloc(x->v, x->cap * sizeof *x->v);
    }
    x->v[x->len++] = v;
    return;
  }
  uint64_t j = rng_next(&s->r) % x->n; /* reservoir: each sample kept with p = cap / n */
  if (j < FW_SAMPLE_CAP) x->v[j] = v;
}

static uint32_t us32(uint64_t ns) {
  uint64_t us = ns / 1000;
  return us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

/* A message intended at `intended` had its ack/apply at t: the windows
 * whose span holds the intended time, and those it precedes (within the
 * context, and done before the fault began: a message caught by the fault
 * is not "before" it). */
static void by_intended(fw_set *s, uint64_t intended, uint64_t t, int ack) {
  uint64_t latency = t - intended;
  for (size_t i = candidates(s, intended); i-- > 0;) {
    fw_window *w = &s->w[i];
    if (past_reach(s, w, intended)) break;
    if (w->error[0]) continue;
    if (intended >= w->start_ns && intended < fw_span_end(s, w)) {
      if (ack) {
        w->int_acked++;
        if (latency > w->max_int_to_ack_ns) w->max_int_to_ack_ns = latency;
      }
      sample_add(s, ack ? &w->pub : &w->e2e, latency);
    } else if (t < w->start_ns && intended + FW_CONTEXT_NS >= w->start_ns) {
      sample_add(s, ack ? &w->pub_before : &w->e2e_before, latency);
    }
  }
}

/* A NACK (`intended` != 0) or a failed commit at t: the windows it falls in. */
static void error_at(fw_set *s, uint64_t t, uint64_t intended, int nack) {
  for (size_t i = candidates(s, t); i-- > 0;) {
    fw_window *w = &s->w[i];
    if (past_reach(s, w, t)) break;
    if (!w->error[0] && t >= w->start_ns && t <= w->end_ns) {
      if (nack) w->nacks++;
      else w->commit_errors++;
    }
  }
  if (!nack || !intended) return;
  for (size_t i = candidates(s, intended); i-- > 0;) {
    fw_window *w = &s->w[i];
    if (past_reach(s, w, intended)) break;
    if (!w->error[0] && intended >= w->start_ns && intended < fw_span_end(s, w)) w->int_nacked++;
  }
}

/* ---- anomalies -------------------------------------------------------- */

static int cmp_msg(const fw_set *s, uint32_t a, uint32_t writer, uint64_t seq) {
  const fw_anomaly *x = &s->anom[a];
  if (x->writer != writer) return x->writer < writer ? -1 : 1;
  return x->seq < seq ? -1 : x->seq > seq;
}

static const fw_set *sort_ctx; /* qsort has no context argument */
static int by_msg(const void *a, const void *b) {
  const fw_anomaly *y = &sort_ctx->anom[*(const uint32_t *)b];
  return cmp_msg(sort_ctx, *(const uint32_t *)a, y->writer, y->seq);
}

void fw_add_anomalies(fw_set *s, json_t *anomalies) {
  if (!json_is_object(anomalies)) return;
  json_decref(s->anomalies);
  s->anomalies = json_incref(anomalies);
  s->have_anomalies = 1;
  const char *type;
  json_t *a;
  json_object_foreach(anomalies, type, a) {
    json_t *ex = json_object_get(a, "examples");
    json_int_t count = json_integer_value(json_object_get(a, "count"));
    if ((size_t)count > json_array_size(ex)) s->anomalies_complete = 0;
    size_t i;
    json_t *e;
    json_array_foreach(ex, i, e) {
      if (s->n_anom == s->cap_anom) {
        s->cap_anom = s->cap_anom ? 2 * s->cap_anom : 64;
        s->anom = sp_realloc(s->anom, s->cap_anom * sizeof *s->anom);
      }
      fw_anomaly *x = &s->anom[s->n_anom++];
      memset(x, 0, sizeof *x);
      snprintf(x->type, sizeof x->type, "%s", type);
      x->example = e;
      json_t *t = json_object_get(e, "t_ns"), *wr = json_object_get(e, "writer"), *sq = json_object_get(e, "seq");
      if (json_is_integer(t)) x->t_ns = (uint64_t)json_integer_value(t);
      if (json_is_integer(wr) && json_is_integer(sq)) {
        x->has_msg = 1;
        x->writer = (uint32_t)json_integer_value(wr);
        x->seq = (uint64_t)json_integer_value(sq);
      }
    }
  }
  free(s->anom_by_msg);
  s->anom_by_msg = sp_calloc(s->n_anom ? s->n_anom : 1, sizeof *s->anom_by_msg);
  s->n_anom_by_msg = 0;
  for (size_t i = 0; i < s->n_anom; i++)
    if (s->anom[i].has_msg) s->anom_by_msg[s->n_anom_by_msg++] = (uint32_t)i;
  sort_ctx = s;
  if (s->n_anom_by_msg) qsort(s->anom_by_msg, s->n_anom_by_msg, sizeof *s->anom_by_msg, by_msg);
  sort_ctx = NULL;
}

/* An ACK or NACK of (writer, seq): when the anomalies naming that message
 * had it in flight. */
static void place_message(fw_set *s, const hist_record *r) {
  size_t lo = 0, hi = s->n_anom_by_msg;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (cmp_msg(s, s->anom_by_msg[mid], r->writer, r->seq) < 0) lo = mid + 1;
    else hi = mid;
  }
  for (; lo < s->n_anom_by_msg && cmp_msg(s, s->anom_by_msg[lo], r->writer, r->seq) == 0; lo++) {
    fw_anomaly *x = &s->anom[s->anom_by_msg[lo]];
    uint64_t from = r->t_intended_ns ? r->t_intended_ns : r->t_sent_ns;
    if (!x->outcome || from < x->from_ns) x->from_ns = from;
    if (!x->outcome || r->t_ns > x->to_ns) x->to_ns = r->t_ns;
    x->outcome = 1;
  }
}

/* ---- records ---------------------------------------------------------- */

void fw_record(fw_set *s, const hist_record *r) {
  fw_bin *b = &s->bins[fw_bin_of(s, r->t_ns)];
  int timed = r->t_intended_ns && r->t_intended_ns <= r->t_ns;
  fw_bin *bi = timed ? &s->bins[fw_bin_of(s, r->t_intended_ns)] : NULL;
  uint64_t latency = timed ? r->t_ns - r->t_intended_ns : 0;
  switch (r->type) {
  case HIST_ACK:
    b->acked++;
    if (!b->first_ack_ns || r->t_ns < b->first_ack_ns) b->first_ack_ns = r->t_ns;
    if (r->t_ns > b->last_ack_ns) b->last_ack_ns = r->t_ns;
    if (bi) {
      bi->int_acked++;
      if (us32(latency) > bi->pub_max_us) bi->pub_max_us = us32(latency);
      by_intended(s, r->t_intended_ns, r->t_ns, 1);
    }
    if (s->n_anom_by_msg) place_message(s, r);
    break;
  case HIST_NACK:
    b->nacked++;
    error_at(s, r->t_ns, r->t_intended_ns, 1);
    if (s->n_anom_by_msg) place_message(s, r);
    break;
  case HIST_APPLY:
    b->applied++;
    if (bi) {
      if (us32(latency) > b->lag_max_us) b->lag_max_us = us32(latency);
      bi->int_applied++;
      if (us32(latency) > bi->e2e_max_us) bi->e2e_max_us = us32(latency);
      by_intended(s, r->t_intended_ns, r->t_ns, 0);
    }
    break;
  case HIST_COMMIT:
    if (r->err) {
      b->commit_errors++;
      error_at(s, r->t_ns, 0, 0);
    }
    break;
  default:
    break;
  }
}

static void offsets_add(fw_offsets *o, int64_t ms) {
  if (!o->n || ms < o->min_ms) o->min_ms = ms;
  if (!o->n || ms > o->max_ms) o->max_ms = ms;
  o->sum_ms += (double)ms;
  o->n++;
}

void fw_event_time(fw_set *s, uint32_t writer, uint64_t intended_ns, uint64_t sent_ns,
                   int64_t event_time_ms) {
  if (!intended_ns || sent_ns < s->p.t0_ns) return;
  s->have_event_times = 1;
  /* the producer's own formula (msgbuild.c): wall ms of the send */
  int64_t wall_ms = (int64_t)((s->p.t0_wall_ns + (sent_ns - s->p.t0_ns)) / 1000000ull);
  int64_t off = event_time_ms - wall_ms;
  /* by send time: a message's event time is stamped when it is handed to
   * the client, and the producer applies a clock fault from the next
   * message it builds on */
  const char *target = NULL;
  for (size_t i = candidates(s, sent_ns); i-- > 0;) {
    fw_window *w = &s->w[i];
    if (past_reach(s, w, sent_ns)) break;
    if (w->error[0] || strcmp(w->kind, "clock")) continue;
    if (!target) target = writer_target(s, writer);
    if (strcmp(target, w->target)) continue;
    if (sent_ns >= w->start_ns && sent_ns < fw_span_end(s, w)) offsets_add(&w->evt, off);
    else if (sent_ns < w->start_ns && sent_ns + FW_CONTEXT_NS >= w->start_ns) offsets_add(&w->evt_before, off);
  }
}
