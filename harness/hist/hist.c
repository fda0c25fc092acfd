/* hist.c: see hist.h for the bucket layout and the precision guarantee. */
#include "hist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

/* ---- lifetime ---------------------------------------------------------- */

/* A fresh histogram: calloc gives zeroed counts, then the header fields. */
sp_hist *sp_hist_new(void) {
  sp_hist *h = sp_calloc(1, sizeof *h);
  h->min_us = UINT64_MAX;
  return h;
}

void sp_hist_free(sp_hist *h) { free(h); }

void sp_hist_init(sp_hist *h) {
  memset(h, 0, sizeof *h);
  h->min_us = UINT64_MAX;
}

/* ---- recording, the cold half ------------------------------------------ */

/* Called only for out-of-range input: counts it and returns the in-range
 * value to record. Kept out of line so the inline record stays small. */
__attribute__((noinline, cold)) uint64_t sp_hist_clamp_(sp_hist *h, int64_t value,
                                                        uint64_t highest_in_unit,
                                                        uint64_t count) {
  if (value < 0) {
    h->negative_count += count;
    return 0;
  }
  SP_ASSERT((uint64_t)value > highest_in_unit);
  h->overflow_count += count;
  return SP_HIST_HIGHEST_TRACKABLE_US;
}

/* ---- whole-histogram operations ---------------------------------------- */

/* [*lo, *hi): the slots that may hold non-zero counts; empty span when the
 * histogram is empty. */
static void recorded_span(const sp_hist *h, uint32_t *lo, uint32_t *hi) {
  if (h->total_count == 0) {
    *lo = *hi = 0;
    return;
  }
  *lo = sp_hist_index_of(h->min_us);
  *hi = sp_hist_index_of(h->max_us) + 1;
}

void sp_hist_add(sp_hist *dst, const sp_hist *src) {
  SP_ASSERT(dst != src);
  uint32_t lo, hi;
  recorded_span(src, &lo, &hi);
  for (uint32_t i = lo; i < hi; i++) dst->counts[i] += src->counts[i];
  dst->total_count += src->total_count;
  dst->overflow_count += src->overflow_count;
  dst->negative_count += src->negative_count;
  if (src->min_us < dst->min_us) dst->min_us = src->min_us;
  if (src->max_us > dst->max_us) dst->max_us = src->max_us;
}

void sp_hist_reset(sp_hist *h) {
  uint32_t lo, hi;
  recorded_span(h, &lo, &hi);
  memset(h->counts + lo, 0, (hi - lo) * sizeof h->counts[0]);
  h->total_count = 0;
  h->min_us = UINT64_MAX;
  h->max_us = 0;
  h->overflow_count = 0;
  h->negative_count = 0;
}

void sp_hist_copy(sp_hist *dst, const sp_hist *src) {
  if (dst == src) return;
  sp_hist_reset(dst);
  sp_hist_add(dst, src);
}

bool sp_hist_equal(const sp_hist *a, const sp_hist *b) {
  return a->total_count == b->total_count && a->min_us == b->min_us &&
         a->max_us == b->max_us && a->overflow_count == b->overflow_count &&
         a->negative_count == b->negative_count &&
         memcmp(a->counts, b->counts, sizeof a->counts) == 0;
}

const char *sp_hist_check(const sp_hist *h) {
  uint64_t sum = 0;
  uint32_t lo, hi;
  recorded_span(h, &lo, &hi);
  if (h->total_count && (h->min_us > h->max_us || h->max_us > SP_HIST_HIGHEST_TRACKABLE_US))
    return "min/max out of order or out of range";
  if (!h->total_count && (h->min_us != UINT64_MAX || h->max_us != 0))
    return "empty histogram with a min or max";
  for (uint32_t i = 0; i < SP_HIST_COUNTS_LEN; i++) {
    if (h->counts[i] && (i < lo || i >= hi)) return "count outside the min..max span";
    sum += h->counts[i];
  }
  if (sum != h->total_count) return "total count differs from the sum of the counts";
  if (h->total_count && (h->counts[lo] == 0 || h->counts[hi - 1] == 0))
    return "no count in the slot of min or max";
  return NULL;
}

