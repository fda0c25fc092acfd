/* store_internal.h: the store struct, shared by store.c, topic.c and
 * producer_ids.c (not part of the API the protocol layer sees). */
#ifndef REFBROKER_STORE_INTERNAL_H
#define REFBROKER_STORE_INTERNAL_H

#include "offsets_store.h"
#include "partition.h"
#include "store.h"

typedef struct store_topic {
  char *name;
  int32_t partitions;
  partition **parts;
} store_topic;

struct store {
  store_config cfg;            /* normalised copy (defaults filled in) */
  char *data_dir;
  store_topic *topics;               /* sorted by name */
  size_t ntopics, topics_cap;
  partition_dirty_list dirty;
  offsets_store *offsets;
  int64_t next_producer_id;    /* next id to hand out */
  int64_t producer_ids_reserved; /* ids below this are recorded in producer-ids */
};

/* topic.c: finds the topic directories in the data dir and opens their
 * partitions. Returns 0, or -1 if the data dir cannot be listed. */
int topics_discover(store *s);
void topics_free(store *s);
store_topic *topic_find(const store *s, const char *name, size_t len);

/* producer_ids.c: loads the producer-ids file (creating it if missing) and
 * makes sure ids never go below what the logs hold. Returns 0 or -1. */
int producer_ids_open(store *s);

#endif
