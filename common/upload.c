/* upload: Elyra's create_temp_archive, then a PUT per node. */
#include "common/upload.h"

#include <dirent.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/archive.h"
#include "common/log.h"
#include "common/nodecmd.h"

struct members {
	char **v;
	int n;
};

static void add(struct members *m, const char *s)
{
	for (int i = 0; i < m->n; i++)
		if (!strcmp(m->v[i], s))
			return;
	m->v = xrealloc(m->v, (m->n + 1) * sizeof(*m->v));
	m->v[m->n++] = xstrdup(s);
}

static int wanted(const struct node *n, const char *rel, const char *file)
{
	if (!strcmp(rel, file))
		return 1;
	/* Python's fnmatch, as Elyra uses it: '*' also matches '/'. */
	for (int i = 0; i < n->dependencies.n; i++)
		if (!fnmatch(n->dependencies.v[i], rel, 0))
			return 1;
	return 0;
}

static void walk(const struct node *n, const char *base, const char *rel,
		 const char *file, struct members *m)
{
	char *dir = *rel ? xstrfmt("%s/%s", base, rel) : xstrdup(base);
	DIR *d = opendir(dir);
	struct dirent *de;

	free(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char *r, *full;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		r = *rel ? xstrfmt("%s/%s", rel, de->d_name)
			 : xstrdup(de->d_name);
		full = xstrfmt("%s/%s", base, r);
		if (stat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
			/* A matching directory goes in whole; hidden ones
			 * never, and others are searched when asked. */
			if (de->d_name[0] != '.') {
				if (wanted(n, r, file))
					add(m, r);
				else if (n->include_subdirectories)
					walk(n, base, r, file, m);
			}
		} else if (wanted(n, r, file)) {
			add(m, r);
		}
		free(r);
		free(full);
	}
	closedir(d);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int upload_archives(const struct pipeline *p, struct store *st,
		    const char *directory)
{
	int ret = 0;

	for (int i = 0; i < p->nnodes && !ret; i++) {
		const struct node *n = &p->nodes[i];
		const char *slash = strrchr(n->filename, '/');
		char *rel_dir = slash ? xstrndup(n->filename, slash - n->filename)
				      : xstrdup("");
		char *base = n->filename[0] == '/' ? xstrdup(*rel_dir ? rel_dir
							     : "/")
			: xstrfmt("%s%s%s", p->dir, *rel_dir ? "/" : "",
				  rel_dir);
		char *name = nodecmd_archive_name(n);
		char *tmp = xstrfmt("%s/t3q-upload-%d-%s", getenv("TMPDIR") ?
				    getenv("TMPDIR") : "/tmp", (int)getpid(),
				    name);
		struct buf key = BUF_INIT;
		struct members m = { 0 };

		walk(n, base, "", slash ? slash + 1 : n->filename, &m);
		qsort(m.v, m.n, sizeof(*m.v), cmp);
		store_key_join(&key, directory, name);
		if (archive_create(tmp, base, (const char *const *)m.v,
				   m.n) < 0 ||
		    store_put(st, tmp, key.buf) < 0)
			ret = error("node '%s' (%s): cannot upload its "
				    "dependency archive", n->label, n->id);
		else
			info("uploaded %s (%d files) to %s/%s", name, m.n,
			     store_url(st), key.buf);
		unlink(tmp);
		for (int k = 0; k < m.n; k++)
			free(m.v[k]);
		free(m.v);
		free(rel_dir);
		free(base);
		free(name);
		free(tmp);
		buf_release(&key);
	}
	return ret;
}
