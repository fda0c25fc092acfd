/* evaluate.c: see evaluate.h. */
#include "evaluate.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

/* ---- 1. poll jumps ------------------------------------------------------- */

/* Offsets in [lo, hi) of partition tp with something known at them. */
static uint64_t known_between(model *md, uint32_t tp, uint64_t lo, uint64_t hi) {
  uint64_t n = 0;
  while (lo < hi) {
    uint64_t page_end = (lo | PAGES_MASK) + 1;
    uint64_t end = page_end < hi ? page_end : hi;
    const uint64_t *s = pages_get(&md->slots[tp], lo);
    if (s)
      for (uint64_t i = lo; i < end; i++, s++) n += *s != 0;
    lo = end;
  }
  return n;
}

static void resolve_jumps(model *md, const poll_tracker *pt) {
  for (size_t i = 0; i < pt->n_jumps; i++) {
    const poll_jump *j = &pt->jumps[i];
    uint64_t lo = (uint64_t)j->from + 1;
    if (lo < md->log_start[j->tp]) lo = md->log_start[j->tp];
    uint64_t n = known_between(md, j->tp, lo, (uint64_t)j->to);
    if (!n) continue;
    int32_t sub = (int32_t)meta_reader_sub(md->m, j->reader);
    example *e = findings_add(md->f, ANOM_POLL_SKIP, j->tp, sub);
    if (!e) continue;
    e->reader = (int32_t)j->reader;
    e->offset2 = j->from;
    e->offset = j->to;
    e->n = n;
    e->file = (int32_t)j->file;
    e->rec = j->rec;
    e->t_ns = j->t_ns;
  }
}

/* ---- key order ------------------------------------------------------------ */

/* Last (seq, offset) per (writer, key) within the partition being scanned;
 * entries of earlier partitions are stale by generation, not cleared. */
typedef struct key_order {
  uint64_t *keys;
  uint64_t *seq;
  int64_t *off;
  uint32_t *gen;
  size_t cap, used;
  uint32_t cur;
} key_order;

static size_t ko_slot(const key_order *ko, uint64_t k) {
  size_t i = (size_t)((k * 0x9E3779B97F4A7C15ull) >> 17) & (ko->cap - 1);
  while (ko->gen[i] == ko->cur && ko->keys[i] != k) i = (i + 1) & (ko->cap - 1);
  return i;
}

static void ko_alloc(key_order *ko, size_t cap) {
  ko->cap = cap;
  ko->keys = sp_malloc(cap * sizeof *ko->keys);
  ko->seq = sp_malloc(cap * sizeof *ko->seq);
  ko->off = sp_malloc(cap * sizeof *ko->off);
  ko->gen = sp_calloc(cap, sizeof *ko->gen);
}

static void ko_free(key_order *ko) {
  free(ko->keys);
  free(ko->seq);
  free(ko->off);
  free(ko->gen);
}

/* Doubles the table, keeping the current generation's entries. */
static void ko_grow(key_order *ko) {
  key_order old = *ko;
  ko_alloc(ko, old.cap * 2);
  ko->cur = old.cur;
  ko->used = 0;
  for (size_t i = 0; i < old.cap; i++) {
    if (old.gen[i] != old.cur) continue;
    size_t j = ko_slot(ko, old.keys[i]);
    ko->keys[j] = old.keys[i];
    ko->seq[j] = old.seq[i];
    ko->off[j] = old.off[i];
    ko->gen[j] = ko->cur;
    ko->used++;
  }
  ko_free(&old);
}

/* Message (writer index w, seq, key) met at offset o of tp, in offset order. */
static void order_check(model *md, key_order *ko, uint32_t w, uint64_t seq, uint32_t key,
                        uint32_t tp, int64_t o) {
  if ((ko->used + 1) * 2 > ko->cap) ko_grow(ko);
  uint64_t k = (uint64_t)w << 32 | key;
  size_t i = ko_slot(ko, k);
  if (ko->gen[i] == ko->cur && seq < ko->seq[i]) {
    example *e = findings_add(md->f, ANOM_KEY_ORDER, tp, -1);
    if (e) {
      e->has_writer = 1;
      e->writer = md->m->writers[w].id;
      e->seq = seq;
      e->key = key;
      e->offset = o;
      e->seq2 = ko->seq[i];
      e->offset2 = ko->off[i];
    }
  }
  if (ko->gen[i] != ko->cur) ko->used++;
  ko->gen[i] = ko->cur;
  ko->keys[i] = k;
  ko->seq[i] = seq;
  ko->off[i] = o;
}

/* ---- judging one message ------------------------------------------------ */

static int slot_consistent(model *md, const dup_occ *o) {
  const uint64_t *s = pages_get(&md->slots[o->tp], (uint64_t)o->offset);
  return s && !(*s & SLOT_INCONSISTENT);
}

/* 1 when offset o of tp is the message's first consistent offset in tp (the
 * place where key order sees it). */
