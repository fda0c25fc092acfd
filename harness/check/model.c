/* model.c: building the version order and message table (model.h). */
#include "model.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

void model_init(model *md, const meta *m, findings *f, check_info *info, check_sub_result *subs) {
  memset(md, 0, sizeof *md);
  md->m = m;
  md->f = f;
  md->info = info;
  md->subs = subs;
  size_t ntp = m->tp_count, nw = m->n_writers ? m->n_writers : 1;
  md->slots = sp_calloc(ntp, sizeof *md->slots);
  md->tp_topic = sp_calloc(ntp, sizeof *md->tp_topic);
  md->log_start = sp_calloc(ntp, sizeof *md->log_start);
  md->log_end = sp_calloc(ntp, sizeof *md->log_end);
  for (uint32_t t = 0; t < m->n_topics; t++)
    for (uint32_t p = 0; p < m->topics[t].partitions; p++) {
      uint32_t tp = m->topics[t].tp_base + p;
      pages_init(&md->slots[tp], sizeof(uint64_t));
      md->tp_topic[tp] = t;
      md->log_end[tp] = -1;
    }
  md->wmsgs = sp_calloc(nw, sizeof *md->wmsgs);
  for (size_t w = 0; w < nw; w++) pages_init(&md->wmsgs[w], sizeof(wslot));
  md->wsent = sp_calloc(nw, sizeof *md->wsent);
  md->wseen = sp_calloc(nw, sizeof *md->wseen);
  md->wclean = sp_calloc(nw, 1);
  size_t nsp = m->sub_part_count ? m->sub_part_count : 1;
  md->applied = sp_calloc(nsp, sizeof *md->applied);
  md->max_applied = sp_calloc(nsp, sizeof *md->max_applied);
  for (size_t i = 0; i < nsp; i++) {
    pages_init(&md->applied[i], 1);
    md->max_applied[i] = -1;
  }
  md->topic_subs = sp_calloc(m->n_topics, sizeof *md->topic_subs);
  md->topic_nsubs = sp_calloc(m->n_topics, sizeof *md->topic_nsubs);
  for (uint32_t t = 0; t < m->n_topics; t++) {
    md->topic_subs[t] = sp_calloc(m->n_subs ? m->n_subs : 1, sizeof(uint32_t));
    for (uint32_t s = 0; s < m->n_subs; s++)
      if (m->subs[s].topic == t) md->topic_subs[t][md->topic_nsubs[t]++] = s;
  }
  md->last_writer_id = UINT32_MAX;
  md->last_widx = -1;
}

void model_free(model *md) {
  const meta *m = md->m;
  for (uint32_t tp = 0; tp < m->tp_count; tp++) pages_free(&md->slots[tp]);
  for (size_t w = 0; w < (m->n_writers ? m->n_writers : 1); w++) pages_free(&md->wmsgs[w]);
  for (size_t i = 0; i < (m->sub_part_count ? m->sub_part_count : 1); i++)
    pages_free(&md->applied[i]);
  for (uint32_t t = 0; t < m->n_topics; t++) free(md->topic_subs[t]);
  for (size_t i = 0; i < md->n_dups; i++) free(md->dups[i].occ);
  free(md->slots);
  free(md->tp_topic);
  free(md->log_start);
  free(md->log_end);
  free(md->wmsgs);
  free(md->wsent);
  free(md->wseen);
  free(md->wclean);
  free(md->applied);
  free(md->max_applied);
  free(md->topic_subs);
  free(md->topic_nsubs);
  free(md->dups);
  free(md->dup_index);
  memset(md, 0, sizeof *md);
}

int32_t model_writer(model *md, uint32_t writer_id) {
  if (writer_id != md->last_writer_id) {
    md->last_writer_id = writer_id;
    md->last_widx = meta_writer(md->m, writer_id);
  }
  return md->last_widx;
}

/* ---- messages seen at several offsets ------------------------------------ */

static size_t dup_hash(uint64_t ref, size_t cap) {
  return (size_t)((ref * 0x9E3779B97F4A7C15ull) >> 20) & (cap - 1);
}

dup_entry *model_dup(model *md, uint64_t ref) {
  if (!md->dup_index_cap) return NULL;
  for (size_t i = dup_hash(ref, md->dup_index_cap);; i = (i + 1) & (md->dup_index_cap - 1)) {
    uint32_t k = md->dup_index[i];
    if (!k) return NULL;
    if (md->dups[k - 1].ref == ref) return &md->dups[k - 1];
  }
}

/* Rebuilds the hash index at twice the size. */
static void dup_index_grow(model *md) {
  free(md->dup_index);
  md->dup_index_cap = md->dup_index_cap ? md->dup_index_cap * 2 : 64;
  md->dup_index = sp_calloc(md->dup_index_cap, sizeof *md->dup_index);
  for (size_t k = 0; k < md->n_dups; k++) {
    size_t i = dup_hash(md->dups[k].ref, md->dup_index_cap);
    while (md->dup_index[i]) i = (i + 1) & (md->dup_index_cap - 1);
    md->dup_index[i] = (uint32_t)k + 1;
  }
}

