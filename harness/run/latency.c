/* latency.c: see latency.h. */
#include "latency.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hlog.h"
#include "log.h"
#include "mem.h"

const char *const lat_tag_names[LAT_TAGS] = {"publish", "publish-uncorrected", "publish-delay", "e2e",
                                             "e2e-uncorrected"};

/* A histogram as a sorted list of (slot index, count): the per-second
 * accumulators. */
typedef struct sparse {
  uint32_t *idx;
  uint64_t *cnt;
  size_t n;
} sparse;

/* s += h (h dense). Merges two sorted slot lists. */
static void sparse_add(sparse *s, const sp_hist *h) {
  size_t hn = 0;
  sp_hist_iter it;
  sp_hist_iter_init(&it, h);
  while (sp_hist_iter_next(&it)) hn++;
  uint32_t *idx = sp_malloc((s->n + hn + 1) * sizeof *idx);
  uint64_t *cnt = sp_malloc((s->n + hn + 1) * sizeof *cnt);
  size_t i = 0, n = 0;
  sp_hist_iter_init(&it, h);
  int more = sp_hist_iter_next(&it);
  while (i < s->n || more) {
    if (more && (i == s->n || (uint32_t)it.index < s->idx[i])) {
      idx[n] = (uint32_t)it.index;
      cnt[n++] = it.count;
      more = sp_hist_iter_next(&it);
    } else if (more && (uint32_t)it.index == s->idx[i]) {
      idx[n] = s->idx[i];
      cnt[n++] = s->cnt[i++] + it.count;
      more = sp_hist_iter_next(&it);
    } else {
      idx[n] = s->idx[i];
      cnt[n++] = s->cnt[i++];
    }
  }
  free(s->idx);
  free(s->cnt);
  s->idx = idx;
  s->cnt = cnt;
  s->n = n;
}

/* h = s (h reset first). */
static void sparse_to_hist(const sparse *s, sp_hist *h) {
  sp_hist_reset(h);
  for (size_t i = 0; i < s->n; i++) sp_hist_record_n(h, (int64_t)sp_hist_value_at_index(s->idx[i]), s->cnt[i]);
}

void lat_second_of(const sp_hist *h, lat_second *o) {
  memset(o, 0, sizeof *o);
  o->count = sp_hist_count(h);
  if (!o->count) return;
  o->mean = sp_hist_mean(h);
  o->p50 = sp_hist_value_at_percentile(h, 50);
  o->p75 = sp_hist_value_at_percentile(h, 75);
  o->p95 = sp_hist_value_at_percentile(h, 95);
  o->p99 = sp_hist_value_at_percentile(h, 99);
  o->p999 = sp_hist_value_at_percentile(h, 99.9);
  o->p9999 = sp_hist_value_at_percentile(h, 99.99);
  o->max = sp_hist_max(h);
}

static int tag_index(const char *tag) {
  for (int i = 0; i < LAT_TAGS; i++)
    if (!strcmp(tag, lat_tag_names[i])) return i;
  return -1;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .hlog files of dir, sorted (for a stable combined log). */
static char **list_logs(const char *dir, size_t *n) {
  *n = 0;
  char **names = NULL;
  DIR *d = opendir(dir);
  if (!d) return NULL;
  struct dirent *de;
  while ((de = readdir(d))) {
    size_t len = strlen(de->d_name);
    if (len < 6 || strcmp(de->d_name + len - 5, ".hlog")) continue;
    names = sp_realloc(names, (*n + 1) * sizeof *names);
    names[(*n)++] = sp_strdup(de->d_name);
  }
  closedir(d);
  if (*n) qsort(names, *n, sizeof *names, by_name);
  return names;
}

/* Appends one worker log's data lines to the combined log: the header is
 * written once (from the first file), each file's lines under a comment
 * naming it. A final line without its newline is left out. */
static void append_lines(FILE *out, const char *path, const char *name, int first) {
  FILE *in = fopen(path, "r");
  if (!in) return;
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  int header_done = 0;
  while ((len = getline(&line, &cap, in)) > 0) {
    if (line[len - 1] != '\n') break; /* truncated by a kill */
    int header = line[0] == '#' || line[0] == '"';
    if (header) { /* the format lines once; each worker's own comment is replaced */
      if (first && (line[0] == '"' || !strncmp(line, "#[Histogram log format", 22) ||
                    !strncmp(line, "#[StartTime:", 12) || !strncmp(line, "#[BaseTime:", 11)))
        fputs(line, out);
      continue;
    }
    if (!header_done) {
      fprintf(out, "#[worker %.*s]\n", (int)(strlen(name) - 5), name);
      header_done = 1;
    }
    fputs(line, out);
  }
  free(line);
  fclose(in);
}

int latency_scan(const char *hlog_dir, double window_start_s, double window_end_s, size_t n_seconds,
                 const char *combined_path, latency_set *out, char *err, size_t err_len) {
  memset(out, 0, sizeof *out);
  for (int t = 0; t < LAT_TAGS; t++) out->total[t] = sp_hist_new();
  out->n_seconds = n_seconds;
  sparse *acc[LAT_TAGS];
  for (int t = 0; t < LAT_TAGS; t++) acc[t] = sp_calloc(n_seconds ? n_seconds : 1, sizeof(sparse));
  size_t n_files;
  char **files = list_logs(hlog_dir, &n_files);
  FILE *comb = NULL;
  if (combined_path) {
    comb = fopen(combined_path, "w");
    if (!comb) sp_warn("cannot write %s: %s", combined_path, strerror(errno));
    else fputs("#[streamproof: the intervals of every worker of the run]\n", comb);
  }
  int rc = 0;
  sp_hist *h = sp_hist_new();
  for (size_t f = 0; f < n_files && rc == 0; f++) {
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", hlog_dir, files[f]);
    if (comb) append_lines(comb, path, files[f], f == 0);
    sp_hlog_reader *r = sp_hlog_reader_open(path, err, err_len);
    if (!r) {
      rc = -1;
      break;
    }
    out->files++;
    sp_hlog_entry e;
    int got;
    while ((got = sp_hlog_reader_next(r, &e, h, err, err_len)) == 1) {
      int t = tag_index(e.tag);
      if (t < 0) continue;
      out->intervals++;
      if (e.offset_s >= window_start_s - 1e-6 && e.offset_s < window_end_s) sp_hist_add(out->total[t], h);
      double k = floor(e.offset_s + 0.5);
      if (k >= 0 && k < (double)n_seconds) sparse_add(&acc[t][(size_t)k], h);
    }
    if (sp_hlog_reader_truncated_line(r)) out->truncated_lines++;
    sp_hlog_reader_close(r);
    if (got < 0) rc = -1;
  }
  sp_hist_free(h);
  if (comb) fclose(comb);
  for (size_t f = 0; f < n_files; f++) free(files[f]);
  free(files);
  sp_hist *tmp = sp_hist_new();
  for (int t = 0; t < LAT_TAGS; t++) {
    out->sec[t] = sp_calloc(n_seconds ? n_seconds : 1, sizeof(lat_second));
    for (size_t k = 0; k < n_seconds; k++) {
      sparse_to_hist(&acc[t][k], tmp);
      lat_second_of(tmp, &out->sec[t][k]);
      free(acc[t][k].idx);
      free(acc[t][k].cnt);
    }
    free(acc[t]);
  }
  sp_hist_free(tmp);
  return rc;
}

void latency_free(latency_set *s) {
  for (int t = 0; t < LAT_TAGS; t++) {
    sp_hist_free(s->total[t]);
    free(s->sec[t]);
  }
  memset(s, 0, sizeof *s);
}
