/*
 * t3q-run: runs a whole Elyra pipeline on this machine, no cluster. Every
 * node runs through t3q-bootstrap with the very arguments and environment
 * t3q-compile puts in the Argo YAML (common/nodecmd.c), and its artifacts
 * pass to its descendants as Argo would pass them.
 *
 *   t3q-run PIPELINE [-p NAME=VALUE]... [-j N] [--store URL] [--work DIR]
 *
 * Exit 0 when every node succeeded, 1 when one failed (its dependents are
 * skipped), 2 on a usage or pipeline error, 130 after Ctrl-C.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/catalog.h"
#include "common/component.h"
#include "common/exitcode.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/names.h"
#include "common/nodecmd.h"
#include "common/pipeline.h"
#include "common/store.h"
#include "common/upload.h"
#include "common/version.h"

static const char usage[] =
"usage: t3q-run PIPELINE [options]\n"
"\n"
"  -p, --param NAME=VALUE   a run parameter, as in the KFP form (repeatable)\n"
"  -j, --jobs N             nodes running at once (default 2)\n"
"      --store URL          object store: file:///dir (default: under\n"
"                           --work) or s3://bucket with T3Q_S3_ENDPOINT\n"
"      --work DIR           where runs live (default .t3q-run)\n"
"      --bootstrap PATH     the t3q-bootstrap to use (default: beside\n"
"                           t3q-run, then PATH)\n"
"      --run-id ID          default: run-<date>-<time>-<pid>-<random>\n"
"      --components DIR, --component CATALOG:ID=FILE\n"
"                           custom components' definitions (as t3q-compile)\n"
"      --no-host-components skip custom components (and what depends on\n"
"                           them) instead of running their commands here\n"
"  -v, --verbose, -h, --help, --version\n";

enum state { WAITING, RUNNING, DONE, FAILED, SKIPPED };

struct job {
	struct node *n;
	enum state state;
	pid_t pid;
	int out, err;		/* pipes, -1 when closed */
	struct buf line[2];	/* partial lines, per stream */
	double start, secs;
	int rc;
	int by_choice;		/* skipped as asked (--no-host-components) */
	char *dir;		/* <run>/<task> */
};

struct run {
	struct pipeline p;
	struct store *store;
	char *store_url;
	char *bucket;		/* what -b gets: a bucket, or the file:// URL */
	char *endpoint;
	char *bootstrap;
	char *run_id;
	char *run_dir;
	char *cos_directory;
	struct kv *overrides;
	int noverrides;
	int jobs;
	struct job *job;
	int sigfd;
	int interrupted;
	/* custom nodes: definitions and arguments, per node (or NULL) */
	struct component **defs;
	struct component_arg **args;
	const char *comp_dirs[32], *comp_files[64];
	int ncomp_dirs, ncomp_files;
	int no_host;
};

static const char *param_value(void *ctx, const struct param *pm)
{
	struct run *r = ctx;

	for (int i = 0; i < r->noverrides; i++)
		if (!strcmp(r->overrides[i].key, pm->name))
			return r->overrides[i].value;
	return pm->value ? pm->value : "";
}

static char *find_bootstrap(const char *given)
{
	char self[PATH_MAX], *slash, *cand;
	ssize_t n;

	if (given)
		return xstrdup(given);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			/* An installed tree, then a build tree. */
			cand = xstrfmt("%s/t3q-bootstrap", self);
			if (!access(cand, X_OK))
				return cand;
			free(cand);
			cand = xstrfmt("%s/../bootstrap/t3q-bootstrap", self);
			if (!access(cand, X_OK))
				return cand;
			free(cand);
		}
	}
	return xstrdup("t3q-bootstrap");
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
	char **values = xcalloc(c->ninputs + 1, sizeof(char *)),
	     **in_paths = xcalloc(c->ninputs + 1, sizeof(char *)),
	     **out_paths = xcalloc(c->noutputs + 1, sizeof(char *));
	struct component_binding b = {
		(const char *const *)values, (const char *const *)in_paths,
		(const char *const *)out_paths, NULL, NULL };
	struct strlist argv = { NULL, 0 };
	struct buf e = BUF_INIT;
	char *work = xstrfmt("%s/work", j->dir);
	pid_t pid = -1;
	int ret = -1;

	if (fs_mkdir_p(work) < 0 || bind_custom(r, idx, values, in_paths,
						out_paths) < 0)
		goto out;
	if (component_expand(c, c->command, &b, &argv, &e) < 0 ||
	    component_expand(c, c->args, &b, &argv, &e) < 0) {
		error("%s: %s", j->n->task_name, e.buf);
		goto out;
	}
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
	pid = fork();
	if (pid == 0) {
		const cJSON *x;
		sigset_t none;

		cJSON_ArrayForEach(x, c->env)
			setenv(x->string, cJSON_IsString(x) ? x->valuestring
							    : "", 1);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (chdir(work) < 0)
			_exit(126);
		dup2(out[1], 1);
		dup2(err[1], 2);
		execvp(argv.v[0], argv.v);
		fprintf(stderr, "t3q-run: cannot run '%s': %s\n", argv.v[0],
			strerror(errno));
		_exit(127);
	}
	if (pid < 0)
		error_errno("cannot fork");
	else
		ret = 0;
