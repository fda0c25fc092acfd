/* hist.h: the harness's latency histogram (HDR-style, log-linear).
 *
 * One histogram per recording thread: a single writer, no atomics, no
 * locks. Workers merge them (sp_hist_add) after the run or per interval.
 *
 * Unit and range
 * --------------
 * Values are integer MICROSECONDS. Resolution is 1 us; values are tracked
 * from 0 to 1 hour (3,600,000,000 us) with 3 significant decimal digits.
 *   - sp_hist_record_ns() takes nanoseconds and truncates to whole us, so a
 *     sub-microsecond latency (0..999 ns) lands in the lowest bucket [0, 1) us:
 *     it is counted, never dropped (OMB drops sub-millisecond samples).
 *   - A value above 1 h is clamped to 1 h and counted in overflow_count.
 *   - A negative value (clock misuse) is clamped to 0 and counted in
 *     negative_count. Both are reported by the run; neither is lost.
 *
 * Bucket layout (identical to HdrHistogram with lowest discernible value 1,
 * highest trackable value 3,600,000,000, 3 significant figures, so the
 * counts array is HdrHistogram's counts array index for index and the .hlog
 * encoding declares exactly these parameters):
 *
 *   sub-bucket count 2048 (2^11: the smallest power of two >= 2 * 10^3),
 *   22 buckets, counts array length (22 + 1) * 1024 = 23,552.
 *
 *   bucket b = 53 - clz(v | 2047)    (0 for v < 2048; v in [2^(b+10), 2^(b+11)))
 *   index    = (b << 10) + (v >> b)
 *
 *     index       values               width of one slot
 *     0..2047     0..2047 us           1 us      (exact)
 *     2048..3071  2048..4094 us        2 us
 *     3072..4095  4096..8188 us        4 us
 *     ...         ...                  2^b us
 *     b*1024 + s  [s << b, (s+1) << b)  2^b us, s in [1024, 2047]
 *
 * Precision guarantee: every value v >= 1 is stored in a slot of width
 * 2^b <= v / 1024, so the highest equivalent value of v's slot (what
 * percentiles report) is within v * (1 + 1/1024) < v * 1.001: relative
 * error below 10^-3. Values below 2048 us are exact.
 *
 * Memory: 23,552 counters of 8 bytes, 184 KiB per histogram; recording
 * touches one counter (the hot ones stay in L1/L2). */
#ifndef SP_HIST_H
#define SP_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sp_assert.h"

#define SP_HIST_SIGNIFICANT_FIGURES 3
#define SP_HIST_LOWEST_DISCERNIBLE_US 1
#define SP_HIST_HIGHEST_TRACKABLE_US 3600000000ull /* 1 hour */
#define SP_HIST_HIGHEST_TRACKABLE_NS (SP_HIST_HIGHEST_TRACKABLE_US * 1000ull + 999ull)
#define SP_HIST_SUB_BUCKET_HALF_COUNT_MAGNITUDE 10
#define SP_HIST_SUB_BUCKET_HALF_COUNT 1024
#define SP_HIST_SUB_BUCKET_COUNT 2048
#define SP_HIST_BUCKET_COUNT 22
#define SP_HIST_COUNTS_LEN ((SP_HIST_BUCKET_COUNT + 1) * SP_HIST_SUB_BUCKET_HALF_COUNT)

typedef struct sp_hist {
  uint64_t total_count;    /* values recorded, clamped ones included */
  uint64_t min_us;         /* smallest recorded value (after clamping); UINT64_MAX if empty */
  uint64_t max_us;         /* largest recorded value (after clamping); 0 if empty */
  uint64_t overflow_count; /* values above 1 h, recorded as 1 h */
  uint64_t negative_count; /* negative values, recorded as 0 */
  /* Invariant: every non-zero counter lies between the slots of min_us and
   * max_us, so reset, copy and merge touch only that span. */
  uint64_t counts[SP_HIST_COUNTS_LEN];
} sp_hist;

