/*
 * s3: an S3 client on libcurl, signing with AWS SigV4 (CURLOPT_AWS_SIGV4).
 *
 * Path-style addressing by default (MinIO), virtual-host style as an
 * option. Every operation retries 5xx, 429/SlowDown, connection errors,
 * stalls and integrity failures with exponential backoff (0.5 s doubling,
 * at most S3_BACKOFF_CAP seconds, half of it random), bounded by
 * cfg.max_attempts and cfg.max_time; other 4xx are final. The defaults
 * ride out a server restart of half a minute, as the AWS SDKs' standard
 * retry mode does.
 *
 * Errors are logged with the operation, bucket, key, HTTP status and the S3
 * Code and Message, and the function returns -1. No secret ever appears in a
 * message. After a failure, s3_client_last_status() tells what the server
 * said last (0 when no HTTP answer was had), e.g. 404 for a missing key.
 *
 * Ownership: the client copies the config; strings passed to operations are
 * borrowed for the call; entries given to a list callback are valid only
 * during the callback.
 */
#ifndef T3Q_S3_S3_H
#define T3Q_S3_S3_H

#include <stddef.h>

#include "base/buf.h"

struct s3_config {
	char *endpoint;		/* http[s]://host[:port][/base] */
	char *region;		/* "us-east-1" by default */
	char *access_key;	/* NULL or "": anonymous requests */
	char *secret_key;
	char *session_token;	/* optional, sent as x-amz-security-token */
	char *ca_bundle;	/* CA file for TLS; NULL: cabundle_find()'s */
	int virtual_host;	/* 1: bucket.host/key instead of host/bucket/key */
	int insecure;		/* 1: do not verify the TLS peer (debug only) */
	size_t part_size;	/* multipart part size; also the threshold */
	int concurrency;	/* parts in flight at once */
	int max_attempts;	/* attempts per request, >= 1 */
	double max_time;	/* seconds for all attempts of one request */
	long connect_timeout;	/* seconds */
	long stall_timeout;	/* the window of min_speed, in seconds */
	long long min_speed;	/* bytes/s over stall_timeout, else cut */
	double request_timeout;	/* an attempt's deadline: this many seconds
				 * plus 1 s per S3_DEFAULT_AVG_SPEED bytes */
	double progress_interval; /* seconds between progress lines */
	long long max_speed;	/* bytes/s each way per transfer, 0: any */
	/*
	 * Polled during transfers and backoffs: non-zero stops the operation
	 * at once (a failure, "stopped by a signal"). NULL: never.
	 */
	int (*cancel)(void);
};

#define S3_DEFAULT_MAX_ATTEMPTS 10
#define S3_DEFAULT_CONCURRENCY 4
/*
 * A transfer slower than S3_DEFAULT_MIN_SPEED bytes/s for the stall
 * window is cut (a trickle at 2 bytes/s once ran for hours); one that
 * keeps above it must still end within its deadline, request_timeout plus
 * 1 s per S3_DEFAULT_AVG_SPEED bytes of its body: 124 s for a 16 MiB
 * part, 69 min for 1 GiB in one request, far more than any healthy link
 * needs. Both are retried like any transient failure.
 */
#define S3_DEFAULT_STALL_TIMEOUT 30L
#define S3_DEFAULT_MIN_SPEED 1024LL
#define S3_DEFAULT_AVG_SPEED (256LL * 1024)
#define S3_DEFAULT_REQUEST_TIMEOUT 60.0
#define S3_DEFAULT_MAX_TIME 120.0
#define S3_BACKOFF_CAP 20.0

#define S3_DEFAULT_PART_SIZE (16u * 1024 * 1024)
#define S3_MIN_PART_SIZE (5u * 1024 * 1024)

/* The deadline in seconds of one attempt that moves `bytes` of body. */
double s3_deadline(const struct s3_config *cfg, long long bytes);

/* Fills in the defaults; all strings NULL but region. */
void s3_config_init(struct s3_config *cfg);
/*
 * Reads credentials and settings from the environment:
 * AWS_ACCESS_KEY_ID or AWS_ACCESS_KEY, AWS_SECRET_ACCESS_KEY or
 * AWS_SECRET_KEY, AWS_SESSION_TOKEN, AWS_REGION / AWS_DEFAULT_REGION,
 * AWS_CA_BUNDLE, and T3Q_S3_{PART_SIZE,CONCURRENCY,MAX_ATTEMPTS,MAX_TIME,
 * STALL_TIMEOUT,MIN_SPEED,REQUEST_TIMEOUT,PROGRESS_INTERVAL,VIRTUAL_HOST}. Returns -1 on a bad value.
 */
