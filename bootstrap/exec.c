/*
 * exec: runs the step's file by its suffix (not by substring, as Elyra
 * does), with pipeline parameters in its environment, and its output teed
 * into <name>.log, which is uploaded every few seconds and on SIGTERM.
 */
#include "bootstrap/step.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bootstrap/proc.h"
#include "common/exitcode.h"
#include "common/log.h"

extern const char nbrun_py[];
extern const unsigned long nbrun_py_len;

/* "a=1;b=2" into the environment; names already set are kept (Elyra). */
static int set_parameters(const char *params)
{
	const char *p = params;

	while (p && *p) {
		size_t n = strcspn(p, ";");
		char *item = xstrndup(p, n), *eq = strchr(item, '=');

		if (n && !eq) {
			error("pipeline parameter '%s' has no '=': write "
			      "name=value", item);
			free(item);
			return -1;
		}
		/* Elyra skips empty values: env vars must be non-empty. */
		if (eq && eq[1] && eq != item) {
			*eq = '\0';
			setenv(item, eq + 1, 0);
		}
		free(item);
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

static void on_tick(void *ctx, enum proc_tick why)
{
	struct step *s = ctx;
	char *key;

	if (!s->o->output_to_s3)
		return;
	/* A partial log now beats none when the pod is killed later. */
	fdatasync(s->log_fd);
	key = step_key(s, 1, s->log_path);
	if (store_put(s->store, s->log_path, key) == 0)
		debug("uploaded the log so far (%s)",
		      why == PROC_TICK_SIGNAL ? "signal" : "timer");
	free(key);
}

static char *write_nbrun(void)
{
	const char *tmp = getenv("TMPDIR");
	char *path = xstrfmt("%s/t3q-nbrun-XXXXXX.py", tmp && *tmp ? tmp
							     : "/tmp");
	int fd = mkstemps(path, 3);

	if (fd < 0 || write(fd, nbrun_py, nbrun_py_len) !=
	    (ssize_t)nbrun_py_len) {
		error_errno("cannot write the notebook runner '%s'", path);
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

int step_execute(struct step *s)
{
	const struct opts *o = s->o;
	struct proc_spec spec = { NULL, NULL, NULL, s->log_fd,
				  o->log_interval, on_tick, s, 0 };
	char *argv[8] = { 0 }, *runner = NULL;
	const char *what = "";
	double t = log_now();
	int rc;

	if (access(s->base, F_OK) < 0) {
		error("'%s' is not in the work dir '%s': the dependency archive "
		      "'%s' should contain it", s->base, o->work_dir,
		      o->archive);
		return T3Q_EXIT_ARCHIVE;
	}
	if (o->pipeline_parameters && set_parameters(o->pipeline_parameters))
		return T3Q_EXIT_USAGE;
	setenv("PYTHONUNBUFFERED", "1", 1);
	switch (s->kind) {
	case STEP_NOTEBOOK:
		runner = write_nbrun();
		if (!runner)
			return T3Q_EXIT_INTERNAL;
		argv[0] = (char *)o->python;
		argv[1] = "-u";
		argv[2] = runner;
		argv[3] = s->base;
		argv[4] = s->nb_out;
		argv[5] = "--html";
		argv[6] = s->nb_html;
		what = "notebook";
		step_log(s, 0, "executing notebook using '%s nbrun %s %s'",
			 o->python, s->base, s->nb_out);
		break;
	case STEP_PYTHON:
		argv[0] = (char *)o->python;
		argv[1] = "-u";
		argv[2] = s->base;
		what = "python script";
		step_log(s, 0, "executing python script using '%s %s' to '%s'",
			 o->python, s->base, s->log_path);
		break;
	case STEP_R:
		argv[0] = "Rscript";
		argv[1] = s->base;
		what = "R script";
		step_log(s, 0, "executing R script using 'Rscript %s' to '%s'",
			 s->base, s->log_path);
		break;
	case STEP_SHELL:
		argv[0] = "sh";
		argv[1] = s->base;
		what = "shell script";
		step_log(s, 0, "executing shell script using 'sh %s' to '%s'",
			 s->base, s->log_path);
		break;
	}
	spec.argv = argv;
	rc = proc_run(&spec);
	if (runner) {
		unlink(runner);
		free(runner);
	}
	step_time(s, "run", log_now() - t);
	if (rc < 0)
		return T3Q_EXIT_INTERNAL;
	if (rc == 0)
		step_log(s, log_now() - t, "%s execution completed", what);
	else
		error("%s '%s' failed: exit %d", what, s->base, rc);
	return rc;
}
