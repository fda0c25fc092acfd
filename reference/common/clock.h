/* clock.h: the two clocks the project uses, in nanoseconds.
 *
 * Latency is always measured on CLOCK_MONOTONIC: it never jumps, and on one
 * host it is shared by every process, so a producer's send time and another
 * process's receive time can be subtracted. Wall time is only for humans and
 * for Kafka record timestamps. */
#ifndef SP_CLOCK_H
#define SP_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t sp_mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline uint64_t sp_wall_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline int64_t sp_wall_ms(void) { return (int64_t)(sp_wall_ns() / 1000000ull); }

/* Sleeps until the monotonic clock reaches deadline_ns (no-op if passed). */
static inline void sp_sleep_until_ns(uint64_t deadline_ns) {
  struct timespec ts;
  ts.tv_sec = (time_t)(deadline_ns / 1000000000ull);
  ts.tv_nsec = (long)(deadline_ns % 1000000000ull);
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0) {
  }
}

#endif
