/* report_json.c: verdict.json.
 *
 *   {
 *     "version": 1, "results_dir": "...", "verdict": "valid|invalid|unknown",
 *     "violations": ["sub-000 (exactly_once): 3 redelivered"],
 *     "incomplete": ["the final drain did not complete and ..."],
 *     "subscriptions": [{"id", "name", "topic", "semantics", "verdict",
 *        "applies", "below_log_start_unapplied",
 *        "consume_counts": {"0": n, "1": n, ..., "8+": n},
 *        "anomalies": {"lost-write": {"count", "allowed"}, ...}}],
 *     "anomalies": {"lost-write": {"count", "allowed", "checked", "definition",
 *        "by_partition": {"topic/p": n}, "by_subscription": {"sub": n},
 *        "examples": [{...}]}, ... every type ...},
 *     "info": {"messages", "acked", "nacked", "acks_without_offset",
 *        "indeterminate_sends": {"total", "in_log", "not_in_log"},
 *        "nacked_but_present", "below_log_start", "ignored_records",
 *        "torn_history_tails": [{"file", "bytes"}]},
 *     "notes": [...],
 *     "input": {"files": [{"name", "bytes"}], "records", "bytes", "seconds",
 *        "drain_completed", "readback": "complete|incomplete|missing"},
 *     "stream": {...}   when the run has a stream processor: the oracle's
 *                       section, drawn in stream/report.c
 *   }
 * A processor-only folder (stream/ but no history/meta.json) gets version,
 * results_dir, verdict, violations, incomplete, stream, notes and input.
 *
 * Every anomaly type is present, found or not, so a reader never has to
 * guess whether a missing key means zero or "not checked". */
#include <inttypes.h>
#include <jansson.h>
#include <string.h>

#include "check_int.h"

static json_t *strlist_json(const strlist *l) {
  json_t *a = json_array();
  for (size_t i = 0; i < l->n; i++) json_array_append_new(a, json_string(l->v[i]));
  return a;
}

static void set_int(json_t *o, const char *k, uint64_t v) {
  json_object_set_new(o, k, json_integer((json_int_t)v));
}

/* Field names for an example's second offset and its count, by type. */
static const char *offset2_name(anomaly_type t) {
  switch (t) {
  case ANOM_LOST_WRITE:
  case ANOM_UNSEEN: return "highest_applied_offset";
  case ANOM_DUPLICATE: return "other_offset";
  case ANOM_POLL_SKIP:
  case ANOM_NONMONOTONIC_POLL:
  case ANOM_KEY_ORDER: return "previous_offset";
  case ANOM_ACKED_BUT_MISSING: return "log_end_offset";
  default: return NULL;
  }
}

static const char *n_name(anomaly_type t) {
  switch (t) {
  case ANOM_DUPLICATE: return "copies";
  case ANOM_POLL_SKIP: return "skipped_offsets";
  case ANOM_REDELIVERED: return "applies";
  default: return NULL;
  }
}

static json_t *example_json(const check_state *st, anomaly_type t, const example *e) {
  const meta *m = &st->m;
  json_t *o = json_object();
  uint32_t topic = st->md.tp_topic[e->tp];
  if (e->sub >= 0) json_object_set_new(o, "subscription", json_string(m->subs[e->sub].name));
  if (e->reader >= 0) set_int(o, "reader", m->readers[e->reader].id);
  json_object_set_new(o, "topic", json_string(m->topics[topic].name));
  set_int(o, "partition", e->tp - m->topics[topic].tp_base);
  json_object_set_new(o, "offset", json_integer(e->offset));
  if (e->has_writer) {
    set_int(o, "writer", e->writer);
    set_int(o, "seq", e->seq);
  }
  if (e->key != HIST_NO_KEY) set_int(o, "key", e->key);
  if (t == ANOM_INCONSISTENT_OFFSETS) {
    json_t *other = json_object();
    if (e->has_writer2) {
      set_int(other, "writer", e->writer2);
      set_int(other, "seq", e->seq2);
    } else {
      json_object_set_new(other, "unknown", json_true());
    }
    json_object_set_new(o, "other", other);
    if (!e->has_writer) json_object_set_new(o, "unknown", json_true());
  }
  if (t == ANOM_KEY_ORDER) set_int(o, "previous_seq", e->seq2);
  const char *k2 = offset2_name(t), *kn = n_name(t);
  if (k2) json_object_set_new(o, k2, json_integer(e->offset2));
  if (kn) set_int(o, kn, e->n);
  if (e->file >= 0) {
    json_object_set_new(o, "file", json_string(st->files[e->file].name));
    set_int(o, "record", e->rec);
    set_int(o, "t_ns", e->t_ns);
  }
  if (e->reason) json_object_set_new(o, "reason", json_string(e->reason));
  return o;
}

