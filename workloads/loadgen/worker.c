/* worker.c: the worker process frame (see worker.h): command line, spec,
 * control connection and its thread, interval recorders. */
#include "worker.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "mem.h"
#include "sp_assert.h"

static volatile sig_atomic_t g_terminate; /* SIGTERM/SIGINT: finish cleanly */

static void on_terminate(int sig) {
  (void)sig;
  g_terminate = 1;
}

int worker_stopping(worker *w) {
  return g_terminate || atomic_load_explicit(&w->stop, memory_order_relaxed) ||
         atomic_load_explicit(&w->orphaned, memory_order_relaxed);
}

/* ---- control connection ------------------------------------------------ */

/* Connects to "@abstract" or a filesystem UNIX socket. Returns the fd or -1. */
static int control_connect(const char *name) {
  struct sockaddr_un sa;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  size_t n = strlen(name);
  socklen_t len;
  if (name[0] == '@') {
    if (n > sizeof sa.sun_path) return -1;
    memcpy(sa.sun_path + 1, name + 1, n - 1); /* sun_path[0] = 0: abstract */
    len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
  } else {
    if (n >= sizeof sa.sun_path) return -1;
    memcpy(sa.sun_path, name, n);
    len = (socklen_t)sizeof sa;
  }
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, (struct sockaddr *)&sa, len) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

int worker_send(worker *w, const wmsg *m) {
  char line[WMSG_LINE_MAX];
  int n = wmsg_format(m, line, sizeof line);
  if (n < 0 || w->ctl_fd < 0) return -1;
  pthread_mutex_lock(&w->send_mu);
  int rc = 0;
  for (size_t off = 0; off < (size_t)n;) {
    ssize_t k = send(w->ctl_fd, line + off, (size_t)n - off, MSG_NOSIGNAL);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) {
      rc = -1;
      break;
    }
    off += (size_t)k;
  }
  pthread_mutex_unlock(&w->send_mu);
  return rc;
}

void worker_fail(worker *w, const char *fmt, ...) {
  wmsg m = {.type = WMSG_ERROR};
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(m.text, sizeof m.text, fmt, ap);
  va_end(ap);
  sp_error("%s", m.text);
  worker_send(w, &m);
}

void worker_snapshot(worker *w, wstats *s) {
  memset(s, 0, sizeof *s);
#define LD(f) s->f = atomic_load_explicit(&w->f, memory_order_relaxed)
  LD(sent);
  LD(acked);
  LD(nacked);
  LD(consumed);
  LD(skipped);
  LD(late);
  LD(behind_us);
  LD(errors);
  LD(bytes);
#undef LD
  s->p99_us = atomic_load_explicit(&w->last_p99_us, memory_order_relaxed);
}

/* Handles "go": opens the .hlog (its BaseTime is the run's t0) and wakes
 * the worker. A second go (the orchestrator repeats it) is ignored. */
static void on_go(worker *w, const wmsg *m) {
  if (atomic_load(&w->go)) return;
  char err[256];
  w->hlog = sp_hlog_writer_open(w->spec.hlog_path, m->t0_wall_ns, m->t0_wall_ns, w->spec.name,
                                err, sizeof err);
  if (!w->hlog) sp_error("latency log not written: %s", err);
  pthread_mutex_lock(&w->go_mu);
  w->t0_mono_ns = m->t0_mono_ns;
  w->t0_wall_ns = m->t0_wall_ns;
  if (m->end_ns) atomic_store(&w->end_ns, m->end_ns);
  atomic_store(&w->go, 1);
  pthread_cond_broadcast(&w->go_cv);
  pthread_mutex_unlock(&w->go_mu);
}

