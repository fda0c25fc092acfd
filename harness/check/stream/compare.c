/* compare.c: expected against written records, per task and sink
 * (oracle_int.h; README "Recomputing the results", steps 3 and 4).
 *
 * Records are matched by id. A matched record is compared field by field
 * (every field expect.c renders, plus the Kafka key and the sink
 * partition); single-input tasks also compare through and wm, and the
 * order (the longest run of records in expected order is taken as right,
 * the others are out of order) and the result counter; two-input tasks
 * compare the multisets without seq, through, through1 and wm. An expected
 * record nobody wrote is `missing`, or `pending` when no record of the task
 * shows the processor got as far as the input positions it needs. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mem.h"
#include "oracle_int.h"

/* ---- JSON equality ---------------------------------------------------------- */

static int is_hex_field(const char *k) { return !strcmp(k, "oh") || !strcmp(k, "payload_hex"); }

/* Equal JSON values; numbers by value (an integer equals a real of the same
 * value), hex strings (oh, payload_hex) without regard to case. */
static int json_same(json_t *a, json_t *b, int hex) {
  if (json_is_number(a) && json_is_number(b)) {
    if (json_is_integer(a) && json_is_integer(b)) return json_integer_value(a) == json_integer_value(b);
    return json_number_value(a) == json_number_value(b);
  }
  if (json_typeof(a) != json_typeof(b)) return 0;
  switch (json_typeof(a)) {
  case JSON_STRING: {
    size_t n = json_string_length(a);
    if (n != json_string_length(b)) return 0;
    return hex ? !strncasecmp(json_string_value(a), json_string_value(b), n)
               : !memcmp(json_string_value(a), json_string_value(b), n);
  }
  case JSON_ARRAY: {
    if (json_array_size(a) != json_array_size(b)) return 0;
    for (size_t i = 0; i < json_array_size(a); i++)
      if (!json_same(json_array_get(a, i), json_array_get(b, i), 0)) return 0;
    return 1;
  }
  case JSON_OBJECT: {
    if (json_object_size(a) != json_object_size(b)) return 0;
    const char *k;
    json_t *v;
    json_object_foreach(a, k, v) {
      json_t *w = json_object_get(b, k);
      if (!w || !json_same(v, w, 0)) return 0;
    }
    return 1;
  }
  default: return 1;
  }
}

/* Short text of a value for a finding's detail. */
static void brief(json_t *v, char *buf, size_t len) {
  if (!v) {
    snprintf(buf, len, "(absent)");
    return;
  }
  char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
  if (!s) {
    snprintf(buf, len, "?");
    return;
  }
  if (strlen(s) > 160) snprintf(buf, len, "%.150s...", s);
  else snprintf(buf, len, "%s", s);
  free(s);
}

/* ---- details ----------------------------------------------------------------- */

typedef struct detail {
  char text[1024];
  size_t n;
  int count;
} detail;

__attribute__((format(printf, 2, 3))) static void add_detail(detail *d, const char *fmt, ...) {
  if (d->n >= sizeof d->text - 1) return;
  if (d->count++) d->n += (size_t)snprintf(d->text + d->n, sizeof d->text - d->n, "; ");
  if (d->n >= sizeof d->text - 1) return;
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(d->text + d->n, sizeof d->text - d->n, fmt, ap);
  va_end(ap);
  d->n += k > 0 ? (size_t)k : 0;
  if (d->n >= sizeof d->text) d->n = sizeof d->text - 1;
}

static void field_diff(detail *d, const char *k, json_t *ev, json_t *av) {
  char e[200], a[200];
  brief(ev, e, sizeof e);
  brief(av, a, sizeof a);
  add_detail(d, "%s: expected %s, got %s", k, e, a);
}

/* ---- which input offset a coverage difference is ------------------------------- */

typedef struct mixed {
  uint64_t h;
  int64_t offset;
} mixed;

static int mixed_cmp(const void *a, const void *b) {
  uint64_t x = ((const mixed *)a)->h, y = ((const mixed *)b)->h;
  return x < y ? -1 : x > y;
}

typedef struct offset_index {
  mixed *v;
  size_t n;
} offset_index;

