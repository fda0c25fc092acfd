/* workload_parse.c: matching YAML nodes against field tables; scalar
 * conversions; marks; error messages. See workload_priv.h. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mem.h"
#include "sp_assert.h"
#include "workload_priv.h"

_Static_assert(sizeof(delivery_semantics) == sizeof(int), "enums are stored through int *");

/* ---- errors ------------------------------------------------------------ */

/* Formats "file:line:col: " for node n (or "--set key: " while a --set value
 * is parsed) followed by the message. Only the first error is kept: later
 * ones are usually consequences. Returns -1 for `return wl_error(...)`. */
int wl_error(pctx *c, yaml_node_t *n, const char *fmt, ...) {
  if (c->failed) return -1;
  c->failed = 1;
  int k;
  if (c->set_key) k = snprintf(c->err, c->err_len, "--set %s: ", c->set_key);
  else if (n)
    k = snprintf(c->err, c->err_len, "%s:%zu:%zu: ", c->file, n->start_mark.line + 1,
                 n->start_mark.column + 1);
  else k = snprintf(c->err, c->err_len, "%s: ", c->file);
  if (k < 0 || (size_t)k >= c->err_len) return -1;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->err + k, c->err_len - (size_t)k, fmt, ap);
  va_end(ap);
  return -1;
}

/* "a mapping", "a list", ...: what a node is, for type errors. */
const char *wl_node_kind(yaml_node_t *n) {
  switch (n->type) {
  case YAML_SCALAR_NODE: return wl_is_null(n) ? "nothing (null)" : "a scalar";
  case YAML_SEQUENCE_NODE: return "a list";
  case YAML_MAPPING_NODE: return "a mapping";
  default: return "nothing";
  }
}

/* A plain (unquoted) empty, ~ or null scalar: YAML's null. */
int wl_is_null(yaml_node_t *n) {
  if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return 0;
  const char *s = (const char *)n->data.scalar.value;
  return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

/* The text of a scalar node; NULL with an error for a mapping or list. */
const char *wl_scalar(pctx *c, yaml_node_t *n) {
  if (n->type != YAML_SCALAR_NODE) {
    wl_error(c, n, "'%s' must be a single value, got %s", c->path, wl_node_kind(n));
    return NULL;
  }
  return (const char *)n->data.scalar.value;
}

/* ---- paths and marks ---------------------------------------------------- */

/* Appends ".name" to the dotted path; returns the length to pop back to. */
size_t wl_path_push(pctx *c, const char *name) {
  size_t old = strlen(c->path);
  snprintf(c->path + old, sizeof c->path - old, "%s%s", old ? "." : "", name);
  return old;
}

/* Appends "[i]" (a list entry) to the path. */
size_t wl_path_push_index(pctx *c, size_t i) {
  size_t old = strlen(c->path);
  snprintf(c->path + old, sizeof c->path - old, "[%zu]", i);
  return old;
}

void wl_path_pop(pctx *c, size_t old_len) { c->path[old_len] = '\0'; }

/* Records that c->path was set, at key_node (or by the current --set). A
 * key set twice (file, then --set) keeps the latest place. */
void wl_mark_set(pctx *c, yaml_node_t *key_node) {
  wl_marks *m = c->w->marks;
  wl_mark *k = (wl_mark *)wl_mark_find(c->w, c->path);
  if (!k) {
    if (m->n == m->cap) {
      m->cap = m->cap ? 2 * m->cap : 32;
      m->v = sp_realloc(m->v, m->cap * sizeof *m->v);
    }
    k = &m->v[m->n++];
    memset(k, 0, sizeof *k);
    k->path = sp_strdup(c->path);
  }
  free(k->file);
  free(k->set_key);
  k->file = k->set_key = NULL;
  if (c->set_key) {
    k->set_key = sp_strdup(c->set_key);
  } else {
    k->file = sp_strdup(c->file);
    k->line = key_node ? (int)key_node->start_mark.line + 1 : 1;
    k->col = key_node ? (int)key_node->start_mark.column + 1 : 1;
  }
}

/* The mark of exactly `path`, or NULL when the key was not given. */
const wl_mark *wl_mark_find(const workload *w, const char *path) {
  const wl_marks *m = w->marks;
  if (!m) return NULL;
  for (size_t i = 0; i < m->n; i++)
    if (!strcmp(m->v[i].path, path)) return &m->v[i];
  return NULL;
}

/* Forgets path and everything under it (a --set replacing a whole value). */
void wl_marks_drop_prefix(workload *w, const char *path) {
  wl_marks *m = w->marks;
  size_t len = strlen(path), j = 0;
  for (size_t i = 0; i < m->n; i++) {
    const char *p = m->v[i].path;
    int under = !strncmp(p, path, len) && (p[len] == '\0' || p[len] == '.' || p[len] == '[');
    if (under) {
      free(m->v[i].path);
      free(m->v[i].file);
      free(m->v[i].set_key);
    } else {
      m->v[j++] = m->v[i];
    }
  }
  m->n = j;
}

/* Frees the private part (marks, kept text, --set list). */
void wl_marks_free(workload *w) {
  wl_marks *m = w->marks;
  if (!m) return;
  for (size_t i = 0; i < m->n; i++) {
    free(m->v[i].path);
    free(m->v[i].file);
    free(m->v[i].set_key);
  }
  free(m->v);
  free(m->text);
  for (size_t i = 0; i < m->n_sets; i++) free(m->sets[i]);
  free(m->sets);
  free(m);
  w->marks = NULL;
}

/* "file:line:col" or "--set key" for an error prefix. */
void wl_loc_of_mark(const workload *w, const wl_mark *m, char *buf, size_t len) {
  if (m && m->set_key) snprintf(buf, len, "--set %s", m->set_key);
  else if (m) snprintf(buf, len, "%s:%d:%d", m->file, m->line, m->col);
  else snprintf(buf, len, "%s", w->path ? w->path : "workload");
}

/* ---- suggestions -------------------------------------------------------- */

/* Case-insensitive Levenshtein distance, capped at 100 characters. */
static size_t edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 100 || lb > 100) return 100;
  size_t row[101];
  for (size_t j = 0; j <= lb; j++) row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      size_t cost = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]) ? 0 : 1;
      size_t best = diag + cost;
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[lb];
}

