/* worker_spec.c: see worker_spec.h. */
#include "worker_spec.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"

static const char *role_name(worker_role r) { return r == WROLE_PRODUCER ? "producer" : "consumer"; }

const char *worker_bug_name(worker_bug b) {
  return b == WBUG_COMMIT_BEFORE_PROCESS ? "commit_before_process" : "none";
}

static void put_str(json_t *o, const char *k, const char *v) {
  json_object_set_new(o, k, v ? json_string(v) : json_null());
}
static void put_int(json_t *o, const char *k, int64_t v) { json_object_set_new(o, k, json_integer(v)); }
static void put_num(json_t *o, const char *k, double v) { json_object_set_new(o, k, json_real(v)); }

int worker_spec_save(const worker_spec *s, const char *path, char *err, size_t err_len) {
  json_t *o = json_object();
  put_str(o, "role", role_name(s->role));
  put_str(o, "name", s->name);
  put_int(o, "index", s->index);
  put_int(o, "id", s->id);
  put_int(o, "incarnation", s->incarnation);
  put_str(o, "control", s->control);
  put_str(o, "bootstrap", s->bootstrap);
  put_str(o, "workload", s->workload_path);
  put_str(o, "history", s->history_path);
  put_str(o, "hlog", s->hlog_path);
  put_str(o, "history_dir", s->history_dir);
  put_str(o, "lock_dir", s->lock_dir);
  put_str(o, "topic", s->topic);
  put_int(o, "topic_index", s->topic_index);
  put_int(o, "partitions", s->partitions);
  put_int(o, "n_producers", s->n_producers);
  put_num(o, "flush_timeout_s", s->flush_timeout_s);
  json_t *rates = json_array();
  for (size_t i = 0; i < s->n_rates; i++) {
    json_t *pair = json_array();
    json_array_append_new(pair, json_integer((json_int_t)s->rates[i].at_ns));
    json_array_append_new(pair, json_real(s->rates[i].rate));
    json_array_append_new(rates, pair);
  }
  json_object_set_new(o, "rates", rates);
  put_int(o, "subscription", s->subscription);
  put_str(o, "group", s->group);
  put_str(o, "semantics", semantics_name(s->semantics));
  put_num(o, "processing_us", s->processing_us);
  put_num(o, "start_delay_s", s->start_delay_s);
  put_num(o, "commit_interval_ms", s->commit_interval_ms);
  put_str(o, "test_bug", worker_bug_name(s->bug));
  put_num(o, "warmup_s", s->warmup_s);
  put_int(o, "t0_mono_ns", (json_int_t)s->t0_mono_ns);
  put_int(o, "t0_wall_ns", (json_int_t)s->t0_wall_ns);
  json_t *rk = json_object();
  for (size_t i = 0; i < s->rdkafka.n; i++) put_str(rk, s->rdkafka.keys[i], s->rdkafka.values[i]);
  json_object_set_new(o, "rdkafka", rk);

  char tmp[4200];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  int rc = json_dump_file(o, tmp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(o);
  if (rc != 0 || rename(tmp, path) != 0) {
    snprintf(err, err_len, "%s: cannot write worker spec: %s", path, strerror(errno));
    unlink(tmp);
    return -1;
  }
  return 0;
}

/* Reading context: the file for messages and the first error. */
typedef struct rctx {
  const char *path;
  char *err;
  size_t err_len;
  int failed;
} rctx;

static json_t *need(rctx *c, json_t *o, const char *key, json_type type) {
  json_t *v = json_object_get(o, key);
  if (c->failed) return NULL;
  if (!v || (json_typeof(v) != type &&
             !(type == JSON_REAL && json_is_integer(v)))) {
    snprintf(c->err, c->err_len, "%s: worker spec: \"%s\" missing or of the wrong type", c->path,
             key);
    c->failed = 1;
    return NULL;
  }
  return v;
}

static char *get_str(rctx *c, json_t *o, const char *key) {
  json_t *v = need(c, o, key, JSON_STRING);
  return v ? sp_strdup(json_string_value(v)) : NULL;
}

static int64_t get_int(rctx *c, json_t *o, const char *key) {
  json_t *v = need(c, o, key, JSON_INTEGER);
  return v ? json_integer_value(v) : 0;
}

static double get_num(rctx *c, json_t *o, const char *key) {
  json_t *v = need(c, o, key, JSON_REAL);
  return v ? json_number_value(v) : 0;
}

/* Optional string: NULL when absent or null. */
static char *opt_str(json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  return json_is_string(v) ? sp_strdup(json_string_value(v)) : NULL;
}

static void kv_push(kv_list *kv, const char *k, const char *v) {
  kv->keys = sp_realloc(kv->keys, (kv->n + 1) * sizeof *kv->keys);
  kv->values = sp_realloc(kv->values, (kv->n + 1) * sizeof *kv->values);
  kv->keys[kv->n] = sp_strdup(k);
  kv->values[kv->n] = sp_strdup(v);
  kv->n++;
}

int worker_spec_load(const char *path, worker_spec *s, char *err, size_t err_len) {
  memset(s, 0, sizeof *s);
  json_error_t jerr;
  json_t *o = json_load_file(path, 0, &jerr);
  if (!o) {
    snprintf(err, err_len, "%s:%d: worker spec: %s", path, jerr.line, jerr.text);
    return -1;
  }
  rctx c = {path, err, err_len, 0};
  if (!json_is_object(o)) {
    snprintf(err, err_len, "%s: worker spec: not a JSON object", path);
    json_decref(o);
    return -1;
  }
  char *role = get_str(&c, o, "role");
  if (role && strcmp(role, "producer") && strcmp(role, "consumer") && !c.failed) {
    snprintf(err, err_len, "%s: worker spec: role \"%s\" is not producer or consumer", path, role);
    c.failed = 1;
  }
  s->role = role && !strcmp(role, "consumer") ? WROLE_CONSUMER : WROLE_PRODUCER;
  free(role);
  s->name = get_str(&c, o, "name");
  s->index = (uint32_t)get_int(&c, o, "index");
  s->id = (uint32_t)get_int(&c, o, "id");
  s->incarnation = (uint32_t)get_int(&c, o, "incarnation");
  s->control = get_str(&c, o, "control");
  s->bootstrap = get_str(&c, o, "bootstrap");
  s->workload_path = get_str(&c, o, "workload");
  s->history_path = get_str(&c, o, "history");
  s->hlog_path = get_str(&c, o, "hlog");
  s->history_dir = get_str(&c, o, "history_dir");
  s->lock_dir = get_str(&c, o, "lock_dir");
  s->topic = get_str(&c, o, "topic");
  s->topic_index = (uint32_t)get_int(&c, o, "topic_index");
  s->partitions = (int32_t)get_int(&c, o, "partitions");
  s->n_producers = (uint32_t)get_int(&c, o, "n_producers");
  s->flush_timeout_s = get_num(&c, o, "flush_timeout_s");
  json_t *rates = need(&c, o, "rates", JSON_ARRAY);
  for (size_t i = 0; rates && i < json_array_size(rates); i++) {
    json_t *pair = json_array_get(rates, i);
    if (!json_is_array(pair) || json_array_size(pair) != 2 ||
        !json_is_integer(json_array_get(pair, 0)) || !json_is_number(json_array_get(pair, 1))) {
      snprintf(err, err_len, "%s: worker spec: rates[%zu] is not [at_ns, rate]", path, i);
      c.failed = 1;
      break;
    }
    worker_spec_add_rate(s, (uint64_t)json_integer_value(json_array_get(pair, 0)),
                         json_number_value(json_array_get(pair, 1)));
  }
  s->subscription = (uint32_t)get_int(&c, o, "subscription");
  s->group = opt_str(o, "group");
  char *sem = get_str(&c, o, "semantics");
  s->semantics = SEM_AT_LEAST_ONCE;
  for (int k = SEM_AT_MOST_ONCE; sem && k <= SEM_EXACTLY_ONCE; k++)
    if (!strcmp(sem, semantics_name((delivery_semantics)k))) s->semantics = (delivery_semantics)k;
  free(sem);
  s->processing_us = get_num(&c, o, "processing_us");
  s->start_delay_s = get_num(&c, o, "start_delay_s");
  s->commit_interval_ms = get_num(&c, o, "commit_interval_ms");
  char *bug = opt_str(o, "test_bug");
  s->bug = bug && !strcmp(bug, "commit_before_process") ? WBUG_COMMIT_BEFORE_PROCESS : WBUG_NONE;
  free(bug);
  s->warmup_s = get_num(&c, o, "warmup_s");
  s->t0_mono_ns = (uint64_t)get_int(&c, o, "t0_mono_ns");
  s->t0_wall_ns = (uint64_t)get_int(&c, o, "t0_wall_ns");
  json_t *rk = need(&c, o, "rdkafka", JSON_OBJECT);
  const char *k;
  json_t *v;
  if (rk)
    json_object_foreach(rk, k, v) {
      if (!json_is_string(v)) {
        snprintf(err, err_len, "%s: worker spec: rdkafka.%s is not a string", path, k);
        c.failed = 1;
        break;
      }
      kv_push(&s->rdkafka, k, json_string_value(v));
    }
  json_decref(o);
  if (c.failed) {
    worker_spec_free(s);
    return -1;
  }
  return 0;
}

void worker_spec_add_rate(worker_spec *s, uint64_t at_ns, double rate) {
  s->rates = sp_realloc(s->rates, (s->n_rates + 1) * sizeof *s->rates);
  s->rates[s->n_rates++] = (rate_change){at_ns, rate};
}

void worker_spec_free(worker_spec *s) {
  free(s->name);
  free(s->control);
  free(s->bootstrap);
  free(s->workload_path);
  free(s->history_path);
  free(s->hlog_path);
  free(s->history_dir);
  free(s->lock_dir);
  free(s->topic);
  free(s->rates);
  free(s->group);
  kv_list_free(&s->rdkafka);
  memset(s, 0, sizeof *s);
}