/* The input offset whose mix64 is h, or -1 (the index is built on first use). */
static int64_t offset_of_mix(offset_index *ix, const task *t, uint64_t h) {
  if (!ix->v) {
    ix->v = sp_malloc((t->n_offsets ? t->n_offsets : 1) * sizeof *ix->v);
    for (size_t i = 0; i < t->n_offsets; i++) ix->v[i] = (mixed){mix64((uint64_t)t->offsets[i]), t->offsets[i]};
    ix->n = t->n_offsets;
    if (ix->n) qsort(ix->v, ix->n, sizeof *ix->v, mixed_cmp);
  }
  mixed key = {h, 0};
  const mixed *m = bsearch(&key, ix->v, ix->n, sizeof *ix->v, mixed_cmp);
  return m ? m->offset : -1;
}

/* "offset X counted once too often" / "offset X not counted" when the
 * coverage differs by exactly one offset. */
static void name_offset(detail *d, offset_index *ix, const task *t, int64_t dn, uint64_t doh) {
  if (dn == 1) {
    int64_t o = offset_of_mix(ix, t, doh);
    if (o >= 0) add_detail(d, "input offset %" PRId64 " counted once too often", o);
  } else if (dn == -1) {
    int64_t o = offset_of_mix(ix, t, (uint64_t)0 - doh);
    if (o >= 0) add_detail(d, "input offset %" PRId64 " not counted", o);
  }
}

/* ---- one matched record ------------------------------------------------------------ */

typedef struct cmp_ctx {
  task *t;
  const actual *a;
  stream_result *r;
  stream_task_result *tr;
  offset_index ix;
} cmp_ctx;

static int is_cover_field(const char *k) {
  return !strcmp(k, "first") || !strcmp(k, "last") || !strcmp(k, "n") || !strcmp(k, "oh");
}

/* Fields not compared: error reasons (free text the README does not fix),
 * seq (checked as a sequence), and for two-input tasks the timing fields. */
static int skip_field(const task *t, const char *k) {
  if (!strcmp(k, "reason") || !strcmp(k, "seq")) return 1;
  if (t->two_inputs)
    return !strcmp(k, "through") || !strcmp(k, "through1") || !strcmp(k, "wm");
  return 0;
}

/* Notes a field the README does not name (once per kind and field). */
static void note_extra(stream_result *r, json_t *act, const char *k) {
  json_t *kind = json_object_get(act, "kind");
  char line[256];
  snprintf(line, sizeof line, "output records of kind %s carry a field \"%s\" the README does not name",
           json_is_string(kind) ? json_string_value(kind) : "?", k);
  for (size_t i = 0; i < r->notes.n; i++)
    if (!strcmp(r->notes.v[i], line)) return;
  strlist_addf(&r->notes, "%s", line);
}

static void compare_kafka_key(detail *d, const exp_rec *e, const act_rec *ar) {
  const char *want;
  int32_t wlen;
  if (e->sink == SINK_ERRORS) {
    want = (const char *)e->bad->kkey;
    wlen = e->bad->kkey_len;
  } else {
    want = e->r.key;
    wlen = (int32_t)e->r.key_len;
    if (!wlen && ar->kkey_len <= 0) return; /* an empty key: null or "" */
  }
  if (wlen == ar->kkey_len && (wlen <= 0 || !memcmp(want, ar->kkey, (size_t)wlen))) return;
  add_detail(d, "kafka key: expected %s%.*s%s, got %s%.*s%s", wlen < 0 ? "null" : "\"",
             wlen > 0 ? (wlen > 60 ? 60 : wlen) : 0, want ? want : "", wlen < 0 ? "" : "\"",
             ar->kkey_len < 0 ? "null" : "\"", ar->kkey_len > 0 ? (ar->kkey_len > 60 ? 60 : ar->kkey_len) : 0,
             ar->kkey ? ar->kkey : "", ar->kkey_len < 0 ? "" : "\"");
}

