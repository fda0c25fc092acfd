/* stream_fx.c: see stream_fx.h. */
#include "stream_fx.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mem.h"
#include "topic_dump.h"

typedef struct fx_rec {
  int64_t offset, ts;
  int32_t klen, vlen;
  char *key, *value;
} fx_rec;

typedef struct fx_part {
  char *topic;
  int32_t partition;
  fx_rec *recs;
  size_t n;
  int cut;
} fx_part;

struct fx {
  char dir[1024];
  char stream[1100];
  fx_part *parts;
  size_t n_parts;
  int64_t seq[64]; /* next seq per task */
  char main_topic[256];
};

uint64_t fx_mix64(uint64_t x) {
  uint64_t z = x + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

fx *fx_new(const char *base, const char *name, const char *job_yaml) {
  fx *f = sp_calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "%s/%s", base, name);
  snprintf(f->stream, sizeof f->stream, "%s/stream", f->dir);
  mkdir(f->dir, 0777);
  mkdir(f->stream, 0777);
  char path[1200];
  snprintf(path, sizeof path, "%s/job.yaml", f->stream);
  FILE *o = fopen(path, "w");
  fputs(job_yaml, o);
  fclose(o);
  /* the main topic: the first "topic:" of the job (tests use one) */
  const char *t = strstr(job_yaml, "topic: ");
  if (t) sscanf(t + 7, "%255[^,} \n]", f->main_topic);
  return f;
}

const char *fx_dir(const fx *f) { return f->dir; }

static fx_part *part(fx *f, const char *topic, int32_t partition) {
  for (size_t i = 0; i < f->n_parts; i++)
    if (!strcmp(f->parts[i].topic, topic) && f->parts[i].partition == partition) return &f->parts[i];
  f->parts = sp_realloc(f->parts, (f->n_parts + 1) * sizeof *f->parts);
  fx_part *p = &f->parts[f->n_parts++];
  memset(p, 0, sizeof *p);
  p->topic = sp_strdup(topic);
  p->partition = partition;
  return p;
}

static void append(fx_part *p, const void *key, int32_t klen, const void *value, int32_t vlen) {
  p->recs = sp_realloc(p->recs, (p->n + 1) * sizeof *p->recs);
  fx_rec *r = &p->recs[p->n];
  r->offset = (int64_t)p->n;
  r->ts = 1000 + r->offset;
  p->n++;
  r->klen = klen;
  r->vlen = vlen;
  r->key = klen >= 0 ? sp_malloc((size_t)klen + 1) : NULL;
  r->value = vlen >= 0 ? sp_malloc((size_t)vlen + 1) : NULL;
  if (klen > 0) memcpy(r->key, key, (size_t)klen);
  if (vlen > 0) memcpy(r->value, value, (size_t)vlen);
}

/* ' -> " (test JSON is written with single quotes). */
static char *dq(const char *s) {
  char *d = sp_strdup(s);
  for (char *c = d; *c; c++)
    if (*c == '\'') *c = '"';
  return d;
}

void fx_topic(fx *f, const char *topic, int32_t partitions) {
  for (int32_t p = 0; p < partitions; p++) part(f, topic, p);
}

void fx_input_raw(fx *f, const char *topic, int32_t partition, const void *payload, int32_t len,
                  const char *kkey) {
  append(part(f, topic, partition), kkey, kkey ? (int32_t)strlen(kkey) : -1, payload, len);
}

void fx_input(fx *f, const char *topic, int32_t partition, const char *const *payloads,
              const char *const *kkeys, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const char *k = kkeys ? kkeys[i] : NULL;
    char *p = dq(payloads[i]);
    fx_input_raw(f, topic, partition, p, p[0] ? (int32_t)strlen(p) : -1, k);
    free(p);
  }
}

void fx_input_ts(fx *f, const char *topic, int32_t partition, const char *payload, const char *kkey,
                 int64_t ts) {
  char *p = payload ? dq(payload) : NULL;
  fx_input_raw(f, topic, partition, p, p ? (int32_t)strlen(p) : -1, kkey);
  fx_part *x = part(f, topic, partition);
  x->recs[x->n - 1].ts = ts;
  free(p);
}

