/* worker_proto.c: see worker_proto.h. */
#include "worker_proto.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const verbs[] = {
    [WMSG_HELLO] = "hello", [WMSG_READY] = "ready",   [WMSG_STATS] = "stats",
    [WMSG_POS] = "pos",     [WMSG_DONE] = "done",     [WMSG_ERROR] = "error",
    [WMSG_GO] = "go",       [WMSG_RATE] = "rate",     [WMSG_PAUSE] = "pause",
    [WMSG_RESUME] = "resume", [WMSG_CLOCK] = "clock", [WMSG_CLOCK_OFF] = "clock",
    [WMSG_STOP] = "stop",   [WMSG_END] = "end",
};

const char *wmsg_type_name(wmsg_type t) {
  return (size_t)t < sizeof verbs / sizeof verbs[0] ? verbs[t] : "?";
}

/* The stats fields, in line order: key and offset into wstats. */
static const struct {
  const char *key;
  size_t off;
} stat_fields[] = {
    {"t", offsetof(wstats, interval)},        {"sent", offsetof(wstats, sent)},
    {"acked", offsetof(wstats, acked)},       {"nacked", offsetof(wstats, nacked)},
    {"consumed", offsetof(wstats, consumed)}, {"skipped", offsetof(wstats, skipped)},
    {"late", offsetof(wstats, late)},         {"behind_us", offsetof(wstats, behind_us)},
    {"p99_us", offsetof(wstats, p99_us)},     {"errors", offsetof(wstats, errors)},
    {"bytes", offsetof(wstats, bytes)},
};
#define N_STAT_FIELDS (sizeof stat_fields / sizeof stat_fields[0])

static uint64_t *stat_ptr(wstats *s, size_t i) { return (uint64_t *)((char *)s + stat_fields[i].off); }

/* Parses an unsigned decimal filling all of s. */
static int parse_u64(const char *s, uint64_t *out) {
  if (!*s || *s == '-') return -1;
  errno = 0;
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end) return -1;
  *out = v;
  return 0;
}

static int parse_i64(const char *s, int64_t *out) {
  if (!*s) return -1;
  errno = 0;
  char *end;
  long long v = strtoll(s, &end, 10);
  if (errno || *end) return -1;
  *out = v;
  return 0;
}

static int parse_double(const char *s, double *out) {
  if (!*s) return -1;
  errno = 0;
  char *end;
  double v = strtod(s, &end);
  if (errno || *end || v != v) return -1;
  *out = v;
  return 0;
}

/* Parses "T:P:O" (a pos entry). */
static int parse_pos(const char *s, wpos *p) {
  char buf[96];
  if (strlen(s) >= sizeof buf) return -1;
  strcpy(buf, s);
  char *c1 = strchr(buf, ':');
  char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
  if (!c1 || !c2) return -1;
  *c1 = *c2 = '\0';
  uint64_t t;
  int64_t part, off;
  if (parse_u64(buf, &t) || t > UINT32_MAX || parse_i64(c1 + 1, &part) || part < 0 ||
      part > INT32_MAX || parse_i64(c2 + 1, &off))
    return -1;
  p->topic = (uint32_t)t;
  p->partition = (int32_t)part;
  p->offset = off;
  return 0;
}

/* Sets err to "what: 'line'" and returns -1. */
static int bad(char *err, size_t err_len, const char *what, const char *line) {
  snprintf(err, err_len, "%s in control line '%.200s'", what, line);
  return -1;
}

/* One key=value token of a message; applies it to m. 0, 1 (unknown key,
 * ignored) or -1 (malformed value). */
