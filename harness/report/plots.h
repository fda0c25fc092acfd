/* plots.h: one report's plots: running a plots/ script for each, and
 * remembering what became of it (written, skipped for lack of data, or
 * failed) so the page shows every plot or says why it is missing. */
#ifndef SP_REPORT_PLOTS_H
#define SP_REPORT_PLOTS_H

#include <stddef.h>
#include <stdio.h>

#include "gnuplot.h"

typedef struct plot_out {
  char name[64];       /* files plots/<name>.png and plots/<name>.svg */
  char caption[512];
  int ok;              /* both files written and non-empty */
  int failed;          /* gnuplot failed (not ok and not failed: skipped) */
  char problem[1024];  /* why not ok; "" when ok */
} plot_out;

typedef struct plot_set {
  const gp_env *env;
  char dir[GP_PATH_MAX];  /* the plots folder (absolute): gnuplot runs there */
  FILE *log;              /* plots/gnuplot.log */
  plot_out *v;
  size_t n;
} plot_set;

/* Starts a set writing into dir (created if needed, parents included).
 * 0, or -1 with err. */
int plot_set_open(plot_set *ps, const gp_env *env, const char *dir, char *err, size_t err_cap);
void plot_set_close(plot_set *ps);

/* Runs script with params (plus out=<name>) and records the outcome. */
void plot_make(plot_set *ps, const char *name, const char *caption, const char *script, gp_params *params);
/* Records a plot that was not attempted, and why (no data, ...). */
void plot_skip(plot_set *ps, const char *name, const char *caption, const char *why);
/* How many plots were written / failed. */
size_t plot_count_ok(const plot_set *ps);
size_t plot_count_failed(const plot_set *ps);

/* Creates dir and its parents (mkdir -p). 0, or -1 with err. */
int make_dirs(const char *dir, char *err, size_t err_cap);

#endif
