/* bench_check: how fast `streamproof check` is, and how much memory it takes.
 *
 *   bench_check [--messages N] [--subs K] [--semantics S] [--runs R] [--dir D] [--keep]
 *
 * Writes a clean history of N messages (default 10,000,000: N acks, N
 * applies per subscription, N readback records; 8 partitions, 4 producers,
 * 1,000 keys, ordering per_key) straight to files, then runs check_run R
 * times (default 5), each in a fresh child process, and prints the wall time
 * and peak RSS of each run and their medians. A benchmark, not a test: it
 * prints figures and asserts nothing about speed. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "gen.h"

#define PARTITIONS 8
#define PRODUCERS  4
#define KEYS       1000

static void die(const char *what) {
  perror(what);
  exit(1);
}

static hist_writer *open_hist(const char *dir, const char *name, uint32_t kind, uint32_t id) {
  char path[4096];
  snprintf(path, sizeof path, "%s/history/%s", dir, name);
  unlink(path);
  hist_writer *w = hist_writer_open(path, kind, id);
  if (!w) die(path);
  return w;
}

/* The message (writer i, seq) of the generator's order: its key and partition. */
static uint32_t key_of(uint64_t seq, uint32_t i) { return (uint32_t)((seq * 7 + i * 3) % KEYS); }

/* Writes the run: acks and applies in one pass, the readback per partition. */
static void generate(const char *dir, gen *g) {
  const gen_config *c = &g->c;
  uint32_t nc = c->subs * c->consumers;
  hist_writer *prod[PRODUCERS], **cons = calloc(nc, sizeof *cons);
  for (uint32_t i = 0; i < PRODUCERS; i++) {
    char name[64];
    snprintf(name, sizeof name, "producer-%u.hist", i);
    prod[i] = open_hist(dir, name, HIST_KIND_PRODUCER, i);
  }
  uint64_t t = 1;
  for (uint32_t k = 0; k < nc; k++) {
    char name[64];
    snprintf(name, sizeof name, "consumer-%u.hist", k);
    cons[k] = open_hist(dir, name, HIST_KIND_CONSUMER, k);
    hist_record r = {.type = HIST_READER_START,
                     .partition = -1,
                     .offset = -1,
                     .actor = g->readers[k].id,
                     .key = k,
                     .err = c->sem[k / c->consumers],
                     .t_ns = t++};
    hist_writer_append(cons[k], &r);
    for (uint32_t p = k % c->consumers; p < PARTITIONS; p += c->consumers) {
      hist_record a = {.type = HIST_ASSIGN,
                       .partition = (int32_t)p,
                       .offset = 0,
                       .actor = g->readers[k].id,
                       .t_ns = t++};
      hist_writer_append(cons[k], &a);
    }
  }
  /* exactly-once applies go to the effect store of their input partition */
  hist_writer *effects[GEN_MAX_SUBS][PARTITIONS] = {{NULL}};
  for (uint32_t s = 0; s < c->subs; s++)
    for (uint32_t p = 0; c->sem[s] == CHECK_SEM_EXACTLY_ONCE && p < PARTITIONS; p++) {
      char name[64];
      snprintf(name, sizeof name, "effects-%u-0-%u.hist", s, p);
      effects[s][p] = open_hist(dir, name, HIST_KIND_EFFECTS, s);
    }
  int64_t next[PARTITIONS] = {0};
  uint8_t ok = HIST_F_IDENTITY | HIST_F_CHECKSUM | HIST_F_KEY_OK;
  for (uint64_t seq = 0; seq < c->messages; seq++)
    for (uint32_t i = 0; i < PRODUCERS; i++) {
      uint32_t key = key_of(seq, i), p = key % PARTITIONS, wid = g->writers[i].id;
      hist_record r = {.type = HIST_ACK,
                       .partition = (int32_t)p,
                       .offset = next[p]++,
                       .seq = seq,
                       .writer = wid,
                       .actor = wid,
                       .key = key,
                       .t_ns = t++};
      hist_writer_append(prod[i], &r);
      r.type = HIST_APPLY;
      r.flags = ok;
      for (uint32_t s = 0; s < c->subs; s++) {
        uint32_t k = s * c->consumers + p % c->consumers;
        r.actor = g->readers[k].id;
        hist_writer_append(effects[s][p] ? effects[s][p] : cons[k], &r);
      }
    }
  for (uint32_t i = 0; i < PRODUCERS; i++) {
    hist_record r = {.type = HIST_WRITER_END,
                     .partition = -1,
                     .offset = -1,
                     .seq = c->messages,
                     .actor = g->writers[i].id,
                     .t_ns = t++};
    hist_writer_append(prod[i], &r);
    if (hist_writer_close(prod[i])) die("producer history");
  }
  for (uint32_t k = 0; k < nc; k++) {
    hist_record r = {.type = HIST_READER_END,
                     .partition = -1,
                     .offset = -1,
                     .actor = g->readers[k].id,
                     .t_ns = t++};
    hist_writer_append(cons[k], &r);
    if (hist_writer_close(cons[k])) die("consumer history");
  }
  free(cons);
  for (uint32_t s = 0; s < c->subs; s++)
    for (uint32_t p = 0; p < PARTITIONS; p++)
      if (effects[s][p] && hist_writer_close(effects[s][p])) die("effects history");
  hist_writer *rb = open_hist(dir, "readback.hist", HIST_KIND_READBACK, 0);
  for (uint32_t p = 0; p < PARTITIONS; p++) {
    int64_t o = 0;
    for (uint64_t seq = 0; seq < c->messages; seq++)
      for (uint32_t i = 0; i < PRODUCERS; i++) {
        uint32_t key = key_of(seq, i);
        if (key % PARTITIONS != p) continue;
        hist_record r = {.type = HIST_READBACK,
                         .flags = ok,
                         .partition = (int32_t)p,
                         .offset = o++,
                         .seq = seq,
                         .writer = g->writers[i].id,
                         .key = key};
        hist_writer_append(rb, &r);
      }
    hist_record e = {.type = HIST_END_OFFSETS, .partition = (int32_t)p, .offset = o};
    hist_writer_append(rb, &e);
  }
  if (hist_writer_close(rb)) die("readback history");
}

