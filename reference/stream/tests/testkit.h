/* testkit.h: helpers for refstream's C unit tests (header only).
 *
 * A test parses a job from YAML text, builds an engine, feeds hand-made
 * records and compares what the tasks wrote with expected lines. Each
 * output record is summarised as one short line so expectations read like
 * a table:
 *   W <key> [<start>,<end>) r<rev> c<count> s<sum> m<min> M<max>   window result
 *   E <offset> <key> <value>                                       event
 *   L <op>:<input>@<offset>                                        late record
 *   J <key> <left offset> <right offset or ->                      join
 *   N <offset> <table offset or ->                                 enrich
 *   P <key> <first offset> <then offset or ->                      match/absence
 *   X <input>@<offset>                                             bad record
 *   K <input>@<pos> <type>=<value> ...                             marks
 * The full JSON of every record is kept too (for byte-identity checks). */
#ifndef RS_TESTKIT_H
#define RS_TESTKIT_H

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "hash.h"
#include "jsonw.h"
#include "log.h"
#include "mem.h"
#include "sp_test.h"

typedef struct tk_out {
  char **lines;    /* summaries */
  char **raw;      /* full JSON values, prefixed with the sink number */
  size_t n, cap;
} tk_out;

static inline void tk_push(tk_out *o, char *line, char *raw) {
  if (o->n == o->cap) {
    o->cap = o->cap ? 2 * o->cap : 64;
    o->lines = sp_realloc(o->lines, o->cap * sizeof *o->lines);
    o->raw = sp_realloc(o->raw, o->cap * sizeof *o->raw);
  }
  o->lines[o->n] = line;
  o->raw[o->n++] = raw;
}

static inline long long tk_i(const json_t *o, const char *k) {
  return (long long)json_integer_value(json_object_get(o, k));
}

static inline void tk_appendf(char *buf, size_t cap, const char *fmt, ...) {
  size_t n = strlen(buf);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf + n, cap - n, fmt, ap);
  va_end(ap);
}

/* The summary line of one output record. */
static inline char *tk_summary(const char *json, size_t len) {
  json_t *o = json_loadb(json, len, 0, NULL);
  char buf[512] = "";
  if (!o) return sp_strdup("?unparseable");
  const char *kind = json_string_value(json_object_get(o, "kind"));
  const char *key = json_string_value(json_object_get(o, "key"));
  if (!kind) kind = "?";
  if (!key) key = "";
  if (!strcmp(kind, "window")) {
    snprintf(buf, sizeof buf, "W %s [%lld,%lld) r%lld c%lld s%lld m%lld M%lld", key,
             tk_i(o, "start"), tk_i(o, "end"), tk_i(o, "rev"), tk_i(o, "count"), tk_i(o, "sum"),
             tk_i(o, "min"), tk_i(o, "max"));
    const json_t *sup = json_object_get(o, "superseded");
    size_t i;
    const json_t *s;
    json_array_foreach(sup, i, s)
      tk_appendf(buf, sizeof buf, " ~[%lld,%lld)r%lld", (long long)json_integer_value(json_array_get(s, 0)),
                 (long long)json_integer_value(json_array_get(s, 1)),
                 (long long)json_integer_value(json_array_get(s, 2)));
  } else if (!strcmp(kind, "event")) {
    snprintf(buf, sizeof buf, "E %lld %s %lld", tk_i(o, "offset"), key, tk_i(o, "value"));
    const char *alert = json_string_value(json_object_get(o, "alert"));
    if (alert) tk_appendf(buf, sizeof buf, " %s", alert);
  } else if (!strcmp(kind, "late")) {
    if (json_object_get(o, "offset"))
      snprintf(buf, sizeof buf, "L %lld:%lld@%lld", tk_i(o, "op"), tk_i(o, "input"), tk_i(o, "offset"));
    else
      snprintf(buf, sizeof buf, "L %lld:w[%lld,%lld)", tk_i(o, "op"), tk_i(o, "start"), tk_i(o, "end"));
  } else if (!strcmp(kind, "join")) {
    const json_t *r = json_object_get(o, "right");
    snprintf(buf, sizeof buf, "J %s %lld ", key, tk_i(json_object_get(o, "left"), "offset"));
    if (json_is_null(r)) tk_appendf(buf, sizeof buf, "-");
    else tk_appendf(buf, sizeof buf, "%lld", tk_i(r, "offset"));
  } else if (!strcmp(kind, "enrich")) {
    const json_t *r = json_object_get(o, "table");
    snprintf(buf, sizeof buf, "N %lld ", tk_i(o, "offset"));
    if (json_is_null(r)) tk_appendf(buf, sizeof buf, "-");
    else tk_appendf(buf, sizeof buf, "%lld", tk_i(r, "offset"));
  } else if (!strcmp(kind, "match") || !strcmp(kind, "absence")) {
    const json_t *r = json_object_get(o, "then");
    snprintf(buf, sizeof buf, "P %s %lld ", key, tk_i(json_object_get(o, "first"), "offset"));
    if (json_is_null(r)) tk_appendf(buf, sizeof buf, "-");
    else tk_appendf(buf, sizeof buf, "%lld", tk_i(r, "offset"));
  } else if (!strcmp(kind, "error")) {
    snprintf(buf, sizeof buf, "X %lld@%lld", tk_i(o, "input"), tk_i(o, "offset"));
  } else if (!strcmp(kind, "marks")) {
    snprintf(buf, sizeof buf, "K");
    size_t i;
    const json_t *m;
    json_array_foreach(json_object_get(o, "marks"), i, m)
      tk_appendf(buf, sizeof buf, " %lld@%lld %s=%lld", tk_i(m, "input"), tk_i(m, "pos"),
                 json_string_value(json_object_get(m, "type")), tk_i(m, "value"));
  } else {
    snprintf(buf, sizeof buf, "?%s", kind);
  }
  json_decref(o);
  return sp_strdup(buf);
}

