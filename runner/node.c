/*
 * node: one node started. A generic node runs through t3q-bootstrap with
 * the very arguments and environment t3q-compile puts in the Argo YAML
 * (pipeline/nodecmd.c), its ancestors' artifacts laid in as Argo passes
 * them; a custom component runs its own command on this host.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "component/component.h"
#include "pipeline/names.h"
#include "pipeline/nodecmd.h"
#include "runner/run.h"

/* A run parameter's value: -p's, else the pipeline's (nodecmd_ctx). */
static const char *param_value(void *ctx, const struct param *pm)
{
	struct run *r = ctx;

	for (int i = 0; i < r->noverrides; i++)
		if (!strcmp(r->overrides[i].key, pm->name))
			return r->overrides[i].value;
	return pm->value ? pm->value : "";
}

/* Artifacts, as Argo passes them: the producer's staged outputs,
 * laid into the consumer's input dir under the same names. */
static int stage_inputs(struct run *r, struct job *j, const char *in_dir)
{
	for (int i = 0; i < j->n->inputs.n; i++) {
		struct job *from = &r->job[j->n->input_from[i]];
		struct buf name = BUF_INIT;
		struct stat st;
		char *src, *dst;
		int ret;

		names_artifact(&name, j->n->inputs.v[i]);
		src = xstrfmt("%s/artifacts/out/%s", from->dir, name.buf);
		dst = xstrfmt("%s/%s", in_dir, name.buf);
		if (access(src, F_OK))
			ret = 0;
		else if (stat(src, &st) == 0 && S_ISDIR(st.st_mode))
			ret = fs_link_tree(src, dst);
		else
			ret = fs_link_or_copy(src, dst);
		free(src);
		free(dst);
		buf_release(&name);
		if (ret < 0)
			return -1;
	}
	return 0;
}

/* A component's file for input or output name: <dir>/<kind>/<name>/data. */
static char *io_path(const struct job *j, const char *kind, const char *name)
{
	struct buf b = BUF_INIT;

	buf_addf(&b, "%s/%s/", j->dir, kind);
	component_file_name(&b, name);
	buf_adds(&b, "/data");
	return buf_detach(&b, NULL);
}

static int write_text(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(s, f) == EOF) {
		if (f)
			fclose(f);
		return error_errno("cannot write '%s'", path);
	}
	if (fclose(f) != 0)
		return error_errno("cannot write '%s'", path);
	return 0;
}

/* Whether argv0 names a program this host has (on PATH, or a path). */
static int on_host(const char *argv0)
{
	const char *path = getenv("PATH"), *p;

	if (strchr(argv0, '/'))
		return !access(argv0, X_OK);
	for (p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");
		char *cand = xstrfmt("%.*s/%s", (int)n, p, argv0);
		int ok = !access(cand, X_OK);

		free(cand);
		if (ok)
			return 1;
		p += n + (p[n] == ':');
	}
	return 0;
}

/*
 * The inputs and outputs of custom node idx as local paths and values:
 * what Argo would place at /tmp/inputs/<name>/data is the producer's
 * output file here, a value given to a path is written to a file, an
 * output read by value is the producer's file's text. Returns 0 or -1.
 */
static int bind_custom(struct run *r, int idx, char **values,
		       char **in_paths, char **out_paths)
{
	const struct component *c = r->defs[idx];
	struct job *j = &r->job[idx];

	for (int i = 0; i < c->ninputs; i++) {
		const struct component_arg *a = &r->args[idx][i];
		struct buf text = BUF_INIT;

		switch (a->kind) {
		case ARG_NONE:
			continue;
		case ARG_CONST:
			values[i] = xstrdup(a->value);
			break;
		case ARG_PARAM:
			values[i] = xstrdup(param_value(r,
					pipeline_param(&r->p, a->value)));
			break;
		case ARG_OUTPUT:
			in_paths[i] = io_path(&r->job[a->from], "outputs",
				r->defs[a->from]->outputs[a->output].name);
			if (buf_read_file(&text, in_paths[i]) < 0)
				buf_reset(&text);
			values[i] = xstrdup(text.buf ? text.buf : "");
			buf_release(&text);
			continue;
		}
		in_paths[i] = io_path(j, "inputs", c->inputs[i].name);
		if (fs_mkdir_parents(in_paths[i]) < 0 ||
		    write_text(in_paths[i], values[i]) < 0)
			return -1;
	}
	for (int i = 0; i < c->noutputs; i++)
		out_paths[i] = io_path(j, "outputs", c->outputs[i].name);
	return 0;
}

