/*
 * s3: configuration, the request engine with its retries, and the simple
 * operations. Multipart upload lives in s3_multipart.c.
 */
#include "s3/s3_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "s3/cabundle.h"
#include "s3/crc32c.h"

void s3_config_init(struct s3_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->region = xstrdup("us-east-1");
	cfg->part_size = S3_DEFAULT_PART_SIZE;
	cfg->concurrency = S3_DEFAULT_CONCURRENCY;
	cfg->max_attempts = S3_DEFAULT_MAX_ATTEMPTS;
	cfg->max_time = S3_DEFAULT_MAX_TIME;
	cfg->connect_timeout = 10;
	cfg->stall_timeout = S3_DEFAULT_STALL_TIMEOUT;
	cfg->min_speed = S3_DEFAULT_MIN_SPEED;
	cfg->request_timeout = S3_DEFAULT_REQUEST_TIMEOUT;
	cfg->progress_interval = 5;
}

void s3_config_set(char **field, const char *value)
{
	free(*field);
	*field = value ? xstrdup(value) : NULL;
}

static const char *env_first(const char *a, const char *b)
{
	const char *v = getenv(a);

	if ((!v || !*v) && b)
		v = getenv(b);
	return v && *v ? v : NULL;
}

static int env_number(const char *name, double min, double max, double *out)
{
	const char *v = getenv(name);
	char *end;
	double d = 0;

	if (!v || !*v)
		return 0;
	errno = 0;
	d = strtod(v, &end);
	if (errno || *end || d < min || d > max)
		return error("%s='%s' is not a number from %g to %g", name, v,
			     min, max);
	*out = d;
	return 1;
}

int s3_config_from_env(struct s3_config *cfg)
{
	const char *v;
	double d = 0;
	int r = 0;

	if ((v = env_first("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY")))
		s3_config_set(&cfg->access_key, v);
	if ((v = env_first("AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY")))
		s3_config_set(&cfg->secret_key, v);
	if ((v = env_first("AWS_SESSION_TOKEN", NULL)))
		s3_config_set(&cfg->session_token, v);
	if ((v = env_first("AWS_REGION", "AWS_DEFAULT_REGION")))
		s3_config_set(&cfg->region, v);
	if ((v = env_first("AWS_CA_BUNDLE", NULL)))
		s3_config_set(&cfg->ca_bundle, v);
	if ((v = env_first("T3Q_S3_ENDPOINT", NULL)))
		s3_config_set(&cfg->endpoint, v);
	if ((v = env_first("T3Q_S3_VIRTUAL_HOST", NULL)))
		cfg->virtual_host = !strcmp(v, "1") || !strcasecmp(v, "true");
	if ((r = env_number("T3Q_S3_PART_SIZE", S3_MIN_PART_SIZE,
			    5368709120.0, &d)) > 0)
		cfg->part_size = (size_t)d;
	if (r >= 0 && (r = env_number("T3Q_S3_CONCURRENCY", 1, 64, &d)) > 0)
		cfg->concurrency = (int)d;
	if (r >= 0 && (r = env_number("T3Q_S3_MAX_ATTEMPTS", 1, 100, &d)) > 0)
		cfg->max_attempts = (int)d;
	if (r >= 0 && (r = env_number("T3Q_S3_MAX_TIME", 0, 86400, &d)) > 0)
		cfg->max_time = d;
	if (r >= 0 && (r = env_number("T3Q_S3_STALL_TIMEOUT", 1, 3600,
				      &d)) > 0)
		cfg->stall_timeout = (long)d;
	if (r >= 0 && (r = env_number("T3Q_S3_MIN_SPEED", 0, 1e12, &d)) > 0)
		cfg->min_speed = (long long)d;
	if (r >= 0 && (r = env_number("T3Q_S3_REQUEST_TIMEOUT", 1, 86400,
				      &d)) > 0)
		cfg->request_timeout = d;
	if (r >= 0 && (r = env_number("T3Q_S3_PROGRESS_INTERVAL", 0, 3600,
				      &d)) > 0)
		cfg->progress_interval = d;
	if (r >= 0 && (r = env_number("T3Q_S3_MAX_SPEED", 0, 1e15, &d)) > 0)
		cfg->max_speed = (long long)d;
	return r < 0 ? -1 : 0;
}

void s3_config_copy(struct s3_config *dst, const struct s3_config *src)
{
	*dst = *src;
	dst->endpoint = src->endpoint ? xstrdup(src->endpoint) : NULL;
	dst->region = src->region ? xstrdup(src->region) : NULL;
	dst->access_key = src->access_key ? xstrdup(src->access_key) : NULL;
	dst->secret_key = src->secret_key ? xstrdup(src->secret_key) : NULL;
	dst->session_token = src->session_token ?
		xstrdup(src->session_token) : NULL;
	dst->ca_bundle = src->ca_bundle ? xstrdup(src->ca_bundle) : NULL;
}

