/* checkpoint.c: see checkpoint.h. */
#include "checkpoint.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "crc32c.h"
#include "fault.h"
#include "fault_points.h"
#include "kcodec.h"
#include "log.h"
#include "mem.h"

#define CKPT_MAGIC "RSCK"
#define CKPT_VERSION 1
#define CKPT_HEADER 40
#define CKPT_KEEP 2

/* write(2) until done or an error (EINTR retried). */
static int write_all(int fd, const uint8_t *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* fsyncs directory dir (makes a rename durable). */
static int fsync_dir(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY);
  if (fd < 0) return -1;
  int rc = fsync(fd);
  int e = errno;
  close(fd);
  errno = e;
  return rc;
}

/* Parses "checkpoint-<digits>.ckpt"; returns 1 and the seq if it is one. */
static int parse_name(const char *name, uint64_t *seq) {
  unsigned long long v;
  int n = 0;
  if (sscanf(name, "checkpoint-%20llu.ckpt%n", &v, &n) != 1 || name[n] != '\0') return 0;
  *seq = v;
  return 1;
}

/* Removes checkpoints older than the CKPT_KEEP newest (and stale temps). */
static void prune(const char *dir, uint64_t newest) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *de;
  char path[4096];
  while ((de = readdir(d))) {
    uint64_t seq;
    int old = parse_name(de->d_name, &seq) && seq + CKPT_KEEP <= newest;
    /* a temp file left by a write that crashed (one writer: none is live) */
    int temp = strncmp(de->d_name, "checkpoint-", 11) == 0 && strstr(de->d_name, ".tmp");
    if (!old && !temp) continue;
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    if (unlink(path) != 0) sp_warn("checkpoint: cannot remove %s: %s", path, strerror(errno));
  }
  closedir(d);
}

int rs_ckpt_write(const char *dir, uint64_t seq, uint64_t job_fp, const void *body, size_t len,
                  char *err, size_t errlen) {
  sp_buf b = SP_BUF_INIT;
  sp_buf_append(&b, CKPT_MAGIC, 4);
  kw_u32(&b, CKPT_VERSION);
  kw_i64(&b, (int64_t)seq);
  kw_i64(&b, (int64_t)job_fp);
  kw_i64(&b, sp_wall_ms());
  kw_i64(&b, (int64_t)len);
  sp_buf_append(&b, body, len);
  kw_u32(&b, sp_crc32c(0, b.data, b.len));

  char tmp[4096], final[4096];
  snprintf(tmp, sizeof tmp, "%s/checkpoint-%020" PRIu64 ".tmp", dir, seq);
  snprintf(final, sizeof final, "%s/checkpoint-%020" PRIu64 ".ckpt", dir, seq);
  const char *step = "open";
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) goto fail;
  step = "write";
  size_t half = b.len / 2;
  if (write_all(fd, b.data, half) != 0) goto fail_fd;
  int e = sp_fault_point(FP_CHECKPOINT_MID_WRITE);
  if (e) { errno = e; goto fail_fd; }
  if (write_all(fd, b.data + half, b.len - half) != 0) goto fail_fd;
  step = "fsync";
  if ((e = sp_fault_point(FP_CHECKPOINT_BEFORE_FSYNC))) { errno = e; goto fail_fd; }
  if (fsync(fd) != 0) goto fail_fd;
  step = "close";
  if (close(fd) != 0) { fd = -1; goto fail; }
  fd = -1;
  step = "rename";
  if ((e = sp_fault_point(FP_CHECKPOINT_BEFORE_RENAME))) { errno = e; goto fail; }
  if (rename(tmp, final) != 0) goto fail;
  step = "directory fsync";
  if ((e = sp_fault_point(FP_CHECKPOINT_AFTER_RENAME_BEFORE_DIR_FSYNC))) { errno = e; goto fail_renamed; }
  if (fsync_dir(dir) != 0) goto fail_renamed;
  sp_buf_free(&b);
  prune(dir, seq);
  return 0;
fail_fd:
  e = errno;
  close(fd);
  errno = e;
fail:
  e = errno;
  unlink(tmp);
  snprintf(err, errlen, "checkpoint %" PRIu64 ": %s of %s failed: %s", seq, step, tmp, strerror(e));
  sp_buf_free(&b);
  return -1;
fail_renamed:
  /* the file is in place but its directory entry may not be durable: keep
   * it (it is whole), report the failure so the caller retries later */
  e = errno;
  snprintf(err, errlen, "checkpoint %" PRIu64 ": %s of %s failed: %s", seq, step, dir, strerror(e));
  sp_buf_free(&b);
  return -1;
}

