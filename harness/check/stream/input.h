/* input.h: decoding input records by the README's "Input formats".
 *
 * identity: the streamproof message header (workloads/loadgen/identity.h),
 * decoded here by the oracle's own code: magic, size field equal to the
 * payload length, CRC-32C of bytes [0, 52) and [56, size).
 * json: one JSON object per message, no duplicate members.
 * A record that does not decode is bad: it only advances its input's
 * position (and goes to the errors sink). */
#ifndef SP_ORACLE_INPUT_H
#define SP_ORACLE_INPUT_H

#include <jansson.h>

#include "arena.h"
#include "record.h"
#include "topic_dump.h"

/* Decodes dump record d of input `input` from source src into r. d's key
 * and value must stay valid as long as r is used (the oracle maps the
 * dumps); the decoded key is copied into the arena. Returns 0 for a valid record, -1 for a bad
 * one (r->bad set, r->why says why). For a valid JSON record *doc (when doc
 * is not NULL) receives the parsed payload (the caller owns it). In
 * processing time the time is not read (it is the task's stamp). */
int input_decode(const job *j, const job_source *src, int input, const topic_dump_record *d,
                 arena *a, in_rec *r, json_t **doc);

/* Parses a JSON payload as input_decode does (NULL if it is not an object). */
json_t *input_parse_json(const uint8_t *p, size_t len);

/* The member at a dotted path ("a.b": member b of object a), or NULL. */
json_t *json_path(json_t *obj, const char *path);

/* A JSON value as an operator field: integers and reals as numbers, strings
 * as strings, true/false as 1/0, null, objects and arrays missing. */
sval json_sval(json_t *v);

#endif
