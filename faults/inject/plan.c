/* plan.c: expanding a validated schedule into a sorted plan of concrete
 * inject/heal actions (sp_schedule_expand, see schedule.h).
 *
 * Each fault draws from its own splitmix64 stream seeded with
 * mix(seed ^ fnv1a(id)): the random start in a window, the random interval
 * of each repetition and a random pick among consumers are reproducible
 * from (file, seed) and independent of the other faults in the file.
 *
 * While expanding, every occurrence "holds" resources over [inject, heal):
 * the target process (kill/stop/pause), each armed point of a target
 * (fiu/disk), a proxy toxic per direction (net), a producer's clock
 * (clock). Two holds of one resource that overlap are an error naming both
 * faults, because the second inject or the first heal would silently undo
 * the other fault. A random target ("consumers") is drawn only among the
 * candidates that are free for the whole occurrence. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "schedule.h"

static uint64_t splitmix64(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* Uniform in [lo, hi], from the top 53 bits. */
static double uniform(uint64_t *state, double lo, double hi) {
  double u = (double)(splitmix64(state) >> 11) / 9007199254740992.0;
  return lo + (hi - lo) * u;
}

static uint64_t fnv1a(const char *s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
  return h;
}

typedef struct hold {
  char key[160];
  double start, end;
  int fault;
} hold;

typedef struct expander {
  const sp_schedule *s;
  const sp_topology *topo;
  uint64_t seed;
  char *err;
  size_t cap;
  sp_action *acts;
  int n, cap_acts;
  hold *holds;
  int n_holds, cap_holds;
} expander;

__attribute__((format(printf, 3, 4))) static int efail(expander *e, const sp_fault *f,
                                                        const char *fmt, ...) {
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  snprintf(e->err, e->cap, "%s:%d:%d: fault '%s': %s", e->s->path, f->line, f->column, f->id, msg);
  return -1;
}

/* The resources one occurrence holds on a concrete target (see top). */
static int hold_keys(const sp_fault *f, const char *target, char keys[][160], int max) {
  int n = 0;
  switch (f->kind) {
  case SP_FAULT_KIND_KILL:
  case SP_FAULT_KIND_STOP:
  case SP_FAULT_KIND_PAUSE: snprintf(keys[n++], 160, "process %s", target); break;
  case SP_FAULT_KIND_FIU:
  case SP_FAULT_KIND_DISK:
    for (int i = 0; i < f->fiu.n_points && n < max; i++)
      snprintf(keys[n++], 160, "point %s on %s", f->fiu.points[i], target);
    break;
  case SP_FAULT_KIND_NET:
    if (f->net.toxic == SP_NET_RESET) {
      snprintf(keys[n++], 160, "link refusal");
      break;
    }
    if (f->net.direction & SP_DIR_UPSTREAM)
      snprintf(keys[n++], 160, "%s toxic upstream", sp_net_toxic_name(f->net.toxic));
    if (f->net.direction & SP_DIR_DOWNSTREAM)
      snprintf(keys[n++], 160, "%s toxic downstream", sp_net_toxic_name(f->net.toxic));
    break;
  case SP_FAULT_KIND_CLOCK: snprintf(keys[n++], 160, "clock of %s", target); break;
  }
  return n;
}

/* Index of a hold overlapping [start, end) on one of the keys, or -1. */
static int find_conflict(const expander *e, char keys[][160], int n_keys, double start, double end,
                         int *which_key) {
  for (int h = 0; h < e->n_holds; h++)
    for (int k = 0; k < n_keys; k++)
      if (!strcmp(e->holds[h].key, keys[k]) && start < e->holds[h].end && e->holds[h].start < end)
        return *which_key = k, h;
  return -1;
}

static void add_holds(expander *e, char keys[][160], int n_keys, double start, double end, int fault) {
  for (int k = 0; k < n_keys; k++) {
    if (e->n_holds == e->cap_holds) {
      e->cap_holds = e->cap_holds ? 2 * e->cap_holds : 16;
      e->holds = sp_realloc(e->holds, sizeof(hold) * (size_t)e->cap_holds);
    }
    hold *h = &e->holds[e->n_holds++];
    snprintf(h->key, sizeof h->key, "%.159s", keys[k]);
    h->start = start, h->end = end, h->fault = fault;
  }
}