void s3_config_release(struct s3_config *cfg)
{
	free(cfg->endpoint);
	free(cfg->region);
	free(cfg->access_key);
	/* Secrets do not linger in freed memory. */
	if (cfg->secret_key)
		OPENSSL_cleanse(cfg->secret_key, strlen(cfg->secret_key));
	free(cfg->secret_key);
	if (cfg->session_token)
		OPENSSL_cleanse(cfg->session_token,
				strlen(cfg->session_token));
	free(cfg->session_token);
	free(cfg->ca_bundle);
	memset(cfg, 0, sizeof(*cfg));
}

struct s3_client *s3_client_new(const struct s3_config *cfg)
{
	static int global_done;
	struct s3_client *c = xcalloc(1, sizeof(*c));

	if (!global_done) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		global_done = 1;
	}
	pthread_mutex_init(&c->cancel_mu, NULL);
	s3_config_copy(&c->cfg, cfg);
	if (!c->cfg.region || !*c->cfg.region)
		s3_config_set(&c->cfg.region, "us-east-1");
	if (c->cfg.max_attempts < 1)
		c->cfg.max_attempts = 1;
	if (c->cfg.concurrency < 1)
		c->cfg.concurrency = 1;
	if (c->cfg.part_size < S3_MIN_PART_SIZE)
		c->cfg.part_size = S3_MIN_PART_SIZE;
	if (s3_endpoint_parse(c, c->cfg.endpoint) < 0) {
		s3_client_free(c);
		return NULL;
	}
	/* No CA path compiled in is trusted: the static build has none. */
	if (!strcmp(c->scheme, "https") && !c->cfg.ca_bundle &&
	    !c->cfg.insecure && cabundle_find(&c->cfg.ca_bundle) < 0) {
		s3_client_free(c);
		return NULL;
	}
	c->sigv4 = xstrfmt("aws:amz:%s:s3", c->cfg.region);
	c->easy = curl_easy_init();
	c->rand_state = (unsigned)time(NULL) ^ (unsigned)getpid();
	if (!c->easy) {
		error("cannot initialise libcurl");
		s3_client_free(c);
		return NULL;
	}
	return c;
}

void s3_client_free(struct s3_client *c)
{
	if (!c)
		return;
	if (c->easy)
		curl_easy_cleanup(c->easy);
	s3_config_release(&c->cfg);
	free(c->scheme);
	free(c->hostport);
	free(c->base);
	free(c->sigv4);
	pthread_mutex_destroy(&c->cancel_mu);
	free(c);
}

long s3_client_last_status(const struct s3_client *c)
{
	return c->last_status;
}

const struct s3_config *s3_client_config(const struct s3_client *c)
{
	return &c->cfg;
}

void s3_req_init(struct s3_req *r, const char *method, const char *bucket,
		 const char *key)
{
	memset(r, 0, sizeof(*r));
	r->method = method;
	r->bucket = bucket;
	r->key = key;
	r->in_fd = -1;
	r->out_fd = -1;
	r->out_len = -1;
	r->out_total = -1;
	r->content_length = -1;
	buf_init(&r->url, 0);
	buf_init(&r->body, 0);
}

void s3_req_release(struct s3_req *r)
{
	curl_slist_free_all(r->headers);
	r->headers = NULL;
	buf_release(&r->url);
	buf_release(&r->body);
	s3_hasher_stop(r);
	s3_sum_release(&r->sum);
	s3_sink_release(r);
}

void s3_req_describe(const struct s3_req *r, struct buf *out)
{
	buf_addf(out, "%s s3://%s/%s", r->method, r->bucket ? r->bucket : "",
		 r->key ? r->key : "");
}

int s3_cancelled(struct s3_client *c)
{
	int stop;

	if (!c->cfg.cancel)
		return 0;
	pthread_mutex_lock(&c->cancel_mu);
	stop = !c->cancel_off && c->cfg.cancel() != 0;
	pthread_mutex_unlock(&c->cancel_mu);
	return stop;
}

double s3_deadline(const struct s3_config *cfg, long long bytes)
{
	return cfg->request_timeout + (double)bytes / S3_DEFAULT_AVG_SPEED;
}

/*
 * The attempt's deadline, from the larger of its body sizes (a GET's is
 * known from its headers), and the cancel poll.
 */
static int xferinfo(void *ctx, curl_off_t dltotal, curl_off_t dlnow,
		    curl_off_t ultotal, curl_off_t ulnow)
{
	struct s3_req *r = ctx;
	struct s3_client *c = r->client;
	double now = log_now(), limit;

	limit = s3_deadline(&c->cfg, dltotal > ultotal ? dltotal : ultotal);
	if (r->patient && limit < S3_PATIENT_DEADLINE)
		limit = S3_PATIENT_DEADLINE;
	if (r->hurry > 0 && limit > r->hurry)
		limit = r->hurry;
	if (now - r->started > limit) {
		r->too_slow = limit;
		r->moved = dlnow > ulnow ? dlnow : ulnow;
		return 1;
	}
	/* Called per chunk on a fast transfer: poll a few times a second. */
	if (now - r->cancel_checked < 0.05)
		return 0;
	r->cancel_checked = now;
	return s3_cancelled(c);
}

