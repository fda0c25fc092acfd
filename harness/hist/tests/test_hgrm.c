/* test_hgrm.c: .hgrm percentile distributions, written and parsed back. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hgrm.h"
#include "samples.h"
#include "sp_test.h"

/* Writes h to a memory string (caller frees). */
static char *to_text(const sp_hist *h, sp_hgrm_style style, size_t *len) {
  char *text = NULL;
  FILE *f = open_memstream(&text, len);
  REQUIRE(f != NULL);
  CHECK(sp_hgrm_write(f, h, SP_HGRM_TICKS_PER_HALF, SP_HGRM_MS, style) == 0);
  fclose(f);
  return text;
}

/* Golden text: values 500, 1000 (twice), 2500 and 10010 us, in ms.
 *
 * The expected bytes were derived by hand from HdrHistogram_c's
 * hdr_percentiles_print(h, f, 5, 1000.0, CLASSIC) and its percentile
 * iterator (hdr_histogram.c), for a histogram (1, 3600000000, 3):
 *  - header "%12s %12s %12s %12s\n\n";
 *  - reporting levels start at 0 and step by 100 / (5 * 2^k) with
 *    k = floor(log2(100 / (100 - level))) + 1: 10-point steps up to 50,
 *    5-point steps to 75, 2.5-point steps to 87.5, ...;
 *  - each level is printed at the first slot whose cumulative percentage
 *    (20, 60, 80, 100 here) reaches it, with the slot's highest equivalent
 *    value: 2500 shares the slot [2500, 2501], 10010 the slot [10008, 10015];
 *  - the slot that reaches 100% gets one row (82.5%), then the final 100%
 *    row with 1/(1-1) = inf;
 *  - rows "%12.3f %12f %12d %12.2f\n" (3 = significant figures);
 *  - footer mean/stddev over slot medians (500, 1000, 1000, 2501, 10012):
 *    3.0026 ms and 3.568 ms; max = highest equivalent of 10010 = 10.015 ms;
 *    22 buckets of 2048 sub-buckets. */
TEST(golden_classic_matches_hdrhistogram_c) {
  static const char expected[] =
      "       Value   Percentile   TotalCount 1/(1-Percentile)\n"
      "\n"
      "       0.500     0.000000            1         1.00\n"
      "       0.500     0.100000            1         1.11\n"
      "       0.500     0.200000            1         1.25\n"
      "       1.000     0.300000            3         1.43\n"
      "       1.000     0.400000            3         1.67\n"
      "       1.000     0.500000            3         2.00\n"
      "       1.000     0.550000            3         2.22\n"
      "       1.000     0.600000            3         2.50\n"
      "       2.501     0.650000            4         2.86\n"
      "       2.501     0.700000            4         3.33\n"
      "       2.501     0.750000            4         4.00\n"
      "       2.501     0.775000            4         4.44\n"
      "       2.501     0.800000            4         5.00\n"
      "      10.015     0.825000            5         5.71\n"
      "      10.015     1.000000            5          inf\n"
      "#[Mean    =        3.003, StdDeviation   =        3.568]\n"
      "#[Max     =       10.015, Total count    =            5]\n"
      "#[Buckets =           22, SubBuckets     =         2048]\n";
  sp_hist *h = sp_hist_new();
  sp_hist_record(h, 500);
  sp_hist_record_n(h, 1000, 2);
  sp_hist_record(h, 2500);
  sp_hist_record(h, 10010);
  size_t len;
  char *text = to_text(h, SP_HGRM_CLASSIC, &len);
  CHECK_EQ_STR(text, expected);
  CHECK_EQ_U64(len, strlen(expected));
  free(text);
  sp_hist_free(h);
}

/* The same histogram as HdrHistogram Java's outputPercentileDistribution
 * lays it out (header "%12s %14s %10s %14s", percentile "%2.12f", count
 * "%10d", the 100% row without its last column). */
TEST(golden_java_style) {
  sp_hist *h = sp_hist_new();
  sp_hist_record(h, 501);
  sp_hist_record(h, 2500); /* slot [2500, 2501], median 2501: mean 1501 */
  size_t len;
  char *text = to_text(h, SP_HGRM_JAVA, &len);
  CHECK_EQ_STR(text,
               "       Value     Percentile TotalCount 1/(1-Percentile)\n"
               "\n"
               "       0.501 0.000000000000          1           1.00\n"
               "       0.501 0.100000000000          1           1.11\n"
               "       0.501 0.200000000000          1           1.25\n"
               "       0.501 0.300000000000          1           1.43\n"
               "       0.501 0.400000000000          1           1.67\n"
               "       0.501 0.500000000000          1           2.00\n"
               "       2.501 0.550000000000          2           2.22\n"
               "       2.501 1.000000000000          2\n"
               "#[Mean    =        1.501, StdDeviation   =        1.000]\n"
               "#[Max     =        2.501, Total count    =            2]\n"
               "#[Buckets =           22, SubBuckets     =         2048]\n");
  free(text);
  sp_hist_free(h);
}

/* An empty histogram still gives a well-formed file: the 100% row with
 * value 0 and count 0, and a footer of zeros (HdrHistogram_c would print
 * -nan for mean and stddev; Java prints 0, as we do). */
