/*
 * s3_int: what the s3 client's files share; not for use outside s3*.c.
 *
 * One struct s3_req is one HTTP request with all its attempts. It is set
 * up on an easy handle by s3_req_setup(), and judged after each attempt by
 * s3_req_judge(), which both the sequential path (s3.c) and the multipart
 * path (s3_multipart.c, curl multi) use, so they retry alike.
 */
#ifndef T3Q_COMMON_S3_INT_H
#define T3Q_COMMON_S3_INT_H

#include <curl/curl.h>
#include <openssl/evp.h>
#include <sys/types.h>

#include "common/buf.h"
#include "common/s3.h"

struct s3_client {
	struct s3_config cfg;
	char *scheme;		/* "http" or "https" */
	char *hostport;		/* host[:port] of the endpoint */
	char *base;		/* path prefix of the endpoint, "" or "/x" */
	char *sigv4;		/* "aws:amz:REGION:s3" */
	CURL *easy;		/* reused by sequential requests */
	long last_status;
	unsigned rand_state;
	int cancel_off;		/* the abort of a cancelled upload must run */
	double cancel_checked;	/* when cfg.cancel was last polled */
};

/* A progress line every cfg.progress_interval seconds; never a '\r'. */
struct s3_progress {
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

/* Results of s3_req_judge(). */
enum s3_verdict {
	S3_OK = 0,
	S3_RETRY = 1,		/* transient: try again after a backoff */
	S3_FAIL = -1,		/* final */
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
	int check_md5;		/* compare a plain-MD5 ETag with the bytes */
	long quiet_status;	/* a final status the caller reports itself */
	struct s3_progress *progress;

	/* The state of the current attempt. */
	CURL *easy;
	struct curl_slist *headers;
	struct buf url;
	long long in_pos;
	long status;
	long long content_length;
	long long received;
	char etag[80];
	struct buf body;	/* memory bodies and error documents */
	EVP_MD_CTX *md5;
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
/* Backoff before attempt `attempt`+1, with half jitter, in seconds. */
double s3_backoff(struct s3_client *c, int attempt);
/* Whether cfg.cancel asks to stop (and the client lets it). */
int s3_cancelled(struct s3_client *c);
/* Sleeps s seconds, or less when cancelled; returns s3_cancelled(). */
int s3_sleep(struct s3_client *c, double s);

/* libcurl callbacks, one file each (s3_cb_*.c). */
size_t s3_cb_write(char *ptr, size_t size, size_t nmemb, void *userdata);
size_t s3_cb_read(char *ptr, size_t size, size_t nmemb, void *userdata);
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

/* The multipart upload (s3_multipart.c). */
int s3_multipart_put(struct s3_client *c, const char *bucket,
		     const char *key, int fd, long long size,
		     const char *path, const char *tail, size_t tail_len);

#endif
