/* heap.h: a binary min-heap of fixed-size items with a caller's order
 * (operator timers: windows to fire and drop, records to release, pattern
 * decisions). Equal items come out in no particular order: callers that
 * emit sort what one watermark advance pops. */
#ifndef SP_ORACLE_HEAP_H
#define SP_ORACLE_HEAP_H

#include <stddef.h>

typedef int (*heap_less)(const void *a, const void *b);

typedef struct heap {
  unsigned char *v;
  size_t n, cap, size; /* size: bytes per item */
  heap_less less;
} heap;

void heap_init(heap *h, size_t item_size, heap_less less);
void heap_push(heap *h, const void *item);
/* The smallest item, or NULL when empty (valid until the next push/pop). */
const void *heap_top(const heap *h);
/* Removes the smallest item into out. 0, or -1 when empty. */
int heap_pop(heap *h, void *out);
void heap_free(heap *h);

#endif
