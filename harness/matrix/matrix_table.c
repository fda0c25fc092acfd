/* matrix_table.c: the comparison table's strings and their text and
 * markdown forms (matrix_table.h). */
#include "matrix_table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "matrix_stats.h"
#include "mem.h"
#include "sp_assert.h"

#define DASH "\xe2\x80\x93" /* – */

void mx_fmt_ms(double ms, char *buf, size_t cap) {
  if (isnan(ms)) snprintf(buf, cap, DASH);
  else if (ms < 10) snprintf(buf, cap, "%.2f", ms);
  else if (ms < 100) snprintf(buf, cap, "%.1f", ms);
  else snprintf(buf, cap, "%.0f", ms);
}

void mx_fmt_change_pct(double ratio, char *buf, size_t cap) {
  if (isnan(ratio)) snprintf(buf, cap, DASH);
  else snprintf(buf, cap, "%+.1f%%", (ratio - 1) * 100);
}

void mx_fmt_factor(double ratio, char *buf, size_t cap) {
  if (isnan(ratio)) snprintf(buf, cap, DASH);
  else if (ratio < 10) snprintf(buf, cap, "\xc3\x97%.2f", ratio);
  else if (ratio < 100) snprintf(buf, cap, "\xc3\x97%.1f", ratio);
  else snprintf(buf, cap, "\xc3\x97%.0f", ratio);
}

/* A share in percent: "8.7%", "0.02%". */
static void fmt_share(double pct, char *buf, size_t cap) {
  if (pct >= 1 || pct == 0) snprintf(buf, cap, "%.1f%%", pct);
  else if (pct >= 0.01) snprintf(buf, cap, "%.2f%%", pct);
  else snprintf(buf, cap, "<0.01%%");
}

void mx_fmt_count_share(const mx_stat *count, const mx_stat *share, char *buf, size_t cap) {
  if (!count->n) {
    snprintf(buf, cap, DASH);
    return;
  }
  if (count->median == 0 || !share || !share->n) {
    snprintf(buf, cap, "%.0f", count->median);
    return;
  }
  char s[32];
  fmt_share(share->median, s, sizeof s);
  snprintf(buf, cap, "%.0f (%s)", count->median, s);
}

/* " [min..max]" when the runs of a cell differ, else "". */
static void fmt_spread(const mx_stat *st, int is_ms, char *buf, size_t cap) {
  buf[0] = '\0';
  if (st->n < 2 || st->min == st->max) return;
  char lo[32], hi[32];
  if (is_ms) {
    mx_fmt_ms(st->min, lo, sizeof lo);
    mx_fmt_ms(st->max, hi, sizeof hi);
  } else {
    snprintf(lo, sizeof lo, "%.0f", st->min);
    snprintf(hi, sizeof hi, "%.0f", st->max);
  }
  mx_fmt(buf, cap, " [%s..%s]", lo, hi);
}

/* Sets a grid cell (takes a copy). */
static void put(mx_grid *g, int row, int col, const char *s) {
  SP_ASSERT(row < g->rows && col < MX_GRID_COLS);
  free(g->cell[row][col]);
  g->cell[row][col] = sp_strdup(s);
  if (col >= g->cols) g->cols = col + 1;
}

/* A figure and its spread: "1224 (8.7%) [980..1400]", "4370 [4100..4590]". */
static void put_stat(mx_grid *g, int row, int col, const mx_stat *st, const mx_stat *share, int kind) {
  char v[96], spread[64], out[160];
  if (kind == 0) mx_fmt_count_share(st, share, v, sizeof v);
  else if (kind == 1) mx_fmt_ms(st->median, v, sizeof v);
  else if (st->n) snprintf(v, sizeof v, "%.0f", st->median);
  else snprintf(v, sizeof v, DASH);
  fmt_spread(st, kind == 1, spread, sizeof spread);
  snprintf(out, sizeof out, "%s%s", v, spread);
  put(g, row, col, out);
}

/* The verdict column: the worst verdict (with how many runs had it when
 * there are several), or why the cell has none. */
