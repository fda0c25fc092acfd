/* drain.h: when is the final drain done?
 *
 * After the producers stop, the orchestrator reads the end offset (high
 * watermark) and log start of every partition. The drain is complete for a
 * subscription when, for every partition of its topic, some consumer of
 * the subscription has processed up to the end offset (its reported
 * position, the next offset to process, reached it), or the partition holds
 * nothing (end = log start). Positions only move forward here: a consumer
 * that restarts from an older committed offset does not undo what another
 * member already processed.
 *
 * Pure bookkeeping, no I/O: tested on its own. */
#ifndef SP_DRAIN_H
#define SP_DRAIN_H

#include <stdint.h>

typedef struct drain_tracker {
  uint32_t n_topics, n_subs, n_tps;
  uint32_t *tp_base;   /* per topic: index of its partition 0 */
  int32_t *partitions; /* per topic */
  uint32_t *sub_topic; /* per subscription */
  int64_t *start;      /* per tp: log start, -1 unknown */
  int64_t *target;     /* per tp: end offset, -1 not set yet */
  int64_t *pos;        /* per subscription x tp: highest position reported */
} drain_tracker;

void drain_init(drain_tracker *d, uint32_t n_topics, const int32_t *partitions, uint32_t n_subs,
                const uint32_t *sub_topic);
void drain_free(drain_tracker *d);

/* Sets a partition's log start and end offset (the drain's target). */
void drain_set_target(drain_tracker *d, uint32_t topic, int32_t partition, int64_t start,
                      int64_t end);

/* A consumer of subscription sub processed partition (topic, partition)
 * up to offset (exclusive). Out-of-range input is ignored. */
void drain_report(drain_tracker *d, uint32_t sub, uint32_t topic, int32_t partition, int64_t offset);

/* 1 when subscription sub reached every target (all targets must be set). */
int drain_sub_complete(const drain_tracker *d, uint32_t sub);
/* 1 when every subscription did. */
int drain_complete(const drain_tracker *d);
/* Messages still to process, summed over subscriptions (progress display). */
uint64_t drain_remaining(const drain_tracker *d);

#endif