static int apply_kv(wmsg *m, const char *key, const char *val) {
  uint64_t u;
  int64_t i;
  switch (m->type) {
  case WMSG_HELLO:
    if (!strcmp(key, "name")) {
      if (strlen(val) >= sizeof m->name) return -1;
      strcpy(m->name, val);
      return 0;
    }
    if (!strcmp(key, "pid")) return parse_i64(val, &m->pid);
    if (!strcmp(key, "id")) {
      if (parse_u64(val, &u) || u > UINT32_MAX) return -1;
      m->id = (uint32_t)u;
      return 0;
    }
    return 1;
  case WMSG_STATS:
  case WMSG_DONE:
    for (size_t k = 0; k < N_STAT_FIELDS; k++)
      if (!strcmp(key, stat_fields[k].key)) return parse_u64(val, stat_ptr(&m->stats, k));
    return 1;
  case WMSG_GO:
    if (!strcmp(key, "t0")) return parse_u64(val, &m->t0_mono_ns);
    if (!strcmp(key, "wall")) return parse_u64(val, &m->t0_wall_ns);
    if (!strcmp(key, "end")) return parse_u64(val, &m->end_ns);
    return 1;
  case WMSG_RATE:
    if (!strcmp(key, "at")) return parse_u64(val, &m->at_ns);
    if (!strcmp(key, "rate")) return parse_double(val, &m->rate) || m->rate < 0 ? -1 : 0;
    return 1;
  case WMSG_STOP:
  case WMSG_END:
    if (!strcmp(key, "at")) return parse_u64(val, &m->at_ns);
    return 1;
  case WMSG_CLOCK:
    if (!strcmp(key, "skew_ms")) return parse_i64(val, &m->skew_ms);
    if (!strcmp(key, "late_fraction"))
      return parse_double(val, &m->late_fraction) || m->late_fraction < 0 || m->late_fraction > 1
                 ? -1 : 0;
    if (!strcmp(key, "late_max_ms")) return parse_i64(val, &i) || i < 0 ? -1 : (m->late_max_ms = i, 0);
    return 1;
  default:
    return 1;
  }
}

