/* ingest.h: one pass over one history file, record by record, into the
 * model (version order, messages, apply counts) and the poll tracker.
 *
 * Files must be ingested in this order, which the checker relies on:
 * producer files (acks name each offset's message first and WRITER_END says
 * how many messages a writer sent), readback.hist, consumer files (an
 * exactly-once reader's ASSIGN/REVOKE/SKIP are deferred), effects files
 * (merged with those deferred events).
 *
 * A record that contradicts meta.json (a topic, partition, writer or reader
 * it does not list) or has no meaning (a negative offset on an APPLY) is an
 * input error: the file and meta.json disagree, and any verdict drawn from
 * them would be a guess. Record types that do not belong in the file's kind
 * are counted as ignored. */
#ifndef SP_CHECK_INGEST_H
#define SP_CHECK_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "hist_stream.h"
#include "model.h"
#include "poll_order.h"
#include "strlist.h"

typedef struct ingest {
  model *md;
  poll_tracker *pt;
  strlist *notes;   /* odd but harmless things, for verdict.json */
  const char *name; /* file name as shown to the user: "history/consumer-0.hist" */
  uint32_t file;    /* index in the checker's file list */
  uint64_t records; /* records read, added up over files */
  char *err;
  size_t err_len;
} ingest;

/* Reads every record of s (a file of kind HIST_KIND_*). Returns 0, or -1
 * with "name: record N (type, byte B): what is wrong" in in->err. */
int ingest_file(ingest *in, hist_stream *s);

#endif
