/*
 * archive: a good archive extracts exactly; every malicious one is refused
 * whole, with nothing written in dest or beside it; damage is an error;
 * archive_create() round-trips, dereferences symlinks and is reproducible.
 * The malicious archives are made here with libarchive's writer, which
 * stores whatever names it is given.
 */
#include "check.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "archive/archive.h"
#include "base/buf.h"

#define MTIME 1234567890

static char *top;	/* the mkdtemp dir everything is in */
static locale_t utf8;

static char *at(const char *rel)
{
	return xstrfmt("%s/%s", top, rel);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

static void read_into(struct buf *b, const char *path)
{
	buf_reset(b);
	if (buf_read_file(b, path) < 0)
		buf_adds(b, "(unreadable)");
}

static struct archive *tar_new(const char *path)
{
	struct archive *a = archive_write_new();

	archive_write_add_filter_gzip(a);
	archive_write_set_format_pax_restricted(a);
	archive_write_open_filename(a, path);
	return a;
}

static void tar_add(struct archive *a, const char *name, unsigned int type,
		    int mode, const char *data)
{
	struct archive_entry *e = archive_entry_new();
	size_t len = type == AE_IFREG && data ? strlen(data) : 0;
	locale_t old;

	archive_entry_copy_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, mode);
	archive_entry_set_size(e, len);
	archive_entry_set_mtime(e, MTIME, 0);
	if (type == AE_IFLNK)
		archive_entry_copy_symlink(e, data);
	if (type == AE_IFCHR)
		archive_entry_set_rdev(e, makedev(1, 3));
	/* pax names are UTF-8, as Python writes them; we run in "C". */
	old = uselocale(utf8);
	CHECK(archive_write_header(a, e) == ARCHIVE_OK);
	uselocale(old);
	if (len)
		CHECK(archive_write_data(a, data, len) == (la_ssize_t)len);
	archive_entry_free(e);
}

static void tar_hardlink(struct archive *a, const char *name,
			 const char *target)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_copy_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_copy_hardlink(e, target);
	CHECK(archive_write_header(a, e) == ARCHIVE_OK);
	archive_entry_free(e);
}

static void tar_close(struct archive *a)
{
	CHECK(archive_write_close(a) == ARCHIVE_OK);
	archive_write_free(a);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct dirent *const *)a)->d_name,
		      (*(const struct dirent *const *)b)->d_name);
}

/* "dir/", "file", "link@" or "name?" for all below dir, sorted, '|' after. */
static void tree(struct buf *out, const char *dir, const char *prefix)
{
	struct dirent **list;
	int n = scandir(dir, &list, NULL, NULL);

	if (n < 0) {
		buf_addf(out, "(no %s)", dir);
		return;
	}
	qsort(list, n, sizeof(*list), name_cmp);
	for (int i = 0; i < n; i++) {
		const char *d = list[i]->d_name;
		char *path = xstrfmt("%s/%s", dir, d);
		char *name = xstrfmt("%s%s", prefix, d);
		struct stat st;

		if (strcmp(d, ".") && strcmp(d, "..") && !lstat(path, &st)) {
			if (S_ISDIR(st.st_mode)) {
				char *sub = xstrfmt("%s/", name);

				buf_addf(out, "%s|", sub);
				tree(out, path, sub);
				free(sub);
			} else {
				buf_addf(out, "%s%s|", name,
					 S_ISREG(st.st_mode) ? "" :
					 S_ISLNK(st.st_mode) ? "@" : "?");
			}
		}
		free(path);
		free(name);
		free(list[i]);
	}
	free(list);
}

static void tree_of(struct buf *out, const char *dir)
{
	buf_reset(out);
	tree(out, dir, "");
}

static void run(const char *cmd, const char *path)
{
	char *s = xstrfmt("%s '%s'", cmd, path);

	CHECK(system(s) == 0);
	free(s);
}

