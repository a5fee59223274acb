/*
 * fsutil: fs_open_beneath() finds what a path names only while every link
 * on it stays below the directory, by openat2 and by the walk that older
 * kernels get, with the same answers. fs_copy_file() copies whole files
 * (more than one chunk), with their mode, into new parent directories, and
 * leaves nothing when it fails, a failed close included.
 */
#include "check.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/fsutil.h"

typedef int open_fn(int, const char *, const char *, struct buf *);

/* What path opens to: "file:<size>", "dir", or "errno:<name>" and why. */
static void probe(open_fn *fn, int root, const char *real, const char *path,
		  struct buf *out)
{
	struct buf why = BUF_INIT;
	struct stat st;
	int fd = fn(root, real, path, &why);

	buf_reset(out);
	if (fd < 0)
		buf_addf(out, "%s%s%s", errno == EXDEV ? "EXDEV" :
			 errno == ENOENT ? "ENOENT" : errno == ENOTDIR ?
			 "ENOTDIR" : errno == ELOOP ? "ELOOP" : "other",
			 why.len ? " " : "", why.buf);
	else if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
		buf_adds(out, "dir");
	else
		buf_addf(out, "file:%lld", (long long)st.st_size);
	if (fd >= 0)
		close(fd);
	buf_release(&why);
}

static void cases(open_fn *fn, int root, const char *real)
{
	struct buf b = BUF_INIT;
	probe(fn, root, real, "d/f", &b);
	CHECK_STR(b.buf, "file:3");
	probe(fn, root, real, "d/", &b);
	CHECK_STR(b.buf, "dir");
	probe(fn, root, real, "rel/f", &b);
	CHECK_STR(b.buf, "file:3");
	probe(fn, root, real, "d/up/d/f", &b);
	CHECK_STR(b.buf, "file:3");
	probe(fn, root, real, "abs/f", &b);
	CHECK_STR(b.buf, "file:3");
	probe(fn, root, real, "flink", &b);
	CHECK_STR(b.buf, "file:3");
	probe(fn, root, real, "etc/passwd", &b);
	CHECK_STR(b.buf, "EXDEV 'etc' is a symlink to '/etc'");
	probe(fn, root, real, "d/etc2", &b);
	CHECK_STR(b.buf, "EXDEV 'd/etc2' is a symlink to '/etc/passwd'");
	probe(fn, root, real, "d/up/up/x", &b);
	CHECK_STR(b.buf, "EXDEV 'up' is a symlink to '..'");
	probe(fn, root, real, "d/../../x", &b);
	CHECK_STR(b.buf, "EXDEV 'd/../../x' climbs out with '..'");
	probe(fn, root, real, "dangling", &b);
	CHECK_STR(b.buf, "EXDEV 'dangling' is a symlink to '/nonexistent/x'");
	probe(fn, root, real, "nothere", &b);
	CHECK_STR(b.buf, "ENOENT");
	probe(fn, root, real, "d/f/", &b);
	CHECK_STR(b.buf, "ENOTDIR");
	probe(fn, root, real, "loop/x", &b);
	CHECK_STR(b.buf, "ELOOP");
	probe(fn, root, real, "/etc/passwd", &b);
	CHECK(!strncmp(b.buf, "EXDEV", 5));
	/* Without the root's name, every absolute link leaves. */
	probe(fn, root, NULL, "abs/f", &b);
	CHECK(!strncmp(b.buf, "EXDEV 'abs' is a symlink to '/", 30));
	buf_release(&b);
}

/*
 * close(), as the library sees it in this program: while fail_close is
 * set, a close that worked says EIO, as NFS or FUSE report a write that
 * failed late.
 */
static int fail_close;

int close(int fd)
{
	long r = syscall(SYS_close, fd);

	if (r == 0 && fail_close) {
		errno = EIO;
		return -1;
	}
	return (int)r;
}

/* Entries of dir, "." and ".." aside. */
static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

static void copies(const char *real)
{
	char *src = xstrfmt("%s/big", real), *dst = xstrfmt("%s/c/d/big", real);
	char *cdir = xstrfmt("%s/c/d", real), *nosrc = xstrfmt("%s/none", real);
	char *nodst = xstrfmt("%s/c/none", real);
	struct stat st;
	FILE *f = fopen(src, "w");
	long i, same = 0;

	for (i = 0; i < 200000; i++)	/* three 64 KiB chunks and a bit */
		fputc((int)(i * 7 % 251), f);
	fclose(f);
	chmod(src, 0751);
	CHECK(fs_copy_file(src, dst) == 0);
	CHECK(stat(dst, &st) == 0 && st.st_size == 200000);
	CHECK((st.st_mode & 07777) == 0751);
	f = fopen(dst, "r");
	for (i = 0; f && i < 200000; i++)
		same += fgetc(f) == (int)(i * 7 % 251);
	CHECK(f && same == 200000 && fgetc(f) == EOF);
	if (f)
		fclose(f);
	CHECK(entries(cdir) == 1);	/* no temp file left beside it */
	CHECK(fs_copy_file(nosrc, nodst) < 0);
	CHECK(access(nodst, F_OK) < 0);
	/* A write that fails only at close: an error, and no file at all. */
	fail_close = 1;
	CHECK(fs_copy_file(src, nodst) < 0);
	fail_close = 0;
	CHECK(access(nodst, F_OK) < 0);
	*strrchr(cdir, '/') = '\0';
	CHECK(entries(cdir) == 1);	/* c/ holds d/ only: no temp file */
	free(src);
	free(dst);
	free(cdir);
	free(nosrc);
	free(nodst);
}

int main(void)
{
	char dir[] = "/tmp/t3q-fsutil.XXXXXX";
	char *real, *p;
	int root;
	FILE *f;

	if (!mkdtemp(dir) || !(real = realpath(dir, NULL)))
		return 1;
	p = xstrfmt("%s/d", real);
	mkdir(p, 0777);
	free(p);
	p = xstrfmt("%s/d/f", real);
	f = fopen(p, "w");
	fputs("abc", f);
	fclose(f);
	free(p);
#define LINK(target, name) do { \
	char *l_ = xstrfmt("%s/%s", real, name); \
	CHECK(symlink(target, l_) == 0); \
	free(l_); \
} while (0)
	LINK("d", "rel");
	LINK("..", "d/up");
	LINK("d/f", "flink");
	LINK("/etc", "etc");
	LINK("/etc/passwd", "d/etc2");
	LINK("/nonexistent/x", "dangling");
	LINK("loop", "loop");
	p = xstrfmt("%s/d", real);
	LINK(p, "abs");
	free(p);
	LINK("..", "up");
	root = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(root >= 0);
	cases(fs_open_beneath, root, real);
	cases(fs_open_beneath_walk, root, real);
	close(root);
	copies(real);
	p = xstrfmt("rm -rf '%s'", real);
	CHECK(system(p) == 0);
	free(p);
	free(real);
	return check_done();
}
