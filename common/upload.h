/*
 * upload: each node's dependency archive, built as Elyra builds it (the
 * file and its dependency patterns, relative to the file's directory;
 * subdirectories with include_subdirectories; no hidden directories;
 * symlinks dereferenced), then put in the object store at
 * <directory>/<stem>-<node id>.tar.gz.
 */
#ifndef T3Q_COMMON_UPLOAD_H
#define T3Q_COMMON_UPLOAD_H

#include "common/pipeline.h"
#include "common/store.h"

/* Returns 0, or -1 after logging which node and file failed. */
int upload_archives(const struct pipeline *p, struct store *st,
		    const char *directory);

#endif
