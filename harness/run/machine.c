/* machine.c: see machine.h. Linux: /proc/cpuinfo, sysinfo(2), uname(2). */
#include "machine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

/* The first "model name" of /proc/cpuinfo into buf; 0 or -1. */
static int cpu_model(char *buf, size_t cap) {
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (!f) return -1;
  char line[512];
  int rc = -1;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "model name", 10)) continue;
    char *colon = strchr(line, ':');
    if (!colon) continue;
    colon++;
    while (*colon == ' ' || *colon == '\t') colon++;
    colon[strcspn(colon, "\n")] = '\0';
    snprintf(buf, cap, "%s", colon);
    rc = 0;
    break;
  }
  fclose(f);
  return rc;
}

json_t *machine_json(void) {
  json_t *m = json_object();
  char buf[512];
  if (gethostname(buf, sizeof buf) == 0) {
    buf[sizeof buf - 1] = '\0';
    json_object_set_new(m, "hostname", json_string(buf));
  }
  if (cpu_model(buf, sizeof buf) == 0) json_object_set_new(m, "cpu_model", json_string(buf));
  json_object_set_new(m, "cpus", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
  struct sysinfo si;
  if (sysinfo(&si) == 0) {
    json_object_set_new(m, "memory_bytes", json_integer((json_int_t)si.totalram * si.mem_unit));
    json_object_set_new(m, "load_avg_1m", json_real((double)si.loads[0] / (1 << SI_LOAD_SHIFT)));
  }
  struct utsname u;
  if (uname(&u) == 0) {
    snprintf(buf, sizeof buf, "%s %s %s", u.sysname, u.release, u.machine);
    json_object_set_new(m, "kernel", json_string(buf));
  }
  return m;
}
