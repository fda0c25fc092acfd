/* verdict.c: from anomaly counts to verdicts.
 *
 * A subscription is
 *   invalid  when an anomaly its semantics forbids was found and is
 *            conclusive;
 *   unknown  when nothing conclusive was found but the history cannot
 *            prove it valid: unseen messages while the drain did not
 *            complete, lost-write/unseen while one of its readers is still
 *            running or its consumer file is missing (its applies may not be
 *            written yet), or a run-wide gap (a producer still running or
 *            its file missing, the readback missing when it is needed);
 *   valid    otherwise.
 * The run is invalid if any subscription is (or a topic nobody reads holds
 * a forbidden log anomaly), else unknown if any is, else valid. */
#include <inttypes.h>
#include <string.h>

#include "check_int.h"

uint64_t verdict_sub_count(const check_state *st, uint32_t s, anomaly_type t) {
  if (anomaly_per_subscription(t)) return st->f.by_sub[t][s];
  const meta_topic *topic = &st->m.topics[st->m.subs[s].topic];
  uint64_t c = 0;
  for (uint32_t p = 0; p < topic->partitions; p++) c += st->f.by_tp[t][topic->tp_base + p];
  return c;
}

/* Count of a log-level anomaly in topic t. */
static uint64_t topic_count(const check_state *st, uint32_t topic, anomaly_type t) {
  const meta_topic *tp = &st->m.topics[topic];
  uint64_t c = 0;
  for (uint32_t p = 0; p < tp->partitions; p++) c += st->f.by_tp[t][tp->tp_base + p];
  return c;
}

/* Running processes make the history incomplete. */
static void running_processes(check_state *st) {
  const meta *m = &st->m;
  for (size_t i = 0; i < m->n_writers; i++)
    if (m->writers[i].exit == EXIT_RUNNING) {
      st->global_incomplete = 1;
      strlist_addf(&st->gaps,
                   "writer %u of producer %" PRId64 " is still running: its history "
                   "may be incomplete",
                   m->writers[i].id, m->producers[m->writers[i].owner].id);
    }
  for (size_t i = 0; i < m->n_readers; i++)
    if (m->readers[i].exit == EXIT_RUNNING) {
      uint32_t sub = m->consumers[m->readers[i].owner].sub;
      st->sub_incomplete[sub] = 1;
      strlist_addf(&st->gaps,
                   "reader %u of consumer %" PRId64 " (%s) is still running: its "
                   "history may be incomplete",
                   m->readers[i].id, m->consumers[m->readers[i].owner].id, m->subs[sub].name);
    }
}

/* Judges subscription s; returns its verdict. */
static check_verdict judge_sub(check_state *st, uint32_t s) {
  const meta_sub *sub = &st->m.subs[s];
  check_sub_result *sr = &st->r->subs[s];
  uint64_t forbidden = 0, unseen_undrained = 0, inconclusive = 0;
  char list[512] = "";
  for (int t = 0; t < ANOM_COUNT; t++) {
    uint64_t c = verdict_sub_count(st, s, (anomaly_type)t);
    sr->count[t] = c;
    if (!c || anomaly_allowed(sub->sem, (anomaly_type)t)) continue;
    int loss = t == ANOM_LOST_WRITE || t == ANOM_UNSEEN;
    if (loss && st->sub_incomplete[s]) {
      inconclusive += c;
    } else if (t == ANOM_UNSEEN && !st->m.drain_completed) {
      unseen_undrained += c;
    } else {
      forbidden += c;
      size_t n = strlen(list);
      snprintf(list + n, sizeof list - n, "%s%" PRIu64 " %s", n ? ", " : "", c,
               anomaly_name((anomaly_type)t));
    }
  }
  if (forbidden) {
    strlist_addf(&st->violations, "%s (%s): %s", sub->name, check_semantics_name(sub->sem), list);
    return CHECK_INVALID;
  }
  if (unseen_undrained)
    strlist_addf(&st->gaps,
                 "the final drain did not complete and %s has %" PRIu64 " unseen "
                 "message%s: not yet read cannot be told from lost",
                 sub->name, unseen_undrained, unseen_undrained == 1 ? "" : "s");
  if (inconclusive)
    strlist_addf(&st->gaps,
                 "%s: %" PRIu64 " lost or unseen messages, but its apply history "
                 "is incomplete",
                 sub->name, inconclusive);
  if (unseen_undrained || inconclusive || st->sub_incomplete[s] || st->global_incomplete)
    return CHECK_UNKNOWN;
  return CHECK_VALID;
}

