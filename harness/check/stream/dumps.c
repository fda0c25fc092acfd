/* dumps.c: see dumps.h. */
#include "dumps.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dumps_path(char *buf, size_t len, const char *dir, const char *topic, int32_t partition) {
  snprintf(buf, len, "%s/%s-%" PRId32 ".dump", dir, topic, partition);
}

/* The partition number of a dump file name of topic, or -1. */
static long dump_partition(const char *name, const char *topic) {
  size_t tl = strlen(topic), nl = strlen(name);
  if (nl < tl + 7 || strncmp(name, topic, tl) != 0 || name[tl] != '-' ||
      strcmp(name + nl - 5, ".dump") != 0)
    return -1;
  long p = 0;
  for (const char *c = name + tl + 1; c < name + nl - 5; c++) {
    if (*c < '0' || *c > '9' || p > 1000000) return -1;
    p = p * 10 + (*c - '0');
  }
  return p;
}

int32_t dumps_partitions(const char *dir, const char *topic, int *gap) {
  *gap = 0;
  DIR *d = opendir(dir);
  if (!d) return 0;
  long max = -1, count = 0;
  struct dirent *de;
  while ((de = readdir(d))) {
    long p = dump_partition(de->d_name, topic);
    if (p < 0) continue;
    count++;
    if (p > max) max = p;
  }
  closedir(d);
  if (count != max + 1) {
    *gap = 1;
    /* the contiguous prefix */
    char path[4096];
    int32_t n = 0;
    FILE *f;
    while (dumps_path(path, sizeof path, dir, topic, n), (f = fopen(path, "rbe"))) {
      fclose(f);
      n++;
    }
    return n;
  }
  return (int32_t)count;
}
