/*
 * stage: moving the step's files. In: the dependency archive (extracted
 * safely) and the inputs, from the object store, Argo's input artifacts
 * or KFP v2's launcher paths. Out: the log and executed notebook, the
 * outputs, and their staging as Argo or KFP v2 output artifacts.
 */
#include "bootstrap/step.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/archive.h"
#include "base/exitcode.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "bootstrap/items.h"
#include "bootstrap/proc.h"
#include "pipeline/names.h"

static int has_glob(const char *p)
{
	return strpbrk(p, "*?[") != NULL;
}

static int get_logged(struct step *s, const char *key, const char *path)
{
	double t = log_now();

	if (store_get(s->store, key, path) < 0)
		return -1;
	step_log(s, log_now() - t, "downloaded %s from bucket: %s, object: %s",
		 path, s->o->cos_bucket, key);
	return 0;
}

int step_fetch_archive(struct step *s)
{
	struct archive_limits lim = {
		s->o->max_extract_bytes, s->o->max_extract_files,
		"raise it with --max-extract-bytes/T3Q_MAX_EXTRACT_BYTES or "
		"--max-extract-files/T3Q_MAX_EXTRACT_FILES, 0 for none",
		proc_cancel,
	};
	double t = log_now();
	/*
	 * "RUN/x.tar.gz" (t3q-run's per-run archives) is kept in the work
	 * dir as "x.tar.gz": the key's directories are not the step's.
	 */
	const char *local = strrchr(s->o->archive, '/');
	char *key;
	int ret, r;

	local = local ? local + 1 : s->o->archive;
	step_log(s, 0, "processing dependencies");
	key = step_key(s, 0, s->o->archive);
	if (items_path_ok("the dependency archive", s->o->archive) < 0 ||
	    !*local) {
		if (!*local)
			error("the dependency archive '%s' names no file",
			      s->o->archive);
		ret = T3Q_EXIT_USAGE;
	} else if (get_logged(s, key, local) < 0) {
		step_fail(s, "the dependency archive s3://%s/%s could not be "
			  "downloaded", s->o->cos_bucket, key);
		ret = T3Q_EXIT_STORE;
	} else if ((r = archive_extract(local, ".", &lim)) < 0) {
		/* A full disk is ours to report, not the archive's fault. */
		ret = r == ARCHIVE_E_NOSPACE ? T3Q_EXIT_INTERNAL
					     : T3Q_EXIT_ARCHIVE;
		step_fail(s, "the dependency archive '%s' could not be "
			  "extracted%s", s->o->archive, r == ARCHIVE_E_NOSPACE ?
			  ": the work dir is full" : "");
	} else {
		ret = 0;
	}
	free(key);
	step_time(s, "dependencies", log_now() - t);
	return ret;
}

struct glob_fetch {
	struct step *s;
	const char *pattern;
	size_t skip;		/* length of "run_dir/" */
	int matched;
	int failed;
	/* The matches, fetched together after the listing (many at once). */
	struct store_get_item *items;
	int alloc;
};

static int glob_fetch_one(void *ctx, const struct store_entry *e)
{
	struct glob_fetch *g = ctx;
	const char *rel = e->key + g->skip;

	if (strlen(e->key) <= g->skip || e->is_prefix)
		return 0;
	/* Python's glob: '*' stops at '/' and skips dot files. */
	if (fnmatch(g->pattern, rel, FNM_PATHNAME | FNM_PERIOD))
		return 0;
	if (items_path_ok("input", rel) < 0) {
		g->failed = 1;
		return 0;
	}
	if (g->matched == g->alloc) {
		g->alloc = g->alloc ? 2 * g->alloc : 64;
		g->items = xrealloc(g->items, g->alloc * sizeof(*g->items));
	}
	g->items[g->matched].key = xstrdup(e->key);
	g->items[g->matched].path = xstrdup(rel);
	g->items[g->matched].size = e->size;
	g->matched++;
	return 0;
}

/* Every match at once: 1000 small inputs cost round trips, not bytes. */
static void glob_fetch_all(struct glob_fetch *g)
{
	double t = log_now();

	if (!g->failed && g->matched &&
	    store_get_many(g->s->store, g->items, g->matched) < 0)
		g->failed = 1;
	for (int i = 0; i < g->matched; i++) {
		if (!g->failed)
			step_log(g->s, log_now() - t, "downloaded %s from "
				 "bucket: %s, object: %s", g->items[i].path,
				 g->s->o->cos_bucket, g->items[i].key);
		free((char *)g->items[i].key);
		free((char *)g->items[i].path);
	}
	free(g->items);
}

