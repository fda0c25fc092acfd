/* oracle.c: stream_oracle_run, the driver (oracle.h).
 *
 *   stream/job.yaml -> job (job.h) -> tasks: the main source's topics in
 *   job order, each topic's partitions in order (README "Tasks") -> the
 *   output dumps, read once (actual.c) -> per task: its input dumps, mapped
 *   and fed in offset order through the pipeline with its marks (task.h) ->
 *   compare (compare.c) -> verdict.
 *
 * A two-input task's inputs are fed one after the other (input 1 first):
 * the README makes its set of results independent of the interleaving, and
 * the comparison of two-input tasks ignores the fields that depend on it. */
#include "oracle.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "dumps.h"
#include "input.h"
#include "mem.h"
#include "oracle_int.h"
#include "topic_dump.h"

/* ---- findings ------------------------------------------------------------------ */

void oracle_finding(stream_result *r, stream_finding f, int tid, const char *sink, const char *id,
                    const char *where, const char *fmt, ...) {
  r->count[f]++;
  if (tid >= 0 && (size_t)tid < r->n_tasks) r->tasks[tid].count[f]++;
  if (r->ex_n[f] >= r->ex_max) return;
  if (!r->ex[f]) r->ex[f] = sp_calloc(r->ex_max, sizeof *r->ex[f]);
  sf_example *e = &r->ex[f][r->ex_n[f]++];
  char detail[1536];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  e->task = tid;
  e->sink = sink;
  e->id = id ? sp_strdup(id) : NULL;
  e->where = where ? sp_strdup(where) : NULL;
  e->detail = sp_strdup(detail);
}

static const char *const NAMES[SF_COUNT] = {
    "missing",         "unexpected",  "duplicate-id", "wrong-value", "wrong-coverage",
    "offset-coverage", "wrong-order", "wrong-seq",    "malformed"};

static const char *const DEFINITIONS[SF_COUNT] = {
    "a result, late record or error record the recomputation from the input produces that the "
    "output lacks, although the output shows the processor got that far in its input",
    "an output record the recomputation from the input does not produce",
    "an id written more than once (results, late and error records, marks)",
    "a record with the expected id whose fields differ from the recomputed ones (key, time, "
    "value, aggregates, bounds, payloads, through, wm, Kafka key, sink partition)",
    "a window whose first/last/n/oh differ from the input offsets it should aggregate",
    "the input offsets covered by a tumbling window's results plus its late records are not "
    "every input offset that reached it, each once",
    "a record written out of the order the README prescribes (single-input tasks)",
    "a task's result counter seq not 0, 1, 2, ... in the order written (single-input tasks)",
    "an output record that is not a refstream record (not JSON, no kind/id/task, a task the job "
    "does not have, a bad marks list)"};

const char *stream_finding_name(stream_finding f) { return NAMES[f]; }
const char *stream_finding_definition(stream_finding f) { return DEFINITIONS[f]; }

/* snprintf without the truncation warning (messages are cut, not lost). */
__attribute__((format(printf, 3, 4))) static void set_err(char *err, size_t len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, len, fmt, ap);
  va_end(ap);
}

/* ---- a mapped input dump ------------------------------------------------------------ */

typedef struct mapped {
  topic_dump_reader *rd;
  const uint8_t *base;
  size_t size;
  size_t pos; /* file position of the next record */
} mapped;