out:
	for (int i = 0; i < argv.n; i++)
		free(argv.v[i]);
	free(argv.v);
	for (int i = 0; i < c->ninputs; i++) {
		free(values[i]);
		free(in_paths[i]);
	}
	for (int i = 0; i < c->noutputs; i++)
		free(out_paths[i]);
	free(values);
	free(in_paths);
	free(out_paths);
	free(work);
	buf_release(&e);
	close(out[1]);
	close(err[1]);
	if (ret < 0) {
		close(out[0]);
		close(err[0]);
		return -1;
	}
	j->pid = pid;
	j->out = out[0];
	j->err = err[0];
	j->state = RUNNING;
	j->start = log_now();
	info("%s: started (%s, on this host)", j->n->task_name, c->name ?
	     c->name : "custom component");
	return 0;
}

static int start(struct run *r, struct job *j)
{
	struct buf pbuf = BUF_INIT;
	char *in_dir = xstrfmt("%s/artifacts/in", j->dir);
	char *out_dir = xstrfmt("%s/artifacts/out", j->dir);
	char *wcd = xstrfmt("%s/kfp", j->dir);
	char *work = xstrfmt("%s/work", j->dir);
	struct nodecmd_ctx ctx = {
		&r->p, r->endpoint, r->bucket, r->cos_directory, r->run_id,
		in_dir, out_dir, wcd, param_value, r, r->run_id,
	};
	struct nodecmd nc;
	int out[2], err[2];
	pid_t pid;

	(void)pbuf;
	if (r->defs && r->defs[j - r->job]) {
		free(in_dir);
		free(out_dir);
		free(wcd);
		free(work);
		if (fs_mkdir_p(j->dir) < 0 || pipe2(out, O_CLOEXEC) < 0)
			return -1;
		if (pipe2(err, O_CLOEXEC) < 0) {
			close(out[0]);
			close(out[1]);
			return -1;
		}
		return start_custom(r, j, out, err);
	}
	if (fs_mkdir_p(in_dir) < 0 || fs_mkdir_p(out_dir) < 0 ||
	    fs_mkdir_p(wcd) < 0 || fs_mkdir_p(work) < 0 ||
	    stage_inputs(r, j, in_dir) < 0 || pipe2(out, O_CLOEXEC) < 0 ||
	    pipe2(err, O_CLOEXEC) < 0) {
		free(in_dir);
		free(out_dir);
		free(wcd);
		free(work);
		return -1;
	}
	nodecmd_build(&ctx, j->n, &nc);
	pid = fork();
	if (pid == 0) {
		char **argv = xcalloc(nc.nargs + 2, sizeof(char *));
		sigset_t none;

		argv[0] = r->bootstrap;
		memcpy(argv + 1, nc.args, nc.nargs * sizeof(char *));
		for (int i = 0; i < nc.nenv; i++)
			setenv(nc.env[i].key, nc.env[i].value, 1);
		setenv("T3Q_WORK_DIR", work, 1);
		/* The bootstrap's interpreter for notebooks: see README. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		dup2(out[1], 1);
		dup2(err[1], 2);
		execvp(argv[0], argv);
		fprintf(stderr, "t3q-run: cannot run '%s': %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	nodecmd_release(&nc);
	free(in_dir);
	free(out_dir);
	free(wcd);
	free(work);
	if (pid < 0)
		return error_errno("cannot fork");
	j->pid = pid;
	j->out = out[0];
	j->err = err[0];
	j->state = RUNNING;
	j->start = log_now();
	info("%s: started", j->n->task_name);
	return 0;
}

/* Prints complete lines with the node's name before each. */
static void emit_lines(struct job *j, int stream, int final)
{
	struct buf *b = &j->line[stream];
	FILE *f = stream ? stderr : stdout;
	char *nl;

	while ((nl = memchr(b->buf, '\n', b->len))) {
		size_t len = nl - b->buf + 1;

		fprintf(f, "[%s] %.*s", j->n->task_name, (int)len, b->buf);
		memmove(b->buf, b->buf + len, b->len - len);
		buf_setlen(b, b->len - len);
	}
	if (final && b->len) {
		fprintf(f, "[%s] %s\n", j->n->task_name, b->buf);
		buf_reset(b);
	}
	fflush(f);
}

static void skip_dependents(struct run *r, int failed)
{
	for (int i = 0; i < r->p.nnodes; i++) {
		struct job *j = &r->job[i];

		if (j->state == WAITING &&
		    pipeline_is_ancestor(j->n, failed)) {
			j->state = SKIPPED;
			warn("%s: skipped, because %s failed", j->n->task_name,
			     r->job[failed].n->task_name);
		}
	}
}

static int ready(struct run *r, int i)
{
	for (int k = 0; k < r->job[i].n->parents.n; k++) {
		const struct node *par = pipeline_node(&r->p,
						       r->job[i].n->parents.v[k]);

		if (par && r->job[par - r->p.nodes].state != DONE)
			return 0;
	}
	return 1;
}

static void reap(struct run *r)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (int i = 0; i < r->p.nnodes; i++) {
			struct job *j = &r->job[i];

			if (j->pid != pid || j->state != RUNNING)
				continue;
			j->rc = WIFEXITED(status) ? WEXITSTATUS(status)
						  : 128 + WTERMSIG(status);
			j->secs = log_now() - j->start;
			j->pid = 0;
		}
	}
}

