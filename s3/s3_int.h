/*
 * s3_int: what the s3 client's files share; not for use outside s3*.c.
 *
 * One struct s3_req is one HTTP request with all its attempts. It is set
 * up on an easy handle by s3_req_setup(), and judged after each attempt by
 * s3_req_judge(), which both the sequential path (s3.c) and the parallel
 * parts (s3_parts.c, curl multi: the multipart upload and the downloads by
 * part) use, so they retry alike.
 */
#ifndef T3Q_S3_S3_INT_H
#define T3Q_S3_S3_INT_H

#include <curl/curl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/buf.h"
#include "s3/s3.h"

struct s3_client {
	struct s3_config cfg;
	char *scheme;		/* "http" or "https" */
	char *hostport;		/* host[:port] of the endpoint */
	char *base;		/* path prefix of the endpoint, "" or "/x" */
	char *sigv4;		/* "aws:amz:REGION:s3" */
	CURL *easy;		/* reused by sequential requests */
	/*
	 * CURLOPT_IPRESOLVE of every request: CURL_IPRESOLVE_WHATEVER until
	 * the endpoint's name resolved only for one family (s3.c,
	 * family_next()).
	 */
	long ipresolve;
	long last_status;
	unsigned rand_state;
	int cancel_off;		/* the abort of a cancelled upload must run */
	/*
	 * cfg.cancel is polled by every lane of parallel parts (s3_parts.c),
	 * each from its own thread: one at a time.
	 */
	pthread_mutex_t cancel_mu;
};

/*
 * A progress line every cfg.progress_interval seconds; never a '\r'.
 * Parts received by several threads add to one: hence the mutex.
 */
struct s3_progress {
	pthread_mutex_t mu;
	char *label;		/* "PUT s3://b/k" */
	long long total;
	long long done;
	double start;
	double last;
	double interval;
};

void s3_progress_init(struct s3_progress *p, const char *label,
		      long long total, double interval);
void s3_progress_add(struct s3_progress *p, long long n);
void s3_progress_release(struct s3_progress *p);

/* The checksums S3 defines (x-amz-checksum-NAME). */
enum s3_algo {
	S3_CK_NONE, S3_CK_CRC32, S3_CK_CRC32C, S3_CK_CRC64NVME, S3_CK_SHA1,
	S3_CK_SHA256,
};

/* A checksum being computed over a body (s3_sum.c). */
struct s3_sum {
	enum s3_algo algo;	/* S3_CK_NONE: not started */
	uint32_t crc32;
	uint64_t crc64;
	EVP_MD_CTX *md;
};

/* "crc32c" for the header's name; "CRC32C" for messages when upper. */
const char *s3_algo_name(enum s3_algo a, int upper);
/* The algorithm whose header this is ("x-amz-checksum-sha1"), or NONE. */
enum s3_algo s3_algo_of_header(const char *line, size_t len, size_t *nlen);
void s3_sum_start(struct s3_sum *s, enum s3_algo a);
void s3_sum_update(struct s3_sum *s, const void *p, size_t len);
/* Ends it: S3's base64 text into out (at least 48 bytes). */
void s3_sum_finish(struct s3_sum *s, char *out);
/* Drops it (idempotent). */
void s3_sum_release(struct s3_sum *s);

#define S3_PATIENT_DEADLINE 900.0
/* The abort of an upload that a signal stopped: every attempt within it. */
#define S3_STOP_ABORT_TIME 5.0

/* Results of s3_req_judge(). */
enum s3_verdict {
	S3_OK = 0,
	S3_RETRY = 1,		/* transient: try again after a backoff */
	S3_FAIL = -1,		/* final */
	S3_AGAIN = 2,		/* the name again for one IP family: at once,
				 * not counted as an attempt */
};

struct s3_req {
	/* Set by the caller. */
	const char *method;
	const char *bucket;
	const char *key;	/* NULL for bucket requests */
	const char *query;	/* encoded and sorted (s3_query_*), or NULL */
	int in_fd;		/* upload source file, or -1 */
	long long in_off;	/* region of in_fd to send */
	long long in_len;
	const char *in_mem;	/* or an upload from memory */
	size_t in_mem_len;
	const char *in_tail;	/* sent after in_fd's region (a log's mark) */
	size_t in_tail_len;
	int out_fd;		/* download sink for 2xx bodies, or -1: body */
	/*
	 * 1: the body goes to out_off of out_fd with pwrite(2), which other
	 * requests share (parallel parts); a retry rewrites the same range.
	 * 0: written from the start of out_fd, which a retry truncates.
	 */
	int out_ranged;
	long long out_off;
	/*
	 * A ranged answer must be these bytes of an object of out_total
	 * (-1: not checked). Checked at its first byte, before anything is
	 * written: a longer part would overwrite its neighbour's bytes,
	 * which may be done already. range_bad: it was not; nothing written.
	 */
	long long out_len;
	long long out_total;
	int range_bad;
	/*
	 * Compare a plain-MD5 ETag with the bytes, hashed by a thread that
	 * reads the file behind the writes (s3_hash.c), never inline.
	 */
	int check_md5;
	/*
	 * Uploads: send x-amz-checksum-crc32c of the body, which the server
	 * checks (computed at the first attempt, from the file's region).
	 */
	int send_crc32c;
	int crc32c_known;
	uint32_t crc32c;
	const char *extra_header;	/* one more "Name: value", or NULL */
	/* Downloads: ask for the object's checksum (x-amz-checksum-mode). */
	int want_checksum;
	/*
	 * > 0: a 2xx answer for a multipart object larger than this stops
	 * before its body, with parts_switch set and the attempt a success
	 * (the caller then asks for it by part).
	 */
	long long parts_over;
	int parts_switch;
	/*
	 * 1: the server may think for minutes, sending only whitespace
	 * (CompleteMultipartUpload): the old floor of 1 byte/s, and a
	 * deadline of S3_PATIENT_DEADLINE at least.
	 */
	int patient;
	/*
	 * > 0: the whole request, every attempt and backoff, within this
	 * many seconds, whatever the client's limits (the abort that a stop
	 * still owes: Kubernetes kills a pod 30 s after its TERM).
	 */
	double hurry;
	long quiet_status;	/* a final status the caller reports itself;
				 * -1: every final answer (not giving up) */
	struct s3_progress *progress;

