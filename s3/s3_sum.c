/*
 * s3_sum: the checksums S3 defines, over a body as it arrives: CRC32,
 * CRC32C, CRC64NVME (s3/crc32c.c), SHA1 and SHA256 (libcrypto). An
 * object uploaded by boto3 carries its CRC32 by default; one put with
 * --checksum-algorithm SHA256 its SHA256; each is checked, not just the
 * size.
 */
#include "s3/s3_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "s3/crc32c.h"

static const struct {
	const char *lower, *upper;
} names[] = {
	[S3_CK_NONE] = { "", "" },
	[S3_CK_CRC32] = { "crc32", "CRC32" },
	[S3_CK_CRC32C] = { "crc32c", "CRC32C" },
	[S3_CK_CRC64NVME] = { "crc64nvme", "CRC64NVME" },
	[S3_CK_SHA1] = { "sha1", "SHA1" },
	[S3_CK_SHA256] = { "sha256", "SHA256" },
};

const char *s3_algo_name(enum s3_algo a, int upper)
{
	return upper ? names[a].upper : names[a].lower;
}

enum s3_algo s3_algo_of_header(const char *line, size_t len, size_t *nlen)
{
	static const char pre[] = "x-amz-checksum-";
	size_t p = sizeof(pre) - 1;

	if (len <= p || strncasecmp(line, pre, p))
		return S3_CK_NONE;
	for (int a = S3_CK_CRC32; a <= S3_CK_SHA256; a++) {
		size_t n = strlen(names[a].lower);

		if (len > p + n && line[p + n] == ':' &&
		    !strncasecmp(line + p, names[a].lower, n)) {
			*nlen = p + n;
			return (enum s3_algo)a;
		}
	}
	return S3_CK_NONE;
}

void s3_sum_start(struct s3_sum *s, enum s3_algo a)
{
	s3_sum_release(s);
	s->algo = a;
	if (a == S3_CK_SHA1 || a == S3_CK_SHA256) {
		s->md = EVP_MD_CTX_new();
		if (!s->md || !EVP_DigestInit_ex(s->md, a == S3_CK_SHA1 ?
						 EVP_sha1() : EVP_sha256(),
						 NULL))
			abort();
	}
}

void s3_sum_update(struct s3_sum *s, const void *p, size_t len)
{
	switch (s->algo) {
	case S3_CK_CRC32: s->crc32 = crc32_update(s->crc32, p, len); break;
	case S3_CK_CRC32C: s->crc32 = crc32c_update(s->crc32, p, len); break;
	case S3_CK_CRC64NVME:
		s->crc64 = crc64nvme_update(s->crc64, p, len);
		break;
	case S3_CK_SHA1:
	case S3_CK_SHA256: EVP_DigestUpdate(s->md, p, len); break;
	default: break;
	}
}

void s3_sum_finish(struct s3_sum *s, char *out)
{
	unsigned char v[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (s->algo == S3_CK_CRC32 || s->algo == S3_CK_CRC32C) {
		for (n = 0; n < 4; n++)
			v[n] = (unsigned char)(s->crc32 >> (24 - 8 * n));
	} else if (s->algo == S3_CK_CRC64NVME) {
		for (n = 0; n < 8; n++)
			v[n] = (unsigned char)(s->crc64 >> (56 - 8 * n));
	} else if (s->md) {
		EVP_DigestFinal_ex(s->md, v, &n);
	}
	crc_base64(v, n, out);
	s3_sum_release(s);
}

void s3_sum_release(struct s3_sum *s)
{
	EVP_MD_CTX_free(s->md);
	memset(s, 0, sizeof(*s));
}
