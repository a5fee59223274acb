/*
 * opts: one table of flags (curl's aliases[]), the usage text beside it,
 * and the environment defaults. Required flags are checked as argparse
 * does in bootstrapper.py, with the same exit status 2.
 */
#include "bootstrap/opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "archive/archive.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/version.h"
#include "bootstrap/items.h"
#include "pipeline/names.h"

static const char usage[] =
"usage: t3q-bootstrap -e URL -b BUCKET -d DIR -t ARCHIVE -f FILE -n NAME\n"
"                     [-i INPUTS] [-o OUTPUTS] [-p PATH] [-r PARAMS -m env]\n"
"                     [t3q options]\n"
"       t3q-bootstrap s3 ls|get|put|rm|stat|mb ...   (see: s3 --help)\n"
"       t3q-bootstrap --copy DEST\n"
"\n"
"Runs one Elyra pipeline step: fetches its dependency archive and inputs,\n"
"installs its requirements, runs the notebook or script with its output\n"
"live on stdout/stderr, and uploads the log and the outputs.\n"
"\n"
"bootstrapper.py's flags:\n"
"  -e, --cos-endpoint URL          object store endpoint\n"
"  -b, --cos-bucket NAME           bucket\n"
"  -d, --cos-directory DIR         key prefix of this pipeline run\n"
"  -t, --cos-dependencies-archive NAME   the step's archive in DIR\n"
"  -f, --file PATH                 the notebook or script to run\n"
"  -i, --inputs 'A;B'              files from DIR the step needs\n"
"  -o, --outputs 'X;Y'             files, directories or globs to upload\n"
"  -p, --user-volume-path PATH     pip install --target PATH\n"
"  -n, --pipeline-name NAME        for log lines\n"
"  -r, --pipeline-parameters 'a=1;b=2'   passed to the child's env\n"
"  -m, --parameter-pass-method env the only method\n"
"\n"
"      --pipeline-parameter NAME=VALUE  one parameter, VALUE whole (';' and\n"
"                                  '=' in it included); repeatable; before -r\n"
"\n"
"t3q options (environment in brackets):\n"
"      --work-dir DIR              where the step runs [T3Q_WORK_DIR], default .\n"
"      --artifact-inputs DIR       Argo input artifacts [T3Q_ARTIFACT_INPUT_DIR]\n"
"      --artifact-outputs DIR      Argo output artifacts [T3Q_ARTIFACT_OUTPUT_DIR]\n"
"      --artifact-input NAME=PATH  KFP v2: input NAME (its artifact key) is at\n"
"                                  PATH, given by the launcher; repeatable\n"
"      --artifact-output NAME=PATH KFP v2: stage output NAME at PATH; or the\n"
"                                  fixed keys mlpipeline-metrics,\n"
"                                  mlpipeline-markdown, mlpipeline-html,\n"
"                                  always written; repeatable\n"
"      --run-id ID                 per-run key prefix [T3Q_RUN_ID, ELYRA_RUN_NAME]\n"
"      --log-name NAME             NAME.log, .ipynb, .html instead of the\n"
"                                  file's stem [T3Q_LOG_NAME]\n"
"      --log-upload-interval SECS  upload the log this often [T3Q_LOG_UPLOAD_INTERVAL], 30\n"
"      --no-install                skip requirements [T3Q_NO_INSTALL=1]\n"
"      --python PATH               interpreter [T3Q_PYTHON], default python3\n"
"      --max-extract-bytes SIZE    archive limit [T3Q_MAX_EXTRACT_BYTES], 8G; 0: none\n"
"      --max-extract-files N       archive limit [T3Q_MAX_EXTRACT_FILES], 1000000\n"
"  -v, --verbose                   debug lines [T3Q_LOG_LEVEL=debug]\n"
"  -h, --help, --version\n";

enum {
	OPT_WORK = 256, OPT_AIN, OPT_AOUT, OPT_RUN, OPT_INTERVAL, OPT_NOINST,
	OPT_PYTHON, OPT_VERSION, OPT_MAXBYTES, OPT_MAXFILES, OPT_LOGNAME,
	OPT_ARTIN, OPT_ARTOUT, OPT_PARAM,
};

