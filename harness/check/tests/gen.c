/* gen.c: synthetic run folders (gen.h). */
#include "gen.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"
#include "sp_assert.h"

/* ---- record vectors ---------------------------------------------------------- */

static void recs_insert(gen_recs *v, size_t at, const hist_record *r) {
  SP_ASSERT(at <= v->n);
  if (v->n == v->cap) {
    v->cap = v->cap ? v->cap * 2 : 64;
    v->r = sp_realloc(v->r, v->cap * sizeof *v->r);
  }
  memmove(v->r + at + 1, v->r + at, (v->n - at) * sizeof *v->r);
  v->r[at] = *r;
  v->n++;
}

static void recs_push(gen_recs *v, const hist_record *r) { recs_insert(v, v->n, r); }

static void recs_remove(gen_recs *v, size_t at) {
  SP_ASSERT(at < v->n);
  memmove(v->r + at, v->r + at + 1, (v->n - at - 1) * sizeof *v->r);
  v->n--;
}

static hist_record rec(uint8_t type, uint32_t topic, int32_t partition, int64_t offset,
                       uint32_t actor) {
  hist_record r;
  memset(&r, 0, sizeof r);
  r.type = type;
  r.topic = (uint16_t)topic;
  r.partition = partition;
  r.offset = offset;
  r.actor = actor;
  r.key = HIST_NO_KEY;
  return r;
}

/* A record about message m stored at topic/partition/offset. */
static hist_record msg_rec(uint8_t type, uint32_t topic, int32_t partition, int64_t offset,
                           uint32_t actor, const gen_msg *m) {
  hist_record r = rec(type, topic, partition, offset, actor);
  r.writer = m->writer;
  r.seq = m->seq;
  r.key = m->key;
  r.flags = m->flags;
  return r;
}

/* ---- planning --------------------------------------------------------------- */

static void proc_add(gen_proc **v, size_t *n, uint32_t id, uint32_t owner, const char *exit) {
  *v = sp_realloc(*v, (*n + 1) * sizeof **v);
  (*v)[*n].id = id;
  (*v)[*n].owner = owner;
  (*v)[*n].exit = exit;
  (*n)++;
}

gen *gen_plan(const gen_config *cfg) {
  gen *g = sp_calloc(1, sizeof *g);
  gen_config *c = &g->c;
  *c = *cfg;
  if (!c->topics) c->topics = 1;
  if (!c->partitions) c->partitions = 3;
  if (!c->producers) c->producers = 2;
  if (!c->messages) c->messages = 60;
  if (!c->keys) c->keys = 4;
  if (!c->subs) c->subs = 1;
  if (!c->consumers) c->consumers = 2;
  SP_ASSERT(c->subs <= GEN_MAX_SUBS);
  for (uint32_t s = 0; s < c->subs; s++)
    if (c->sem[s] == SEM_NONE) c->sem[s] = CHECK_SEM_AT_LEAST_ONCE;
  g->next_id = 1;
  for (uint32_t p = 0; p < c->topics * c->producers; p++)
    proc_add(&g->writers, &g->n_writers, g->next_id++, p, "clean");
  for (uint32_t k = 0; k < c->subs * c->consumers; k++)
    proc_add(&g->readers, &g->n_readers, g->next_id++, k, "clean");
  g->log = sp_calloc(c->topics * c->partitions, sizeof *g->log);
  for (uint32_t tp = 0; tp < c->topics * c->partitions; tp++)
    g->log[tp].drop_from = g->log[tp].drop_to = -1;
  g->fate = sp_calloc(g->n_writers, sizeof *g->fate);
  for (size_t w = 0; w < g->n_writers; w++) g->fate[w] = sp_calloc(c->messages, 1);
  g->prod = sp_calloc(c->topics * c->producers, sizeof *g->prod);
  g->cons = sp_calloc(c->subs * c->consumers, sizeof *g->cons);
  g->drain_completed = g->readback_completed = g->write_readback = g->write_meta = 1;
  return g;
}

