/* progress.c: what a person watching `streamproof run` sees.
 *
 * On a terminal (stderr is a tty): one line redrawn in place four times a
 * second,
 *
 *   [  12.3 /  17.0 s] measure  sent 2,000/s  acked 2,000/s  consumed 1,998/s
 *   backlog 14  p99 publish 3.21 ms  e2e 4.05 ms  faults 1
 *
 * (one line in reality). Otherwise (a CI log, a pipe): the same text as a
 * plain line every --progress-interval seconds. Log lines (sp_log) from the
 * orchestrator clear the live line first (progress_clear) so they never
 * land in the middle of it. Rates are over the last update period, from
 * the workers' once-a-second counters ("-" until the first report: never
 * a 0 that was not measured); "sent" is what the producers handed to
 * their client, "acked" what the broker acknowledged (during a broker
 * outage the first goes on, the second drops to 0). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "run_int.h"

#define TTY_PERIOD_NS 250000000ull
#define PROGRESS_ROUND_NS 200000000ull /* a round of worker reports is in */

void progress_init(run_ctx *c) {
  c->tty = isatty(STDERR_FILENO) && !c->opt.quiet;
  c->next_progress = 0;
  memset(&c->sent_rate, 0, sizeof c->sent_rate);
  memset(&c->acked_rate, 0, sizeof c->acked_rate);
  memset(&c->consumed_rate, 0, sizeof c->consumed_rate);
}

/* 1234567 -> "1,234,567". */
static const char *grouped(uint64_t v, char *buf, size_t cap) {
  char digits[32];
  int n = snprintf(digits, sizeof digits, "%" PRIu64, v);
  size_t j = 0;
  for (int i = 0; i < n && j + 2 < cap; i++) {
    if (i && (n - i) % 3 == 0) buf[j++] = ',';
    buf[j++] = digits[i];
  }
  buf[j] = '\0';
  return buf;
}

const char *run_phase_name(run_phase p) {
  switch (p) {
  case PH_SETUP: return "setup";
  case PH_WARMUP: return "warmup";
  case PH_MEASURE: return "measure";
  case PH_STOPPING: return "stopping";
  case PH_DRAIN: return "drain";
  case PH_FINISH: return "finish";
  }
  return "?";
}

double run_elapsed_s(const run_ctx *c, uint64_t now) {
  return c->t0 && now > c->t0 ? (double)(now - c->t0) / 1e9 : 0;
}

/* The rate of one counter over the workers' reports: recomputed once the
 * newest report of `role` is at least a second newer than the reference
 * (reports come once a second, so a shorter window would swing between 0
 * and double). Every worker reports just after the same second boundary
 * (worker.c), a few ms apart: a round is taken as complete 200 ms after
 * its newest report, so one worker's report is never set against
 * another's of the round before. The first reference is t0 with nothing
 * counted (the workers start counting at "go"), so the first round
 * already gives a rate; until it is in, the rate is unknown, not 0. */
static void update_rate(const run_ctx *c, worker_role role, uint64_t count, progress_rate *r, uint64_t now) {
  uint64_t as_of = 0;
  for (uint32_t i = 0; i < c->n_workers; i++)
    if (c->workers[i].role == role && c->workers[i].last_stats_ns > as_of)
      as_of = c->workers[i].last_stats_ns;
  if (!r->ref_ns) {
    r->ref_ns = c->t0;
    r->ref_count = 0;
  }
  if (as_of < r->ref_ns + 900000000ull || now < as_of + PROGRESS_ROUND_NS) return;
  double dt = (double)(as_of - r->ref_ns) / 1e9;
  r->per_s = count >= r->ref_count ? (uint64_t)((double)(count - r->ref_count) / dt) : 0;
  r->known = 1;
  r->ref_ns = as_of;
  r->ref_count = count;
}

/* Follows the workers' counters on every pump, not only when a line is
 * drawn (a line every few seconds must not show a rate never computed). */
