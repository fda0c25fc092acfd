/* test_bands.c: faults.jsonl -> fault windows (fault_bands.h): pairing of
 * injects and heals, failed injects, never-healed faults, both line
 * formats, damaged lines, label rows, the CSV the scripts read. */
#include <stdio.h>
#include <string.h>

#include "fault_bands.h"
#include "sp_test.h"

/* Parses text with the run ending at end_s. */
static void parse(const char *text, double end_s, fault_list *fl, notes *nt) {
  fault_list_parse(text, strlen(text), end_s, fl, nt);
}

TEST(inject_and_heal_make_one_band) {
  const char *text =
      "{\"mono_ns\":1,\"wall\":\"x\",\"t_s\":8.0027,\"fault\":\"broker-crash\",\"kind\":\"kill\",\"target\":\"broker\","
      "\"action\":\"inject\",\"occurrence\":0,\"params\":{\"restart_after_s\":2.0},\"result\":\"ok\",\"detail\":\"killed by SIGKILL\"}\n"
      "{\"t_s\":10.0228,\"fault\":\"broker-crash\",\"kind\":\"kill\",\"target\":\"broker\",\"action\":\"heal\","
      "\"occurrence\":0,\"result\":\"ok\",\"detail\":\"restart; incarnation 1\"}\n";
  fault_list fl;
  notes nt = {0};
  parse(text, 30, &fl, &nt);
  CHECK_EQ_INT(fl.n_events, 2);
  REQUIRE(fl.n_bands == 1);
  CHECK(fl.bands[0].start_s == 8.0027);
  CHECK(fl.bands[0].end_s == 10.0228);
  CHECK_EQ_INT(fl.bands[0].healed, 1);
  CHECK_EQ_STR(fl.bands[0].label, "broker-crash: kill broker");
  CHECK_EQ_STR(fl.events[0].detail, "killed by SIGKILL");
  CHECK_EQ_STR(fl.events[0].params, "{\"restart_after_s\":2.0}");
  CHECK(fl.events[0].error == NULL);
  CHECK_EQ_INT(nt.n, 0);
  fault_list_free(&fl);
  notes_free(&nt);
}

TEST(occurrences_pair_with_their_own_heal) {
  /* Two occurrences of one fault on one target, the second healed first
   * in the file order cannot happen, but two targets interleave. */
  const char *text =
      "{\"t_s\":4,\"fault\":\"c\",\"kind\":\"kill\",\"target\":\"consumer:0\",\"action\":\"inject\",\"occurrence\":0,\"result\":\"ok\"}\n"
      "{\"t_s\":4.5,\"fault\":\"c\",\"kind\":\"kill\",\"target\":\"consumer:1\",\"action\":\"inject\",\"occurrence\":1,\"result\":\"ok\"}\n"
      "{\"t_s\":5,\"fault\":\"c\",\"kind\":\"kill\",\"target\":\"consumer:0\",\"action\":\"heal\",\"occurrence\":0,\"result\":\"ok\"}\n"
      "{\"t_s\":5.5,\"fault\":\"c\",\"kind\":\"kill\",\"target\":\"consumer:0\",\"action\":\"rearm\",\"occurrence\":0,\"result\":\"ok\"}\n"
      "{\"t_s\":6,\"fault\":\"c\",\"kind\":\"kill\",\"target\":\"consumer:1\",\"action\":\"heal\",\"occurrence\":1,\"result\":\"ok\"}\n"
      "{\"t_s\":11,\"fault\":\"c\",\"kind\":\"kill\",\"target\":\"consumer:0\",\"action\":\"inject\",\"occurrence\":2,\"result\":\"ok\"}\n"
      "{\"t_s\":12,\"fault\":\"c\",\"kind\":\"kill\",\"target\":\"consumer:0\",\"action\":\"heal\",\"occurrence\":2,\"result\":\"ok\"}\n";
  fault_list fl;
  notes nt = {0};
  parse(text, 30, &fl, &nt);
  CHECK_EQ_INT(fl.n_events, 7);
  REQUIRE(fl.n_bands == 3);
  CHECK(fl.bands[0].start_s == 4 && fl.bands[0].end_s == 5);
  CHECK(fl.bands[1].start_s == 4.5 && fl.bands[1].end_s == 6);
  CHECK_EQ_STR(fl.bands[1].label, "c: kill consumer:1");
  CHECK(fl.bands[2].start_s == 11 && fl.bands[2].end_s == 12);
  fault_list_free(&fl);
  notes_free(&nt);
}

