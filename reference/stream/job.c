/* job.c: the job file parser. See job.h and README.md ("Job file"). */
#include "job.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "yaml_tree.h"

typedef struct pctx {
  const char *file;
  char *err;
  size_t errlen;
  rs_job *job;
} pctx;

/* Writes "file:line:col: path: message" and returns -1. */
__attribute__((format(printf, 4, 5))) static int perr(pctx *c, const yt_node *at,
                                                      const char *path, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (at) snprintf(c->err, c->errlen, "%s:%d:%d: %s: %s", c->file, at->line, at->col, path, msg);
  else snprintf(c->err, c->errlen, "%s: %s: %s", c->file, path, msg);
  return -1;
}

/* Refuses keys not in `allowed` (NULL-terminated) and repeated keys. */
static int check_keys(pctx *c, const yt_node *map, const char *path, const char *const *allowed) {
  for (size_t i = 0; i < map->n; i++) {
    const yt_node *k = map->items[2 * i];
    int ok = 0;
    for (const char *const *a = allowed; *a; a++)
      if (strcmp(*a, k->scalar) == 0) ok = 1;
    if (!ok) {
      char list[512] = "";
      for (const char *const *a = allowed; *a; a++) {
        if (list[0]) strncat(list, ", ", sizeof list - strlen(list) - 1);
        strncat(list, *a, sizeof list - strlen(list) - 1);
      }
      return perr(c, k, path, "unknown key '%s' (expected one of: %s)", k->scalar, list);
    }
    for (size_t j = 0; j < i; j++)
      if (strcmp(map->items[2 * j]->scalar, k->scalar) == 0)
        return perr(c, k, path, "key '%s' given twice", k->scalar);
  }
  return 0;
}

/* Fails unless n is a map. */
static int want_map(pctx *c, const yt_node *n, const char *path) {
  if (!n || n->type != YT_MAP) return perr(c, n, path, "expected a map");
  return 0;
}

/* The text of scalar n; fails for lists and maps. */
static int scalar_of(pctx *c, const yt_node *n, const char *path, const char **out) {
  if (n->type != YT_SCALAR) return perr(c, n, path, "expected a single value, not a list or map");
  *out = n->scalar;
  return 0;
}

/* A whole decimal int64; 0 or -1. */
static int parse_i64(const char *s, int64_t *out) {
  if (!*s) return -1;
  char *end;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || *end) return -1;
  *out = v;
  return 0;
}

/* An optional integer `key` of map with min <= v; default when absent. */
static int get_int(pctx *c, const yt_node *map, const char *path, const char *key, int64_t dflt,
                   int64_t min, int64_t *out) {
  char p[256];
  snprintf(p, sizeof p, "%.200s.%.50s", path, key);
  const yt_node *n = yt_get(map, key);
  if (!n) {
    *out = dflt;
    return 0;
  }
  const char *s = NULL;
  if (scalar_of(c, n, p, &s) != 0) return -1;
  if (parse_i64(s, out) != 0 || n->quoted)
    return perr(c, n, p, "expected an integer, got '%s'", s);
  if (*out < min) return perr(c, n, p, "must be at least %lld, got %lld", (long long)min,
                              (long long)*out);
  if (*out > RS_TS_MAX / 4) return perr(c, n, p, "value %lld is too large", (long long)*out);
  return 0;
}

static int get_str(pctx *c, const yt_node *map, const char *path, const char *key,
                   const char *dflt, const char **out) {
  char p[256];
  snprintf(p, sizeof p, "%.200s.%.50s", path, key);
  const yt_node *n = yt_get(map, key);
  if (!n) {
    *out = dflt;
    return 0;
  }
  if (scalar_of(c, n, p, out) != 0) return -1;
  if (!**out) return perr(c, n, p, "must not be empty");
  return 0;
}

/* One of `choices` (NULL-terminated); *out = its index. */
static int get_enum(pctx *c, const yt_node *map, const char *path, const char *key, int dflt,
                    const char *const *choices, int *out) {
  char p[256];
  snprintf(p, sizeof p, "%.200s.%.50s", path, key);
  const yt_node *n = yt_get(map, key);
  if (!n) {
    *out = dflt;
    return 0;
  }
  const char *s = NULL;
  if (scalar_of(c, n, p, &s) != 0) return -1;
  for (int i = 0; choices[i]; i++)
    if (strcmp(choices[i], s) == 0) {
      *out = i;
      return 0;
    }
  char list[256] = "";
  for (int i = 0; choices[i]; i++) {
    if (list[0]) strncat(list, ", ", sizeof list - strlen(list) - 1);
    strncat(list, choices[i], sizeof list - strlen(list) - 1);
  }
  return perr(c, n, p, "'%s' is not one of: %s", s, list);
}

static int get_bool(pctx *c, const yt_node *map, const char *path, const char *key, int dflt,
                    int *out) {
  static const char *const choices[] = {"false", "true", "no", "yes", NULL};
  int i;
  if (get_enum(c, map, path, key, dflt ? 1 : 0, choices, &i) != 0) return -1;
  *out = i % 2;
  return 0;
}

