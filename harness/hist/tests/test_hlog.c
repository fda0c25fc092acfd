/* test_hlog.c: HdrHistogram interval logs, written, read back, merged, and
 * damaged the ways a killed worker or a bad disk damages them. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hlog.h"
#include "samples.h"
#include "sp_test.h"

#define BASE_NS 1700000000000000000ull /* 2023-11-14T22:13:20Z */
#define SEC 1000000000ull

static const char *const tags[] = {"publish", "e2e", ""};

/* Writes 3 seconds x 3 tags of samples to dir/name; fills want[tag] with the
 * per-tag totals and per-interval histograms into ivals (9 of them). */
static void write_log(const char *path, sp_hist *want[3], sp_hist *ivals[9]) {
  char err[200];
  sp_hlog_writer *w = sp_hlog_writer_open(path, BASE_NS, BASE_NS, "streamproof test", err,
                                          sizeof err);
  REQUIRE(w != NULL);
  uint64_t seed = 2024;
  for (int s = 0; s < 3; s++) {
    for (int t = 0; t < 3; t++) {
      sp_hist *h = ivals[s * 3 + t];
      for (int i = 0; i < 2000; i++) sp_hist_record(h, sample((dist)t, &seed));
      sp_hist_add(want[t], h);
      uint64_t start = BASE_NS + (uint64_t)s * SEC;
      REQUIRE(sp_hlog_writer_append(w, tags[t], start, start + SEC, h, err, sizeof err) == 0);
    }
  }
  CHECK(sp_hlog_writer_close(w) == 0);
}

typedef struct fixture {
  char path[512];
  sp_hist *want[3], *ivals[9];
} fixture;

static void setup(fixture *f) {
  snprintf(f->path, sizeof f->path, "%s/worker-0.hlog", sp_test_tmpdir());
  for (int i = 0; i < 3; i++) f->want[i] = sp_hist_new();
  for (int i = 0; i < 9; i++) f->ivals[i] = sp_hist_new();
  write_log(f->path, f->want, f->ivals);
}

static void teardown(fixture *f) {
  for (int i = 0; i < 3; i++) sp_hist_free(f->want[i]);
  for (int i = 0; i < 9; i++) sp_hist_free(f->ivals[i]);
}

static char *slurp(const char *path, size_t *len) {
  FILE *fp = fopen(path, "rb");
  REQUIRE(fp != NULL);
  fseek(fp, 0, SEEK_END);
  *len = (size_t)ftell(fp);
  rewind(fp);
  char *text = malloc(*len + 1);
  REQUIRE(fread(text, 1, *len, fp) == *len);
  text[*len] = '\0';
  fclose(fp);
  return text;
}

static void spit(const char *path, const char *text, size_t len) {
  FILE *fp = fopen(path, "wb");
  REQUIRE(fp != NULL);
  REQUIRE(fwrite(text, 1, len, fp) == len);
  fclose(fp);
}

/* The header is HdrHistogram's, every line short enough for HdrHistogram_c's
 * 128-byte header reader. */
TEST(header_format) {
  fixture f;
  setup(&f);
  size_t len;
  char *text = slurp(f.path, &len);
  const char *want = "#[streamproof test]\n"
                     "#[Histogram log format version 1.3]\n"
                     "#[StartTime: 1700000000.000 (seconds since epoch), Tue Nov 14 22:13:20 UTC 2023]\n"
                     "#[BaseTime: 1700000000.000 (seconds since epoch)]\n"
                     "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
                     "\"Interval_Compressed_Histogram\"\n"
                     "Tag=publish,0.000,1.000,";
  CHECK(strncmp(text, want, strlen(want)) == 0);
  CHECK(strstr(text, "\n2.000,1.000,") != NULL); /* an untagged line */
  for (char *line = text, *nl; (nl = strchr(line, '\n')); line = nl + 1)
    if (line[0] == '#' || line[0] == '"') CHECK(nl - line < 127);
  /* Interval_Max is the interval's max in ms. */
  char expect_max[64];
  snprintf(expect_max, sizeof expect_max, "Tag=publish,0.000,1.000,%.3f,HISTF",
           (double)sp_hist_max(f.ivals[0]) / 1000.0);
  CHECK(strstr(text, expect_max) != NULL);
  free(text);
  teardown(&f);
}

/* Several tagged intervals read back in order, each histogram identical
 * slot for slot. */
