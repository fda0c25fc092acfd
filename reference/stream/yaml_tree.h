/* yaml_tree.h: a YAML document loaded into a small node tree that keeps
 * every node's line and column, so the job parser can say "job.yaml:12:5:
 * window.size_ms: ..." for any bad value (libyaml marks).
 *
 * Only what job files need: maps, sequences and scalars. Anchors, aliases,
 * tags and multi-document streams are refused with a located error. */
#ifndef RS_YAML_TREE_H
#define RS_YAML_TREE_H

#include <stddef.h>
#include <stdint.h>

typedef enum { YT_SCALAR, YT_MAP, YT_SEQ } yt_type;

typedef struct yt_node {
  yt_type type;
  int line, col;  /* 1-based position of the node's first character */
  char *scalar;   /* YT_SCALAR: the text (NUL-terminated) */
  int quoted;     /* YT_SCALAR: written in quotes (so "10" stays a string) */
  size_t n;       /* YT_SEQ: items; YT_MAP: pairs */
  struct yt_node **items; /* YT_SEQ: n items; YT_MAP: 2n (key, value, ...) */
} yt_node;

/* Loads path. On failure returns NULL and writes "path:line:col: why" to
 * err. *fingerprint (if not NULL) receives a 64-bit hash of the document's
 * structure and scalars: comments and layout do not change it. */
yt_node *yt_load_file(const char *path, uint64_t *fingerprint, char *err, size_t errlen);
/* The same from a string (tests); `name` is used in error messages. */
yt_node *yt_load_string(const char *name, const char *text, uint64_t *fingerprint, char *err,
                        size_t errlen);
void yt_free(yt_node *n);

/* The value of `key` in a map, or NULL. */
const yt_node *yt_get(const yt_node *map, const char *key);

#endif
