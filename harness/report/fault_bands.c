/* fault_bands.c: see fault_bands.h. */
#include "fault_bands.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

/* A string member or "" (never NULL), copied. */
static char *dup_member(json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return sp_strdup(s ? s : "");
}

/* The error of a line: NULL when the result is ok. Accepts the executor's
 * {"result":"error","error":"why"} and the README's {"result":"error: why"};
 * a line without a result counts as ok (older writers). */
static char *event_error(json_t *o) {
  const char *result = json_string_value(json_object_get(o, "result"));
  if (!result || !strcmp(result, "ok")) return NULL;
  const char *why = json_string_value(json_object_get(o, "error"));
  if (why && *why) return sp_strdup(why);
  if (!strncmp(result, "error: ", 7)) return sp_strdup(result + 7);
  return sp_strdup(result);
}

/* Adds one event from a parsed line; 0, or -1 (with a note) when the line
 * lacks what every event has. */
static int add_event(fault_list *fl, json_t *o, int line, notes *nt) {
  json_t *t = json_object_get(o, "t_s");
  const char *action = json_string_value(json_object_get(o, "action"));
  if (!json_is_number(t) || !action) {
    notes_add(nt, "faults.jsonl line %d: no number \"t_s\" or string \"action\"; line skipped", line);
    return -1;
  }
  fl->events = sp_realloc(fl->events, (fl->n_events + 1) * sizeof *fl->events);
  fault_event *e = &fl->events[fl->n_events++];
  e->line = line;
  e->t_s = json_number_value(t);
  json_t *occ = json_object_get(o, "occurrence");
  e->occurrence = json_is_integer(occ) ? (long)json_integer_value(occ) : -1;
  e->fault = dup_member(o, "fault");
  e->kind = dup_member(o, "kind");
  e->target = dup_member(o, "target");
  e->action = sp_strdup(action);
  e->error = event_error(o);
  e->detail = dup_member(o, "detail");
  json_t *params = json_object_get(o, "params");
  char *p = params ? json_dumps(params, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  e->params = sp_strdup(p ? p : "");
  free(p);
  return 0;
}

/* A label safe for the bands CSV: commas become semicolons, quotes and
 * control characters are dropped. */
static char *band_label(const fault_event *e) {
  char buf[512];
  snprintf(buf, sizeof buf, "%s: %s %s", e->fault, e->kind, e->target);
  size_t w = 0;
  for (size_t r = 0; buf[r]; r++) {
    unsigned char c = (unsigned char)buf[r];
    if (c == ',') buf[w++] = ';';
    else if (c >= 0x20 && c != '"' && c != '\'' && c != 0x7f) buf[w++] = (char)c;
  }
  buf[w] = '\0';
  return sp_strdup(buf);
}

/* 1 when event h heals the window that inject i opened. */
static int heals(const fault_event *i, const fault_event *h) {
  return !strcmp(i->fault, h->fault) && !strcmp(i->target, h->target) &&
         (i->occurrence < 0 || h->occurrence < 0 || i->occurrence == h->occurrence);
}

/* Pairs injects with heals into bands, in the order the injects happened. */
static void pair_bands(fault_list *fl, double end_s) {
  char *used = sp_calloc(fl->n_events ? fl->n_events : 1, 1);
  for (size_t i = 0; i < fl->n_events; i++) {
    const fault_event *in = &fl->events[i];
    if (strcmp(in->action, "inject") || in->error) continue;
    fault_band b = {in->t_s, end_s > in->t_s ? end_s : in->t_s, 0, 0, 0, band_label(in)};
    for (size_t k = i + 1; k < fl->n_events; k++) {
      const fault_event *h = &fl->events[k];
      if (used[k] || strcmp(h->action, "heal") || !heals(in, h)) continue;
      used[k] = 1;
      b.end_s = h->t_s > in->t_s ? h->t_s : in->t_s;
      b.healed = 1;
      break;
    }
    b.label_s = 0.5 * (b.start_s + b.end_s);
    fl->bands = sp_realloc(fl->bands, (fl->n_bands + 1) * sizeof *fl->bands);
    fl->bands[fl->n_bands++] = b;
  }
  free(used);
}

void fault_list_parse(const char *text, size_t len, double end_s, fault_list *out, notes *nt) {
  memset(out, 0, sizeof *out);
  size_t pos = 0;
  int line = 0;
  while (pos < len) {
    line++;
    const char *start = text + pos;
    const char *nl = memchr(start, '\n', len - pos);
    size_t n = nl ? (size_t)(nl - start) : len - pos;
    pos += n + (nl ? 1 : 0);
    size_t blank = 0;
    while (blank < n && (start[blank] == ' ' || start[blank] == '\t' || start[blank] == '\r')) blank++;
    if (blank == n) continue;
    json_error_t je;
    json_t *o = json_loadb(start, n, 0, &je);
    if (!json_is_object(o)) {
      if (!nl) notes_add(nt, "faults.jsonl line %d: cut short (the writer stopped mid-line); ignored", line);
      else notes_add(nt, "faults.jsonl line %d: not a JSON object (%s); line skipped", line,
                     o ? "another JSON value" : je.text);
    } else {
      add_event(out, o, line, nt);
    }
    json_decref(o);
  }
  pair_bands(out, end_s);
}

int fault_list_load(const char *path, double end_s, fault_list *out, notes *nt, char *err,
                    size_t err_cap) {
  memset(out, 0, sizeof *out);
  FILE *f = fopen(path, "rb");
  if (!f) {
    if (errno == ENOENT) return 1;
    snprintf(err, err_cap, "%s: %s", path, strerror(errno));
    return -1;
  }
  char *text = NULL;
  size_t len = 0, cap = 0, got;
  do {
    if (cap - len < 65536) text = sp_realloc(text, cap = cap ? 2 * cap : 65536);
    got = fread(text + len, 1, cap - len, f);
    len += got;
  } while (got > 0);
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    snprintf(err, err_cap, "%s: read error", path);
    free(text);
    return -1;
  }
  fault_list_parse(text, len, end_s, out, nt);
  free(text);
  return 0;
}