struct tree_fetch {
	struct step *s;
	size_t skip;
	int count;
	int failed;
};

static int tree_fetch_one(void *ctx, const struct store_entry *e)
{
	struct tree_fetch *t = ctx;
	const char *rel = e->key + t->skip;

	if (e->is_prefix || strlen(e->key) <= t->skip)
		return 0;
	t->count++;
	if (items_path_ok("input", rel) < 0 || get_logged(t->s, e->key, rel) < 0)
		t->failed = 1;
	return 0;
}

/* "." (or "./", "") names the work dir itself, which is no input. */
static int input_ok(const char *in)
{
	if (!strcmp(in, ".") || !*in)
		return error("input '%s' names the work dir itself; name the "
			     "files or directories the step needs", in);
	return items_path_ok("input", in);
}

static int fetch_input(struct step *s, const char *in)
{
	char *key, *prefix;
	size_t skip = strlen(s->run_dir) + (*s->run_dir ? 1 : 0);
	int ret = 0, r;

	if (has_glob(in)) {
		struct glob_fetch g = { s, in, skip, 0, 0, NULL, 0 };
		/* List from the last '/' before the first wildcard. */
		size_t fixed = strcspn(in, "*?[");
		char *dir;

		while (fixed && in[fixed - 1] != '/')
			fixed--;
		dir = xstrndup(in, fixed);
		/* "run_dir/" + "sub/": a prefix that ends where names start. */
		prefix = *s->run_dir ? xstrfmt("%s/%s", s->run_dir, dir)
				     : xstrdup(dir);
		free(dir);
		if (store_list(s->store, prefix, NULL, glob_fetch_one, &g) < 0)
			g.failed = 1;
		glob_fetch_all(&g);
		free(prefix);
		if (!g.failed && !g.matched)
			warn("input '%s' matched no object under s3://%s/%s",
			     in, s->o->cos_bucket, s->run_dir);
		if (g.failed)
			step_fail(s, "input '%s' could not be downloaded from "
				  "s3://%s/%s", in, s->o->cos_bucket,
				  s->run_dir);
		return g.failed ? T3Q_EXIT_STORE : 0;
	}
	key = step_key(s, 1, in);
	r = store_stat(s->store, key, NULL);
	if (r == 0) {
		ret = get_logged(s, key, in) < 0 ? T3Q_EXIT_STORE : 0;
	} else if (r == 1) {
		/* Not an object: perhaps a directory of them. */
		struct tree_fetch t = { s, skip, 0, 0 };

		prefix = xstrfmt("%s/", key);
		if (store_list(s->store, prefix, NULL, tree_fetch_one, &t) < 0)
			t.failed = 1;
		free(prefix);
		if (t.failed)
			ret = T3Q_EXIT_STORE;
		else if (!t.count) {
			error("input '%s' not found: no object s3://%s/%s and "
			      "none under it; did the node that produces it "
			      "run and declare it as an output?", in,
			      s->o->cos_bucket, key);
			ret = T3Q_EXIT_STORE;
		}
	} else {
		ret = T3Q_EXIT_STORE;
	}
	if (ret)
		step_fail(s, "input '%s' could not be downloaded from "
			  "s3://%s/%s", in, s->o->cos_bucket, key);
	free(key);
	return ret;
}

/*
 * Argo has put the artifact of this input at <artifact_in>/<name>, or KFP
 * v2's launcher at the path --artifact-input NAME=PATH gave: a file for a
 * file output, or a tree of paths relative to the producer's work dir for
 * a directory or glob output (see stage_output_artifact).
 */
static int place_artifact(struct step *s, const char *in, const char *name,
			  const char *given)
{
	char *src;
	struct stat st;
	int ret = 0;

	src = given ? xstrdup(given) : xstrfmt("%s/%s", s->o->artifact_in,
					       name);
	if (stat(src, &st) < 0) {
		error("input '%s': no artifact at '%s' (%s)", in, src, given ?
		      "--artifact-input gave that path" :
		      "Argo puts input artifacts there");
		ret = T3Q_EXIT_STORE;
	} else if (S_ISDIR(st.st_mode))
		ret = fs_link_tree(src, ".") < 0 ? T3Q_EXIT_STORE : 0;
	else
		ret = fs_link_or_copy(src, in) < 0 ? T3Q_EXIT_STORE : 0;
	if (!ret)
		step_log(s, 0, "placed artifact %s at %s", name, in);
	free(src);
	return ret;
}

