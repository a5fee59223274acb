/* fsutil: mkdir -p, temp files beside their target, atomic copies. */
#include "common/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"

static mode_t current_umask(void)
{
	static mode_t mask = (mode_t)-1;

	if (mask == (mode_t)-1) {
		mask = umask(022);
		umask(mask);
	}
	return mask;
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
	struct buf tmp = BUF_INIT;
	char chunk[65536];
	int in, out, ret = 0;
	struct stat st;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return error_errno("cannot open '%s'", src);
	if (fs_mkdir_parents(dst) < 0 || (out = fs_temp_beside(dst, &tmp)) < 0) {
		close(in);
		buf_release(&tmp);
		return -1;
	}
	for (;;) {
		ssize_t n = read(in, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = error_errno("cannot read '%s'", src);
			break;
		}
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, chunk + off, n - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				ret = error_errno("cannot write '%s'", tmp.buf);
				break;
			}
			off += w;
		}
		if (ret)
			break;
	}
	if (!ret && fstat(in, &st) == 0)
		fchmod(out, st.st_mode & 0777);
	if (close(out) < 0 && !ret)
		ret = error_errno("cannot write '%s'", tmp.buf);
	close(in);
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
