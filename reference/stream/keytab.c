/* keytab.c: see keytab.h. */
#include "keytab.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "mem.h"

typedef struct key_ref {
  const char *key;
  uint32_t len;
} key_ref;

/* Whether state `val` holds the key in `key`. */
static int keyed_eq(const void *val, const void *key) {
  const rs_keyed *s = val;
  const key_ref *k = key;
  return s->key_len == k->len && memcmp(s->key, k->key, k->len) == 0;
}

void rs_keytab_init(rs_keytab *t, size_t item_size, uint64_t seed) {
  memset(t, 0, sizeof *t);
  t->item_size = item_size;
  t->seed = seed;
}

void *rs_keytab_get(rs_keytab *t, const char *key, uint32_t len, int create) {
  key_ref kr = {key, len};
  uint64_t h = rs_hash_bytes(key, len, t->seed);
  rs_keyed *k = rs_map_find(&t->map, h, keyed_eq, &kr);
  if (k || !create) return k;
  k = sp_calloc(1, t->item_size);
  k->key = sp_malloc((size_t)len + 1);
  memcpy(k->key, key, len);
  k->key[len] = '\0';
  k->key_len = len;
  rs_map_put(&t->map, h, k);
  return k;
}

void rs_keytab_del(rs_keytab *t, rs_keyed *k) {
  key_ref kr = {k->key, k->key_len};
  rs_map_del(&t->map, rs_hash_bytes(k->key, k->key_len, t->seed), keyed_eq, &kr);
  free(k->key);
  free(k);
}

rs_keyed **rs_keytab_all(const rs_keytab *t, size_t *n) {
  rs_keyed **all = sp_malloc((t->map.len + 1) * sizeof *all);
  size_t k = 0;
  for (size_t i = 0; i < t->map.cap; i++)
    if (rs_map_live(&t->map, i)) all[k++] = t->map.slots[i].val;
  *n = k;
  return all;
}

void rs_keytab_free(rs_keytab *t, void (*release)(rs_keyed *k)) {
  for (size_t i = 0; i < t->map.cap; i++)
    if (rs_map_live(&t->map, i)) {
      rs_keyed *k = t->map.slots[i].val;
      release(k);
      free(k->key);
      free(k);
    }
  rs_map_free(&t->map);
}

size_t rs_keytab_sum(const rs_keytab *t, size_t (*count)(const rs_keyed *k)) {
  size_t n = 0;
  for (size_t i = 0; i < t->map.cap; i++)
    if (rs_map_live(&t->map, i)) n += count(t->map.slots[i].val);
  return n;
}

int rs_keyed_tiebreak(const rs_timer *a, const rs_timer *b) {
  const rs_keyed *x = a->ref, *y = b->ref;
  return rs_key_cmp(x->key, x->key_len, y->key, y->key_len);
}

int rs_key_cmp(const char *a, uint32_t alen, const char *b, uint32_t blen) {
  uint32_t n = alen < blen ? alen : blen;
  int c = memcmp(a, b, n);
  return c ? c : (alen > blen) - (alen < blen);
}
