/*
 * s3_multipart: a large file goes up in parts of cfg.part_size, at most
 * cfg.concurrency at once on one curl multi handle (which also shares the
 * connections). Each part retries on its own, like any request. If the
 * upload cannot finish it is aborted, so no orphan parts stay billed on
 * the server.
 *
 * Every part carries its CRC32C, which the server checks; the object gets
 * S3's composite checksum (the CRC32C of the parts' CRC32Cs, "-N"), which
 * we work out too and compare with the one the server reports.
 */
#include "s3/s3_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "base/log.h"
#include "s3/crc32c.h"

struct part {
	struct s3_req req;	/* its ETag stays once it is up */
	struct buf query;
};

struct upload {
	struct s3_client *c;
	const char *bucket;
	const char *key;
	char *upload_id;
	char *checksum;		/* the server's ChecksumCRC32C of the object */
	const char *path;	/* the file, for messages */
	struct part *parts;
	long long size;
};

static void id_text(void *ctx, const char *path, const char *text)
{
	struct upload *u = ctx;

	if (!strcmp(path, "InitiateMultipartUploadResult/UploadId")) {
		free(u->upload_id);
		u->upload_id = xstrdup(text);
	} else if (!strcmp(path,
			   "CompleteMultipartUploadResult/ChecksumCRC32C")) {
		free(u->checksum);
		u->checksum = xstrdup(text);
	}
}

static int upload_create(struct upload *u)
{
	struct s3_req r;
	int ret;

	s3_req_init(&r, "POST", u->bucket, u->key);
	r.query = "uploads=";
	r.in_mem = "";
	r.extra_header = "x-amz-checksum-algorithm: CRC32C";
	ret = s3_req_run(u->c, &r);
	if (!ret && (s3_xml_parse(r.body.buf, r.body.len, id_text, u) < 0 ||
		     !u->upload_id || !*u->upload_id))
		ret = error("POST s3://%s/%s?uploads: no UploadId in the "
			    "answer", u->bucket, u->key);
	s3_req_release(&r);
	return ret;
}

static void upload_abort(struct upload *u)
{
	struct buf query = BUF_INIT;
	struct s3_param p = { "uploadId", u->upload_id };
	struct s3_req r;

	s3_query_build(&query, &p, 1);
	s3_req_init(&r, "DELETE", u->bucket, u->key);
	r.query = query.buf;
	/*
	 * Even after a stop: orphan parts are what the abort is for. But
	 * briefly then: a stopped step must end long before its pod is
	 * killed, not retry a dead server for a minute.
	 */
	if (s3_cancelled(u->c))
		r.hurry = S3_STOP_ABORT_TIME;
	u->c->cancel_off = 1;
	if (s3_req_run(u->c, &r) == 0)
		info("aborted the multipart upload of s3://%s/%s", u->bucket,
		     u->key);
	else
		error("could not abort multipart upload %s of s3://%s/%s; "
		      "its parts stay on the server until a lifecycle rule "
		      "removes them", u->upload_id, u->bucket, u->key);
	u->c->cancel_off = 0;
	s3_req_release(&r);
	buf_release(&query);
}

/* The multipart ETag of the parts sent: the MD5 of their MD5s, "-N". */
static int parts_etag(struct part *parts, int n, char *out, size_t size)
{
	EVP_MD_CTX *md5 = EVP_MD_CTX_new();
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	int ok = md5 && EVP_DigestInit_ex(md5, EVP_md5(), NULL);

	for (int i = 0; ok && i < n; i++) {
		const char *e = parts[i].req.etag;
		unsigned char b[16];

		/* An encrypted part's ETag is no MD5: nothing to compare. */
		ok = s3_etag_is_md5(e);
		for (int k = 0; ok && k < 16; k++) {
			unsigned int v;

			ok = sscanf(e + 2 * k, "%2x", &v) == 1;
			b[k] = (unsigned char)v;
		}
		ok = ok && EVP_DigestUpdate(md5, b, sizeof(b));
	}
	ok = ok && EVP_DigestFinal_ex(md5, d, &len) && len == 16;
	EVP_MD_CTX_free(md5);
	for (unsigned int k = 0; ok && k < 16; k++)
		snprintf(out + 2 * k, size - 2 * k, "%02x", d[k]);
	if (ok)
		snprintf(out + 32, size - 32, "-%d", n);
	return ok;
}

