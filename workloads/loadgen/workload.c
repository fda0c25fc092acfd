/* workload.c: loading a workload and applying --set overrides; see
 * workload.h. A workload is always built the same way: defaults, then the
 * file, then each --set in order, then validation. workload_set rebuilds it
 * from the kept text plus all --set assignments, so a failed --set leaves
 * the workload exactly as it was. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"
#include "workload_priv.h"

/* Defaults: what a key holds when neither the file nor a --set gives it.
 * workloads/README.md lists the same values. */
void wl_defaults(workload *w) {
  memset(w, 0, sizeof *w);
  w->randomized_payload_pool_size = 1000;
  w->subscriptions_per_topic = 1;
  w->consumer_per_subscription = 1;
  w->producers_per_topic = 1;
  w->backlog_drain_ratio = 1.0;
  w->warmup_duration_minutes = 1; /* OMB's default */
  w->key_distributor = OMB_NO_KEY;
  w->seed = 1;
  w->drain_timeout_s = 30;
  w->key_distribution = KEYDIST_NONE;
  w->key_count = 10000; /* OMB's key set size */
  w->zipf_exponent = 1.0;
  w->message_size.distribution = SIZEDIST_FIXED;
  w->message_size.min_bytes = 56;
  w->message_size.max_bytes = 1000000;
  w->payload = PAYLOAD_RANDOM;
  w->rate_profile.type = RATE_CONSTANT;
  w->rate_search = (rate_search_conf){.start_rate = 10000, .period_s = 3, .publish_backlog_limit = 1000,
                                      .receive_backlog_limit = 1000, .min_ramping_factor = 0.01,
                                      .max_ramping_factor = 1};
  /* librdkafka 2.0's own defaults, written out so the summary states them */
  w->producer = (producer_conf){.acks = -1, .linger_ms = 5, .batch_bytes = 1000000,
                                .batch_messages = 10000, .compression = COMPRESSION_NONE,
                                .idempotence = 0, .max_in_flight = 1000000};
  w->semantics = SEM_AT_LEAST_ONCE;
  w->consumer.commit_interval_ms = 1000;
  w->ordering = ORDERING_NONE;
  w->event_time.out_of_order_ms = 100;
  w->event_time.max_lateness_ms = 1000;
  w->broker.fsync = FSYNC_ALWAYS;
  w->schedule_tolerance = (schedule_tolerance){.max_lag_ms = 1000, .max_late_fraction = 0.01};
  w->processor.checkpoint_interval_ms = 1000;
  w->processor.ready_timeout_s = 60;
  w->processor.stop_timeout_s = 30;
  w->marks = sp_calloc(1, sizeof *w->marks);
}

/* Frees a property list and leaves it empty. */
static void kv_free(kv_list *kv) {
  for (size_t i = 0; i < kv->n; i++) {
    free(kv->keys[i]);
    free(kv->values[i]);
  }
  free(kv->keys);
  free(kv->values);
  memset(kv, 0, sizeof *kv);
}

void kv_list_free(kv_list *kv) { kv_free(kv); }

/* Frees everything the fields own (not the marks). */
void wl_free_fields(workload *w) {
  free(w->path);
  free(w->dir);
  free(w->name);
  free(w->payload_file);
  free(w->payload_path);
  free(w->rate_profile.steps);
  free(w->consumer.pauses);
  free(w->sub_overrides);
  free(w->subscriptions);
  free(w->event_time.skews_ms);
  for (size_t i = 0; i < w->broker.n_extra_args; i++) free(w->broker.extra_args[i]);
  free(w->broker.extra_args);
  free(w->faults);
  free(w->faults_path);
  kv_free(&w->rdkafka_common);
  kv_free(&w->rdkafka_producer);
  kv_free(&w->rdkafka_consumer);
  free(w->processor.job);
  free(w->processor.job_path);
  kv_free(&w->processor.rdkafka);
}

void workload_free(workload *w) {
  wl_free_fields(w);
  wl_marks_free(w);
  memset(w, 0, sizeof *w);
}

int workload_is_set(const workload *w, const char *path) { return wl_mark_find(w, path) != NULL; }

/* ---- YAML documents ------------------------------------------------------- */

/* Loads the single YAML document in text. Returns 0, or -1 with a
 * "prefix:line:col: YAML syntax error" in c->err. An empty text gives a
 * document without a root. */