TEST(empty_histogram_is_well_formed) {
  sp_hist *h = sp_hist_new();
  size_t len;
  char *text = to_text(h, SP_HGRM_CLASSIC, &len);
  CHECK_EQ_STR(text,
               "       Value   Percentile   TotalCount 1/(1-Percentile)\n"
               "\n"
               "       0.000     1.000000            0          inf\n"
               "#[Mean    =        0.000, StdDeviation   =        0.000]\n"
               "#[Max     =        0.000, Total count    =            0]\n"
               "#[Buckets =           22, SubBuckets     =         2048]\n");
  sp_hgrm_file f;
  char err[200];
  REQUIRE(sp_hgrm_parse(text, len, &f, err, sizeof err) == 0);
  CHECK_EQ_U64(f.row_count, 1);
  CHECK_EQ_U64(f.total_count, 0);
  CHECK(isinf(f.rows[0].inverted));
  CHECK(sp_hgrm_value_at_percentile(&f, 99) == 0.0);
  sp_hgrm_file_free(&f);
  free(text);
  sp_hist_free(h);
}

/* Written then parsed back, in every style: each row is the percentile
 * iterator's row to the file's printed precision, and the footer is the
 * histogram's. */
TEST(round_trip_every_style) {
  for (int style = SP_HGRM_CLASSIC; style <= SP_HGRM_CSV; style++) {
    for (int d = 0; d < DIST_COUNT; d++) {
      sp_hist *h = sp_hist_new();
      uint64_t seed = 500 + (uint64_t)d;
      for (int i = 0; i < 50000; i++) sp_hist_record(h, sample((dist)d, &seed));
      size_t len;
      char *text = to_text(h, (sp_hgrm_style)style, &len);
      sp_hgrm_file f;
      char err[200];
      REQUIRE(sp_hgrm_parse(text, len, &f, err, sizeof err) == 0);
      CHECK_EQ_INT(f.style, style);
      sp_hist_pctl_iter it;
      sp_hist_pctl_iter_init(&it, h, SP_HGRM_TICKS_PER_HALF);
      size_t i = 0;
      for (; sp_hist_pctl_iter_next(&it); i++) {
        REQUIRE(i < f.row_count);
        CHECK(fabs(f.rows[i].value - (double)it.value_us / 1000.0) <= 0.0005 + 1e-9);
        CHECK(fabs(f.rows[i].percentile - it.percentile / 100.0) <= 5e-7 + 1e-12);
        CHECK_EQ_U64(f.rows[i].total_count, it.cumulative_count);
      }
      CHECK_EQ_U64(i, f.row_count);
      CHECK(f.rows[f.row_count - 1].percentile == 1.0 && isinf(f.rows[f.row_count - 1].inverted));
      if (style != SP_HGRM_CSV) {
        CHECK(f.has_footer);
        CHECK(fabs(f.mean - sp_hist_mean(h) / 1000.0) <= 0.0005);
        CHECK(fabs(f.stddev - sp_hist_stddev(h) / 1000.0) <= 0.0005);
        CHECK(fabs(f.max - (double)sp_hist_max(h) / 1000.0) <= 0.0005);
        CHECK_EQ_U64(f.total_count, 50000);
        CHECK_EQ_INT(f.buckets, 22);
        CHECK_EQ_INT(f.sub_buckets, 2048);
      }
      /* p99 read off the rows is the histogram's p99 (a level sits at 99%
       * exactly: 90, 95, 97.5, 98.75, 99.0625 ... no: the row at or after). */
      double p99 = sp_hgrm_value_at_percentile(&f, 99.0);
      CHECK(p99 + 0.0005 >= (double)sp_hist_value_at_percentile(h, 99.0) / 1000.0);
      sp_hgrm_file_free(&f);
      free(text);
      sp_hist_free(h);
    }
  }
}