static void part_insert(gen_part *pt, size_t at, const gen_msg *m) {
  SP_ASSERT(at <= pt->n);
  if (pt->n == pt->cap) {
    pt->cap = pt->cap ? pt->cap * 2 : 64;
    pt->m = sp_realloc(pt->m, pt->cap * sizeof *pt->m);
  }
  memmove(pt->m + at + 1, pt->m + at, (pt->n - at) * sizeof *pt->m);
  pt->m[at] = *m;
  pt->n++;
}

gen *gen_new(const gen_config *cfg) {
  gen *g = gen_plan(cfg);
  const gen_config *c = &g->c;
  for (uint64_t seq = 0; seq < c->messages; seq++)
    for (uint32_t t = 0; t < c->topics; t++)
      for (uint32_t i = 0; i < c->producers; i++) {
        gen_msg m = {g->writers[t * c->producers + i].id, seq, HIST_NO_KEY,
                     HIST_F_IDENTITY | HIST_F_CHECKSUM | HIST_F_KEY_OK};
        uint32_t p;
        if (c->no_keys) {
          p = (uint32_t)((seq + i) % c->partitions);
        } else {
          m.key = (uint32_t)((seq * 7 + i * 3) % c->keys);
          p = m.key % c->partitions;
        }
        gen_part *pt = &g->log[gen_tp(g, t, p)];
        part_insert(pt, pt->n, &m);
      }
  return g;
}

void gen_free(gen *g) {
  if (!g) return;
  size_t ntp = g->c.topics * g->c.partitions;
  for (size_t tp = 0; tp < ntp; tp++) free(g->log[tp].m);
  for (size_t w = 0; w < g->n_writers; w++) free(g->fate[w]);
  for (size_t p = 0; p < g->c.topics * g->c.producers; p++) free(g->prod[p].r);
  for (size_t k = 0; k < g->c.subs * g->c.consumers; k++) free(g->cons[k].r);
  free(g->readback.r);
  free(g->log);
  free(g->fate);
  free(g->prod);
  free(g->cons);
  free(g->writers);
  free(g->readers);
  free(g);
}

uint32_t gen_tp(const gen *g, uint32_t topic, uint32_t partition) {
  SP_ASSERT(topic < g->c.topics && partition < g->c.partitions);
  return topic * g->c.partitions + partition;
}

uint32_t gen_owner(const gen *g, uint32_t s, uint32_t p) {
  return s * g->c.consumers + p % g->c.consumers;
}

const gen_msg *gen_at(const gen *g, uint32_t tp, int64_t offset) {
  SP_ASSERT(offset >= 0 && (size_t)offset < g->log[tp].n);
  return &g->log[tp].m[offset];
}

uint32_t gen_widx(const gen *g, uint32_t writer_id) {
  for (size_t w = 0; w < g->n_writers; w++)
    if (g->writers[w].id == writer_id) return (uint32_t)w;
  SP_PANIC("gen: no such writer");
}

/* ---- log plants --------------------------------------------------------------- */

void gen_log_duplicate(gen *g, uint32_t tp, int64_t offset) {
  gen_msg m = *gen_at(g, tp, offset);
  part_insert(&g->log[tp], (size_t)offset + 1, &m);
}

void gen_log_swap(gen *g, uint32_t tp, int64_t a, int64_t b) {
  gen_part *pt = &g->log[tp];
  gen_at(g, tp, a);
  gen_at(g, tp, b);
  gen_msg t = pt->m[a];
  pt->m[a] = pt->m[b];
  pt->m[b] = t;
}

void gen_log_insert(gen *g, uint32_t tp, int64_t offset, gen_msg m) {
  part_insert(&g->log[tp], (size_t)offset, &m);
}

void gen_log_flags(gen *g, uint32_t tp, int64_t offset, uint8_t flags) {
  gen_at(g, tp, offset);
  g->log[tp].m[offset].flags = flags;
}

void gen_log_remove(gen *g, uint32_t tp, int64_t offset) {
  const gen_msg *m = gen_at(g, tp, offset);
  gen_fate(g, m->writer, m->seq, GEN_FATE_NACK);
  gen_part *pt = &g->log[tp];
  memmove(pt->m + offset, pt->m + offset + 1, (pt->n - (size_t)offset - 1) * sizeof *pt->m);
  pt->n--;
}