/* The closest name, if within about a third of the word's length in edits:
 * "did you mean" for typos, silence for unrelated words. */
const char *wl_suggest(const char *word, const char *const *names, size_t n) {
  const char *best = NULL;
  size_t best_d = (size_t)-1;
  size_t limit = strlen(word) / 3 + 1;
  if (limit < 2) limit = 2;
  for (size_t i = 0; i < n; i++) {
    size_t d = edit_distance(word, names[i]);
    if (d < best_d) {
      best_d = d;
      best = names[i];
    }
  }
  return best && best_d <= limit ? best : NULL;
}

/* The table row for key `name` (case-sensitive, as OMB's Jackson is). */
const field *wl_find(const ftable *t, const char *name) {
  for (size_t i = 0; i < t->n; i++)
    if (!strcmp(t->fields[i].name, name)) return &t->fields[i];
  return NULL;
}

/* ---- scalar conversions ------------------------------------------------- */

/* Copies s without '_' digit separators (YAML 1.1 allows 1_000_000). */
static int strip_underscores(const char *s, char *out, size_t len) {
  size_t j = 0;
  for (size_t i = 0; s[i]; i++) {
    if (s[i] == '_' && i > 0 && isdigit((unsigned char)s[i - 1]) && isdigit((unsigned char)s[i + 1]))
      continue;
    if (j + 1 >= len) return -1;
    out[j++] = s[i];
  }
  out[j] = '\0';
  return j ? 0 : -1;
}

/* A finite decimal number (underscores between digits allowed). */
int wl_to_num(const char *s, double *out) {
  char buf[64];
  if (strip_underscores(s, buf, sizeof buf)) return -1;
  char *end;
  errno = 0;
  double v = strtod(buf, &end);
  if (end == buf || *end || errno == ERANGE || !isfinite(v)) return -1;
  /* strtod also takes hex floats and "infinity"; a workload has no use */
  for (const char *p = buf; *p; p++)
    if (isalpha((unsigned char)*p) && *p != 'e' && *p != 'E') return -1;
  *out = v;
  return 0;
}

