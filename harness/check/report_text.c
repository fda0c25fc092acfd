/* report_text.c: the human summary of `streamproof check`.
 *
 *   check results/run: 2 subscriptions, 1000000 messages, 3000012 records in 9 files (0.41 s)
 *     sub-000 at_least_once: valid; consume counts 1:999000 2:1000
 *     redelivered            1000  allowed    e.g. sub-000 sp-0/1@77 applied 2x (reader 4, ...)
 *     lost-write                3  FORBIDDEN  e.g. sub-001 sp-0/2@5110 writer 3 seq 1042
 *     info: 12 indeterminate sends (3 in the log); 1 torn history tail
 *     incomplete: ...
 *   verdict: invalid
 *
 * One line per anomaly type found, the verdict last. --quiet keeps only the
 * verdict line. */
#include <inttypes.h>
#include <string.h>

#include "check_int.h"

void check_tp_name(const check_state *st, uint32_t tp, char *buf, size_t len) {
  uint32_t t = st->md.tp_topic[tp];
  snprintf(buf, len, "%s/%u", st->m.topics[t].name, tp - st->m.topics[t].tp_base);
}

/* "writer 3 seq 1042" or "" */
static void msg_id(const example *e, char *buf, size_t len) {
  if (e->has_writer)
    snprintf(buf, len, " writer %u seq %" PRIu64, e->writer, e->seq);
  else
    buf[0] = '\0';
}

/* A one-line description of example e of type t. */
static void example_brief(const check_state *st, anomaly_type t, const example *e, char *buf,
                          size_t len) {
  char tp[300], id[64], who[128] = "";
  check_tp_name(st, e->tp, tp, sizeof tp);
  msg_id(e, id, sizeof id);
  if (e->sub >= 0 && e->reader >= 0)
    snprintf(who, sizeof who, "%s reader %u: ", st->m.subs[e->sub].name,
             st->m.readers[e->reader].id);
  else if (e->sub >= 0)
    snprintf(who, sizeof who, "%s ", st->m.subs[e->sub].name);
  switch (t) {
  case ANOM_DUPLICATE:
    snprintf(buf, len, "%s at %s@%" PRId64 " and @%" PRId64, id + 1, tp, e->offset, e->offset2);
    break;
  case ANOM_REDELIVERED:
    snprintf(buf, len, "%s%s@%" PRId64 " applied %" PRIu64 "x", who, tp, e->offset, e->n);
    break;
  case ANOM_INCONSISTENT_OFFSETS:
    if (e->has_writer2)
      snprintf(buf, len, "%s@%" PRId64 ":%s vs writer %u seq %" PRIu64, tp, e->offset,
               e->has_writer ? id : " unknown message", e->writer2, e->seq2);
    else
      snprintf(buf, len, "%s@%" PRId64 ":%s vs an unknown message", tp, e->offset, id);
    break;
  case ANOM_POLL_SKIP:
    snprintf(buf, len, "%s%s @%" PRId64 " -> @%" PRId64 " (%" PRIu64 " known offsets skipped)", who,
             tp, e->offset2, e->offset, e->n);
    break;
  case ANOM_NONMONOTONIC_POLL:
    snprintf(buf, len, "%s%s @%" PRId64 " -> @%" PRId64, who, tp, e->offset2, e->offset);
    break;
  case ANOM_KEY_ORDER:
    snprintf(buf, len, "%s@%" PRId64 ":%s key %u after seq %" PRIu64 " @%" PRId64, tp, e->offset,
             id, e->key, e->seq2, e->offset2);
    break;
  case ANOM_ACKED_BUT_MISSING:
    snprintf(buf, len, "%s@%" PRId64 "%s (log end %" PRId64 ")", tp, e->offset, id, e->offset2);
    break;
  default:
    snprintf(buf, len, "%s%s@%" PRId64 "%s%s%s", who, tp, e->offset, id, e->reason ? ": " : "",
             e->reason ? e->reason : "");
  }
}

