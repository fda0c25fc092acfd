/* timeline_scan.c: see timeline_scan.h. */
#include "timeline_scan.h"

#include "mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TL_MAX_FIELDS 128

/* Splits line (modified in place) at commas; the number of fields. */
static int split_csv(char *line, char **fields, int max) {
  int n = 0;
  char *p = line;
  for (;;) {
    if (n < max) fields[n] = p;
    n++;
    char *c = strchr(p, ',');
    if (!c) break;
    *c = '\0';
    p = c + 1;
  }
  char *nl = strpbrk(fields[(n <= max ? n : max) - 1], "\r\n");
  if (nl) *nl = '\0';
  return n;
}

/* Column index by name, -1 when absent. */
static int col(char **names, int n, const char *name) {
  for (int i = 0; i < n; i++)
    if (!strcmp(names[i], name)) return i;
  return -1;
}

/* 1 when field i exists and parses whole as a number (into *v). */
static int num(char **f, int n, int i, double *v) {
  if (i < 0 || i >= n || !*f[i]) return 0;
  char *end;
  *v = strtod(f[i], &end);
  return *end == '\0';
}

int timeline_scan(const char *path, timeline_info *ti, notes *nt, FILE *good_rows, char *err,
                  size_t err_cap) {
  memset(ti, 0, sizeof *ti);
  FILE *f = fopen(path, "r");
  if (!f) {
    if (errno == ENOENT) return 1;
    snprintf(err, err_cap, "%s: %s", path, strerror(errno));
    return -1;
  }
  char *line = NULL, *header = NULL, *copy = NULL;
  size_t cap = 0, copy_cap = 0;
  char *names[TL_MAX_FIELDS], *fields[TL_MAX_FIELDS];
  int rc = 0;
  if (getline(&line, &cap, f) < 0) {
    snprintf(err, err_cap, "%s: empty (no header line)", path);
    rc = -1;
    goto out;
  }
  header = line;
  line = NULL;
  cap = 0;
  if (good_rows) fputs(header, good_rows);
  int nh = split_csv(header, names, TL_MAX_FIELDS);
  if (nh > TL_MAX_FIELDS) nh = TL_MAX_FIELDS;
  int c_t = col(names, nh, "t_s"), c_phase = col(names, nh, "phase");
  int c_rate[3] = {col(names, nh, "intended"), col(names, nh, "acked"), col(names, nh, "consumed")};
  int c_pub[3] = {col(names, nh, "publish_p50_ms"), col(names, nh, "publish_p99_ms"), col(names, nh, "publish_max_ms")};
  int c_e2e[3] = {col(names, nh, "e2e_p50_ms"), col(names, nh, "e2e_p99_ms"), col(names, nh, "e2e_max_ms")};
  if (c_t < 0) {
    snprintf(err, err_cap, "%s: line 1: no t_s column (not a streamproof timeline)", path);
    rc = -1;
    goto out;
  }
  ti->columns = TL_T_S | (c_phase >= 0 ? TL_PHASE : 0) | (c_rate[0] >= 0 ? TL_INTENDED : 0) |
                (c_rate[1] >= 0 ? TL_ACKED : 0) | (c_rate[2] >= 0 ? TL_CONSUMED : 0) |
                (col(names, nh, "errors") >= 0 ? TL_ERRORS : 0) |
                (col(names, nh, "backlog") >= 0 ? TL_BACKLOG : 0) |
                (c_pub[0] >= 0 && c_pub[1] >= 0 && c_pub[2] >= 0 ? TL_PUBLISH_LATENCY : 0) |
                (c_e2e[0] >= 0 && c_e2e[1] >= 0 && c_e2e[2] >= 0 ? TL_E2E_LATENCY : 0);
  int lineno = 1, noted = 0, seen_warmup = 0, warmup_ended = 0, seen_drain = 0;
  while (getline(&line, &cap, f) >= 0) {
    lineno++;
    if (line[0] == '\n' || line[0] == '\0') continue;
    if (good_rows) {
      size_t len = strlen(line) + 1;
      if (len > copy_cap) copy = sp_realloc(copy, copy_cap = len);
      memcpy(copy, line, len);
    }
    int n = split_csv(line, fields, TL_MAX_FIELDS);
    double t, v;
    if (n != nh || !num(fields, n, c_t, &t)) {
      ti->bad_rows++;
      if (noted++ < 3)
        notes_add(nt, "timeline.csv line %d: %d fields, header has %d, or t_s is not a number; row skipped",
                  lineno, n, nh);
      continue;
    }
    if (good_rows) {
      fputs(copy, good_rows);
      if (copy[strlen(copy) - 1] != '\n') fputc('\n', good_rows);
    }
    ti->rows++;
    if (t + 1 > ti->end_s) ti->end_s = t + 1;
    if (c_phase >= 0) {
      const char *ph = fields[c_phase];
      if (!strcmp(ph, "warmup")) {
        seen_warmup = 1;
      } else if (seen_warmup && !warmup_ended) {
        ti->warmup_end_s = t;
        warmup_ended = 1;
      }
      if (!strcmp(ph, "drain") && !seen_drain) {
        ti->drain_start_s = t;
        seen_drain = 1;
      }
    }
    for (int k = 0; k < 3; k++) {
      if (num(fields, n, c_rate[k], &v) && v > ti->max_rate) ti->max_rate = v;
      if (num(fields, n, c_pub[k], &v) && v > 0) ti->publish_samples = 1;
      if (num(fields, n, c_e2e[k], &v) && v > 0) ti->e2e_samples = 1;
    }
  }
  if (noted > 3) notes_add(nt, "timeline.csv: %d more rows skipped", noted - 3);
out:
  free(copy);
  free(line);
  free(header);
  fclose(f);
  return rc;
}
