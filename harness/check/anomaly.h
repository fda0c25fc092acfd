/* anomaly.h: the anomaly types `streamproof check` reports, the delivery
 * semantics a subscription can claim, and which anomalies each semantics
 * allows (the one allowed-set table lives in anomaly.c).
 *
 * Definitions (see harness/check/README.md for the long form):
 *
 *   lost-write          a message known to be in the log (acked, or read back,
 *                       or applied by some subscription) that a subscription
 *                       never applied although it applied a later offset of
 *                       the same partition
 *   unseen              the same, but the subscription applied no later offset
 *                       (after the final drain; otherwise "not yet read")
 *   duplicate           one message (writer, seq) stored at more than one
 *                       offset
 *   redelivered         one offset applied more than once by one
 *                       subscription's application
 *   inconsistent-offsets one offset seen holding different messages across
 *                       acks, applies and readback
 *   poll-skip           a reader incarnation's next polled offset of a
 *                       partition jumped over offsets known to exist, with no
 *                       ASSIGN/REVOKE in between
 *   nonmonotonic-poll   the same, but it went back (or repeated an offset)
 *   key-order           messages of one writer with one key stored out of
 *                       sequence order within a partition (ordering per_key)
 *   content-mismatch    a payload whose identity header parsed but whose
 *                       checksum (or record key) did not match
 *   unknown-message     a payload with no valid identity header, a writer id
 *                       not in meta.json, or a sequence its writer never sent
 *   acked-but-missing   an acked offset at or above the partition's final log
 *                       start that the end-of-run readback does not hold
 */
#ifndef SP_CHECK_ANOMALY_H
#define SP_CHECK_ANOMALY_H

typedef enum {
  ANOM_LOST_WRITE = 0,
  ANOM_UNSEEN,
  ANOM_DUPLICATE,
  ANOM_REDELIVERED,
  ANOM_INCONSISTENT_OFFSETS,
  ANOM_POLL_SKIP,
  ANOM_NONMONOTONIC_POLL,
  ANOM_KEY_ORDER,
  ANOM_CONTENT_MISMATCH,
  ANOM_UNKNOWN_MESSAGE,
  ANOM_ACKED_BUT_MISSING,
  ANOM_COUNT
} anomaly_type;

/* Delivery semantics of a subscription. The numeric values equal the
 * HIST_SEM_* codes a consumer writes into READER_START.err. SEM_NONE stands
 * for a topic no subscription reads: no delivery claim, only log checks. */
typedef enum {
  SEM_NONE = 0,
  CHECK_SEM_AT_MOST_ONCE = 1,
  CHECK_SEM_AT_LEAST_ONCE = 2,
  CHECK_SEM_EXACTLY_ONCE = 3,
  SEM_COUNT
} semantics;

/* "lost-write", "unseen", ... (stable: verdict.json keys). */
const char *anomaly_name(anomaly_type t);
/* One-line definition, for verdict.json and the README. */
const char *anomaly_definition(anomaly_type t);
/* 1 when the anomaly is a fact about a subscription's application (counted
 * per subscription); 0 when it is a fact about the log itself (counted per
 * partition and charged to every subscription of the topic). */
int anomaly_per_subscription(anomaly_type t);
/* 1 when semantics `s` tolerates anomaly `t` (reported, not a violation). */
int anomaly_allowed(semantics s, anomaly_type t);

const char *check_semantics_name(semantics s);
/* Parses "at_most_once" | "at_least_once" | "exactly_once"; SEM_NONE if not. */
semantics semantics_parse(const char *name);

#endif
