/* test_pages: the sparse page array under the checker: zero reads of
 * untouched elements, writes that survive, far indexes (a bogus 2^50 offset
 * costs one page), iteration in ascending index order. */
#include <stdint.h>

#include "pages.h"
#include "sp_test.h"

TEST(reads_zero_and_keeps_writes) {
  pages pg;
  pages_init(&pg, sizeof(uint64_t));
  CHECK(pages_get(&pg, 0) == NULL);
  for (uint64_t i = 0; i < 10000; i += 3) *(uint64_t *)pages_at(&pg, i) = i * 2 + 1;
  for (uint64_t i = 0; i < 10000; i++) {
    const uint64_t *v = pages_get(&pg, i);
    REQUIRE(v);
    CHECK_EQ_U64(*v, i % 3 == 0 ? i * 2 + 1 : 0);
  }
  CHECK(pages_get(&pg, 1u << 20) == NULL);
  CHECK_EQ_INT(pg.page_count, (10000 + PAGES_ELEMS - 1) / PAGES_ELEMS);
  pages_free(&pg);
}

TEST(far_indexes_cost_one_page_each) {
  pages pg;
  pages_init(&pg, 16);
  uint64_t far[] = {1ull << 50, 1ull << 40, (1ull << 62) + 5, 1ull << 32};
  for (int i = 0; i < 4; i++) *(uint8_t *)pages_at(&pg, far[i]) = (uint8_t)(i + 1);
  *(uint8_t *)pages_at(&pg, 7) = 9;
  CHECK_EQ_INT(pg.page_count, 5);
  for (int i = 0; i < 4; i++) {
    const uint8_t *v = pages_get(&pg, far[i]);
    REQUIRE(v);
    CHECK_EQ_INT(*v, i + 1);
  }
  CHECK(pages_get(&pg, (1ull << 50) + PAGES_ELEMS) == NULL);
  /* ascending iteration: 7's page, then 2^32, 2^40, 2^50, 2^62+5 */
  uint64_t want[] = {0, 1ull << 32, 1ull << 40, 1ull << 50, 1ull << 62};
  size_t cursor = 0, n = 0;
  uint64_t first;
  while (pages_next(&pg, &cursor, &first)) {
    REQUIRE(n < 5);
    CHECK_EQ_U64(first, want[n]);
    n++;
  }
  CHECK_EQ_INT(n, 5);
  pages_free(&pg);
}

SP_TEST_MAIN(reads_zero_and_keeps_writes, far_indexes_cost_one_page_each)
