/* topic.c: the topic registry: names, creation, discovery at open.
 *
 * A topic is nothing but its partition directories <topic>-<n> in the data
 * dir. Creation makes partitions n-1..1 first, fsyncs the data dir, then
 * makes partition 0 and fsyncs again: partition 0 is the commit point, so a
 * crash mid-creation leaves directories that discovery ignores (it only
 * registers topics whose partition 0 exists, with the contiguous run
 * 0..k-1 of partitions) and a retried creation reuses. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "store_internal.h"

#define TOPIC_NAME_MAX 249
#define TOPIC_PARTITIONS_MAX 100000

int store_topic_name_valid(const char *name, size_t len) {
  if (!name || len == 0 || len > TOPIC_NAME_MAX) return 0;
  if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.')) return 0;
  for (size_t i = 0; i < len; i++) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '.' || c == '_' || c == '-'))
      return 0;
  }
  return 1;
}

/* Compares a (name, len) key with a topic's NUL-terminated name. */
static int name_cmp(const char *name, size_t len, const char *other) {
  size_t olen = strlen(other);
  int c = memcmp(name, other, len < olen ? len : olen);
  return c ? c : (len > olen) - (len < olen);
}

/* Index where the topic is, or would be inserted; *found says which. */
static size_t topic_slot(const store *s, const char *name, size_t len, int *found) {
  size_t lo = 0, hi = s->ntopics;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = name_cmp(name, len, s->topics[mid].name);
    if (c == 0) {
      *found = 1;
      return mid;
    }
    if (c > 0) lo = mid + 1;
    else hi = mid;
  }
  *found = 0;
  return lo;
}

store_topic *topic_find(const store *s, const char *name, size_t len) {
  int found;
  size_t i = topic_slot(s, name, len, &found);
  return found ? &s->topics[i] : NULL;
}

static void topic_insert(store *s, const store_topic *t) {
  int found;
  size_t i = topic_slot(s, t->name, strlen(t->name), &found);
  if (s->ntopics == s->topics_cap) {
    s->topics_cap = s->topics_cap ? s->topics_cap * 2 : 16;
    s->topics = sp_realloc(s->topics, s->topics_cap * sizeof *s->topics);
  }
  memmove(&s->topics[i + 1], &s->topics[i], (s->ntopics - i) * sizeof *s->topics);
  s->topics[i] = *t;
  s->ntopics++;
}

static void topic_free(store_topic *t) {
  for (int32_t i = 0; t->parts && i < t->partitions; i++) partition_free(t->parts[i]);
  free(t->parts);
  free(t->name);
}

void topics_free(store *s) {
  for (size_t i = 0; i < s->ntopics; i++) topic_free(&s->topics[i]);
  free(s->topics);
  s->topics = NULL;
  s->ntopics = s->topics_cap = 0;
}

/* "<data>/<topic>-<n>" and "<topic>-<n>". */
static char *partition_dir(const store *s, const char *name, int32_t n, char **short_name) {
  size_t len = strlen(s->data_dir) + strlen(name) + 16;
  char *dir = sp_malloc(len);
  snprintf(dir, len, "%s/%s-%d", s->data_dir, name, (int)n);
  *short_name = sp_strdup(dir + strlen(s->data_dir) + 1);
  return dir;
}

/* Opens partitions 0..t->partitions-1 of a topic whose directories exist.
 * Returns 0, or -1 (those opened so far are freed). */
static int open_partitions(store *s, store_topic *t) {
  t->parts = sp_calloc((size_t)t->partitions, sizeof *t->parts);
  for (int32_t i = 0; i < t->partitions; i++) {
    char *short_name;
    char *dir = partition_dir(s, t->name, i, &short_name);
    t->parts[i] = partition_open(dir, short_name, &s->cfg, &s->dirty);
    free(dir);
    free(short_name);
    if (!t->parts[i]) {
      t->partitions = i;
      return -1;
    }
  }
  return 0;
}

