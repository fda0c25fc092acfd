/* arena.c: see arena.h. */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "sp_assert.h"

#define ARENA_CHUNK_BYTES 4096
#define ARENA_ALIGN 16

struct arena_chunk {
  arena_chunk *next;
  size_t cap;
  _Alignas(16) unsigned char data[];
};

void *arena_calloc(arena *a, size_t count, size_t size) {
  SP_ASSERT(size == 0 || count <= SIZE_MAX / size / 2);
  size_t n = (count * size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
  if (!a->chunks || a->chunks->cap - a->used < n) {
    size_t cap = n > ARENA_CHUNK_BYTES ? n : ARENA_CHUNK_BYTES;
    arena_chunk *c = sp_malloc(sizeof *c + cap);
    c->cap = cap;
    c->next = a->chunks;
    a->chunks = c;
    a->used = 0;
  }
  void *p = a->chunks->data + a->used;
  a->used += n;
  memset(p, 0, n);
  return p;
}

char *arena_strndup(arena *a, const void *s, size_t len) {
  char *p = arena_calloc(a, len + 1, 1);
  if (len) memcpy(p, s, len);
  return p;
}

void arena_free(arena *a) {
  arena_chunk *c = a->chunks;
  while (c) {
    arena_chunk *next = c->next;
    free(c);
    c = next;
  }
  a->chunks = NULL;
  a->used = 0;
}
