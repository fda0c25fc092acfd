/* anomaly.c: names, definitions and the allowed-set table (anomaly.h). */
#include "anomaly.h"

#include <string.h>

#include "sp_assert.h"

static const char *const NAMES[ANOM_COUNT] = {
    [ANOM_LOST_WRITE] = "lost-write",
    [ANOM_UNSEEN] = "unseen",
    [ANOM_DUPLICATE] = "duplicate",
    [ANOM_REDELIVERED] = "redelivered",
    [ANOM_INCONSISTENT_OFFSETS] = "inconsistent-offsets",
    [ANOM_POLL_SKIP] = "poll-skip",
    [ANOM_NONMONOTONIC_POLL] = "nonmonotonic-poll",
    [ANOM_KEY_ORDER] = "key-order",
    [ANOM_CONTENT_MISMATCH] = "content-mismatch",
    [ANOM_UNKNOWN_MESSAGE] = "unknown-message",
    [ANOM_ACKED_BUT_MISSING] = "acked-but-missing",
};

static const char *const DEFINITIONS[ANOM_COUNT] = {
    [ANOM_LOST_WRITE] = "a message known to be in the log was never applied by the subscription "
                        "although it applied a later offset of the partition",
    [ANOM_UNSEEN] = "a message known to be in the log was never applied by the subscription, "
                    "which applied no later offset of the partition either",
    [ANOM_DUPLICATE] = "one message (writer, seq) is stored at more than one offset",
    [ANOM_REDELIVERED] = "one offset was applied more than once by the subscription's application",
    [ANOM_INCONSISTENT_OFFSETS] = "one offset was seen holding different messages across acks, "
                                  "applies and readback",
    [ANOM_POLL_SKIP] = "a reader incarnation jumped over offsets known to exist, with no "
                       "ASSIGN/REVOKE or restart in between",
    [ANOM_NONMONOTONIC_POLL] = "a reader incarnation went back to (or repeated) an offset, with no "
                               "ASSIGN/REVOKE or restart in between",
    [ANOM_KEY_ORDER] = "messages of one writer with one key are stored out of sequence order in "
                       "a partition (ordering: per_key)",
    [ANOM_CONTENT_MISMATCH] = "a payload's identity header parsed but its checksum or record key "
                              "did not match",
    [ANOM_UNKNOWN_MESSAGE] = "a payload without a valid identity header, from a writer id not in "
                             "meta.json, or with a sequence its writer never sent",
    [ANOM_ACKED_BUT_MISSING] = "an acked offset at or above the partition's final log start is "
                               "absent from the end-of-run readback",
};

/* ---- the allowed-set table -------------------------------------------
 *
 * Rows: the semantics a subscription claims (meta.json). Columns: anomaly
 * types. 1 = allowed: reported, but not a violation. Every other cell is a
 * violation that makes the subscription's verdict invalid.
 *
 *   at_most_once   may lose (lost-write, unseen); may not deliver twice
 *   at_least_once  may deliver twice (redelivered, and log duplicates from
 *                  producer retries); may not lose
 *   exactly_once   neither
 *   (none)         a topic no subscription reads: no delivery claim is made
 *                  about it, so only the log's integrity is judged and a
 *                  producer-retry duplicate is tolerated
 *
 * inconsistent-offsets, poll-skip, nonmonotonic-poll, key-order,
 * content-mismatch, unknown-message and acked-but-missing are forbidden under
 * every semantics (key-order is only checked when meta.json says
 * ordering: per_key). */
static const unsigned char ALLOWED[SEM_COUNT][ANOM_COUNT] = {
    [SEM_NONE] = {[ANOM_DUPLICATE] = 1},
    [CHECK_SEM_AT_MOST_ONCE] = {[ANOM_LOST_WRITE] = 1, [ANOM_UNSEEN] = 1},
    [CHECK_SEM_AT_LEAST_ONCE] = {[ANOM_REDELIVERED] = 1, [ANOM_DUPLICATE] = 1},
    [CHECK_SEM_EXACTLY_ONCE] = {0},
};

const char *anomaly_name(anomaly_type t) {
  SP_ASSERT(t < ANOM_COUNT);
  return NAMES[t];
}

const char *anomaly_definition(anomaly_type t) {
  SP_ASSERT(t < ANOM_COUNT);
  return DEFINITIONS[t];
}

int anomaly_per_subscription(anomaly_type t) {
  switch (t) {
  case ANOM_LOST_WRITE:
  case ANOM_UNSEEN:
  case ANOM_REDELIVERED:
  case ANOM_POLL_SKIP:
  case ANOM_NONMONOTONIC_POLL: return 1;
  default: return 0;
  }
}

int anomaly_allowed(semantics s, anomaly_type t) {
  SP_ASSERT(s < SEM_COUNT && t < ANOM_COUNT);
  return ALLOWED[s][t];
}

const char *check_semantics_name(semantics s) {
  switch (s) {
  case CHECK_SEM_AT_MOST_ONCE: return "at_most_once";
  case CHECK_SEM_AT_LEAST_ONCE: return "at_least_once";
  case CHECK_SEM_EXACTLY_ONCE: return "exactly_once";
  default: return "none";
  }
}

semantics semantics_parse(const char *name) {
  for (int s = CHECK_SEM_AT_MOST_ONCE; s < SEM_COUNT; s++)
    if (strcmp(name, check_semantics_name((semantics)s)) == 0) return (semantics)s;
  return SEM_NONE;
}
