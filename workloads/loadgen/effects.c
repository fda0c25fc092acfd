/* effects.c: see effects.h. */
#include "effects.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

void effects_init(effects_store *e, const char *history_dir, const char *lock_dir,
                  uint32_t subscription, uint32_t topic, int32_t partition) {
  memset(e, 0, sizeof *e);
  e->lock_fd = -1;
  e->last_applied = -1;
  snprintf(e->path, sizeof e->path, "%s/effects-%" PRIu32 "-%" PRIu32 "-%" PRId32 ".hist",
           history_dir, subscription, topic, partition);
  snprintf(e->lock_path, sizeof e->lock_path, "%s/effects-%" PRIu32 "-%" PRIu32 "-%" PRId32 ".lock",
           lock_dir, subscription, topic, partition);
}

int effects_acquire(effects_store *e, uint32_t subscription) {
  if (e->lock_fd >= 0) return 1;
  int fd = open(e->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    close(fd);
    if (err == EWOULDBLOCK) return 0;
    errno = err;
    return -1;
  }
  /* Owner now: nobody else can append, so the last record is final. The
   * writer cuts a torn tail left by a predecessor killed mid-write. */
  e->out = hist_writer_open(e->path, HIST_KIND_EFFECTS, subscription);
  hist_record last;
  int rc = e->out ? hist_read_last(e->path, &last) : -1;
  if (rc < 0) {
    int err = errno;
    if (e->out) hist_writer_close(e->out);
    e->out = NULL;
    close(fd);
    errno = err;
    return -1;
  }
  e->last_applied = rc == 1 ? last.offset : -1;
  e->lock_fd = fd;
  return 1;
}

int effects_open_unlocked(effects_store *e, uint32_t subscription) {
  if (e->out) return 0;
  e->out = hist_writer_open(e->path, HIST_KIND_EFFECTS, subscription);
  return e->out ? 0 : -1;
}

int effects_apply(effects_store *e, const hist_record *rec) {
  if (!e->out) {
    errno = EBADF;
    return -1;
  }
  if (hist_writer_append(e->out, rec) != 0) return -1;
  e->last_applied = rec->offset;
  return 0;
}

int effects_flush(effects_store *e) { return e->out ? hist_writer_flush(e->out) : 0; }

int effects_release(effects_store *e) {
  int rc = 0;
  if (e->out) rc = hist_writer_close(e->out);
  e->out = NULL;
  if (e->lock_fd >= 0) close(e->lock_fd); /* drops the flock */
  e->lock_fd = -1;
  return rc;
}
