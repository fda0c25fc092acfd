/* flow.c: see flow.h. */
#include "flow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mem.h"

static uint64_t xorshift64(uint64_t *s) {
  uint64_t x = *s ? *s : 0x9e3779b97f4a7c15ull;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *s = x;
}

/* now + latency +- jitter (uniform), in ns, never negative. */
static uint64_t due_time(const toxics *t, uint64_t now_ns, uint64_t *rng) {
  if (t->latency_ms <= 0 && t->jitter_ms <= 0) return now_ns;
  int64_t delay_ms = t->latency_ms;
  if (t->jitter_ms > 0) delay_ms += (int64_t)(xorshift64(rng) % (uint64_t)(2 * t->jitter_ms + 1)) - t->jitter_ms;
  return delay_ms > 0 ? now_ns + (uint64_t)delay_ms * 1000000u : now_ns;
}

flow_status flow_read(flow *f, const toxics *t, uint64_t now_ns, uint64_t *rng) {
  static uint8_t buf[FLOW_READ_BYTES]; /* the proxy is single-threaded */
  ssize_t n;
  while ((n = recv(f->src_fd, buf, sizeof buf, 0)) < 0 && errno == EINTR) {
  }
  if (n <= 0) {
    if (n == 0) {
      f->src_eof = 1;
      return FLOW_OK;
    }
    return errno == EAGAIN ? FLOW_OK : FLOW_ERROR;
  }
  chunk *c = sp_malloc(sizeof(chunk) + (size_t)n); /* exact size: many small reads stay small */
  memcpy(c->data, buf, (size_t)n);
  c->next = NULL;
  c->len = (size_t)n;
  c->off = 0;
  c->due_ns = due_time(t, now_ns, rng);
  if (c->due_ns < f->last_due_ns) c->due_ns = f->last_due_ns; /* keep the order */
  f->last_due_ns = c->due_ns;
  if (f->tail) f->tail->next = c;
  else f->head = c;
  f->tail = c;
  f->queued += (size_t)n;
  return FLOW_OK;
}

/* Refills the bucket: rate bytes/s, at most 50 ms worth (and one byte). */
static void refill(flow *f, const toxics *t, uint64_t now_ns) {
  double cap = (double)t->rate_bytes_per_s / 20.0;
  if (cap < 1) cap = 1;
  if (f->tokens_ns == 0) f->tokens = cap;
  else f->tokens += (double)(now_ns - f->tokens_ns) * (double)t->rate_bytes_per_s / 1e9;
  if (f->tokens > cap) f->tokens = cap;
  f->tokens_ns = now_ns;
}

flow_status flow_pump(flow *f, const toxics *t, uint64_t now_ns, uint64_t *wake_ns) {
  *wake_ns = UINT64_MAX;
  while (f->head && !f->dst_blocked) {
    chunk *c = f->head;
    if (t->blackhole) {
      if (t->blackhole_until_ns) *wake_ns = t->blackhole_until_ns;
      return FLOW_OK;
    }
    if (c->due_ns > now_ns) return *wake_ns = c->due_ns, FLOW_OK;
    if (f->next_write_ns > now_ns) return *wake_ns = f->next_write_ns, FLOW_OK;
    size_t allowed = c->len - c->off;
    if (t->slice_bytes > 0 && allowed > (size_t)t->slice_bytes) allowed = (size_t)t->slice_bytes;
    if (t->rate_bytes_per_s > 0) {
      refill(f, t, now_ns);
      if (f->tokens < 1) {
        *wake_ns = now_ns + (uint64_t)((1 - f->tokens) * 1e9 / (double)t->rate_bytes_per_s) + 1;
        return FLOW_OK;
      }
      if (allowed > (size_t)f->tokens) allowed = (size_t)f->tokens;
    } else {
      f->tokens_ns = 0;
    }
    ssize_t n = send(f->dst_fd, c->data + c->off, allowed, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        f->dst_blocked = 1;
        return FLOW_OK;
      }
      return FLOW_ERROR;
    }
    c->off += (size_t)n;
    f->queued -= (size_t)n;
    f->bytes += (uint64_t)n;
    if (t->rate_bytes_per_s > 0) f->tokens -= (double)n;
    if (t->slice_bytes > 0 && t->slice_delay_us > 0) f->next_write_ns = now_ns + (uint64_t)t->slice_delay_us * 1000u;
    if (c->off == c->len) {
      f->head = c->next;
      if (!f->head) f->tail = NULL;
      free(c);
    }
  }
  if (!f->head && f->src_eof && !f->dst_shut) {
    shutdown(f->dst_fd, SHUT_WR);
    f->dst_shut = 1;
  }
  return FLOW_OK;
}

int flow_wants_read(const flow *f) { return !f->src_eof && f->queued < FLOW_QUEUE_CAP; }

int flow_done(const flow *f) { return f->src_eof && !f->head && f->dst_shut; }

void flow_free(flow *f) {
  for (chunk *c = f->head, *next; c; c = next) {
    next = c->next;
    free(c);
  }
  f->head = f->tail = NULL;
  f->queued = 0;
}