/* ---- fields ------------------------------------------------------------ */

static const struct {
  const char *name;
  rs_field_id id;
} builtin_fields[] = {
    {"key", RS_F_KEY},       {"ts", RS_F_TS},           {"value", RS_F_VALUE},
    {"offset", RS_F_OFFSET}, {"partition", RS_F_PARTITION}, {"kafka_key", RS_F_KAFKA_KEY},
    {"kafka_timestamp", RS_F_KAFKA_TS}, {"one", RS_F_ONE}, {"writer", RS_F_WRITER},
    {"seq", RS_F_SEQ},       {"key_id", RS_F_KEY_ID},   {"size", RS_F_SIZE},
    {"topic", RS_F_TOPIC},   {"event_time_ms", RS_F_EVENT_TIME}, {"count", RS_F_COUNT},
    {"sum", RS_F_SUM},       {"min", RS_F_MIN},         {"max", RS_F_MAX},
    {"avg", RS_F_AVG},       {"start", RS_F_START},     {"end", RS_F_END},
    {"rev", RS_F_REV},
};

/* A field name in a pipeline operator: a built-in name, "payload.X" for
 * the JSON member X, or any other name as a JSON path. */
static void pipeline_field(const char *name, rs_field *f) {
  memset(f, 0, sizeof *f);
  if (strncmp(name, "payload.", 8) == 0) {
    f->id = RS_F_JSON;
    f->path = sp_strdup(name + 8);
    return;
  }
  for (size_t i = 0; i < sizeof builtin_fields / sizeof builtin_fields[0]; i++)
    if (strcmp(builtin_fields[i].name, name) == 0) {
      f->id = builtin_fields[i].id;
      return;
    }
  f->id = RS_F_JSON;
  f->path = sp_strdup(name);
}

static int get_field(pctx *c, const yt_node *map, const char *path, const char *key,
                     const char *dflt, rs_field *out) {
  const char *s = NULL;
  if (get_str(c, map, path, key, dflt, &s) != 0) return -1;
  if (!s) {
    memset(out, 0, sizeof *out);
    return 0;
  }
  pipeline_field(s, out);
  return 0;
}

/* A source's key/time/value choice: names allowed per format and role. */
static int source_field(pctx *c, const yt_node *map, const char *path, const char *key,
                        rs_format fmt, const char *dflt, const char *const *identity_names,
                        const char *const *special, rs_field *out) {
  const char *s = NULL;
  if (get_str(c, map, path, key, dflt, &s) != 0) return -1;
  memset(out, 0, sizeof *out);
  for (int i = 0; special[i]; i++)
    if (strcmp(special[i], s) == 0) {
      if (strcmp(s, "none") == 0) out->id = RS_F_NONE;
      else pipeline_field(s, out);
      return 0;
    }
  if (fmt == RS_FMT_JSON) {
    out->id = RS_F_JSON;
    out->path = sp_strdup(strncmp(s, "payload.", 8) == 0 ? s + 8 : s);
    return 0;
  }
  for (int i = 0; identity_names[i]; i++)
    if (strcmp(identity_names[i], s) == 0) {
      pipeline_field(s, out);
      return 0;
    }
  char p[256];
  snprintf(p, sizeof p, "%.200s.%.50s", path, key);
  char list[256] = "";
  for (int i = 0; identity_names[i]; i++) {
    strncat(list, identity_names[i], sizeof list - strlen(list) - 1);
    strncat(list, ", ", sizeof list - strlen(list) - 1);
  }
  for (int i = 0; special[i]; i++) {
    strncat(list, special[i], sizeof list - strlen(list) - 1);
    if (special[i + 1]) strncat(list, ", ", sizeof list - strlen(list) - 1);
  }
  return perr(c, yt_get(map, key), p, "'%s' is not an identity field (expected one of: %s)", s,
              list);
}

/* ---- predicates -------------------------------------------------------- */

/* A predicate constant: integer, real, or string (quoted scalars stay strings). */
static int parse_const(pctx *c, const yt_node *n, const char *path, rs_const *out) {
  memset(out, 0, sizeof *out);
  const char *s = NULL;
  if (scalar_of(c, n, path, &s) != 0) return -1;
  if (!n->quoted) {
    int64_t i;
    if (parse_i64(s, &i) == 0) {
      out->type = RS_V_INT;
      out->i = i;
      return 0;
    }
    char *end;
    double d = strtod(s, &end);
    if (*s && !*end) {
      out->type = RS_V_REAL;
      out->d = d;
      return 0;
    }
  }
  out->type = RS_V_STR;
  out->s = sp_strdup(s);
  return 0;
}