/* archive_extract_safe() with its log lines caught in err. */
static int extract_caught(const char *archive, const char *dest,
			  struct buf *err)
{
	char *path = at("stderr");
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int saved = dup(2), ret;

	dup2(fd, 2);
	ret = archive_extract_safe(archive, dest);
	dup2(saved, 2);
	close(saved);
	close(fd);
	read_into(err, path);
	unlink(path);
	free(path);
	fputs(err->buf, stderr);
	return ret;
}

static int mode_of(const char *dir, const char *rel)
{
	char *path = xstrfmt("%s/%s", dir, rel);
	struct stat st;
	int mode = -1;

	if (!lstat(path, &st))
		mode = st.st_mode & 07777;
	free(path);
	return mode;
}

static void test_good(void)
{
	char *arch = at("good.tar.gz"), *dest = at("good");
	char *dest2, *victim;
	struct buf b = BUF_INIT, path = BUF_INIT;
	struct archive *a = tar_new(arch);
	struct stat s1, s2;
	char link[64];
	ssize_t n;

	tar_add(a, "/", AE_IFDIR, 0755, NULL);	/* Python's arcname="" */
	tar_add(a, "./", AE_IFDIR, 0700, NULL);
	tar_add(a, "sub/", AE_IFDIR, 0755, NULL);
	tar_add(a, "sub/f", AE_IFREG, 0644, "hello\n");
	tar_add(a, "./sub/deep/run.sh", AE_IFREG, 0755, "#!/bin/sh\n");
	tar_add(a, "ünï cödé.txt", AE_IFREG, 0644, "unicode\n");
	tar_add(a, "with space/a b", AE_IFREG, 0600, "space\n");
	tar_add(a, "l", AE_IFLNK, 0777, "sub/f");
	tar_add(a, "sub/up", AE_IFLNK, 0777, "../sub/./f");
	tar_add(a, "sub/deep/dl", AE_IFLNK, 0777, "../../l");
	tar_add(a, "via", AE_IFLNK, 0777, "sub/deep/../f");
	tar_add(a, "ldir", AE_IFLNK, 0777, "sub");
	tar_add(a, "thru", AE_IFLNK, 0777, "ldir/deep/../f");
	tar_hardlink(a, "h", "sub/f");
	tar_add(a, "suid", AE_IFREG, 06755, "x");
	tar_add(a, "sticky/", AE_IFDIR, 01777, NULL);
	tar_add(a, "ro/", AE_IFDIR, 0555, NULL);
	tar_add(a, "ro/file", AE_IFREG, 0444, "ro\n");
	tar_close(a);

	mkdir(dest, 0755);
	chmod(dest, 0750);
	CHECK(archive_extract_safe(arch, dest) == 0);
	tree_of(&b, dest);
	CHECK_STR(b.buf, "h|l@|ldir@|ro/|ro/file|sticky/|sub/|sub/deep/|"
		  "sub/deep/dl@|sub/deep/run.sh|sub/f|sub/up@|suid|thru@|"
		  "via@|with space/|with space/a b|ünï cödé.txt|");
	buf_addf(&path, "%s/l", dest);
	n = readlink(path.buf, link, sizeof(link) - 1);
	CHECK(n == 5 && !memcmp(link, "sub/f", 5));
	read_into(&b, path.buf);
	CHECK_STR(b.buf, "hello\n");
	buf_reset(&path);
	buf_addf(&path, "%s/sub/deep/dl", dest);
	read_into(&b, path.buf);
	CHECK_STR(b.buf, "hello\n");
	buf_reset(&path);
	buf_addf(&path, "%s/thru", dest);
	read_into(&b, path.buf);
	CHECK_STR(b.buf, "hello\n");
	buf_reset(&path);
	buf_addf(&path, "%s/ünï cödé.txt", dest);
	read_into(&b, path.buf);
	CHECK_STR(b.buf, "unicode\n");
	buf_reset(&path);
	buf_addf(&path, "%s/with space/a b", dest);
	read_into(&b, path.buf);
	CHECK_STR(b.buf, "space\n");

	buf_reset(&path);
	buf_addf(&path, "%s/h", dest);
	CHECK(stat(path.buf, &s1) == 0);
	buf_reset(&path);
	buf_addf(&path, "%s/sub/f", dest);
	CHECK(stat(path.buf, &s2) == 0);
	CHECK(s1.st_ino == s2.st_ino && s2.st_nlink == 2);
	CHECK(s2.st_mtime == MTIME);

	CHECK(mode_of(dest, "sub/deep/run.sh") == 0755);
	CHECK(mode_of(dest, "sub/f") == 0644);
	CHECK(mode_of(dest, "with space/a b") == 0600);
	CHECK(mode_of(dest, "suid") == 0755);
	CHECK(mode_of(dest, "sticky") == 0777);
	CHECK(mode_of(dest, "ro") == 0555);
	CHECK(mode_of(dest, "ro/file") == 0444);
	CHECK(mode_of(dest, "sub") == 0755);
	/* "/" and "./" name dest itself, which is left alone. */
	CHECK(mode_of(dest, ".") == 0750);

	/* A symlink dest had where a file goes is replaced, not followed. */
	victim = at("victim");
	dest2 = at("good2");
	write_file(victim, "victim\n");
	mkdir(dest2, 0755);
	buf_reset(&path);
	buf_addf(&path, "%s/suid", dest2);
	CHECK(symlink(victim, path.buf) == 0);
	CHECK(archive_extract_safe(arch, dest2) == 0);
	read_into(&b, victim);
	CHECK_STR(b.buf, "victim\n");
	read_into(&b, path.buf);
	CHECK_STR(b.buf, "x");
	CHECK(mode_of(dest2, "suid") == 0755);

	free(arch);
	free(dest);
	free(dest2);
	free(victim);
	buf_release(&b);
	buf_release(&path);
}

