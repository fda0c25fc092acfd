/* base64.c: see base64.h. */
#include "base64.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void sp_base64_encode(const uint8_t *in, size_t n, char *out) {
  size_t i = 0;
  for (; i + 3 <= n; i += 3, out += 4) {
    uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
    out[0] = alphabet[v >> 18];
    out[1] = alphabet[(v >> 12) & 63];
    out[2] = alphabet[(v >> 6) & 63];
    out[3] = alphabet[v & 63];
  }
  if (i < n) {
    uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);
    out[0] = alphabet[v >> 18];
    out[1] = alphabet[(v >> 12) & 63];
    out[2] = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
    out[3] = '=';
  }
}

/* The 6-bit value of c, or -1 if c is not in the alphabet. */
static int sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int sp_base64_decode(const char *in, size_t len, uint8_t *out, size_t *out_len, size_t *bad_at) {
  *out_len = 0;
  if (len % 4 != 0) {
    *bad_at = len;
    return -1;
  }
  size_t o = 0;
  for (size_t i = 0; i < len; i += 4) {
    int pad = 0;
    uint32_t v = 0;
    for (size_t k = 0; k < 4; k++) {
      char c = in[i + k];
      int s = sextet(c);
      /* '=' only in the last quad, in position 3, or 2 and 3. */
      if (c == '=' && i + 4 == len && (k == 3 || (k == 2 && in[i + 3] == '='))) {
        pad++;
        s = 0;
      } else if (s < 0 || pad) {
        *bad_at = i + k;
        return -1;
      }
      v = v << 6 | (uint32_t)s;
    }
    out[o++] = (uint8_t)(v >> 16);
    if (pad < 2) out[o++] = (uint8_t)(v >> 8);
    if (pad < 1) out[o++] = (uint8_t)v;
  }
  *out_len = o;
  return 0;
}
