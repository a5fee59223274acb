/* upload: Elyra's create_temp_archive, then a PUT per node. */
#include "archive/upload.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archive/archive.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "pipeline/nodecmd.h"
#include "pipeline/upload_scan.h"

/*
 * A directory of this run's own (mkdtemp, mode 0700) for the archives
 * between their writing and their upload: a name in a shared /tmp that
 * another user can guess could be put there first, or swapped.
 */
static char *upload_tmpdir(void)
{
	char *dir = xstrfmt("%s/t3q-upload-XXXXXX", fs_tmpdir());

	if (!mkdtemp(dir)) {
		error_errno("cannot make a temp dir '%s' for the dependency "
			    "archives (TMPDIR)", dir);
		free(dir);
		return NULL;
	}
	return dir;
}

int upload_archives(const struct pipeline *p, struct store *st,
		    const char *directory)
{
	char *dir = NULL;
	int ret = 0;

	for (int i = 0; i < p->nnodes && !ret; i++) {
		const struct node *n = &p->nodes[i];
		char *name, *tmp;
		struct buf key = BUF_INIT;
		struct upload_walk *w;

		/* A custom component has no files: its image has it all. */
		if (n->kind == NODE_CUSTOM)
			continue;
		if (!dir && !(dir = upload_tmpdir()))
			return -1;
		name = nodecmd_archive_name(n);
		tmp = xstrfmt("%s/%s", dir, name);

		w = upload_walk_start(p, n);
		store_key_join(&key, directory, name);
		if (archive_create_filtered(tmp, upload_walk_dir(w),
					    upload_walk_filter, w) < 0)
			ret = -1;
		if (upload_walk_end(w) < 0)
			ret = -1;
		if (ret < 0 || store_put(st, tmp, key.buf) < 0)
			ret = error("node '%s' (%s): cannot upload its "
				    "dependency archive", n->label, n->id);
		else
			info("uploaded %s to %s/%s", name, store_url(st),
			     key.buf);
		unlink(tmp);
		free(name);
		free(tmp);
		buf_release(&key);
	}
	if (dir && rmdir(dir) < 0)
		warn("cannot remove the temp dir '%s': %s", dir,
		     strerror(errno));
	free(dir);
	return ret;
}