enum { M_END = 0, M_FILE, M_DIR, M_LINK, M_HARD, M_CHR, M_BLK, M_FIFO };

struct bad {
	const char *member;	/* the one the error must name */
	struct { int type; const char *name, *data; } e[4];
};

static void test_bad(void)
{
	char *box = at("box"), *dest = at("box/dest");
	char *abs = xstrfmt("/tmp/t3q-abs-evil-%d", (int)getpid());
	struct bad cases[] = {
		{ "../evil", { { M_FILE, "../evil", "x" } } },
		{ "a/../../evil", { { M_FILE, "a/../../evil", "x" } } },
		{ abs, { { M_FILE, abs, "x" } } },
		{ "", { { M_FILE, "", "x" } } },
		{ "l", { { M_LINK, "l", "../.." } } },
		{ "l", { { M_LINK, "l", "/etc" } } },
		{ "l", { { M_LINK, "l", "../x" }, { M_FILE, "l/evil", "x" } } },
		{ "l", { { M_LINK, "l", ".." } } },
		/* "." is no level: "./.." still leaves the destination. */
		{ "l", { { M_LINK, "l", "./../x" } } },
		{ "d/l", { { M_LINK, "d/l", "../.." } } },
		{ "h", { { M_HARD, "h", "../outside" } } },
		{ "h", { { M_HARD, "h", "/etc/passwd" } } },
		{ "h", { { M_HARD, "h", "later" }, { M_FILE, "later", "x" } } },
		{ "h", { { M_FILE, "t", "x" }, { M_DIR, "t/", NULL },
			 { M_HARD, "h", "t" } } },
		{ "dev", { { M_CHR, "dev", NULL } } },
		{ "blk", { { M_BLK, "blk", NULL } } },
		{ "fifo", { { M_FIFO, "fifo", NULL } } },
		/* Inside, but written through: refused too. */
		{ "link/f", { { M_LINK, "link", "sub" }, { M_DIR, "sub/", NULL },
			      { M_FILE, "link/f", "x" } } },
		{ "link/f", { { M_FILE, "link/f", "x" },
			      { M_LINK, "link", "sub" } } },
		{ "f/g", { { M_FILE, "f", "x" }, { M_FILE, "f/g", "x" } } },
		/* a/b -> .. is dest itself; c -> a/b/.. is dest's parent. */
		{ "c", { { M_LINK, "a/b", ".." }, { M_LINK, "c", "a/b/.." } } },
		{ "pre/evil", { { M_FILE, "pre/evil", "x" } } },
	};
	struct buf before = BUF_INIT, after = BUF_INIT, b = BUF_INIT;
	struct buf err = BUF_INIT;
	struct stat st;

	CHECK(lstat(abs, &st) != 0);
	mkdir(box, 0755);
	mkdir(dest, 0755);
	{
		char *x = at("box/x"), *o = at("box/outside");

		mkdir(x, 0755);
		write_file(o, "outside\n");
		free(x);
		free(o);
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *name = xstrfmt("bad-%zu.tar.gz", i);
		char *arch = at(name);
		struct archive *a = tar_new(arch);
		const struct bad *c = &cases[i];

		run("rm -rf", dest);
		mkdir(dest, 0755);
		if (!strcmp(c->member, "pre/evil")) {
			/* A symlink dest had before: not followed. */
			char *pre = xstrfmt("%s/pre", dest);

			CHECK(symlink("../x", pre) == 0);
			free(pre);
		}
		tree_of(&before, box);
		/* Something acceptable first: it must not be written. */
		tar_add(a, "ok.txt", AE_IFREG, 0644, "ok\n");
		for (int j = 0; c->e[j].type; j++) {
			const char *n = c->e[j].name, *d = c->e[j].data;

			switch (c->e[j].type) {
			case M_FILE: tar_add(a, n, AE_IFREG, 0644, d); break;
			case M_DIR: tar_add(a, n, AE_IFDIR, 0755, d); break;
			case M_LINK: tar_add(a, n, AE_IFLNK, 0777, d); break;
			case M_HARD: tar_hardlink(a, n, d); break;
			case M_CHR: tar_add(a, n, AE_IFCHR, 0644, d); break;
			case M_BLK: tar_add(a, n, AE_IFBLK, 0644, d); break;
			case M_FIFO: tar_add(a, n, AE_IFIFO, 0644, d); break;
			}
		}
		tar_close(a);

		CHECK(extract_caught(arch, dest, &err) == -1);
		buf_reset(&b);
		buf_addf(&b, "member '%s'", c->member);
		if (!strstr(err.buf, b.buf) ||
		    !strstr(err.buf, "nothing was extracted"))
			fprintf(stderr, "case %zu: message lacks %s\n", i,
				b.buf);
		CHECK(strstr(err.buf, b.buf) != NULL);
		CHECK(strstr(err.buf, "nothing was extracted") != NULL);
		tree_of(&after, box);
		CHECK_STR(after.buf, before.buf);
		tree_of(&b, dest);
		CHECK_STR(b.buf, strcmp(c->member, "pre/evil") ? "" : "pre@|");
		CHECK(lstat(abs, &st) != 0);
		unlink(arch);
		free(arch);
		free(name);
	}
	tree_of(&b, box);
	CHECK_STR(b.buf, "dest/|dest/pre@|outside|x/|");
	free(box);
	free(dest);
	free(abs);
	buf_release(&before);
	buf_release(&after);
	buf_release(&b);
	buf_release(&err);
}

