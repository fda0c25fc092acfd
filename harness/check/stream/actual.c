/* actual.c: reading what refstream wrote (oracle_int.h).
 *
 * Every partition of every sink topic is read once. Each record must be a
 * JSON object with "v": 1, a known "kind", a string "id" and an integer
 * "task" naming one of the job's tasks; others are `malformed`. Records are
 * routed by kind to their task's output, late or errors list, and marks
 * records to the task's marks (README "Marks": applied in the order
 * written; a marks record written twice is applied once). */
#include <inttypes.h>
#include <string.h>

#include "dumps.h"
#include "mem.h"
#include "oracle_int.h"
#include "topic_dump.h"

const char *const SINK_NAMES[SINK_COUNT] = {"output", "late", "errors"};

static const char *const RESULT_KINDS[] = {"window", "event", "join", "enrich", "match", "absence", NULL};

/* The sink a record of this kind belongs to; SINK_COUNT for marks; -1 unknown. */
static int sink_of_kind(const char *kind) {
  for (int i = 0; RESULT_KINDS[i]; i++)
    if (!strcmp(kind, RESULT_KINDS[i])) return SINK_OUTPUT;
  if (!strcmp(kind, "late")) return SINK_LATE;
  if (!strcmp(kind, "error")) return SINK_ERRORS;
  if (!strcmp(kind, "marks")) return SINK_COUNT;
  return -1;
}

static int64_t int_member(json_t *o, const char *k, int64_t dflt) {
  json_t *v = json_object_get(o, k);
  return json_is_integer(v) ? (int64_t)json_integer_value(v) : dflt;
}

static void push_rec(act_vec *v, const act_rec *r) {
  if (v->n == v->cap) {
    v->cap = v->cap ? v->cap * 2 : 64;
    v->v = sp_realloc(v->v, v->cap * sizeof *v->v);
  }
  v->v[v->n++] = *r;
}

static void see(act_task *at, json_t *o) {
  int64_t th = int_member(o, "through", -1), th1 = int_member(o, "through1", -1);
  if (th > at->seen[0]) at->seen[0] = th;
  if (th1 > at->seen[1]) at->seen[1] = th1;
}

/* Appends the marks of one marks record to its task (once per id). */
static void take_marks(actual *a, act_task *at, int tid, json_t *o, const act_rec *ar,
                       const job *j, stream_result *r) {
  int inserted;
  smap_put(&at->mark_ids, ar->id, ar->id_len, &inserted);
  if (!inserted) {
    oracle_finding(r, SF_DUPLICATE_ID, tid, "marks", ar->id, NULL,
                   "marks record written more than once (applied once)");
    return;
  }
  (void)a;
  json_t *list = json_object_get(o, "marks");
  size_t i;
  json_t *m;
  if (!json_is_array(list) || !json_array_size(list)) {
    oracle_finding(r, SF_MALFORMED, tid, "marks", ar->id, NULL, "marks record without a marks list");
    return;
  }
  json_array_foreach(list, i, m) {
    json_t *type = json_object_get(m, "type");
    int64_t input = int_member(m, "input", -1);
    if (!json_is_integer(json_object_get(m, "pos")) || !json_is_integer(json_object_get(m, "value")) ||
        !json_is_string(type) || (input != 0 && !(input == 1 && j->two_input_op >= 0)) ||
        (strcmp(json_string_value(type), "proc") && strcmp(json_string_value(type), "idle"))) {
      oracle_finding(r, SF_MALFORMED, tid, "marks", ar->id, NULL, "mark %zu is not {input, pos, type: proc|idle, value}", i);
      continue;
    }
    if (at->n_marks == at->cap_marks) {
      at->cap_marks = at->cap_marks ? at->cap_marks * 2 : 16;
      at->marks = sp_realloc(at->marks, at->cap_marks * sizeof *at->marks);
    }
    mark *mk = &at->marks[at->n_marks++];
    mk->input = (uint8_t)input;
    mk->pos = int_member(m, "pos", 0);
    mk->value = int_member(m, "value", 0);
    mk->proc = !strcmp(json_string_value(type), "proc");
    /* a mark at pos proves every offset before pos was processed */
    if (mk->pos > at->seen[input]) at->seen[input] = mk->pos;
  }
}

