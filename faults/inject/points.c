/* points.c: see points.h. */
#include "points.h"

#include <string.h>

#include "../../reference/broker/fault_points.h"
#include "../../reference/stream/fault_points.h"

#define SP_POINT_ROW(name, where) {name, where},

static const sp_point refbroker_points[] = {REFBROKER_FAULT_POINTS(SP_POINT_ROW)};

static const sp_point refstream_points[] = {REFSTREAM_FAULT_POINTS(SP_POINT_ROW)};
#define REFSTREAM_COUNT (sizeof refstream_points / sizeof refstream_points[0])

/* Every wrapper in Debian's libfiu 1.1 fiu_posix_preload.so (from
 * `strings`; machine-notes.md lists the same 113). A program must call the
 * exported symbol for the point to fire: openat, accept4, copy_file_range,
 * io_uring and the __*_chk variants are not wrapped. */
static const sp_point posix_points[] = {
    {"libc/mm/calloc", ""}, {"libc/mm/malloc", ""}, {"libc/mm/realloc", ""},
    {"libc/str/strdup", ""}, {"libc/str/strndup", ""}, {"linux/io/sync_file_range", ""},
    {"posix/io/dir/closedir", ""}, {"posix/io/dir/fdopendir", ""}, {"posix/io/dir/opendir", ""},
    {"posix/io/dir/readdir", ""}, {"posix/io/dir/readdir_r", ""}, {"posix/io/dir/rename", ""},
    {"posix/io/dir/unlink", ""}, {"posix/io/net/accept", ""}, {"posix/io/net/bind", ""},
    {"posix/io/net/connect", ""}, {"posix/io/net/listen", ""}, {"posix/io/net/poll", ""},
    {"posix/io/net/pselect", ""}, {"posix/io/net/recv", ""}, {"posix/io/net/recvfrom", ""},
    {"posix/io/net/recvmsg", ""}, {"posix/io/net/select", ""}, {"posix/io/net/send", ""},
    {"posix/io/net/sendmsg", ""}, {"posix/io/net/sendto", ""}, {"posix/io/net/shutdown", ""},
    {"posix/io/net/socket", ""}, {"posix/io/oc/close", ""}, {"posix/io/oc/open", ""},
    {"posix/io/rw/ftruncate", ""}, {"posix/io/rw/pread", ""}, {"posix/io/rw/pread/reduce", ""},
    {"posix/io/rw/preadv", ""}, {"posix/io/rw/preadv/reduce", ""}, {"posix/io/rw/pwrite", ""},
    {"posix/io/rw/pwrite/reduce", ""}, {"posix/io/rw/pwritev", ""},
    {"posix/io/rw/pwritev/reduce", ""}, {"posix/io/rw/read", ""},
    {"posix/io/rw/read/reduce", ""}, {"posix/io/rw/readv", ""}, {"posix/io/rw/readv/reduce", ""},
    {"posix/io/rw/truncate", ""}, {"posix/io/rw/write", ""}, {"posix/io/rw/write/reduce", ""},
    {"posix/io/rw/writev", ""}, {"posix/io/rw/writev/reduce", ""},
    {"posix/io/sync/fdatasync", ""}, {"posix/io/sync/fsync", ""}, {"posix/mm/madvise", ""},
    {"posix/mm/mlock", ""}, {"posix/mm/mlockall", ""}, {"posix/mm/mmap", ""},
    {"posix/mm/mprotect", ""}, {"posix/mm/msync", ""}, {"posix/mm/munlock", ""},
    {"posix/mm/munlockall", ""}, {"posix/mm/munmap", ""}, {"posix/proc/fork", ""},
    {"posix/proc/kill", ""}, {"posix/proc/sigaction", ""}, {"posix/proc/signal", ""},
    {"posix/proc/wait", ""}, {"posix/proc/waitid", ""}, {"posix/proc/waitpid", ""},
    {"posix/stdio/error/ferror", ""}, {"posix/stdio/fflush", ""},
    {"posix/stdio/ftrylockfile", ""}, {"posix/stdio/gp/fgetc", ""}, {"posix/stdio/gp/fgets", ""},
    {"posix/stdio/gp/fputc", ""}, {"posix/stdio/gp/fputs", ""}, {"posix/stdio/gp/getc", ""},
    {"posix/stdio/gp/getchar", ""}, {"posix/stdio/gp/getdelim", ""},
    {"posix/stdio/gp/getline", ""}, {"posix/stdio/gp/gets", ""}, {"posix/stdio/gp/putc", ""},
    {"posix/stdio/gp/putchar", ""}, {"posix/stdio/gp/puts", ""}, {"posix/stdio/gp/ungetc", ""},
    {"posix/stdio/oc/fclose", ""}, {"posix/stdio/oc/fdopen", ""}, {"posix/stdio/oc/fmemopen", ""},
    {"posix/stdio/oc/fopen", ""}, {"posix/stdio/oc/freopen", ""},
    {"posix/stdio/oc/open_memstream", ""}, {"posix/stdio/oc/pclose", ""},
    {"posix/stdio/oc/popen", ""}, {"posix/stdio/remove", ""}, {"posix/stdio/rw/fread", ""},
    {"posix/stdio/rw/fwrite", ""}, {"posix/stdio/seek/fgetpos", ""},
    {"posix/stdio/seek/fseek", ""}, {"posix/stdio/seek/fseeko", ""},
    {"posix/stdio/seek/fsetpos", ""}, {"posix/stdio/seek/ftell", ""},
    {"posix/stdio/seek/ftello", ""}, {"posix/stdio/setvbuf", ""}, {"posix/stdio/sp/dprintf", ""},
    {"posix/stdio/sp/fprintf", ""}, {"posix/stdio/sp/fscanf", ""}, {"posix/stdio/sp/printf", ""},
    {"posix/stdio/sp/scanf", ""}, {"posix/stdio/sp/vdprintf", ""},
    {"posix/stdio/sp/vfprintf", ""}, {"posix/stdio/sp/vfscanf", ""},
    {"posix/stdio/sp/vprintf", ""}, {"posix/stdio/sp/vscanf", ""},
    {"posix/stdio/tmp/tempnam", ""}, {"posix/stdio/tmp/tmpfile", ""},
    {"posix/stdio/tmp/tmpnam", ""},
};

