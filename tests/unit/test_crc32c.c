/*
 * CRC-32C: the known vectors (RFC 3720 B.4, the "123456789" check value),
 * the instruction against the table on many lengths and alignments, split
 * feeds against one call, and the base64 text S3 uses, against Python's
 * base64 of the same 4 bytes worked out by hand.
 */
#include "check.h"

#include <stdint.h>
#include <stdlib.h>

#include "s3/crc32c.h"

static void vec(const void *p, size_t n, uint32_t want)
{
	CHECK(crc32c_update(0, p, n) == want);
	CHECK(crc32c_update_portable(0, p, n) == want);
}

int main(void)
{
	unsigned char b[4096 + 16];
	unsigned seed = 12345;
	char text[9];
	uint32_t v;

	vec("123456789", 9, 0xE3069283u);
	vec("", 0, 0);
	memset(b, 0, 32);
	vec(b, 32, 0x8A9136AAu);
	memset(b, 0xff, 32);
	vec(b, 32, 0x62A8AB43u);
	for (int i = 0; i < 32; i++)
		b[i] = (unsigned char)i;
	vec(b, 32, 0x46DD794Eu);
	for (int i = 0; i < 32; i++)
		b[i] = (unsigned char)(31 - i);
	vec(b, 32, 0x113FDB5Cu);

	/* Every length to 300 at every alignment to 8, then random ones. */
	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (unsigned char)rand_r(&seed);
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n < 300; n++)
			CHECK(crc32c_update(0, b + off, n) ==
			      crc32c_update_portable(0, b + off, n));
	for (int k = 0; k < 200; k++) {
		size_t n = rand_r(&seed) % 4096, cut = n ? rand_r(&seed) % n : 0;
		uint32_t whole = crc32c_update(0, b, n);

		CHECK(whole == crc32c_update_portable(0, b, n));
		CHECK(crc32c_update(crc32c_update(0, b, cut), b + cut,
				    n - cut) == whole);
		CHECK(crc32c_update_portable(crc32c_update(0, b, cut),
					     b + cut, n - cut) == whole);
	}

	/* base64 of the bytes E3 06 92 83, and back. */
	crc32c_base64(0xE3069283u, text);
	CHECK_STR(text, "4waSgw==");
	CHECK(crc32c_from_base64("4waSgw==", &v) == 0 && v == 0xE3069283u);
	crc32c_base64(0, text);
	CHECK_STR(text, "AAAAAA==");
	for (int k = 0; k < 100; k++) {
		uint32_t x = (uint32_t)rand_r(&seed) * 2654435761u, y = 0;

		crc32c_base64(x, text);
		CHECK(crc32c_from_base64(text, &y) == 0 && y == x);
	}
	CHECK(crc32c_from_base64("4waSgw=", &v) < 0);
	CHECK(crc32c_from_base64("4waS?w==", &v) < 0);
	CHECK(crc32c_from_base64("4waSgx==", &v) < 0);

	/*
	 * The other CRCs S3 defines, by their catalogue check values:
	 * CRC-32/ISO-HDLC cbf43926, CRC-64/NVME ae8b14860a799888 (the
	 * value fakes3.py's own table gives too); split feeds; base64.
	 */
	CHECK(crc32_update(0, "123456789", 9) == 0xCBF43926u);
	CHECK(crc64nvme_update(0, "123456789", 9) == 0xAE8B14860A799888ull);
	CHECK(crc32_update(crc32_update(0, "1234", 4), "56789", 5) ==
	      0xCBF43926u);
	CHECK(crc64nvme_update(crc64nvme_update(0, "12345", 5), "6789", 4) ==
	      0xAE8B14860A799888ull);
	CHECK(crc32_update(0, "", 0) == 0 && crc64nvme_update(0, "", 0) == 0);
	{
		const unsigned char v8[8] = { 0xae, 0x8b, 0x14, 0x86,
					      0x0a, 0x79, 0x98, 0x88 };
		char t[16];

		crc_base64(v8, 8, t);
		CHECK_STR(t, "rosUhgp5mIg=");
		crc_base64((const unsigned char *)"\xe3\x06\x92\x83", 4, t);
		CHECK_STR(t, "4waSgw==");
		crc_base64((const unsigned char *)"abc", 3, t);
		CHECK_STR(t, "YWJj");
	}
	printf("# crc32c: %s\n", crc32c_hardware() ? "SSE4.2" : "table");
	return check_done();
}
