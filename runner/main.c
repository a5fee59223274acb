/*
 * t3q-run: runs a whole Elyra pipeline on this machine, no cluster. Every
 * node runs through t3q-bootstrap with the very arguments and environment
 * t3q-compile puts in the Argo YAML (pipeline/nodecmd.c), and its artifacts
 * pass to its descendants as Argo would pass them. main() is the list of
 * steps; run.h says which file holds each.
 *
 *   t3q-run PIPELINE [-p NAME=VALUE]... [-j N] [--store URL] [--work DIR]
 *
 * Exit 0 when every node succeeded, 1 when one failed (its dependents are
 * skipped), 2 on a usage or pipeline error, 130 after Ctrl-C.
 */
#include <getopt.h>

#include "base/log.h"
#include "runner/run.h"

static int run(struct run *r, const char *pipeline)
{
	int failed;

	/* 1. read and validate, as t3q-compile does */
	if (plan_read(r, pipeline) < 0)
		return 2;
	/* 2. the store, and each node's dependency archive in it */
	if (plan_store(r) < 0)
		return 1;
	/* 3. Ctrl-C reaches us as an event, not as a death */
	sched_signals(r);
	/* 4. the nodes, in dependency order, -j at a time */
	plan_jobs(r);
	info("run %s of %s: %d nodes, %d at a time, store %s", r->run_id,
	     r->p.source, r->p.nnodes, r->jobs, r->store_url);
	sched_run(r);
	/* 5. the summary */
	failed = summary_print(r);
	return r->interrupted ? 130 : failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct run r = { 0 };
	int rc;

	log_init_env();
	rc = opts_parse(&r, argc, argv) < 0 ? 2 : run(&r, argv[optind]);
	plan_release(&r);
	return rc;
}