void fault_list_free(fault_list *fl) {
  for (size_t i = 0; i < fl->n_events; i++) {
    fault_event *e = &fl->events[i];
    free(e->fault);
    free(e->kind);
    free(e->target);
    free(e->action);
    free(e->error);
    free(e->detail);
    free(e->params);
  }
  for (size_t i = 0; i < fl->n_bands; i++) free(fl->bands[i].label);
  free(fl->events);
  free(fl->bands);
  memset(fl, 0, sizeof *fl);
}

/* 1 when an earlier band than i has the same label and it was drawn. */
static int label_drawn_before(const fault_list *fl, size_t i) {
  for (size_t k = 0; k < i; k++)
    if (fl->bands[k].row >= 0 && !strcmp(fl->bands[k].label, fl->bands[i].label)) return 1;
  return 0;
}

void fault_bands_rows(fault_list *fl, double seconds_per_char, int max_rows, double end_s) {
  if (max_rows < 1) max_rows = 1;
  double *row_end = sp_calloc((size_t)max_rows, sizeof *row_end);
  for (int r = 0; r < max_rows; r++) row_end[r] = -1e300;
  for (size_t i = 0; i < fl->n_bands; i++) {
    fault_band *b = &fl->bands[i];
    double half = 0.5 * (double)strlen(b->label) * seconds_per_char;
    double mid = 0.5 * (b->start_s + b->end_s);
    if (mid + half > end_s) mid = end_s - half;
    if (mid - half < 0) mid = half;
    b->label_s = mid;
    if (label_drawn_before(fl, i)) {
      /* A repeat: drawn only where the top row has room, so repeats never
       * push other faults' labels down. */
      b->row = row_end[0] < mid - half ? 0 : -1;
      if (b->row == 0) row_end[0] = mid + half;
      continue;
    }
    int pick = -1, earliest = 0;
    for (int r = 0; r < max_rows && pick < 0; r++)
      if (row_end[r] < mid - half) pick = r;
    for (int r = 1; r < max_rows; r++)
      if (row_end[r] < row_end[earliest]) earliest = r;
    b->row = pick >= 0 ? pick : earliest;
    row_end[b->row] = mid + half;
  }
  free(row_end);
}

int fault_bands_write_csv(const fault_list *fl, const char *path, char *err, size_t err_cap) {
  FILE *f = fopen(path, "w");
  if (!f) {
    snprintf(err, err_cap, "%s: %s", path, strerror(errno));
    return -1;
  }
  fputs("start_s,end_s,label,row,label_s\n", f);
  for (size_t i = 0; i < fl->n_bands; i++) {
    const fault_band *b = &fl->bands[i];
    fprintf(f, "%.6f,%.6f,%s,%d,%.6f\n", b->start_s, b->end_s, b->label, b->row, b->label_s);
  }
  if (fclose(f) != 0) {
    snprintf(err, err_cap, "%s: %s", path, strerror(errno));
    return -1;
  }
  return 0;
}
