/* matrix_notes.c: the notes under the table and matrix.md
 * (matrix_table.h). */
#include <math.h>
#include <string.h>

#include "matrix_table.h"

/* Notes on a run's stream processor: its findings by kind (counted in the
 * processor column, never in other), a check that could not conclude or
 * did not run, results it could not judge, a processor that fell behind. */
static void processor_notes(const mx_figures *g, const char *where, notes *out) {
  if (g->stream_finding_types[0])
    notes_add(out, "%s: stream output findings: %s (the processor column; the verdict includes them)", where,
              g->stream_finding_types);
  if (!g->stream_verdict[0])
    notes_add(out, "%s: the stream processor's output was not checked (no stream section in verdict.json)", where);
  else if (!strcmp(g->stream_verdict, "unknown"))
    notes_add(out, "%s: the stream check could not conclude: %s", where,
              g->stream_incomplete[0] ? g->stream_incomplete : "see verdict.json stream");
  if (g->stream_pending > 0)
    notes_add(out, "%s: %.0f expected stream result(s) pending: the processor had not read that far", where,
              g->stream_pending);
  if (g->stream_unverified > 0)
    notes_add(out, "%s: %.0f stream result(s) unverified: not found in a partial copy of its topics", where,
              g->stream_unverified);
  if (g->proc_caught_up == 0)
    notes_add(out, "%s: the stream processor had not caught up with its input at the end of the run", where);
}

/* Notes on one completed run: what makes its figures less than they seem. */
static void run_notes(const mx_matrix *m, const mx_cell *c, int k, const char *where, notes *out) {
  const mx_run *r = &c->runs[k];
  const mx_figures *g = &r->fig;
  int has_fault = m->faults[c->fault].schedule[0] != '\0';
  if (has_fault && g->faults_injected == 0)
    notes_add(out, "%s: the fault schedule injected nothing (faults.jsonl): this cell shows no fault", where);
  if (g->fault_errors > 0)
    notes_add(out, "%s: %.0f fault action(s) failed (see faults.jsonl)", where, g->fault_errors);
  if (g->schedule_kept == 0)
    notes_add(out, "%s: the load generator fell behind its schedule (run exit 5): its latency and "
                   "throughput include that", where);
  if (g->drain_completed == 0)
    notes_add(out, "%s: the final drain did not complete: messages not yet read cannot be told from lost", where);
  if (g->semantics[0] && strcmp(g->semantics, MX_SEMANTICS_NAME[c->sem]))
    notes_add(out, "%s: its subscriptions claimed %s, not %s", where, g->semantics, MX_SEMANTICS_NAME[c->sem]);
  if (g->other_types[0]) notes_add(out, "%s: other anomalies: %s", where, g->other_types);
  if (!strcmp(g->verdict, "not checked")) notes_add(out, "%s: not checked (no verdict.json)", where);
  if (g->has_processor) processor_notes(g, where, out);
}

/* 1 when every run of column f is not available for one and the same
 * reason (a build without a stream processor, --bootstrap and a broker
 * crash): said once for the column instead of once per semantics. */
static int column_unavailable(const mx_matrix *m, int f) {
  const char *reason = NULL;
  for (int s = 0; s < m->n_sem; s++) {
    const mx_cell *c = mx_cell_at(m, s, f);
    for (int k = 0; k < c->n_runs; k++) {
      if (c->runs[k].state != MX_RUN_NA) return 0;
      if (!reason) reason = c->runs[k].reason;
      else if (strcmp(reason, c->runs[k].reason)) return 0;
    }
  }
  return reason != NULL;
}