/* ---- lifetime ---------------------------------------------------------- */

/* A new empty histogram (never NULL: allocation failure aborts). */
sp_hist *sp_hist_new(void);
void sp_hist_free(sp_hist *h);
/* Makes *h empty, for histograms embedded in other structs (zeroes all 184 KiB). */
void sp_hist_init(sp_hist *h);

/* ---- recording (hot path: inline, no atomics, ~2-4 ns) ------------------ */

/* Slot index of an in-range value (v <= SP_HIST_HIGHEST_TRACKABLE_US). */
static inline uint32_t sp_hist_index_of(uint64_t v) {
  uint32_t bucket = 53u - (uint32_t)__builtin_clzll(v | (SP_HIST_SUB_BUCKET_COUNT - 1));
  return (bucket << SP_HIST_SUB_BUCKET_HALF_COUNT_MAGNITUDE) + (uint32_t)(v >> bucket);
}

/* Out of line, cold: counts a clamped value and returns what to record. */
uint64_t sp_hist_clamp_(sp_hist *h, int64_t value, uint64_t highest_in_unit, uint64_t count);

static inline void sp_hist_add_in_range_(sp_hist *h, uint64_t v, uint64_t count) {
  h->counts[sp_hist_index_of(v)] += count;
  h->total_count += count;
  if (sp_unlikely(v < h->min_us)) h->min_us = v;
  if (sp_unlikely(v > h->max_us)) h->max_us = v;
}

/* Records one value in microseconds. */
static inline void sp_hist_record(sp_hist *h, int64_t value_us) {
  uint64_t v = (uint64_t)value_us; /* negative -> huge: one test for both ends */
  if (sp_unlikely(v > SP_HIST_HIGHEST_TRACKABLE_US))
    v = sp_hist_clamp_(h, value_us, SP_HIST_HIGHEST_TRACKABLE_US, 1);
  sp_hist_add_in_range_(h, v, 1);
}

/* Records count occurrences of one value in microseconds (count 0: no-op). */
static inline void sp_hist_record_n(sp_hist *h, int64_t value_us, uint64_t count) {
  if (count == 0) return;
  uint64_t v = (uint64_t)value_us;
  if (sp_unlikely(v > SP_HIST_HIGHEST_TRACKABLE_US))
    v = sp_hist_clamp_(h, value_us, SP_HIST_HIGHEST_TRACKABLE_US, count);
  sp_hist_add_in_range_(h, v, count);
}

/* Records one value given in nanoseconds, truncated to whole microseconds
 * (999 ns -> 0 us, 1000 ns -> 1 us): what a caller holding two
 * sp_mono_ns() readings uses. */
static inline void sp_hist_record_ns(sp_hist *h, int64_t value_ns) {
  uint64_t ns = (uint64_t)value_ns;
  uint64_t v;
  if (sp_likely(ns <= SP_HIST_HIGHEST_TRACKABLE_NS))
    v = ns / 1000u;
  else
    v = sp_hist_clamp_(h, value_ns, SP_HIST_HIGHEST_TRACKABLE_NS, 1);
  sp_hist_add_in_range_(h, v, 1);
}

/* ---- whole-histogram operations ---------------------------------------- */

/* dst += src: counts, totals, min/max, overflow and negative counters.
 * Merging N histograms gives exactly the histogram of all their samples. */
void sp_hist_add(sp_hist *dst, const sp_hist *src);
/* Makes h empty again (cost proportional to the recorded span). */
void sp_hist_reset(sp_hist *h);
/* dst = src. */
void sp_hist_copy(sp_hist *dst, const sp_hist *src);
/* True when both hold the same counts in every slot and the same counters. */
bool sp_hist_equal(const sp_hist *a, const sp_hist *b);
/* Checks the struct's invariants (total = sum of counts, every non-zero
 * slot between min and max); returns NULL or what is wrong. For tests and
 * for data decoded from files. */
const char *sp_hist_check(const sp_hist *h);

