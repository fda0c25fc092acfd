/* drain.c: see drain.h. */
#include "drain.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

void drain_init(drain_tracker *d, uint32_t n_topics, const int32_t *partitions, uint32_t n_subs,
                const uint32_t *sub_topic) {
  memset(d, 0, sizeof *d);
  d->n_topics = n_topics;
  d->n_subs = n_subs;
  d->tp_base = sp_calloc(n_topics ? n_topics : 1, sizeof *d->tp_base);
  d->partitions = sp_calloc(n_topics ? n_topics : 1, sizeof *d->partitions);
  for (uint32_t t = 0; t < n_topics; t++) {
    d->tp_base[t] = d->n_tps;
    d->partitions[t] = partitions[t];
    d->n_tps += (uint32_t)partitions[t];
  }
  d->sub_topic = sp_calloc(n_subs ? n_subs : 1, sizeof *d->sub_topic);
  if (n_subs) memcpy(d->sub_topic, sub_topic, n_subs * sizeof *sub_topic);
  size_t tps = d->n_tps ? d->n_tps : 1;
  d->start = sp_malloc(tps * sizeof *d->start);
  d->target = sp_malloc(tps * sizeof *d->target);
  for (size_t i = 0; i < tps; i++) d->start[i] = d->target[i] = -1;
  size_t cells = (size_t)(n_subs ? n_subs : 1) * tps;
  d->pos = sp_malloc(cells * sizeof *d->pos);
  for (size_t i = 0; i < cells; i++) d->pos[i] = -1;
}

void drain_free(drain_tracker *d) {
  free(d->tp_base);
  free(d->partitions);
  free(d->sub_topic);
  free(d->start);
  free(d->target);
  free(d->pos);
  memset(d, 0, sizeof *d);
}

/* Index of (topic, partition), or -1 when out of range. */
static int64_t tp_index(const drain_tracker *d, uint32_t topic, int32_t partition) {
  if (topic >= d->n_topics || partition < 0 || partition >= d->partitions[topic]) return -1;
  return (int64_t)d->tp_base[topic] + partition;
}

void drain_set_target(drain_tracker *d, uint32_t topic, int32_t partition, int64_t start,
                      int64_t end) {
  int64_t i = tp_index(d, topic, partition);
  if (i < 0) return;
  d->start[i] = start;
  d->target[i] = end;
}

void drain_report(drain_tracker *d, uint32_t sub, uint32_t topic, int32_t partition, int64_t offset) {
  int64_t i = tp_index(d, topic, partition);
  if (i < 0 || sub >= d->n_subs || d->sub_topic[sub] != topic) return;
  int64_t *p = &d->pos[(size_t)sub * d->n_tps + (size_t)i];
  if (offset > *p) *p = offset;
}

/* Messages of partition i that subscription sub still has to process. */
static uint64_t left(const drain_tracker *d, uint32_t sub, uint32_t i, int *unknown) {
  int64_t target = d->target[i];
  if (target < 0) {
    *unknown = 1;
    return 0;
  }
  int64_t from = d->pos[(size_t)sub * d->n_tps + i];
  if (d->start[i] > from) from = d->start[i]; /* below the log start there is nothing to read */
  if (from < 0) from = 0;
  return target > from ? (uint64_t)(target - from) : 0;
}

int drain_sub_complete(const drain_tracker *d, uint32_t sub) {
  if (sub >= d->n_subs) return 0;
  uint32_t t = d->sub_topic[sub];
  for (int32_t p = 0; p < d->partitions[t]; p++) {
    int unknown = 0;
    if (left(d, sub, d->tp_base[t] + (uint32_t)p, &unknown) || unknown) return 0;
  }
  return 1;
}

int drain_complete(const drain_tracker *d) {
  for (uint32_t s = 0; s < d->n_subs; s++)
    if (!drain_sub_complete(d, s)) return 0;
  return 1;
}

uint64_t drain_remaining(const drain_tracker *d) {
  uint64_t sum = 0;
  for (uint32_t s = 0; s < d->n_subs; s++) {
    uint32_t t = d->sub_topic[s];
    for (int32_t p = 0; p < d->partitions[t]; p++) {
      int unknown = 0;
      sum += left(d, s, d->tp_base[t] + (uint32_t)p, &unknown);
    }
  }
  return sum;
}