/* A whole number; "1e6" and "5.0" count as whole. */
int wl_to_int(const char *s, int64_t *out) {
  char buf[64];
  if (strip_underscores(s, buf, sizeof buf)) return -1;
  char *end;
  errno = 0;
  long long v = strtoll(buf, &end, 10);
  if (end != buf && !*end && errno == 0) {
    *out = v;
    return 0;
  }
  double d; /* 1e6 and 5.0 are integers too */
  if (wl_to_num(s, &d) || d != floor(d) || fabs(d) > 9.0e15) return -1;
  *out = (int64_t)d;
  return 0;
}

/* An unsigned 64-bit number, decimal or 0x hex (seeds). */
int wl_to_u64(const char *s, uint64_t *out) {
  char buf[64];
  if (strip_underscores(s, buf, sizeof buf) || buf[0] == '-' || buf[0] == '+') return -1;
  char *end;
  errno = 0;
  int base = buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X') ? 16 : 10;
  unsigned long long v = strtoull(buf, &end, base);
  if (end == buf || *end || errno) return -1;
  *out = v;
  return 0;
}

/* YAML 1.1 booleans, as OMB's SnakeYAML reads them: true/yes/on, false/no/off. */
int wl_to_bool(const char *s, int *out) {
  static const char *const yes[] = {"true", "yes", "on"}, *const no[] = {"false", "no", "off"};
  for (int i = 0; i < 3; i++) {
    if (!strcasecmp(s, yes[i])) return *out = 1, 0;
    if (!strcasecmp(s, no[i])) return *out = 0, 0;
  }
  return -1;
}

/* A whole byte count with an optional unit suffix (binary or decimal). */
int wl_to_bytes(const char *s, int64_t *out) {
  static const struct { const char *suffix; double mult; } units[] = {
      {"B", 1},         {"KiB", 1024.0},  {"MiB", 1048576.0}, {"GiB", 1073741824.0},
      {"TiB", 1099511627776.0}, {"kB", 1e3}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}};
  char buf[64];
  if (strip_underscores(s, buf, sizeof buf)) return -1;
  char *end;
  errno = 0;
  double v = strtod(buf, &end);
  if (end == buf || errno || !isfinite(v)) return -1;
  while (*end == ' ') end++;
  double mult = 1;
  if (*end) {
    size_t i;
    for (i = 0; i < sizeof units / sizeof units[0]; i++)
      if (!strcmp(end, units[i].suffix)) break;
    if (i == sizeof units / sizeof units[0]) return -1;
    mult = units[i].mult;
  }
  double b = v * mult;
  if (b != floor(b) || fabs(b) > 9.0e18) return -1;
  *out = (int64_t)b;
  return 0;
}

/* ---- fields -------------------------------------------------------------- */

static const char *unit_sp(const field *f) { return f->unit ? " " : ""; }
static const char *unit_of(const field *f) { return f->unit ? f->unit : ""; }

/* Checks v against the field's range, with a message that says the bound. */
static int check_range(pctx *c, yaml_node_t *n, const field *f, double v) {
  if ((f->flags & FL_MINUS_ONE) && v == -1) return 0;
  int low = (f->flags & FL_MIN_EXCLUSIVE) ? !(v > f->min) : !(v >= f->min);
  if (low) {
    const char *extra = (f->flags & FL_MINUS_ONE) ? " (or -1 for unlimited)" : "";
    if (f->flags & FL_MIN_EXCLUSIVE)
      return wl_error(c, n, "'%s' must be greater than %.15g%s%s%s, got %.15g", c->path, f->min,
                      unit_sp(f), unit_of(f), extra, v);
    return wl_error(c, n, "'%s' must be at least %.15g%s%s%s, got %.15g", c->path, f->min,
                    unit_sp(f), unit_of(f), extra, v);
  }
  if (!(v <= f->max))
    return wl_error(c, n, "'%s' must be at most %.15g%s%s, got %.15g", c->path, f->max,
                    unit_sp(f), unit_of(f), v);
  return 0;
}