/* Parses one output record and files it under its task. */
static void take(actual *a, const job *j, const topic_dump_record *d, const char *topic,
                 int32_t partition, stream_result *r) {
  char where[512];
  snprintf(where, sizeof where, "%s/%" PRId32 "@%" PRId64, topic, partition, d->offset);
  json_error_t e;
  json_t *o = d->value ? json_loadb((const char *)d->value, (size_t)d->value_len, 0, &e) : NULL;
  json_t *kind = json_object_get(o, "kind"), *id = json_object_get(o, "id"),
         *jtask = json_object_get(o, "task");
  int sink = json_is_string(kind) ? sink_of_kind(json_string_value(kind)) : -1;
  const char *why = !o ? (d->value ? "not JSON" : "null payload")
                    : !json_is_object(o) ? "not a JSON object"
                    : int_member(o, "v", -1) != 1 ? "\"v\" is not 1"
                    : sink < 0 ? "no known \"kind\""
                    : !json_is_string(id) ? "no string \"id\""
                    : !json_is_integer(jtask) ? "no integer \"task\""
                    : json_integer_value(jtask) < 0 || json_integer_value(jtask) >= a->n_tasks
                        ? "\"task\" names no task of the job"
                        : NULL;
  if (why) {
    oracle_finding(r, SF_MALFORMED, json_is_integer(jtask) ? (int)json_integer_value(jtask) : -1,
                   "output", json_is_string(id) ? json_string_value(id) : NULL, where, "%s", why);
    json_decref(o);
    return;
  }
  int t = (int)json_integer_value(jtask);
  act_task *at = &a->tasks[t];
  act_rec ar = {.text = arena_dup(&a->ar, d->value, (size_t)d->value_len),
                .len = (uint32_t)d->value_len,
                .kkey_len = d->key_len,
                .kkey = d->key ? arena_dup(&a->ar, d->key, (size_t)d->key_len) : NULL,
                .id = arena_dup(&a->ar, json_string_value(id), json_string_length(id)),
                .id_len = (uint32_t)json_string_length(id),
                .topic = arena_dup(&a->ar, topic, strlen(topic)),
                .partition = partition,
                .offset = d->offset,
                .seq = int_member(o, "seq", -1)};
  see(at, o);
  if (sink == SINK_COUNT) take_marks(a, at, t, o, &ar, j, r);
  else push_rec(&at->recs[sink], &ar);
  json_decref(o);
}

/* Reads every partition dump of one sink topic. */
static void load_topic(actual *a, const char *dir, const job *j, const char *topic, int sink,
                       stream_result *r) {
  int gap;
  int32_t n = dumps_partitions(dir, topic, &gap);
  a->parts[sink] = n;
  a->complete[sink] = n > 0 && !gap;
  if (!n) {
    strlist_addf(&r->incomplete, "stream/%s-0.dump is missing: the %s sink (topic %s) was not copied",
                 topic, SINK_NAMES[sink], topic);
    return;
  }
  if (gap)
    strlist_addf(&r->incomplete, "stream/: dumps of topic %s have a gap after partition %" PRId32,
                 topic, n - 1);
  for (int32_t p = 0; p < n; p++) {
    char path[4096], err[1024];
    dumps_path(path, sizeof path, dir, topic, p);
    topic_dump_reader *rd = topic_dump_open(path, err, sizeof err);
    if (rd && (strcmp(topic_dump_topic(rd), topic) || topic_dump_partition(rd) != p)) {
      strlist_addf(&r->incomplete, "%s: the dump holds %s/%" PRId32 ", not %s/%" PRId32, path,
                   topic_dump_topic(rd), topic_dump_partition(rd), topic, p);
      topic_dump_close(rd);
      rd = NULL;
      err[0] = '\0';
    }
    if (!rd) {
      if (err[0]) strlist_addf(&r->incomplete, "%s", err);
      a->complete[sink] = 0;
      continue;
    }
    r->dumps++;
    topic_dump_record d;
    int rc;
    while ((rc = topic_dump_next(rd, &d, NULL, err, sizeof err)) == 1) {
      r->dump_bytes += 24 + (uint64_t)(d.value_len > 0 ? d.value_len : 0) + (uint64_t)(d.key_len > 0 ? d.key_len : 0);
      take(a, j, &d, topic, p, r);
    }
    if (rc < 0) {
      strlist_addf(&r->incomplete, "%s", err);
      a->complete[sink] = 0;
    }
    topic_dump_close(rd);
  }
}

void actual_load(actual *a, const char *dir, const job *j, int n_tasks, stream_result *r) {
  memset(a, 0, sizeof *a);
  a->n_tasks = n_tasks;
  a->tasks = sp_calloc(n_tasks ? (size_t)n_tasks : 1, sizeof *a->tasks);
  const char *sinks[SINK_COUNT] = {j->sink_output, j->sink_late, j->sink_errors};
  for (int s = 0; s < SINK_COUNT; s++) {
    if (!sinks[s]) continue;
    int again = 0; /* a topic named by two sinks is read once */
    for (int k = 0; k < s; k++) again |= sinks[k] && !strcmp(sinks[k], sinks[s]);
    if (again) {
      for (int k = 0; k < s; k++)
        if (sinks[k] && !strcmp(sinks[k], sinks[s])) {
          a->parts[s] = a->parts[k];
          a->complete[s] = a->complete[k];
        }
      continue;
    }
    load_topic(a, dir, j, sinks[s], s, r);
  }
}

void actual_free(actual *a) {
  for (int t = 0; t < a->n_tasks; t++) {
    act_task *at = &a->tasks[t];
    for (int s = 0; s < SINK_COUNT; s++) free(at->recs[s].v);
    free(at->marks);
    smap_free(&at->mark_ids);
  }
  free(a->tasks);
  arena_free(&a->ar);
  memset(a, 0, sizeof *a);
}
