/* readback.h: what a restarted refstream learns from its own output.
 *
 * After loading a checkpoint, refstream reads every output partition (and
 * the late and errors partitions) from the offset the checkpoint recorded
 * to the end. Each record it finds was written by the crashed run after
 * that checkpoint; this module hands it to its task:
 *   - its id joins the task's dedupe set (the replay will not write it
 *     again),
 *   - its "through"/"through1" positions hold back new clock decisions
 *     before those positions,
 *   - a "marks" record's marks are applied again at the same positions.
 * Records of another job or malformed ones are counted and skipped. */
#ifndef RS_READBACK_H
#define RS_READBACK_H

#include <stddef.h>

#include "engine.h"

typedef enum {
  RS_RB_OK = 0,     /* a result id, applied */
  RS_RB_MARKS,      /* a marks record, applied */
  RS_RB_FOREIGN,    /* valid JSON but not a refstream record of this job's tasks */
  RS_RB_BAD,        /* not parseable */
} rs_rb_status;

rs_rb_status rs_readback_record(rs_engine *e, const void *value, size_t len);

#endif
