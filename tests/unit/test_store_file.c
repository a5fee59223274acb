/*
 * store_file: the file:// store behaves like a bucket: sorted listings,
 * common prefixes, atomic writes, missing keys, no escape from the root.
 */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "store/store.h"

/* Prefixes with a size: none, as in the s3 store's listings. */
static int sized_prefixes;

static int collect(void *ctx, const struct store_entry *e)
{
	sized_prefixes += e->is_prefix && e->size;
	buf_addf(ctx, "%s%s|", e->is_prefix ? "P:" : "", e->key);
	return 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

/* store_key_join: one '/' between prefix and key, whatever each has. */
static void join(const char *prefix, const char *key, const char *want)
{
	struct buf b = BUF_INIT;

	store_key_join(&b, prefix, key);
	CHECK_STR(b.buf ? b.buf : "", want);
	buf_release(&b);
}

int main(void)
{
	char dir[] = "/tmp/t3q-store.XXXXXX";
	struct buf b = BUF_INIT, path = BUF_INIT;
	struct store *st;
	long long size = -1;
	char *url, *src, *out;

	join("a", "k", "a/k");
	join("a/", "k", "a/k");
	join("/a//", "/k", "a/k");
	join("a/b/", "c/d", "a/b/c/d");
	join("", "k", "k");
	join("/", "k", "k");
	join("a/", "", "a");
	join("", "", "");

	if (!mkdtemp(dir))
		return 1;
	url = xstrfmt("file://%s/root", dir);
	src = xstrfmt("%s/src", dir);
	out = xstrfmt("%s/out/x/y", dir);
	write_file(src, "hello");
	st = store_open(url, NULL);
	CHECK(st != NULL);
	CHECK(store_put(st, src, "b/2") == 0);
	CHECK(store_put(st, src, "a b/ü+") == 0);
	CHECK(store_put(st, src, "b/1") == 0);
	CHECK(store_put(st, src, "b-c") == 0);
	CHECK(store_put(st, src, "top") == 0);

	CHECK(store_list(st, "", NULL, collect, &b) == 0);
	CHECK_STR(b.buf, "a b/ü+|b-c|b/1|b/2|top|");
	buf_reset(&b);
	CHECK(store_list(st, "", "/", collect, &b) == 0);
	CHECK_STR(b.buf, "b-c|top|P:a b/|P:b/|");
	CHECK(sized_prefixes == 0);
	buf_reset(&b);
	CHECK(store_list(st, "b/", "/", collect, &b) == 0);
	CHECK_STR(b.buf, "b/1|b/2|");
	buf_reset(&b);
	CHECK(store_list(st, "b", NULL, collect, &b) == 0);
	CHECK_STR(b.buf, "b-c|b/1|b/2|");

	CHECK(store_stat(st, "b/1", &size) == 0 && size == 5);
	CHECK(store_stat(st, "nope", &size) == 1);
	CHECK(store_get(st, "b/1", out) == 0);
	buf_reset(&b);
	CHECK(buf_read_file(&b, out) == 0);
	CHECK_STR(b.buf, "hello");
	CHECK(store_get(st, "nope", out) < 0);

	CHECK(store_put(st, src, "../escape") < 0);
	CHECK(store_get(st, "a/../../src", out) < 0);
	buf_addf(&path, "%s/escape", dir);
	CHECK(access(path.buf, F_OK) != 0);

	CHECK(store_delete(st, "b/1") == 0);
	CHECK(store_delete(st, "b/2") == 0);
	CHECK(store_delete(st, "b/2") == 0);
	buf_reset(&path);
	buf_addf(&path, "%s/root/b", dir);
	CHECK(access(path.buf, F_OK) != 0);	/* empty dirs are pruned */
	buf_reset(&b);
	CHECK(store_list(st, "", "/", collect, &b) == 0);
	CHECK_STR(b.buf, "b-c|top|P:a b/|");

	CHECK(store_open("file://relative/x", NULL) == NULL);
	CHECK(store_open("http://x", NULL) == NULL);
	store_free(st);
	buf_reset(&path);
	buf_addf(&path, "rm -rf '%s'", dir);
	CHECK(system(path.buf) == 0);
	free(url);
	free(src);
	free(out);
	buf_release(&b);
	buf_release(&path);
	return check_done();
}
