/* server.c: see server.h. */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "fetch.h"
#include "group_coordinator.h"
#include "log.h"
#include "mem.h"
#include "sp_assert.h"

int64_t server_now_ms(void) { return sp_wall_ms(); }

void server_schedule_flush(server *srv, conn *c) {
  if (c->in_flush_list || c->closing) return;
  c->in_flush_list = 1;
  c->next_flush = srv->flush_list;
  srv->flush_list = c;
}

void server_schedule_run(server *srv, conn *c) {
  if (c->in_run_list || c->closing) return;
  c->in_run_list = 1;
  c->next_run = srv->run_list;
  srv->run_list = c;
}

void server_note_data(server *srv) { srv->data_arrived = 1; }

/* ---- held acks (group commit) ------------------------------------------ */

/* A held ack's connection closed: forget it. */
static void ack_cancel(resp_slot *s) {
  pending_ack *a = s->pending;
  server *srv = s->c->srv;
  if (a->prev) a->prev->next = a->next;
  else srv->acks = a->next;
  if (a->next) a->next->prev = a->prev;
  else srv->acks_tail = a->prev;
  a->next = a->prev = NULL;
}

void server_hold_for_sync(server *srv, pending_ack *a, resp_slot *slot,
                          void (*complete)(pending_ack *a, int sync_failures)) {
  a->slot = slot;
  a->complete = complete;
  a->next = NULL;
  a->prev = srv->acks_tail;
  if (srv->acks_tail) srv->acks_tail->next = a;
  else srv->acks = a;
  srv->acks_tail = a;
  slot_park(slot, ack_cancel, a, 0);
}

/* Group commit: one store_sync() for every append and offset commit of the
 * pass, then every held response is released (each checks durability of
 * its own data: a partition whose sync failed was cut back). */
static void group_commit(server *srv) {
  uint64_t t0 = sp_mono_ns();
  int failures = store_sync(srv->st);
  srv->sync_ns_total += sp_mono_ns() - t0;
  srv->sync_count++;
  if (failures) sp_error("group commit: %d partition(s) failed to sync; their appends are refused", failures);
  pending_ack *a;
  while ((a = srv->acks)) {
    srv->acks = a->next;
    if (srv->acks) srv->acks->prev = NULL;
    else srv->acks_tail = NULL;
    a->next = a->prev = NULL;
    a->slot->cancel = NULL; /* no longer in the list: nothing to cancel */
    a->complete(a, failures);
  }
  server_note_data(srv);
}

static int server_pass_end(void *ctx) {
  server *srv = ctx;
  conn *c = srv->run_list;
  srv->run_list = NULL;
  while (c) {
    conn *next = c->next_run;
    c->in_run_list = 0;
    c->next_run = NULL;
    conn_process_input(c);
    c = next;
  }
  if (srv->opts->fsync_policy == STORE_FSYNC_ALWAYS && (srv->acks || store_needs_sync(srv->st)))
    group_commit(srv);
  if (srv->data_arrived || srv->retention_changed) {
    srv->data_arrived = srv->retention_changed = 0;
    if (srv->waiters) fetch_wake_waiters(srv);
  }
  while ((c = srv->flush_list)) {
    srv->flush_list = c->next_flush;
    c->in_flush_list = 0;
    c->next_flush = NULL;
    (void)conn_flush(c);
  }
  while ((c = srv->dead_list)) {
    srv->dead_list = c->next_dead;
    conn_free(c);
  }
  return srv->run_list != NULL;
}

/* ---- timers ----------------------------------------------------------- */

#define SERVER_OF(t, field) ((server *)((char *)(t) - offsetof(server, field)))

static void on_fsync_timer(el_timer *t) {
  server *srv = SERVER_OF(t, fsync_timer);
  if (store_needs_sync(srv->st)) {
    int failures = store_sync(srv->st);
    if (failures) sp_error("interval sync: %d partition(s) failed to sync", failures);
  }
  el_timer_arm(srv->loop, t, sp_mono_ns() + (uint64_t)srv->opts->fsync_interval_ms * 1000000ull);
}

static void on_retention_timer(el_timer *t) {
  server *srv = SERVER_OF(t, retention_timer);
  if (store_enforce_retention(srv->st, server_now_ms()) > 0) srv->retention_changed = 1;
  el_timer_arm(srv->loop, t, sp_mono_ns() + (uint64_t)srv->opts->retention_check_ms * 1000000ull);
}

/* ---- listener and signals --------------------------------------------- */

static void format_peer(const struct sockaddr_storage *ss, char *out, size_t cap) {
  char host[INET6_ADDRSTRLEN] = "?", port[16] = "?";
  getnameinfo((const struct sockaddr *)ss, sizeof *ss, host, sizeof host, port, sizeof port,
              NI_NUMERICHOST | NI_NUMERICSERV);
  snprintf(out, cap, ss->ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, port);
}

static void listener_resume(el_timer *t);

