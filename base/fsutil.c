/*
 * fsutil: mkdir -p, temp files beside their target, atomic copies, and
 * opening a path without leaving a directory.
 */
#include "base/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/log.h"

static mode_t current_umask(void)
{
	static mode_t mask = (mode_t)-1;

	if (mask == (mode_t)-1) {
		mask = umask(022);
		umask(mask);
	}
	return mask;
}

const char *fs_tmpdir(void)
{
	const char *t = getenv("TMPDIR");

	return t && *t ? t : "/tmp";
}

int fs_mkdir_p(const char *dir)
{
	char *p = xstrdup(dir);
	struct stat st;

	for (char *s = p + 1;; s++) {
		char saved = *s;

		if (saved != '/' && saved != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST) {
			error_errno("cannot create directory '%s'", p);
			free(p);
			return -1;
		}
		*s = saved;
		if (!saved)
			break;
	}
	if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode)) {
		error("cannot create directory '%s': a file is in the way", p);
		free(p);
		return -1;
	}
	free(p);
	return 0;
}

int fs_mkdir_parents(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int ret;

	if (!slash || slash == path)
		return 0;
	dir = xstrndup(path, slash - path);
	ret = fs_mkdir_p(dir);
	free(dir);
	return ret;
}

int fs_temp_beside(const char *path, struct buf *tmp)
{
	const char *slash = strrchr(path, '/');
	int fd;

	buf_reset(tmp);
	if (slash)
		buf_add(tmp, path, slash - path + 1);
	buf_addf(tmp, ".%s.t3q-XXXXXX", slash ? slash + 1 : path);
	fd = mkostemp(tmp->buf, O_CLOEXEC);
	if (fd < 0)
		return error_errno("cannot create a temp file beside '%s'",
				   path);
	/* mkstemp makes 0600; the file is to look like any other we write. */
	fchmod(fd, 0666 & ~current_umask());
	return fd;
}

int fs_copy_file(const char *src, const char *dst)
{
	int in = open(src, O_RDONLY | O_CLOEXEC), ret;

	if (in < 0)
		return error_errno("cannot open '%s'", src);
	ret = fs_copy_fd(in, src, dst);
	close(in);
	return ret;
}

/* Writes n bytes of chunk to out, whole. */
static int write_all(int out, const char *chunk, size_t n)
{
	for (size_t off = 0; off < n;) {
		ssize_t w = write(out, chunk + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		off += w;
	}
	return 0;
}

int fs_copy_fd(int in, const char *name, const char *dst)
{
	struct buf tmp = BUF_INIT;
	char chunk[65536];
	int out, ret = 0;
	off_t at = 0;
	struct stat st;

	if (fs_mkdir_parents(dst) < 0 || (out = fs_temp_beside(dst, &tmp)) < 0) {
		buf_release(&tmp);
		return -1;
	}
	for (;;) {
		/* pread: the fd's offset is the caller's (a log's is at its end). */
		ssize_t n = pread(in, chunk, sizeof(chunk), at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = error_errno("cannot read '%s'", name);
			break;
		}
		if (n == 0)
			break;
		if (write_all(out, chunk, n) < 0) {
			ret = error_errno("cannot write '%s'", tmp.buf);
			break;
		}
		at += n;
	}
	if (!ret && fstat(in, &st) == 0)
		fchmod(out, st.st_mode & 0777);
	if (close(out) < 0 && !ret)
		ret = error_errno("cannot write '%s'", tmp.buf);
	if (!ret && rename(tmp.buf, dst) < 0)
		ret = error_errno("cannot rename '%s' to '%s'", tmp.buf, dst);
	if (ret)
		unlink(tmp.buf);
	buf_release(&tmp);
	return ret;
}

int fs_link_or_copy(const char *src, const char *dst)
{
	if (fs_mkdir_parents(dst) < 0)
		return -1;
	unlink(dst);
	if (link(src, dst) == 0)
		return 0;
	return fs_copy_file(src, dst);
}

/* nftw() takes no context: the walk's state, one walk at a time. */
static const char *tree_src, *tree_dst;
static int tree_failed;

static int tree_one(const char *path, const struct stat *st, int type,
		    struct FTW *ftw)
{
	char *dst;

	(void)st;
	(void)ftw;
	dst = xstrfmt("%s%s", tree_dst, path + strlen(tree_src));
	if (type == FTW_D)
		tree_failed |= fs_mkdir_p(dst) < 0;
	else if (type == FTW_F)
		tree_failed |= fs_link_or_copy(path, dst) < 0;
	free(dst);
	return 0;
}

int fs_link_tree(const char *src, const char *dst)
{
	tree_src = src;
	tree_dst = dst;
	tree_failed = 0;
	if (nftw(src, tree_one, 16, FTW_PHYS) < 0)
		return error_errno("cannot walk '%s'", src);
	return tree_failed ? -1 : 0;
}

int fs_reopen(int pathfd, int dirfd, const char *path, int flags)
{
	struct stat want, got;
	char proc[64];
	int fd;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pathfd);
	fd = open(proc, flags);
	if (fd >= 0 || errno != ENOENT)
		return fd;
	/*
	 * No /proc (a chroot, a bare image): the name again, taken only
	 * when it still leads to the very file that was checked. O_NONBLOCK:
	 * a FIFO put in its place must not hang the open.
	 */
	fd = openat(dirfd, path, flags | O_NONBLOCK);
	if (fd < 0)
		return -1;
	if (fstat(pathfd, &want) < 0 || fstat(fd, &got) < 0 ||
	    want.st_dev != got.st_dev || want.st_ino != got.st_ino) {
		close(fd);
		errno = ESTALE;
		return -1;
	}
	return fd;
}