/* One check_run in a child: wall and CPU seconds, peak RSS (KiB), exit code. */
static int run_once(const char *dir, double *seconds, double *cpu, long *rss_kib) {
  uint64_t t0 = sp_mono_ns();
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    check_options o;
    check_options_init(&o);
    o.quiet = 1;
    o.out = fopen("/dev/null", "w");
    check_result r;
    int rc = check_run(dir, &o, &r);
    check_result_free(&r);
    _exit(rc);
  }
  int status;
  struct rusage ru;
  if (wait4(pid, &status, 0, &ru) != pid) die("wait4");
  *seconds = (double)(sp_mono_ns() - t0) / 1e9;
  *rss_kib = ru.ru_maxrss;
  *cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec / 1e6;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  uint64_t messages = 10000000;
  uint32_t subs = 1, runs = 5;
  semantics sem = CHECK_SEM_AT_LEAST_ONCE;
  const char *dir = "/tmp/sp-bench-check";
  int keep = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--keep") == 0)
      keep = 1;
    else if (!v)
      goto usage;
    else if (strcmp(a, "--messages") == 0)
      messages = strtoull(v, NULL, 10), i++;
    else if (strcmp(a, "--subs") == 0)
      subs = (uint32_t)atoi(v), i++;
    else if (strcmp(a, "--runs") == 0)
      runs = (uint32_t)atoi(v), i++;
    else if (strcmp(a, "--dir") == 0)
      dir = v, i++;
    else if (strcmp(a, "--semantics") == 0 && (sem = semantics_parse(v)) != SEM_NONE)
      i++;
    else
      goto usage;
  }
  if (messages < PRODUCERS || subs < 1 || subs > GEN_MAX_SUBS || runs < 1 || runs > 99) goto usage;
  gen_config c = {.partitions = PARTITIONS,
                  .producers = PRODUCERS,
                  .messages = messages / PRODUCERS,
                  .keys = KEYS,
                  .per_key = 1,
                  .subs = subs,
                  .consumers = 4};
  for (uint32_t s = 0; s < subs; s++) c.sem[s] = sem;
  gen *g = gen_plan(&c);
  uint64_t t0 = sp_mono_ns();
  if (gen_write_meta(g, dir)) die(dir);
  generate(dir, g);
  uint64_t total = c.messages * PRODUCERS;
  printf("history: %" PRIu64 " messages, %" PRIu64 " records, %u subscription(s) %s, written in "
         "%.1f s to %s\n",
         total, total * (2 + subs), subs, check_semantics_name(sem), (double)(sp_mono_ns() - t0) / 1e9,
         dir);
  double secs[99], cpus[99], rss[99];
  for (uint32_t r = 0; r < runs; r++) {
    long kib;
    int rc = run_once(dir, &secs[r], &cpus[r], &kib);
    rss[r] = (double)kib / 1024.0;
    printf("run %u: %.2f s wall, %.2f s CPU, peak RSS %.0f MiB, exit %d\n", r + 1, secs[r], cpus[r],
           rss[r], rc);
    if (rc != 0) {
      fprintf(stderr, "bench_check: the clean history was not valid (exit %d)\n", rc);
      return 1;
    }
  }
  qsort(secs, runs, sizeof *secs, cmp_double);
  qsort(cpus, runs, sizeof *cpus, cmp_double);
  qsort(rss, runs, sizeof *rss, cmp_double);
  printf("median of %u: %.2f s wall (%.1f M messages/s), %.2f s CPU, peak RSS %.0f MiB "
         "(%.1f bytes/message)\n",
         runs, secs[runs / 2], (double)total / secs[runs / 2] / 1e6, cpus[runs / 2], rss[runs / 2],
         rss[runs / 2] * 1048576.0 / (double)total);
  gen_free(g);
  if (!keep) {
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "bench_check: could not remove %s\n", dir);
  }
  return 0;
usage:
  fprintf(stderr,
          "usage: bench_check [--messages N] [--subs 1..%d] [--semantics S] [--runs 1..99] "
          "[--dir D] [--keep]\n",
          GEN_MAX_SUBS);
  return 2;
}
