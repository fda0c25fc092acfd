/* spproxy.c: the TCP fault proxy. One epoll loop, non-blocking sockets.
 *
 *   spproxy --listen 127.0.0.1:P --upstream 127.0.0.1:Q [--control PATH] [--seed N]
 *
 * Every accepted client gets its own connection to the upstream; bytes are
 * forwarded both ways through two flows (flow.h) shaped by the toxics in
 * force (control.c lists the control commands). Prints
 * "spproxy listening on 127.0.0.1:P" once bound (P = 0 picks a free port).
 * SIGTERM/SIGINT: closes everything, removes the control socket, exits 0.
 *
 * The loop: epoll_wait with a timeout that is the earliest toxic timer
 * (a latency due time, a slicer pause, the bandwidth bucket, a blackhole's
 * end), then read what is readable, then pump every flow. Pumping scans all
 * connections: O(connections) per wake-up, fine for the hundreds of
 * connections a benchmark client set opens (a timer heap would be the next
 * step for tens of thousands). */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "mem.h"
#include "proxy.h"

/* ---------------------------------------------------------- epoll ---- */

static void ep_set(proxy *p, int fd, endpoint *ep, uint32_t events) {
  if (ep->retired || (ep->registered && ep->events == events)) return;
  struct epoll_event ev = {.events = events, .data.ptr = ep};
  if (epoll_ctl(p->epfd, ep->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev) != 0)
    sp_warn("epoll_ctl fd %d: %s", fd, strerror(errno));
  ep->registered = 1;
  ep->events = events;
}

