/* gen.h: synthetic run folders (meta.json + history files) for the
 * checker's tests and benchmark.
 *
 * A clean history is built from a model of the log: producers write their
 * messages round-robin by key into the partitions (offsets dense from 0),
 * every message is acked at its first offset, every subscription's
 * consumers own partitions p % consumers == c and apply every offset in
 * order, the readback holds every offset. Anomalies are then planted, each
 * the way a real fault would produce it:
 *
 *   log plants (before gen_derive)   the broker stored something odd
 *   stream plants (after gen_derive) a consumer or producer misbehaved
 *
 * gen_write writes the folder. Helpers abort on a misuse (a plant that does
 * not fit the history): that is a bug in the test, not in the checker. */
#ifndef SP_CHECK_GEN_H
#define SP_CHECK_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "anomaly.h"
#include "history.h"

#define GEN_MAX_SUBS 4

typedef struct gen_config {
  uint32_t topics;             /* default 1 */
  uint32_t partitions;         /* per topic, default 3 */
  uint32_t producers;          /* per topic, one writer each, default 2 */
  uint64_t messages;           /* per producer, default 60 */
  uint32_t keys;               /* key ids 0..keys-1; default 4 */
  int no_keys;                 /* messages carry no key (partition round robin) */
  int per_key;                 /* meta.json ordering: per_key */
  uint32_t subs;               /* subscriptions; sub s reads topic s % topics; default 1 */
  semantics sem[GEN_MAX_SUBS]; /* default at_least_once */
  uint32_t consumers;          /* per subscription, default 2 */
} gen_config;

typedef struct gen_msg {
  uint32_t writer; /* writer id */
  uint64_t seq;
  uint32_t key;
  uint8_t flags; /* HIST_F_* a reader sees */
} gen_msg;

typedef struct gen_part {
  gen_msg *m; /* m[offset] */
  size_t n, cap;
  uint64_t log_start;         /* readback starts here */
  int64_t drop_from, drop_to; /* readback leaves out [from, to) */
} gen_part;

typedef struct gen_recs {
  hist_record *r;
  size_t n, cap;
} gen_recs;

typedef struct gen_proc {
  uint32_t id;
  uint32_t owner; /* producer or consumer index */
  const char *exit;
} gen_proc;

/* What a producer learned about a message (before gen_derive). */
enum { GEN_FATE_ACK = 0, GEN_FATE_NACK, GEN_FATE_NONE, GEN_FATE_ACK_NO_OFFSET };

typedef struct gen {
  gen_config c;
  gen_part *log;  /* [tp] */
  uint8_t **fate; /* [writer index][seq] */
  gen_recs *prod; /* [producer] */
  gen_recs *cons; /* [consumer]: consumer index = sub * consumers + c */
  gen_recs readback;
  gen_proc *writers, *readers;
  size_t n_writers, n_readers;
  uint32_t next_id;
  int drain_completed, readback_completed, write_readback, write_meta;
  struct {
    char name[64];
    size_t bytes;
  } torn[8];
  size_t n_torn;
} gen;

/* Plans producers, writers, subscriptions, consumers and readers (no log). */
gen *gen_plan(const gen_config *c);
/* Plans and builds the clean log. */
gen *gen_new(const gen_config *c);
void gen_free(gen *g);

uint32_t gen_tp(const gen *g, uint32_t topic, uint32_t partition);
/* Index of the consumer of subscription s that owns partition p. */
uint32_t gen_owner(const gen *g, uint32_t s, uint32_t p);
const gen_msg *gen_at(const gen *g, uint32_t tp, int64_t offset);
/* Writer index of a writer id. */
uint32_t gen_widx(const gen *g, uint32_t writer_id);

/* ---- log plants ---------------------------------------------------------- */
/* A second copy of the message at offset, stored right after it. */
void gen_log_duplicate(gen *g, uint32_t tp, int64_t offset);
void gen_log_swap(gen *g, uint32_t tp, int64_t a, int64_t b);
/* Inserts a foreign message at offset (later offsets move up). */
void gen_log_insert(gen *g, uint32_t tp, int64_t offset, gen_msg m);
/* The stored message at offset is damaged: readers see these flags. */
void gen_log_flags(gen *g, uint32_t tp, int64_t offset, uint8_t flags);
/* The message at offset is not stored at all (later offsets move down). */
void gen_log_remove(gen *g, uint32_t tp, int64_t offset);
/* The first two messages of one writer and key in tp, in log order. */
void gen_same_key(const gen *g, uint32_t tp, int64_t *a, int64_t *b);
/* What the producer hears about a message (default: ack). */
void gen_fate(gen *g, uint32_t writer_id, uint64_t seq, int fate);

/* Builds producer, consumer and readback records from the log. */
void gen_derive(gen *g);

/* ---- stream plants ------------------------------------------------------- */
/* The reader owning (s, p) crashes after applying crash_after; a new reader
 * incarnation resumes every partition where it left off, p at resume_at. */
void gen_restart(gen *g, uint32_t s, uint32_t p, int64_t crash_after, int64_t resume_at);
/* The owner of (s, p) never applies offsets >= from. */
void gen_stop(gen *g, uint32_t s, uint32_t p, int64_t from);
/* The owner of (s, p) jumps over offset o (no ASSIGN); another consumer of
 * s briefly owns p and applies o (ASSIGN, APPLY, REVOKE). */
void gen_skip_via_other(gen *g, uint32_t s, uint32_t p, int64_t o);
/* The owner of (s, p) leaves offsets [a, b) out (after an ASSIGN at b) and
 * applies them at the very end, going back without a reset. */
void gen_move_block(gen *g, uint32_t s, uint32_t p, int64_t a, int64_t b);
/* Right after applying o, the owner polls o again and SKIPs it. */
void gen_repoll(gen *g, uint32_t s, uint32_t p, int64_t o);
/* The owner's APPLY of o saw a damaged payload (flags cleared). */
void gen_apply_flags(gen *g, uint32_t s, uint32_t p, int64_t o, uint8_t clear);
/* The producer's ACK of (writer, seq) reports offset instead. */
void gen_ack_offset(gen *g, uint32_t writer_id, uint64_t seq, int64_t offset);
/* The readback leaves out [from, to) of tp (to = -1: to the end). */
void gen_readback_drop(gen *g, uint32_t tp, int64_t from, int64_t to);
/* The final log start of tp (retention deleted what is below). */
void gen_log_start(gen *g, uint32_t tp, uint64_t start);
/* meta.json says a reader or writer (by id) ended with `exit`. */
void gen_exit(gen *g, uint32_t id, const char *exit);
/* After writing, append `bytes` garbage bytes to history/<name>. */
void gen_torn(gen *g, const char *name, size_t bytes);

/* Writes <dir>/history/ (creating dir). Returns 0 or -1 (errno). */
int gen_write(gen *g, const char *dir);
/* Writes only <dir>/history/meta.json for the planned run. */
int gen_write_meta(const gen *g, const char *dir);

#endif