/*
 * The CRC32C of an upload's body: the file's region, then the tail. Read
 * with pread(2), not mapped: a mapped file that shrinks under us (a step's
 * output still being written) raises SIGBUS and kills the process before
 * it can abort the upload or say why; a read returns short instead.
 */
static int body_crc32c(struct s3_req *r)
{
	size_t cap = 256 * 1024;
	long long check = 64 * 1024 * 1024;
	char *b;
	uint32_t crc = 0;

	if (r->in_mem) {
		r->crc32c = crc32c_update(0, r->in_mem, r->in_mem_len);
		r->crc32c_known = 1;
		return 0;
	}
	b = xmalloc(cap);
	for (long long at = 0; at < r->in_len;) {
		size_t want = r->in_len - at < (long long)cap ?
			(size_t)(r->in_len - at) : cap;
		ssize_t n = pread(r->in_fd, b, want, r->in_off + at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(b);
			return error("cannot read the upload at byte %lld: %s",
				     r->in_off + at,
				     n < 0 ? strerror(errno) : "it shrank");
		}
		crc = crc32c_update(crc, b, n);
		at += n;
		/*
		 * A part may be gigabytes: a stop must not wait for it (the
		 * caller, seeing s3_cancelled(), says why).
		 */
		if (at >= check) {
			check += 64 * 1024 * 1024;
			if (s3_cancelled(r->client)) {
				free(b);
				return -1;
			}
		}
	}
	free(b);
	if (r->in_tail_len)
		crc = crc32c_update(crc, r->in_tail, r->in_tail_len);
	r->crc32c = crc;
	r->crc32c_known = 1;
	return 0;
}

