/* processor_summary.c: summary.json's "processor" section and the printed
 * processor lines, from what the run recorded (incarnations, catch-up,
 * copies) and from refstream's own log lines (reference/stream/README.md
 * "Running": the `recovered:`, `ready: job ...` and `stats:`/`stopped:`
 * lines, each prefixed refstream[PID]).
 *
 * Counters are per process in refstream, so the section sums each
 * incarnation's last stats/stopped line: records and results include what
 * a restarted incarnation processed again while it replayed from its
 * checkpoint (its suppressed results were not written twice). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "run_int.h"

/* What one refstream process said. */
typedef struct inc_log {
  long pid;
  int recovered;      /* loaded a checkpoint (not a fresh start) */
  double recovery_ms; /* "ready: ... recovered in X ms"; < 0 not ready */
  int have_stats, stopped;
  uint64_t records, results, late, bad, suppressed, marks, checkpoints;
  double checkpoint_ms_max, elapsed_s;
} inc_log;

/* The value of "name=" in a stats line (0 when absent). */
static double field(const char *line, const char *name) {
  char key[48];
  snprintf(key, sizeof key, " %s=", name);
  const char *p = strstr(line, key);
  return p ? strtod(p + strlen(key), NULL) : 0;
}

/* The record of pid (created in order of first appearance). */
static inc_log *inc_of(inc_log **v, size_t *n, long pid) {
  for (size_t i = 0; i < *n; i++)
    if ((*v)[i].pid == pid) return &(*v)[i];
  *v = sp_realloc(*v, (*n + 1) * sizeof **v);
  (*v)[*n] = (inc_log){.pid = pid, .recovery_ms = -1};
  return &(*v)[(*n)++];
}

/* Reads the processor log into one record per process. */
static inc_log *read_log(const char *path, size_t *n) {
  *n = 0;
  inc_log *v = NULL;
  FILE *f = fopen(path, "r");
  if (!f) return NULL;
  char line[2048];
  while (fgets(line, sizeof line, f)) {
    const char *at = strstr(line, "refstream[");
    if (!at) continue;
    long pid = strtol(at + 10, NULL, 10);
    const char *ready = strstr(line, " ready: job "), *rec = strstr(line, " recovered: checkpoint ");
    const char *st = strstr(line, " stats: records="), *stop = strstr(line, " stopped: records=");
    if (!ready && !rec && !st && !stop) continue;
    inc_log *i = inc_of(&v, n, pid);
    if (rec) i->recovered = 1;
    if (ready) {
      const char *r = strstr(ready, "recovered in ");
      i->recovery_ms = r ? strtod(r + 13, NULL) : 0;
    }
    if (st || stop) {
      const char *s = st ? st : stop;
      i->have_stats = 1;
      i->stopped |= stop != NULL;
      i->records = (uint64_t)field(s, "records");
      i->results = (uint64_t)field(s, "results");
      i->late = (uint64_t)field(s, "late");
      i->bad = (uint64_t)field(s, "bad");
      i->suppressed = (uint64_t)field(s, "suppressed");
      i->marks = (uint64_t)field(s, "marks");
      i->checkpoints = (uint64_t)field(s, "checkpoints");
      i->checkpoint_ms_max = field(s, "checkpoint_ms_max");
      i->elapsed_s = field(s, "elapsed_s");
    }
  }
  fclose(f);
  return v;
}

static json_t *str_list(char **v, size_t n) {
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++) json_array_append_new(a, json_string(v[i]));
  return a;
}

