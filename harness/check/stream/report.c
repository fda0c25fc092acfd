/* report.c: the oracle's part of verdict.json and of the summary.
 *
 *   "stream": {
 *     "verdict": "valid|invalid|unknown|error", "job": "name", "error": "...",
 *     "totals": {"tasks", "input_records", "expected": {"output", "late",
 *        "errors"}, "written": {...}, "pending", "unverified", "marks_applied"},
 *     "findings": {"missing": {"count", "definition", "by_task": {"0": n},
 *        "examples": [{"task", "sink", "id", "where", "detail"}]}, ... every kind},
 *     "tasks": [{"task", "topic", "partition", "checked", "why",
 *        "input_records", "bad", "late", "dropped", "marks_applied",
 *        "expected": {...}, "written": {...}, "pending", "unverified",
 *        "ledger_checked",
 *        "findings": {"kind": n, ... only those found}}],
 *     "incomplete": [...], "notes": [...],
 *     "input": {"dumps", "bytes", "seconds"}
 *   }
 *
 * Summary: one line for the job, one per finding kind found (count and the
 * first example), pending and marks as info, the gaps, the oracle's own
 * verdict. */
#include <inttypes.h>
#include <string.h>

#include "oracle_int.h"

static void set_int(json_t *o, const char *k, uint64_t v) {
  json_object_set_new(o, k, json_integer((json_int_t)v));
}

static json_t *sinks_json(const uint64_t v[3]) {
  json_t *o = json_object();
  for (int s = 0; s < 3; s++) set_int(o, SINK_NAMES[s], v[s]);
  return o;
}

static json_t *strings(const strlist *l) {
  json_t *a = json_array();
  for (size_t i = 0; i < l->n; i++) json_array_append_new(a, json_string(l->v[i]));
  return a;
}

static json_t *task_json(const stream_task_result *t) {
  json_t *o = json_object();
  set_int(o, "task", (uint64_t)t->task);
  json_object_set_new(o, "topic", json_string(t->topic));
  set_int(o, "partition", (uint64_t)t->partition);
  json_object_set_new(o, "checked", json_boolean(t->checked));
  if (t->why) json_object_set_new(o, "why", json_string(t->why));
  set_int(o, "input_records", t->input_records);
  set_int(o, "bad", t->bad);
  set_int(o, "late", t->late);
  set_int(o, "dropped", t->dropped);
  set_int(o, "marks_applied", t->marks);
  json_object_set_new(o, "expected", sinks_json(t->expected));
  json_object_set_new(o, "written", sinks_json(t->actual));
  set_int(o, "pending", t->pending);
  set_int(o, "unverified", t->unverified);
  json_object_set_new(o, "ledger_checked", json_boolean(t->ledger));
  json_t *f = json_object();
  for (int k = 0; k < SF_COUNT; k++)
    if (t->count[k]) set_int(f, stream_finding_name((stream_finding)k), t->count[k]);
  json_object_set_new(o, "findings", f);
  return o;
}

static json_t *finding_json(const stream_result *r, stream_finding f) {
  json_t *o = json_object();
  set_int(o, "count", r->count[f]);
  json_object_set_new(o, "definition", json_string(stream_finding_definition(f)));
  json_t *by = json_object();
  for (size_t i = 0; i < r->n_tasks; i++)
    if (r->tasks[i].count[f]) {
      char k[16];
      snprintf(k, sizeof k, "%d", r->tasks[i].task);
      set_int(by, k, r->tasks[i].count[f]);
    }
  json_object_set_new(o, "by_task", by);
  json_t *ex = json_array();
  for (size_t i = 0; i < r->ex_n[f]; i++) {
    const sf_example *e = &r->ex[f][i];
    json_t *x = json_object();
    json_object_set_new(x, "task", e->task >= 0 ? json_integer(e->task) : json_null());
    json_object_set_new(x, "sink", json_string(e->sink));
    if (e->id) json_object_set_new(x, "id", json_string(e->id));
    if (e->where) json_object_set_new(x, "where", json_string(e->where));
    json_object_set_new(x, "detail", json_string(e->detail));
    json_array_append_new(ex, x);
  }
  json_object_set_new(o, "examples", ex);
  return o;
}