/*
 * The walk of fs_open_beneath_walk(): the real directories below root we
 * are in (so ".." is the physical parent, as the kernel has it), and what
 * is left of the path, links replaced by their text as they are met.
 */
struct beneath {
	int root;		/* dirfd: not ours */
	const char *root_real;
	int *stack;		/* the directories below root, ours */
	size_t depth, alloc;
	struct buf at;		/* their path below root: "" or "a/b" */
	struct buf rest;	/* what is left to resolve */
	struct buf link;	/* the last link taken and its text */
	struct buf target;
	int links;
};

static int beneath_cur(const struct beneath *b)
{
	return b->depth ? b->stack[b->depth - 1] : b->root;
}

static void beneath_push(struct beneath *b, int fd, const char *name)
{
	if (b->depth == b->alloc) {
		b->alloc = b->alloc ? 2 * b->alloc : 8;
		b->stack = xrealloc(b->stack, b->alloc * sizeof(*b->stack));
	}
	b->stack[b->depth++] = fd;
	if (b->at.len)
		buf_addch(&b->at, '/');
	buf_adds(&b->at, name);
}

static void beneath_pop(struct beneath *b)
{
	char *slash = strrchr(b->at.buf, '/');

	close(b->stack[--b->depth]);
	buf_setlen(&b->at, slash ? (size_t)(slash - b->at.buf) : 0);
}

static int beneath_escape(struct beneath *b, const char *path,
			  struct buf *why)
{
	if (why && b->link.len)
		buf_addf(why, "'%s' is a symlink to '%s'", b->link.buf,
			 b->target.buf);
	else if (why)
		buf_addf(why, "'%s' climbs out with '..'", path);
	errno = EXDEV;
	return -1;
}

/* Whether the absolute path p is root or below it, by its text. */
static int text_inside(const char *root, const char *p)
{
	size_t n = strlen(root);

	return !strcmp(root, "/") || (!strncmp(p, root, n) &&
				       (!p[n] || p[n] == '/'));
}

/*
 * The component name (ending at rest[end]) is the link lfd: what is left
 * becomes its text and the rest after it. An absolute text goes on from
 * root when it names a path below root_real, and leaves otherwise.
 */
static int beneath_link(struct beneath *b, int lfd, const char *name,
			size_t end, const char *path, struct buf *why)
{
	char target[PATH_MAX];
	struct buf rest = BUF_INIT;
	const char *t = target;
	ssize_t n = readlinkat(lfd, "", target, sizeof(target) - 1);

	if (n < 0)
		return -1;
	target[n] = '\0';
	if (++b->links > 40) {
		errno = ELOOP;
		return -1;
	}
	buf_reset(&b->link);
	buf_addf(&b->link, "%s%s%s", b->at.buf, b->at.len ? "/" : "", name);
	buf_reset(&b->target);
	buf_adds(&b->target, target);
	if (*t == '/') {
		if (!b->root_real || !text_inside(b->root_real, t))
			return beneath_escape(b, path, why);
		if (strcmp(b->root_real, "/"))
			t += strlen(b->root_real);
		while (b->depth)
			beneath_pop(b);
	}
	buf_addf(&rest, "%s%s%s", t, b->rest.buf[end] ? "/" : "",
		 b->rest.buf + end);
	buf_release(&b->rest);
	b->rest = rest;
	return 0;
}

