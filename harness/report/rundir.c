/* rundir.c: see rundir.h. */
#include "rundir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mem.h"

/* Loads one JSON file that must hold an object. 0 (and *out = NULL) when the
 * file is absent, 1 when loaded, -1 with "file: line L column C: why". */
static int load_object(const char *file, json_t **out, char *err, size_t err_cap) {
  *out = NULL;
  struct stat st;
  if (stat(file, &st) != 0) {
    if (errno == ENOENT) return 0;
    snprintf(err, err_cap, "%s: %s", file, strerror(errno));
    return -1;
  }
  json_error_t je;
  json_t *j = json_load_file(file, 0, &je);
  if (!j) {
    snprintf(err, err_cap, "%s: line %d column %d: %s", file, je.line, je.column, je.text);
    return -1;
  }
  if (!json_is_object(j)) {
    snprintf(err, err_cap, "%s: not a JSON object", file);
    json_decref(j);
    return -1;
  }
  *out = j;
  return 1;
}

/* The last component of a path without trailing slashes. */
static const char *last_component(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

int rundir_open(const char *path, int need_summary, rundir *rd, char *err, size_t err_cap) {
  memset(rd, 0, sizeof *rd);
  size_t len = strlen(path);
  while (len > 1 && path[len - 1] == '/') len--;
  struct stat st;
  if (len == 0 || stat(path, &st) != 0) {
    snprintf(err, err_cap, "%s: %s", path, len ? strerror(errno) : "empty path");
    return -1;
  }
  if (!S_ISDIR(st.st_mode)) {
    snprintf(err, err_cap, "%s: not a directory (a results folder is)", path);
    return -1;
  }
  rd->path = sp_strndup(path, len);
  rd->name = sp_strdup(strcmp(rd->path, "/") ? last_component(rd->path) : "/");
  if (!strcmp(rd->name, ".") || !strcmp(rd->name, "..")) {
    char *real = realpath(rd->path, NULL);
    if (real) {
      free(rd->name);
      rd->name = sp_strdup(last_component(real));
      free(real);
    }
  }
  char file[4096];
  rundir_file(rd, "summary.json", file, sizeof file);
  int rc = load_object(file, &rd->summary, err, err_cap);
  if (rc == 0 && need_summary) {
    snprintf(err, err_cap, "%s: missing (is %s a results folder of `streamproof run`?)", file, rd->path);
    rc = -1;
  }
  if (rc == 0) notes_add(&rd->notes, "no summary.json: the summary tables are empty (the run did not finish?)");
  if (rc >= 0) {
    rundir_file(rd, "verdict.json", file, sizeof file);
    rc = load_object(file, &rd->verdict, err, err_cap);
    if (rc == 0) notes_add(&rd->notes, "no verdict.json: the run was not checked (run `streamproof check %s`)", rd->path);
  }
  if (rc < 0) {
    rundir_close(rd);
    return -1;
  }
  return 0;
}

void rundir_close(rundir *rd) {
  free(rd->path);
  free(rd->name);
  json_decref(rd->summary);
  json_decref(rd->verdict);
  notes_free(&rd->notes);
  memset(rd, 0, sizeof *rd);
}

/* The last two components ("parent/name") of a path, best effort. */
static char *two_components(const char *path) {
  char *real = realpath(path, NULL);
  const char *p = real ? real : path;
  const char *last = strrchr(p, '/');
  const char *start = p;
  if (last && last > p) {
    for (const char *q = last - 1; q >= p; q--)
      if (*q == '/') {
        start = q + 1;
        break;
      }
  }
  char *s = sp_strdup(start);
  free(real);
  return s;
}

void rundir_unique_labels(rundir *runs, size_t n) {
  for (size_t i = 0; i < n; i++) {
    int clash = 0;
    for (size_t k = 0; k < n; k++)
      if (k != i && !strcmp(runs[i].name, runs[k].name)) clash = 1;
    if (!clash) continue;
    char *shared = sp_strdup(runs[i].name);
    for (size_t k = i; k < n; k++)
      if (!strcmp(runs[k].name, shared)) {
        char *longer = two_components(runs[k].path);
        free(runs[k].name);
        runs[k].name = longer;
      }
    free(shared);
  }
  /* Still equal (the same folder twice, or equal parents): number them. */
  for (size_t i = 0; i < n; i++)
    for (size_t k = i + 1; k < n; k++)
      if (!strcmp(runs[i].name, runs[k].name)) {
        char buf[4096];
        snprintf(buf, sizeof buf, "%s #%zu", runs[k].name, k + 1);
        free(runs[k].name);
        runs[k].name = sp_strdup(buf);
      }
}

void rundir_file(const rundir *rd, const char *name, char *buf, size_t cap) {
  snprintf(buf, cap, "%s/%s", rd->path, name);
}

int rundir_has(const rundir *rd, const char *name) {
  char file[4096];
  rundir_file(rd, name, file, sizeof file);
  struct stat st;
  return stat(file, &st) == 0 && S_ISREG(st.st_mode);
}

const char *rundir_verdict(const rundir *rd) {
  const char *v = json_str_at(rd->verdict, "verdict");
  return v ? v : json_str_at(rd->summary, "verdict");
}

json_t *json_at(json_t *root, const char *path) {
  json_t *j = root;
  const char *p = path;
  while (j && *p) {
    const char *dot = strchr(p, '.');
    size_t len = dot ? (size_t)(dot - p) : strlen(p);
    if (!json_is_object(j)) return NULL;
    j = json_object_getn(j, p, len);
    p += len + (dot ? 1 : 0);
  }
  return j;
}

int json_num_at(json_t *root, const char *path, double *out) {
  json_t *j = json_at(root, path);
  if (!json_is_number(j)) return -1;
  *out = json_number_value(j);
  return 0;
}

const char *json_str_at(json_t *root, const char *path) {
  return json_string_value(json_at(root, path));
}
