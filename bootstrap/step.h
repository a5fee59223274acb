/*
 * step: the state of one pipeline step as main.c walks through it, and the
 * step functions it calls in order. Each returns 0, or a T3Q_EXIT_* code
 * after logging why (base/exitcode.h).
 *
 * The struct owns every string and the store; step_release() frees them.
 */
#ifndef T3Q_BOOTSTRAP_STEP_H
#define T3Q_BOOTSTRAP_STEP_H

#include "base/buf.h"
#include "bootstrap/opts.h"
#include "store/store.h"

struct step_time {
	const char *what;
	double secs;
};

struct step_output {
	char *key;
	long long size;
};

enum step_kind { STEP_NOTEBOOK, STEP_PYTHON, STEP_R, STEP_SHELL };

struct step {
	const struct opts *o;
	enum step_kind kind;	/* by the file's suffix */
	struct store *store;	/* s3://bucket */
	char *endpoint;		/* for links in the UI metadata */
	char *dir;		/* --cos-directory, no slashes at the ends */
	char *run_dir;		/* dir/run-id when a run id is set, else dir */
	char *base;		/* basename of --file */
	char *name;		/* base without its suffix */
	int work_fd;		/* the work dir, which outputs stay below */
	char *work_real;	/* its realpath */
	char *log_path;		/* <work>/<name>.log: the child's output */
	int log_fd;		/* ours: the log is written and read by it */
	long long log_cut;	/* bytes in the log file when a write failed */
	int log_errno;		/* why, or 0: the log file is whole */
	char *why;		/* the first failure, said last (step_fail) */
	char *nb_out;		/* <work>/<name>-output.ipynb for notebooks */
	char *nb_html;		/* <work>/<name>.html */
	char *nb_key;		/* the executed notebook's name in the store */
	double t0;
	struct step_time times[8];
	int ntimes;
	struct step_output *outputs;
	int noutputs;
	int log_uploaded;
};

/* Opens the store, chdirs to the work dir, prepares names. */
int step_init(struct step *s, const struct opts *o);
void step_release(struct step *s);

/* Elyra's "'pipeline':'op' - action (x.xxx secs)" line. */
void step_log(const struct step *s, double secs, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void step_time(struct step *s, const char *what, double secs);
/* "<run_dir>/<rel>" or "<dir>/<rel>", the keys of this step's objects. */
char *step_key(const struct step *s, int per_run, const char *rel);
/*
 * Records why the step fails, naming the object (the first reason wins);
 * main() logs it as the very last line and in the termination log.
 */
void step_fail(struct step *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Uploads the log so far, with a line saying where it was cut if it was. */
int step_put_log(struct step *s);
/* The same, with the cut as the pump saw it (for the log thread). */
int step_put_log_cut(struct step *s, long long cut, int cut_errno);
/*
 * The store's cancel hook: a terminating signal (proc_cancel()), or the
 * periodic log upload being abandoned at the end of the run (exec.c).
 */
int step_cancel(void);

int step_fetch_archive(struct step *s);		/* stage.c */
int step_fetch_inputs(struct step *s);		/* stage.c */
int step_install(struct step *s);		/* deps.c */
int step_execute(struct step *s);		/* exec.c; the child's code */
int step_upload_logs(struct step *s);		/* stage.c */
int step_upload_outputs(struct step *s);	/* stage.c */
void step_write_metadata(struct step *s, int rc); /* metadata.c */
/* Only the fixed v2 artifacts, for a step that ends before it ran. */
void step_write_fixed(struct step *s, int rc);	/* metadata.c */
/* One line in /dev/termination-log for Kubernetes, when it exists. */
void step_terminate_message(const struct step *s, int rc, const char *why);

#endif
