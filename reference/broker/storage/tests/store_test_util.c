/* store_test_util.c: see store_test_util.h. */
#include "store_test_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record_batch.h"

store_config test_config(const char *dir, store_fsync_policy policy, int64_t segment_bytes) {
  store_config c = {0};
  c.data_dir = dir;
  c.fsync_policy = policy;
  c.segment_bytes = segment_bytes;
  c.retention_bytes = -1;
  c.retention_ms = -1;
  c.index_interval_bytes = 256;
  c.max_batch_bytes = 1 << 20;
  return c;
}

int test_append(partition *p, int32_t count, size_t value_bytes, int64_t ts_ms,
                const batch_builder_opts *opts, int64_t *base_offset, int64_t *last_offset) {
  sp_buf b = SP_BUF_INIT;
  batch_build_simple(&b, count, value_bytes, ts_ms, opts);
  int64_t base = -1, last = -1;
  int rc = partition_append(p, b.data, b.len, ts_ms, &base, &last);
  if (base_offset) *base_offset = base;
  if (last_offset) *last_offset = last;
  sp_buf_free(&b);
  return rc;
}

/* Checks one fetched batch's records; returns the count or -1. */
static int64_t check_batch(const uint8_t *data, size_t len, int64_t *expect, int check_values) {
  batch_reader r;
  if (batch_reader_init(&r, data, len) != 0) {
    fprintf(stderr, "# batch at offset %" PRId64 " is not a valid batch\n", *expect);
    return -1;
  }
  batch_record rec;
  int rc, n = 0;
  while ((rc = batch_reader_next(&r, &rec)) == 1) {
    if (rec.offset != *expect) {
      fprintf(stderr, "# record offset %" PRId64 ", expected %" PRId64 "\n", rec.offset, *expect);
      return -1;
    }
    if (check_values)
      for (int32_t j = 0; j < rec.value_len; j++)
        if (rec.value[j] != batch_simple_value_byte((int32_t)(rec.offset - r.base_offset), (size_t)j)) {
          fprintf(stderr, "# record %" PRId64 ": value byte %d differs\n", rec.offset, (int)j);
          return -1;
        }
    (*expect)++;
    n++;
  }
  return rc < 0 ? -1 : n;
}

int64_t test_read_all(partition *p, int32_t max_bytes, int check_values) {
  int64_t offset = partition_log_start_offset(p), expect = offset, total = 0;
  sp_buf out = SP_BUF_INIT;
  while (offset < partition_high_watermark(p)) {
    sp_buf_reset(&out);
    int rc = partition_read(p, offset, max_bytes, &out);
    if (rc != KERR_NONE || out.len == 0) {
      fprintf(stderr, "# read at %" PRId64 ": error %d, %zu bytes\n", offset, rc, out.len);
      total = -1;
      break;
    }
    size_t pos = 0;
    while (pos < out.len && total >= 0) {
      rb_header h;
      if (rb_check(out.data + pos, out.len - pos, &h) != RB_OK) {
        fprintf(stderr, "# read at %" PRId64 ": partial or bad batch at byte %zu\n", offset, pos);
        total = -1;
        break;
      }
      int64_t n = check_batch(out.data + pos, rb_total_bytes(&h), &expect, check_values);
      if (n < 0) total = -1;
      else total += n;
      pos += rb_total_bytes(&h);
    }
    if (total < 0) break;
    offset = expect;
  }
  sp_buf_free(&out);
  if (total >= 0 && expect != partition_high_watermark(p)) {
    fprintf(stderr, "# read ended at %" PRId64 ", high watermark %" PRId64 "\n", expect,
            partition_high_watermark(p));
    total = -1;
  }
  return total;
}

const char *test_path(const char *dir, const char *name) {
  static char buf[1024];
  snprintf(buf, sizeof buf, "%s/%s", dir, name);
  return buf;
}

int64_t test_file_size(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? (int64_t)st.st_size : -1;
}

void test_truncate(const char *path, int64_t len) {
  if (truncate(path, (off_t)len) != 0) {
    perror(path);
    abort();
  }
}

void test_flip_bit(const char *path, int64_t pos, int bit) {
  int fd = open(path, O_RDWR);
  uint8_t c;
  if (fd < 0 || pread(fd, &c, 1, pos) != 1) {
    perror(path);
    abort();
  }
  c ^= (uint8_t)(1u << bit);
  if (pwrite(fd, &c, 1, pos) != 1) abort();
  close(fd);
}

int test_count_files(const char *dir, const char *suffix) {
  DIR *d = opendir(dir);
  if (!d) return -1;
  int n = 0;
  size_t sl = strlen(suffix);
  struct dirent *de;
  while ((de = readdir(d))) {
    size_t l = strlen(de->d_name);
    if (l >= sl && strcmp(de->d_name + l - sl, suffix) == 0) n++;
  }
  closedir(d);
  return n;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

int test_segment_bases(const char *dir, int64_t *bases, int max) {
  DIR *d = opendir(dir);
  if (!d) return 0;
  int n = 0;
  struct dirent *de;
  while ((de = readdir(d)) && n < max) {
    size_t l = strlen(de->d_name);
    if (l == 24 && strcmp(de->d_name + 20, ".log") == 0) bases[n++] = strtoll(de->d_name, NULL, 10);
  }
  closedir(d);
  qsort(bases, (size_t)n, sizeof *bases, cmp_i64);
  return n;
}
