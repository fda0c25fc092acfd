/* io_fault.c: see io_fault.h. */
#include "io_fault.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

ssize_t __real_pwrite(int fd, const void *buf, size_t n, off_t off);
ssize_t __real_write(int fd, const void *buf, size_t n);
int __real_fdatasync(int fd);
int __real_fsync(int fd);
int __real_ftruncate(int fd, off_t len);
ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t off);
ssize_t __wrap_write(int fd, const void *buf, size_t n);
int __wrap_fdatasync(int fd);
int __wrap_fsync(int fd);
int __wrap_ftruncate(int fd, off_t len);

static int64_t fail_at, calls;
static io_fault_mode fail_mode;
static int fired;

void io_fault_arm(int64_t n, io_fault_mode mode) {
  fail_at = n;
  fail_mode = mode;
  calls = 0;
  fired = 0;
}

int64_t io_fault_count(void) { return calls; }
int io_fault_fired(void) { return fired; }

/* What happens to this call: 0 go on, 1 fail, 2 crash here, 3 short write. */
static int decide(int fd) {
  if (fd <= 2 || fail_at <= 0) return 0;
  calls++;
  int hit = calls == fail_at;
  if (hit) fired = 1;
  switch (fail_mode) {
  case IO_CRASH: return hit ? 2 : 0;
  case IO_PERSISTENT: return calls >= fail_at;
  case IO_SHORT: return hit ? 3 : 0;
  case IO_TRANSIENT: break;
  }
  return hit;
}

static void crash(void) { kill(getpid(), SIGKILL); }

/* ---- durability tracking ------------------------------------------------- */

#define TRACK_FILES 1024
#define TRACK_DIRS 32
#define TRACK_ENTRIES 256
#define NAME_BYTES 64

typedef struct tracked_file {
  dev_t dev;
  ino_t ino;
  int64_t durable_bytes;
} tracked_file;

typedef struct tracked_dir {
  char path[512];
  int n;
  char names[TRACK_ENTRIES][NAME_BYTES];
} tracked_dir;

typedef struct power_state {
  char root[512];
  int nfiles, ndirs;
  tracked_file files[TRACK_FILES];
  tracked_dir dirs[TRACK_DIRS];
} power_state;

static power_state *power; /* MAP_SHARED: the parent sees the child's records */

