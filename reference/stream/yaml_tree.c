/* yaml_tree.c: see yaml_tree.h. */
#include "yaml_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "mem.h"

/* FNV-1a, 64-bit: the job fingerprint only needs to change when the
 * document's content changes; it is not a security hash. */
static void fp_mix(uint64_t *h, const void *data, size_t len) {
  const uint8_t *p = data;
  for (size_t i = 0; i < len; i++) {
    *h ^= p[i];
    *h *= 0x100000001b3ull;
  }
}

typedef struct loader {
  yaml_parser_t parser;
  const char *name;
  char *err;
  size_t errlen;
  uint64_t fp;
} loader;

/* Writes "name:line:col: what" into the loader's error buffer. */
static void fail_at(loader *l, yaml_mark_t m, const char *what) {
  snprintf(l->err, l->errlen, "%s:%zu:%zu: %s", l->name, m.line + 1, m.column + 1, what);
}

/* A node of type t at mark m. */
static yt_node *node_new(yt_type t, yaml_mark_t m) {
  yt_node *n = sp_calloc(1, sizeof *n);
  n->type = t;
  n->line = (int)m.line + 1;
  n->col = (int)m.column + 1;
  return n;
}

/* Parses one node whose first event is `ev` (already taken from the parser).
 * Returns NULL with l->err set on failure. */
static yt_node *parse_node(loader *l, yaml_event_t *ev, int depth);

/* The next parser event; -1 with a located error. */
static int next_event(loader *l, yaml_event_t *ev) {
  if (!yaml_parser_parse(&l->parser, ev)) {
    snprintf(l->err, l->errlen, "%s:%zu:%zu: %s", l->name, l->parser.problem_mark.line + 1,
             l->parser.problem_mark.column + 1,
             l->parser.problem ? l->parser.problem : "YAML syntax error");
    return -1;
  }
  return 0;
}

/* Reads the children of map or sequence n up to end_type. Items are stored
 * as they come; n->n is set from the count so yt_free releases exactly what
 * was stored, also on failure (a map with a dangling key gets a NULL value). */
static yt_node *parse_collection(loader *l, yt_node *n, yaml_event_type_t end_type, int depth) {
  size_t cap = 0, count = 0;
  int ok = 1;
  for (;;) {
    yaml_event_t ev;
    if (next_event(l, &ev) != 0) { ok = 0; break; }
    if (ev.type == end_type) {
      yaml_event_delete(&ev);
      break;
    }
    yt_node *child = parse_node(l, &ev, depth + 1);
    if (!child) { ok = 0; break; }
    if (count + 2 > cap) {
      cap = cap ? cap * 2 : 8;
      n->items = sp_realloc(n->items, cap * sizeof *n->items);
    }
    n->items[count++] = child;
    if (n->type == YT_MAP && count % 2 == 1 && child->type != YT_SCALAR) {
      yaml_mark_t m = {0, (size_t)child->line - 1, (size_t)child->col - 1};
      fail_at(l, m, "a map key must be a plain scalar");
      ok = 0;
      break;
    }
  }
  if (n->type == YT_MAP) {
    if (count % 2 == 1) {
      if (count + 1 > cap) n->items = sp_realloc(n->items, (count + 1) * sizeof *n->items);
      n->items[count++] = NULL;
    }
    n->n = count / 2;
  } else {
    n->n = count;
  }
  if (!ok) {
    yt_free(n);
    return NULL;
  }
  fp_mix(&l->fp, n->type == YT_MAP ? "}" : "]", 1);
  return n;
}

