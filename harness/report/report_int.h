/* report_int.h: what the report's files share (not for other components). */
#ifndef SP_REPORT_INT_H
#define SP_REPORT_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fault_bands.h"
#include "gnuplot.h"
#include "notes.h"
#include "plots.h"
#include "report.h"
#include "rundir.h"

/* The four latency distributions of a run, in the order of the plots. */
enum { LAT_FILE_PUBLISH, LAT_FILE_PUBLISH_UNC, LAT_FILE_E2E, LAT_FILE_E2E_UNC, LAT_FILES };

typedef struct lat_file {
  const char *file;   /* "e2e.hgrm" */
  const char *title;  /* "end to end" */
  const char *kind;   /* "e2e" or "publish" */
  int uncorrected;
} lat_file;
extern const lat_file LAT_FILE[LAT_FILES];

typedef enum { HG_ABSENT, HG_BAD, HG_EMPTY, HG_OK } hg_state;

/* Percentiles read off a .hgrm file, in the order of the latency table. */
#define HG_PCTS 6
extern const double HG_PCT[HG_PCTS]; /* 50, 75, 95, 99, 99.9, 99.99 */

typedef struct hgrm_status {
  hg_state state;
  uint64_t count;        /* samples */
  double max_inverted;   /* the largest finite 1/(1-p) of its rows */
  double mean_ms, max_ms;      /* from the footer (NAN without one) */
  double pct_ms[HG_PCTS];      /* sp_hgrm_value_at_percentile of HG_PCT */
  char problem[768];     /* for HG_BAD: the parser's message */
} hgrm_status;

/* Loads path with the .hgrm parser (hgrm.h) and says whether it can be
 * plotted. */
void hgrm_status_of(const char *path, hgrm_status *st);

/* The right end of a percentile plot's x axis for data reaching
 * max_inverted: the next power of ten, at least 100 (99%), at most 1e7. */
double percentile_xmax(double max_inverted);

/* The relative path from folder from_dir to path to (both absolute and
 * normalised, as realpath gives them): "../run/timeline.csv". */
void relative_path(const char *from_dir, const char *to, char *out, size_t cap);

/* The absolute, normalised path of an existing path (realpath), or path. */
void absolute_path(const char *path, char *out, size_t cap);

/* Writes text to path through path.tmp and rename, so a reader never sees
 * a half-written page. The writer callback gets the open file. 0, or -1
 * with err. */
int write_page(const char *path, void (*writer)(FILE *f, const void *ctx), const void *ctx, char *err,
               size_t err_cap);

/* "streamproof report, 2026-11-22T01:04:58Z". */
void generated_by(char *buf, size_t cap);

/* The report of one folder (report_run.c). */
int report_one(rundir *rd, const char *out_dir, const gp_env *env, const report_options *o,
               char *index_out, size_t cap, char *err, size_t err_cap);
/* The report of several folders (report_multi.c). */
int report_many(rundir *runs, size_t n, const char *out_dir, const gp_env *env,
                const report_options *o, char *index_out, size_t cap, char *err, size_t err_cap);

/* What the single-run page shows (report_page.c). */
typedef struct page_input {
  const rundir *rd;
  const char *title;
  const char *run_href;         /* the run folder relative to the page: "" when the same */
  const plot_set *plots;
  const fault_list *faults;     /* NULL when faults.jsonl is absent */
  const hgrm_status *lat;       /* LAT_FILES entries */
  const notes *notes;
} page_input;

void report_page_write(FILE *f, const void *page_input_ptr);
/* The figures of a plot set (PNG linking its SVG, with its caption), or
 * for each plot not drawn, why. */
void plots_html(FILE *f, const plot_set *ps);
/* The Notes section: what was missing or failed. */
void notes_html(FILE *f, const notes *nt);

#endif
