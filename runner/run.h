/*
 * run: what t3q-run's files share; not for use outside runner/.
 *
 *   opts.c     the command line: flags, the run id, the bootstrap
 *   plan.c     the pipeline read and checked, the store claimed, the jobs
 *   node.c     one node started: t3q-bootstrap, or a custom component
 *   sched.c    the scheduler: -j at a time, output, Ctrl-C, the ended
 *   summary.c  the table at the end
 */
#ifndef T3Q_RUNNER_RUN_H
#define T3Q_RUNNER_RUN_H

#include <sys/types.h>

#include "base/buf.h"
#include "pipeline/pipeline.h"

struct component;
struct component_arg;
struct store;

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

/*
 * opts.c: r from the command line. Returns 0 (the pipeline is
 * argv[optind]), or -1 after saying why; -h and --version exit here.
 */
int opts_parse(struct run *r, int argc, char **argv);

/* plan.c: read and validate, as t3q-compile does. Returns 0, or -1. */
int plan_read(struct run *r, const char *path);
/* The store, the run's prefix claimed, the archives in it. 0 or -1. */
int plan_store(struct run *r);
/* A job per node, custom nodes skipped as asked. */
void plan_jobs(struct run *r);
void plan_release(struct run *r);

/* node.c: starts job j, RUNNING on success. Returns 0, or -1. */
int node_start(struct run *r, struct job *j);

/* sched.c: Ctrl-C and the children's ends as events (r->sigfd). */
void sched_signals(struct run *r);
/* Runs the jobs, -j at a time, until all ended or Ctrl-C. */
void sched_run(struct run *r);
/* Each waiting descendant of job failed is skipped, by name. */
void sched_skip_dependents(struct run *r, int failed);

/* summary.c: prints the table. Returns 1 if a node did not succeed. */
int summary_print(const struct run *r);

#endif
