/* dir_sync.c: see dir_sync.h. */
#include "dir_sync.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int storage_fsync_dir(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  int rc = fsync(fd);
  int saved = errno;
  close(fd);
  errno = saved;
  return rc;
}