TEST(without_occurrence_the_oldest_open_inject_is_healed) {
  /* The README's older form: t_mono_ns/t_wall, result "error: why", no occurrence. */
  const char *text =
      "{\"t_mono_ns\":1,\"t_s\":2,\"fault\":\"p\",\"kind\":\"pause\",\"target\":\"broker\",\"action\":\"inject\",\"result\":\"ok\"}\n"
      "{\"t_s\":3,\"fault\":\"p\",\"kind\":\"pause\",\"target\":\"broker\",\"action\":\"inject\",\"result\":\"ok\"}\n"
      "{\"t_s\":5,\"fault\":\"p\",\"kind\":\"pause\",\"target\":\"broker\",\"action\":\"heal\",\"result\":\"ok\"}\n"
      "{\"t_s\":7,\"fault\":\"p\",\"kind\":\"pause\",\"target\":\"broker\",\"action\":\"heal\",\"result\":\"ok\"}\n";
  fault_list fl;
  notes nt = {0};
  parse(text, 30, &fl, &nt);
  REQUIRE(fl.n_bands == 2);
  CHECK(fl.bands[0].start_s == 2 && fl.bands[0].end_s == 5);
  CHECK(fl.bands[1].start_s == 3 && fl.bands[1].end_s == 7);
  fault_list_free(&fl);
  notes_free(&nt);
}

TEST(failed_inject_draws_no_band_but_is_listed) {
  const char *text =
      "{\"t_s\":2,\"fault\":\"x\",\"kind\":\"fiu\",\"target\":\"broker\",\"action\":\"inject\",\"occurrence\":0,"
      "\"result\":\"error\",\"error\":\"no process for target broker\"}\n"
      "{\"t_s\":4,\"fault\":\"x\",\"kind\":\"fiu\",\"target\":\"broker\",\"action\":\"heal\",\"occurrence\":0,"
      "\"result\":\"ok\",\"detail\":\"skipped: the inject did not take effect\"}\n"
      "{\"t_s\":6,\"fault\":\"y\",\"kind\":\"net\",\"target\":\"link\",\"action\":\"inject\",\"result\":\"error: proxy down\"}\n";
  fault_list fl;
  notes nt = {0};
  parse(text, 30, &fl, &nt);
  CHECK_EQ_INT(fl.n_events, 3);
  CHECK_EQ_INT(fl.n_bands, 0);
  CHECK_EQ_STR(fl.events[0].error, "no process for target broker");
  CHECK(fl.events[1].error == NULL);
  CHECK_EQ_STR(fl.events[2].error, "proxy down");
  fault_list_free(&fl);
  notes_free(&nt);
}

TEST(never_healed_fault_lasts_to_the_end) {
  const char *text = "{\"t_s\":20,\"fault\":\"k\",\"kind\":\"kill\",\"target\":\"producer:0\",\"action\":\"inject\",\"result\":\"ok\"}\n";
  fault_list fl;
  notes nt = {0};
  parse(text, 27.5, &fl, &nt);
  REQUIRE(fl.n_bands == 1);
  CHECK(fl.bands[0].end_s == 27.5);
  CHECK_EQ_INT(fl.bands[0].healed, 0);
  fault_list_free(&fl);
  /* A run end before the inject (no timeline): the band is empty, not negative. */
  parse(text, 0, &fl, &nt);
  REQUIRE(fl.n_bands == 1);
  CHECK(fl.bands[0].end_s == 20);
  fault_list_free(&fl);
  notes_free(&nt);
}

TEST(damaged_lines_are_noted_and_skipped) {
  const char *text =
      "{\"t_s\":1,\"fault\":\"a\",\"kind\":\"kill\",\"target\":\"broker\",\"action\":\"inject\",\"result\":\"ok\"}\n"
      "this is not json\n"
      "\n"
      "[1,2,3]\n"
      "{\"fault\":\"no time\",\"action\":\"inject\"}\n"
      "{\"t_s\":2,\"fault\":\"a\",\"kind\":\"kill\",\"target\":\"broker\",\"action\":\"heal\",\"result\":\"ok\"}\n"
      "{\"t_s\":3,\"fault\":\"b\",\"kind\":\"ki";  /* cut: the writer died mid-line */
  fault_list fl;
  notes nt = {0};
  parse(text, 10, &fl, &nt);
  CHECK_EQ_INT(fl.n_events, 2);
  CHECK_EQ_INT(fl.n_bands, 1);
  REQUIRE(nt.n == 4);
  CHECK(strstr(nt.v[0], "line 2") != NULL);
  CHECK(strstr(nt.v[1], "line 4") != NULL);
  CHECK(strstr(nt.v[2], "line 5") != NULL);
  CHECK(strstr(nt.v[3], "line 7") != NULL && strstr(nt.v[3], "cut short") != NULL);
  fault_list_free(&fl);
  notes_free(&nt);
}

