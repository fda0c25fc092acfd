/* control.c: spproxy's control protocol: one command per line on the
 * --control UNIX socket, one reply line "ok ..." or "error <why>".
 *
 *   latency   <dir> <ms> [jitter_ms]        delay delivery, order kept
 *   bandwidth <dir> <bytes_per_s>           token bucket per connection
 *   slicer    <dir> <segment_bytes> [delay_us]  small writes, pause between
 *   blackhole <dir> [duration_ms]           forward nothing (held, delivered on heal)
 *   reset     [refuse_ms]                   RST every connection; reset new ones for refuse_ms
 *   clear     [latency|bandwidth|slicer|blackhole|refuse|all] [dir]
 *   stats                                   counters and the toxics in force
 *   ping
 * <dir> is upstream (client to server), downstream or both. Setting a toxic
 * replaces the same toxic in that direction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

/* Parses a direction word into a bit set (1 = up, 2 = down). */
static int parse_dir(const char *s) {
  if (!s) return 0;
  if (!strcmp(s, "upstream")) return 1;
  if (!strcmp(s, "downstream")) return 2;
  if (!strcmp(s, "both")) return 3;
  return 0;
}

/* A non-negative integer argument, or -1. */
static long arg_long(const char *s) {
  if (!s || !*s) return -1;
  char *end = NULL;
  long v = strtol(s, &end, 10);
  return *end || v < 0 ? -1 : v;
}

static void describe_toxics(const proxy *p, char *buf, size_t cap) {
  size_t used = 0;
  buf[0] = 0;
  static const char *names[2] = {"upstream", "downstream"};
#define ADD(...) used += (size_t)snprintf(buf + used, used < cap ? cap - used : 0, __VA_ARGS__)
  for (int d = 0; d < 2; d++) {
    const toxics *t = &p->tox[d];
    if (t->latency_ms || t->jitter_ms) ADD("%slatency:%s:%ld+-%ld", used ? "," : "", names[d], t->latency_ms, t->jitter_ms);
    if (t->rate_bytes_per_s) ADD("%sbandwidth:%s:%ld", used ? "," : "", names[d], t->rate_bytes_per_s);
    if (t->slice_bytes) ADD("%sslicer:%s:%ld/%ld", used ? "," : "", names[d], t->slice_bytes, t->slice_delay_us);
    if (t->blackhole) ADD("%sblackhole:%s", used ? "," : "", names[d]);
  }
  if (p->refuse_until_ns) ADD("%srefuse", used ? "," : "");
  if (!used) ADD("none");
#undef ADD
}

static void clear_toxic(proxy *p, const char *what, int dirs) {
  for (int d = 0; d < 2; d++) {
    if (!(dirs & (1 << d))) continue;
    toxics *t = &p->tox[d];
    int all = !strcmp(what, "all");
    if (all || !strcmp(what, "latency")) t->latency_ms = t->jitter_ms = 0;
    if (all || !strcmp(what, "bandwidth")) t->rate_bytes_per_s = 0;
    if (all || !strcmp(what, "slicer")) t->slice_bytes = t->slice_delay_us = 0;
    if (all || !strcmp(what, "blackhole")) t->blackhole = 0, t->blackhole_until_ns = 0;
  }
  if (!strcmp(what, "all") || !strcmp(what, "refuse")) p->refuse_until_ns = 0;
}

