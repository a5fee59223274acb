/*
 * crc32c: the table is built at the first call (slicing by 8: eight bytes
 * a round, about 1 GB/s); the instruction does 8 bytes a cycle or so.
 * Every table and the CPU check are made once (pthread_once): the parts of
 * a download are checked by several threads at once (s3_parts.c).
 */
#include "s3/crc32c.h"

#include <pthread.h>
#include <string.h>

#define POLY 0x82F63B78u

static uint32_t table[8][256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void table_build(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ POLY : c >> 1;
		table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			table[t][i] = (table[t - 1][i] >> 8) ^
				      table[0][table[t - 1][i] & 0xff];
}

uint32_t crc32c_update_portable(uint32_t crc, const void *p, size_t len)
{
	const unsigned char *b = p;

	pthread_once(&table_once, table_build);
	crc = ~crc;
	while (len >= 8) {
		uint32_t lo, hi;

		/* Byte by byte, so that the order is the same on any host. */
		lo = crc ^ ((uint32_t)b[0] | (uint32_t)b[1] << 8 |
			    (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24);
		hi = (uint32_t)b[4] | (uint32_t)b[5] << 8 |
		     (uint32_t)b[6] << 16 | (uint32_t)b[7] << 24;
		crc = table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^
		      table[5][(lo >> 16) & 0xff] ^ table[4][lo >> 24] ^
		      table[3][hi & 0xff] ^ table[2][(hi >> 8) & 0xff] ^
		      table[1][(hi >> 16) & 0xff] ^ table[0][hi >> 24];
		b += 8;
		len -= 8;
	}
	while (len--)
		crc = (crc >> 8) ^ table[0][(crc ^ *b++) & 0xff];
	return ~crc;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>

__attribute__((target("sse4.2")))
static uint32_t update_sse42(uint32_t crc, const void *p, size_t len)
{
	const unsigned char *b = p;
	uint64_t c = ~crc;

	while (len && ((uintptr_t)b & 7)) {
		c = _mm_crc32_u8((uint32_t)c, *b++);
		len--;
	}
	while (len >= 8) {
		uint64_t v;

		memcpy(&v, b, 8);
		c = _mm_crc32_u64(c, v);
		b += 8;
		len -= 8;
	}
	while (len--)
		c = _mm_crc32_u8((uint32_t)c, *b++);
	return ~(uint32_t)c;
}

static int have_sse42;
static pthread_once_t have_once = PTHREAD_ONCE_INIT;

static void have_check(void)
{
	__builtin_cpu_init();
	have_sse42 = __builtin_cpu_supports("sse4.2") != 0;
}

int crc32c_hardware(void)
{
	pthread_once(&have_once, have_check);
	return have_sse42;
}

uint32_t crc32c_update(uint32_t crc, const void *p, size_t len)
{
	if (crc32c_hardware())
		return update_sse42(crc, p, len);
	return crc32c_update_portable(crc, p, len);
}
#else
int crc32c_hardware(void)
{
	return 0;
}

uint32_t crc32c_update(uint32_t crc, const void *p, size_t len)
{
	return crc32c_update_portable(crc, p, len);
}
#endif

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void crc32c_base64(uint32_t crc, char out[9])
{
	unsigned char v[4] = { crc >> 24, crc >> 16, crc >> 8, crc };

	out[0] = b64[v[0] >> 2];
	out[1] = b64[((v[0] & 3) << 4) | (v[1] >> 4)];
	out[2] = b64[((v[1] & 15) << 2) | (v[2] >> 6)];
	out[3] = b64[v[2] & 63];
	out[4] = b64[v[3] >> 2];
	out[5] = b64[(v[3] & 3) << 4];
	out[6] = '=';
	out[7] = '=';
	out[8] = '\0';
}

int crc32c_from_base64(const char *text, uint32_t *crc)
{
	char again[9];
	uint64_t v = 0;

	if (strlen(text) != 8 || strcmp(text + 6, "=="))
		return -1;
	for (int i = 0; i < 6; i++) {
		const char *at = strchr(b64, text[i]);

		if (!text[i] || !at)
			return -1;
		v = v << 6 | (uint32_t)(at - b64);
	}
	/* 36 bits read, the last 4 of them padding. */
	v >>= 4;
	crc32c_base64((uint32_t)v, again);
	if (strcmp(again, text))
		return -1;
	*crc = (uint32_t)v;
	return 0;
}

static uint32_t table32[256];
static uint64_t table64[256];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void tables_build(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		uint64_t d = i;

		for (int k = 0; k < 8; k++) {
			c = c & 1 ? (c >> 1) ^ 0xEDB88320u : c >> 1;
			d = d & 1 ? (d >> 1) ^ 0x9A6C9329AC4BC9B5ull : d >> 1;
		}
		table32[i] = c;
		table64[i] = d;
	}
}

uint32_t crc32_update(uint32_t crc, const void *p, size_t len)
{
	const unsigned char *b = p;

	pthread_once(&tables_once, tables_build);
	crc = ~crc;
	while (len--)
		crc = (crc >> 8) ^ table32[(crc ^ *b++) & 0xff];
	return ~crc;
}

uint64_t crc64nvme_update(uint64_t crc, const void *p, size_t len)
{
	const unsigned char *b = p;

	pthread_once(&tables_once, tables_build);
	crc = ~crc;
	while (len--)
		crc = (crc >> 8) ^ table64[(crc ^ *b++) & 0xff];
	return ~crc;
}

void crc_base64(const unsigned char *v, size_t len, char *out)
{
	for (size_t i = 0; i < len; i += 3) {
		uint32_t w = (uint32_t)v[i] << 16 |
			     (i + 1 < len ? (uint32_t)v[i + 1] << 8 : 0) |
			     (i + 2 < len ? v[i + 2] : 0);

		*out++ = b64[w >> 18];
		*out++ = b64[(w >> 12) & 63];
		*out++ = i + 1 < len ? b64[(w >> 6) & 63] : '=';
		*out++ = i + 2 < len ? b64[w & 63] : '=';
	}
	*out = '\0';
}
