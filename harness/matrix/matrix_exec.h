/* matrix_exec.h: one run of one cell, as a child process.
 *
 * The child is this same executable (/proc/self/exe) with `run`:
 *
 *   <exe> run WORKLOAD --out <matrix>/<semantics>/<fault>/run-<k>
 *         --set semantics=<semantics> (--faults SCHEDULE | --set faults=)
 *         [--set ...] [-X ...] [--bootstrap ...] [--refbroker ...]
 *
 * so the cell is an ordinary results folder, and the matrix never depends
 * on how a run works inside. Its stdout and stderr go to a log file of the
 * matrix folder. It is started through faults/inject/process.h (own
 * process group, killed if the matrix dies, reaped by pid). A run that
 * outlives the cell timeout, or a matrix that is interrupted, gets SIGTERM
 * (the run then stops its processes and keeps partial results), and
 * SIGKILL 60 s later.
 *
 * How a run ended decides the state of the run:
 *   exit 0, 1, 2, 5 with a summary.json   DONE (valid, invalid, unknown, schedule not kept:
 *                                         all findings; the figures are read afterwards)
 *   exit 3 saying "has no stream processor"  NA: this build or workload runs no processor
 *   anything else                         FAILED, with the exit code and the run's own
 *                                         last error line as the reason */
#ifndef SP_MATRIX_EXEC_H
#define SP_MATRIX_EXEC_H

#include <signal.h>
#include <stddef.h>

#include "matrix_int.h"
#include "matrix_options.h"

typedef struct mx_exec_spec {
  const char *exe;          /* the executable to run ("/proc/self/exe" resolved) */
  const char *workload;     /* as given to the matrix */
  const char *semantics;    /* "at_most_once", ... */
  const char *schedule;     /* the fault schedule; "" or NULL: no fault */
  const char *results_dir;  /* --out of the run */
  const char *log_path;     /* where its output goes */
  const mx_options *o;      /* --set, -X, --bootstrap, --refbroker to pass on */
  double timeout_s;
} mx_exec_spec;

/* Runs it to the end and sets r->state, exit_code, elapsed_s and, unless
 * DONE, reason. *interrupted (set by a signal handler) stops the run early;
 * the run is then FAILED with "interrupted". Returns r->state. */
mx_run_state mx_exec_run(const mx_exec_spec *spec, mx_run *r, volatile sig_atomic_t *interrupted);

/* The reason a failed run gives in its output text: the last
 * "streamproof run: ..." error line (not the "-> DIR" start line nor the
 * "run failed; partial results in" line), else the last non-empty line.
 * "" when the text is empty. */
void mx_log_reason(const char *text, char *out, size_t cap);

/* 1 when the run's output says it has no stream processor for a
 * processor fault (the schedule expansion's words). */
int mx_log_says_no_processor(const char *text);

#endif