/* Reads and checks one file. 0 ok; -1 with why. */
static int load_one(const char *path, uint64_t want_seq, uint64_t job_fp, sp_buf *body,
                    int *other_job, char *why, size_t whylen) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(why, whylen, "cannot open: %s", strerror(errno));
    return -1;
  }
  sp_buf all = SP_BUF_INIT;
  for (;;) {
    uint8_t *p = sp_buf_reserve(&all, 65536);
    size_t n = fread(p, 1, 65536, f);
    sp_buf_commit(&all, n);
    if (n < 65536) break;
  }
  int rd_err = ferror(f);
  fclose(f);
  int rc = -1;
  kreader r;
  kr_init(&r, all.data, all.len);
  if (rd_err) {
    snprintf(why, whylen, "read error");
    goto out;
  }
  if (all.len < CKPT_HEADER + 4 || memcmp(all.data, CKPT_MAGIC, 4) != 0) {
    snprintf(why, whylen, "not a checkpoint (%zu bytes, bad magic or too short)", all.len);
    goto out;
  }
  (void)kr_raw(&r, 4);
  uint32_t version = kr_u32(&r);
  uint64_t seq = (uint64_t)kr_i64(&r);
  uint64_t fp = (uint64_t)kr_i64(&r);
  (void)kr_i64(&r);
  uint64_t len = (uint64_t)kr_i64(&r);
  if (version != CKPT_VERSION) {
    snprintf(why, whylen, "version %u, this refstream reads %d", version, CKPT_VERSION);
    goto out;
  }
  if (len != all.len - CKPT_HEADER - 4) {
    snprintf(why, whylen, "torn: body length %" PRIu64 " but %zu bytes follow the header", len,
             all.len - CKPT_HEADER - 4);
    goto out;
  }
  uint32_t want = k_load32(all.data + all.len - 4), got = sp_crc32c(0, all.data, all.len - 4);
  if (want != got) {
    snprintf(why, whylen, "CRC mismatch (stored %08x, computed %08x)", want, got);
    goto out;
  }
  if (seq != want_seq) {
    snprintf(why, whylen, "holds seq %" PRIu64 ", its name says %" PRIu64, seq, want_seq);
    goto out;
  }
  if (fp != job_fp) {
    *other_job = 1;
    snprintf(why, whylen, "written by another job (fingerprint %016" PRIx64 ", this job %016" PRIx64 ")",
             fp, job_fp);
    goto out;
  }
  sp_buf_reset(body);
  sp_buf_append(body, all.data + CKPT_HEADER, (size_t)len);
  rc = 0;
out:
  sp_buf_free(&all);
  return rc;
}

/* Orders checkpoint numbers newest first. */
static int seq_desc(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x < y) - (x > y);
}

rs_ckpt_status rs_ckpt_load(const char *dir, uint64_t job_fp, sp_buf *body, uint64_t *seq,
                            char *err, size_t errlen) {
  DIR *d = opendir(dir);
  if (!d) {
    snprintf(err, errlen, "cannot read state directory %s: %s", dir, strerror(errno));
    return RS_CKPT_IO;
  }
  uint64_t *seqs = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;
  while ((de = readdir(d))) {
    uint64_t s;
    if (!parse_name(de->d_name, &s)) continue;
    if (n == cap) {
      cap = cap ? 2 * cap : 8;
      seqs = sp_realloc(seqs, cap * sizeof *seqs);
    }
    seqs[n++] = s;
  }
  closedir(d);
  if (!n) {
    free(seqs);
    return RS_CKPT_NONE;
  }
  if (n) qsort(seqs, n, sizeof *seqs, seq_desc);
  rs_ckpt_status st = RS_CKPT_ALL_BAD;
  snprintf(err, errlen, "none of the %zu checkpoint files in %s is valid", n, dir);
  for (size_t i = 0; i < n; i++) {
    char path[4096], why[256];
    int other = 0;
    snprintf(path, sizeof path, "%s/checkpoint-%020" PRIu64 ".ckpt", dir, seqs[i]);
    if (load_one(path, seqs[i], job_fp, body, &other, why, sizeof why) == 0) {
      *seq = seqs[i];
      if (i) sp_error("checkpoint: using %s, an older checkpoint (%zu newer one%s invalid)", path, i,
                      i > 1 ? "s are" : " is");
      st = RS_CKPT_OK;
      break;
    }
    sp_error("checkpoint: %s is invalid: %s", path, why);
    if (other) {
      snprintf(err, errlen, "%s: %s; use a new --state-dir for a changed job", path, why);
      st = RS_CKPT_OTHER_JOB;
      break;
    }
  }
  free(seqs);
  return st;
}
