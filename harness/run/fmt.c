/* fmt.c: run_fmt (run_int.h). */
#include <stdarg.h>
#include <stdio.h>

#include "run_int.h"

int run_fmt(char *dst, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(dst, cap, fmt, ap);
  va_end(ap);
  return n;
}
