/* buf.c: see buf.h. */
#include "buf.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "sp_assert.h"

uint8_t *sp_buf_reserve(sp_buf *b, size_t len) {
  if (b->cap - b->len < len) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < len) {
      SP_ASSERT(cap <= SIZE_MAX / 2);
      cap *= 2;
    }
    b->data = sp_realloc(b->data, cap);
    b->cap = cap;
  }
  return b->data + b->len;
}

void sp_buf_commit(sp_buf *b, size_t len) {
  SP_ASSERT(len <= b->cap - b->len);
  b->len += len;
}

void sp_buf_append(sp_buf *b, const void *src, size_t len) {
  if (!len) return;
  memcpy(sp_buf_reserve(b, len), src, len);
  b->len += len;
}

void sp_buf_consume(sp_buf *b, size_t len) {
  SP_ASSERT(len <= b->len);
  memmove(b->data, b->data + len, b->len - len);
  b->len -= len;
}

void sp_buf_reset(sp_buf *b) { b->len = 0; }

void sp_buf_free(sp_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}
