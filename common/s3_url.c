/*
 * s3_url: endpoint parsing and the canonical encoding SigV4 needs.
 *
 * curl 7.88 signs the path and the query exactly as written in the URL, so
 * the URL we hand it must already be canonical: every byte outside
 * A-Za-z0-9-._~ percent-encoded with uppercase hex, and the query sorted by
 * name with "=" after empty values (shared notes, "curl canonicalization").
 */
#include "common/s3_int.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"

void s3_encode(struct buf *out, const char *s, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char ch = *p;

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
		    ch == '_' || ch == '~' || (keep_slash && ch == '/')) {
			buf_addch(out, ch);
		} else {
			buf_addch(out, '%');
			buf_addch(out, hex[ch >> 4]);
			buf_addch(out, hex[ch & 15]);
		}
	}
}

static int param_cmp(const void *a, const void *b)
{
	const struct s3_param *pa = a, *pb = b;
	int r = strcmp(pa->name, pb->name);

	if (r)
		return r;
	return strcmp(pa->value ? pa->value : "", pb->value ? pb->value : "");
}

void s3_query_build(struct buf *out, struct s3_param *params, int n)
{
	qsort(params, n, sizeof(*params), param_cmp);
	for (int i = 0; i < n; i++) {
		if (i)
			buf_addch(out, '&');
		s3_encode(out, params[i].name, 0);
		buf_addch(out, '=');
		if (params[i].value)
			s3_encode(out, params[i].value, 0);
	}
}

int s3_endpoint_parse(struct s3_client *c, const char *endpoint)
{
	const char *p, *slash;
	size_t len, scheme_len;

	if (!endpoint || !*endpoint)
		return error("no S3 endpoint given: set --cos-endpoint or "
			     "T3Q_S3_ENDPOINT to http(s)://host:port");
	p = strstr(endpoint, "://");
	if (!p)
		return error("S3 endpoint '%s' has no scheme: write it as "
			     "http://%s or https://%s", endpoint, endpoint,
			     endpoint);
	scheme_len = p - endpoint;
	if ((scheme_len != 4 || strncmp(endpoint, "http", 4)) &&
	    (scheme_len != 5 || strncmp(endpoint, "https", 5)))
		return error("S3 endpoint '%s' must start with http:// or "
			     "https://", endpoint);
	p += 3;
	slash = strchr(p, '/');
	len = slash ? (size_t)(slash - p) : strlen(p);
	if (!len || memchr(p, '@', len) || memchr(p, '?', len))
		return error("S3 endpoint '%s' has no usable host: write it "
			     "as %.*s://host[:port]", endpoint, (int)scheme_len,
			     endpoint);
	/* Only a valid endpoint changes the client. */
	free(c->scheme);
	free(c->hostport);
	free(c->base);
	c->scheme = xstrndup(endpoint, scheme_len);
	c->hostport = xstrndup(p, len);
	c->base = xstrdup(slash ? slash : "");
	/* Drop trailing slashes so that base + "/" + bucket is canonical. */
	len = strlen(c->base);
	while (len && c->base[len - 1] == '/')
		c->base[--len] = '\0';
	return 0;
}

void s3_url_build(const struct s3_client *c, struct buf *out,
		  const char *bucket, const char *key, const char *query)
{
	buf_addf(out, "%s://", c->scheme);
	if (c->cfg.virtual_host && bucket)
		buf_addf(out, "%s.", bucket);
	buf_adds(out, c->hostport);
	buf_adds(out, c->base);
	if (!c->cfg.virtual_host && bucket) {
		buf_addch(out, '/');
		s3_encode(out, bucket, 0);
	}
	buf_addch(out, '/');
	if (key)
		s3_encode(out, key, 1);
	if (query && *query) {
		buf_addch(out, '?');
		buf_adds(out, query);
	}
}