/*
 * An input with a path of its own (--artifact-input) is taken from there,
 * else from the Argo artifact dir, else from the object store.
 */
static int fetch_or_place(void *ctx, const char *in)
{
	struct step *s = ctx;
	struct buf name = BUF_INIT;
	const char *given;
	int ret;

	if (input_ok(in) < 0)
		return T3Q_EXIT_USAGE;
	names_artifact(&name, in);
	given = opts_artifact_path(s->o->art_ins, s->o->nart_ins, name.buf);
	if (given || s->o->artifact_in)
		ret = place_artifact(s, in, name.buf, given);
	else
		ret = fetch_input(s, in);
	buf_release(&name);
	return ret;
}

int step_fetch_inputs(struct step *s)
{
	double t = log_now();
	int ret;

	if (!s->o->inputs || !*s->o->inputs)
		return 0;
	ret = items_each(s->o->inputs, fetch_or_place, s);
	step_time(s, "inputs", log_now() - t);
	if (!ret)
		step_log(s, log_now() - t, "dependencies processed");
	return ret;
}

int step_put_log(struct step *s)
{
	return step_put_log_cut(s, s->log_cut, s->log_errno);
}

int step_put_log_cut(struct step *s, long long cut, int cut_errno)
{
	struct buf mark = BUF_INIT;
	char *key;
	int ret;

	/*
	 * No fdatasync first (it cost 17 ms a step): the upload reads the
	 * page cache, and a full disk already failed the write(2) that the
	 * tee made (log_errno), which the mark below reports.
	 */
	/*
	 * A log cut by a full disk says so at its end, in the object, since
	 * the file has no room for the line.
	 */
	if (cut_errno)
		buf_addf(&mark, "\n[t3q-bootstrap: the log was cut at byte "
			 "%lld: cannot write '%s': %s]\n", cut,
			 s->log_path, strerror(cut_errno));
	/*
	 * The file we tee into, through our own fd, not its name: the child
	 * may have replaced <name>.log by a link to /etc/passwd.
	 */
	if (s->log_fd < 0)
		return error("the log '%s' is not open", s->log_path);
	key = step_key(s, 1, s->log_path);
	ret = store_put_fd(s->store, s->log_fd, s->log_path, key, mark.buf,
			   mark.len, 1);
	free(key);
	buf_release(&mark);
	return ret;
}

/*
 * Opens path below the work dir (fs_open_beneath), for what (an output's
 * or a file's description). Returns the fd, or -1 after logging; when
 * missing is not NULL, a path that is not there sets it, unlogged.
 */
static int open_inside(struct step *s, const char *what, const char *path,
		       int *missing)
{
	struct buf why = BUF_INIT;
	int fd = fs_open_beneath(s->work_fd, s->work_real, path, &why);

	if (fd < 0 && errno == EXDEV)
		error("%s: %s, outside the work dir; refusing to upload it",
		      what, why.buf);
	else if (fd < 0 && errno == ENOENT && missing)
		*missing = 1;
	else if (fd < 0)
		error_errno("%s: '%s'", what, path);
	buf_release(&why);
	return fd;
}

/*
 * Uploads the regular file path (below the work dir) from the fd that was
 * checked; *size, when not NULL, gets its size.
 */
static int put_inside(struct step *s, const char *what, const char *path,
		      const char *key, long long *size)
{
	struct stat st;
	double t = log_now();
	int fd = open_inside(s, what, path, NULL), ret = 0;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		ret = error("%s: '%s' is no longer a file", what, path);
	if (!ret) {
		int rfd = fs_reopen(fd, s->work_fd, path, O_RDONLY | O_CLOEXEC);

		if (rfd < 0)
			ret = error_errno("%s: cannot open '%s' for upload",
					  what, path);
		else
			ret = store_put_fd(s->store, rfd, path, key, NULL, 0,
					   0);
		if (rfd >= 0)
			close(rfd);
	}
	if (!ret) {
		step_log(s, log_now() - t, "uploaded %s to bucket: %s object: "
			 "%s", path, s->o->cos_bucket, key);
		if (size)
			*size = st.st_size;
	}
	close(fd);
	return ret;
}

/* The executed notebook or its HTML, when the run left it. */
static int put_beside_log(struct step *s, const char *what, const char *path,
			  const char *name)
{
	char *key;
	int missing = 0, fd = open_inside(s, what, path, &missing), ret;

	if (fd < 0)
		return missing ? 0 : -1;
	close(fd);
	key = step_key(s, 1, name);
	ret = put_inside(s, what, path, key, NULL);
	free(key);
	return ret;
}

