/* matrix.c: matrix_main, the phases of `streamproof matrix` (matrix.h):
 *
 *   set-up   options, workload with every --set, each semantics applied once,
 *            each schedule loaded and expanded (matrix_setup.h), the matrix folder
 *   cells    round k = 1..repeat: every cell once, in row order (so drift of a
 *            shared machine spreads over all cells instead of one), each a child
 *            `run` (matrix_exec.h), its figures read back (matrix_cell.h)
 *   outputs  medians and costs (matrix_stats.h), matrix.md, matrix.csv,
 *            matrix-runs.csv (matrix_table.h), matrix.png/.svg
 *            (matrix_plot.h), index.html (matrix_page.h), the table printed */
#include "matrix.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "matrix_cell.h"
#include "matrix_exec.h"
#include "matrix_int.h"
#include "matrix_options.h"
#include "matrix_plot.h"
#include "matrix_page.h"
#include "matrix_setup.h"
#include "matrix_stats.h"
#include "matrix_table.h"

enum { MX_EXIT_OK = 0, MX_EXIT_INVALID = 1, MX_EXIT_UNKNOWN = 2, MX_EXIT_USAGE = 3, MX_EXIT_FAILED = 4,
       MX_EXIT_INTERRUPTED = 130 };

static volatile sig_atomic_t mx_interrupted;

static void on_signal(int sig) {
  (void)sig;
  mx_interrupted = 1;
}

/* "streamproof matrix ARGS", arguments with spaces quoted (before parsing:
 * the parser splits lists in place). */
static void join_command(int argc, char **argv, char *out, size_t cap) {
  size_t len = (size_t)snprintf(out, cap, "streamproof matrix");
  for (int i = 1; i < argc && len < cap; i++) {
    const char *q = strpbrk(argv[i], " \t'\"") ? "'" : "";
    len += (size_t)snprintf(out + len, cap - len, " %s%s%s", q, argv[i], q);
  }
}

