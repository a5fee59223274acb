/*
 * deps: the step's own requirements.txt, never Elyra's requirement set.
 * A quick offline check asks the interpreter whether every requirement is
 * already installed; only if not does pip run, honouring PIP_* (so offline
 * wheel dirs work through PIP_FIND_LINKS and PIP_NO_INDEX).
 */
#include "bootstrap/step.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/exitcode.h"
#include "base/fsutil.h"
#include "base/log.h"
#include "bootstrap/proc.h"

/*
 * Exit 0: all satisfied; 1: something to install; 2: cannot judge (pip
 * options, URLs, paths, no packaging module): let pip decide.
 */
static const char check_script[] =
"import sys\n"
"try:\n"
"    from packaging.requirements import Requirement\n"
"except ImportError:\n"
"    try:\n"
"        from pip._vendor.packaging.requirements import Requirement\n"
"    except ImportError:\n"
"        sys.exit(2)\n"
"from importlib.metadata import version, PackageNotFoundError\n"
"missing = []\n"
"for raw in open(sys.argv[1], encoding='utf-8'):\n"
"    line = raw.split(' #')[0].strip()\n"
"    if not line or line.startswith('#'):\n"
"        continue\n"
"    if line.startswith('-') or '://' in line or '/' in line \\\n"
"            or line.startswith('.') or line.endswith('\\\\'):\n"
"        sys.exit(2)\n"
"    try:\n"
"        req = Requirement(line)\n"
"    except Exception:\n"
"        sys.exit(2)\n"
"    if req.marker is not None and not req.marker.evaluate():\n"
"        continue\n"
"    try:\n"
"        have = version(req.name)\n"
"    except PackageNotFoundError:\n"
"        missing.append(line)\n"
"        continue\n"
"    if not req.specifier.contains(have, prereleases=True):\n"
"        missing.append('%s (installed: %s)' % (line, have))\n"
"if missing:\n"
"    print('to install: ' + ', '.join(missing), file=sys.stderr)\n"
"    sys.exit(1)\n";

static int run(char *const *argv)
{
	struct proc_spec spec = { .argv = argv, .log_fd = -1 };

	return proc_run(&spec);
}

int step_install(struct step *s)
{
	const struct opts *o = s->o;
	const char *req = o->requirements;
	double t = log_now();
	int rc;

	if (!req && !access("requirements.txt", F_OK))
		req = "requirements.txt";
	if (!req)
		return 0;
	if (access(req, R_OK) < 0)
		return error_errno("requirements file '%s'", req),
		       T3Q_EXIT_INSTALL;
	if (o->no_install) {
		info("not installing '%s': ELYRA_INSTALL_PACKAGES=false or "
		     "--no-install", req);
		return 0;
	}
	if (o->user_volume_path) {
		const char *old = getenv("PYTHONPATH");
		char *pp = old && *old ? xstrfmt("%s:%s", o->user_volume_path,
						 old)
				       : xstrdup(o->user_volume_path);

		/* The check, and the step itself, must see what we put there. */
		setenv("PYTHONPATH", pp, 1);
		free(pp);
		if (fs_mkdir_p(o->user_volume_path) < 0)
			return T3Q_EXIT_INSTALL;
	}
	{
		char *argv[] = { (char *)o->python, "-c", (char *)check_script,
				 (char *)req, NULL };

		rc = run(argv);
	}
	if (rc == 0) {
		step_log(s, log_now() - t, "requirements in %s already "
			 "satisfied; not running pip", req);
		step_time(s, "install", log_now() - t);
		return 0;
	}
	if (rc == 127 || rc == 126)
		return T3Q_EXIT_INSTALL;
	step_log(s, 0, "Installing packages");
	{
		char *argv[] = { (char *)o->python, "-m", "pip", "install",
				 "--disable-pip-version-check", "-r",
				 (char *)req, NULL, NULL, NULL };

		if (o->user_volume_path) {
			argv[7] = "--target";
			argv[8] = (char *)o->user_volume_path;
		}
		rc = run(argv);
	}
	step_time(s, "install", log_now() - t);
	if (rc) {
		error("pip install -r %s failed (exit %d); for offline "
		      "installs set PIP_NO_INDEX=1 and PIP_FIND_LINKS=<wheel "
		      "dir>", req, rc);
		return T3Q_EXIT_INSTALL;
	}
	step_log(s, log_now() - t, "Packages installed");
	return 0;
}