int s3_config_from_env(struct s3_config *cfg);
/* Sets a string field, freeing the old value; NULL clears it. */
void s3_config_set(char **field, const char *value);
/* Copies every field (deep). */
void s3_config_copy(struct s3_config *dst, const struct s3_config *src);
void s3_config_release(struct s3_config *cfg);

struct s3_client;

/*
 * Appends url to out with any user info ("user:secret@") replaced by
 * "***@", so that a URL can be logged whatever it holds.
 */
void s3_url_redact(struct buf *out, const char *url);

/*
 * Checks the endpoint; returns NULL (after logging) when it is unusable.
 * User info in the endpoint (http://KEY:SECRET@host) is taken as the
 * credentials when the config has none, and never logged.
 */
struct s3_client *s3_client_new(const struct s3_config *cfg);
void s3_client_free(struct s3_client *c);
/* HTTP status of the last failed request, 0 if none was answered. */
long s3_client_last_status(const struct s3_client *c);
const struct s3_config *s3_client_config(const struct s3_client *c);

struct s3_stat {
	long long size;
	char etag[80];		/* without quotes */
};

/* Returns 0 and fills st, 1 when the object does not exist, -1 on error. */
int s3_head(struct s3_client *c, const char *bucket, const char *key,
	    struct s3_stat *st);

/*
 * Downloads to path: streams into a temp file beside it, checks the size
 * against Content-Length and the MD5 against a plain-MD5 ETag, then renames.
 * Missing parent directories are created. Nothing is left on failure.
 */
int s3_get_file(struct s3_client *c, const char *bucket, const char *key,
		const char *path);

/* One object of s3_get_files(): key to path, size from the listing. */
struct s3_get_item {
	const char *key;
	const char *path;
	long long size;		/* -1: unknown */
};

/* Small objects in flight at once in s3_get_files(). */
#define S3_MANY_IN_FLIGHT 32

/*
 * s3_get_file() of many objects: those up to part_size at most
 * S3_MANY_IN_FLIGHT at once on one connection pool (1000 small inputs
 * cost round trips, not bytes; MinIO on 2 cores served 32 at once a
 * little faster than 16), larger ones one by one. Stops at the
 * first failure (logged): files already in place stay, none is partial.
 */
int s3_get_files(struct s3_client *c, const char *bucket,
		 const struct s3_get_item *items, int n);

/*
 * Uploads path, streamed. Files larger than part_size go up as a multipart
 * upload with at most `concurrency` parts in flight; a failed multipart
 * upload is aborted so that no orphan parts remain.
 */
int s3_put_file(struct s3_client *c, const char *bucket, const char *key,
		const char *path);
/*
 * The same from an open fd (read with pread, from offset 0; it needs read
 * access), name for messages, then tail_len bytes of tail: what was checked is what goes up, with no
 * path (or /proc) to open again. growing: a log still being written, whose
 * bytes up to its size at the start go up; growth meanwhile is expected,
 * not reported.
 */
int s3_put_fd(struct s3_client *c, const char *bucket, const char *key,
	      int fd, const char *name, const char *tail, size_t tail_len,
	      int growing);

int s3_delete(struct s3_client *c, const char *bucket, const char *key);
/* Creates a bucket; an existing bucket we own is not an error. */
int s3_make_bucket(struct s3_client *c, const char *bucket);

struct s3_entry {
	const char *key;	/* full key, or the common prefix */
	long long size;
	const char *etag;
	const char *last_modified;
	int is_prefix;		/* a CommonPrefixes entry (with a delimiter) */
};

/*
 * ListObjectsV2 over every page (continuation tokens). delimiter may be
 * NULL. The callback returns 0 to go on, non-zero to stop (that value is
 * returned). Returns 0 at the end, -1 on error.
 */
int s3_list(struct s3_client *c, const char *bucket, const char *prefix,
	    const char *delimiter,
	    int (*cb)(void *ctx, const struct s3_entry *e), void *ctx);

/*
 * Appends s percent-encoded as AWS SigV4 wants it: every byte outside
 * A-Za-z0-9-._~ (and '/' when keep_slash) as %XX with uppercase hex.
 */
void s3_encode(struct buf *out, const char *s, int keep_slash);

#endif
