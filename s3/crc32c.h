/*
 * crc32c: CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the
 * checksum S3 calls CRC32C (x-amz-checksum-crc32c).
 *
 * The SSE4.2 crc32 instruction when the CPU has it (checked once, at the
 * first call), a table otherwise; both give the same value. Pure functions
 * with no allocation: the caller owns every buffer.
 */
#ifndef T3Q_S3_CRC32C_H
#define T3Q_S3_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/*
 * Continues crc over len bytes of p. Start with 0; the result of one call
 * is the crc to pass to the next, so a stream can be fed in pieces.
 */
uint32_t crc32c_update(uint32_t crc, const void *p, size_t len);
/* The table version alone, so that tests can compare both paths. */
uint32_t crc32c_update_portable(uint32_t crc, const void *p, size_t len);
/* Whether crc32c_update() uses the instruction on this CPU. */
int crc32c_hardware(void);
/*
 * S3's text for a checksum: the 4 bytes big-endian, in base64 (8 chars
 * and a NUL into out).
 */
void crc32c_base64(uint32_t crc, char out[9]);
/* S3's base64 text back to the value; -1 when it is not one. */
int crc32c_from_base64(const char *text, uint32_t *crc);

/*
 * The two other CRCs S3 defines, fed the same way (start with 0):
 * CRC-32 (ISO-HDLC, zlib's, reflected 0xEDB88320), x-amz-checksum-crc32;
 * CRC-64/NVME (reflected 0xAD93D23594C93659, all ones in and out),
 * x-amz-checksum-crc64nvme. Table-driven, a byte at a time.
 */
uint32_t crc32_update(uint32_t crc, const void *p, size_t len);
uint64_t crc64nvme_update(uint64_t crc, const void *p, size_t len);
/* Standard base64 of len bytes into out (4 * ((len + 2) / 3) + 1). */
void crc_base64(const unsigned char *v, size_t len, char *out);

#endif