void control_execute(proxy *p, const char *line, char *reply, size_t cap, uint64_t now_ns) {
  char copy[1024];
  snprintf(copy, sizeof copy, "%s", line);
  char *argv[8] = {0}, *save = NULL;
  int argc = 0;
  for (char *tok = strtok_r(copy, " \t\r", &save); tok && argc < 8; tok = strtok_r(NULL, " \t\r", &save))
    argv[argc++] = tok;
  if (argc == 0) return (void)snprintf(reply, cap, "error empty command");
  const char *cmd = argv[0];
  int dirs = parse_dir(argv[1]);
  long a = arg_long(argv[2]), b = arg_long(argv[3]);
  if (!strcmp(cmd, "ping")) return (void)snprintf(reply, cap, "ok pong");
  if (!strcmp(cmd, "stats")) {
    char tox[512];
    describe_toxics(p, tox, sizeof tox);
    snprintf(reply, cap,
             "ok connections=%llu accepted=%llu refused=%llu resets=%llu upstream_failures=%llu "
             "bytes_upstream=%llu bytes_downstream=%llu toxics=%s",
             (unsigned long long)p->open_conns, (unsigned long long)p->accepted,
             (unsigned long long)p->refused, (unsigned long long)p->resets,
             (unsigned long long)p->upstream_failures, (unsigned long long)p->bytes[DIR_UP],
             (unsigned long long)p->bytes[DIR_DOWN], tox);
    return;
  }
  if (!strcmp(cmd, "reset")) {
    long refuse_ms = argc > 1 ? arg_long(argv[1]) : 0;
    if (refuse_ms < 0) return (void)snprintf(reply, cap, "error usage: reset [refuse_ms]");
    int n = proxy_reset_all(p);
    p->refuse_until_ns = refuse_ms ? now_ns + (uint64_t)refuse_ms * 1000000u : 0;
    return (void)snprintf(reply, cap, "ok reset %d connections, refusing new ones for %ld ms", n, refuse_ms);
  }
  if (!strcmp(cmd, "clear")) {
    const char *what = argc > 1 ? argv[1] : "all";
    static const char *known[] = {"latency", "bandwidth", "slicer", "blackhole", "refuse", "all"};
    int ok = 0;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) ok |= !strcmp(what, known[i]);
    int cdirs = argc > 2 ? parse_dir(argv[2]) : 3;
    if (!ok || !cdirs)
      return (void)snprintf(reply, cap, "error usage: clear [latency|bandwidth|slicer|blackhole|refuse|all] [upstream|downstream|both]");
    clear_toxic(p, what, cdirs);
    return (void)snprintf(reply, cap, "ok cleared %s", what);
  }
  int is_latency = !strcmp(cmd, "latency"), is_bw = !strcmp(cmd, "bandwidth");
  int is_slicer = !strcmp(cmd, "slicer"), is_bh = !strcmp(cmd, "blackhole");
  if (!is_latency && !is_bw && !is_slicer && !is_bh)
    return (void)snprintf(reply, cap, "error unknown command '%s' (latency, bandwidth, slicer, blackhole, reset, clear, stats, ping)", cmd);
  if (!dirs) return (void)snprintf(reply, cap, "error %s: direction must be upstream, downstream or both", cmd);
  if (is_latency && (a < 0 || (argc > 3 && b < 0)))
    return (void)snprintf(reply, cap, "error usage: latency <dir> <ms> [jitter_ms]");
  if (is_bw && a <= 0) return (void)snprintf(reply, cap, "error usage: bandwidth <dir> <bytes_per_s> (> 0)");
  if (is_slicer && (a <= 0 || (argc > 3 && b < 0)))
    return (void)snprintf(reply, cap, "error usage: slicer <dir> <segment_bytes> [delay_us]");
  if (is_bh && argc > 2 && a < 0) return (void)snprintf(reply, cap, "error usage: blackhole <dir> [duration_ms]");
  for (int d = 0; d < 2; d++) {
    if (!(dirs & (1 << d))) continue;
    toxics *t = &p->tox[d];
    if (is_latency) t->latency_ms = a, t->jitter_ms = argc > 3 ? b : 0;
    if (is_bw) t->rate_bytes_per_s = a;
    if (is_slicer) t->slice_bytes = a, t->slice_delay_us = argc > 3 ? b : 0;
    if (is_bh) t->blackhole = 1, t->blackhole_until_ns = argc > 2 && a > 0 ? now_ns + (uint64_t)a * 1000000u : 0;
  }
  char tox[512];
  describe_toxics(p, tox, sizeof tox);
  snprintf(reply, cap, "ok %s set; toxics=%s", cmd, tox);
}
