/* identity.c: see identity.h for the layout. */
#include "identity.h"

#include <string.h>

#include "crc32c.h"
#include "sp_assert.h"

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }
static uint32_t get32(const uint8_t *p) {
  return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

/* CRC-32C over the payload with the checksum field itself skipped. */
static uint32_t payload_checksum(const uint8_t *payload, size_t len) {
  uint32_t c = sp_crc32c(0, payload, 52);
  return sp_crc32c(c, payload + 56, len - 56);
}

void identity_encode(const identity *id, uint8_t *payload, size_t payload_len) {
  SP_ASSERT(payload_len >= IDENTITY_BYTES && id->size == payload_len);
  put32(payload + 0, IDENTITY_MAGIC);
  put32(payload + 4, id->writer);
  put64(payload + 8, id->seq);
  put32(payload + 16, id->key);
  put32(payload + 20, id->size);
  put64(payload + 24, id->intended_ns);
  put64(payload + 32, id->sent_ns);
  put64(payload + 40, (uint64_t)id->event_time_ms);
  put32(payload + 48, id->topic);
  put32(payload + 52, payload_checksum(payload, payload_len));
}

identity_status identity_decode(const uint8_t *payload, size_t payload_len, identity *id) {
  memset(id, 0, sizeof *id);
  if (!payload || payload_len < IDENTITY_BYTES) return IDENTITY_TOO_SHORT;
  if (get32(payload) != IDENTITY_MAGIC) return IDENTITY_BAD_MAGIC;
  id->writer = get32(payload + 4);
  id->seq = get64(payload + 8);
  id->key = get32(payload + 16);
  id->size = get32(payload + 20);
  id->intended_ns = get64(payload + 24);
  id->sent_ns = get64(payload + 32);
  id->event_time_ms = (int64_t)get64(payload + 40);
  id->topic = get32(payload + 48);
  if (id->size != payload_len) return IDENTITY_BAD_SIZE;
  if (get32(payload + 52) != payload_checksum(payload, payload_len)) return IDENTITY_BAD_CHECKSUM;
  return IDENTITY_OK;
}

const char *identity_status_name(identity_status s) {
  switch (s) {
  case IDENTITY_OK: return "ok";
  case IDENTITY_TOO_SHORT: return "too-short";
  case IDENTITY_BAD_MAGIC: return "bad-magic";
  case IDENTITY_BAD_SIZE: return "bad-size";
  case IDENTITY_BAD_CHECKSUM: return "bad-checksum";
  }
  return "?";
}