/* A number node checked against field f's range. */
int wl_parse_number(pctx *c, yaml_node_t *n, const field *f, double *out) {
  const char *s = wl_scalar(c, n);
  if (!s) return -1;
  if (wl_to_num(s, out)) return wl_error(c, n, "'%s' must be a number, got '%s'", c->path, s);
  return check_range(c, n, f, *out);
}

/* One of f's names (exact case); the error lists them and suggests one. */
static int parse_enum(pctx *c, yaml_node_t *n, const field *f, int *out) {
  const char *s = wl_scalar(c, n);
  if (!s) return -1;
  size_t count = 0;
  for (; f->enum_names[count]; count++)
    if (!strcmp(s, f->enum_names[count])) return *out = (int)count, 0;
  char list[256] = "";
  for (size_t i = 0; i < count; i++) {
    size_t l = strlen(list);
    snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", f->enum_names[i]);
  }
  const char *hint = wl_suggest(s, f->enum_names, count);
  if (hint)
    return wl_error(c, n, "'%s' must be one of %s, got '%s' (did you mean '%s'?)", c->path, list,
                    s, hint);
  return wl_error(c, n, "'%s' must be one of %s, got '%s'", c->path, list, s);
}

/* Resets a nullable field to "not set". */
static void set_null(const field *f, void *dst) {
  switch (f->type) {
  case F_STR: free(*(char **)dst); *(char **)dst = NULL; break;
  case F_INT: case F_BYTES: *(int64_t *)dst = 0; break;
  case F_NUM: *(double *)dst = 0; break;
  default: SP_PANIC("nullable field of this type");
  }
}

/* Parses node n as field f into dst (the field's storage): the one place
 * that knows every field type. */
int wl_parse_field(pctx *c, const field *f, yaml_node_t *n, void *dst) {
  if (wl_is_null(n) && f->type != F_CUSTOM && f->type != F_MAP) {
    if (f->flags & FL_NULLABLE) return set_null(f, dst), 0;
    return wl_error(c, n, "'%s' needs a value", c->path);
  }
  const char *s;
  double d;
  int64_t i;
  switch (f->type) {
  case F_STR:
    if (!(s = wl_scalar(c, n))) return -1;
    free(*(char **)dst);
    *(char **)dst = sp_strdup(s);
    return 0;
  case F_BOOL:
    if (!(s = wl_scalar(c, n))) return -1;
    if (wl_to_bool(s, (int *)dst)) return wl_error(c, n, "'%s' must be true or false, got '%s'", c->path, s);
    return 0;
  case F_INT:
  case F_U32:
    if (!(s = wl_scalar(c, n))) return -1;
    if (wl_to_int(s, &i)) return wl_error(c, n, "'%s' must be a whole number, got '%s'", c->path, s);
    if (check_range(c, n, f, (double)i)) return -1;
    if (f->type == F_INT) *(int64_t *)dst = i;
    else *(uint32_t *)dst = (uint32_t)i;
    return 0;
  case F_U64:
    if (!(s = wl_scalar(c, n))) return -1;
    /* summary.json stores it as a JSON (signed) integer */
    if (wl_to_u64(s, (uint64_t *)dst) || *(uint64_t *)dst > INT64_MAX)
      return wl_error(c, n, "'%s' must be a whole number from 0 to 9223372036854775807, got '%s'",
                      c->path, s);
    return 0;
  case F_NUM:
    if (wl_parse_number(c, n, f, &d)) return -1;
    *(double *)dst = d;
    return 0;
  case F_BYTES:
  case F_BYTES32:
    if (!(s = wl_scalar(c, n))) return -1;
    if (wl_to_bytes(s, &i))
      return wl_error(c, n, "'%s' must be a whole number of bytes (suffixes KiB, MiB, GiB, kB, MB, GB allowed), got '%s'",
                      c->path, s);
    if (check_range(c, n, f, (double)i)) return -1;
    if (f->type == F_BYTES) *(int64_t *)dst = i;
    else *(uint32_t *)dst = (uint32_t)i;
    return 0;
  case F_ENUM: return parse_enum(c, n, f, (int *)dst);
  case F_MAP: return wl_parse_map(c, n, f->sub, dst);
  case F_CUSTOM: return f->parse(c, n, dst, f);
  }
  SP_PANIC("bad field type");
}