int step_upload_logs(struct step *s)
{
	double t = log_now();
	char *key;
	int ret = 0;

	if (!s->o->output_to_s3)
		return 0;
	if (step_put_log(s) < 0) {
		ret = T3Q_EXIT_UPLOAD;
	} else {
		s->log_uploaded = 1;
		key = step_key(s, 1, s->log_path);
		step_log(s, log_now() - t, "uploaded %s to bucket: %s object: "
			 "%s", s->log_path, s->o->cos_bucket, key);
		free(key);
	}
	/* The executed notebook goes up under the notebook's own name. */
	if (put_beside_log(s, "the executed notebook", s->nb_out,
			   s->nb_key) < 0)
		ret = T3Q_EXIT_UPLOAD;
	if (put_beside_log(s, "the notebook's HTML", s->nb_html,
			   s->nb_html) < 0)
		ret = T3Q_EXIT_UPLOAD;
	return ret;
}

static void record_output(struct step *s, const char *key, long long size)
{
	s->outputs = xrealloc(s->outputs, (s->noutputs + 1) *
			      sizeof(*s->outputs));
	s->outputs[s->noutputs].key = xstrdup(key);
	s->outputs[s->noutputs++].size = size;
}

/*
 * The files of one output (all the matches of a glob), found before any
 * is uploaded: each path is resolved below the work dir, a link anywhere
 * on it included (fs_open_beneath), so links are followed as Elyra does
 * but only while they stay inside; a link to /etc, in an output directory
 * or on the way to a file, is refused, and nothing of that output goes up.
 */
struct collect {
	struct step *s;
	char *what;		/* "output 'x'", for messages */
	char **files;
	size_t n;
	struct stat *stack;	/* directories being walked: loops */
	size_t depth;
};

static int collect_path(struct collect *c, const char *path);

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of the directory fd (an O_PATH fd), sorted. */
static int list_dir(int fd, const char *path, char ***names, size_t *n)
{
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
	struct dirent *de;

	*names = NULL;
	*n = 0;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return error_errno("cannot read output directory '%s'", path);
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		*names = xrealloc(*names, (*n + 1) * sizeof(**names));
		(*names)[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*n)
		qsort(*names, *n, sizeof(**names), cmp_names);
	return 0;
}

static int collect_dir(struct collect *c, int fd, const char *path,
		       const struct stat *st)
{
	char **names;
	size_t n;
	int ret;

	for (size_t i = 0; i < c->depth; i++)
		if (c->stack[i].st_dev == st->st_dev &&
		    c->stack[i].st_ino == st->st_ino)
			return error("%s: '%s' is a symlink loop", c->what,
				     path);
	if (list_dir(fd, path, &names, &n) < 0)
		return -1;
	c->stack = xrealloc(c->stack, (c->depth + 1) * sizeof(*c->stack));
	c->stack[c->depth++] = *st;
	ret = 0;
	for (size_t i = 0; i < n; i++) {
		if (!ret) {
			char *sub = xstrfmt("%s/%s", path, names[i]);

			ret = collect_path(c, sub);
			free(sub);
		}
		free(names[i]);
	}
	free(names);
	c->depth--;
	return ret;
}

static int collect_path(struct collect *c, const char *path)
{
	struct stat st;
	int fd = open_inside(c->s, c->what, path, NULL), ret = 0;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		ret = error_errno("%s: '%s'", c->what, path);
	else if (S_ISDIR(st.st_mode))
		ret = collect_dir(c, fd, path, &st);
	else if (S_ISREG(st.st_mode)) {
		/* sockets, FIFOs: not files to upload */
		c->files = xrealloc(c->files, (c->n + 1) * sizeof(*c->files));
		c->files[c->n++] = xstrdup(path);
	}
	close(fd);
	return ret;
}

/*
 * Uploads the matches of an output (a file, or a directory's files with
 * hidden ones, as Elyra does), each opened below the work dir again for
 * its upload, once all of them were found inside.
 */