static void compare_fields(cmp_ctx *c, const exp_rec *e, const act_rec *ar, json_t *act) {
  task *t = c->t;
  json_t *exp = expect_json(t, e);
  detail vd = {0}, cd = {0};
  const char *k;
  json_t *ev;
  json_object_foreach(exp, k, ev) {
    if (skip_field(t, k)) continue;
    json_t *av = json_object_get(act, k);
    if (av && json_same(ev, av, is_hex_field(k))) continue;
    field_diff(is_cover_field(k) ? &cd : &vd, k, ev, av);
  }
  json_t *av;
  json_object_foreach(act, k, av)
    if (!json_object_get(exp, k) && strcmp(k, "reason")) note_extra(c->r, act, k);
  compare_kafka_key(&vd, e, ar);
  const char *sinks[SINK_COUNT] = {t->j->sink_output, t->j->sink_late, t->j->sink_errors};
  int32_t want_p = c->a->parts[e->sink] ? t->id % c->a->parts[e->sink] : 0;
  if (strcmp(ar->topic, sinks[e->sink]) || ar->partition != want_p)
    add_detail(&vd, "written to %s/%" PRId32 ", expected %s/%" PRId32 " (task mod partitions)",
               ar->topic, ar->partition, sinks[e->sink], want_p);
  char where[512];
  snprintf(where, sizeof where, "%s/%" PRId32 "@%" PRId64, ar->topic, ar->partition, ar->offset);
  if (vd.count) {
    oracle_finding(c->r, SF_WRONG_VALUE, t->id, SINK_NAMES[e->sink], e->id, where, "%s", vd.text);
  }
  if (cd.count && e->r.kind == RK_WINDOW) {
    const cover *cv = &e->r.w->a.cv;
    json_t *n = json_object_get(act, "n"), *oh = json_object_get(act, "oh");
    uint64_t aoh = json_is_string(oh) ? strtoull(json_string_value(oh), NULL, 16) : 0;
    if (json_is_integer(n))
      name_offset(&cd, &c->ix, t, (int64_t)json_integer_value(n) - (int64_t)cv->n, aoh - cv->oh);
  }
  if (cd.count) {
    oracle_finding(c->r, SF_WRONG_COVERAGE, t->id, SINK_NAMES[e->sink], e->id, where, "%s", cd.text);
  }
  json_decref(exp);
}

/* ---- order ------------------------------------------------------------------------ */

/* Marks in keep[] the records of the longest subsequence of seqs (expected
 * indices in written order) that is increasing; the others are out of
 * order. */
static void longest_increasing(const size_t *seqs, size_t n, uint8_t *keep) {
  size_t *tail = sp_malloc((n ? n : 1) * sizeof *tail), *prev = sp_malloc((n ? n : 1) * sizeof *prev);
  size_t len = 0;
  for (size_t i = 0; i < n; i++) {
    size_t lo = 0, hi = len;
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (seqs[tail[mid]] < seqs[i]) lo = mid + 1;
      else hi = mid;
    }
    prev[i] = lo ? tail[lo - 1] : SIZE_MAX;
    tail[lo] = i;
    if (lo == len) len++;
  }
  memset(keep, 0, n);
  for (size_t i = len ? tail[len - 1] : SIZE_MAX; i != SIZE_MAX; i = prev[i]) keep[i] = 1;
  free(tail);
  free(prev);
}

/* ---- the ledger ---------------------------------------------------------------------- */

typedef struct latest {
  int64_t rev;
  uint64_t n, oh;
} latest;

typedef struct ledger {
  smap windows; /* "start/end/key" -> latest (malloc'd keys and values) */
  uint64_t late_n, late_oh;
} ledger;

