/* producer_ids.c: producer id allocation for InitProducerId, never reused.
 *
 * Ids are handed out from blocks: before the first id of a block is given
 * out, the block's end is made durable in <data-dir>/producer-ids (temp
 * file, fsync, rename, directory fsync). After a restart allocation resumes
 * at the recorded end, skipping whatever was left of the block, and never
 * below the largest id found in any partition's log, so no id is ever
 * given to two producers. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crc32c.h"
#include "kcodec.h"
#include "log.h"
#include "mem.h"
#include "store_internal.h"

#define PRODUCER_ID_BLOCK 1000
#define PRODUCER_IDS_FILE "producer-ids"
#define PRODUCER_IDS_MAGIC 0x53505049u /* "SPPI" */
#define PRODUCER_IDS_BYTES 20

/* The file, 20 bytes, big-endian:
 *
 *   off  size  field
 *     0     4  magic "SPPI"
 *     4     4  version = 1
 *     8     8  reserved end: every id below it may have been handed out
 *    16     4  CRC-32C of bytes [0, 16)
 */
static void encode_ids(uint8_t out[PRODUCER_IDS_BYTES], int64_t reserved_end) {
  k_store32(out, PRODUCER_IDS_MAGIC);
  k_store32(out + 4, 1);
  k_store64(out + 8, (uint64_t)reserved_end);
  k_store32(out + 16, sp_crc32c(0, out, 16));
}

static char *ids_path(const store *s, const char *suffix) {
  size_t n = strlen(s->data_dir) + sizeof PRODUCER_IDS_FILE + strlen(suffix) + 2;
  char *p = sp_malloc(n);
  snprintf(p, n, "%s/%s%s", s->data_dir, PRODUCER_IDS_FILE, suffix);
  return p;
}

/* Makes `reserved_end` durable. Returns 0 or -1 with errno. */
static int write_ids(store *s, int64_t reserved_end) {
  uint8_t raw[PRODUCER_IDS_BYTES];
  encode_ids(raw, reserved_end);
  char *tmp = ids_path(s, ".tmp"), *path = ids_path(s, "");
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int ok = fd >= 0 && write(fd, raw, sizeof raw) == (ssize_t)sizeof raw && fsync(fd) == 0;
  if (fd >= 0) close(fd);
  ok = ok && rename(tmp, path) == 0 && storage_fsync_dir(s->data_dir) == 0;
  if (!ok) unlink(tmp);
  free(tmp);
  free(path);
  return ok ? 0 : -1;
}

int producer_ids_open(store *s) {
  int64_t floor = -1;
  for (size_t i = 0; i < s->ntopics; i++)
    for (int32_t k = 0; k < s->topics[i].partitions; k++) {
      int64_t m = partition_max_producer_id(s->topics[i].parts[k]);
      if (m > floor) floor = m;
    }
  char *path = ids_path(s, "");
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  int64_t reserved = 0;
  if (fd >= 0) {
    uint8_t raw[PRODUCER_IDS_BYTES + 1];
    ssize_t n = read(fd, raw, sizeof raw);
    close(fd);
    if (n != PRODUCER_IDS_BYTES || k_load32(raw) != PRODUCER_IDS_MAGIC || k_load32(raw + 4) != 1 ||
        k_load32(raw + 16) != sp_crc32c(0, raw, 16) || (int64_t)k_load64(raw + 8) < 0) {
      sp_error("store: %s is corrupt (%zd bytes): refusing to risk reusing producer ids; "
               "remove it only if no producer from before can still be running",
               path, n);
      free(path);
      return -1;
    }
    reserved = (int64_t)k_load64(raw + 8);
  } else if (errno != ENOENT) {
    sp_error("store: cannot read %s: %s", path, strerror(errno));
    free(path);
    return -1;
  }
  free(path);
  s->next_producer_id = s->producer_ids_reserved = reserved > floor + 1 ? reserved : floor + 1;
  return 0;
}

int64_t store_next_producer_id(store *s) {
  if (s->next_producer_id >= s->producer_ids_reserved) {
    int64_t end = s->next_producer_id + PRODUCER_ID_BLOCK;
    if (write_ids(s, end) != 0) {
      sp_error("store: cannot record producer id block up to %" PRId64 ": %s", end,
               strerror(errno));
      return -1;
    }
    s->producer_ids_reserved = end;
  }
  return s->next_producer_id++;
}
