/* hist_stream.h: reads a history file (layout in harness/history/history.h)
 * record by record through a fixed buffer.
 *
 * hist_read loads a whole file into memory; a 10-million-record producer
 * history is 640 MB, so the checker streams instead: its memory then depends
 * on the messages it tracks, not on the size of the files. The header checks
 * are the same as hist_read's (magic, version, record size) and a trailing
 * partial record is ignored and reported in torn_bytes, as hist_read does. */
#ifndef SP_CHECK_HIST_STREAM_H
#define SP_CHECK_HIST_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "history.h"

typedef struct hist_stream {
  int fd;
  uint32_t kind;
  uint32_t logical_id;
  uint64_t count;      /* whole records in the file */
  uint64_t torn_bytes; /* bytes of a trailing partial record */
  uint64_t next;       /* index of the record the next call returns */
  uint8_t *buf;
  size_t buf_records, buf_pos; /* records in buf, next one to decode */
} hist_stream;

/* Opens and checks the header. Returns 0, or -1 with "path: byte N: what"
 * in err. */
int hist_stream_open(hist_stream *s, const char *path, char *err, size_t err_len);
/* Decodes the next record into rec (its index is s->next - 1 afterwards).
 * Returns 1, 0 at the end, -1 on a read error (message in err). */
int hist_stream_next(hist_stream *s, hist_record *rec, char *err, size_t err_len);
void hist_stream_close(hist_stream *s);

#endif
