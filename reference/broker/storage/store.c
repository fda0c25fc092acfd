/* store.c: store_open / store_close, group commit, retention and the
 * committed-offsets entry points of store.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "store_internal.h"

#define DEFAULT_SEGMENT_BYTES (1LL << 30)
#define DEFAULT_INDEX_INTERVAL_BYTES 4096
#define DEFAULT_MAX_BATCH_BYTES 1048588 /* Kafka's message.max.bytes */
#define OFFSETS_FILE "group-offsets.log"

/* Fills in defaults for zero or negative sizes and clamps what the on-disk
 * format cannot hold (segment positions are u32; see segment.h). */
static void normalise_config(store_config *c) {
  if (c->segment_bytes <= 0) c->segment_bytes = DEFAULT_SEGMENT_BYTES;
  if (c->segment_bytes > INT32_MAX) c->segment_bytes = INT32_MAX;
  if (c->index_interval_bytes <= 0) c->index_interval_bytes = DEFAULT_INDEX_INTERVAL_BYTES;
  if (c->max_batch_bytes <= 0) c->max_batch_bytes = DEFAULT_MAX_BATCH_BYTES;
  if (c->retention_bytes < 0) c->retention_bytes = -1;
  if (c->retention_ms < 0) c->retention_ms = -1;
}

/* Many partitions mean many open segment files: use the whole hard limit. */
static void raise_fd_limit(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &rl);
  }
}

/* Makes whatever recovery kept durable before it is served: after a process
 * crash the surviving tail may still be only in the page cache. */
static int sync_recovered(const store *s) {
  int fd = open(s->data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  int rc = syncfs(fd);
  int saved = errno;
  close(fd);
  errno = saved;
  return rc;
}

store *store_open(const store_config *cfg) {
  if (!cfg || !cfg->data_dir || !*cfg->data_dir) {
    sp_error("store: no data directory given");
    return NULL;
  }
  if (mkdir(cfg->data_dir, 0755) != 0 && errno != EEXIST) {
    sp_error("store: cannot create data dir %s: %s", cfg->data_dir, strerror(errno));
    return NULL;
  }
  raise_fd_limit();
  store *s = sp_calloc(1, sizeof *s);
  s->cfg = *cfg;
  normalise_config(&s->cfg);
  s->data_dir = sp_strdup(cfg->data_dir);
  s->cfg.data_dir = s->data_dir;
  size_t plen = strlen(s->data_dir) + sizeof OFFSETS_FILE + 2;
  char *opath = sp_malloc(plen);
  snprintf(opath, plen, "%s/%s", s->data_dir, OFFSETS_FILE);
  int ok = topics_discover(s) == 0 && producer_ids_open(s) == 0;
  if (ok) s->offsets = offsets_store_open(s->data_dir, opath, s->cfg.fsync_policy == STORE_FSYNC_ALWAYS);
  free(opath);
  if (!ok || !s->offsets) {
    store_close(s);
    return NULL;
  }
  if (sync_recovered(s) != 0) {
    sp_error("store: cannot sync the recovered data dir %s: %s", s->data_dir, strerror(errno));
    store_close(s);
    return NULL;
  }
  sp_info("store: opened %s: %zu topics", s->data_dir, s->ntopics);
  return s;
}

void store_close(store *s) {
  if (!s) return;
  for (size_t i = 0; i < s->ntopics; i++)
    for (int32_t k = 0; k < s->topics[i].partitions; k++) {
      partition *p = s->topics[i].parts[k];
      if (!p->offline) partition_sync(p);
    }
  if (s->offsets) {
    offsets_store_sync_all(s->offsets);
    offsets_store_close(s->offsets);
  }
  topics_free(s);
  free(s->data_dir);
  free(s);
}

int store_sync(store *s) {
  if (s->cfg.fsync_policy == STORE_FSYNC_NEVER) return 0;
  int failed = 0;
  partition *p = s->dirty.head;
  s->dirty.head = NULL;
  while (p) {
    partition *next = p->next_dirty;
    p->next_dirty = NULL;
    if (partition_sync(p) != 0) failed++;
    p = next;
  }
  if (offsets_store_sync(s->offsets) != 0) failed++;
  return failed;
}

int store_needs_sync(const store *s) {
  if (s->cfg.fsync_policy == STORE_FSYNC_NEVER) return 0;
  return s->dirty.head != NULL || offsets_store_needs_sync(s->offsets);
}

int store_enforce_retention(store *s, int64_t now_ms) {
  int deleted = 0;
  for (size_t i = 0; i < s->ntopics; i++)
    for (int32_t k = 0; k < s->topics[i].partitions; k++)
      deleted += partition_enforce_retention(s->topics[i].parts[k], now_ms);
  return deleted;
}

/* ---- committed offsets --------------------------------------------------- */

int store_commit_offset(store *s, const char *group, size_t group_len, const char *topic,
                        size_t topic_len, int32_t partition_index, int64_t offset,
                        const char *metadata, size_t metadata_len) {
  return offsets_store_commit(s->offsets, group, group_len, topic, topic_len, partition_index,
                              offset, metadata, metadata_len);
}

int64_t store_committed_offset(const store *s, const char *group, size_t group_len,
                               const char *topic, size_t topic_len, int32_t partition_index,
                               const char **metadata) {
  return offsets_store_get(s->offsets, group, group_len, topic, topic_len, partition_index,
                           metadata);
}

void store_foreach_committed(const store *s, const char *group, size_t group_len,
                             void (*fn)(void *ctx, const char *topic, int32_t partition_index,
                                        int64_t offset, const char *metadata),
                             void *ctx) {
  offsets_store_foreach(s->offsets, group, group_len, fn, ctx);
}

uint64_t store_offsets_sync_epoch(const store *s) { return offsets_store_sync_epoch(s->offsets); }
int64_t store_offsets_commit_count(const store *s) { return offsets_store_commit_count(s->offsets); }
int store_offsets_is_durable(const store *s, uint64_t epoch, int64_t commit_count) {
  return offsets_store_is_durable(s->offsets, epoch, commit_count);
}
