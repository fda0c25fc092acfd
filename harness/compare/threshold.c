/* threshold.c: see threshold.h. */
#include "threshold.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

/* The bare latency figures and the metric kinds they expand to. */
static const char *const FIGURES[] = {"mean", "p50", "p75", "p95", "p99", "p99.9", "p99.99", "max"};
static const char *const ALIAS_KINDS[] = {"e2e", "publish"};

/* The canonical figure for a bare name (p999 -> p99.9), or NULL. */
static const char *bare_figure(const char *name) {
  if (!strcmp(name, "p999")) return "p99.9";
  if (!strcmp(name, "p9999")) return "p99.99";
  for (size_t i = 0; i < sizeof FIGURES / sizeof FIGURES[0]; i++)
    if (!strcmp(name, FIGURES[i])) return FIGURES[i];
  return NULL;
}

/* Scale of an absolute limit's unit suffix for metric m: the factor to
 * m's unit, or 0 when the suffix does not fit m. Latencies and rates need
 * their unit ("p99=10" could mean 10 ms or a forgotten %: refused); counts
 * and fractions take bare numbers. */
static double unit_scale(const metric *m, const char *suffix) {
  switch (m->unit) {
  case UNIT_MS:
  case UNIT_US: {
    double us = !strcmp(suffix, "us") ? 1 : !strcmp(suffix, "ms") ? 1e3 : !strcmp(suffix, "s") ? 1e6 : 0;
    return m->unit == UNIT_MS ? us / 1e3 : us;
  }
  case UNIT_RATE: return !strcmp(suffix, "msg/s") ? 1 : 0;
  case UNIT_COUNT:
  case UNIT_FRACTION: return *suffix ? 0 : 1;
  }
  return 0;
}

/* Units an absolute limit on m takes, for error messages. */
static const char *units_allowed(const metric *m) {
  switch (m->unit) {
  case UNIT_MS:
  case UNIT_US: return "us, ms or s, or a percentage";
  case UNIT_RATE: return "msg/s (throughput=500msg/s), or a percentage";
  case UNIT_COUNT: return "a bare count (nacked=0), or a percentage";
  case UNIT_FRACTION: return "a bare fraction (0.01 = one in a hundred), or a percentage";
  }
  return "";
}

/* Parses a non-negative finite number at *p, advancing it; -1 if none. */
static int number(const char **p, double *v) {
  char *end;
  *v = strtod(*p, &end);
  if (end == *p || !isfinite(*v)) return -1;
  *p = end;
  return 0;
}

/* Parses LIMIT for metric m into t: "R%", "A[unit]" or "R%+A[unit]".
 * 0, or -1 with err. */
static int parse_limit(const char *item, const char *limit, const metric *m, threshold *t,
                       char *err, size_t err_cap) {
  const char *p = limit;
  double v;
  if (number(&p, &v) != 0) goto bad;
  if (v < 0) goto negative;
  if (*p == '%') {
    t->rel_pct = v;
    p++;
    if (*p == '\0') goto done;
    if (*p++ != '+' || number(&p, &v) != 0) goto bad;
    if (v < 0) goto negative;
  }
  double scale = unit_scale(m, p);
  if (scale == 0) {
    snprintf(err, err_cap, "--max-regress %s: \"%s\" is not a unit for %s (%s); allowed: %s", item,
             p, m->name, m->label, units_allowed(m));
    return -1;
  }
  t->abs = v * scale;
done:
  snprintf(t->text, sizeof t->text, "%s", limit);
  return 0;
negative:
  snprintf(err, err_cap, "--max-regress %s: a limit cannot be negative", item);
  return -1;
bad:
  snprintf(err, err_cap,
           "--max-regress %s: the limit must be a percentage (10%%), an amount (2ms), or both "
           "(10%%+2ms)", item);
  return -1;
}

/* Adds or replaces the limit on t.m in set: a full name overrides a bare
 * one; the same name twice at the same level is an error. */
