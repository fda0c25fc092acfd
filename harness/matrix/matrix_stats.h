/* matrix_stats.h: from runs to a cell's figures, and from cells to costs.
 *
 * Noise: on a shared machine one run is one sample, so with --repeat N
 * each figure of a cell is the median over the cell's completed runs (the
 * mean of the middle two for an even count, as `streamproof compare`
 * takes it), shown with its [min..max]. Correctness is not averaged: a
 * cell's verdict is its worst run's (valid < unknown < invalid; a run
 * without a verdict counts as unknown), since one invalid run is a finding.
 * The same holds for a stream processor's output check: the worst stream
 * verdict of the runs that had a processor, the median of its findings.
 *
 * Costs: a cell's throughput and latency are compared with its own
 * semantics' no-fault cell (same row, column "none"): ratio = cell median /
 * baseline median. Between semantics, the no-fault cells are compared with
 * the first semantics' no-fault cell (mx_semantics_ratio). A ratio is NaN
 * when either side is unknown or the baseline is 0. */
#ifndef SP_MATRIX_STATS_H
#define SP_MATRIX_STATS_H

#include <stddef.h>

#include "matrix_int.h"

/* Median, min, max of the non-NaN values of v (n of them in all). */
mx_stat mx_stat_of(const double *v, size_t n);

/* value / baseline, NaN when either is NaN or baseline <= 0. */
double mx_ratio(double value, double baseline);

/* Fills the aggregate part of c from its runs: state, counts of runs and
 * verdicts, the worst verdict, every figure's mx_stat. */
void mx_cell_aggregate(mx_cell *c);

/* Aggregates every cell, then fills the costs against each row's no-fault
 * cell (NaN everywhere when the matrix has no "none" column). */
void mx_matrix_aggregate(mx_matrix *m);

/* The cost of row s's no-fault cell against row 0's: which = 0 throughput,
 * 1 p50, 2 p99. NaN without a no-fault column or figures. */
double mx_semantics_ratio(const mx_matrix *m, int s, int which);

/* Severity order of verdicts: valid 0, unknown/not checked 1, invalid 2. */
int mx_verdict_rank(const char *verdict);

#endif
