/*
 * fsutil: small file-system helpers shared by the programs.
 * Each returns 0 or -1 after logging what failed and where.
 */
#ifndef T3Q_BASE_FSUTIL_H
#define T3Q_BASE_FSUTIL_H

#include "base/buf.h"

/* Where temp files go: $TMPDIR when set and not empty, else /tmp. */
const char *fs_tmpdir(void);
/* mkdir -p of dir itself. */
int fs_mkdir_p(const char *dir);
/* mkdir -p of the directory that will hold path. */
int fs_mkdir_parents(const char *path);
/*
 * Creates an empty temp file in the directory of path (so that a rename()
 * onto path is atomic), named ".<base>.t3q-XXXXXX". Its name is put in tmp;
 * returns the open fd, or -1.
 */
int fs_temp_beside(const char *path, struct buf *tmp);
/*
 * Copies src to dst through a temp file beside dst and a rename, so that
 * a reader never sees half a file.
 */
int fs_copy_file(const char *src, const char *dst);
/* The same from the fd in (read with pread from offset 0), named name. */
int fs_copy_fd(int in, const char *name, const char *dst);

/*
 * Hard-links src to dst (replacing dst), or copies it where a link cannot
 * be made (another file system); parents of dst are created.
 */
int fs_link_or_copy(const char *src, const char *dst);
/*
 * Lays the tree src (a directory) into dst by fs_link_or_copy() of each
 * file; symlinks are not followed. Directories are created as needed.
 */
int fs_link_tree(const char *src, const char *dst);

/*
 * Opens path, relative to the directory dirfd, so that nothing on the way
 * leaves that directory: a link anywhere on the path (a directory's as
 * well as the last component's) is followed only while it stays below
 * dirfd; an absolute link counts as below when its text starts with
 * root_real (dirfd's realpath; NULL: every absolute link leaves). Tries
 * openat2(RESOLVE_BENEATH) first, and walks component by component with
 * O_NOFOLLOW where the kernel lacks it (or refuses an absolute link).
 *
 * Returns an O_PATH fd of what path names (fstat() it; read a file
 * through fs_reopen(), a directory through openat(fd, ".")), or -1 with
 * errno set and nothing logged: EXDEV when the path leaves dirfd, with
 * why (when not NULL) saying which link and where it leads; otherwise as
 * open(2) (ENOENT, ENOTDIR, ELOOP past 40 links).
 */
int fs_open_beneath(int dirfd, const char *root_real, const char *path,
		    struct buf *why);
/* The same, by the walk alone (what kernels before 5.6 get; for tests). */
int fs_open_beneath_walk(int dirfd, const char *root_real, const char *path,
			 struct buf *why);
/*
 * Opens the file the O_PATH fd pathfd refers to, with flags (O_RDONLY
 * ...): through /proc/self/fd, which reaches it even when its name has
 * since been replaced; where /proc is not mounted, by path (relative to
 * dirfd) again, and only if that is still the same file (device and inode;
 * else ESTALE). -1 with errno set, nothing logged.
 */
int fs_reopen(int pathfd, int dirfd, const char *path, int flags);

#endif
