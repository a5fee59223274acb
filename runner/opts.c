/*
 * opts: t3q-run's command line, and what follows from it alone: the run
 * id, the work dir, the store's URL and the t3q-bootstrap to run.
 */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/log.h"
#include "base/version.h"
#include "component/catalog.h"
#include "runner/run.h"

static const char usage[] =
"usage: t3q-run PIPELINE [options]\n"
"\n"
"  -p, --param NAME=VALUE   a run parameter, as in the KFP form (repeatable)\n"
"  -j, --jobs N             nodes running at once (default 2)\n"
"      --store URL          object store: file:///dir (default: under\n"
"                           --work) or s3://bucket with T3Q_S3_ENDPOINT\n"
"      --work DIR           where runs live (default .t3q-run)\n"
"      --bootstrap PATH     the t3q-bootstrap to use (default: beside\n"
"                           t3q-run, then PATH)\n"
"      --run-id ID          default: run-<date>-<time>-<pid>-<random>\n"
"      --components DIR, --component CATALOG:ID=FILE\n"
"                           custom components' definitions (as t3q-compile)\n"
"      --no-host-components skip custom components (and what depends on\n"
"                           them) instead of running their commands here\n"
"  -v, --verbose, -h, --help, --version\n";

static unsigned random_u16(void)
{
	unsigned short v = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	struct timespec ts;

	if (fd < 0 || read(fd, &v, sizeof(v)) != (ssize_t)sizeof(v)) {
		/* No /dev/urandom: the clock's nanoseconds will do. */
		clock_gettime(CLOCK_REALTIME, &ts);
		v = (unsigned short)(ts.tv_nsec ^ (ts.tv_nsec >> 16));
	}
	if (fd >= 0)
		close(fd);
	return v;
}

static int parse_param(struct run *r, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg)
		return error("-p '%s': write NAME=VALUE", arg);
	r->overrides = xrealloc(r->overrides, (r->noverrides + 1) *
				sizeof(*r->overrides));
	r->overrides[r->noverrides].key = xstrndup(arg, eq - arg);
	r->overrides[r->noverrides++].value = xstrdup(eq + 1);
	return 0;
}

static char *find_bootstrap(const char *given)
{
	char self[PATH_MAX], *slash, *cand;
	ssize_t n;

	if (given)
		return xstrdup(given);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			/* An installed tree, then a build tree. */
			cand = xstrfmt("%s/t3q-bootstrap", self);
			if (!access(cand, X_OK))
				return cand;
			free(cand);
			cand = xstrfmt("%s/../bootstrap/t3q-bootstrap", self);
			if (!access(cand, X_OK))
				return cand;
			free(cand);
		}
	}
	return xstrdup("t3q-bootstrap");
}

/* What the flags name beside r: the work dir, bootstrap and run id. */
struct given {
	const char *work, *bootstrap, *run_id;
};

static int parse_flags(struct run *r, int argc, char **argv, struct given *g)
{
	static const struct option options[] = {
		{ "param", required_argument, NULL, 'p' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "store", required_argument, NULL, 's' },
		{ "work", required_argument, NULL, 'w' },
		{ "bootstrap", required_argument, NULL, 'b' },
		{ "run-id", required_argument, NULL, 'r' },
		{ "components", required_argument, NULL, 'C' },
		{ "component", required_argument, NULL, 'c' },
		{ "no-host-components", no_argument, NULL, 'N' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "p:j:vh", options, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_param(r, optarg) < 0)
				return -1;
			break;
		case 'j':
			r->jobs = atoi(optarg);
			if (r->jobs < 1 || r->jobs > 64)
				return error("-j %s: use 1 to 64", optarg);
			break;
		case 's': r->store_url = xstrdup(optarg); break;
		case 'w': g->work = optarg; break;
		case 'b': g->bootstrap = optarg; break;
		case 'r': g->run_id = optarg; break;
		case 'C':
			if (r->ncomp_dirs == 32)
				return error("too many --components");
			r->comp_dirs[r->ncomp_dirs++] = optarg;
			break;
		case 'c':
			if (!catalog_file_arg_ok(optarg) ||
			    r->ncomp_files == 64)
				return error("--component '%s': use "
					     "CATALOG:ID=FILE", optarg);
			r->comp_files[r->ncomp_files++] = optarg;
			break;
		case 'N': r->no_host = 1; break;
		case 'v': log_level = LOG_DEBUG; break;
		case 'h': fputs(usage, stdout); exit(0);
		case 'V': printf("t3q-run %s\n", T3Q_VERSION); exit(0);
		default: fputs(usage, stderr); return -1;
		}
	}
	if (optind != argc - 1) {
		fputs(usage, stderr);
		return -1;
	}
	return 0;
}

int opts_parse(struct run *r, int argc, char **argv)
{
	struct given g = { ".t3q-run", NULL, NULL };
	const char *run_id;
	char abs[PATH_MAX], stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	r->jobs = 2;
	if (parse_flags(r, argc, argv, &g) < 0)
		return -1;
	if (fs_mkdir_p(g.work) < 0 || !realpath(g.work, abs))
		return error_errno("cannot use the work dir '%s'", g.work);
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "run-%Y%m%d-%H%M%S", &tm);
	/*
	 * Runs started in the same second must not share an id (their
	 * logs, outputs and archives are keyed by it): the pid tells apart
	 * runs on this machine, the random part runs on others.
	 */
	/* It names a directory and a key prefix: one segment of either. */
	run_id = g.run_id;
	if (run_id && (!*run_id || strchr(run_id, '/') ||
		       !strcmp(run_id, ".") || !strcmp(run_id, "..")))
		return error("--run-id '%s': give a name without '/'", run_id);
	r->run_id = run_id ? xstrdup(run_id)
			   : xstrfmt("%s-%ld-%04x", stamp, (long)getpid(),
				     random_u16());
	r->run_dir = xstrfmt("%s/%s", abs, r->run_id);
	r->bootstrap = find_bootstrap(g.bootstrap);
	if (!r->store_url)
		r->store_url = xstrfmt("file://%s/store", abs);
	return 0;
}
