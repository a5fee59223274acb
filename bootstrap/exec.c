/*
 * exec: runs the step's file by its suffix (not by substring, as Elyra
 * does), with pipeline parameters in its environment, and its output teed
 * into <name>.log, which is uploaded every few seconds and on SIGTERM.
 */
#include "bootstrap/step.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/exitcode.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "bootstrap/params.h"
#include "bootstrap/proc.h"

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

/*
 * The periodic log upload runs on a thread of its own, never in the pump
 * (proc_run), which must go on reading the child's pipes while the store
 * is slow or away: the pump only asks for an upload (on_tick), and the
 * thread does it, one at a time; asks made meanwhile become one more.
 * When the run ends, an upload still going (retrying through an outage)
 * is abandoned, and the final upload (step_upload_logs) follows it.
 */
struct logup {
	struct step *s;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int want;		/* an upload was asked for */
	int stop;		/* the run is over */
	const char *why;	/* "timer" or "signal", for the debug line */
	long long cut;		/* the log's cut as the pump last saw it */
	int cut_errno;
	int started, failed;	/* the thread (the pump's side only) */
};

static atomic_int logup_abandon;

int step_cancel(void)
{
	/*
	 * Only the log thread transfers while the run is being wound up;
	 * its stop is on purpose, and not reported.
	 */
	if (atomic_load(&logup_abandon)) {
		log_thread_muted = 1;
		return 1;
	}
	return proc_cancel();
}

static void *logup_main(void *arg)
{
	struct logup *u = arg;

	pthread_mutex_lock(&u->mu);
	for (;;) {
		long long cut;
		int cut_errno;
		const char *why;

		while (!u->want && !u->stop)
			pthread_cond_wait(&u->cv, &u->mu);
		if (u->stop)
			break;
		u->want = 0;
		cut = u->cut;
		cut_errno = u->cut_errno;
		why = u->why;
		pthread_mutex_unlock(&u->mu);
		/* A partial log now beats none when the pod is killed later. */
		if (step_put_log_cut(u->s, cut, cut_errno) == 0)
			debug("uploaded the log so far (%s)", why);
		log_thread_muted = 0;
		pthread_mutex_lock(&u->mu);
	}
	pthread_mutex_unlock(&u->mu);
	return NULL;
}

/*
 * The thread starts at the first ask, after the fork: the child is not
 * forked from a threaded process, and as PID 1 the step's shell is PID 2.
 */
static void logup_thread(struct logup *u)
{
	int e;

	if (u->started || u->failed)
		return;
	e = pthread_create(&u->thread, NULL, logup_main, u);
	if (e) {
		warn("cannot start the log upload thread (%s); the log goes "
		     "up at the end only", strerror(e));
		u->failed = 1;
		return;
	}
	u->started = 1;
}

/* Called by the pump: asks, and never waits for the network. */
static void on_tick(void *ctx, enum proc_tick why)
{
	struct logup *u = ctx;

	logup_thread(u);
	if (!u->started)
		return;
	pthread_mutex_lock(&u->mu);
	u->want = 1;
	u->why = why == PROC_TICK_SIGNAL ? "signal" : "timer";
	u->cut = u->s->log_cut;
	u->cut_errno = u->s->log_errno;
	pthread_cond_signal(&u->cv);
	pthread_mutex_unlock(&u->mu);
}

static void logup_init(struct logup *u, struct step *s)
{
	memset(u, 0, sizeof(*u));
	u->s = s;
	pthread_mutex_init(&u->mu, NULL);
	pthread_cond_init(&u->cv, NULL);
}

/* Ends the thread, abandoning an upload in flight; the store is ours again. */
static void logup_stop(struct logup *u)
{
	if (u->started) {
		pthread_mutex_lock(&u->mu);
		u->stop = 1;
		pthread_cond_signal(&u->cv);
		pthread_mutex_unlock(&u->mu);
		atomic_store(&logup_abandon, 1);
		pthread_join(u->thread, NULL);
		atomic_store(&logup_abandon, 0);
	}
	pthread_cond_destroy(&u->cv);
	pthread_mutex_destroy(&u->mu);
}

/* proc_run() with the periodic log upload beside it. */
static int run_teed(struct step *s, struct proc_spec *spec)
{
	struct logup up;
	int rc;

	logup_init(&up, s);
	if (s->o->output_to_s3) {
		spec->tick_interval = s->o->log_interval;
		spec->on_tick = on_tick;
		spec->ctx = &up;
	}
	rc = proc_run(spec);
	logup_stop(&up);
	return rc;
}

static char *write_nbrun(void)
{
	char *path = xstrfmt("%s/t3q-nbrun-XXXXXX.py", fs_tmpdir());
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
		.log_errno = &s->log_errno,
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
	rc = run_teed(s, &spec);
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
