/* store_test_util.h: helpers shared by the storage unit tests. */
#ifndef SP_STORE_TEST_UTIL_H
#define SP_STORE_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "batch_builder.h"
#include "store.h"

/* A config for tests: data dir `dir`, the given policy, small segments
 * (segment_bytes), a small index interval, no retention. */
store_config test_config(const char *dir, store_fsync_policy policy, int64_t segment_bytes);

/* Appends one simple batch (count records of value_bytes, timestamps from
 * ts_ms) and returns the Kafka error; *base_offset / *last_offset set. */
int test_append(partition *p, int32_t count, size_t value_bytes, int64_t ts_ms,
                const batch_builder_opts *opts, int64_t *base_offset, int64_t *last_offset);

/* Reads the whole visible log (log start to high watermark) in fetches of
 * max_bytes and checks it: whole CRC-valid batches, offsets dense and
 * increasing, each record's value as batch_build_simple wrote it (when
 * check_values). Returns the number of records, or -1 (with a message). */
int64_t test_read_all(partition *p, int32_t max_bytes, int check_values);

/* "<dir>/<name>" in a static buffer (overwritten by the next call). */
const char *test_path(const char *dir, const char *name);
int64_t test_file_size(const char *path);
/* Truncates a file to len bytes; flips bit `bit` of the byte at pos. */
void test_truncate(const char *path, int64_t len);
void test_flip_bit(const char *path, int64_t pos, int bit);
/* Base offsets of the segment files ("<20 digits>.log") in dir, sorted;
 * returns how many (at most max). */
int test_segment_bases(const char *dir, int64_t *bases, int max);
/* Number of files in dir whose name ends with suffix. */
int test_count_files(const char *dir, const char *suffix);

#endif