json_t *stream_result_json(const stream_result *r) {
  json_t *o = json_object();
  json_object_set_new(o, "verdict", json_string(check_verdict_name(r->verdict)));
  json_object_set_new(o, "job", r->job_name ? json_string(r->job_name) : json_null());
  if (r->verdict == CHECK_ERROR) json_object_set_new(o, "error", json_string(r->error));
  json_t *tot = json_object();
  set_int(tot, "tasks", r->n_tasks);
  set_int(tot, "input_records", r->input_records);
  json_object_set_new(tot, "expected", sinks_json(r->expected));
  json_object_set_new(tot, "written", sinks_json(r->actual));
  set_int(tot, "pending", r->pending);
  set_int(tot, "unverified", r->unverified);
  set_int(tot, "marks_applied", r->marks);
  json_object_set_new(o, "totals", tot);
  json_t *f = json_object();
  for (int k = 0; k < SF_COUNT; k++)
    json_object_set_new(f, stream_finding_name((stream_finding)k), finding_json(r, (stream_finding)k));
  json_object_set_new(o, "findings", f);
  json_t *tasks = json_array();
  for (size_t i = 0; i < r->n_tasks; i++) json_array_append_new(tasks, task_json(&r->tasks[i]));
  json_object_set_new(o, "tasks", tasks);
  json_object_set_new(o, "incomplete", strings(&r->incomplete));
  json_object_set_new(o, "notes", strings(&r->notes));
  json_t *in = json_object();
  set_int(in, "dumps", r->dumps);
  set_int(in, "bytes", r->dump_bytes);
  json_object_set_new(in, "seconds", json_real(r->seconds));
  json_object_set_new(o, "input", in);
  return o;
}

void stream_result_print(const stream_result *r, FILE *out) {
  if (!r->ran) return;
  if (r->verdict == CHECK_ERROR) {
    fprintf(out, "  stream: cannot check: %s\n", r->error);
    return;
  }
  fprintf(out,
          "  stream job %s: %zu task%s, %" PRIu64 " input records; recomputed %" PRIu64
          " results, %" PRIu64 " late, %" PRIu64 " errors; written %" PRIu64 "/%" PRIu64 "/%" PRIu64
          " (%.2f s)\n",
          r->job_name ? r->job_name : "?", r->n_tasks, r->n_tasks == 1 ? "" : "s", r->input_records,
          r->expected[0], r->expected[1], r->expected[2], r->actual[0], r->actual[1], r->actual[2],
          r->seconds);
  for (int f = 0; f < SF_COUNT; f++) {
    if (!r->count[f]) continue;
    char ex[900] = "";
    if (r->ex_n[f]) {
      const sf_example *e = &r->ex[f][0];
      snprintf(ex, sizeof ex, "e.g. task %d %s %s: %.700s", e->task, e->sink, e->id ? e->id : "",
               e->detail);
    }
    fprintf(out, "  %-20s %10" PRIu64 "  FORBIDDEN  %s\n", stream_finding_name((stream_finding)f),
            r->count[f], ex);
  }
  if (r->pending || r->marks || r->unverified)
    fprintf(out, "  stream info: %" PRIu64 " record%s pending (the output shows the processor had "
            "not read that far); %" PRIu64 " not found in partial copies; %" PRIu64 " marks applied\n",
            r->pending, r->pending == 1 ? "" : "s", r->unverified, r->marks);
  for (size_t i = 0; i < r->incomplete.n; i++) fprintf(out, "  stream incomplete: %s\n", r->incomplete.v[i]);
  fprintf(out, "  stream verdict: %s\n", check_verdict_name(r->verdict));
}
