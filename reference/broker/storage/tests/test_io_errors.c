/* test_io_errors: SQLite-style I/O error and crash loops over a produce +
 * group-commit + offset-commit workload.
 *
 * For N = 1, 2, ... until the workload completes untouched, the N-th
 * storage I/O call (every pwrite, write, fdatasync, fsync, ftruncate, via
 * io_fault.c) or the N-th evaluation of a storage fault point fails, once
 * (transient) or from then on (persistent), or the process is killed right
 * there (in a forked child), optionally followed by a simulated power cut
 * that drops everything not fsynced. After each run the store is reopened
 * without faults and must be whole:
 *   - every acknowledged batch (durable per partition_is_durable after a
 *     store_sync) is at its offset with its content;
 *   - offsets are dense and every batch is whole and CRC-valid;
 *   - the idempotent producer's batches form one gapless, duplicate-free
 *     sequence (retries after failures were deduplicated, never doubled);
 *   - the last acknowledged offset commit (or a later one) is there. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fault.h"
#include "io_fault.h"
#include "record_batch.h"
#include "sp_test.h"
#include "store.h"
#include "store_test_util.h"

#ifdef FIU_ENABLE
#include <fiu-control.h>
#endif

#define S(x) x, strlen(x)
#define WL_APPENDS 36
#define WL_PID 77

typedef struct ack {
  int part;
  int64_t base, last, id;
} ack;

/* What the workload had acknowledged; shared with a forked child. */
typedef struct ack_log {
  int n;
  ack a[WL_APPENDS * 2];
  int64_t commit_acked;
  int anomalies;        /* refused legitimate retries, or duplicates answered with
                           offsets that do not exist */
} ack_log;

typedef struct pending {
  int part;
  uint64_t epoch;
  int64_t base, last, id;
  int32_t count, seq;
} pending;

/* The idempotent producer on partition 1: one batch in flight, retried
 * with the same sequence and bytes until acknowledged. */
typedef struct producer {
  int32_t next_seq;
  int retrying;
  int64_t retry_id;
  int32_t retry_count;
} producer;

static int append_one(store *s, int i, producer *pr, pending *out) {
  int part = i % 2;
  partition *p = store_partition(s, S("t"), part);
  if (!p) return -1;
  batch_builder_opts o = BATCH_BUILDER_DEFAULTS;
  int64_t id = i;
  int32_t count = 1 + i % 4;
  if (part == 1) {
    if (pr->retrying) {
      id = pr->retry_id;
      count = pr->retry_count;
    }
    o = (batch_builder_opts){WL_PID, 0, pr->next_seq, 0, 0};
  }
  int64_t b, l;
  int rc = test_append(p, count, 60, 1000 + id, part == 1 ? &o : NULL, &b, &l);
  if (rc == KERR_OUT_OF_ORDER_SEQUENCE_NUMBER || rc == KERR_INVALID_PRODUCER_EPOCH) return -2;
  if (part == 1) {
    pr->retrying = 1; /* until acknowledged */
    pr->retry_id = id;
    pr->retry_count = count;
  }
  if (rc != KERR_NONE) return -1;
  if (l >= partition_log_end_offset(p)) return -2;
  *out = (pending){part, partition_sync_epoch(p), b, l, id, count, o.base_sequence};
  return 0;
}

/* Appends to two partitions (one idempotent), commits offsets, and group-
 * commits every third append, recording what became durable. */
static void workload(const char *dir, ack_log *log) {
  store_config cfg = test_config(dir, STORE_FSYNC_ALWAYS, 900);
  log->n = 0;
  log->commit_acked = -1;
  log->anomalies = 0;
  store *s = store_open(&cfg);
  if (!s) return;
  if (store_topic_partitions(s, S("t")) < 0 && store_create_topic(s, S("t"), 2) != KERR_NONE) {
    store_close(s);
    return;
  }
  pending pend[8];
  int np = 0;
  producer pr = {0, 0, 0, 0};
  uint64_t cepoch = 0;
  int64_t ccount = -1, cval = -1;
  for (int i = 0; i < WL_APPENDS; i++) {
    int rc = append_one(s, i, &pr, &pend[np]);
    if (rc == 0) np++;
    if (rc == -2) log->anomalies++;
    if (i % 5 == 4 && store_commit_offset(s, S("g"), S("t"), 0, i, NULL, 0) == KERR_NONE) {
      cepoch = store_offsets_sync_epoch(s);
      ccount = store_offsets_commit_count(s);
      cval = i;
    }
    if (i % 3 != 2 && i != WL_APPENDS - 1) continue;
    store_sync(s);
    for (int k = 0; k < np; k++) {
      partition *q = store_partition(s, S("t"), pend[k].part);
      if (!partition_is_durable(q, pend[k].epoch, pend[k].last)) continue;
      log->a[log->n++] = (ack){pend[k].part, pend[k].base, pend[k].last, pend[k].id};
      if (pend[k].part == 1) {
        pr.retrying = 0;
        pr.next_seq = pend[k].seq + pend[k].count;
      }
    }
    np = 0;
    if (ccount >= 0 && store_offsets_is_durable(s, cepoch, ccount)) log->commit_acked = cval;
    ccount = -1;
  }
  store_close(s);
}

