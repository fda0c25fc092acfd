/* stream_case_a.h: the hand-made tumbling-window run (stream_case_a.c) and
 * the faults the mismatch tests plant into its output. */
#ifndef SP_STREAM_CASE_A_H
#define SP_STREAM_CASE_A_H

#include "stream_fx.h"

typedef enum {
  PLANT_NONE = 0,
  PLANT_DROP_RESULT,     /* window [0,100) b not written */
  PLANT_DUPLICATE,       /* window [0,100) a written twice (same seq) */
  PLANT_WRONG_SUM,       /* window [0,100) a with sum 5 instead of 4 */
  PLANT_OFFSET_TWICE,    /* window [0,100) a counts offset 3 twice (n, oh) */
  PLANT_DROP_LATE,       /* the late record of offset 5 not written */
  PLANT_SWAP,            /* [0,100) b written before [0,100) a */
  PLANT_UNEXPECTED,      /* an event result no operator makes */
  PLANT_MALFORMED,       /* a record that is not JSON */
  PLANT_WRONG_PARTITION, /* [100,200) b written to partition 1 of a 2-partition output */
  PLANT_CUT_OUTPUT,      /* the output dump without its trailer */
} case_a_plant;

extern const char *const CASE_A_JOB;

/* Writes case A's input and (planted) output into f. */
void case_a(fx *f, case_a_plant plant);

#endif