static yt_node *parse_node(loader *l, yaml_event_t *ev, int depth) {
  yt_node *n = NULL;
  if (depth > 64) {
    fail_at(l, ev->start_mark, "nesting deeper than 64 levels");
    yaml_event_delete(ev);
    return NULL;
  }
  switch (ev->type) {
  case YAML_SCALAR_EVENT:
    if (ev->data.scalar.anchor) {
      fail_at(l, ev->start_mark, "anchors are not supported in job files");
      break;
    }
    n = node_new(YT_SCALAR, ev->start_mark);
    n->scalar = sp_strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
    n->quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    fp_mix(&l->fp, n->quoted ? "\"" : "'", 1);
    fp_mix(&l->fp, n->scalar, strlen(n->scalar) + 1);
    break;
  case YAML_MAPPING_START_EVENT:
  case YAML_SEQUENCE_START_EVENT: {
    int is_map = ev->type == YAML_MAPPING_START_EVENT;
    const yaml_char_t *anchor = is_map ? ev->data.mapping_start.anchor
                                       : ev->data.sequence_start.anchor;
    if (anchor) {
      fail_at(l, ev->start_mark, "anchors are not supported in job files");
      break;
    }
    n = node_new(is_map ? YT_MAP : YT_SEQ, ev->start_mark);
    fp_mix(&l->fp, is_map ? "{" : "[", 1);
    yaml_event_delete(ev);
    return parse_collection(l, n, is_map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT,
                            depth);
  }
  case YAML_ALIAS_EVENT:
    fail_at(l, ev->start_mark, "aliases are not supported in job files");
    break;
  default:
    fail_at(l, ev->start_mark, "unexpected YAML structure");
    break;
  }
  yaml_event_delete(ev);
  return n;
}

/* Parses a whole single-document stream. */
static yt_node *load(loader *l, uint64_t *fingerprint) {
  yt_node *root = NULL;
  yaml_event_t ev;
  l->fp = 0xcbf29ce484222325ull;
  /* stream start, document start */
  if (next_event(l, &ev) != 0) return NULL;
  yaml_event_delete(&ev);
  if (next_event(l, &ev) != 0) return NULL;
  if (ev.type == YAML_STREAM_END_EVENT) {
    yaml_mark_t m = ev.start_mark;
    yaml_event_delete(&ev);
    fail_at(l, m, "the file is empty");
    return NULL;
  }
  yaml_event_delete(&ev); /* document start */
  if (next_event(l, &ev) != 0) return NULL;
  root = parse_node(l, &ev, 0);
  if (!root) return NULL;
  if (next_event(l, &ev) != 0) goto fail; /* document end */
  yaml_event_delete(&ev);
  if (next_event(l, &ev) != 0) goto fail;
  if (ev.type != YAML_STREAM_END_EVENT) {
    yaml_mark_t m = ev.start_mark;
    yaml_event_delete(&ev);
    fail_at(l, m, "only one YAML document per job file");
    goto fail;
  }
  yaml_event_delete(&ev);
  if (fingerprint) *fingerprint = l->fp;
  return root;
fail:
  yt_free(root);
  return NULL;
}

yt_node *yt_load_file(const char *path, uint64_t *fingerprint, char *err, size_t errlen) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, errlen, "%s: cannot open: %m", path);
    return NULL;
  }
  loader l = {.name = path, .err = err, .errlen = errlen};
  yaml_parser_initialize(&l.parser);
  yaml_parser_set_input_file(&l.parser, f);
  yt_node *root = load(&l, fingerprint);
  yaml_parser_delete(&l.parser);
  fclose(f);
  return root;
}

yt_node *yt_load_string(const char *name, const char *text, uint64_t *fingerprint, char *err,
                        size_t errlen) {
  loader l = {.name = name, .err = err, .errlen = errlen};
  yaml_parser_initialize(&l.parser);
  yaml_parser_set_input_string(&l.parser, (const unsigned char *)text, strlen(text));
  yt_node *root = load(&l, fingerprint);
  yaml_parser_delete(&l.parser);
  return root;
}

void yt_free(yt_node *n) {
  if (!n) return;
  size_t k = n->type == YT_MAP ? 2 * n->n : n->type == YT_SEQ ? n->n : 0;
  for (size_t i = 0; i < k; i++) yt_free(n->items[i]);
  free(n->items);
  free(n->scalar);
  free(n);
}

const yt_node *yt_get(const yt_node *map, const char *key) {
  if (!map || map->type != YT_MAP) return NULL;
  for (size_t i = 0; i < map->n; i++)
    if (strcmp(map->items[2 * i]->scalar, key) == 0) return map->items[2 * i + 1];
  return NULL;
}