/* One component of b->rest at *pos: 1 to go on, else the fd or -1. */
static int beneath_step(struct beneath *b, size_t *pos, const char *path,
			struct buf *why, int *fd)
{
	const char *p = b->rest.buf + *pos, *after;
	char name[NAME_MAX + 1];
	struct stat st;
	size_t n;
	int last, nfd;

	while (*p == '/')
		p++;
	if (!*p) {
		*fd = openat(beneath_cur(b), ".", O_PATH | O_CLOEXEC);
		return 0;
	}
	n = strcspn(p, "/");
	after = p + n;
	last = !after[strspn(after, "/")];
	if (n > NAME_MAX) {
		errno = ENAMETOOLONG;
		return *fd = -1, 0;
	}
	memcpy(name, p, n);
	name[n] = '\0';
	*pos = after - b->rest.buf;
	if (!strcmp(name, "."))
		return 1;
	if (!strcmp(name, "..")) {
		if (!b->depth)
			return *fd = beneath_escape(b, path, why), 0;
		beneath_pop(b);
		return 1;
	}
	nfd = openat(beneath_cur(b), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (nfd < 0 || fstat(nfd, &st) < 0) {
		if (nfd >= 0)
			close(nfd);
		return *fd = -1, 0;
	}
	if (S_ISLNK(st.st_mode)) {
		int r = beneath_link(b, nfd, name, *pos, path, why);

		close(nfd);
		*pos = 0;
		return r < 0 ? (*fd = -1, 0) : 1;
	}
	if (last && (!*after || S_ISDIR(st.st_mode)))
		return *fd = nfd, 0;
	if (!S_ISDIR(st.st_mode)) {
		close(nfd);
		errno = ENOTDIR;
		return *fd = -1, 0;
	}
	beneath_push(b, nfd, name);
	return 1;
}

int fs_open_beneath_walk(int dirfd, const char *root_real, const char *path,
			 struct buf *why)
{
	struct beneath b = { dirfd, root_real, NULL, 0, 0, BUF_INIT, BUF_INIT,
			     BUF_INIT, BUF_INIT, 0 };
	size_t pos = 0;
	int fd, e;

	/* An absolute path is taken as an absolute link's text would be. */
	if (*path == '/' && (!root_real || !text_inside(root_real, path))) {
		if (why)
			buf_addf(why, "'%s' is an absolute path", path);
		errno = EXDEV;
		return -1;
	}
	buf_adds(&b.rest, *path == '/' && strcmp(root_real, "/") ?
		 path + strlen(root_real) : path);
	while (beneath_step(&b, &pos, path, why, &fd))
		;
	e = errno;
	while (b.depth)
		beneath_pop(&b);
	free(b.stack);
	buf_release(&b.at);
	buf_release(&b.rest);
	buf_release(&b.link);
	buf_release(&b.target);
	errno = e;
	return fd;
}

/* openat2(2)'s struct open_how and flags, for headers without them. */
struct beneath_how {
	uint64_t flags, mode, resolve;
};
#define BENEATH_NO_MAGICLINKS 0x02
#define BENEATH_BENEATH 0x08

int fs_open_beneath(int dirfd, const char *root_real, const char *path,
		    struct buf *why)
{
#ifdef SYS_openat2
	struct beneath_how how = {
		O_PATH | O_CLOEXEC, 0, BENEATH_BENEATH | BENEATH_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));

	/*
	 * Its answer is final when it found the file. Otherwise (no such
	 * call before Linux 5.6, an absolute link, a missing file) the walk
	 * decides, and says why.
	 */
	if (fd >= 0)
		return (int)fd;
#endif
	return fs_open_beneath_walk(dirfd, root_real, path, why);
}
