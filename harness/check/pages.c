/* pages.c: see pages.h. */
#include "pages.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

void pages_init(pages *pg, size_t elem_bytes) {
  memset(pg, 0, sizeof *pg);
  SP_ASSERT(elem_bytes > 0);
  pg->elem_bytes = elem_bytes;
}

void pages_free(pages *pg) {
  for (size_t i = 0; i < pg->dir_len; i++) free(pg->dir[i]);
  for (size_t i = 0; i < pg->far_len; i++) free(pg->far[i].data);
  free(pg->dir);
  free(pg->far);
  size_t elem = pg->elem_bytes;
  pages_init(pg, elem);
}

/* Binary search for far page `no`: its slot, or where it would go. */
static size_t far_find(const pages *pg, uint64_t no) {
  size_t lo = 0, hi = pg->far_len;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (pg->far[mid].no < no)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* The page holding page number `no`, or NULL; allocates it when create. */
static uint8_t *page_lookup(pages *pg, uint64_t no, int create) {
  size_t bytes = (size_t)PAGES_ELEMS * pg->elem_bytes;
  if (no < PAGES_DIRECT_LIMIT) {
    if (no >= pg->dir_len) {
      if (!create) return NULL;
      size_t len = pg->dir_len ? pg->dir_len : 16;
      while (len <= no) len *= 2;
      pg->dir = sp_realloc(pg->dir, len * sizeof *pg->dir);
      memset(pg->dir + pg->dir_len, 0, (len - pg->dir_len) * sizeof *pg->dir);
      pg->dir_len = len;
    }
    if (!pg->dir[no] && create) {
      pg->dir[no] = sp_calloc(1, bytes);
      pg->page_count++;
    }
    return pg->dir[no];
  }
  size_t at = far_find(pg, no);
  if (at < pg->far_len && pg->far[at].no == no) return pg->far[at].data;
  if (!create) return NULL;
  if (pg->far_len == pg->far_cap) {
    pg->far_cap = pg->far_cap ? pg->far_cap * 2 : 8;
    pg->far = sp_realloc(pg->far, pg->far_cap * sizeof *pg->far);
  }
  memmove(pg->far + at + 1, pg->far + at, (pg->far_len - at) * sizeof *pg->far);
  pg->far[at].no = no;
  pg->far[at].data = sp_calloc(1, bytes);
  pg->far_len++;
  pg->page_count++;
  return pg->far[at].data;
}

void *pages_at_slow(pages *pg, uint64_t idx) {
  uint64_t no = idx >> PAGES_BITS;
  pg->cached = page_lookup(pg, no, 1);
  pg->cached_no = no;
  return pg->cached + (size_t)(idx & PAGES_MASK) * pg->elem_bytes;
}

const void *pages_get_slow(pages *pg, uint64_t idx) {
  uint64_t no = idx >> PAGES_BITS;
  uint8_t *p = page_lookup(pg, no, 0);
  if (!p) return NULL;
  pg->cached = p;
  pg->cached_no = no;
  return p + (size_t)(idx & PAGES_MASK) * pg->elem_bytes;
}

uint8_t *pages_next(const pages *pg, size_t *cursor, uint64_t *first_idx) {
  while (*cursor < pg->dir_len) {
    size_t no = (*cursor)++;
    if (pg->dir[no]) {
      *first_idx = (uint64_t)no << PAGES_BITS;
      return pg->dir[no];
    }
  }
  size_t k = *cursor - pg->dir_len;
  if (k >= pg->far_len) return NULL;
  (*cursor)++;
  *first_idx = pg->far[k].no << PAGES_BITS;
  return pg->far[k].data;
}