/* Now as ISO-8601 UTC. */
static void iso_now(char *buf, size_t cap) {
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Runs that will actually be tried (cells not known to be unavailable). */
static int runs_planned(const mx_matrix *m) {
  int n = 0;
  for (int f = 0; f < m->n_faults; f++)
    if (!m->faults[f].na_reason[0]) n += m->n_sem * m->repeat;
  return n;
}

/* An earlier run of column f found no stream processor: the same build and
 * workload will not have one for the next. Copies its reason, or NULL. */
static const char *column_na_reason(const mx_matrix *m, int f) {
  for (int s = 0; s < m->n_sem; s++) {
    const mx_cell *c = mx_cell_at(m, s, f);
    for (int k = 0; k < c->n_runs; k++)
      if (c->runs[k].state == MX_RUN_NA) return c->runs[k].reason;
  }
  return NULL;
}

/* One line on stderr about a finished run. */
static void progress_line(const mx_matrix *m, const mx_cell *c, const mx_run *r, int done, int total,
                          double eta_s) {
  char head[160];
  snprintf(head, sizeof head, "[%2d/%d] %s \xc3\x97 %s", done, total, MX_SEMANTICS_NAME[c->sem],
           m->faults[c->fault].name);
  if (m->repeat > 1) {
    size_t n = strlen(head);
    snprintf(head + n, sizeof head - n, " #%d", (int)(r - c->runs) + 1);
  }
  if (r->state == MX_RUN_DONE) {
    const mx_figures *g = &r->fig;
    char p99[32];
    mx_fmt_ms(g->e2e_p99_ms, p99, sizeof p99);
    fprintf(stderr, "%s: %s, lost %.0f, duplicated %.0f, redelivered %.0f, other %.0f, e2e p99 %s ms (%.0f s",
            head, g->verdict, g->lost, g->duplicated, g->redelivered, g->other, p99, r->elapsed_s);
  } else if (r->state == MX_RUN_NA) {
    fprintf(stderr, "%s: n/a: %s (%.0f s", head, r->reason, r->elapsed_s);
  } else {
    fprintf(stderr, "%s: FAILED", head);
    if (r->exit_code >= 0) fprintf(stderr, " (exit %d)", r->exit_code);
    fprintf(stderr, ": %s (%.0f s", r->reason, r->elapsed_s);
  }
  if (eta_s > 0) fprintf(stderr, "; about %.0f min left", eta_s / 60 + 0.5);
  fputs(")\n", stderr);
}

/* Runs one run of one cell and reads its figures back. */
static void run_one(const mx_matrix *m, const mx_options *o, const mx_setup *su, const char *out_dir,
                    const char *exe, mx_cell *c, int k) {
  mx_run *r = &c->runs[k];
  const mx_fault *fault = &m->faults[c->fault];
  const char *sem = MX_SEMANTICS_NAME[c->sem];
  snprintf(r->dir, sizeof r->dir, "%s/%s/run-%d", sem, fault->name, k + 1);
  snprintf(r->log, sizeof r->log, "logs/%s.%s.%d.log", sem, fault->name, k + 1);
  char cell_dir[MX_PATH_MAX + MX_NAME_MAX + 64], results[2 * MX_PATH_MAX], log[2 * MX_PATH_MAX];
  snprintf(cell_dir, sizeof cell_dir, "%s/%s/%s", out_dir, sem, fault->name);
  snprintf(results, sizeof results, "%s/%s", out_dir, r->dir);
  snprintf(log, sizeof log, "%s/%s", out_dir, r->log);
  if (mx_mkdirs(cell_dir) != 0) {
    r->state = MX_RUN_FAILED;
    mx_fmt(r->reason, sizeof r->reason, "cannot create %s: %s", cell_dir, strerror(errno));
    return;
  }
  mx_exec_spec spec = {.exe = exe, .workload = m->workload, .semantics = sem, .schedule = fault->schedule,
                       .results_dir = results, .log_path = log, .o = o, .timeout_s = su->cell_timeout_s};
  if (mx_exec_run(&spec, r, &mx_interrupted) != MX_RUN_DONE) return;
  char err[1024];
  if (mx_figures_read(results, &r->fig, err, sizeof err) != 0) {
    r->state = MX_RUN_FAILED;
    mx_fmt(r->reason, sizeof r->reason, "its results cannot be read: %s", err);
  }
}

/* Every run of every cell, round by round. */
static void run_cells(mx_matrix *m, const mx_options *o, const mx_setup *su, const char *out_dir,
                      const char *exe) {
  int total = runs_planned(m), done = 0;
  double spent_s = 0;
  int timed = 0;
  for (int k = 0; k < m->repeat && !mx_interrupted; k++)
    for (int s = 0; s < m->n_sem && !mx_interrupted; s++)
      for (int f = 0; f < m->n_faults && !mx_interrupted; f++) {
        mx_cell *c = mx_cell_at(m, s, f);
        mx_run *r = &c->runs[k];
        if (r->state == MX_RUN_NA) continue;
        const char *known = m->faults[f].targets_processor ? column_na_reason(m, f) : NULL;
        if (known) { /* not available for one semantics: for none */
          r->state = MX_RUN_NA;
          r->exit_code = 3;
          snprintf(r->reason, sizeof r->reason, "%s", known);
          done++;
          if (!o->quiet)
            fprintf(stderr, "[%2d/%d] %s \xc3\x97 %s: n/a, as above (not run)\n", done, total,
                    MX_SEMANTICS_NAME[c->sem], m->faults[f].name);
          continue;
        }
        if (!o->quiet)
          fprintf(stderr, "[%2d/%d] %s \xc3\x97 %s: running -> %s/%s/%s/run-%d\n", done + 1, total,
                  MX_SEMANTICS_NAME[c->sem], m->faults[f].name, out_dir, MX_SEMANTICS_NAME[c->sem],
                  m->faults[f].name, k + 1);
        run_one(m, o, su, out_dir, exe, c, k);
        done++;
        if (r->state != MX_RUN_NA) {
          spent_s += r->elapsed_s;
          timed++;
        }
        if (!o->quiet) progress_line(m, c, r, done, total, timed ? spent_s / timed * (total - done) : 0);
      }
  m->interrupted = mx_interrupted != 0;
}

/* Marks every run of the columns that cannot run here. */
static void mark_unavailable(mx_matrix *m) {
  for (int f = 0; f < m->n_faults; f++) {
    if (!m->faults[f].na_reason[0]) continue;
    for (int s = 0; s < m->n_sem; s++) {
      mx_cell *c = mx_cell_at(m, s, f);
      for (int k = 0; k < c->n_runs; k++) {
        c->runs[k].state = MX_RUN_NA;
        snprintf(c->runs[k].reason, sizeof c->runs[k].reason, "not available: %s", m->faults[f].na_reason);
      }
    }
  }
}

/* The writers of the matrix's files, in mx_write_file's shape. */
static void md_writer(FILE *f, const void *m) { mx_markdown_write(f, m); }
static void csv_writer(FILE *f, const void *m) { mx_table_csv(f, m); }
static void runs_writer(FILE *f, const void *m) { mx_runs_csv(f, m); }

/* The table, the plot and the page. 0, or -1 when something could not be
 * written (said on stderr). */
static int write_outputs(const mx_matrix *m, const char *dir) {
  int rc = 0;
  struct {
    const char *name;
    void (*writer)(FILE *, const void *);
  } files[] = {{"matrix.md", md_writer}, {"matrix.csv", csv_writer}, {"matrix-runs.csv", runs_writer}};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    char werr[MX_PATH_MAX + 256];
    if (mx_write_file(dir, files[i].name, files[i].writer, m, werr, sizeof werr) != 0) {
      fprintf(stderr, "streamproof matrix: %s\n", werr);
      rc = -1;
    }
  }
  char err[1024] = "";
  int plot = mx_plot_draw(m, dir, err, sizeof err);
  if (plot < 0) {
    fprintf(stderr, "streamproof matrix: plot: %s\n", err);
    rc = -1;
  }
  char perr[1024];
  if (mx_page_write(m, dir, plot == 0, err, perr, sizeof perr) != 0) {
    fprintf(stderr, "streamproof matrix: %s\n", perr);
    rc = -1;
  }
  return rc;
}

