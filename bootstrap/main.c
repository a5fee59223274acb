/*
 * t3q-bootstrap: the entrypoint of every pipeline container, in place of
 * Elyra's bootstrapper.py. main() is the list of steps; each lives in its
 * own file (step.h says which).
 */
#include <stdio.h>
#include <string.h>


#include "base/exitcode.h"
#include "base/log.h"
#include "bootstrap/opts.h"
#include "bootstrap/proc.h"
#include "bootstrap/s3cmd.h"
#include "bootstrap/selfcopy.h"
#include "bootstrap/step.h"

/*
 * The failing phase goes to the pod status, through the termination log,
 * and the reason (naming the object) is the last line of our output.
 */
static int failed(struct step *s, int rc)
{
	char desc[64];

	if (s->why)
		error("%s", s->why);
	step_terminate_message(s, rc, s->why ? s->why :
			       exitcode_describe(rc, desc, sizeof(desc)));
	return rc;
}

/*
 * After a terminating signal (proc.h), 128+N, as a shell reports a step
 * that the signal ended; whatever failed meanwhile failed because of it.
 */
static int stop_code(int rc)
{
	int sig = proc_stop_signal();

	return sig ? 128 + sig : rc;
}

static int run_step(const struct opts *o)
{
	struct step s;
	int rc, up;

	rc = step_init(&s, o);
	if (rc)
		goto out;
	step_log(&s, 0, "starting operation");
	/* 1-3: what the step needs; a signal stops any of them at once */
	if ((rc = stop_code(0)) || (rc = step_fetch_archive(&s)) ||
	    (rc = stop_code(0)) || (rc = step_fetch_inputs(&s)) ||
	    (rc = stop_code(0)) || (rc = step_install(&s)) ||
	    (rc = stop_code(0))) {
		rc = stop_code(rc);
		/* The log upload is what a stop still owes. */
		proc_stop_disarm();
		step_upload_logs(&s);
		step_write_fixed(&s, rc);
		rc = failed(&s, rc);
		goto out;
	}
	/* 4: run it, its output live and teed to <name>.log */
	proc_stop_disarm();
	rc = step_execute(&s);
	/* 5: the log and executed notebook, on success and failure alike */
	up = step_upload_logs(&s);
	/* 6: outputs, only from a step that succeeded and was not stopped */
	if (!rc)
		rc = stop_code(0);
	if (!rc) {
		proc_stop_arm();
		rc = stop_code(step_upload_outputs(&s));
		proc_stop_disarm();
	}
	if (!rc)
		rc = up;
	/* A log that could not be written whole fails the step (85). */
	if (s.log_errno) {
		step_fail(&s, "the log '%s' was cut at byte %lld: %s",
			  s.log_path, s.log_cut, strerror(s.log_errno));
		if (!rc)
			rc = T3Q_EXIT_INTERNAL;
	}
	/* 7: what the KFP UI shows */
	step_write_metadata(&s, rc);
	if (rc)
		rc = failed(&s, rc);
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
	r = r ? (r > 0 ? 0 : T3Q_EXIT_USAGE) : run_step(&o);
	opts_release(&o);
	return r;
}
