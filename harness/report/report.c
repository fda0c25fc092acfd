/* report.c: `streamproof report` (report.h): the command line and the
 * entry points for the command and for `streamproof run`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "report_int.h"

static const char USAGE[] =
    "usage: streamproof report RESULTS_DIR [RESULTS_DIR ...] [--out DIR] [--title TEXT] [--each] [--quiet]\n"
    "\n"
    "Plots a results folder of `streamproof run` with gnuplot and writes an\n"
    "index.html that opens from the file system (no network): latency by\n"
    "percentile (HdrHistogram style, corrected and uncorrected), throughput,\n"
    "latency and consumer backlog over time with the faults as bands, the\n"
    "checker's anomalies, the summary tables, the verdict with its examples,\n"
    "the fault list and the run's metadata. PNG and SVG of every plot go to\n"
    "plots/.\n"
    "\n"
    "One folder: the report is written into it (or into --out DIR).\n"
    "Several folders: a comparison (overlaid percentile and timeline plots, a\n"
    "table of every metric with its change against the first run) is written\n"
    "to --out DIR, which is then required.\n"
    "\n"
    "  --out DIR     where to write index.html and plots/\n"
    "  --title TEXT  the page's title (default: the workload's name)\n"
    "  --each        with several folders, also write each run's own report\n"
    "  --quiet       no progress lines\n"
    "\n"
    "Needs gnuplot (Debian: gnuplot-nox; or SP_GNUPLOT=/path/to/gnuplot) and\n"
    "the plot scripts: $SP_PLOTS_DIR, else ../share/streamproof/plots next to\n"
    "the executable, else the source tree's plots/ (plots/README.md).\n"
    "\n"
    "Exit: 0 written; 1 written, but some plot failed (the page says which);\n"
    "2 usage error, unreadable folder or JSON file, gnuplot or scripts missing.\n";

int report_write(const char *const *dirs, size_t n, const report_options *o, char *index_path_out,
                 size_t cap, char *err, size_t err_cap) {
  if (n == 0) {
    snprintf(err, err_cap, "no results folder given");
    return REPORT_ERROR;
  }
  if (n > 1 && !o->out_dir) {
    snprintf(err, err_cap, "%zu results folders: give --out DIR for the comparison report", n);
    return REPORT_ERROR;
  }
  gp_env env;
  if (gp_env_find(&env, err, err_cap) != 0) return REPORT_ERROR;
  rundir *runs = sp_calloc(n, sizeof *runs);
  size_t opened = 0;
  int rc = REPORT_OK;
  for (; opened < n; opened++)
    if (rundir_open(dirs[opened], 0, &runs[opened], err, err_cap) != 0) {
      rc = REPORT_ERROR;
      break;
    }
  if (rc == REPORT_OK && n > 1) {
    /* The comparison would overwrite that run's own index.html and plots. */
    char out_abs[GP_PATH_MAX], run_abs[GP_PATH_MAX];
    absolute_path(o->out_dir, out_abs, sizeof out_abs);
    for (size_t i = 0; i < n && rc == REPORT_OK; i++) {
      absolute_path(runs[i].path, run_abs, sizeof run_abs);
      if (!strcmp(out_abs, run_abs)) {
        snprintf(err, err_cap, "--out %s is one of the results folders; the comparison needs a folder of its own",
                 o->out_dir);
        rc = REPORT_ERROR;
      }
    }
  }
  if (rc == REPORT_OK) {
    rundir_unique_labels(runs, n);
    if (n == 1) rc = report_one(&runs[0], o->out_dir ? o->out_dir : runs[0].path, &env, o, index_path_out, cap, err, err_cap);
    else rc = report_many(runs, n, o->out_dir, &env, o, index_path_out, cap, err, err_cap);
  }
  for (size_t i = 0; i < opened; i++) rundir_close(&runs[i]);
  free(runs);
  return rc;
}

int report_generate(const char *results_dir, char *index_path_out, size_t cap, char *err, size_t err_cap) {
  report_options o;
  memset(&o, 0, sizeof o);
  o.quiet = 1;
  return report_write(&results_dir, 1, &o, index_path_out, cap, err, err_cap);
}

/* The value of an option given as "--name VALUE" or "--name=VALUE";
 * NULL when missing. */
static const char *option_value(int argc, char **argv, int *i, const char *name) {
  size_t len = strlen(name);
  if (argv[*i][len] == '=') return argv[*i] + len + 1;
  return *i + 1 < argc ? argv[++*i] : NULL;
}

/* 1 when arg is --name or --name=... */
static int is_option(const char *arg, const char *name) {
  size_t len = strlen(name);
  return !strncmp(arg, name, len) && (arg[len] == '\0' || arg[len] == '=');
}

int report_main(int argc, char **argv) {
  report_options o;
  memset(&o, 0, sizeof o);
  const char **dirs = sp_calloc((size_t)(argc > 0 ? argc : 1), sizeof *dirs);
  size_t n = 0;
  int rc = -1;
  for (int i = 1; i < argc && rc < 0; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      fputs(USAGE, stdout);
      rc = REPORT_OK;
    } else if (is_option(a, "--out") || is_option(a, "--title")) {
      const char *v = option_value(argc, argv, &i, a[2] == 'o' ? "--out" : "--title");
      if (!v || !*v) {
        fprintf(stderr, "streamproof report: %s needs a value\n%s", a[2] == 'o' ? "--out" : "--title", USAGE);
        rc = REPORT_ERROR;
      } else if (a[2] == 'o') {
        o.out_dir = v;
      } else {
        o.title = v;
      }
    } else if (!strcmp(a, "--each")) {
      o.each = 1;
    } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
      o.quiet = 1;
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "streamproof report: unknown option %s\n%s", a, USAGE);
      rc = REPORT_ERROR;
    } else {
      dirs[n++] = a;
    }
  }
  if (rc < 0 && n == 0) {
    fprintf(stderr, "streamproof report: RESULTS_DIR missing\n%s", USAGE);
    rc = REPORT_ERROR;
  }
  if (rc < 0) {
    char index[GP_PATH_MAX], err[4096];
    rc = report_write(dirs, n, &o, index, sizeof index, err, sizeof err);
    if (rc == REPORT_ERROR) fprintf(stderr, "streamproof report: %s\n", err);
    if (rc == REPORT_PARTIAL) fprintf(stderr, "streamproof report: %s\n", err);
    if (rc != REPORT_ERROR) printf("report: %s\n", index);
  }
  free(dirs);
  return rc;
}