static void test_damaged(void)
{
	char *good = at("good.tar.gz"), *cut = at("cut.tar.gz");
	char *junk = at("junk.tar.gz"), *dest = at("damaged");
	struct buf b = BUF_INIT, err = BUF_INIT;
	FILE *f;

	CHECK(buf_read_file(&b, good) == 0 && b.len > 100);
	f = fopen(cut, "w");
	fwrite(b.buf, 1, b.len / 2, f);
	fclose(f);
	write_file(junk, "this is not an archive\n");
	mkdir(dest, 0755);

	CHECK(extract_caught(cut, dest, &err) == -1);
	CHECK(strstr(err.buf, "archive '") && strstr(err.buf, "cut.tar.gz"));
	tree_of(&b, dest);
	CHECK_STR(b.buf, "");
	CHECK(extract_caught(junk, dest, &err) == -1);
	CHECK(strstr(err.buf, "junk.tar.gz") != NULL);
	tree_of(&b, dest);
	CHECK_STR(b.buf, "");
	CHECK(archive_extract_safe(good, "/nonexistent/t3q") == -1);
	CHECK(archive_extract_safe("/nonexistent/t3q.tar.gz", dest) == -1);
	/* A destination that is a file: named, with the reason. */
	CHECK(extract_caught(good, junk, &err) == -1);
	CHECK(strstr(err.buf, "cannot open the destination '") &&
	      strstr(err.buf, "junk.tar.gz': Not a directory"));

	free(good);
	free(cut);
	free(junk);
	free(dest);
	buf_release(&b);
	buf_release(&err);
}

