/* mem.h: allocation that never returns NULL.
 *
 * Out of memory aborts with a message naming the size (as Redis's zmalloc
 * does), so callers skip NULL checks and an OOM is loud, not a corrupt
 * half-state. Bounded inputs are checked before allocating: a client-supplied
 * length never reaches these functions unchecked. */
#ifndef SP_MEM_H
#define SP_MEM_H

#include <stddef.h>

void *sp_malloc(size_t size_bytes);
void *sp_calloc(size_t count, size_t size_bytes);
void *sp_realloc(void *ptr, size_t size_bytes);
char *sp_strdup(const char *s);
char *sp_strndup(const char *s, size_t len);

#endif