/*
 * Whether the object under the key is this upload, whole: asked when the
 * completion is answered 404 NoSuchUpload, which is what its retry gets
 * when the server completed the first attempt and its answer was lost (a
 * connection cut; seen through a fault proxy in front of MinIO). Its size
 * must be the file's, and its CRC32C the composite of the parts sent or,
 * without one, its ETag the multipart ETag of the parts' own.
 */
static int upload_landed(struct upload *u, struct part *parts, int n,
			 const char *want)
{
	struct s3_req r;
	char etag[48];
	size_t wl = strcspn(want, "-");
	int ok = 0;

	s3_req_init(&r, "HEAD", u->bucket, u->key);
	r.quiet_status = 404;
	r.want_checksum = 1;
	if (s3_req_run(u->c, &r) == 0 && r.content_length == u->size) {
		if (r.ck_algo == S3_CK_CRC32C)
			ok = !strcmp(r.checksum, want) ||
			     (strlen(r.checksum) == wl &&
			      !strncmp(r.checksum, want, wl));
		else
			ok = parts_etag(parts, n, etag, sizeof(etag)) &&
			     !strcasecmp(r.etag, etag);
	}
	s3_req_release(&r);
	return ok;
}

static int upload_complete(struct upload *u, struct part *parts, int n)
{
	struct buf xml = BUF_INIT, query = BUF_INIT, code = BUF_INIT,
		   message = BUF_INIT;
	struct s3_param p = { "uploadId", u->upload_id };
	struct s3_req r;
	uint32_t composite = 0;
	char want[32];
	int ret;

	buf_adds(&xml, "<CompleteMultipartUpload>");
	for (int i = 0; i < n; i++) {
		uint32_t v = parts[i].req.crc32c;
		unsigned char be[4] = { v >> 24, v >> 16, v >> 8, v };
		char b64[9];

		crc32c_base64(v, b64);
		composite = crc32c_update(composite, be, 4);
		buf_addf(&xml, "<Part><PartNumber>%d</PartNumber>"
			 "<ETag>\"%s\"</ETag><ChecksumCRC32C>%s"
			 "</ChecksumCRC32C></Part>", i + 1, parts[i].req.etag,
			 b64);
	}
	buf_adds(&xml, "</CompleteMultipartUpload>");
	crc32c_base64(composite, want);
	snprintf(want + 8, sizeof(want) - 8, "-%d", n);
	s3_query_build(&query, &p, 1);
	s3_req_init(&r, "POST", u->bucket, u->key);
	r.query = query.buf;
	r.in_mem = xml.buf;
	r.in_mem_len = xml.len;
	/* S3 may take minutes, sending whitespace to keep the line up. */
	r.patient = 1;
	r.quiet_status = 404;
	ret = s3_req_run(u->c, &r);
	if (ret && r.status == 404) {
		s3_xml_error(r.body.buf, r.body.len, &code, &message);
		if (!strcmp(code.buf, "NoSuchUpload") &&
		    upload_landed(u, parts, n, want)) {
			info("POST s3://%s/%s?uploadId: no such upload now, "
			     "but the object is there, whole: the answer to "
			     "an earlier attempt was lost", u->bucket, u->key);
			ret = 0;
			goto out;
		}
		ret = error("POST s3://%s/%s?uploadId: HTTP 404 %s%s%s",
			    u->bucket, u->key, code.buf,
			    message.len ? ": " : "", message.buf);
		goto out;
	}
	/* S3 may answer 200 and still put an <Error> in the body. */
	if (!ret && s3_xml_error(r.body.buf, r.body.len, &code, &message))
		ret = error("POST s3://%s/%s?uploadId: %s: %s", u->bucket,
			    u->key, code.buf, message.buf);
	if (!ret && !s3_xml_parse(r.body.buf, r.body.len, id_text, u) &&
	    u->checksum && strcmp(u->checksum, want))
		ret = error("POST s3://%s/%s?uploadId: the server's checksum "
			    "CRC32C %s of the object is not the %s of the "
			    "parts sent", u->bucket, u->key, u->checksum,
			    want);
out:
	s3_req_release(&r);
	buf_release(&xml);
	buf_release(&query);
	buf_release(&code);
	buf_release(&message);
	return ret;
}

static int put_setup(void *ctx, int i, CURL *easy)
{
	struct upload *u = ctx;

	/* It reads the part for its CRC32C: a file that fails us is final. */
	if (s3_req_setup(u->c, &u->parts[i].req, easy) < 0)
		return s3_cancelled(u->c) ?
			error("PUT s3://%s/%s part %d: stopped by a signal",
			      u->bucket, u->key, i + 1) :
			error("PUT s3://%s/%s part %d: cannot read '%s'",
			      u->bucket, u->key, i + 1, u->path);
	return 0;
}

