/* test_identity: encode/decode round trip at several sizes, and each way a
 * payload can be wrong is told apart (the checker relies on the difference
 * between "unknown" and "content mismatch"). */
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "sp_test.h"

static identity make(uint32_t size) {
  identity id = {.writer = 7, .seq = 123456789012ull, .key = 99, .size = size,
                 .intended_ns = 1111, .sent_ns = 2222, .event_time_ms = -5, .topic = 2};
  return id;
}

TEST(round_trip_sizes) {
  static const uint32_t sizes[] = {56, 57, 100, 1024, 65536};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    uint8_t *p = calloc(1, sizes[i]);
    for (uint32_t j = 56; j < sizes[i]; j++) p[j] = (uint8_t)(j * 31);
    identity a = make(sizes[i]), b;
    identity_encode(&a, p, sizes[i]);
    CHECK_EQ_INT(identity_decode(p, sizes[i], &b), IDENTITY_OK);
    CHECK(memcmp(&a, &b, sizeof a) == 0);
    free(p);
  }
}

TEST(each_failure_told_apart) {
  uint8_t p[100];
  memset(p, 0xab, sizeof p);
  identity a = make(100), b;
  identity_encode(&a, p, sizeof p);
  CHECK_EQ_INT(identity_decode(p, 55, &b), IDENTITY_TOO_SHORT);
  CHECK_EQ_INT(identity_decode(NULL, 0, &b), IDENTITY_TOO_SHORT);
  CHECK_EQ_INT(identity_decode(p, 99, &b), IDENTITY_BAD_SIZE);
  p[80] ^= 1; /* padding corrupted */
  CHECK_EQ_INT(identity_decode(p, 100, &b), IDENTITY_BAD_CHECKSUM);
  CHECK_EQ_INT(b.writer, 7); /* still says whose message it was */
  CHECK_EQ_INT(b.seq, 123456789012ull);
  p[80] ^= 1;
  p[10] ^= 4; /* header corrupted */
  CHECK_EQ_INT(identity_decode(p, 100, &b), IDENTITY_BAD_CHECKSUM);
  p[10] ^= 4;
  p[0] = 'x';
  CHECK_EQ_INT(identity_decode(p, 100, &b), IDENTITY_BAD_MAGIC);
}

SP_TEST_MAIN(round_trip_sizes, each_failure_told_apart)