static void occ_push(dup_entry *d, uint32_t tp, int64_t offset) {
  if (d->n == d->cap) {
    d->cap = d->cap ? d->cap * 2 : 4;
    d->occ = sp_realloc(d->occ, d->cap * sizeof *d->occ);
  }
  d->occ[d->n].tp = tp;
  d->occ[d->n].offset = offset;
  d->n++;
}

/* Records that message ref (located at ws) was also found at tp/offset. */
static void dup_add(model *md, uint64_t ref, wslot *ws, uint32_t tp, int64_t offset) {
  dup_entry *d = model_dup(md, ref);
  if (!d) {
    if ((md->n_dups + 1) * 2 > md->dup_index_cap) dup_index_grow(md);
    if (md->n_dups == md->cap_dups) {
      md->cap_dups = md->cap_dups ? md->cap_dups * 2 : 16;
      md->dups = sp_realloc(md->dups, md->cap_dups * sizeof *md->dups);
    }
    d = &md->dups[md->n_dups];
    memset(d, 0, sizeof *d);
    d->ref = ref;
    size_t i = dup_hash(ref, md->dup_index_cap);
    while (md->dup_index[i]) i = (i + 1) & (md->dup_index_cap - 1);
    md->dup_index[i] = (uint32_t)++md->n_dups;
    occ_push(d, ws_tp(ws), ws->offset);
    ws->tp_flags |= W_DUP;
  }
  occ_push(d, tp, offset);
}

/* ---- the version order -------------------------------------------------- */

/* Counts offset tp/offset as inconsistent (once) and keeps an example of
 * the two messages: `held` (what the slot already said) and `other`. */
static void inconsistent(model *md, uint64_t *slot, uint64_t held, uint64_t other, uint32_t tp,
                         int64_t offset, const rec_src *src, uint64_t t_ns) {
  if (*slot & SLOT_INCONSISTENT) return;
  *slot |= SLOT_INCONSISTENT;
  example *e = findings_add(md->f, ANOM_INCONSISTENT_OFFSETS, tp, -1);
  if (!e) return;
  const meta *m = md->m;
  e->offset = offset;
  if (held != REF_UNKNOWN) {
    e->has_writer = 1;
    e->writer = m->writers[ref_writer(held)].id;
    e->seq = ref_seq(held);
  }
  if (other != REF_UNKNOWN) {
    e->has_writer2 = 1;
    e->writer2 = m->writers[ref_writer(other)].id;
    e->seq2 = ref_seq(other);
  }
  e->file = (int32_t)src->file;
  e->rec = src->rec;
  e->t_ns = t_ns;
}

/* Puts message ref (its slot ws) at tp/offset: names the offset's message
 * if none is known, locates the message if it has no location yet, and
 * notes a further offset of an already located message. */
static void place(model *md, uint64_t *slot, uint64_t ref, wslot *ws, uint32_t key, uint32_t tp,
                  int64_t offset, const rec_src *src, uint64_t t_ns) {
  uint64_t held = *slot & REF_MASK;
  int fresh = 0;
  if (held == 0) {
    *slot |= ref;
    fresh = 1;
  } else if (held != ref) {
    inconsistent(md, slot, held, ref, tp, offset, src, t_ns);
  }
  if (!(ws->tp_flags & W_LOCATED)) {
    ws->offset = offset;
    ws->tp_flags = (ws->tp_flags & ~(TP_NONE | W_PART_UNKNOWN)) | tp | W_LOCATED | W_HAS_TP;
    ws->key = key;
  } else if (fresh && (ws_tp(ws) != tp || ws->offset != offset)) {
    dup_add(md, ref, ws, tp, offset);
  }
}

void model_ack(model *md, const rec_src *src, uint32_t widx, uint64_t seq, uint32_t key,
               uint32_t topic, uint32_t tp, int64_t offset) {
  wslot *ws = pages_at(&md->wmsgs[widx], seq);
  ws->tp_flags |= W_ACKED;
  if (seq + 1 > md->wseen[widx]) md->wseen[widx] = seq + 1;
  if (tp == TP_NONE || offset < 0) {
    md->info->acks_without_offset++;
    if (!(ws->tp_flags & W_HAS_TP)) {
      uint32_t where = tp == TP_NONE ? md->m->topics[topic].tp_base : tp;
      ws->tp_flags |= where | W_HAS_TP | (tp == TP_NONE ? W_PART_UNKNOWN : 0);
      ws->key = key;
      ws->offset = -1;
    }
    return;
  }
  uint64_t *slot = pages_at(&md->slots[tp], (uint64_t)offset);
  *slot |= SLOT_ACKED | SLOT_EXISTS;
  place(md, slot, ref_make(widx, seq), ws, key, tp, offset, src, 0);
}

