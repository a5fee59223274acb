/*
 * s3_cb_write: the body of a response. A 2xx body goes to the sink file,
 * its CRC32C taken on the way when the server gave the object's (the
 * instruction keeps up with any network), its MD5 left to a thread that
 * hashes each buffer once written (s3_hash.c: MD5 is 5 times slower than
 * the line); anything else, and every body of a request without a sink,
 * goes to memory, capped, since those are small XML documents and an
 * error page must not grow without bound.
 */
#include "s3/s3_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "s3/crc32c.h"

#define S3_MEM_BODY_CAP (32u * 1024 * 1024)

int s3_sink_flush(struct s3_req *r)
{
	for (size_t off = 0; off < r->sink_len;) {
		ssize_t w = r->out_ranged ?
			pwrite(r->out_fd, r->sink + off, r->sink_len - off,
			       r->out_off + r->flushed + (long long)off) :
			write(r->out_fd, r->sink + off, r->sink_len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			/* Disk full is not a network fault: keep the errno. */
			r->sink_errno = errno;
			r->sink_len = 0;
			return -1;
		}
		off += w;
	}
	r->flushed += r->sink_len;
	if (r->hasher)
		s3_hasher_pass(r);
	r->sink_len = 0;
	return 0;
}

void s3_sink_release(struct s3_req *r)
{
	if (!s3_hasher_lends(r, r->sink))
		free(r->sink);
	r->sink = NULL;
	r->sink_len = 0;
}

/*
 * Room in r->sink for len more bytes: flushed when full. A body whose
 * length is known and under S3_SINK_BUF gets a buffer its size: 1000
 * objects of 10 KiB taking and giving back 256 KiB each grew and shrank
 * the heap (brk) a thousand times. One that says less than it sends
 * grows it. A buffer the MD5 thread lent is S3_SINK_BUF long and curl
 * hands over at most CURL_MAX_WRITE_SIZE (16 KiB) a call, so it always
 * has room once flushed and is never the one grown.
 */
static int sink_room(struct s3_req *r, size_t len)
{
	if (!r->sink) {
		r->sink_cap = r->content_length > 0 &&
			r->content_length < S3_SINK_BUF ?
			(size_t)r->content_length : S3_SINK_BUF;
		r->sink = xmalloc(r->sink_cap);
	}
	if (r->sink_len + len > r->sink_cap && s3_sink_flush(r) < 0)
		return -1;
	if (len > r->sink_cap) {
		r->sink_cap = len > S3_SINK_BUF ? len : S3_SINK_BUF;
		r->sink = xrealloc(r->sink, r->sink_cap);
	}
	return 0;
}

/* A ranged answer is the range asked for, and no byte more. */
static int range_ok(const struct s3_req *r, size_t len)
{
	if (!r->received &&
	    (r->range_start != r->out_off ||
	     (r->out_len >= 0 &&
	      r->range_end - r->range_start + 1 != r->out_len) ||
	     (r->out_total >= 0 && r->range_total != r->out_total)))
		return 0;
	return r->out_len < 0 || r->received + (long long)len <= r->out_len;
}

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
	/*
	 * Large, or with a composite checksum ("-N"), which only its parts'
	 * answers can be checked by.
	 */
	if (!r->received && r->parts_over > 0 &&
	    (r->content_length > r->parts_over ||
	     (r->ck_algo && !s3_checksum_is_full(r->checksum))) &&
	    strchr(r->etag, '-') && atoi(strchr(r->etag, '-') + 1) > 1) {
		/* Not a byte written: the parts come in parallel instead. */
		r->parts_switch = 1;
		return CURL_WRITEFUNC_ERROR;
	}
	if (r->out_ranged && !range_ok(r, len)) {
		r->range_bad = 1;
		return CURL_WRITEFUNC_ERROR;
	}
	if (!r->received && !r->hasher && r->check_md5 && !r->out_ranged &&
	    !s3_checksum_applies(r) && s3_etag_is_md5(r->etag) &&
	    s3_hasher_start(r) < 0)
		return CURL_WRITEFUNC_ERROR;
	if (!r->received && s3_checksum_applies(r))
		s3_sum_start(&r->sum, r->ck_algo);
	if (sink_room(r, len) < 0)
		return CURL_WRITEFUNC_ERROR;
	memcpy(r->sink + r->sink_len, ptr, len);
	r->sink_len += len;
	if (r->sink_len == r->sink_cap && s3_sink_flush(r) < 0)
		return CURL_WRITEFUNC_ERROR;
	if (r->sum.algo)
		s3_sum_update(&r->sum, ptr, len);
	r->received += len;
	if (r->hasher)
		s3_hasher_feed(r, ptr, len);
	if (r->progress) {
		/* A GET learns its size from the answer. */
		if (!r->progress->total && r->content_length > 0)
			r->progress->total = r->content_length;
		s3_progress_add(r->progress, len);
	}
	return len;
}
