/* meta.c: reads and validates meta.json (schema: harness/history/README.md). */
#include "meta.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"
#include "sp_assert.h"

#define MAX_WRITERS ((1u << 20) - 2) /* a message reference keeps 20 bits of writer index */
#define MAX_TPS     ((1u << 24) - 2) /* a writer slot keeps 24 bits of tp index */

/* Parsing context: the file name for messages and where the error goes. */
typedef struct mctx {
  const char *path;
  char *err;
  size_t err_len;
} mctx;

static int fail(mctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(mctx *c, const char *fmt, ...) {
  int n = snprintf(c->err, c->err_len, "%s: ", c->path);
  if (n < 0 || (size_t)n >= c->err_len) return -1;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->err + n, c->err_len - (size_t)n, fmt, ap);
  va_end(ap);
  return -1;
}

/* ---- id maps ----------------------------------------------------------- */

static void idmap_init(meta_idmap *im, size_t n) {
  im->cap = 16;
  while (im->cap < n * 2) im->cap *= 2;
  im->keys = sp_malloc(im->cap * sizeof *im->keys);
  im->vals = sp_malloc(im->cap * sizeof *im->vals);
  memset(im->keys, 0xff, im->cap * sizeof *im->keys);
}

static size_t idmap_slot(const meta_idmap *im, uint32_t id) {
  size_t i = ((uint64_t)id * 0x9E3779B97F4A7C15ull) >> 32 & (im->cap - 1);
  while (im->keys[i] != UINT64_MAX && im->keys[i] != id) i = (i + 1) & (im->cap - 1);
  return i;
}

/* Adds id -> val; returns -1 if id is already present. */
static int idmap_put(meta_idmap *im, uint32_t id, uint32_t val) {
  size_t i = idmap_slot(im, id);
  if (im->keys[i] == id) return -1;
  im->keys[i] = id;
  im->vals[i] = val;
  return 0;
}

int32_t meta_idmap_probe(const meta_idmap *im, uint32_t id) {
  if (!im->cap) return -1;
  size_t i = idmap_slot(im, id);
  return im->keys[i] == id ? (int32_t)im->vals[i] : -1;
}

#define DIRECT_IDS (1u << 20)

/* Builds the direct table once every id is in (ids below DIRECT_IDS). */
static void idmap_direct(meta_idmap *im) {
  uint32_t max = 0;
  for (size_t i = 0; i < im->cap; i++) {
    if (im->keys[i] == UINT64_MAX) continue;
    if (im->keys[i] >= DIRECT_IDS) return;
    if (im->keys[i] > max) max = (uint32_t)im->keys[i];
  }
  im->direct_len = (size_t)max + 1;
  im->direct = sp_malloc(im->direct_len * sizeof *im->direct);
  for (size_t i = 0; i < im->direct_len; i++) im->direct[i] = -1;
  for (size_t i = 0; i < im->cap; i++)
    if (im->keys[i] != UINT64_MAX) im->direct[im->keys[i]] = (int32_t)im->vals[i];
}

/* ---- typed member access ---------------------------------------------- */

/* obj[key] as a JSON value of `type`; fails naming `where`.key. */
static json_t *member(mctx *c, json_t *obj, const char *where, const char *key, json_type type) {
  json_t *v = json_object_get(obj, key);
  static const char *const names[] = {"object", "array", "string", "integer",
                                      "real",   "true",  "false",  "null"};
  if (!v) {
    fail(c, "%s: missing \"%s\"", where, key);
    return NULL;
  }
  int ok = json_typeof(v) == type || (type == JSON_TRUE && json_is_boolean(v));
  if (!ok) {
    fail(c, "%s.%s: expected %s", where, key, type == JSON_TRUE ? "true or false" : names[type]);
    return NULL;
  }
  return v;
}

/* obj[key] as an integer in [lo, hi]. */
static int member_int(mctx *c, json_t *obj, const char *where, const char *key, int64_t lo,
                      int64_t hi, int64_t *out) {
  json_t *v = member(c, obj, where, key, JSON_INTEGER);
  if (!v) return -1;
  *out = json_integer_value(v);
  if (*out < lo || *out > hi)
    return fail(c, "%s.%s: %lld is out of range [%lld, %lld]", where, key, (long long)*out,
                (long long)lo, (long long)hi);
  return 0;
}

