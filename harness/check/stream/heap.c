/* heap.c: see heap.h. */
#include "heap.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "sp_assert.h"

void heap_init(heap *h, size_t item_size, heap_less less) {
  SP_ASSERT(item_size > 0 && item_size <= 256);
  memset(h, 0, sizeof *h);
  h->size = item_size;
  h->less = less;
}

static void *at(const heap *h, size_t i) { return h->v + i * h->size; }

static void swap(heap *h, size_t a, size_t b) {
  unsigned char tmp[256];
  memcpy(tmp, at(h, a), h->size);
  memcpy(at(h, a), at(h, b), h->size);
  memcpy(at(h, b), tmp, h->size);
}

void heap_push(heap *h, const void *item) {
  if (h->n == h->cap) {
    h->cap = h->cap ? h->cap * 2 : 64;
    h->v = sp_realloc(h->v, h->cap * h->size);
  }
  memcpy(at(h, h->n), item, h->size);
  for (size_t i = h->n++; i > 0;) {
    size_t p = (i - 1) / 2;
    if (!h->less(at(h, i), at(h, p))) break;
    swap(h, i, p);
    i = p;
  }
}

const void *heap_top(const heap *h) { return h->n ? h->v : NULL; }

int heap_pop(heap *h, void *out) {
  if (!h->n) return -1;
  memcpy(out, h->v, h->size);
  h->n--;
  if (h->n) memcpy(h->v, at(h, h->n), h->size);
  for (size_t i = 0;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < h->n && h->less(at(h, l), at(h, m))) m = l;
    if (r < h->n && h->less(at(h, r), at(h, m))) m = r;
    if (m == i) break;
    swap(h, i, m);
    i = m;
  }
  return 0;
}

void heap_free(heap *h) {
  free(h->v);
  h->v = NULL;
  h->n = h->cap = 0;
}
