/* record.h: what flows through the oracle's pipeline.
 *
 *   in_rec  one input record as decoded from a topic dump (README "Input
 *           formats"): its offset, key, time, value, Kafka key and
 *           timestamp, payload, and for identity messages the header fields.
 *   frec    a record in front of an operator: an input event (possibly
 *           transformed), or a result of an operator upstream (window,
 *           join, enrich, match, absence), with its coverage.
 *   cover   which input offsets a record stands for (README "Coverage"):
 *           first, last, n and oh = sum of mix64(offset) mod 2^64. */
#ifndef SP_ORACLE_RECORD_H
#define SP_ORACLE_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "job.h"

typedef struct in_rec {
  int64_t offset;
  int64_t kafka_ts;
  int64_t ts, value;  /* decoded (processing time: ts is the stamp) */
  const char *key;    /* decoded key, NUL-terminated copy */
  uint32_t key_len;
  int32_t kkey_len;   /* Kafka message key, -1: null */
  int32_t payload_len; /* -1: null (tombstone) */
  const uint8_t *kkey;
  const uint8_t *payload;
  uint8_t input;      /* 0 main, 1 joined/table source */
  uint8_t bad;        /* not decodable: only advances the position */
  uint8_t tombstone;  /* null payload of a table: deletes the row */
  uint8_t identity;   /* the identity fields below are set */
  uint32_t writer, key_id, size, topic;
  uint64_t seq;
  int64_t event_time_ms;
  const char *why;    /* bad: the reason (static text) */
} in_rec;

typedef struct cover {
  int64_t first, last;
  uint64_t n, oh;
} cover;

/* splitmix64's finaliser of an offset (README "Coverage"). */
static inline uint64_t mix64(uint64_t x) {
  uint64_t z = x + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static inline cover cover_of(int64_t offset) {
  return (cover){offset, offset, 1, mix64((uint64_t)offset)};
}

/* c := c union x (counts add: a window of window results covers the union
 * of what they cover). */
static inline void cover_add(cover *c, const cover *x) {
  if (!x->n) return;
  if (x->first < c->first) c->first = x->first;
  if (x->last > c->last) c->last = x->last;
  c->n += x->n;
  c->oh += x->oh;
}

static inline cover cover_empty(void) { return (cover){INT64_MAX, INT64_MIN, 0, 0}; }

/* Aggregates of a window, with the union of what its records cover. */
typedef struct agg {
  int64_t count;
  uint64_t sum; /* wraps mod 2^64 */
  int64_t min, max;
  cover cv;
} agg;

void agg_init(agg *a);
void agg_add(agg *a, int64_t value, const cover *cv);
void agg_merge(agg *a, const agg *b);

typedef enum { RK_EVENT = 0, RK_WINDOW, RK_JOIN, RK_ENRICH, RK_MATCH, RK_ABSENCE } rec_kind;

/* A window result, as emitted (owned by the task's arena). */
typedef struct winres {
  const job_window *cfg;
  int64_t start, end, rev;
  agg a;
  int64_t *superseded; /* sessions: n_sup triples start, end, rev */
  size_t n_sup;
} winres;

/* key, time and value of a record when it reached an operator: the
 * `left`/`right`/`table`/`first`/`then` objects of a result. */
typedef struct snap {
  const in_rec *src;
  const char *key;
  uint32_t key_len;
  int64_t ts, value;
} snap;

/* Keys (key, s1.key, ...) point into the task's arena: they stay valid,
 * unchanged, until the task is done, so operators keep them without
 * copying. */
typedef struct frec {
  rec_kind kind;
  uint8_t input;
  uint8_t alert; /* threshold crossing: 0 none, 1 rise, 2 fall */
  const char *key;
  uint32_t key_len;
  int64_t ts, value;
  const in_rec *src; /* event; join left; enrich stream record; pattern first */
  snap s1, s2;       /* join left/right, enrich stream/table, match first/then;
                      * s2.src NULL: no right / no row / absence */
  const winres *w;   /* RK_WINDOW */
  cover cv;
} frec;

/* An input event entering the pipeline. */
frec frec_event(const in_rec *r);
snap snap_of(const frec *r);

#endif
