/* test_history: record round trip, append across reopen, torn tail
 * handling (reader ignores it, writer cuts it before appending), header
 * validation with a message that names the file. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "history.h"
#include "sp_test.h"

static hist_record sample(uint64_t seq) {
  hist_record r = {0};
  r.type = HIST_ACK;
  r.flags = HIST_F_IDENTITY | HIST_F_CHECKSUM;
  r.topic = 3;
  r.partition = 7;
  r.offset = 1000 + (int64_t)seq;
  r.seq = seq;
  r.writer = 42;
  r.actor = 42;
  r.key = HIST_NO_KEY;
  r.err = -185;
  r.t_intended_ns = 111;
  r.t_sent_ns = 222;
  r.t_ns = 0xfedcba9876543210ull;
  return r;
}

TEST(encode_decode_round_trip) {
  hist_record a = sample(9), b;
  uint8_t raw[HIST_RECORD_BYTES];
  hist_encode(&a, raw);
  hist_decode(raw, &b);
  CHECK(memcmp(&a, &b, sizeof a) == 0);
  CHECK_EQ_INT(raw[0], HIST_ACK);
  CHECK_EQ_INT(raw[8], (1009) & 0xff); /* little-endian offset */
}

TEST(append_reopen_read) {
  char path[512];
  snprintf(path, sizeof path, "%s/p.hist", sp_test_tmpdir());
  hist_writer *w = hist_writer_open(path, HIST_KIND_PRODUCER, 5);
  REQUIRE(w);
  for (uint64_t i = 0; i < 3000; i++) {
    hist_record r = sample(i);
    CHECK_EQ_INT(hist_writer_append(w, &r), 0);
  }
  CHECK_EQ_INT(hist_writer_close(w), 0);
  w = hist_writer_open(path, HIST_KIND_PRODUCER, 5);
  REQUIRE(w);
  hist_record r = sample(3000);
  hist_writer_append(w, &r);
  CHECK_EQ_INT(hist_writer_close(w), 0);
  CHECK(hist_writer_open(path, HIST_KIND_CONSUMER, 5) == NULL); /* wrong kind */

  hist_file f;
  char err[256];
  REQUIRE(hist_read(path, &f, err, sizeof err) == 0);
  CHECK_EQ_INT(f.count, 3001);
  CHECK_EQ_INT(f.torn_bytes, 0);
  CHECK_EQ_INT(f.kind, HIST_KIND_PRODUCER);
  CHECK_EQ_INT(f.logical_id, 5);
  hist_record got;
  hist_file_get(&f, 2999, &got);
  CHECK_EQ_INT(got.seq, 2999);
  CHECK_EQ_INT(got.offset, 3999);
  hist_file_free(&f);
  CHECK_EQ_INT(hist_read_last(path, &got), 1);
  CHECK_EQ_INT(got.seq, 3000);
}

TEST(torn_tail_ignored_then_cut) {
  char path[512];
  snprintf(path, sizeof path, "%s/c.hist", sp_test_tmpdir());
  hist_writer *w = hist_writer_open(path, HIST_KIND_CONSUMER, 1);
  REQUIRE(w);
  hist_record r = sample(0);
  hist_writer_append(w, &r);
  hist_writer_close(w);
  int fd = open(path, O_WRONLY | O_APPEND);
  REQUIRE(fd >= 0);
  CHECK_EQ_INT(write(fd, "partial", 7), 7); /* a crash mid-record */
  close(fd);
  hist_file f;
  char err[256];
  REQUIRE(hist_read(path, &f, err, sizeof err) == 0);
  CHECK_EQ_INT(f.count, 1);
  CHECK_EQ_INT(f.torn_bytes, 7);
  hist_file_free(&f);
  hist_record last;
  CHECK_EQ_INT(hist_read_last(path, &last), 1);
  CHECK_EQ_INT(last.seq, 0);
  w = hist_writer_open(path, HIST_KIND_CONSUMER, 1); /* cuts the 7 bytes */
  REQUIRE(w);
  r = sample(1);
  hist_writer_append(w, &r);
  hist_writer_close(w);
  REQUIRE(hist_read(path, &f, err, sizeof err) == 0);
  CHECK_EQ_INT(f.count, 2);
  CHECK_EQ_INT(f.torn_bytes, 0);
  hist_file_get(&f, 1, &last);
  CHECK_EQ_INT(last.seq, 1);
  hist_file_free(&f);
}

TEST(bad_header_named_in_error) {
  char path[512];
  snprintf(path, sizeof path, "%s/bad.hist", sp_test_tmpdir());
  FILE *fp = fopen(path, "w");
  REQUIRE(fp);
  for (int i = 0; i < 80; i++) fputc('x', fp);
  fclose(fp);
  hist_file f;
  char err[512];
  CHECK_EQ_INT(hist_read(path, &f, err, sizeof err), -1);
  CHECK(strstr(err, path) != NULL);
  CHECK(strstr(err, "magic") != NULL);
  snprintf(path, sizeof path, "%s/missing.hist", sp_test_tmpdir());
  CHECK_EQ_INT(hist_read(path, &f, err, sizeof err), -1);
  CHECK(strstr(err, "No such file") != NULL);
  hist_record r;
  CHECK_EQ_INT(hist_read_last(path, &r), 0);
}

SP_TEST_MAIN(encode_decode_round_trip, append_reopen_read, torn_tail_ignored_then_cut,
             bad_header_named_in_error)