/* Applies one command line from the orchestrator. */
static void on_command(worker *w, const char *line) {
  wmsg m;
  char err[256];
  if (wmsg_parse(line, &m, err, sizeof err) != 0) {
    sp_warn("ignoring control line: %s", err);
    return;
  }
  switch (m.type) {
  case WMSG_GO: on_go(w, &m); break;
  case WMSG_STOP:
    if (m.at_ns) atomic_store(&w->stop_at_ns, m.at_ns);
    atomic_store(&w->stop, 1);
    break;
  case WMSG_END: atomic_store(&w->end_ns, m.at_ns); break;
  case WMSG_PAUSE: atomic_store(&w->paused, 1); break;
  case WMSG_RESUME: atomic_store(&w->paused, 0); break;
  case WMSG_RATE:
    pthread_mutex_lock(&w->cmd_mu);
    w->new_rates = sp_realloc(w->new_rates, (w->n_new_rates + 1) * sizeof *w->new_rates);
    w->new_rates[w->n_new_rates++] = (rate_change){m.at_ns, m.rate};
    atomic_store(&w->rates_pending, 1);
    pthread_mutex_unlock(&w->cmd_mu);
    break;
  case WMSG_CLOCK:
  case WMSG_CLOCK_OFF:
    pthread_mutex_lock(&w->cmd_mu);
    w->clock = (worker_clock){m.type == WMSG_CLOCK, m.skew_ms, m.late_fraction, m.late_max_ms};
    pthread_mutex_unlock(&w->cmd_mu);
    atomic_store(&w->clock_changed, 1);
    sp_info("event-time clock fault %s", m.type == WMSG_CLOCK ? "on" : "off");
    break;
  default:
    sp_warn("unexpected control message '%s'", wmsg_type_name(m.type));
  }
}

/* The control thread: reads commands, and once a second (just after each
 * interval boundary) reports the counters. Ends when the final "done" went
 * out or the orchestrator closed the socket (then the worker finishes). */
static void *control_thread(void *arg) {
  worker *w = arg;
  wline_buf in;
  wline_init(&in);
  uint64_t next_stats = 0, k = 0;
  while (!atomic_load(&w->done_sent)) {
    int timeout_ms = 200;
    if (atomic_load(&w->go)) {
      uint64_t now = sp_mono_ns();
      if (!next_stats) { /* first report just after the first boundary past now */
        k = now > w->t0_mono_ns ? (now - w->t0_mono_ns) / WORKER_INTERVAL_NS + 1 : 1;
        next_stats = w->t0_mono_ns + k * WORKER_INTERVAL_NS + 50000000ull;
      }
      if (now >= next_stats) {
        wmsg m = {.type = WMSG_STATS};
        worker_snapshot(w, &m.stats);
        m.stats.interval = k - 1;
        if (!atomic_load(&w->done_sent)) worker_send(w, &m);
        k = (now - w->t0_mono_ns) / WORKER_INTERVAL_NS + 1;
        next_stats = w->t0_mono_ns + k * WORKER_INTERVAL_NS + 50000000ull;
      }
      uint64_t wait_ns = next_stats > now ? next_stats - now : 0;
      if (wait_ns / 1000000 < (uint64_t)timeout_ms) timeout_ms = (int)(wait_ns / 1000000) + 1;
    }
    struct pollfd p = {.fd = w->ctl_fd, .events = POLLIN};
    int n = poll(&p, 1, timeout_ms);
    if (n < 0 && errno != EINTR) break;
    if (n <= 0 || !(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
    size_t room;
    char *dst = wline_space(&in, &room);
    ssize_t got = recv(w->ctl_fd, dst, room, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      if (!atomic_load(&w->done_sent)) sp_warn("control connection closed: finishing");
      atomic_store(&w->orphaned, 1);
      pthread_mutex_lock(&w->go_mu);
      pthread_cond_broadcast(&w->go_cv);
      pthread_mutex_unlock(&w->go_mu);
      break;
    }
    wline_commit(&in, (size_t)got);
    char *line;
    int overflow;
    while ((line = wline_next(&in, &overflow))) on_command(w, line);
    if (overflow) {
      sp_error("control line too long: closing");
      atomic_store(&w->orphaned, 1);
      break;
    }
  }
  return NULL;
}

int worker_wait_go(worker *w) {
  pthread_mutex_lock(&w->go_mu);
  while (!atomic_load(&w->go) && !worker_stopping(w)) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 100000000;
    if (ts.tv_nsec >= 1000000000) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000;
    }
    pthread_cond_timedwait(&w->go_cv, &w->go_mu, &ts); /* also re-checks SIGTERM */
  }
  int ok = atomic_load(&w->go);
  pthread_mutex_unlock(&w->go_mu);
  return ok ? 0 : -1;
}