static int load_document(pctx *c, const char *text, size_t len, yaml_document_t *doc) {
  yaml_parser_t parser;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
  int rc = 0;
  if (!yaml_parser_load(&parser, doc)) {
    yaml_mark_t m = parser.problem_mark;
    const char *problem = parser.problem ? parser.problem : "unreadable";
    if (c->set_key) snprintf(c->err, c->err_len, "--set %s: the value is not valid YAML: %s", c->set_key, problem);
    else snprintf(c->err, c->err_len, "%s:%zu:%zu: YAML syntax error: %s%s%s", c->file, m.line + 1,
                  m.column + 1, problem, parser.context ? " " : "", parser.context ? parser.context : "");
    c->failed = 1;
    rc = -1;
  } else {
    yaml_document_t extra;
    if (yaml_parser_load(&parser, &extra)) {
      int more = yaml_document_get_root_node(&extra) != NULL;
      yaml_node_t *x = more ? yaml_document_get_root_node(&extra) : NULL;
      if (more) {
        if (c->set_key) snprintf(c->err, c->err_len, "--set %s: the value holds more than one YAML document", c->set_key);
        else snprintf(c->err, c->err_len, "%s:%zu:%zu: a workload file holds one YAML document; a second one starts here",
                      c->file, x->start_mark.line + 1, x->start_mark.column + 1);
        c->failed = 1;
        rc = -1;
      }
      yaml_document_delete(&extra);
    }
    if (rc) yaml_document_delete(doc);
  }
  yaml_parser_delete(&parser);
  return rc;
}

/* ---- --set --------------------------------------------------------------------- */

/* Keys that say the same thing two ways: giving one by --set drops the
 * other, so `--set duration_s=10` shortens an OMB file that says
 * testDurationMinutes. In a file, both at once is an error. */
static const char *const alternatives[][2] = {
    {"duration_s", "testDurationMinutes"},
    {"warmup_s", "warmupDurationMinutes"},
    {"message_size", "messageSize"},
    {"key_distribution", "keyDistributor"},
};

/* After a --set of `top`, forgets the key that says the same thing. */
static void drop_alternative(workload *w, const char *top) {
  for (size_t i = 0; i < sizeof alternatives / sizeof alternatives[0]; i++)
    for (int j = 0; j < 2; j++)
      if (!strcmp(top, alternatives[i][j])) wl_marks_drop_prefix(w, alternatives[i][1 - j]);
}

/* Walks the dotted key down the tables and parses the value into the field
 * it names. */
static int apply_set_node(pctx *c, char *key, yaml_node_t *value) {
  const ftable *t = &wl_top_table;
  char *base = (char *)c->w;
  char *save = NULL;
  char *comp = strtok_r(key, ".", &save);
  if (!comp) return wl_error(c, NULL, "expected key=value");
  char top[128];
  snprintf(top, sizeof top, "%s", comp);
  for (;;) {
    const field *f = wl_find(t, comp);
    if (!f) return wl_unknown_key(c, NULL, t, comp);
    wl_path_push(c, comp);
    char *next = strtok_r(NULL, ".", &save);
    if (next && (f->flags & FL_KVMAP)) {
      /* librdkafka.producer.linger.ms: the rest is the property name */
      char prop[256] = "";
      for (char *p = next; p; p = strtok_r(NULL, ".", &save)) {
        size_t l = strlen(prop);
        snprintf(prop + l, sizeof prop - l, "%s%s", l ? "." : "", p);
      }
      const char *v = wl_scalar(c, value);
      if (!v) return -1;
      wl_path_push(c, prop);
      wl_mark_set(c, NULL);
      return wl_kv_put(c, value, (kv_list *)(base + f->off), prop, v);
    }
    if (next) {
      if (f->type != F_MAP) return wl_error(c, NULL, "'%s' has no key '%s'", c->path, next);
      t = f->sub;
      base += f->off;
      comp = next;
      continue;
    }
    if (f->type != F_MAP) wl_marks_drop_prefix(c->w, c->path);
    wl_mark_set(c, NULL);
    drop_alternative(c->w, top);
    return wl_parse_field(c, f, value, base + f->off);
  }
}