/* ---- sections ---------------------------------------------------------- */

static int load_topics(mctx *c, json_t *root, meta *m) {
  json_t *arr = member(c, root, "meta", "topics", JSON_ARRAY);
  if (!arr) return -1;
  m->n_topics = json_array_size(arr);
  if (m->n_topics == 0) return fail(c, "topics: empty (a run has at least one topic)");
  if (m->n_topics > UINT16_MAX + 1u) return fail(c, "topics: more than 65536 topics");
  m->topics = sp_calloc(m->n_topics, sizeof *m->topics);
  uint64_t tps = 0;
  for (size_t i = 0; i < m->n_topics; i++) {
    char where[64];
    snprintf(where, sizeof where, "topics[%zu]", i);
    json_t *t = json_array_get(arr, i);
    if (!json_is_object(t)) return fail(c, "%s: expected an object", where);
    json_t *name = member(c, t, where, "name", JSON_STRING);
    int64_t parts;
    if (!name || member_int(c, t, where, "partitions", 1, 1 << 20, &parts)) return -1;
    m->topics[i].name = sp_strdup(json_string_value(name));
    m->topics[i].partitions = (uint32_t)parts;
    m->topics[i].tp_base = (uint32_t)tps;
    tps += (uint64_t)parts;
  }
  if (tps > MAX_TPS) return fail(c, "topics: more than %u partitions in total", MAX_TPS);
  m->tp_count = (uint32_t)tps;
  return 0;
}

static int load_subs(mctx *c, json_t *root, meta *m) {
  json_t *arr = member(c, root, "meta", "subscriptions", JSON_ARRAY);
  if (!arr) return -1;
  size_t count = json_array_size(arr);
  m->subs = sp_calloc(count ? count : 1, sizeof *m->subs);
  uint32_t parts = 0;
  for (size_t i = 0; i < count; i++) {
    char where[64];
    snprintf(where, sizeof where, "subscriptions[%zu]", i);
    json_t *s = json_array_get(arr, i);
    if (!json_is_object(s)) return fail(c, "%s: expected an object", where);
    int64_t id, topic;
    if (member_int(c, s, where, "id", 0, INT32_MAX, &id) ||
        member_int(c, s, where, "topic", 0, (int64_t)m->n_topics - 1, &topic))
      return -1;
    json_t *sem = member(c, s, where, "semantics", JSON_STRING);
    if (!sem) return -1;
    meta_sub *sub = &m->subs[i];
    sub->sem = semantics_parse(json_string_value(sem));
    if (sub->sem == SEM_NONE)
      return fail(c, "%s.semantics: \"%s\" is not at_most_once, at_least_once or exactly_once",
                  where, json_string_value(sem));
    if (meta_sub_by_id(m, id) >= 0) return fail(c, "%s.id: %lld used twice", where, (long long)id);
    json_t *name = json_object_get(s, "name");
    char fallback[32];
    snprintf(fallback, sizeof fallback, "sub-%lld", (long long)id);
    sub->name = sp_strdup(json_is_string(name) ? json_string_value(name) : fallback);
    sub->id = id;
    sub->topic = (uint32_t)topic;
    sub->part_base = parts;
    parts += m->topics[topic].partitions;
    m->n_subs = i + 1;
  }
  m->sub_part_count = parts;
  return 0;
}

static meta_exit parse_exit(const char *s, int *ok) {
  static const char *const names[] = {"clean", "killed", "crashed", "running"};
  for (int i = 0; i < 4; i++)
    if (strcmp(s, names[i]) == 0) {
      *ok = 1;
      return (meta_exit)i;
    }
  *ok = 0;
  return EXIT_RUNNING;
}

/* Counts the incarnations listed under `list_key` of every element of arr. */
static size_t count_procs(json_t *arr, const char *list_key) {
  size_t n = 0, i;
  json_t *e;
  json_array_foreach(arr, i, e) n += json_array_size(json_object_get(e, list_key));
  return n;
}