/* The printed result: the table, the semantics' costs, the notes, where the
 * files are. */
static void print_result(const mx_matrix *m, const char *dir) {
  mx_grid g;
  mx_table_build(m, &g);
  printf("\nstreamproof matrix %s: %d semantics \xc3\x97 %d fault%s, %d run%s per cell\n\n", m->workload_name,
         m->n_sem, m->n_faults, m->n_faults > 1 ? "s" : "", m->repeat, m->repeat > 1 ? "s" : "");
  mx_grid_write_text(stdout, &g);
  mx_grid_free(&g);
  mx_semantics_table_build(m, &g);
  if (g.rows) {
    printf("\nwithout faults, against %s:\n", MX_SEMANTICS_NAME[m->sem[0]]);
    mx_grid_write_text(stdout, &g);
  }
  mx_grid_free(&g);
  notes nt = {0};
  mx_table_notes(m, &nt);
  if (nt.n) printf("\nnotes:\n");
  for (size_t i = 0; i < nt.n; i++) printf("  %s\n", nt.v[i]);
  notes_free(&nt);
  printf("\ntable: %s/matrix.md  %s/matrix.csv\nplot:  %s/matrix.png\npage:  %s/index.html\n", dir, dir, dir, dir);
  fflush(stdout);
}

/* The exit status (matrix.h). */
static int exit_status(const mx_matrix *m, const mx_options *o, int outputs_failed) {
  if (m->interrupted) return MX_EXIT_INTERRUPTED;
  int failed = outputs_failed, invalid = 0, unknown = 0;
  for (int i = 0; i < m->n_sem * m->n_faults; i++) {
    const mx_cell *c = &m->cells[i];
    failed |= c->n_failed > 0;
    invalid |= c->n_invalid > 0;
    unknown |= c->n_unknown + c->n_unchecked > 0;
  }
  if (failed) return MX_EXIT_FAILED;
  if (o->strict && invalid) return MX_EXIT_INVALID;
  if (o->strict && unknown) return MX_EXIT_UNKNOWN;
  return MX_EXIT_OK;
}

