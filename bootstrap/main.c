/*
 * t3q-bootstrap: the entrypoint of every pipeline container, in place of
 * Elyra's bootstrapper.py. main() is the list of steps; each lives in its
 * own file (step.h says which).
 */
#include <stdio.h>
#include <string.h>

#include "bootstrap/opts.h"
#include "bootstrap/proc.h"
#include "bootstrap/s3cmd.h"
#include "bootstrap/selfcopy.h"
#include "bootstrap/step.h"
#include "common/exitcode.h"
#include "common/log.h"

/* The failing phase goes to the pod status, through the termination log. */
static int failed(struct step *s, int rc, const char *why)
{
	char desc[64];

	step_terminate_message(s, rc, why ? why :
			       exitcode_describe(rc, desc, sizeof(desc)));
	return rc;
}

static int run_step(const struct opts *o)
{
	struct step s;
	int rc, up;

	rc = step_init(&s, o);
	if (rc)
		goto out;
	step_log(&s, 0, "starting operation");
	/* 1-3: what the step needs */
	if ((rc = step_fetch_archive(&s)) || (rc = step_fetch_inputs(&s)) ||
	    (rc = step_install(&s))) {
		step_upload_logs(&s);
		rc = failed(&s, rc, NULL);
		goto out;
	}
	/* 4: run it, its output live and teed to <name>.log */
	rc = step_execute(&s);
	/* 5: the log and executed notebook, on success and failure alike */
	up = step_upload_logs(&s);
	/* 6: outputs, only from a step that succeeded (as Elyra) */
	if (!rc)
		rc = step_upload_outputs(&s);
	if (!rc)
		rc = up;
	/* 7: what the KFP UI shows */
	step_write_metadata(&s, rc);
	if (rc)
		rc = failed(&s, rc, NULL);
	else
		step_log(&s, log_now() - s.t0, "operation completed");
out:
	step_release(&s);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o;
	int r;

	log_init_env();
	if (argc > 1 && !strcmp(argv[1], "s3"))
		return s3cmd_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "--copy"))
		return selfcopy_main(argc - 1, argv + 1);
	if (proc_supervise() < 0)
		return T3Q_EXIT_INTERNAL;
	r = opts_parse(&o, argc, argv);
	if (r)
		return r > 0 ? 0 : T3Q_EXIT_USAGE;
	return run_step(&o);
}