TEST(labels_are_safe_for_the_csv) {
  const char *text = "{\"t_s\":1,\"fault\":\"a,b \\\"q\\\" 'x'\",\"kind\":\"kill\",\"target\":\"t\",\"action\":\"inject\",\"result\":\"ok\"}\n";
  fault_list fl;
  notes nt = {0};
  parse(text, 10, &fl, &nt);
  REQUIRE(fl.n_bands == 1);
  CHECK_EQ_STR(fl.bands[0].label, "a;b q x: kill t");
  fault_list_free(&fl);
  notes_free(&nt);
}

TEST(label_rows_keep_neighbours_apart) {
  /* Labels 10 characters wide at 1 s per character: 10 s each. */
  const char *text =
      "{\"t_s\":10,\"fault\":\"aaaa\",\"kind\":\"k\",\"target\":\"t\",\"action\":\"inject\",\"result\":\"ok\"}\n"
      "{\"t_s\":12,\"fault\":\"aaaa\",\"kind\":\"k\",\"target\":\"t\",\"action\":\"heal\",\"result\":\"ok\"}\n"
      "{\"t_s\":14,\"fault\":\"bbbb\",\"kind\":\"k\",\"target\":\"t\",\"action\":\"inject\",\"result\":\"ok\"}\n"
      "{\"t_s\":16,\"fault\":\"bbbb\",\"kind\":\"k\",\"target\":\"t\",\"action\":\"heal\",\"result\":\"ok\"}\n"
      "{\"t_s\":40,\"fault\":\"cccc\",\"kind\":\"k\",\"target\":\"t\",\"action\":\"inject\",\"result\":\"ok\"}\n"
      "{\"t_s\":42,\"fault\":\"cccc\",\"kind\":\"k\",\"target\":\"t\",\"action\":\"heal\",\"result\":\"ok\"}\n"
      "{\"t_s\":41,\"fault\":\"dddd\",\"kind\":\"k\",\"target\":\"t\",\"action\":\"inject\",\"result\":\"ok\"}\n"
      "{\"t_s\":43,\"fault\":\"dddd\",\"kind\":\"k\",\"target\":\"t\",\"action\":\"heal\",\"result\":\"ok\"}\n"
      "{\"t_s\":42,\"fault\":\"eeee\",\"kind\":\"k\",\"target\":\"t\",\"action\":\"inject\",\"result\":\"ok\"}\n"
      "{\"t_s\":44,\"fault\":\"eeee\",\"kind\":\"k\",\"target\":\"t\",\"action\":\"heal\",\"result\":\"ok\"}\n";
  fault_list fl;
  notes nt = {0};
  parse(text, 60, &fl, &nt);
  REQUIRE(fl.n_bands == 5);
  fault_bands_rows(&fl, 1.0, 2, 60);
  CHECK_EQ_INT(fl.bands[0].row, 0);
  CHECK_EQ_INT(fl.bands[1].row, 1); /* 4 s after the first: would overlap it */
  CHECK_EQ_INT(fl.bands[2].row, 0); /* far away: back on the first row */
  CHECK_EQ_INT(fl.bands[3].row, 1);
  CHECK_EQ_INT(fl.bands[4].row, 0); /* both rows taken: the one free first */
  CHECK(fl.bands[0].label_s == 11);
  fault_list_free(&fl);
  notes_free(&nt);
}