static const struct option options[] = {
	{ "cos-endpoint", required_argument, NULL, 'e' },
	{ "cos-bucket", required_argument, NULL, 'b' },
	{ "cos-directory", required_argument, NULL, 'd' },
	{ "cos-dependencies-archive", required_argument, NULL, 't' },
	{ "file", required_argument, NULL, 'f' },
	{ "outputs", required_argument, NULL, 'o' },
	{ "inputs", required_argument, NULL, 'i' },
	{ "user-volume-path", required_argument, NULL, 'p' },
	{ "pipeline-name", required_argument, NULL, 'n' },
	{ "pipeline-parameters", required_argument, NULL, 'r' },
	{ "parameter-pass-method", required_argument, NULL, 'm' },
	{ "pipeline-parameter", required_argument, NULL, OPT_PARAM },
	{ "work-dir", required_argument, NULL, OPT_WORK },
	{ "artifact-inputs", required_argument, NULL, OPT_AIN },
	{ "artifact-outputs", required_argument, NULL, OPT_AOUT },
	{ "artifact-input", required_argument, NULL, OPT_ARTIN },
	{ "artifact-output", required_argument, NULL, OPT_ARTOUT },
	{ "run-id", required_argument, NULL, OPT_RUN },
	{ "log-name", required_argument, NULL, OPT_LOGNAME },
	{ "log-upload-interval", required_argument, NULL, OPT_INTERVAL },
	{ "no-install", no_argument, NULL, OPT_NOINST },
	{ "python", required_argument, NULL, OPT_PYTHON },
	{ "max-extract-bytes", required_argument, NULL, OPT_MAXBYTES },
	{ "max-extract-files", required_argument, NULL, OPT_MAXFILES },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static const char *env(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

static int env_true(const char *name, int def)
{
	const char *v = getenv(name);

	if (!v || !*v)
		return def;
	/* Elyra compares lower-cased values with "true". */
	return !strcasecmp(v, "true") || !strcmp(v, "1");
}

static int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s", usage);
	fprintf(stderr, "t3q-bootstrap: error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return -1;
}

int opts_parse_size(const char *s, long long *out)
{
	static const char units[] = "KMGT";
	long double v;
	char *end;
	const char *u;

	errno = 0;
	if (!*s || *s == '-' || *s == ' ')
		return -1;
	v = strtold(s, &end);
	if (errno || end == s)
		return -1;
	if (*end && (u = strchr(units, *end))) {
		for (int i = 0; i <= u - units; i++)
			v *= 1024;
		end++;
		if (!strcmp(end, "iB") || !strcmp(end, "B"))
			end += strlen(end);
	}
	if (*end || v > 9.0e18L)
		return -1;
	*out = (long long)v;
	return 0;
}

static int size_opt(const char *flag, const char *v, long long *out)
{
	if (opts_parse_size(v, out) < 0)
		return usage_error("%s: not a size (write 1000, 512K, 8G or "
				   "0 for no limit)", flag);
	return 0;
}

const char *opts_artifact_path(const struct opts_artifact *a, int n,
			       const char *name)
{
	size_t len = strlen(name);

	for (int i = 0; i < n; i++)
		if (a[i].name_len == len && !memcmp(a[i].name, name, len))
			return a[i].path;
	return NULL;
}

/*
 * NAME=PATH, both non-empty; a NAME given twice is refused, since the
 * launcher gives each artifact one path and a second would be a mistake.
 */
static int artifact_opt(const char *flag, const char *arg,
			struct opts_artifact **list, int *n)
{
	const char *eq = strchr(arg, '=');
	struct opts_artifact a;
	char *name;
	int dup;

	if (!eq)
		return usage_error("%s '%s': expected NAME=PATH (the artifact "
				   "key, '=', the local path the launcher "
				   "passed)", flag, arg);
	if (eq == arg)
		return usage_error("%s '%s': the artifact key before '=' is "
				   "empty", flag, arg);
	if (!eq[1])
		return usage_error("%s '%s': the path after '=' is empty; give "
				   "the local path the launcher passed", flag,
				   arg);
	a.name = arg;
	a.name_len = eq - arg;
	a.path = eq + 1;
	name = xstrndup(arg, a.name_len);
	dup = opts_artifact_path(*list, *n, name) != NULL;
	free(name);
	if (dup)
		return usage_error("%s '%s': the key '%.*s' is given twice; "
				   "each artifact has one path", flag, arg,
				   (int)a.name_len, a.name);
	*list = xrealloc(*list, (*n + 1) * sizeof(**list));
	(*list)[(*n)++] = a;
	return 0;
}

/*
 * Whether an --inputs/--outputs entry has the artifact key wanted; the
 * keys there are, for the message when none has.
 */
struct key_find {
	const struct opts_artifact *a;
	struct buf name;
	struct buf keys;	/* "key (path), ..." */
	int found;
};

static int key_matches(void *ctx, const char *item)
{
	struct key_find *k = ctx;

	buf_reset(&k->name);
	names_artifact(&k->name, item);
	if (k->name.len == k->a->name_len &&
	    !memcmp(k->name.buf, k->a->name, k->name.len))
		k->found = 1;
	buf_addf(&k->keys, "%s%s (%s)", k->keys.len ? ", " : "", k->name.buf,
		 item);
	return 0;
}

static int is_fixed_key(const struct opts_artifact *a)
{
	static const char *const keys[] = { OPTS_KEY_METRICS,
					    OPTS_KEY_MARKDOWN, OPTS_KEY_HTML };

	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		if (strlen(keys[i]) == a->name_len &&
		    !memcmp(keys[i], a->name, a->name_len))
			return 1;
	return 0;
}

/*
 * Each NAME must be the artifact key of a declared path (or, for outputs,
 * a fixed key): a NAME that matches nothing would be a path the launcher
 * waits on and nobody writes.
 */
static int artifacts_known(const struct opts *o, int outputs)
{
	const struct opts_artifact *list = outputs ? o->art_outs : o->art_ins;
	int n = outputs ? o->nart_outs : o->nart_ins;

	for (int i = 0; i < n; i++) {
		struct key_find k = { &list[i], BUF_INIT, BUF_INIT, 0 };
		int r = 0;

		if (outputs && is_fixed_key(&list[i]))
			continue;
		items_each(outputs ? o->outputs : o->inputs, key_matches, &k);
		if (!k.found)
			r = usage_error("--artifact-%s '%.*s=%s': no %s has "
				"the artifact key '%.*s'; the keys are: %s%s%s",
				outputs ? "output" : "input",
				(int)list[i].name_len, list[i].name,
				list[i].path, outputs ? "output" : "input",
				(int)list[i].name_len, list[i].name,
				k.keys.len ? k.keys.buf : "",
				k.keys.len && outputs ? ", " : "",
				outputs ? "mlpipeline-metrics, "
				"mlpipeline-markdown, mlpipeline-html" :
				k.keys.len ? "" : "none (no -i/--inputs)");
		buf_release(&k.name);
		buf_release(&k.keys);
		if (r)
			return r;
	}
	return 0;
}

/*
 * NAME=VALUE, one argv element: KFP v2 gives each parameter its own, so
 * NAME is up to the first '=' and VALUE is the rest, whatever it holds.
 */
static int param_opt(struct opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg)
		return usage_error("--pipeline-parameter '%s': expected "
				   "NAME=VALUE (the parameter's name, '=', "
				   "its value)", arg);
	o->params = xrealloc(o->params, (o->nparams + 1) * sizeof(*o->params));
	o->params[o->nparams++] = arg;
	return 0;
}

void opts_release(struct opts *o)
{
	free(o->params);
	o->params = NULL;
	o->nparams = 0;
	free(o->art_outs);
	free(o->art_ins);
	o->art_outs = o->art_ins = NULL;
	o->nart_outs = o->nart_ins = 0;
}

static void defaults(struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->work_dir = env("T3Q_WORK_DIR", ".");
	o->artifact_in = env("T3Q_ARTIFACT_INPUT_DIR", NULL);
	o->artifact_out = env("T3Q_ARTIFACT_OUTPUT_DIR", NULL);
	o->run_id = env("T3Q_RUN_ID", env("ELYRA_RUN_NAME", NULL));
	o->log_name = env("T3Q_LOG_NAME", NULL);
	o->python = env("T3Q_PYTHON", "python3");
	o->requirements = env("T3Q_REQUIREMENTS", NULL);
	o->termination_log = env("T3Q_TERMINATION_LOG", "/dev/termination-log");
	o->log_interval = atof(env("T3Q_LOG_UPLOAD_INTERVAL", "30"));
	o->no_install = env_true("T3Q_NO_INSTALL", 0) ||
			!env_true("ELYRA_INSTALL_PACKAGES", 1);
	o->pipeline_info = env_true("ELYRA_ENABLE_PIPELINE_INFO", 1);
	o->output_to_s3 =
		env_true("ELYRA_GENERIC_NODES_ENABLE_SCRIPT_OUTPUT_TO_S3", 1);
	o->writable_dir = env("ELYRA_WRITABLE_CONTAINER_DIR", "/tmp");
	o->max_extract_bytes = ARCHIVE_DEFAULT_MAX_BYTES;
	o->max_extract_files = ARCHIVE_DEFAULT_MAX_FILES;
}

int opts_parse(struct opts *o, int argc, char **argv)
{
	char *end;
	int c;

	defaults(o);
	if (getenv("T3Q_MAX_EXTRACT_BYTES") && size_opt("T3Q_MAX_EXTRACT_BYTES",
	    getenv("T3Q_MAX_EXTRACT_BYTES"), &o->max_extract_bytes) < 0)
		return -1;
	if (getenv("T3Q_MAX_EXTRACT_FILES") && size_opt("T3Q_MAX_EXTRACT_FILES",
	    getenv("T3Q_MAX_EXTRACT_FILES"), &o->max_extract_files) < 0)
		return -1;
	/*
	 * 0, not 1: glibc then forgets its state from an earlier parse (a
	 * pointer into that argv, which the fuzzer had freed).
	 */
	optind = 0;
	while ((c = getopt_long(argc, argv, "e:b:d:t:f:o:i:p:n:r:m:vh",
				options, NULL)) != -1) {
		switch (c) {
		case 'e': o->cos_endpoint = optarg; break;
		case 'b': o->cos_bucket = optarg; break;
		case 'd': o->cos_directory = optarg; break;
		case 't': o->archive = optarg; break;
		case 'f': o->file = optarg; break;
		case 'o': o->outputs = optarg; break;
		case 'i': o->inputs = optarg; break;
		case 'p': o->user_volume_path = optarg; break;
		case 'n': o->pipeline_name = optarg; break;
		case 'r': o->pipeline_parameters = optarg; break;
		case 'm': o->parameter_pass_method = optarg; break;
		case OPT_PARAM:
			if (param_opt(o, optarg) < 0)
				return -1;
			break;
		case OPT_WORK: o->work_dir = optarg; break;
		case OPT_AIN: o->artifact_in = optarg; break;
		case OPT_AOUT: o->artifact_out = optarg; break;
		case OPT_ARTIN:
			if (artifact_opt("--artifact-input", optarg,
					 &o->art_ins, &o->nart_ins) < 0)
				return -1;
			break;
		case OPT_ARTOUT:
			if (artifact_opt("--artifact-output", optarg,
					 &o->art_outs, &o->nart_outs) < 0)
				return -1;
			break;
		case OPT_RUN: o->run_id = optarg; break;
		case OPT_LOGNAME: o->log_name = optarg; break;
		case OPT_INTERVAL:
			o->log_interval = strtod(optarg, &end);
			if (*end || o->log_interval < 0)
				return usage_error("--log-upload-interval '%s' "
						   "is not a number of seconds",
						   optarg);
			break;
		case OPT_NOINST: o->no_install = 1; break;
		case OPT_PYTHON: o->python = optarg; break;
		case OPT_MAXBYTES:
			if (size_opt("--max-extract-bytes", optarg,
				     &o->max_extract_bytes) < 0)
				return -1;
			break;
		case OPT_MAXFILES:
			if (size_opt("--max-extract-files", optarg,
				     &o->max_extract_files) < 0)
				return -1;
			break;
		case 'v': log_level = LOG_DEBUG; break;
		case 'h': fputs(usage, stdout); return 1;
		case OPT_VERSION:
			printf("t3q-bootstrap %s\n", T3Q_VERSION);
			return 1;
		default: return usage_error("%s", "unknown or incomplete "
					    "option");
		}
	}
	if (optind < argc)
		return usage_error("unrecognized arguments: %s", argv[optind]);
	/* The flags argparse requires in bootstrapper.py. */
	if (!o->cos_endpoint)
		return usage_error("the following arguments are required: %s",
				   "-e/--cos-endpoint");
	if (!o->cos_bucket)
		return usage_error("the following arguments are required: %s",
				   "-b/--cos-bucket");
	if (!o->cos_directory)
		return usage_error("the following arguments are required: %s",
				   "-d/--cos-directory");
	if (!o->archive)
		return usage_error("the following arguments are required: %s",
				   "-t/--cos-dependencies-archive");
	if (!o->file)
		return usage_error("the following arguments are required: %s",
				   "-f/--file");
	/* A name in the run's prefix and the work dir, nothing more. */
	if (o->log_name && (!*o->log_name || strchr(o->log_name, '/') ||
			    !strcmp(o->log_name, ".") ||
			    !strcmp(o->log_name, "..")))
		return usage_error("--log-name '%s': give a file name without "
				   "'/'", o->log_name);
	if (artifacts_known(o, 1) < 0 || artifacts_known(o, 0) < 0)
		return -1;
	/* Elyra before 3.8 had no -n; it named the pipeline by -d. */
	if (!o->pipeline_name)
		o->pipeline_name = o->cos_directory;
	if (o->parameter_pass_method &&
	    strcmp(o->parameter_pass_method, "env"))
		return usage_error("argument -m/--parameter-pass-method: "
				   "invalid choice: '%s' (choose from 'env')",
				   o->parameter_pass_method);
	return 0;
}