/*
 * In a child: the signals the scheduler blocks (sched.c) unblocked, its
 * output to the pipes, then argv; 127 if it cannot run, as a shell says.
 */
static void child_exec(char **argv, int out, int err)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	dup2(out, 1);
	dup2(err, 2);
	execvp(argv[0], argv);
	fprintf(stderr, "t3q-run: cannot run '%s': %s\n", argv[0],
		strerror(errno));
	_exit(127);
}

/* The job runs from now: its pid, and the read ends of its pipes. */
static void job_running(struct job *j, pid_t pid, int out, int err)
{
	j->pid = pid;
	j->out = out;
	j->err = err;
	j->state = RUNNING;
	j->start = log_now();
}

/* Custom node idx's command line, its placeholders resolved. 0 or -1. */
static int custom_argv(struct run *r, int idx, struct strlist *argv)
{
	const struct component *c = r->defs[idx];
	char **values = xcalloc(c->ninputs + 1, sizeof(char *)),
	     **in_paths = xcalloc(c->ninputs + 1, sizeof(char *)),
	     **out_paths = xcalloc(c->noutputs + 1, sizeof(char *));
	struct component_binding b = {
		(const char *const *)values, (const char *const *)in_paths,
		(const char *const *)out_paths, NULL, NULL };
	struct buf e = BUF_INIT;
	int ret = bind_custom(r, idx, values, in_paths, out_paths);

	if (!ret && (component_expand(c, c->command, &b, argv, &e) < 0 ||
		     component_expand(c, c->args, &b, argv, &e) < 0)) {
		error("%s: %s", r->job[idx].n->task_name, e.buf);
		ret = -1;
	}
	for (int i = 0; i < c->ninputs; i++) {
		free(values[i]);
		free(in_paths[i]);
	}
	for (int i = 0; i < c->noutputs; i++)
		free(out_paths[i]);
	free(values);
	free(in_paths);
	free(out_paths);
	buf_release(&e);
	return ret;
}

/* The component's command, its env on top of ours, in work. */
static pid_t spawn_custom(const struct component *c, char **argv,
			  const char *work, int out, int err)
{
	pid_t pid = fork();

	if (pid == 0) {
		const cJSON *x;

		cJSON_ArrayForEach(x, c->env)
			setenv(x->string, cJSON_IsString(x) ? x->valuestring
							    : "", 1);
		if (chdir(work) < 0)
			_exit(126);
		child_exec(argv, out, err);
	}
	if (pid < 0)
		error_errno("cannot fork");
	return pid;
}

/*
 * A custom node on this host: the component's command and args, with
 * its placeholders resolved to local paths, its env on top of ours, in
 * the node's work dir. A program the host lacks fails the node, saying
 * so (the container image is not used).
 */