TEST(read_back_every_interval) {
  fixture f;
  setup(&f);
  char err[300];
  sp_hlog_reader *r = sp_hlog_reader_open(f.path, err, sizeof err);
  REQUIRE(r != NULL);
  sp_hist *h = sp_hist_new();
  sp_hlog_entry e;
  int n = 0, rc;
  while ((rc = sp_hlog_reader_next(r, &e, h, err, sizeof err)) == 1) {
    REQUIRE(n < 9);
    CHECK_EQ_STR(e.tag, tags[n % 3]);
    CHECK(e.start_s == 1700000000.0 + n / 3);
    CHECK(e.offset_s == n / 3);
    CHECK(e.length_s == 1.0);
    CHECK_EQ_U64(e.line_no, (size_t)(6 + n));
    CHECK(memcmp(h->counts, f.ivals[n]->counts, sizeof h->counts) == 0);
    CHECK_EQ_U64(sp_hist_count(h), sp_hist_count(f.ivals[n]));
    n++;
  }
  CHECK_EQ_INT(rc, 0);
  CHECK_EQ_INT(n, 9);
  CHECK_EQ_U64(sp_hlog_reader_truncated_line(r), 0);
  CHECK(sp_hlog_reader_start_time_s(r) == 1700000000.0);
  sp_hlog_reader_close(r);
  sp_hist_free(h);
  teardown(&f);
}

/* Merging by tag and by time range gives the sums of those intervals. */
TEST(merge_with_filters) {
  fixture f;
  setup(&f);
  char err[300];
  sp_hlog_merge_stats st;
  for (int t = 0; t < 3; t++) {
    sp_hist *got = sp_hist_new();
    sp_hlog_filter flt = SP_HLOG_ALL;
    flt.tag = tags[t];
    REQUIRE(sp_hlog_merge_file(f.path, &flt, got, &st, err, sizeof err) == 0);
    CHECK_EQ_U64(st.intervals_merged, 3);
    CHECK_EQ_U64(st.intervals_skipped, 6);
    CHECK(memcmp(got->counts, f.want[t]->counts, sizeof got->counts) == 0);
    sp_hist_free(got);
  }
  sp_hist *all = sp_hist_new(), *want = sp_hist_new();
  for (int t = 0; t < 3; t++) sp_hist_add(want, f.want[t]);
  sp_hlog_filter every = SP_HLOG_ALL;
  REQUIRE(sp_hlog_merge_file(f.path, &every, all, &st, err, sizeof err) == 0);
  CHECK_EQ_U64(st.intervals_merged, 9);
  CHECK(memcmp(all->counts, want->counts, sizeof all->counts) == 0);
  /* seconds 1..1 of the e2e tag: the middle interval only */
  sp_hist *mid = sp_hist_new();
  sp_hlog_filter range = {"e2e", 1.0, 1.5};
  REQUIRE(sp_hlog_merge_file(f.path, &range, mid, &st, err, sizeof err) == 0);
  CHECK_EQ_U64(st.intervals_merged, 1);
  CHECK(memcmp(mid->counts, f.ivals[4]->counts, sizeof mid->counts) == 0);
  sp_hist_free(mid);
  sp_hist_free(all);
  sp_hist_free(want);
  teardown(&f);
}

/* A worker killed mid-line leaves a final line without its newline: the
 * reader skips it, says which line it was, and keeps everything before. */
TEST(truncated_final_line_is_reported_and_skipped) {
  fixture f;
  setup(&f);
  size_t len;
  char *text = slurp(f.path, &len);
  for (size_t cut = 1; cut < 60; cut += 7) { /* newline gone, and some base64 too */
    spit(f.path, text, len - cut);
    sp_hist *got = sp_hist_new(), *want = sp_hist_new();
    for (int i = 0; i < 8; i++) sp_hist_add(want, f.ivals[i]);
    sp_hlog_merge_stats st;
    char err[300];
    sp_hlog_filter every = SP_HLOG_ALL;
    REQUIRE(sp_hlog_merge_file(f.path, &every, got, &st, err, sizeof err) == 0);
    CHECK_EQ_U64(st.intervals_merged, 8);
    CHECK_EQ_U64(st.truncated_line, 14);
    CHECK(memcmp(got->counts, want->counts, sizeof got->counts) == 0);
    sp_hist_free(got);
    sp_hist_free(want);
  }
  free(text);
  teardown(&f);
}