/* Each malformed input gets an error naming its line. */
TEST(parse_errors_name_the_line) {
  static const char head[] = "       Value   Percentile   TotalCount 1/(1-Percentile)\n\n";
  static const char foot[] = "#[Mean    =        1.000, StdDeviation   =        0.000]\n"
                             "#[Max     =        1.000, Total count    =            2]\n"
                             "#[Buckets =           22, SubBuckets     =         2048]\n";
  struct {
    const char *rows;
    const char *foot;
    const char *want;
  } cases[] = {
      {"       1.000     0.000000            1         1.00\n", "", "line 3: no #[Mean"},
      {"       x.000     0.000000            1         1.00\n", foot, "line 3: bad Value"},
      {"       1.000     1.500000            1         1.00\n", foot, "line 3: bad Percentile"},
      {"       1.000     0.500000            2         2.00\n"
       "       1.000     0.400000            2         1.67\n", foot, "line 4: Percentile goes down"},
      {"       1.000     0.500000            2         2.00\n"
       "       1.000     1.000000            1          inf\n", foot, "line 4: TotalCount goes down"},
      {"       1.000     1.000000            3          inf\n", foot,
       "line 6: footer Total count differs"},
      {"       1.000     1.000000            2          inf\n",
       "#[Mean    =        1.000, StdDeviation   =        0.000]\n", "line 4: footer cut short"},
      {"       1.000     0.500000            2\n", foot, "line 3: only the 100% row"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char text[1024], err[200];
    snprintf(text, sizeof text, "%s%s%s", head, cases[i].rows, cases[i].foot);
    sp_hgrm_file f;
    CHECK(sp_hgrm_parse(text, strlen(text), &f, err, sizeof err) == -1);
    if (strncmp(err, cases[i].want, strlen(cases[i].want)) != 0) {
      fprintf(stderr, "# case %zu: got \"%s\", want \"%s...\"\n", i, err, cases[i].want);
      CHECK(!"wrong error");
    }
    CHECK(f.rows == NULL);
  }
  char err[200];
  sp_hgrm_file f;
  CHECK(sp_hgrm_parse("hello\n", 6, &f, err, sizeof err) == -1);
  CHECK(strstr(err, "no header line") != NULL);
}

/* wrk2 prints the distribution inside its own report: the text around it
 * is skipped (and counted), the distribution read as usual. */
TEST(reads_wrk2_output) {
  static const char text[] =
      "Running 30s test @ http://127.0.0.1:80/index.html\n"
      "  Detailed Percentile spectrum:\n"
      "       Value   Percentile   TotalCount 1/(1-Percentile)\n"
      "\n"
      "       0.921     0.000000            1         1.00\n"
      "       6.671     0.500000        19783         2.00\n"
      "      12.496     1.000000        39500          inf\n"
      "#[Mean    =        6.602, StdDeviation   =        1.919]\n"
      "#[Max     =       12.496, Total count    =        39500]\n"
      "#[Buckets =           27, SubBuckets     =         2048]\n"
      "----------------------------------------------------------\n"
      "  39500 requests in 30.00s, 13.87MB read\n";
  sp_hgrm_file f;
  char err[200];
  REQUIRE(sp_hgrm_parse(text, sizeof text - 1, &f, err, sizeof err) == 0);
  CHECK_EQ_U64(f.row_count, 3);
  CHECK_EQ_U64(f.skipped_lines, 4);
  CHECK(f.mean == 6.602 && f.stddev == 1.919 && f.max == 12.496);
  CHECK_EQ_INT(f.buckets, 27);
  CHECK(sp_hgrm_value_at_percentile(&f, 50) == 6.671);
  CHECK(sp_hgrm_value_at_percentile(&f, 50.1) == 12.496);
  sp_hgrm_file_free(&f);
}

TEST(save_and_load_file) {
  sp_hist *h = sp_hist_new();
  uint64_t seed = 1;
  for (int i = 0; i < 1000; i++) sp_hist_record(h, sample(DIST_EXPONENTIAL, &seed));
  char path[512], err[300];
  snprintf(path, sizeof path, "%s/e2e.hgrm", sp_test_tmpdir());
  REQUIRE(sp_hgrm_save(path, h, 5, SP_HGRM_MS, SP_HGRM_CLASSIC, err, sizeof err) == 0);
  sp_hgrm_file f;
  REQUIRE(sp_hgrm_load(path, &f, err, sizeof err) == 0);
  CHECK_EQ_U64(f.total_count, 1000);
  sp_hgrm_file_free(&f);
  char tmp[520];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  CHECK(access(tmp, F_OK) != 0); /* renamed away */
  CHECK(sp_hgrm_load("/nonexistent/x.hgrm", &f, err, sizeof err) == -1);
  CHECK(strstr(err, "/nonexistent/x.hgrm") != NULL);
  CHECK(sp_hgrm_save("/nonexistent/x.hgrm", h, 5, SP_HGRM_MS, SP_HGRM_CLASSIC, err, sizeof err) ==
        -1);
  sp_hist_free(h);
}

/* Random damage to a distribution: parsed or rejected with a line number,
 * never a crash. */
TEST(random_damage_never_crashes) {
  sp_hist *h = sp_hist_new();
  uint64_t seed = 9;
  for (int i = 0; i < 5000; i++) sp_hist_record(h, sample(DIST_BIMODAL_TAIL, &seed));
  size_t len;
  char *text = to_text(h, SP_HGRM_CLASSIC, &len);
  char *copy = malloc(len);
  for (int round = 0; round < 500; round++) {
    memcpy(copy, text, len);
    size_t at = (size_t)(rng_next(&seed) % len), use = round % 4 == 0 ? at : len;
    if (round % 4) copy[at] = (char)(rng_next(&seed) & 0xff);
    sp_hgrm_file f;
    char err[200];
    if (sp_hgrm_parse(copy, use, &f, err, sizeof err) == 0)
      sp_hgrm_file_free(&f);
    else
      CHECK(strncmp(err, "line ", 5) == 0);
  }
  free(copy);
  free(text);
  sp_hist_free(h);
}

SP_TEST_MAIN(golden_classic_matches_hdrhistogram_c, golden_java_style,
             empty_histogram_is_well_formed, round_trip_every_style, parse_errors_name_the_line,
             reads_wrk2_output, save_and_load_file, random_damage_never_crashes)