/* A predicate (README.md, "Predicates"); NULL with a located error. */
static rs_pred *parse_pred(pctx *c, const yt_node *n, const char *path, int depth) {
  if (want_map(c, n, path) != 0) return NULL;
  if (depth > 32) {
    perr(c, n, path, "predicate nested too deeply");
    return NULL;
  }
  rs_pred *p = sp_calloc(1, sizeof *p);
  char sub[256];
  const yt_node *all = yt_get(n, "all"), *any = yt_get(n, "any"), *not = yt_get(n, "not");
  if (all || any || not) {
    static const char *const keys[] = {"all", "any", "not", NULL};
    if (check_keys(c, n, path, keys) != 0 || n->n != 1) {
      if (n->n != 1) perr(c, n, path, "give exactly one of all, any, not");
      goto fail;
    }
    if (not) {
      p->kind = RS_P_NOT;
      p->kids = sp_calloc(1, sizeof *p->kids);
      snprintf(sub, sizeof sub, "%.200s.not", path);
      p->kids[0] = parse_pred(c, not, sub, depth + 1);
      if (!p->kids[0]) goto fail;
      p->n_kids = 1;
      return p;
    }
    const yt_node *list = all ? all : any;
    p->kind = all ? RS_P_ALL : RS_P_ANY;
    snprintf(sub, sizeof sub, "%.200s.%s", path, all ? "all" : "any");
    if (list->type != YT_SEQ || list->n == 0) {
      perr(c, list, sub, "expected a non-empty list of predicates");
      goto fail;
    }
    p->kids = sp_calloc(list->n, sizeof *p->kids);
    for (size_t i = 0; i < list->n; i++) {
      char item[256];
      snprintf(item, sizeof item, "%.200s[%zu]", sub, i);
      p->kids[i] = parse_pred(c, list->items[i], item, depth + 1);
      if (!p->kids[i]) goto fail;
      p->n_kids++;
    }
    return p;
  }
  static const char *const keys[] = {"field", "eq", "ne", "lt", "le", "gt", "ge", "in", "mod", NULL};
  static const char *const ops[] = {"eq", "ne", "lt", "le", "gt", "ge", "in"};
  if (check_keys(c, n, path, keys) != 0) goto fail;
  p->kind = RS_P_CMP;
  const char *fname = NULL;
  if (get_str(c, n, path, "field", NULL, &fname) != 0) goto fail;
  if (!fname) {
    perr(c, n, path, "a comparison needs 'field' (or use all/any/not)");
    goto fail;
  }
  pipeline_field(fname, &p->field);
  const yt_node *opnode = NULL;
  for (int i = 0; i < 7; i++) {
    const yt_node *v = yt_get(n, ops[i]);
    if (!v) continue;
    if (opnode) {
      perr(c, v, path, "give exactly one comparison (eq, ne, lt, le, gt, ge or in)");
      goto fail;
    }
    opnode = v;
    p->cmp = (rs_cmp)i;
  }
  if (!opnode) {
    perr(c, n, path, "missing a comparison (eq, ne, lt, le, gt, ge or in)");
    goto fail;
  }
  if (get_int(c, n, path, "mod", 0, 1, &p->mod) != 0) goto fail;
  snprintf(sub, sizeof sub, "%.200s.%s", path, ops[p->cmp]);
  if (p->cmp == RS_CMP_IN) {
    if (opnode->type != YT_SEQ || opnode->n == 0) {
      perr(c, opnode, sub, "expected a non-empty list of values");
      goto fail;
    }
    p->consts = sp_calloc(opnode->n, sizeof *p->consts);
    for (size_t i = 0; i < opnode->n; i++) {
      if (parse_const(c, opnode->items[i], sub, &p->consts[i]) != 0) goto fail;
      p->n_consts++;
    }
  } else {
    p->consts = sp_calloc(1, sizeof *p->consts);
    if (parse_const(c, opnode, sub, &p->consts[0]) != 0) goto fail;
    p->n_consts = 1;
  }
  if (p->mod) {
    for (size_t i = 0; i < p->n_consts; i++)
      if (p->consts[i].type != RS_V_INT) {
        perr(c, opnode, sub, "with 'mod' the value must be an integer");
        goto fail;
      }
  }
  return p;
fail:
  rs_pred_free(p);
  return NULL;
}

/* ---- sections ---------------------------------------------------------- */

/* The time: section. */
static int parse_time(pctx *c, const yt_node *n) {
  rs_job *j = c->job;
  j->tick_ms = 10;
  if (!n) return 0;
  static const char *const keys[] = {"mode", "out_of_orderness_ms", "allowed_lateness_ms",
                                     "processing_tick_ms", NULL};
  static const char *const modes[] = {"event", "processing", NULL};
  int mode;
  if (want_map(c, n, "time") != 0 || check_keys(c, n, "time", keys) != 0) return -1;
  if (get_enum(c, n, "time", "mode", 0, modes, &mode) != 0) return -1;
  j->time_mode = (rs_time_mode)mode;
  if (get_int(c, n, "time", "out_of_orderness_ms", 0, 0, &j->out_of_orderness_ms) != 0) return -1;
  if (get_int(c, n, "time", "allowed_lateness_ms", 0, 0, &j->allowed_lateness_ms) != 0) return -1;
  if (get_int(c, n, "time", "processing_tick_ms", 10, 1, &j->tick_ms) != 0) return -1;
  return 0;
}

