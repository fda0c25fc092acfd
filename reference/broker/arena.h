/* arena.h: a bump allocator for one request's decoded arrays.
 *
 * Decoders allocate their arrays here; everything is released at once when
 * the request is done (or when a parked request completes), so a decoder has
 * no free path to get wrong on truncated input. Request sizes are bounded by
 * --max-request-bytes and kr_array() refuses counts that could not fit in the
 * remaining bytes, so an arena never grows past a small multiple of the
 * request size. */
#ifndef REFBROKER_ARENA_H
#define REFBROKER_ARENA_H

#include <stddef.h>

typedef struct arena_chunk arena_chunk;

typedef struct arena {
  arena_chunk *chunks; /* newest first */
  size_t used;         /* bytes used in the newest chunk */
} arena;

#define ARENA_INIT {NULL, 0}

/* count * size zeroed bytes, aligned for any type; never NULL. */
void *arena_calloc(arena *a, size_t count, size_t size);
/* A NUL-terminated copy of len bytes. */
char *arena_strndup(arena *a, const void *s, size_t len);
/* Frees every chunk. */
void arena_free(arena *a);

#endif
