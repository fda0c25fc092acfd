/* matrix_plot.h: the matrix's one picture (plots/matrix.gp).
 *
 * Four panels, the faults along x and one bar per semantics in each group:
 * messages lost, messages duplicated or redelivered (both as a share of
 * the acked messages, each bar labelled with its count), end-to-end p99
 * latency (log scale, p50 as a dot, labelled with the factor against the
 * semantics' no-fault cell) and consume throughput (labelled with its
 * change). Cells that did not run are marked "n/a", "failed" or "not run"
 * at the foot of their slot. gnuplot reads matrix-plot.csv, which this
 * module writes into the matrix folder beside the pictures; the axis
 * ranges are computed here (gnuplot's stats trips over empty cells). */
#ifndef SP_MATRIX_PLOT_H
#define SP_MATRIX_PLOT_H

#include <stdio.h>

#include "matrix_int.h"

/* matrix-plot.csv for the script (the header names its columns). */
void mx_plot_data_write(FILE *f, const mx_matrix *m);

/* Writes <dir>/matrix-plot.csv, then <dir>/matrix.png and matrix.svg
 * through gnuplot (its output appended to <dir>/logs/gnuplot.log).
 * 0; 1 when no cell has figures to plot (nothing drawn, err says so); -1
 * with err when gnuplot or the script is missing or fails. */
int mx_plot_draw(const mx_matrix *m, const char *dir, char *err, size_t err_cap);

#endif
