/* poll_order.h: poll continuity of each reader incarnation on each partition
 * (poll-skip, nonmonotonic-poll).
 *
 * A lane is one reader on one partition of its subscription's topic. It
 * remembers the last offset the reader polled there (APPLY or SKIP); ASSIGN
 * and REVOKE of the partition (or of all partitions: partition -1) and
 * READER_START reset it, and a restart is a new reader id, so a new lane.
 *
 *   next offset <= last     nonmonotonic-poll, reported at once
 *   next offset >  last + 1 a candidate jump; it becomes a poll-skip only if
 *                           an offset in between is known to exist at or
 *                           above the final log start, which is known only
 *                           after every file was read (evaluate.c), so
 *                           candidates are kept (they are rare unless the
 *                           log is sparse, e.g. transaction markers)
 *
 * Exactly-once readers write their APPLY records to the effects files and
 * their ASSIGN/REVOKE/SKIP to their consumer file. Their consumer-file
 * events are therefore deferred per lane and merged by time (t_ns, one
 * monotonic clock on one host) into the effects file's applies. */
#ifndef SP_CHECK_POLL_H
#define SP_CHECK_POLL_H

#include <stddef.h>
#include <stdint.h>

#include "findings.h"
#include "meta.h"

typedef struct poll_event {
  uint64_t t_ns;
  int64_t offset;
  uint64_t rec;
  uint32_t file;
  uint8_t type; /* HIST_APPLY, HIST_SKIP, HIST_ASSIGN, HIST_REVOKE */
} poll_event;

typedef struct poll_lane {
  int64_t last; /* last polled offset; -1 after a reset */
  poll_event *deferred;
  size_t n, cap, pos; /* deferred events, next to feed */
} poll_lane;

typedef struct poll_jump {
  uint32_t reader, tp;
  int64_t from, to;
  uint32_t file;
  uint64_t rec, t_ns;
} poll_jump;

typedef struct poll_tracker {
  const meta *m;
  findings *f;
  poll_lane **lanes; /* [reader] -> [partition of its topic], allocated on use */
  poll_jump *jumps;
  size_t n_jumps, cap_jumps;
} poll_tracker;

void poll_init(poll_tracker *pt, const meta *m, findings *f);
void poll_free(poll_tracker *pt);

/* Feeds one event of `reader` now. partition -1 (ASSIGN/REVOKE) or
 * READER_START reset every lane of the reader. */
void poll_feed(poll_tracker *pt, uint32_t reader, const poll_event *ev, int32_t partition);
/* Keeps a consumer-file event of an exactly-once reader for poll_feed_merged
 * (partition -1 is copied into every lane). */
void poll_defer(poll_tracker *pt, uint32_t reader, const poll_event *ev, int32_t partition);
/* Feeds an effects-file apply after the reader's deferred events on that
 * partition with t_ns no later than the apply's. */
void poll_feed_merged(poll_tracker *pt, uint32_t reader, const poll_event *ev, int32_t partition);
/* Feeds every deferred event not fed yet (after the last effects file). */
void poll_flush(poll_tracker *pt);

#endif
