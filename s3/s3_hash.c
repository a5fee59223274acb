/*
 * s3_hash: the MD5 of a download, hashed by a thread of its own. Inline in
 * the write callback MD5 was 96% of a GET's instructions and held the
 * receive to its speed (about 600 MB/s); beside it, the two overlap.
 *
 * The thread hashes the very buffers the receive side writes to the file:
 * it lends the receive side one of HASH_BUFS buffers as r->sink at a time,
 * and takes each back, written, to hash it (s3_hasher_pass). Reading the
 * file back from the page cache instead cost the hash thread, the slower
 * of the two, 13% of its time in the kernel (a 1 GiB GET: 0.23 of 1.74
 * CPU-s, perf). When the hash falls behind, the receive side waits for a
 * buffer, and TCP holds the server back: the download cannot end before
 * its hash anyway. A body of at most S3_HASH_INLINE_MAX is hashed inline
 * instead: a thread would cost more than it saves (and, in a PID
 * namespace, a PID the step's tests expect).
 */
#include "s3/s3_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

/*
 * 16 of S3_SINK_BUF: 4 MiB of RSS. A 1 GiB GET from MinIO on loopback,
 * farm-bench pairs: 16 against 8 buffers wall 0.96, 32 against 16 1.00,
 * 64 against 32 0.99.
 */
#define HASH_BUFS 16

struct s3_hasher {
	int inline_only;	/* hashed as it comes: a small body, or no thread */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t filled;	/* a buffer to hash, or stop */
	pthread_cond_t freed;	/* a buffer for the receive side */
	/*
	 * Buffers tail .. head-1 (mod HASH_BUFS) wait for the hash, oldest
	 * first; buf[head % HASH_BUFS] is lent as r->sink.
	 */
	char *buf[HASH_BUFS];
	size_t len[HASH_BUFS];
	unsigned long head, tail;
	int stop;		/* 1: finish what is queued; 2: drop it */
	EVP_MD_CTX *md5;
};

static void *hasher_main(void *arg)
{
	struct s3_hasher *h = arg;

	pthread_mutex_lock(&h->mu);
	for (;;) {
		unsigned long i;

		while (h->tail == h->head && !h->stop)
			pthread_cond_wait(&h->filled, &h->mu);
		if (h->stop == 2 || h->tail == h->head)
			break;
		i = h->tail % HASH_BUFS;
		/* The receive side touches no queued buffer: hash unlocked. */
		pthread_mutex_unlock(&h->mu);
		EVP_DigestUpdate(h->md5, h->buf[i], h->len[i]);
		pthread_mutex_lock(&h->mu);
		h->tail++;
		/* Wake the receive side when half are free, not at each. */
		if (h->head - h->tail == HASH_BUFS / 2)
			pthread_cond_signal(&h->freed);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

static void hasher_drop_buffers(struct s3_req *r);

int s3_hasher_start(struct s3_req *r)
{
	struct s3_hasher *h = xcalloc(1, sizeof(*h));
	int err;

	h->md5 = EVP_MD_CTX_new();
	if (!h->md5 || !EVP_DigestInit_ex(h->md5, EVP_md5(), NULL)) {
		EVP_MD_CTX_free(h->md5);
		free(h);
		return error("cannot initialise MD5");
	}
	r->hasher = h;
	if (r->content_length >= 0 &&
	    r->content_length <= S3_HASH_INLINE_MAX) {
		h->inline_only = 1;
		return 0;
	}
	for (int i = 0; i < HASH_BUFS; i++)
		h->buf[i] = xmalloc(S3_SINK_BUF);
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->filled, NULL);
	pthread_cond_init(&h->freed, NULL);
	if ((err = pthread_create(&h->thread, NULL, hasher_main, h))) {
		/* A PID limit, say: slower inline, not a failed download. */
		warn("cannot start the MD5 thread (%s); hashing inline",
		     strerror(err));
		hasher_drop_buffers(r);
		h->inline_only = 1;
		return 0;
	}
	/* At the first bytes: nothing gathered yet to keep. */
	s3_sink_release(r);
	r->sink = h->buf[0];
	r->sink_cap = S3_SINK_BUF;
	return 0;
}

void s3_hasher_feed(struct s3_req *r, const char *p, size_t len)
{
	if (r->hasher->inline_only)
		EVP_DigestUpdate(r->hasher->md5, p, len);
}

int s3_hasher_lends(const struct s3_req *r, const char *p)
{
	for (int i = 0; r->hasher && p && i < HASH_BUFS; i++)
		if (r->hasher->buf[i] == p)
			return 1;
	return 0;
}

void s3_hasher_pass(struct s3_req *r)
{
	struct s3_hasher *h = r->hasher;

	if (h->inline_only)
		return;
	pthread_mutex_lock(&h->mu);
	h->len[h->head % HASH_BUFS] = r->sink_len;
	h->head++;
	pthread_cond_signal(&h->filled);
	/* No deadline needed: the thread only hashes memory. */
	while (h->head - h->tail == HASH_BUFS)
		pthread_cond_wait(&h->freed, &h->mu);
	r->sink = h->buf[h->head % HASH_BUFS];
	pthread_mutex_unlock(&h->mu);
}

static void hasher_end(struct s3_req *r, int how)
{
	struct s3_hasher *h = r->hasher;

	if (h->inline_only)
		return;
	pthread_mutex_lock(&h->mu);
	h->stop = how;
	pthread_cond_signal(&h->filled);
	pthread_mutex_unlock(&h->mu);
	pthread_join(h->thread, NULL);
}

/*
 * With no thread (ended, or never started): the buffers, their lock, and
 * r->sink if it was one of them.
 */
static void hasher_drop_buffers(struct s3_req *r)
{
	struct s3_hasher *h = r->hasher;

	if (!h->buf[0])
		return;
	if (s3_hasher_lends(r, r->sink)) {
		r->sink = NULL;
		r->sink_len = 0;
	}
	for (int i = 0; i < HASH_BUFS; i++) {
		free(h->buf[i]);
		h->buf[i] = NULL;
	}
	pthread_mutex_destroy(&h->mu);
	pthread_cond_destroy(&h->filled);
	pthread_cond_destroy(&h->freed);
}

/* After hasher_end. */
static void hasher_free(struct s3_req *r)
{
	struct s3_hasher *h = r->hasher;

	hasher_drop_buffers(r);
	EVP_MD_CTX_free(h->md5);
	free(h);
	r->hasher = NULL;
}

void s3_hasher_finish(struct s3_req *r, char hex[33])
{
	struct s3_hasher *h = r->hasher;
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	hasher_end(r, 1);
	EVP_DigestFinal_ex(h->md5, d, &n);
	hasher_free(r);
	for (unsigned int i = 0; i < n && i < 16; i++)
		sprintf(hex + 2 * i, "%02x", d[i]);
	hex[32] = '\0';
}

void s3_hasher_stop(struct s3_req *r)
{
	if (!r->hasher)
		return;
	hasher_end(r, 2);
	hasher_free(r);
}
