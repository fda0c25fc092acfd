/* report.h: `streamproof report`: plots and an index.html for results
 * folders.
 *
 *   streamproof report RESULTS_DIR [RESULTS_DIR ...] [--out DIR] [--title T] [--each]
 *
 * One folder: writes RESULTS_DIR/plots/ (PNG and SVG of every plot, the
 * bands and anomaly CSVs the scripts read, gnuplot.log) and
 * RESULTS_DIR/index.html, or both under --out DIR. Several folders: an
 * overlaid comparison (percentile plots per run, throughput per run, a
 * table of every headline metric with the change against the first run)
 * written to --out DIR, linking each run's own report (--each writes those
 * too).
 *
 * index.html opens from the file system: relative links, inline CSS, no
 * network, no JavaScript library (one inline script counts loaded images
 * into body[data-images-loaded]).
 *
 * Exit: 0 everything written; 1 the report was written but some plot
 * failed (the page and the message say which); 2 usage error, a folder or
 * JSON file that cannot be read, gnuplot or the scripts not found.
 *
 * (compare.h's compare_main is the other subcommand of this component;
 * it is included here so the streamproof command needs one header.) */
#ifndef SP_REPORT_H
#define SP_REPORT_H

#include <stddef.h>

#include "compare.h"

enum { REPORT_OK = 0, REPORT_PARTIAL = 1, REPORT_ERROR = 2 };

typedef struct report_options {
  const char *out_dir;  /* NULL: the results folder itself (one folder only) */
  const char *title;    /* NULL: the workload's name */
  int each;             /* several folders: also write each run's own report */
  int quiet;            /* no progress lines on stderr */
} report_options;

int report_main(int argc, char **argv);

/* For `streamproof run` at the end of a run: the report of one results
 * folder, written into it. The path of index.html goes to index_path_out.
 * REPORT_OK, REPORT_PARTIAL (written; err says which plots failed) or
 * REPORT_ERROR (err says why; gnuplot missing, say). */
int report_generate(const char *results_dir, char *index_path_out, size_t cap, char *err,
                    size_t err_cap);

/* The report of n folders with options (report_main's work). */
int report_write(const char *const *dirs, size_t n, const report_options *o, char *index_path_out,
                 size_t cap, char *err, size_t err_cap);

#endif