	/*
	 * Which IP family the name is resolved for: 0 the client's, 1 IPv4
	 * alone, 2 IPv6 alone (after the others failed to resolve). Kept
	 * across attempts.
	 */
	int family_step;

	/* The state of the current attempt. */
	CURL *easy;
	struct s3_client *client;
	double started;		/* when the attempt began */
	double cancel_checked;	/* when cfg.cancel was last polled for it */
	double too_slow;	/* > 0: cut at this deadline (seconds) */
	long long moved;	/* bytes moved when it was cut */
	struct curl_slist *headers;
	struct buf url;
	long long in_pos;
	long status;
	long long content_length;
	long long received;
	char etag[80];
	char checksum[80];	/* x-amz-checksum-ALGO of the answer */
	enum s3_algo ck_algo;	/* which one */
	int ck_full_object;	/* x-amz-checksum-type: FULL_OBJECT */
	struct s3_sum sum;	/* of the body so far, when it applies */
	int parts_count;	/* x-amz-mp-parts-count, 0 when absent */
	long long range_start;	/* Content-Range: bytes START-END/TOTAL */
	long long range_end;
	long long range_total;	/* -1 when absent */
	struct buf body;	/* memory bodies and error documents */
	struct s3_hasher *hasher;	/* started at the first body bytes */
	char *sink;		/* body bytes gathered for the next write */
	size_t sink_len;
	size_t sink_cap;	/* sink's size, S3_SINK_BUF at most */
	long long flushed;	/* body bytes written to out_fd */
	int sink_errno;		/* a failed write(2) to out_fd */
	char errbuf[CURL_ERROR_SIZE];
};

void s3_req_init(struct s3_req *r, const char *method, const char *bucket,
		 const char *key);
void s3_req_release(struct s3_req *r);
/* Resets the attempt state and configures easy for one attempt. */
int s3_req_setup(struct s3_client *c, struct s3_req *r, CURL *easy);
/*
 * Judges an attempt that ended with rc. On S3_RETRY or S3_FAIL, msg holds
 * a one-line reason without the operation prefix.
 */
enum s3_verdict s3_req_judge(struct s3_client *c, struct s3_req *r,
			     CURLcode rc, struct buf *msg);
/* "GET s3://bucket/key" for messages. */
void s3_req_describe(const struct s3_req *r, struct buf *out);
/* Runs r to completion on the client's easy handle, with retries. */
int s3_req_run(struct s3_client *c, struct s3_req *r);
/*
 * Bodies up to this size go without "Expect: 100-continue" (a round trip
 * each): curl's own threshold for POST, applied to every method.
 */
#define S3_EXPECT_THRESHOLD (1024 * 1024)

/* Backoff before attempt `attempt`+1, with half jitter, in seconds. */
double s3_backoff(struct s3_client *c, int attempt);
/* Whether cfg.cancel asks to stop (and the client lets it). */
int s3_cancelled(struct s3_client *c);
/* Sleeps s seconds, or less when cancelled; returns s3_cancelled(). */
int s3_sleep(struct s3_client *c, double s);

/* Whether an ETag is a plain MD5 (32 hex digits): not a multipart one. */
int s3_etag_is_md5(const char *etag);
/* Whether an x-amz-checksum-* value is of the bytes (no "-N" after it). */
int s3_checksum_is_full(const char *checksum);
/*
 * Whether r's answer carries a checksum of exactly its body: of the
 * object, or of the part asked for (not a FULL_OBJECT one of a whole
 * multipart object, which a part's answer may repeat).
 */
int s3_checksum_applies(const struct s3_req *r);

/*
 * The MD5 of a download, off the receive thread (s3_hash.c): a thread
 * hashes each buffer of body bytes once it is written to r->out_fd, and
 * lends r->sink the next (a body up to S3_HASH_INLINE_MAX is hashed
 * inline). _start at the first body bytes, _feed with each piece received
 * (the inline case), _pass after each write to the file (the thread's
 * case: it may wait for a free buffer), _finish at the end (32 hex digits
 * and a NUL), _stop to drop it (a retry, an error). Both take back a lent
 * r->sink. _lends: whether p is one of the thread's buffers.
 */
