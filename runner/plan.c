/*
 * plan: what a run is before any node starts: the pipeline read and
 * validated as t3q-compile does, custom components' definitions, the -p
 * values checked, the store opened and the run's prefix claimed in it,
 * the dependency archives uploaded, and a job per node.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/upload.h"
#include "base/log.h"
#include "component/catalog.h"
#include "component/component.h"
#include "runner/run.h"
#include "store/store.h"

static int open_store(struct run *r)
{
	struct s3_config cfg;

	s3_config_init(&cfg);
	if (s3_config_from_env(&cfg) < 0) {
		s3_config_release(&cfg);
		return -1;
	}
	if (!strncmp(r->store_url, "s3://", 5)) {
		const char *b = r->store_url + 5;
		size_t n = strcspn(b, "/");
		struct buf dir = BUF_INIT;

		/* s3://bucket/prefix: the prefix leads the cos directory. */
		r->bucket = xstrndup(b, n);
		store_key_join(&dir, b + n, r->cos_directory);
		free(r->cos_directory);
		r->cos_directory = buf_detach(&dir, NULL);
		free(r->store_url);
		r->store_url = xstrfmt("s3://%s", r->bucket);
		if (!cfg.endpoint) {
			s3_config_release(&cfg);
			return error("--store %s needs T3Q_S3_ENDPOINT (and "
				     "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)",
				     r->store_url);
		}
		r->endpoint = xstrdup(cfg.endpoint);
	} else {
		/* The bootstrap takes a file:// "bucket" as the store. */
		r->endpoint = xstrdup("file://");
		r->bucket = xstrdup(r->store_url);
	}
	r->store = store_open(r->store_url, &cfg);
	s3_config_release(&cfg);
	return r->store ? 0 : -1;
}

static int found_one(void *ctx, const struct store_entry *e)
{
	(void)e;
	*(int *)ctx = 1;
	return 1;
}

/*
 * Makes the run's own directory with mkdir, which only one of two runs
 * given one --run-id can do (a check, then a mkdir, let both through and
 * mixed their outputs). A store that already holds objects under the
 * run's prefix (a run from another work dir) is refused as well.
 */
static int claim_run(struct run *r, const char *prefix)
{
	char *under = xstrfmt("%s/", prefix);
	int found = 0, rc;

	if (mkdir(r->run_dir, 0755) < 0) {
		free(under);
		if (errno == EEXIST)
			return error("run id '%s' is in use: '%s' exists; give "
				     "another --run-id", r->run_id,
				     r->run_dir);
		return error_errno("cannot make the run's directory '%s'",
				   r->run_dir);
	}
	rc = store_list(r->store, under, "/", found_one, &found);
	if (found)
		error("run id '%s' is in use: %s holds objects under '%s'; "
		      "give another --run-id", r->run_id, r->store_url, under);
	free(under);
	if (found || rc < 0) {
		rmdir(r->run_dir);
		return -1;
	}
	return 0;
}

static int check_overrides(struct run *r)
{
	for (int i = 0; i < r->noverrides; i++)
		if (!pipeline_param(&r->p, r->overrides[i].key))
			return error("-p %s: the pipeline has no parameter "
				     "'%s'", r->overrides[i].key,
				     r->overrides[i].key);
	return 0;
}

/* Custom nodes' definitions, and Elyra's checks on them (t3q-compile's). */
static void load_custom(struct run *r)
{
	struct catalog cat = { r->comp_dirs, r->ncomp_dirs, r->comp_files,
			       r->ncomp_files };
	int any = 0;

	for (int i = 0; i < r->p.nnodes; i++)
		any |= r->p.nodes[i].kind == NODE_CUSTOM;
	if (!any || r->p.version < 8)
		return;
	r->defs = xcalloc(r->p.nnodes, sizeof(*r->defs));
	if (r->no_host)
		return;	/* skipped: their definitions do not matter */
	if (catalog_resolve(&cat, &r->p, r->defs))
		return;
	r->args = component_args(&r->p, r->defs, 0);
}

/*
 * With --no-host-components, each custom node and what depends on it is
 * skipped, by name; else it is said once that their images are not used.
 */
static void skip_custom(struct run *r)
{
	int n = 0;

	for (int i = 0; i < r->p.nnodes; i++) {
		if (r->p.nodes[i].kind != NODE_CUSTOM)
			continue;
		n++;
		if (!r->no_host)
			continue;
		r->job[i].state = SKIPPED;
		r->job[i].by_choice = 1;
		warn("%s: a custom component, skipped (--no-host-components)",
		     r->p.nodes[i].task_name);
		sched_skip_dependents(r, i);
	}
	for (int i = 0; i < r->p.nnodes && r->no_host; i++)
		if (r->job[i].state == SKIPPED)
			r->job[i].by_choice = 1;
	if (n && !r->no_host)
		info("%d custom component%s run on this host with their own "
		     "commands; their container images are not used", n,
		     n > 1 ? "s" : "");
}

int plan_read(struct run *r, const char *path)
{
	if (pipeline_load(&r->p, path) == 0 && !pipeline_validate(&r->p))
		load_custom(r);
	pipeline_print_diags(&r->p, 0);
	if (r->p.nerrors || check_overrides(r) < 0)
		return -1;
	return 0;
}

/*
 * Each run's archives under its own prefix: a run started earlier must
 * not run a file edited, and uploaded, by a later one.
 */
int plan_store(struct run *r)
{
	struct buf dir = BUF_INIT;
	int rc;

	store_key_join(&dir, r->p.cos_prefix ? r->p.cos_prefix : "",
		       r->p.name);
	r->cos_directory = buf_detach(&dir, NULL);
	if (open_store(r) < 0)
		return -1;
	store_key_join(&dir, r->cos_directory, r->run_id);
	rc = claim_run(r, dir.buf);
	if (rc == 0)
		rc = upload_archives(&r->p, r->store, dir.buf);
	buf_release(&dir);
	return rc < 0 ? -1 : 0;
}

void plan_jobs(struct run *r)
{
	r->job = xcalloc(r->p.nnodes, sizeof(*r->job));
	for (int i = 0; i < r->p.nnodes; i++) {
		struct job *j = &r->job[i];

		j->n = &r->p.nodes[i];
		j->out = j->err = -1;
		buf_init(&j->line[0], 0);
		buf_init(&j->line[1], 0);
		j->dir = xstrfmt("%s/%s", r->run_dir, r->p.nodes[i].task_name);
	}
	skip_custom(r);
}

void plan_release(struct run *r)
{
	if (r->job) {
		for (int i = 0; i < r->p.nnodes; i++) {
			buf_release(&r->job[i].line[0]);
			buf_release(&r->job[i].line[1]);
			free(r->job[i].dir);
		}
		free(r->job);
	}
	for (int i = 0; i < r->noverrides; i++) {
		free(r->overrides[i].key);
		free(r->overrides[i].value);
	}
	free(r->overrides);
	if (r->defs) {
		component_args_free(r->args, r->p.nnodes, r->defs);
		for (int i = 0; i < r->p.nnodes; i++)
			component_free(r->defs[i]);
		free(r->defs);
	}
	store_free(r->store);
	pipeline_free(&r->p);
	free(r->store_url);
	free(r->bucket);
	free(r->endpoint);
	free(r->bootstrap);
	free(r->run_id);
	free(r->run_dir);
	free(r->cos_directory);
	if (r->sigfd > 0)
		close(r->sigfd);
}
