/* model.h: the checker's picture of the run, built in one pass over the
 * history files and judged afterwards (evaluate.h).
 *
 * Version order: for every partition, an array indexed by offset whose slot
 * says which message the offset holds and who saw it there:
 *
 *   slot (u64)   63......56 55..........36 35...........0
 *                | flags   | writer+1     | seq          |
 *                writer+1 = 0: no message known here; all ones: a message
 *                without a usable identity (unknown-message)
 *
 * The first valid observation of an offset (ack, readback, apply: read in
 * that order) names its message; a later one naming another message makes
 * the offset inconsistent.
 *
 * Messages: for every writer, an array indexed by seq (writer sequences are
 * dense from 0) with the message's location (the first offset it was acked
 * or seen at), its key and what happened to it:
 *
 *   wslot        offset i64 | tp (24 bits) + flags (8 bits) | key u32
 *
 * A message seen at more than one offset keeps the extra offsets in a small
 * side table (dups); they are rare. Per subscription and partition, an array
 * of u8 counts says how many times each offset was applied.
 *
 * Memory: 8 bytes per offset, 16 per message, 1 per offset and subscription
 * (about 25 bytes per message with one subscription), in 4096-entry pages. */
#ifndef SP_CHECK_MODEL_H
#define SP_CHECK_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "findings.h"
#include "history.h"
#include "meta.h"
#include "pages.h"

/* ---- slot encoding ------------------------------------------------------ */

#define REF_SEQ_BITS 36
#define REF_SEQ_MAX  ((1ull << REF_SEQ_BITS) - 1)
#define REF_MASK     ((1ull << 56) - 1)
#define REF_UNKNOWN  (0xfffffull << REF_SEQ_BITS)

#define SLOT_ACKED        (1ull << 56) /* an ACK reported this offset */
#define SLOT_READBACK     (1ull << 57) /* the readback found a record here */
#define SLOT_EXISTS       (1ull << 58) /* some record says the offset exists */
#define SLOT_INCONSISTENT (1ull << 59) /* different messages seen here (counted) */
#define SLOT_UNKNOWN      (1ull << 60) /* unknown-message counted here */
#define SLOT_CONTENT      (1ull << 61) /* content-mismatch counted here */

static inline uint64_t ref_make(uint32_t widx, uint64_t seq) {
  return ((uint64_t)widx + 1) << REF_SEQ_BITS | seq;
}
static inline uint32_t ref_writer(uint64_t ref) {
  return (uint32_t)((ref & REF_MASK) >> REF_SEQ_BITS) - 1;
}
static inline uint64_t ref_seq(uint64_t ref) { return ref & REF_SEQ_MAX; }

/* ---- message slots ------------------------------------------------------ */

#define TP_NONE  0xffffffu
#define W_ACKED  (1u << 24) /* an ACK was recorded */
#define W_NACKED (1u << 25) /* a NACK was recorded */
/* W_LOCATED: offset/tp say where the message was first acked or seen (so a
 * located message without an ACK was seen in the log). */
#define W_LOCATED      (1u << 26)
#define W_DUP          (1u << 27) /* seen at more than one offset: see dups */
#define W_EVALUATED    (1u << 28) /* judged for loss (evaluate.c) */
#define W_HAS_TP       (1u << 29) /* tp is meaningful (located, or an ack without offset) */
#define W_PART_UNKNOWN (1u << 30) /* ack without partition: tp is the topic's first */

typedef struct wslot {
  int64_t offset;
  uint32_t tp_flags;
  uint32_t key;
} wslot;

static inline uint32_t ws_tp(const wslot *w) { return w->tp_flags & TP_NONE; }

/* Extra offsets of a message seen at several (the first is its location). */
typedef struct dup_occ {
  uint32_t tp;
  int64_t offset;
} dup_occ;

typedef struct dup_entry {
  uint64_t ref;
  dup_occ *occ;
  uint32_t n, cap;
} dup_entry;

/* Where a record came from, for examples and error messages. */
typedef struct rec_src {
  uint32_t file;
  uint64_t rec;
} rec_src;

typedef struct model {
  const meta *m;
  findings *f;
  check_info *info;
  /* per tp */
  pages *slots; /* u64 slot by offset */
  uint32_t *tp_topic;
  uint64_t *log_start; /* END_OFFSETS log start (0 without readback) */
  int64_t *log_end;    /* END_OFFSETS end offset, -1 unknown */
  /* per writer */
  pages *wmsgs;    /* wslot by seq */
  uint64_t *wsent; /* WRITER_END.seq: messages handed to the client */
  uint64_t *wseen; /* 1 + highest seq any record names */
  uint8_t *wclean; /* wrote WRITER_END */
  /* per subscription-partition */
  pages *applied;       /* u8 apply count by offset */
  int64_t *max_applied; /* highest offset applied, -1 none */
  /* per subscription */
  check_sub_result *subs;
  /* per topic: the subscriptions reading it */
  uint32_t **topic_subs;
  uint32_t *topic_nsubs;
  /* messages seen at several offsets */
  dup_entry *dups;
  size_t n_dups, cap_dups;
  uint32_t *dup_index; /* open addressing: ref hash -> dups index + 1 */
  size_t dup_index_cap;
  /* last writer id looked up (records come in runs of one writer) */
  uint32_t last_writer_id;
  int32_t last_widx;
  int readback_ok;          /* readback.hist present and meta says completed */
  uint64_t readback_needed; /* acked messages only the readback could vouch for */
} model;

void model_init(model *md, const meta *m, findings *f, check_info *info, check_sub_result *subs);
void model_free(model *md);

/* Writer index of a writer id, or -1 (cached). */
int32_t model_writer(model *md, uint32_t writer_id);

/* ACK of message (widx, seq) at tp/offset; tp TP_NONE or offset < 0 when the
 * ack carried none. topic is the record's topic. */
void model_ack(model *md, const rec_src *src, uint32_t widx, uint64_t seq, uint32_t key,
               uint32_t topic, uint32_t tp, int64_t offset);
/* NACK of message (widx, seq). */
void model_nack(model *md, uint32_t widx, uint64_t seq);
/* A READBACK (sub = -1) or APPLY/SKIP (sub = the reader's subscription) of
 * record r at tp/r->offset: places the message in the version order, or
 * counts an unknown-message / content-mismatch. */
void model_observe(model *md, const rec_src *src, const hist_record *r, uint32_t tp, int32_t sub,
                   int32_t reader);
/* Counts one application of offset by subscription sub (partition p of its
 * topic); reports a redelivery the first time an offset is applied twice. */
void model_apply(model *md, const rec_src *src, const hist_record *r, uint32_t sub, uint32_t tp,
                 int32_t reader);

/* The dup entry of ref, or NULL. */
dup_entry *model_dup(model *md, uint64_t ref);

#endif
