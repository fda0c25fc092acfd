/* bench_proxy.c: what spproxy costs with no toxic in force.
 *
 *   bench_proxy SPPROXY_BINARY [SECONDS]
 *
 * Starts a server (one thread per connection: "sink" discards what it
 * reads, "echo" answers every byte), then measures, directly and through
 * spproxy: streaming throughput (64 KiB writes for SECONDS, default 2) and
 * the round trip of a 64-byte ping-pong (20,000 of them; median and p99).
 * Prints one line per figure. Not a test: numbers depend on the machine. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "process.h"

static int listen_any(int *port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  if (bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 16)) return -1;
  getsockname(fd, (struct sockaddr *)&a, &len);
  *port = ntohs(a.sin_port);
  return fd;
}

static int connect_to(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                          .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (connect(fd, (struct sockaddr *)&a, sizeof a)) return -1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

/* Each connection's first byte says what it wants: 's' sink, 'e' echo. */
static void *serve_one(void *arg) {
  int fd = (int)(intptr_t)arg, one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  static __thread char buf[65536];
  char mode = 0;
  if (recv(fd, &mode, 1, MSG_WAITALL) != 1) goto out;
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    if (mode == 'e' && send(fd, buf, (size_t)n, MSG_NOSIGNAL) != n) break;
  }
out:
  close(fd);
  return NULL;
}

static void *server(void *arg) {
  int lfd = (int)(intptr_t)arg;
  for (;;) {
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0) return NULL;
    pthread_t t;
    pthread_create(&t, NULL, serve_one, (void *)(intptr_t)fd);
    pthread_detach(t);
  }
}

static double throughput_mb_s(int port, double seconds) {
  int fd = connect_to(port);
  static char buf[65536];
  memset(buf, 'x', sizeof buf);
  if (fd < 0 || send(fd, "s", 1, 0) != 1) return -1;
  uint64_t t0 = sp_mono_ns(), end = t0 + (uint64_t)(seconds * 1e9), bytes = 0;
  while (sp_mono_ns() < end) {
    ssize_t n = send(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    bytes += (uint64_t)n;
  }
  double s = (double)(sp_mono_ns() - t0) / 1e9;
  close(fd);
  return (double)bytes / s / 1e6;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static void round_trips(int port, const char *label) {
  enum { N = 20000 };
  static uint64_t rtt[N];
  int fd = connect_to(port);
  char msg[64];
  memset(msg, 'p', sizeof msg);
  if (fd < 0 || send(fd, "e", 1, 0) != 1) return;
  for (int i = 0; i < N; i++) {
    uint64_t t0 = sp_mono_ns();
    if (send(fd, msg, sizeof msg, 0) != (ssize_t)sizeof msg ||
        recv(fd, msg, sizeof msg, MSG_WAITALL) != (ssize_t)sizeof msg)
      return;
    rtt[i] = sp_mono_ns() - t0;
  }
  close(fd);
  qsort(rtt, N, sizeof rtt[0], cmp_u64);
  printf("%s round_trip_us_p50=%.1f round_trip_us_p99=%.1f\n", label, (double)rtt[N / 2] / 1e3,
         (double)rtt[N * 99 / 100] / 1e3);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: bench_proxy SPPROXY_BINARY [SECONDS]\n");
    return 2;
  }
  double seconds = argc > 2 ? atof(argv[2]) : 2;
  int sport = 0, lfd = listen_any(&sport);
  pthread_t t;
  pthread_create(&t, NULL, server, (void *)(intptr_t)lfd);
  char up[32], log[] = "/tmp/bench_proxy_spproxy.log", err[256], line[256];
  snprintf(up, sizeof up, "127.0.0.1:%d", sport);
  unlink(log);
  const char *pargv[] = {argv[1], "--listen", "127.0.0.1:0", "--upstream", up, NULL};
  sp_proc_spec spec = {.argv = pargv, .log_path = log, .env_add = (const char *const[]){"SP_LOG_LEVEL=warn", NULL}};
  sp_proc *proxy = sp_proc_spawn(&spec, err, sizeof err);
  if (!proxy || sp_proc_wait_log(proxy, "spproxy listening on", 5000, line, sizeof line)) {
    fprintf(stderr, "spproxy did not start: %s\n", err);
    return 1;
  }
  int pport = atoi(strrchr(line, ':') + 1);
  printf("direct  throughput_MB_s=%.0f\n", throughput_mb_s(sport, seconds));
  printf("spproxy throughput_MB_s=%.0f\n", throughput_mb_s(pport, seconds));
  round_trips(sport, "direct ");
  round_trips(pport, "spproxy");
  sp_proc_stop(proxy, 5000);
  sp_proc_free(proxy);
  return 0;
}