/* A window result of the ledgered operator: keep its latest revision. */
static void ledger_window(ledger *l, json_t *o) {
  json_t *key = json_object_get(o, "key");
  int64_t start = json_integer_value(json_object_get(o, "start")), end = json_integer_value(json_object_get(o, "end")),
          rev = json_integer_value(json_object_get(o, "rev"));
  json_t *oh = json_object_get(o, "oh");
  if (!json_is_string(key) || !json_is_string(oh)) return;
  char head[64];
  int hn = snprintf(head, sizeof head, "%" PRId64 "/%" PRId64 "/", start, end);
  size_t kn = json_string_length(key);
  char *name = sp_malloc((size_t)hn + kn + 1);
  memcpy(name, head, (size_t)hn);
  memcpy(name + hn, json_string_value(key), kn);
  name[hn + kn] = '\0';
  int inserted;
  latest **slot = (latest **)smap_put(&l->windows, name, (size_t)hn + kn, &inserted);
  if (inserted) *slot = sp_calloc(1, sizeof(latest));
  else free(name);
  if (!inserted && (*slot)->rev > rev) return;
  (*slot)->rev = rev;
  (*slot)->n = (uint64_t)json_integer_value(json_object_get(o, "n"));
  (*slot)->oh = strtoull(json_string_value(oh), NULL, 16);
}

static void ledger_late(ledger *l, const task *t, json_t *o) {
  if (json_integer_value(json_object_get(o, "op")) != t->ledger_op) return;
  json_t *n = json_object_get(o, "n"), *oh = json_object_get(o, "oh");
  if (json_is_integer(n) && json_is_string(oh)) { /* a late window result */
    l->late_n += (uint64_t)json_integer_value(n);
    l->late_oh += strtoull(json_string_value(oh), NULL, 16);
  } else if (json_is_integer(json_object_get(o, "offset"))) {
    l->late_n++;
    l->late_oh += mix64((uint64_t)json_integer_value(json_object_get(o, "offset")));
  }
}

/* Every input offset that reached the tumbling window is in exactly one
 * written window (its latest revision), one late record, or a window never
 * fired. */
static void ledger_check(cmp_ctx *c, ledger *l) {
  uint64_t n = l->late_n, oh = l->late_oh;
  for (size_t i = 0; i < l->windows.cap; i++)
    if (l->windows.slots[i].key) {
      latest *x = l->windows.slots[i].value;
      n += x->n;
      oh += x->oh;
      free((char *)l->windows.slots[i].key);
      free(x);
    }
  smap_free(&l->windows);
  const task *t = c->t;
  uint64_t want_n = t->ledger_in.n - t->ledger_unfired.n, want_oh = t->ledger_in.oh - t->ledger_unfired.oh;
  c->tr->ledger = 1;
  if (n == want_n && oh == want_oh) return;
  detail d = {0};
  add_detail(&d,
             "the windows and late records written cover %" PRIu64 " input offsets (hash %016" PRIx64
             "); the %" PRIu64 " offsets that reached the window (hash %016" PRIx64
             ") should each be covered once",
             n, oh, want_n, want_oh);
  name_offset(&d, &c->ix, t, (int64_t)(n - want_n), oh - want_oh);
  oracle_finding(c->r, SF_OFFSET_COVERAGE, t->id, "output", NULL, NULL, "%s", d.text);
}

/* ---- one sink --------------------------------------------------------------------------- */

static int pending(const exp_rec *e, const act_task *at) {
  return e->need[0] > at->seen[0] || e->need[1] > at->seen[1];
}

