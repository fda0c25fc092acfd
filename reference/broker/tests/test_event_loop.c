/* test_event_loop.c: timers fire in deadline order, never early, can be
 * cancelled and re-armed from callbacks; fd readiness reaches its callback;
 * the end-of-pass hook runs once per pass and can ask for another. */
#include <sys/epoll.h>
#include <unistd.h>

#include "clock.h"
#include "event_loop.h"
#include "sp_test.h"

static event_loop *loop;
static int order[16];
static int n_fired;
static uint64_t fired_at[16];

typedef struct tagged {
  el_timer t;
  int tag;
} tagged;

static void on_tagged(el_timer *t) {
  tagged *x = (tagged *)t;
  fired_at[n_fired] = sp_mono_ns();
  order[n_fired++] = x->tag;
  if (n_fired == 4) el_stop(loop);
}

TEST(timers_fire_in_order_and_not_early) {
  loop = el_create();
  n_fired = 0;
  tagged t[5];
  uint64_t now = sp_mono_ns();
  int delays_ms[5] = {40, 10, 30, 20, 50};
  for (int i = 0; i < 5; i++) {
    t[i].tag = i;
    el_timer_init(&t[i].t, on_tagged);
    el_timer_arm(loop, &t[i].t, now + (uint64_t)delays_ms[i] * 1000000ull);
  }
  el_timer_cancel(loop, &t[2].t); /* 30 ms one never fires */
  CHECK(!el_timer_armed(&t[2].t));
  el_timer_arm(loop, &t[4].t, now + 5000000ull); /* re-armed earlier: 5 ms */
  REQUIRE(el_run(loop) == 0);
  REQUIRE(n_fired == 4);
  CHECK_EQ_INT(order[0], 4);
  CHECK_EQ_INT(order[1], 1);
  CHECK_EQ_INT(order[2], 3);
  CHECK_EQ_INT(order[3], 0);
  CHECK(fired_at[0] >= now + 5000000ull);
  CHECK(fired_at[3] >= now + 40000000ull);
  el_free(loop);
}

static int rearm_count;
static void on_rearm(el_timer *t) {
  if (++rearm_count < 3) el_timer_arm(loop, t, sp_mono_ns() + 1000000ull);
  else el_stop(loop);
}

TEST(timer_rearms_itself) {
  loop = el_create();
  rearm_count = 0;
  el_timer t;
  el_timer_init(&t, on_rearm);
  el_timer_arm(loop, &t, sp_mono_ns());
  REQUIRE(el_run(loop) == 0);
  CHECK_EQ_INT(rearm_count, 3);
  el_free(loop);
}

/* Many timers in random order: the heap stays consistent under cancels. */
static int heap_fired;
static uint64_t heap_last;
static int heap_sorted = 1;
static void on_heap(el_timer *t) {
  if (t->deadline_ns < heap_last) heap_sorted = 0;
  heap_last = t->deadline_ns;
  heap_fired++;
}
static int pass_hook_stop_when_idle(void *ctx) {
  (void)ctx;
  if (heap_fired >= 150) el_stop(loop);
  return 0;
}

TEST(heap_with_random_cancels) {
  loop = el_create();
  el_timer t[300];
  uint64_t base = sp_mono_ns();
  uint32_t seed = 7;
  for (int i = 0; i < 300; i++) {
    seed = seed * 1103515245u + 12345u;
    el_timer_init(&t[i], on_heap);
    el_timer_arm(loop, &t[i], base + (seed >> 8) % 20000000ull);
  }
  for (int i = 0; i < 300; i += 2) el_timer_cancel(loop, &t[i]);
  el_set_pass_hook(loop, pass_hook_stop_when_idle, NULL);
  REQUIRE(el_run(loop) == 0);
  CHECK_EQ_INT(heap_fired, 150);
  CHECK(heap_sorted);
  el_free(loop);
}

static int io_calls;
static void on_pipe(el_io *io, uint32_t events) {
  char buf[16];
  if (events & EPOLLIN) io_calls += (int)read(io->fd, buf, sizeof buf);
  el_stop(loop);
}

static int passes_with_work;
static int pass_hook_more(void *ctx) {
  (void)ctx;
  return ++passes_with_work < 3; /* ask for two extra passes, then sleep */
}

TEST(fd_readiness_and_pass_hook) {
  loop = el_create();
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  el_io io = {.fd = fds[0], .on_ready = on_pipe};
  REQUIRE(el_add(loop, &io, EPOLLIN) == 0);
  passes_with_work = 0;
  el_set_pass_hook(loop, pass_hook_more, NULL);
  REQUIRE(write(fds[1], "abc", 3) == 3);
  REQUIRE(el_run(loop) == 0);
  CHECK_EQ_INT(io_calls, 3);
  CHECK(el_passes(loop) >= 1);
  el_remove(loop, &io);
  close(fds[0]);
  close(fds[1]);
  el_free(loop);
}

SP_TEST_MAIN(timers_fire_in_order_and_not_early, timer_rearms_itself, heap_with_random_cancels,
             fd_readiness_and_pass_hook)
