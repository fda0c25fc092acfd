/* arena.c: see arena.h. */
#include "arena.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

#define ARENA_CHUNK_BYTES (1u << 20)

struct arena_chunk {
  arena_chunk *next;
  size_t cap, used;
  _Alignas(8) unsigned char data[];
};

void *arena_alloc(arena *a, size_t n) {
  void *p = arena_alloc_raw(a, n);
  memset(p, 0, n);
  return p;
}

void *arena_alloc_raw(arena *a, size_t n) {
  n = (n + 7) & ~(size_t)7;
  arena_chunk *c = a->head;
  if (!c || c->cap - c->used < n) {
    size_t cap = n > ARENA_CHUNK_BYTES / 4 ? n : ARENA_CHUNK_BYTES;
    arena_chunk *nc = sp_malloc(sizeof *nc + cap);
    nc->cap = cap;
    nc->used = 0;
    if (c && cap == n && c->cap - c->used > 64) {
      /* a big block: keep filling the current chunk afterwards */
      nc->next = c->next;
      c->next = nc;
      c = nc;
    } else {
      nc->next = c;
      a->head = c = nc;
    }
  }
  void *p = c->data + c->used;
  c->used += n;
  a->used_bytes += n;
  return p;
}

char *arena_dup(arena *a, const void *p, size_t n) {
  char *d = arena_alloc_raw(a, n + 1);
  if (n) memcpy(d, p, n);
  d[n] = '\0';
  return d;
}

void arena_free(arena *a) {
  arena_chunk *c = a->head;
  while (c) {
    arena_chunk *n = c->next;
    free(c);
    c = n;
  }
  a->head = NULL;
  a->used_bytes = 0;
}
