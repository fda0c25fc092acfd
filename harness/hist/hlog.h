/* hlog.h: HdrHistogram interval logs (.hlog), written and read.
 *
 * Every worker process records one histogram per metric per interval
 * (normally a second) and appends it to its .hlog as one line; after the
 * run the harness merges the lines. A worker killed by a fault loses at most
 * the interval it was in: each line goes out in one write(2).
 *
 * The file is HdrHistogram's interval log, so HistogramLogProcessor,
 * HistogramLogAnalyzer and hdr-plot read ours unchanged:
 *
 *   #[<optional comment>]
 *   #[Histogram log format version 1.3]
 *   #[StartTime: 1700000000.000 (seconds since epoch), Tue Nov 14 22:13:20 UTC 2023]
 *   #[BaseTime: 1700000000.000 (seconds since epoch)]
 *   "StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"
 *   Tag=publish,0.000,1.000,12.345,HISTFAAAAB...      <- one interval
 *   1.000,1.000,0.871,HISTFAAAAC...                    <- untagged interval
 *
 *   StartTimestamp   seconds since BaseTime (so BaseTime + it = wall clock)
 *   Interval_Length  seconds (HdrHistogram Java and hdr_log_write_entry; the
 *                    old C hdr_log_write put an END time here, and the C
 *                    header still says "EndTimestamp": we follow Java)
 *   Interval_Max     the interval's max in MILLISECONDS (%.3f), Java's
 *                    convention of max / 1e6 for ns histograms; readers
 *                    take the max from the histogram itself
 *   histogram        base64 of the V2 compressed encoding (hcodec.h), values
 *                    in MICROSECONDS: give HistogramLogProcessor
 *                    `-outputValueUnitRatio 1000` to print milliseconds
 *   Tag=             optional; no commas, spaces or line breaks
 *
 * Header lines stay under 128 bytes: HdrHistogram_c reads them into a
 * 128-byte buffer. What the format cannot carry: our overflow and negative
 * counters (clamped values sit in the 1 h / 0 slots); report those from the
 * worker's summary. */
#ifndef SP_HLOG_H
#define SP_HLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hist.h"

#define SP_HLOG_TAG_MAX 64
#define SP_HLOG_LINE_MAX (16u << 20) /* longer lines are corrupt, not read */

/* ---- writing ----------------------------------------------------------- */

typedef struct sp_hlog_writer sp_hlog_writer;

/* Creates (truncates) path and writes the header. start_wall_ns is the
 * run's start (StartTime), base_wall_ns the zero of the line timestamps
 * (BaseTime); give every worker of a run the same base so their lines line
 * up. comment may be NULL (at most 100 characters, one line). NULL with a
 * message in err on failure. */
sp_hlog_writer *sp_hlog_writer_open(const char *path, uint64_t start_wall_ns,
                                    uint64_t base_wall_ns, const char *comment, char *err,
                                    size_t err_len);

/* Appends one interval [start_wall_ns, end_wall_ns) holding h, tagged (tag
 * NULL or "" for none). One write(2) per line. 0, or -1 with a message
 * (bad tag, interval before BaseTime or reversed, I/O error). */
int sp_hlog_writer_append(sp_hlog_writer *w, const char *tag, uint64_t start_wall_ns,
                          uint64_t end_wall_ns, const sp_hist *h, char *err, size_t err_len);

/* Closes the file (fsync first: the log outlives the run). 0 or -1 (errno). */
int sp_hlog_writer_close(sp_hlog_writer *w);

/* ---- reading ----------------------------------------------------------- */

typedef struct sp_hlog_entry {
  char tag[SP_HLOG_TAG_MAX + 1]; /* "" when untagged */
  double start_s;                /* absolute, seconds since epoch */
  double offset_s;               /* seconds since the log's StartTime */
  double length_s;
  double max_field;              /* Interval_Max as written (not trusted) */
  size_t line_no;
} sp_hlog_entry;

typedef struct sp_hlog_reader sp_hlog_reader;

/* Opens a log for reading. NULL with a message on failure. */
sp_hlog_reader *sp_hlog_reader_open(const char *path, char *err, size_t err_len);

/* Reads the next interval into *e and its histogram into h (reset first).
 * Returns 1 for an interval, 0 at the end, -1 on a corrupt line with
 * "path: line N: what" in err. A final line cut short (no newline: the
 * writer was killed mid-line) is not an error: it is skipped, reported by
 * sp_hlog_reader_truncated_line() and the reader ends. */
int sp_hlog_reader_next(sp_hlog_reader *r, sp_hlog_entry *e, sp_hist *h, char *err,
                        size_t err_len);

/* Line number of a truncated final line that was skipped, 0 if none. */
size_t sp_hlog_reader_truncated_line(const sp_hlog_reader *r);
/* StartTime / BaseTime from the header (seconds since epoch); as HdrHistogram
 * Java, without them the first interval's time is the start, and timestamps
 * more than a year before StartTime are taken as relative to it. */
double sp_hlog_reader_start_time_s(const sp_hlog_reader *r);
void sp_hlog_reader_close(sp_hlog_reader *r);

/* Which intervals a merge takes. tag NULL: every interval; "": untagged
 * only; otherwise that tag only. The range is on the interval's start, in
 * seconds since the log's StartTime (HistogramLogProcessor's -start/-end):
 * [range_start_s, range_end_s]. */
typedef struct sp_hlog_filter {
  const char *tag;
  double range_start_s;
  double range_end_s;
} sp_hlog_filter;

#define SP_HLOG_ALL ((sp_hlog_filter){NULL, 0.0, 1e300})

/* From now on sp_hlog_reader_next returns only intervals the filter takes;
 * the others are skipped without decoding their histograms (so a damaged
 * line of another tag does not stop this one) and counted. The filter is
 * copied; its tag string must outlive the reader. */
void sp_hlog_reader_set_filter(sp_hlog_reader *r, const sp_hlog_filter *filter);
/* Intervals skipped by the filter so far. */
size_t sp_hlog_reader_skipped(const sp_hlog_reader *r);

typedef struct sp_hlog_merge_stats {
  size_t intervals_merged;
  size_t intervals_skipped; /* by the filter */
  size_t truncated_line;    /* line number of a skipped truncated final line, 0 if none */
} sp_hlog_merge_stats;

/* Adds every interval of path that passes the filter into dst. On error dst
 * is unchanged and err says "path: line N: what". A truncated final line is
 * reported in stats (and logged as a warning), not an error. */
int sp_hlog_merge_file(const char *path, const sp_hlog_filter *filter, sp_hist *dst,
                       sp_hlog_merge_stats *stats, char *err, size_t err_len);

#endif