static void make_tree(void)
{
	const char *dirs[] = { "src", "src/data", "src/data/sub", "out",
			       "dang", "loop", "loop/d", "self" };
	char *p;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
		p = at(dirs[i]);
		mkdir(p, 0755);
		free(p);
	}
#define FILE_AT(rel, text) do { \
	p = at(rel); write_file(p, text); free(p); \
} while (0)
#define LINK_AT(rel, target) do { \
	p = at(rel); CHECK(symlink(target, p) == 0); free(p); \
} while (0)
	FILE_AT("src/nb.ipynb", "{}\n");
	FILE_AT("src/ignored.txt", "no\n");
	FILE_AT("src/data/.hidden", "h\n");
	FILE_AT("src/data/x.csv", "1,2\n");
	FILE_AT("src/data/sub/y", "y\n");
	FILE_AT("src/data/ünï", "u\n");
	LINK_AT("src/data/link", "x.csv");
	LINK_AT("src/data/dirlink", "sub");
	LINK_AT("src/top", "data/x.csv");
	LINK_AT("dang/bad", "nowhere");
	LINK_AT("loop/d/self", "..");
	FILE_AT("self/a", "a\n");
	p = at("src/data/sub/y");
	chmod(p, 0755);
	free(p);
#undef FILE_AT
#undef LINK_AT
}

/*
 * read(), as this program's code and libarchive see it: while shrunk is
 * set, a regular file reads as ended (the file shrank after its stat),
 * with a stale EINTR left in errno, which a 0 return does not touch.
 */
static int shrunk;

ssize_t read(int fd, void *b, size_t n)
{
	struct stat st;

	if (shrunk && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		errno = EINTR;
		return 0;
	}
	return syscall(SYS_read, fd, b, n);
}

/* A member that ends before its size: an error naming it, not a loop. */
static void test_shrank(void)
{
	const char *members[] = { "nb.ipynb" };
	char *src = at("src"), *up = at("out/shrank.tar.gz");
	struct buf err = BUF_INIT;
	char *path = at("stderr");
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int saved = dup(2), ret;

	dup2(fd, 2);
	alarm(10);
	shrunk = 1;
	ret = archive_create(up, src, members, 1);
	shrunk = 0;
	alarm(0);
	dup2(saved, 2);
	close(saved);
	close(fd);
	read_into(&err, path);
	fputs(err.buf, stderr);
	CHECK(ret == -1);
	CHECK(strstr(err.buf, "member 'nb.ipynb': ") &&
	      strstr(err.buf, "shrank while it was being archived"));
	unlink(path);
	free(path);
	free(src);
	free(up);
	buf_release(&err);
}

