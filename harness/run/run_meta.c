/* run_meta.c: history/meta.json, the map from the binary histories to the
 * run (schema: harness/history/README.md): topics, subscriptions and their
 * semantics, every producer and consumer with each incarnation's writer or
 * reader id and how it ended, whether the drain and the readback
 * completed, and the run's phase boundaries on CLOCK_MONOTONIC. Written
 * atomically (tmp + rename); rewritten whenever it is written again. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "run_int.h"

static json_t *incarnations(const run_worker *w, const char *id_key) {
  json_t *a = json_array();
  for (size_t i = 0; i < w->n_incs; i++) {
    json_t *o = json_object();
    json_object_set_new(o, id_key, json_integer(w->incs[i].id));
    json_object_set_new(o, "incarnation", json_integer(w->incs[i].incarnation));
    json_object_set_new(o, "exit", json_string(w->incs[i].exit));
    json_array_append_new(a, o);
  }
  return a;
}

int run_meta_write(run_ctx *c, char *err, size_t err_len) {
  json_t *root = json_object();
  json_object_set_new(root, "version", json_integer(1));
  json_t *topics = json_array();
  for (uint32_t t = 0; t < c->n_topics; t++) {
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(c->topics[t].name));
    json_object_set_new(o, "partitions", json_integer(c->topics[t].partitions));
    json_array_append_new(topics, o);
  }
  json_object_set_new(root, "topics", topics);
  json_object_set_new(root, "ordering", json_string(ordering_name(c->wl.ordering)));

  json_t *subs = json_array();
  for (uint32_t s = 0; s < c->n_subs; s++) {
    const run_sub *sub = &c->subs[s];
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(sub->id));
    json_object_set_new(o, "name", json_string(sub->name));
    json_object_set_new(o, "group", json_string(sub->group));
    json_object_set_new(o, "topic", json_integer(sub->topic));
    json_object_set_new(o, "semantics", json_string(semantics_name(sub->semantics)));
    json_t *members = json_array();
    for (uint32_t i = 0; i < c->n_workers; i++)
      if (c->workers[i].role == WROLE_CONSUMER && c->workers[i].subscription == s)
        json_array_append_new(members, json_integer(c->workers[i].index));
    json_object_set_new(o, "consumers", members);
    json_array_append_new(subs, o);
  }
  json_object_set_new(root, "subscriptions", subs);

  json_t *producers = json_array(), *consumers = json_array();
  for (uint32_t i = 0; i < c->n_workers; i++) {
    const run_worker *w = &c->workers[i];
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(w->index));
    if (w->role == WROLE_PRODUCER) {
      json_object_set_new(o, "topic", json_integer(w->topic));
      json_object_set_new(o, "writers", incarnations(w, "writer"));
      json_array_append_new(producers, o);
    } else {
      json_object_set_new(o, "subscription", json_integer(w->subscription));
      json_object_set_new(o, "readers", incarnations(w, "reader"));
      json_array_append_new(consumers, o);
    }
  }
  json_object_set_new(root, "producers", producers);
  json_object_set_new(root, "consumers", consumers);

  json_t *drain = json_object();
  json_object_set_new(drain, "completed", json_boolean(c->drain_completed));
  json_object_set_new(drain, "timeout_s", json_real(c->wl.drain_timeout_s));
  json_object_set_new(root, "drain", drain);
  json_t *rb = json_object();
  json_object_set_new(rb, "completed", json_boolean(c->readback_completed));
  json_object_set_new(root, "readback", rb);

  json_t *run = json_object();
  json_object_set_new(run, "start_mono_ns", json_integer((json_int_t)c->t0));
  json_object_set_new(run, "warmup_end_mono_ns", json_integer((json_int_t)c->warmup_end));
  json_object_set_new(run, "measure_end_mono_ns", json_integer((json_int_t)c->measure_end));
  json_object_set_new(run, "producers_stopped_mono_ns", json_integer((json_int_t)c->producers_stopped));
  json_object_set_new(run, "drain_end_mono_ns", json_integer((json_int_t)c->drain_end));
  json_object_set_new(run, "end_mono_ns", json_integer((json_int_t)c->end));
  json_object_set_new(run, "start_wall_ns", json_integer((json_int_t)c->t0_wall));
  json_object_set_new(root, "run", run);

  char path[RUN_PATH_MAX + 32], tmp[RUN_PATH_MAX + 40];
  snprintf(path, sizeof path, "%s/meta.json", c->hist_dir);
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  int rc = json_dump_file(root, tmp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(root);
  if (rc != 0 || rename(tmp, path) != 0) {
    snprintf(err, err_len, "cannot write %s: %s", path, strerror(errno));
    unlink(tmp);
    return -1;
  }
  return 0;
}
