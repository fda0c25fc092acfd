/* control.c: the orchestrator's side of the worker protocol
 * (workloads/loadgen/worker_proto.h) and its event loop, run_pump().
 *
 * Workers connect to an abstract UNIX socket ("@streamproof-<pid>-<nonce>":
 * no file to clean up, no path-length limit from the results folder) and
 * introduce themselves with "hello name=..". Every other line is handled
 * here: ready, stats, pos (drain positions), done, error. A connection that
 * closes means the worker is gone (or going): its process is reaped and
 * its exit classified (workers.c). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "mem.h"
#include "rng.h"
#include "run_int.h"

int control_open(run_ctx *c, char *err, size_t err_len) {
  rng r;
  rng_seed(&r, sp_mono_ns() ^ (uint64_t)getpid() << 32);
  snprintf(c->control_name, sizeof c->control_name, "@streamproof-%d-%08" PRIx32, (int)getpid(),
           (uint32_t)rng_next(&r));
  struct sockaddr_un sa;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  size_t n = strlen(c->control_name);
  memcpy(sa.sun_path + 1, c->control_name + 1, n - 1);
  socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
  c->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (c->listen_fd < 0 || bind(c->listen_fd, (struct sockaddr *)&sa, len) != 0 ||
      listen(c->listen_fd, 128) != 0) {
    snprintf(err, err_len, "control socket %s: %s", c->control_name, strerror(errno));
    if (c->listen_fd >= 0) close(c->listen_fd);
    c->listen_fd = -1;
    return -1;
  }
  return 0;
}

void control_close(run_ctx *c) {
  for (size_t i = 0; i < c->n_pending; i++) close(c->pending_fds[i]);
  free(c->pending_fds);
  c->pending_fds = NULL;
  c->n_pending = 0;
  if (c->listen_fd >= 0) close(c->listen_fd);
  c->listen_fd = -1;
}

int worker_tell(run_worker *w, const wmsg *m) {
  if (w->fd < 0) return -1;
  char line[WMSG_LINE_MAX];
  int n = wmsg_format(m, line, sizeof line);
  if (n < 0) return -1;
  /* lines are short and the socket buffer large: a blocking send of one
   * line is bounded; a stopped (SIGSTOP) worker's buffer has room for
   * thousands of them */
  for (size_t off = 0; off < (size_t)n;) {
    ssize_t k = send(w->fd, line + off, (size_t)n - off, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (k < 0 && errno == EINTR) continue;
    if (k < 0 && errno == EAGAIN) {
      struct pollfd p = {.fd = w->fd, .events = POLLOUT};
      if (poll(&p, 1, 1000) <= 0) return -1;
      continue;
    }
    if (k <= 0) return -1;
    off += (size_t)k;
  }
  return 0;
}

/* Sends go (with the load's end when it is known) to a worker that is ready, once the run has a t0 (or stop, when
 * the producers are already being stopped). */
void worker_go(run_ctx *c, run_worker *w) {
  if (w->state != RW_READY || !c->t0) return;
  wmsg m = {.type = WMSG_GO, .t0_mono_ns = c->t0, .t0_wall_ns = c->t0_wall,
            .end_ns = c->backlog_target && c->backlog_state < 3 ? 0 : c->measure_end};
  worker_tell(w, &m);
  w->state = RW_RUNNING;
  if (w->clock.type == WMSG_CLOCK) worker_tell(w, &w->clock); /* a clock fault outlives incarnations */
  if (w->role == WROLE_PRODUCER && c->phase >= PH_STOPPING) {
    wmsg stop = {.type = WMSG_STOP, .at_ns = c->measure_end};
    worker_tell(w, &stop);
  }
}

/* Handles one line from worker w. */
static void on_line(run_ctx *c, run_worker *w, const char *line) {
  wmsg m;
  char err[600];
  if (wmsg_parse(line, &m, err, sizeof err) != 0) {
    sp_warn("%s: %s", w->name, err);
    return;
  }
  switch (m.type) {
  case WMSG_READY:
    if (w->state == RW_STARTING) w->state = RW_READY;
    worker_go(c, w);
    break;
  case WMSG_STATS:
    w->last = m.stats;
    w->last_stats_ns = sp_mono_ns();
    break;
  case WMSG_POS:
    for (int i = 0; i < m.n_pos; i++)
      drain_report(&c->drain, w->subscription, m.pos[i].topic, m.pos[i].partition, m.pos[i].offset);
    break;
  case WMSG_DONE:
    w->last = m.stats;
    w->state = RW_DONE;
    break;
  case WMSG_ERROR:
    snprintf(w->error, sizeof w->error, "%s", m.text);
    progress_clear(c);
    sp_error("%s: %s", w->name, m.text);
    break;
  default:
    sp_warn("%s: unexpected '%s'", w->name, wmsg_type_name(m.type));
  }
}

