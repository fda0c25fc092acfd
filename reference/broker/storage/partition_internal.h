/* partition_internal.h: helpers shared by the partition's source files
 * (partition.c, partition_read.c, partition_open.c, retention.c). */
#ifndef REFBROKER_PARTITION_INTERNAL_H
#define REFBROKER_PARTITION_INTERNAL_H

#include "partition.h"

/* Puts the partition on the store's dirty list (no-op under NEVER). */
void partition_mark_dirty(partition *p);
/* Appends a segment to the ordered list. */
void partition_push_segment(partition *p, segment *seg);
/* Rebuilds the producer state from the batch headers. 0 or -1. */
int partition_replay_producers(partition *p);
/* Cuts the log back to offset `to`; see partition.c. */
void partition_cut_back(partition *p, int64_t to, const char *why);
/* Index of the segment holding `offset` (the last one with base <= offset). */
size_t partition_find_segment(const partition *p, int64_t offset);
/* Byte position of the batch holding `offset` in segment `seg` (see
 * segment_locate), answered from the read hint when a consumer continues
 * where the previous read ended. */
int64_t partition_locate(partition *p, segment *seg, int64_t offset);
/* Forgets the read hint (the segment it names was cut or deleted). */
void partition_forget_hint(partition *p);

#endif