void model_nack(model *md, uint32_t widx, uint64_t seq) {
  wslot *ws = pages_at(&md->wmsgs[widx], seq);
  ws->tp_flags |= W_NACKED;
  if (seq + 1 > md->wseen[widx]) md->wseen[widx] = seq + 1;
}

/* Fills an example from the record that shows it. */
static void ex_record(example *e, const rec_src *src, const hist_record *r, int32_t reader) {
  e->offset = r->offset;
  e->reader = reader;
  e->writer = r->writer;
  e->seq = r->seq;
  e->key = r->key;
  e->file = (int32_t)src->file;
  e->rec = src->rec;
  e->t_ns = r->t_ns;
}

/* Counts an observation at `slot` whose payload has no usable identity. */
static void unknown_at(model *md, uint64_t *slot, const rec_src *src, const hist_record *r,
                       uint32_t tp, int32_t reader, const char *why, int writer_known) {
  uint64_t held = *slot & REF_MASK;
  if (held == 0)
    *slot |= REF_UNKNOWN;
  else if (held != REF_UNKNOWN)
    inconsistent(md, slot, held, REF_UNKNOWN, tp, r->offset, src, r->t_ns);
  if (*slot & SLOT_UNKNOWN) return;
  *slot |= SLOT_UNKNOWN;
  example *e = findings_add(md->f, ANOM_UNKNOWN_MESSAGE, tp, -1);
  if (!e) return;
  ex_record(e, src, r, reader);
  e->has_writer = writer_known;
  e->reason = why;
}

/* Counts a damaged payload at `slot` (once per offset). */
static void content_at(model *md, uint64_t *slot, const rec_src *src, const hist_record *r,
                       uint32_t tp, int32_t reader, const char *why) {
  if (*slot & SLOT_CONTENT) return;
  *slot |= SLOT_CONTENT;
  example *e = findings_add(md->f, ANOM_CONTENT_MISMATCH, tp, -1);
  if (!e) return;
  ex_record(e, src, r, reader);
  e->has_writer = 1;
  e->reason = why;
}

void model_observe(model *md, const rec_src *src, const hist_record *r, uint32_t tp, int32_t sub,
                   int32_t reader) {
  uint64_t *slot = pages_at(&md->slots[tp], (uint64_t)r->offset);
  *slot |= SLOT_EXISTS | (sub < 0 ? SLOT_READBACK : 0);
  if (!(r->flags & HIST_F_IDENTITY)) {
    unknown_at(md, slot, src, r, tp, reader, "no valid identity header", 0);
    return;
  }
  int32_t widx = model_writer(md, r->writer);
  if (widx < 0) {
    unknown_at(md, slot, src, r, tp, reader, "writer id not in meta.json", 1);
    return;
  }
  if (r->seq > REF_SEQ_MAX || (md->wclean[widx] && r->seq >= md->wsent[widx])) {
    unknown_at(md, slot, src, r, tp, reader, "sequence beyond what its writer sent", 1);
    return;
  }
  if (!(r->flags & HIST_F_CHECKSUM)) {
    content_at(md, slot, src, r, tp, reader, "checksum mismatch");
    return;
  }
  if (!(r->flags & HIST_F_KEY_OK)) {
    content_at(md, slot, src, r, tp, reader, "record key differs from the identity's key");
    return;
  }
  uint64_t ref = ref_make((uint32_t)widx, r->seq);
  /* The common case: the offset is known to hold this message (its ack said
   * so, or an earlier observation), so the message is located already and
   * nothing new is learnt; its slot in the message table is not touched. */
  if ((*slot & REF_MASK) == ref) return;
  wslot *ws = pages_at(&md->wmsgs[widx], r->seq);
  if (r->seq + 1 > md->wseen[widx]) md->wseen[widx] = r->seq + 1;
  place(md, slot, ref, ws, r->key, tp, r->offset, src, r->t_ns);
}

void model_apply(model *md, const rec_src *src, const hist_record *r, uint32_t sub, uint32_t tp,
                 int32_t reader) {
  const meta *m = md->m;
  uint32_t part = tp - m->topics[m->subs[sub].topic].tp_base;
  uint32_t sp = m->subs[sub].part_base + part;
  uint8_t *count = pages_at(&md->applied[sp], (uint64_t)r->offset);
  if (*count == 1) {
    example *e = findings_add(md->f, ANOM_REDELIVERED, tp, (int32_t)sub);
    if (e) {
      ex_record(e, src, r, reader);
      e->has_writer = (r->flags & HIST_F_IDENTITY) != 0;
      e->key = HIST_NO_KEY;
    }
  }
  if (*count < UINT8_MAX) (*count)++;
  if (r->offset > md->max_applied[sp]) md->max_applied[sp] = r->offset;
  md->subs[sub].applies++;
}
