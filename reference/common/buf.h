/* buf.h: a growable byte buffer.
 *
 * Used for socket input/output queues and for building responses. Growth is
 * geometric; sp_buf_reserve returns a pointer to len writable bytes at the
 * end, which the caller then commits with sp_buf_commit (so a read(2) can go
 * straight into the buffer without a bounce copy). */
#ifndef SP_BUF_H
#define SP_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct sp_buf {
  uint8_t *data;
  size_t len; /* bytes in use */
  size_t cap; /* bytes allocated */
} sp_buf;

#define SP_BUF_INIT {NULL, 0, 0}

/* Ensures room for len more bytes; returns where they start. */
uint8_t *sp_buf_reserve(sp_buf *b, size_t len);
/* Marks len reserved bytes as used. */
void sp_buf_commit(sp_buf *b, size_t len);
void sp_buf_append(sp_buf *b, const void *src, size_t len);
/* Drops the first len bytes (consumed input), moving the rest to the front. */
void sp_buf_consume(sp_buf *b, size_t len);
void sp_buf_reset(sp_buf *b);
void sp_buf_free(sp_buf *b);

#endif
