/* notes.c: see notes.h. */
#include "notes.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "mem.h"

/* Appends one formatted line, growing the array geometrically. */
void notes_add(notes *l, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int len = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *s = sp_malloc((size_t)(len > 0 ? len : 0) + 1);
  va_start(ap, fmt);
  vsnprintf(s, (size_t)(len > 0 ? len : 0) + 1, fmt, ap);
  va_end(ap);
  if (l->n == l->cap) {
    l->cap = l->cap ? 2 * l->cap : 8;
    l->v = sp_realloc(l->v, l->cap * sizeof *l->v);
  }
  l->v[l->n++] = s;
}

void notes_free(notes *l) {
  for (size_t i = 0; i < l->n; i++) free(l->v[i]);
  free(l->v);
  l->v = NULL;
  l->n = l->cap = 0;
}