/* Checks the idempotent producer's batches in partition 1 chain exactly;
 * *last gets the last of them (producer_id -1 if none). */
static int check_sequences(partition *p, rb_header *last) {
  sp_buf out = SP_BUF_INIT;
  int64_t off = partition_log_start_offset(p);
  int32_t expect = 0;
  int ok = 1;
  last->producer_id = -1;
  while (ok && off < partition_high_watermark(p)) {
    sp_buf_reset(&out);
    if (partition_read(p, off, 1 << 20, &out) != KERR_NONE || out.len == 0) break;
    for (size_t pos = 0; pos < out.len;) {
      rb_header h;
      if (rb_check(out.data + pos, out.len - pos, &h) != RB_OK) {
        ok = 0;
        break;
      }
      if (h.producer_id == WL_PID) {
        if (h.base_sequence != expect) {
          fprintf(stderr, "# producer batch at offset %" PRId64 " has sequence %d, expected %d\n",
                  h.base_offset, (int)h.base_sequence, (int)expect);
          ok = 0;
        }
        expect = rb_last_sequence(&h) + 1;
        *last = h;
      }
      off = rb_last_offset(&h) + 1;
      pos += rb_total_bytes(&h);
    }
  }
  sp_buf_free(&out);
  return ok;
}

/* The producer state after recovery: a retry of the last batch is a
 * duplicate answered with its offsets, the next sequence is accepted. */
static void check_producer(partition *p) {
  rb_header last;
  CHECK(check_sequences(p, &last));
  if (last.producer_id < 0) return;
  batch_builder_opts o = {WL_PID, 0, last.base_sequence, 0, 0};
  int64_t b, l;
  CHECK_EQ_INT(test_append(p, last.record_count, 60, 1, &o, &b, &l), KERR_NONE);
  CHECK_EQ_INT(b, last.base_offset);
  int64_t end = partition_log_end_offset(p);
  o.base_sequence = rb_last_sequence(&last) + 1;
  CHECK_EQ_INT(test_append(p, 2, 60, 1, &o, &b, &l), KERR_NONE);
  CHECK_EQ_INT(b, end);
}

/* Reopens without faults and checks everything the header promises. */
static void verify(const char *dir, const ack_log *log, const char *what, int64_t n) {
  store_config cfg = test_config(dir, STORE_FSYNC_ALWAYS, 900);
  store *s = store_open(&cfg);
  if (!s) fprintf(stderr, "# %s, N=%" PRId64 ": reopen failed\n", what, n);
  REQUIRE(s);
  int failed_before = sp_test_failed_flag;
  CHECK_EQ_INT(log->anomalies, 0);
  for (int part = 0; part < 2; part++) {
    partition *p = store_partition(s, S("t"), part);
    int acked = 0;
    for (int k = 0; k < log->n; k++) acked += log->a[k].part == part;
    if (!p) {
      CHECK_EQ_INT(acked, 0);
      continue;
    }
    CHECK(test_read_all(p, 1 << 20, 1) >= 0);
    if (part == 1) check_producer(p);
    sp_buf out = SP_BUF_INIT;
    for (int k = 0; k < log->n; k++) {
      const ack *a = &log->a[k];
      if (a->part != part) continue;
      sp_buf_reset(&out);
      rb_header h;
      int rc = partition_read(p, a->base, 1, &out);
      int ok = rc == KERR_NONE && rb_check(out.data, out.len, &h) == RB_OK &&
               h.base_offset == a->base && rb_last_offset(&h) == a->last &&
               h.base_timestamp_ms == 1000 + a->id;
      if (!ok)
        fprintf(stderr, "# acknowledged batch %" PRId64 " (offsets %" PRId64 "..%" PRId64
                        ", partition %d) is missing\n", a->id, a->base, a->last, part);
      CHECK(ok);
    }
    sp_buf_free(&out);
  }
  if (log->commit_acked >= 0)
    CHECK(store_committed_offset(s, S("g"), S("t"), 0, NULL) >= log->commit_acked);
  if (sp_test_failed_flag && !failed_before)
    fprintf(stderr, "# ^ after %s with N=%" PRId64 " (scratch dir %s)\n", what, n, dir);
  store_close(s);
}

/* ---- the loops ------------------------------------------------------------ */

typedef enum { VIA_SYSCALLS, VIA_POINTS } fault_via;

#ifdef FIU_ENABLE
static int64_t fp_fail_at, fp_calls;
static io_fault_mode fp_mode;
static int fp_fired;