/* One entry of sources: with its per-format field choices. */
static int parse_source(pctx *c, const yt_node *n, const char *path, rs_source_cfg *s) {
  static const char *const keys[] = {"name", "topic", "topics", "format", "key", "time", "value",
                                     "start", "idle_timeout_ms", "idle_advance", NULL};
  static const char *const formats[] = {"identity", "json", NULL};
  static const char *const starts[] = {"earliest", "latest", NULL};
  static const char *const idle[] = {"wall", "inputs", "end", NULL};
  static const char *const id_keys[] = {"key_id", "writer", "topic", NULL};
  static const char *const id_times[] = {"event_time_ms", NULL};
  static const char *const id_values[] = {"seq", "size", "writer", "topic", "key_id",
                                          "event_time_ms", NULL};
  static const char *const key_special[] = {"kafka_key", "none", NULL};
  static const char *const time_special[] = {"kafka_timestamp", NULL};
  static const char *const value_special[] = {"one", NULL};
  if (want_map(c, n, path) != 0 || check_keys(c, n, path, keys) != 0) return -1;
  s->line = n->line;
  const char *name = NULL;
  if (get_str(c, n, path, "name", NULL, &name) != 0) return -1;
  if (!name) return perr(c, n, path, "missing 'name'");
  s->name = sp_strdup(name);
  const yt_node *topic = yt_get(n, "topic"), *topics = yt_get(n, "topics");
  if (!!topic == !!topics) return perr(c, n, path, "give exactly one of 'topic' and 'topics'");
  if (topic) {
    const char *t = NULL;
    if (get_str(c, n, path, "topic", NULL, &t) != 0) return -1;
    s->topics = sp_calloc(1, sizeof *s->topics);
    s->topics[0] = sp_strdup(t);
    s->n_topics = 1;
  } else {
    char p[256];
    snprintf(p, sizeof p, "%.200s.topics", path);
    if (topics->type != YT_SEQ || topics->n == 0)
      return perr(c, topics, p, "expected a non-empty list of topic names");
    s->topics = sp_calloc(topics->n, sizeof *s->topics);
    for (size_t i = 0; i < topics->n; i++) {
      const char *t = NULL;
      if (scalar_of(c, topics->items[i], p, &t) != 0) return -1;
      if (!*t) return perr(c, topics->items[i], p, "empty topic name");
      s->topics[s->n_topics++] = sp_strdup(t);
    }
  }
  int fmt, start, adv;
  if (!yt_get(n, "format")) return perr(c, n, path, "missing 'format' (identity or json)");
  if (get_enum(c, n, path, "format", 0, formats, &fmt) != 0) return -1;
  s->format = (rs_format)fmt;
  int json = fmt == RS_FMT_JSON;
  if (source_field(c, n, path, "key", s->format, json ? "key" : "key_id", id_keys, key_special,
                   &s->key) != 0)
    return -1;
  if (c->job->time_mode == RS_TIME_PROCESSING) {
    s->time.id = RS_F_NONE; /* processing time: the event's own time is not read */
  } else if (source_field(c, n, path, "time", s->format, json ? "ts" : "event_time_ms", id_times,
                          time_special, &s->time) != 0) {
    return -1;
  }
  if (source_field(c, n, path, "value", s->format, json ? "value" : "seq", id_values,
                   value_special, &s->value) != 0)
    return -1;
  if (get_enum(c, n, path, "start", 0, starts, &start) != 0) return -1;
  s->start_latest = start;
  if (get_int(c, n, path, "idle_timeout_ms", 0, 0, &s->idle_timeout_ms) != 0) return -1;
  if (get_enum(c, n, path, "idle_advance", RS_IDLE_WALL, idle, &adv) != 0) return -1;
  s->idle_advance = (rs_idle_advance)adv;
  return 0;
}

/* The index of the source named `name`, or -1 with a located error. */
static int source_index(pctx *c, const yt_node *at, const char *path, const char *name) {
  for (int i = 0; i < c->job->n_sources; i++)
    if (strcmp(c->job->sources[i].name, name) == 0) return i;
  return perr(c, at, path, "no source named '%s'", name);
}

