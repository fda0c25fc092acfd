/* gnuplot.h: finding gnuplot and the plots/ scripts, and running one.
 *
 * gnuplot: $SP_GNUPLOT if set, else the first executable "gnuplot" on PATH
 * (Debian: gnuplot-nox; its pngcairo and svg terminals need no display).
 *
 * The scripts (plots/NAME.gp): the first folder holding common.gp of
 *   1. $SP_PLOTS_DIR
 *   2. <folder of the running executable>/../share/streamproof/plots
 *      (an installed streamproof: `cmake --install` puts them there)
 *   3. the source tree's plots/, compiled in as SP_PLOTS_SOURCE_DIR
 *      (a build tree: the scripts are read from the checkout)
 *
 * Each script takes its parameters as gnuplot variables set with -e before
 * the script runs (plots/README.md). Strings are passed single-quoted, a
 * quote doubled, so any value reaches gnuplot unchanged. */
#ifndef SP_REPORT_GNUPLOT_H
#define SP_REPORT_GNUPLOT_H

#include <stddef.h>
#include <stdio.h>

#include "buf.h"

#define GP_PATH_MAX 4096

typedef struct gp_env {
  char gnuplot[GP_PATH_MAX];  /* the executable */
  char scripts[GP_PATH_MAX];  /* the folder holding the *.gp scripts */
} gp_env;

/* Finds both (order above). 0, or -1 with err saying what is missing and
 * how to fix it. */
int gp_env_find(gp_env *env, char *err, size_t err_cap);

/* The -e argument under construction: "name='value'; name=1.5; ...". */
typedef struct gp_params {
  sp_buf b;
} gp_params;

void gp_param_str(gp_params *p, const char *name, const char *value);
void gp_param_num(gp_params *p, const char *name, double value);
void gp_params_free(gp_params *p);

/* Runs `gnuplot -e PARAMS <scripts>/<script>` with cwd as working folder,
 * killing it after timeout_s. gnuplot's output (warnings included) is
 * appended to log when log is not NULL. 0, or -1 with err: how it ended
 * and gnuplot's last message. */
int gp_run(const gp_env *env, const char *script, const gp_params *p, const char *cwd,
           int timeout_s, FILE *log, char *err, size_t err_cap);

#endif
