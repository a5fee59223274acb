/* Canonical encoding and URLs, as SigV4 on curl 7.88 needs them. */
#include "check.h"

#include <stdlib.h>

#include "s3/s3_int.h"

static void enc(const char *in, int keep_slash, const char *want)
{
	struct buf b = BUF_INIT;

	s3_encode(&b, in, keep_slash);
	CHECK_STR(b.buf, want);
	buf_release(&b);
}

static void url(const char *endpoint, int vhost, const char *bucket,
		const char *key, const char *query, const char *want)
{
	struct s3_client c = { 0 };
	struct buf b = BUF_INIT;

	c.cfg.virtual_host = vhost;
	CHECK(s3_endpoint_parse(&c, endpoint) == 0);
	s3_url_build(&c, &b, bucket, key, query);
	CHECK_STR(b.buf, want);
	buf_release(&b);
	free(c.scheme);
	free(c.hostport);
	free(c.base);
}

int main(void)
{
	struct s3_param p[4] = {
		{ "prefix", "dir/a b" },
		{ "list-type", "2" },
		{ "continuation-token", "1/x+y=" },
		{ "delimiter", "/" },
	};
	struct s3_param up[1] = { { "uploads", NULL } };
	struct buf q = BUF_INIT;
	struct s3_client bad = { 0 };

	enc("abcXYZ019-._~", 0, "abcXYZ019-._~");
	enc("a b", 0, "a%20b");
	enc("a/b c", 1, "a/b%20c");
	enc("a/b", 0, "a%2Fb");
	enc("+=&?", 1, "%2B%3D%26%3F");
	enc("ü€", 1, "%C3%BC%E2%82%AC");
	enc("100%", 1, "100%25");
	enc("*'()!$;:@,", 1, "%2A%27%28%29%21%24%3B%3A%40%2C");

	s3_query_build(&q, p, 4);
	CHECK_STR(q.buf, "continuation-token=1%2Fx%2By%3D&delimiter=%2F&"
		  "list-type=2&prefix=dir%2Fa%20b");
	buf_reset(&q);
	s3_query_build(&q, up, 1);
	CHECK_STR(q.buf, "uploads=");
	buf_release(&q);

	url("http://127.0.0.1:9000", 0, "bkt", "a b/c+d", NULL,
	    "http://127.0.0.1:9000/bkt/a%20b/c%2Bd");
	url("https://minio.example/", 0, "bkt", "k", "uploads=",
	    "https://minio.example/bkt/k?uploads=");
	url("http://h:1/base/", 0, "bkt", NULL, "list-type=2",
	    "http://h:1/base/bkt/?list-type=2");
	url("https://s3.amazonaws.com", 1, "bkt", "x/y", NULL,
	    "https://bkt.s3.amazonaws.com/x/y");

	CHECK(s3_endpoint_parse(&bad, "minio:9000") < 0);
	CHECK(s3_endpoint_parse(&bad, "ftp://x") < 0);
	CHECK(s3_endpoint_parse(&bad, "http://") < 0);
	/* User info is credentials now (test_s3redact); a host is still due. */
	CHECK(s3_endpoint_parse(&bad, "http://user:secret@") < 0);
	free(bad.scheme);
	free(bad.hostport);
	free(bad.base);
	return check_done();
}