/* Everything before the first run: options, workload, schedules, folder.
 * 0, or the exit status to return. */
static int set_up(int argc, char **argv, mx_options *o, mx_matrix *m, mx_setup *su, char *out_dir,
                  size_t out_cap) {
  join_command(argc, argv, m->command, sizeof m->command);
  char err[2048];
  switch (mx_options_parse(argc, argv, o, err, sizeof err)) {
  case MX_OPTS_HELP: mx_usage(stdout); return -1;
  case MX_OPTS_ERROR: fprintf(stderr, "streamproof matrix: %s\n", err); return MX_EXIT_USAGE;
  case MX_OPTS_RUN: break;
  }
  m->n_sem = o->n_sem;
  memcpy(m->sem, o->sem, sizeof m->sem);
  m->repeat = o->repeat;
  if (mx_setup_workload(o, m, su, err, sizeof err) != 0 || mx_setup_faults(o, su, m, err, sizeof err) != 0) {
    fprintf(stderr, "streamproof matrix: %s\n", err);
    return MX_EXIT_USAGE;
  }
  int rc = mx_setup_out_dir(o, m, out_dir, out_cap, err, sizeof err);
  if (rc != 0) {
    fprintf(stderr, "streamproof matrix: %s\n", err);
    return rc > 0 ? MX_EXIT_USAGE : MX_EXIT_FAILED;
  }
  return 0;
}

int matrix_main(int argc, char **argv) {
  sp_log_init("streamproof", SP_LOG_WARN);
  mx_interrupted = 0;
  static mx_matrix m;
  memset(&m, 0, sizeof m);
  mx_options o;
  mx_setup su;
  char out_dir[MX_PATH_MAX], exe[MX_PATH_MAX];
  int rc = set_up(argc, argv, &o, &m, &su, out_dir, sizeof out_dir);
  if (rc != 0) {
    mx_options_free(&o);
    return rc < 0 ? MX_EXIT_OK : rc;
  }
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) {
    fprintf(stderr, "streamproof matrix: cannot find my own executable: %s\n", strerror(errno));
    mx_options_free(&o);
    return MX_EXIT_FAILED;
  }
  exe[n] = '\0';
  mx_matrix_alloc(&m);
  mark_unavailable(&m);
  struct sigaction sa, old_int, old_term, old_hup;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal; /* no SA_RESTART: waits return at once */
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  sigaction(SIGHUP, &sa, &old_hup);
  iso_now(m.begin_time, sizeof m.begin_time);
  if (!o.quiet)
    fprintf(stderr, "streamproof matrix: %s, %d semantics \xc3\x97 %d fault%s \xc3\x97 %d run%s -> %s\n", m.workload,
            m.n_sem, m.n_faults, m.n_faults > 1 ? "s" : "", m.repeat, m.repeat > 1 ? "s" : "", out_dir);
  run_cells(&m, &o, &su, out_dir, exe);
  iso_now(m.end_time, sizeof m.end_time);
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
  sigaction(SIGHUP, &old_hup, NULL);
  mx_matrix_aggregate(&m);
  int outputs_failed = write_outputs(&m, out_dir) != 0;
  print_result(&m, out_dir);
  rc = exit_status(&m, &o, outputs_failed);
  if (m.interrupted) fprintf(stderr, "streamproof matrix: interrupted; the table shows what ran\n");
  mx_matrix_free(&m);
  mx_options_free(&o);
  return rc;
}