void gen_same_key(const gen *g, uint32_t tp, int64_t *a, int64_t *b) {
  const gen_part *pt = &g->log[tp];
  for (size_t i = 0; i < pt->n; i++)
    for (size_t j = i + 1; j < pt->n; j++)
      if (pt->m[j].writer == pt->m[i].writer && pt->m[j].key == pt->m[i].key &&
          pt->m[i].key != HIST_NO_KEY) {
        *a = (int64_t)i;
        *b = (int64_t)j;
        return;
      }
  SP_PANIC("gen: no two messages of one writer and key");
}

void gen_fate(gen *g, uint32_t writer_id, uint64_t seq, int fate) {
  SP_ASSERT(seq < g->c.messages);
  g->fate[gen_widx(g, writer_id)][seq] = (uint8_t)fate;
}

/* ---- deriving the records --------------------------------------------------------- */

static void derive_producers(gen *g) {
  const gen_config *c = &g->c;
  size_t nw = g->n_writers;
  int64_t *first_off = sp_malloc(nw * c->messages * sizeof *first_off);
  uint32_t *first_tp = sp_malloc(nw * c->messages * sizeof *first_tp);
  uint32_t *key = sp_malloc(nw * c->messages * sizeof *key);
  for (size_t i = 0; i < nw * c->messages; i++) first_off[i] = -1;
  for (uint32_t tp = 0; tp < c->topics * c->partitions; tp++)
    for (size_t o = 0; o < g->log[tp].n; o++) {
      const gen_msg *m = &g->log[tp].m[o];
      for (size_t w = 0; w < nw; w++) {
        size_t k = w * c->messages + m->seq;
        if (g->writers[w].id != m->writer || m->seq >= c->messages || first_off[k] >= 0) continue;
        first_off[k] = (int64_t)o;
        first_tp[k] = tp;
        key[k] = m->key;
      }
    }
  for (size_t w = 0; w < nw; w++) {
    uint32_t pi = g->writers[w].owner, topic = pi / c->producers, id = g->writers[w].id;
    gen_recs *v = &g->prod[pi];
    hist_record r = rec(HIST_WRITER_START, topic, -1, -1, id);
    r.key = pi;
    recs_push(v, &r);
    for (uint64_t seq = 0; seq < c->messages; seq++) {
      size_t k = w * c->messages + seq;
      int fate = g->fate[w][seq], in_log = first_off[k] >= 0;
      if (fate == GEN_FATE_NONE) continue;
      gen_msg m = {id, seq, in_log ? key[k] : HIST_NO_KEY, 0};
      int32_t part = in_log ? (int32_t)(first_tp[k] % c->partitions) : -1;
      if (fate == GEN_FATE_NACK) {
        r = msg_rec(HIST_NACK, topic, part, -1, id, &m);
        r.err = -185;
      } else if (fate == GEN_FATE_ACK_NO_OFFSET || !in_log) {
        r = msg_rec(HIST_ACK, topic, -1, -1, id, &m);
      } else {
        r = msg_rec(HIST_ACK, topic, part, first_off[k], id, &m);
      }
      r.flags = 0;
      recs_push(v, &r);
    }
    r = rec(HIST_WRITER_END, topic, -1, -1, id);
    r.seq = c->messages;
    recs_push(v, &r);
  }
  free(first_off);
  free(first_tp);
  free(key);
}

