/* timeline.c: see timeline.h. */
#include "timeline.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault_window.h"
#include "history.h"
#include "log.h"
#include "mem.h"

#define SCAN_RECORDS 4096

typedef struct scan_ctx {
  run_ctx *c;
  tl_counts *tc;
  int sub; /* subscription of the file's records (consumer/effects), -1 none */
} scan_ctx;

/* The second a CLOCK_MONOTONIC time falls in (clamped to the timeline). */
static size_t second_of(const scan_ctx *s, uint64_t t_ns) {
  uint64_t t0 = s->c->t0;
  size_t k = t_ns > t0 ? (size_t)((t_ns - t0) / 1000000000ull) : 0;
  return k < s->tc->n_seconds ? k : s->tc->n_seconds - 1;
}

static void count_record(scan_ctx *s, const hist_record *r) {
  tl_counts *tc = s->tc;
  if (s->c->fw) fw_record(s->c->fw, r);
  switch (r->type) {
  case HIST_ACK:
    tc->rows[second_of(s, r->t_sent_ns)].sent++;
    tc->rows[second_of(s, r->t_ns)].acked++;
    tc->sent++;
    tc->acked++;
    break;
  case HIST_NACK:
    tc->rows[second_of(s, r->t_sent_ns)].sent++;
    tc->rows[second_of(s, r->t_ns)].nacked++;
    tc->rows[second_of(s, r->t_ns)].errors++;
    tc->sent++;
    tc->nacked++;
    break;
  case HIST_APPLY:
    tc->rows[second_of(s, r->t_ns)].consumed++;
    tc->consumed++;
    if (s->sub >= 0 && (uint32_t)s->sub < s->c->n_subs) tc->consumed_per_sub[s->sub]++;
    break;
  case HIST_SKIP:
    tc->skipped++;
    break;
  case HIST_COMMIT:
    if (r->err) {
      tc->rows[second_of(s, r->t_ns)].errors++;
      tc->commit_errors++;
    }
    break;
  default:
    break;
  }
}

/* Streams one history file through count_record (constant memory: the
 * files of a long run need not fit in it). A torn last record is ignored.
 * s->sub == -2 asks for the subscription of the file's logical consumer. */
static int scan_file(scan_ctx *s, const char *path, uint32_t *logical_id, char *err, size_t err_len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    snprintf(err, err_len, "%s: %s", path, strerror(errno));
    return -1;
  }
  uint8_t head[HIST_HEADER_BYTES];
  ssize_t n = read(fd, head, sizeof head);
  if (n != (ssize_t)sizeof head || memcmp(head, HIST_MAGIC, 8) != 0) {
    snprintf(err, err_len, "%s: not a streamproof history file (bad header)", path);
    close(fd);
    return -1;
  }
  *logical_id = (uint32_t)head[20] | (uint32_t)head[21] << 8 | (uint32_t)head[22] << 16 |
                (uint32_t)head[23] << 24;
  if (s->sub == -2) { /* a consumer file: its subscription is its logical consumer's */
    run_ctx *c = s->c;
    s->sub = *logical_id < c->n_consumers ? (int)c->workers[c->n_producers + *logical_id].subscription : -1;
  }
  uint8_t *buf = sp_malloc(SCAN_RECORDS * HIST_RECORD_BYTES);
  size_t have = 0;
  for (;;) {
    n = read(fd, buf + have, SCAN_RECORDS * HIST_RECORD_BYTES - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      snprintf(err, err_len, "%s: %s", path, strerror(errno));
      free(buf);
      close(fd);
      return -1;
    }
    have += (size_t)n;
    size_t whole = have / HIST_RECORD_BYTES;
    for (size_t i = 0; i < whole; i++) {
      hist_record r;
      hist_decode(buf + i * HIST_RECORD_BYTES, &r);
      count_record(s, &r);
    }
    size_t rest = have - whole * HIST_RECORD_BYTES;
    memmove(buf, buf + whole * HIST_RECORD_BYTES, rest);
    have = rest;
    if (n == 0) break;
  }
  if (have) s->tc->torn_files++;
  s->tc->files++;
  free(buf);
  close(fd);
  return 0;
}

/* Intended messages of all producers in [a_ns, b_ns) since t0, cut at the
 * moment the producers were told to stop. */
static uint64_t intended_between(const run_ctx *c, uint64_t a_ns, uint64_t b_ns) {
  uint64_t stop = c->measure_end > c->t0 ? c->measure_end - c->t0 : 0;
  if (a_ns > stop) a_ns = stop;
  if (b_ns > stop) b_ns = stop;
  if (b_ns <= a_ns) return 0;
  return schedule_intended_before(&c->sched, b_ns) - schedule_intended_before(&c->sched, a_ns);
}

int timeline_count(run_ctx *c, size_t n_seconds, tl_counts *tc, char *err, size_t err_len) {
  memset(tc, 0, sizeof *tc);
  tc->n_seconds = n_seconds ? n_seconds : 1;
  tc->rows = sp_calloc(tc->n_seconds, sizeof *tc->rows);
  tc->consumed_per_sub = sp_calloc(c->n_subs ? c->n_subs : 1, sizeof *tc->consumed_per_sub);
  for (size_t k = 0; k < tc->n_seconds; k++) {
    tc->rows[k].intended = intended_between(c, k * 1000000000ull, (k + 1) * 1000000000ull);
    tc->intended += tc->rows[k].intended;
  }
  DIR *d = opendir(c->hist_dir);
  if (!d) {
    snprintf(err, err_len, "%s: %s", c->hist_dir, strerror(errno));
    return -1;
  }
  struct dirent *de;
  int rc = 0;
  while (rc == 0 && (de = readdir(d))) {
    const char *name = de->d_name;
    size_t len = strlen(name);
    if (len < 6 || strcmp(name + len - 5, ".hist") || !strcmp(name, "readback.hist")) continue;
    scan_ctx s = {c, tc, -1};
    unsigned sub = 0;
    int is_consumer = !strncmp(name, "consumer-", 9);
    if (sscanf(name, "effects-%u-", &sub) == 1) s.sub = (int)sub;
    char path[RUN_PATH_MAX + 300];
    snprintf(path, sizeof path, "%s/%s", c->hist_dir, name);
    uint32_t logical = 0;
    if (is_consumer) s.sub = -2;
    rc = scan_file(&s, path, &logical, err, err_len);
  }
  closedir(d);
  return rc;
}

