/* test_fetch_builder.c: the Fetch response builder's size rules, with a
 * fake partition source: partition and response max bytes are respected in
 * whole batches, the first partition with data returns at least one batch
 * even when it is larger than the limits, errors carry -1 offsets, and
 * records are never null. */
#include <string.h>

#include "fetch.h"
#include "kcodec.h"
#include "protocol.h"
#include "sp_test.h"

/* Fake partitions: partition i holds batches of batch_bytes[i] bytes at
 * offsets 0..9; partition 9 does not exist. */
static int32_t batch_bytes[4] = {100, 100, 5000, 100};

static void fake_batch(sp_buf *out, int64_t base, int32_t size) {
  uint8_t *p = sp_buf_reserve(out, (size_t)size);
  memset(p, 0xab, (size_t)size);
  k_store64(p, (uint64_t)base);
  k_store32(p + 8, (uint32_t)(size - 12));
  sp_buf_commit(out, (size_t)size);
}

static int fake_read(void *ctx, kslice topic, int32_t index, int64_t offset, int32_t max_bytes,
                     int at_least_one, sp_buf *out, int64_t *hwm, int64_t *log_start) {
  (void)ctx;
  (void)topic;
  if (index < 0 || index > 3) return KERR_UNKNOWN_TOPIC_OR_PARTITION;
  *hwm = 10;
  *log_start = 0;
  if (offset < 0 || offset > 10) return KERR_OFFSET_OUT_OF_RANGE;
  int32_t used = 0;
  for (int64_t o = offset; o < 10; o++) {
    int fits = used + batch_bytes[index] <= max_bytes;
    if (!fits && !(at_least_one && used == 0)) break;
    fake_batch(out, o, batch_bytes[index]);
    used += batch_bytes[index];
  }
  return KERR_NONE;
}

typedef struct part_result {
  int16_t error;
  int64_t hwm, lso, log_start;
  int32_t records_len;
} part_result;

/* Parses a v11 response into results[], checking its shape. */
static int parse_v11(const sp_buf *b, part_result *res, int max) {
  kreader r;
  kr_init(&r, b->data, b->len);
  kr_i32(&r);
  kr_i16(&r);
  kr_i32(&r);
  int n = 0;
  int32_t topics = kr_i32(&r);
  for (int32_t t = 0; t < topics; t++) {
    kr_string(&r);
    int32_t parts = kr_i32(&r);
    for (int32_t p = 0; p < parts && n < max; p++, n++) {
      kr_i32(&r);
      res[n].error = kr_i16(&r);
      res[n].hwm = kr_i64(&r);
      res[n].lso = kr_i64(&r);
      res[n].log_start = kr_i64(&r);
      CHECK_EQ_INT(kr_i32(&r), 0);  /* aborted transactions */
      CHECK_EQ_INT(kr_i32(&r), -1); /* preferred read replica */
      kslice rec = kr_bytes(&r);
      res[n].records_len = rec.len;
    }
  }
  CHECK(r.err == 0 && kr_remaining(&r) == 0);
  return n;
}

static fetch_request make_req(fetch_partition *parts, int n, int32_t max_bytes) {
  static fetch_topic topic;
  topic.name = (kslice){(const uint8_t *)"t", 1};
  topic.n_partitions = n;
  topic.partitions = parts;
  fetch_request req = {.max_wait_ms = 500, .min_bytes = 1, .max_bytes = max_bytes, .n_topics = 1,
                       .topics = &topic};
  return req;
}