int s3_req_setup(struct s3_client *c, struct s3_req *r, CURL *easy)
{
	const struct s3_config *cfg = &c->cfg;
	int upload = r->in_fd >= 0 || r->in_mem;

	/* Undo what an earlier attempt counted and wrote. */
	if (r->progress)
		s3_progress_add(r->progress,
				upload ? -r->in_pos : -r->received);
	s3_hasher_stop(r);
	/*
	 * Only a retry has bytes to drop: truncating an empty file is free,
	 * but ext4 then flushes the whole file at close (auto_da_alloc). A
	 * ranged request rewrites its own range instead.
	 */
	if (r->out_fd >= 0 && !r->out_ranged &&
	    lseek(r->out_fd, 0, SEEK_END) > 0) {
		if (ftruncate(r->out_fd, 0) < 0 ||
		    lseek(r->out_fd, 0, SEEK_SET) < 0)
			return error_errno("cannot reset the download file");
	}
	r->easy = easy;
	r->client = c;
	r->started = log_now();
	r->too_slow = 0;
	r->moved = 0;
	r->in_pos = 0;
	r->status = 0;
	r->received = 0;
	r->content_length = -1;
	r->etag[0] = '\0';
	r->checksum[0] = '\0';
	r->ck_algo = S3_CK_NONE;
	r->ck_full_object = 0;
	s3_sum_release(&r->sum);
	r->parts_switch = 0;
	r->range_bad = 0;
	r->sink_len = 0;
	r->flushed = 0;
	r->parts_count = 0;
	r->range_start = -1;
	r->range_end = -1;
	r->range_total = -1;
	r->sink_errno = 0;
	r->errbuf[0] = '\0';
	buf_reset(&r->body);

	curl_slist_free_all(r->headers);
	r->headers = NULL;
	/*
	 * curl 7.88 signs x-amz-content-sha256 when we send it, and does not
	 * add it itself; S3 servers want it. Every header in this list is
	 * signed, even one that only removes a header ("Expect:"), so the
	 * list holds nothing that is not sent as written.
	 */
	r->headers = curl_slist_append(r->headers,
				       "x-amz-content-sha256: UNSIGNED-PAYLOAD");
	if (cfg->session_token && *cfg->session_token) {
		char *h = xstrfmt("x-amz-security-token: %s",
				  cfg->session_token);

		r->headers = curl_slist_append(r->headers, h);
		OPENSSL_cleanse(h, strlen(h));
		free(h);
	}
	if (upload)
		r->headers = curl_slist_append(r->headers,
			"Content-Type: application/octet-stream");
	if (upload && r->send_crc32c) {
		char b64[9], h[64];

		if (!r->crc32c_known && body_crc32c(r) < 0)
			return -1;
		crc32c_base64(r->crc32c, b64);
		snprintf(h, sizeof(h), "x-amz-checksum-crc32c: %s", b64);
		r->headers = curl_slist_append(r->headers, h);
	}
	if (r->extra_header)
		r->headers = curl_slist_append(r->headers, r->extra_header);
	if (r->want_checksum)
		r->headers = curl_slist_append(r->headers,
					       "x-amz-checksum-mode: ENABLED");

	buf_reset(&r->url);
	s3_url_build(c, &r->url, r->bucket, r->key, r->query);
	debug("%s %s", r->method, r->url.buf);

	curl_easy_reset(easy);
	curl_easy_setopt(easy, CURLOPT_URL, r->url.buf);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, r->headers);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
			 r->hurry > 0 && r->hurry < cfg->connect_timeout ?
			 (long)(r->hurry * 1000) : cfg->connect_timeout * 1000L);
	curl_easy_setopt(easy, CURLOPT_IPRESOLVE,
			 r->family_step == 1 ? (long)CURL_IPRESOLVE_V4 :
			 r->family_step == 2 ? (long)CURL_IPRESOLVE_V6 :
			 c->ipresolve);
	/* Too slow: less than min_speed for stall_timeout seconds. */
	curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT,
			 cfg->min_speed > 0 && !r->patient ?
			 (long)cfg->min_speed : 1L);
	curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, cfg->stall_timeout);
	if (cfg->max_speed > 0) {
		curl_easy_setopt(easy, CURLOPT_MAX_SEND_SPEED_LARGE,
				 (curl_off_t)cfg->max_speed);
		curl_easy_setopt(easy, CURLOPT_MAX_RECV_SPEED_LARGE,
				 (curl_off_t)cfg->max_speed);
	}
	/* Called about once a second even when no byte moves (a stall). */
	curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, xferinfo);
	curl_easy_setopt(easy, CURLOPT_XFERINFODATA, r);
	curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, s3_cb_header);
	curl_easy_setopt(easy, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, s3_cb_write);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, r);
	/* Fewer, larger writes to the file: 16 KiB is curl's default. */
	if (r->out_fd >= 0)
		curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, 256L * 1024);
	if (cfg->ca_bundle)
		curl_easy_setopt(easy, CURLOPT_CAINFO, cfg->ca_bundle);
	if (cfg->insecure) {
		curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (cfg->access_key && *cfg->access_key) {
		curl_easy_setopt(easy, CURLOPT_AWS_SIGV4, c->sigv4);
		curl_easy_setopt(easy, CURLOPT_USERNAME, cfg->access_key);
		curl_easy_setopt(easy, CURLOPT_PASSWORD,
				 cfg->secret_key ? cfg->secret_key : "");
	}

	if (!strcmp(r->method, "HEAD")) {
		curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
	} else if (upload) {
		long long len = r->in_mem ? (long long)r->in_mem_len
					  : r->in_len;

		curl_easy_setopt(easy, CURLOPT_READFUNCTION, s3_cb_read);
		curl_easy_setopt(easy, CURLOPT_READDATA, r);
		curl_easy_setopt(easy, CURLOPT_SEEKFUNCTION, s3_cb_seek);
		curl_easy_setopt(easy, CURLOPT_SEEKDATA, r);
		if (!r->in_mem)
			len += (long long)r->in_tail_len;
		if (len <= S3_EXPECT_THRESHOLD) {
			/*
			 * Sent the way curl sends a POST, which asks for no
			 * 100-continue below its threshold: a PUT always
			 * does, a round trip per small object. An "Expect:"
			 * header cannot say so: curl 7.88 signs it, then
			 * drops it.
			 */
			curl_easy_setopt(easy, CURLOPT_POST, 1L);
			curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
					 (curl_off_t)len);
			curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST,
					 r->method);
		} else {
			curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
			curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE,
					 (curl_off_t)len);
			if (strcmp(r->method, "PUT"))
				curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST,
						 r->method);
		}
	} else if (strcmp(r->method, "GET")) {
		curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, r->method);
	}
	return 0;
}

int s3_etag_is_md5(const char *etag)
{
	size_t n = strlen(etag);

	if (n != 32)
		return 0;
	return strspn(etag, "0123456789abcdefABCDEF") == 32;
}

int s3_checksum_is_full(const char *checksum)
{
	/* Base64 has no '-': "-N" after it is a multipart composite. */
	return *checksum && !strchr(checksum, '-');
}

int s3_checksum_applies(const struct s3_req *r)
{
	if (!r->ck_algo || !s3_checksum_is_full(r->checksum))
		return 0;
	/* A part's answer with the whole object's checksum. */
	return !(r->ck_full_object && r->range_total > 0 &&
		 r->range_end - r->range_start + 1 < r->range_total);
}

static int curl_rc_retryable(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return 1;
	default:
		return 0;
	}
}

static void add_hint(struct s3_client *c, struct buf *msg, const char *code,
		     long status)
{
	if (status == 403 && (!c->cfg.access_key || !*c->cfg.access_key))
		buf_adds(msg, " (the request was anonymous: set "
			 "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)");
	else if (!strcmp(code, "SignatureDoesNotMatch"))
		buf_adds(msg, " (check the secret key: AWS_SECRET_ACCESS_KEY)");
	else if (!strcmp(code, "InvalidAccessKeyId"))
		buf_adds(msg, " (check the access key: AWS_ACCESS_KEY_ID)");
	else if (!strcmp(code, "NoSuchBucket"))
		buf_adds(msg, " (check the bucket name, or create it)");
	else if (status == 403 && !*code)
		buf_adds(msg, " (access denied: check the credentials)");
}

