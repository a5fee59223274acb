/* nodecmd: a node's t3q-bootstrap arguments and environment. */
#include "pipeline/nodecmd.h"
#include "base/strmap.h"

#include <stdlib.h>
#include <string.h>

static void arg(struct nodecmd *c, const char *s)
{
	int slots = c->nargs + 1;	/* in use, the NULL included */

	/* Doubles at each power of two: 40,000 parameter args stay linear. */
	if (!(slots & (slots - 1)))
		c->args = xrealloc(c->args, 2 * slots * sizeof(*c->args));
	c->args[c->nargs++] = xstrdup(s);
	c->args[c->nargs] = NULL;
}

/* Appends without looking: the caller knows k is not there yet. */
static void env_append(struct nodecmd *c, const char *k, const char *v,
		       int *alloc)
{
	if (c->nenv == *alloc) {
		*alloc = *alloc ? 2 * *alloc : 16;
		c->env = xrealloc(c->env, *alloc * sizeof(*c->env));
	}
	c->env[c->nenv].key = xstrdup(k);
	c->env[c->nenv++].value = xstrdup(v);
}

static void env(struct nodecmd *c, const char *k, const char *v, int *alloc)
{
	for (int i = 0; i < c->nenv; i++)
		if (!strcmp(c->env[i].key, k)) {
			free(c->env[i].value);
			c->env[i].value = xstrdup(v);
			return;
		}
	env_append(c, k, v, alloc);
}

/*
 * Elyra's bootstrapper never overwrites a name that is already set. have
 * holds the names set so far, so that 20,000 parameters stay linear.
 */
static void env_default(struct nodecmd *c, struct strmap *have,
			const char *k, const char *v, int *alloc)
{
	if (strmap_get(have, k))
		return;
	env_append(c, k, v, alloc);
	strmap_put(have, c->env[c->nenv - 1].key, c);
}

static int node_env_has(const struct node *n, const char *name)
{
	for (int i = 0; i < n->nenv; i++)
		if (*n->env[i].value && !strcmp(n->env[i].key, name))
			return 1;
	return 0;
}

static void join(struct buf *b, const struct strlist *l)
{
	for (int i = 0; i < l->n; i++) {
		if (i)
			buf_addch(b, ';');
		buf_adds(b, l->v[i]);
	}
}

char *nodecmd_archive_name(const struct node *n)
{
	const char *base = strrchr(n->filename, '/');
	const char *dot;

	base = base ? base + 1 : n->filename;
	dot = strrchr(base, '.');
	return xstrfmt("%.*s-%s.tar.gz", (int)(dot && dot != base ?
		       dot - base : (long)strlen(base)), base, n->id);
}

static int shadowed_by_secret(const struct node *n, const char *name)
{
	for (int i = 0; i < n->nsecrets; i++)
		if (n->secrets[i].env_var &&
		    !strcmp(n->secrets[i].env_var, name))
			return 1;
	return 0;
}

/* One "--pipeline-parameter NAME=VALUE" per parameter passed. */
static void param_args(const struct nodecmd_ctx *c, const struct node *n,
		       struct nodecmd *out)
{
	for (int i = 0; i < n->params.n; i++) {
		const struct param *pm = pipeline_param(c->p, n->params.v[i]);
		char *s;

		/* A node env var of that name wins, as below. */
		if (!pm || node_env_has(n, pm->name))
			continue;
		s = xstrfmt("%s=%s", pm->name, c->param_value(c->ctx, pm));
		arg(out, "--pipeline-parameter");
		arg(out, s);
		free(s);
	}
}

void nodecmd_build(const struct nodecmd_ctx *c, const struct node *n,
		   struct nodecmd *out)
{
	nodecmd_build_flags(c, n, out, 0);
}

void nodecmd_build_flags(const struct nodecmd_ctx *c, const struct node *n,
			 struct nodecmd *out, unsigned flags)
{
	struct buf b = BUF_INIT;
	struct strmap have = { 0 };
	char *archive = nodecmd_archive_name(n);
	int alloc = 0;
	const char *base = strrchr(n->filename, '/');