/* A complete line whose base64 is damaged is an error naming the file and
 * the line; the destination histogram is left as it was. */
TEST(corrupt_base64_names_the_line) {
  fixture f;
  setup(&f);
  size_t len;
  char *text = slurp(f.path, &len);
  char *line7 = text;
  for (int i = 1; i < 7; i++) line7 = strchr(line7, '\n') + 1;
  char *b64 = strstr(line7, "HISTF");
  REQUIRE(b64 != NULL);
  b64[10] = '!';
  spit(f.path, text, len);
  sp_hist *dst = sp_hist_new();
  sp_hist_record(dst, 42);
  sp_hlog_merge_stats st;
  char err[300];
  sp_hlog_filter every = SP_HLOG_ALL;
  CHECK(sp_hlog_merge_file(f.path, &every, dst, &st, err, sizeof err) == -1);
  CHECK(strstr(err, "worker-0.hlog: line 7: base64: invalid character at column") != NULL);
  CHECK_EQ_U64(sp_hist_count(dst), 1);
  /* A filtered merge does not decode other tags' lines: line 7 is "e2e". */
  sp_hlog_filter publish = {"publish", 0.0, 1e300};
  REQUIRE(sp_hlog_merge_file(f.path, &publish, dst, &st, err, sizeof err) == 0);
  CHECK_EQ_U64(st.intervals_merged, 3);
  CHECK_EQ_U64(st.intervals_skipped, 6);
  CHECK_EQ_U64(sp_hist_count(dst), 1 + sp_hist_count(f.want[0]));
  sp_hist_reset(dst);
  sp_hist_record(dst, 42);
  /* Valid base64 of a damaged histogram, and a bad timestamp: also named. */
  b64[10] = b64[10 + 1] == 'A' ? 'B' : 'A';
  spit(f.path, text, len);
  CHECK(sp_hlog_merge_file(f.path, &every, dst, &st, err, sizeof err) == -1);
  CHECK(strstr(err, "line 7: histogram: ") != NULL);
  memcpy(line7, "x.000", 5);
  spit(f.path, text, len);
  CHECK(sp_hlog_merge_file(f.path, &every, dst, &st, err, sizeof err) == -1);
  CHECK(strstr(err, "line 7: bad StartTimestamp") != NULL);
  CHECK_EQ_U64(sp_hist_count(dst), 1);
  free(text);
  sp_hist_free(dst);
  teardown(&f);
}

TEST(writer_rejects_bad_arguments) {
  char path[512], err[200];
  snprintf(path, sizeof path, "%s/w.hlog", sp_test_tmpdir());
  sp_hlog_writer *w = sp_hlog_writer_open(path, BASE_NS, BASE_NS, NULL, err, sizeof err);
  REQUIRE(w != NULL);
  sp_hist *h = sp_hist_new();
  CHECK(sp_hlog_writer_append(w, "a,b", BASE_NS, BASE_NS + SEC, h, err, sizeof err) == -1);
  CHECK(strstr(err, "comma") != NULL);
  CHECK(sp_hlog_writer_append(w, "a b", BASE_NS, BASE_NS + SEC, h, err, sizeof err) == -1);
  CHECK(sp_hlog_writer_append(w, NULL, BASE_NS - SEC, BASE_NS, h, err, sizeof err) == -1);
  CHECK(strstr(err, "before BaseTime") != NULL);
  CHECK(sp_hlog_writer_append(w, NULL, BASE_NS + SEC, BASE_NS, h, err, sizeof err) == -1);
  CHECK(sp_hlog_writer_append(w, NULL, BASE_NS, BASE_NS + SEC, h, err, sizeof err) == 0);
  CHECK(sp_hlog_writer_close(w) == 0);
  CHECK(sp_hlog_writer_open(path, BASE_NS, BASE_NS, "two\nlines", err, sizeof err) == NULL);
  CHECK(sp_hlog_writer_open("/nonexistent/x.hlog", BASE_NS, BASE_NS, NULL, err, sizeof err) ==
        NULL);
  CHECK(strstr(err, "/nonexistent/x.hlog") != NULL);
  /* the empty interval written above reads back empty */
  sp_hlog_merge_stats st;
  sp_hlog_filter every = SP_HLOG_ALL;
  sp_hist_record(h, 1);
  REQUIRE(sp_hlog_merge_file(path, &every, h, &st, err, sizeof err) == 0);
  CHECK_EQ_U64(st.intervals_merged, 1);
  CHECK_EQ_U64(sp_hist_count(h), 1);
  sp_hist_free(h);
}