/* Times are kept to the microsecond, so 0.1 + 0.2 and 0.3 are one instant
 * (and sort heal-before-inject as they should). */
static double to_us(double t_s) { return round(t_s * 1e6) / 1e6; }

static int add_action(expander *e, double t, int fault, sp_action_phase phase, int occurrence,
                      const char *target) {
  t = to_us(t);
  if (e->n == e->cap_acts) {
    e->cap_acts = e->cap_acts ? 2 * e->cap_acts : 16;
    e->acts = sp_realloc(e->acts, sizeof(sp_action) * (size_t)e->cap_acts);
  }
  sp_action *a = &e->acts[e->n];
  memset(a, 0, sizeof *a);
  a->t_s = t;
  a->fault = &e->s->faults[fault];
  a->fault_index = fault;
  a->phase = phase;
  a->occurrence = occurrence;
  a->pair = -1;
  snprintf(a->target, sizeof a->target, "%s", target);
  return e->n++;
}

/* Names the candidates for a target: one for a fixed target, all producers
 * or consumers for a random one. Checks the topology has them. */
static int candidates(expander *e, const sp_fault *f, char names[][32], int max, int *n) {
  const sp_topology *t = e->topo;
  *n = 0;
  switch (f->target.kind) {
  case SP_TARGET_BROKER: snprintf(names[(*n)++], 32, "broker"); return 0;
  case SP_TARGET_PROCESSOR:
    if (!t->has_processor) return efail(e, f, "target processor, but this run has no stream processor");
    snprintf(names[(*n)++], 32, "processor");
    return 0;
  case SP_TARGET_LINK:
    if (!t->has_link) return efail(e, f, "target link, but this run has no fault proxy");
    snprintf(names[(*n)++], 32, "link");
    return 0;
  case SP_TARGET_PRODUCER:
  case SP_TARGET_CONSUMER: {
    int producer = f->target.kind == SP_TARGET_PRODUCER;
    int have = producer ? t->producers : t->consumers;
    if (f->target.index >= have)
      return efail(e, f, "target %s:%d, but the workload has %d %s", producer ? "producer" : "consumer",
                   f->target.index, have, producer ? "producers" : "consumers");
    snprintf(names[(*n)++], 32, "%s:%d", producer ? "producer" : "consumer", f->target.index);
    return 0;
  }
  case SP_TARGET_ANY_PRODUCER:
  case SP_TARGET_ANY_CONSUMER: {
    int producer = f->target.kind == SP_TARGET_ANY_PRODUCER;
    int have = producer ? t->producers : t->consumers;
    if (have <= 0)
      return efail(e, f, "target %s, but the workload has none", producer ? "producers" : "consumers");
    for (int i = 0; i < have && *n < max; i++)
      snprintf(names[(*n)++], 32, "%s:%d", producer ? "producer" : "consumer", i);
    return 0;
  }
  }
  return 0;
}

#define MAX_CANDIDATES 256

/* One occurrence: picks the target, checks and records its holds, adds the
 * inject (and heal) actions. */
