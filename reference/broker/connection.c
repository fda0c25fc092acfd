/* connection.c: see connection.h. */
#include "connection.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fault.h"
#include "fault_points.h"
#include "kcodec.h"
#include "log.h"
#include "mem.h"
#include "request.h"
#include "server.h"
#include "sp_assert.h"

#define CONN_READ_CHUNK (256u << 10) /* bytes asked of one read(2) */
#define CONN_READ_ROUNDS 8           /* reads per readiness event (fairness) */
#define CONN_IOV_MAX 64
#define FRAME_MIN_BYTES 8            /* api key, version, correlation id */

static void conn_on_ready(el_io *io, uint32_t events);

conn *conn_create(server *srv, int fd, const char *peer) {
  conn *c = sp_calloc(1, sizeof *c);
  c->io.fd = fd;
  c->io.on_ready = conn_on_ready;
  c->srv = srv;
  c->id = ++srv->next_conn_id;
  snprintf(c->peer, sizeof c->peer, "%s", peer);
  if (el_add(srv->loop, &c->io, EPOLLIN) != 0) {
    sp_error("%s: cannot watch connection: %s", peer, strerror(errno));
    close(fd);
    free(c);
    return NULL;
  }
  c->next_all = srv->conns;
  if (srv->conns) srv->conns->prev_all = c;
  srv->conns = c;
  srv->n_conns++;
  return c;
}

/* Frees a slot and everything it owns (not its place in the queue). */
static void slot_free(resp_slot *s) {
  sp_buf_free(&s->out);
  arena_free(&s->mem);
  free(s);
}

/* Unlinks c from a singly linked server list threaded through `next`. */
#define LIST_REMOVE(head, c, next)                  \
  do {                                              \
    for (conn **pp = &(head); *pp; pp = &(*pp)->next) \
      if (*pp == (c)) {                             \
        *pp = (c)->next;                            \
        break;                                      \
      }                                             \
  } while (0)

void conn_close(conn *c, const char *why) {
  if (c->closing) return;
  server *srv = c->srv;
  c->closing = 1;
  if (why)
    sp_warn("%s: closing connection: %s", c->peer, why);
  else
    sp_debug("%s: connection closed (%llu requests)", c->peer, (unsigned long long)c->requests);
  el_remove(srv->loop, &c->io);
  close(c->io.fd);
  c->io.fd = -1;
  for (resp_slot *s = c->head; s;) {
    resp_slot *next = s->next;
    if (!s->ready && s->cancel) s->cancel(s);
    slot_free(s);
    s = next;
  }
  c->head = c->tail = NULL;
  if (c->in_flush_list) LIST_REMOVE(srv->flush_list, c, next_flush);
  if (c->in_run_list) LIST_REMOVE(srv->run_list, c, next_run);
  c->in_flush_list = c->in_run_list = 0;
  if (c->prev_all) c->prev_all->next_all = c->next_all;
  else srv->conns = c->next_all;
  if (c->next_all) c->next_all->prev_all = c->prev_all;
  srv->n_conns--;
  c->next_dead = srv->dead_list;
  srv->dead_list = c;
}

void conn_free(conn *c) {
  SP_ASSERT(c->closing);
  sp_buf_free(&c->in);
  free(c);
}

/* ---- response queue --------------------------------------------------- */

resp_slot *slot_new(conn *c, int16_t api_key, int16_t api_version, int32_t correlation_id) {
  resp_slot *s = sp_calloc(1, sizeof *s);
  s->c = c;
  s->api_key = api_key;
  s->api_version = api_version;
  s->correlation_id = correlation_id;
  kw_i32(&s->out, 0); /* size, patched by slot_complete */
  kw_i32(&s->out, correlation_id);
  s->prev = c->tail;
  if (c->tail) c->tail->next = s;
  else c->head = s;
  c->tail = s;
  return s;
}

void slot_complete(resp_slot *s) {
  conn *c = s->c;
  SP_ASSERT(!s->ready && s->out.len >= 8);
  kw_patch_i32(&s->out, 0, (int32_t)(s->out.len - 4));
  arena_free(&s->mem);
  s->ready = 1;
  s->cancel = NULL;
  s->pending = NULL;
  c->out_pending += s->out.len;
  if (s->blocks) {
    s->blocks = 0;
    c->blocked = 0;
    server_schedule_run(c->srv, c);
  }
  server_schedule_flush(c->srv, c);
}

void slot_drop_tail(conn *c, resp_slot *s) {
  SP_ASSERT(c->tail == s && !s->ready);
  c->tail = s->prev;
  if (c->tail) c->tail->next = NULL;
  else c->head = NULL;
  slot_free(s);
}

void slot_park(resp_slot *s, void (*cancel)(resp_slot *s), void *pending, int blocks) {
  s->cancel = cancel;
  s->pending = pending;
  if (blocks) {
    s->blocks = 1;
    s->c->blocked = 1;
  }
}

/* ---- interest and output ---------------------------------------------- */

/* Reads only while requests can be processed, or while the unprocessed
 * input stays small (so a peer hanging up is still noticed). */
static void conn_update_interest(conn *c) {
  if (c->closing) return;
  size_t unprocessed = c->in.len - c->in_pos;
  int can_process = !c->blocked && c->out_pending < CONN_OUT_HIGH;
  uint32_t ev = 0;
  if (!c->read_eof && (can_process || unprocessed < CONN_IN_HIGH)) ev |= EPOLLIN;
  if (c->want_write) ev |= EPOLLOUT;
  if (el_modify(c->srv->loop, &c->io, ev) != 0) conn_close(c, "epoll_ctl failed");
}

