/* schedule.c: reading and validating fault schedule files (see schedule.h;
 * the expansion into a plan is in plan.c). */
#include "schedule.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "mem.h"
#include "points.h"

/* ------------------------------------------------------------ names ---- */

const char *sp_fault_kind_name(sp_fault_kind k) {
  static const char *names[] = {"kill", "stop", "pause", "fiu", "disk", "net", "clock"};
  return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

const char *sp_net_toxic_name(sp_net_toxic t) {
  static const char *names[] = {"latency", "bandwidth", "reset", "blackhole", "slicer"};
  return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

const char *sp_direction_name(int direction) {
  switch (direction) {
  case SP_DIR_UPSTREAM: return "upstream";
  case SP_DIR_DOWNSTREAM: return "downstream";
  default: return "both";
  }
}

const char *sp_fiu_mode_name(int failnum) {
  switch (failnum) {
  case SP_FAULT_DELAY: return "delay";
  case SP_FAULT_ABORT: return "abort";
  default: return "fail";
  }
}

static const struct {
  const char *name;
  int value;
} errno_names[] = {
    {"EIO", EIO},         {"ENOSPC", ENOSPC},       {"EDQUOT", EDQUOT},
    {"EROFS", EROFS},     {"EFBIG", EFBIG},         {"EBADF", EBADF},
    {"EINTR", EINTR},     {"EAGAIN", EAGAIN},       {"ENOMEM", ENOMEM},
    {"EACCES", EACCES},   {"EPERM", EPERM},         {"ENOENT", ENOENT},
    {"EEXIST", EEXIST},   {"EMFILE", EMFILE},       {"ENFILE", ENFILE},
    {"EINVAL", EINVAL},   {"EPIPE", EPIPE},         {"ECONNRESET", ECONNRESET},
    {"ECONNREFUSED", ECONNREFUSED}, {"ETIMEDOUT", ETIMEDOUT}, {"ENOBUFS", ENOBUFS},
    {"EBUSY", EBUSY},     {"ENODEV", ENODEV},       {"ESPIPE", ESPIPE},
};

const char *sp_errno_name(int e, char buf[16]) {
  for (size_t i = 0; i < sizeof errno_names / sizeof errno_names[0]; i++)
    if (errno_names[i].value == e) return errno_names[i].name;
  snprintf(buf, 16, "%d", e);
  return buf;
}

int sp_errno_parse(const char *s) {
  for (size_t i = 0; i < sizeof errno_names / sizeof errno_names[0]; i++)
    if (strcmp(errno_names[i].name, s) == 0) return errno_names[i].value;
  char *end = NULL;
  long v = strtol(s, &end, 10);
  if (end == s || *end || v <= 0 || v > 4095) return -1;
  return (int)v;
}

/* ------------------------------------------------------ parse context -- */

typedef struct pctx {
  yaml_document_t *doc;
  const char *path;
  char *err;
  size_t cap;
  const char *fault_id; /* for messages; NULL before the id is known */
  int fault_no;         /* 1-based position in the list */
} pctx;

/* Writes "path:line:col: fault 'id': key 'k': <msg>" into the error buffer
 * and returns -1, so call sites read `return fail(...)`. */
__attribute__((format(printf, 4, 5))) static int fail(pctx *c, const yaml_node_t *n,
                                                      const char *key, const char *fmt, ...) {
  char msg[384];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  char where[160] = "";
  if (c->fault_id)
    snprintf(where, sizeof where, "fault '%s': ", c->fault_id);
  else if (c->fault_no)
    snprintf(where, sizeof where, "fault #%d: ", c->fault_no);
  char keypart[96] = "";
  if (key) snprintf(keypart, sizeof keypart, "key '%s': ", key);
  snprintf(c->err, c->cap, "%s:%zu:%zu: %s%s%s", c->path, n ? n->start_mark.line + 1 : 0,
           n ? n->start_mark.column + 1 : 0, where, keypart, msg);
  return -1;
}

static const char *scalar(const yaml_node_t *n) {
  return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int get_number(pctx *c, yaml_node_t *n, const char *key, double *out) {
  const char *s = scalar(n);
  char *end = NULL;
  if (!s || !*s) return fail(c, n, key, "expected a number");
  errno = 0;
  double v = strtod(s, &end);
  if (*end || errno || !isfinite(v)) return fail(c, n, key, "'%s' is not a number", s);
  *out = v;
  return 0;
}

/* A number of seconds, milliseconds...: finite and >= min. */
static int get_at_least(pctx *c, yaml_node_t *n, const char *key, double min, double *out) {
  if (get_number(c, n, key, out)) return -1;
  if (*out < min) return fail(c, n, key, "must be >= %g, got %g", min, *out);
  return 0;
}

static int get_long(pctx *c, yaml_node_t *n, const char *key, long min, long *out) {
  const char *s = scalar(n);
  char *end = NULL;
  if (!s || !*s) return fail(c, n, key, "expected an integer");
  errno = 0;
  long v = strtol(s, &end, 10);
  if (*end || errno) return fail(c, n, key, "'%s' is not an integer", s);
  if (v < min) return fail(c, n, key, "must be >= %ld, got %ld", min, v);
  *out = v;
  return 0;
}

static int get_bool(pctx *c, yaml_node_t *n, const char *key, int *out) {
  const char *s = scalar(n);
  if (s && (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on"))) return *out = 1, 0;
  if (s && (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off"))) return *out = 0, 0;
  return fail(c, n, key, "expected true or false");
}

static int get_string(pctx *c, yaml_node_t *n, const char *key, const char **out) {
  const char *s = scalar(n);
  if (!s || !*s) return fail(c, n, key, "expected a non-empty string");
  *out = s;
  return 0;
}

/* --------------------------------------------------------- key tables -- */

static const char *const common_keys[] = {"id", "kind", "target", "at_s", "window_s", "every",
                                          "until_s", "count", "description", NULL};
static const char *const kind_keys[][10] = {
    [SP_FAULT_KIND_KILL] = {"restart_after_s", "restart", NULL},
    [SP_FAULT_KIND_STOP] = {"restart_after_s", "restart", "grace_s", NULL},
    [SP_FAULT_KIND_PAUSE] = {"duration_s", NULL},
    [SP_FAULT_KIND_FIU] = {"point", "mode", "errno", "delay_ms", "once", "probability",
                           "duration_s", "restart_after_s", NULL},
    [SP_FAULT_KIND_DISK] = {"op", "ops", "errno", "short", "once", "probability", "duration_s",
                            NULL},
    [SP_FAULT_KIND_NET] = {"toxic", "direction", "latency_ms", "jitter_ms", "rate_bytes_per_s",
                           "segment_bytes", "delay_us", "duration_s", NULL},
    [SP_FAULT_KIND_CLOCK] = {"skew_ms", "late_fraction", "late_max_ms", "duration_s", NULL},
};

static int in_list(const char *const *list, const char *key) {
  for (; *list; list++)
    if (!strcmp(*list, key)) return 1;
  return 0;
}

static int unknown_key(pctx *c, yaml_node_t *kn, const char *key, sp_fault_kind kind) {
  char expected[512] = "";
  size_t used = 0;
  const char *const *lists[2] = {common_keys, kind_keys[kind]};
  for (int l = 0; l < 2; l++)
    for (const char *const *k = lists[l]; *k; k++)
      used += (size_t)snprintf(expected + used, used < sizeof expected ? sizeof expected - used : 0,
                               "%s%s", used ? ", " : "", *k);
  return fail(c, kn, key, "unknown key for kind %s (expected one of: %s)", sp_fault_kind_name(kind),
              expected);
}

static yaml_node_t *map_get(yaml_document_t *doc, yaml_node_t *map, const char *key) {
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
    const char *k = scalar(yaml_document_get_node(doc, p->key));
    if (k && !strcmp(k, key)) return yaml_document_get_node(doc, p->value);
  }
  return NULL;
}

/* ------------------------------------------------------- field values -- */

static int parse_kind(pctx *c, yaml_node_t *n, sp_fault_kind *out) {
  const char *s = scalar(n);
  for (int k = SP_FAULT_KIND_KILL; k <= SP_FAULT_KIND_CLOCK; k++)
    if (s && !strcmp(s, sp_fault_kind_name((sp_fault_kind)k))) return *out = (sp_fault_kind)k, 0;
  return fail(c, n, "kind", "unknown kind '%s' (expected kill, stop, pause, fiu, disk, net or clock)",
              s ? s : "");
}

static int parse_target(pctx *c, yaml_node_t *n, sp_target *out) {
  const char *s = scalar(n);
  static const struct {
    const char *name;
    sp_target_kind kind;
  } plain[] = {{"broker", SP_TARGET_BROKER},       {"processor", SP_TARGET_PROCESSOR},
               {"producers", SP_TARGET_ANY_PRODUCER}, {"consumers", SP_TARGET_ANY_CONSUMER},
               {"link", SP_TARGET_LINK}};
  out->index = -1;
  for (size_t i = 0; s && i < sizeof plain / sizeof plain[0]; i++)
    if (!strcmp(s, plain[i].name)) return out->kind = plain[i].kind, 0;
  const char *num = NULL;
  if (s && !strncmp(s, "producer:", 9)) out->kind = SP_TARGET_PRODUCER, num = s + 9;
  if (s && !strncmp(s, "consumer:", 9)) out->kind = SP_TARGET_CONSUMER, num = s + 9;
  if (num) {
    char *end = NULL;
    long v = strtol(num, &end, 10);
    if (*num && !*end && v >= 0 && v < 100000 && isdigit((unsigned char)*num))
      return out->index = (int)v, 0;
  }
  return fail(c, n, "target",
              "unknown target '%s' (expected broker, processor, producer:N, consumer:N, "
              "producers, consumers or link)",
              s ? s : "");
}

static int parse_window(pctx *c, yaml_node_t *n, sp_fault *f) {
  if (n->type != YAML_SEQUENCE_NODE || n->data.sequence.items.top - n->data.sequence.items.start != 2)
    return fail(c, n, "window_s", "expected [from_s, to_s]");
  yaml_node_t *a = yaml_document_get_node(c->doc, n->data.sequence.items.start[0]);
  yaml_node_t *b = yaml_document_get_node(c->doc, n->data.sequence.items.start[1]);
  if (get_at_least(c, a, "window_s", 0, &f->window_from_s) ||
      get_at_least(c, b, "window_s", 0, &f->window_to_s))
    return -1;
  if (f->window_to_s < f->window_from_s)
    return fail(c, n, "window_s", "to_s (%g) is before from_s (%g)", f->window_to_s,
                f->window_from_s);
  f->has_window = 1;
  return 0;
}

static int parse_every(pctx *c, yaml_node_t *n, sp_fault *f) {
  if (n->type != YAML_MAPPING_NODE) return fail(c, n, "every", "expected {min_s: A, max_s: B}");
  int have_min = 0, have_max = 0;
  for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
    yaml_node_t *kn = yaml_document_get_node(c->doc, p->key);
    yaml_node_t *vn = yaml_document_get_node(c->doc, p->value);
    const char *k = scalar(kn);
    if (k && !strcmp(k, "min_s")) {
      if (get_at_least(c, vn, "every.min_s", 0, &f->every_min_s)) return -1;
      have_min = 1;
    } else if (k && !strcmp(k, "max_s")) {
      if (get_at_least(c, vn, "every.max_s", 0, &f->every_max_s)) return -1;
      have_max = 1;
    } else {
      return fail(c, kn, k ? k : "?", "unknown key in every (expected min_s, max_s)");
    }
  }
  if (!have_min) return fail(c, n, "every", "missing min_s");
  if (!have_max) f->every_max_s = f->every_min_s;
  if (f->every_min_s <= 0) return fail(c, n, "every.min_s", "must be > 0");
  if (f->every_max_s < f->every_min_s)
    return fail(c, n, "every.max_s", "max_s (%g) is below min_s (%g)", f->every_max_s,
                f->every_min_s);
  f->repeats = 1;
  return 0;
}

/* The POSIX preload point for a disk operation name, or NULL. */
static const char *disk_op_point(const char *op, int *can_short) {
  static const struct {
    const char *op, *point;
    int can_short;
  } ops[] = {
      {"write", "posix/io/rw/write", 1},     {"pwrite", "posix/io/rw/pwrite", 1},
      {"writev", "posix/io/rw/writev", 1},   {"pwritev", "posix/io/rw/pwritev", 1},
      {"read", "posix/io/rw/read", 1},       {"pread", "posix/io/rw/pread", 1},
      {"readv", "posix/io/rw/readv", 1},     {"preadv", "posix/io/rw/preadv", 1},
      {"fsync", "posix/io/sync/fsync", 0},   {"fdatasync", "posix/io/sync/fdatasync", 0},
      {"sync_file_range", "linux/io/sync_file_range", 0},
      {"open", "posix/io/oc/open", 0},       {"close", "posix/io/oc/close", 0},
      {"ftruncate", "posix/io/rw/ftruncate", 0}, {"truncate", "posix/io/rw/truncate", 0},
      {"rename", "posix/io/dir/rename", 0},  {"unlink", "posix/io/dir/unlink", 0},
  };
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
    if (!strcmp(ops[i].op, op)) return *can_short = ops[i].can_short, ops[i].point;
  return NULL;
}

static void add_point(sp_fault_fiu *fiu, const char *name) {
  fiu->points = sp_realloc(fiu->points, sizeof(char *) * (size_t)(fiu->n_points + 1));
  fiu->points[fiu->n_points++] = sp_strdup(name);
}

/* ops: [fsync, fdatasync] or op: write; `short` turns rw ops into their
 * /reduce points (short reads and writes instead of errors). */
static int parse_disk_ops(pctx *c, yaml_node_t *n, const char *key, int short_io, sp_fault *f) {
  yaml_node_item_t one = 0;
  yaml_node_item_t *start = &one, *top = &one + 1;
  if (n->type == YAML_SEQUENCE_NODE) {
    start = n->data.sequence.items.start, top = n->data.sequence.items.top;
    if (start == top) return fail(c, n, key, "empty list of operations");
  } else {
    one = (yaml_node_item_t)(n - c->doc->nodes.start + 1);
  }
  for (yaml_node_item_t *it = start; it < top; it++) {
    yaml_node_t *on = yaml_document_get_node(c->doc, *it);
    const char *op = scalar(on);
    int can_short = 0;
    const char *point = op ? disk_op_point(op, &can_short) : NULL;
    if (!point)
      return fail(c, on, key,
                  "unknown operation '%s' (expected write, pwrite, writev, pwritev, read, pread, "
                  "readv, preadv, fsync, fdatasync, sync_file_range, open, close, ftruncate, "
                  "truncate, rename or unlink)",
                  op ? op : "");
    if (short_io && !can_short)
      return fail(c, on, key, "'short: true' needs read/write operations, not '%s'", op);
    char name[96];
    snprintf(name, sizeof name, "%s%s", point, short_io ? "/reduce" : "");
    add_point(&f->fiu, name);
  }
  return 0;
}

/* --------------------------------------------------------- one fault --- */

/* Values gathered from keys whose meaning depends on other keys; checked
 * together in check_fault once every key has been read. */
typedef struct raw {
  yaml_node_t *node; /* the fault's mapping */
  yaml_node_t *at, *window, *every, *until, *count, *duration, *restart_after, *restart, *grace;
  yaml_node_t *point, *mode, *err, *delay_ms, *once, *prob, *op, *ops, *short_io;
  yaml_node_t *toxic, *direction, *latency, *jitter, *rate, *segment, *delay_us;
  yaml_node_t *skew, *late_fraction, *late_max;
} raw;

static yaml_node_t **raw_slot(raw *r, const char *k) {
  static const struct {
    const char *key;
    size_t off;
  } slots[] = {
#define SLOT(k, field) {k, offsetof(raw, field)}
      SLOT("at_s", at), SLOT("window_s", window), SLOT("every", every), SLOT("until_s", until),
      SLOT("count", count), SLOT("duration_s", duration), SLOT("restart_after_s", restart_after),
      SLOT("restart", restart), SLOT("grace_s", grace), SLOT("point", point), SLOT("mode", mode),
      SLOT("errno", err), SLOT("delay_ms", delay_ms), SLOT("once", once),
      SLOT("probability", prob), SLOT("op", op), SLOT("ops", ops), SLOT("short", short_io),
      SLOT("toxic", toxic), SLOT("direction", direction), SLOT("latency_ms", latency),
      SLOT("jitter_ms", jitter), SLOT("rate_bytes_per_s", rate), SLOT("segment_bytes", segment),
      SLOT("delay_us", delay_us), SLOT("skew_ms", skew), SLOT("late_fraction", late_fraction),
      SLOT("late_max_ms", late_max),
#undef SLOT
  };
  for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
    if (!strcmp(slots[i].key, k)) return (yaml_node_t **)((char *)r + slots[i].off);
  return NULL;
}

static int check_id(pctx *c, yaml_node_t *n, const sp_schedule *s, const char *id) {
  size_t len = strlen(id);
  if (len > 64) return fail(c, n, "id", "longer than 64 characters");
  for (const char *p = id; *p; p++)
    if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
      return fail(c, n, "id", "'%s': only letters, digits, '-', '_' and '.' are allowed", id);
  for (int i = 0; i < s->n_faults; i++)
    if (!strcmp(s->faults[i].id, id))
      return fail(c, n, "id", "duplicate id '%s' (first used at line %d)", id, s->faults[i].line);
  return 0;
}

static int check_target(pctx *c, yaml_node_t *n, sp_fault *f) {
  sp_target_kind t = f->target.kind;
  int process = t != SP_TARGET_LINK;
  int server = t == SP_TARGET_BROKER || t == SP_TARGET_PROCESSOR;
  int producer = t == SP_TARGET_PRODUCER || t == SP_TARGET_ANY_PRODUCER;
  int ok = 1;
  const char *want = "";
  switch (f->kind) {
  case SP_FAULT_KIND_KILL:
  case SP_FAULT_KIND_STOP:
  case SP_FAULT_KIND_PAUSE: ok = process, want = "a process (not link)"; break;
  case SP_FAULT_KIND_FIU:
  case SP_FAULT_KIND_DISK: ok = server, want = "broker or processor"; break;
  case SP_FAULT_KIND_NET: ok = t == SP_TARGET_LINK, want = "link"; break;
  case SP_FAULT_KIND_CLOCK: ok = producer, want = "producer:N or producers"; break;
  }
  if (!ok)
    return fail(c, n, "target", "kind %s needs target %s", sp_fault_kind_name(f->kind), want);
  return 0;
}

/* Common start, repetition and duration fields. */
static int read_timing(pctx *c, raw *r, sp_fault *f) {
  if (r->at && r->window) return fail(c, r->window, "window_s", "give either at_s or window_s, not both");
  if (!r->at && !r->window) return fail(c, r->node, "at_s", "missing (or window_s: [from_s, to_s])");
  if (r->at && get_at_least(c, r->at, "at_s", 0, &f->at_s)) return -1;
  if (r->window && parse_window(c, r->window, f)) return -1;
  f->duration_s = -1;
  if (r->duration) {
    if (get_at_least(c, r->duration, "duration_s", 0, &f->duration_s)) return -1;
    if (f->duration_s <= 0) return fail(c, r->duration, "duration_s", "must be > 0");
  }
  f->until_s = -1;
  if (r->every && parse_every(c, r->every, f)) return -1;
  if (r->until && get_at_least(c, r->until, "until_s", 0, &f->until_s)) return -1;
  if (r->count) {
    long n = 0;
    if (get_long(c, r->count, "count", 1, &n)) return -1;
    f->count = (int)n;
  }
  if ((r->until || r->count) && !r->every)
    return fail(c, r->until ? r->until : r->count, r->until ? "until_s" : "count",
                "only meaningful with every: {min_s, max_s}");
  if (r->every && !r->until && !r->count)
    return fail(c, r->every, "every", "needs until_s or count, or it never ends");
  double first = f->has_window ? f->window_from_s : f->at_s;
  if (r->until && f->until_s < first)
    return fail(c, r->until, "until_s", "%g is before the first start (%g)", f->until_s, first);
  return 0;
}

static int read_restart(pctx *c, raw *r, sp_fault *f, int required) {
  f->restart_after_s = -1;
  int restart = 1;
  if (r->restart && get_bool(c, r->restart, "restart", &restart)) return -1;
  if (r->restart_after) {
    if (!restart) return fail(c, r->restart_after, "restart_after_s", "contradicts restart: false");
    if (get_at_least(c, r->restart_after, "restart_after_s", 0, &f->restart_after_s)) return -1;
  } else if (restart && required) {
    return fail(c, r->node, "restart_after_s", "missing (or restart: false to leave it down)");
  }
  return 0;
}

/* `once`, `probability`: how often an armed point fires. */
static int read_firing(pctx *c, raw *r, sp_fault *f) {
  f->fiu.probability = 1.0;
  if (r->once && get_bool(c, r->once, "once", &f->fiu.once)) return -1;
  if (r->prob) {
    if (get_number(c, r->prob, "probability", &f->fiu.probability)) return -1;
    if (f->fiu.probability <= 0 || f->fiu.probability > 1)
      return fail(c, r->prob, "probability", "must be in (0, 1], got %g", f->fiu.probability);
  }
  return 0;
}

static int read_errno(pctx *c, yaml_node_t *n, long *out) {
  const char *s = NULL;
  if (get_string(c, n, "errno", &s)) return -1;
  int e = sp_errno_parse(s);
  if (e < 0) return fail(c, n, "errno", "unknown errno '%s' (a name like EIO or ENOSPC, or a number)", s);
  *out = e;
  return 0;
}

static int read_fiu(pctx *c, raw *r, sp_fault *f) {
  const char *point = NULL, *mode = "fail";
  if (!r->point) return fail(c, r->node, "point", "missing (a fault point name, see faults/points.md)");
  if (get_string(c, r->point, "point", &point)) return -1;
  int reg = sp_points_registry_of(point);
  int want = f->target.kind == SP_TARGET_BROKER ? SP_POINTS_REFBROKER : SP_POINTS_REFSTREAM;
  if (reg != want && reg != SP_POINTS_POSIX)
    return fail(c, r->point, "point", "'%s' is not a %s point (names start with %s/ or posix/)",
                point, want == SP_POINTS_REFBROKER ? "refbroker" : "refstream",
                want == SP_POINTS_REFBROKER ? "refbroker" : "refstream");
  if (!sp_points_known((sp_points_registry)reg, point))
    return fail(c, r->point, "point", "unknown fault point '%s' (see faults/points.md)", point);
  add_point(&f->fiu, point);
  if (r->mode && get_string(c, r->mode, "mode", &mode)) return -1;
  if (!strcmp(mode, "fail")) {
    f->fiu.failnum = SP_FAULT_FAIL, f->fiu.failinfo = EIO;
    if (r->err && read_errno(c, r->err, &f->fiu.failinfo)) return -1;
  } else if (!strcmp(mode, "delay")) {
    f->fiu.failnum = SP_FAULT_DELAY;
    if (!r->delay_ms) return fail(c, r->node, "delay_ms", "missing (mode delay needs it)");
    if (get_long(c, r->delay_ms, "delay_ms", 1, &f->fiu.failinfo)) return -1;
  } else if (!strcmp(mode, "abort")) {
    f->fiu.failnum = SP_FAULT_ABORT;
  } else {
    return fail(c, r->mode, "mode", "unknown mode '%s' (expected fail, delay or abort)", mode);
  }
  if (r->err && f->fiu.failnum != SP_FAULT_FAIL)
    return fail(c, r->err, "errno", "only used with mode fail");
  if (r->delay_ms && f->fiu.failnum != SP_FAULT_DELAY)
    return fail(c, r->delay_ms, "delay_ms", "only used with mode delay");
  if (r->restart_after && f->fiu.failnum != SP_FAULT_ABORT)
    return fail(c, r->restart_after, "restart_after_s", "only used with mode abort");
  if (reg == SP_POINTS_POSIX && f->fiu.failnum != SP_FAULT_FAIL)
    return fail(c, r->mode, "mode", "POSIX preload points can only fail (no delay or abort)");
  if (read_restart(c, r, f, 0)) return -1;
  return read_firing(c, r, f);
}

static int read_disk(pctx *c, raw *r, sp_fault *f) {
  int short_io = 0;
  if (r->short_io && get_bool(c, r->short_io, "short", &short_io)) return -1;
  if (r->op && r->ops) return fail(c, r->ops, "ops", "give either op or ops, not both");
  if (!r->op && !r->ops) return fail(c, r->node, "ops", "missing (e.g. ops: [fsync, fdatasync])");
  if (parse_disk_ops(c, r->op ? r->op : r->ops, r->op ? "op" : "ops", short_io, f)) return -1;
  f->fiu.failnum = SP_FAULT_FAIL;
  f->fiu.failinfo = short_io ? 0 : EIO;
  if (r->err) {
    if (short_io) return fail(c, r->err, "errno", "a short write has no errno");
    if (read_errno(c, r->err, &f->fiu.failinfo)) return -1;
  }
  return read_firing(c, r, f);
}

/* Net keys each toxic uses; anything else given is an error, so a
 * misplaced rate_bytes_per_s on a latency toxic is not silently ignored. */
static int read_net(pctx *c, raw *r, sp_fault *f) {
  static const char *toxics[] = {"latency", "bandwidth", "reset", "blackhole", "slicer"};
  const char *t = NULL;
  if (!r->toxic) return fail(c, r->node, "toxic", "missing (latency, bandwidth, reset, blackhole or slicer)");
  if (get_string(c, r->toxic, "toxic", &t)) return -1;
  int found = -1;
  for (int i = 0; i < 5; i++)
    if (!strcmp(t, toxics[i])) found = i;
  if (found < 0)
    return fail(c, r->toxic, "toxic", "unknown toxic '%s' (expected latency, bandwidth, reset, blackhole or slicer)", t);
  sp_fault_net *n = &f->net;
  n->toxic = (sp_net_toxic)found;
  n->direction = SP_DIR_BOTH;
  if (r->direction) {
    const char *d = NULL;
    if (get_string(c, r->direction, "direction", &d)) return -1;
    if (!strcmp(d, "upstream")) n->direction = SP_DIR_UPSTREAM;
    else if (!strcmp(d, "downstream")) n->direction = SP_DIR_DOWNSTREAM;
    else if (strcmp(d, "both")) return fail(c, r->direction, "direction", "expected upstream, downstream or both, got '%s'", d);
    if (n->toxic == SP_NET_RESET) return fail(c, r->direction, "direction", "reset acts on whole connections");
  }
  struct {
    yaml_node_t *node;
    const char *key;
    int used_by; /* toxic */
    int required;
    long min;
    long *out;
  } params[] = {
      {r->latency, "latency_ms", SP_NET_LATENCY, 1, 1, &n->latency_ms},
      {r->jitter, "jitter_ms", SP_NET_LATENCY, 0, 0, &n->jitter_ms},
      {r->rate, "rate_bytes_per_s", SP_NET_BANDWIDTH, 1, 1, &n->rate_bytes_per_s},
      {r->segment, "segment_bytes", SP_NET_SLICER, 1, 1, &n->segment_bytes},
      {r->delay_us, "delay_us", SP_NET_SLICER, 0, 0, &n->delay_us},
  };
  for (size_t i = 0; i < sizeof params / sizeof params[0]; i++) {
    if (params[i].used_by != found) {
      if (params[i].node) return fail(c, params[i].node, params[i].key, "not used by toxic %s", t);
      continue;
    }
    if (!params[i].node) {
      if (params[i].required) return fail(c, r->node, params[i].key, "missing (toxic %s needs it)", t);
      continue;
    }
    if (get_long(c, params[i].node, params[i].key, params[i].min, params[i].out)) return -1;
  }
  return 0;
}

static int read_clock(pctx *c, raw *r, sp_fault *f) {
  sp_fault_clock *k = &f->clock;
  if (!r->skew && !r->late_fraction)
    return fail(c, r->node, "skew_ms", "missing (a clock fault needs skew_ms and/or late_fraction)");
  if (r->skew && get_long(c, r->skew, "skew_ms", -86400000L, &k->skew_ms)) return -1;
  if (r->late_fraction) {
    if (get_number(c, r->late_fraction, "late_fraction", &k->late_fraction)) return -1;
    if (k->late_fraction <= 0 || k->late_fraction > 1)
      return fail(c, r->late_fraction, "late_fraction", "must be in (0, 1], got %g", k->late_fraction);
    if (!r->late_max) return fail(c, r->node, "late_max_ms", "missing (how late, at most)");
    if (get_long(c, r->late_max, "late_max_ms", 1, &k->late_max_ms)) return -1;
  } else if (r->late_max) {
    return fail(c, r->late_max, "late_max_ms", "only used with late_fraction");
  }
  return 0;
}

/* How long one occurrence holds its target: < 0 when never healed. */
static double occurrence_span(const sp_fault *f) {
  switch (f->kind) {
  case SP_FAULT_KIND_KILL:
  case SP_FAULT_KIND_STOP: return f->restart_after_s;
  default: return f->duration_s;
  }
}

static int read_kind_fields(pctx *c, raw *r, sp_fault *f) {
  switch (f->kind) {
  case SP_FAULT_KIND_KILL: return read_restart(c, r, f, 1);
  case SP_FAULT_KIND_STOP:
    f->grace_s = 10;
    if (r->grace && get_at_least(c, r->grace, "grace_s", 0, &f->grace_s)) return -1;
    if (read_restart(c, r, f, 1)) return -1;
    if (f->restart_after_s >= 0 && f->restart_after_s < f->grace_s && r->grace)
      return fail(c, r->restart_after, "restart_after_s",
                  "%g is shorter than grace_s (%g): the restart would race the SIGKILL",
                  f->restart_after_s, f->grace_s);
    if (f->restart_after_s >= 0 && f->restart_after_s < f->grace_s) f->grace_s = f->restart_after_s;
    return 0;
  case SP_FAULT_KIND_PAUSE:
    if (!r->duration) return fail(c, r->node, "duration_s", "missing (how long to pause)");
    return 0;
  case SP_FAULT_KIND_FIU: return read_fiu(c, r, f);
  case SP_FAULT_KIND_DISK: return read_disk(c, r, f);
  case SP_FAULT_KIND_NET: return read_net(c, r, f);
  case SP_FAULT_KIND_CLOCK: return read_clock(c, r, f);
  }
  return 0;
}

static int read_fault(pctx *c, yaml_node_t *n, sp_schedule *s, sp_fault *f) {
  if (n->type != YAML_MAPPING_NODE) return fail(c, n, NULL, "expected a mapping (id: ..., kind: ...)");
  memset(f, 0, sizeof *f);
  f->line = (int)n->start_mark.line + 1;
  f->column = (int)n->start_mark.column + 1;
  f->target.index = -1;
  yaml_node_t *id = map_get(c->doc, n, "id");
  const char *ids = NULL;
  if (!id) return fail(c, n, "id", "missing");
  if (get_string(c, id, "id", &ids) || check_id(c, id, s, ids)) return -1;
  f->id = sp_strdup(ids);
  c->fault_id = f->id;
  yaml_node_t *kind = map_get(c->doc, n, "kind");
  if (!kind) return fail(c, n, "kind", "missing (kill, stop, pause, fiu, disk, net or clock)");
  if (parse_kind(c, kind, &f->kind)) return -1;
  raw r = {.node = n};
  yaml_node_t *target = NULL;
  for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
    yaml_node_t *kn = yaml_document_get_node(c->doc, p->key);
    const char *k = scalar(kn);
    if (!k) return fail(c, kn, NULL, "keys must be plain strings");
    if (!in_list(common_keys, k) && !in_list(kind_keys[f->kind], k))
      return unknown_key(c, kn, k, f->kind);
    if (!strcmp(k, "target")) target = yaml_document_get_node(c->doc, p->value);
    yaml_node_t **slot = raw_slot(&r, k);
    if (slot) {
      if (*slot) return fail(c, kn, k, "given twice");
      *slot = yaml_document_get_node(c->doc, p->value);
    }
  }
  if (!target && f->kind != SP_FAULT_KIND_NET) return fail(c, n, "target", "missing");
  if (target ? parse_target(c, target, &f->target) : (f->target.kind = SP_TARGET_LINK, 0)) return -1;
  if (check_target(c, target ? target : n, f) || read_timing(c, &r, f) || read_kind_fields(c, &r, f))
    return -1;
  double span = occurrence_span(f);
  if (f->repeats && span < 0)
    return fail(c, r.every, "every", "repeats a fault that is never healed (give %s)",
                f->kind <= SP_FAULT_KIND_STOP ? "restart_after_s" : "duration_s");
  if (f->repeats && f->every_min_s < span)
    return fail(c, r.every, "every.min_s",
                "%g s is shorter than one occurrence (%g s): repetitions would overlap",
                f->every_min_s, span);
  return 0;
}

/* ------------------------------------------------------ the document --- */

static void fault_free(sp_fault *f) {
  free(f->id);
  for (int i = 0; i < f->fiu.n_points; i++) free(f->fiu.points[i]);
  free(f->fiu.points);
}

void sp_schedule_free(sp_schedule *s) {
  if (!s) return;
  for (int i = 0; i < s->n_faults; i++) fault_free(&s->faults[i]);
  free(s->faults);
  free(s->path);
  free(s->description);
  free(s);
}

static int read_faults(pctx *c, yaml_node_t *seq, sp_schedule *s) {
  if (seq->type != YAML_SEQUENCE_NODE) return fail(c, seq, "faults", "expected a list of faults");
  int n = (int)(seq->data.sequence.items.top - seq->data.sequence.items.start);
  s->faults = sp_calloc((size_t)(n ? n : 1), sizeof(sp_fault));
  for (int i = 0; i < n; i++) {
    c->fault_no = i + 1;
    c->fault_id = NULL;
    yaml_node_t *fn = yaml_document_get_node(c->doc, seq->data.sequence.items.start[i]);
    int rc = read_fault(c, fn, s, &s->faults[i]);
    s->n_faults = i + 1; /* so a partly read fault is freed too */
    if (rc) return -1;
  }
  c->fault_no = 0;
  c->fault_id = NULL;
  return 0;
}

sp_schedule *sp_schedule_from_node(yaml_document_t *doc, yaml_node_t *node, const char *path,
                                   char *err, size_t err_cap) {
  pctx c = {.doc = doc, .path = path, .err = err, .cap = err_cap};
  sp_schedule *s = sp_calloc(1, sizeof *s);
  s->path = sp_strdup(path);
  int rc = 0;
  if (!node) {
    rc = fail(&c, NULL, NULL, "empty document (expected faults: [...])");
  } else if (node->type == YAML_SEQUENCE_NODE) {
    rc = read_faults(&c, node, s);
  } else if (node->type != YAML_MAPPING_NODE) {
    rc = fail(&c, node, NULL, "expected a mapping with a faults: list");
  } else {
    yaml_node_t *faults = NULL;
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; !rc && p < node->data.mapping.pairs.top; p++) {
      yaml_node_t *kn = yaml_document_get_node(doc, p->key);
      yaml_node_t *vn = yaml_document_get_node(doc, p->value);
      const char *k = scalar(kn);
      if (k && !strcmp(k, "faults")) {
        faults = vn;
      } else if (k && !strcmp(k, "seed")) {
        long v = 0;
        rc = get_long(&c, vn, "seed", 0, &v);
        s->seed = (uint64_t)v, s->has_seed = 1;
      } else if (k && !strcmp(k, "description")) {
        const char *d = NULL;
        rc = get_string(&c, vn, "description", &d);
        if (!rc) s->description = sp_strdup(d);
      } else {
        rc = fail(&c, kn, k ? k : "?", "unknown top-level key (expected seed, description, faults)");
      }
    }
    if (!rc && !faults) rc = fail(&c, node, "faults", "missing");
    if (!rc) rc = read_faults(&c, faults, s);
  }
  if (rc) {
    sp_schedule_free(s);
    return NULL;
  }
  return s;
}

sp_schedule *sp_schedule_load(const char *path, char *err, size_t err_cap) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, err_cap, "%s: cannot open: %s", path, strerror(errno));
    return NULL;
  }
  yaml_parser_t parser;
  yaml_document_t doc;
  yaml_parser_initialize(&parser);
  yaml_parser_set_input_file(&parser, f);
  sp_schedule *s = NULL;
  if (!yaml_parser_load(&parser, &doc)) {
    snprintf(err, err_cap, "%s:%zu:%zu: YAML syntax error: %s", path, parser.problem_mark.line + 1,
             parser.problem_mark.column + 1, parser.problem ? parser.problem : "?");
  } else {
    s = sp_schedule_from_node(&doc, yaml_document_get_root_node(&doc), path, err, err_cap);
    yaml_document_delete(&doc);
  }
  yaml_parser_delete(&parser);
  fclose(f);
  return s;
}

uint64_t sp_schedule_seed(const sp_schedule *s, uint64_t run_seed) {
  return s->has_seed ? s->seed : run_seed;
}
