/* matrix_setup.h: everything checked before the first cell runs.
 *
 * A matrix is many minutes of runs; an error that every cell would hit (a
 * misspelt --set key, a schedule that does not parse, a fault that would
 * fire after the load has ended) must stop it at once with the file, line
 * and key, not twelve runs later. So the workload is loaded and every --set
 * applied here exactly as `streamproof run` will (workload.h), once per
 * semantics; every schedule is loaded and expanded with the workload's
 * topology (faults/inject/schedule.h). What cannot be known without running
 * (does this build run a stream processor?) is left to the cell.
 *
 * The shipped files (workloads/matrix/default.yaml and the schedules in faults/matrix/)
 * are found under <folder of the executable>/../share/streamproof (an
 * installed streamproof) or else in the source tree, whose path is compiled
 * in (SP_MATRIX_SOURCE_DIR), so a build tree needs no install. */
#ifndef SP_MATRIX_SETUP_H
#define SP_MATRIX_SETUP_H

#include <stddef.h>

#include "matrix_int.h"
#include "matrix_options.h"

/* What the matrix needs to know of the workload. */
typedef struct mx_setup {
  char share[MX_PATH_MAX];      /* the folder holding workloads/matrix and faults/matrix, or "" */
  double warmup_s, duration_s, drain_timeout_s;
  int producers, consumers;
  unsigned long long seed;
  double cell_timeout_s;        /* the option, or derived from the durations */
} mx_setup;

/* The folder holding workloads/matrix/default.yaml and faults/matrix/
 * (order above). 0, or -1 when neither has them. */
int mx_share_dir(char *out, size_t cap);

/* Loads the workload (the option's, or the shipped default) with every
 * --set, checks that the matrix can vary its semantics, fills m->workload,
 * m->workload_name and su. 0, or -1 with err ("invalid workload: file:line:
 * col: ...", or why the matrix cannot use it). */
int mx_setup_workload(const mx_options *o, mx_matrix *m, mx_setup *su, char *err, size_t err_cap);

/* Resolves and checks each --faults item into m->faults (name, schedule,
 * whether it is available with these options). 0, or -1 with err. */
int mx_setup_faults(const mx_options *o, const mx_setup *su, mx_matrix *m, char *err, size_t err_cap);

/* Creates the matrix folder (the option's, which must not exist or be
 * empty, or results/<UTC time>-matrix-<name>) and its logs/. 0, 1 when
 * --out names a non-empty folder (a usage error), -1 when it cannot be
 * created; err says why. */
int mx_setup_out_dir(const mx_options *o, const mx_matrix *m, char *out, size_t cap, char *err,
                     size_t err_cap);

/* mkdir -p. 0 or -1 (errno). */
int mx_mkdirs(const char *path);

#endif