static void test_create(void)
{
	const char *members[] = { "nb.ipynb", "data/", "./top" };
	const char *all[] = { "." };
	char *src = at("src"), *up = at("out/up.tar.gz");
	char *up2 = at("out/up2.tar.gz"), *whole = at("out/all.tar.gz");
	char *rt = at("rt"), *rt2 = at("rt2"), *out = at("out");
	char *p;
	struct buf b = BUF_INIT, c = BUF_INIT;

	make_tree();
	CHECK(archive_create(up, src, members, 3) == 0);
	mkdir(rt, 0755);
	CHECK(archive_extract_safe(up, rt) == 0);
	tree_of(&b, rt);
	CHECK_STR(b.buf, "data/|data/.hidden|data/dirlink/|data/dirlink/y|"
		  "data/link|data/sub/|data/sub/y|data/x.csv|data/ünï|"
		  "nb.ipynb|top|");
	p = xstrfmt("%s/data/link", rt);
	read_into(&b, p);
	CHECK_STR(b.buf, "1,2\n");
	free(p);
	p = xstrfmt("%s/top", rt);
	read_into(&b, p);
	CHECK_STR(b.buf, "1,2\n");
	free(p);
	CHECK(mode_of(rt, "data/sub/y") == 0755);

	/* Reproducible, and no time in the gzip header. */
	CHECK(archive_create(up2, src, members, 3) == 0);
	read_into(&b, up);
	read_into(&c, up2);
	CHECK(b.len == c.len && !memcmp(b.buf, c.buf, b.len));
	CHECK(b.len > 10 && !memcmp(b.buf + 4, "\0\0\0\0", 4));

	CHECK(archive_create(whole, src, all, 1) == 0);
	mkdir(rt2, 0755);
	CHECK(archive_extract_safe(whole, rt2) == 0);
	tree_of(&b, rt2);
	CHECK_STR(b.buf, "data/|data/.hidden|data/dirlink/|data/dirlink/y|"
		  "data/link|data/sub/|data/sub/y|data/x.csv|data/ünï|"
		  "ignored.txt|nb.ipynb|top|");

	/* Failures leave nothing behind, not even the temp file. */
	tree_of(&c, out);
	{
		const char *bad[] = { "bad" }, *d[] = { "d" };
		const char *abs[] = { "/etc" }, *up_[] = { "../src" };
		const char *none[] = { "missing" }, *empty[] = { "" };
		char *dang = at("dang"), *loop = at("loop");
		char *fail = at("out/fail.tar.gz");

		CHECK(archive_create(fail, dang, bad, 1) == -1);
		CHECK(archive_create(fail, loop, d, 1) == -1);
		CHECK(archive_create(fail, src, abs, 1) == -1);
		CHECK(archive_create(fail, src, up_, 1) == -1);
		CHECK(archive_create(fail, src, none, 1) == -1);
		CHECK(archive_create(fail, src, empty, 1) == -1);
		free(dang);
		free(loop);
		free(fail);
	}
	tree_of(&b, out);
	CHECK_STR(b.buf, c.buf);

	/* An archive written into the tree it archives leaves itself out. */
	{
		char *self = at("self"), *arch = at("self/s.tar.gz");
		char *dest = at("self-out");

		CHECK(archive_create(arch, self, all, 1) == 0);
		mkdir(dest, 0755);
		CHECK(archive_extract_safe(arch, dest) == 0);
		tree_of(&b, dest);
		CHECK_STR(b.buf, "a|");
		free(self);
		free(arch);
		free(dest);
	}

	free(src);
	free(up);
	free(up2);
	free(whole);
	free(rt);
	free(rt2);
	free(out);
	buf_release(&b);
	buf_release(&c);
}

int main(void)
{
	char dir[] = "/tmp/t3q-archive.XXXXXX";

	if (!mkdtemp(dir))
		return 1;
	top = dir;
	utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (!utf8)
		utf8 = uselocale((locale_t)0);
	umask(022);
	test_good();
	test_bad();
	test_damaged();
	test_create();
	test_shrank();
	run("chmod -R u+w", dir);
	run("rm -rf", dir);
	if (utf8 != uselocale((locale_t)0))
		freelocale(utf8);
	return check_done();
}
