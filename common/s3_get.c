/*
 * s3_get: a download. One GET with the checksum mode (x-amz-checksum-mode:
 * ENABLED): an object put in one piece comes whole, checked by the CRC32C
 * the server keeps for it; a large multipart one ("-N" ETag) is, from its
 * headers, asked for by part instead (?partNumber=1, whose answer gives
 * the part size and count), the other parts then in parallel, as mc and s5cmd fetch
 * them, at most cfg.concurrency at once on one curl multi handle, each
 * written at its offset with pwrite(2) and checked against its own CRC32C
 * when the server has one. Nothing is held in memory: RSS does not grow
 * with the object.
 *
 * Integrity, in order: the CRC32C the server keeps for the object or the
 * part (t3q's uploads carry one), computed as the bytes arrive; else a
 * plain-MD5 ETag, hashed by a thread behind the writes (s3_hash.c); else
 * only the sizes (a multipart object put without checksums). (MinIO sends
 * no checksum with ?partNumber=1 of a one-part object: hence the GET.)
 */
#include "common/s3_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/log.h"

enum part_state { PART_WAITING, PART_RUNNING, PART_DONE };

struct part {
	struct s3_req req;	/* first: CURLINFO_PRIVATE points at it */
	char query[32];
	char if_match[100];
	const char *want_etag;	/* part 1's: every part of one version */
	long long len;		/* a part's expected size; -1 for a file */
	const char *path;	/* a whole object to this file (s3_get_files) */
	struct buf tmp;		/* its temp file beside path, while open */
	enum part_state state;
	int attempts;
	double not_before;
	long long bad[4];	/* the last wrong answer's range and size */
	int bad_seen;
};

/*
 * A part's answer is the one asked for: same object, same place (a wrong
 * place was refused before its first byte was written: range_bad).
 */
static enum s3_verdict part_check(struct part *pt, enum s3_verdict v,
				  struct buf *msg)
{
	struct s3_req *r = &pt->req;
	long long got[4] = { r->range_start, r->range_end, r->range_total,
			     r->received };

	if (!r->out_ranged || (v != S3_OK && !r->range_bad))
		return v;
	/* A server that ignores If-Match would mix two versions. */
	if (pt->want_etag && strcmp(r->etag, pt->want_etag)) {
		buf_reset(msg);
		buf_addf(msg, "the server sent this part of another version "
			 "of the object (ETag %s, not %s), ignoring If-Match",
			 r->etag, pt->want_etag);
		return S3_RETRY;
	}
	if (!r->range_bad && r->received == pt->len)
		return S3_OK;
	if (!r->range_bad)
		buf_addf(msg, "the server sent %lld bytes, not %lld",
			 r->received, pt->len);
	/*
	 * Once may be a proxy's fault; the same answer again is the
	 * object's own layout: an upload whose parts differ in size, which
	 * part 1's size cannot place.
	 */
	if (pt->bad_seen && !memcmp(got, pt->bad, sizeof(got))) {
		buf_adds(msg, ", twice: the object's parts are not of one "
			 "size; upload it again with one part size");
		return S3_FAIL;
	}
	memcpy(pt->bad, got, sizeof(got));
	pt->bad_seen = 1;
	return S3_RETRY;
}

/* "GET s3://bucket/key part N", or without the part for a whole one. */
static void part_describe(const struct part *pt, struct buf *out)
{
	buf_reset(out);
	s3_req_describe(&pt->req, out);
	if (!pt->path)
		buf_addf(out, " part %s", pt->query + 11);
}

/* A whole object's temp file, opened when its request starts. */
static int file_open(struct part *pt)
{
	if (!pt->path || pt->req.out_fd >= 0)
		return 0;
	if (fs_mkdir_parents(pt->path) < 0)
		return -1;
	buf_reset(&pt->tmp);
	pt->req.out_fd = fs_temp_beside(pt->path, &pt->tmp);
	return pt->req.out_fd < 0 ? -1 : 0;
}

