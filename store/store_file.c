/*
 * store_file: the file:// object store, a directory that behaves like a
 * bucket: keys are paths below the root, a listing is sorted by key, and
 * writes are atomic (temp file and rename). Keys with "." or ".." segments
 * are refused, so that no key reaches outside the root.
 */
#include "store/store_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/log.h"

struct store *store_file_open(const char *url)
{
	const char *path = url + 7;
	struct store *st;

	/* file:///abs/dir; "file://host/..." is not a local path. */
	if (*path != '/') {
		struct buf shown = BUF_INIT;

		/* "file://KEY:SECRET@host/x" is shown without its secret. */
		s3_url_redact(&shown, url);
		error("object store URL '%s' must be file:///absolute/path",
		      shown.buf);
		buf_release(&shown);
		return NULL;
	}
	if (fs_mkdir_p(path) < 0)
		return NULL;
	st = xcalloc(1, sizeof(*st));
	st->root = xstrdup(path);
	while (strlen(st->root) > 1 && st->root[strlen(st->root) - 1] == '/')
		st->root[strlen(st->root) - 1] = '\0';
	st->url = xstrfmt("file://%s", st->root);
	buf_init(&st->prefix, 0);
	return st;
}

static int key_ok(const struct store *st, const char *key)
{
	const char *p = key;

	while (*p) {
		size_t n = strcspn(p, "/");

		if ((n == 1 && p[0] == '.') || (n == 2 && !strncmp(p, "..", 2)))
			return error("%s: key '%s' has a '.' or '..' segment",
				     st->url, key);
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

static char *key_path(const struct store *st, const char *key)
{
	while (*key == '/')
		key++;
	return xstrfmt("%s/%s", st->root, key);
}

int store_file_get(struct store *st, const char *key, const char *path)
{
	char *src;
	struct stat s;
	int ret;

	if (key_ok(st, key) < 0)
		return -1;
	src = key_path(st, key);
	if (stat(src, &s) < 0 || !S_ISREG(s.st_mode))
		ret = error("%s/%s: not found", st->url, key);
	else
		ret = fs_copy_file(src, path);
	free(src);
	return ret;
}

int store_file_put(struct store *st, const char *path, const char *key)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return error_errno("cannot open '%s' for upload", path);
	ret = store_file_put_fd(st, fd, path, key, NULL, 0);
	close(fd);
	return ret;
}

int store_file_put_fd(struct store *st, int fd, const char *name,
		      const char *key, const char *tail, size_t tail_len)
{
	char *dst;
	int ret;

	if (!*key || key[strlen(key) - 1] == '/')
		return error("%s: cannot store '%s' under the key '%s'",
			     st->url, name, key);
	if (key_ok(st, key) < 0)
		return -1;
	dst = key_path(st, key);
	ret = fs_copy_fd(fd, name, dst);
	if (!ret && tail_len) {
		int out = open(dst, O_WRONLY | O_APPEND | O_CLOEXEC);

		if (out < 0 || write(out, tail, tail_len) != (ssize_t)tail_len)
			ret = error_errno("cannot write '%s'", dst);
		if (out >= 0 && close(out) < 0 && !ret)
			ret = error_errno("cannot write '%s'", dst);
	}
	free(dst);
	return ret;
}

int store_file_delete(struct store *st, const char *key)
{
	char *p;
	char *slash;

	if (key_ok(st, key) < 0)
		return -1;
	p = key_path(st, key);
	/* Deleting a missing key is not an error on S3 either. */
	if (unlink(p) < 0 && errno != ENOENT) {
		error_errno("%s: cannot delete '%s'", st->url, key);
		free(p);
		return -1;
	}
	/* Empty directories are not objects: prune them up to the root. */
	while ((slash = strrchr(p, '/')) && (size_t)(slash - p) >
	       strlen(st->root)) {
		*slash = '\0';
		if (rmdir(p) < 0)
			break;
	}
	free(p);
	return 0;
}

int store_file_stat(struct store *st, const char *key, long long *size)
{
	struct stat s;
	char *p;

	if (key_ok(st, key) < 0)
		return -1;
	p = key_path(st, key);
	if (stat(p, &s) < 0 || !S_ISREG(s.st_mode)) {
		free(p);
		return 1;
	}
	if (size)
		*size = s.st_size;
	free(p);
	return 0;
}

struct keyent {
	char *key;
	long long size;
};

struct keylist {
	struct keyent *v;
	size_t n, alloc;
};

static int is_temp_name(const char *name)
{
	const char *t = strstr(name, ".t3q-");

	return name[0] == '.' && t && strlen(t) == 11;
}

static int walk(const char *dir, const char *rel, const char *prefix,
		struct keylist *kl)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return errno == ENOENT ? 0 : error_errno("cannot list '%s'",
							  dir);
	while ((de = readdir(d))) {
		char *path, *key;
		struct stat s;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    is_temp_name(de->d_name))
			continue;
		path = xstrfmt("%s/%s", dir, de->d_name);
		key = xstrfmt("%s%s", rel, de->d_name);
		if (stat(path, &s) == 0 && S_ISDIR(s.st_mode)) {
			char *sub = xstrfmt("%s/", key);

			/* Descend only where the prefix can still match. */
			if (!strncmp(sub, prefix, strlen(sub) < strlen(prefix) ?
				     strlen(sub) : strlen(prefix)))
				walk(path, sub, prefix, kl);
			free(sub);
			free(key);
		} else if (S_ISREG(s.st_mode) &&
			   !strncmp(key, prefix, strlen(prefix))) {
			if (kl->n == kl->alloc) {
				kl->alloc = kl->alloc ? 2 * kl->alloc : 64;
				kl->v = xrealloc(kl->v, kl->alloc *
						 sizeof(*kl->v));
			}
			kl->v[kl->n].key = key;
			kl->v[kl->n++].size = s.st_size;
		} else {
			free(key);
		}
		free(path);
	}
	closedir(d);
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	const struct keyent *ka = a, *kb = b;

	return strcmp(ka->key, kb->key);
}

