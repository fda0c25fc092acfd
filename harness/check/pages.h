/* pages.h: a sparse array of fixed-size elements indexed by a 64-bit number
 * (a log offset, a writer sequence), allocated in zeroed pages on first
 * write.
 *
 * Why: offsets are dense per partition and sequences dense per writer, so an
 * array indexed by them beats any hash map, but the checker must not trust
 * its input: one bogus offset of 2^50 from a broken broker must cost one page,
 * not petabytes. Indexes below 2^32 use a directly indexed page directory
 * (the common case: one array access plus a one-entry page cache); higher
 * indexes live in a small sorted list of far pages.
 *
 * Reads of never-written elements see zeros. Not thread-safe. */
#ifndef SP_CHECK_PAGES_H
#define SP_CHECK_PAGES_H

#include <stddef.h>
#include <stdint.h>

#include "sp_assert.h"

#define PAGES_BITS         12
#define PAGES_ELEMS        (1u << PAGES_BITS)
#define PAGES_MASK         (PAGES_ELEMS - 1)
#define PAGES_DIRECT_LIMIT (1ull << 20) /* pages below this are directly indexed */

typedef struct pages_far {
  uint64_t no;
  uint8_t *data;
} pages_far;

typedef struct pages {
  size_t elem_bytes;
  uint8_t **dir; /* direct pages, by page number */
  size_t dir_len;
  pages_far *far; /* pages numbered >= PAGES_DIRECT_LIMIT, sorted */
  size_t far_len, far_cap;
  uint64_t cached_no; /* page number of `cached` (valid when cached != NULL) */
  uint8_t *cached;
  size_t page_count; /* allocated pages (memory = page_count * page bytes) */
} pages;

void pages_init(pages *pg, size_t elem_bytes);
void pages_free(pages *pg);

/* Out-of-line halves of the lookups below (cache miss). */
void *pages_at_slow(pages *pg, uint64_t idx);
const void *pages_get_slow(pages *pg, uint64_t idx);

/* The element at idx, allocating its (zeroed) page if needed. */
static inline void *pages_at(pages *pg, uint64_t idx) {
  if (sp_likely(pg->cached && (idx >> PAGES_BITS) == pg->cached_no))
    return pg->cached + (size_t)(idx & PAGES_MASK) * pg->elem_bytes;
  return pages_at_slow(pg, idx);
}

/* The element at idx, or NULL when its page was never written. */
static inline const void *pages_get(pages *pg, uint64_t idx) {
  if (sp_likely(pg->cached && (idx >> PAGES_BITS) == pg->cached_no))
    return pg->cached + (size_t)(idx & PAGES_MASK) * pg->elem_bytes;
  return pages_get_slow(pg, idx);
}

/* Iterates allocated pages in ascending index order. Start with *cursor = 0;
 * each call returns the next page's first element and its first index in
 * *first_idx, or NULL at the end. */
uint8_t *pages_next(const pages *pg, size_t *cursor, uint64_t *first_idx);

#endif
