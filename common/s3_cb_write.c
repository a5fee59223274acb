/*
 * s3_cb_write: the body of a response. A 2xx body goes to the sink file
 * (hashed on the way for the MD5 check); anything else, and every body of a
 * request without a sink, goes to memory, capped, since those are small XML
 * documents and an error page must not grow without bound.
 */
#include "common/s3_int.h"

#include <errno.h>
#include <unistd.h>

#define S3_MEM_BODY_CAP (32u * 1024 * 1024)

size_t s3_cb_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct s3_req *r = userdata;
	size_t len = size * nmemb;

	if (r->out_fd < 0 || r->status < 200 || r->status > 299) {
		if (r->body.len + len > S3_MEM_BODY_CAP)
			return CURL_WRITEFUNC_ERROR;
		buf_add(&r->body, ptr, len);
		return len;
	}
	for (size_t off = 0; off < len;) {
		ssize_t w = write(r->out_fd, ptr + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			/* Disk full is not a network fault: keep the errno. */
			r->sink_errno = errno;
			return CURL_WRITEFUNC_ERROR;
		}
		off += w;
	}
	if (r->md5)
		EVP_DigestUpdate(r->md5, ptr, len);
	r->received += len;
	if (r->progress) {
		/* A GET learns its size from the answer. */
		if (!r->progress->total && r->content_length > 0)
			r->progress->total = r->content_length;
		s3_progress_add(r->progress, len);
	}
	return len;
}
