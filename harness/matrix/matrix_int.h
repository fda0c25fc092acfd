/* matrix_int.h: what the matrix's files share: the matrix, its columns
 * (faults), rows (semantics), cells, and each run of a cell.
 *
 * A matrix is n_sem x n_faults cells, row-major by semantics. Each cell
 * holds `repeat` runs; a run is one `streamproof run` whose figures are read
 * back from its results folder (matrix_cell.h). Aggregation
 * (matrix_stats.h) turns a cell's runs into medians and spreads, and the
 * costs against the same semantics' no-fault cell. */
#ifndef SP_MATRIX_INT_H
#define SP_MATRIX_INT_H

#include <stddef.h>
#include <stdio.h>

#define MX_PATH_MAX 4096
#define MX_SEMANTICS 3   /* at_most_once, at_least_once, exactly_once */
#define MX_MAX_FAULTS 16
#define MX_MAX_REPEAT 99
#define MX_NAME_MAX 64

/* The semantics by id (workload.h's order): "at_most_once", ... */
extern const char *const MX_SEMANTICS_NAME[MX_SEMANTICS];
/* The id of a semantics name, or -1. */
int mx_semantics_id(const char *name);

/* A column: no fault, or one schedule file. */
typedef struct mx_fault {
  char name[MX_NAME_MAX];       /* "none", "consumer-crash", or a file's stem */
  char schedule[MX_PATH_MAX];   /* the schedule file; "" for none */
  int targets_processor;        /* the schedule kills/stops the stream processor */
  char na_reason[256];          /* non-empty: not available here, never run */
} mx_fault;

typedef enum {
  MX_RUN_PENDING, /* not run (yet): interrupted before it */
  MX_RUN_DONE,    /* completed and checked: a results folder with summary.json */
  MX_RUN_FAILED,  /* could not run or complete: exit code and reason */
  MX_RUN_NA,      /* not available in this build or set-up: reason */
} mx_run_state;

/* What one run's results folder says (NaN / -1 where it says nothing). */
typedef struct mx_figures {
  char verdict[16];          /* valid, invalid, unknown, "not checked" */
  char semantics[32];        /* what its subscriptions claimed ("mixed" if they differ) */
  double subscriptions;      /* subscriptions the checker judged */
  double acked, consumed;    /* summary counts */
  double lost;               /* lost-write + unseen, messages, over the subscriptions */
  double duplicated;         /* duplicate: messages stored at more than one offset */
  double redelivered;        /* offsets applied more than once */
  double other;              /* every other anomaly found */
  char other_types[256];     /* "poll-skip 2, key-order 1" */
  double lost_pct, duplicated_pct, redelivered_pct; /* of acked (x subscriptions) */
  double publish_tput, consume_tput;                /* msg/s over the measured phase */
  double e2e_p50_ms, e2e_p99_ms;                    /* corrected */
  double faults_injected;    /* inject records that succeeded */
  double fault_errors;       /* fault actions that failed */
  int schedule_kept;         /* 1, 0, -1 unknown */
  int drain_completed;       /* 1, 0, -1 unknown */
  /* The stream processor (summary.json processor, verdict.json stream). */
  int has_processor;         /* 1: the run had one (either section is there) */
  char stream_verdict[16];   /* valid, invalid, unknown; "" when its output was not checked */
  double stream_expected, stream_written;   /* totals.expected.output, totals.written.output */
  double stream_pending, stream_unverified; /* totals.pending, totals.unverified (informational) */
  double stream_findings;    /* findings.<kind>.count summed: wrong output, never in `other` */
  char stream_finding_types[256]; /* "missing 2, duplicate-id 1" */
  char stream_incomplete[256];    /* the first reason the stream check could not conclude */
  double proc_restarts;      /* processor.restarts: incarnations after the first */
  int proc_caught_up;        /* processor.caught_up: 1, 0, -1 unknown */
} mx_figures;

typedef struct mx_run {
  mx_run_state state;
  int exit_code;           /* the run's exit status; -1 when a signal or the timeout ended it */
  double elapsed_s;
  char reason[768];        /* FAILED, NA: why, in the run's own words where it gave some */
  char dir[MX_PATH_MAX];   /* results folder, relative to the matrix folder */
  char log[MX_PATH_MAX];   /* the run's output, relative to the matrix folder */
  mx_figures fig;
} mx_run;

/* Median and spread of one figure over a cell's completed runs. */
typedef struct mx_stat {
  double median, min, max; /* NaN when n == 0 */
  int n;                   /* runs that had the figure */
} mx_stat;

typedef enum {
  MX_CELL_NOT_RUN, /* nothing ran (interrupted) */
  MX_CELL_RAN,     /* every run completed */
  MX_CELL_PARTIAL, /* some runs completed, some failed */
  MX_CELL_FAILED,  /* no run completed, at least one failed */
  MX_CELL_NA,      /* not available */
} mx_cell_state;

typedef struct mx_cell {
  int sem;    /* semantics id (MX_SEMANTICS_NAME) */
  int fault;  /* column index */
  mx_run *runs;
  int n_runs;

  /* aggregate (mx_cell_aggregate) */
  mx_cell_state state;
  int n_done, n_failed;
  int n_valid, n_invalid, n_unknown, n_unchecked;
  char verdict[16];        /* the worst verdict of the completed runs, "" when none */
  mx_stat acked, lost, duplicated, redelivered, other;
  mx_stat lost_pct, duplicated_pct, redelivered_pct;
  mx_stat publish_tput, consume_tput, p50, p99;
  /* the stream processor, over the completed runs that had one (n_proc) */
  int n_proc;
  char proc_verdict[16];   /* their worst stream verdict ("not checked" without one), "" when none */
  mx_stat proc_expected, proc_written, proc_findings, proc_restarts;
  char proc_finding_types[256]; /* of the run with the most findings */
  /* costs against this semantics' no-fault cell (mx_matrix_costs): the
   * ratio of medians, cell / baseline; NaN without a baseline */
  double tput_ratio, p50_ratio, p99_ratio;
} mx_cell;

typedef struct mx_matrix {
  char workload[MX_PATH_MAX];   /* the workload file as given */
  char workload_name[MX_NAME_MAX];
  char command[2048];           /* the matrix's command line */
  char begin_time[32], end_time[32]; /* ISO-8601 UTC */
  int n_sem;
  int sem[MX_SEMANTICS];        /* ids, in the order asked */
  int n_faults;
  mx_fault faults[MX_MAX_FAULTS];
  int repeat;
  int none_col;                 /* the no-fault column, or -1 */
  mx_cell *cells;               /* n_sem x n_faults, row-major by semantics */
  int interrupted;
} mx_matrix;

/* The cell of row s (index into sem[]) and column f. */
mx_cell *mx_cell_at(const mx_matrix *m, int s, int f);

/* Allocates the cells and their runs (after sem, faults and repeat are
 * set); every run starts PENDING. */
void mx_matrix_alloc(mx_matrix *m);
void mx_matrix_free(mx_matrix *m);

/* snprintf that may truncate on purpose (paths and messages into fixed
 * buffers): the result is always terminated. */
void mx_fmt(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Writes <dir>/<name> through a temporary file and rename, so a reader
 * never sees half a table or page: writer(f, ctx) fills it. 0, or -1 with
 * err naming the file and the error. */
int mx_write_file(const char *dir, const char *name, void (*writer)(FILE *f, const void *ctx),
                  const void *ctx, char *err, size_t err_cap);

/* "no fault" for none, "consumer crash" for consumer-crash: a column's
 * name for people. */
void mx_fault_label(const mx_fault *f, char *buf, size_t cap);

#endif