int store_create_topic(store *s, const char *name, size_t len, int32_t partitions) {
  if (!store_topic_name_valid(name, len)) return KERR_INVALID_TOPIC_EXCEPTION;
  if (partitions < 1 || partitions > TOPIC_PARTITIONS_MAX) return KERR_INVALID_PARTITIONS;
  if (topic_find(s, name, len)) return KERR_TOPIC_ALREADY_EXISTS;
  store_topic t = {sp_strndup(name, len), partitions, NULL};
  for (int32_t i = partitions - 1; i >= 0; i--) {
    char *short_name;
    char *dir = partition_dir(s, t.name, i, &short_name);
    int ok = (i > 0 || partitions == 1 || storage_fsync_dir(s->data_dir) == 0) &&
             (mkdir(dir, 0755) == 0 || errno == EEXIST);
    if (!ok) sp_error("topic %s: cannot create %s: %s", t.name, dir, strerror(errno));
    free(dir);
    free(short_name);
    if (!ok) {
      free(t.name);
      return KERR_KAFKA_STORAGE_ERROR;
    }
  }
  if (storage_fsync_dir(s->data_dir) != 0 || open_partitions(s, &t) != 0) {
    sp_error("topic %s: creation failed: %s", t.name, strerror(errno));
    topic_free(&t);
    return KERR_KAFKA_STORAGE_ERROR;
  }
  sp_info("topic %s: created with %d partitions", t.name, (int)partitions);
  topic_insert(s, &t);
  return KERR_NONE;
}

int32_t store_topic_partitions(const store *s, const char *name, size_t len) {
  const store_topic *t = topic_find(s, name, len);
  return t ? t->partitions : -1;
}

void store_foreach_topic(const store *s, void (*fn)(void *ctx, const char *name, int32_t partitions),
                         void *ctx) {
  for (size_t i = 0; i < s->ntopics; i++) fn(ctx, s->topics[i].name, s->topics[i].partitions);
}

partition *store_partition(store *s, const char *name, size_t len, int32_t index) {
  store_topic *t = topic_find(s, name, len);
  return t && index >= 0 && index < t->partitions ? t->parts[index] : NULL;
}

/* ---- discovery ----------------------------------------------------------- */

/* Splits "<topic>-<n>" at its last '-': returns n (decimal, no leading
 * zeros, below the partition limit) and the topic length, or -1. */
static int32_t parse_partition_dir(const char *entry, size_t *topic_len) {
  const char *dash = strrchr(entry, '-');
  if (!dash || dash == entry || !dash[1]) return -1;
  const char *digits = dash + 1;
  if (digits[0] == '0' && digits[1]) return -1;
  int64_t n = 0;
  for (const char *c = digits; *c; c++) {
    if (!isdigit((unsigned char)*c)) return -1;
    n = n * 10 + (*c - '0');
    if (n >= TOPIC_PARTITIONS_MAX) return -1;
  }
  *topic_len = (size_t)(dash - entry);
  return store_topic_name_valid(entry, *topic_len) ? (int32_t)n : -1;
}

typedef struct found_dir {
  char *topic;
  int32_t partition;
} found_dir;

static int cmp_found(const void *a, const void *b) {
  const found_dir *x = a, *y = b;
  int c = strcmp(x->topic, y->topic);
  return c ? c : (x->partition > y->partition) - (x->partition < y->partition);
}

/* Registers the topics among the sorted partition directories list[0..n):
 * a topic needs partition 0 and takes the contiguous run from it. */
static void register_found(store *s, found_dir *list, size_t n) {
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j < n && strcmp(list[j].topic, list[i].topic) == 0) j++;
    int32_t run = 0;
    while (i + (size_t)run < j && list[i + (size_t)run].partition == run) run++;
    if (run == 0) {
      sp_warn("topic %s: ignoring its directories: partition 0 is missing (creation interrupted?)",
              list[i].topic);
    } else {
      if (i + (size_t)run < j)
        sp_warn("topic %s: ignoring partition directories from %s-%d on: partition %d is missing",
                list[i].topic, list[i].topic, (int)list[i + (size_t)run].partition, (int)run);
      store_topic t = {sp_strdup(list[i].topic), run, NULL};
      if (open_partitions(s, &t) != 0) {
        sp_error("topic %s: cannot open its partitions: topic unavailable", t.name);
        topic_free(&t);
      } else {
        topic_insert(s, &t);
      }
    }
    i = j;
  }
}

int topics_discover(store *s) {
  DIR *d = opendir(s->data_dir);
  if (!d) {
    sp_error("store: cannot list data dir %s: %s", s->data_dir, strerror(errno));
    return -1;
  }
  found_dir *list = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;
  while ((de = readdir(d))) {
    size_t tlen;
    int32_t part = parse_partition_dir(de->d_name, &tlen);
    if (part < 0) continue;
    struct stat st;
    if (fstatat(dirfd(d), de->d_name, &st, 0) != 0 || !S_ISDIR(st.st_mode)) continue;
    if (n == cap) list = sp_realloc(list, (cap = cap ? cap * 2 : 64) * sizeof *list);
    list[n++] = (found_dir){sp_strndup(de->d_name, tlen), part};
  }
  closedir(d);
  if (n) qsort(list, n, sizeof *list, cmp_found);
  register_found(s, list, n);
  for (size_t i = 0; i < n; i++) free(list[i].topic);
  free(list);
  return 0;
}
