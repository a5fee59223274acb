/* store_int: what store.c and store_file.c share; private to them. */
#ifndef T3Q_STORE_STORE_INT_H
#define T3Q_STORE_STORE_INT_H

#include "base/buf.h"
#include "store/store.h"

struct store {
	char *url;
	struct s3_client *s3;	/* s3:// */
	char *bucket;
	struct buf prefix;	/* key prefix, no leading or trailing '/' */
	char *root;		/* file:// directory */
};

struct store *store_file_open(const char *url);
int store_file_get(struct store *st, const char *key, const char *path);
int store_file_put(struct store *st, const char *path, const char *key);
int store_file_put_fd(struct store *st, int fd, const char *name,
		      const char *key, const char *tail, size_t tail_len);
int store_file_delete(struct store *st, const char *key);
int store_file_stat(struct store *st, const char *key, long long *size);
int store_file_list(struct store *st, const char *prefix,
		    const char *delimiter, store_list_fn *cb, void *ctx);

#endif
