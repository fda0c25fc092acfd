/* bench_loadgen: what the load generator's per-message work costs.
 *
 *   build-rel/bin/bench_loadgen [iterations]
 *
 * Prints nanoseconds per operation for the schedule lookup, key draws, size
 * draws, payload filling and a whole message (size + key + padding +
 * identity header), so the harness's own cost per message can be compared
 * with the 2,000,000 msg/s (500 ns per message, all included) it must be
 * able to offer. Run it in a Release build; quote the median of several
 * runs. Not a test: it asserts nothing about speed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "identity.h"
#include "keys.h"
#include "payload.h"
#include "schedule.h"
#include "sizes.h"
#include "workload.h"

static volatile uint64_t sink; /* keeps results alive */

static void report(const char *what, uint64_t start_ns, uint64_t n) {
  double ns = (double)(sp_mono_ns() - start_ns) / (double)n;
  printf("%-44s %8.1f ns/op\n", what, ns);
}

static void bench_schedule(const char *what, rate_profile p, uint64_t n) {
  schedule s;
  schedule_init(&s, &p);
  uint64_t t0 = sp_mono_ns(), acc = 0;
  for (uint64_t k = 0; k < n; k++) acc += schedule_intended_ns(&s, (uint32_t)(k & 3), 4, k >> 2);
  sink = acc;
  report(what, t0, n);
  schedule_free(&s);
}

static void bench_keys(const char *what, key_distribution d, uint32_t count, double s, uint64_t n) {
  key_gen g;
  rng r;
  rng_seed(&r, 1);
  keys_init(&g, d, count, s, 0);
  uint64_t t0 = sp_mono_ns(), acc = 0;
  for (uint64_t i = 0; i < n; i++) acc += keys_next(&g, &r);
  sink = acc;
  report(what, t0, n);
}

static void bench_sizes(const char *what, size_dist d, uint64_t n) {
  rng r;
  rng_seed(&r, 2);
  sizes_prepare(&d);
  uint64_t t0 = sp_mono_ns(), acc = 0;
  for (uint64_t i = 0; i < n; i++) acc += sizes_draw(&d, &r);
  sink = acc;
  report(what, t0, n);
}

/* Loads a workload from text (paths relative to the working directory). */
static void load(workload *w, const char *text) {
  char err[512];
  if (workload_parse(text, strlen(text), "bench.yaml", w, err, sizeof err)) {
    fprintf(stderr, "%s\n", err);
    exit(1);
  }
}

static void bench_fill(const char *what, const char *yaml, uint32_t size, uint64_t n) {
  workload w;
  load(&w, yaml);
  payload_src p;
  char err[256];
  if (payload_src_init(&p, &w, err, sizeof err)) {
    fprintf(stderr, "%s\n", err);
    exit(1);
  }
  uint8_t *buf = malloc(size);
  rng r;
  rng_seed(&r, 3);
  uint64_t t0 = sp_mono_ns();
  for (uint64_t i = 0; i < n; i++) payload_fill(&p, &r, buf, size);
  sink = buf[size - 1];
  report(what, t0, n);
  free(buf);
  payload_src_free(&p);
  workload_free(&w);
}

/* Everything a producer computes for one message except the send. */
static void bench_message(const char *what, const char *yaml, uint64_t n) {
  workload w;
  load(&w, yaml);
  payload_src p;
  char err[256];
  if (payload_src_init(&p, &w, err, sizeof err)) exit(1);
  schedule s;
  schedule_init(&s, &w.rate_profile);
  key_gen g;
  keys_init(&g, w.key_distribution, w.key_count, w.zipf_exponent, 0);
  rng rk, rs, rp;
  rng_for(&rk, w.seed, RNG_STREAM_KEYS, 0);
  rng_for(&rs, w.seed, RNG_STREAM_SIZES, 0);
  rng_for(&rp, w.seed, RNG_STREAM_PAYLOAD, 0);
  uint8_t *buf = malloc(sizes_max(&w.message_size));
  uint64_t t0 = sp_mono_ns();
  for (uint64_t k = 0; k < n; k++) {
    identity id = {.writer = 1, .seq = k};
    id.intended_ns = schedule_intended_ns(&s, 0, 1, k);
    id.key = keys_next(&g, &rk);
    id.size = sizes_draw(&w.message_size, &rs);
    payload_fill(&p, &rp, buf, id.size);
    identity_encode(&id, buf, id.size);
  }
  sink = buf[0];
  report(what, t0, n);
  free(buf);
  schedule_free(&s);
  payload_src_free(&p);
  workload_free(&w);
}

