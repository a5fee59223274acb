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
#include "s3/s3_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/log.h"

struct part {
	struct s3_req req;
	char query[32];
	char if_match[100];
	const char *want_etag;	/* part 1's: every part of one version */
	long long len;		/* a part's expected size; -1 for a file */
	const char *path;	/* a whole object to this file (s3_get_files) */
	struct buf tmp;		/* its temp file beside path, while open */
	long long bad[4];	/* the last wrong answer's range and size */
	int bad_seen;
};

/* The parts of one s3_parts_run(), for its callbacks. */
struct get {
	struct s3_client *c;
	struct part *parts;
	const char *bucket;
	const char *key;	/* for the stop's message */
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

static int get_setup(void *ctx, int i, CURL *easy)
{
	struct get *g = ctx;

	if (file_open(&g->parts[i]) < 0)
		return -1;
	return s3_req_setup(g->c, &g->parts[i].req, easy);
}

static enum s3_verdict get_judge(void *ctx, int i, enum s3_verdict v,
				 struct buf *msg)
{
	return part_check(&((struct get *)ctx)->parts[i], v, msg);
}

static int get_done(void *ctx, int i)
{
	return file_close(&((struct get *)ctx)->parts[i], 1);
}

static void get_describe(void *ctx, int i, struct buf *out)
{
	part_describe(&((struct get *)ctx)->parts[i], out);
}

static int get_stopped(void *ctx, int done, int n)
{
	struct get *g = ctx;

	return error("GET s3://%s/%s: stopped by a signal after %d of %d",
		     g->bucket, g->key, done, n);
}

/* Either limit reads alike: the attempts and the time, both. */
static int get_give_up(void *ctx, const char *what, const char *msg,
		       int attempts, double elapsed, int by_attempts)
{
	(void)ctx;
	(void)by_attempts;
	return error("%s: %s; giving up after %d attempts in %.1f s", what,
		     msg, attempts, elapsed);
}

/*
 * Runs every request of parts to the end (s3_parts_run()), at most
 * `slots` at once over `lanes` threads; a whole object's temp file is
 * removed unless done.
 */
static int parts_get(struct s3_client *c, struct part *parts, int n,
		     int slots, int lanes, const char *bucket, const char *key)
{
	struct get g = { c, parts, bucket, key };
	struct s3_parts p = {
		.c = c, .n = n, .slots = slots, .lanes = lanes, .ctx = &g,
		.setup = get_setup, .judge = get_judge, .done = get_done,
		.describe = get_describe, .stopped = get_stopped,
		.give_up = get_give_up,
	};
	int ret = s3_parts_run(&p);

	for (int i = 0; i < n; i++)
		file_close(&parts[i], 0);
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
	/*
	 * A thread a connection: on a busy node each gets its own share of
	 * the CPUs (s3_parts.c).
	 */
	ret = parts_get(c, parts, n, c->cfg.concurrency, c->cfg.concurrency,
			bucket, key);
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
		ret = parts_get(c, parts, batch, S3_MANY_IN_FLIGHT, 1, bucket,
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