static void set_nodelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* Closes a socket with an RST instead of a FIN (SO_LINGER 0). */
static void close_reset(int fd) {
  struct linger lg = {.l_onoff = 1, .l_linger = 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  close(fd);
}

/* ---------------------------------------------------- connections ---- */

static void conn_free(proxy *p, conn *c, int reset) {
  if (c->prev) c->prev->next = c->next;
  else p->conns = c->next;
  if (c->next) c->next->prev = c->prev;
  if (reset) {
    close_reset(c->client_fd);
    close_reset(c->server_fd);
  } else {
    close(c->client_fd);
    close(c->server_fd);
  }
  flow_free(&c->up);
  flow_free(&c->down);
  p->open_conns--;
  free(c);
}

int proxy_reset_all(proxy *p) {
  int n = 0;
  for (conn *c = p->conns; c; c = c->next)
    if (!c->closing) c->closing = 2, n++; /* 2: close with RST */
  p->resets += (uint64_t)n;
  return n;
}

static void accept_clients(proxy *p, uint64_t now) {
  for (;;) {
    int fd = accept4(p->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno != EAGAIN) sp_warn("accept: %s", strerror(errno));
      return;
    }
    if (p->refuse_until_ns && now < p->refuse_until_ns) {
      p->refused++;
      close_reset(fd);
      continue;
    }
    int up = socket(p->upstream.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (up < 0 || (connect(up, (struct sockaddr *)&p->upstream, p->upstream_len) != 0 && errno != EINPROGRESS)) {
      sp_warn("connect to upstream: %s", strerror(errno));
      p->upstream_failures++;
      if (up >= 0) close(up);
      close_reset(fd);
      continue;
    }
    set_nodelay(fd);
    set_nodelay(up);
    conn *c = sp_calloc(1, sizeof *c);
    c->id = ++p->next_id;
    c->client_fd = fd;
    c->server_fd = up;
    c->connecting = 1;
    c->up.src_fd = fd, c->up.dst_fd = up;
    c->down.src_fd = up, c->down.dst_fd = fd;
    c->ep_client = (endpoint){EP_CLIENT, c, 0, 0, 0};
    c->ep_server = (endpoint){EP_SERVER, c, 0, 0, 0};
    c->next = p->conns;
    if (p->conns) p->conns->prev = c;
    p->conns = c;
    p->accepted++;
    p->open_conns++;
  }
}

/* The upstream connect finished (EPOLLOUT on a connecting socket). */
static void finish_connect(proxy *p, conn *c) {
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(c->server_fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err) {
    sp_warn("connection %llu: upstream connect failed: %s", (unsigned long long)c->id, strerror(err));
    p->upstream_failures++;
    c->closing = 2;
    return;
  }
  c->connecting = 0;
}

static void on_conn_event(proxy *p, endpoint *ep, uint32_t events, uint64_t now) {
  conn *c = ep->owner;
  if (c->closing) return;
  int client = ep->type == EP_CLIENT;
  flow *in = client ? &c->up : &c->down;   /* reads from this socket */
  flow *out = client ? &c->down : &c->up;  /* writes to this socket */
  if (!client && c->connecting && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
    finish_connect(p, c);
    if (c->closing) return;
  }
  if (events & EPOLLOUT) out->dst_blocked = 0;
  if (events & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) {
    if (!flow_wants_read(in)) {
      /* Not reading, and epoll reports a hang-up or error on every wait.
       * EOF seen and our FIN sent: this socket has nothing left to do, stop
       * polling it (the other direction may still be flushing). Queue full:
       * the peer is gone mid-stream; end the connection with a reset. */
      if (in->src_eof && out->dst_shut && !(events & EPOLLERR)) {
        epoll_ctl(p->epfd, EPOLL_CTL_DEL, client ? c->client_fd : c->server_fd, NULL);
        ep->retired = 1;
      } else if (events & (EPOLLERR | EPOLLHUP)) {
        c->closing = 2;
      }
    } else if (flow_read(in, &p->tox[client ? DIR_UP : DIR_DOWN], now, &p->rng) != FLOW_OK) {
      c->closing = 2; /* the peer reset: pass the reset on */
    }
  }
}

/* Pumps both flows of every connection, updates epoll interest, removes
 * finished connections. Returns the earliest timer. */
static uint64_t pump_all(proxy *p, uint64_t now) {
  uint64_t wake = UINT64_MAX;
  for (int d = 0; d < 2; d++) {
    toxics *t = &p->tox[d];
    if (t->blackhole && t->blackhole_until_ns && now >= t->blackhole_until_ns) {
      t->blackhole = 0, t->blackhole_until_ns = 0;
      sp_info("blackhole %s healed (its duration ended)", d == DIR_UP ? "upstream" : "downstream");
    }
  }
  if (p->refuse_until_ns && now >= p->refuse_until_ns) p->refuse_until_ns = 0;
  for (conn *c = p->conns, *next; c; c = next) {
    next = c->next;
    if (!c->closing && !c->connecting) {
      for (int d = 0; d < 2 && !c->closing; d++) {
        flow *f = d == DIR_UP ? &c->up : &c->down;
        uint64_t before = f->bytes, w = UINT64_MAX;
        if (flow_pump(f, &p->tox[d], now, &w) != FLOW_OK) c->closing = 2;
        p->bytes[d] += f->bytes - before;
        if (w < wake) wake = w;
      }
      if (!c->closing && flow_done(&c->up) && flow_done(&c->down)) c->closing = 1;
    }
    if (c->closing) {
      conn_free(p, c, c->closing == 2);
      continue;
    }
    uint32_t ce = (flow_wants_read(&c->up) ? EPOLLIN : 0) | (c->down.dst_blocked ? EPOLLOUT : 0);
    uint32_t se = c->connecting ? EPOLLOUT
                                : (flow_wants_read(&c->down) ? EPOLLIN : 0) | (c->up.dst_blocked ? EPOLLOUT : 0);
    ep_set(p, c->client_fd, &c->ep_client, ce);
    ep_set(p, c->server_fd, &c->ep_server, se);
  }
  for (int d = 0; d < 2; d++)
    if (p->tox[d].blackhole_until_ns && p->tox[d].blackhole_until_ns < wake) wake = p->tox[d].blackhole_until_ns;
  if (p->refuse_until_ns && p->refuse_until_ns < wake) wake = p->refuse_until_ns;
  return wake;
}

/* ------------------------------------------------------------ control -- */

static void control_free(proxy *p, control_client *cc) {
  if (cc->prev) cc->prev->next = cc->next;
  else p->controls = cc->next;
  if (cc->next) cc->next->prev = cc->prev;
  close(cc->fd);
  free(cc);
}

static void accept_control(proxy *p) {
  for (;;) {
    int fd = accept4(p->control_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    control_client *cc = sp_calloc(1, sizeof *cc);
    cc->fd = fd;
    cc->ep = (endpoint){EP_CONTROL, cc, 0, 0, 0};
    cc->next = p->controls;
    if (p->controls) p->controls->prev = cc;
    p->controls = cc;
    ep_set(p, fd, &cc->ep, EPOLLIN);
  }
}

static void on_control(proxy *p, control_client *cc, uint64_t now) {
  ssize_t n = recv(cc->fd, cc->in + cc->in_len, sizeof cc->in - 1 - cc->in_len, 0);
  if (n <= 0) {
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) cc->closing = 1;
    return;
  }
  cc->in_len += (size_t)n;
  cc->in[cc->in_len] = 0;
  char *nl;
  while ((nl = strchr(cc->in, '\n')) != NULL) {
    *nl = 0;
    char reply[1024];
    control_execute(p, cc->in, reply, sizeof reply - 1, now);
    sp_info("control: %s -> %s", cc->in, reply);
    size_t len = strlen(reply);
    reply[len++] = '\n';
    if (send(cc->fd, reply, len, MSG_NOSIGNAL) != (ssize_t)len) cc->closing = 1; /* replies are small */
    size_t used = (size_t)(nl + 1 - cc->in);
    memmove(cc->in, nl + 1, cc->in_len - used + 1);
    cc->in_len -= used;
  }
  if (cc->in_len == sizeof cc->in - 1) {
    send(cc->fd, "error line too long\n", 20, MSG_NOSIGNAL);
    cc->closing = 1;
  }
}

/* ------------------------------------------------------------ setup ---- */

static int resolve(const char *hostport, struct sockaddr_storage *out, socklen_t *len) {
  char host[256];
  const char *colon = strrchr(hostport, ':');
  if (!colon || colon == hostport || (size_t)(colon - hostport) >= sizeof host) return -1;
  snprintf(host, sizeof host, "%.*s", (int)(colon - hostport), hostport);
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV}, *res;
  if (getaddrinfo(host, colon + 1, &hints, &res) != 0) return -1;
  memcpy(out, res->ai_addr, res->ai_addrlen);
  *len = res->ai_addrlen;
  freeaddrinfo(res);
  return 0;
}