/* Reads owner[i].<list_key>[] incarnations into procs, registering their ids. */
static int load_procs(mctx *c, json_t *owner, const char *owner_where, uint32_t owner_index,
                      const char *list_key, const char *id_key, meta *m, meta_proc *procs,
                      size_t *n, meta_idmap *ids) {
  json_t *arr = member(c, owner, owner_where, list_key, JSON_ARRAY);
  if (!arr) return -1;
  for (size_t k = 0; k < json_array_size(arr); k++) {
    char where[96];
    snprintf(where, sizeof where, "%s.%s[%zu]", owner_where, list_key, k);
    json_t *p = json_array_get(arr, k);
    if (!json_is_object(p)) return fail(c, "%s: expected an object", where);
    int64_t id, inc = 0;
    if (member_int(c, p, where, id_key, 0, UINT32_MAX, &id)) return -1;
    if (json_object_get(p, "incarnation") &&
        member_int(c, p, where, "incarnation", 0, INT32_MAX, &inc))
      return -1;
    json_t *ex = member(c, p, where, "exit", JSON_STRING);
    if (!ex) return -1;
    int ok;
    meta_proc *pr = &procs[*n];
    pr->exit = parse_exit(json_string_value(ex), &ok);
    if (!ok)
      return fail(c, "%s.exit: \"%s\" is not clean, killed, crashed or running", where,
                  json_string_value(ex));
    if (meta_writer(m, (uint32_t)id) >= 0 || meta_reader(m, (uint32_t)id) >= 0 ||
        idmap_put(ids, (uint32_t)id, (uint32_t)*n) != 0)
      return fail(c, "%s.%s: id %lld used twice (writer and reader ids share one space)", where,
                  id_key, (long long)id);
    pr->id = (uint32_t)id;
    pr->owner = owner_index;
    pr->incarnation = (int32_t)inc;
    (*n)++;
  }
  return 0;
}

static int load_producers(mctx *c, json_t *root, meta *m) {
  json_t *arr = member(c, root, "meta", "producers", JSON_ARRAY);
  if (!arr) return -1;
  size_t count = json_array_size(arr);
  m->producers = sp_calloc(count ? count : 1, sizeof *m->producers);
  size_t total = count_procs(arr, "writers");
  if (total > MAX_WRITERS) return fail(c, "producers: more than %u writers", MAX_WRITERS);
  m->writers = sp_calloc(total ? total : 1, sizeof *m->writers);
  idmap_init(&m->writer_ids, total);
  for (size_t i = 0; i < count; i++) {
    char where[64];
    snprintf(where, sizeof where, "producers[%zu]", i);
    json_t *p = json_array_get(arr, i);
    if (!json_is_object(p)) return fail(c, "%s: expected an object", where);
    int64_t id, topic;
    if (member_int(c, p, where, "id", 0, INT32_MAX, &id) ||
        member_int(c, p, where, "topic", 0, (int64_t)m->n_topics - 1, &topic))
      return -1;
    if (meta_producer_by_id(m, id) >= 0)
      return fail(c, "%s.id: %lld used twice", where, (long long)id);
    m->producers[i].id = id;
    m->producers[i].topic = (uint32_t)topic;
    m->n_producers = i + 1;
    if (load_procs(c, p, where, (uint32_t)i, "writers", "writer", m, m->writers, &m->n_writers,
                   &m->writer_ids))
      return -1;
  }
  return 0;
}

static int load_consumers(mctx *c, json_t *root, meta *m) {
  json_t *arr = member(c, root, "meta", "consumers", JSON_ARRAY);
  if (!arr) return -1;
  size_t count = json_array_size(arr);
  m->consumers = sp_calloc(count ? count : 1, sizeof *m->consumers);
  size_t total = count_procs(arr, "readers");
  m->readers = sp_calloc(total ? total : 1, sizeof *m->readers);
  idmap_init(&m->reader_ids, total);
  for (size_t i = 0; i < count; i++) {
    char where[64];
    snprintf(where, sizeof where, "consumers[%zu]", i);
    json_t *p = json_array_get(arr, i);
    if (!json_is_object(p)) return fail(c, "%s: expected an object", where);
    int64_t id, sub_id;
    if (member_int(c, p, where, "id", 0, INT32_MAX, &id) ||
        member_int(c, p, where, "subscription", 0, INT32_MAX, &sub_id))
      return -1;
    int32_t sub = meta_sub_by_id(m, sub_id);
    if (sub < 0)
      return fail(c, "%s.subscription: %lld is not a subscription id", where, (long long)sub_id);
    if (meta_consumer_by_id(m, id) >= 0)
      return fail(c, "%s.id: %lld used twice", where, (long long)id);
    m->consumers[i].id = id;
    m->consumers[i].sub = (uint32_t)sub;
    m->n_consumers = i + 1;
    if (load_procs(c, p, where, (uint32_t)i, "readers", "reader", m, m->readers, &m->n_readers,
                   &m->reader_ids))
      return -1;
  }
  return 0;
}

