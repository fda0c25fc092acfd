/* findings.h: anomaly counts (in total, per partition, per subscription) and
 * the first few examples of each type, with enough detail to find the
 * records again (writer, seq, partition, offset, reader, file and record
 * index, time).
 *
 * Counting is cheap and unbounded; examples are kept only up to ex_max per
 * type, in the order the checker met them (deterministic: files are read in
 * name order, partitions and offsets in ascending order). */
#ifndef SP_CHECK_FINDINGS_H
#define SP_CHECK_FINDINGS_H

#include <stddef.h>
#include <stdint.h>

#include "anomaly.h"

#define EX_NONE (-1)

/* One example. Which fields mean something depends on the type; unused ones
 * keep the defaults findings_add sets (-1 / 0 / NULL). */
typedef struct example {
  int32_t sub;     /* subscription index */
  int32_t reader;  /* reader index (meta) */
  uint32_t tp;     /* tp index */
  int64_t offset;  /* where it happened */
  int64_t offset2; /* the other offset: duplicate's second copy, poll's
                      * previous offset, key-order's previous message,
                      * lost-write's highest applied offset */
  int has_writer;  /* writer/seq below are meaningful */
  uint32_t writer; /* writer id (as in the records, not an index) */
  uint64_t seq;
  int has_writer2; /* inconsistent-offsets: the other message */
  uint32_t writer2;
  uint64_t seq2; /* also key-order's previous seq */
  uint32_t key;
  uint64_t n;         /* poll-skip: offsets skipped; redelivered: applies */
  int32_t file;       /* index into the checker's file list, or -1 */
  uint64_t rec;       /* record index in that file */
  uint64_t t_ns;      /* the record's t_ns */
  const char *reason; /* static text, or NULL */
} example;

typedef struct findings {
  size_t n_tp, n_sub, ex_max;
  uint64_t total[ANOM_COUNT];
  uint64_t *by_tp[ANOM_COUNT];  /* [tp] */
  uint64_t *by_sub[ANOM_COUNT]; /* [sub], per-subscription types only */
  example *ex[ANOM_COUNT];
  size_t ex_n[ANOM_COUNT];
} findings;

void findings_init(findings *f, size_t n_tp, size_t n_sub, size_t ex_max);
void findings_free(findings *f);

/* Counts one anomaly of type t in partition tp, charged to subscription sub
 * (required for per-subscription types, -1 otherwise). Returns an example
 * to fill in (defaults set, sub and tp filled) while fewer than ex_max were
 * kept, else NULL. */
example *findings_add(findings *f, anomaly_type t, uint32_t tp, int32_t sub);

#endif
