/* observed.h: what a reader saw in a message, as a history record.
 *
 * Consumers (APPLY, SKIP) and the end-of-run readback (READBACK) describe a
 * message the same way: the identity decoded from its payload (identity.h)
 * and flags saying how far the payload could be trusted (history.h:
 * HIST_F_IDENTITY, HIST_F_CHECKSUM, HIST_F_KEY_OK). */
#ifndef SP_OBSERVED_H
#define SP_OBSERVED_H

#include <stddef.h>
#include <stdint.h>

#include "history.h"

/* Fills rec (type, topic, partition, offset, actor and t_ns set by the
 * caller first) from a payload and its record key. Returns 1 when the
 * payload carried a streamproof identity (the latency fields are then
 * meaningful), 0 for an unknown message (writer 0, flags 0). */
int observed_fill(hist_record *rec, const void *payload, size_t len, const void *key,
                  size_t key_len);

#endif
