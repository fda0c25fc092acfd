/* procjob.c: placeholders of a processor job file and the topics it names
 * (see procjob.h). */
#include "procjob.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "mem.h"
#include "buf.h"

#define PLACEHOLDER_MAX 64

/* "file:line:col: " + message into err; returns NULL for `return fail(...)`. */
static void *fail_at(char *err, size_t err_len, const char *file, size_t line, size_t col,
                     const char *fmt, const char *arg) {
  int k = snprintf(err, err_len, "%s:%zu:%zu: ", file, line, col);
  if (k >= 0 && (size_t)k < err_len) snprintf(err + k, err_len - (size_t)k, fmt, arg);
  return NULL;
}

/* Appends the value of placeholder `name` (the text between "${" and "}")
 * to out. 0, or -1 when the placeholder is unknown or out of range. */
static int put_value(sp_buf *out, const char *name, const procjob_vars *v) {
  if (!strcmp(name, "run")) {
    sp_buf_append(out, v->run, strlen(v->run));
    return 0;
  }
  if (!strcmp(name, "topics")) {
    sp_buf_append(out, "[", 1);
    for (size_t i = 0; i < v->n_topics; i++) {
      if (i) sp_buf_append(out, ", ", 2);
      sp_buf_append(out, v->topics[i], strlen(v->topics[i]));
    }
    sp_buf_append(out, "]", 1);
    return 0;
  }
  size_t index = 0;
  if (!strncmp(name, "topic:", 6)) {
    const char *d = name + 6;
    if (!*d || strlen(d) > 9) return -1;
    for (const char *p = d; *p; p++)
      if (*p < '0' || *p > '9') return -1;
    index = (size_t)strtoul(d, NULL, 10);
  } else if (strcmp(name, "topic") != 0) {
    return -1;
  }
  if (index >= v->n_topics) return -1;
  sp_buf_append(out, v->topics[index], strlen(v->topics[index]));
  return 0;
}

char *procjob_read(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *buf = NULL;
  size_t n = 0, cap = 0, got;
  do {
    if (n + 4096 > cap) buf = sp_realloc(buf, cap = 2 * cap + 4096);
    got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
  } while (got > 0);
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    free(buf);
    errno = EIO;
    return NULL;
  }
  buf[n] = '\0';
  *len = n;
  return buf;
}

char *procjob_expand(const char *text, size_t len, const char *file, const procjob_vars *v,
                     size_t *out_len, char *err, size_t err_len) {
  sp_buf out = SP_BUF_INIT;
  size_t line = 1, col = 1;
  for (size_t i = 0; i < len;) {
    if (text[i] == '$' && i + 2 < len && text[i + 1] == '$' && text[i + 2] == '{') {
      sp_buf_append(&out, "${", 2); /* $${ is a literal ${ */
      i += 3;
      col += 3;
      continue;
    }
    if (text[i] == '$' && i + 1 < len && text[i + 1] == '{') {
      size_t j = i + 2;
      while (j < len && text[j] != '}' && text[j] != '\n' && j - i < PLACEHOLDER_MAX) j++;
      if (j >= len || text[j] != '}') {
        sp_buf_free(&out);
        return fail_at(err, err_len, file, line, col,
                       "'${' without a closing '}' on its line%s (write $${ for a literal ${)", "");
      }
      char name[PLACEHOLDER_MAX + 1];
      snprintf(name, sizeof name, "%.*s", (int)(j - i - 2), text + i + 2);
      if (put_value(&out, name, v) != 0) {
        char what[PLACEHOLDER_MAX + 200];
        snprintf(what, sizeof what, "${%s}", name);
        sp_buf_free(&out);
        char msg[512];
        snprintf(msg, sizeof msg,
                 "unknown placeholder %%s: the run fills in ${topic}, ${topic:N} (N from 0 to %zu, its "
                 "topics), ${topics} and ${run}",
                 v->n_topics ? v->n_topics - 1 : 0);
        return fail_at(err, err_len, file, line, col, msg, what);
      }
      col += j + 1 - i;
      i = j + 1;
      continue;
    }
    if (text[i] == '\n') {
      line++;
      col = 1;
    } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
      col++; /* columns count characters, as libyaml's marks do */
    }
    sp_buf_append(&out, text + i, 1);
    i++;
  }
  if (out_len) *out_len = out.len;
  sp_buf_append(&out, "", 1); /* NUL */
  return (char *)out.data;
}

/* ---- inspect ----------------------------------------------------------------- */

