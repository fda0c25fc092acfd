/* arena.h: a chunked bump allocator with stable pointers.
 *
 * The oracle keeps every decoded input record, key and expected result of a
 * task until the task's comparison is done, then drops them all at once.
 * Chunks are never moved, so pointers into the arena stay valid until
 * arena_free. */
#ifndef SP_ORACLE_ARENA_H
#define SP_ORACLE_ARENA_H

#include <stddef.h>
#include <stdint.h>

typedef struct arena_chunk arena_chunk;

typedef struct arena {
  arena_chunk *head;
  size_t used_bytes; /* handed out, for statistics */
} arena;

/* n bytes, 8-byte aligned, zeroed. Never NULL (aborts on OOM). */
void *arena_alloc(arena *a, size_t n);
/* The same, not zeroed (the caller fills every byte). */
void *arena_alloc_raw(arena *a, size_t n);
/* A copy of n bytes (plus a NUL, so strings can be printed). */
char *arena_dup(arena *a, const void *p, size_t n);
void arena_free(arena *a);

#endif
