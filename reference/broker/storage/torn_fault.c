/* torn_fault.c: see torn_fault.h. */
#include "torn_fault.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"
#include "log.h"

/* pwrite until done or an error; counts what reached the file. */
static int write_all(int fd, const uint8_t *p, size_t len, off_t pos, size_t *written) {
  while (len > 0) {
    ssize_t w = pwrite(fd, p, len, pos);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (w == 0) {
      errno = EIO;
      return -1;
    }
    p += w;
    len -= (size_t)w;
    pos += w;
    *written += (size_t)w;
  }
  return 0;
}

#ifdef FIU_ENABLE
/* Acts on an armed point after the first half was written: returns the
 * errno to fail with, or 0 to write the rest (after a delay). The log lines
 * match sp_fault_point()'s so the harness greps one format. */
static int torn_fire(const char *point, int kind, intptr_t info) {
  switch (kind) {
  case SP_FAULT_DELAY: {
    long ms = info > 0 ? (long)info : 100;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    sp_warn("fault: %s: delaying %ld ms", point, ms);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
    return 0;
  }
  case SP_FAULT_ABORT:
    sp_warn("fault: %s: aborting the process", point);
    abort();
  default:
    sp_warn("fault: %s: failing with errno %d", point, info > 0 ? (int)info : EIO);
    return info > 0 ? (int)info : EIO;
  }
}
#endif

int torn_write(const char *point, int fd, const void *buf, size_t len, off_t pos, size_t *written) {
  const uint8_t *p = buf;
  *written = 0;
#ifdef FIU_ENABLE
  int kind = fiu_fail(point);
  if (kind) {
    intptr_t info = (intptr_t)fiu_failinfo();
    size_t half = len / 2;
    if (write_all(fd, p, half, pos, written) != 0) return -1;
    int e = torn_fire(point, kind, info);
    if (e) {
      errno = e;
      return -1;
    }
    return write_all(fd, p + half, len - half, pos + (off_t)half, written);
  }
#else
  (void)point;
#endif
  return write_all(fd, p, len, pos, written);
}