static void put_describe(void *ctx, int i, struct buf *out)
{
	struct upload *u = ctx;

	s3_req_describe(&u->parts[i].req, out);
	buf_addf(out, " part %d", i + 1);
}

static int put_stopped(void *ctx, int done, int n)
{
	struct upload *u = ctx;

	return error("PUT s3://%s/%s: stopped by a signal after %d of %d "
		     "parts", u->bucket, u->key, done, n);
}

/* Names the limit that was reached, and its variable. */
static int put_give_up(void *ctx, const char *what, const char *msg,
		       int attempts, double elapsed, int by_attempts)
{
	struct upload *u = ctx;

	if (by_attempts)
		return error("%s: %s; giving up after %d attempts "
			     "(T3Q_S3_MAX_ATTEMPTS=%d)", what, msg, attempts,
			     u->c->cfg.max_attempts);
	return error("%s: %s; giving up after %.1f s (T3Q_S3_MAX_TIME=%g s)",
		     what, msg, elapsed, u->c->cfg.max_time);
}

/*
 * Runs every part to the end (s3_parts_run()). Returns 0 when all are up,
 * -1 when a part failed for good or the time limit passed.
 */
static int parts_run(struct upload *u, int n)
{
	/*
	 * A lane a slot, as for the downloads: on a busy node one thread
	 * sending four parts gets one runnable thread's share of a CPU
	 * (bench/FINDINGS.md, issue 25: 0.87 of the wall time with lanes).
	 */
	struct s3_parts p = {
		.c = u->c, .n = n, .slots = u->c->cfg.concurrency,
		.lanes = u->c->cfg.concurrency, .ctx = u,
		.setup = put_setup, .describe = put_describe,
		.stopped = put_stopped, .give_up = put_give_up,
	};

	return s3_parts_run(&p);
}

int s3_multipart_put(struct s3_client *c, const char *bucket,
		     const char *key, int fd, long long size,
		     const char *path, const char *tail, size_t tail_len)
{
	struct upload u = { c, bucket, key, NULL, NULL, path, NULL, 0 };
	long long psize = c->cfg.part_size;
	/* Counted wide: 2^31 parts and more must reach the check below. */
	long long count = (size + psize - 1) / psize;
	int n;
	struct part *parts;
	struct s3_progress progress;
	struct buf label = BUF_INIT;
	double start = log_now();
	int ret;

	if (count > 10000)
		return error("cannot upload '%s' (%lld bytes): more than "
			     "10000 parts of %lld bytes; raise "
			     "T3Q_S3_PART_SIZE", path, size, psize);
	n = (int)count;
	if (upload_create(&u) < 0)
		return -1;
	parts = xcalloc(n, sizeof(*parts));
	for (int i = 0; i < n; i++) {
		struct part *pt = &parts[i];
		char num[16];
		struct s3_param p[2] = { { "partNumber", num },
					 { "uploadId", u.upload_id } };

		snprintf(num, sizeof(num), "%d", i + 1);
		buf_init(&pt->query, 0);
		s3_query_build(&pt->query, p, 2);
		s3_req_init(&pt->req, "PUT", bucket, key);
		pt->req.query = pt->query.buf;
		pt->req.in_fd = fd;
		pt->req.in_off = i * psize;
		pt->req.in_len = i == n - 1 ? size - i * psize : psize;
		pt->req.send_crc32c = 1;
		pt->req.progress = &progress;
	}
	/* The last part may exceed the part size by the tail: S3 allows it. */
	parts[n - 1].req.in_tail = tail;
	parts[n - 1].req.in_tail_len = tail_len;
	buf_addf(&label, "PUT s3://%s/%s", bucket, key);
	s3_progress_init(&progress, label.buf, size, c->cfg.progress_interval);
	u.parts = parts;
	u.size = size + (long long)tail_len;
	ret = parts_run(&u, n);
	if (!ret)
		ret = upload_complete(&u, parts, n);
	if (ret)
		upload_abort(&u);
	else
		info("%s: %.1f MiB in %d parts, %.2f s", label.buf,
		     size / 1048576.0, n, log_now() - start);
	for (int i = 0; i < n; i++) {
		s3_req_release(&parts[i].req);
		buf_release(&parts[i].query);
	}
	free(parts);
	free(u.upload_id);
	free(u.checksum);
	s3_progress_release(&progress);
	buf_release(&label);
	return ret;
}