/* root[section].completed as 0/1; an absent section counts as not completed. */
static int load_completed(mctx *c, json_t *root, const char *section, int *out) {
  *out = 0;
  json_t *s = json_object_get(root, section);
  if (!s) return 0;
  if (!json_is_object(s)) return fail(c, "%s: expected an object", section);
  json_t *v = member(c, s, section, "completed", JSON_TRUE);
  if (!v) return -1;
  *out = json_is_true(v);
  return 0;
}

static int load_ordering(mctx *c, json_t *root, meta *m) {
  json_t *o = json_object_get(root, "ordering");
  if (!o) return 0; /* default: none */
  if (!json_is_string(o)) return fail(c, "ordering: expected a string");
  const char *s = json_string_value(o);
  if (strcmp(s, "per_key") == 0)
    m->per_key = 1;
  else if (strcmp(s, "none") != 0)
    return fail(c, "ordering: \"%s\" is not per_key or none", s);
  return 0;
}

int meta_load(const char *path, meta *m, char *err, size_t err_len) {
  memset(m, 0, sizeof *m);
  mctx c = {path, err, err_len};
  if (access(path, R_OK) != 0)
    return fail(&c, "%s (is this a streamproof results folder?)", strerror(errno));
  json_error_t jerr;
  json_t *root = json_load_file(path, 0, &jerr);
  if (!root) {
    if (jerr.line < 0) return fail(&c, "%s", jerr.text);
    return fail(&c, "line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
  }
  int rc = -1;
  int64_t version;
  if (!json_is_object(root))
    fail(&c, "expected a JSON object");
  else if (member_int(&c, root, "meta", "version", 1, 1, &version) == 0 &&
           load_topics(&c, root, m) == 0 && load_ordering(&c, root, m) == 0 &&
           load_subs(&c, root, m) == 0 && load_producers(&c, root, m) == 0 &&
           load_consumers(&c, root, m) == 0 &&
           load_completed(&c, root, "drain", &m->drain_completed) == 0 &&
           load_completed(&c, root, "readback", &m->readback_completed) == 0) {
    idmap_direct(&m->writer_ids);
    idmap_direct(&m->reader_ids);
    rc = 0;
  }
  json_decref(root);
  if (rc) meta_free(m);
  return rc;
}

void meta_free(meta *m) {
  for (size_t i = 0; i < m->n_topics; i++) free(m->topics[i].name);
  for (size_t i = 0; i < m->n_subs; i++) free(m->subs[i].name);
  free(m->topics);
  free(m->subs);
  free(m->producers);
  free(m->consumers);
  free(m->writers);
  free(m->readers);
  free(m->writer_ids.keys);
  free(m->writer_ids.vals);
  free(m->reader_ids.keys);
  free(m->reader_ids.vals);
  free(m->writer_ids.direct);
  free(m->reader_ids.direct);
  memset(m, 0, sizeof *m);
}

int32_t meta_producer_by_id(const meta *m, int64_t id) {
  for (size_t i = 0; i < m->n_producers; i++)
    if (m->producers[i].id == id) return (int32_t)i;
  return -1;
}

int32_t meta_consumer_by_id(const meta *m, int64_t id) {
  for (size_t i = 0; i < m->n_consumers; i++)
    if (m->consumers[i].id == id) return (int32_t)i;
  return -1;
}

int32_t meta_sub_by_id(const meta *m, int64_t id) {
  for (size_t i = 0; i < m->n_subs; i++)
    if (m->subs[i].id == id) return (int32_t)i;
  return -1;
}

uint32_t meta_tp_topic(const meta *m, uint32_t tp) {
  SP_ASSERT(tp < m->tp_count);
  uint32_t t = 0;
  while (t + 1 < m->n_topics && m->topics[t + 1].tp_base <= tp) t++;
  return t;
}

const char *meta_exit_name(meta_exit e) {
  static const char *const names[] = {"clean", "killed", "crashed", "running"};
  return names[e];
}