static void verdict_text(const mx_cell *c, char *buf, size_t cap) {
  switch (c->state) {
  case MX_CELL_NA: snprintf(buf, cap, "n/a"); return;
  case MX_CELL_NOT_RUN: snprintf(buf, cap, "not run"); return;
  case MX_CELL_FAILED: {
    int code = -1;
    for (int k = 0; k < c->n_runs && code < 0; k++)
      if (c->runs[k].state == MX_RUN_FAILED) code = c->runs[k].exit_code;
    if (code >= 0) snprintf(buf, cap, "FAILED (exit %d)", code);
    else snprintf(buf, cap, "FAILED");
    return;
  }
  case MX_CELL_RAN:
  case MX_CELL_PARTIAL: break;
  }
  int same = !strcmp(c->verdict, "valid") ? c->n_valid : !strcmp(c->verdict, "invalid") ? c->n_invalid
             : !strcmp(c->verdict, "unknown") ? c->n_unknown : c->n_unchecked;
  int n = snprintf(buf, cap, "%s", c->verdict);
  if (c->n_runs > 1 && n >= 0 && (size_t)n < cap) n += snprintf(buf + n, cap - (size_t)n, " %d/%d", same, c->n_done);
  if (c->n_failed && n >= 0 && (size_t)n < cap)
    snprintf(buf + n, cap - (size_t)n, ", %d FAILED", c->n_failed);
}

/* The processor column: "–" without a stream processor; else what its
 * output check found ("3 findings (missing 2, duplicate-id 1)"), or that
 * its output was exactly the recomputed one ("exact 24/24": results
 * written / expected), could not be judged ("unknown 20/24") or was not
 * checked; then its restarts ("2 restarts"). Medians with [min..max] over
 * repeats; the finding kinds are those of the run with the most. */
void mx_processor_text(const mx_cell *c, char *buf, size_t cap) {
  if (!c->n_proc) {
    snprintf(buf, cap, DASH);
    return;
  }
  char spread[64], outcome[384] = "", restarts[96] = "";
  const mx_stat *fd = &c->proc_findings;
  if (fd->n && fd->max > 0) {
    fmt_spread(fd, 0, spread, sizeof spread);
    mx_fmt(outcome, sizeof outcome, "%.0f finding%s%s (%s%s)", fd->median, fd->median == 1 ? "" : "s", spread,
           c->n_proc > 1 ? "worst run: " : "", c->proc_finding_types);
  } else if (!strcmp(c->proc_verdict, "not checked") || !c->proc_written.n || !c->proc_expected.n) {
    snprintf(outcome, sizeof outcome, "%s", c->proc_verdict);
  } else {
    mx_fmt(outcome, sizeof outcome, "%s %.0f/%.0f", !strcmp(c->proc_verdict, "valid") ? "exact" : c->proc_verdict,
           c->proc_written.median, c->proc_expected.median);
  }
  if (c->proc_restarts.n) {
    fmt_spread(&c->proc_restarts, 0, spread, sizeof spread);
    mx_fmt(restarts, sizeof restarts, ", %.0f restart%s%s", c->proc_restarts.median,
           c->proc_restarts.median == 1 ? "" : "s", spread);
  }
  mx_fmt(buf, cap, "%s%s", outcome, restarts);
}

static const char *const HEADER[] = {"semantics",  "fault",      "verdict",    "lost",
                                     "duplicated", "redelivered", "other",     "processor",
                                     "consumed msg/s", "Δ tput",  "e2e p50 ms", "Δ p50",
                                     "e2e p99 ms", "Δ p99"};
enum { C_SEM, C_FAULT, C_VERDICT, C_LOST, C_DUP, C_REDEL, C_OTHER, C_PROC, C_TPUT, C_DTPUT, C_P50, C_DP50,
       C_P99, C_DP99, C_N };

/* Allocates rows x C_N empty strings. */
static void grid_init(mx_grid *g, int rows, int cols) {
  memset(g, 0, sizeof *g);
  g->rows = rows;
  g->cols = cols;
  g->cell = sp_calloc((size_t)rows, sizeof *g->cell);
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < cols; c++) g->cell[r][c] = sp_strdup("");
}

void mx_table_build(const mx_matrix *m, mx_grid *g) {
  grid_init(g, 1 + m->n_sem * m->n_faults, C_N);
  for (int c = 0; c < C_N; c++) {
    put(g, 0, c, HEADER[c]);
    g->right[c] = c >= C_LOST && c != C_PROC;
  }
  int row = 1;
  for (int s = 0; s < m->n_sem; s++)
    for (int f = 0; f < m->n_faults; f++, row++) {
      const mx_cell *c = mx_cell_at(m, s, f);
      char buf[512];
      put(g, row, C_SEM, MX_SEMANTICS_NAME[c->sem]);
      put(g, row, C_FAULT, m->faults[f].name);
      verdict_text(c, buf, sizeof buf);
      put(g, row, C_VERDICT, buf);
      if (!c->n_done) {
        for (int col = C_LOST; col < C_N; col++) put(g, row, col, DASH);
        continue;
      }
      put_stat(g, row, C_LOST, &c->lost, &c->lost_pct, 0);
      put_stat(g, row, C_DUP, &c->duplicated, &c->duplicated_pct, 0);
      put_stat(g, row, C_REDEL, &c->redelivered, &c->redelivered_pct, 0);
      put_stat(g, row, C_OTHER, &c->other, NULL, 0);
      mx_processor_text(c, buf, sizeof buf);
      put(g, row, C_PROC, buf);
      put_stat(g, row, C_TPUT, &c->consume_tput, NULL, 2);
      put_stat(g, row, C_P50, &c->p50, NULL, 1);
      put_stat(g, row, C_P99, &c->p99, NULL, 1);
      int base = f == m->none_col;
      if (base) snprintf(buf, sizeof buf, "base");
      else mx_fmt_change_pct(c->tput_ratio, buf, sizeof buf);
      put(g, row, C_DTPUT, buf);
      if (!base) mx_fmt_factor(c->p50_ratio, buf, sizeof buf);
      put(g, row, C_DP50, buf);
      if (!base) mx_fmt_factor(c->p99_ratio, buf, sizeof buf);
      put(g, row, C_DP99, buf);
    }
}

