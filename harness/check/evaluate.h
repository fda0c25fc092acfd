/* evaluate.h: the judgements that need the whole history, made after every
 * file was ingested:
 *
 *   1. poll jumps -> poll-skip, when an offset in between is known to exist
 *      at or above the partition's final log start;
 *   2. per partition, offsets ascending: acked-but-missing (acked, at or
 *      above the log start, not in a complete readback), key-order (per
 *      (writer, key), a sequence lower than the previous one), and every
 *      message at its location: duplicate, then per subscription of its
 *      topic lost-write / unseen / below-log-start and the consume count;
 *   3. per writer, sequences ascending: indeterminate and nacked-but-present
 *      sends, acked messages never located anywhere, and messages located
 *      only at an inconsistent offset.
 *
 * Loss is judged per message, not per offset: a message applied at any of
 * the offsets it is stored at was delivered. Offsets whose message is
 * inconsistent are left out of that sum when the message has a consistent
 * one, so one contradictory record does not turn into a loss too. */
#ifndef SP_CHECK_EVALUATE_H
#define SP_CHECK_EVALUATE_H

#include "model.h"
#include "poll_order.h"

void evaluate_run(model *md, poll_tracker *pt);

#endif
