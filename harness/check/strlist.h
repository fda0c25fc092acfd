/* strlist.h: a growable list of owned strings (notes and reasons that end
 * up in verdict.json and the summary). */
#ifndef SP_CHECK_STRLIST_H
#define SP_CHECK_STRLIST_H

#include <stddef.h>

typedef struct strlist {
  char **v;
  size_t n, cap;
} strlist;

/* Appends a formatted string (at most 1 KiB). */
void strlist_addf(strlist *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strlist_free(strlist *l);

#endif
