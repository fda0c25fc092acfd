/* effects.h: the exactly-once consumer's effect store, one per input
 * partition of a subscription.
 *
 * The "effect" of processing a message is its identity written as an APPLY
 * record to <history>/effects-<sub>-<topic>-<p>.hist. The record carries
 * the input offset, so effect and offset are stored together by one
 * append: after a crash the last record says exactly how far processing
 * got, whatever the group's committed offset says (DDIA ch. 11: make the
 * processing idempotent by remembering the last applied input offset).
 *
 * Ownership: only the consumer holding an exclusive flock on the
 * partition's lock file (<lock_dir>/effects-<sub>-<topic>-<p>.lock) may
 * append. It takes the lock when the partition is assigned and keeps it
 * until the partition is revoked or the process dies (the kernel releases
 * it). A consumer paused by SIGSTOP keeps its lock: when the group has
 * given its partitions to another member meanwhile, that member cannot
 * take the lock and waits (the partition stays paused) until the zombie
 * either dies or resumes, sees its revocation and lets go. So a zombie can
 * never append after the new owner read the last applied offset.
 *
 * Under the lock: read the last record (hist_read_last), resume reading at
 * its offset + 1, and skip (SKIP record in the consumer's own history) any
 * message at or below it that arrives anyway. Appends are buffered per
 * batch and written with one write(2). */
#ifndef SP_EFFECTS_H
#define SP_EFFECTS_H

#include <stdint.h>

#include "history.h"

typedef struct effects_store {
  int lock_fd;         /* -1 when not held */
  hist_writer *out;    /* open while owned */
  int64_t last_applied; /* last applied input offset, -1 if none */
  char path[1024];
  char lock_path[1024];
} effects_store;

/* Sets the paths for (subscription, topic index, partition); not owned. */
void effects_init(effects_store *e, const char *history_dir, const char *lock_dir,
                  uint32_t subscription, uint32_t topic, int32_t partition);

/* Tries to become the owner without waiting: 1 owned (last_applied set,
 * writer open), 0 another process holds the lock, -1 error (errno). */
int effects_acquire(effects_store *e, uint32_t subscription);

/* Test-only (the lying consumer of worker_spec.h's WBUG_*): opens the
 * store for appending WITHOUT the lock and without reading the last
 * applied offset, as a consumer that does not implement exactly-once
 * would. 0 or -1 (errno). */
int effects_open_unlocked(effects_store *e, uint32_t subscription);

/* Buffers one APPLY (rec->offset must be > last_applied). */
int effects_apply(effects_store *e, const hist_record *rec);

/* Writes buffered APPLYs out (one write(2)). 0 or -1 (errno). */
int effects_flush(effects_store *e);

/* Flushes, closes and gives up ownership. 0 or -1 (flush error). */
int effects_release(effects_store *e);

static inline int effects_owned(const effects_store *e) { return e->lock_fd >= 0; }

#endif
