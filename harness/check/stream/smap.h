/* smap.h: a hash map from byte-string keys to pointers (per-key operator
 * state, expected results by id). Open addressing, FNV-1a; keys are not
 * copied (they must outlive the map: the oracle keeps them in its arena).
 * Never iterated where order could reach a result: the operators sort what
 * they emit. */
#ifndef SP_ORACLE_SMAP_H
#define SP_ORACLE_SMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct smap_slot {
  const char *key; /* NULL: empty */
  uint32_t len;
  uint32_t hash;
  void *value;
} smap_slot;

typedef struct smap {
  smap_slot *slots;
  size_t cap, n; /* cap a power of two */
} smap;

uint32_t smap_hash(const char *key, size_t len);
/* The value stored under key, or NULL. */
void *smap_get(const smap *m, const char *key, size_t len);
/* A pointer to the value slot of key, inserting it (value NULL) when absent;
 * *inserted says which. The pointer is valid until the next insertion. */
void **smap_put(smap *m, const char *key, size_t len, int *inserted);
void smap_free(smap *m);

#endif