static void on_accept(el_io *io, uint32_t events) {
  server *srv = (server *)((char *)io - offsetof(server, listener));
  for (;;) {
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    int fd = accept4(io->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      /* Out of descriptors: stop accepting for a moment instead of spinning. */
      sp_warn("accept failed: %s; pausing new connections for 100 ms (%d open)", strerror(errno),
              srv->n_conns);
      el_modify(srv->loop, io, 0);
      el_timer_arm(srv->loop, &srv->accept_timer, sp_mono_ns() + 100000000ull);
      return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char peer[64];
    format_peer(&ss, peer, sizeof peer);
    conn *c = conn_create(srv, fd, peer);
    if (c) sp_debug("%s: connection accepted", peer);
  }
}

static void listener_resume(el_timer *t) {
  server *srv = SERVER_OF(t, accept_timer);
  if (srv->listener.fd >= 0) el_modify(srv->loop, &srv->listener, EPOLLIN);
}

static void on_signal(el_io *io, uint32_t events) {
  server *srv = (server *)((char *)io - offsetof(server, signals));
  struct signalfd_siginfo si;
  while (read(io->fd, &si, sizeof si) == (ssize_t)sizeof si) {
    sp_info("received %s, shutting down", strsignal((int)si.ssi_signo));
    el_stop(srv->loop);
  }
}

/* Binds and listens on opts' address; fills the bound port. */
static int open_listener(server *srv) {
  const broker_options *o = srv->opts;
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                           .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
  struct addrinfo *res = NULL;
  char port[16];
  snprintf(port, sizeof port, "%d", o->listen_port);
  int rc = getaddrinfo(o->listen_host, port, &hints, &res);
  if (rc != 0) {
    sp_error("--listen %s:%d: cannot resolve: %s", o->listen_host, o->listen_port, gai_strerror(rc));
    return -1;
  }
  int fd = -1;
  for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1024) == 0) break;
    sp_error("--listen %s:%d: %s", o->listen_host, o->listen_port, strerror(errno));
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0) return -1;
  struct sockaddr_storage ss;
  socklen_t sl = sizeof ss;
  getsockname(fd, (struct sockaddr *)&ss, &sl);
  char bound[80];
  format_peer(&ss, bound, sizeof bound);
  srv->listener.fd = fd;
  srv->listener.on_ready = on_accept;
  char *colon = strrchr(bound, ':');
  int bound_port = colon ? atoi(colon + 1) : o->listen_port;
  snprintf(srv->advertised_host, sizeof srv->advertised_host, "%s",
           o->advertise_host[0] ? o->advertise_host : o->listen_host);
  srv->advertised_port = o->advertise_port ? o->advertise_port : bound_port;
  printf("refbroker listening on %s\n", bound);
  fflush(stdout);
  sp_info("refbroker listening on %s (advertised as %s:%d, node id %d)", bound,
          srv->advertised_host, srv->advertised_port, o->node_id);
  return 0;
}

static int open_signals(server *srv) {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  if (sigprocmask(SIG_BLOCK, &mask, NULL) != 0) return -1;
  int fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) return -1;
  srv->signals.fd = fd;
  srv->signals.on_ready = on_signal;
  signal(SIGPIPE, SIG_IGN);
  return 0;
}

server *server_create(const broker_options *opts) {
  server *srv = sp_calloc(1, sizeof *srv);
  srv->opts = opts;
  srv->listener.fd = srv->signals.fd = -1;
  store_config sc = {
      .data_dir = opts->data_dir,
      .fsync_policy = opts->fsync_policy,
      .fsync_interval_ms = opts->fsync_interval_ms,
      .segment_bytes = opts->segment_bytes,
      .retention_bytes = opts->retention_bytes,
      .retention_ms = opts->retention_ms,
      .index_interval_bytes = 4096,
      .max_batch_bytes = opts->message_max_bytes,
  };
  srv->loop = el_create();
  if (!srv->loop) goto fail;
  if (open_signals(srv) != 0) {
    sp_error("cannot set up signal handling: %s", strerror(errno));
    goto fail;
  }
  srv->st = store_open(&sc);
  if (!srv->st) goto fail;
  srv->groups = group_coordinator_create(srv);
  if (open_listener(srv) != 0) goto fail;
  if (el_add(srv->loop, &srv->listener, EPOLLIN) != 0 ||
      el_add(srv->loop, &srv->signals, EPOLLIN) != 0) {
    sp_error("epoll_ctl: %s", strerror(errno));
    goto fail;
  }
  el_set_pass_hook(srv->loop, server_pass_end, srv);
  el_timer_init(&srv->fsync_timer, on_fsync_timer);
  el_timer_init(&srv->retention_timer, on_retention_timer);
  el_timer_init(&srv->accept_timer, listener_resume);
  if (opts->fsync_policy == STORE_FSYNC_INTERVAL)
    el_timer_arm(srv->loop, &srv->fsync_timer,
                 sp_mono_ns() + (uint64_t)opts->fsync_interval_ms * 1000000ull);
  if (opts->retention_check_ms > 0)
    el_timer_arm(srv->loop, &srv->retention_timer,
                 sp_mono_ns() + (uint64_t)opts->retention_check_ms * 1000000ull);
  return srv;
fail:
  server_free(srv);
  return NULL;
}

int server_run(server *srv) {
  int rc = el_run(srv->loop);
  /* Stop accepting first, then answer what can still be answered. */
  if (srv->listener.fd >= 0) {
    el_remove(srv->loop, &srv->listener);
    close(srv->listener.fd);
    srv->listener.fd = -1;
  }
  fetch_release_all(srv);
  (void)server_pass_end(srv);
  return rc;
}

void server_free(server *srv) {
  if (!srv) return;
  while (srv->conns) conn_close(srv->conns, NULL);
  if (srv->groups) group_coordinator_free(srv->groups);
  if (srv->acks) SP_PANIC("held acks outlived their connections");
  while (srv->dead_list) {
    conn *c = srv->dead_list;
    srv->dead_list = c->next_dead;
    conn_free(c);
  }
  if (srv->st) {
    store_close(srv->st);
    sp_info("storage synced and closed (%llu group commits)", (unsigned long long)srv->sync_count);
  }
  if (srv->listener.fd >= 0) close(srv->listener.fd);
  if (srv->signals.fd >= 0) close(srv->signals.fd);
  el_free(srv->loop);
  free(srv);
}