/* The options of a window operator. */
static int parse_window(pctx *c, const yt_node *n, const char *path, rs_op_cfg *op) {
  static const char *const keys[] = {"type", "by", "size_ms", "advance_ms", "gap_ms", "offset_ms",
                                     "size", "advance", "aggregate", "value", NULL};
  static const char *const types[] = {"tumbling", "hopping", "sliding", "session", NULL};
  static const char *const bys[] = {"time", "count", NULL};
  static const char *const aggs[] = {"count", "sum", "min", "max", "avg", NULL};
  static const char *const values[] = {"count", "sum", "min", "max", NULL};
  int type, by, value;
  if (want_map(c, n, path) != 0 || check_keys(c, n, path, keys) != 0) return -1;
  if (!yt_get(n, "type")) return perr(c, n, path, "missing 'type' (tumbling, hopping, sliding or session)");
  if (get_enum(c, n, path, "type", 0, types, &type) != 0) return -1;
  if (get_enum(c, n, path, "by", 0, bys, &by) != 0) return -1;
  op->win = (rs_win_type)type;
  op->by_count = by;
  if (by) {
    if (type == RS_WIN_SESSION) return perr(c, n, path, "session windows are by time only");
    const char *bad[] = {"size_ms", "advance_ms", "gap_ms", "offset_ms"};
    for (int i = 0; i < 4; i++)
      if (yt_get(n, bad[i]))
        return perr(c, yt_get(n, bad[i]), path, "'%s' is for time windows; count windows take "
                    "'size' and 'advance'", bad[i]);
    if (!yt_get(n, "size")) return perr(c, n, path, "missing 'size' (records per window)");
    if (get_int(c, n, path, "size", 0, 1, &op->size) != 0) return -1;
    if (type == RS_WIN_HOPPING) {
      if (!yt_get(n, "advance")) return perr(c, n, path, "hopping windows need 'advance'");
      if (get_int(c, n, path, "advance", 0, 1, &op->advance) != 0) return -1;
      if (op->advance > op->size)
        return perr(c, yt_get(n, "advance"), path, "advance must not exceed size");
    } else {
      if (yt_get(n, "advance"))
        return perr(c, yt_get(n, "advance"), path, "'advance' is only for hopping windows");
      op->advance = type == RS_WIN_SLIDING ? 1 : op->size;
    }
  } else {
    if (yt_get(n, "size") || yt_get(n, "advance"))
      return perr(c, n, path, "'size'/'advance' are for count windows (by: count); time "
                  "windows take size_ms/advance_ms");
    if (type == RS_WIN_SESSION) {
      if (!yt_get(n, "gap_ms")) return perr(c, n, path, "session windows need 'gap_ms'");
      if (get_int(c, n, path, "gap_ms", 0, 1, &op->gap) != 0) return -1;
      if (yt_get(n, "size_ms") || yt_get(n, "advance_ms") || yt_get(n, "offset_ms"))
        return perr(c, n, path, "session windows take only 'gap_ms'");
    } else {
      if (yt_get(n, "gap_ms")) return perr(c, yt_get(n, "gap_ms"), path, "'gap_ms' is for session windows");
      if (!yt_get(n, "size_ms")) return perr(c, n, path, "missing 'size_ms'");
      if (get_int(c, n, path, "size_ms", 0, 1, &op->size) != 0) return -1;
      if (type == RS_WIN_HOPPING) {
        if (!yt_get(n, "advance_ms")) return perr(c, n, path, "hopping windows need 'advance_ms'");
        if (get_int(c, n, path, "advance_ms", 0, 1, &op->advance) != 0) return -1;
        if (op->advance > op->size)
          return perr(c, yt_get(n, "advance_ms"), path, "advance_ms must not exceed size_ms");
      } else {
        if (yt_get(n, "advance_ms"))
          return perr(c, yt_get(n, "advance_ms"), path, "'advance_ms' is only for hopping windows");
        op->advance = op->size;
      }
      if (type == RS_WIN_SLIDING && yt_get(n, "offset_ms"))
        return perr(c, yt_get(n, "offset_ms"), path, "sliding windows have no offset");
      if (get_int(c, n, path, "offset_ms", 0, 0, &op->offset) != 0) return -1;
      if (op->offset >= op->advance)
        return perr(c, yt_get(n, "offset_ms"), path, "offset_ms must be smaller than %s",
                    type == RS_WIN_HOPPING ? "advance_ms" : "size_ms");
    }
  }
  const yt_node *a = yt_get(n, "aggregate");
  if (!a) {
    op->aggs = RS_AGG_COUNT | RS_AGG_SUM | RS_AGG_MIN | RS_AGG_MAX | RS_AGG_AVG;
  } else {
    char p[256];
    snprintf(p, sizeof p, "%.200s.aggregate", path);
    if (a->type != YT_SEQ || !a->n) return perr(c, a, p, "expected a non-empty list of count, sum, min, max, avg");
    for (size_t i = 0; i < a->n; i++) {
      const char *s = NULL;
      if (scalar_of(c, a->items[i], p, &s) != 0) return -1;
      int k = -1;
      for (int m = 0; aggs[m]; m++)
        if (strcmp(aggs[m], s) == 0) k = m;
      if (k < 0) return perr(c, a->items[i], p, "'%s' is not one of count, sum, min, max, avg", s);
      op->aggs |= 1u << k;
    }
  }
  if (get_enum(c, n, path, "value", 0, values, &value) != 0) return -1;
  static const rs_field_id vids[] = {RS_F_COUNT, RS_F_SUM, RS_F_MIN, RS_F_MAX};
  op->result_value = vids[value];
  return 0;
}