	memset(out, 0, sizeof(*out));
	/* bootstrapper.py's flags, in the order Elyra writes them. */
	arg(out, "--pipeline-name");
	arg(out, c->p->name);
	arg(out, "--cos-endpoint");
	arg(out, c->cos_endpoint);
	arg(out, "--cos-bucket");
	arg(out, c->cos_bucket);
	arg(out, "--cos-directory");
	arg(out, c->cos_directory);
	arg(out, "--cos-dependencies-archive");
	if (c->archive_dir && *c->archive_dir) {
		buf_addf(&b, "%s/%s", c->archive_dir, archive);
		arg(out, b.buf);
		buf_reset(&b);
	} else {
		arg(out, archive);
	}
	/* The archive is rooted at the file's directory. */
	arg(out, "--file");
	arg(out, base ? base + 1 : n->filename);
	if (n->inputs.n) {
		join(&b, &n->inputs);
		arg(out, "--inputs");
		arg(out, b.buf);
		buf_reset(&b);
	}
	if (n->outputs.n) {
		join(&b, &n->outputs);
		arg(out, "--outputs");
		arg(out, b.buf);
		buf_reset(&b);
	}
	if (n->params.n && (flags & NODECMD_PARAM_ARGS)) {
		param_args(c, n, out);
	} else if (n->params.n) {
		int any = 0;

		for (int i = 0; i < n->params.n; i++) {
			const struct param *pm = pipeline_param(c->p,
								n->params.v[i]);

			/*
			 * A node env var of that name wins (Elyra's
			 * bootstrapper never overwrites a set name), so the
			 * run-form value is left out: it could only reach the
			 * step through the ';'-split list, where a value
			 * holding "x;Y=z" would make a variable Y.
			 */
			if (!pm || node_env_has(n, pm->name))
				continue;
			if (any++)
				buf_addch(&b, ';');
			buf_addf(&b, "%s=%s", pm->name,
				 c->param_value(c->ctx, pm));
		}
		if (any) {
			arg(out, "--pipeline-parameters");
			arg(out, b.buf);
			arg(out, "--parameter-pass-method");
			arg(out, "env");
		}
		buf_reset(&b);
	}
	if (c->artifact_in && n->inputs.n) {
		arg(out, "--artifact-inputs");
		arg(out, c->artifact_in);
	}
	if (c->artifact_out && n->outputs.n) {
		arg(out, "--artifact-outputs");
		arg(out, c->artifact_out);
	}
	/* Only where Elyra's <stem>.log would be another node's too. */
	if (n->log_name) {
		arg(out, "--log-name");
		arg(out, n->log_name);
	}

	/*
	 * The node's own env first; a secret of the same name wins. Its keys
	 * are unique (pipeline_load merged them), so they are appended
	 * without a search: 40k env vars stay linear.
	 */
	for (int i = 0; i < n->nenv; i++)
		if (*n->env[i].value && !shadowed_by_secret(n, n->env[i].key))
			env_append(out, n->env[i].key, n->env[i].value,
				   &alloc);
	env(out, "ELYRA_RUNTIME_ENV", "kfp", &alloc);
	env(out, "ELYRA_RUN_NAME", c->run_id, &alloc);
	env(out, "ELYRA_ENABLE_PIPELINE_INFO", "True", &alloc);
	env(out, "ELYRA_WRITABLE_CONTAINER_DIR", c->writable_dir, &alloc);
	/*
	 * Parameters as env vars directly, so that a value holding ';' or
	 * '=' reaches the step whole; --pipeline-parameters says the same
	 * for bootstrapper.py compatibility. A node env var of the same name
	 * wins, as in Elyra, whose bootstrapper keeps a name already set.
	 */
	for (int i = 0; i < out->nenv; i++)
		strmap_put(&have, out->env[i].key, out);
	for (int i = 0; i < n->params.n; i++) {
		const struct param *pm = pipeline_param(c->p, n->params.v[i]);

		if (pm)
			env_default(out, &have, pm->name,
				    c->param_value(c->ctx, pm), &alloc);
	}
	strmap_release(&have);
	free(archive);
	buf_release(&b);
}

void nodecmd_release(struct nodecmd *cmd)
{
	for (int i = 0; i < cmd->nargs; i++)
		free(cmd->args[i]);
	free(cmd->args);
	for (int i = 0; i < cmd->nenv; i++) {
		free(cmd->env[i].key);
		free(cmd->env[i].value);
	}
	free(cmd->env);
	memset(cmd, 0, sizeof(*cmd));
}