static int first_in_tp(model *md, const wslot *ws, uint64_t ref, uint32_t tp, int64_t o) {
  if (!(ws->tp_flags & W_DUP)) return 1;
  const dup_entry *d = model_dup(md, ref);
  int64_t lowest = -1;
  for (uint32_t i = 0; i < d->n; i++)
    if (d->occ[i].tp == tp && slot_consistent(md, &d->occ[i]) &&
        (lowest < 0 || d->occ[i].offset < lowest))
      lowest = d->occ[i].offset;
  return lowest == o;
}

/* Fills the writer, seq and key of a message example. */
static void ex_message(model *md, example *e, uint32_t w, uint64_t seq, uint32_t key) {
  e->has_writer = 1;
  e->writer = md->m->writers[w].id;
  e->seq = seq;
  e->key = key;
}

/* Subscription s applied the message `count` times over its offsets;
 * `at` is the offset its loss would be judged at. */
static void judge_sub(model *md, uint32_t s, uint64_t count, int below, const wslot *ws, uint32_t w,
                      uint64_t seq, const dup_occ *at) {
  check_sub_result *sr = &md->subs[s];
  if (count) {
    sr->consume_counts[count < CHECK_CONSUME_BUCKETS - 1 ? count : CHECK_CONSUME_BUCKETS - 1]++;
    return;
  }
  if (below) {
    sr->below_log_start_unapplied++;
    return;
  }
  sr->consume_counts[0]++;
  if ((ws->tp_flags & W_ACKED) && !md->readback_ok) md->readback_needed++;
  const meta *m = md->m;
  uint32_t part = at->tp - m->topics[m->subs[s].topic].tp_base;
  int64_t max = md->max_applied[m->subs[s].part_base + part];
  anomaly_type t = at->offset >= 0 && max > at->offset ? ANOM_LOST_WRITE : ANOM_UNSEEN;
  example *e = findings_add(md->f, t, at->tp, (int32_t)s);
  if (!e) return;
  ex_message(md, e, w, seq, ws->key);
  e->offset = at->offset;
  e->offset2 = max;
  if (at->offset < 0) e->reason = "acked without an offset and never seen";
}

/* Applies of subscription s at the given offsets (those in its topic). */
static uint64_t applies_of(model *md, uint32_t s, const dup_occ *occ, uint32_t n,
                           int only_consistent) {
  const meta *m = md->m;
  const meta_sub *sub = &m->subs[s];
  uint32_t base = m->topics[sub->topic].tp_base;
  uint64_t count = 0;
  for (uint32_t i = 0; i < n; i++) {
    if (md->tp_topic[occ[i].tp] != sub->topic || occ[i].offset < 0) continue;
    if (only_consistent && !slot_consistent(md, &occ[i])) continue;
    const uint8_t *c =
        pages_get(&md->applied[sub->part_base + occ[i].tp - base], (uint64_t)occ[i].offset);
    if (c) count += *c;
  }
  return count;
}

/* Judges message (w, seq) once: duplicate, then loss per subscription. */
static void judge_message(model *md, wslot *ws, uint32_t w, uint64_t seq) {
  ws->tp_flags |= W_EVALUATED;
  dup_occ loc = {ws_tp(ws), ws->offset};
  const dup_occ *occ = &loc;
  uint32_t n = 1;
  int only_consistent = 0;
  if (ws->tp_flags & W_DUP) {
    const dup_entry *d = model_dup(md, ref_make(w, seq));
    occ = d->occ;
    n = d->n;
    const dup_occ *good[2] = {NULL, NULL};
    uint32_t n_good = 0;
    for (uint32_t i = 0; i < n; i++)
      if (slot_consistent(md, &occ[i]) && n_good++ < 2) good[n_good - 1] = &occ[i];
    only_consistent = n_good > 0;
    if (n_good >= 2) {
      example *e = findings_add(md->f, ANOM_DUPLICATE, good[0]->tp, -1);
      if (e) {
        ex_message(md, e, w, seq, ws->key);
        e->offset = good[0]->offset;
        e->offset2 = good[1]->offset;
        e->n = n_good;
      }
    }
    if (only_consistent) loc = *good[0];
  }
  uint32_t topic = md->tp_topic[loc.tp];
  int below = loc.offset >= 0 && (uint64_t)loc.offset < md->log_start[loc.tp];
  md->info->messages++;
  md->info->below_log_start += below;
  for (uint32_t i = 0; i < md->topic_nsubs[topic]; i++) {
    uint32_t s = md->topic_subs[topic][i];
    judge_sub(md, s, applies_of(md, s, occ, n, only_consistent), below, ws, w, seq, &loc);
  }
  if (!md->topic_nsubs[topic] && (ws->tp_flags & W_ACKED) && !below && !md->readback_ok)
    md->readback_needed++;
}

