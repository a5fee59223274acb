/*
 * summary: the table printed at the end of a run, a line per node with
 * its state, time and outputs, and where the run's files are.
 */
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "runner/run.h"

int summary_print(const struct run *r)
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
		const struct job *j = &r->job[i];
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
