/* history.h: the facts a run records, read later by `streamproof check`.
 *
 * Every producer and consumer process appends fixed-size binary records to
 * its own history file under <run>/history/. The files are the single source
 * of truth for counts, the timeline and the checker: written once during the
 * run, read offline (years later) without the system that produced them.
 *
 * File layout
 * -----------
 *
 *   +--------------------------- header, 64 bytes ---------------------------+
 *   | magic "SPHIST01" (8) | version u32 = 1 | record_bytes u32 = 64         |
 *   | kind u32 | logical_id u32 | created_wall_ns u64 | reserved (24 bytes, 0) |
 *   +------------------------------------------------------------------------+
 *   | record 0 (64 bytes) | record 1 | ...                                   |
 *
 * All integers little-endian. A process killed mid-write leaves at most one
 * partial record at the end (write(2) of a regular file copies in order): a
 * reader ignores a trailing partial record and reports that it did
 * (history_file.torn_bytes).
 *
 * Record layout (64 bytes)
 * ------------------------
 *
 *    0  u8   type          HIST_* below
 *    1  u8   flags         HIST_F_* below
 *    2  u16  topic         index into the run's topic list (meta.json)
 *    4  i32  partition     -1 when not about a partition
 *    8  i64  offset        log offset; -1 when unknown
 *   16  u64  seq           message sequence within its writer (from 0)
 *   24  u32  writer        writer id of the message's producer incarnation
 *   28  u32  actor         writer or reader id of the process that wrote this
 *   32  u32  key           key id of the message (0xffffffff: no key)
 *   36  i32  err           error code (librdkafka rd_kafka_resp_err_t), 0 = ok
 *   40  u64  t_intended_ns CLOCK_MONOTONIC: when the schedule meant to send it
 *   48  u64  t_sent_ns     CLOCK_MONOTONIC: when it was handed to the client
 *   56  u64  t_ns          CLOCK_MONOTONIC: when this record's event happened
 *                          (ack, apply, commit, start...)
 *
 * Writer and reader ids are allocated by `streamproof run`, unique within a
 * run and never reused: a restarted producer gets a new writer id (its
 * sequence starts again at 0), a restarted consumer a new reader id. The map
 * from ids to logical producers/consumers is in <run>/history/meta.json.
 *
 * Which records go where
 * ----------------------
 *   producer-<n>.hist   WRITER_START, ACK, NACK, WRITER_END
 *   consumer-<n>.hist   READER_START, ASSIGN, REVOKE, APPLY, SKIP, COMMIT,
 *                       READER_END (APPLY/SKIP only for at_most_once and
 *                       at_least_once consumers)
 *   effects-<sub>-<topic>-<p>.hist
 *                       exactly_once consumers' APPLY records: the effect
 *                       store of one input partition, appended only by the
 *                       consumer that currently owns the partition. The last
 *                       record's offset is the last applied input offset: the
 *                       effect and its offset are one atomic append (DDIA ch.
 *                       11's idempotent offset check).
 *   readback.hist       READBACK and END_OFFSETS, written after the run by a
 *                       reader that reads every partition from its log start.
 */
#ifndef SP_HISTORY_H
#define SP_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#define HIST_MAGIC "SPHIST01"
#define HIST_VERSION 1
#define HIST_HEADER_BYTES 64
#define HIST_RECORD_BYTES 64
#define HIST_NO_KEY 0xffffffffu

/* File kinds (header.kind). */
enum {
  HIST_KIND_PRODUCER = 1,
  HIST_KIND_CONSUMER = 2,
  HIST_KIND_EFFECTS = 3,
  HIST_KIND_READBACK = 4,
};