static inline void tk_emit(void *ctx, rs_task *t, int sink, const void *key, size_t key_len,
                           const void *value, size_t value_len) {
  (void)t; (void)key; (void)key_len;
  tk_out *o = ctx;
  char *raw = sp_malloc(value_len + 3);
  raw[0] = (char)('0' + sink);
  raw[1] = ' ';
  memcpy(raw + 2, value, value_len);
  raw[value_len + 2] = '\0';
  tk_push(o, tk_summary(value, value_len), raw);
}

static inline void tk_out_free(tk_out *o) {
  for (size_t i = 0; i < o->n; i++) {
    free(o->lines[i]);
    free(o->raw[i]);
  }
  free(o->lines);
  free(o->raw);
  memset(o, 0, sizeof *o);
}

/* Summary lines only of records whose summary starts with one of `kinds`
 * (e.g. "WL"); NULL = all. */
static inline int tk_match(const char *line, const char *kinds) {
  return !kinds || strchr(kinds, line[0]) != NULL;
}

/* Compares the summaries (filtered by kinds) with the NULL-terminated list. */
#define TK_EXPECT(out, kinds, ...)                                                        \
  do {                                                                                    \
    const char *tk_exp_[] = {__VA_ARGS__, NULL};                                          \
    size_t tk_j_ = 0;                                                                     \
    int tk_bad_ = 0;                                                                      \
    for (size_t tk_i_ = 0; tk_i_ < (out)->n; tk_i_++) {                                   \
      if (!tk_match((out)->lines[tk_i_], kinds)) continue;                                \
      if (!tk_exp_[tk_j_] || strcmp(tk_exp_[tk_j_], (out)->lines[tk_i_]) != 0) tk_bad_ = 1; \
      if (tk_exp_[tk_j_]) tk_j_++;                                                        \
    }                                                                                     \
    if (tk_exp_[tk_j_]) tk_bad_ = 1;                                                      \
    if (tk_bad_) {                                                                        \
      sp_test_report(__FILE__, __LINE__, "output matches expectation");                   \
      fprintf(stderr, "#   expected:\n");                                                 \
      for (size_t k = 0; tk_exp_[k]; k++) fprintf(stderr, "#     %s\n", tk_exp_[k]);      \
      fprintf(stderr, "#   got:\n");                                                      \
      for (size_t k = 0; k < (out)->n; k++)                                               \
        if (tk_match((out)->lines[k], kinds)) fprintf(stderr, "#     %s\n", (out)->lines[k]); \
    }                                                                                     \
  } while (0)

static inline rs_job *tk_job(const char *yaml) {
  char err[512];
  rs_job *j = rs_job_parse("test.yaml", yaml, err, sizeof err);
  if (!j) fprintf(stderr, "# job error: %s\n", err);
  return j;
}

/* A job with one main topic of one partition, its engine and its output. */
typedef struct fixture {
  rs_job *job;
  rs_engine *e;
  tk_out out;
} fixture;

static inline void setup(fixture *f, const char *yaml) {
  memset(f, 0, sizeof *f);
  f->job = tk_job(yaml);
  REQUIRE(f->job != NULL);
  int parts = 1;
  f->e = rs_engine_new(f->job, &parts, tk_emit, &f->out);
}

static inline void teardown(fixture *f) {
  rs_engine_free(f->e);
  rs_job_free(f->job);
  tk_out_free(&f->out);
}

/* Feeds a JSON record to (source, partition) of a one-topic main source. */
static inline void tk_feed(rs_engine *e, int src, int32_t part, int64_t offset, const char *json,
                           int64_t now_ms) {
  rs_raw raw = {part, offset, -1, NULL, 0, json, json ? strlen(json) : 0};
  int input;
  rs_task *t = rs_engine_route(e, src, 0, part, &input);
  if (t) rs_task_record(t, input, &raw, now_ms);
}

/* Feeds {"key":k,"ts":ts,"value":v} at offset off of partition 0. */
static inline void tk_kv(rs_engine *e, int src, int64_t off, const char *key, int64_t ts,
                         int64_t value) {
  char buf[256];
  snprintf(buf, sizeof buf, "{\"key\":\"%s\",\"ts\":%lld,\"value\":%lld}", key, (long long)ts,
           (long long)value);
  tk_feed(e, src, 0, off, buf, 0);
}

#endif