/* Applies one "key=value" to w (no validation yet). */
static int apply_set(workload *w, const char *assignment, char *err, size_t err_len) {
  const char *eq = strchr(assignment, '=');
  char key[256];
  if (!eq || eq == assignment || (size_t)(eq - assignment) >= sizeof key) {
    snprintf(err, err_len, "--set expects key=value, got '%s'", assignment);
    return -1;
  }
  memcpy(key, assignment, (size_t)(eq - assignment));
  key[eq - assignment] = '\0';
  pctx c = {.w = w, .set_key = key, .err = err, .err_len = err_len};
  char shown[256];
  snprintf(shown, sizeof shown, "%s", key);
  c.set_key = shown;
  const char *value = eq + 1;
  while (*value == ' ') value++;
  yaml_document_t doc;
  /* an empty value is null */
  const char *text = *value ? value : "~";
  if (load_document(&c, text, strlen(text), &doc)) return -1;
  c.doc = &doc;
  yaml_node_t *root = yaml_document_get_root_node(&doc);
  int rc = root ? apply_set_node(&c, key, root) : wl_error(&c, NULL, "expected key=value");
  yaml_document_delete(&doc);
  return rc;
}

/* ---- building a workload ------------------------------------------------------- */

/* Makes w from text and sets: defaults, the document, the --set
 * assignments, validation. Keeps text and sets for later rebuilds. */
static int build(workload *w, const char *text, size_t len, const char *display_path,
                 char *const *sets, size_t n_sets, char *err, size_t err_len) {
  wl_defaults(w);
  w->path = sp_strdup(display_path);
  char *tmp = sp_strdup(display_path);
  w->dir = sp_strdup(dirname(tmp));
  free(tmp);
  wl_marks *m = w->marks;
  m->text = sp_malloc(len + 1);
  memcpy(m->text, text, len);
  m->text[len] = '\0';
  m->text_len = len;
  m->sets = sp_calloc(n_sets ? n_sets : 1, sizeof *m->sets);
  for (size_t i = 0; i < n_sets; i++) m->sets[m->n_sets++] = sp_strdup(sets[i]);

  pctx c = {.w = w, .file = display_path, .err = err, .err_len = err_len};
  yaml_document_t doc;
  if (load_document(&c, text, len, &doc)) return -1;
  c.doc = &doc;
  yaml_node_t *root = yaml_document_get_root_node(&doc);
  int rc;
  if (!root) {
    snprintf(err, err_len, "%s: the workload file is empty", display_path);
    rc = -1;
  } else {
    wl_mark_set(&c, root); /* the empty path: where missing keys are reported */
    rc = wl_parse_map(&c, root, &wl_top_table, w);
  }
  yaml_document_delete(&doc);
  for (size_t i = 0; rc == 0 && i < n_sets; i++) rc = apply_set(w, sets[i], err, err_len);
  if (rc == 0) rc = wl_validate(w, err, err_len);
  return rc;
}

int workload_parse(const char *text, size_t len, const char *display_path, workload *w,
                   char *err, size_t err_len) {
  if (err_len) err[0] = '\0';
  return build(w, text, len, display_path, NULL, 0, err, err_len);
}

int workload_load(const char *path, workload *w, char *err, size_t err_len) {
  if (err_len) err[0] = '\0';
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, err_len, "%s: cannot open the workload file: %s", path, strerror(errno));
    wl_defaults(w);
    return -1;
  }
  char *text = NULL;
  size_t len = 0, cap = 0, got;
  do {
    if (len + 4096 > cap) {
      cap = cap ? 2 * cap : 8192;
      text = sp_realloc(text, cap);
    }
    got = fread(text + len, 1, cap - len, f);
    len += got;
  } while (got > 0 && len < (64u << 20));
  int bad = ferror(f);
  fclose(f);
  if (bad || len >= (64u << 20)) {
    snprintf(err, err_len, "%s: %s", path, bad ? "cannot read the workload file" : "the workload file is larger than 64 MiB");
    free(text);
    wl_defaults(w);
    return -1;
  }
  int rc = build(w, text ? text : "", len, path, NULL, 0, err, err_len);
  free(text);
  return rc;
}

int workload_set(workload *w, const char *assignment, char *err, size_t err_len) {
  if (err_len) err[0] = '\0';
  wl_marks *m = w->marks;
  char **sets = sp_calloc(m->n_sets + 1, sizeof *sets);
  for (size_t i = 0; i < m->n_sets; i++) sets[i] = m->sets[i];
  sets[m->n_sets] = (char *)assignment;
  workload fresh;
  int rc = build(&fresh, m->text, m->text_len, w->path, sets, m->n_sets + 1, err, err_len);
  free(sets);
  if (rc) {
    workload_free(&fresh);
    return -1;
  }
  workload_free(w);
  *w = fresh;
  return 0;
}
