/*
 * fsutil: small file-system helpers shared by the programs.
 * Each returns 0 or -1 after logging what failed and where.
 */
#ifndef T3Q_COMMON_FSUTIL_H
#define T3Q_COMMON_FSUTIL_H

#include "common/buf.h"

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

#endif