void io_fault_track_power(const char *dir) {
  if (!power) {
    power = mmap(NULL, sizeof *power, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (power == MAP_FAILED) abort();
  }
  memset(power, 0, sizeof *power);
  snprintf(power->root, sizeof power->root, "%s", dir);
}

void io_fault_track_stop(void) {
  if (power) munmap(power, sizeof *power);
  power = NULL;
}

static tracked_file *file_of(dev_t dev, ino_t ino, int add) {
  for (int i = 0; i < power->nfiles; i++)
    if (power->files[i].dev == dev && power->files[i].ino == ino) return &power->files[i];
  if (!add || power->nfiles == TRACK_FILES) return NULL;
  tracked_file *f = &power->files[power->nfiles++];
  f->dev = dev;
  f->ino = ino;
  f->durable_bytes = 0; /* nothing of a file is durable before its first fsync */
  return f;
}

static tracked_dir *dir_of(const char *path, int add) {
  for (int i = 0; i < power->ndirs; i++)
    if (strcmp(power->dirs[i].path, path) == 0) return &power->dirs[i];
  if (!add || power->ndirs == TRACK_DIRS) return NULL;
  tracked_dir *d = &power->dirs[power->ndirs++];
  snprintf(d->path, sizeof d->path, "%s", path);
  return d;
}

/* Notes a write or truncate to fd (so the file is known, durable size 0). */
static void note_change(int fd, off_t truncated_to) {
  struct stat st;
  if (!power || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return;
  tracked_file *f = file_of(st.st_dev, st.st_ino, 1);
  if (f && truncated_to >= 0 && f->durable_bytes > truncated_to) f->durable_bytes = truncated_to;
}

/* Records what a successful fsync of fd made durable. */
static void note_sync(int fd) {
  struct stat st;
  if (!power || fstat(fd, &st) != 0) return;
  if (S_ISREG(st.st_mode)) {
    tracked_file *f = file_of(st.st_dev, st.st_ino, 1);
    if (f) f->durable_bytes = st.st_size;
    return;
  }
  char link[64], path[512];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  if (n <= 0) return;
  path[n] = '\0';
  tracked_dir *d = dir_of(path, 1);
  DIR *dd = d ? opendir(path) : NULL;
  if (!dd) return;
  d->n = 0;
  struct dirent *de;
  while ((de = readdir(dd)) && d->n < TRACK_ENTRIES)
    if (strlen(de->d_name) < NAME_BYTES) snprintf(d->names[d->n++], NAME_BYTES, "%s", de->d_name);
  closedir(dd);
}

static uint64_t rng(uint64_t *s) {
  *s ^= *s << 13;
  *s ^= *s >> 7;
  *s ^= *s << 17;
  return *s;
}

static void remove_tree(const char *path) {
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
  if (system(cmd) != 0) fprintf(stderr, "# cannot remove %s\n", path);
}

/* Applies the power cut to one directory: entries created since its last
 * fsync vanish (seed 0: all of them; else each with probability 1/2), and
 * every regular file keeps its durable bytes plus (seed != 0) a random part
 * of the rest. Recurses one level into surviving subdirectories. */
static void power_loss_dir(const char *path, uint64_t *seed, int depth) {
  tracked_dir *d = dir_of(path, 0);
  DIR *dd = opendir(path);
  if (!dd) return;
  struct dirent *de;
  char child[1024];
  while ((de = readdir(dd))) {
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
    snprintf(child, sizeof child, "%s/%s", path, de->d_name);
    int durable_entry = depth == 0 && !d; /* the root's entries: only if it was never synced */
    for (int i = 0; d && i < d->n && !durable_entry; i++) durable_entry = !strcmp(d->names[i], de->d_name);
    if (!durable_entry && (*seed == 0 || rng(seed) % 2)) {
      remove_tree(child);
      continue;
    }
    struct stat st;
    if (stat(child, &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      if (depth == 0) power_loss_dir(child, seed, 1);
      continue;
    }
    tracked_file *f = file_of(st.st_dev, st.st_ino, 0);
    if (!f || f->durable_bytes >= st.st_size) continue;
    int64_t keep = f->durable_bytes;
    if (*seed) keep += (int64_t)(rng(seed) % (uint64_t)(st.st_size - f->durable_bytes + 1));
    if (truncate(child, keep) != 0) fprintf(stderr, "# cannot truncate %s\n", child);
  }
  closedir(dd);
}

void io_fault_power_loss(uint64_t seed) {
  if (!power) return;
  uint64_t s = seed ? seed * 0x9E3779B97F4A7C15ull : 0;
  power_loss_dir(power->root, &s, 0);
}

/* ---- the wrappers ---------------------------------------------------------- */

ssize_t __wrap_pwrite(int fd, const void *buf, size_t n, off_t off) {
  int d = decide(fd);
  note_change(fd, -1);
  if (d == 1) {
    errno = EIO;
    return -1;
  }
  if (d == 2 || (d == 3 && n > 1)) {
    ssize_t w = __real_pwrite(fd, buf, n / 2, off);
    if (d == 2) crash();
    return w;
  }
  return __real_pwrite(fd, buf, n, off);
}

ssize_t __wrap_write(int fd, const void *buf, size_t n) {
  int d = decide(fd);
  note_change(fd, -1);
  if (d == 2) crash();
  if (d == 1) {
    errno = EIO;
    return -1;
  }
  return __real_write(fd, buf, n);
}

int __wrap_fdatasync(int fd) {
  int d = decide(fd);
  if (d == 2) crash();
  if (d == 1) {
    errno = EIO;
    return -1;
  }
  int rc = __real_fdatasync(fd);
  if (rc == 0) note_sync(fd);
  return rc;
}

int __wrap_fsync(int fd) {
  int d = decide(fd);
  if (d == 2) crash();
  if (d == 1) {
    errno = EIO;
    return -1;
  }
  int rc = __real_fsync(fd);
  if (rc == 0) note_sync(fd);
  return rc;
}

int __wrap_ftruncate(int fd, off_t len) {
  int d = decide(fd);
  if (d == 2) crash();
  if (d == 1) {
    errno = EIO;
    return -1;
  }
  int rc = __real_ftruncate(fd, len);
  if (rc == 0) note_change(fd, len);
  return rc;
}
