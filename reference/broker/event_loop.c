/* event_loop.c: see event_loop.h. */
#include "event_loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "mem.h"
#include "sp_assert.h"

#define EL_MAX_EVENTS 256

struct event_loop {
  int epfd;
  int stopping;
  uint64_t passes;
  el_timer **heap;
  size_t heap_len, heap_cap;
  int (*pass_hook)(void *ctx);
  void *pass_ctx;
};

event_loop *el_create(void) {
  int fd = epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) {
    sp_error("epoll_create1: %s", strerror(errno));
    return NULL;
  }
  event_loop *el = sp_calloc(1, sizeof *el);
  el->epfd = fd;
  return el;
}

void el_free(event_loop *el) {
  if (!el) return;
  for (size_t i = 0; i < el->heap_len; i++) el->heap[i]->heap_index = SIZE_MAX;
  free(el->heap);
  close(el->epfd);
  free(el);
}

int el_add(event_loop *el, el_io *io, uint32_t events) {
  struct epoll_event ev = {.events = events, .data.ptr = io};
  if (epoll_ctl(el->epfd, EPOLL_CTL_ADD, io->fd, &ev) != 0) return -1;
  io->events = events;
  return 0;
}

int el_modify(event_loop *el, el_io *io, uint32_t events) {
  if (io->events == events) return 0;
  struct epoll_event ev = {.events = events, .data.ptr = io};
  if (epoll_ctl(el->epfd, EPOLL_CTL_MOD, io->fd, &ev) != 0) return -1;
  io->events = events;
  return 0;
}

void el_remove(event_loop *el, el_io *io) {
  (void)epoll_ctl(el->epfd, EPOLL_CTL_DEL, io->fd, NULL);
  io->events = 0;
}

/* ---- timer heap ------------------------------------------------------- */

static void heap_set(event_loop *el, size_t i, el_timer *t) {
  el->heap[i] = t;
  t->heap_index = i;
}

/* Moves the timer at i up until its parent is not later. */
static void heap_up(event_loop *el, size_t i) {
  el_timer *t = el->heap[i];
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (el->heap[parent]->deadline_ns <= t->deadline_ns) break;
    heap_set(el, i, el->heap[parent]);
    i = parent;
  }
  heap_set(el, i, t);
}

/* Moves the timer at i down until no child is earlier. */
static void heap_down(event_loop *el, size_t i) {
  el_timer *t = el->heap[i];
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= el->heap_len) break;
    if (child + 1 < el->heap_len &&
        el->heap[child + 1]->deadline_ns < el->heap[child]->deadline_ns)
      child++;
    if (el->heap[child]->deadline_ns >= t->deadline_ns) break;
    heap_set(el, i, el->heap[child]);
    i = child;
  }
  heap_set(el, i, t);
}

void el_timer_init(el_timer *t, void (*on_fire)(el_timer *t)) {
  t->deadline_ns = 0;
  t->heap_index = SIZE_MAX;
  t->on_fire = on_fire;
}

void el_timer_cancel(event_loop *el, el_timer *t) {
  if (t->heap_index == SIZE_MAX) return;
  size_t i = t->heap_index;
  SP_ASSERT(i < el->heap_len && el->heap[i] == t);
  t->heap_index = SIZE_MAX;
  el->heap_len--;
  if (i == el->heap_len) return;
  el_timer *moved = el->heap[el->heap_len];
  heap_set(el, i, moved);
  heap_up(el, i);
  heap_down(el, moved->heap_index);
}

void el_timer_arm(event_loop *el, el_timer *t, uint64_t deadline_ns) {
  el_timer_cancel(el, t);
  t->deadline_ns = deadline_ns;
  if (el->heap_len == el->heap_cap) {
    el->heap_cap = el->heap_cap ? el->heap_cap * 2 : 64;
    el->heap = sp_realloc(el->heap, el->heap_cap * sizeof *el->heap);
  }
  heap_set(el, el->heap_len++, t);
  heap_up(el, el->heap_len - 1);
}

/* Fires every timer due at `now`; a callback may re-arm its own timer for
 * a later time or arm/cancel others. */
static void run_timers(event_loop *el, uint64_t now) {
  while (el->heap_len && el->heap[0]->deadline_ns <= now) {
    el_timer *t = el->heap[0];
    el_timer_cancel(el, t);
    t->on_fire(t);
  }
}

/* epoll_wait timeout in ms for the earliest timer (rounded up, so a timer
 * never fires early and the loop never spins on a sub-ms remainder). */
static int next_timeout_ms(const event_loop *el, uint64_t now) {
  if (!el->heap_len) return -1;
  uint64_t due = el->heap[0]->deadline_ns;
  if (due <= now) return 0;
  uint64_t ms = (due - now + 999999) / 1000000;
  return ms > 60000 ? 60000 : (int)ms;
}

void el_set_pass_hook(event_loop *el, int (*hook)(void *ctx), void *ctx) {
  el->pass_hook = hook;
  el->pass_ctx = ctx;
}

int el_run(event_loop *el) {
  struct epoll_event events[EL_MAX_EVENTS];
  int more_work = 0;
  while (!el->stopping) {
    int timeout = more_work ? 0 : next_timeout_ms(el, sp_mono_ns());
    int n = epoll_wait(el->epfd, events, EL_MAX_EVENTS, timeout);
    if (n < 0) {
      if (errno == EINTR) continue;
      sp_error("epoll_wait: %s", strerror(errno));
      return -1;
    }
    for (int i = 0; i < n; i++) {
      el_io *io = events[i].data.ptr;
      io->on_ready(io, events[i].events);
    }
    run_timers(el, sp_mono_ns());
    more_work = el->pass_hook ? el->pass_hook(el->pass_ctx) : 0;
    el->passes++;
  }
  return 0;
}

void el_stop(event_loop *el) { el->stopping = 1; }

uint64_t el_passes(const event_loop *el) { return el->passes; }