/* One pipeline step. */
static int parse_op(pctx *c, const yt_node *item, const char *path, rs_op_cfg *op) {
  static const char *const names[] = {"filter", "transform", "threshold", "window",
                                      "join", "enrich", "pattern", "reorder", NULL};
  if (want_map(c, item, path) != 0) return -1;
  if (item->n != 1)
    return perr(c, item, path, "each pipeline step is a map with one operator name "
                "(filter, transform, threshold, window, join, enrich, pattern, reorder)");
  if (check_keys(c, item, path, names) != 0) return -1;
  const char *name = item->items[0]->scalar;
  const yt_node *n = item->items[1];
  char p[256];
  snprintf(p, sizeof p, "%.200s.%.20s", path, name);
  op->line = item->line;
  for (int i = 0; names[i]; i++)
    if (strcmp(names[i], name) == 0) op->kind = (rs_op_kind)i;
  switch (op->kind) {
  case RS_OP_FILTER:
    op->where = parse_pred(c, n, p, 0);
    return op->where ? 0 : -1;
  case RS_OP_TRANSFORM: {
    static const char *const keys[] = {"key", "value", "value_mul", "value_add", NULL};
    if (want_map(c, n, p) != 0 || check_keys(c, n, p, keys) != 0) return -1;
    if (!n->n) return perr(c, n, p, "a transform needs 'key' and/or 'value'");
    op->has_key = yt_get(n, "key") != NULL;
    op->has_value = yt_get(n, "value") != NULL;
    if (get_field(c, n, p, "key", NULL, &op->new_key) != 0) return -1;
    if (get_field(c, n, p, "value", NULL, &op->new_value) != 0) return -1;
    if (get_int(c, n, p, "value_mul", 1, INT64_MIN / 2, &op->value_mul) != 0) return -1;
    return get_int(c, n, p, "value_add", 0, INT64_MIN / 2, &op->value_add);
  }
  case RS_OP_THRESHOLD: {
    static const char *const keys[] = {"field", "above", "mode", "emit_fall", NULL};
    static const char *const modes[] = {"level", "crossing", NULL};
    if (want_map(c, n, p) != 0 || check_keys(c, n, p, keys) != 0) return -1;
    if (get_field(c, n, p, "field", "value", &op->th_field) != 0) return -1;
    const yt_node *above = yt_get(n, "above");
    if (!above) return perr(c, n, p, "missing 'above' (the threshold)");
    rs_const k;
    char pa[256];
    snprintf(pa, sizeof pa, "%.200s.above", p);
    if (parse_const(c, above, pa, &k) != 0) return -1;
    if (k.type == RS_V_STR) {
      free(k.s);
      return perr(c, above, pa, "expected a number");
    }
    op->th_above = k.type == RS_V_INT ? (double)k.i : k.d;
    if (get_enum(c, n, p, "mode", 0, modes, &op->th_crossing) != 0) return -1;
    if (get_bool(c, n, p, "emit_fall", 0, &op->th_emit_fall) != 0) return -1;
    if (op->th_emit_fall && !op->th_crossing)
      return perr(c, yt_get(n, "emit_fall"), p, "emit_fall needs mode: crossing");
    return 0;
  }
  case RS_OP_WINDOW: return parse_window(c, n, p, op);
  case RS_OP_JOIN: {
    static const char *const keys[] = {"with", "type", "within_ms", "before_ms", "after_ms", NULL};
    static const char *const types[] = {"inner", "left", NULL};
    const char *with = NULL;
    int64_t within;
    if (want_map(c, n, p) != 0 || check_keys(c, n, p, keys) != 0) return -1;
    if (get_str(c, n, p, "with", NULL, &with) != 0) return -1;
    if (!with) return perr(c, n, p, "missing 'with' (the source to join)");
    if ((op->other = source_index(c, yt_get(n, "with"), p, with)) < 0) return -1;
    if (get_enum(c, n, p, "type", 0, types, &op->outer) != 0) return -1;
    if (get_int(c, n, p, "within_ms", -1, 0, &within) != 0) return -1;
    if (within < 0 && !yt_get(n, "before_ms") && !yt_get(n, "after_ms"))
      return perr(c, n, p, "give 'within_ms' or 'before_ms'/'after_ms'");
    if (get_int(c, n, p, "before_ms", within < 0 ? 0 : within, 0, &op->before_ms) != 0) return -1;
    return get_int(c, n, p, "after_ms", within < 0 ? 0 : within, 0, &op->after_ms);
  }
  case RS_OP_ENRICH: {
    static const char *const keys[] = {"table", "type", NULL};
    static const char *const types[] = {"inner", "left", NULL};
    const char *table = NULL;
    if (want_map(c, n, p) != 0 || check_keys(c, n, p, keys) != 0) return -1;
    if (get_str(c, n, p, "table", NULL, &table) != 0) return -1;
    if (!table) return perr(c, n, p, "missing 'table' (the source holding the table)");
    if ((op->other = source_index(c, yt_get(n, "table"), p, table)) < 0) return -1;
    return get_enum(c, n, p, "type", 0, types, &op->outer);
  }
  case RS_OP_PATTERN: {
    static const char *const keys[] = {"first", "then", "within_ms", "emit", NULL};
    static const char *const emits[] = {"matches", "absences", "both", NULL};
    int emit;
    char sub[256];
    if (want_map(c, n, p) != 0 || check_keys(c, n, p, keys) != 0) return -1;
    if (!yt_get(n, "first") || !yt_get(n, "then") || !yt_get(n, "within_ms"))
      return perr(c, n, p, "a pattern needs 'first', 'then' and 'within_ms'");
    snprintf(sub, sizeof sub, "%.200s.first", p);
    if (!(op->first = parse_pred(c, yt_get(n, "first"), sub, 0))) return -1;
    snprintf(sub, sizeof sub, "%.200s.then", p);
    if (!(op->then = parse_pred(c, yt_get(n, "then"), sub, 0))) return -1;
    if (get_int(c, n, p, "within_ms", 0, 0, &op->within_ms) != 0) return -1;
    if (get_enum(c, n, p, "emit", 0, emits, &emit) != 0) return -1;
    op->emit_matches = emit != 1;
    op->emit_absences = emit != 0;
    return 0;
  }
  case RS_OP_REORDER:
    if (n->type == YT_SCALAR && !n->scalar[0]) return 0; /* "reorder:" */
    if (want_map(c, n, p) != 0) return -1;
    if (n->n) return perr(c, n->items[0], p, "reorder takes no options (its bound is "
                          "time.out_of_orderness_ms)");
    return 0;
  }
  return -1;
}

