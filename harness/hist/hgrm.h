/* hgrm.h: the .hgrm percentile-distribution text file, written and read.
 *
 * The format is HdrHistogram's percentile distribution, the one wrk2
 * prints, hdr-plot and the hdrhistogram.org plotter read, and our gnuplot
 * scripts plot with `using 4:1` (x = 1/(1-Percentile), y = Value).
 *
 * SP_HGRM_CLASSIC (default): HdrHistogram_c hdr_percentiles_print(CLASSIC),
 * byte for byte, which is what wrk2 prints:
 *
 *          Value   Percentile   TotalCount 1/(1-Percentile)
 *   <blank line>
 *          0.921     0.000000            1         1.00       "%12.3f %12f %12d %12.2f"
 *          ...
 *         12.496     1.000000        39500          inf       last row: 100%
 *   #[Mean    =        6.602, StdDeviation   =        1.919]
 *   #[Max     =       12.496, Total count    =        39500]
 *   #[Buckets =           22, SubBuckets     =         2048]
 *
 * SP_HGRM_JAVA: HdrHistogram Java outputPercentileDistribution (header
 * "%12s %14s %10s %14s", rows "%12.3f %2.12f %10d %14.2f", the 100% row
 * without its fourth column, footer values with 3 decimals).
 * SP_HGRM_CSV: HdrHistogram_c CSV ("Value,Percentile,TotalCount,1/(1-Percentile)",
 * rows "%.3f,%f,%d,%.2f", no footer).
 *
 * Values are divided by value_unit_ratio: histograms hold microseconds, so
 * ratio 1000 writes milliseconds (SP_HGRM_MS), as wrk2 does.
 *
 * One deliberate difference: for an EMPTY histogram HdrHistogram_c prints
 * Mean and StdDeviation as 0/0 ("-nan"); we print 0.000, as Java does, so
 * the file stays parseable. The rows of an empty histogram are the single
 * 100% row with value 0 and count 0. */
#ifndef SP_HGRM_H
#define SP_HGRM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hist.h"

#define SP_HGRM_MS 1000.0           /* us -> ms */
#define SP_HGRM_TICKS_PER_HALF 5    /* HdrHistogram's and wrk2's default */

typedef enum { SP_HGRM_CLASSIC = 0, SP_HGRM_JAVA = 1, SP_HGRM_CSV = 2 } sp_hgrm_style;

/* Writes h's percentile distribution to out; 0, or -1 with errno on an I/O
 * error. ticks_per_half_distance >= 1, value_unit_ratio > 0. */
int sp_hgrm_write(FILE *out, const sp_hist *h, int ticks_per_half_distance,
                  double value_unit_ratio, sp_hgrm_style style);

/* Writes path atomically (path.tmp, fsync, rename): a reader never sees a
 * half-written file. 0, or -1 with a message in err. */
int sp_hgrm_save(const char *path, const sp_hist *h, int ticks_per_half_distance,
                 double value_unit_ratio, sp_hgrm_style style, char *err, size_t err_len);

/* ---- reading ----------------------------------------------------------- */

typedef struct sp_hgrm_row {
  double value;            /* in the file's unit (ms for ours) */
  double percentile;       /* fraction 0..1 */
  uint64_t total_count;    /* cumulative count */
  double inverted;         /* 1/(1-Percentile); INFINITY on the 100% row */
} sp_hgrm_row;

typedef struct sp_hgrm_file {
  sp_hgrm_style style;
  sp_hgrm_row *rows;
  size_t row_count;
  size_t skipped_lines;    /* lines before the header (e.g. wrk2's own output) */
  int has_footer;          /* the three #[...] lines were present */
  double mean, stddev, max;
  uint64_t total_count;
  int64_t buckets, sub_buckets;
} sp_hgrm_file;

/* Parses .hgrm text (any of the three styles; text before the header line,
 * such as the rest of wrk2's output, is skipped and counted). Every row must
 * be well formed, percentiles and cumulative counts non-decreasing, and the
 * footer, if present, complete. 0, or -1 with "line N: what" in err. */
int sp_hgrm_parse(const char *text, size_t len, sp_hgrm_file *out, char *err, size_t err_len);
/* Reads and parses a file ("path: line N: what" on error). */
int sp_hgrm_load(const char *path, sp_hgrm_file *out, char *err, size_t err_len);
void sp_hgrm_file_free(sp_hgrm_file *f);

/* The value (file unit) of the first row whose percentile reaches
 * `percentile` (0..100): what the file says p50/p99/p99.9 is, to the
 * resolution of its rows. 0 for a file with no rows. */
double sp_hgrm_value_at_percentile(const sp_hgrm_file *f, double percentile);

#endif