int wmsg_parse(const char *line, wmsg *m, char *err, size_t err_len) {
  memset(m, 0, sizeof *m);
  size_t len = strlen(line);
  if (len >= WMSG_LINE_MAX) return bad(err, err_len, "line too long", line);
  char buf[WMSG_LINE_MAX];
  memcpy(buf, line, len + 1);
  char *save = NULL;
  char *verb = strtok_r(buf, " ", &save);
  if (!verb) return bad(err, err_len, "empty line", line);

  /* error text=...: the rest of the line is the text, spaces included */
  if (!strcmp(verb, "error")) {
    m->type = WMSG_ERROR;
    const char *t = strstr(line, "text=");
    snprintf(m->text, sizeof m->text, "%s", t ? t + 5 : "");
    return 0;
  }
  int found = 0;
  for (size_t v = 0; v < sizeof verbs / sizeof verbs[0]; v++)
    if (!strcmp(verb, verbs[v])) {
      m->type = (wmsg_type)v;
      found = 1;
      break;
    }
  if (!found) return bad(err, err_len, "unknown verb", line);
  int have_t0 = 0, have_at = 0, have_rate = 0;
  for (char *tok = strtok_r(NULL, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
    if (m->type == WMSG_POS) {
      if (m->n_pos == WMSG_POS_MAX) return bad(err, err_len, "too many positions", line);
      if (parse_pos(tok, &m->pos[m->n_pos++])) return bad(err, err_len, "bad position", line);
      continue;
    }
    if (m->type == WMSG_CLOCK && !strcmp(tok, "off")) {
      m->type = WMSG_CLOCK_OFF;
      continue;
    }
    char *eq = strchr(tok, '=');
    if (!eq) return bad(err, err_len, "expected key=value", line);
    *eq = '\0';
    int rc = apply_kv(m, tok, eq + 1);
    if (rc < 0) {
      char what[96];
      snprintf(what, sizeof what, "bad value for '%s'", tok);
      return bad(err, err_len, what, line);
    }
    have_t0 |= !strcmp(tok, "t0");
    have_at |= !strcmp(tok, "at");
    have_rate |= !strcmp(tok, "rate");
  }
  if (m->type == WMSG_END && !have_at) return bad(err, err_len, "end without at", line);
  if (m->type == WMSG_GO && !have_t0) return bad(err, err_len, "go without t0", line);
  if (m->type == WMSG_RATE && (!have_at || !have_rate))
    return bad(err, err_len, "rate needs at and rate", line);
  if (m->type == WMSG_HELLO && !m->name[0]) return bad(err, err_len, "hello without name", line);
  return 0;
}

/* Appends printf output to buf at *pos; -1 when it does not fit. */
static int put(char *buf, size_t cap, size_t *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int put(char *buf, size_t cap, size_t *pos, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf + *pos, cap - *pos, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= cap - *pos) return -1;
  *pos += (size_t)n;
  return 0;
}

int wmsg_format(const wmsg *m, char *buf, size_t cap) {
  size_t pos = 0;
  int rc = put(buf, cap, &pos, "%s", wmsg_type_name(m->type));
  switch (m->type) {
  case WMSG_HELLO:
    rc |= put(buf, cap, &pos, " name=%s pid=%" PRId64 " id=%" PRIu32, m->name, m->pid, m->id);
    break;
  case WMSG_STATS:
  case WMSG_DONE: {
    wstats s = m->stats;
    for (size_t k = 0; k < N_STAT_FIELDS; k++)
      rc |= put(buf, cap, &pos, " %s=%" PRIu64, stat_fields[k].key, *stat_ptr(&s, k));
    break;
  }
  case WMSG_POS:
    for (int k = 0; k < m->n_pos; k++)
      rc |= put(buf, cap, &pos, " %" PRIu32 ":%" PRId32 ":%" PRId64, m->pos[k].topic,
                m->pos[k].partition, m->pos[k].offset);
    break;
  case WMSG_ERROR: {
    rc |= put(buf, cap, &pos, " text=");
    for (const char *p = m->text; *p && !rc; p++)
      rc |= put(buf, cap, &pos, "%c", (*p == '\n' || *p == '\r') ? ' ' : *p);
    break;
  }
  case WMSG_GO:
    rc |= put(buf, cap, &pos, " t0=%" PRIu64 " wall=%" PRIu64, m->t0_mono_ns, m->t0_wall_ns);
    if (m->end_ns) rc |= put(buf, cap, &pos, " end=%" PRIu64, m->end_ns);
    break;
  case WMSG_RATE:
    rc |= put(buf, cap, &pos, " at=%" PRIu64 " rate=%.17g", m->at_ns, m->rate);
    break;
  case WMSG_CLOCK:
    rc |= put(buf, cap, &pos, " skew_ms=%" PRId64 " late_fraction=%.17g late_max_ms=%" PRId64,
              m->skew_ms, m->late_fraction, m->late_max_ms);
    break;
  case WMSG_CLOCK_OFF:
    rc |= put(buf, cap, &pos, " off");
    break;
  case WMSG_STOP:
  case WMSG_END:
    if (m->at_ns) rc |= put(buf, cap, &pos, " at=%" PRIu64, m->at_ns);
    break;
  default:
    break;
  }
  rc |= put(buf, cap, &pos, "\n");
  return rc ? -1 : (int)pos;
}

void wline_init(wline_buf *b) { b->len = b->consumed = 0; }

char *wline_space(wline_buf *b, size_t *room) {
  if (b->consumed) { /* compact: move the unread tail to the front */
    memmove(b->data, b->data + b->consumed, b->len - b->consumed);
    b->len -= b->consumed;
    b->consumed = 0;
  }
  *room = sizeof b->data - 1 - b->len;
  return b->data + b->len;
}

void wline_commit(wline_buf *b, size_t n) { b->len += n; }

char *wline_next(wline_buf *b, int *overflow) {
  *overflow = 0;
  char *start = b->data + b->consumed;
  size_t avail = b->len - b->consumed;
  char *nl = memchr(start, '\n', avail);
  if (!nl) {
    if (avail >= WMSG_LINE_MAX) *overflow = 1;
    return NULL;
  }
  if ((size_t)(nl - start) >= WMSG_LINE_MAX) {
    *overflow = 1;
    return NULL;
  }
  *nl = '\0';
  b->consumed += (size_t)(nl - start) + 1;
  return start;
}