/* Whether an operator keeps state (its output depends on record order). */
static int op_is_stateful(const rs_op_cfg *op) {
  return op->kind == RS_OP_WINDOW || op->kind == RS_OP_JOIN || op->kind == RS_OP_ENRICH ||
         op->kind == RS_OP_PATTERN || op->kind == RS_OP_REORDER ||
         (op->kind == RS_OP_THRESHOLD && op->th_crossing);
}

/* Cross-checks: sources used once, at most one two-input operator and no
 * stateful operator after it (README.md, "Determinism"). */
static int validate(pctx *c, const yt_node *root) {
  rs_job *j = c->job;
  const yt_node *pipe = yt_get(root, "pipeline");
  int multi = -1, seen_window = -1;
  int *used = sp_calloc((size_t)j->n_sources, sizeof *used);
  int rc = 0;
  char p[64];
  for (int i = 0; i < j->n_ops && rc == 0; i++) {
    rs_op_cfg *op = &j->ops[i];
    const yt_node *at = pipe->items[i];
    snprintf(p, sizeof p, "pipeline[%d]", i);
    if (op->kind == RS_OP_JOIN || op->kind == RS_OP_ENRICH) {
      if (multi >= 0)
        rc = perr(c, at, p, "only one join or enrich per job (pipeline[%d] is one already)", multi);
      else if (op->other == 0)
        rc = perr(c, at, p, "cannot join the main source (sources[0]) with itself");
      else if (used[op->other]++)
        rc = perr(c, at, p, "source '%s' is used twice", j->sources[op->other].name);
      multi = i;
    } else if (multi >= 0 && op_is_stateful(op)) {
      rc = perr(c, at, p, "a stateful operator (%s) cannot follow a join or enrich: its input "
                "order would depend on how the two inputs interleave", rs_op_kind_name(op->kind));
    }
    if (rc == 0 && seen_window >= 0 && (op->kind == RS_OP_JOIN || op->kind == RS_OP_ENRICH ||
                                        op->kind == RS_OP_PATTERN || op->kind == RS_OP_REORDER)) {
      rc = perr(c, at, p, "%s works on input events; it cannot follow the window at "
                "pipeline[%d]", rs_op_kind_name(op->kind), seen_window);
    }
    if (op->kind == RS_OP_WINDOW && seen_window < 0) seen_window = i;
  }
  if (rc == 0 && multi >= 0 && j->sources[0].n_topics != 1)
    rc = perr(c, NULL, "sources[0]", "a job with a join or enrich reads one main topic (it is "
              "co-partitioned with the other source)");
  for (int i = 1; i < j->n_sources && rc == 0; i++) {
    if (!used[i]) {
      rc = perr(c, NULL, "sources", "source '%s' (sources[%d]) is not used by any join or enrich; "
                "the main source is sources[0]", j->sources[i].name, i);
    } else if (j->sources[i].n_topics != 1) {
      rc = perr(c, NULL, "sources", "source '%s' must name one topic: it is co-partitioned with "
                "the main source", j->sources[i].name);
    }
  }
  for (int i = 0; i < j->n_sources && rc == 0; i++)
    for (int k = 0; k < i && rc == 0; k++)
      if (strcmp(j->sources[i].name, j->sources[k].name) == 0)
        rc = perr(c, NULL, "sources", "two sources are named '%s'", j->sources[i].name);
  free(used);
  return rc;
}

