/* dedupe.c: see dedupe.h. */
#include "dedupe.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "mem.h"

typedef struct id_entry {
  size_t len;
  char id[];
} id_entry;

typedef struct id_key {
  const char *id;
  size_t len;
} id_key;

/* Whether entry `val` holds the id in `key`. */
static int id_eq(const void *val, const void *key) {
  const id_entry *e = val;
  const id_key *k = key;
  return e->len == k->len && memcmp(e->id, k->id, k->len) == 0;
}

void rs_dedupe_add(rs_dedupe *d, const char *id, size_t len) {
  uint64_t h = rs_hash_bytes(id, len, 7);
  id_key k = {id, len};
  if (rs_map_find(&d->map, h, id_eq, &k)) return;
  id_entry *e = sp_malloc(sizeof *e + len);
  e->len = len;
  memcpy(e->id, id, len);
  rs_map_put(&d->map, h, e);
}

int rs_dedupe_take(rs_dedupe *d, const char *id, size_t len) {
  if (!d->map.len) return 0;
  id_key k = {id, len};
  id_entry *e = rs_map_del(&d->map, rs_hash_bytes(id, len, 7), id_eq, &k);
  if (!e) return 0;
  free(e);
  return 1;
}

size_t rs_dedupe_count(const rs_dedupe *d) { return d->map.len; }

/* Orders ids bytewise (checkpoints list them sorted). */
static int cmp_entries(const void *a, const void *b) {
  const id_entry *x = *(const id_entry *const *)a, *y = *(const id_entry *const *)b;
  size_t n = x->len < y->len ? x->len : y->len;
  int c = memcmp(x->id, y->id, n);
  return c ? c : (x->len > y->len) - (x->len < y->len);
}

void rs_dedupe_save(const rs_dedupe *d, sp_buf *b) {
  const id_entry **all = sp_malloc((d->map.len + 1) * sizeof *all);
  size_t n = 0;
  for (size_t i = 0; i < d->map.cap; i++)
    if (rs_map_live(&d->map, i)) all[n++] = d->map.slots[i].val;
  if (n) qsort(all, n, sizeof *all, cmp_entries);
  kw_i32(b, (int32_t)n);
  for (size_t i = 0; i < n; i++) kw_bytes(b, all[i]->id, (int32_t)all[i]->len);
  free(all);
}

int rs_dedupe_load(rs_dedupe *d, kreader *r) {
  int32_t n = kr_array(r, 4);
  if (r->err || n < 0) return -1;
  for (int32_t i = 0; i < n; i++) {
    kslice s = kr_bytes(r);
    if (r->err || s.len < 0) return -1;
    rs_dedupe_add(d, (const char *)s.ptr, (size_t)s.len);
  }
  return 0;
}

void rs_dedupe_clear(rs_dedupe *d) {
  for (size_t i = 0; i < d->map.cap; i++)
    if (rs_map_live(&d->map, i)) free(d->map.slots[i].val);
  rs_map_free(&d->map);
}
