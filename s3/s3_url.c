/*
 * s3_url: endpoint parsing and the canonical encoding SigV4 needs.
 *
 * curl 7.88 signs the path and the query exactly as written in the URL, so
 * the URL we hand it must already be canonical: every byte outside
 * A-Za-z0-9-._~ percent-encoded with uppercase hex, and the query sorted by
 * name with "=" after empty values (shared notes, "curl canonicalization").
 */
#include "s3/s3_int.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

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

/* Where the user info of url ends ('@' before the path), or NULL. */
static const char *userinfo_end(const char *url)
{
	const char *p = strstr(url, "://"), *at;
	size_t len;

	p = p ? p + 3 : url;
	len = strcspn(p, "/?#");
	at = memchr(p, '@', len);
	/* The last '@': a secret may hold one, a host never does. */
	while (at && memchr(at + 1, '@', len - (at + 1 - p)))
		at = memchr(at + 1, '@', len - (at + 1 - p));
	return at;
}

void s3_url_redact(struct buf *out, const char *url)
{
	const char *at = url ? userinfo_end(url) : NULL;
	const char *p;

	if (!url)
		return;
	if (!at) {
		buf_adds(out, url);
		return;
	}
	p = strstr(url, "://");
	p = p ? p + 3 : url;
	buf_add(out, url, p - url);
	buf_adds(out, "***");
	buf_adds(out, at);
}

static char *pct_decode(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;

	for (size_t i = 0; i < n; i++) {
		unsigned v;

		if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1])
		    && isxdigit((unsigned char)s[i + 2]) &&
		    sscanf(s + i + 1, "%2x", &v) == 1) {
			*o++ = (char)v;
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

/* "http://KEY:SECRET@host": credentials, unless the config has its own. */
static void take_userinfo(struct s3_client *c, const char *p, const char *at)
{
	const char *colon = memchr(p, ':', at - p);
	char *key, *secret;

	if (c->cfg.access_key && *c->cfg.access_key) {
		warn("the S3 endpoint holds credentials too; using the ones "
		     "from the environment");
		return;
	}
	key = pct_decode(p, (colon ? colon : at) - p);
	secret = colon ? pct_decode(colon + 1, at - colon - 1) : xstrdup("");
	s3_config_set(&c->cfg.access_key, key);
	s3_config_set(&c->cfg.secret_key, secret);
	OPENSSL_cleanse(secret, strlen(secret));
	free(key);
	free(secret);
}

int s3_endpoint_parse(struct s3_client *c, const char *endpoint)
{
	const char *p, *slash, *at, *host;
	struct buf shown = BUF_INIT;
	size_t len, scheme_len;
	int ret;

	if (!endpoint || !*endpoint)
		return error("no S3 endpoint given: set --cos-endpoint or "
			     "T3Q_S3_ENDPOINT to http(s)://host:port");
	/* Every message below shows the endpoint without its user info. */
	s3_url_redact(&shown, endpoint);
	p = strstr(endpoint, "://");
	if (!p) {
		ret = error("S3 endpoint '%s' has no scheme: write it as "
			    "http://%s or https://%s", shown.buf, shown.buf,
			    shown.buf);
		goto out;
	}
	scheme_len = p - endpoint;
	if ((scheme_len != 4 || strncmp(endpoint, "http", 4)) &&
	    (scheme_len != 5 || strncmp(endpoint, "https", 5))) {
		ret = error("S3 endpoint '%s' must start with http:// or "
			    "https://", shown.buf);
		goto out;
	}
	p += 3;
	at = userinfo_end(endpoint);
	host = at ? at + 1 : p;
	slash = strchr(host, '/');
	len = slash ? (size_t)(slash - host) : strlen(host);
	if (!len || memchr(host, '@', len) || memchr(host, '?', len)) {
		ret = error("S3 endpoint '%s' has no usable host: write it "
			    "as %.*s://host[:port]", shown.buf,
			    (int)scheme_len, endpoint);
		goto out;
	}
	/* Credentials from the URL, once the host is known good. */
	if (at)
		take_userinfo(c, p, at);
	p = host;
	buf_release(&shown);
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
out:
	buf_release(&shown);
	return ret;
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