static json_t *anomaly_json(const check_state *st, anomaly_type t) {
  const check_result *r = st->r;
  json_t *o = json_object();
  set_int(o, "count", r->count[t]);
  json_object_set_new(o, "allowed", json_boolean(r->allowed[t]));
  json_object_set_new(o, "checked", json_boolean(r->checked[t]));
  json_object_set_new(o, "definition", json_string(anomaly_definition(t)));
  json_t *bp = json_object(), *bs = json_object(), *ex = json_array();
  for (uint32_t tp = 0; tp < st->m.tp_count; tp++) {
    if (!st->f.by_tp[t][tp]) continue;
    char name[512];
    check_tp_name(st, tp, name, sizeof name);
    set_int(bp, name, st->f.by_tp[t][tp]);
  }
  for (size_t s = 0; s < r->n_subs; s++)
    if (r->subs[s].count[t]) set_int(bs, r->subs[s].name, r->subs[s].count[t]);
  for (size_t i = 0; i < st->f.ex_n[t]; i++)
    json_array_append_new(ex, example_json(st, t, &st->f.ex[t][i]));
  json_object_set_new(o, "by_partition", bp);
  json_object_set_new(o, "by_subscription", bs);
  json_object_set_new(o, "examples", ex);
  return o;
}

static json_t *sub_json(const check_state *st, uint32_t s) {
  const meta_sub *sub = &st->m.subs[s];
  const check_sub_result *sr = &st->r->subs[s];
  json_t *o = json_object();
  set_int(o, "id", (uint64_t)sub->id);
  json_object_set_new(o, "name", json_string(sub->name));
  json_object_set_new(o, "topic", json_string(st->m.topics[sub->topic].name));
  json_object_set_new(o, "semantics", json_string(check_semantics_name(sub->sem)));
  json_object_set_new(o, "verdict", json_string(check_verdict_name(sr->verdict)));
  set_int(o, "applies", sr->applies);
  set_int(o, "below_log_start_unapplied", sr->below_log_start_unapplied);
  json_t *cc = json_object();
  for (int k = 0; k < CHECK_CONSUME_BUCKETS; k++) {
    char key[16];
    snprintf(key, sizeof key, k == CHECK_CONSUME_BUCKETS - 1 ? "%d+" : "%d", k);
    if (sr->consume_counts[k]) set_int(cc, key, sr->consume_counts[k]);
  }
  json_object_set_new(o, "consume_counts", cc);
  json_t *an = json_object();
  for (int t = 0; t < ANOM_COUNT; t++) {
    json_t *a = json_object();
    set_int(a, "count", sr->count[t]);
    json_object_set_new(a, "allowed", json_boolean(anomaly_allowed(sub->sem, (anomaly_type)t)));
    json_object_set_new(an, anomaly_name((anomaly_type)t), a);
  }
  json_object_set_new(o, "anomalies", an);
  return o;
}

static json_t *info_json(const check_state *st) {
  const check_info *i = &st->r->info;
  json_t *o = json_object();
  set_int(o, "messages", i->messages);
  set_int(o, "acked", i->acked);
  set_int(o, "nacked", i->nacked);
  set_int(o, "acks_without_offset", i->acks_without_offset);
  json_t *ind = json_object();
  set_int(ind, "total", i->indeterminate_in_log + i->indeterminate_not_in_log);
  set_int(ind, "in_log", i->indeterminate_in_log);
  set_int(ind, "not_in_log", i->indeterminate_not_in_log);
  json_object_set_new(o, "indeterminate_sends", ind);
  set_int(o, "nacked_but_present", i->nacked_but_present);
  set_int(o, "below_log_start", i->below_log_start);
  set_int(o, "ignored_records", i->ignored_records);
  json_t *torn = json_array();
  for (size_t f = 0; f < st->n_files; f++) {
    if (!st->files[f].torn_bytes) continue;
    json_t *t = json_object();
    json_object_set_new(t, "file", json_string(st->files[f].name));
    set_int(t, "bytes", st->files[f].torn_bytes);
    json_array_append_new(torn, t);
  }
  json_object_set_new(o, "torn_history_tails", torn);
  return o;
}