int store_file_list(struct store *st, const char *prefix,
		    const char *delimiter, store_list_fn *cb, void *ctx)
{
	struct keylist kl = { 0 };
	struct buf last = BUF_INIT;
	int ret = 0;

	if (!prefix)
		prefix = "";
	if (walk(st->root, "", prefix, &kl) < 0)
		return -1;
	if (kl.n)	/* none: kl.v is NULL, which qsort may not get */
		qsort(kl.v, kl.n, sizeof(*kl.v), key_cmp);
	/*
	 * S3 answers a page with its objects first and its common prefixes
	 * after them, each sorted; so do we, in two passes.
	 */
	for (int pass = 0; pass < 2 && !ret; pass++) {
		buf_reset(&last);
		for (size_t i = 0; i < kl.n && !ret; i++) {
			const char *key = kl.v[i].key;
			const char *rest = key + strlen(prefix);
			const char *d = delimiter && *delimiter ?
				strstr(rest, delimiter) : NULL;
			struct store_entry e = { key, kl.v[i].size, 0 };

			if (!d) {
				if (pass == 0)
					ret = cb(ctx, &e);
				continue;
			}
			if (pass == 0)
				continue;
			e.key = NULL;
			e.size = 0;
			e.is_prefix = 1;
			/* Sorted keys put a prefix's members together. */
			if (last.len == (size_t)(d - key) + strlen(delimiter) &&
			    !strncmp(last.buf, key, last.len))
				continue;
			buf_reset(&last);
			buf_add(&last, key, d - key + strlen(delimiter));
			e.key = last.buf;
			ret = cb(ctx, &e);
		}
	}
	for (size_t i = 0; i < kl.n; i++)
		free(kl.v[i].key);
	free(kl.v);
	buf_release(&last);
	return ret;
}