TEST(partition_and_response_limits) {
  fetch_partition parts[2] = {{.index = 0, .fetch_offset = 0, .max_bytes = 350},
                              {.index = 1, .fetch_offset = 0, .max_bytes = 1000}};
  fetch_request req = make_req(parts, 2, 500);
  fetch_source src = {fake_read, NULL};
  sp_buf b = SP_BUF_INIT;
  int errors;
  size_t bytes = fetch_response_build(&b, 11, &req, &src, &errors);
  part_result res[2];
  REQUIRE(parse_v11(&b, res, 2) == 2);
  CHECK_EQ_INT(errors, 0);
  CHECK_EQ_INT(res[0].records_len, 300); /* 3 whole batches fit in 350 */
  CHECK_EQ_INT(res[1].records_len, 200); /* the response has 200 left */
  CHECK_EQ_INT(bytes, 500);
  CHECK_EQ_INT(res[0].hwm, 10);
  CHECK_EQ_INT(res[0].lso, 10); /* last stable offset = high watermark */
  sp_buf_free(&b);
}

TEST(first_partition_returns_an_oversized_batch) {
  fetch_partition parts[2] = {{.index = 2, .fetch_offset = 0, .max_bytes = 1000},
                              {.index = 3, .fetch_offset = 0, .max_bytes = 1000}};
  fetch_request req = make_req(parts, 2, 2000);
  fetch_source src = {fake_read, NULL};
  sp_buf b = SP_BUF_INIT;
  int errors;
  fetch_response_build(&b, 11, &req, &src, &errors);
  part_result res[2];
  REQUIRE(parse_v11(&b, res, 2) == 2);
  CHECK_EQ_INT(res[0].records_len, 5000); /* one whole batch despite both limits */
  CHECK_EQ_INT(res[1].records_len, 0);    /* nothing left in the response budget */
  sp_buf_free(&b);
}

TEST(errors_and_empty_records) {
  fetch_partition parts[3] = {{.index = 9, .fetch_offset = 0, .max_bytes = 1000},
                              {.index = 0, .fetch_offset = 11, .max_bytes = 1000},
                              {.index = 1, .fetch_offset = 10, .max_bytes = 1000}};
  fetch_request req = make_req(parts, 3, 100000);
  fetch_source src = {fake_read, NULL};
  sp_buf b = SP_BUF_INIT;
  int errors;
  size_t bytes = fetch_response_build(&b, 11, &req, &src, &errors);
  part_result res[3];
  REQUIRE(parse_v11(&b, res, 3) == 3);
  CHECK_EQ_INT(errors, 2);
  CHECK_EQ_INT(bytes, 0);
  CHECK_EQ_INT(res[0].error, KERR_UNKNOWN_TOPIC_OR_PARTITION);
  CHECK_EQ_INT(res[0].hwm, -1);
  CHECK_EQ_INT(res[1].error, KERR_OFFSET_OUT_OF_RANGE);
  CHECK_EQ_INT(res[1].records_len, 0); /* never null */
  CHECK_EQ_INT(res[2].error, 0);
  CHECK_EQ_INT(res[2].hwm, 10);
  CHECK_EQ_INT(res[2].records_len, 0);
  sp_buf_free(&b);
}

TEST(older_versions_have_fewer_fields) {
  fetch_partition parts[1] = {{.index = 0, .fetch_offset = 0, .max_bytes = 100}};
  fetch_request req = make_req(parts, 1, 1000);
  fetch_source src = {fake_read, NULL};
  sp_buf b = SP_BUF_INIT;
  int errors;
  fetch_response_build(&b, 4, &req, &src, &errors);
  /* v4: throttle, [topic, [index, error, hwm, lso, aborted[], records]] */
  CHECK_EQ_INT(b.len, 4 + 4 + 3 + 4 + 4 + 2 + 8 + 8 + 4 + 4 + 100);
  sp_buf_reset(&b);
  fetch_response_build(&b, 7, &req, &src, &errors);
  CHECK_EQ_INT(b.len, 4 + 2 + 4 + 4 + 3 + 4 + 4 + 2 + 8 + 8 + 8 + 4 + 4 + 100);
  sp_buf_free(&b);
}

SP_TEST_MAIN(partition_and_response_limits, first_partition_returns_an_oversized_batch,
             errors_and_empty_records, older_versions_have_fewer_fields)