/*
 * A 206 must say which bytes it holds, and hold them: "bytes A-B/T" with
 * B-A+1 bytes received and B < T. A server that answered a part with an
 * empty body once made the part size 0 (and a division by it).
 */
static int range_bad(const struct s3_req *r, struct buf *msg)
{
	if (r->status != 206)
		return 0;
	if (r->range_start < 0 || r->range_end < r->range_start ||
	    r->range_total <= r->range_end) {
		buf_addf(msg, "the server's 206 answer has no usable "
			 "Content-Range (bytes %lld-%lld/%lld) for its %lld "
			 "bytes", r->range_start, r->range_end,
			 r->range_total, r->received);
		return 1;
	}
	if (r->range_end - r->range_start + 1 != r->received) {
		buf_addf(msg, "the server's 206 answer says bytes "
			 "%lld-%lld/%lld (%lld bytes) but its body has %lld "
			 "bytes", r->range_start, r->range_end, r->range_total,
			 r->range_end - r->range_start + 1, r->received);
		return 1;
	}
	return 0;
}

/*
 * A whole object's answer that no check would see through: an empty body
 * writes nothing, so neither the MD5 thread nor a checksum starts on it;
 * and a multipart ETag ("-N") needs N-1 parts of at least 5 MiB.
 */
static int body_impossible(const struct s3_req *r, struct buf *msg)
{
	const char *dash = strchr(r->etag, '-');
	long parts = dash ? strtol(dash + 1, NULL, 10) : 0;

	if (!r->received && r->check_md5 && !s3_checksum_applies(r) &&
	    s3_etag_is_md5(r->etag) &&
	    strcasecmp(r->etag, "d41d8cd98f00b204e9800998ecf8427e")) {
		buf_addf(msg, "an empty body, but the ETag %s is not the MD5 "
			 "of nothing", r->etag);
		return 1;
	}
	if (parts > 1 && r->received < (parts - 1) * (long long)
	    S3_MIN_PART_SIZE) {
		buf_addf(msg, "%lld bytes, but the ETag %s says %ld parts of "
			 "at least 5 MiB", r->received, r->etag, parts);
		return 1;
	}
	return 0;
}

/*
 * A name that did not resolve is asked again at once for IPv4 alone, then
 * IPv6 alone (S3_AGAIN), before the attempt counts as failed. Why: musl's
 * getaddrinfo(AF_UNSPEC), the static build's, sends the A and AAAA
 * queries together and takes NXDOMAIN to either for "no such name",
 * where glibc and Go keep the other answer; and a cluster DNS can answer
 * AAAA with NXDOMAIN for a name that has an A record (dnsmasq's
 * address=/NAME/IP with local=/cluster.local/; CoreDNS says NODATA).
 * Asked for one family, musl sends that query alone. Through curl, not a
 * getaddrinfo() of ours: its resolver keeps CURLOPT_CONNECTTIMEOUT and the
 * cancel poll, and it resolves the URL's host as the request names it
 * (virtual-host buckets too). curl 7.88 caches no failed resolution, so
 * the one-family try asks the resolver again. A name with no record fails
 * all three quickly and goes on as any failed attempt, curl's message
 * naming the host.
 */
static int family_next(struct s3_client *c, struct s3_req *r)
{
	if (r->family_step == 0 && c->ipresolve != CURL_IPRESOLVE_WHATEVER) {
		/* The family found before no longer resolves: start over. */
		c->ipresolve = CURL_IPRESOLVE_WHATEVER;
		return 0;
	}
	if (r->family_step < 2) {
		r->family_step++;
		return 1;
	}
	r->family_step = 0;
	return 0;
}

/*
 * An answer came for a one-family try: the client's later requests, on
 * every handle (parallel parts too), ask for that family alone.
 */
static void family_found(struct s3_client *c, struct s3_req *r)
{
	long ip = r->family_step == 1 ? CURL_IPRESOLVE_V4 : CURL_IPRESOLVE_V6;

	r->family_step = 0;
	if (c->ipresolve == ip)
		return;
	c->ipresolve = ip;
	info("%s: the name resolves when asked for %s alone, not for both "
	     "families (the resolver answers %s with an error): %s alone "
	     "from now on", c->hostport,
	     ip == CURL_IPRESOLVE_V4 ? "IPv4" : "IPv6",
	     ip == CURL_IPRESOLVE_V4 ? "AAAA" : "A",
	     ip == CURL_IPRESOLVE_V4 ? "IPv4" : "IPv6");
}