void mx_table_notes(const mx_matrix *m, notes *out) {
  if (m->none_col < 0)
    notes_add(out, "no 'none' column: the \xce\x94 columns (cost against the same semantics without a fault) "
                   "stay empty; add none to --faults");
  for (int f = 0; f < m->n_faults; f++)
    if (column_unavailable(m, f))
      notes_add(out, "%s (every semantics): %s", m->faults[f].name, mx_cell_at(m, 0, f)->runs[0].reason);
  for (int s = 0; s < m->n_sem; s++)
    for (int f = 0; f < m->n_faults; f++) {
      const mx_cell *c = mx_cell_at(m, s, f);
      int column_said = column_unavailable(m, f);
      for (int k = 0; k < c->n_runs; k++) {
        const mx_run *r = &c->runs[k];
        char where[160];
        if (c->n_runs > 1)
          snprintf(where, sizeof where, "%s \xc3\x97 %s, run %d", MX_SEMANTICS_NAME[c->sem], m->faults[f].name, k + 1);
        else
          snprintf(where, sizeof where, "%s \xc3\x97 %s", MX_SEMANTICS_NAME[c->sem], m->faults[f].name);
        if (r->state == MX_RUN_FAILED && r->exit_code >= 0)
          notes_add(out, "%s: FAILED with exit %d: %s (log: %s)", where, r->exit_code, r->reason, r->log);
        else if (r->state == MX_RUN_FAILED)
          notes_add(out, "%s: FAILED: %s (log: %s)", where, r->reason, r->log);
        else if (r->state == MX_RUN_NA && !column_said && (k == 0 || strcmp(r->reason, c->runs[0].reason)))
          notes_add(out, "%s: %s", where, r->reason);
        else if (r->state == MX_RUN_DONE)
          run_notes(m, c, k, where, out);
      }
    }
}

/* How to read the table, for matrix.md (the README says more). */
static const char LEGEND[] =
    "How to read it: each row is one `streamproof run` of the same workload (or the median of\n"
    "`--repeat` runs, with [min..max]). **lost** = messages in the log the subscription never\n"
    "applied (lost-write + unseen), **duplicated** = messages stored at two offsets, **redelivered**\n"
    "= offsets the consumer applied more than once, each with its share of the acked messages;\n"
    "**other** = every other anomaly the checker found in what the consumers applied.\n"
    "**processor** = the stream processor's output check: `exact W/E` (results written / expected,\n"
    "exactly the recomputed output) or its findings by kind, and its restarts; `–` without one.\n"
    "The **verdict** judges them against the row's promise (at-most-once may lose, at-least-once\n"
    "may repeat, exactly-once may do neither); any stream finding makes it invalid.\n"
    "**Δ** columns compare a cell with its own semantics' no-fault cell (throughput: change of\n"
    "messages consumed per second in the measured phase; latency: factor of the end-to-end\n"
    "percentile, measured from each message's intended send time).\n";

void mx_markdown_write(FILE *f, const mx_matrix *m) {
  fprintf(f, "# Delivery semantics \xc3\x97 faults: %s\n\n", m->workload_name);
  fprintf(f, "Workload `%s`: %d semantics \xc3\x97 %d fault%s, %d run%s per cell, %s to %s.\n\n", m->workload,
          m->n_sem, m->n_faults, m->n_faults > 1 ? "s" : "", m->repeat, m->repeat > 1 ? "s" : "", m->begin_time, m->end_time);
  fprintf(f, "```\n%s\n```\n\n", m->command);
  fputs("![loss, duplication and cost per cell](matrix.png)\n\n", f);
  mx_grid g;
  mx_table_build(m, &g);
  mx_grid_write_markdown(f, &g);
  mx_grid_free(&g);
  fprintf(f, "\n%s\n", LEGEND);
  mx_semantics_table_build(m, &g);
  if (g.rows) {
    fprintf(f, "## The cost of each semantics without faults (against %s)\n\n", MX_SEMANTICS_NAME[m->sem[0]]);
    mx_grid_write_markdown(f, &g);
    fputc('\n', f);
  }
  mx_grid_free(&g);
  notes nt = {0};
  mx_table_notes(m, &nt);
  if (nt.n) {
    fputs("## Notes\n\n", f);
    for (size_t i = 0; i < nt.n; i++) fprintf(f, "- %s\n", nt.v[i]);
    fputc('\n', f);
  }
  notes_free(&nt);
  if (m->interrupted) fputs("**The matrix was interrupted**: cells marked \"not run\" did not run.\n", f);
}