/* The whole job document. */
static int parse_root(pctx *c, const yt_node *root) {
  rs_job *j = c->job;
  static const char *const keys[] = {"name", "time", "sources", "pipeline", "sinks", NULL};
  if (want_map(c, root, "job") != 0 || check_keys(c, root, "job", keys) != 0) return -1;
  const char *name = NULL;
  if (get_str(c, root, "job", "name", NULL, &name) != 0) return -1;
  if (!name) return perr(c, root, "job", "missing 'name'");
  j->name = sp_strdup(name);
  if (parse_time(c, yt_get(root, "time")) != 0) return -1;

  const yt_node *srcs = yt_get(root, "sources");
  if (!srcs || srcs->type != YT_SEQ || !srcs->n)
    return perr(c, srcs ? srcs : root, "sources", "expected a non-empty list of sources");
  j->sources = sp_calloc(srcs->n, sizeof *j->sources);
  for (size_t i = 0; i < srcs->n; i++) {
    char p[64];
    snprintf(p, sizeof p, "sources[%zu]", i);
    j->n_sources++;
    if (parse_source(c, srcs->items[i], p, &j->sources[i]) != 0) return -1;
  }

  const yt_node *pipe = yt_get(root, "pipeline");
  if (!pipe || pipe->type != YT_SEQ)
    return perr(c, pipe ? pipe : root, "pipeline", "expected a list of operators (it may be empty: [])");
  j->ops = sp_calloc(pipe->n ? pipe->n : 1, sizeof *j->ops);
  for (size_t i = 0; i < pipe->n; i++) {
    char p[64];
    snprintf(p, sizeof p, "pipeline[%zu]", i);
    j->n_ops++;
    if (parse_op(c, pipe->items[i], p, &j->ops[i]) != 0) return -1;
  }

  const yt_node *sinks = yt_get(root, "sinks");
  static const char *const skeys[] = {"output", "late", "errors", NULL};
  if (!sinks) return perr(c, root, "sinks", "missing 'sinks' (at least sinks.output)");
  if (want_map(c, sinks, "sinks") != 0 || check_keys(c, sinks, "sinks", skeys) != 0) return -1;
  const char *out = NULL, *late = NULL, *errs = NULL;
  if (get_str(c, sinks, "sinks", "output", NULL, &out) != 0) return -1;
  if (!out) return perr(c, sinks, "sinks", "missing 'output' (the result topic)");
  if (get_str(c, sinks, "sinks", "late", NULL, &late) != 0) return -1;
  if (get_str(c, sinks, "sinks", "errors", NULL, &errs) != 0) return -1;
  j->sink_output = sp_strdup(out);
  j->sink_late = late ? sp_strdup(late) : NULL;
  j->sink_errors = errs ? sp_strdup(errs) : NULL;
  return validate(c, root);
}

/* Builds the job from a loaded document (frees the document). */
static rs_job *finish(const char *name, yt_node *root, uint64_t fp, char *err, size_t errlen) {
  if (!root) return NULL;
  rs_job *j = sp_calloc(1, sizeof *j);
  j->path = sp_strdup(name);
  j->fingerprint = fp;
  pctx c = {name, err, errlen, j};
  int rc = parse_root(&c, root);
  yt_free(root);
  if (rc != 0) {
    rs_job_free(j);
    return NULL;
  }
  return j;
}

rs_job *rs_job_load(const char *path, char *err, size_t errlen) {
  uint64_t fp = 0;
  yt_node *root = yt_load_file(path, &fp, err, errlen);
  return finish(path, root, fp, err, errlen);
}

rs_job *rs_job_parse(const char *name, const char *yaml, char *err, size_t errlen) {
  uint64_t fp = 0;
  yt_node *root = yt_load_string(name, yaml, &fp, err, errlen);
  return finish(name, root, fp, err, errlen);
}

void rs_job_free(rs_job *j) {
  if (!j) return;
  for (int i = 0; i < j->n_sources; i++) {
    rs_source_cfg *s = &j->sources[i];
    free(s->name);
    for (int t = 0; t < s->n_topics; t++) free(s->topics[t]);
    free(s->topics);
    free(s->key.path);
    free(s->time.path);
    free(s->value.path);
  }
  free(j->sources);
  for (int i = 0; i < j->n_ops; i++) {
    rs_op_cfg *op = &j->ops[i];
    rs_pred_free(op->where);
    rs_pred_free(op->first);
    rs_pred_free(op->then);
    free(op->new_key.path);
    free(op->new_value.path);
    free(op->th_field.path);
  }
  free(j->ops);
  free(j->name);
  free(j->path);
  free(j->sink_output);
  free(j->sink_late);
  free(j->sink_errors);
  free(j);
}

const char *rs_op_kind_name(rs_op_kind k) {
  static const char *const names[] = {"filter", "transform", "threshold", "window",
                                      "join", "enrich", "pattern", "reorder"};
  return names[k];
}

const char *rs_win_type_name(rs_win_type w) {
  static const char *const names[] = {"tumbling", "hopping", "sliding", "session"};
  return names[w];
}