/* The scheduler: start what is ready, pump output, collect the ended. */
static void schedule(struct run *r)
{
	for (;;) {
		struct pollfd fds[1 + 2 * 64];
		struct job *owner[1 + 2 * 64];
		int nfds = 0, running = 0, pending = 0;

		for (int i = 0; i < r->p.nnodes; i++) {
			struct job *j = &r->job[i];

			if (j->state == RUNNING)
				running++;
		}
		for (int i = 0; i < r->p.nnodes && !r->interrupted; i++) {
			struct job *j = &r->job[i];

			if (j->state != WAITING)
				continue;
			pending++;
			if (running < r->jobs && running < 64 && ready(r, i)) {
				if (start(r, j) == 0) {
					running++;
				} else {
					j->state = FAILED;
					j->rc = T3Q_EXIT_INTERNAL;
					skip_dependents(r, i);
				}
			}
		}
		if (!running && (!pending || r->interrupted))
			break;
		fds[nfds] = (struct pollfd){ r->sigfd, POLLIN, 0 };
		owner[nfds++] = NULL;
		for (int i = 0; i < r->p.nnodes; i++) {
			struct job *j = &r->job[i];

			if (j->state != RUNNING)
				continue;
			if (j->out >= 0) {
				fds[nfds] = (struct pollfd){ j->out, POLLIN, 0 };
				owner[nfds++] = j;
			}
			if (j->err >= 0) {
				fds[nfds] = (struct pollfd){ j->err, POLLIN, 0 };
				owner[nfds++] = j;
			}
		}
		if (poll(fds, nfds, 500) < 0 && errno != EINTR)
			break;
		for (int k = 1; k < nfds; k++) {
			struct job *j = owner[k];
			int stream = fds[k].fd == j->err;
			char chunk[65536];
			ssize_t n;

			if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(fds[k].fd, chunk, sizeof(chunk));
			if (n > 0) {
				buf_add(&j->line[stream], chunk, n);
				emit_lines(j, stream, 0);
			} else if (n == 0 || errno != EINTR) {
				close(fds[k].fd);
				*(stream ? &j->err : &j->out) = -1;
				emit_lines(j, stream, 1);
			}
		}
		if (fds[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(r->sigfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGCHLD)
					continue;
				/* Ctrl-C: each bootstrap ends its step and
				 * still uploads its log. */
				r->interrupted = 1;
				warn("interrupted: stopping the running nodes");
				for (int i = 0; i < r->p.nnodes; i++)
					if (r->job[i].state == RUNNING &&
					    r->job[i].pid > 0)
						kill(r->job[i].pid, SIGTERM);
			}
		}
		reap(r);
		for (int i = 0; i < r->p.nnodes; i++) {
			struct job *j = &r->job[i];
			char desc[64];

			if (j->state != RUNNING || j->pid || j->out >= 0 ||
			    j->err >= 0)
				continue;
			if (j->rc == 0) {
				j->state = DONE;
				info("%s: succeeded in %.1f s", j->n->task_name,
				     j->secs);
			} else {
				j->state = FAILED;
				error("%s: failed: %s", j->n->task_name,
				      exitcode_describe(j->rc, desc,
							sizeof(desc)));
				skip_dependents(r, i);
			}
		}
	}
}