static int put(threshold_set *set, const threshold *t, const char *item, char *err, size_t err_cap) {
  for (size_t i = 0; i < set->n; i++) {
    if (set->v[i].m != t->m) continue;
    if (set->v[i].from_alias && !t->from_alias) {
      set->v[i] = *t;
      return 0;
    }
    if (!set->v[i].from_alias && t->from_alias) return 0;
    snprintf(err, err_cap, "--max-regress %s: a limit on %s is given twice", item, t->m->name);
    return -1;
  }
  set->v = sp_realloc(set->v, (set->n + 1) * sizeof *set->v);
  set->v[set->n++] = *t;
  return 0;
}

/* Parses one NAME=LIMIT item into set. */
static int parse_item(const char *item, threshold_set *set, char *err, size_t err_cap) {
  const char *eq = strchr(item, '=');
  if (!eq) {
    snprintf(err, err_cap, "--max-regress \"%s\": expected NAME=LIMIT, e.g. p99=10%% or throughput=5%%", item);
    return -1;
  }
  char name[64];
  if ((size_t)(eq - item) >= sizeof name || eq == item) {
    snprintf(err, err_cap, "--max-regress \"%s\": %s metric name", item, eq == item ? "no" : "too long a");
    return -1;
  }
  snprintf(name, sizeof name, "%.*s", (int)(eq - item), item);
  const char *limit = eq + 1;
  if (!*limit) {
    snprintf(err, err_cap, "--max-regress %s: no limit after '='", item);
    return -1;
  }
  const char *fig = bare_figure(name);
  if (fig) {
    for (size_t k = 0; k < sizeof ALIAS_KINDS / sizeof ALIAS_KINDS[0]; k++) {
      char full[96];
      snprintf(full, sizeof full, "%s.%s", ALIAS_KINDS[k], fig);
      threshold t = {metric_find(full), 0, 0, 1, ""};
      if (!t.m || parse_limit(item, limit, t.m, &t, err, err_cap) != 0 || put(set, &t, item, err, err_cap) != 0)
        return -1;
    }
    return 0;
  }
  threshold t = {metric_find(name), 0, 0, 0, ""};
  if (!t.m) {
    snprintf(err, err_cap,
             "--max-regress %s: unknown metric \"%s\" (names: throughput, e2e.p99, publish.max, p99, "
             "nacked, ...; all of them in `streamproof compare --help`)", item, name);
    return -1;
  }
  if (parse_limit(item, limit, t.m, &t, err, err_cap) != 0) return -1;
  return put(set, &t, item, err, err_cap);
}

int threshold_parse(const char *spec, threshold_set *set, char *err, size_t err_cap) {
  threshold_set work = {NULL, 0};
  if (set->n) {
    work.v = sp_malloc(set->n * sizeof *work.v);
    memcpy(work.v, set->v, set->n * sizeof *work.v);
    work.n = set->n;
  }
  char *copy = sp_strdup(spec);
  int rc = 0, items = 0;
  char *save = NULL;
  for (char *p = copy;; p = NULL) {
    char *item = strtok_r(p, ",", &save);
    if (!item) break;
    while (*item == ' ') item++;
    size_t len = strlen(item);
    while (len && item[len - 1] == ' ') item[--len] = '\0';
    if (!*item) continue;
    items++;
    if ((rc = parse_item(item, &work, err, err_cap)) != 0) break;
  }
  if (rc == 0 && items == 0) {
    snprintf(err, err_cap, "--max-regress \"%s\": no NAME=LIMIT item", spec);
    rc = -1;
  }
  free(copy);
  if (rc != 0) {
    free(work.v);
    return -1;
  }
  free(set->v);
  *set = work;
  return 0;
}

void threshold_set_free(threshold_set *set) {
  free(set->v);
  set->v = NULL;
  set->n = 0;
}

const threshold *threshold_find(const threshold_set *set, const metric *m) {
  for (size_t i = 0; i < set->n; i++)
    if (set->v[i].m == m) return &set->v[i];
  return NULL;
}

double threshold_bound(const threshold *t, double base) {
  double allowance = fabs(base) * t->rel_pct / 100.0 + t->abs;
  return t->m->higher_is_better ? base - allowance : base + allowance;
}

int threshold_crossed(const threshold *t, double base, double cand) {
  double bound = threshold_bound(t, base);
  return t->m->higher_is_better ? cand < bound : cand > bound;
}