static int expand_occurrence(expander *e, int fi, int occurrence, double start, uint64_t *rng) {
  const sp_fault *f = &e->s->faults[fi];
  static char names[MAX_CANDIDATES][32];
  char keys[16][160];
  int n_names = 0;
  if (candidates(e, f, names, MAX_CANDIDATES, &n_names)) return -1;
  double span = f->kind <= SP_FAULT_KIND_STOP ? f->restart_after_s : f->duration_s;
  start = to_us(start);
  double end = span < 0 ? INFINITY : to_us(start + span);
  int free_idx[MAX_CANDIDATES], n_free = 0, key = 0, conflict = -1;
  for (int i = 0; i < n_names; i++) {
    int nk = hold_keys(f, names[i], keys, 16);
    int c = find_conflict(e, keys, nk, start, end, &key);
    if (c < 0) free_idx[n_free++] = i;
    else if (conflict < 0) conflict = c;
  }
  if (n_free == 0) {
    const hold *h = &e->holds[conflict];
    const sp_fault *g = &e->s->faults[h->fault];
    int nk = hold_keys(f, names[0], keys, 16);
    find_conflict(e, keys, nk, start, end, &key);
    return efail(e, f,
                 "occurrence %d at %.3f s holds %s%s while fault '%s' (line %d) holds it from "
                 "%.3f s to %s (seed %llu)",
                 occurrence, start, n_names > 1 ? "every candidate, e.g. " : "", h->key, g->id,
                 g->line, h->start, isinf(h->end) ? "the end of the run" : "its heal",
                 (unsigned long long)e->seed);
  }
  int pick = n_free == 1 ? free_idx[0] : free_idx[splitmix64(rng) % (uint64_t)n_free];
  int nk = hold_keys(f, names[pick], keys, 16);
  add_holds(e, keys, nk, start, end, fi);
  int inj = add_action(e, start, fi, SP_ACTION_INJECT, occurrence, names[pick]);
  if (span >= 0) {
    int heal = add_action(e, end, fi, SP_ACTION_HEAL, occurrence, names[pick]);
    e->acts[inj].pair = heal;
    e->acts[heal].pair = inj;
  }
  return 0;
}

static int expand_fault(expander *e, int fi, uint64_t seed) {
  const sp_fault *f = &e->s->faults[fi];
  uint64_t rng = seed ^ fnv1a(f->id);
  splitmix64(&rng);
  double start = f->has_window ? uniform(&rng, f->window_from_s, f->window_to_s) : f->at_s;
  for (int k = 0;; k++) {
    if (f->repeats && f->until_s >= 0 && start > f->until_s) break;
    if (f->repeats && f->count && k >= f->count) break;
    if (k > 100000) return efail(e, f, "more than 100000 occurrences; raise every.min_s");
    if (expand_occurrence(e, fi, k, start, &rng)) return -1;
    if (!f->repeats) break;
    start += uniform(&rng, f->every_min_s, f->every_max_s);
  }
  return 0;
}

/* Order: time, then heals before injects (a heal and an inject at the same
 * instant on one target must not overlap), then expansion order. */
static int action_cmp(const void *pa, const void *pb) {
  const sp_action *a = pa, *b = pb;
  if (a->t_s != b->t_s) return a->t_s < b->t_s ? -1 : 1;
  if (a->phase != b->phase) return a->phase == SP_ACTION_HEAL ? -1 : 1;
  return a->occurrence != b->occurrence ? a->occurrence - b->occurrence
         : a->fault_index != b->fault_index ? a->fault_index - b->fault_index
                                             : a->pair - b->pair;
}

int sp_schedule_expand(const sp_schedule *s, uint64_t seed, const sp_topology *topo, sp_plan *out,
                       char *err, size_t err_cap) {
  expander e = {.s = s, .topo = topo, .seed = seed, .err = err, .cap = err_cap};
  memset(out, 0, sizeof *out);
  int rc = 0;
  for (int i = 0; i < s->n_faults && !rc; i++) rc = expand_fault(&e, i, seed);
  free(e.holds);
  if (rc) {
    free(e.acts);
    return -1;
  }
  /* Sort a copy whose `pair` temporarily holds each action's own old index
   * (which also makes the order total), then map the pairs to new indexes. */
  sp_action *sorted = sp_malloc(sizeof(sp_action) * (size_t)(e.n ? e.n : 1));
  for (int i = 0; i < e.n; i++) sorted[i] = e.acts[i], sorted[i].pair = i;
  if ((size_t)e.n) qsort(sorted, (size_t)e.n, sizeof(sp_action), action_cmp);
  int *new_of_old = sp_malloc(sizeof(int) * (size_t)(e.n ? e.n : 1));
  for (int i = 0; i < e.n; i++) new_of_old[sorted[i].pair] = i;
  for (int i = 0; i < e.n; i++) {
    int old = sorted[i].pair;
    sorted[i].pair = e.acts[old].pair < 0 ? -1 : new_of_old[e.acts[old].pair];
  }
  free(new_of_old);
  free(e.acts);
  out->actions = sorted;
  out->n_actions = e.n;
  out->seed = seed;
  return 0;
}

void sp_plan_free(sp_plan *p) {
  free(p->actions);
  memset(p, 0, sizeof *p);
}