static int summary(struct run *r)
{
	static const char *const names[] = { "not run", "running",
					     "succeeded", "failed",
					     "skipped" };
	int failed = 0, w = 4;

	/* As wide as the longest name, so that the columns stay aligned. */
	for (int i = 0; i < r->p.nnodes; i++) {
		int len = (int)strlen(r->job[i].n->task_name);

		if (len > w)
			w = len;
	}
	printf("\n%-*s %-10s %9s  %s\n", w, "node", "status", "seconds",
	       "outputs");
	for (int i = 0; i < r->p.nnodes; i++) {
		struct job *j = &r->job[i];
		struct buf outs = BUF_INIT;

		for (int k = 0; k < j->n->outputs.n; k++)
			buf_addf(&outs, "%s%s", k ? ", " : "",
				 j->n->outputs.v[k]);
		printf("%-*s %-10s %9.1f  %s\n", w, j->n->task_name,
		       names[j->state], j->secs, outs.buf);
		buf_release(&outs);
		if (j->state != DONE && !j->by_choice)
			failed = 1;
	}
	printf("\nrun %s: logs and outputs in %s/%s/%s, work dirs in %s\n",
	       r->run_id, r->store_url, r->cos_directory, r->run_id,
	       r->run_dir);
	return failed;
}

static unsigned random_u16(void)
{
	unsigned short v = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	struct timespec ts;

	if (fd < 0 || read(fd, &v, sizeof(v)) != (ssize_t)sizeof(v)) {
		/* No /dev/urandom: the clock's nanoseconds will do. */
		clock_gettime(CLOCK_REALTIME, &ts);
		v = (unsigned short)(ts.tv_nsec ^ (ts.tv_nsec >> 16));
	}
	if (fd >= 0)
		close(fd);
	return v;
}

static int parse_param(struct run *r, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg)
		return error("-p '%s': write NAME=VALUE", arg);
	r->overrides = xrealloc(r->overrides, (r->noverrides + 1) *
				sizeof(*r->overrides));
	r->overrides[r->noverrides].key = xstrndup(arg, eq - arg);
	r->overrides[r->noverrides++].value = xstrdup(eq + 1);
	return 0;
}