/* ---- equivalence ------------------------------------------------------- */

uint64_t sp_hist_value_at_index(uint32_t index) {
  SP_ASSERT(index < SP_HIST_COUNTS_LEN);
  int32_t bucket = (int32_t)(index >> SP_HIST_SUB_BUCKET_HALF_COUNT_MAGNITUDE) - 1;
  uint64_t sub = (index & (SP_HIST_SUB_BUCKET_HALF_COUNT - 1)) + SP_HIST_SUB_BUCKET_HALF_COUNT;
  if (bucket < 0) {
    sub -= SP_HIST_SUB_BUCKET_HALF_COUNT;
    bucket = 0;
  }
  return sub << bucket;
}

/* Values are clamped into range first, so every helper is total. */
static uint64_t in_range(uint64_t v) {
  return v > SP_HIST_HIGHEST_TRACKABLE_US ? SP_HIST_HIGHEST_TRACKABLE_US : v;
}

uint64_t sp_hist_equivalent_range(uint64_t value_us) {
  uint64_t v = in_range(value_us);
  uint32_t bucket = 53u - (uint32_t)__builtin_clzll(v | (SP_HIST_SUB_BUCKET_COUNT - 1));
  return 1ull << bucket;
}

uint64_t sp_hist_lowest_equivalent(uint64_t value_us) {
  return sp_hist_value_at_index(sp_hist_index_of(in_range(value_us)));
}

uint64_t sp_hist_highest_equivalent(uint64_t value_us) {
  return sp_hist_lowest_equivalent(value_us) + sp_hist_equivalent_range(value_us) - 1;
}

uint64_t sp_hist_median_equivalent(uint64_t value_us) {
  return sp_hist_lowest_equivalent(value_us) + (sp_hist_equivalent_range(value_us) >> 1);
}

bool sp_hist_values_equivalent(uint64_t a_us, uint64_t b_us) {
  return sp_hist_lowest_equivalent(a_us) == sp_hist_lowest_equivalent(b_us);
}

/* ---- statistics -------------------------------------------------------- */

uint64_t sp_hist_count_at(const sp_hist *h, uint64_t value_us) {
  return h->counts[sp_hist_index_of(in_range(value_us))];
}

uint64_t sp_hist_min(const sp_hist *h) {
  return h->total_count ? sp_hist_lowest_equivalent(h->min_us) : 0;
}

uint64_t sp_hist_max(const sp_hist *h) {
  return h->max_us ? sp_hist_highest_equivalent(h->max_us) : 0;
}

double sp_hist_mean(const sp_hist *h) {
  if (h->total_count == 0) return 0.0;
  double total = 0.0;
  sp_hist_iter it;
  sp_hist_iter_init(&it, h);
  while (sp_hist_iter_next(&it))
    total += (double)sp_hist_median_equivalent(it.value_lo_us) * (double)it.count;
  return total / (double)h->total_count;
}

double sp_hist_stddev(const sp_hist *h) {
  if (h->total_count == 0) return 0.0;
  double mean = sp_hist_mean(h), dev_total = 0.0;
  sp_hist_iter it;
  sp_hist_iter_init(&it, h);
  while (sp_hist_iter_next(&it)) {
    double dev = (double)sp_hist_median_equivalent(it.value_lo_us) - mean;
    dev_total += dev * dev * (double)it.count;
  }
  return sqrt(dev_total / (double)h->total_count);
}

uint64_t sp_hist_value_at_percentile(const sp_hist *h, double percentile) {
  if (h->total_count == 0) return 0;
  /* One ulp down before rounding up, as HdrHistogram Java does, so 99.0%
   * of 100 samples asks for the 99th and not (by roundoff) the 100th. */
  double p = nextafter(percentile, -INFINITY);
  p = p < 0.0 ? 0.0 : p > 100.0 ? 100.0 : p;
  uint64_t want = (uint64_t)ceil(p * (double)h->total_count / 100.0);
  if (want < 1) want = 1;
  if (want > h->total_count) want = h->total_count;
  sp_hist_iter it;
  sp_hist_iter_init(&it, h);
  while (sp_hist_iter_next(&it)) {
    if (it.cumulative_count >= want)
      return percentile == 0.0 ? it.value_lo_us : it.value_hi_us;
  }
  SP_PANIC("cumulative count never reached the total");
}