/* Closed, and renamed onto path when done, removed when not. */
static int file_close(struct part *pt, int ok)
{
	int ret = 0;

	if (!pt->path || pt->req.out_fd < 0)
		return 0;
	if (close(pt->req.out_fd) < 0 && ok)
		ret = error_errno("cannot write '%s'", pt->tmp.buf);
	pt->req.out_fd = -1;
	if (ok && !ret && rename(pt->tmp.buf, pt->path) < 0)
		ret = error_errno("cannot rename '%s' to '%s'", pt->tmp.buf,
				  pt->path);
	if (!ok || ret)
		unlink(pt->tmp.buf);
	return ret;
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
 * Runs every request of parts to the end on one multi handle (which keeps
 * the connections), at most `slots` at once, each retried on its own.
 */
static int parts_get(struct s3_client *c, struct part *parts, int n,
		     int slots, const char *bucket, const char *key)
{
	CURL **pool;
	int *busy;
	CURLM *multi = curl_multi_init();
	struct buf msg = BUF_INIT, what = BUF_INIT;
	double start = log_now();
	int done = 0, running = 0, ret = 0;

	if (slots > n)
		slots = n;
	pool = xcalloc(slots, sizeof(*pool));
	busy = xcalloc(slots, sizeof(*busy));
	for (int i = 0; i < slots; i++)
		pool[i] = curl_easy_init();
	while (done < n && !ret) {
		double now = log_now();
		CURLMsg *m;
		int left;

		if (s3_cancelled(c)) {
			ret = error("GET s3://%s/%s: stopped by a signal after "
				    "%d of %d", bucket, key, done, n);
			break;
		}
		for (int s = 0; s < slots && !ret; s++) {
			if (busy[s])
				continue;
			for (int i = 0; i < n; i++) {
				struct part *pt = &parts[i];

				if (pt->state != PART_WAITING ||
				    pt->not_before > now)
					continue;
				pt->state = PART_RUNNING;
				pt->attempts++;
				if (file_open(pt) < 0 ||
				    s3_req_setup(c, &pt->req, pool[s]) < 0) {
					ret = -1;
					break;
				}
				curl_multi_add_handle(multi, pool[s]);
				busy[s] = i + 1;
				running++;
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
			pt = (struct part *)r;
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
			v = part_check(pt, v, &msg);
			part_describe(pt, &what);
			if (v == S3_OK) {
				pt->state = PART_DONE;
				done++;
				if (file_close(pt, 1) < 0)
					ret = -1;
			} else if (v == S3_FAIL) {
				ret = error("%s: %s", what.buf, msg.buf);
			} else if (pt->attempts >= c->cfg.max_attempts ||
				   log_now() - start > c->cfg.max_time) {
				ret = error("%s: %s; giving up after %d "
					    "attempts in %.1f s", what.buf, msg.buf,
					    pt->attempts, log_now() - start);
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
	for (int i = 0; i < n; i++)
		file_close(&parts[i], 0);
	curl_multi_cleanup(multi);
	free(pool);
	free(busy);
	buf_release(&msg);
	buf_release(&what);
	return ret;
}

/*
 * Parts 2..count, after part 1 (first) came in: psize bytes each but the
 * last, total in all.
 */
static int rest_get(struct s3_client *c, const char *bucket, const char *key,
		    int fd, const struct s3_req *first,
		    struct s3_progress *progress)
{
	long long psize = first->received, total = first->range_total;
	int n = first->parts_count - 1, ret;
	struct part *parts;

	if (psize <= 0 || first->range_start != 0 || total <= psize ||
	    (total - psize + psize - 1) / psize != n)
		return error("GET s3://%s/%s: %d parts of %lld bytes cannot "
			     "make %lld bytes: the server's answer makes no "
			     "sense", bucket, key, first->parts_count, psize,
			     total);
	parts = xcalloc(n, sizeof(*parts));
	for (int i = 0; i < n; i++) {
		struct part *pt = &parts[i];
		struct s3_req *r = &pt->req;

		s3_req_init(r, "GET", bucket, key);
		snprintf(pt->query, sizeof(pt->query), "partNumber=%d", i + 2);
		/* Another object put meanwhile fails (412), not mixes. */
		snprintf(pt->if_match, sizeof(pt->if_match),
			 "If-Match: \"%s\"", first->etag);
		r->query = pt->query;
		r->extra_header = pt->if_match;
		pt->want_etag = first->etag;
		r->want_checksum = 1;
		r->out_fd = fd;
		r->out_ranged = 1;
		r->out_off = (i + 1) * psize;
		pt->len = total - r->out_off < psize ? total - r->out_off
						       : psize;
		r->out_len = pt->len;
		r->out_total = total;
		r->progress = progress;
	}
	ret = parts_get(c, parts, n, c->cfg.concurrency, bucket, key);
	for (int i = 0; i < n; i++)
		s3_req_release(&parts[i].req);
	free(parts);
	return ret;
}

/*
 * A multipart object's FULL_OBJECT checksum (CRC64NVME always, CRC32 and
 * CRC32C when so uploaded) is of the whole: its parts' answers cannot be
 * checked by it, so the file is read back (from the page cache) at the end.
 */
static int file_verify(int fd, enum s3_algo algo, const char *want,
		       const char *bucket, const char *key)
{
	size_t cap = 256 * 1024;
	char *b = xmalloc(cap), got[64];
	struct s3_sum sum = { 0 };
	int ret = 0;

	s3_sum_start(&sum, algo);
	for (long long at = 0;; ) {
		ssize_t n = pread(fd, b, cap, at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = error_errno("GET s3://%s/%s: cannot read the "
					  "download back", bucket, key);
			break;
		}
		if (!n)
			break;
		s3_sum_update(&sum, b, n);
		at += n;
	}
	free(b);
	if (ret) {
		s3_sum_release(&sum);
		return ret;
	}
	s3_sum_finish(&sum, got);
	if (strcmp(got, want))
		return error("GET s3://%s/%s: %s %s of the parts put together "
			     "does not match the server's %s for the object",
			     bucket, key, s3_algo_name(algo, 1), got, want);
	return 0;
}

int s3_get_file(struct s3_client *c, const char *bucket, const char *key,
		const char *path)
{
	char whole[80] = "";
	enum s3_algo whole_algo = S3_CK_NONE;
	struct s3_progress progress;
	struct s3_req r;
	struct buf tmp = BUF_INIT, label = BUF_INIT;
	int fd, ret;

	if (fs_mkdir_parents(path) < 0)
		return -1;
	fd = fs_temp_beside(path, &tmp);
	if (fd < 0)
		return -1;
	/*
	 * One GET with the checksum mode: a one-part object comes whole,
	 * checked by its CRC32C. When its headers tell a large multipart
	 * object ("-N" ETag), it stops before the body and the parts are
	 * asked for by number instead (a HEAD first cost every download a
	 * round trip).
	 */
	s3_req_init(&r, "GET", bucket, key);
	r.want_checksum = 1;
	r.check_md5 = 1;
	r.out_fd = fd;
	r.parts_over = (long long)c->cfg.part_size;
	s3_req_describe(&r, &label);
	/* The size is not known before the answer: show bytes and speed. */
	s3_progress_init(&progress, label.buf, 0, c->cfg.progress_interval);
	r.progress = &progress;
	ret = s3_req_run(c, &r);
	if (!ret && r.parts_switch) {
		if (r.ck_full_object && r.ck_algo &&
		    s3_checksum_is_full(r.checksum)) {
			whole_algo = r.ck_algo;
			snprintf(whole, sizeof(whole), "%s", r.checksum);
		}
		r.parts_over = 0;
		r.query = "partNumber=1";
		/* A server without parts may refuse it: asked again without. */
		r.quiet_status = 400;
		ret = s3_req_run(c, &r);
	}
	if (ret < 0 && r.query && r.status == 400) {
		r.query = NULL;
		r.quiet_status = 0;
		ret = s3_req_run(c, &r);
	}
	/* A 200 is the whole object: a server that ignored partNumber. */
	if (!ret && r.query && r.parts_count > 1 && r.status == 206) {
		progress.total = r.range_total;
		ret = rest_get(c, bucket, key, fd, &r, &progress);
		if (!ret && whole_algo)
			ret = file_verify(fd, whole_algo, whole, bucket, key);
	}
	if (close(fd) < 0 && !ret)
		ret = error_errno("cannot write '%s'", tmp.buf);
	if (!ret && rename(tmp.buf, path) < 0)
		ret = error_errno("cannot rename '%s' to '%s'", tmp.buf, path);
	if (ret)
		unlink(tmp.buf);
	if (!ret && progress.done >= (long long)c->cfg.part_size)
		info("%s: %.1f MiB in %.2f s", label.buf,
		     progress.done / 1048576.0, log_now() - progress.start);
	s3_progress_release(&progress);
	s3_req_release(&r);
	buf_release(&tmp);
	buf_release(&label);
	return ret;
}

/*
 * Whether a batch answer could be checked by its size only: a small
 * multipart object ("-N" ETag, no plain MD5) whose checksum is composite,
 * which only its parts' answers can be checked by. s3_get_file() then
 * fetches it again by part, each part checked (a second download of a
 * rare kind of object, rather than a flipped byte let through).
 */
static int composite_only(const struct s3_req *r)
{
	const char *dash = strchr(r->etag, '-');

	return r->ck_algo && !s3_checksum_is_full(r->checksum) && dash &&
	       atoi(dash + 1) > 1;
}

int s3_get_files(struct s3_client *c, const char *bucket,
		 const struct s3_get_item *items, int n)
{
	struct part *parts;
	int ret = 0, batch = 0;

	/* Large ones alone, each in parallel parts; the rest together. */
	for (int i = 0; i < n && !ret; i++)
		if (items[i].size < 0 ||
		    items[i].size > (long long)c->cfg.part_size)
			ret = s3_get_file(c, bucket, items[i].key,
					  items[i].path);
	if (ret)
		return ret;
	parts = xcalloc(n ? n : 1, sizeof(*parts));
	for (int i = 0; i < n; i++) {
		struct part *pt = &parts[batch];
		struct s3_req *r = &pt->req;

		if (items[i].size < 0 ||
		    items[i].size > (long long)c->cfg.part_size)
			continue;
		s3_req_init(r, "GET", bucket, items[i].key);
		r->want_checksum = 1;
		r->check_md5 = 1;
		pt->path = items[i].path;
		pt->len = -1;
		buf_init(&pt->tmp, 0);
		batch++;
	}
	/* Small objects: the round trips are the cost, so more at once. */
	if (batch)
		ret = parts_get(c, parts, batch, S3_MANY_IN_FLIGHT, bucket,
				items[0].key);
	for (int i = 0; i < batch && !ret; i++)
		if (composite_only(&parts[i].req))
			ret = s3_get_file(c, bucket, parts[i].req.key,
					  parts[i].path);
	for (int i = 0; i < batch; i++) {
		s3_req_release(&parts[i].req);
		buf_release(&parts[i].tmp);
	}
	free(parts);
	return ret;
}
