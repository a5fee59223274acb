/*
 * store: URL dispatch and the s3:// backend; the file:// backend is in
 * store_file.c.
 */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "store/store_int.h"

void store_key_join(struct buf *out, const char *prefix, const char *key)
{
	while (*prefix == '/')
		prefix++;
	buf_adds(out, prefix);
	while (out->len && out->buf[out->len - 1] == '/')
		buf_setlen(out, out->len - 1);
	while (*key == '/')
		key++;
	if (out->len && *key)
		buf_addch(out, '/');
	buf_adds(out, key);
}

/* Logs msg about url, shown without user info, and returns NULL. */
static struct store *open_error(const char *url, const char *msg)
{
	struct buf shown = BUF_INIT;

	s3_url_redact(&shown, url);
	error("object store URL '%s' %s", shown.buf, msg);
	buf_release(&shown);
	return NULL;
}

struct store *store_open(const char *url, const struct s3_config *cfg)
{
	struct store *st;
	const char *rest;

	if (!strncmp(url, "file://", 7))
		return store_file_open(url);
	if (strncmp(url, "s3://", 5))
		return open_error(url, "is neither s3://bucket/prefix nor "
				  "file:///dir");
	rest = url + 5;
	if (!*rest || *rest == '/')
		return open_error(url, "has no bucket");
	/*
	 * "s3://KEY:SECRET@host" is an endpoint written as a store: every
	 * message would name its bucket, secret and all.
	 */
	if (memchr(rest, '@', strcspn(rest, "/")))
		return open_error(url, "holds credentials where the bucket "
				  "goes: an s3:// URL is s3://bucket/prefix; "
				  "give the endpoint as http(s)://KEY:SECRET@"
				  "host:port, or the credentials in "
				  "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
	if (!cfg)
		return open_error(url, "needs an S3 endpoint");
	st = xcalloc(1, sizeof(*st));
	st->s3 = s3_client_new(cfg);
	if (!st->s3) {
		free(st);
		return NULL;
	}
	st->bucket = xstrndup(rest, strcspn(rest, "/"));
	rest += strlen(st->bucket);
	buf_init(&st->prefix, 0);
	store_key_join(&st->prefix, rest, "");
	st->url = xstrfmt("s3://%s%s%s", st->bucket, st->prefix.len ? "/" : "",
			  st->prefix.buf);
	return st;
}

void store_free(struct store *st)
{
	if (!st)
		return;
	s3_client_free(st->s3);
	free(st->bucket);
	free(st->root);
	free(st->url);
	buf_release(&st->prefix);
	free(st);
}

const char *store_url(const struct store *st)
{
	return st->url;
}

struct s3_client *store_s3(struct store *st)
{
	return st->s3;
}

static char *full_key(struct store *st, const char *key)
{
	struct buf b = BUF_INIT;

	store_key_join(&b, st->prefix.buf, key);
	return buf_detach(&b, NULL);
}

/*
 * A key ending in '/' is a folder marker (the S3 console's "Create
 * folder", boto's put_object(Key="data/")): no file, the directory.
 */
static int is_folder_marker(const char *key)
{
	size_t n = strlen(key);

	return n && key[n - 1] == '/';
}

int store_get(struct store *st, const char *key, const char *path)
{
	char *k;
	int ret;

	if (!st->s3)
		return store_file_get(st, key, path);
	if (is_folder_marker(key))
		return fs_mkdir_p(path);
	k = full_key(st, key);
	ret = s3_get_file(st->s3, st->bucket, k, path);
	free(k);
	return ret;
}

int store_get_many(struct store *st, const struct store_get_item *items,
		   int n)
{
	struct s3_get_item *s3items;
	int ret = 0, m;

	if (!st->s3) {
		for (int i = 0; i < n && !ret; i++)
			ret = store_file_get(st, items[i].key, items[i].path);
		return ret;
	}
	s3items = xcalloc(n ? n : 1, sizeof(*s3items));
	m = 0;
	for (int i = 0; i < n; i++) {
		if (is_folder_marker(items[i].key)) {
			if (!ret)
				ret = fs_mkdir_p(items[i].path);
			continue;
		}
		s3items[m].key = full_key(st, items[i].key);
		s3items[m].path = items[i].path;
		s3items[m++].size = items[i].size;
	}
	if (!ret)
		ret = s3_get_files(st->s3, st->bucket, s3items, m);
	for (int i = 0; i < m; i++)
		free((char *)s3items[i].key);
	free(s3items);
	return ret;
}

int store_put(struct store *st, const char *path, const char *key)
{
	char *k;
	int ret;

	if (!st->s3)
		return store_file_put(st, path, key);
	k = full_key(st, key);
	ret = s3_put_file(st->s3, st->bucket, k, path);
	free(k);
	return ret;
}

int store_put_fd(struct store *st, int fd, const char *name,
		 const char *key, const char *tail, size_t tail_len,
		 int growing)
{
	char *k;
	int ret;

	if (!st->s3)
		return store_file_put_fd(st, fd, name, key, tail, tail_len);
	k = full_key(st, key);
	ret = s3_put_fd(st->s3, st->bucket, k, fd, name, tail, tail_len,
			growing);
	free(k);
	return ret;
}

int store_delete(struct store *st, const char *key)
{
	char *k;
	int ret;

	if (!st->s3)
		return store_file_delete(st, key);
	k = full_key(st, key);
	ret = s3_delete(st->s3, st->bucket, k);
	free(k);
	return ret;
}

int store_stat(struct store *st, const char *key, long long *size)
{
	struct s3_stat s;
	char *k;
	int ret;

	if (!st->s3)
		return store_file_stat(st, key, size);
	k = full_key(st, key);
	ret = s3_head(st->s3, st->bucket, k, &s);
	if (ret == 0 && size)
		*size = s.size;
	free(k);
	return ret;
}

struct relist {
	size_t skip;
	store_list_fn *cb;
	void *ctx;
};

static int relist_cb(void *ctx, const struct s3_entry *e)
{
	struct relist *rl = ctx;
	struct store_entry se = { e->key, e->size, e->is_prefix };

	/* Keys are reported relative to the store's root. */
	if (strlen(e->key) >= rl->skip)
		se.key = e->key + rl->skip;
	return rl->cb(rl->ctx, &se);
}

int store_list(struct store *st, const char *prefix, const char *delimiter,
	       store_list_fn *cb, void *ctx)
{
	struct relist rl = { st->prefix.len ? st->prefix.len + 1 : 0, cb, ctx };
	char *k;
	int ret;

	if (!st->s3)
		return store_file_list(st, prefix, delimiter, cb, ctx);
	k = full_key(st, prefix ? prefix : "");
	/* "root" + "" must still list below "root/", not "rootX". */
	if (st->prefix.len && (!prefix || !*prefix)) {
		free(k);
		k = xstrfmt("%s/", st->prefix.buf);
	}
	ret = s3_list(st->s3, st->bucket, k, delimiter, relist_cb, &rl);
	free(k);
	return ret;
}