/* ---- statistics (HdrHistogram semantics) ------------------------------- */

static inline uint64_t sp_hist_count(const sp_hist *h) { return h->total_count; }
static inline uint64_t sp_hist_overflow_count(const sp_hist *h) { return h->overflow_count; }
static inline uint64_t sp_hist_negative_count(const sp_hist *h) { return h->negative_count; }
/* Count recorded in v's slot. */
uint64_t sp_hist_count_at(const sp_hist *h, uint64_t value_us);
/* Lowest equivalent value of the smallest recorded value; 0 if empty. */
uint64_t sp_hist_min(const sp_hist *h);
/* Highest equivalent value of the largest recorded value; 0 if empty. */
uint64_t sp_hist_max(const sp_hist *h);
/* Mean and standard deviation over slot medians (as HdrHistogram); 0 if empty. */
double sp_hist_mean(const sp_hist *h);
double sp_hist_stddev(const sp_hist *h);
/* The value at a percentile (0..100): the highest equivalent value of the
 * first slot at which at least percentile% of all values are <= it
 * (HdrHistogram Java's getValueAtPercentile: count rounded up, so "p99"
 * really has 99% of the samples at or below it). Percentile 0 gives the
 * lowest equivalent value of the minimum. 0 for an empty histogram. */
uint64_t sp_hist_value_at_percentile(const sp_hist *h, double percentile);
/* Percentage (0..100) of recorded values in slots at or below v's slot. */
double sp_hist_percentile_at_value(const sp_hist *h, uint64_t value_us);

/* ---- equivalence: which values share a slot ---------------------------- */

/* Value of the first integer in slot index (HdrHistogram valueFromIndex). */
uint64_t sp_hist_value_at_index(uint32_t index);
/* Width of v's slot in us (1 below 2048 us, then 2, 4, 8, ...). */
uint64_t sp_hist_equivalent_range(uint64_t value_us);
uint64_t sp_hist_lowest_equivalent(uint64_t value_us);
uint64_t sp_hist_highest_equivalent(uint64_t value_us);
uint64_t sp_hist_median_equivalent(uint64_t value_us);
bool sp_hist_values_equivalent(uint64_t a_us, uint64_t b_us);

/* ---- iteration --------------------------------------------------------- */

/* One non-empty slot: values [value_lo_us, value_hi_us] were counted
 * `count` times; `cumulative_count` includes this slot and all below. */
typedef struct sp_hist_iter {
  const sp_hist *h;
  int64_t index; /* current slot, -1 before the first */
  uint32_t end;  /* one past the last slot worth visiting */
  uint64_t count;
  uint64_t cumulative_count;
  uint64_t value_lo_us;
  uint64_t value_hi_us;
} sp_hist_iter;

void sp_hist_iter_init(sp_hist_iter *it, const sp_hist *h);
/* Advances to the next non-empty slot, lowest first; false when done. */
bool sp_hist_iter_next(sp_hist_iter *it);

/* Percentile iteration, the rows of an .hgrm file (HdrHistogram's
 * percentile iterator): reporting levels 0%, then ticks_per_half_distance
 * steps per halving of the distance to 100% (5: 0, 10, 20, .. 50, 55, ..
 * 75, 77.5, ..), each reported at the first slot that reaches it; the last
 * row is 100%. */
typedef struct sp_hist_pctl_iter {
  sp_hist_iter slots;
  int ticks_per_half_distance;
  double percentile_to_iterate_to;
  bool started;
  bool seen_last;
  /* the current row */
  double percentile;          /* 0..100 */
  uint64_t value_us;          /* highest equivalent value of the slot */
  uint64_t cumulative_count;  /* values at or below value_us */
} sp_hist_pctl_iter;

void sp_hist_pctl_iter_init(sp_hist_pctl_iter *it, const sp_hist *h, int ticks_per_half_distance);
bool sp_hist_pctl_iter_next(sp_hist_pctl_iter *it);

#endif