void processor_summary(run_ctx *c, json_t *summary) {
  run_processor *p = &c->proc;
  if (!p->enabled) return;
  size_t n_logs = 0;
  inc_log *logs = read_log(p->log_path, &n_logs);
  json_t *o = json_object(), *incs = json_array(), *rec = json_array();
  uint64_t records = 0, results = 0, late = 0, bad = 0, suppressed = 0, marks = 0, ckpts = 0;
  double busy_s = 0, rec_max = 0, ckpt_max = 0;
  for (size_t k = 0; k < p->n_incs; k++) {
    const run_incarnation *inc = &p->incs[k];
    inc_log *l = NULL;
    for (size_t j = 0; j < n_logs; j++)
      if (logs[j].pid == (long)inc->id) l = &logs[j];
    json_t *i = json_object();
    json_object_set_new(i, "pid", json_integer(inc->id));
    json_object_set_new(i, "incarnation", json_integer(inc->incarnation));
    json_object_set_new(i, "exit", json_string(inc->exit));
    /* seconds since t0; the first incarnation starts before it (negative) */
    json_object_set_new(i, "started_s", json_real(((double)inc->started_ns - (double)c->t0) / 1e9));
    if (inc->ended_ns) json_object_set_new(i, "ended_s", json_real(run_elapsed_s(c, inc->ended_ns)));
    if (l) {
      json_object_set_new(i, "recovered_from_checkpoint", json_boolean(l->recovered));
      if (l->recovery_ms >= 0) json_object_set_new(i, "recovery_ms", json_real(l->recovery_ms));
      json_object_set_new(i, "records", json_integer((json_int_t)l->records));
      json_object_set_new(i, "results", json_integer((json_int_t)l->results));
      json_object_set_new(i, "suppressed", json_integer((json_int_t)l->suppressed));
      json_object_set_new(i, "checkpoints", json_integer((json_int_t)l->checkpoints));
      records += l->records;
      results += l->results;
      late += l->late;
      bad += l->bad;
      suppressed += l->suppressed;
      marks += l->marks;
      ckpts += l->checkpoints;
      busy_s += l->elapsed_s;
      if (l->checkpoint_ms_max > ckpt_max) ckpt_max = l->checkpoint_ms_max;
      if (k > 0 && l->recovery_ms >= 0) {
        json_array_append_new(rec, json_real(l->recovery_ms));
        if (l->recovery_ms > rec_max) rec_max = l->recovery_ms;
      }
    }
    json_array_append_new(incs, i);
  }
  free(logs);
  char group[300];
  snprintf(group, sizeof group, "refstream-%s", p->job.name);
  json_object_set_new(o, "job", json_string(p->job.name));
  json_object_set_new(o, "job_file", json_string("stream/job.yaml"));
  json_object_set_new(o, "job_template", json_string(c->wl.processor.job_path));
  json_object_set_new(o, "refstream", json_string(p->refstream));
  json_object_set_new(o, "group", json_string(group));
  json_object_set_new(o, "log", json_string("logs/processor.log"));
  json_object_set_new(o, "input_topics", str_list(p->job.inputs, p->job.n_inputs));
  json_object_set_new(o, "sink_topics", str_list(p->job.sinks, p->job.n_sinks));
  json_object_set_new(o, "records", json_integer((json_int_t)records));
  json_object_set_new(o, "results", json_integer((json_int_t)results));
  json_object_set_new(o, "late", json_integer((json_int_t)late));
  json_object_set_new(o, "bad", json_integer((json_int_t)bad));
  json_object_set_new(o, "suppressed", json_integer((json_int_t)suppressed));
  json_object_set_new(o, "marks", json_integer((json_int_t)marks));
  json_object_set_new(o, "checkpoints", json_integer((json_int_t)ckpts));
  json_object_set_new(o, "checkpoint_ms_max", json_real(ckpt_max));
  json_object_set_new(o, "restarts", json_integer(p->n_incs ? (json_int_t)p->n_incs - 1 : 0));
  json_object_set_new(o, "recovery_ms", rec);
  json_object_set_new(o, "recovery_ms_max", json_real(rec_max));
  json_object_set_new(o, "records_per_s", json_real(busy_s > 0 ? (double)records / busy_s : 0));
  json_object_set_new(o, "caught_up", json_boolean(p->caught_up));
  json_object_set_new(o, "catch_up_s", json_real(p->catch_up_s));
  json_object_set_new(o, "stopped", json_string(p->stop_how[0] ? p->stop_how : "not stopped"));
  json_object_set_new(o, "stopped_clean", json_boolean(p->stopped_clean));
  json_object_set_new(o, "copied", json_boolean(p->copy_complete));
  json_object_set_new(o, "copied_records", json_integer((json_int_t)p->copied_records));
  json_object_set_new(o, "copy_s", json_real(p->copy_s));
  json_object_set_new(o, "incarnations", incs);
  json_object_set_new(summary, "processor", o);
}

void processor_print(json_t *summary) {
  json_t *o = json_object_get(summary, "processor");
  if (!o) return;
#define NUM(k) json_number_value(json_object_get(o, k))
  printf("  processor  job %s: %.0f records (%.0f/s), %.0f results, %.0f late, %.0f checkpoints; %.0f "
         "restart(s)",
         json_string_value(json_object_get(o, "job")), NUM("records"), NUM("records_per_s"), NUM("results"),
         NUM("late"), NUM("checkpoints"), NUM("restarts"));
  if (NUM("restarts") > 0) printf(", recovered in max %.1f ms", NUM("recovery_ms_max"));
  printf("\n");
  if (!json_is_true(json_object_get(o, "caught_up")))
    printf("  processor  DID NOT PROCESS ITS WHOLE INPUT (%s): its output is verified only as far as it got\n",
           json_string_value(json_object_get(o, "stopped")));
#undef NUM
}
