/* meta.h: <run>/history/meta.json, read and validated for the checker.
 *
 * The schema is specified in harness/history/README.md: topics, ordering,
 * subscriptions (with the semantics they claim), producers and their writer
 * incarnations, consumers and their reader incarnations, whether the final
 * drain and the readback completed. Everything is flattened into arrays and
 * indexes here so the checker's hot loops never touch JSON:
 *
 *   tp index      topic t, partition p  ->  topics[t].tp_base + p
 *   sub-part idx  subscription s, partition p of its topic -> subs[s].part_base + p
 *   writer index  writer id (records' `writer`) -> writers[] (meta_writer)
 *   reader index  reader id (records' `actor`)  -> readers[] (meta_reader)
 */
#ifndef SP_CHECK_META_H
#define SP_CHECK_META_H

#include <stddef.h>
#include <stdint.h>

#include "anomaly.h"

/* How a writer or reader incarnation ended (meta.json "exit"). */
typedef enum { EXIT_CLEAN = 0, EXIT_KILLED, EXIT_CRASHED, EXIT_RUNNING } meta_exit;

typedef struct meta_topic {
  char *name;
  uint32_t partitions;
  uint32_t tp_base; /* first tp index of this topic */
} meta_topic;

typedef struct meta_sub {
  int64_t id;
  char *name;
  uint32_t topic; /* index into topics */
  semantics sem;
  uint32_t part_base; /* first sub-part index */
} meta_sub;

typedef struct meta_producer {
  int64_t id; /* n of producer-<n>.hist */
  uint32_t topic;
} meta_producer;

typedef struct meta_consumer {
  int64_t id;   /* n of consumer-<n>.hist */
  uint32_t sub; /* index into subs */
} meta_consumer;

/* One writer or reader incarnation. */
typedef struct meta_proc {
  uint32_t id;    /* writer/reader id, unique in the run */
  uint32_t owner; /* index into producers (writers) or consumers (readers) */
  int32_t incarnation;
  meta_exit exit;
} meta_proc;

/* u32 id -> index: a direct table when the ids are small (as streamproof
 * run allocates them), else open addressing. Looked up once per record. */
typedef struct meta_idmap {
  uint64_t *keys; /* UINT64_MAX = empty */
  uint32_t *vals;
  size_t cap;
  int32_t *direct; /* index by id, -1 = none; NULL when an id is too large */
  size_t direct_len;
} meta_idmap;

typedef struct meta {
  meta_topic *topics;
  size_t n_topics;
  uint32_t tp_count; /* partitions of all topics */
  meta_sub *subs;
  size_t n_subs;
  uint32_t sub_part_count;
  meta_producer *producers;
  size_t n_producers;
  meta_consumer *consumers;
  size_t n_consumers;
  meta_proc *writers;
  size_t n_writers;
  meta_proc *readers;
  size_t n_readers;
  int per_key;            /* ordering: per_key */
  int drain_completed;    /* drain.completed (absent: 0) */
  int readback_completed; /* readback.completed (absent: 0) */
  meta_idmap writer_ids, reader_ids;
} meta;

/* Loads and validates path. Returns 0, or -1 with "path: what is wrong
 * (JSON path or line:column)" in err; *m is then empty (meta_free-safe). */
int meta_load(const char *path, meta *m, char *err, size_t err_len);
void meta_free(meta *m);

/* Index of a writer/reader id, or -1 when meta.json does not list it. */
static inline int32_t meta_idmap_get(const meta_idmap *im, uint32_t id);
static inline int32_t meta_writer(const meta *m, uint32_t id) {
  return meta_idmap_get(&m->writer_ids, id);
}
static inline int32_t meta_reader(const meta *m, uint32_t id) {
  return meta_idmap_get(&m->reader_ids, id);
}
/* Index of the producer/consumer/subscription with that id, or -1. */
int32_t meta_producer_by_id(const meta *m, int64_t id);
int32_t meta_consumer_by_id(const meta *m, int64_t id);
int32_t meta_sub_by_id(const meta *m, int64_t id);

/* The subscription (index) a reader belongs to. */
static inline uint32_t meta_reader_sub(const meta *m, uint32_t reader) {
  return m->consumers[m->readers[reader].owner].sub;
}
/* Topic of a tp index. */
uint32_t meta_tp_topic(const meta *m, uint32_t tp);

const char *meta_exit_name(meta_exit e);

int32_t meta_idmap_probe(const meta_idmap *im, uint32_t id);
static inline int32_t meta_idmap_get(const meta_idmap *im, uint32_t id) {
  if (im->direct) return id < im->direct_len ? im->direct[id] : -1;
  return meta_idmap_probe(im, id);
}

#endif