const sp_point *sp_points(sp_points_registry reg, size_t *count) {
  switch (reg) {
  case SP_POINTS_REFBROKER:
    *count = sizeof refbroker_points / sizeof refbroker_points[0];
    return refbroker_points;
  case SP_POINTS_REFSTREAM:
    *count = REFSTREAM_COUNT;
    return refstream_points;
  case SP_POINTS_POSIX:
    *count = sizeof posix_points / sizeof posix_points[0];
    return posix_points;
  }
  *count = 0;
  return NULL;
}

int sp_points_registry_of(const char *name) {
  if (strncmp(name, "refbroker/", 10) == 0) return SP_POINTS_REFBROKER;
  if (strncmp(name, "refstream/", 10) == 0) return SP_POINTS_REFSTREAM;
  if (strncmp(name, "posix/", 6) == 0 || strncmp(name, "libc/", 5) == 0 ||
      strncmp(name, "linux/", 6) == 0)
    return SP_POINTS_POSIX;
  return -1;
}

int sp_points_known(sp_points_registry reg, const char *name) {
  size_t n = 0;
  const sp_point *pts = sp_points(reg, &n);
  size_t len = strlen(name);
  int wildcard = len > 0 && name[len - 1] == '*';
  for (size_t i = 0; i < n; i++) {
    if (wildcard ? strncmp(pts[i].name, name, len - 1) == 0 : strcmp(pts[i].name, name) == 0)
      return 1;
  }
  return 0;
}