static void derive_consumers(gen *g) {
  const gen_config *c = &g->c;
  for (uint32_t s = 0; s < c->subs; s++)
    for (uint32_t k = 0; k < c->consumers; k++) {
      uint32_t ci = s * c->consumers + k, topic = s % c->topics, id = g->readers[ci].id;
      gen_recs *v = &g->cons[ci];
      hist_record r = rec(HIST_READER_START, topic, -1, -1, id);
      r.key = ci;
      r.err = (int32_t)c->sem[s];
      recs_push(v, &r);
      size_t longest = 0;
      for (uint32_t p = k; p < c->partitions; p += c->consumers) {
        r = rec(HIST_ASSIGN, topic, (int32_t)p, 0, id);
        recs_push(v, &r);
        size_t n = g->log[gen_tp(g, topic, p)].n;
        if (n > longest) longest = n;
      }
      for (size_t o = 0; o < longest; o++)
        for (uint32_t p = k; p < c->partitions; p += c->consumers) {
          const gen_part *pt = &g->log[gen_tp(g, topic, p)];
          if (o >= pt->n) continue;
          r = msg_rec(HIST_APPLY, topic, (int32_t)p, (int64_t)o, id, &pt->m[o]);
          recs_push(v, &r);
          if ((o + 1) % 10 == 0) {
            r = rec(HIST_COMMIT, topic, (int32_t)p, (int64_t)o + 1, id);
            recs_push(v, &r);
          }
        }
      r = rec(HIST_READER_END, topic, -1, -1, id);
      recs_push(v, &r);
    }
}

void gen_derive(gen *g) {
  derive_producers(g);
  derive_consumers(g);
}

/* ---- stream plants -------------------------------------------------------------- */

/* Index of the APPLY of topic/p/o in v at or after `from`, or -1. */
static long find_apply(const gen_recs *v, uint32_t topic, uint32_t p, int64_t o, size_t from) {
  for (size_t i = from; i < v->n; i++)
    if (v->r[i].type == HIST_APPLY && v->r[i].topic == topic && v->r[i].partition == (int32_t)p &&
        v->r[i].offset == o)
      return (long)i;
  return -1;
}

static long must_find_apply(const gen_recs *v, uint32_t topic, uint32_t p, int64_t o) {
  long i = find_apply(v, topic, p, o, 0);
  if (i < 0) SP_PANIC("gen: no such APPLY in the owner's stream");
  return i;
}

/* Removes the APPLYs of topic/p with offsets in [lo, hi) after index from. */
static void remove_applies(gen_recs *v, uint32_t topic, uint32_t p, int64_t lo, int64_t hi,
                           size_t from, gen_recs *saved) {
  for (size_t i = from; i < v->n;) {
    const hist_record *r = &v->r[i];
    if (r->type == HIST_APPLY && r->topic == topic && r->partition == (int32_t)p &&
        r->offset >= lo && r->offset < hi) {
      if (saved) recs_push(saved, r);
      recs_remove(v, i);
    } else {
      i++;
    }
  }
}

static gen_proc *proc_by_id(gen *g, uint32_t id) {
  for (size_t i = 0; i < g->n_writers; i++)
    if (g->writers[i].id == id) return &g->writers[i];
  for (size_t i = 0; i < g->n_readers; i++)
    if (g->readers[i].id == id) return &g->readers[i];
  SP_PANIC("gen: no such writer or reader id");
}

void gen_restart(gen *g, uint32_t s, uint32_t p, int64_t crash_after, int64_t resume_at) {
  const gen_config *c = &g->c;
  uint32_t ci = gen_owner(g, s, p), topic = s % c->topics, tp = gen_tp(g, topic, p);
  gen_recs *v = &g->cons[ci];
  size_t i = (size_t)must_find_apply(v, topic, p, crash_after);
  uint32_t old = v->r[i].actor, id = g->next_id++;
  proc_by_id(g, old)->exit = "killed";
  proc_add(&g->readers, &g->n_readers, id, ci, "clean");
  remove_applies(v, topic, p, crash_after + 1, resume_at, i + 1, NULL);
  for (size_t j = i + 1; j < v->n; j++)
    if (v->r[j].actor == old) v->r[j].actor = id;
  gen_recs ins = {0};
  hist_record r = rec(HIST_READER_START, topic, -1, -1, id);
  r.key = ci;
  r.err = (int32_t)c->sem[s];
  recs_push(&ins, &r);
  for (uint32_t q = p % c->consumers; q < c->partitions; q += c->consumers) {
    int64_t next = 0;
    for (size_t j = 0; j <= i; j++)
      if (v->r[j].type == HIST_APPLY && v->r[j].partition == (int32_t)q) next = v->r[j].offset + 1;
    r = rec(HIST_ASSIGN, topic, (int32_t)q, q == p ? resume_at : next, id);
    recs_push(&ins, &r);
  }
  for (int64_t o = resume_at; o <= crash_after; o++) {
    r = msg_rec(HIST_APPLY, topic, (int32_t)p, o, id, gen_at(g, tp, o));
    recs_push(&ins, &r);
  }
  for (size_t j = 0; j < ins.n; j++) recs_insert(v, i + 1 + j, &ins.r[j]);
  free(ins.r);
}