static void compare_sink(cmp_ctx *c, act_task *at, sink_kind s, ledger *l) {
  task *t = c->t;
  stream_task_result *tr = c->tr;
  const exp_vec *ev = &t->out[s];
  const act_vec *av = &at->recs[s];
  smap by_id = {0}, stray = {0};
  for (size_t i = 0; i < ev->n; i++) {
    int inserted;
    void **slot = smap_put(&by_id, ev->v[i].id, ev->v[i].id_len, &inserted);
    if (inserted) *slot = (void *)(uintptr_t)(i + 1);
  }
  uint32_t *seen = sp_calloc(ev->n ? ev->n : 1, sizeof *seen);
  size_t *order = sp_malloc((av->n ? av->n : 1) * sizeof *order), *pos = sp_malloc((av->n ? av->n : 1) * sizeof *pos), n_order = 0;
  int64_t next_seq = 0;
  for (size_t i = 0; i < av->n; i++) {
    const act_rec *ar = &av->v[i];
    char where[512];
    snprintf(where, sizeof where, "%s/%" PRId32 "@%" PRId64, ar->topic, ar->partition, ar->offset);
    json_t *o = json_loadb(ar->text, ar->len, 0, NULL);
    if (l && s == SINK_OUTPUT && json_is_string(json_object_get(o, "window"))) ledger_window(l, o);
    if (l && s == SINK_LATE) ledger_late(l, t, o);
    if (s == SINK_OUTPUT && !t->two_inputs) {
      if (ar->seq != next_seq) {
        oracle_finding(c->r, SF_WRONG_SEQ, t->id, SINK_NAMES[s], ar->id, where,
                       "seq %" PRId64 " where %" PRId64 " follows (the task's results in written order)",
                       ar->seq, next_seq);
      }
      next_seq = ar->seq + 1;
    }
    size_t idx = (size_t)(uintptr_t)smap_get(&by_id, ar->id, ar->id_len);
    if (!idx) {
      int inserted;
      smap_put(&stray, ar->id, ar->id_len, &inserted);
      stream_finding f = inserted ? SF_UNEXPECTED : SF_DUPLICATE_ID;
      oracle_finding(c->r, f, t->id, SINK_NAMES[s], ar->id, where, "%s%.300s",
                     inserted ? "not produced by the recomputation: " : "written again: ", ar->text);
    } else if (seen[idx - 1]++) {
      oracle_finding(c->r, SF_DUPLICATE_ID, t->id, SINK_NAMES[s], ar->id, where,
                     "written %u times", seen[idx - 1]);
    } else {
      compare_fields(c, &ev->v[idx - 1], ar, o);
      pos[n_order] = i;
      order[n_order++] = idx - 1;
    }
    json_decref(o);
  }
  if (!t->two_inputs && n_order) {
    uint8_t *keep = sp_malloc(n_order);
    longest_increasing(order, n_order, keep);
    for (size_t k = 0; k < n_order; k++) {
      if (keep[k]) continue;
      const act_rec *ar = &av->v[pos[k]];
      char where[512];
      snprintf(where, sizeof where, "%s/%" PRId32 "@%" PRId64, ar->topic, ar->partition, ar->offset);
      oracle_finding(c->r, SF_WRONG_ORDER, t->id, SINK_NAMES[s], ar->id, where,
                     "written as the task's %zu-th %s record, expected as the %zu-th", k + 1,
                     SINK_NAMES[s], order[k] + 1);
    }
    free(keep);
  }
  for (size_t i = 0; i < ev->n; i++) {
    if (seen[i]) continue;
    const exp_rec *e = &ev->v[i];
    if (pending(e, at)) {
      tr->pending++;
      continue;
    }
    if (!c->a->complete[s]) { /* the copy is partial: it may be in what is missing */
      tr->unverified++;
      continue;
    }
    json_t *x = expect_json(t, e);
    char *text = json_dumps(x, JSON_COMPACT);
    oracle_finding(c->r, SF_MISSING, t->id, SINK_NAMES[s], e->id, NULL, "expected %.400s", text ? text : "");
    free(text);
    json_decref(x);
  }
  tr->expected[s] = ev->n;
  tr->actual[s] = av->n;
  free(seen);
  free(order);
  free(pos);
  smap_free(&by_id);
  smap_free(&stray);
}

void compare_task(task *t, act_task *at, const actual *a, stream_result *r, stream_task_result *tr) {
  cmp_ctx c = {.t = t, .a = a, .r = r, .tr = tr};
  const job *j = t->j;
  /* the ledger needs every late record of the window written */
  int with_ledger = t->ledger_op >= 0 && (j->sink_late || !t->late);
  ledger l = {0};
  const char *sinks[SINK_COUNT] = {j->sink_output, j->sink_late, j->sink_errors};
  for (int s = 0; s < SINK_COUNT; s++)
    if (sinks[s] || at->recs[s].n) compare_sink(&c, at, (sink_kind)s, with_ledger ? &l : NULL);
  if (with_ledger && !tr->pending && !tr->unverified) ledger_check(&c, &l);
  else if (with_ledger) {
    for (size_t i = 0; i < l.windows.cap; i++)
      if (l.windows.slots[i].key) {
        free((char *)l.windows.slots[i].key);
        free(l.windows.slots[i].value);
      }
    smap_free(&l.windows);
  }
  free(c.ix.v);
}
