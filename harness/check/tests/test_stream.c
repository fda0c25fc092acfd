/* test_stream: the checker's streaming history reader returns exactly what
 * hist_read/hist_file_get return (every field, across buffer refills), and
 * reports a torn tail the same way. */
#include <stdio.h>
#include <string.h>

#include "hist_stream.h"
#include "sp_test.h"

TEST(stream_matches_hist_read_field_for_field) {
  char path[512], err[256];
  snprintf(path, sizeof path, "%s/x.hist", sp_test_tmpdir());
  hist_writer *w = hist_writer_open(path, HIST_KIND_CONSUMER, 7);
  REQUIRE(w);
  uint64_t x = 88172645463325252ull;
  for (int i = 0; i < 40000; i++) { /* more than two 16384-record buffers */
    uint8_t raw[HIST_RECORD_BYTES];
    for (int b = 0; b < HIST_RECORD_BYTES; b++) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      raw[b] = (uint8_t)x;
    }
    hist_record r;
    hist_decode(raw, &r);
    hist_writer_append(w, &r);
  }
  REQUIRE(hist_writer_close(w) == 0);
  FILE *f = fopen(path, "ab");
  REQUIRE(f);
  fwrite("torn", 1, 4, f);
  fclose(f);

  hist_file hf;
  REQUIRE(hist_read(path, &hf, err, sizeof err) == 0);
  hist_stream s;
  REQUIRE(hist_stream_open(&s, path, err, sizeof err) == 0);
  CHECK_EQ_INT(s.kind, HIST_KIND_CONSUMER);
  CHECK_EQ_INT(s.logical_id, 7);
  CHECK_EQ_U64(s.count, hf.count);
  CHECK_EQ_U64(s.torn_bytes, 4);
  CHECK_EQ_U64(hf.torn_bytes, 4);
  hist_record a, b;
  size_t n = 0, diff = 0;
  while (hist_stream_next(&s, &a, err, sizeof err) == 1) {
    hist_file_get(&hf, n++, &b);
    diff += memcmp(&a, &b, sizeof a) != 0;
  }
  CHECK_EQ_U64(n, 40000);
  CHECK_EQ_U64(diff, 0);
  hist_stream_close(&s);
  hist_file_free(&hf);
}

SP_TEST_MAIN(stream_matches_hist_read_field_for_field)
