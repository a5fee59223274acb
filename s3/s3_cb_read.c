/*
 * s3_cb_read: the body of an upload, read with pread(2) at the request's
 * own offset, so that parallel parts can share one file descriptor; and
 * its rewind, which curl needs to send it again on a fresh connection
 * when a reused one died under a body sent without 100-continue.
 */
#include "s3/s3_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

size_t s3_cb_read(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct s3_req *r = userdata;
	size_t want = size * nmemb;
	long long left;
	ssize_t n;

	if (r->in_mem) {
		left = (long long)r->in_mem_len - r->in_pos;
		if ((long long)want > left)
			want = left;
		memcpy(ptr, r->in_mem + r->in_pos, want);
		r->in_pos += want;
		return want;
	}
	left = r->in_len - r->in_pos;
	if (left <= 0 && r->in_tail) {
		left = (long long)r->in_tail_len - (r->in_pos - r->in_len);
		if ((long long)want > left)
			want = left;
		memcpy(ptr, r->in_tail + (r->in_pos - r->in_len), want);
		r->in_pos += want;
		return want;
	}
	if ((long long)want > left)
		want = left;
	if (!want)
		return 0;
	do {
		n = pread(r->in_fd, ptr, want, r->in_off + r->in_pos);
	} while (n < 0 && errno == EINTR);
	if (n <= 0) {
		/* The file shrank or failed under us: a final error. */
		r->sink_errno = n < 0 ? errno : EIO;
		return CURL_READFUNC_ABORT;
	}
	r->in_pos += n;
	if (r->progress)
		s3_progress_add(r->progress, n);
	return n;
}

int s3_cb_seek(void *userdata, curl_off_t offset, int origin)
{
	struct s3_req *r = userdata;
	long long len = r->in_mem ? (long long)r->in_mem_len
				  : r->in_len + (long long)r->in_tail_len;

	if (origin != SEEK_SET || offset < 0 || offset > len)
		return CURL_SEEKFUNC_CANTSEEK;
	/* What was counted as sent is sent again. */
	if (r->progress && !r->in_mem)
		s3_progress_add(r->progress, -(r->in_pos - offset));
	r->in_pos = offset;
	return CURL_SEEKFUNC_OK;
}
