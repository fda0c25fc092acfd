/* test_util.h: helpers shared by the fault library's C tests. */
#ifndef SP_FAULTS_TEST_UTIL_H
#define SP_FAULTS_TEST_UTIL_H

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"

/* Lines of the file at path containing needle (0 if unreadable). */
static inline int count_lines_with(const char *path, const char *needle) {
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  char line[1024];
  int n = 0;
  while (fgets(line, sizeof line, f))
    if (strstr(line, needle)) n++;
  fclose(f);
  return n;
}

static inline void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* Polls until needle appears at least `times` times in the file. 1 if it did. */
static inline int wait_lines(const char *path, const char *needle, int times, int timeout_ms) {
  uint64_t deadline = sp_mono_ns() + (uint64_t)timeout_ms * 1000000u;
  while (sp_mono_ns() < deadline) {
    if (count_lines_with(path, needle) >= times) return 1;
    sleep_ms(5);
  }
  return count_lines_with(path, needle) >= times;
}

/* The state letter of a process in /proc (0 when gone). */
static inline char test_proc_state(int pid) {
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  char *p = strrchr(buf, ')');
  return p && p[1] == ' ' ? p[2] : 0;
}

#endif