/* An attempt that ended without a whole answer. */
static enum s3_verdict judge_transfer(struct s3_client *c, struct s3_req *r,
				      CURLcode rc, struct buf *msg)
{
	s3_hasher_stop(r);
	s3_sum_release(&r->sum);
	/* Dropped: the next attempt starts the body over. */
	s3_sink_release(r);
	c->last_status = 0;
	if (r->sink_errno) {
		buf_addf(msg, "local file: %s", strerror(r->sink_errno));
		return S3_FAIL;
	}
	if (rc == CURLE_ABORTED_BY_CALLBACK && r->too_slow > 0) {
		buf_addf(msg, "too slow: %lld bytes in %.1f s, past "
			 "its deadline of %.0f s (T3Q_S3_REQUEST_TIMEOUT"
			 "=%g s, plus 1 s per %lld KiB)", r->moved,
			 log_now() - r->started, r->too_slow,
			 c->cfg.request_timeout,
			 S3_DEFAULT_AVG_SPEED / 1024);
		return S3_RETRY;
	}
	if (rc == CURLE_ABORTED_BY_CALLBACK) {
		buf_adds(msg, "stopped by a signal");
		return S3_FAIL;
	}
	buf_addf(msg, "%s", r->errbuf[0] ? r->errbuf
					  : curl_easy_strerror(rc));
	if (rc == CURLE_COULDNT_RESOLVE_HOST && family_next(c, r)) {
		debug("%s; resolving it for %s alone", msg->buf,
		      r->family_step == 1 ? "IPv4" : "IPv6");
		return S3_AGAIN;
	}
	if (rc == CURLE_OPERATION_TIMEDOUT && strstr(msg->buf, "slow"))
		buf_addf(msg, " (too slow: under T3Q_S3_MIN_SPEED=%lld "
			 "bytes/s for T3Q_S3_STALL_TIMEOUT=%ld s)",
			 c->cfg.min_speed > 0 ? c->cfg.min_speed : 1,
			 c->cfg.stall_timeout);
	return curl_rc_retryable(rc) ? S3_RETRY : S3_FAIL;
}

/* A 2xx answer: its body must be the bytes it says it is. */
static enum s3_verdict judge_body(struct s3_client *c, struct s3_req *r,
				  struct buf *msg)
{
	char got[33];

	if (r->out_fd >= 0 && r->content_length >= 0 &&
	    r->received != r->content_length) {
		buf_addf(msg, "received %lld bytes, but Content-Length "
			 "said %lld", r->received, r->content_length);
		return S3_RETRY;
	}
	if (r->out_fd >= 0 && range_bad(r, msg))
		return S3_RETRY;
	if (r->out_fd >= 0 && !r->out_ranged && r->status == 200 &&
	    body_impossible(r, msg))
		return S3_RETRY;
	if (r->out_fd >= 0 && s3_checksum_applies(r)) {
		char b64[64];

		/* An empty body wrote nothing: its sum starts here. */
		if (!r->sum.algo)
			s3_sum_start(&r->sum, r->ck_algo);
		s3_sum_finish(&r->sum, b64);
		if (strcmp(b64, r->checksum)) {
			buf_addf(msg, "%s %s of the bytes does not "
				 "match the server's %s",
				 s3_algo_name(r->ck_algo, 1), b64,
				 r->checksum);
			return S3_RETRY;
		}
	} else if (r->hasher) {
		s3_hasher_finish(r, got);
		if (strcasecmp(got, r->etag)) {
			buf_addf(msg, "MD5 %s of the bytes does not "
				 "match the ETag %s", got, r->etag);
			return S3_RETRY;
		}
	}
	c->last_status = r->status;
	return S3_OK;
}

enum s3_verdict s3_req_judge(struct s3_client *c, struct s3_req *r,
			     CURLcode rc, struct buf *msg)
{
	struct buf code = BUF_INIT, message = BUF_INIT;
	enum s3_verdict v;

	buf_reset(msg);
	/* An answer: the name resolved. */
	if (r->family_step && (rc == CURLE_OK || r->parts_switch))
		family_found(c, r);
	if (r->parts_switch) {
		c->last_status = r->status;
		return S3_OK;
	}
	if (r->range_bad) {
		buf_addf(msg, "the server sent bytes %lld-%lld of %lld, not "
			 "the %lld at %lld of %lld asked for (nothing written)",
			 r->range_start, r->range_end, r->range_total,
			 r->out_len, r->out_off, r->out_total);
		return S3_RETRY;
	}
	if (rc != CURLE_OK)
		return judge_transfer(c, r, rc, msg);
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->sink_len && s3_sink_flush(r) < 0) {
		s3_hasher_stop(r);
		buf_addf(msg, "local file: %s", strerror(r->sink_errno));
		return S3_FAIL;
	}
	/* Done with it: 64 parts keeping theirs were 16 MiB of RSS. */
	s3_sink_release(r);
	if (r->status >= 200 && r->status <= 299) {
		v = judge_body(c, r, msg);
		/*
		 * A body refused before its MD5 was taken: the thread and its
		 * 4 MiB go now, not after the backoff, at the next setup.
		 */
		if (v != S3_OK)
			s3_hasher_stop(r);
		return v;
	}
	c->last_status = r->status;
	buf_addf(msg, "HTTP %ld", r->status);
	if (s3_xml_error(r->body.buf, r->body.len, &code, &message)) {
		buf_addf(msg, " %s", code.buf);
		if (message.len)
			buf_addf(msg, ": %s", message.buf);
	} else if (r->status == 404) {
		buf_adds(msg, " not found");
	}
	add_hint(c, msg, code.buf, r->status);
	/*
	 * Retry what is transient: 5xx, 429, the 400 RequestTimeout S3
	 * sends when it waited too long for our body, IncompleteBody when
	 * less of it arrived than was sent (MinIO, loaded), and a body that
	 * the server found damaged by its checksum (BadDigest).
	 */
	if (r->status >= 500 || r->status == 429 ||
	    !strcmp(code.buf, "SlowDown") ||
	    !strcmp(code.buf, "RequestTimeout") ||
	    !strcmp(code.buf, "IncompleteBody") ||
	    !strcmp(code.buf, "BadDigest") ||
	    !strcmp(code.buf, "XAmzContentChecksumMismatch"))
		v = S3_RETRY;
	else
		v = S3_FAIL;
	buf_release(&code);
	buf_release(&message);
	return v;
}

