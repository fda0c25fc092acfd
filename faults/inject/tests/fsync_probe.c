/* fsync_probe.c: an "unmodified binary" for the libfiu POSIX preload: no
 * libfiu anywhere in it. Every 5 ms it write()s 4 bytes to FILE and calls
 * fdatasync(), logging each result that differs from the previous one:
 *   "write=4 fdatasync=0"  or  "write=4 fdatasync=-1 errno=5"
 * Runs until SIGTERM or for COUNT rounds (argv[2], default forever). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig) {
  (void)sig;
  stop = 1;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: fsync_probe FILE [COUNT]\n");
    return 2;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  signal(SIGTERM, on_term);
  long count = argc > 2 ? atol(argv[2]) : -1;
  int fd = open(argv[1], O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) {
    perror("open");
    return 1;
  }
  char last[128] = "";
  for (long i = 0; !stop && (count < 0 || i < count); i++) {
    ssize_t w = write(fd, "abcd", 4);
    int s = fdatasync(fd);
    int e = s ? errno : 0;
    char line[128];
    if (s) snprintf(line, sizeof line, "write=%zd fdatasync=%d errno=%d", w, s, e);
    else snprintf(line, sizeof line, "write=%zd fdatasync=%d", w, s);
    if (strcmp(line, last) != 0) {
      printf("%s\n", line);
      snprintf(last, sizeof last, "%s", line);
    }
    struct timespec ts = {0, 5000000};
    nanosleep(&ts, NULL);
  }
  close(fd);
  return 0;
}
