/*
 * upload: each node's dependency archive, built exactly as Elyra 4.0.0's
 * create_temp_archive() builds it (the rules: upload_scan.h), then put in
 * the object store at <directory>/<stem>-<node id>.tar.gz.
 */
#ifndef T3Q_ARCHIVE_UPLOAD_H
#define T3Q_ARCHIVE_UPLOAD_H

#include "pipeline/pipeline.h"
#include "store/store.h"

/* Returns 0, or -1 after logging which node and file failed. */
int upload_archives(const struct pipeline *p, struct store *st,
		    const char *directory);

#endif
