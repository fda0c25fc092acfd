/* output.h: the JSON records refstream writes (README.md, "Output records").
 *
 * Each function fills `id` with the record's deterministic id and `val`
 * with the whole JSON object (which contains the id too). The id is what
 * exactly-once hinges on: the same result always gets the same id, in a
 * failure-free run and in any replay. */
#ifndef RS_OUTPUT_H
#define RS_OUTPUT_H

#include "buf.h"
#include "operator.h"
#include "task.h"

void rs_out_result(const rs_task *t, const rs_rec *r, uint64_t seq, sp_buf *val, sp_buf *id);
void rs_out_late(const rs_task *t, const rs_op *op, const rs_rec *r, sp_buf *val, sp_buf *id);
void rs_out_error(const rs_task *t, int input, const rs_raw *raw, const char *why, sp_buf *val,
                  sp_buf *id);
void rs_out_marks(const rs_task *t, const rs_mark *m, size_t n, sp_buf *val, sp_buf *id);

#endif
