/* check.c: check_run, the driver of `streamproof check` (check.h).
 *
 *   meta.json -> list history/ *.hist files -> ingest every file once, in the order
 *   ingest.h requires -> evaluate (evaluate.h) -> verdict (verdict.c) ->
 *   verdict.json and the summary.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check_int.h"
#include "clock.h"
#include "evaluate.h"
#include "hist_stream.h"
#include "ingest.h"
#include "mem.h"

enum { RANK_PRODUCER = 0, RANK_READBACK, RANK_CONSUMER, RANK_EFFECTS };

void check_options_init(check_options *o) {
  memset(o, 0, sizeof *o);
  o->examples = 5;
}

const char *check_verdict_name(check_verdict v) {
  switch (v) {
  case CHECK_VALID: return "valid";
  case CHECK_INVALID: return "invalid";
  case CHECK_UNKNOWN: return "unknown";
  default: return "error";
  }
}

void check_result_free(check_result *r) {
  for (size_t s = 0; s < r->n_subs; s++) free(r->subs[s].name);
  free(r->subs);
  r->subs = NULL;
  r->n_subs = 0;
}

/* ---- the history folder -------------------------------------------------- */

/* "<prefix><integer>.hist" -> the integer; -1 if name has another shape. */
static int64_t numbered(const char *name, const char *prefix) {
  size_t n = strlen(prefix);
  if (strncmp(name, prefix, n) != 0) return -1;
  char *end;
  errno = 0;
  long long v = strtoll(name + n, &end, 10);
  if (errno || end == name + n || v < 0 || strcmp(end, ".hist") != 0) return -1;
  return v;
}

/* Ingest rank of a file name, or -1 for names that are not history files. */
static int classify(const char *name, int64_t *id) {
  *id = -1;
  if ((*id = numbered(name, "producer-")) >= 0) return RANK_PRODUCER;
  if ((*id = numbered(name, "consumer-")) >= 0) return RANK_CONSUMER;
  if (strcmp(name, "readback.hist") == 0) return RANK_READBACK;
  size_t n = strlen(name);
  if (strncmp(name, "effects-", 8) == 0 && n > 13 && strcmp(name + n - 5, ".hist") == 0)
    return RANK_EFFECTS;
  return -1;
}

static int file_order(const void *a, const void *b) {
  const hfile *x = a, *y = b;
  if (x->rank != y->rank) return x->rank - y->rank;
  if (x->id != y->id) return x->id < y->id ? -1 : 1;
  return strcmp(x->name, y->name);
}

static void add_file(check_state *st, const char *hdir, const char *name, int rank, int64_t id,
                     uint64_t bytes) {
  st->files = sp_realloc(st->files, (st->n_files + 1) * sizeof *st->files);
  hfile *f = &st->files[st->n_files++];
  memset(f, 0, sizeof *f);
  size_t plen = strlen(hdir) + strlen(name) + 2;
  f->path = sp_malloc(plen);
  snprintf(f->path, plen, "%s/%s", hdir, name);
  f->name = sp_malloc(strlen(name) + 9);
  snprintf(f->name, strlen(name) + 9, "history/%s", name);
  f->rank = rank;
  f->id = id;
  f->bytes = bytes;
}

static int list_files(check_state *st, const char *hdir, char *err, size_t err_len) {
  DIR *d = opendir(hdir);
  if (!d) {
    snprintf(err, err_len, "%s: %s (is this a streamproof results folder?)", hdir, strerror(errno));
    return -1;
  }
  struct dirent *de;
  while ((de = readdir(d))) {
    size_t n = strlen(de->d_name);
    if (n < 5 || strcmp(de->d_name + n - 5, ".hist") != 0) continue;
    int64_t id;
    int rank = classify(de->d_name, &id);
    if (rank < 0) {
      strlist_addf(&st->notes, "history/%s: not a known history file name; ignored", de->d_name);
      continue;
    }
    char path[4096];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", hdir, de->d_name);
    add_file(st, hdir, de->d_name, rank, id, stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0);
  }
  closedir(d);
  if (st->n_files) qsort(st->files, st->n_files, sizeof *st->files, file_order);
  return 0;
}

/* Producers and consumers meta.json lists whose history file is absent. */
/* 1 when owner (a producer or consumer index) has incarnations but no file. */
static int file_missing(const check_state *st, int rank, int64_t id, const meta_proc *procs,
                        size_t n_procs, size_t owner) {
  int has_procs = 0;
  for (size_t i = 0; i < n_procs; i++) has_procs |= procs[i].owner == owner;
  for (size_t f = 0; f < st->n_files; f++)
    if (st->files[f].rank == rank && st->files[f].id == id) return 0;
  return has_procs;
}

