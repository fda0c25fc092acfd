/* fault_points.h: every libfiu fault point compiled into refbroker.
 *
 * The one registry: code uses these constants (never a string literal), and
 * `refbroker --list-fault-points` prints this table, which a test compares
 * with faults/points.md so the documentation cannot drift.
 *
 * How a point behaves when armed (see reference/common/fault.h):
 *   failnum 1 (fail)   the operation fails with errno = failinfo (EIO if 0)
 *   failnum 2 (delay)  sleep failinfo ms, then carry on
 *   failnum 3 (abort)  abort() at this line: a crash at an exact instant
 * and, through libfiu, always / once (onetime) / with a probability. */
#ifndef REFBROKER_FAULT_POINTS_H
#define REFBROKER_FAULT_POINTS_H

#define FP_LOG_MID_BATCH_WRITE "refbroker/log/mid-batch-write"
#define FP_LOG_BEFORE_FSYNC "refbroker/log/before-fsync"
#define FP_LOG_AFTER_FSYNC "refbroker/log/after-fsync"
#define FP_LOG_SEGMENT_ROLL "refbroker/log/segment-roll"
#define FP_LOG_RETENTION_DELETE "refbroker/log/retention-delete"
#define FP_OFFSETS_MID_WRITE "refbroker/offsets/mid-write"
#define FP_OFFSETS_BEFORE_FSYNC "refbroker/offsets/before-fsync"
#define FP_PRODUCE_AFTER_APPEND_BEFORE_ACK "refbroker/produce/after-append-before-ack"
#define FP_NET_BEFORE_RESPONSE "refbroker/net/before-response"

typedef struct fault_point_info {
  const char *name;
  const char *where; /* what the code is doing at that instant */
} fault_point_info;

/* X-macro so the list below is the only place names and meanings pair up. */
#define REFBROKER_FAULT_POINTS(X)                                                              \
  X(FP_LOG_MID_BATCH_WRITE, "partition append: half of the batch bytes written to the segment") \
  X(FP_LOG_BEFORE_FSYNC, "group commit: appends written, fdatasync not yet called")            \
  X(FP_LOG_AFTER_FSYNC, "group commit: fdatasync returned, acks not yet released")             \
  X(FP_LOG_SEGMENT_ROLL, "segment roll: new segment file created, not yet the active one")     \
  X(FP_LOG_RETENTION_DELETE, "retention: oldest segment unlinked, log start not yet moved")    \
  X(FP_OFFSETS_MID_WRITE, "offset commit: half of the commit record written")                  \
  X(FP_OFFSETS_BEFORE_FSYNC, "offset commit: record written, not yet fsynced")                  \
  X(FP_PRODUCE_AFTER_APPEND_BEFORE_ACK, "produce: batch appended (and synced), response not queued") \
  X(FP_NET_BEFORE_RESPONSE, "connection: response complete, not yet written to the socket")

#endif