/* Topics no subscription reads: only their log is judged (SEM_NONE). */
static int judge_unread_topics(check_state *st) {
  int invalid = 0;
  for (uint32_t topic = 0; topic < st->m.n_topics; topic++) {
    if (st->md.topic_nsubs[topic]) continue;
    for (int t = 0; t < ANOM_COUNT; t++) {
      if (anomaly_per_subscription((anomaly_type)t)) continue;
      uint64_t c = topic_count(st, topic, (anomaly_type)t);
      if (c && !anomaly_allowed(SEM_NONE, (anomaly_type)t)) {
        invalid = 1;
        strlist_addf(&st->violations, "topic %s (read by no subscription): %" PRIu64 " %s",
                     st->m.topics[topic].name, c, anomaly_name((anomaly_type)t));
      }
    }
  }
  return invalid;
}

/* allowed[t]: tolerated wherever it was found (or, if nowhere, by every
 * subscription of the run). */
static void allowed_flags(check_state *st) {
  const meta *m = &st->m;
  for (int t = 0; t < ANOM_COUNT; t++) {
    int found = 0, allowed = 1, all = 1;
    for (uint32_t s = 0; s < m->n_subs; s++) {
      int ok = anomaly_allowed(m->subs[s].sem, (anomaly_type)t);
      all &= ok;
      if (st->r->subs[s].count[t]) {
        found = 1;
        allowed &= ok;
      }
    }
    if (!anomaly_per_subscription((anomaly_type)t))
      for (uint32_t topic = 0; topic < m->n_topics; topic++) {
        if (st->md.topic_nsubs[topic]) continue;
        int ok = anomaly_allowed(SEM_NONE, (anomaly_type)t);
        all &= ok;
        if (topic_count(st, topic, (anomaly_type)t)) {
          found = 1;
          allowed &= ok;
        }
      }
    st->r->allowed[t] = found ? allowed : all;
  }
}

void verdict_judge(check_state *st) {
  check_result *r = st->r;
  const meta *m = &st->m;
  for (int t = 0; t < ANOM_COUNT; t++) {
    r->count[t] = st->f.total[t];
    r->checked[t] = 1;
  }
  r->checked[ANOM_KEY_ORDER] = m->per_key;
  r->checked[ANOM_ACKED_BUT_MISSING] = st->md.readback_ok;
  running_processes(st);
  if (!st->md.readback_ok && st->md.readback_needed) {
    st->global_incomplete = 1;
    strlist_addf(&st->gaps,
                 "the readback is %s and %" PRIu64 " acked message%s %s not applied "
                 "by every subscription: acked-but-missing cannot be ruled out",
                 st->have_readback ? "incomplete" : "missing", st->md.readback_needed,
                 st->md.readback_needed == 1 ? "" : "s",
                 st->md.readback_needed == 1 ? "was" : "were");
  }
  int invalid = judge_unread_topics(st), unknown = st->global_incomplete;
  for (uint32_t s = 0; s < m->n_subs; s++) {
    r->subs[s].verdict = judge_sub(st, s);
    invalid |= r->subs[s].verdict == CHECK_INVALID;
    unknown |= r->subs[s].verdict == CHECK_UNKNOWN;
  }
  allowed_flags(st);
  r->verdict = invalid ? CHECK_INVALID : unknown ? CHECK_UNKNOWN : CHECK_VALID;
  const strlist *why = invalid ? &st->violations : &st->gaps;
  if (r->verdict != CHECK_VALID && why->n) snprintf(r->reason, sizeof r->reason, "%s", why->v[0]);
}

void verdict_with_stream(check_state *st) {
  check_result *r = st->r;
  const stream_result *sr = &st->sr;
  r->stream_checked = 1;
  r->stream_verdict = sr->verdict;
  char list[512] = "";
  for (int f = 0; f < SF_COUNT; f++) {
    if (!sr->count[f]) continue;
    r->stream_findings += sr->count[f];
    size_t n = strlen(list);
    snprintf(list + n, sizeof list - n, "%s%" PRIu64 " %s", n ? ", " : "", sr->count[f],
             stream_finding_name((stream_finding)f));
  }
  if (r->stream_findings)
    strlist_addf(&st->violations, "stream job %s: %s", sr->job_name ? sr->job_name : "?", list);
  for (size_t i = 0; i < sr->incomplete.n; i++) strlist_addf(&st->gaps, "stream: %s", sr->incomplete.v[i]);
  if (sr->verdict == CHECK_INVALID) r->verdict = CHECK_INVALID;
  else if (sr->verdict == CHECK_UNKNOWN && r->verdict == CHECK_VALID) r->verdict = CHECK_UNKNOWN;
  const strlist *why = r->verdict == CHECK_INVALID ? &st->violations : &st->gaps;
  r->reason[0] = '\0';
  if (r->verdict != CHECK_VALID && why->n) snprintf(r->reason, sizeof r->reason, "%s", why->v[0]);
}