void gen_stop(gen *g, uint32_t s, uint32_t p, int64_t from) {
  uint32_t topic = s % g->c.topics;
  remove_applies(&g->cons[gen_owner(g, s, p)], topic, p, from, INT64_MAX, 0, NULL);
}

void gen_skip_via_other(gen *g, uint32_t s, uint32_t p, int64_t o) {
  const gen_config *c = &g->c;
  SP_ASSERT(c->consumers >= 2);
  uint32_t ci = gen_owner(g, s, p), topic = s % c->topics;
  gen_recs *v = &g->cons[ci];
  recs_remove(v, (size_t)must_find_apply(v, topic, p, o));
  uint32_t cj = s * c->consumers + (ci - s * c->consumers + 1) % c->consumers;
  gen_recs *w = &g->cons[cj];
  uint32_t id = w->r[0].actor;
  hist_record r = rec(HIST_ASSIGN, topic, (int32_t)p, o, id);
  recs_insert(w, 1, &r);
  r = msg_rec(HIST_APPLY, topic, (int32_t)p, o, id, gen_at(g, gen_tp(g, topic, p), o));
  recs_insert(w, 2, &r);
  r = rec(HIST_REVOKE, topic, (int32_t)p, -1, id);
  recs_insert(w, 3, &r);
}

void gen_move_block(gen *g, uint32_t s, uint32_t p, int64_t a, int64_t b) {
  uint32_t topic = s % g->c.topics;
  gen_recs *v = &g->cons[gen_owner(g, s, p)], saved = {0};
  remove_applies(v, topic, p, a, b, 0, &saved);
  long j = must_find_apply(v, topic, p, b);
  hist_record r = rec(HIST_ASSIGN, topic, (int32_t)p, b, v->r[j].actor);
  recs_insert(v, (size_t)j, &r);
  size_t at = v->n && v->r[v->n - 1].type == HIST_READER_END ? v->n - 1 : v->n;
  for (size_t k = 0; k < saved.n; k++) recs_insert(v, at + k, &saved.r[k]);
  free(saved.r);
}

void gen_repoll(gen *g, uint32_t s, uint32_t p, int64_t o) {
  gen_recs *v = &g->cons[gen_owner(g, s, p)];
  long i = must_find_apply(v, s % g->c.topics, p, o);
  hist_record r = v->r[i];
  r.type = HIST_SKIP;
  recs_insert(v, (size_t)i + 1, &r);
}

void gen_apply_flags(gen *g, uint32_t s, uint32_t p, int64_t o, uint8_t clear) {
  gen_recs *v = &g->cons[gen_owner(g, s, p)];
  v->r[must_find_apply(v, s % g->c.topics, p, o)].flags &= (uint8_t)~clear;
}

void gen_ack_offset(gen *g, uint32_t writer_id, uint64_t seq, int64_t offset) {
  gen_recs *v = &g->prod[g->writers[gen_widx(g, writer_id)].owner];
  for (size_t i = 0; i < v->n; i++)
    if (v->r[i].type == HIST_ACK && v->r[i].writer == writer_id && v->r[i].seq == seq) {
      v->r[i].offset = offset;
      return;
    }
  SP_PANIC("gen: no such ACK");
}

void gen_readback_drop(gen *g, uint32_t tp, int64_t from, int64_t to) {
  g->log[tp].drop_from = from;
  g->log[tp].drop_to = to;
}

void gen_log_start(gen *g, uint32_t tp, uint64_t start) { g->log[tp].log_start = start; }

