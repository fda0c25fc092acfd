/* matrix_csv.c: matrix.csv (one row per cell) and matrix-runs.csv (one row
 * per run), for spreadsheets and scripts: numbers unformatted, empty where
 * unknown (matrix_table.h). */
#include <math.h>
#include <string.h>

#include "matrix_table.h"

/* A CSV field: quoted when it holds a comma, quote or line break. */
static void csv_str(FILE *f, const char *s) {
  if (!strpbrk(s, ",\"\n\r")) {
    fputs(s, f);
    return;
  }
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"') fputc('"', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

/* A number, or nothing when unknown. */
static void csv_num(FILE *f, double v) {
  if (!isnan(v)) fprintf(f, "%.10g", v);
}

/* ",median,min,max" of a stat. */
static void csv_stat(FILE *f, const mx_stat *st) {
  fputc(',', f);
  csv_num(f, st->median);
  fputc(',', f);
  csv_num(f, st->min);
  fputc(',', f);
  csv_num(f, st->max);
}

static const char *cell_state_name(mx_cell_state s) {
  switch (s) {
  case MX_CELL_RAN: return "ran";
  case MX_CELL_PARTIAL: return "partial";
  case MX_CELL_FAILED: return "failed";
  case MX_CELL_NA: return "not available";
  case MX_CELL_NOT_RUN: return "not run";
  }
  return "?";
}

static const char *run_state_name(mx_run_state s) {
  switch (s) {
  case MX_RUN_DONE: return "done";
  case MX_RUN_FAILED: return "failed";
  case MX_RUN_NA: return "not available";
  case MX_RUN_PENDING: return "not run";
  }
  return "?";
}

/* The first reason a cell's runs give (failure or unavailability), or "". */
static const char *cell_reason(const mx_cell *c) {
  for (int k = 0; k < c->n_runs; k++)
    if (c->runs[k].reason[0]) return c->runs[k].reason;
  return "";
}

void mx_table_csv(FILE *f, const mx_matrix *m) {
  fputs("semantics,fault,state,runs,runs_completed,runs_failed,verdict,runs_valid,runs_invalid,"
        "runs_unknown,acked,lost,lost_min,lost_max,lost_pct,duplicated,duplicated_min,duplicated_max,"
        "duplicated_pct,redelivered,redelivered_min,redelivered_max,redelivered_pct,other,other_min,"
        "other_max,publish_msgs_per_s,consume_msgs_per_s,consume_min,consume_max,consume_ratio,"
        "e2e_p50_ms,e2e_p50_min,e2e_p50_max,e2e_p50_ratio,e2e_p99_ms,e2e_p99_min,e2e_p99_max,"
        "e2e_p99_ratio,processor_verdict,processor_results_expected,processor_results_written,"
        "processor_findings,processor_findings_min,processor_findings_max,processor_restarts,"
        "processor_restarts_min,processor_restarts_max,reason\n",
        f);
  for (int s = 0; s < m->n_sem; s++)
    for (int fi = 0; fi < m->n_faults; fi++) {
      const mx_cell *c = mx_cell_at(m, s, fi);
      fprintf(f, "%s,", MX_SEMANTICS_NAME[c->sem]);
      csv_str(f, m->faults[fi].name);
      fprintf(f, ",%s,%d,%d,%d,%s,%d,%d,%d,", cell_state_name(c->state), c->n_runs, c->n_done, c->n_failed,
              c->verdict, c->n_valid, c->n_invalid, c->n_unknown);
      csv_num(f, c->acked.median);
      csv_stat(f, &c->lost);
      fputc(',', f);
      csv_num(f, c->lost_pct.median);
      csv_stat(f, &c->duplicated);
      fputc(',', f);
      csv_num(f, c->duplicated_pct.median);
      csv_stat(f, &c->redelivered);
      fputc(',', f);
      csv_num(f, c->redelivered_pct.median);
      csv_stat(f, &c->other);
      fputc(',', f);
      csv_num(f, c->publish_tput.median);
      csv_stat(f, &c->consume_tput);
      fputc(',', f);
      csv_num(f, c->tput_ratio);
      csv_stat(f, &c->p50);
      fputc(',', f);
      csv_num(f, c->p50_ratio);
      csv_stat(f, &c->p99);
      fputc(',', f);
      csv_num(f, c->p99_ratio);
      fputc(',', f);
      csv_str(f, c->proc_verdict);
      fputc(',', f);
      csv_num(f, c->proc_expected.median);
      fputc(',', f);
      csv_num(f, c->proc_written.median);
      csv_stat(f, &c->proc_findings);
      csv_stat(f, &c->proc_restarts);
      fputc(',', f);
      csv_str(f, cell_reason(c));
      fputc('\n', f);
    }
}

void mx_runs_csv(FILE *f, const mx_matrix *m) {
  fputs("semantics,fault,run,state,exit_code,elapsed_s,verdict,acked,consumed,lost,duplicated,"
        "redelivered,other,other_types,publish_msgs_per_s,consume_msgs_per_s,e2e_p50_ms,e2e_p99_ms,"
        "faults_injected,fault_errors,schedule_kept,drain_completed,processor_verdict,"
        "processor_results_expected,processor_results_written,processor_pending,processor_unverified,"
        "processor_findings,processor_finding_types,processor_restarts,processor_caught_up,results,log,"
        "reason\n",
        f);
  for (int s = 0; s < m->n_sem; s++)
    for (int fi = 0; fi < m->n_faults; fi++) {
      const mx_cell *c = mx_cell_at(m, s, fi);
      for (int k = 0; k < c->n_runs; k++) {
        const mx_run *r = &c->runs[k];
        const mx_figures *g = &r->fig;
        fprintf(f, "%s,", MX_SEMANTICS_NAME[c->sem]);
        csv_str(f, m->faults[fi].name);
        fprintf(f, ",%d,%s,", k + 1, run_state_name(r->state));
        if (r->state == MX_RUN_DONE || r->state == MX_RUN_FAILED || r->state == MX_RUN_NA)
          fprintf(f, "%d", r->exit_code);
        fputc(',', f);
        if (r->state != MX_RUN_PENDING) fprintf(f, "%.1f", r->elapsed_s);
        fputc(',', f);
        csv_str(f, g->verdict);
        const double nums[] = {g->acked, g->consumed, g->lost, g->duplicated, g->redelivered, g->other};
        for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
          fputc(',', f);
          csv_num(f, nums[i]);
        }
        fputc(',', f);
        csv_str(f, g->other_types);
        const double more[] = {g->publish_tput, g->consume_tput, g->e2e_p50_ms, g->e2e_p99_ms,
                               g->faults_injected, g->fault_errors};
        for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) {
          fputc(',', f);
          csv_num(f, more[i]);
        }
        fputc(',', f);
        if (g->schedule_kept >= 0) fprintf(f, "%d", g->schedule_kept);
        fputc(',', f);
        if (g->drain_completed >= 0) fprintf(f, "%d", g->drain_completed);
        fputc(',', f);
        if (g->has_processor) csv_str(f, g->stream_verdict[0] ? g->stream_verdict : "not checked");
        const double proc[] = {g->stream_expected, g->stream_written, g->stream_pending, g->stream_unverified,
                               g->stream_findings};
        for (size_t i = 0; i < sizeof proc / sizeof proc[0]; i++) {
          fputc(',', f);
          csv_num(f, proc[i]);
        }
        fputc(',', f);
        csv_str(f, g->stream_finding_types);
        fputc(',', f);
        csv_num(f, g->proc_restarts);
        fputc(',', f);
        if (g->proc_caught_up >= 0) fprintf(f, "%d", g->proc_caught_up);
        fputc(',', f);
        csv_str(f, r->dir);
        fputc(',', f);
        csv_str(f, r->log);
        fputc(',', f);
        csv_str(f, r->reason);
        fputc('\n', f);
      }
    }
}