/* An acked message with no offset that no record ever showed in the log. */
static void judge_unlocated(model *md, wslot *ws, uint32_t w, uint64_t seq) {
  ws->tp_flags |= W_EVALUATED;
  dup_occ at = {ws_tp(ws), -1};
  uint32_t topic = md->tp_topic[at.tp];
  md->info->messages++;
  for (uint32_t i = 0; i < md->topic_nsubs[topic]; i++)
    judge_sub(md, md->topic_subs[topic][i], 0, 0, ws, w, seq, &at);
  if (!md->readback_ok) {
    md->readback_needed++;
    return;
  }
  example *e = findings_add(md->f, ANOM_ACKED_BUT_MISSING, at.tp, -1);
  if (!e) return;
  ex_message(md, e, w, seq, ws->key);
  e->reason = "acked without an offset and absent from the readback";
}

/* ---- 2. partitions ------------------------------------------------------- */

static void missing(model *md, uint32_t tp, int64_t o, uint64_t v) {
  example *e = findings_add(md->f, ANOM_ACKED_BUT_MISSING, tp, -1);
  if (!e) return;
  uint64_t ref = v & REF_MASK;
  if (ref && ref != REF_UNKNOWN) {
    const wslot *ws = pages_get(&md->wmsgs[ref_writer(ref)], ref_seq(ref));
    ex_message(md, e, ref_writer(ref), ref_seq(ref), ws ? ws->key : HIST_NO_KEY);
  }
  e->offset = o;
  e->offset2 = md->log_end[tp];
}

static void partition_pass(model *md, key_order *ko, uint32_t tp) {
  ko->cur++;
  ko->used = 0;
  size_t cursor = 0;
  uint64_t first;
  uint8_t *page;
  while ((page = pages_next(&md->slots[tp], &cursor, &first))) {
    const uint64_t *sl = (const uint64_t *)page;
    for (uint32_t i = 0; i < PAGES_ELEMS; i++) {
      uint64_t v = sl[i];
      if (!v) continue;
      int64_t o = (int64_t)(first + i);
      if (md->readback_ok && (v & SLOT_ACKED) && !(v & SLOT_READBACK) &&
          first + i >= md->log_start[tp])
        missing(md, tp, o, v);
      uint64_t ref = v & REF_MASK;
      if (!ref || ref == REF_UNKNOWN) continue;
      uint32_t w = ref_writer(ref);
      uint64_t seq = ref_seq(ref);
      wslot *ws = pages_at(&md->wmsgs[w], seq);
      if (md->m->per_key && ws->key != HIST_NO_KEY && !(v & SLOT_INCONSISTENT) &&
          first_in_tp(md, ws, ref, tp, o))
        order_check(md, ko, w, seq, ws->key, tp, o);
      if ((ws->tp_flags & W_LOCATED) && ws_tp(ws) == tp && ws->offset == o)
        judge_message(md, ws, w, seq);
    }
  }
}

/* ---- 3. writers ----------------------------------------------------------- */

static void writer_pass(model *md, uint32_t w) {
  check_info *info = md->info;
  uint64_t range = md->wsent[w] > md->wseen[w] ? md->wsent[w] : md->wseen[w];
  uint64_t seq = 0;
  while (seq < range) {
    uint64_t page_end = (seq | PAGES_MASK) + 1;
    uint64_t end = page_end < range ? page_end : range;
    wslot *ws = (wslot *)pages_get(&md->wmsgs[w], seq);
    if (!ws) { /* nothing recorded: sent (by WRITER_END's count), fate unknown */
      info->indeterminate_not_in_log += end - seq;
      seq = end;
      continue;
    }
    for (; seq < end; seq++, ws++) {
      uint32_t f = ws->tp_flags;
      info->acked += (f & W_ACKED) != 0;
      info->nacked += (f & W_NACKED) != 0;
      /* without an ACK, only an observation in the log locates a message */
      if (!(f & (W_ACKED | W_NACKED))) {
        if (f & W_LOCATED)
          info->indeterminate_in_log++;
        else
          info->indeterminate_not_in_log++;
      }
      if ((f & W_NACKED) && !(f & W_ACKED) && (f & W_LOCATED)) info->nacked_but_present++;
      if ((f & W_LOCATED) && !(f & W_EVALUATED))
        judge_message(md, ws, w, seq);
      else if ((f & W_ACKED) && !(f & W_LOCATED))
        judge_unlocated(md, ws, w, seq);
    }
  }
}

void evaluate_run(model *md, poll_tracker *pt) {
  resolve_jumps(md, pt);
  key_order ko;
  memset(&ko, 0, sizeof ko);
  ko_alloc(&ko, 1024);
  for (uint32_t tp = 0; tp < md->m->tp_count; tp++) partition_pass(md, &ko, tp);
  ko_free(&ko);
  for (uint32_t w = 0; w < md->m->n_writers; w++) writer_pass(md, w);
}
