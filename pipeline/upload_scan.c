/* upload_scan: what Elyra's create_temp_archive puts in a node's archive. */
#include "pipeline/upload_scan.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"

/* ---- Python's fnmatch, on code points ---- */

/* One UTF-8 code point; a stray byte stands for itself, as surrogateescape. */
static uint32_t next_cp(const char **s)
{
	const unsigned char *p = (const unsigned char *)*s;
	uint32_t c = p[0];
	int n = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2
		: (c & 0xf8) == 0xf0 ? 3 : -1;

	if (n < 0) {
		(*s)++;
		return 0xdc00 + c;
	}
	for (int i = 1; i <= n; i++)
		if ((p[i] & 0xc0) != 0x80) {
			(*s)++;
			return 0xdc00 + c;
		}
	c &= n == 0 ? 0x7f : n == 1 ? 0x1f : n == 2 ? 0x0f : 0x07;
	for (int i = 1; i <= n; i++)
		c = (c << 6) | (p[i] & 0x3f);
	*s += n + 1;
	return c;
}

/*
 * A '[' set as fnmatch.translate() reads it: '!' negates, a ']' first is
 * literal, "a-z" is a range (an inverted one matches nothing), no escapes.
 * *end gets the byte after the closing ']', or NULL when there is none
 * (then '[' is an ordinary character).
 */
static int set_match(const char *p, uint32_t c, const char **end)
{
	const char *j = p + 1, *q;
	int neg = 0, hit = 0;

	if (*j == '!')
		j++;
	if (*j == ']')
		j++;
	while (*j && *j != ']')
		j++;
	if (!*j) {
		*end = NULL;
		return 0;
	}
	*end = j + 1;
	q = p + 1;
	if (*q == '!') {
		neg = 1;
		q++;
	}
	while (q < j) {
		uint32_t lo = next_cp(&q), hi = lo;

		if (*q == '-' && q + 1 < j) {
			q++;
			hi = next_cp(&q);
		}
		if (c >= lo && c <= hi)
			hit = 1;
	}
	return neg ? !hit : hit;
}

int upload_fnmatch(const char *p, const char *s)
{
	while (*p) {
		const char *end;

		if (*p == '*') {
			while (*p == '*')
				p++;
			if (!*p)
				return 1;
			for (;;) {
				if (upload_fnmatch(p, s))
					return 1;
				if (!*s)
					return 0;
				next_cp(&s);
			}
		}
		if (!*s)
			return 0;
		if (*p == '?') {
			p++;
			next_cp(&s);
			continue;
		}
		if (*p == '[') {
			const char *t = s;
			int m = set_match(p, next_cp(&t), &end);

			if (end) {
				if (!m)
					return 0;
				p = end;
				s = t;
				continue;
			}
		}
		{
			const char *pp = p, *ss = s;

			if (next_cp(&pp) != next_cp(&ss))
				return 0;
			p = pp;
			s = ss;
		}
	}
	return !*s;
}

/* ---- create_temp_archive's tar_filter ---- */

struct scan {
	const struct node *n;
	struct strlist names;	/* the file's base name, then dependencies */
	char *matched;		/* per name */
	int include_all;	/* a lone "*" among them */
	struct strlist *members;	/* upload_scan()'s list; NULL when archiving */
	const char *base;	/* the node's directory, the archive's root */
	char *root;		/* realpath of the pipeline's directory */
	struct strlist escapes;	/* link, target, link, target, ... */
	/*
	 * The names without wildcards, sorted, and the directories they are
	 * in ("a", "a/b" for "a/b/c"): a lookup per member, where matching
	 * each member against each name was quadratic.
	 */
	struct lit *lits;
	int nlits;
	char **dirs;
	int ndirs;
	int *wild;		/* indices of the names with wildcards */
	int nwild;
	/*
	 * The directories being walked, to see a symlink loop: Python's
	 * tarfile follows one until "too many levels of symbolic links"
	 * (2^40 paths with two links), so Elyra's export never ends or fails.
	 */
	struct walked *walk;
	int nwalk, awalk;
	struct strlist *loops;	/* link, the directory it leads back to */
};

struct walked {
	dev_t dev;
	ino_t ino;
	const char *rel;
};

struct lit {
	const char *s;
	int i;
};

static void list_add(struct strlist *l, const char *s);