static int upload_matches(struct step *s, const char *out, char **matches,
			  size_t n)
{
	struct collect c = { s, NULL, NULL, 0, NULL, 0 };
	int ret = 0;

	c.what = xstrfmt("output '%s'", out);
	for (size_t i = 0; i < n && !ret; i++)
		ret = collect_path(&c, matches[i]);
	for (size_t i = 0; i < c.n; i++) {
		char *key = step_key(s, 1, c.files[i]);
		long long size = 0;

		if (!ret && proc_cancel())
			ret = error("%s: stopped by a signal", c.what);
		if (!ret && put_inside(s, c.what, c.files[i], key, &size) < 0)
			ret = -1;
		if (!ret)
			record_output(s, key, size);
		free(key);
		free(c.files[i]);
	}
	free(c.files);
	free(c.stack);
	free(c.what);
	return ret;
}

/*
 * Where an output is staged as an artifact: the path --artifact-output
 * gave it (KFP v2's launcher), else <artifact_out>/<name> (Argo), else
 * nowhere (NULL).
 */
static char *artifact_dest(const struct step *s, const char *out)
{
	struct buf name = BUF_INIT;
	const char *given;
	char *dst = NULL;

	names_artifact(&name, out);
	given = opts_artifact_path(s->o->art_outs, s->o->nart_outs, name.buf);
	if (given)
		dst = xstrdup(given);
	else if (s->o->artifact_out)
		dst = xstrfmt("%s/%s", s->o->artifact_out, name.buf);
	buf_release(&name);
	return dst;
}

/*
 * A plain file output is staged as the artifact itself; a directory or a
 * glob as a directory holding the matches at their work-dir paths, which
 * the consumer lays back into its own work dir (place_artifact).
 */
static int stage_output_artifact(const char *dst, const char *out,
				 char **matches, size_t n)
{
	struct stat st;
	int ret = 0;

	if (!has_glob(out) && n == 1 && stat(matches[0], &st) == 0 &&
	    !S_ISDIR(st.st_mode)) {
		ret = fs_link_or_copy(matches[0], dst);
	} else {
		/* An empty glob still leaves the path Argo will collect. */
		ret = fs_mkdir_p(dst);
		for (size_t i = 0; i < n && !ret; i++) {
			char *to = xstrfmt("%s/%s", dst, matches[i]);

			if (stat(matches[i], &st) == 0 && S_ISDIR(st.st_mode))
				ret = fs_mkdir_p(to) < 0 ? -1 :
					fs_link_tree(matches[i], to);
			else
				ret = fs_link_or_copy(matches[i], to);
			free(to);
		}
	}
	return ret;
}

/* Not there at all (a link that leads out is there, and refused later). */
static int output_exists(struct step *s, const char *out)
{
	int fd = fs_open_beneath(s->work_fd, s->work_real, out, NULL);

	if (fd < 0)
		return errno != ENOENT;
	close(fd);
	return 1;
}

static int upload_output(void *ctx, const char *out)
{
	struct step *s = ctx;
	char *one[1] = { (char *)out };
	glob_t g = { 0 };
	char **matches = one, *dst;
	size_t n = 1;
	int ret = 0;

	if (items_path_ok("output", out) < 0)
		return T3Q_EXIT_USAGE;
	if (has_glob(out)) {
		int r = glob(out, 0, NULL, &g);

		if (r != 0 && r != GLOB_NOMATCH) {
			globfree(&g);
			return error("output '%s': glob failed", out),
			       T3Q_EXIT_UPLOAD;
		}
		matches = g.gl_pathv;
		n = g.gl_pathc;
		if (!n)
			warn("output '%s' matched no file", out);
	} else if (!output_exists(s, out)) {
		return error("output '%s' was declared but the step did not "
			     "create it (in %s)", out, s->o->work_dir),
		       T3Q_EXIT_UPLOAD;
	}
	if (upload_matches(s, out, matches, n) < 0)
		ret = T3Q_EXIT_UPLOAD;
	if (ret)
		step_fail(s, "output '%s' was not uploaded (to s3://%s/%s/)",
			  out, s->o->cos_bucket, s->run_dir);
	dst = ret ? NULL : artifact_dest(s, out);
	if (dst && stage_output_artifact(dst, out, matches, n) < 0) {
		step_fail(s, "output '%s' could not be staged as an artifact "
			  "at '%s'", out, dst);
		ret = T3Q_EXIT_UPLOAD;
	}
	free(dst);
	if (matches != one)
		globfree(&g);
	return ret;
}

int step_upload_outputs(struct step *s)
{
	double t = log_now();
	int ret;

	if (!s->o->outputs || !*s->o->outputs)
		return 0;
	step_log(s, 0, "processing outputs");
	ret = items_each(s->o->outputs, upload_output, s);
	step_time(s, "outputs", log_now() - t);
	if (!ret)
		step_log(s, log_now() - t, "outputs processed");
	return ret;
}
