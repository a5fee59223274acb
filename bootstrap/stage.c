/*
 * stage: moving the step's files. In: the dependency archive (extracted
 * safely) and the inputs, from the object store or from Argo's input
 * artifacts. Out: the log and executed notebook, the outputs, and their
 * staging as Argo output artifacts.
 */
#include "bootstrap/step.h"

#include <errno.h>
#include <fnmatch.h>
#include <ftw.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/archive.h"
#include "common/exitcode.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/names.h"

/* Calls fn for each ';'-separated, trimmed, non-empty item of list. */
static int each_item(const char *list, int (*fn)(struct step *, const char *),
		     struct step *s)
{
	struct buf item = BUF_INIT;
	int ret = 0;

	while (list && *list) {
		size_t n = strcspn(list, ";");
		const char *b = list, *e = list + n;

		while (b < e && (*b == ' ' || *b == '\t'))
			b++;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		buf_reset(&item);
		buf_add(&item, b, e - b);
		/* "./x" and "x" are one file; a trailing '/' names a dir. */
		while (item.len > 2 && !strncmp(item.buf, "./", 2)) {
			memmove(item.buf, item.buf + 2, item.len - 1);
			item.len -= 2;
		}
		while (item.len > 1 && item.buf[item.len - 1] == '/')
			buf_setlen(&item, item.len - 1);
		if (item.len) {
			int r = fn(s, item.buf);

			if (r && !ret)
				ret = r;
		}
		list += n;
		if (*list)
			list++;
	}
	buf_release(&item);
	return ret;
}

static int has_glob(const char *p)
{
	return strpbrk(p, "*?[") != NULL;
}

