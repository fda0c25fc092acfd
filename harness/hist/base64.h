/* base64.h: standard base64 (RFC 4648 alphabet, '=' padding, no line
 * breaks), as HdrHistogram's logs carry their compressed histograms. */
#ifndef SP_BASE64_H
#define SP_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Characters needed to encode n bytes (without a terminating NUL). */
static inline size_t sp_base64_encoded_len(size_t n) { return (n + 2) / 3 * 4; }

/* Encodes n bytes into out (sp_base64_encoded_len(n) chars, no NUL). */
void sp_base64_encode(const uint8_t *in, size_t n, char *out);

/* Decodes len characters into out (room for len / 4 * 3 bytes); *out_len
 * gets the byte count. Strict: len a multiple of 4, alphabet characters
 * only, '=' only as the last one or two. Returns 0, or -1 with *bad_at set
 * to the offset of the first offending character (len when the length is
 * wrong). */
int sp_base64_decode(const char *in, size_t len, uint8_t *out, size_t *out_len, size_t *bad_at);

#endif
