/* latency.h: the run's latency figures, from the workers' interval logs.
 *
 * Every worker writes <run>/hlog/<name>-<id>.hlog: one line per tag per
 * second (harness/hist/hlog.h), all with BaseTime = StartTime = the run's
 * t0 on the wall clock, so interval k starts at offset k. After the run
 * latency_scan reads them all once and produces
 *   - per tag, the merged histogram of the measured window (warm-up
 *     excluded, drain included: the messages acknowledged or consumed then
 *     were sent during the measured phase), for the .hgrm files and the
 *     summary's aggregates;
 *   - per tag and second, the summary statistics of that second across all
 *     workers (the timeline and the summary's per-sample lists), kept as
 *     sparse slot lists while reading so memory stays proportional to the
 *     distinct latencies, not to seconds x 184 KiB;
 *   - <run>/latency.hlog: every worker's intervals in one log (the data
 *     lines copied as written, a comment naming each worker), readable by
 *     HistogramLogProcessor and HistogramLogAnalyzer.
 * A worker killed mid-line leaves a truncated last line: skipped, counted. */
#ifndef SP_LATENCY_H
#define SP_LATENCY_H

#include <stddef.h>
#include <stdint.h>

#include "hist.h"

enum {
  LAT_PUBLISH = 0,          /* ack - intended (corrected) */
  LAT_PUBLISH_UNCORRECTED,  /* ack - sent */
  LAT_PUBLISH_DELAY,        /* sent - intended */
  LAT_E2E,                  /* consume - intended (corrected) */
  LAT_E2E_UNCORRECTED,      /* consume - sent */
  LAT_TAGS
};

extern const char *const lat_tag_names[LAT_TAGS];

/* One second of one tag, all workers merged. Microseconds. */
typedef struct lat_second {
  uint64_t count;
  double mean;
  uint64_t p50, p75, p95, p99, p999, p9999, max;
} lat_second;

typedef struct latency_set {
  sp_hist *total[LAT_TAGS]; /* the measured window */
  lat_second *sec[LAT_TAGS]; /* [n_seconds] */
  size_t n_seconds;
  size_t files, intervals, truncated_lines;
} latency_set;

/* Scans every .hlog of hlog_dir. Intervals starting at offset s with
 * window_start_s <= s < window_end_s go into the totals; every interval
 * with 0 <= s < n_seconds into its second. combined_path (may be NULL)
 * receives the merged log. 0, or -1 with err (a corrupt line names its
 * file and line; the set then holds what was read before). */
int latency_scan(const char *hlog_dir, double window_start_s, double window_end_s, size_t n_seconds,
                 const char *combined_path, latency_set *out, char *err, size_t err_len);
void latency_free(latency_set *s);

/* Fills a lat_second from a histogram. */
void lat_second_of(const sp_hist *h, lat_second *out);

#endif
