/*
 * s3_list: ListObjectsV2, page by page. Each page is parsed and handed to
 * the callback before the next is fetched, so memory stays at one page
 * (at most 1000 keys) whatever the size of the listing.
 */
#include "s3/s3_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"

struct page {
	struct buf key, etag, modified, size, token;
	int truncated;
	int (*cb)(void *ctx, const struct s3_entry *e);
	void *ctx;
	int stop;
	long long count;
};

static void page_text(void *ctx, const char *path, const char *text)
{
	struct page *p = ctx;
	struct s3_entry e = { 0 };

	if (strncmp(path, "ListBucketResult/", 17))
		return;
	path += 17;
	if (!strcmp(path, "Contents/Key")) {
		buf_reset(&p->key);
		buf_adds(&p->key, text);
	} else if (!strcmp(path, "Contents/Size")) {
		buf_reset(&p->size);
		buf_adds(&p->size, text);
	} else if (!strcmp(path, "Contents/ETag")) {
		size_t n = strlen(text);

		buf_reset(&p->etag);
		if (n >= 2 && text[0] == '"' && text[n - 1] == '"')
			buf_add(&p->etag, text + 1, n - 2);
		else
			buf_adds(&p->etag, text);
	} else if (!strcmp(path, "Contents/LastModified")) {
		buf_reset(&p->modified);
		buf_adds(&p->modified, text);
	} else if (!strcmp(path, "Contents") && !p->stop) {
		e.key = p->key.buf;
		e.size = strtoll(p->size.buf, NULL, 10);
		e.etag = p->etag.buf;
		e.last_modified = p->modified.buf;
		p->count++;
		p->stop = p->cb(p->ctx, &e);
		buf_reset(&p->key);
		buf_reset(&p->size);
		buf_reset(&p->etag);
		buf_reset(&p->modified);
	} else if (!strcmp(path, "CommonPrefixes/Prefix") && !p->stop) {
		e.key = text;
		e.etag = e.last_modified = "";
		e.is_prefix = 1;
		p->count++;
		p->stop = p->cb(p->ctx, &e);
	} else if (!strcmp(path, "IsTruncated")) {
		p->truncated = !strcmp(text, "true");
	} else if (!strcmp(path, "NextContinuationToken")) {
		buf_reset(&p->token);
		buf_adds(&p->token, text);
	}
}

int s3_list(struct s3_client *c, const char *bucket, const char *prefix,
	    const char *delimiter,
	    int (*cb)(void *ctx, const struct s3_entry *e), void *ctx)
{
	struct page p = { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT,
			  BUF_INIT, 0, cb, ctx, 0, 0 };
	struct buf query = BUF_INIT, token = BUF_INIT;
	int ret = 0;

	do {
		struct s3_param params[4];
		struct s3_req r;
		int n = 0;

		params[n++] = (struct s3_param){ "list-type", "2" };
		if (prefix && *prefix)
			params[n++] = (struct s3_param){ "prefix", prefix };
		if (delimiter && *delimiter)
			params[n++] = (struct s3_param){ "delimiter",
							 delimiter };
		if (token.len)
			params[n++] = (struct s3_param){ "continuation-token",
							 token.buf };
		buf_reset(&query);
		s3_query_build(&query, params, n);
		s3_req_init(&r, "GET", bucket, NULL);
		r.query = query.buf;
		if (s3_req_run(c, &r) < 0) {
			s3_req_release(&r);
			ret = -1;
			break;
		}
		p.truncated = 0;
		buf_reset(&p.token);
		if (s3_xml_parse(r.body.buf, r.body.len, page_text, &p) < 0)
			ret = error("GET s3://%s?%s: the listing is not valid "
				    "XML", bucket, query.buf);
		s3_req_release(&r);
		if (ret || p.stop)
			break;
		if (p.truncated && !p.token.len)
			ret = error("GET s3://%s?%s: a truncated listing "
				    "without NextContinuationToken", bucket,
				    query.buf);
		buf_reset(&token);
		buf_add(&token, p.token.buf, p.token.len);
	} while (!ret && p.truncated);
	if (!ret && p.stop)
		ret = p.stop;
	buf_release(&query);
	buf_release(&token);
	buf_release(&p.key);
	buf_release(&p.etag);
	buf_release(&p.modified);
	buf_release(&p.size);
	buf_release(&p.token);
	return ret;
}
