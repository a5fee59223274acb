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
#include "common/s3_int.h"

#include <stdlib.h>
#include <string.h>

#include "common/crc32c.h"
#include "common/log.h"

enum part_state { PART_WAITING, PART_RUNNING, PART_DONE };

struct part {
	struct s3_req req;
	struct buf query;
	enum part_state state;
	int attempts;
	double not_before;	/* backoff: do not start before this time */
	char etag[80];
};

struct upload {
	struct s3_client *c;
	const char *bucket;
	const char *key;
	char *upload_id;
	char *checksum;		/* the server's ChecksumCRC32C of the object */
	const char *path;	/* the file, for messages */
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
	/* Even after a stop: orphan parts are what the abort is for. */
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
			 "</ChecksumCRC32C></Part>", i + 1, parts[i].etag,
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
	ret = s3_req_run(u->c, &r);
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
	s3_req_release(&r);
	buf_release(&xml);
	buf_release(&query);
	buf_release(&code);
	buf_release(&message);
	return ret;
}

static int part_start(struct s3_client *c, CURLM *multi, struct part *pt,
		      CURL *easy)
{
	pt->state = PART_RUNNING;
	pt->attempts++;
	/* It reads the part for its CRC32C: a file that fails us is final. */
	if (s3_req_setup(c, &pt->req, easy) < 0) {
		pt->state = PART_WAITING;
		return -1;
	}
	curl_multi_add_handle(multi, easy);
	return 0;
}

/* Whether a waiting part may start now (its backoff over). */
static int part_ready(const struct part *parts, int n, double now)
{
	for (int i = 0; i < n; i++)
		if (parts[i].state == PART_WAITING &&
		    parts[i].not_before <= now)
			return 1;
	return 0;
}

/*
 * Runs every part to the end. Returns 0 when all are up, -1 when a part
 * failed for good or the time limit passed.
 */
static int parts_run(struct upload *u, struct part *parts, int n,
		     struct s3_progress *progress)
{
	struct s3_client *c = u->c;
	int slots = c->cfg.concurrency < n ? c->cfg.concurrency : n;
	CURL **pool = xcalloc(slots, sizeof(*pool));
	int *busy = xcalloc(slots, sizeof(*busy));
	CURLM *multi = curl_multi_init();
	struct buf msg = BUF_INIT, what = BUF_INIT;
	double start = log_now();
	int done = 0, running = 0, ret = 0;

	for (int i = 0; i < slots; i++)
		pool[i] = curl_easy_init();
	while (done < n && !ret) {
		double now = log_now();
		CURLMsg *m;
		int left;

		if (s3_cancelled(c)) {
			ret = error("PUT s3://%s/%s: stopped by a signal after "
				    "%d of %d parts", u->bucket, u->key, done,
				    n);
			break;
		}

		/* Fill free slots with the next parts that may start. */
		for (int s = 0; s < slots; s++) {
			if (busy[s])
				continue;
			for (int i = 0; i < n; i++) {
				if (parts[i].state != PART_WAITING ||
				    parts[i].not_before > now)
					continue;
				parts[i].req.progress = progress;
				if (part_start(c, multi, &parts[i],
					       pool[s]) < 0)
					ret = error("PUT s3://%s/%s part %d: "
						    "cannot read '%s'",
						    u->bucket, u->key, i + 1,
						    u->path);
				if (parts[i].state == PART_RUNNING) {
					busy[s] = i + 1;
					running++;
				}
				break;
			}
		}
		curl_multi_perform(multi, &left);
		while ((m = curl_multi_info_read(multi, &left))) {
			struct s3_req *r = NULL;
			struct part *pt;
			enum s3_verdict v;
			int s;

			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
					  (char **)&r);
			pt = (struct part *)r;	/* req is the first member */
			for (s = 0; s < slots && pool[s] != m->easy_handle; s++)
				;
			v = s3_req_judge(c, r, m->data.result, &msg);
			curl_multi_remove_handle(multi, m->easy_handle);
			busy[s] = 0;
			running--;
			if (v == S3_AGAIN) {
				/* Resolved again at once, not an attempt. */
				pt->attempts--;
				pt->state = PART_WAITING;
				pt->not_before = 0;
				continue;
			}
			buf_reset(&what);
			s3_req_describe(r, &what);
			buf_addf(&what, " part %d", (int)(pt - parts) + 1);
			if (v == S3_OK) {
				snprintf(pt->etag, sizeof(pt->etag), "%s",
					 r->etag);
				pt->state = PART_DONE;
				done++;
			} else if (v == S3_FAIL) {
				ret = error("%s: %s", what.buf, msg.buf);
			} else if (pt->attempts >= c->cfg.max_attempts) {
				ret = error("%s: %s; giving up after %d "
					    "attempts (T3Q_S3_MAX_ATTEMPTS=%d)",
					    what.buf, msg.buf, pt->attempts,
					    c->cfg.max_attempts);
			} else if (log_now() - start > c->cfg.max_time) {
				ret = error("%s: %s; giving up after %.1f s "
					    "(T3Q_S3_MAX_TIME=%g s)",
					    what.buf, msg.buf,
					    log_now() - start,
					    c->cfg.max_time);
			} else {
				double delay = s3_backoff(c, pt->attempts);

				warn("%s: %s; retrying in %.2f s (attempt %d "
				     "of %d)", what.buf, msg.buf, delay,
				     pt->attempts + 1, c->cfg.max_attempts);
				pt->state = PART_WAITING;
				pt->not_before = log_now() + delay;
			}
		}
		/*
		 * Wait for the network only when no slot can take a part
		 * now: a freed slot refilled at once, not a poll later
		 * (that was 50 ms a part when one ran at a time).
		 */
		if (done < n && !ret &&
		    !(running < slots && part_ready(parts, n, log_now())))
			curl_multi_poll(multi, NULL, 0, running ? 1000 : 50,
					NULL);
	}
	for (int s = 0; s < slots; s++) {
		if (busy[s])
			curl_multi_remove_handle(multi, pool[s]);
		curl_easy_cleanup(pool[s]);
	}
	curl_multi_cleanup(multi);
	free(pool);
	free(busy);
	buf_release(&msg);
	buf_release(&what);
	return ret;
}

int s3_multipart_put(struct s3_client *c, const char *bucket,
		     const char *key, int fd, long long size,
		     const char *path, const char *tail, size_t tail_len)
{
	struct upload u = { c, bucket, key, NULL, NULL, path };
	long long psize = c->cfg.part_size;
	int n = (int)((size + psize - 1) / psize);
	struct part *parts;
	struct s3_progress progress;
	struct buf label = BUF_INIT;
	double start = log_now();
	int ret;

	if (n > 10000)
		return error("cannot upload '%s' (%lld bytes): more than "
			     "10000 parts of %lld bytes; raise "
			     "T3Q_S3_PART_SIZE", path, size, psize);
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
	}
	/* The last part may exceed the part size by the tail: S3 allows it. */
	parts[n - 1].req.in_tail = tail;
	parts[n - 1].req.in_tail_len = tail_len;
	buf_addf(&label, "PUT s3://%s/%s", bucket, key);
	s3_progress_init(&progress, label.buf, size, c->cfg.progress_interval);
	ret = parts_run(&u, parts, n, &progress);
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
