/* payload.c: message padding; see payload.h. */
#include "payload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "mem.h"
#include "sp_assert.h"

/* Random bytes per pool entry: enough for the largest message. */
static size_t pool_random_bytes(const workload *w) {
  return (size_t)((double)sizes_max(&w->message_size) * w->random_bytes_ratio);
}

/* Reads the payload file, which must still be `expect` bytes (it was
 * checked at load; a file changed since is an error, not a short read). */
static int read_file(payload_src *p, const char *path, size_t expect, char *err, size_t err_len) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, err_len, "cannot open payloadFile %s: %s", path, strerror(errno));
    return -1;
  }
  p->bytes = sp_malloc(expect + 1);
  size_t got = fread(p->bytes, 1, expect + 1, f);
  fclose(f);
  if (got != expect) {
    snprintf(err, err_len, "payloadFile %s is %zu bytes, expected %zu", path, got, expect);
    return -1;
  }
  p->entry_bytes = expect;
  return 0;
}

int payload_src_init(payload_src *p, const workload *w, char *err, size_t err_len) {
  memset(p, 0, sizeof *p);
  p->kind = w->payload;
  p->random_ratio = w->random_bytes_ratio;
  switch (p->kind) {
  case PAYLOAD_RANDOM:
  case PAYLOAD_ZEROS: return 0;
  case PAYLOAD_FILE: return read_file(p, w->payload_path, w->message_size.size, err, err_len);
  case PAYLOAD_RANDOMIZED: {
    size_t n = (size_t)w->randomized_payload_pool_size, each = pool_random_bytes(w);
    SP_ASSERT(n >= 1 && n * each <= PAYLOAD_POOL_MAX_BYTES);
    p->pool_count = (uint32_t)n;
    p->entry_bytes = each;
    p->bytes = sp_malloc(n * each + 1);
    rng r;
    rng_for(&r, w->seed, RNG_STREAM_POOL, 0);
    rng_fill(&r, p->bytes, n * each);
    return 0;
  }
  }
  SP_PANIC("bad payload kind");
}

void payload_src_free(payload_src *p) {
  free(p->bytes);
  memset(p, 0, sizeof *p);
}

void payload_fill(const payload_src *p, rng *r, uint8_t *payload, uint32_t size) {
  SP_ASSERT(size >= IDENTITY_BYTES);
  uint8_t *dst = payload + IDENTITY_BYTES;
  size_t len = size - IDENTITY_BYTES;
  switch (p->kind) {
  case PAYLOAD_RANDOM: rng_fill(r, dst, len); return;
  case PAYLOAD_ZEROS: memset(dst, 0, len); return;
  case PAYLOAD_FILE:
    SP_ASSERT(size == p->entry_bytes);
    memcpy(dst, p->bytes + IDENTITY_BYTES, len);
    return;
  case PAYLOAD_RANDOMIZED: {
    const uint8_t *entry = p->bytes + (size_t)rng_below(r, p->pool_count) * p->entry_bytes;
    size_t random_end = (size_t)((double)size * p->random_ratio); /* exclusive */
    if (random_end > p->entry_bytes) random_end = p->entry_bytes;
    size_t from = IDENTITY_BYTES;
    if (random_end > from) {
      memcpy(dst, entry + from, random_end - from);
      from = random_end;
    }
    memset(payload + from, 0, size - from);
    return;
  }
  }
  SP_PANIC("bad payload kind");
}
