/* hcodec.h: HdrHistogram's V2 compressed histogram encoding.
 *
 * The binary form inside every .hlog line (base64 there), the one
 * HdrHistogram Java (encodeIntoCompressedByteBuffer), HdrHistogram_c
 * (hdr_encode_compressed) and the tools built on them read. All integers
 * big-endian.
 *
 *   compressed form
 *   +0   u32  cookie  0x1c849314  (V2 compressed base 0x1c849304 | 0x10)
 *   +4   i32  length of the zlib stream that follows, in bytes
 *   +8   zlib stream (RFC 1950: deflate with zlib header and Adler-32) of:
 *
 *   encoded form
 *   +0   u32  cookie  0x1c849313  (V2 encoding base 0x1c849303 | 0x10;
 *                                  0x10 = "word size" 1: ZigZag LEB128 counts)
 *   +4   i32  payload length in bytes (the counts below)
 *   +8   i32  normalizing index offset           we write 0
 *   +12  i32  significant figures                we write 3
 *   +16  i64  lowest discernible value           we write 1      (1 us)
 *   +24  i64  highest trackable value            we write 3600000000 (1 h in us)
 *   +32  f64  integer-to-double conversion ratio we write 1.0 (IEEE-754 bits)
 *   +40  counts[0 .. index_of(max)], each a ZigZag LEB128-64b9B varint
 *        (7 bits a byte, low first, high bit = more; the 9th byte carries 8
 *        bits); a run of k >= 2 zero counts is written as the one value -k.
 *
 * The declared parameters (1, 3600000000, 3) give exactly our slot layout
 * (hist.h), so a reader rebuilding an HdrHistogram from them puts every count
 * back in the slot we took it from. We deflate at zlib's default level 6,
 * as HdrHistogram_c's hdr_encode_compressed (compress()) does; Java's
 * HistogramLogWriter uses 9, which bench_hist measured at 1.5x the time for
 * 0.3% fewer bytes. Zero runs as Java (a lone zero is written as count 0,
 * HdrHistogram_c writes it as -1; both decode).
 *
 * The decoder accepts any V2 histogram of integer values (other parameters
 * included): each non-empty slot is re-recorded at its lowest equivalent
 * value (as HdrHistogram's add does), values above 1 h counting as overflow.
 * It rejects V0/V1 encodings, a non-zero normalizing offset and a conversion
 * ratio other than 1 (DoubleHistogram), each with a message saying so. */
#ifndef SP_HCODEC_H
#define SP_HCODEC_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "hist.h"

#define SP_HCODEC_COMPRESSED_COOKIE 0x1c849314u
#define SP_HCODEC_ENCODING_COOKIE 0x1c849313u
#define SP_HCODEC_HEADER_BYTES 40
#define SP_HCODEC_LEVEL 6

/* Appends h's compressed form to out. 0, or -1 with a message (zlib failure). */
int sp_hcodec_encode(const sp_hist *h, sp_buf *out, char *err, size_t err_len);

/* The same with reused state: a writer that encodes every second keeps one
 * encoder, so zlib's ~300 KiB of deflate state and the scratch buffer are
 * set up once, not per interval. */
typedef struct sp_hcodec_encoder {
  void *zs;       /* z_stream, allocated on first use */
  sp_buf scratch; /* the uncompressed encoding */
} sp_hcodec_encoder;

#define SP_HCODEC_ENCODER_INIT {NULL, SP_BUF_INIT}
int sp_hcodec_encode_with(sp_hcodec_encoder *enc, const sp_hist *h, sp_buf *out, char *err,
                          size_t err_len);
void sp_hcodec_encoder_free(sp_hcodec_encoder *enc);

/* Decodes a compressed form into out (reset first; left empty on error).
 * Every length is checked against the bytes present. 0, or -1 with what is
 * wrong in err. */
int sp_hcodec_decode(const uint8_t *in, size_t len, sp_hist *out, char *err, size_t err_len);

/* ZigZag LEB128-64b9B, exposed for tests: writes at most 9 bytes. */
size_t sp_hcodec_put_varint(uint8_t *p, int64_t value);
/* Reads one varint from [p, end); returns bytes read, 0 if it runs past end. */
size_t sp_hcodec_get_varint(const uint8_t *p, const uint8_t *end, int64_t *value);

#endif
