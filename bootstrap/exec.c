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

#include "bootstrap/params.h"
#include "bootstrap/proc.h"
#include "common/exitcode.h"
#include "common/log.h"

extern const char nbrun_py[];
extern const unsigned long nbrun_py_len;

static void set_one(void *ctx, const char *name, const char *value)
{
	(void)ctx;
	setenv(name, value, 0);
}

static const char *lookup(const char *name)
{
	return getenv(name);
}

/*
 * A file named "-x.py" would be read as an option by python3, Rscript and
 * sh alike; "./-x.py" is the same file and no option. Other names are
 * passed as they are, as Elyra does, so that sys.argv[0] is unchanged.
 */
static char *as_operand(const char *file)
{
	return *file == '-' ? xstrfmt("./%s", file) : xstrdup(file);
}

static void on_tick(void *ctx, enum proc_tick why)
{
	struct step *s = ctx;

	if (!s->o->output_to_s3)
		return;
	/* A partial log now beats none when the pod is killed later. */
	if (step_put_log(s) == 0)
		debug("uploaded the log so far (%s)",
		      why == PROC_TICK_SIGNAL ? "signal" : "timer");
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
	struct proc_spec spec = {
		.log_fd = s->log_fd, .log_cut = &s->log_cut,
		.log_errno = &s->log_errno, .tick_interval = o->log_interval,
		.on_tick = on_tick, .ctx = s,
	};
	char *argv[8] = { 0 }, *runner = NULL, *file, *nb_out, *nb_html;
	const char *what = "";
	double t = log_now();
	int rc;

	if (access(s->base, F_OK) < 0) {
		error("'%s' is not in the work dir '%s': the dependency archive "
		      "'%s' should contain it", s->base, o->work_dir,
		      o->archive);
		return T3Q_EXIT_ARCHIVE;
	}
	/* Each whole first: the list then finds their values set. */
	for (int i = 0; i < o->nparams; i++)
		params_one(o->params[i], lookup, set_one, NULL);
	if (o->pipeline_parameters &&
	    params_parse(o->pipeline_parameters, lookup, set_one, NULL) < 0)
		return T3Q_EXIT_USAGE;
	file = as_operand(s->base);
	nb_out = as_operand(s->nb_out);
	nb_html = as_operand(s->nb_html);
	setenv("PYTHONUNBUFFERED", "1", 1);
	switch (s->kind) {
	case STEP_NOTEBOOK:
		runner = write_nbrun();
		if (!runner) {
			rc = T3Q_EXIT_INTERNAL;
			goto out;
		}
		argv[0] = (char *)o->python;
		argv[1] = "-u";
		argv[2] = runner;
		argv[3] = file;
		argv[4] = nb_out;
		argv[5] = "--html";
		argv[6] = nb_html;
		what = "notebook";
		step_log(s, 0, "executing notebook using '%s nbrun %s %s'",
			 o->python, s->base, s->nb_out);
		break;
	case STEP_PYTHON:
		argv[0] = (char *)o->python;
		argv[1] = "-u";
		argv[2] = file;
		what = "python script";
		step_log(s, 0, "executing python script using '%s %s' to '%s'",
			 o->python, s->base, s->log_path);
		break;
	case STEP_R:
		argv[0] = "Rscript";
		argv[1] = file;
		what = "R script";
		step_log(s, 0, "executing R script using 'Rscript %s' to '%s'",
			 s->base, s->log_path);
		break;
	case STEP_SHELL:
		argv[0] = "sh";
		argv[1] = file;
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
		rc = T3Q_EXIT_INTERNAL;
	else if (rc == 0)
		step_log(s, log_now() - t, "%s execution completed", what);
	else
		error("%s '%s' failed: exit %d", what, s->base, rc);
out:
	free(file);
	free(nb_out);
	free(nb_html);
	return rc;
}