static int map_open(mapped *m, const char *path, const char *topic, int32_t partition, char *err,
                    size_t err_len) {
  memset(m, 0, sizeof *m);
  m->rd = topic_dump_open(path, err, err_len);
  if (!m->rd) return -1;
  if (strcmp(topic_dump_topic(m->rd), topic) || topic_dump_partition(m->rd) != partition) {
    set_err(err, err_len, "%s: the dump holds %s/%" PRId32 ", not %s/%" PRId32, path,
            topic_dump_topic(m->rd), topic_dump_partition(m->rd), topic, partition);
    return -1;
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat sb;
  if (fd < 0 || fstat(fd, &sb) != 0) {
    set_err(err, err_len, "%s: %s", path, strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  m->size = (size_t)sb.st_size;
  if (m->size) {
    void *p = mmap(NULL, m->size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      set_err(err, err_len, "%s: mmap: %s", path, strerror(errno));
      close(fd);
      return -1;
    }
    m->base = p;
  }
  close(fd);
  m->pos = 32 + strlen(topic_dump_topic(m->rd));
  return 0;
}

/* The next record, its key and value pointing into the map (stable). */
static int map_next(mapped *m, topic_dump_record *d, char *err, size_t err_len) {
  int rc = topic_dump_next(m->rd, d, NULL, err, err_len);
  if (rc != 1) return rc;
  size_t k = d->key_len > 0 ? (size_t)d->key_len : 0, v = d->value_len > 0 ? (size_t)d->value_len : 0;
  if (m->pos + 24 + k + v > m->size) {
    snprintf(err, err_len, "dump changed while it was read");
    return -1;
  }
  d->key = d->key_len >= 0 ? m->base + m->pos + 24 : NULL;
  d->value = d->value_len >= 0 ? m->base + m->pos + 24 + k : NULL;
  m->pos += 24 + k + v;
  return 1;
}

static void map_close(mapped *m) {
  if (m->rd) topic_dump_close(m->rd);
  if (m->base) munmap((void *)m->base, m->size);
  memset(m, 0, sizeof *m);
}

/* ---- one task ------------------------------------------------------------------------ */

typedef struct task_spec {
  int id;
  const char *topic[2];
  int32_t partition;
} task_spec;

/* Feeds one input of t with its marks. 0, or -1 when the dump is unreadable
 * or cut short (err says where). */
static int feed_input(task *t, int input, const char *dir, const act_task *at, stream_result *r,
                      mapped *m, char *err, size_t err_len) {
  const job *j = t->j;
  const job_source *src = &j->sources[input ? j->ops[j->two_input_op].u.join.source : 0];
  char path[4096];
  dumps_path(path, sizeof path, dir, t->topic[input], t->partition);
  if (map_open(m, path, t->topic[input], t->partition, err, err_len)) return -1;
  r->dumps++;
  int64_t start = topic_dump_log_start(m->rd);
  t->pos[input] = start;
  if (start > 0)
    strlist_addf(&r->notes, "stream/%s-%" PRId32 ".dump starts at offset %" PRId64
                 ": taken as where the run began",
                 t->topic[input], t->partition, start);
  size_t mi = 0;
  topic_dump_record d;
  int rc;
  while ((rc = map_next(m, &d, err, err_len)) == 1) {
    r->dump_bytes += 24 + (uint64_t)(d.key_len > 0 ? d.key_len : 0) + (uint64_t)(d.value_len > 0 ? d.value_len : 0);
    for (; mi < at->n_marks; mi++) {
      if (at->marks[mi].input != input) continue;
      if (at->marks[mi].pos > d.offset) break;
      task_mark(t, &at->marks[mi]);
    }
    in_rec *rec = arena_alloc_raw(&t->ar, sizeof *rec); /* input_decode fills it */
    json_t *doc = NULL;
    input_decode(j, src, input, &d, &t->ar, rec, &doc);
    task_record(t, input, rec, doc);
  }
  if (rc < 0) return -1;
  /* marks past the last record apply once everything before them is processed */
  for (; mi < at->n_marks; mi++)
    if (at->marks[mi].input == input) task_mark(t, &at->marks[mi]);
  return 0;
}

static void run_task(const job *j, const char *dir, const task_spec *ts, actual *a, stream_result *r,
                     stream_task_result *tr) {
  task t;
  tr->task = ts->id;
  tr->topic = sp_strdup(ts->topic[0]);
  tr->partition = ts->partition;
  task_init(&t, j, ts->id, ts->topic[0], ts->topic[1], ts->partition, 0, 0);
  act_task *at = &a->tasks[ts->id];
  mapped m[2] = {0};
  char err[1024];
  int ok = 1;
  for (int k = t.two_inputs ? 1 : 0; k >= 0 && ok; k--)
    if (feed_input(&t, k, dir, at, r, &m[k], err, sizeof err)) {
      ok = 0;
      strlist_addf(&r->incomplete, "task %d not checked: %s", ts->id, err);
      tr->why = sp_strdup(err);
    }
  if (ok) {
    task_finish(&t);
    compare_task(&t, at, a, r, tr);
    tr->checked = 1;
  }
  tr->input_records = t.records;
  tr->bad = t.bad;
  tr->late = t.late;
  tr->dropped = t.dropped;
  tr->marks = t.marks_applied;
  task_free(&t);
  map_close(&m[0]);
  map_close(&m[1]);
}

/* ---- the run ---------------------------------------------------------------------------- */

/* The tasks of j from the input dumps in dir. */
static task_spec *list_tasks(const job *j, const char *dir, stream_result *r, size_t *n) {
  task_spec *v = NULL;
  *n = 0;
  const job_source *main = &j->sources[0];
  const char *other = j->two_input_op >= 0 ? j->sources[j->ops[j->two_input_op].u.join.source].topics[0] : NULL;
  for (size_t i = 0; i < main->n_topics; i++) {
    int gap;
    int32_t parts = dumps_partitions(dir, main->topics[i], &gap);
    if (!parts)
      strlist_addf(&r->incomplete, "stream/%s-0.dump is missing: input topic %s was not copied "
                   "(its tasks are not checked)", main->topics[i], main->topics[i]);
    if (gap)
      strlist_addf(&r->incomplete, "stream/: dumps of input topic %s have a gap after partition %" PRId32
                   " (task numbers after it cannot be told)", main->topics[i], parts - 1);
    if (other) {
      int gap1;
      int32_t p1 = dumps_partitions(dir, other, &gap1);
      if (p1 != parts)
        strlist_addf(&r->incomplete, "stream/: %" PRId32 " dump(s) of %s but %" PRId32 " of %s (a joined "
                     "source must have as many partitions as the main topic)", p1, other, parts, main->topics[i]);
      if (p1 < parts) parts = p1;
    }
    for (int32_t p = 0; p < parts; p++) {
      v = sp_realloc(v, (*n + 1) * sizeof *v);
      v[*n] = (task_spec){(int)*n, {main->topics[i], other}, p};
      (*n)++;
    }
    if (gap) break; /* later topics' task numbers would be wrong */
  }
  return v;
}

static void sum_up(stream_result *r) {
  for (size_t i = 0; i < r->n_tasks; i++) {
    const stream_task_result *tr = &r->tasks[i];
    r->input_records += tr->input_records;
    r->pending += tr->pending;
    r->unverified += tr->unverified;
    r->marks += tr->marks;
    for (int s = 0; s < 3; s++) {
      r->expected[s] += tr->expected[s];
      r->actual[s] += tr->actual[s];
    }
  }
  int bad = 0;
  for (int f = 0; f < SF_COUNT; f++) bad |= r->count[f] > 0;
  r->verdict = bad ? CHECK_INVALID : r->incomplete.n ? CHECK_UNKNOWN : CHECK_VALID;
}

check_verdict stream_oracle_run(const char *run_dir, int examples, stream_result *r) {
  uint64_t t0 = sp_mono_ns();
  memset(r, 0, sizeof *r);
  r->ex_max = examples > 0 ? (size_t)examples : 0;
  r->verdict = CHECK_VALID;
  size_t dl = strlen(run_dir) + 32;
  char *dir = sp_malloc(dl), *job_path = sp_malloc(dl + 16);
  snprintf(dir, dl, "%s/stream", run_dir);
  snprintf(job_path, dl + 16, "%s/job.yaml", dir);
  struct stat sb;
  job j;
  memset(&j, 0, sizeof j);
  if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) goto done;
  r->ran = 1;
  if (stat(job_path, &sb) != 0) {
    strlist_addf(&r->incomplete, "stream/job.yaml is missing: the processor's results cannot be "
                 "recomputed");
    r->verdict = CHECK_UNKNOWN;
    goto done;
  }
  if (job_load(job_path, &j, r->error, sizeof r->error) != 0) {
    r->verdict = CHECK_ERROR;
    goto done;
  }
  r->job_name = sp_strdup(j.name);
  const char *why = job_checkable(&j);
  if (why) {
    strlist_addf(&r->incomplete, "job %s is not recomputable: %s", j.name, why);
    r->verdict = CHECK_UNKNOWN;
    goto done;
  }
  size_t n;
  task_spec *specs = list_tasks(&j, dir, r, &n);
  r->tasks = sp_calloc(n ? n : 1, sizeof *r->tasks);
  r->n_tasks = n;
  actual a;
  actual_load(&a, dir, &j, (int)n, r);
  for (size_t i = 0; i < n; i++) run_task(&j, dir, &specs[i], &a, r, &r->tasks[i]);
  actual_free(&a);
  free(specs);
  sum_up(r);
done:
  job_free(&j);
  free(dir);
  free(job_path);
  r->seconds = (double)(sp_mono_ns() - t0) / 1e9;
  return r->verdict;
}

/* ---- what the processor should write (tests, benchmarks) ------------------------------ */

/* Appends every expected record of t to the dumps of out_dir (partition =
 * task: one partition per task). */
static int write_expected(const task *t, const char *out_dir, char *err, size_t err_len) {
  const char *sinks[SINK_COUNT] = {t->j->sink_output, t->j->sink_late, t->j->sink_errors};
  for (int s = 0; s < SINK_COUNT; s++) {
    if (!sinks[s]) continue;
    char path[4096];
    dumps_path(path, sizeof path, out_dir, sinks[s], t->id);
    topic_dump_writer *w = topic_dump_create(path, sinks[s], t->id, 0);
    if (!w) {
      set_err(err, err_len, "%s: %s", path, strerror(errno));
      return -1;
    }
    const exp_vec *v = &t->out[s];
    int rc = 0;
    for (size_t i = 0; i < v->n && !rc; i++) {
      const exp_rec *e = &v->v[i];
      json_t *o = expect_json(t, e);
      char *text = json_dumps(o, JSON_COMPACT);
      json_decref(o);
      const void *key = e->sink == SINK_ERRORS ? (const void *)e->bad->kkey : e->r.key;
      int32_t klen = e->sink == SINK_ERRORS ? e->bad->kkey_len : (int32_t)e->r.key_len;
      rc = topic_dump_append(w, (int64_t)i, 0, key, klen, text, (int32_t)strlen(text));
      free(text);
    }
    if (rc || topic_dump_finish(w, (int64_t)v->n) != 0) {
      set_err(err, err_len, "%s: %s", path, strerror(errno));
      return -1;
    }
  }
  return 0;
}

int stream_oracle_expected(const char *run_dir, const char *out_dir, char *err, size_t err_len) {
  char dir[4096], path[4200];
  snprintf(dir, sizeof dir, "%s/stream", run_dir);
  snprintf(path, sizeof path, "%s/job.yaml", dir);
  job j;
  if (job_load(path, &j, err, err_len) != 0) {
    job_free(&j);
    return -1;
  }
  stream_result r;
  memset(&r, 0, sizeof r);
  size_t n;
  task_spec *specs = list_tasks(&j, dir, &r, &n);
  act_task none;
  memset(&none, 0, sizeof none);
  int rc = 0;
  for (size_t i = 0; i < n && !rc; i++) {
    task t;
    mapped m[2] = {0};
    task_init(&t, &j, specs[i].id, specs[i].topic[0], specs[i].topic[1], specs[i].partition, 0, 0);
    for (int k = t.two_inputs ? 1 : 0; k >= 0 && !rc; k--)
      rc = feed_input(&t, k, dir, &none, &r, &m[k], err, err_len);
    if (!rc) rc = write_expected(&t, out_dir, err, err_len);
    task_free(&t);
    map_close(&m[0]);
    map_close(&m[1]);
  }
  free(specs);
  stream_result_free(&r);
  job_free(&j);
  return rc;
}

void stream_result_free(stream_result *r) {
  for (size_t i = 0; i < r->n_tasks; i++) {
    free(r->tasks[i].topic);
    free(r->tasks[i].why);
  }
  free(r->tasks);
  for (int f = 0; f < SF_COUNT; f++) {
    for (size_t i = 0; i < r->ex_n[f]; i++) {
      free(r->ex[f][i].id);
      free(r->ex[f][i].where);
      free(r->ex[f][i].detail);
    }
    free(r->ex[f]);
  }
  free(r->job_name);
  strlist_free(&r->incomplete);
  strlist_free(&r->notes);
  memset(r, 0, sizeof *r);
}