/* ---- interval recorders ------------------------------------------------ */

void ivl_init(ivl_rec *r, worker *w, const char *const *tags, int n_tags, int p99_tag) {
  SP_ASSERT(n_tags > 0 && n_tags <= WORKER_MAX_TAGS);
  memset(r, 0, sizeof *r);
  r->w = w;
  r->n_tags = n_tags;
  r->p99_tag = p99_tag;
  for (int i = 0; i < n_tags; i++) {
    r->tags[i] = tags[i];
    r->h[i] = sp_hist_new();
  }
}

/* Appends the current interval's non-empty histograms to the .hlog. */
static void ivl_write(ivl_rec *r) {
  worker *w = r->w;
  uint64_t start = w->t0_wall_ns + r->interval * WORKER_INTERVAL_NS;
  if (r->p99_tag >= 0 && sp_hist_count(r->h[r->p99_tag]))
    atomic_store_explicit(&w->last_p99_us, sp_hist_value_at_percentile(r->h[r->p99_tag], 99.0),
                          memory_order_relaxed);
  for (int i = 0; i < r->n_tags; i++) {
    if (!sp_hist_count(r->h[i])) continue;
    if (w->hlog) {
      char err[256];
      pthread_mutex_lock(&w->hlog_mu);
      int rc = sp_hlog_writer_append(w->hlog, r->tags[i], start, start + WORKER_INTERVAL_NS,
                                     r->h[i], err, sizeof err);
      pthread_mutex_unlock(&w->hlog_mu);
      if (rc != 0) sp_error("latency log: %s", err);
    }
    sp_hist_reset(r->h[i]);
  }
}

int ivl_roll(ivl_rec *r, uint64_t now) {
  if (sp_likely(r->started && now < r->next_boundary)) return 0;
  worker *w = r->w;
  if (!atomic_load_explicit(&w->go, memory_order_acquire)) return 0;
  if (r->started) ivl_write(r);
  uint64_t k = now > w->t0_mono_ns ? (now - w->t0_mono_ns) / WORKER_INTERVAL_NS : 0;
  r->interval = k;
  r->next_boundary = w->t0_mono_ns + (k + 1) * WORKER_INTERVAL_NS;
  r->started = 1;
  return 1;
}

void ivl_finish(ivl_rec *r) {
  if (r->started) ivl_write(r);
  for (int i = 0; i < r->n_tags; i++) sp_hist_free(r->h[i]);
  r->n_tags = 0;
  r->started = 0;
  r->p99_tag = -1;
}

/* ---- librdkafka configuration ----------------------------------------- */

/* librdkafka's log lines go to our log, at our levels (syslog 0-7). */
static void rdkafka_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
  (void)rk;
  sp_log_level l = level <= 3 ? SP_LOG_ERROR : level == 4 ? SP_LOG_WARN
                 : level <= 6 ? SP_LOG_INFO : SP_LOG_DEBUG;
  sp_log(l, "librdkafka %s: %s", fac, buf);
}

rd_kafka_conf_t *worker_rdkafka_conf(worker *w, char *err, size_t err_len) {
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  char e[256];
  if (rd_kafka_conf_set(conf, "bootstrap.servers", w->spec.bootstrap, e, sizeof e) ||
      rd_kafka_conf_set(conf, "client.id", w->spec.name, e, sizeof e)) {
    snprintf(err, err_len, "librdkafka: %s", e);
    rd_kafka_conf_destroy(conf);
    return NULL;
  }
  for (size_t i = 0; i < w->spec.rdkafka.n; i++)
    if (rd_kafka_conf_set(conf, w->spec.rdkafka.keys[i], w->spec.rdkafka.values[i], e, sizeof e) !=
        RD_KAFKA_CONF_OK) {
      snprintf(err, err_len, "librdkafka property %s=%s: %s", w->spec.rdkafka.keys[i],
               w->spec.rdkafka.values[i], e);
      rd_kafka_conf_destroy(conf);
      return NULL;
    }
  rd_kafka_conf_set_log_cb(conf, rdkafka_log);
  rd_kafka_conf_set_opaque(conf, w);
  return conf;
}

/* ---- entry point -------------------------------------------------------- */