double sp_hist_percentile_at_value(const sp_hist *h, uint64_t value_us) {
  if (h->total_count == 0) return 100.0;
  uint32_t last = sp_hist_index_of(in_range(value_us));
  uint64_t below = 0;
  for (uint32_t i = 0; i <= last; i++) below += h->counts[i];
  return 100.0 * (double)below / (double)h->total_count;
}

/* ---- iteration --------------------------------------------------------- */

void sp_hist_iter_init(sp_hist_iter *it, const sp_hist *h) {
  memset(it, 0, sizeof *it);
  it->h = h;
  uint32_t lo, hi;
  recorded_span(h, &lo, &hi);
  it->index = (int64_t)lo - 1;
  it->end = hi;
}

bool sp_hist_iter_next(sp_hist_iter *it) {
  for (int64_t i = it->index + 1; i < (int64_t)it->end; i++) {
    uint64_t c = it->h->counts[i];
    if (c == 0) continue;
    it->index = i;
    it->count = c;
    it->cumulative_count += c;
    it->value_lo_us = sp_hist_value_at_index((uint32_t)i);
    it->value_hi_us = it->value_lo_us + sp_hist_equivalent_range(it->value_lo_us) - 1;
    return true;
  }
  it->index = it->end;
  return false;
}

void sp_hist_pctl_iter_init(sp_hist_pctl_iter *it, const sp_hist *h, int ticks_per_half_distance) {
  SP_ASSERT(ticks_per_half_distance > 0);
  memset(it, 0, sizeof *it);
  sp_hist_iter_init(&it->slots, h);
  it->ticks_per_half_distance = ticks_per_half_distance;
}

/* Moves the reporting level one tick on. The step halves each time the
 * remaining distance to 100% halves: the same double arithmetic as
 * HdrHistogram (log(...)/log(2), not log2), so our rows and theirs land on
 * the same levels bit for bit. */
static void next_level(sp_hist_pctl_iter *it) {
  double p = it->percentile_to_iterate_to;
  int64_t halvings = (int64_t)(log(100.0 / (100.0 - p)) / log(2)) + 1;
  SP_ASSERT(halvings >= 1 && halvings < 62);
  int64_t ticks = (int64_t)it->ticks_per_half_distance * ((int64_t)1 << halvings);
  it->percentile_to_iterate_to = p + 100.0 / (double)ticks;
}

/* The 100% row once every count has been passed (the row HdrHistogram
 * prints with 1/(1-Percentile) = inf). */
static bool last_row(sp_hist_pctl_iter *it) {
  if (it->seen_last) return false;
  it->seen_last = true;
  it->percentile = 100.0;
  it->value_us = it->slots.value_hi_us;
  it->cumulative_count = it->slots.cumulative_count;
  return true;
}

bool sp_hist_pctl_iter_next(sp_hist_pctl_iter *it) {
  const sp_hist *h = it->slots.h;
  if (it->slots.cumulative_count >= h->total_count) return last_row(it);
  if (!it->started) {
    it->started = true;
    if (!sp_hist_iter_next(&it->slots)) return last_row(it);
  }
  do {
    double current = (100.0 * (double)it->slots.cumulative_count) / (double)h->total_count;
    /* A level at 100% (reachable only by roundoff with ~2^50 samples) is
     * left to the last row rather than fed to log(100/0). */
    if (it->percentile_to_iterate_to <= current && it->percentile_to_iterate_to < 100.0) {
      it->percentile = it->percentile_to_iterate_to;
      it->value_us = it->slots.value_hi_us;
      it->cumulative_count = it->slots.cumulative_count;
      next_level(it);
      return true;
    }
  } while (sp_hist_iter_next(&it->slots));
  return last_row(it);
}
