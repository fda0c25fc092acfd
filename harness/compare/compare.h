/* compare.h: `streamproof compare`, the regression gate for CI.
 *
 *   streamproof compare BASELINE_DIR CANDIDATE_DIR [options]
 *   streamproof compare --baseline DIR... --candidate DIR... [options]
 *
 * Reads summary.json (and verdict.json) of every results folder, takes the
 * median of each metric (metrics.h) over each side's runs, prints a table
 * of the differences and exits 1 when a `--max-regress` limit (threshold.h)
 * is crossed or the candidate's verdict is worse than the baseline's
 * (valid < unknown < invalid; a side's verdict is its worst run's: one
 * invalid run is a bug, not noise). Exit 0 within the limits, 2 on a usage
 * or input error (the message names the file). */
#ifndef SP_COMPARE_H
#define SP_COMPARE_H

enum { COMPARE_PASS = 0, COMPARE_REGRESSED = 1, COMPARE_ERROR = 2 };

int compare_main(int argc, char **argv);

/* Orders verdicts from best to worst: valid 0, unknown (or not checked,
 * or none) 1, invalid 2. */
int compare_verdict_rank(const char *verdict);

#endif