/* realpath(path) when path is a symlink leading outside root, else NULL. */
static char *link_outside(const char *root, const char *path)
{
	struct stat st;
	char *target;
	size_t len;

	if (!root || lstat(path, &st) < 0 || !S_ISLNK(st.st_mode))
		return NULL;
	/* Dangling: the archive itself refuses it, naming it. */
	target = realpath(path, NULL);
	if (!target)
		return NULL;
	len = strlen(root);
	if (!strcmp(root, "/") || (!strncmp(target, root, len) &&
				   (!target[len] || target[len] == '/'))) {
		free(target);
		return NULL;
	}
	return target;
}

char *upload_link_outside(const struct pipeline *p, const char *path)
{
	char *root = realpath(p->dir, NULL), *target;

	target = link_outside(root, path);
	free(root);
	return target;
}

/*
 * Links are followed as Elyra does, but only within the pipeline's
 * directory: "shadow -> /etc/shadow" would put a file of the compiling
 * machine in the bucket. Such an entry is left out and recorded.
 */
static int escapes(struct scan *sc, const char *name)
{
	char *full = xstrfmt("%s/%s", sc->base, name);
	char *target = link_outside(sc->root, full);

	free(full);
	if (!target)
		return 0;
	list_add(&sc->escapes, name);
	list_add(&sc->escapes, target);
	free(target);
	return 1;
}