static int setup(struct run *r, int argc, char **argv)
{
	static const struct option options[] = {
		{ "param", required_argument, NULL, 'p' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "store", required_argument, NULL, 's' },
		{ "work", required_argument, NULL, 'w' },
		{ "bootstrap", required_argument, NULL, 'b' },
		{ "run-id", required_argument, NULL, 'r' },
		{ "components", required_argument, NULL, 'C' },
		{ "component", required_argument, NULL, 'c' },
		{ "no-host-components", no_argument, NULL, 'N' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *work = ".t3q-run", *bootstrap = NULL, *run_id = NULL;
	char abs[PATH_MAX], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int c;

	r->jobs = 2;
	while ((c = getopt_long(argc, argv, "p:j:vh", options, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_param(r, optarg) < 0)
				return -1;
			break;
		case 'j':
			r->jobs = atoi(optarg);
			if (r->jobs < 1 || r->jobs > 64)
				return error("-j %s: use 1 to 64", optarg);
			break;
		case 's': r->store_url = xstrdup(optarg); break;
		case 'w': work = optarg; break;
		case 'b': bootstrap = optarg; break;
		case 'r': run_id = optarg; break;
		case 'C':
			if (r->ncomp_dirs == 32)
				return error("too many --components");
			r->comp_dirs[r->ncomp_dirs++] = optarg;
			break;
		case 'c':
			if (!catalog_file_arg_ok(optarg) ||
			    r->ncomp_files == 64)
				return error("--component '%s': use "
					     "CATALOG:ID=FILE", optarg);
			r->comp_files[r->ncomp_files++] = optarg;
			break;
		case 'N': r->no_host = 1; break;
		case 'v': log_level = LOG_DEBUG; break;
		case 'h': fputs(usage, stdout); exit(0);
		case 'V': printf("t3q-run %s\n", T3Q_VERSION); exit(0);
		default: fputs(usage, stderr); return -1;
		}
	}
	if (optind != argc - 1) {
		fputs(usage, stderr);
		return -1;
	}
	if (fs_mkdir_p(work) < 0 || !realpath(work, abs))
		return error_errno("cannot use the work dir '%s'", work);
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "run-%Y%m%d-%H%M%S", &tm);
	/*
	 * Runs started in the same second must not share an id (their
	 * logs, outputs and archives are keyed by it): the pid tells apart
	 * runs on this machine, the random part runs on others.
	 */
	/* It names a directory and a key prefix: one segment of either. */
	if (run_id && (!*run_id || strchr(run_id, '/') ||
		       !strcmp(run_id, ".") || !strcmp(run_id, "..")))
		return error("--run-id '%s': give a name without '/'", run_id);
	r->run_id = run_id ? xstrdup(run_id)
			   : xstrfmt("%s-%ld-%04x", stamp, (long)getpid(),
				     random_u16());
	r->run_dir = xstrfmt("%s/%s", abs, r->run_id);
	r->bootstrap = find_bootstrap(bootstrap);
	if (!r->store_url)
		r->store_url = xstrfmt("file://%s/store", abs);
	return 0;
}

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
		skip_dependents(r, i);
	}
	for (int i = 0; i < r->p.nnodes && r->no_host; i++)
		if (r->job[i].state == SKIPPED)
			r->job[i].by_choice = 1;
	if (n && !r->no_host)
		info("%d custom component%s run on this host with their own "
		     "commands; their container images are not used", n,
		     n > 1 ? "s" : "");
}

static void run_release(struct run *r)
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

int main(int argc, char **argv)
{
	struct run r = { 0 };
	sigset_t set;
	struct buf dir = BUF_INIT;
	int failed, rc;

	log_init_env();
	if (setup(&r, argc, argv) < 0) {
		run_release(&r);
		return 2;
	}
	/* 1. read and validate, as t3q-compile does */
	if (pipeline_load(&r.p, argv[optind]) == 0 &&
	    !pipeline_validate(&r.p))
		load_custom(&r);
	pipeline_print_diags(&r.p, 0);
	if (r.p.nerrors || check_overrides(&r) < 0) {
		run_release(&r);
		return 2;
	}
	/* 2. the store, and each node's dependency archive in it */
	store_key_join(&dir, r.p.cos_prefix ? r.p.cos_prefix : "", r.p.name);
	r.cos_directory = buf_detach(&dir, NULL);
	/*
	 * Each run's archives under its own prefix: a run started earlier
	 * must not run a file edited, and uploaded, by a later one.
	 */
	if (open_store(&r) < 0) {
		run_release(&r);
		return 1;
	}
	store_key_join(&dir, r.cos_directory, r.run_id);
	rc = claim_run(&r, dir.buf);
	if (rc == 0)
		rc = upload_archives(&r.p, r.store, dir.buf);
	buf_release(&dir);
	if (rc < 0) {
		run_release(&r);
		return 1;
	}
	/* 3. Ctrl-C reaches us as an event, not as a death */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	r.sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	/* 4. the nodes, in dependency order, -j at a time */
	r.job = xcalloc(r.p.nnodes, sizeof(*r.job));
	for (int i = 0; i < r.p.nnodes; i++) {
		r.job[i].n = &r.p.nodes[i];
		r.job[i].out = r.job[i].err = -1;
		buf_init(&r.job[i].line[0], 0);
		buf_init(&r.job[i].line[1], 0);
		r.job[i].dir = xstrfmt("%s/%s", r.run_dir, r.p.nodes[i].task_name);
	}
	skip_custom(&r);
	info("run %s of %s: %d nodes, %d at a time, store %s", r.run_id,
	     r.p.source, r.p.nnodes, r.jobs, r.store_url);
	schedule(&r);
	/* 5. the summary */
	failed = summary(&r);
	rc = r.interrupted ? 130 : failed ? 1 : 0;
	run_release(&r);
	return rc;
}