static void missing_files(check_state *st) {
  const meta *m = &st->m;
  for (size_t p = 0; p < m->n_producers; p++)
    if (file_missing(st, RANK_PRODUCER, m->producers[p].id, m->writers, m->n_writers, p)) {
      st->global_incomplete = 1;
      strlist_addf(&st->gaps, "history/producer-%" PRId64 ".hist is missing: its acks are unknown",
                   m->producers[p].id);
    }
  for (size_t c = 0; c < m->n_consumers; c++)
    if (file_missing(st, RANK_CONSUMER, m->consumers[c].id, m->readers, m->n_readers, c)) {
      st->sub_incomplete[m->consumers[c].sub] = 1;
      strlist_addf(&st->gaps,
                   "history/consumer-%" PRId64 ".hist is missing: its applies are "
                   "unknown",
                   m->consumers[c].id);
    }
  for (size_t f = 0; f < st->n_files; f++) st->have_readback |= st->files[f].rank == RANK_READBACK;
  if (!st->have_readback)
    strlist_addf(&st->notes, "history/readback.hist is missing: acked-but-missing not checked");
  else if (!m->readback_completed)
    strlist_addf(&st->notes, "meta.json says the readback did not complete: acked-but-missing "
                             "not checked");
  st->md.readback_ok = st->have_readback && m->readback_completed;
}

/* Checks that file f's header agrees with its name and with meta.json. */
static int check_header(check_state *st, const hfile *f, const hist_stream *s, char *err,
                        size_t err_len) {
  static const uint32_t kinds[] = {HIST_KIND_PRODUCER, HIST_KIND_READBACK, HIST_KIND_CONSUMER,
                                   HIST_KIND_EFFECTS};
  if (s->kind != kinds[f->rank]) {
    snprintf(err, err_len, "%s: byte 16: file kind %u does not match its name (expected %u)",
             f->path, s->kind, kinds[f->rank]);
    return -1;
  }
  if (f->rank == RANK_PRODUCER || f->rank == RANK_CONSUMER) {
    const char *what = f->rank == RANK_PRODUCER ? "producer" : "consumer";
    if ((int64_t)s->logical_id != f->id) {
      snprintf(err, err_len, "%s: byte 20: header names %s %u, the file name %s %" PRId64, f->path,
               what, s->logical_id, what, f->id);
      return -1;
    }
    int32_t idx = f->rank == RANK_PRODUCER ? meta_producer_by_id(&st->m, f->id)
                                           : meta_consumer_by_id(&st->m, f->id);
    if (idx < 0) {
      snprintf(err, err_len, "%s: %s %" PRId64 " is not in meta.json (stale meta.json?)", f->path,
               what, f->id);
      return -1;
    }
  }
  return 0;
}

static int ingest_all(check_state *st, char *err, size_t err_len) {
  ingest in = {&st->md, &st->pt, &st->notes, NULL, 0, 0, err, err_len};
  for (size_t i = 0; i < st->n_files; i++) {
    hfile *f = &st->files[i];
    hist_stream s;
    if (hist_stream_open(&s, f->path, err, err_len)) return -1;
    f->torn_bytes = s.torn_bytes;
    if (s.torn_bytes) {
      st->r->info.torn_files++;
      st->r->info.torn_bytes += s.torn_bytes;
    }
    in.name = f->path;
    in.file = (uint32_t)i;
    int rc = check_header(st, f, &s, err, err_len) ? -1 : ingest_file(&in, &s);
    hist_stream_close(&s);
    if (rc) return -1;
  }
  st->r->records = in.records;
  return 0;
}

/* The redelivery examples learn their final apply count. */
static void finish_examples(check_state *st) {
  for (size_t i = 0; i < st->f.ex_n[ANOM_REDELIVERED]; i++) {
    example *e = &st->f.ex[ANOM_REDELIVERED][i];
    const meta_sub *sub = &st->m.subs[e->sub];
    uint32_t sp = sub->part_base + e->tp - st->m.topics[sub->topic].tp_base;
    const uint8_t *c = pages_get(&st->md.applied[sp], (uint64_t)e->offset);
    e->n = c ? *c : 0;
  }
}

/* ---- the run --------------------------------------------------------------- */

static void state_free(check_state *st, int built) {
  if (built) {
    poll_free(&st->pt);
    model_free(&st->md);
    findings_free(&st->f);
  }
  meta_free(&st->m);
  for (size_t i = 0; i < st->n_files; i++) {
    free(st->files[i].path);
    free(st->files[i].name);
  }
  free(st->files);
  free(st->sub_incomplete);
  strlist_free(&st->notes);
  strlist_free(&st->violations);
  strlist_free(&st->gaps);
  stream_result_free(&st->sr);
}

/* Exit 3: says why on stderr and in verdict.json (verdict unknown). */
static int fail_input(check_state *st, const char *verdict_path, const char *error) {
  check_result *r = st->r;
  r->verdict = CHECK_ERROR;
  snprintf(r->error, sizeof r->error, "%s", error);
  fprintf(stderr, "streamproof check: %s\n", error);
  char werr[256];
  struct stat sb;
  if (verdict_path && stat(st->dir, &sb) == 0 && S_ISDIR(sb.st_mode) &&
      report_json_error(verdict_path, error, werr, sizeof werr) != 0)
    fprintf(stderr, "streamproof check: %s\n", werr);
  return CHECK_ERROR;
}