static void print_subs(check_state *st, FILE *out) {
  for (size_t s = 0; s < st->r->n_subs; s++) {
    const check_sub_result *sr = &st->r->subs[s];
    fprintf(out, "  %s %s: %s; consume counts", sr->name, check_semantics_name(sr->sem),
            check_verdict_name(sr->verdict));
    int any = 0;
    for (int k = 0; k < CHECK_CONSUME_BUCKETS; k++)
      if (sr->consume_counts[k]) {
        fprintf(out, " %d%s:%" PRIu64, k, k == CHECK_CONSUME_BUCKETS - 1 ? "+" : "",
                sr->consume_counts[k]);
        any = 1;
      }
    fprintf(out, "%s\n", any ? "" : " none");
  }
}

static void print_info(check_state *st, FILE *out) {
  const check_info *i = &st->r->info;
  char line[1024];
  size_t n = 0;
  line[0] = '\0';
#define ADD(...) n += (size_t)snprintf(line + n, n < sizeof line ? sizeof line - n : 0, __VA_ARGS__)
  uint64_t ind = i->indeterminate_in_log + i->indeterminate_not_in_log;
  if (ind)
    ADD("; %" PRIu64 " indeterminate sends (%" PRIu64 " in the log)", ind, i->indeterminate_in_log);
  if (i->nacked_but_present) ADD("; %" PRIu64 " nacked but present", i->nacked_but_present);
  if (i->below_log_start) ADD("; %" PRIu64 " below the log start", i->below_log_start);
  if (i->torn_files)
    ADD("; %" PRIu64 " torn history tail%s (%" PRIu64 " bytes)", i->torn_files,
        i->torn_files == 1 ? "" : "s", i->torn_bytes);
  if (i->ignored_records) ADD("; %" PRIu64 " ignored records", i->ignored_records);
#undef ADD
  if (n && n < sizeof line) fprintf(out, "  info: %s\n", line + 2);
}

void report_text_print(check_state *st, FILE *out) {
  const check_result *r = st->r;
  if (!st->o->quiet && st->no_history) {
    fprintf(out, "check %s: no delivery history (history/meta.json absent): stream oracle only\n",
            st->dir);
    stream_result_print(&st->sr, out);
  } else if (!st->o->quiet) {
    fprintf(out,
            "check %s: %zu subscription%s, %" PRIu64 " messages, %" PRIu64 " records in %" PRIu64
            " files (%.2f s)\n",
            st->dir, r->n_subs, r->n_subs == 1 ? "" : "s", r->info.messages, r->records, r->files,
            r->seconds);
    print_subs(st, out);
    for (int t = 0; t < ANOM_COUNT; t++) {
      if (!r->count[t]) continue;
      char ex[768] = "";
      if (st->f.ex_n[t]) example_brief(st, (anomaly_type)t, &st->f.ex[t][0], ex, sizeof ex);
      fprintf(out, "  %-20s %10" PRIu64 "  %-9s  %s%s\n", anomaly_name((anomaly_type)t),
              r->count[t], r->allowed[t] ? "allowed" : "FORBIDDEN", ex[0] ? "e.g. " : "", ex);
    }
    /* key-order unchecked is the run's choice (ordering: none), not a gap */
    if (!r->checked[ANOM_ACKED_BUT_MISSING])
      fprintf(out, "  %-20s not checked (no complete readback)\n",
              anomaly_name(ANOM_ACKED_BUT_MISSING));
    print_info(st, out);
    for (size_t i = 0; i < st->gaps.n; i++)
      if (strncmp(st->gaps.v[i], "stream: ", 8)) fprintf(out, "  incomplete: %s\n", st->gaps.v[i]);
    stream_result_print(&st->sr, out);
  }
  fprintf(out, "verdict: %s\n", check_verdict_name(r->verdict));
}