/* Record types. */
enum {
  /* producer files */
  HIST_WRITER_START = 1, /* actor=writer id, key=logical producer, t_ns=start */
  HIST_ACK = 2,          /* message acked at (partition, offset) */
  HIST_NACK = 3,         /* delivery failed: err set, offset -1 (partition if known) */
  HIST_WRITER_END = 4,   /* clean end: seq = number of messages handed to the
                          * client; every seq below it got an ACK or a NACK or
                          * is reported as indeterminate */
  /* consumer and effects files */
  HIST_READER_START = 16, /* actor=reader id, key=logical consumer, err=semantics (HIST_SEM_*) */
  HIST_ASSIGN = 17,       /* partition assigned; offset = first offset it will read (-1 unknown) */
  HIST_REVOKE = 18,       /* partition revoked */
  HIST_APPLY = 19,        /* the application processed the message at (partition, offset) */
  HIST_SKIP = 20,         /* exactly-once: polled again, already applied, skipped */
  HIST_COMMIT = 21,       /* committed offset (next offset to read) for partition; err */
  HIST_READER_END = 22,   /* clean end */
  /* readback file */
  HIST_READBACK = 32,     /* the message stored at (partition, offset), read after the run */
  HIST_END_OFFSETS = 33,  /* partition's log start (seq) and end (offset) after the run */
};

/* Flags on APPLY/SKIP/READBACK records (what the consumer saw in the payload). */
enum {
  HIST_F_IDENTITY = 1 << 0, /* payload had a valid identity header (magic, size) */
  HIST_F_CHECKSUM = 1 << 1, /* payload checksum matched */
  HIST_F_KEY_OK = 1 << 2,   /* record key matched the identity's key id */
};

/* Consumer delivery semantics (READER_START.err). */
enum {
  HIST_SEM_AT_MOST_ONCE = 1,
  HIST_SEM_AT_LEAST_ONCE = 2,
  HIST_SEM_EXACTLY_ONCE = 3,
};

typedef struct hist_record {
  uint8_t type;
  uint8_t flags;
  uint16_t topic;
  int32_t partition;
  int64_t offset;
  uint64_t seq;
  uint32_t writer;
  uint32_t actor;
  uint32_t key;
  int32_t err;
  uint64_t t_intended_ns;
  uint64_t t_sent_ns;
  uint64_t t_ns;
} hist_record;

/* Encodes/decodes one record to/from exactly HIST_RECORD_BYTES bytes. */
void hist_encode(const hist_record *rec, uint8_t out[HIST_RECORD_BYTES]);
void hist_decode(const uint8_t in[HIST_RECORD_BYTES], hist_record *rec);

/* ---- writing ---------------------------------------------------------- */

/* An open history file. Records are buffered and written with one write(2)
 * per hist_writer_flush (the hot path never makes a syscall per record).
 * Safe for one thread; producers and consumers each own theirs. */
typedef struct hist_writer hist_writer;

/* Opens path for appending, creating it with a header of `kind` and
 * `logical_id` if it does not exist. An existing file must carry the same
 * header; a torn trailing record from a crashed predecessor is cut off first
 * so appends stay aligned. Returns NULL and sets errno on failure. */
hist_writer *hist_writer_open(const char *path, uint32_t kind, uint32_t logical_id);
/* Buffers one record (flushes by itself when the buffer is full). */
int hist_writer_append(hist_writer *w, const hist_record *rec);
/* Writes buffered records with one write(2). Returns 0 or -1 (errno). */
int hist_writer_flush(hist_writer *w);
/* Flushes, then fdatasyncs (used where a record must survive power loss). */
int hist_writer_sync(hist_writer *w);
/* Flushes and closes. Returns the first error seen, 0 if none. */
int hist_writer_close(hist_writer *w);

/* ---- reading ---------------------------------------------------------- */

typedef struct hist_file {
  uint32_t kind;
  uint32_t logical_id;
  uint64_t created_wall_ns;
  size_t count;          /* whole records */
  size_t torn_bytes;     /* bytes of a trailing partial record, ignored */
  uint8_t *raw;          /* count * HIST_RECORD_BYTES bytes, encoded */
} hist_file;

/* Reads a whole history file into memory. Returns 0, or -1 with a message in
 * err (what and where: path, byte offset) for a missing file, a bad header
 * or a wrong record size. */
int hist_read(const char *path, hist_file *out, char *err, size_t err_len);
/* Decodes record i of a file read by hist_read. */
void hist_file_get(const hist_file *f, size_t i, hist_record *rec);
void hist_file_free(hist_file *f);

/* Reads only the last whole record of a file (the exactly-once consumer's
 * "last applied offset" lookup). Returns 1 and fills rec, 0 if the file has
 * no records, -1 on error (errno). */
int hist_read_last(const char *path, hist_record *rec);

const char *hist_type_name(uint8_t type);

#endif
