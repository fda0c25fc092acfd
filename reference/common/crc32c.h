/* crc32c.h: CRC-32C (Castagnoli, reflected polynomial 0x82F63B78).
 *
 * The checksum of Kafka RecordBatch v2 (over bytes [21, end) of a batch), of
 * streamproof's message identity header and of refstream checkpoints.
 * Uses the SSE4.2 crc32 instruction when the CPU has it, else a
 * slicing-by-8 table; both give identical results (tested). */
#ifndef SP_CRC32C_H
#define SP_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Extends crc (0 to start) over len bytes. sp_crc32c(0, "123456789", 9) is
 * 0xE3069283. Chaining works: crc(crc(0, a), b) == crc(0, a||b). */
uint32_t sp_crc32c(uint32_t crc, const void *buf, size_t len);

/* The portable table version, exposed so tests can compare both paths. */
uint32_t sp_crc32c_sw(uint32_t crc, const void *buf, size_t len);

#endif
