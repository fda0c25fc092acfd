/* keytab.h: per-key state tables for the keyed operators.
 *
 * Every keyed operator (sliding and session windows, count windows,
 * pattern, join, enrich) keeps one struct per key whose first member is an
 * rs_keyed: the key bytes and a count of the timers that point at the
 * struct (the struct must outlive them). This module owns the hash table,
 * the key copies and the one ordering that matters for determinism: keys
 * in bytewise order for breaking timer ties. Nothing that reaches the
 * output depends on the table's iteration order, so checkpoints list the
 * states in table order (sorting a million keys would cost seconds of
 * cache misses) and a restore reproduces the behaviour exactly. */
#ifndef RS_KEYTAB_H
#define RS_KEYTAB_H

#include <stddef.h>
#include <stdint.h>

#include "keymap.h"
#include "timerq.h"

typedef struct rs_keyed {
  uint32_t refs;    /* timers pointing here */
  uint32_t key_len;
  char *key;        /* NUL-terminated copy */
} rs_keyed;

typedef struct rs_keytab {
  rs_map map;
  size_t item_size; /* size of the operator's per-key struct */
  uint64_t seed;
} rs_keytab;

void rs_keytab_init(rs_keytab *t, size_t item_size, uint64_t seed);
/* The state of key (a zeroed item_size struct when created), or NULL if
 * absent and !create. */
void *rs_keytab_get(rs_keytab *t, const char *key, uint32_t len, int create);
/* Removes k from the table and frees it (the caller freed its contents). */
void rs_keytab_del(rs_keytab *t, rs_keyed *k);
/* All states, in table order; the caller frees the array. */
rs_keyed **rs_keytab_all(const rs_keytab *t, size_t *n);
/* Calls release(k) (which frees k's contents) for every state, then frees
 * everything. */
void rs_keytab_free(rs_keytab *t, void (*release)(rs_keyed *k));

/* Sum of count(k) over all states (operator stats). */
size_t rs_keytab_sum(const rs_keytab *t, size_t (*count)(const rs_keyed *k));

/* Timer tie-break for timers whose ref is an rs_keyed: bytewise key. */
int rs_keyed_tiebreak(const rs_timer *a, const rs_timer *b);

/* Bytewise order of two keys (shorter first on a common prefix). */
int rs_key_cmp(const char *a, uint32_t alen, const char *b, uint32_t blen);

#endif
