/* matrix_page.h: the matrix folder's index.html.
 *
 * The plot (PNG linking its SVG), the comparison table with, per cell,
 * links to each run's own report (its index.html, written by `streamproof
 * run`; the folder when there is none) and its log, the semantics cost
 * table, the notes, how to read it, the command, and links to matrix.md
 * and the CSV files. It opens from the file system: relative links, the
 * report's inline style (harness/report/html.h), no network. */
#ifndef SP_MATRIX_PAGE_H
#define SP_MATRIX_PAGE_H

#include <stddef.h>

#include "matrix_int.h"

/* Writes <dir>/index.html (through a temporary file and rename).
 * have_plot: matrix.png exists; plot_problem: why not, when it does not.
 * 0, or -1 with err. */
int mx_page_write(const mx_matrix *m, const char *dir, int have_plot, const char *plot_problem, char *err,
                  size_t err_cap);

#endif