/* Reads what worker w sent; returns -1 when its connection closed. */
static int read_worker(run_ctx *c, run_worker *w) {
  if (w->fd < 0) return -1;
  for (;;) {
    size_t room;
    char *dst = wline_space(&w->in, &room);
    ssize_t n = recv(w->fd, dst, room, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    if (n <= 0) return -1;
    wline_commit(&w->in, (size_t)n);
    char *line;
    int overflow;
    while ((line = wline_next(&w->in, &overflow))) on_line(c, w, line);
    if (overflow) {
      sp_error("%s: control line too long: dropping the connection", w->name);
      return -1;
    }
  }
}

void worker_read_rest(run_ctx *c, run_worker *w) {
  if (w->fd >= 0 && read_worker(c, w) < 0) {
    close(w->fd);
    w->fd = -1;
  }
}

/* A pending connection sent its hello: attach it to its worker. Returns 1
 * attached, 0 not complete yet, -1 bad (close it). */
static int read_hello(run_ctx *c, int fd) {
  char buf[WMSG_LINE_MAX];
  ssize_t n = recv(fd, buf, sizeof buf - 1, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
  if (n <= 0) return -1;
  buf[n] = '\0';
  char *nl = strchr(buf, '\n');
  if (!nl) return (size_t)n >= sizeof buf - 1 ? -1 : 0;
  *nl = '\0';
  wmsg m;
  char err[600];
  if (wmsg_parse(buf, &m, err, sizeof err) != 0 || m.type != WMSG_HELLO) {
    sp_warn("control connection: expected hello: %s", buf);
    return -1;
  }
  if (recv(fd, buf, (size_t)(nl - buf) + 1, 0) < 0) return -1; /* consume the hello line */
  run_worker *w = worker_by_name(c, m.name);
  if (!w || m.id != w->spec.id) {
    sp_warn("control connection from unknown worker %s (id %" PRIu32 ")", m.name, m.id);
    return -1;
  }
  if (w->fd >= 0) close(w->fd);
  w->fd = fd;
  wline_init(&w->in);
  return 1;
}

/* Accepts new connections and reads hellos. */
static void service_pending(run_ctx *c, int listen_ready) {
  while (listen_ready) {
    int fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) break;
    c->pending_fds = sp_realloc(c->pending_fds, (c->n_pending + 1) * sizeof *c->pending_fds);
    c->pending_fds[c->n_pending++] = fd;
  }
  for (size_t i = 0; i < c->n_pending;) {
    int rc = read_hello(c, c->pending_fds[i]);
    if (rc == 0) {
      i++;
      continue;
    }
    if (rc < 0) close(c->pending_fds[i]);
    c->pending_fds[i] = c->pending_fds[--c->n_pending];
  }
}

/* Reaps workers whose process ended without closing the connection first
 * (or while it was being restarted) and notices a broker that died. */
static void check_processes(run_ctx *c) {
  for (uint32_t i = 0; i < c->n_workers; i++) {
    run_worker *w = &c->workers[i];
    if (w->proc && w->state != RW_EXITED && sp_proc_poll(w->proc) == SP_PROC_EXITED)
      worker_exited(c, w);
  }
  if (c->broker && !c->broker_died && !c->broker_fault_down &&
      sp_proc_poll(c->broker) == SP_PROC_EXITED) {
    char what[64];
    progress_clear(c);
    sp_error("refbroker exited on its own (%s): see %s/logs/broker.log",
             sp_proc_describe(c->broker, what, sizeof what), c->dir);
    c->broker_died = 1;
  }
  processor_check(c);
}

int run_pump(run_ctx *c, int timeout_ms) {
  if (run_interrupted) return -1;
  uint64_t now = sp_mono_ns();
  if (c->ex) {
    uint64_t next = sp_executor_tick(c->ex, now);
    now = sp_mono_ns();
    if (next != UINT64_MAX) {
      int64_t ms = next > now ? (int64_t)((next - now) / 1000000) + 1 : 0;
      if (ms < timeout_ms) timeout_ms = (int)ms;
    }
  }
  size_t cap = 1 + c->n_pending + c->n_workers;
  struct pollfd *p = sp_calloc(cap, sizeof *p);
  run_worker **who = sp_calloc(cap, sizeof *who);
  size_t n = 0;
  p[n++] = (struct pollfd){.fd = c->listen_fd, .events = POLLIN};
  for (size_t i = 0; i < c->n_pending; i++) p[n++] = (struct pollfd){.fd = c->pending_fds[i], .events = POLLIN};
  for (uint32_t i = 0; i < c->n_workers; i++)
    if (c->workers[i].fd >= 0) {
      who[n] = &c->workers[i];
      p[n++] = (struct pollfd){.fd = c->workers[i].fd, .events = POLLIN};
    }
  int rc = poll(p, n, timeout_ms < 0 ? 0 : timeout_ms);
  if (rc > 0) {
    int pending_ready = (p[0].revents & POLLIN) != 0;
    for (size_t i = 1; i < 1 + c->n_pending; i++) pending_ready |= p[i].revents != 0;
    for (size_t i = 1 + c->n_pending; i < n; i++) {
      run_worker *w = who[i];
      if (!p[i].revents || w->fd != p[i].fd) continue;
      if (read_worker(c, w) < 0) {
        close(w->fd);
        w->fd = -1;
        /* the process is exiting: give it a moment, then classify */
        if (w->proc) sp_proc_wait(w->proc, 2000);
        if (w->proc && sp_proc_state_of(w->proc) == SP_PROC_EXITED) worker_exited(c, w);
      }
    }
    if (pending_ready) service_pending(c, (p[0].revents & POLLIN) != 0);
  }
  free(p);
  free(who);
  check_processes(c);
  progress_tick(c, sp_mono_ns());
  return run_interrupted ? -1 : 0;
}
