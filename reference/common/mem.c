/* mem.c: see mem.h. */
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reports the failed request and aborts: there is no sane partial state. */
static _Noreturn void sp_oom(size_t size_bytes) {
  fprintf(stderr, "out of memory allocating %zu bytes\n", size_bytes);
  abort();
}

void *sp_malloc(size_t size_bytes) {
  void *p = malloc(size_bytes ? size_bytes : 1);
  if (!p) sp_oom(size_bytes);
  return p;
}

void *sp_calloc(size_t count, size_t size_bytes) {
  void *p = calloc(count ? count : 1, size_bytes ? size_bytes : 1);
  if (!p) sp_oom(count * size_bytes);
  return p;
}

void *sp_realloc(void *ptr, size_t size_bytes) {
  void *p = realloc(ptr, size_bytes ? size_bytes : 1);
  if (!p) sp_oom(size_bytes);
  return p;
}

char *sp_strdup(const char *s) { return sp_strndup(s, strlen(s)); }

char *sp_strndup(const char *s, size_t len) {
  char *p = sp_malloc(len + 1);
  memcpy(p, s, len);
  p[len] = '\0';
  return p;
}
