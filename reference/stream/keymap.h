/* keymap.h: an open-addressing hash table of pointers, looked up by hash
 * plus a caller-supplied equality test.
 *
 * The table stores (hash, value) pairs only; keys live inside the values
 * (a window entry holds its key and start), so there is no second copy and
 * no per-entry allocation in the table. Linear probing, tombstones on
 * removal, rebuilt at 70% load (tombstones included). Iteration order is
 * the slot order: never use it where output order matters. */
#ifndef RS_KEYMAP_H
#define RS_KEYMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct rs_slot {
  uint64_t hash;
  void *val; /* NULL: empty; RS_MAP_TOMB: removed */
} rs_slot;

typedef struct rs_map {
  rs_slot *slots;
  size_t cap;  /* power of two, or 0 */
  size_t len;  /* live values */
  size_t used; /* live + tombstones */
} rs_map;

#define RS_MAP_TOMB ((void *)1)

/* eq(val, key) returns non-zero when val holds key. */
typedef int (*rs_map_eq)(const void *val, const void *key);

void *rs_map_find(const rs_map *m, uint64_t hash, rs_map_eq eq, const void *key);
/* Inserts val (the caller has checked the key is absent). */
void rs_map_put(rs_map *m, uint64_t hash, void *val);
/* Removes and returns the value holding key, or NULL. */
void *rs_map_del(rs_map *m, uint64_t hash, rs_map_eq eq, const void *key);
void rs_map_free(rs_map *m);

/* Iteration: for (size_t i = 0; i < m->cap; i++) if (rs_map_live(m, i)) ... */
static inline int rs_map_live(const rs_map *m, size_t i) {
  return m->slots[i].val != NULL && m->slots[i].val != RS_MAP_TOMB;
}

#endif