double s3_backoff(struct s3_client *c, int attempt)
{
	/*
	 * 0.5, 1, 2, 4, 8, 16, 20, 20 ... s: the first retries are quick for
	 * a dropped connection, the later ones outlast a server restart
	 * (MinIO takes 5 to 30 s). The AWS SDKs' standard mode caps at 20 s.
	 */
	double cap = 0.25 * (1 << (attempt < 8 ? attempt : 8));

	if (cap > S3_BACKOFF_CAP)
		cap = S3_BACKOFF_CAP;
	/* Half fixed, half random: spreads clients out, never waits 0. */
	return cap / 2 + cap / 2 * (rand_r(&c->rand_state) / (RAND_MAX + 1.0));
}

int s3_sleep(struct s3_client *c, double s)
{
	double end = log_now() + s;

	/* Signals are blocked in the bootstrap: poll rather than wait. */
	while (!s3_cancelled(c)) {
		double left = end - log_now();
		struct timespec ts;

		if (left <= 0)
			return 0;
		if (left > 0.1)
			left = 0.1;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)(left * 1e9);
		nanosleep(&ts, NULL);
	}
	return 1;
}

int s3_req_run(struct s3_client *c, struct s3_req *r)
{
	struct buf msg = BUF_INIT, what = BUF_INIT;
	double start = log_now();
	int ret = -1;

	s3_req_describe(r, &what);
	for (int attempt = 1;; attempt++) {
		enum s3_verdict v;
		double delay;
		CURLcode rc;

		if (s3_cancelled(c)) {
			error("%s: stopped by a signal", what.buf);
			break;
		}
		if (s3_req_setup(c, r, c->easy) < 0) {
			if (s3_cancelled(c))
				error("%s: stopped by a signal", what.buf);
			break;
		}
		rc = curl_easy_perform(c->easy);
		v = s3_req_judge(c, r, rc, &msg);
		if (v == S3_AGAIN) {
			attempt--;
			continue;
		}
		if (v == S3_OK) {
			ret = 0;
			break;
		}
		if (v == S3_FAIL) {
			if (r->quiet_status != -1 && (!r->quiet_status ||
			    r->status != r->quiet_status))
				error("%s: %s", what.buf, msg.buf);
			break;
		}
		if (attempt >= c->cfg.max_attempts) {
			error("%s: %s; giving up after %d attempts in %.1f s "
			      "(T3Q_S3_MAX_ATTEMPTS=%d)", what.buf, msg.buf,
			      attempt, log_now() - start,
			      c->cfg.max_attempts);
			break;
		}
		delay = s3_backoff(c, attempt);
		if (r->hurry > 0 && log_now() + delay - start > r->hurry) {
			error("%s: %s; giving up after %d attempts in %.1f s "
			      "(stopping: %g s at most)", what.buf, msg.buf,
			      attempt, log_now() - start, r->hurry);
			break;
		}
		if (log_now() + delay - start > c->cfg.max_time) {
			error("%s: %s; giving up after %d attempts in %.1f s "
			      "(T3Q_S3_MAX_TIME=%g s)", what.buf, msg.buf,
			      attempt, log_now() - start, c->cfg.max_time);
			break;
		}
		warn("%s: %s; retrying in %.2f s (attempt %d of %d)",
		     what.buf, msg.buf, delay, attempt + 1,
		     c->cfg.max_attempts);
		if (s3_sleep(c, delay)) {
			error("%s: stopped by a signal", what.buf);
			break;
		}
	}
	buf_release(&msg);
	buf_release(&what);
	return ret;
}

int s3_head(struct s3_client *c, const char *bucket, const char *key,
	    struct s3_stat *st)
{
	struct s3_req r;
	int ret;

