/* record.h: what flows through a refstream pipeline.
 *
 * An input message becomes an rs_event: key, event time, value and the
 * position it came from (input, partition, offset), decoded from one of two
 * payload formats (README.md, "Input formats"):
 *
 *   identity  streamproof messages (workloads/loadgen/identity.h): key =
 *             decimal key id ("" for no key), time = event_time_ms, value =
 *             seq unless the source says otherwise.
 *   json      one JSON object per message: key from "key" (string, or an
 *             integer written in decimal), time from "ts" (integer ms),
 *             value from "value" (integer); each field name configurable.
 *
 * Operators pass rs_rec values downstream: an event, a window result, a
 * join pair, an enrichment, or a pattern match. Stateful operators keep
 * copies of events as rs_stored (one allocation: key and payload inline),
 * which serialise into checkpoints and re-create an rs_event view. */
#ifndef RS_RECORD_H
#define RS_RECORD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "identity.h"
#include "kcodec.h"

typedef enum { RS_FMT_IDENTITY = 0, RS_FMT_JSON = 1 } rs_format;

/* The oldest and newest times refstream represents; watermarks start at
 * RS_TS_MIN. Kept away from INT64 limits so "t + lateness" cannot overflow. */
#define RS_TS_MIN (INT64_MIN / 4)
#define RS_TS_MAX (INT64_MAX / 4)

typedef enum {
  RS_F_NONE = 0,
  RS_F_KEY, RS_F_TS, RS_F_VALUE, RS_F_OFFSET, RS_F_PARTITION,
  RS_F_KAFKA_KEY, RS_F_KAFKA_TS, RS_F_ONE,
  /* identity header fields */
  RS_F_WRITER, RS_F_SEQ, RS_F_KEY_ID, RS_F_SIZE, RS_F_TOPIC, RS_F_EVENT_TIME,
  /* window result fields */
  RS_F_COUNT, RS_F_SUM, RS_F_MIN, RS_F_MAX, RS_F_AVG, RS_F_START, RS_F_END, RS_F_REV,
  /* a member of a JSON payload, by dotted path */
  RS_F_JSON,
} rs_field_id;

typedef struct rs_field {
  rs_field_id id;
  char *path; /* RS_F_JSON: "a.b.c" */
} rs_field;

/* A field's value: missing, integer, real or string. */
typedef enum { RS_V_NONE = 0, RS_V_INT, RS_V_REAL, RS_V_STR } rs_vtype;
typedef struct rs_value {
  rs_vtype type;
  int64_t i;
  double d;
  const char *s;
  size_t len;
} rs_value;

/* Where a record came from: the message as the consumer gave it. */
typedef struct rs_raw {
  int32_t partition;
  int64_t offset;
  int64_t kafka_ts; /* message timestamp (ms), -1 if none */
  const void *key;  /* Kafka message key, may be NULL */
  size_t key_len;
  const void *payload; /* may be NULL (tombstone) */
  size_t payload_len;
} rs_raw;

/* Offsets a result covers (README.md, "Coverage"): first and last input
 * offset, how many records, and oh = sum of rs_mix64(offset) mod 2^64. */
typedef struct rs_cover {
  int64_t first, last;
  uint64_t n;
  uint64_t oh;
} rs_cover;

typedef struct rs_event {
  int64_t ts, value, offset, kafka_ts;
  int32_t partition;
  uint16_t input; /* task input: 0 main, 1.. the joined/table source */
  uint8_t format;
  uint8_t owns_json;
  const uint8_t *payload;
  uint32_t payload_len;
  const char *key;
  uint32_t key_len;
  const void *kafka_key;
  uint32_t kafka_key_len;
  identity ident; /* format identity */
  json_t *json;   /* format json: parsed lazily by rs_event_json */
  char keybuf[24];
} rs_event;

/* A stored copy of an event (operator state). */
typedef struct rs_stored {
  int64_t ts, value, offset, kafka_ts;
  int32_t partition;
  uint16_t input;
  uint8_t format;
  uint8_t flag; /* free for the operator holding it (join: matched) */
  uint32_t key_len, payload_len;
  char data[]; /* key, NUL, payload */
} rs_stored;

/* A window result (README.md, "Window results"). */
typedef struct rs_winres {
  const char *type; /* "tumbling", "hopping", "sliding", "session", "count-..." */
  int64_t start, end; /* [start, end): ms, or per-key record index for count windows */
  uint32_t rev;       /* 0 = first emission; n = nth late update */
  uint64_t count;
  int64_t sum, min, max;
  unsigned aggs;
  int64_t ts_last; /* count windows: time of the newest record */
  const int64_t *superseded; /* sessions: (start, end, rev) triples replaced */
  size_t n_superseded;
} rs_winres;

typedef enum {
  RS_REC_EVENT = 0,
  RS_REC_WINDOW,
  RS_REC_JOIN,
  RS_REC_ENRICH,
  RS_REC_MATCH,
  RS_REC_ABSENCE,
} rs_rec_kind;

typedef struct rs_rec {
  rs_rec_kind kind;
  int64_t ts, value;
  const char *key;
  uint32_t key_len;
  rs_cover cover;
  rs_event *ev;          /* EVENT; JOIN left; ENRICH stream; MATCH/ABSENCE first */
  rs_event *ev2;         /* JOIN right, ENRICH table row, MATCH then (NULL: none) */
  const rs_winres *win;  /* WINDOW */
  const char *alert;     /* threshold tag ("rise"/"fall") or NULL */
} rs_rec;

/* The decimal text of v into buf (>= 21 bytes); returns its length. */
size_t rs_int_key(char *buf, int64_t v);

/* Decodes a message of `format` into ev with the source's field choices.
 * Returns 0, or -1 with a short reason in why (a "bad record"). The event
 * borrows raw's bytes; call rs_event_clear afterwards. */
struct rs_source_cfg;
int rs_event_decode(const struct rs_source_cfg *src, uint16_t input, const rs_raw *raw,
                    rs_event *ev, char *why, size_t whylen);
void rs_event_clear(rs_event *ev);
/* The parsed JSON payload (parsing it on first use), or NULL. */
json_t *rs_event_json(rs_event *ev);

/* Reads a field of a record. */
void rs_rec_get(const rs_rec *r, const rs_field *f, rs_value *out);
/* A record for a plain event (kind EVENT, cover = its offset). */
rs_rec rs_rec_of_event(rs_event *ev);
rs_cover rs_cover_one(int64_t offset);
void rs_cover_add(rs_cover *c, const rs_cover *more);

/* Stored events. */
rs_stored *rs_stored_new(const rs_event *ev);
void rs_stored_view(const rs_stored *s, rs_event *ev); /* then rs_event_clear */
void rs_stored_save(const rs_stored *s, sp_buf *b);
rs_stored *rs_stored_load(kreader *r); /* NULL on a bad encoding (r->err set) */

/* Writes the JSON of an event's payload ("event": ... in output records):
 * a JSON payload verbatim, an identity header as an object. */
struct jw;
void rs_event_payload_json(const rs_event *ev, struct jw *w);

#endif