/* libfiu external callback: the countdown over every storage fault point. */
static int fp_countdown(const char *name, int *failnum, void **failinfo, unsigned int *flags) {
  (void)name;
  (void)flags;
  fp_calls++;
  int hit = fp_calls == fp_fail_at;
  if (hit) fp_fired = 1;
  int fail = fp_mode == IO_PERSISTENT ? fp_calls >= fp_fail_at : hit;
  if (fail) {
    *failnum = fp_mode == IO_CRASH ? SP_FAULT_ABORT : SP_FAULT_FAIL;
    *failinfo = (void *)(intptr_t)EIO;
  }
  return fail;
}
#endif

static void arm(fault_via via, int64_t n, io_fault_mode mode) {
  if (via == VIA_SYSCALLS) {
    io_fault_arm(n, mode);
    return;
  }
#ifdef FIU_ENABLE
  fp_fail_at = n;
  fp_calls = 0;
  fp_fired = 0;
  fp_mode = mode;
  if (n > 0) fiu_enable_external("refbroker/*", SP_FAULT_FAIL, NULL, 0, fp_countdown);
  else fiu_disable("refbroker/*");
#endif
}

static int fired(fault_via via) {
#ifdef FIU_ENABLE
  if (via == VIA_POINTS) return fp_fired;
#endif
  return io_fault_fired();
}

static void remove_dir(const char *dir) {
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "# cannot remove %s\n", dir);
}

/* In-process loop: the N-th call fails (once or from then on). */
static void error_loop(fault_via via, io_fault_mode mode, const char *what) {
  sp_fault_init();
  ack_log log;
  int64_t n;
  for (n = 1; n < 3000; n++) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s/run-%" PRId64, sp_test_tmpdir(), n);
    arm(via, n, mode);
    workload(dir, &log);
    int hit = fired(via);
    arm(via, 0, mode);
    verify(dir, &log, what, n);
    if (sp_test_failed_flag) break;
    remove_dir(dir);
    if (!hit) break;
  }
  printf("# %s: %" PRId64 " runs\n", what, n);
  CHECK(n > 20); /* the workload really did that many I/O calls */
}

/* Crash loop: a child runs the workload and is killed at the N-th call;
 * with power_cut, whatever was not fsynced is then dropped (seeded). */
static void crash_loop(fault_via via, int power_cut, const char *what) {
  ack_log *log = mmap(NULL, sizeof *log, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  REQUIRE(log != MAP_FAILED);
  int64_t n;
  for (n = 1; n < 3000; n++) {
    char dir[512];
    snprintf(dir, sizeof dir, "%s/run-%" PRId64, sp_test_tmpdir(), n);
    memset(log, 0, sizeof *log);
    io_fault_track_power(dir);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      sp_fault_init();
      arm(via, n, IO_CRASH);
      workload(dir, log);
      _exit(0);
    }
    int status;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    int crashed = WIFSIGNALED(status);
    if (!crashed) REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (power_cut) io_fault_power_loss((uint64_t)n % 3 == 0 ? 0 : (uint64_t)n);
    io_fault_track_stop();
    verify(dir, log, what, n);
    if (sp_test_failed_flag) break;
    remove_dir(dir);
    if (!crashed) break;
  }
  printf("# %s: %" PRId64 " runs\n", what, n);
  CHECK(n > 20);
  munmap(log, sizeof *log);
}

TEST(transient_io_errors) { error_loop(VIA_SYSCALLS, IO_TRANSIENT, "transient I/O error"); }
TEST(persistent_io_errors) { error_loop(VIA_SYSCALLS, IO_PERSISTENT, "persistent I/O error"); }
TEST(short_writes) { error_loop(VIA_SYSCALLS, IO_SHORT, "short write"); }
TEST(crash_at_every_io_call) { crash_loop(VIA_SYSCALLS, 0, "crash"); }
TEST(power_cut_at_every_io_call) { crash_loop(VIA_SYSCALLS, 1, "power cut"); }
#ifdef FIU_ENABLE
TEST(transient_fault_points) { error_loop(VIA_POINTS, IO_TRANSIENT, "transient fault point"); }
TEST(persistent_fault_points) { error_loop(VIA_POINTS, IO_PERSISTENT, "persistent fault point"); }
TEST(abort_at_every_fault_point) { crash_loop(VIA_POINTS, 1, "abort at fault point + power cut"); }
SP_TEST_MAIN(transient_io_errors, persistent_io_errors, short_writes, crash_at_every_io_call,
             power_cut_at_every_io_call, transient_fault_points, persistent_fault_points,
             abort_at_every_fault_point)
#else
SP_TEST_MAIN(transient_io_errors, persistent_io_errors, short_writes, crash_at_every_io_call,
             power_cut_at_every_io_call)
#endif