	s3_req_init(&r, "HEAD", bucket, key);
	/* A missing key is an answer here, not an error. */
	r.quiet_status = 404;
	ret = s3_req_run(c, &r);
	if (ret == 0 && st) {
		st->size = r.content_length;
		snprintf(st->etag, sizeof(st->etag), "%s", r.etag);
	} else if (ret < 0 && r.status == 404) {
		ret = 1;
	}
	s3_req_release(&r);
	return ret;
}


/*
 * Whether the file under fd is no longer what st saw: a writer rewrote
 * it while it went up (size, mtime or ctime moved). The body then mixes
 * two versions, and the server's checksum check refuses it at best.
 */
static int file_changed(int fd, const struct stat *st, struct stat *now)
{
	if (fstat(fd, now) < 0)
		return 0;
	return now->st_size != st->st_size ||
	       now->st_mtim.tv_sec != st->st_mtim.tv_sec ||
	       now->st_mtim.tv_nsec != st->st_mtim.tv_nsec ||
	       now->st_ctim.tv_sec != st->st_ctim.tv_sec ||
	       now->st_ctim.tv_nsec != st->st_ctim.tv_nsec;
}

static int put_whole(struct s3_client *c, const char *bucket,
		     const char *key, int fd, long long size,
		     const char *tail, size_t tail_len)
{
	struct s3_progress progress;
	struct s3_req r;
	struct buf label = BUF_INIT;
	int ret;

	s3_req_init(&r, "PUT", bucket, key);
	r.in_fd = fd;
	r.in_len = size;
	r.in_tail = tail;
	r.in_tail_len = tail_len;
	/* The server checks the bytes against it, and keeps it for GETs. */
	r.send_crc32c = 1;
	s3_req_describe(&r, &label);
	s3_progress_init(&progress, label.buf, size,
			 c->cfg.progress_interval);
	r.progress = &progress;
	ret = s3_req_run(c, &r);
	s3_progress_release(&progress);
	s3_req_release(&r);
	buf_release(&label);
	return ret;
}

int s3_put_file(struct s3_client *c, const char *bucket, const char *key,
		const char *path)
{
	/*
	 * O_NONBLOCK: a FIFO opens at once, to be refused below as not a
	 * regular file, instead of blocking until a writer comes; a regular
	 * file's reads ignore it.
	 */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), ret;

	if (fd < 0)
		return error_errno("cannot open '%s' for upload", path);
	ret = s3_put_fd(c, bucket, key, fd, path, NULL, 0, 0);
	close(fd);
	return ret;
}

int s3_put_fd(struct s3_client *c, const char *bucket, const char *key,
	      int fd, const char *name, const char *tail, size_t tail_len,
	      int growing)
{
	struct stat st, now;
	int ret;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return error("cannot upload '%s': not a regular file", name);
	if ((size_t)st.st_size > c->cfg.part_size)
		ret = s3_multipart_put(c, bucket, key, fd, st.st_size, name,
				       tail, tail_len);
	else
		ret = put_whole(c, bucket, key, fd, st.st_size, tail,
				tail_len);
	/*
	 * A failure is explained; a success only warned about: the server
	 * holds bytes that matched their checksum. A log still being
	 * written (growing) goes up again later, and its growth is expected.
	 */
	if (!growing && file_changed(fd, &st, &now)) {
		if (ret < 0)
			error("'%s' changed while it was uploaded to s3://%s/%s "
			      "(%lld bytes, now %lld): the upload failed; "
			      "upload it when nothing writes it any more",
			      name, bucket, key, (long long)st.st_size,
			      (long long)now.st_size);
		else
			warn("'%s' changed while it was uploaded to s3://%s/%s "
			     "(%lld bytes, now %lld): the object holds the "
			     "bytes read before the change", name, bucket, key,
			     (long long)st.st_size, (long long)now.st_size);
	}
	return ret;
}

int s3_delete(struct s3_client *c, const char *bucket, const char *key)
{
	struct s3_req r;
	int ret;

	s3_req_init(&r, "DELETE", bucket, key);
	ret = s3_req_run(c, &r);
	s3_req_release(&r);
	return ret;
}

int s3_make_bucket(struct s3_client *c, const char *bucket)
{
	struct s3_req r;
	struct buf code = BUF_INIT, message = BUF_INIT;
	int ret;

	s3_req_init(&r, "PUT", bucket, NULL);
	r.in_mem = "";
	r.quiet_status = 409;
	ret = s3_req_run(c, &r);
	if (ret < 0 && r.status == 409) {
		s3_xml_error(r.body.buf, r.body.len, &code, &message);
		/* Already ours: the state the caller asked for. */
		if (!strcmp(code.buf, "BucketAlreadyOwnedByYou"))
			ret = 0;
		else
			error("PUT s3://%s: HTTP 409 %s: %s", bucket, code.buf,
			      message.buf);
	}
	buf_release(&code);
	buf_release(&message);
	s3_req_release(&r);
	return ret;
}