static int listen_tcp(const char *hostport, char *bound, size_t cap) {
  struct sockaddr_storage ss;
  socklen_t len;
  if (resolve(hostport, &ss, &len)) return -1;
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  if (fd < 0) return -1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 1024) != 0) {
    close(fd);
    return -1;
  }
  len = sizeof ss;
  getsockname(fd, (struct sockaddr *)&ss, &len);
  char host[128], port[16];
  getnameinfo((struct sockaddr *)&ss, len, host, sizeof host, port, sizeof port, NI_NUMERICHOST | NI_NUMERICSERV);
  snprintf(bound, cap, "%s:%s", host, port);
  return fd;
}

static int listen_unix(const char *path) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) return -1;
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
  unlink(path); /* a stale socket from a killed proxy */
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 16) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static int usage(void) {
  fprintf(stderr, "usage: spproxy --listen HOST:PORT --upstream HOST:PORT [--control UNIX_SOCKET] [--seed N]\n"
                  "  control commands (one per line): latency <dir> <ms> [jitter_ms] | bandwidth <dir> <bytes_per_s>\n"
                  "  | slicer <dir> <bytes> [delay_us] | blackhole <dir> [duration_ms] | reset [refuse_ms]\n"
                  "  | clear [toxic|all] [dir] | stats | ping     (dir: upstream, downstream, both)\n");
  return 2;
}