/* A log as other writers make it: no BaseTime, timestamps relative to
 * StartTime (HdrHistogram Java's rule: more than a year before StartTime
 * means relative), CRLF line ends, comments between lines, the C writer's
 * "EndTimestamp" legend. */
TEST(reads_foreign_conventions) {
  char path[512], err[300];
  snprintf(path, sizeof path, "%s/w.hlog", sp_test_tmpdir());
  sp_hist *h = sp_hist_new();
  sp_hist_record_n(h, 700, 3);
  sp_hlog_writer *w = sp_hlog_writer_open(path, BASE_NS, 0, NULL, err, sizeof err);
  REQUIRE(w != NULL); /* base 0: absolute timestamps, as jHiccup writes them */
  REQUIRE(sp_hlog_writer_append(w, "x", BASE_NS + 2 * SEC, BASE_NS + 3 * SEC, h, err, sizeof err) == 0);
  sp_hlog_writer_close(w);
  size_t len;
  char *text = slurp(path, &len);
  char *line = strstr(text, "Tag=x,");
  char *b64 = strrchr(line, ',') + 1;
  b64[strlen(b64) - 1] = '\0';
  char doc[4096];
  snprintf(doc, sizeof doc,
           "#[Histogram log format version 1.2]\r\n"
           "#[StartTime: 1700000000.000 (seconds since epoch), Tue Nov 14 22:13:20 NZDT 2023]\r\n"
           "\"StartTimestamp\",\"EndTimestamp\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\r\n"
           "5.000,1.000,700.0,%s\r\n"
           "#[a comment between intervals]\r\n"
           "\r\n"
           "1700000007.500,1.000,0.700,%s\r\n",
           b64, b64);
  spit(path, doc, strlen(doc));
  sp_hlog_reader *r = sp_hlog_reader_open(path, err, sizeof err);
  REQUIRE(r != NULL);
  sp_hlog_entry e;
  REQUIRE(sp_hlog_reader_next(r, &e, h, err, sizeof err) == 1);
  CHECK(e.start_s == 1700000005.0);
  CHECK(e.offset_s == 5.0);
  CHECK_EQ_STR(e.tag, "");
  CHECK_EQ_U64(sp_hist_count_at(h, 700), 3);
  /* once BaseTime is settled (relative), later lines use it too */
  REQUIRE(sp_hlog_reader_next(r, &e, h, err, sizeof err) == 1);
  CHECK(e.start_s == 1700000000.0 + 1700000007.5);
  CHECK_EQ_U64(sp_hlog_reader_next(r, &e, h, err, sizeof err), 0);
  sp_hlog_reader_close(r);
  free(text);
  sp_hist_free(h);
}

/* Random damage anywhere in a log (a byte changed, the file cut at any
 * point): the reader returns intervals, an error naming a line, or a
 * reported truncated line; never a crash (ASan checks every access). */
TEST(random_damage_never_crashes) {
  fixture f;
  setup(&f);
  size_t len;
  char *text = slurp(f.path, &len);
  char *copy = malloc(len);
  uint64_t seed = 5;
  for (int round = 0; round < 300; round++) {
    memcpy(copy, text, len);
    size_t at = (size_t)(rng_next(&seed) % len), use = len;
    if (round % 3 == 0) use = at; /* cut short */
    else copy[at] = (char)(rng_next(&seed) & 0xff);
    spit(f.path, copy, use);
    sp_hist *dst = sp_hist_new();
    sp_hlog_merge_stats st;
    char err[300];
    sp_hlog_filter every = SP_HLOG_ALL;
    if (sp_hlog_merge_file(f.path, &every, dst, &st, err, sizeof err) == 0)
      CHECK(sp_hist_check(dst) == NULL && st.intervals_merged <= 9);
    else
      CHECK(strstr(err, ": line ") != NULL && sp_hist_count(dst) == 0);
    sp_hist_free(dst);
  }
  free(copy);
  free(text);
  teardown(&f);
}

SP_TEST_MAIN(header_format, read_back_every_interval, merge_with_filters,
             truncated_final_line_is_reported_and_skipped, corrupt_base64_names_the_line,
             writer_rejects_bad_arguments, reads_foreign_conventions, random_damage_never_crashes)
