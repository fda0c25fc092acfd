/* test_topic_dump: write/read round trip with null and empty keys and
 * values; a copy without its trailer is reported as cut short, never
 * mistaken for a whole one; a bad header names the file. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sp_test.h"
#include "topic_dump.h"

TEST(round_trip_and_trailer) {
  char path[512];
  snprintf(path, sizeof path, "%s/in-3.dump", sp_test_tmpdir());
  topic_dump_writer *w = topic_dump_create(path, "clicks", 3, 10);
  REQUIRE(w);
  CHECK_EQ_INT(topic_dump_append(w, 10, 1000, "k1", 2, "value-one", 9), 0);
  CHECK_EQ_INT(topic_dump_append(w, 11, 1001, NULL, -1, "", 0), 0);
  CHECK_EQ_INT(topic_dump_append(w, 12, 1002, "", 0, NULL, -1), 0);
  CHECK_EQ_INT(topic_dump_finish(w, 13), 0);

  char err[512];
  topic_dump_reader *r = topic_dump_open(path, err, sizeof err);
  REQUIRE(r);
  CHECK_EQ_STR(topic_dump_topic(r), "clicks");
  CHECK_EQ_INT(topic_dump_partition(r), 3);
  CHECK_EQ_INT(topic_dump_log_start(r), 10);
  topic_dump_record rec;
  int64_t end = 0;
  REQUIRE(topic_dump_next(r, &rec, &end, err, sizeof err) == 1);
  CHECK_EQ_INT(rec.offset, 10);
  CHECK_EQ_INT(rec.timestamp_ms, 1000);
  CHECK(rec.key_len == 2 && memcmp(rec.key, "k1", 2) == 0);
  CHECK(rec.value_len == 9 && memcmp(rec.value, "value-one", 9) == 0);
  REQUIRE(topic_dump_next(r, &rec, &end, err, sizeof err) == 1);
  CHECK(rec.key == NULL && rec.key_len == -1);
  CHECK(rec.value != NULL && rec.value_len == 0);
  REQUIRE(topic_dump_next(r, &rec, &end, err, sizeof err) == 1);
  CHECK(rec.key != NULL && rec.key_len == 0);
  CHECK(rec.value == NULL && rec.value_len == -1);
  CHECK_EQ_INT(topic_dump_next(r, &rec, &end, err, sizeof err), 0);
  CHECK_EQ_INT(end, 13);
  topic_dump_close(r);
}

TEST(cut_short_is_reported) {
  char path[512];
  snprintf(path, sizeof path, "%s/out-0.dump", sp_test_tmpdir());
  topic_dump_writer *w = topic_dump_create(path, "out", 0, 0);
  REQUIRE(w);
  topic_dump_append(w, 0, 5, "k", 1, "v", 1);
  topic_dump_abandon(w);
  char err[512];
  topic_dump_reader *r = topic_dump_open(path, err, sizeof err);
  REQUIRE(r);
  topic_dump_record rec;
  CHECK_EQ_INT(topic_dump_next(r, &rec, NULL, err, sizeof err), 1);
  CHECK_EQ_INT(topic_dump_next(r, &rec, NULL, err, sizeof err), -1);
  CHECK(strstr(err, "cut short") != NULL);
  topic_dump_close(r);
  /* a record whose body is missing */
  FILE *f = fopen(path, "r+b");
  REQUIRE(f);
  fseek(f, -1, SEEK_END);
  CHECK_EQ_INT(ftruncate(fileno(f), ftell(f)), 0);
  fclose(f);
  r = topic_dump_open(path, err, sizeof err);
  REQUIRE(r);
  CHECK_EQ_INT(topic_dump_next(r, &rec, NULL, err, sizeof err), -1);
  CHECK(strstr(err, "offset 0 cut short") != NULL);
  topic_dump_close(r);
}

TEST(bad_header_named) {
  char path[512];
  snprintf(path, sizeof path, "%s/bad.dump", sp_test_tmpdir());
  FILE *f = fopen(path, "w");
  REQUIRE(f);
  fputs("this is not a dump file at all, no", f);
  fclose(f);
  char err[512];
  CHECK(topic_dump_open(path, err, sizeof err) == NULL);
  CHECK(strstr(err, path) && strstr(err, "magic"));
}

SP_TEST_MAIN(round_trip_and_trailer, cut_short_is_reported, bad_header_named)
