/* test_crc32c: known vectors (RFC 3720 appendix B.4 and the "123456789"
 * check value), hardware == software on random data, and chaining. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crc32c.h"
#include "sp_test.h"

TEST(check_value) {
  CHECK_EQ_U64(sp_crc32c(0, "123456789", 9), 0xE3069283u);
  CHECK_EQ_U64(sp_crc32c_sw(0, "123456789", 9), 0xE3069283u);
  CHECK_EQ_U64(sp_crc32c(0, "", 0), 0);
}

TEST(rfc3720_vectors) {
  uint8_t buf[32];
  memset(buf, 0, sizeof buf);
  CHECK_EQ_U64(sp_crc32c(0, buf, 32), 0x8A9136AAu);
  memset(buf, 0xff, sizeof buf);
  CHECK_EQ_U64(sp_crc32c(0, buf, 32), 0x62A8AB43u);
  for (int i = 0; i < 32; i++) buf[i] = (uint8_t)i;
  CHECK_EQ_U64(sp_crc32c(0, buf, 32), 0x46DD794Eu);
  for (int i = 0; i < 32; i++) buf[i] = (uint8_t)(31 - i);
  CHECK_EQ_U64(sp_crc32c(0, buf, 32), 0x113FDB5Cu);
}

TEST(hw_matches_sw_and_chains) {
  uint8_t buf[4099];
  srand(7);
  for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)rand();
  for (size_t off = 0; off < 9; off++)
    for (size_t len = 0; len < 300; len += 7)
      CHECK_EQ_U64(sp_crc32c(0, buf + off, len), sp_crc32c_sw(0, buf + off, len));
  uint32_t whole = sp_crc32c(0, buf, sizeof buf);
  uint32_t part = sp_crc32c(sp_crc32c(0, buf, 1000), buf + 1000, sizeof buf - 1000);
  CHECK_EQ_U64(whole, part);
}

SP_TEST_MAIN(check_value, rfc3720_vectors, hw_matches_sw_and_chains)
