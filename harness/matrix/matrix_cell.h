/* matrix_cell.h: the figures of one run, read back from its results folder.
 *
 * Only what the folder says (results/README.md, harness/check/README.md):
 *   summary.json   counts.acked, counts.consumed, throughput.publish_msgs_per_s,
 *                  throughput.consume_msgs_per_s, aggregatedEndToEndLatency50pct
 *                  and 99pct (ms, corrected), schedule.kept, drain.completed
 *   verdict.json   verdict; anomalies.<type>.count: lost = lost-write + unseen
 *                  (messages, summed over subscriptions), duplicated = duplicate,
 *                  redelivered, other = every other type; subscriptions[].semantics
 *   faults.jsonl   injections that succeeded, actions that failed
 * Percentages are of the acked messages (times the subscriptions for the
 * per-subscription counts lost and redelivered). A figure the folder lacks
 * is NaN (the verdict "not checked" without verdict.json), never 0: a
 * missing count must not read as "nothing lost". */
#ifndef SP_MATRIX_CELL_H
#define SP_MATRIX_CELL_H

#include <stddef.h>

#include "matrix_int.h"

/* Fills *fig from the results folder dir. 0, or -1 with err when
 * summary.json is missing or a JSON file does not parse (the file, line and
 * column). */
int mx_figures_read(const char *dir, mx_figures *fig, char *err, size_t err_cap);

/* Sets every figure to "unknown" (NaN, -1, ""). */
void mx_figures_clear(mx_figures *fig);

#endif
