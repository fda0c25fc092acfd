/* event_loop.h: refbroker's single-threaded epoll loop with timers.
 *
 * One thread owns everything (sockets, storage, groups), so no state is ever
 * shared across threads and the loop never busy-waits: it sleeps in
 * epoll_wait until a file descriptor is ready or the earliest timer is due.
 *
 * One pass of the loop:
 *
 *   1. epoll_wait(timeout = earliest timer, or 0 if a hook has more work)
 *   2. call the callback of every ready file descriptor
 *   3. run every timer whose deadline has passed
 *   4. run the end-of-pass hook (refbroker: group commit, release acks,
 *      wake long-polls, write responses)
 *
 * Timers live in a binary min-heap of pointers; each el_timer knows its heap
 * slot, so arming, re-arming and cancelling are O(log n). */
#ifndef REFBROKER_EVENT_LOOP_H
#define REFBROKER_EVENT_LOOP_H

#include <stddef.h>
#include <stdint.h>

typedef struct event_loop event_loop;

/* A pollable object: embed as the first member (or anywhere, with
 * container_of-style casts) and register with el_add. */
typedef struct el_io {
  int fd;
  uint32_t events; /* EPOLLIN / EPOLLOUT currently registered */
  void (*on_ready)(struct el_io *io, uint32_t events);
} el_io;

/* A one-shot timer embedded in its owner. */
typedef struct el_timer {
  uint64_t deadline_ns;
  size_t heap_index; /* SIZE_MAX when not armed */
  void (*on_fire)(struct el_timer *t);
} el_timer;

event_loop *el_create(void);
void el_free(event_loop *el);

/* Registers io->fd for `events` (EPOLLIN/EPOLLOUT). Returns 0 or -1+errno. */
int el_add(event_loop *el, el_io *io, uint32_t events);
/* Changes the registered events (no syscall if unchanged). */
int el_modify(event_loop *el, el_io *io, uint32_t events);
/* Unregisters io (does not close the fd). */
void el_remove(event_loop *el, el_io *io);

/* Initialises a timer (not armed). */
void el_timer_init(el_timer *t, void (*on_fire)(el_timer *t));
/* Arms (or re-arms) the timer to fire once at deadline_ns (CLOCK_MONOTONIC). */
void el_timer_arm(event_loop *el, el_timer *t, uint64_t deadline_ns);
/* Cancels an armed timer; no-op if it is not armed. */
void el_timer_cancel(event_loop *el, el_timer *t);
static inline int el_timer_armed(const el_timer *t) { return t->heap_index != SIZE_MAX; }

/* The end-of-pass hook: called once after each pass's events and timers.
 * Returns non-zero when it left work for the next pass (the next epoll_wait
 * then does not sleep). */
void el_set_pass_hook(event_loop *el, int (*hook)(void *ctx), void *ctx);

/* Runs passes until el_stop. Returns 0, or -1 if epoll_wait failed. */
int el_run(event_loop *el);
void el_stop(event_loop *el);

/* Number of passes run so far (tests, statistics). */
uint64_t el_passes(const event_loop *el);

#endif
