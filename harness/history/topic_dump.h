/* topic_dump.h: raw copies of Kafka topic partitions in a results folder.
 *
 * When a run has a stream processor, `streamproof run` copies the
 * processor's input and output topics into <run>/stream/ after the run, so
 * that `streamproof check` can recompute the processor's results offline
 * from the input log (an oracle independent of refstream's code) and compare
 * them with what refstream wrote.
 *
 * One file per partition: <run>/stream/<topic>-<partition>.dump
 *
 *   +------------------------------ header, 32 bytes + name ---------------+
 *   | magic "SPDUMP01" (8) | version u32 = 1 | partition i32               |
 *   | log_start_offset i64 | name_len u16 | reserved u16 = 0 | name bytes   |
 *   +----------------------------------------------------------------------+
 *   | record | record | ...                                                |
 *
 *   record: offset i64 | timestamp_ms i64 | key_len i32 | value_len i32 |
 *           key bytes (key_len, or none if -1 = null) |
 *           value bytes (value_len, or none if -1 = null)
 *
 * Little-endian. Records in offset order, every record the broker returned
 * from log_start_offset to the end offset the copier targeted (offsets may
 * have gaps only where the broker has none to give, e.g. never with
 * refbroker). A complete file ends with a trailer record whose offset is -1,
 * timestamp_ms is the end offset reached, key_len = value_len = -1: a file
 * without it is a copy cut short (reported, never silently used as whole). */
#ifndef SP_TOPIC_DUMP_H
#define SP_TOPIC_DUMP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TOPIC_DUMP_MAGIC "SPDUMP01"
#define TOPIC_DUMP_VERSION 1

typedef struct topic_dump_writer topic_dump_writer;

/* Creates path (truncating) and writes the header. NULL + errno on failure. */
topic_dump_writer *topic_dump_create(const char *path, const char *topic, int32_t partition,
                                     int64_t log_start_offset);
/* Appends one record (key or value NULL with len -1 for null). 0 or -1. */
int topic_dump_append(topic_dump_writer *w, int64_t offset, int64_t timestamp_ms,
                      const void *key, int32_t key_len, const void *value, int32_t value_len);
/* Writes the trailer (end_offset reached), flushes, fsyncs and closes.
 * 0 or -1 (errno). */
int topic_dump_finish(topic_dump_writer *w, int64_t end_offset);
/* Closes without a trailer (an incomplete copy). */
void topic_dump_abandon(topic_dump_writer *w);

typedef struct topic_dump_record {
  int64_t offset;
  int64_t timestamp_ms;
  int32_t key_len;   /* -1: null */
  int32_t value_len; /* -1: null */
  const uint8_t *key;   /* points into the reader's buffer, valid until the next read */
  const uint8_t *value;
} topic_dump_record;

typedef struct topic_dump_reader topic_dump_reader;

/* Opens a dump and reads its header. NULL with a message in err naming the
 * file and what is wrong. */
topic_dump_reader *topic_dump_open(const char *path, char *err, size_t err_len);
const char *topic_dump_topic(const topic_dump_reader *r);
int32_t topic_dump_partition(const topic_dump_reader *r);
int64_t topic_dump_log_start(const topic_dump_reader *r);
/* Reads the next record: 1 and fills rec; 0 at the trailer (the copy is
 * complete; *end_offset is set if not NULL); -1 on error or a file cut short
 * before its trailer (err says which and at what byte). */
int topic_dump_next(topic_dump_reader *r, topic_dump_record *rec, int64_t *end_offset,
                    char *err, size_t err_len);
void topic_dump_close(topic_dump_reader *r);

#endif