/* The keys of a table, for suggestions. */
static size_t table_names(const ftable *t, const char **names, size_t cap) {
  size_t k = 0;
  for (size_t i = 0; i < t->n && k < cap; i++) names[k++] = t->fields[i].name;
  return k;
}

/* The error for a key the table lacks: an explanation for keys of other OMB
 * versions, else a suggestion when one is close. */
int wl_unknown_key(pctx *c, yaml_node_t *key_node, const ftable *t, const char *key) {
  const char *foreign = t->name[0] ? NULL : wl_foreign_key(key);
  if (foreign) return wl_error(c, key_node, "key '%s' is not supported: %s", key, foreign);
  const char *names[128];
  size_t n = table_names(t, names, 128);
  const char *hint = wl_suggest(key, names, n);
  char where[300] = "";
  if (t->name[0]) snprintf(where, sizeof where, " in '%s'", t->name);
  if (hint) return wl_error(c, key_node, "unknown key '%s'%s (did you mean '%s'?)", key, where, hint);
  return wl_error(c, key_node, "unknown key '%s'%s", key, where);
}

/* Matches mapping n against table t, storing into the struct at base.
 * Every key must be known and given once; each leaves a mark. */
int wl_parse_map(pctx *c, yaml_node_t *n, const ftable *t, void *base) {
  if (n->type != YAML_MAPPING_NODE) {
    if (!c->path[0]) return wl_error(c, n, "a workload must be a mapping of keys to values, got %s", wl_node_kind(n));
    return wl_error(c, n, "'%s' must be a mapping of keys to values, got %s", c->path, wl_node_kind(n));
  }
  for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
    yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
    if (k->type != YAML_SCALAR_NODE) return wl_error(c, k, "a key must be a plain name, got %s", wl_node_kind(k));
    const char *key = (const char *)k->data.scalar.value;
    for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
      yaml_node_t *k2 = yaml_document_get_node(c->doc, q->key);
      if (k2->type == YAML_SCALAR_NODE && !strcmp((const char *)k2->data.scalar.value, key))
        return wl_error(c, k, "duplicate key '%s' (first given at line %zu)", key,
                        k2->start_mark.line + 1);
    }
    const field *f = wl_find(t, key);
    if (!f) return wl_unknown_key(c, k, t, key);
    size_t old = wl_path_push(c, key);
    wl_mark_set(c, k);
    int rc = wl_parse_field(c, f, v, (char *)base + f->off);
    wl_path_pop(c, old);
    if (rc) return -1;
  }
  return 0;
}

int wl_parse_list(pctx *c, yaml_node_t *n, const ftable *item, size_t item_size,
                  void (*init)(void *item), void **items, size_t *count) {
  if (n->type != YAML_SEQUENCE_NODE)
    return wl_error(c, n, "'%s' must be a list, got %s", c->path, wl_node_kind(n));
  size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
  char *arr = sp_calloc(cnt ? cnt : 1, item_size);
  for (size_t i = 0; i < cnt; i++) {
    yaml_node_t *it = yaml_document_get_node(c->doc, n->data.sequence.items.start[i]);
    void *dst = arr + i * item_size;
    if (init) init(dst);
    size_t old = wl_path_push_index(c, i);
    int rc = wl_parse_map(c, it, item, dst);
    for (size_t f = 0; rc == 0 && f < item->n; f++) {
      if (!(item->fields[f].flags & FL_REQUIRED)) continue;
      size_t o2 = wl_path_push(c, item->fields[f].name);
      if (!wl_mark_find(c->w, c->path)) rc = wl_error(c, it, "missing key '%s'", c->path);
      wl_path_pop(c, o2);
    }
    wl_path_pop(c, old);
    if (rc) {
      free(arr);
      return -1;
    }
  }
  free(*items);
  *items = arr;
  *count = cnt;
  return 0;
}
