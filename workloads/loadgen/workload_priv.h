/* workload_priv.h: the workload loader's insides, shared by its files:
 *
 *   workload.c           entry points: load, parse, --set, free, defaults
 *   workload_parse.c     YAML walking: field tables, scalars, marks, errors
 *   workload_fields.c    the field tables and the parsers of composite values
 *   workload_validate.c  cross-field rules and resolution (defaults, OMB)
 *   workload_json.c      the resolved workload as JSON
 *   workload_conf.c      what the run derives from it (librdkafka, refbroker)
 *
 * Parsing is table driven: each mapping of the format (the top level,
 * producer:, broker:, ...) is a table of fields giving the key, its type,
 * where it is stored, its range and, for composite values, a parser. A
 * generic walker matches a YAML mapping against a table, so adding a field
 * is one table row. Every key parsed leaves a mark (its dotted path and
 * where it was written), which answers "was it set?" and locates errors
 * found later by cross-field validation. */
#ifndef SP_WORKLOAD_PRIV_H
#define SP_WORKLOAD_PRIV_H

#include <stdarg.h>
#include <stddef.h>
#include <yaml.h>

#include "workload.h"

/* Where a key was set: a file position or a --set. */
typedef struct wl_mark {
  char *path;    /* dotted: "broker.fsync", "rate_profile.steps[1].rate" */
  char *file;    /* NULL for a --set */
  int line, col; /* 1-based */
  char *set_key; /* the --set key, when file is NULL */
} wl_mark;

/* The private part of a workload: its marks, and what it was built from
 * (the file text and the --set assignments, replayed to apply a new --set
 * atomically). */
typedef struct wl_marks {
  wl_mark *v;
  size_t n, cap;
  char *text;
  size_t text_len;
  char **sets;
  size_t n_sets;
} wl_marks;

/* The state of one parse: a file or one --set value. */
typedef struct pctx {
  workload *w;
  yaml_document_t *doc;
  const char *file;    /* display path; NULL while parsing a --set value */
  const char *set_key; /* the --set key being applied */
  char path[512];      /* dotted path of the key being parsed */
  char *err;
  size_t err_len;
  int failed;
} pctx;

typedef enum {
  F_STR,    /* char *, strdup'ed */
  F_BOOL,   /* int 0/1: true/false (also yes/no/on/off) */
  F_INT,    /* int64_t */
  F_U32,    /* uint32_t */
  F_U64,    /* uint64_t */
  F_NUM,    /* double */
  F_BYTES,  /* int64_t; accepts KiB/MiB/GiB/TiB and kB/MB/GB/TB suffixes */
  F_BYTES32, /* the same, stored in a uint32_t (message sizes) */
  F_ENUM,   /* int: index into enum_names */
  F_MAP,    /* a nested mapping described by sub */
  F_CUSTOM, /* parsed by parse */
} ftype;

#define FL_MIN_EXCLUSIVE 1u /* value must be > min (else >= min) */
#define FL_NULLABLE 2u      /* null resets to 0 / NULL ("not set") */
#define FL_MINUS_ONE 4u     /* -1 allowed besides the range ("unlimited") */
#define FL_REQUIRED 8u      /* list items: the key must be present */
#define FL_KVMAP 16u        /* custom: a free-form map; --set a.b.<rest> */

struct ftable;
struct field;
typedef int (*field_parse_fn)(pctx *c, yaml_node_t *n, void *dst, const struct field *f);

typedef struct field {
  const char *name;
  ftype type;
  size_t off; /* in the struct the table describes */
  double min, max;
  unsigned flags;
  const char *const *enum_names; /* F_ENUM, NULL-terminated, value = index */
  const struct ftable *sub;      /* F_MAP */
  field_parse_fn parse;          /* F_CUSTOM */
  const char *unit;              /* for messages: "msg/s", "bytes", "s" */
} field;

typedef struct ftable {
  const char *name; /* "" for the top level, else the dotted key */
  const field *fields;
  size_t n;
} ftable;

/* workload_fields.c */
extern const ftable wl_top_table;
/* Explanations for keys of other OMB versions and forks (NULL if none). */
const char *wl_foreign_key(const char *key);
/* Validates and stores one librdkafka property (at node n, for errors). */
int wl_kv_put(pctx *c, yaml_node_t *n, kv_list *kv, const char *key, const char *value);

/* workload_parse.c */
int wl_error(pctx *c, yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int wl_parse_map(pctx *c, yaml_node_t *n, const ftable *t, void *base);
int wl_parse_field(pctx *c, const field *f, yaml_node_t *n, void *dst);
/* Parses a YAML sequence of mappings into a new array of item_size items,
 * each first filled by init (may be NULL). */
int wl_parse_list(pctx *c, yaml_node_t *n, const ftable *item, size_t item_size,
                  void (*init)(void *item), void **items, size_t *count);
const char *wl_scalar(pctx *c, yaml_node_t *n); /* NULL + error if not a scalar */
int wl_is_null(yaml_node_t *n);
const char *wl_node_kind(yaml_node_t *n);
void wl_mark_set(pctx *c, yaml_node_t *key_node);
int wl_parse_number(pctx *c, yaml_node_t *n, const field *f, double *out);
/* Path helpers: push returns the old length to pop back to. */
size_t wl_path_push(pctx *c, const char *name);
size_t wl_path_push_index(pctx *c, size_t i);
void wl_path_pop(pctx *c, size_t old_len);
const field *wl_find(const ftable *t, const char *name);
/* The error for a key the table does not have, with a suggestion. */
int wl_unknown_key(pctx *c, yaml_node_t *key_node, const ftable *t, const char *key);
/* The closest of names (within a small edit distance), or NULL. */
const char *wl_suggest(const char *word, const char *const *names, size_t n);

/* Scalar conversions: 0 on success, -1 when the text is not of the type. */
int wl_to_int(const char *s, int64_t *out);
int wl_to_u64(const char *s, uint64_t *out);
int wl_to_num(const char *s, double *out);
int wl_to_bool(const char *s, int *out);
int wl_to_bytes(const char *s, int64_t *out);

/* Marks. */
const wl_mark *wl_mark_find(const workload *w, const char *path);
void wl_marks_drop_prefix(workload *w, const char *path); /* path and below */
void wl_marks_free(workload *w);

/* Formats "loc: " for a mark (or the file's start when mark is NULL). */
void wl_loc_of_mark(const workload *w, const wl_mark *m, char *buf, size_t len);

/* workload_validate.c: cross-field rules, then resolution. */
int wl_validate(workload *w, char *err, size_t err_len);

/* workload.c */
void wl_defaults(workload *w);
void wl_free_fields(workload *w);

#endif
