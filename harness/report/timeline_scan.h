/* timeline_scan.h: what the plots over time need to know about
 * timeline.csv before gnuplot reads it (results/README.md): which columns
 * it has, how many rows, where warm-up ends and the drain starts, and
 * whether the latency columns hold any sample. gnuplot stops on a plot with
 * no valid points, so the report only asks for plots that have data. */
#ifndef SP_REPORT_TIMELINE_SCAN_H
#define SP_REPORT_TIMELINE_SCAN_H

#include <stddef.h>
#include <stdio.h>

#include "notes.h"

/* Columns the plots use, as bits of timeline_info.columns. */
enum {
  TL_T_S = 1 << 0,
  TL_PHASE = 1 << 1,
  TL_INTENDED = 1 << 2,
  TL_ACKED = 1 << 3,
  TL_CONSUMED = 1 << 4,
  TL_ERRORS = 1 << 5,
  TL_BACKLOG = 1 << 6,
  TL_PUBLISH_LATENCY = 1 << 7, /* publish_p50_ms, publish_p99_ms, publish_max_ms */
  TL_E2E_LATENCY = 1 << 8,     /* e2e_p50_ms, e2e_p99_ms, e2e_max_ms */
};

typedef struct timeline_info {
  unsigned columns;        /* TL_* bits present in the header */
  size_t rows;             /* data rows */
  double end_s;            /* t_s of the last row + 1: the timeline's end */
  double warmup_end_s;     /* t_s of the first row after warm-up; 0 if none */
  double drain_start_s;    /* t_s of the first drain row; 0 if none */
  int publish_samples;     /* some row has a publish latency */
  int e2e_samples;         /* some row has an end-to-end latency */
  double max_rate;         /* largest intended/acked/consumed cell */
  size_t bad_rows;         /* rows skipped: wrong field count, t_s not a number */
} timeline_info;

/* Scans path. 0 when read, 1 when the file does not exist, -1 with err
 * when it cannot be read or its header lacks t_s. Rows that do not parse
 * are noted ("timeline.csv line 12: ...") and skipped. When good_rows is
 * not NULL, the header and every row that parsed are copied to it: gnuplot
 * stops on a row with missing columns, so the report plots such a copy of
 * a damaged timeline. */
int timeline_scan(const char *path, timeline_info *ti, notes *nt, FILE *good_rows, char *err,
                  size_t err_cap);

#endif
