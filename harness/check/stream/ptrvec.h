/* ptrvec.h: a growable array of pointers (per-key window lists, the
 * windows one watermark advance fires or drops). */
#ifndef SP_ORACLE_PTRVEC_H
#define SP_ORACLE_PTRVEC_H

#include <stdlib.h>
#include <string.h>

#include "mem.h"

typedef struct ptrvec {
  void **v;
  size_t n, cap;
} ptrvec;

/* Inserts x at index i (0 <= i <= n). */
static inline void ptrvec_insert(ptrvec *p, size_t i, void *x) {
  if (p->n == p->cap) {
    p->cap = p->cap ? p->cap * 2 : 8;
    p->v = sp_realloc(p->v, p->cap * sizeof *p->v);
  }
  memmove(p->v + i + 1, p->v + i, (p->n - i) * sizeof *p->v);
  p->v[i] = x;
  p->n++;
}

static inline void ptrvec_push(ptrvec *p, void *x) { ptrvec_insert(p, p->n, x); }

/* Removes the element at index i, keeping the order. */
static inline void ptrvec_remove_at(ptrvec *p, size_t i) {
  memmove(p->v + i, p->v + i + 1, (p->n - i - 1) * sizeof *p->v);
  p->n--;
}

/* Removes x (its first occurrence), keeping the order; 1 if found. */
static inline int ptrvec_remove(ptrvec *p, const void *x) {
  for (size_t i = 0; i < p->n; i++)
    if (p->v[i] == x) {
      ptrvec_remove_at(p, i);
      return 1;
    }
  return 0;
}

static inline void ptrvec_free(ptrvec *p) {
  free(p->v);
  memset(p, 0, sizeof *p);
}

#endif