#define BASE "topics: 1\npartitionsPerTopic: 4\nproducerRate: 1000000\nduration_s: 10\n"

int main(int argc, char **argv) {
  uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 5000000;
  rate_step steps[] = {{10, 500}, {20, 2000}, {30, 0}, {40, 1000}};
  bench_schedule("schedule: constant", (rate_profile){.type = RATE_CONSTANT, .rate = 1e6}, n);
  bench_schedule("schedule: 4 steps", (rate_profile){.type = RATE_STEPS, .rate = 1e6, .steps = steps, .n_steps = 4}, n);
  bench_schedule("schedule: bursts",
                 (rate_profile){.type = RATE_BURSTS, .rate = 1e5, .period_s = 10, .burst_s = 2, .burst_rate = 1e6}, n);
  bench_keys("keys: round_robin", KEYDIST_ROUND_ROBIN, 10000, 0, n);
  bench_keys("keys: uniform (10k)", KEYDIST_UNIFORM, 10000, 0, n);
  bench_keys("keys: zipf s=1.1 (100k)", KEYDIST_ZIPF, 100000, 1.1, n);
  bench_keys("keys: zipf s=1.1 (4e9)", KEYDIST_ZIPF, 4000000000u, 1.1, n);
  bench_sizes("sizes: uniform", (size_dist){.distribution = SIZEDIST_UNIFORM, .min_bytes = 100, .max_bytes = 2000}, n);
  bench_sizes("sizes: normal", (size_dist){.distribution = SIZEDIST_NORMAL, .mean = 1000, .stddev = 200, .min_bytes = 56, .max_bytes = 4096}, n);
  bench_sizes("sizes: lognormal", (size_dist){.distribution = SIZEDIST_LOGNORMAL, .mean = 600, .stddev = 400, .min_bytes = 64, .max_bytes = 16384}, n);
  bench_fill("payload: random 100 B", BASE "messageSize: 100\n", 100, n);
  bench_fill("payload: random 1 KiB", BASE "messageSize: 1024\n", 1024, n / 4);
  bench_fill("payload: zeros 1 KiB", BASE "messageSize: 1024\npayload: zeros\n", 1024, n / 4);
  bench_fill("payload: randomized pool 1 KiB", BASE "messageSize: 1024\nuseRandomizedPayloads: true\nrandomBytesRatio: 0.5\n", 1024, n / 4);
  bench_message("message 100 B random, no key", BASE "messageSize: 100\n", n);
  bench_message("message 100 B zeros, uniform keys", BASE "messageSize: 100\npayload: zeros\nkey_distribution: uniform\n", n);
  bench_message("message 1 KiB random, zipf keys", BASE "messageSize: 1024\nkey_distribution: zipf\n", n / 4);
  /* loading a workload file: done once a run, shown for completeness */
  uint64_t t0 = sp_mono_ns();
  for (int i = 0; i < 200; i++) {
    workload w;
    load(&w, BASE "messageSize: 100\nbroker: {fsync: never}\nproducer: {acks: 1, linger_ms: 5}\n");
    workload_free(&w);
  }
  report("workload_parse (small file, incl. validation)", t0, 200);
  return 0;
}