int64_t timeline_backlog(int64_t acked, uint64_t subs_per_topic, int64_t consumed) {
  int64_t b = acked * (int64_t)subs_per_topic - consumed;
  return b > 0 ? b : 0;
}

const char *timeline_phase(const run_ctx *c, size_t k) {
  uint64_t t = c->t0 + (uint64_t)k * 1000000000ull;
  if (t < c->warmup_end) return "warmup";
  if (t < c->measure_end) return "measure";
  return "drain";
}

/* Marks, per second, how many faults were in force (from faults.jsonl:
 * an inject opens a window, the heal of the same fault occurrence and
 * target closes it; a fault never healed lasts to the end). */
static void fault_windows(const run_ctx *c, size_t n_seconds, uint32_t *active) {
  char path[RUN_PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/faults.jsonl", c->dir);
  FILE *f = fopen(path, "r");
  if (!f) return;
  typedef struct open_fault {
    char key[256];
    double from;
  } open_fault;
  open_fault *open = NULL;
  size_t n_open = 0;
  char *line = NULL;
  size_t cap = 0;
  while (getline(&line, &cap, f) > 0) {
    json_t *o = json_loads(line, 0, NULL);
    if (!o) continue;
    const char *action = json_string_value(json_object_get(o, "action"));
    const char *fault = json_string_value(json_object_get(o, "fault"));
    const char *target = json_string_value(json_object_get(o, "target"));
    const char *result = json_string_value(json_object_get(o, "result"));
    double t = json_number_value(json_object_get(o, "t_s"));
    char key[256];
    snprintf(key, sizeof key, "%s/%lld/%s", fault ? fault : "", (long long)json_integer_value(json_object_get(o, "occurrence")),
             target ? target : "");
    if (action && result && !strcmp(result, "ok") && !strcmp(action, "inject")) {
      open = sp_realloc(open, (n_open + 1) * sizeof *open);
      snprintf(open[n_open].key, sizeof open[n_open].key, "%s", key);
      open[n_open++].from = t;
    } else if (action && !strcmp(action, "heal")) {
      for (size_t i = 0; i < n_open; i++)
        if (!strcmp(open[i].key, key)) {
          for (size_t k = (size_t)open[i].from; k < n_seconds && (double)k < t; k++) active[k]++;
          open[i] = open[--n_open];
          break;
        }
    }
    json_decref(o);
  }
  for (size_t i = 0; i < n_open; i++)
    for (size_t k = (size_t)open[i].from; k < n_seconds; k++) active[k]++;
  free(open);
  free(line);
  fclose(f);
}

/* A latency cell in ms ("" when the second has no samples). */
static void ms_cell(FILE *f, const lat_second *s, uint64_t v) {
  if (s->count) fprintf(f, ",%.3f", (double)v / 1000.0);
  else fputc(',', f);
}

int timeline_write(run_ctx *c, const tl_counts *tc, const latency_set *lat, char *err, size_t err_len) {
  char path[RUN_PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/timeline.csv", c->dir);
  FILE *f = fopen(path, "w");
  if (!f) {
    snprintf(err, err_len, "%s: %s", path, strerror(errno));
    return -1;
  }
  fputs("t_s,phase,intended,sent,acked,nacked,consumed,errors,backlog,"
        "publish_p50_ms,publish_p99_ms,publish_max_ms,e2e_p50_ms,e2e_p99_ms,e2e_max_ms,"
        "faults_active\n", f);
  uint32_t *active = sp_calloc(tc->n_seconds, sizeof *active);
  fault_windows(c, tc->n_seconds, active);
  uint64_t spt = c->n_topics ? c->n_subs / c->n_topics : 0;
  int64_t acked = 0, consumed = 0;
  for (size_t k = 0; k < tc->n_seconds; k++) {
    const tl_second *r = &tc->rows[k];
    acked += (int64_t)r->acked;
    consumed += (int64_t)r->consumed;
    fprintf(f, "%zu,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRId64,
            k, timeline_phase(c, k), r->intended, r->sent, r->acked, r->nacked, r->consumed,
            r->errors, timeline_backlog(acked, spt, consumed));
    const lat_second *p = k < lat->n_seconds ? &lat->sec[LAT_PUBLISH][k] : NULL;
    const lat_second *e = k < lat->n_seconds ? &lat->sec[LAT_E2E][k] : NULL;
    static const lat_second empty;
    if (!p) p = &empty;
    if (!e) e = &empty;
    ms_cell(f, p, p->p50);
    ms_cell(f, p, p->p99);
    ms_cell(f, p, p->max);
    ms_cell(f, e, e->p50);
    ms_cell(f, e, e->p99);
    ms_cell(f, e, e->max);
    fprintf(f, ",%" PRIu32 "\n", active[k]);
  }
  free(active);
  if (fclose(f) != 0) {
    snprintf(err, err_len, "%s: %s", path, strerror(errno));
    return -1;
  }
  return 0;
}

void timeline_free(tl_counts *tc) {
  free(tc->rows);
  free(tc->consumed_per_sub);
  memset(tc, 0, sizeof *tc);
}