static int start_custom(struct run *r, struct job *j, int out[2],
			int err[2])
{
	int idx = (int)(j - r->job);
	const struct component *c = r->defs[idx];
	struct strlist argv = { NULL, 0 };
	char *work = xstrfmt("%s/work", j->dir);
	pid_t pid = -1;

	if (fs_mkdir_p(work) < 0 || custom_argv(r, idx, &argv) < 0)
		goto out;
	if (!argv.n) {
		error("%s: the component has no command (it relies on the "
		      "image's entrypoint, which t3q-run cannot run)",
		      j->n->task_name);
		goto out;
	}
	if (!on_host(argv.v[0])) {
		error("%s: the component runs '%s', which is not on this "
		      "host (it expects image '%s'); install it, or skip "
		      "custom components with --no-host-components",
		      j->n->task_name, argv.v[0], c->image);
		goto out;
	}
	argv.v = xrealloc(argv.v, (argv.n + 1) * sizeof(char *));
	argv.v[argv.n] = NULL;
	pid = spawn_custom(c, argv.v, work, out[1], err[1]);
out:
	for (int i = 0; i < argv.n; i++)
		free(argv.v[i]);
	free(argv.v);
	free(work);
	close(out[1]);
	close(err[1]);
	if (pid < 0) {
		close(out[0]);
		close(err[0]);
		return -1;
	}
	job_running(j, pid, out[0], err[0]);
	info("%s: started (%s, on this host)", j->n->task_name, c->name ?
	     c->name : "custom component");
	return 0;
}

/* The bootstrap, with the node's arguments and environment. */
static pid_t spawn_bootstrap(const struct run *r, const struct nodecmd *nc,
			     const char *work, int out, int err)
{
	pid_t pid = fork();

	if (pid == 0) {
		char **argv = xcalloc(nc->nargs + 2, sizeof(char *));

		argv[0] = r->bootstrap;
		memcpy(argv + 1, nc->args, nc->nargs * sizeof(char *));
		for (int i = 0; i < nc->nenv; i++)
			setenv(nc->env[i].key, nc->env[i].value, 1);
		setenv("T3Q_WORK_DIR", work, 1);
		/* The bootstrap's interpreter for notebooks: see docs/guide.md, t3q-run. */
		child_exec(argv, out, err);
	}
	return pid;
}

/* A generic node: the directories it uses, its inputs, the bootstrap. */
static int start_bootstrap(struct run *r, struct job *j)
{
	char *in_dir = xstrfmt("%s/artifacts/in", j->dir);
	char *out_dir = xstrfmt("%s/artifacts/out", j->dir);
	char *wcd = xstrfmt("%s/kfp", j->dir);
	char *work = xstrfmt("%s/work", j->dir);
	struct nodecmd_ctx ctx = {
		&r->p, r->endpoint, r->bucket, r->cos_directory, r->run_id,
		in_dir, out_dir, wcd, param_value, r, r->run_id,
	};
	struct nodecmd nc;
	int out[2], err[2], ret = -1;
	pid_t pid;

	if (fs_mkdir_p(in_dir) < 0 || fs_mkdir_p(out_dir) < 0 ||
	    fs_mkdir_p(wcd) < 0 || fs_mkdir_p(work) < 0 ||
	    stage_inputs(r, j, in_dir) < 0 || pipe2(out, O_CLOEXEC) < 0 ||
	    pipe2(err, O_CLOEXEC) < 0)
		goto out;
	nodecmd_build(&ctx, j->n, &nc);
	pid = spawn_bootstrap(r, &nc, work, out[1], err[1]);
	close(out[1]);
	close(err[1]);
	nodecmd_release(&nc);
	if (pid < 0) {
		ret = error_errno("cannot fork");
		goto out;
	}
	job_running(j, pid, out[0], err[0]);
	info("%s: started", j->n->task_name);
	ret = 0;
out:
	free(in_dir);
	free(out_dir);
	free(wcd);
	free(work);
	return ret;
}

int node_start(struct run *r, struct job *j)
{
	int out[2], err[2];

	if (!r->defs || !r->defs[j - r->job])
		return start_bootstrap(r, j);
	if (fs_mkdir_p(j->dir) < 0 || pipe2(out, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(err, O_CLOEXEC) < 0) {
		close(out[0]);
		close(out[1]);
		return -1;
	}
	return start_custom(r, j, out, err);
}