/* Allocates the result's per-subscription part from meta.json. */
static void result_subs(check_state *st) {
  check_result *r = st->r;
  r->n_subs = st->m.n_subs;
  r->subs = sp_calloc(r->n_subs ? r->n_subs : 1, sizeof *r->subs);
  for (size_t s = 0; s < r->n_subs; s++) {
    r->subs[s].name = sp_strdup(st->m.subs[s].name);
    r->subs[s].sem = st->m.subs[s].sem;
  }
}

/* ---- the stream oracle ---------------------------------------------------------- */

/* 1 when the folder has stream/ but no history/meta.json: a run whose only
 * process under test is a stream processor. */
static int no_history(const char *results_dir, const char *meta_path) {
  struct stat sb;
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/stream", results_dir);
  return stat(meta_path, &sb) != 0 && errno == ENOENT && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* Runs the oracle when <run>/stream/ exists and folds its verdict in.
 * -1 with err when its job file cannot be read (exit 3, like meta.json). */
static int run_stream(check_state *st, const char *verdict_path, char *err, size_t err_len) {
  (void)verdict_path;
  int ex = st->o->examples > 0 ? st->o->examples : 0;
  stream_oracle_run(st->dir, ex, &st->sr);
  if (!st->sr.ran) return 0;
  if (st->sr.verdict == CHECK_ERROR) {
    snprintf(err, err_len, "%s", st->sr.error);
    return -1;
  }
  verdict_with_stream(st);
  return 0;
}

/* A folder with stream/ and no delivery history: the oracle alone. */
static int check_stream_only(check_state *st, const char *verdict_path, FILE *out, uint64_t t0) {
  check_result *r = st->r;
  char err[1024];
  st->no_history = 1;
  r->verdict = CHECK_VALID;
  strlist_addf(&st->notes, "no history/meta.json: a stream-processor run, checked by the stream "
               "oracle alone");
  if (run_stream(st, verdict_path, err, sizeof err) != 0) return fail_input(st, verdict_path, err);
  r->seconds = (double)(sp_mono_ns() - t0) / 1e9;
  if (report_json_write(st, verdict_path, st->o->json ? out : NULL, err, sizeof err) != 0)
    return fail_input(st, NULL, err);
  if (!st->o->json) report_text_print(st, out);
  return (int)r->verdict;
}

int check_run(const char *results_dir, const check_options *opts, check_result *r) {
  uint64_t t0 = sp_mono_ns();
  check_options defaults;
  check_options_init(&defaults);
  check_state st;
  memset(&st, 0, sizeof st);
  memset(r, 0, sizeof *r);
  st.dir = results_dir;
  st.o = opts ? opts : &defaults;
  st.r = r;
  FILE *out = st.o->out ? st.o->out : stdout;
  size_t dlen = strlen(results_dir) + 64;
  char *hdir = sp_malloc(dlen), *meta_path = sp_malloc(dlen), *verdict_path = NULL;
  snprintf(hdir, dlen, "%s/history", results_dir);
  snprintf(meta_path, dlen, "%s/history/meta.json", results_dir);
  if (!st.o->no_write) {
    verdict_path = sp_malloc(dlen);
    snprintf(verdict_path, dlen, "%s/verdict.json", results_dir);
  }
  char err[1024];
  int rc, built = 0;
  if (no_history(results_dir, meta_path)) {
    rc = check_stream_only(&st, verdict_path, out, t0);
    goto done;
  }
  if (meta_load(meta_path, &st.m, err, sizeof err) != 0) {
    rc = fail_input(&st, verdict_path, err);
    goto done;
  }
  result_subs(&st);
  findings_init(&st.f, st.m.tp_count, st.m.n_subs, st.o->examples > 0 ? (size_t)st.o->examples : 0);
  model_init(&st.md, &st.m, &st.f, &r->info, r->subs);
  poll_init(&st.pt, &st.m, &st.f);
  st.sub_incomplete = sp_calloc(st.m.n_subs ? st.m.n_subs : 1, 1);
  built = 1;
  if (list_files(&st, hdir, err, sizeof err) != 0) {
    rc = fail_input(&st, verdict_path, err);
    goto done;
  }
  missing_files(&st);
  if (ingest_all(&st, err, sizeof err) != 0) {
    rc = fail_input(&st, verdict_path, err);
    goto done;
  }
  poll_flush(&st.pt);
  evaluate_run(&st.md, &st.pt);
  finish_examples(&st);
  r->files = st.n_files;
  for (size_t i = 0; i < st.n_files; i++) r->bytes += st.files[i].bytes;
  verdict_judge(&st);
  if (run_stream(&st, verdict_path, err, sizeof err) != 0) {
    rc = fail_input(&st, verdict_path, err);
    goto done;
  }
  r->seconds = (double)(sp_mono_ns() - t0) / 1e9;
  rc = (int)r->verdict;
  if (report_json_write(&st, verdict_path, st.o->json ? out : NULL, err, sizeof err) != 0)
    rc = fail_input(&st, NULL, err);
  else if (!st.o->json)
    report_text_print(&st, out);
done:
  fflush(out);
  state_free(&st, built);
  free(hdir);
  free(meta_path);
  free(verdict_path);
  return rc;
}
