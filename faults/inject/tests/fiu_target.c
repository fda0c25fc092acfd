/* fiu_target.c: a test program with one libfiu fault point and remote
 * control (SP_FIU_CTRL=PREFIX, as refbroker opens it).
 *
 * Every 2 ms it evaluates the point "sptest/io/point" through
 * sp_fault_point (fault.h) and logs what happened, one line each:
 *   "fail errno=N"       the point failed with errno N
 *   "delayed ms=N"       the evaluation took N ms (a delay fault)
 *   "evals=N"            every 50 evaluations
 * plus "ready" once the control FIFO is open. An abort fault kills it with
 * SIGABRT. SIGTERM ends it normally (exit 0, libfiu removes its FIFOs). */
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "fault.h"

static volatile sig_atomic_t stop;

static void on_term(int sig) {
  (void)sig;
  stop = 1;
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  signal(SIGTERM, on_term);
  if (sp_fault_init() != 0) return 2;
  printf("ready pid=%d\n", (int)getpid());
  unsigned long evals = 0;
  while (!stop) {
    uint64_t t0 = sp_mono_ns();
    int e = sp_fault_point("sptest/io/point");
    uint64_t ms = (sp_mono_ns() - t0) / 1000000u;
    if (e) printf("fail errno=%d\n", e);
    if (ms >= 20) printf("delayed ms=%llu\n", (unsigned long long)ms);
    if (++evals % 50 == 0) printf("evals=%lu\n", evals);
    struct timespec ts = {0, 2000000};
    nanosleep(&ts, NULL);
  }
  printf("bye\n");
  return 0;
}
