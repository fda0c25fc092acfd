/* checkpoint.h: durable, atomic, checked snapshot files.
 *
 * A checkpoint is one file DIR/checkpoint-<seq, 20 digits>.ckpt written as
 * temp file -> fsync -> rename -> fsync(DIR), so after a crash at any
 * instant the directory holds either the old or the new checkpoint, whole.
 * Loading checks the magic, version, length and CRC-32C; a torn or corrupt
 * file is reported loudly and the previous one is used. The two newest are
 * kept. File layout (integers big-endian):
 *
 *    0  4  magic "RSCK"
 *    4  u32 version (1)
 *    8  u64 seq            increases by one per checkpoint
 *   16  u64 job fingerprint  a checkpoint of another job is refused
 *   24  i64 written_ms     wall clock, for humans
 *   32  u64 body length N
 *   40  N   body           (main.c: engine state, then I/O state)
 * 40+N  u32 CRC-32C of bytes [0, 40+N)
 */
#ifndef RS_CHECKPOINT_H
#define RS_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

typedef enum {
  RS_CKPT_OK = 0,    /* *body and *seq hold the newest valid checkpoint */
  RS_CKPT_NONE,      /* no checkpoint file at all: a fresh start */
  RS_CKPT_ALL_BAD,   /* checkpoint files exist but none is valid */
  RS_CKPT_OTHER_JOB, /* the newest valid checkpoint belongs to another job */
  RS_CKPT_IO,        /* the directory cannot be read */
} rs_ckpt_status;

/* Writes checkpoint `seq` atomically; 0, or -1 with a message in err (the
 * previous checkpoints are untouched). Fault points: see fault_points.h. */
int rs_ckpt_write(const char *dir, uint64_t seq, uint64_t job_fp, const void *body, size_t len,
                  char *err, size_t errlen);

/* Finds the newest valid checkpoint. Invalid files are skipped with an
 * error log line naming them and why. */
rs_ckpt_status rs_ckpt_load(const char *dir, uint64_t job_fp, sp_buf *body, uint64_t *seq,
                            char *err, size_t errlen);

#endif
