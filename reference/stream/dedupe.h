/* dedupe.h: the set of result ids a task already wrote before a crash.
 *
 * On restart refstream reads its own output from the checkpointed output
 * offsets to the end (readback.c) and gives each task the ids it finds.
 * While replaying, a result whose id is in the set is not written again
 * (it is taken out of the set); what remains after the replay caught up
 * is logged loudly, since a deterministic job regenerates every one.
 * The set is part of the checkpoint until it is empty, so a crash during
 * replay loses nothing. */
#ifndef RS_DEDUPE_H
#define RS_DEDUPE_H

#include <stddef.h>

#include "buf.h"
#include "kcodec.h"
#include "keymap.h"

typedef struct rs_dedupe {
  rs_map map;
} rs_dedupe;

void rs_dedupe_add(rs_dedupe *d, const char *id, size_t len);
/* Removes id if present; returns 1 if it was (the result is a duplicate). */
int rs_dedupe_take(rs_dedupe *d, const char *id, size_t len);
size_t rs_dedupe_count(const rs_dedupe *d);
/* Checkpoint form: i32 count, then BYTES per id, sorted bytewise so the
 * checkpoint does not depend on hash-table order. */
void rs_dedupe_save(const rs_dedupe *d, sp_buf *b);
int rs_dedupe_load(rs_dedupe *d, kreader *r);
void rs_dedupe_clear(rs_dedupe *d);

#endif
