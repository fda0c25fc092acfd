/* fault_points.h: every libfiu fault point compiled into refstream.
 *
 * The one registry: code uses these constants (never a string literal), and
 * `refstream --list-fault-points` prints this table (faults/points.md
 * documents them; a test keeps both in sync).
 *
 * How a point behaves when armed (see reference/common/fault.h):
 *   failnum 1 (fail)   the operation fails with errno = failinfo (EIO if 0);
 *                      only points whose operation can fail honour it (the
 *                      checkpoint write: refstream logs, keeps the previous
 *                      checkpoint and retries at the next interval)
 *   failnum 2 (delay)  sleep failinfo ms, then carry on
 *   failnum 3 (abort)  abort() at this line: a crash at an exact instant
 * and, through libfiu, always / once (onetime) / with a probability.
 *
 * Every point names a moment where a crash must neither lose nor duplicate
 * an effect: the crash loops in harness/tests/test_refstream_crash.py abort
 * refstream at each of them, many times in one run. */
#ifndef REFSTREAM_FAULT_POINTS_H
#define REFSTREAM_FAULT_POINTS_H

#define FP_SINK_MID_BATCH "refstream/sink/mid-batch"
#define FP_SINK_AFTER_WRITE_BEFORE_CHECKPOINT "refstream/sink/after-write-before-checkpoint"
#define FP_CHECKPOINT_MID_WRITE "refstream/checkpoint/mid-write"
#define FP_CHECKPOINT_BEFORE_FSYNC "refstream/checkpoint/before-fsync"
#define FP_CHECKPOINT_BEFORE_RENAME "refstream/checkpoint/before-rename"
#define FP_CHECKPOINT_AFTER_RENAME_BEFORE_DIR_FSYNC "refstream/checkpoint/after-rename-before-dir-fsync"
#define FP_CHECKPOINT_AFTER_RENAME_BEFORE_COMMIT "refstream/checkpoint/after-rename-before-commit"
#define FP_RESTORE_AFTER_LOAD_BEFORE_READBACK "refstream/restore/after-load-before-readback"
#define FP_RESTORE_MID_REPLAY "refstream/restore/mid-replay"
#define FP_SOURCE_AFTER_POLL_BEFORE_PROCESS "refstream/source/after-poll-before-process"

typedef struct rs_fault_point_info {
  const char *name;
  const char *where; /* what the code is doing at that instant */
} rs_fault_point_info;

/* X-macro so the list below is the only place names and meanings pair up. */
#define REFSTREAM_FAULT_POINTS(X)                                                              \
  X(FP_SOURCE_AFTER_POLL_BEFORE_PROCESS,                                                       \
    "source: a batch of input records fetched, none of it processed yet")                     \
  X(FP_SINK_MID_BATCH,                                                                         \
    "sink: half of a batch of results handed to the producer, the rest not yet")              \
  X(FP_SINK_AFTER_WRITE_BEFORE_CHECKPOINT,                                                     \
    "checkpoint: every result written and acknowledged, checkpoint not yet started")          \
  X(FP_CHECKPOINT_MID_WRITE, "checkpoint: half of the checkpoint bytes written to the temp file") \
  X(FP_CHECKPOINT_BEFORE_FSYNC, "checkpoint: temp file written, not yet fsynced")             \
  X(FP_CHECKPOINT_BEFORE_RENAME, "checkpoint: temp file fsynced, not yet renamed into place") \
  X(FP_CHECKPOINT_AFTER_RENAME_BEFORE_DIR_FSYNC,                                               \
    "checkpoint: renamed into place, directory not yet fsynced")                              \
  X(FP_CHECKPOINT_AFTER_RENAME_BEFORE_COMMIT,                                                  \
    "checkpoint: durable, input offsets not yet committed to the broker")                     \
  X(FP_RESTORE_AFTER_LOAD_BEFORE_READBACK,                                                     \
    "restart: checkpoint loaded, own output not yet read back")                               \
  X(FP_RESTORE_MID_REPLAY,                                                                     \
    "restart: replaying input, a result already written before the crash just suppressed")

#endif
