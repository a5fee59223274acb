/*
 * store: one interface over two object stores with the same semantics.
 *
 *   s3://bucket[/prefix]   through the s3 client (s3/s3.h)
 *   file:///dir[/prefix]   a local directory, so t3q-run needs no server
 *
 * Keys are relative to the store's root (the URL's prefix), use '/' as the
 * separator, and never start with '/'. A listing reports keys in byte order
 * (as S3 does); with a delimiter it reports "common prefixes" ending in it.
 *
 * Every function logs what failed and returns -1; store_stat() returns 1
 * for a missing key without logging. Ownership: strings are borrowed;
 * entries passed to a list callback live only during the call.
 */
#ifndef T3Q_STORE_STORE_H
#define T3Q_STORE_STORE_H

#include "base/buf.h"
#include "s3/s3.h"

struct store;

struct store_entry {
	const char *key;	/* relative to the root */
	long long size;
	int is_prefix;
};

typedef int store_list_fn(void *ctx, const struct store_entry *e);

/*
 * Opens url. cfg supplies the endpoint and credentials for s3:// and is
 * copied; it may be NULL for file://. Returns NULL after logging.
 */
struct store *store_open(const char *url, const struct s3_config *cfg);
void store_free(struct store *st);
/* The root URL, e.g. "s3://bucket/prefix", for messages. */
const char *store_url(const struct store *st);
/* The s3 client behind an s3:// store, or NULL. */
struct s3_client *store_s3(struct store *st);

int store_get(struct store *st, const char *key, const char *path);

/* One object of store_get_many(); size as listed, or -1. */
struct store_get_item {
	const char *key;
	const char *path;
	long long size;
};
/*
 * store_get() of n objects, many at once on s3:// (s3_get_files()); stops
 * at the first failure, logged.
 */
int store_get_many(struct store *st, const struct store_get_item *items,
		   int n);
int store_put(struct store *st, const char *path, const char *key);
/*
 * store_put() of the regular file open on fd (it needs read access; name
 * is for messages), followed by tail_len bytes of tail: what was checked
 * is what goes up, with no path or /proc to open again. growing: a log
 * still being written (see s3_put_fd()).
 */
int store_put_fd(struct store *st, int fd, const char *name,
		 const char *key, const char *tail, size_t tail_len,
		 int growing);
int store_delete(struct store *st, const char *key);
int store_stat(struct store *st, const char *key, long long *size);
int store_list(struct store *st, const char *prefix, const char *delimiter,
	       store_list_fn *cb, void *ctx);

/* Joins a root prefix and a key with exactly one '/', into out. */
void store_key_join(struct buf *out, const char *prefix, const char *key);

#endif