/* The value node of key in a mapping node, or NULL. */
static yaml_node_t *map_get(yaml_document_t *d, yaml_node_t *m, const char *key) {
  if (!m || m->type != YAML_MAPPING_NODE) return NULL;
  for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yaml_document_get_node(d, p->key);
    if (k && k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, key))
      return yaml_document_get_node(d, p->value);
  }
  return NULL;
}

static const char *scalar(yaml_node_t *n) {
  return n && n->type == YAML_SCALAR_NODE && n->data.scalar.length ? (const char *)n->data.scalar.value
                                                                    : NULL;
}

/* Appends s to a list of strings unless it is there already. */
static void add_unique(char ***v, size_t *n, const char *s) {
  for (size_t i = 0; i < *n; i++)
    if (!strcmp((*v)[i], s)) return;
  *v = sp_realloc(*v, (*n + 1) * sizeof **v);
  (*v)[(*n)++] = sp_strdup(s);
}

static int inspect_fail(char *err, size_t err_len, const char *file, yaml_node_t *n, const char *what) {
  fail_at(err, err_len, file, n ? n->start_mark.line + 1 : 1, n ? n->start_mark.column + 1 : 1, "%s", what);
  return -1;
}

/* The topics of one source (topic: or topics:). */
static int source_topics(yaml_document_t *d, yaml_node_t *src, const char *file, procjob_info *out,
                         char *err, size_t err_len) {
  const char *t = scalar(map_get(d, src, "topic"));
  if (t) {
    add_unique(&out->inputs, &out->n_inputs, t);
    return 0;
  }
  yaml_node_t *list = map_get(d, src, "topics");
  if (!list || list->type != YAML_SEQUENCE_NODE || list->data.sequence.items.top == list->data.sequence.items.start)
    return inspect_fail(err, err_len, file, src, "a source without topic: or topics:");
  for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++) {
    const char *s = scalar(yaml_document_get_node(d, *it));
    if (!s) return inspect_fail(err, err_len, file, list, "sources[].topics: every entry must be a topic name");
    add_unique(&out->inputs, &out->n_inputs, s);
  }
  return 0;
}

int procjob_inspect(const char *text, size_t len, const char *file, procjob_info *out, char *err,
                    size_t err_len) {
  memset(out, 0, sizeof *out);
  yaml_parser_t p;
  yaml_document_t d;
  yaml_parser_initialize(&p);
  yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
  if (!yaml_parser_load(&p, &d)) {
    fail_at(err, err_len, file, p.problem_mark.line + 1, p.problem_mark.column + 1, "not valid YAML: %s",
            p.problem ? p.problem : "?");
    yaml_parser_delete(&p);
    return -1;
  }
  yaml_parser_delete(&p);
  int rc = -1;
  yaml_node_t *root = yaml_document_get_root_node(&d);
  yaml_node_t *sources = map_get(&d, root, "sources"), *sinks = map_get(&d, root, "sinks");
  const char *name = scalar(map_get(&d, root, "name"));
  if (!root || root->type != YAML_MAPPING_NODE) {
    inspect_fail(err, err_len, file, root, "a job is a mapping (name:, sources:, pipeline:, sinks:)");
  } else if (!name) {
    inspect_fail(err, err_len, file, root, "the job has no name:");
  } else if (!sources || sources->type != YAML_SEQUENCE_NODE ||
             sources->data.sequence.items.top == sources->data.sequence.items.start) {
    inspect_fail(err, err_len, file, sources ? sources : root, "the job has no sources: list");
  } else if (!scalar(map_get(&d, sinks, "output"))) {
    inspect_fail(err, err_len, file, sinks ? sinks : root, "the job has no sinks.output topic");
  } else {
    out->name = sp_strdup(name);
    rc = 0;
    for (yaml_node_item_t *it = sources->data.sequence.items.start; rc == 0 && it < sources->data.sequence.items.top; it++)
      rc = source_topics(&d, yaml_document_get_node(&d, *it), file, out, err, err_len);
    static const char *const sink_keys[] = {"output", "late", "errors"};
    for (size_t i = 0; rc == 0 && i < 3; i++) {
      const char *s = scalar(map_get(&d, sinks, sink_keys[i]));
      if (s) add_unique(&out->sinks, &out->n_sinks, s);
    }
  }
  yaml_document_delete(&d);
  if (rc) procjob_info_free(out);
  return rc;
}

void procjob_info_free(procjob_info *info) {
  free(info->name);
  for (size_t i = 0; i < info->n_inputs; i++) free(info->inputs[i]);
  for (size_t i = 0; i < info->n_sinks; i++) free(info->sinks[i]);
  free(info->inputs);
  free(info->sinks);
  memset(info, 0, sizeof *info);
}
