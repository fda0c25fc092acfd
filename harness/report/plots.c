/* plots.c: see plots.h. */
#include "plots.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"

/* gnuplot is quick on these plots (well under a second each); a minute
 * means it hangs, not that it is slow. */
#define PLOT_TIMEOUT_S 60

int make_dirs(const char *dir, char *err, size_t err_cap) {
  char path[GP_PATH_MAX];
  snprintf(path, sizeof path, "%s", dir);
  for (char *p = path + 1;; p++) {
    if (*p != '/' && *p != '\0') continue;
    char saved = *p;
    *p = '\0';
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
      snprintf(err, err_cap, "cannot create %s: %s", path, strerror(errno));
      return -1;
    }
    *p = saved;
    if (!saved) break;
  }
  struct stat st;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
    snprintf(err, err_cap, "%s: not a directory", dir);
    return -1;
  }
  return 0;
}

int plot_set_open(plot_set *ps, const gp_env *env, const char *dir, char *err, size_t err_cap) {
  memset(ps, 0, sizeof *ps);
  ps->env = env;
  if (make_dirs(dir, err, err_cap) != 0) return -1;
  char *real = realpath(dir, NULL);
  snprintf(ps->dir, sizeof ps->dir, "%s", real ? real : dir);
  free(real);
  char log[GP_PATH_MAX + 32];
  snprintf(log, sizeof log, "%s/gnuplot.log", ps->dir);
  ps->log = fopen(log, "w");
  if (!ps->log) {
    snprintf(err, err_cap, "cannot write %s: %s", log, strerror(errno));
    return -1;
  }
  return 0;
}

void plot_set_close(plot_set *ps) {
  if (ps->log) fclose(ps->log);
  free(ps->v);
  memset(ps, 0, sizeof *ps);
}

/* A new entry in the set. */
static plot_out *add(plot_set *ps, const char *name, const char *caption) {
  ps->v = sp_realloc(ps->v, (ps->n + 1) * sizeof *ps->v);
  plot_out *p = &ps->v[ps->n++];
  memset(p, 0, sizeof *p);
  snprintf(p->name, sizeof p->name, "%s", name);
  snprintf(p->caption, sizeof p->caption, "%s", caption);
  return p;
}

/* 1 when plots/<name>.<ext> exists and is not empty. */
static int written(const plot_set *ps, const char *name, const char *ext) {
  char path[GP_PATH_MAX + 128];
  snprintf(path, sizeof path, "%s/%s.%s", ps->dir, name, ext);
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

/* Removes plots/<name>.<ext> left by an earlier report, so a plot that
 * fails now is not shown stale. */
static void remove_old(const plot_set *ps, const char *name, const char *ext) {
  char path[GP_PATH_MAX + 128];
  snprintf(path, sizeof path, "%s/%s.%s", ps->dir, name, ext);
  unlink(path);
}

void plot_make(plot_set *ps, const char *name, const char *caption, const char *script, gp_params *params) {
  plot_out *p = add(ps, name, caption);
  remove_old(ps, name, "png");
  remove_old(ps, name, "svg");
  gp_param_str(params, "out", name);
  char err[sizeof p->problem - 64];
  if (gp_run(ps->env, script, params, ps->dir, PLOT_TIMEOUT_S, ps->log, err, sizeof err) != 0) {
    p->failed = 1;
    snprintf(p->problem, sizeof p->problem, "%s (details in plots/gnuplot.log)", err);
  } else if (!written(ps, name, "png") || !written(ps, name, "svg")) {
    p->failed = 1;
    snprintf(p->problem, sizeof p->problem,
             "gnuplot %s exited 0 but %s.png or %s.svg is missing or empty (plots/gnuplot.log)",
             script, name, name);
  } else {
    p->ok = 1;
  }
  if (ps->log) fflush(ps->log);
}

void plot_skip(plot_set *ps, const char *name, const char *caption, const char *why) {
  plot_out *p = add(ps, name, caption);
  snprintf(p->problem, sizeof p->problem, "%s", why);
}

size_t plot_count_ok(const plot_set *ps) {
  size_t k = 0;
  for (size_t i = 0; i < ps->n; i++) k += ps->v[i].ok;
  return k;
}

size_t plot_count_failed(const plot_set *ps) {
  size_t k = 0;
  for (size_t i = 0; i < ps->n; i++) k += ps->v[i].failed;
  return k;
}
