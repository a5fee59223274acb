/*
 * s3_cb_header: the status, ETag, CRC32C checksum, Content-Length, parts
 * count and Content-Range of a response. A new status line (after "100 Continue", say) starts a new
 * response, so the fields are reset there.
 */
#include "s3/s3_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int header_is(const char *line, size_t len, const char *name)
{
	size_t n = strlen(name);

	return len > n && line[n] == ':' && !strncasecmp(line, name, n);
}

static void header_value(const char *line, size_t len, size_t name_len,
			 char *out, size_t out_size)
{
	const char *v = line + name_len + 1, *end = line + len;
	size_t n;

	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' ||
			   end[-1] == ' '))
		end--;
	if (end - v >= 2 && *v == '"' && end[-1] == '"') {
		v++;
		end--;
	}
	n = end - v;
	if (n >= out_size)
		n = out_size - 1;
	memcpy(out, v, n);
	out[n] = '\0';
}

size_t s3_cb_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct s3_req *r = userdata;
	size_t len = size * nmemb, nlen = 0;
	enum s3_algo algo;
	char value[80];

	if (len > 5 && !strncmp(ptr, "HTTP/", 5)) {
		const char *sp = memchr(ptr, ' ', len);

		r->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		r->etag[0] = '\0';
		r->checksum[0] = '\0';
		r->ck_algo = S3_CK_NONE;
		r->ck_full_object = 0;
		r->content_length = -1;
		r->parts_count = 0;
		r->range_start = -1;
		r->range_end = -1;
		r->range_total = -1;
	} else if (header_is(ptr, len, "ETag")) {
		header_value(ptr, len, 4, r->etag, sizeof(r->etag));
	} else if (header_is(ptr, len, "x-amz-checksum-type")) {
		header_value(ptr, len, 19, value, sizeof(value));
		r->ck_full_object = !strcasecmp(value, "FULL_OBJECT");
	} else if (!r->ck_algo &&
		   (algo = s3_algo_of_header(ptr, len, &nlen)) != S3_CK_NONE) {
		header_value(ptr, len, nlen, r->checksum, sizeof(r->checksum));
		r->ck_algo = algo;
	} else if (header_is(ptr, len, "x-amz-mp-parts-count")) {
		header_value(ptr, len, 20, value, sizeof(value));
		r->parts_count = atoi(value);
	} else if (header_is(ptr, len, "Content-Range")) {
		long long a, b, t;

		header_value(ptr, len, 13, value, sizeof(value));
		if (sscanf(value, "bytes %lld-%lld/%lld", &a, &b, &t) == 3) {
			r->range_start = a;
			r->range_end = b;
			r->range_total = t;
		}
	} else if (header_is(ptr, len, "Content-Length")) {
		header_value(ptr, len, 14, value, sizeof(value));
		r->content_length = strtoll(value, NULL, 10);
	}
	return len;
}
