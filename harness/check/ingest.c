/* ingest.c: see ingest.h. */
#include "ingest.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

/* Formats an input error naming the file, the record and its byte offset. */
static int bad(ingest *in, uint64_t idx, const hist_record *r, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int bad(ingest *in, uint64_t idx, const hist_record *r, const char *fmt, ...) {
  int n =
      snprintf(in->err, in->err_len, "%s: record %" PRIu64 " (%s, byte %" PRIu64 "): ", in->name,
               idx, hist_type_name(r->type), (uint64_t)HIST_HEADER_BYTES + idx * HIST_RECORD_BYTES);
  if (n < 0 || (size_t)n >= in->err_len) return -1;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(in->err + n, in->err_len - (size_t)n, fmt, ap);
  va_end(ap);
  return -1;
}

/* Checks r's topic (and partition unless it may be -1 and is); sets *tp
 * (TP_NONE for partition -1). */
static int where(ingest *in, uint64_t idx, const hist_record *r, int partition_optional,
                 uint32_t *tp) {
  const meta *m = in->md->m;
  if (r->topic >= m->n_topics)
    return bad(in, idx, r, "topic index %u out of range (meta.json lists %zu topic%s)", r->topic,
               m->n_topics, m->n_topics == 1 ? "" : "s");
  const meta_topic *t = &m->topics[r->topic];
  if (r->partition < 0 && partition_optional) {
    *tp = TP_NONE;
    return 0;
  }
  if (r->partition < 0 || (uint32_t)r->partition >= t->partitions)
    return bad(in, idx, r, "partition %d out of range (topic %s has %u)", r->partition, t->name,
               t->partitions);
  *tp = t->tp_base + (uint32_t)r->partition;
  return 0;
}

static void ignored(ingest *in, uint64_t idx, const hist_record *r) {
  if (in->md->info->ignored_records++ == 0)
    strlist_addf(in->notes,
                 "%s: record %" PRIu64 ": a %s record (type %u) does not belong in this "
                 "file; ignored (later ones are only counted)",
                 in->name, idx, hist_type_name(r->type), r->type);
}

/* ---- producer files ----------------------------------------------------- */

static int producer_record(ingest *in, uint64_t idx, const hist_record *r) {
  model *md = in->md;
  rec_src src = {in->file, idx};
  uint32_t tp;
  int32_t w;
  switch (r->type) {
  case HIST_WRITER_START:
    if (meta_writer(md->m, r->actor) < 0)
      return bad(in, idx, r, "writer id %u is not in meta.json (stale meta.json?)", r->actor);
    return 0;
  case HIST_ACK:
  case HIST_NACK:
    w = model_writer(md, r->writer);
    if (w < 0)
      return bad(in, idx, r, "writer id %u is not in meta.json (stale meta.json?)", r->writer);
    if (r->seq > REF_SEQ_MAX) return bad(in, idx, r, "sequence %" PRIu64 " out of range", r->seq);
    if (where(in, idx, r, 1, &tp)) return -1;
    if (r->type == HIST_ACK)
      model_ack(md, &src, (uint32_t)w, r->seq, r->key, r->topic, tp, r->offset);
    else
      model_nack(md, (uint32_t)w, r->seq);
    return 0;
  case HIST_WRITER_END:
    w = meta_writer(md->m, r->actor);
    if (w < 0) w = meta_writer(md->m, r->writer);
    if (w < 0)
      return bad(in, idx, r, "writer id %u is not in meta.json (stale meta.json?)", r->actor);
    md->wclean[w] = 1;
    if (r->seq > md->wsent[w]) md->wsent[w] = r->seq;
    return 0;
  default: ignored(in, idx, r); return 0;
  }
}

/* ---- consumer, effects and readback files ------------------------------- */

/* The reader (index) that wrote r, checked against meta.json. */
static int reader_of(ingest *in, uint64_t idx, const hist_record *r, uint32_t *reader) {
  int32_t rd = meta_reader(in->md->m, r->actor);
  if (rd < 0)
    return bad(in, idx, r, "reader id %u is not in meta.json (stale meta.json?)", r->actor);
  *reader = (uint32_t)rd;
  return 0;
}

/* Checks an APPLY/SKIP against the reader's subscription; sets *tp. */
static int consumed_where(ingest *in, uint64_t idx, const hist_record *r, uint32_t sub,
                          uint32_t *tp) {
  const meta *m = in->md->m;
  if (where(in, idx, r, 0, tp)) return -1;
  if (r->topic != m->subs[sub].topic)
    return bad(in, idx, r, "topic %s, but subscription %s reads %s", m->topics[r->topic].name,
               m->subs[sub].name, m->topics[m->subs[sub].topic].name);
  if (r->offset < 0) return bad(in, idx, r, "offset %" PRId64 " is not an offset", r->offset);
  return 0;
}

/* Poll bookkeeping for a consumer-file event: now, or deferred for an
 * exactly-once reader (its applies are in the effects files). */
static void poll_event_of(ingest *in, uint64_t idx, const hist_record *r, uint32_t reader,
                          int32_t partition) {
  const meta *m = in->md->m;
  poll_event ev = {r->t_ns, r->offset, idx, in->file, r->type};
  if (m->subs[meta_reader_sub(m, reader)].sem == CHECK_SEM_EXACTLY_ONCE)
    poll_defer(in->pt, reader, &ev, partition);
  else
    poll_feed(in->pt, reader, &ev, partition);
}

static int consumer_record(ingest *in, uint64_t idx, const hist_record *r) {
  model *md = in->md;
  const meta *m = md->m;
  rec_src src = {in->file, idx};
  uint32_t reader = 0, tp = 0, sub;
  if (r->type < HIST_READER_START || r->type > HIST_READER_END) {
    ignored(in, idx, r);
    return 0;
  }
  if (reader_of(in, idx, r, &reader)) return -1;
  sub = meta_reader_sub(m, reader);
  switch (r->type) {
  case HIST_READER_START:
    if (r->err != (int32_t)m->subs[sub].sem)
      strlist_addf(in->notes,
                   "%s: reader %u starts claiming semantics %d, meta.json says %s for "
                   "subscription %s; checked as %s",
                   in->name, r->actor, r->err, check_semantics_name(m->subs[sub].sem), m->subs[sub].name,
                   check_semantics_name(m->subs[sub].sem));
    poll_event_of(in, idx, r, reader, -1);
    return 0;
  case HIST_ASSIGN:
  case HIST_REVOKE:
    if (where(in, idx, r, 1, &tp)) return -1;
    poll_event_of(in, idx, r, reader, r->partition < 0 ? -1 : r->partition);
    return 0;
  case HIST_APPLY:
    if (consumed_where(in, idx, r, sub, &tp)) return -1;
    model_apply(md, &src, r, sub, tp, (int32_t)reader);
    model_observe(md, &src, r, tp, (int32_t)sub, (int32_t)reader);
    poll_event_of(in, idx, r, reader, r->partition);
    return 0;
  case HIST_SKIP:
    if (consumed_where(in, idx, r, sub, &tp)) return -1;
    if (r->flags & HIST_F_IDENTITY) model_observe(md, &src, r, tp, (int32_t)sub, (int32_t)reader);
    poll_event_of(in, idx, r, reader, r->partition);
    return 0;
  default: /* COMMIT, READER_END */ return 0;
  }
}

static int effects_record(ingest *in, uint64_t idx, const hist_record *r) {
  model *md = in->md;
  rec_src src = {in->file, idx};
  uint32_t reader = 0, tp = 0;
  if (r->type != HIST_APPLY) {
    ignored(in, idx, r);
    return 0;
  }
  if (reader_of(in, idx, r, &reader)) return -1;
  uint32_t sub = meta_reader_sub(md->m, reader);
  if (consumed_where(in, idx, r, sub, &tp)) return -1;
  model_apply(md, &src, r, sub, tp, (int32_t)reader);
  model_observe(md, &src, r, tp, (int32_t)sub, (int32_t)reader);
  poll_event ev = {r->t_ns, r->offset, idx, in->file, r->type};
  poll_feed_merged(in->pt, reader, &ev, r->partition);
  return 0;
}

static int readback_record(ingest *in, uint64_t idx, const hist_record *r) {
  model *md = in->md;
  rec_src src = {in->file, idx};
  uint32_t tp;
  switch (r->type) {
  case HIST_READBACK:
    if (where(in, idx, r, 0, &tp)) return -1;
    if (r->offset < 0) return bad(in, idx, r, "offset %" PRId64 " is not an offset", r->offset);
    model_observe(md, &src, r, tp, -1, -1);
    return 0;
  case HIST_END_OFFSETS:
    if (where(in, idx, r, 0, &tp)) return -1;
    md->log_start[tp] = r->seq;
    md->log_end[tp] = r->offset;
    return 0;
  default: ignored(in, idx, r); return 0;
  }
}

int ingest_file(ingest *in, hist_stream *s) {
  int (*fn)(ingest *, uint64_t, const hist_record *);
  switch (s->kind) {
  case HIST_KIND_PRODUCER: fn = producer_record; break;
  case HIST_KIND_CONSUMER: fn = consumer_record; break;
  case HIST_KIND_EFFECTS: fn = effects_record; break;
  case HIST_KIND_READBACK: fn = readback_record; break;
  default:
    snprintf(in->err, in->err_len, "%s: byte 16: unknown file kind %u", in->name, s->kind);
    return -1;
  }
  hist_record r;
  char rerr[256];
  int rc;
  while ((rc = hist_stream_next(s, &r, rerr, sizeof rerr)) == 1) {
    in->records++;
    if (fn(in, s->next - 1, &r)) return -1;
  }
  if (rc < 0) {
    snprintf(in->err, in->err_len, "%s: %s", in->name, rerr);
    return -1;
  }
  return 0;
}