void gen_exit(gen *g, uint32_t id, const char *exit) { proc_by_id(g, id)->exit = exit; }

void gen_torn(gen *g, const char *name, size_t bytes) {
  SP_ASSERT(g->n_torn < 8);
  snprintf(g->torn[g->n_torn].name, sizeof g->torn[0].name, "%s", name);
  g->torn[g->n_torn++].bytes = bytes;
}

/* ---- writing --------------------------------------------------------------------- */

static json_t *procs_json(const gen_proc *v, size_t n, uint32_t owner, const char *id_key) {
  json_t *a = json_array();
  int inc = 0;
  for (size_t i = 0; i < n; i++) {
    if (v[i].owner != owner) continue;
    json_t *o = json_object();
    json_object_set_new(o, id_key, json_integer(v[i].id));
    json_object_set_new(o, "incarnation", json_integer(inc++));
    json_object_set_new(o, "exit", json_string(v[i].exit));
    json_array_append_new(a, o);
  }
  return a;
}

int gen_write_meta(const gen *g, const char *dir) {
  const gen_config *c = &g->c;
  json_t *doc = json_object(), *topics = json_array(), *subs = json_array(), *prods = json_array(),
         *cons = json_array();
  json_object_set_new(doc, "version", json_integer(1));
  for (uint32_t t = 0; t < c->topics; t++) {
    char name[32];
    snprintf(name, sizeof name, "sp-%u", t);
    json_array_append_new(topics,
                          json_pack("{s:s, s:i}", "name", name, "partitions", c->partitions));
  }
  for (uint32_t s = 0; s < c->subs; s++) {
    char name[32];
    snprintf(name, sizeof name, "sub-%03u", s);
    json_t *list = json_array();
    for (uint32_t k = 0; k < c->consumers; k++)
      json_array_append_new(list, json_integer(s * c->consumers + k));
    json_array_append_new(subs, json_pack("{s:i, s:s, s:s, s:i, s:s, s:o}", "id", s, "name", name,
                                          "group", name, "topic", s % c->topics, "semantics",
                                          check_semantics_name(c->sem[s]), "consumers", list));
    for (uint32_t k = 0; k < c->consumers; k++) {
      uint32_t ci = s * c->consumers + k;
      json_array_append_new(cons,
                            json_pack("{s:i, s:i, s:o}", "id", ci, "subscription", s, "readers",
                                      procs_json(g->readers, g->n_readers, ci, "reader")));
    }
  }
  for (uint32_t p = 0; p < c->topics * c->producers; p++)
    json_array_append_new(prods,
                          json_pack("{s:i, s:i, s:o}", "id", p, "topic", p / c->producers,
                                    "writers", procs_json(g->writers, g->n_writers, p, "writer")));
  json_object_set_new(doc, "topics", topics);
  json_object_set_new(doc, "ordering", json_string(c->per_key ? "per_key" : "none"));
  json_object_set_new(doc, "subscriptions", subs);
  json_object_set_new(doc, "producers", prods);
  json_object_set_new(doc, "consumers", cons);
  json_object_set_new(doc, "drain",
                      json_pack("{s:b, s:i}", "completed", g->drain_completed, "timeout_s", 30));
  json_object_set_new(doc, "readback", json_pack("{s:b}", "completed", g->readback_completed));
  char path[4096];
  snprintf(path, sizeof path, "%s/history", dir);
  mkdir(dir, 0755);
  mkdir(path, 0755);
  snprintf(path, sizeof path, "%s/history/meta.json", dir);
  int rc = json_dump_file(doc, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  json_decref(doc);
  return rc ? -1 : 0;
}

static int write_recs(const char *dir, const char *name, uint32_t kind, uint32_t id,
                      const gen_recs *v) {
  char path[4096];
  snprintf(path, sizeof path, "%s/history/%s", dir, name);
  hist_writer *w = hist_writer_open(path, kind, id);
  if (!w) return -1;
  for (size_t i = 0; i < v->n; i++) hist_writer_append(w, &v->r[i]);
  return hist_writer_close(w);
}

static int by_time(const void *a, const void *b) {
  const hist_record *x = a, *y = b;
  return x->t_ns < y->t_ns ? -1 : x->t_ns > y->t_ns;
}

/* Consumer files; exactly-once applies go to effects-<s>-<topic>-<p>.hist. */
static int write_consumers(gen *g, const char *dir) {
  const gen_config *c = &g->c;
  for (uint32_t s = 0; s < c->subs; s++) {
    uint32_t topic = s % c->topics;
    gen_recs *effects = sp_calloc(c->partitions, sizeof *effects);
    for (uint32_t k = 0; k < c->consumers; k++) {
      uint32_t ci = s * c->consumers + k;
      gen_recs own = {0};
      for (size_t i = 0; i < g->cons[ci].n; i++) {
        hist_record *r = &g->cons[ci].r[i];
        r->t_ns = 1000000 + i * 1000 + ci; /* one clock, stream order */
        if (c->sem[s] == CHECK_SEM_EXACTLY_ONCE && r->type == HIST_APPLY)
          recs_push(&effects[r->partition], r);
        else
          recs_push(&own, r);
      }
      char name[64];
      snprintf(name, sizeof name, "consumer-%u.hist", ci);
      int rc = write_recs(dir, name, HIST_KIND_CONSUMER, ci, &own);
      free(own.r);
      if (rc) return -1;
    }
    for (uint32_t p = 0; p < c->partitions; p++) {
      if (!effects[p].n) continue;
      qsort(effects[p].r, effects[p].n, sizeof *effects[p].r, by_time);
      char name[64];
      snprintf(name, sizeof name, "effects-%u-%u-%u.hist", s, topic, p);
      if (write_recs(dir, name, HIST_KIND_EFFECTS, s, &effects[p])) return -1;
      free(effects[p].r);
    }
    free(effects);
  }
  return 0;
}

static int write_readback(gen *g, const char *dir) {
  const gen_config *c = &g->c;
  gen_recs v = {0};
  for (uint32_t tp = 0; tp < c->topics * c->partitions; tp++) {
    const gen_part *pt = &g->log[tp];
    uint32_t topic = tp / c->partitions, p = tp % c->partitions;
    int64_t end = (int64_t)pt->n;
    for (int64_t o = (int64_t)pt->log_start; o < (int64_t)pt->n; o++) {
      if (pt->drop_from >= 0 && o >= pt->drop_from && (pt->drop_to < 0 || o < pt->drop_to))
        continue;
      hist_record r = msg_rec(HIST_READBACK, topic, (int32_t)p, o, 0, &pt->m[o]);
      recs_push(&v, &r);
    }
    if (pt->drop_from >= 0 && pt->drop_to < 0) end = pt->drop_from;
    hist_record r = rec(HIST_END_OFFSETS, topic, (int32_t)p, end, 0);
    r.seq = pt->log_start;
    recs_push(&v, &r);
  }
  int rc = write_recs(dir, "readback.hist", HIST_KIND_READBACK, 0, &v);
  free(v.r);
  return rc;
}

int gen_write(gen *g, const char *dir) {
  if (gen_write_meta(g, dir)) return -1;
  if (!g->write_meta) {
    char path[4096];
    snprintf(path, sizeof path, "%s/history/meta.json", dir);
    unlink(path);
  }
  for (uint32_t p = 0; p < g->c.topics * g->c.producers; p++) {
    char name[64];
    snprintf(name, sizeof name, "producer-%u.hist", p);
    for (size_t i = 0; i < g->prod[p].n; i++) g->prod[p].r[i].t_ns = 1000 * (i + 1);
    if (write_recs(dir, name, HIST_KIND_PRODUCER, p, &g->prod[p])) return -1;
  }
  if (write_consumers(g, dir)) return -1;
  if (g->write_readback && write_readback(g, dir)) return -1;
  for (size_t i = 0; i < g->n_torn; i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/history/%s", dir, g->torn[i].name);
    FILE *f = fopen(path, "ab");
    if (!f) return -1;
    for (size_t b = 0; b < g->torn[i].bytes; b++) fputc(0xab, f);
    fclose(f);
  }
  return 0;
}
