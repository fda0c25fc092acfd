/* matrix_table.h: the comparison table, as text, markdown and CSV.
 *
 * One row per cell (semantics x fault), in the order of the matrix:
 *
 *   semantics | fault | verdict | lost | duplicated | redelivered | other |
 *   processor | consumed msg/s | Δ tput | e2e p50 ms | Δ p50 | e2e p99 ms | Δ p99
 *
 * Counts are medians over the cell's completed runs with their share of
 * the acked messages, "[min..max]" when runs differ; Δ tput is the change
 * of consume throughput against the same semantics' no-fault cell
 * ("-23.8%"), Δ p50 / Δ p99 the factor of its latency ("×4.1"). A cell that
 * did not run says why in the verdict column (FAILED (exit 4), n/a, not
 * run) and "–" elsewhere; the reasons are in the notes below the table.
 * The strings are built once (mx_grid) and written as aligned text
 * (printed), as a markdown table (matrix.md) or into the HTML page, so the
 * three always agree. */
#ifndef SP_MATRIX_TABLE_H
#define SP_MATRIX_TABLE_H

#include <stdio.h>

#include "matrix_int.h"
#include "notes.h"

#define MX_GRID_COLS 16

/* A table of strings: row 0 is the header. */
typedef struct mx_grid {
  char *(*cell)[MX_GRID_COLS];
  int rows, cols;
  int right[MX_GRID_COLS]; /* 1: a numeric column, aligned right */
} mx_grid;

/* The comparison table: one row per cell (row i+1 is cell i in
 * mx_cell_at order). */
void mx_table_build(const mx_matrix *m, mx_grid *g);
/* The cost of each semantics without faults, against the first one:
 * semantics | consumed msg/s | Δ | e2e p50 ms | Δ | e2e p99 ms | Δ.
 * Rows = 0 when the matrix has no no-fault column. */
void mx_semantics_table_build(const mx_matrix *m, mx_grid *g);
void mx_grid_free(mx_grid *g);

/* Aligned columns, for a terminal. */
void mx_grid_write_text(FILE *f, const mx_grid *g);
/* A GitHub-flavoured markdown table (| escaped in cells). */
void mx_grid_write_markdown(FILE *f, const mx_grid *g);

/* What a reader must know about the cells: why a run failed or was not
 * available, a fault that injected nothing, a schedule not kept, a drain
 * not completed, other anomalies by type, subscriptions that claimed
 * another semantics. One line each, "<semantics> × <fault>[, run k]: ...". */
void mx_table_notes(const mx_matrix *m, notes *out);

/* matrix.csv: one row per cell, numbers unformatted (medians, min, max,
 * shares in percent, cost ratios), the reason of a failure last. */
void mx_table_csv(FILE *f, const mx_matrix *m);
/* matrix-runs.csv: one row per run, every figure read from its folder. */
void mx_runs_csv(FILE *f, const mx_matrix *m);

/* matrix.md: title, workload and command, the table, the semantics cost
 * table, notes, and how to read it. */
void mx_markdown_write(FILE *f, const mx_matrix *m);

/* Formatting shared with the page and the plot labels. */
void mx_fmt_ms(double ms, char *buf, size_t cap);           /* 0.84, 12.5, 4370 */
void mx_fmt_change_pct(double ratio, char *buf, size_t cap); /* "-23.8%", "+0.1%", "–" */
void mx_fmt_factor(double ratio, char *buf, size_t cap);     /* "×4.1", "×0.98", "–" */
/* The processor column of a cell (matrix_table.c): "exact 24/24, 2 restarts",
 * "3 findings (missing 2, duplicate-id 1), 1 restart", "–" without one. */
void mx_processor_text(const mx_cell *c, char *buf, size_t cap);
/* "1224", "0", "–": a count (median) with its share in percent when known. */
void mx_fmt_count_share(const mx_stat *count, const mx_stat *share, char *buf, size_t cap);

#endif
