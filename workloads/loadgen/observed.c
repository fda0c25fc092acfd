/* observed.c: see observed.h. */
#include "observed.h"

#include "identity.h"
#include "keys.h"

int observed_fill(hist_record *rec, const void *payload, size_t len, const void *key,
                  size_t key_len) {
  rec->flags = 0;
  rec->writer = 0;
  rec->seq = 0;
  rec->key = HIST_NO_KEY;
  rec->t_intended_ns = rec->t_sent_ns = 0;
  identity id;
  identity_status st = payload ? identity_decode(payload, len, &id) : IDENTITY_TOO_SHORT;
  if (st != IDENTITY_OK && st != IDENTITY_BAD_CHECKSUM) return 0;
  rec->flags = HIST_F_IDENTITY | (st == IDENTITY_OK ? HIST_F_CHECKSUM : 0);
  rec->writer = id.writer;
  rec->seq = id.seq;
  rec->key = id.key;
  rec->t_intended_ns = id.intended_ns;
  rec->t_sent_ns = id.sent_ns;
  uint32_t kid;
  if (key ? (keys_parse(key, key_len, &kid) == 0 && kid == id.key) : id.key == IDENTITY_NO_KEY)
    rec->flags |= HIST_F_KEY_OK;
  return 1;
}