TEST(repeated_fault_labels_are_thinned_and_kept_inside) {
  /* One fault every 5 s, labels 9 characters = 9 s wide: after two rows
   * fill, repeats are left out rather than piled up. */
  char text[4096] = "";
  for (int i = 0; i < 6; i++) {
    char line[256];
    snprintf(line, sizeof line,
             "{\"t_s\":%d,\"fault\":\"kill\",\"kind\":\"k\",\"target\":\"t\",\"action\":\"inject\",\"occurrence\":%d,\"result\":\"ok\"}\n"
             "{\"t_s\":%d,\"fault\":\"kill\",\"kind\":\"k\",\"target\":\"t\",\"action\":\"heal\",\"occurrence\":%d,\"result\":\"ok\"}\n",
             1 + 5 * i, i, 2 + 5 * i, i);
    strcat(text, line);
  }
  fault_list fl;
  notes nt = {0};
  parse(text, 40, &fl, &nt);
  REQUIRE(fl.n_bands == 6);
  fault_bands_rows(&fl, 1.0, 2, 40);
  /* "kill: k t" is 9 wide: the first band (1..2 s) would stick out on the
   * left, so its label is moved inwards to 4.5 s. Repeats go on the top
   * row only, where it has room; the second row stays free. */
  CHECK(fl.bands[0].label_s == 4.5);
  static const int want[6] = {0, -1, -1, 0, -1, 0}; /* [0,9] [2,11] [7,16] [12,21] [17,26] [22,31] */
  for (int i = 0; i < 6; i++) CHECK_EQ_INT(fl.bands[i].row, want[i]);
  /* A label at the right edge is moved inwards too. */
  fault_bands_rows(&fl, 1.0, 2, 27);
  CHECK(fl.bands[5].label_s == 27 - 4.5);
  fault_list_free(&fl);
  notes_free(&nt);
}

TEST(csv_has_header_and_one_line_per_band) {
  const char *text =
      "{\"t_s\":1.5,\"fault\":\"a\",\"kind\":\"pause\",\"target\":\"broker\",\"action\":\"inject\",\"result\":\"ok\"}\n"
      "{\"t_s\":4.25,\"fault\":\"a\",\"kind\":\"pause\",\"target\":\"broker\",\"action\":\"heal\",\"result\":\"ok\"}\n";
  fault_list fl;
  notes nt = {0};
  parse(text, 10, &fl, &nt);
  char path[512], err[256], buf[512] = "";
  snprintf(path, sizeof path, "%s/faults.csv", sp_test_tmpdir());
  REQUIRE(fault_bands_write_csv(&fl, path, err, sizeof err) == 0);
  FILE *f = fopen(path, "r");
  REQUIRE(f != NULL);
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  fclose(f);
  CHECK_EQ_STR(buf, "start_s,end_s,label,row,label_s\n1.500000,4.250000,a: pause broker,0,2.875000\n");
  /* An unwritable path is an error that names it. */
  CHECK(fault_bands_write_csv(&fl, "/nonexistent-dir/faults.csv", err, sizeof err) == -1);
  CHECK(strstr(err, "/nonexistent-dir/faults.csv") != NULL);
  fault_list_free(&fl);
  notes_free(&nt);
}

TEST(missing_file_is_an_empty_list) {
  fault_list fl;
  notes nt = {0};
  char path[512], err[256];
  snprintf(path, sizeof path, "%s/faults.jsonl", sp_test_tmpdir());
  CHECK_EQ_INT(fault_list_load(path, 10, &fl, &nt, err, sizeof err), 1);
  CHECK_EQ_INT(fl.n_events, 0);
  FILE *f = fopen(path, "w");
  REQUIRE(f != NULL);
  fputs("{\"t_s\":1,\"fault\":\"a\",\"kind\":\"k\",\"target\":\"t\",\"action\":\"inject\",\"result\":\"ok\"}\n", f);
  fclose(f);
  CHECK_EQ_INT(fault_list_load(path, 10, &fl, &nt, err, sizeof err), 0);
  CHECK_EQ_INT(fl.n_bands, 1);
  fault_list_free(&fl);
  notes_free(&nt);
}

SP_TEST_MAIN(inject_and_heal_make_one_band, occurrences_pair_with_their_own_heal,
             without_occurrence_the_oldest_open_inject_is_healed, failed_inject_draws_no_band_but_is_listed,
             never_healed_fault_lasts_to_the_end, damaged_lines_are_noted_and_skipped,
             labels_are_safe_for_the_csv, label_rows_keep_neighbours_apart,
             repeated_fault_labels_are_thinned_and_kept_inside,
             csv_has_header_and_one_line_per_band, missing_file_is_an_empty_list)