#define S3_HASH_INLINE_MAX (1024 * 1024)
int s3_hasher_start(struct s3_req *r);
void s3_hasher_feed(struct s3_req *r, const char *p, size_t len);
void s3_hasher_pass(struct s3_req *r);
void s3_hasher_finish(struct s3_req *r, char hex[33]);
void s3_hasher_stop(struct s3_req *r);
int s3_hasher_lends(const struct s3_req *r, const char *p);

/*
 * curl hands over at most 16 KiB a call (CURL_MAX_WRITE_SIZE): a write(2)
 * each was 32768 system calls a GiB. The bytes are gathered into r->sink,
 * at most S3_SINK_BUF long (sink_cap), first.
 */
#define S3_SINK_BUF (256 * 1024)
/*
 * Writes the gathered body bytes to out_fd (s3_cb_write.c); the end of a
 * transfer must call it before the file or its hash is looked at.
 */
int s3_sink_flush(struct s3_req *r);
/*
 * Drops r->sink and what it held: freed, or, if the MD5 thread lent it,
 * left to the thread, which frees its buffers when it ends.
 */
void s3_sink_release(struct s3_req *r);

/* libcurl callbacks, one file each (s3_cb_*.c). */
size_t s3_cb_write(char *ptr, size_t size, size_t nmemb, void *userdata);
size_t s3_cb_read(char *ptr, size_t size, size_t nmemb, void *userdata);
int s3_cb_seek(void *userdata, curl_off_t offset, int origin);
size_t s3_cb_header(char *ptr, size_t size, size_t nmemb, void *userdata);

/* URL building (s3_url.c). */
struct s3_param {
	const char *name;
	const char *value;	/* NULL: "name=" */
};
/* Appends the params sorted by name, AWS-encoded, joined by '&'. */
void s3_query_build(struct buf *out, struct s3_param *params, int n);
int s3_endpoint_parse(struct s3_client *c, const char *endpoint);
void s3_url_build(const struct s3_client *c, struct buf *out,
		  const char *bucket, const char *key, const char *query);

/*
 * XML (s3_xml.c): calls on_text for every element end with its path from
 * the root ("ListBucketResult/Contents/Key") and its text content.
 */
int s3_xml_parse(const char *data, size_t len,
		 void (*on_text)(void *ctx, const char *path, const char *text),
		 void *ctx);
/* Fills code and message from an S3 <Error> document, if it is one. */
int s3_xml_error(const char *data, size_t len, struct buf *code,
		 struct buf *message);

/*
 * Parallel parts (s3_parts.c): the n requests of one transfer on one curl
 * multi handle (which keeps the connections), at most `slots` at once,
 * each judged by s3_req_judge() and retried on its own after
 * s3_backoff(), within cfg.max_attempts and cfg.max_time from the start;
 * an S3_AGAIN is set up again at once and not counted. The downloads
 * (s3_get.c) and the multipart upload (s3_multipart.c) share it and differ
 * only in the callbacks, which get the caller's ctx and a part's index.
 */
struct s3_parts {
	struct s3_client *c;
	int n;
	int slots;
	/*
	 * The threads the slots are spread over (s3_parts.c: lanes); 0 or 1:
	 * all in the calling thread. Every callback below is called under
	 * one mutex, never by two threads at once.
	 */
	int lanes;
	void *ctx;
	/*
	 * Before each attempt of part i: s3_req_setup() on easy (whose
	 * CURLOPT_PRIVATE then names the request) and whatever else the part
	 * needs. -1 is final, and the callback has said why.
	 */
	int (*setup)(void *ctx, int i, CURL *easy);
	/* NULL, or the caller's verdict after s3_req_judge()'s; may set msg. */
	enum s3_verdict (*judge)(void *ctx, int i, enum s3_verdict v,
				 struct buf *msg);
	/* NULL, or what part i does once done; -1 is final, said by it. */
	int (*done)(void *ctx, int i);
	/* Part i for messages ("PUT s3://b/k part 3"), into an empty out. */
	void (*describe)(void *ctx, int i, struct buf *out);
	/* The error of a stop by a signal after done of n; returns -1. */
	int (*stopped)(void *ctx, int done, int n);
	/*
	 * The error of a part that gives up with msg after `attempts`, at
	 * `elapsed` s: by_attempts when cfg.max_attempts is reached, else
	 * cfg.max_time is past. Returns -1.
	 */
	int (*give_up)(void *ctx, const char *what, const char *msg,
		       int attempts, double elapsed, int by_attempts);
};
/* 0 when every part is done; -1 at the first final failure or a stop. */
int s3_parts_run(const struct s3_parts *p);

/* The multipart upload (s3_multipart.c). */
int s3_multipart_put(struct s3_client *c, const char *bucket,
		     const char *key, int fd, long long size,
		     const char *path, const char *tail, size_t tail_len);

#endif