/* Fills the mechanical fields (stream_fx.h) of one hand-written record. */
static json_t *complete(fx *f, json_t *o) {
  const char *kind = json_string_value(json_object_get(o, "kind"));
  int task = json_is_integer(json_object_get(o, "task")) ? (int)json_integer_value(json_object_get(o, "task")) : 0;
  json_t *out = json_object();
  json_object_set_new(out, "v", json_integer(1));
  json_object_set(out, "kind", json_object_get(o, "kind"));
  char id[512] = "";
  json_t *given = json_object_get(o, "id");
  const char *key = json_string_value(json_object_get(o, "key"));
  int64_t start = json_integer_value(json_object_get(o, "start")), end = json_integer_value(json_object_get(o, "end")),
          rev = json_integer_value(json_object_get(o, "rev")), off = json_integer_value(json_object_get(o, "offset")),
          in = json_integer_value(json_object_get(o, "input")), op = json_integer_value(json_object_get(o, "op"));
  if (given) snprintf(id, sizeof id, "%s", json_string_value(given));
  else if (!strcmp(kind, "window")) snprintf(id, sizeof id, "w/%d/%" PRId64 "/%" PRId64 "/%" PRId64 "/%s", task, start, end, rev, key);
  else if (!strcmp(kind, "event")) snprintf(id, sizeof id, "e/%d/%" PRId64 "/%" PRId64, task, in, off);
  else if (!strcmp(kind, "late")) snprintf(id, sizeof id, "l/%d/%" PRId64 "/%" PRId64 "/%" PRId64, task, op, in, off);
  else if (!strcmp(kind, "error")) snprintf(id, sizeof id, "x/%d/%" PRId64 "/%" PRId64, task, in, off);
  else if (!strcmp(kind, "enrich")) snprintf(id, sizeof id, "n/%d/%" PRId64, task, off);
  json_object_set_new(out, "id", json_string(id));
  json_object_set_new(out, "task", json_integer(task));
  json_object_set_new(out, "topic", json_string(f->main_topic));
  json_object_set_new(out, "p", json_integer(task));
  int result = strcmp(kind, "late") && strcmp(kind, "error") && strcmp(kind, "marks");
  if (result && !json_object_get(o, "seq")) json_object_set_new(out, "seq", json_integer(f->seq[task]++));
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v) {
    if (!strcmp(k, "offsets")) {
      int64_t first = INT64_MAX, last = INT64_MIN;
      uint64_t oh = 0;
      size_t i;
      json_t *x;
      json_array_foreach(v, i, x) {
        int64_t ofs = json_integer_value(x);
        if (ofs < first) first = ofs;
        if (ofs > last) last = ofs;
        oh += fx_mix64((uint64_t)ofs);
      }
      char hex[17];
      snprintf(hex, sizeof hex, "%016" PRIx64, oh);
      json_object_set_new(out, "first", json_integer(first));
      json_object_set_new(out, "last", json_integer(last));
      json_object_set_new(out, "n", json_integer((json_int_t)json_array_size(v)));
      json_object_set_new(out, "oh", json_string(hex));
      continue;
    }
    if (!strcmp(k, "kind") || !strcmp(k, "id")) continue;
    json_object_set(out, k, v);
  }
  return out;
}

void fx_out(fx *f, const char *topic, int32_t partition, const char *text_sq) {
  json_error_t e;
  char *text = dq(text_sq);
  json_t *o = json_loads(text, 0, &e);
  if (!o) {
    fprintf(stderr, "# fx_out: bad test JSON (%s): %s\n", e.text, text);
    abort();
  }
  json_t *full = complete(f, o);
  char *s = json_dumps(full, JSON_COMPACT);
  const char *kind = json_string_value(json_object_get(o, "kind"));
  const char *key = json_string_value(json_object_get(o, "key"));
  json_t *kk = json_object_get(o, "kafka_key");
  if (json_is_string(kk)) { /* a test-given Kafka key (errors: the input's) */
    key = json_string_value(kk);
    json_object_del(full, "kafka_key");
    free(s);
    s = json_dumps(full, JSON_COMPACT);
  }
  int nokey = !strcmp(kind, "marks") || (!strcmp(kind, "error") && !json_is_string(kk)) || !key;
  append(part(f, topic, partition), key, nokey ? -1 : (int32_t)strlen(key), s, (int32_t)strlen(s));
  free(s);
  free(text);
  json_decref(full);
  json_decref(o);
}

void fx_cut(fx *f, const char *topic, int32_t partition) { part(f, topic, partition)->cut = 1; }

check_verdict fx_check(fx *f, stream_result *r) {
  for (size_t i = 0; i < f->n_parts; i++) {
    fx_part *p = &f->parts[i];
    char path[2048];
    snprintf(path, sizeof path, "%s/%s-%" PRId32 ".dump", f->stream, p->topic, p->partition);
    topic_dump_writer *w = topic_dump_create(path, p->topic, p->partition, 0);
    if (!w) {
      fprintf(stderr, "# %s: %s\n", path, strerror(errno));
      abort();
    }
    for (size_t k = 0; k < p->n; k++)
      topic_dump_append(w, p->recs[k].offset, p->recs[k].ts, p->recs[k].key, p->recs[k].klen,
                        p->recs[k].value, p->recs[k].vlen);
    if (p->cut) topic_dump_abandon(w);
    else topic_dump_finish(w, (int64_t)p->n);
  }
  return stream_oracle_run(f->dir, 5, r);
}

void fx_free(fx *f) {
  for (size_t i = 0; i < f->n_parts; i++) {
    for (size_t k = 0; k < f->parts[i].n; k++) {
      free(f->parts[i].recs[k].key);
      free(f->parts[i].recs[k].value);
    }
    free(f->parts[i].recs);
    free(f->parts[i].topic);
  }
  free(f->parts);
  free(f);
}

void fx_dump_findings(const stream_result *r) {
  for (int k = 0; k < SF_COUNT; k++)
    for (size_t i = 0; i < r->ex_n[k]; i++)
      fprintf(stderr, "#   %s: task %d %s %s: %s\n", stream_finding_name((stream_finding)k), r->ex[k][i].task,
              r->ex[k][i].sink, r->ex[k][i].id ? r->ex[k][i].id : "-", r->ex[k][i].detail);
  for (size_t i = 0; i < r->incomplete.n; i++) fprintf(stderr, "#   incomplete: %s\n", r->incomplete.v[i]);
  if (r->verdict == CHECK_ERROR) fprintf(stderr, "#   error: %s\n", r->error);
}

int fx_findings_are(const stream_result *r, const uint64_t want[SF_COUNT]) {
  int ok = 1;
  for (int k = 0; k < SF_COUNT; k++)
    if (r->count[k] != want[k]) {
      fprintf(stderr, "#   %s: %" PRIu64 " found, %" PRIu64 " expected\n", stream_finding_name((stream_finding)k),
              r->count[k], want[k]);
      ok = 0;
    }
  if (!ok) fx_dump_findings(r);
  return ok;
}