static void worker_usage(FILE *out) {
  fputs("usage: streamproof worker producer|consumer --spec FILE\n"
        "\n"
        "Internal: one load-generating process of `streamproof run`, which writes the\n"
        "spec (see workloads/loadgen/worker_spec.h) and starts it. Talks to the run\n"
        "over the control socket named in the spec; logs to stderr.\n",
        out);
}

int worker_main(int argc, char **argv) {
  const char *role = NULL, *spec_path = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      worker_usage(stdout);
      return 0;
    }
    if (!strcmp(argv[i], "--spec") && i + 1 < argc) spec_path = argv[++i];
    else if (!role && argv[i][0] != '-') role = argv[i];
    else {
      fprintf(stderr, "streamproof worker: unexpected argument '%s'\n", argv[i]);
      worker_usage(stderr);
      return 2;
    }
  }
  if (!role || !spec_path || (strcmp(role, "producer") && strcmp(role, "consumer"))) {
    worker_usage(stderr);
    return 2;
  }
  static worker w; /* large (atomics, mutexes); one per process */
  memset(&w, 0, sizeof w);
  w.ctl_fd = -1;
  char err[1024];
  if (worker_spec_load(spec_path, &w.spec, err, sizeof err) != 0) {
    fprintf(stderr, "streamproof worker: %s\n", err);
    return 2;
  }
  sp_log_init(w.spec.name, SP_LOG_INFO);
  int want = !strcmp(role, "consumer") ? WROLE_CONSUMER : WROLE_PRODUCER;
  if ((int)w.spec.role != want) {
    sp_error("spec %s is for a %s, not a %s", spec_path,
             w.spec.role == WROLE_PRODUCER ? "producer" : "consumer", role);
    worker_spec_free(&w.spec);
    return 2;
  }
  prctl(PR_SET_TIMERSLACK, 1UL); /* sleep to the microsecond, not to 50 us */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_terminate;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  pthread_mutex_init(&w.send_mu, NULL);
  pthread_mutex_init(&w.go_mu, NULL);
  pthread_mutex_init(&w.cmd_mu, NULL);
  pthread_mutex_init(&w.hlog_mu, NULL);
  pthread_cond_init(&w.go_cv, NULL);

  int status = 1;
  if (workload_load(w.spec.workload_path, &w.wl, err, sizeof err) != 0) {
    sp_error("workload: %s", err);
    status = 2;
    goto out;
  }
  w.ctl_fd = control_connect(w.spec.control);
  if (w.ctl_fd < 0) {
    sp_error("cannot connect to the run's control socket %s: %s", w.spec.control, strerror(errno));
    goto out;
  }
  wmsg hello = {.type = WMSG_HELLO, .pid = getpid(), .id = w.spec.id};
  snprintf(hello.name, sizeof hello.name, "%s", w.spec.name);
  if (worker_send(&w, &hello) != 0 ||
      pthread_create(&w.ctl_thread, NULL, control_thread, &w) != 0) {
    sp_error("control connection failed: %s", strerror(errno));
    goto out;
  }
  w.ctl_started = 1;
  sp_info("%s %s (id %" PRIu32 ", incarnation %" PRIu32 ") starting", role, w.spec.name,
          w.spec.id, w.spec.incarnation);
  status = w.spec.role == WROLE_PRODUCER ? producer_run(&w) : consumer_run(&w);

out:
  atomic_store(&w.done_sent, 1);
  if (w.ctl_fd >= 0) shutdown(w.ctl_fd, SHUT_RDWR); /* wakes the control thread */
  if (w.ctl_started) pthread_join(w.ctl_thread, NULL);
  if (w.ctl_fd >= 0) close(w.ctl_fd);
  if (w.hlog && sp_hlog_writer_close(w.hlog) != 0) sp_error("closing latency log: %s", strerror(errno));
  free(w.new_rates);
  workload_free(&w.wl);
  worker_spec_free(&w.spec);
  pthread_cond_destroy(&w.go_cv);
  pthread_mutex_destroy(&w.send_mu);
  pthread_mutex_destroy(&w.go_mu);
  pthread_mutex_destroy(&w.cmd_mu);
  pthread_mutex_destroy(&w.hlog_mu);
  return status;
}
