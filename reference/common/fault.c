/* fault.c: see fault.h. */
#include "fault.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#ifdef FIU_ENABLE
#include <fiu-control.h>

int sp_fault_init(void) {
  (void)fiu_init(0);
  const char *prefix = getenv("SP_FIU_CTRL");
  if (!prefix || !*prefix) return 0;
  if (fiu_rc_fifo(prefix) != 0) {
    sp_error("fault: cannot open fiu control fifo %s-%d: %s", prefix, (int)getpid(),
             strerror(errno));
    return -1;
  }
  return 0;
}

int sp_fault_point(const char *name) {
  int kind = fiu_fail(name);
  if (!kind) return 0;
  intptr_t info = (intptr_t)fiu_failinfo();
  switch (kind) {
  case SP_FAULT_DELAY: {
    long ms = info > 0 ? (long)info : 100;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    sp_warn("fault: %s: delaying %ld ms", name, ms);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
    return 0;
  }
  case SP_FAULT_ABORT:
    sp_warn("fault: %s: aborting the process", name);
    abort();
  default:
    sp_warn("fault: %s: failing with errno %d", name, info > 0 ? (int)info : EIO);
    return info > 0 ? (int)info : EIO;
  }
}
#else
int sp_fault_init(void) { return 0; }
#endif
