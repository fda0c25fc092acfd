/* keymap.c: see keymap.h. */
#include "keymap.h"

#include <stdlib.h>

#include "mem.h"
#include "sp_assert.h"

void *rs_map_find(const rs_map *m, uint64_t hash, rs_map_eq eq, const void *key) {
  if (!m->cap) return NULL;
  size_t mask = m->cap - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const rs_slot *s = &m->slots[i];
    if (!s->val) return NULL;
    if (s->val != RS_MAP_TOMB && s->hash == hash && eq(s->val, key)) return s->val;
  }
}

/* Rebuilds the table at a size that keeps it at most half full (drops tombstones). */
static void grow(rs_map *m) {
  size_t ncap = m->cap ? m->cap : 16;
  while (m->len * 2 >= ncap) ncap *= 2; /* after a rebuild, at most half full */
  rs_slot *old = m->slots;
  size_t ocap = m->cap;
  m->slots = sp_calloc(ncap, sizeof *m->slots);
  m->cap = ncap;
  m->used = m->len;
  size_t mask = ncap - 1;
  for (size_t i = 0; i < ocap; i++) {
    if (old[i].val == NULL || old[i].val == RS_MAP_TOMB) continue;
    size_t j = old[i].hash & mask;
    while (m->slots[j].val) j = (j + 1) & mask;
    m->slots[j] = old[i];
  }
  free(old);
}

void rs_map_put(rs_map *m, uint64_t hash, void *val) {
  SP_ASSERT(val != NULL && val != RS_MAP_TOMB);
  if ((m->used + 1) * 10 > m->cap * 7) grow(m);
  size_t mask = m->cap - 1;
  size_t i = hash & mask;
  while (m->slots[i].val && m->slots[i].val != RS_MAP_TOMB) i = (i + 1) & mask;
  if (!m->slots[i].val) m->used++;
  m->slots[i].hash = hash;
  m->slots[i].val = val;
  m->len++;
}

void *rs_map_del(rs_map *m, uint64_t hash, rs_map_eq eq, const void *key) {
  if (!m->cap) return NULL;
  size_t mask = m->cap - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    rs_slot *s = &m->slots[i];
    if (!s->val) return NULL;
    if (s->val != RS_MAP_TOMB && s->hash == hash && eq(s->val, key)) {
      void *v = s->val;
      /* a tombstone is needed only if the next slot continues a probe chain */
      if (!m->slots[(i + 1) & mask].val) {
        s->val = NULL;
        m->used--;
      } else {
        s->val = RS_MAP_TOMB;
      }
      m->len--;
      return v;
    }
  }
}

void rs_map_free(rs_map *m) {
  free(m->slots);
  m->slots = NULL;
  m->cap = m->len = m->used = 0;
}