static json_t *input_json(const check_state *st) {
  const check_result *r = st->r;
  json_t *o = json_object(), *files = json_array();
  for (size_t f = 0; f < st->n_files; f++) {
    json_t *fo = json_object();
    json_object_set_new(fo, "name", json_string(st->files[f].name));
    set_int(fo, "bytes", st->files[f].bytes);
    json_array_append_new(files, fo);
  }
  json_object_set_new(o, "files", files);
  set_int(o, "records", r->records);
  set_int(o, "bytes", r->bytes);
  json_object_set_new(o, "seconds", json_real(r->seconds));
  json_object_set_new(o, "drain_completed", json_boolean(st->m.drain_completed));
  const char *rb = st->md.readback_ok ? "complete" : st->have_readback ? "incomplete" : "missing";
  json_object_set_new(o, "readback", json_string(rb));
  return o;
}

/* Writes doc to path (atomically: temp file, then rename) and to also. */
static int dump(json_t *doc, const char *path, FILE *also, char *err, size_t err_len) {
  size_t flags = JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6);
  if (also) {
    json_dumpf(doc, also, flags);
    fputc('\n', also);
    fflush(also);
  }
  if (!path) return 0;
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  if (json_dump_file(doc, tmp, flags) != 0 || rename(tmp, path) != 0) {
    snprintf(err, err_len, "%s: cannot write", path);
    remove(tmp);
    return -1;
  }
  return 0;
}

int report_json_write(check_state *st, const char *path, FILE *also, char *err, size_t err_len) {
  const check_result *r = st->r;
  json_t *doc = json_object();
  set_int(doc, "version", 1);
  json_object_set_new(doc, "results_dir", json_string(st->dir));
  json_object_set_new(doc, "verdict", json_string(check_verdict_name(r->verdict)));
  json_object_set_new(doc, "violations", strlist_json(&st->violations));
  json_object_set_new(doc, "incomplete", strlist_json(&st->gaps));
  if (st->sr.ran) json_object_set_new(doc, "stream", stream_result_json(&st->sr));
  if (st->no_history) { /* the oracle alone: no delivery sections */
    json_object_set_new(doc, "notes", strlist_json(&st->notes));
    json_t *in = json_object();
    json_object_set_new(in, "seconds", json_real(r->seconds));
    json_object_set_new(doc, "input", in);
    int rc = dump(doc, path, also, err, err_len);
    json_decref(doc);
    return rc;
  }
  json_t *subs = json_array();
  for (uint32_t s = 0; s < st->m.n_subs; s++) json_array_append_new(subs, sub_json(st, s));
  json_object_set_new(doc, "subscriptions", subs);
  json_t *an = json_object();
  for (int t = 0; t < ANOM_COUNT; t++)
    json_object_set_new(an, anomaly_name((anomaly_type)t), anomaly_json(st, (anomaly_type)t));
  json_object_set_new(doc, "anomalies", an);
  json_object_set_new(doc, "info", info_json(st));
  json_object_set_new(doc, "notes", strlist_json(&st->notes));
  json_object_set_new(doc, "input", input_json(st));
  int rc = dump(doc, path, also, err, err_len);
  json_decref(doc);
  return rc;
}

int report_json_error(const char *path, const char *error, char *err, size_t err_len) {
  json_t *doc = json_object();
  set_int(doc, "version", 1);
  json_object_set_new(doc, "verdict", json_string("unknown"));
  json_object_set_new(doc, "error", json_string(error));
  int rc = dump(doc, path, NULL, err, err_len);
  json_decref(doc);
  return rc;
}