void mx_semantics_table_build(const mx_matrix *m, mx_grid *g) {
  static const char *const head[] = {"semantics (no fault)", "consumed msg/s", "Δ tput", "e2e p50 ms",
                                     "Δ p50", "e2e p99 ms", "Δ p99"};
  if (m->none_col < 0) {
    grid_init(g, 0, 7);
    return;
  }
  grid_init(g, 1 + m->n_sem, 7);
  for (int c = 0; c < 7; c++) {
    put(g, 0, c, head[c]);
    g->right[c] = c > 0;
  }
  for (int s = 0; s < m->n_sem; s++) {
    const mx_cell *c = mx_cell_at(m, s, m->none_col);
    char buf[64];
    put(g, s + 1, 0, MX_SEMANTICS_NAME[c->sem]);
    put_stat(g, s + 1, 1, &c->consume_tput, NULL, 2);
    put_stat(g, s + 1, 3, &c->p50, NULL, 1);
    put_stat(g, s + 1, 5, &c->p99, NULL, 1);
    if (s == 0) {
      put(g, 1, 2, "base");
      put(g, 1, 4, "base");
      put(g, 1, 6, "base");
      continue;
    }
    mx_fmt_change_pct(mx_semantics_ratio(m, s, 0), buf, sizeof buf);
    put(g, s + 1, 2, buf);
    mx_fmt_factor(mx_semantics_ratio(m, s, 1), buf, sizeof buf);
    put(g, s + 1, 4, buf);
    mx_fmt_factor(mx_semantics_ratio(m, s, 2), buf, sizeof buf);
    put(g, s + 1, 6, buf);
  }
}

void mx_grid_free(mx_grid *g) {
  for (int r = 0; r < g->rows; r++)
    for (int c = 0; c < MX_GRID_COLS; c++) free(g->cell[r][c]);
  free(g->cell);
  memset(g, 0, sizeof *g);
}

/* Display width of a UTF-8 string (code points; the table's are all narrow). */
static int width_of(const char *s) {
  int w = 0;
  for (; *s; s++)
    if (((unsigned char)*s & 0xC0) != 0x80) w++;
  return w;
}

void mx_grid_write_text(FILE *f, const mx_grid *g) {
  int w[MX_GRID_COLS] = {0};
  for (int r = 0; r < g->rows; r++)
    for (int c = 0; c < g->cols; c++)
      if (width_of(g->cell[r][c]) > w[c]) w[c] = width_of(g->cell[r][c]);
  for (int r = 0; r < g->rows; r++) {
    for (int c = 0; c < g->cols; c++) {
      const char *s = g->cell[r][c];
      int pad = w[c] - width_of(s);
      if (g->right[c] && r > 0) fprintf(f, "%*s%s", pad, "", s);
      else fprintf(f, "%s%*s", s, c + 1 < g->cols ? pad : 0, "");
      if (c + 1 < g->cols) fputs("  ", f);
    }
    fputc('\n', f);
  }
}

/* A markdown cell: | escaped. */
static void md_cell(FILE *f, const char *s) {
  for (; *s; s++) {
    if (*s == '|') fputc('\\', f);
    fputc(*s, f);
  }
}

void mx_grid_write_markdown(FILE *f, const mx_grid *g) {
  for (int r = 0; r < g->rows; r++) {
    fputc('|', f);
    for (int c = 0; c < g->cols; c++) {
      fputc(' ', f);
      md_cell(f, g->cell[r][c]);
      fputs(" |", f);
    }
    fputc('\n', f);
    if (r == 0) {
      fputc('|', f);
      for (int c = 0; c < g->cols; c++) fputs(g->right[c] ? "---:|" : "---|", f);
      fputc('\n', f);
    }
  }
}
