/*
 * s3_hash: the MD5 of a download, hashed by a thread of its own that reads
 * the file back from the page cache behind the writes (r->flushed). Inline in the write
 * callback MD5 was 96% of a GET's instructions and held the receive to
 * its speed (about 600 MB/s); beside it, the two overlap.
 *
 * The receive side only publishes how far the file is written (one mutex,
 * one condition); the thread reads what lies below that mark. Nothing is
 * buffered in memory beyond one read buffer. A body of at most
 * S3_HASH_INLINE_MAX is hashed inline instead: a thread would cost more
 * than it saves (and, in a PID namespace, a PID the step's tests expect).
 */
#include "s3/s3_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"

#define HASH_CHUNK (256 * 1024)

struct s3_hasher {
	int inline_only;	/* a small body: hashed as it comes, no thread */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int fd;
	long long written;	/* published by the receive side */
	int stop;		/* 1: finish what is written; 2: drop it */
	int failed;		/* errno of a failed read back, or EIO */
	EVP_MD_CTX *md5;
};

static void *hasher_main(void *arg)
{
	struct s3_hasher *h = arg;
	char *b = xmalloc(HASH_CHUNK);
	long long hashed = 0;

	for (;;) {
		long long upto;
		int stop;

		pthread_mutex_lock(&h->mu);
		while (h->written == hashed && !h->stop)
			pthread_cond_wait(&h->cv, &h->mu);
		upto = h->written;
		stop = h->stop;
		pthread_mutex_unlock(&h->mu);
		if (stop == 2 || (stop && hashed == upto))
			break;
		while (hashed < upto) {
			size_t want = upto - hashed < HASH_CHUNK ?
				(size_t)(upto - hashed) : HASH_CHUNK;
			ssize_t n = pread(h->fd, b, want, hashed);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				h->failed = n < 0 ? errno : EIO;
				goto out;
			}
			EVP_DigestUpdate(h->md5, b, n);
			hashed += n;
		}
	}
out:
	free(b);
	return NULL;
}

int s3_hasher_start(struct s3_req *r)
{
	struct s3_hasher *h = xcalloc(1, sizeof(*h));

	h->fd = r->out_fd;
	h->md5 = EVP_MD_CTX_new();
	if (!h->md5 || !EVP_DigestInit_ex(h->md5, EVP_md5(), NULL)) {
		EVP_MD_CTX_free(h->md5);
		free(h);
		return error("cannot initialise MD5");
	}
	if (r->content_length >= 0 &&
	    r->content_length <= S3_HASH_INLINE_MAX) {
		h->inline_only = 1;
		r->hasher = h;
		return 0;
	}
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	if (pthread_create(&h->thread, NULL, hasher_main, h)) {
		pthread_mutex_destroy(&h->mu);
		pthread_cond_destroy(&h->cv);
		EVP_MD_CTX_free(h->md5);
		free(h);
		return error("cannot start the MD5 thread");
	}
	r->hasher = h;
	return 0;
}

void s3_hasher_feed(struct s3_req *r, const char *p, size_t len)
{
	if (r->hasher->inline_only)
		EVP_DigestUpdate(r->hasher->md5, p, len);
}

void s3_hasher_publish(struct s3_req *r)
{
	struct s3_hasher *h = r->hasher;

	if (h->inline_only)
		return;
	pthread_mutex_lock(&h->mu);
	h->written = r->flushed;
	pthread_cond_signal(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

static void hasher_end(struct s3_req *r, int how)
{
	struct s3_hasher *h = r->hasher;

	if (h->inline_only)
		return;
	pthread_mutex_lock(&h->mu);
	h->stop = how;
	pthread_cond_signal(&h->cv);
	pthread_mutex_unlock(&h->mu);
	pthread_join(h->thread, NULL);
}

static void hasher_free(struct s3_req *r)
{
	struct s3_hasher *h = r->hasher;

	if (!h->inline_only) {
		pthread_mutex_destroy(&h->mu);
		pthread_cond_destroy(&h->cv);
	}
	EVP_MD_CTX_free(h->md5);
	free(h);
	r->hasher = NULL;
}

int s3_hasher_finish(struct s3_req *r, char hex[33])
{
	struct s3_hasher *h = r->hasher;
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	int failed;

	hasher_end(r, 1);
	failed = h->failed;
	if (!failed)
		EVP_DigestFinal_ex(h->md5, d, &n);
	hasher_free(r);
	if (failed)
		return error("cannot read the download back for its MD5: %s",
			     strerror(failed));
	for (unsigned int i = 0; i < n && i < 16; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
	hex[32] = '\0';
	return 0;
}

void s3_hasher_stop(struct s3_req *r)
{
	if (!r->hasher)
		return;
	hasher_end(r, 2);
	hasher_free(r);
}