int conn_flush(conn *c) {
  if (c->closing) return -1;
  int was_over = c->out_pending >= CONN_OUT_HIGH;
  c->want_write = 0;
  while (c->head && c->head->ready) {
    struct iovec iov[CONN_IOV_MAX];
    int n = 0;
    size_t total = 0, skip = c->head_sent;
    for (resp_slot *s = c->head; s && s->ready && n < CONN_IOV_MAX; s = s->next) {
      iov[n].iov_base = s->out.data + skip;
      iov[n].iov_len = s->out.len - skip;
      total += iov[n].iov_len;
      skip = 0;
      n++;
    }
    int fault = sp_fault_point(FP_NET_BEFORE_RESPONSE);
    if (fault) {
      conn_close(c, "fault point " FP_NET_BEFORE_RESPONSE ": responses dropped");
      return -1;
    }
    ssize_t w = writev(c->io.fd, iov, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        c->want_write = 1;
        break;
      }
      char why[128];
      snprintf(why, sizeof why, "write failed: %s", strerror(errno));
      conn_close(c, errno == EPIPE || errno == ECONNRESET ? NULL : why);
      return -1;
    }
    size_t left = (size_t)w;
    c->out_pending -= left;
    while (left) {
      resp_slot *s = c->head;
      size_t rest = s->out.len - c->head_sent;
      if (left < rest) {
        c->head_sent += left;
        break;
      }
      left -= rest;
      c->head_sent = 0;
      c->head = s->next;
      if (c->head) c->head->prev = NULL;
      else c->tail = NULL;
      slot_free(s);
    }
    if ((size_t)w < total) {
      c->want_write = 1;
      break;
    }
  }
  if (was_over && c->out_pending < CONN_OUT_HIGH) server_schedule_run(c->srv, c);
  conn_update_interest(c);
  return c->closing ? -1 : 0;
}

/* ---- input ------------------------------------------------------------ */

void conn_process_input(conn *c) {
  const int32_t max_bytes = c->srv->opts->max_request_bytes;
  while (!c->closing && !c->blocked && c->out_pending < CONN_OUT_HIGH) {
    size_t avail = c->in.len - c->in_pos;
    if (avail < 4) break;
    uint8_t *p = c->in.data + c->in_pos;
    int32_t size = (int32_t)k_load32(p);
    if (size < FRAME_MIN_BYTES || size > max_bytes) {
      char why[160];
      snprintf(why, sizeof why, "bad request size %d (allowed %d..%d; first bytes %02x%02x%02x%02x)",
               size, FRAME_MIN_BYTES, max_bytes, p[0], p[1], p[2], p[3]);
      conn_close(c, why);
      return;
    }
    if (avail - 4 < (size_t)size) break;
    c->in_pos += 4 + (size_t)size;
    request_dispatch(c, p + 4, (size_t)size);
  }
  if (c->closing) return;
  if (c->in_pos == c->in.len) c->in_pos = c->in.len = 0;
  conn_update_interest(c);
}

/* Bytes worth asking for next: the rest of the frame in progress when it
 * is large, so a 1 MB Produce arrives in a few reads. */
static size_t read_want(const conn *c) {
  size_t avail = c->in.len - c->in_pos;
  size_t want = CONN_READ_CHUNK;
  if (avail >= 4) {
    int32_t size = (int32_t)k_load32(c->in.data + c->in_pos);
    if (size > 0 && (size_t)size + 4 > avail) {
      size_t need = (size_t)size + 4 - avail;
      if (need > want) want = need < (16u << 20) ? need : (16u << 20);
    }
  }
  return want;
}

/* Moves unprocessed input to the front once the consumed part dominates. */
static void conn_compact(conn *c) {
  if (c->in_pos == 0) return;
  if (c->in_pos == c->in.len) {
    c->in_pos = c->in.len = 0;
  } else if (c->in_pos >= c->in.len / 2 || c->in.cap - c->in.len < CONN_READ_CHUNK) {
    sp_buf_consume(&c->in, c->in_pos);
    c->in_pos = 0;
  }
}

static void conn_read(conn *c) {
  for (int round = 0; round < CONN_READ_ROUNDS; round++) {
    if (c->in.len - c->in_pos >= CONN_IN_HIGH && (c->blocked || c->out_pending >= CONN_OUT_HIGH))
      break;
    conn_compact(c);
    size_t want = read_want(c);
    uint8_t *p = sp_buf_reserve(&c->in, want);
    ssize_t n = read(c->io.fd, p, want);
    if (n > 0) {
      sp_buf_commit(&c->in, (size_t)n);
      if ((size_t)n < want) break; /* drained for now */
      continue;
    }
    if (n == 0) {
      c->read_eof = 1;
      break;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    char why[128];
    snprintf(why, sizeof why, "read failed: %s", strerror(errno));
    conn_close(c, errno == ECONNRESET ? NULL : why);
    return;
  }
  conn_process_input(c);
  if (c->closing || !c->read_eof) return;
  size_t unprocessed = c->in.len - c->in_pos;
  if (unprocessed && !c->blocked && c->out_pending < CONN_OUT_HIGH) {
    char why[128];
    snprintf(why, sizeof why, "peer closed in the middle of a request (%zu bytes of it received)",
             unprocessed);
    conn_close(c, why);
    return;
  }
  (void)conn_flush(c);
  conn_close(c, NULL);
}

static void conn_on_ready(el_io *io, uint32_t events) {
  conn *c = (conn *)io;
  if (c->closing) return;
  if (events & EPOLLERR) {
    conn_close(c, NULL);
    return;
  }
  if (events & EPOLLOUT) {
    if (conn_flush(c) != 0) return;
  }
  if (events & EPOLLIN) {
    conn_read(c);
  } else if (events & EPOLLHUP) {
    conn_close(c, NULL); /* hung up while we were not reading */
  }
}
