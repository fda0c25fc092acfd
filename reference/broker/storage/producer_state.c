/* producer_state.c: see producer_state.h. */
#include "producer_state.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "store.h"

void producer_state_init(producer_state *ps) { memset(ps, 0, sizeof *ps); }

void producer_state_free(producer_state *ps) {
  free(ps->slots);
  memset(ps, 0, sizeof *ps);
}

void producer_state_clear(producer_state *ps) {
  for (size_t i = 0; i < ps->cap; i++) ps->slots[i].producer_id = -1;
  ps->count = 0;
}

static size_t slot_of(int64_t producer_id, size_t cap) {
  return (size_t)(((uint64_t)producer_id * 0x9E3779B97F4A7C15ull) >> 17) & (cap - 1);
}

static producer_entry *find_slot(const producer_state *ps, int64_t producer_id) {
  if (!ps->cap) return NULL;
  for (size_t i = slot_of(producer_id, ps->cap);; i = (i + 1) & (ps->cap - 1)) {
    producer_entry *e = &ps->slots[i];
    if (e->producer_id == producer_id || e->producer_id == -1) return e;
  }
}

const producer_entry *producer_state_find(const producer_state *ps, int64_t producer_id) {
  producer_entry *e = find_slot(ps, producer_id);
  return e && e->producer_id == producer_id ? e : NULL;
}

/* Doubles the table (kept at most half full so probes stay short). */
static void grow(producer_state *ps) {
  producer_state old = *ps;
  ps->cap = old.cap ? old.cap * 2 : 16;
  ps->slots = sp_malloc(ps->cap * sizeof *ps->slots);
  for (size_t i = 0; i < ps->cap; i++) ps->slots[i].producer_id = -1;
  for (size_t i = 0; i < old.cap; i++)
    if (old.slots[i].producer_id != -1) *find_slot(ps, old.slots[i].producer_id) = old.slots[i];
  free(old.slots);
}

/* Kafka's inSequence: the next batch starts right after the last one, and
 * INT32_MAX is followed by 0. */
static int seq_follows(int32_t last_seq, int32_t first_seq) {
  return (int64_t)first_seq == (int64_t)last_seq + 1 || (first_seq == 0 && last_seq == INT32_MAX);
}

int producer_state_check_after(int16_t prev_epoch, int32_t prev_last_seq, int16_t epoch,
                               int32_t first_seq) {
  if (epoch < prev_epoch) return KERR_INVALID_PRODUCER_EPOCH;
  if (epoch > prev_epoch) return first_seq == 0 ? KERR_NONE : KERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
  return seq_follows(prev_last_seq, first_seq) ? KERR_NONE : KERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
}

int producer_state_check(const producer_state *ps, int64_t producer_id, int16_t epoch,
                         int32_t first_seq, int32_t last_seq, int64_t *dup_base, int64_t *dup_last) {
  const producer_entry *e = producer_state_find(ps, producer_id);
  if (!e) return KERR_NONE;
  if (epoch == e->epoch) {
    for (int i = 0; i < e->count; i++) {
      const producer_batch *b = &e->batches[(e->head + i) % PRODUCER_BATCHES];
      if (b->first_seq == first_seq && b->last_seq == last_seq) {
        *dup_base = b->base_offset;
        *dup_last = b->last_offset;
        return KERR_DUPLICATE_SEQUENCE_NUMBER;
      }
    }
  }
  const producer_batch *newest = &e->batches[(e->head + e->count - 1) % PRODUCER_BATCHES];
  return producer_state_check_after(e->epoch, newest->last_seq, epoch, first_seq);
}

void producer_state_record(producer_state *ps, int64_t producer_id, int16_t epoch, int32_t first_seq,
                           int32_t last_seq, int64_t base_offset, int64_t last_offset) {
  if ((ps->count + 1) * 2 > ps->cap) grow(ps);
  producer_entry *e = find_slot(ps, producer_id);
  if (e->producer_id != producer_id) {
    memset(e, 0, sizeof *e);
    e->producer_id = producer_id;
    e->epoch = epoch;
    ps->count++;
  }
  if (epoch != e->epoch) {
    e->epoch = epoch;
    e->count = 0;
    e->head = 0;
  }
  producer_batch b = {first_seq, last_seq, base_offset, last_offset};
  if (e->count < PRODUCER_BATCHES) {
    e->batches[(e->head + e->count) % PRODUCER_BATCHES] = b;
    e->count++;
  } else {
    e->batches[e->head] = b;
    e->head = (uint8_t)((e->head + 1) % PRODUCER_BATCHES);
  }
}

int64_t producer_state_max_id(const producer_state *ps) {
  int64_t max = -1;
  for (size_t i = 0; i < ps->cap; i++)
    if (ps->slots[i].producer_id > max) max = ps->slots[i].producer_id;
  return max;
}