static void update_rates(run_ctx *c, uint64_t now) {
  wstats p = run_totals(c, WROLE_PRODUCER), q = run_totals(c, WROLE_CONSUMER);
  update_rate(c, WROLE_PRODUCER, p.sent, &c->sent_rate, now);
  update_rate(c, WROLE_PRODUCER, p.acked, &c->acked_rate, now);
  update_rate(c, WROLE_CONSUMER, q.consumed, &c->consumed_rate, now);
}

/* A rate cell: "2,000/s", or "-/s" while no report has come in. */
static const char *rate_cell(const progress_rate *r, char *buf, size_t cap) {
  char g[28]; /* 20 digits and 6 commas: any uint64_t */
  snprintf(buf, cap, "%s/s", r->known ? grouped(r->per_s, g, sizeof g) : "-");
  return buf;
}

/* Workers of a role still running (run_totals' p99 is theirs). */
static int running(const run_ctx *c, worker_role role) {
  int n = 0;
  for (uint32_t i = 0; i < c->n_workers; i++) n += c->workers[i].role == role && c->workers[i].state != RW_EXITED;
  return n;
}

/* Formats the status line into buf. */
static void format_line(run_ctx *c, uint64_t now, char *buf, size_t cap) {
  wstats p = run_totals(c, WROLE_PRODUCER), q = run_totals(c, WROLE_CONSUMER);
  int64_t backlog = (int64_t)(p.acked * c->n_subs / (c->n_topics ? c->n_topics : 1)) - (int64_t)q.consumed;
  double total = c->wl.warmup_s + c->wl.duration_s;
  char a[40], b[40], k[40], d[32];
  size_t n = (size_t)snprintf(buf, cap, "[%7.1f /%6.1f s] %-8s sent %s  acked %s  consumed %s  ",
                              run_elapsed_s(c, now), total, run_phase_name(c->phase),
                              rate_cell(&c->sent_rate, a, sizeof a), rate_cell(&c->acked_rate, k, sizeof k),
                              rate_cell(&c->consumed_rate, b, sizeof b));
  if (n < cap) {
    if (c->phase == PH_DRAIN)
      n += (size_t)snprintf(buf + n, cap - n, "left %s  ", grouped(drain_remaining(&c->drain), d, sizeof d));
    else
      n += (size_t)snprintf(buf + n, cap - n, "backlog %s  ", grouped(backlog > 0 ? (uint64_t)backlog : 0, d, sizeof d));
  }
  if (n < cap) { /* the running workers' last reported second; "-" when none reported one */
    char pp[32] = "-", ep[32] = "-";
    if (c->acked_rate.known && running(c, WROLE_PRODUCER)) snprintf(pp, sizeof pp, "%.2f ms", p.p99_us / 1000.0);
    if (c->consumed_rate.known && running(c, WROLE_CONSUMER)) snprintf(ep, sizeof ep, "%.2f ms", q.p99_us / 1000.0);
    n += (size_t)snprintf(buf + n, cap - n, "p99 publish %s  e2e %s", pp, ep);
  }
  if (n < cap && c->faults_injected) snprintf(buf + n, cap - n, "  faults %d", c->faults_injected);
}

void progress_tick(run_ctx *c, uint64_t now) {
  if (!c->t0) return;
  update_rates(c, now);
  if (c->opt.quiet || now < c->next_progress) return;
  char line[512];
  format_line(c, now, line, sizeof line);
  if (c->tty) {
    fprintf(stderr, "\r%s\033[K", line);
    c->progress_drawn = 1;
    c->next_progress = now + TTY_PERIOD_NS;
  } else {
    if (c->next_progress) fprintf(stderr, "%s\n", line);
    c->next_progress = now + (uint64_t)c->opt.progress_s * 1000000000ull;
  }
  fflush(stderr);
}

void progress_clear(run_ctx *c) {
  if (c->tty && c->progress_drawn) {
    fputs("\r\033[K", stderr);
    fflush(stderr);
    c->progress_drawn = 0;
  }
}
