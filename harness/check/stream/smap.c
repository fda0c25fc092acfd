/* smap.c: see smap.h. */
#include "smap.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"

uint32_t smap_hash(const char *key, size_t len) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < len; i++) h = (h ^ (unsigned char)key[i]) * 16777619u;
  return h;
}

static smap_slot *find(const smap *m, const char *key, size_t len, uint32_t h) {
  size_t mask = m->cap - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    smap_slot *s = &m->slots[i];
    if (!s->key || (s->hash == h && s->len == len && !memcmp(s->key, key, len))) return s;
  }
}

void *smap_get(const smap *m, const char *key, size_t len) {
  if (!m->n) return NULL;
  smap_slot *s = find(m, key, len, smap_hash(key, len));
  return s->key ? s->value : NULL;
}

static void grow(smap *m) {
  smap old = *m;
  m->cap = old.cap ? old.cap * 2 : 64;
  m->slots = sp_calloc(m->cap, sizeof *m->slots);
  for (size_t i = 0; i < old.cap; i++)
    if (old.slots[i].key) *find(m, old.slots[i].key, old.slots[i].len, old.slots[i].hash) = old.slots[i];
  free(old.slots);
}

void **smap_put(smap *m, const char *key, size_t len, int *inserted) {
  if ((m->n + 1) * 4 > m->cap * 3) grow(m);
  uint32_t h = smap_hash(key, len);
  smap_slot *s = find(m, key, len, h);
  *inserted = !s->key;
  if (!s->key) {
    s->key = key ? key : "";
    s->len = (uint32_t)len;
    s->hash = h;
    s->value = NULL;
    m->n++;
  }
  return &s->value;
}

void smap_free(smap *m) {
  free(m->slots);
  memset(m, 0, sizeof *m);
}