static int has_wildcards(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* os.sep in it, not absolute, not ending in it. */
static int directory_prefixed(const char *s)
{
	size_t len = strlen(s);

	return strchr(s, '/') && s[0] != '/' && s[len - 1] != '/';
}

static int lit_cmp(const void *a, const void *b)
{
	const struct lit *x = a, *y = b;
	int c = strcmp(x->s, y->s);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The index of the name without wildcards that is s, or -1. */
static int lit_find(const struct scan *sc, const char *s)
{
	int lo = 0, hi = sc->nlits;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2, c = strcmp(sc->lits[mid].s, s);

		if (!c)
			return sc->lits[mid].i;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int directory_in_list(const struct scan *sc, const char *dir)
{
	size_t len = strlen(dir);

	/* A name without wildcards matches only itself, or is inside. */
	if (lit_find(sc, dir) >= 0 || (sc->ndirs &&
	    bsearch(&dir, sc->dirs, sc->ndirs, sizeof(*sc->dirs), str_cmp)))
		return 1;
	for (int w = 0; w < sc->nwild; w++) {
		const char *f = sc->names.v[sc->wild[w]];

		if ((!strncmp(f, dir, len) && f[len] == '/') ||
		    upload_fnmatch(f, dir))
			return 1;
	}
	return 0;
}

static int elyra_filter(const char *name, int is_dir, void *ctx)
{
	struct scan *sc = ctx;
	const char *base = strrchr(name, '/');
	int take = 0, i;

	base = base ? base + 1 : name;
	if (is_dir) {
		/* Hidden directories (checkpoints, trash) never go in. */
		for (const char *p = name; p; p = strchr(p, '/')) {
			if (*p == '/')
				p++;
			if (*p == '.')
				return 0;
		}
		if (!sc->n->include_subdirectories &&
		    (sc->include_all || !directory_in_list(sc, name)))
			return 0;
		return !escapes(sc, name);
	}
	if (sc->include_all)
		take = 1;
	/*
	 * Elyra credits only the first matching pattern, in its set's
	 * (hash-seeded) order, so its completeness check can fail at random
	 * when patterns overlap; t3q credits every pattern a file matches.
	 */
	if ((i = lit_find(sc, name)) >= 0) {
		sc->matched[i] = 1;
		take = 1;
	}
	for (int w = 0; w < sc->nwild; w++) {
		const char *f = sc->names.v[sc->wild[w]];

		i = sc->wild[w];
		if (upload_fnmatch(f, name) ||
		    (!directory_prefixed(f) && has_wildcards(f) &&
		     upload_fnmatch(f, base))) {
			sc->matched[i] = 1;
			take = 1;
		}
	}
	return take && !escapes(sc, name);
}

static void list_add(struct strlist *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = xstrdup(s);
}

static int bytewise(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* The directory being walked that st is, or NULL. */
static const struct walked *walking(const struct scan *sc,
				    const struct stat *st)
{
	for (int i = 0; i < sc->nwalk; i++)
		if (sc->walk[i].dev == st->st_dev &&
		    sc->walk[i].ino == st->st_ino)
			return &sc->walk[i];
	return NULL;
}

/* tarfile.add()'s walk: sorted, dereferenced, a refused directory skipped. */
static int scan_dir(struct scan *sc, const char *root, const char *rel)
{
	char *dir = *rel ? xstrfmt("%s/%s", root, rel) : xstrdup(root);
	struct dirent **list;
	struct stat self;
	int n = scandir(dir, &list, NULL, bytewise), ret = 0;

	if (n < 0 || stat(dir, &self) < 0) {
		ret = error_errno("cannot read '%s'", dir);
		for (int i = 0; i < n; i++)
			free(list[i]);
		if (n >= 0)
			free(list);
		free(dir);
		return ret;
	}
	if (sc->nwalk == sc->awalk) {
		sc->awalk = sc->awalk ? 2 * sc->awalk : 16;
		sc->walk = xrealloc(sc->walk, sc->awalk * sizeof(*sc->walk));
	}
	sc->walk[sc->nwalk++] = (struct walked){ self.st_dev, self.st_ino,
						 rel };
	for (int i = 0; i < n; i++) {
		const char *d = list[i]->d_name;
		char *r, *full;
		struct stat st;

		if (!strcmp(d, ".") || !strcmp(d, "..") || ret) {
			free(list[i]);
			continue;
		}
		r = *rel ? xstrfmt("%s/%s", rel, d) : xstrdup(d);
		full = xstrfmt("%s/%s", dir, d);
		if (stat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
			const struct walked *w;

			if (!elyra_filter(r, 1, sc)) {
				;	/* not entered */
			} else if ((w = walking(sc, &st))) {
				/* Recorded, not entered: it never ends. */
				list_add(sc->loops, r);
				list_add(sc->loops, *w->rel ? w->rel : ".");
			} else {
				list_add(sc->members, r);
				ret = scan_dir(sc, root, r);
			}
		} else if (elyra_filter(r, 0, sc)) {
			list_add(sc->members, r);
		}
		free(r);
		free(full);
		free(list[i]);
	}
	free(list);
	free(dir);
	sc->nwalk--;
	return ret;
}

static char *node_dir(const struct pipeline *p, const struct node *n)
{
	const char *slash = strrchr(n->filename, '/');

	if (n->filename[0] == '/')
		return slash == n->filename ? xstrdup("/")
			: xstrndup(n->filename, slash - n->filename);
	if (!slash)
		return xstrdup(p->dir);
	return xstrfmt("%s/%.*s", p->dir, (int)(slash - n->filename),
		       n->filename);
}

/* The directories a name is in: "a" and "a/b" for "a/b/c". */
static void add_dirs(struct scan *sc, const char *f, int *alloc)
{
	for (const char *c = strchr(f, '/'); c; c = strchr(c + 1, '/')) {
		if (sc->ndirs == *alloc) {
			*alloc = *alloc ? 2 * *alloc : 16;
			sc->dirs = xrealloc(sc->dirs, *alloc * sizeof(*sc->dirs));
		}
		sc->dirs[sc->ndirs++] = xstrndup(f, c - f);
	}
}

/*
 * Drops repeated names (the first is kept, in place), then sorts those
 * without wildcards for lit_find and lists the others.
 */
static void scan_index(struct scan *sc)
{
	struct lit *all = xcalloc(sc->names.n ? sc->names.n : 1, sizeof(*all));
	int n = 0, alloc = 0;

	for (int i = 0; i < sc->names.n; i++)
		all[i] = (struct lit){ sc->names.v[i], i };
	qsort(all, sc->names.n, sizeof(*all), lit_cmp);
	for (int k = 1; k < sc->names.n; k++)
		if (!strcmp(all[k].s, all[k - 1].s)) {
			free(sc->names.v[all[k].i]);
			sc->names.v[all[k].i] = NULL;
		}
	for (int i = 0; i < sc->names.n; i++)
		if (sc->names.v[i])
			sc->names.v[n++] = sc->names.v[i];
	sc->names.n = n;
	sc->wild = xcalloc(n ? n : 1, sizeof(*sc->wild));
	sc->lits = all;
	for (int i = 0; i < n; i++) {
		const char *f = sc->names.v[i];

		if (!*f)
			continue;	/* matches nothing */
		if (has_wildcards(f)) {
			sc->wild[sc->nwild++] = i;
			continue;
		}
		sc->lits[sc->nlits++] = (struct lit){ f, i };
		add_dirs(sc, f, &alloc);
	}
	qsort(sc->lits, sc->nlits, sizeof(*sc->lits), lit_cmp);
	if (sc->ndirs)	/* none: dirs is NULL, which qsort may not get */
		qsort(sc->dirs, sc->ndirs, sizeof(*sc->dirs), str_cmp);
}

static void scan_init(struct scan *sc, const struct pipeline *p,
		      const struct node *n, const char *dir,
		      struct strlist *members)
{
	const char *base = strrchr(n->filename, '/');

	memset(sc, 0, sizeof(*sc));
	sc->n = n;
	sc->members = members;
	sc->base = dir;
	sc->root = realpath(p->dir, NULL);
	/* A Python set: each name once. */
	list_add(&sc->names, base ? base + 1 : n->filename);
	for (int i = 0; i < n->dependencies.n; i++)
		list_add(&sc->names, n->dependencies.v[i]);
	scan_index(sc);
	sc->matched = xcalloc(sc->names.n ? sc->names.n : 1, 1);
	for (int i = 0; i < sc->names.n; i++)
		if (!strcmp(sc->names.v[i], "*"))
			sc->include_all = 1;
}

static void scan_release(struct scan *sc)
{
	upload_list_release(&sc->names);
	upload_list_release(&sc->escapes);
	for (int i = 0; i < sc->ndirs; i++)
		free(sc->dirs[i]);
	free(sc->dirs);
	free(sc->lits);
	free(sc->wild);
	free(sc->walk);
	free(sc->matched);
	free(sc->root);
}

void upload_list_release(struct strlist *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int upload_scan(const struct pipeline *p, const struct node *n,
		struct strlist *members, struct strlist *unmatched,
		struct strlist *outside, struct strlist *loops)
{
	struct scan sc;
	char *dir = node_dir(p, n);
	int ret, lone_script;

	scan_init(&sc, p, n, dir, members);
	sc.loops = loops;
	ret = scan_dir(&sc, dir, "");
	for (int i = 0; i < sc.escapes.n; i++)
		list_add(outside, sc.escapes.v[i]);
	/* require_complete, with Elyra's one tolerance. */
	lone_script = n->dependencies.n == 1 &&
		      (!strcmp(n->dependencies.v[0], "*.py") ||
		       !strcmp(n->dependencies.v[0], "*.r"));
	for (int i = 0; !ret && !sc.include_all && !lone_script &&
	     i < sc.names.n; i++)
		if (!sc.matched[i])
			list_add(unmatched, sc.names.v[i]);
	scan_release(&sc);
	free(dir);
	return ret;
}

/* ---- the walk of upload_archives() ---- */

struct upload_walk {
	struct scan sc;
	char *dir;		/* the node's directory, the archive's root */
};

struct upload_walk *upload_walk_start(const struct pipeline *p,
				      const struct node *n)
{
	struct upload_walk *w = xcalloc(1, sizeof(*w));

	w->dir = node_dir(p, n);
	/* No member list: the archive's own walk is the scan. */
	scan_init(&w->sc, p, n, w->dir, NULL);
	return w;
}

const char *upload_walk_dir(const struct upload_walk *w)
{
	return w->dir;
}

int upload_walk_filter(const char *name, int is_dir, void *w)
{
	return elyra_filter(name, is_dir, &((struct upload_walk *)w)->sc);
}

int upload_walk_end(struct upload_walk *w)
{
	const struct node *n = w->sc.n;
	int ret = 0;

	/* The walk left them out; the archive must not go up so. */
	for (int k = 0; k < w->sc.escapes.n; k += 2)
		ret = error("node '%s' (%s): '%s' is a symlink to '%s', "
			    "outside the pipeline's directory '%s': "
			    "refusing to archive it", n->label, n->id,
			    w->sc.escapes.v[k], w->sc.escapes.v[k + 1],
			    w->sc.root);
	scan_release(&w->sc);
	free(w->dir);
	free(w);
	return ret;
}
