/* producer_state.h: idempotent producers of one partition.
 *
 * For each producer id, the epoch and the last PRODUCER_BATCHES batches
 * (sequence range and the offsets they got), as Kafka 3.4 keeps them
 * (ProducerStateManager): a retried batch is recognised and answered with
 * its original offsets instead of being written twice. Rebuilt at open by
 * replaying the batch headers of the log in order, and after a cut-back.
 *
 *   same epoch, [first,last] equal to a kept batch   duplicate: original offsets
 *   same epoch, first == last kept + 1 (INT32_MAX wraps to 0)   accept
 *   same epoch, anything else                        OUT_OF_ORDER_SEQUENCE_NUMBER
 *   lower epoch                                      INVALID_PRODUCER_EPOCH
 *   higher epoch, first == 0                         accept, forget the old epoch
 *   higher epoch, first != 0                         OUT_OF_ORDER_SEQUENCE_NUMBER
 *   unknown producer id                              accept any sequence */
#ifndef REFBROKER_PRODUCER_STATE_H
#define REFBROKER_PRODUCER_STATE_H

#include <stddef.h>
#include <stdint.h>

#define PRODUCER_BATCHES 5

typedef struct producer_batch {
  int32_t first_seq, last_seq;
  int64_t base_offset, last_offset;
} producer_batch;

typedef struct producer_entry {
  int64_t producer_id;         /* -1: free slot */
  int16_t epoch;
  uint8_t count;               /* kept batches, newest at batches[(head + count - 1) % N] */
  uint8_t head;
  producer_batch batches[PRODUCER_BATCHES];
} producer_entry;

typedef struct producer_state {
  producer_entry *slots;       /* open addressing, linear probing */
  size_t cap, count;
} producer_state;

void producer_state_init(producer_state *ps);
void producer_state_free(producer_state *ps);
void producer_state_clear(producer_state *ps);

/* Checks a batch [first_seq, last_seq] from (producer_id, epoch). Returns
 * KERR_NONE (append it), KERR_DUPLICATE_SEQUENCE_NUMBER (do not append: it
 * was already written at *dup_base..*dup_last), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER
 * or KERR_INVALID_PRODUCER_EPOCH. Changes nothing. */
int producer_state_check(const producer_state *ps, int64_t producer_id, int16_t epoch,
                         int32_t first_seq, int32_t last_seq, int64_t *dup_base, int64_t *dup_last);

/* The same rule against a batch earlier in the same request (not yet in
 * the state): prev_* are that batch's epoch and last sequence. */
int producer_state_check_after(int16_t prev_epoch, int32_t prev_last_seq, int16_t epoch,
                               int32_t first_seq);

/* Records an appended batch (resetting the entry on a new epoch). */
void producer_state_record(producer_state *ps, int64_t producer_id, int16_t epoch, int32_t first_seq,
                           int32_t last_seq, int64_t base_offset, int64_t last_offset);

/* The entry for a producer id, or NULL. */
const producer_entry *producer_state_find(const producer_state *ps, int64_t producer_id);

/* The largest producer id seen (-1 if none): id allocation never goes below. */
int64_t producer_state_max_id(const producer_state *ps);

#endif
