/* job.c: see job.h. The YAML is loaded with libyaml's document API (nodes
 * keep their line and column); every accessor below checks the node's type
 * and reports `file:line:col: key.path: what`. */
#include "job.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "mem.h"

/* The parse: the document, the file name, the first error. */
typedef struct jp {
  yaml_document_t doc;
  const char *file;
  char *err;
  size_t err_len;
  int failed;
} jp;

/* Records the first error at node n (or line 0 when n is NULL). Returns -1. */
__attribute__((format(printf, 4, 5))) static int fail(jp *p, const yaml_node_t *n,
                                                       const char *path, const char *fmt, ...) {
  if (p->failed++) return -1;
  char what[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  unsigned line = n ? (unsigned)n->start_mark.line + 1 : 0, col = n ? (unsigned)n->start_mark.column + 1 : 0;
  snprintf(p->err, p->err_len, "%s:%u:%u: %s: %s", p->file, line, col, path[0] ? path : "(top)",
           what);
  return -1;
}

static yaml_node_t *node(jp *p, int idx) { return yaml_document_get_node(&p->doc, idx); }

static const char *type_name(const yaml_node_t *n) {
  switch (n->type) {
  case YAML_SCALAR_NODE: return "a scalar";
  case YAML_SEQUENCE_NODE: return "a list";
  case YAML_MAPPING_NODE: return "a mapping";
  default: return "nothing";
  }
}

/* "a.b" + "c" -> "a.b.c" into buf. */
static const char *sub_path(char *buf, size_t len, const char *path, const char *key) {
  if (snprintf(buf, len, "%s%s%s", path, path[0] ? "." : "", key) >= (int)len) buf[len - 1] = '\0';
  return buf;
}

static const char *idx_path(char *buf, size_t len, const char *path, size_t i) {
  if (snprintf(buf, len, "%s[%zu]", path, i) >= (int)len) buf[len - 1] = '\0';
  return buf;
}

static int is_quoted(const yaml_node_t *n) {
  return n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
         n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
}

static const char *scalar(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

/* An empty plain scalar (`key:` with nothing) is YAML's null. */
static int is_null(const yaml_node_t *n) {
  if (n->type != YAML_SCALAR_NODE || is_quoted(n)) return 0;
  const char *s = scalar(n);
  return !s[0] || !strcmp(s, "~") || !strcmp(s, "null");
}

/* ---- mappings: known keys only, no key twice ------------------------------ */

typedef struct mapping {
  yaml_node_t *n;
  const char *path;
} mapping;

/* Checks that n is a mapping whose keys are all scalars in `known` (NULL
 * terminated) and none is given twice. */
static int check_mapping(jp *p, yaml_node_t *n, const char *path, const char *const *known) {
  if (n->type != YAML_MAPPING_NODE) return fail(p, n, path, "expected a mapping, got %s", type_name(n));
  for (yaml_node_pair_t *a = n->data.mapping.pairs.start; a < n->data.mapping.pairs.top; a++) {
    yaml_node_t *k = node(p, a->key);
    if (k->type != YAML_SCALAR_NODE) return fail(p, k, path, "a key must be a scalar");
    int ok = 0;
    for (size_t i = 0; known && known[i]; i++) ok |= !strcmp(known[i], scalar(k));
    char sp[512];
    if (!ok) return fail(p, k, sub_path(sp, sizeof sp, path, scalar(k)), "unknown key");
    for (yaml_node_pair_t *b = n->data.mapping.pairs.start; b < a; b++)
      if (!strcmp(scalar(node(p, b->key)), scalar(k)))
        return fail(p, k, sub_path(sp, sizeof sp, path, scalar(k)), "key given twice");
  }
  return 0;
}

/* The value of key in mapping n, or NULL. */
static yaml_node_t *get(jp *p, yaml_node_t *n, const char *key) {
  if (!n || n->type != YAML_MAPPING_NODE) return NULL;
  for (yaml_node_pair_t *a = n->data.mapping.pairs.start; a < n->data.mapping.pairs.top; a++) {
    yaml_node_t *k = node(p, a->key);
    if (k->type == YAML_SCALAR_NODE && !strcmp(scalar(k), key)) return node(p, a->value);
  }
  return NULL;
}

/* A string value (any scalar). */
static int get_str(jp *p, yaml_node_t *m, const char *path, const char *key, int required,
                   char **out) {
  yaml_node_t *v = get(p, m, key);
  char sp[512];
  sub_path(sp, sizeof sp, path, key);
  if (!v) return required ? fail(p, m, sp, "required") : 0;
  if (v->type != YAML_SCALAR_NODE || is_null(v))
    return fail(p, v, sp, "expected a string, got %s", is_null(v) ? "null" : type_name(v));
  *out = sp_strdup(scalar(v));
  return 0;
}

/* An integer value in [min, max]. */
static int get_int(jp *p, yaml_node_t *m, const char *path, const char *key, int64_t min,
                   int64_t max, int64_t *out) {
  yaml_node_t *v = get(p, m, key);
  if (!v) return 0;
  char sp[512];
  sub_path(sp, sizeof sp, path, key);
  sval x = v->type == YAML_SCALAR_NODE ? sval_parse_scalar(scalar(v), strlen(scalar(v)), is_quoted(v))
                                       : (sval){0};
  if (x.t != SV_INT) {
    if (v->type != YAML_SCALAR_NODE) return fail(p, v, sp, "expected an integer, got %s", type_name(v));
    return fail(p, v, sp, "expected an integer, got '%s'", scalar(v));
  }
  if (x.i < min || x.i > max)
    return fail(p, v, sp, "%lld is out of range [%lld, %lld]", (long long)x.i, (long long)min,
                (long long)max);
  *out = x.i;
  return 0;
}

/* One of the words in `choices` (NULL terminated); *out is its index. */
static int get_enum(jp *p, yaml_node_t *m, const char *path, const char *key,
                    const char *const *choices, int *out) {
  yaml_node_t *v = get(p, m, key);
  if (!v) return 0;
  char sp[512], list[256] = "";
  sub_path(sp, sizeof sp, path, key);
  for (size_t i = 0; choices[i]; i++) {
    if (v->type == YAML_SCALAR_NODE && !strcmp(scalar(v), choices[i])) {
      *out = (int)i;
      return 0;
    }
    size_t n = strlen(list);
    snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", choices[i]);
  }
  if (v->type != YAML_SCALAR_NODE) return fail(p, v, sp, "expected one of: %s, got %s", list, type_name(v));
  return fail(p, v, sp, "'%s' is not one of: %s", scalar(v), list);
}

static int get_bool(jp *p, yaml_node_t *m, const char *path, const char *key, int *out) {
  static const char *const choices[] = {"false", "true", NULL};
  return get_enum(p, m, path, key, choices, out);
}

/* ---- predicates -------------------------------------------------------------- */

static const char *const CMP_NAMES[] = {"eq", "ne", "lt", "le", "gt", "ge", NULL};

static sval scalar_value(const yaml_node_t *n) {
  sval v = sval_parse_scalar(scalar(n), strlen(scalar(n)), is_quoted(n));
  if (v.t == SV_STR) v.s = sp_strndup(v.s, v.len);
  return v;
}

static int parse_pred(jp *p, yaml_node_t *n, const char *path, pred *out);

static int parse_pred_list(jp *p, yaml_node_t *v, const char *path, pred *out) {
  if (v->type != YAML_SEQUENCE_NODE) return fail(p, v, path, "expected a list of predicates, got %s", type_name(v));
  size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
  if (!n) return fail(p, v, path, "an empty list");
  out->subs = sp_calloc(n, sizeof *out->subs);
  for (size_t i = 0; i < n; i++) {
    char ip[512];
    out->n_subs = i + 1;
    if (parse_pred(p, node(p, v->data.sequence.items.start[i]), idx_path(ip, sizeof ip, path, i),
                   &out->subs[i]))
      return -1;
  }
  return 0;
}

/* {field: F, eq: V} (also ne lt le gt ge), {field: F, in: [..]},
 * {field: F, mod: M, eq: R}, {all: [..]}, {any: [..]}, {not: P}. */
static int parse_pred(jp *p, yaml_node_t *n, const char *path, pred *out) {
  static const char *const known[] = {"field", "eq", "ne", "lt", "le", "gt", "ge", "in", "mod", "all", "any", "not", NULL};
  if (check_mapping(p, n, path, known)) return -1;
  char sp[512];
  yaml_node_t *v;
  if ((v = get(p, n, "all")) || (v = get(p, n, "any"))) {
    if (n->data.mapping.pairs.top - n->data.mapping.pairs.start != 1)
      return fail(p, n, path, "all/any stand alone");
    out->kind = get(p, n, "all") ? PRED_ALL : PRED_ANY;
    return parse_pred_list(p, v, sub_path(sp, sizeof sp, path, out->kind == PRED_ALL ? "all" : "any"), out);
  }
  if ((v = get(p, n, "not"))) {
    if (n->data.mapping.pairs.top - n->data.mapping.pairs.start != 1) return fail(p, n, path, "not stands alone");
    out->kind = PRED_NOT;
    out->subs = sp_calloc(1, sizeof *out->subs);
    out->n_subs = 1;
    return parse_pred(p, v, sub_path(sp, sizeof sp, path, "not"), &out->subs[0]);
  }
  if (get_str(p, n, path, "field", 1, &out->field)) return -1;
  if ((v = get(p, n, "in"))) {
    out->kind = PRED_IN;
    sub_path(sp, sizeof sp, path, "in");
    if (v->type != YAML_SEQUENCE_NODE) return fail(p, v, sp, "expected a list, got %s", type_name(v));
    size_t k = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    out->values = sp_calloc(k ? k : 1, sizeof *out->values);
    for (size_t i = 0; i < k; i++) {
      yaml_node_t *e = node(p, v->data.sequence.items.start[i]);
      if (e->type != YAML_SCALAR_NODE) return fail(p, e, sp, "expected scalars, got %s", type_name(e));
      out->values[out->n_values++] = scalar_value(e);
    }
    if (get(p, n, "mod")) return fail(p, n, path, "mod goes with a comparison, not in");
  } else {
    out->kind = PRED_CMP;
    int found = 0;
    for (int c = 0; CMP_NAMES[c]; c++) {
      yaml_node_t *cv = get(p, n, CMP_NAMES[c]);
      if (!cv) continue;
      if (found++) return fail(p, cv, path, "one comparison per predicate");
      if (cv->type != YAML_SCALAR_NODE) return fail(p, cv, sub_path(sp, sizeof sp, path, CMP_NAMES[c]), "expected a scalar, got %s", type_name(cv));
      out->op = (cmp_op)c;
      out->value = scalar_value(cv);
    }
    if (!found) return fail(p, n, path, "a comparison (eq, ne, lt, le, gt, ge or in) is required");
  }
  if (get(p, n, "mod")) {
    out->has_mod = 1;
    if (get_int(p, n, path, "mod", 1, INT64_MAX, &out->mod)) return -1;
  }
  return 0;
}

static void pred_free(pred *x) {
  free(x->field);
  if (x->value.t == SV_STR) free((char *)x->value.s);
  for (size_t i = 0; i < x->n_values; i++)
    if (x->values[i].t == SV_STR) free((char *)x->values[i].s);
  free(x->values);
  for (size_t i = 0; i < x->n_subs; i++) pred_free(&x->subs[i]);
  free(x->subs);
}

/* ---- sources ------------------------------------------------------------------ */

typedef struct sel_name {
  const char *name;
  sel_kind kind;
} sel_name;

/* Reads key/time/value of a source: a named choice for its format, or (json)
 * a payload member. */
static int parse_sel(jp *p, yaml_node_t *m, const char *path, const char *key, job_format fmt,
                     const sel_name *identity, const sel_name *json_special, sel_kind def,
                     const char *def_member, job_sel *out) {
  char *s = NULL;
  out->kind = def;
  out->member = def_member ? sp_strdup(def_member) : NULL;
  if (get_str(p, m, path, key, 0, &s)) return -1;
  if (!s) return 0;
  free(out->member);
  out->member = NULL;
  const sel_name *names = fmt == FMT_IDENTITY ? identity : json_special;
  for (size_t i = 0; names[i].name; i++)
    if (!strcmp(names[i].name, s)) {
      out->kind = names[i].kind;
      free(s);
      return 0;
    }
  if (fmt == FMT_JSON) {
    out->kind = SEL_MEMBER;
    out->member = s;
    return 0;
  }
  char sp[512], list[256] = "";
  for (size_t i = 0; identity[i].name; i++) {
    size_t n = strlen(list);
    snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", identity[i].name);
  }
  int rc = fail(p, get(p, m, key), sub_path(sp, sizeof sp, path, key),
                "'%s' is not one of: %s (identity format)", s, list);
  free(s);
  return rc;
}

static int parse_source(jp *p, yaml_node_t *n, const char *path, int main_source, job_source *s) {
  static const char *const known[] = {"name", "topic", "topics", "format", "key", "time", "value", "start", "idle_timeout_ms", "idle_advance", NULL};
  static const char *const formats[] = {"identity", "json", NULL};
  static const char *const starts[] = {"earliest", "latest", NULL};
  static const char *const idles[] = {"wall", "inputs", "end", NULL};
  static const sel_name id_key[] = {{"key_id", SEL_KEY_ID}, {"writer", SEL_WRITER}, {"topic", SEL_TOPIC}, {"kafka_key", SEL_KAFKA_KEY}, {"none", SEL_NONE}, {NULL, 0}};
  static const sel_name js_key[] = {{"kafka_key", SEL_KAFKA_KEY}, {"none", SEL_NONE}, {NULL, 0}};
  static const sel_name id_time[] = {{"event_time_ms", SEL_EVENT_TIME}, {"kafka_timestamp", SEL_KAFKA_TS}, {NULL, 0}};
  static const sel_name js_time[] = {{"kafka_timestamp", SEL_KAFKA_TS}, {NULL, 0}};
  static const sel_name id_value[] = {{"seq", SEL_SEQ}, {"size", SEL_SIZE}, {"writer", SEL_WRITER}, {"topic", SEL_TOPIC}, {"key_id", SEL_KEY_ID}, {"event_time_ms", SEL_EVENT_TIME}, {"one", SEL_ONE}, {NULL, 0}};
  static const sel_name js_value[] = {{"one", SEL_ONE}, {NULL, 0}};
  if (check_mapping(p, n, path, known)) return -1;
  s->line = (int)n->start_mark.line + 1;
  if (get_str(p, n, path, "name", 1, &s->name)) return -1;
  yaml_node_t *topic = get(p, n, "topic"), *topics = get(p, n, "topics");
  char sp[512];
  if (!!topic == !!topics) return fail(p, n, path, "exactly one of topic and topics is required");
  if (topic) {
    s->topics = sp_calloc(1, sizeof *s->topics);
    if (get_str(p, n, path, "topic", 1, &s->topics[0])) return -1;
    s->n_topics = 1;
  } else {
    sub_path(sp, sizeof sp, path, "topics");
    if (!main_source) return fail(p, topics, sp, "only the main source (sources[0]) may list topics");
    if (topics->type != YAML_SEQUENCE_NODE) return fail(p, topics, sp, "expected a list, got %s", type_name(topics));
    size_t k = (size_t)(topics->data.sequence.items.top - topics->data.sequence.items.start);
    if (!k) return fail(p, topics, sp, "an empty list");
    s->topics = sp_calloc(k, sizeof *s->topics);
    for (size_t i = 0; i < k; i++) {
      yaml_node_t *e = node(p, topics->data.sequence.items.start[i]);
      if (e->type != YAML_SCALAR_NODE || is_null(e)) return fail(p, e, sp, "expected topic names");
      s->topics[s->n_topics++] = sp_strdup(scalar(e));
    }
  }
  int fmt = -1;
  if (!get(p, n, "format")) return fail(p, n, sub_path(sp, sizeof sp, path, "format"), "required");
  if (get_enum(p, n, path, "format", formats, &fmt)) return -1;
  s->format = (job_format)fmt;
  int id = s->format == FMT_IDENTITY;
  if (parse_sel(p, n, path, "key", s->format, id_key, js_key, id ? SEL_KEY_ID : SEL_MEMBER, id ? NULL : "key", &s->key) ||
      parse_sel(p, n, path, "time", s->format, id_time, js_time, id ? SEL_EVENT_TIME : SEL_MEMBER, id ? NULL : "ts", &s->time) ||
      parse_sel(p, n, path, "value", s->format, id_value, js_value, id ? SEL_SEQ : SEL_MEMBER, id ? NULL : "value", &s->value))
    return -1;
  int v = 0;
  if (get_enum(p, n, path, "start", starts, &v)) return -1;
  s->start_latest = v;
  v = 0;
  if (get_enum(p, n, path, "idle_advance", idles, &v)) return -1;
  s->idle = (idle_advance)v;
  return get_int(p, n, path, "idle_timeout_ms", 0, INT64_MAX / 4, &s->idle_timeout_ms);
}

/* ---- operators ---------------------------------------------------------------- */

static const char *const OP_NAMES[] = {"filter", "transform", "threshold", "window", "reorder", "pattern", "join", "enrich", NULL};
static const char *const AGG_NAMES[] = {"count", "sum", "min", "max", "avg", NULL};

#define DUR_MAX (INT64_C(1) << 50) /* durations beyond 35,000 years are typos */

static int parse_window(jp *p, yaml_node_t *n, const char *path, job_window *w) {
  static const char *const known[] = {"type", "by", "size_ms", "advance_ms", "gap_ms", "offset_ms", "size", "advance", "aggregate", "value", NULL};
  static const char *const types[] = {"tumbling", "hopping", "sliding", "session", NULL};
  static const char *const bys[] = {"time", "count", NULL};
  static const char *const values[] = {"count", "sum", "min", "max", NULL};
  if (check_mapping(p, n, path, known)) return -1;
  char sp[512];
  int t = -1, by = 0, v = 0;
  if (!get(p, n, "type")) return fail(p, n, sub_path(sp, sizeof sp, path, "type"), "required");
  if (get_enum(p, n, path, "type", types, &t) || get_enum(p, n, path, "by", bys, &by) ||
      get_enum(p, n, path, "value", values, &v))
    return -1;
  w->type = (win_type)t;
  w->by_count = by;
  w->value = 1u << v;
  w->aggregates = AGG_ALL;
  yaml_node_t *agg = get(p, n, "aggregate");
  if (agg) {
    sub_path(sp, sizeof sp, path, "aggregate");
    if (agg->type != YAML_SEQUENCE_NODE) return fail(p, agg, sp, "expected a list of aggregates, got %s", type_name(agg));
    w->aggregates = 0;
    for (yaml_node_item_t *i = agg->data.sequence.items.start; i < agg->data.sequence.items.top; i++) {
      yaml_node_t *e = node(p, *i);
      int k = -1;
      for (int a = 0; AGG_NAMES[a] && e->type == YAML_SCALAR_NODE; a++)
        if (!strcmp(AGG_NAMES[a], scalar(e))) k = a;
      if (k < 0) return fail(p, e, sp, "expected count, sum, min, max or avg");
      w->aggregates |= 1u << k;
    }
    if (!w->aggregates) return fail(p, agg, sp, "an empty list");
  }
  if (by) {
    if (w->type == WIN_SESSION) return fail(p, n, path, "session windows are by time only");
    if (get_int(p, n, path, "size", 1, INT64_MAX / 4, &w->size)) return -1;
    if (!w->size) return fail(p, n, sub_path(sp, sizeof sp, path, "size"), "required");
    w->advance = w->type == WIN_TUMBLING ? w->size : w->type == WIN_SLIDING ? 1 : 0;
    if (w->type == WIN_HOPPING) {
      if (get_int(p, n, path, "advance", 1, w->size, &w->advance)) return -1;
      if (!w->advance) return fail(p, n, sub_path(sp, sizeof sp, path, "advance"), "required");
    }
    return 0;
  }
  if (w->type == WIN_SESSION) {
    if (get_int(p, n, path, "gap_ms", 1, DUR_MAX, &w->gap_ms)) return -1;
    if (!w->gap_ms) return fail(p, n, sub_path(sp, sizeof sp, path, "gap_ms"), "required");
    return 0;
  }
  if (get_int(p, n, path, "size_ms", 1, DUR_MAX, &w->size_ms)) return -1;
  if (!w->size_ms) return fail(p, n, sub_path(sp, sizeof sp, path, "size_ms"), "required");
  if (w->type == WIN_SLIDING) return 0;
  w->advance_ms = w->size_ms;
  if (w->type == WIN_HOPPING) {
    if (get_int(p, n, path, "advance_ms", 1, w->size_ms, &w->advance_ms)) return -1;
    if (!get(p, n, "advance_ms")) return fail(p, n, sub_path(sp, sizeof sp, path, "advance_ms"), "required");
  }
  return get_int(p, n, path, "offset_ms", 0, w->advance_ms - 1, &w->offset_ms);
}

static int parse_transform(jp *p, yaml_node_t *n, const char *path, job_transform *t) {
  static const char *const known[] = {"key", "value", "value_mul", "value_add", NULL};
  if (check_mapping(p, n, path, known)) return -1;
  t->mul = 1;
  if (get_str(p, n, path, "key", 0, &t->key_field) || get_str(p, n, path, "value", 0, &t->value_field) ||
      get_int(p, n, path, "value_mul", INT64_MIN, INT64_MAX, &t->mul) ||
      get_int(p, n, path, "value_add", INT64_MIN, INT64_MAX, &t->add))
    return -1;
  /* value_mul/value_add apply only with `value` (README: "the value to
   * field * M + A"); without it they do nothing, as refstream does. */
  return 0;
}

static int parse_threshold(jp *p, yaml_node_t *n, const char *path, job_threshold *t) {
  static const char *const known[] = {"field", "above", "mode", "emit_fall", NULL};
  static const char *const modes[] = {"level", "crossing", NULL};
  if (check_mapping(p, n, path, known)) return -1;
  char sp[512];
  if (get_str(p, n, path, "field", 0, &t->field)) return -1;
  if (!t->field) t->field = sp_strdup("value");
  yaml_node_t *a = get(p, n, "above");
  sub_path(sp, sizeof sp, path, "above");
  if (!a) return fail(p, n, sp, "required");
  if (a->type == YAML_SCALAR_NODE) t->above = sval_parse_scalar(scalar(a), strlen(scalar(a)), is_quoted(a));
  if (a->type != YAML_SCALAR_NODE || (t->above.t != SV_INT && t->above.t != SV_REAL))
    return fail(p, a, sp, "expected a number");
  return get_enum(p, n, path, "mode", modes, &t->crossing) || get_bool(p, n, path, "emit_fall", &t->emit_fall);
}

static int parse_pattern(jp *p, yaml_node_t *n, const char *path, job_pattern *t) {
  static const char *const known[] = {"first", "then", "within_ms", "emit", NULL};
  static const char *const emits[] = {"matches", "absences", "both", NULL};
  if (check_mapping(p, n, path, known)) return -1;
  char sp[512];
  yaml_node_t *f = get(p, n, "first"), *th = get(p, n, "then");
  if (!f) return fail(p, n, sub_path(sp, sizeof sp, path, "first"), "required");
  if (!th) return fail(p, n, sub_path(sp, sizeof sp, path, "then"), "required");
  if (parse_pred(p, f, sub_path(sp, sizeof sp, path, "first"), &t->first) ||
      parse_pred(p, th, sub_path(sp, sizeof sp, path, "then"), &t->then))
    return -1;
  if (!get(p, n, "within_ms")) return fail(p, n, sub_path(sp, sizeof sp, path, "within_ms"), "required");
  int e = 0;
  if (get_int(p, n, path, "within_ms", 0, DUR_MAX, &t->within_ms) || get_enum(p, n, path, "emit", emits, &e))
    return -1;
  t->emit = e == 0 ? EMIT_MATCHES : e == 1 ? EMIT_ABSENCES : EMIT_MATCHES | EMIT_ABSENCES;
  return 0;
}

/* join {with, type, within_ms | before_ms/after_ms}; enrich {table, type}. */
static int parse_join(jp *p, job *j, yaml_node_t *n, const char *path, int enrich, job_join *t) {
  static const char *const kj[] = {"with", "type", "within_ms", "before_ms", "after_ms", NULL};
  static const char *const ke[] = {"table", "type", NULL};
  static const char *const types[] = {"inner", "left", NULL};
  if (check_mapping(p, n, path, enrich ? ke : kj)) return -1;
  const char *ref = enrich ? "table" : "with";
  char *name = NULL, sp[512];
  if (get_str(p, n, path, ref, 1, &name)) return -1;
  t->source = -1;
  for (size_t i = 1; i < j->n_sources; i++)
    if (!strcmp(j->sources[i].name, name)) t->source = (int)i;
  int rc = 0;
  if (t->source < 0)
    rc = fail(p, get(p, n, ref), sub_path(sp, sizeof sp, path, ref),
              "'%s' is not a source (other than the main source)", name);
  free(name);
  if (rc || get_enum(p, n, path, "type", types, &t->left)) return -1;
  if (enrich) return 0;
  yaml_node_t *w = get(p, n, "within_ms");
  if (w && (get(p, n, "before_ms") || get(p, n, "after_ms")))
    return fail(p, w, path, "within_ms or before_ms/after_ms, not both");
  if (!w && !get(p, n, "before_ms") && !get(p, n, "after_ms"))
    return fail(p, n, path, "within_ms (or before_ms/after_ms) is required");
  if (w) {
    if (get_int(p, n, path, "within_ms", 0, DUR_MAX, &t->before_ms)) return -1;
    t->after_ms = t->before_ms;
    return 0;
  }
  return get_int(p, n, path, "before_ms", 0, DUR_MAX, &t->before_ms) ||
         get_int(p, n, path, "after_ms", 0, DUR_MAX, &t->after_ms);
}

static int parse_op(jp *p, job *j, yaml_node_t *n, const char *path, job_op *op) {
  if (check_mapping(p, n, path, OP_NAMES)) return -1;
  if (n->data.mapping.pairs.top - n->data.mapping.pairs.start != 1)
    return fail(p, n, path, "one operator per pipeline entry");
  yaml_node_t *k = node(p, n->data.mapping.pairs.start->key), *v = node(p, n->data.mapping.pairs.start->value);
  op->line = (int)k->start_mark.line + 1;
  op->col = (int)k->start_mark.column + 1;
  for (int i = 0; OP_NAMES[i]; i++)
    if (!strcmp(OP_NAMES[i], scalar(k))) op->kind = (op_kind)i;
  char sp[512];
  sub_path(sp, sizeof sp, path, scalar(k));
  switch (op->kind) {
  case OP_FILTER: return parse_pred(p, v, sp, &op->u.filter);
  case OP_TRANSFORM: return parse_transform(p, v, sp, &op->u.transform);
  case OP_THRESHOLD: return parse_threshold(p, v, sp, &op->u.threshold);
  case OP_WINDOW: return parse_window(p, v, sp, &op->u.window);
  case OP_REORDER:
    if (is_null(v)) return 0;
    return check_mapping(p, v, sp, NULL);
  case OP_PATTERN: return parse_pattern(p, v, sp, &op->u.pattern);
  case OP_JOIN: return parse_join(p, j, v, sp, 0, &op->u.join);
  case OP_ENRICH: return parse_join(p, j, v, sp, 1, &op->u.join);
  }
  return 0;
}

/* The README's structural rules: at most one join/enrich and nothing stateful
 * after it; reorder, pattern, join, enrich not after a window; every source
 * but the main one used by exactly one join/enrich. */
static int check_structure(jp *p, job *j, yaml_node_t *pl, yaml_node_t *srcs) {
  int window_seen = 0;
  j->two_input_op = -1;
  for (size_t i = 0; i < j->n_ops; i++) {
    job_op *op = &j->ops[i];
    yaml_node_t *n = node(p, pl->data.sequence.items.start[i]);
    char sp[64];
    idx_path(sp, sizeof sp, "pipeline", i);
    int two = op->kind == OP_JOIN || op->kind == OP_ENRICH;
    if (window_seen && (two || op->kind == OP_REORDER || op->kind == OP_PATTERN))
      return fail(p, n, sp, "%s cannot follow a window", job_op_name(op->kind));
    if (j->two_input_op >= 0 && job_op_stateful(op))
      return fail(p, n, sp, "no stateful operator after a join or enrich");
    if (two) j->two_input_op = (int)i;
    window_seen |= op->kind == OP_WINDOW;
  }
  for (size_t s = 1; s < j->n_sources; s++) {
    int uses = 0;
    for (size_t i = 0; i < j->n_ops; i++)
      uses += (j->ops[i].kind == OP_JOIN || j->ops[i].kind == OP_ENRICH) && j->ops[i].u.join.source == (int)s;
    if (uses != 1) {
      char sp[64];
      return fail(p, node(p, srcs->data.sequence.items.start[s]), idx_path(sp, sizeof sp, "sources", s),
                  "source '%s' must be used by exactly one join or enrich (used by %d)", j->sources[s].name, uses);
    }
  }
  if (j->two_input_op >= 0 && j->sources[0].n_topics != 1)
    return fail(p, node(p, srcs->data.sequence.items.start[0]), "sources[0].topics",
                "a job with a join or enrich reads one main topic");
  return 0;
}

static int parse_top(jp *p, job *j, yaml_node_t *root) {
  static const char *const known[] = {"name", "time", "sources", "pipeline", "sinks", NULL};
  static const char *const tknown[] = {"mode", "out_of_orderness_ms", "allowed_lateness_ms", "processing_tick_ms", NULL};
  static const char *const modes[] = {"event", "processing", NULL};
  static const char *const sknown[] = {"output", "late", "errors", NULL};
  if (check_mapping(p, root, "", known) || get_str(p, root, "", "name", 1, &j->name)) return -1;
  j->tick_ms = 10;
  yaml_node_t *t = get(p, root, "time");
  if (t && (check_mapping(p, t, "time", tknown) || get_enum(p, t, "time", "mode", modes, &j->processing) ||
            get_int(p, t, "time", "out_of_orderness_ms", 0, DUR_MAX, &j->ooo_ms) ||
            get_int(p, t, "time", "allowed_lateness_ms", 0, DUR_MAX, &j->lateness_ms) ||
            get_int(p, t, "time", "processing_tick_ms", 1, DUR_MAX, &j->tick_ms)))
    return -1;
  yaml_node_t *s = get(p, root, "sources");
  if (!s) return fail(p, root, "sources", "required");
  if (s->type != YAML_SEQUENCE_NODE) return fail(p, s, "sources", "expected a list, got %s", type_name(s));
  size_t ns = (size_t)(s->data.sequence.items.top - s->data.sequence.items.start);
  if (!ns) return fail(p, s, "sources", "at least the main source is required");
  j->sources = sp_calloc(ns, sizeof *j->sources);
  for (size_t i = 0; i < ns; i++) {
    char sp[64];
    j->n_sources = i + 1;
    yaml_node_t *e = node(p, s->data.sequence.items.start[i]);
    if (parse_source(p, e, idx_path(sp, sizeof sp, "sources", i), i == 0, &j->sources[i])) return -1;
    for (size_t k = 0; k < i; k++)
      if (!strcmp(j->sources[k].name, j->sources[i].name))
        return fail(p, get(p, e, "name"), strcat(sp, ".name"), "'%s' names two sources", j->sources[i].name);
  }
  yaml_node_t *pl = get(p, root, "pipeline");
  if (!pl) return fail(p, root, "pipeline", "required (may be empty: [])");
  if (pl->type != YAML_SEQUENCE_NODE) return fail(p, pl, "pipeline", "expected a list, got %s", type_name(pl));
  size_t no = (size_t)(pl->data.sequence.items.top - pl->data.sequence.items.start);
  j->ops = sp_calloc(no ? no : 1, sizeof *j->ops);
  for (size_t i = 0; i < no; i++) {
    char sp[64];
    j->n_ops = i + 1;
    if (parse_op(p, j, node(p, pl->data.sequence.items.start[i]), idx_path(sp, sizeof sp, "pipeline", i), &j->ops[i]))
      return -1;
  }
  yaml_node_t *sk = get(p, root, "sinks");
  if (!sk) return fail(p, root, "sinks", "required");
  if (check_mapping(p, sk, "sinks", sknown) || get_str(p, sk, "sinks", "output", 1, &j->sink_output) ||
      get_str(p, sk, "sinks", "late", 0, &j->sink_late) || get_str(p, sk, "sinks", "errors", 0, &j->sink_errors))
    return -1;
  return check_structure(p, j, pl, s);
}

int job_load(const char *path, job *j, char *err, size_t err_len) {
  memset(j, 0, sizeof *j);
  j->path = sp_strdup(path);
  j->two_input_op = -1;
  FILE *f = fopen(path, "rbe");
  if (!f) {
    snprintf(err, err_len, "%s: %s", path, strerror(errno));
    return -1;
  }
  jp p = {.file = path, .err = err, .err_len = err_len};
  yaml_parser_t parser;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_file(&parser, f);
  int rc = -1;
  if (!yaml_parser_load(&parser, &p.doc)) {
    snprintf(err, err_len, "%s:%zu:%zu: (yaml): %s%s%s", path, parser.problem_mark.line + 1,
             parser.problem_mark.column + 1, parser.problem ? parser.problem : "syntax error",
             parser.context ? " " : "", parser.context ? parser.context : "");
  } else {
    yaml_node_t *root = yaml_document_get_root_node(&p.doc);
    if (!root)
      snprintf(err, err_len, "%s:1:1: (top): empty job file", path);
    else
      rc = parse_top(&p, j, root);
    yaml_document_delete(&p.doc);
  }
  yaml_parser_delete(&parser);
  fclose(f);
  return rc;
}

void job_free(job *j) {
  free(j->path);
  free(j->name);
  for (size_t i = 0; i < j->n_sources; i++) {
    job_source *s = &j->sources[i];
    free(s->name);
    for (size_t t = 0; t < s->n_topics; t++) free(s->topics[t]);
    free(s->topics);
    free(s->key.member);
    free(s->time.member);
    free(s->value.member);
  }
  free(j->sources);
  for (size_t i = 0; i < j->n_ops; i++) {
    job_op *op = &j->ops[i];
    switch (op->kind) {
    case OP_FILTER: pred_free(&op->u.filter); break;
    case OP_TRANSFORM:
      free(op->u.transform.key_field);
      free(op->u.transform.value_field);
      break;
    case OP_THRESHOLD: free(op->u.threshold.field); break;
    case OP_PATTERN:
      pred_free(&op->u.pattern.first);
      pred_free(&op->u.pattern.then);
      break;
    default: break;
    }
  }
  free(j->ops);
  free(j->sink_output);
  free(j->sink_late);
  free(j->sink_errors);
  memset(j, 0, sizeof *j);
}

const char *job_op_name(op_kind k) { return OP_NAMES[k]; }

const char *job_window_name(const job_window *w) {
  static const char *const t[] = {"tumbling", "hopping", "sliding", "session"};
  static const char *const c[] = {"count-tumbling", "count-hopping", "count-sliding", "count-session"};
  return w->by_count ? c[w->type] : t[w->type];
}

int job_op_stateful(const job_op *op) {
  switch (op->kind) {
  case OP_FILTER:
  case OP_TRANSFORM: return 0;
  case OP_THRESHOLD: return op->u.threshold.crossing;
  default: return 1;
  }
}

const char *job_checkable(const job *j) {
  if (!j->n_sources) return "no sources";
  if (j->sources[0].start_latest)
    return "the main source starts at `latest`: where the run began is not in the dumps";
  for (size_t s = 1; s < j->n_sources; s++)
    if (j->sources[s].start_latest) return "a joined source starts at `latest`";
  int after_pattern = 0;
  for (size_t i = 0; i < j->n_ops; i++) {
    if (after_pattern && job_op_stateful(&j->ops[i]))
      return "a stateful operator after a pattern: the README does not say what a match contributes";
    after_pattern |= j->ops[i].kind == OP_PATTERN;
  }
  return NULL;
}