static void run(proxy *p) {
  struct epoll_event evs[256];
  uint64_t wake = UINT64_MAX;
  while (!p->stop) {
    uint64_t now = sp_mono_ns();
    int timeout = wake == UINT64_MAX ? -1 : wake <= now ? 0 : (int)((wake - now + 999999) / 1000000);
    int n = epoll_wait(p->epfd, evs, 256, timeout);
    if (n < 0 && errno != EINTR) {
      sp_error("epoll_wait: %s", strerror(errno));
      break;
    }
    now = sp_mono_ns();
    for (int i = 0; i < n; i++) {
      endpoint *ep = evs[i].data.ptr;
      switch (ep->type) {
      case EP_LISTEN: accept_clients(p, now); break;
      case EP_CONTROL_LISTEN: accept_control(p); break;
      case EP_SIGNAL: p->stop = 1; break;
      case EP_CONTROL: on_control(p, ep->owner, now); break;
      default: on_conn_event(p, ep, evs[i].events, now); break;
      }
    }
    for (control_client *cc = p->controls, *next; cc; cc = next) {
      next = cc->next;
      if (cc->closing) control_free(p, cc);
    }
    wake = pump_all(p, sp_mono_ns());
  }
}

int main(int argc, char **argv) {
  sp_log_init("spproxy", SP_LOG_INFO);
  const char *listen_at = NULL, *upstream = NULL, *control = NULL;
  proxy p;
  memset(&p, 0, sizeof p);
  p.rng = 0x2545f4914f6cdd1dull;
  for (int i = 1; i < argc; i++) {
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(argv[i], "--listen") && v) listen_at = v, i++;
    else if (!strcmp(argv[i], "--upstream") && v) upstream = v, i++;
    else if (!strcmp(argv[i], "--control") && v) control = v, i++;
    else if (!strcmp(argv[i], "--seed") && v) p.rng = strtoull(v, NULL, 10) | 1, i++;
    else return usage();
  }
  if (!listen_at || !upstream) return usage();
  if (resolve(upstream, &p.upstream, &p.upstream_len)) {
    sp_error("cannot resolve upstream %s", upstream);
    return 1;
  }
  char bound[160];
  p.listen_fd = listen_tcp(listen_at, bound, sizeof bound);
  if (p.listen_fd < 0) {
    sp_error("cannot listen on %s: %s", listen_at, strerror(errno));
    return 1;
  }
  p.control_fd = -1;
  if (control && (p.control_fd = listen_unix(control)) < 0) {
    sp_error("cannot listen on control socket %s: %s", control, strerror(errno));
    return 1;
  }
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  signal(SIGPIPE, SIG_IGN);
  p.signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  p.epfd = epoll_create1(EPOLL_CLOEXEC);
  p.ep_listen = (endpoint){EP_LISTEN, NULL, 0, 0, 0};
  p.ep_control = (endpoint){EP_CONTROL_LISTEN, NULL, 0, 0, 0};
  p.ep_signal = (endpoint){EP_SIGNAL, NULL, 0, 0, 0};
  ep_set(&p, p.listen_fd, &p.ep_listen, EPOLLIN);
  ep_set(&p, p.signal_fd, &p.ep_signal, EPOLLIN);
  if (p.control_fd >= 0) ep_set(&p, p.control_fd, &p.ep_control, EPOLLIN);
  p.control_path = control ? sp_strdup(control) : NULL;
  printf("spproxy listening on %s\n", bound);
  fflush(stdout);
  sp_info("listening on %s, upstream %s%s%s", bound, upstream, control ? ", control " : "", control ? control : "");
  run(&p);
  sp_info("stopping: %llu connections accepted, %llu bytes upstream, %llu downstream",
          (unsigned long long)p.accepted, (unsigned long long)p.bytes[DIR_UP],
          (unsigned long long)p.bytes[DIR_DOWN]);
  while (p.conns) conn_free(&p, p.conns, 0);
  while (p.controls) control_free(&p, p.controls);
  if (p.control_fd >= 0) close(p.control_fd);
  if (p.control_path) unlink(p.control_path);
  free(p.control_path);
  close(p.listen_fd);
  close(p.signal_fd);
  close(p.epfd);
  return 0;
}