/* Inputs and outputs are paths in the work dir: never outside it. */
static int path_ok(const char *what, const char *p)
{
	const char *q = p;

	if (*p == '/')
		return error("%s '%s' is an absolute path; give it relative "
			     "to the notebook or script", what, p);
	while (*q) {
		size_t n = strcspn(q, "/");

		if (n == 2 && !strncmp(q, "..", 2))
			return error("%s '%s' reaches outside the work dir "
				     "with '..'", what, p);
		q += n;
		if (*q)
			q++;
	}
	return 0;
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

static int put_logged(struct step *s, const char *path, const char *key)
{
	double t = log_now();

	if (store_put(s->store, path, key) < 0)
		return -1;
	step_log(s, log_now() - t, "uploaded %s to bucket: %s object: %s",
		 path, s->o->cos_bucket, key);
	return 0;
}

int step_fetch_archive(struct step *s)
{
	double t = log_now();
	char *key;
	int ret;

	step_log(s, 0, "processing dependencies");
	key = step_key(s, 0, s->o->archive);
	if (path_ok("the dependency archive", s->o->archive) < 0)
		ret = T3Q_EXIT_USAGE;
	else if (get_logged(s, key, s->o->archive) < 0)
		ret = T3Q_EXIT_STORE;
	else if (archive_extract_safe(s->o->archive, ".") < 0)
		ret = T3Q_EXIT_ARCHIVE;
	else
		ret = 0;
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
	g->matched++;
	if (path_ok("input", rel) < 0 || get_logged(g->s, e->key, rel) < 0)
		g->failed = 1;
	return 0;
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
	if (path_ok("input", rel) < 0 || get_logged(t->s, e->key, rel) < 0)
		t->failed = 1;
	return 0;
}

static int fetch_input(struct step *s, const char *in)
{
	char *key, *prefix;
	size_t skip = strlen(s->run_dir) + (*s->run_dir ? 1 : 0);
	int ret = 0, r;

	if (path_ok("input", in) < 0)
		return T3Q_EXIT_USAGE;
	if (has_glob(in)) {
		struct glob_fetch g = { s, in, skip, 0, 0 };
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
		free(prefix);
		if (!g.failed && !g.matched)
			warn("input '%s' matched no object under s3://%s/%s",
			     in, s->o->cos_bucket, s->run_dir);
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
	free(key);
	return ret;
}

/*
 * Argo has put the artifact of this input at <artifact_in>/<name>: a file
 * for a file output, or a tree of paths relative to the producer's work
 * dir for a directory or glob output (see stage_output_artifact).
 */
static int place_artifact(struct step *s, const char *in)
{
	struct buf name = BUF_INIT;
	char *src;
	struct stat st;
	int ret = 0;

	if (path_ok("input", in) < 0)
		return T3Q_EXIT_USAGE;
	names_artifact(&name, in);
	src = xstrfmt("%s/%s", s->o->artifact_in, name.buf);
	if (stat(src, &st) < 0) {
		error("input '%s': no artifact at '%s' (Argo puts input "
		      "artifacts there)", in, src);
		ret = T3Q_EXIT_STORE;
	} else if (S_ISDIR(st.st_mode))
		ret = fs_link_tree(src, ".") < 0 ? T3Q_EXIT_STORE : 0;
	else
		ret = fs_link_or_copy(src, in) < 0 ? T3Q_EXIT_STORE : 0;
	if (!ret)
		step_log(s, 0, "placed artifact %s at %s", name.buf, in);
	free(src);
	buf_release(&name);
	return ret;
}

int step_fetch_inputs(struct step *s)
{
	double t = log_now();
	int ret;

	if (!s->o->inputs || !*s->o->inputs)
		return 0;
	ret = each_item(s->o->inputs, s->o->artifact_in ? place_artifact
				       : fetch_input, s);
	step_time(s, "inputs", log_now() - t);
	if (!ret)
		step_log(s, log_now() - t, "dependencies processed");
	return ret;
}

int step_upload_logs(struct step *s)
{
	char *key;
	int ret = 0;

	if (!s->o->output_to_s3)
		return 0;
	if (s->log_fd >= 0)
		fdatasync(s->log_fd);
	key = step_key(s, 1, s->log_path);
	if (put_logged(s, s->log_path, key) < 0)
		ret = T3Q_EXIT_UPLOAD;
	else
		s->log_uploaded = 1;
	free(key);
	/* The executed notebook goes up under the notebook's own name. */
	if (!access(s->nb_out, F_OK)) {
		key = step_key(s, 1, s->base);
		if (put_logged(s, s->nb_out, key) < 0)
			ret = T3Q_EXIT_UPLOAD;
		free(key);
	}
	if (!access(s->nb_html, F_OK)) {
		key = step_key(s, 1, s->nb_html);
		if (put_logged(s, s->nb_html, key) < 0)
			ret = T3Q_EXIT_UPLOAD;
		free(key);
	}
	return ret;
}

static struct step *walk_step;
static int walk_failed;

static void record_output(struct step *s, const char *key, long long size)
{
	s->outputs = xrealloc(s->outputs, (s->noutputs + 1) *
			      sizeof(*s->outputs));
	s->outputs[s->noutputs].key = xstrdup(key);
	s->outputs[s->noutputs++].size = size;
}

static int upload_file(struct step *s, const char *path)
{
	char *key = step_key(s, 1, path);
	struct stat st;
	int ret = 0;

	if (put_logged(s, path, key) < 0)
		ret = -1;
	else if (stat(path, &st) == 0)
		record_output(s, key, st.st_size);
	free(key);
	return ret;
}

static int walk_upload_one(const char *path, const struct stat *st, int type,
			   struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_F && upload_file(walk_step, path) < 0)
		walk_failed = 1;
	return 0;
}

/* Uploads a file, or a directory's files with hidden ones, as Elyra does. */
static int upload_path(struct step *s, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return error_errno("output '%s'", path);
	if (!S_ISDIR(st.st_mode))
		return upload_file(s, path);
	walk_step = s;
	walk_failed = 0;
	if (nftw(path, walk_upload_one, 16, 0) < 0)
		return error_errno("cannot walk output directory '%s'", path);
	return walk_failed ? -1 : 0;
}

/*
 * A plain file output is staged as the artifact itself; a directory or a
 * glob as a directory holding the matches at their work-dir paths, which
 * the consumer lays back into its own work dir (place_artifact).
 */
static int stage_output_artifact(struct step *s, const char *out,
				 char **matches, size_t n)
{
	struct buf name = BUF_INIT;
	struct stat st;
	char *dst;
	int ret = 0;

	names_artifact(&name, out);
	dst = xstrfmt("%s/%s", s->o->artifact_out, name.buf);
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
	free(dst);
	buf_release(&name);
	return ret;
}

static int upload_output(struct step *s, const char *out)
{
	char *one[1] = { (char *)out };
	glob_t g = { 0 };
	char **matches = one;
	size_t n = 1;
	int ret = 0;

	if (path_ok("output", out) < 0)
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
	} else if (access(out, F_OK) < 0) {
		return error("output '%s' was declared but the step did not "
			     "create it (in %s)", out, s->o->work_dir),
		       T3Q_EXIT_UPLOAD;
	}
	for (size_t i = 0; i < n; i++)
		if (upload_path(s, matches[i]) < 0)
			ret = T3Q_EXIT_UPLOAD;
	if (!ret && s->o->artifact_out &&
	    stage_output_artifact(s, out, matches, n) < 0)
		ret = T3Q_EXIT_UPLOAD;
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
	ret = each_item(s->o->outputs, upload_output, s);
	step_time(s, "outputs", log_now() - t);
	if (!ret)
		step_log(s, log_now() - t, "outputs processed");
	return ret;
}
