/*
 * s3cmd: a small S3 command line inside the bootstrap, so that a cluster's
 * MinIO can be debugged from inside a pod with the very client, endpoint
 * and credentials a step uses. Exit: 0 done, 1 failed, 2 usage.
 */
#include "bootstrap/s3cmd.h"

#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "s3/s3.h"
#include "store/store.h"

/* A format: the defaults are the client's own (s3/s3.h). */
static const char usage[] =
"usage: t3q-bootstrap s3 [options] ls [-r] URL\n"
"       t3q-bootstrap s3 [options] get URL FILE\n"
"       t3q-bootstrap s3 [options] put FILE URL\n"
"       t3q-bootstrap s3 [options] rm URL\n"
"       t3q-bootstrap s3 [options] stat URL\n"
"       t3q-bootstrap s3 [options] mb s3://BUCKET\n"
"\n"
"URL is s3://bucket/key, file:///dir/key, or a key in --cos-bucket.\n"
"\n"
"options (environment in brackets):\n"
"  -e, --cos-endpoint URL  S3 endpoint, http(s)://host:port [T3Q_S3_ENDPOINT]\n"
"  -b, --cos-bucket NAME   bucket for bare keys\n"
"      --region NAME       signing region, default us-east-1 [AWS_REGION]\n"
"      --virtual-host      bucket.host addressing [T3Q_S3_VIRTUAL_HOST]\n"
"      --ca-bundle FILE    CA certificates for https [AWS_CA_BUNDLE]\n"
"      --insecure          do not verify the TLS certificate\n"
"      --part-size BYTES   multipart part size, default %u MiB\n"
"                          [T3Q_S3_PART_SIZE]\n"
"      --concurrency N     parts in flight, default %d [T3Q_S3_CONCURRENCY]\n"
"      --max-attempts N    attempts per request, default %d\n"
"                          [T3Q_S3_MAX_ATTEMPTS]\n"
"      --max-time SECS     no retry starts after this, default %g\n"
"                          [T3Q_S3_MAX_TIME]\n"
"      --stall-timeout S   the window of --min-speed, default %ld\n"
"                          [T3Q_S3_STALL_TIMEOUT]\n"
"      --min-speed BYTES   slower than this per second over the window:\n"
"                          cut and retried, default %lld [T3Q_S3_MIN_SPEED]\n"
"      --request-timeout S a request's deadline: S plus 1 s per %lld KiB\n"
"                          of its body, default %g [T3Q_S3_REQUEST_TIMEOUT]\n"
"  -v, --verbose           debug log lines [T3Q_LOG_LEVEL=debug]\n"
"Credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN\n"
"(or AWS_ACCESS_KEY, AWS_SECRET_KEY); without them requests are anonymous.\n";

static void print_usage(FILE *f)
{
	fprintf(f, usage, S3_DEFAULT_PART_SIZE >> 20, S3_DEFAULT_CONCURRENCY,
		S3_DEFAULT_MAX_ATTEMPTS, S3_DEFAULT_MAX_TIME,
		S3_DEFAULT_STALL_TIMEOUT, S3_DEFAULT_MIN_SPEED,
		S3_DEFAULT_AVG_SPEED >> 10, S3_DEFAULT_REQUEST_TIMEOUT);
}

/*
 * The signal that stopped a transfer; its temp file is removed. Atomic,
 * not sig_atomic_t: the threads of a parallel download read it too.
 */
static atomic_int stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static int stop_requested(void)
{
	return stop_signal != 0;
}

enum {
	OPT_REGION = 256, OPT_VHOST, OPT_CA, OPT_INSECURE, OPT_PART,
	OPT_CONC, OPT_ATTEMPTS, OPT_TIME, OPT_STALL, OPT_MIN_SPEED,
	OPT_REQ_TIME,
};

static const struct option options[] = {
	{ "cos-endpoint", required_argument, NULL, 'e' },
	{ "cos-bucket", required_argument, NULL, 'b' },
	{ "region", required_argument, NULL, OPT_REGION },
	{ "virtual-host", no_argument, NULL, OPT_VHOST },
	{ "ca-bundle", required_argument, NULL, OPT_CA },
	{ "insecure", no_argument, NULL, OPT_INSECURE },
	{ "part-size", required_argument, NULL, OPT_PART },
	{ "concurrency", required_argument, NULL, OPT_CONC },
	{ "max-attempts", required_argument, NULL, OPT_ATTEMPTS },
	{ "max-time", required_argument, NULL, OPT_TIME },
	{ "stall-timeout", required_argument, NULL, OPT_STALL },
	{ "min-speed", required_argument, NULL, OPT_MIN_SPEED },
	{ "request-timeout", required_argument, NULL, OPT_REQ_TIME },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int number(const char *opt, const char *v, double min, double max,
		  double *out)
{
	char *end;

	*out = strtod(v, &end);
	if (end == v || *end || *out < min || *out > max) {
		error("--%s '%s': expected a number from %g to %g", opt, v,
		      min, max);
		return -1;
	}
	return 0;
}

static int parse_options(int argc, char **argv, struct s3_config *cfg,
			 const char **bucket)
{
	double d;
	int c;

	while ((c = getopt_long(argc, argv, "+e:b:vh", options, NULL)) != -1) {
		switch (c) {
		case 'e': s3_config_set(&cfg->endpoint, optarg); break;
		case 'b': *bucket = optarg; break;
		case OPT_REGION: s3_config_set(&cfg->region, optarg); break;
		case OPT_VHOST: cfg->virtual_host = 1; break;
		case OPT_CA: s3_config_set(&cfg->ca_bundle, optarg); break;
		case OPT_INSECURE: cfg->insecure = 1; break;
		case OPT_PART:
			if (number("part-size", optarg, S3_MIN_PART_SIZE,
				   5368709120.0, &d) < 0)
				return -1;
			cfg->part_size = (size_t)d;
			break;
		case OPT_CONC:
			if (number("concurrency", optarg, 1, 64, &d) < 0)
				return -1;
			cfg->concurrency = (int)d;
			break;
		case OPT_ATTEMPTS:
			if (number("max-attempts", optarg, 1, 100, &d) < 0)
				return -1;
			cfg->max_attempts = (int)d;
			break;
		case OPT_TIME:
			if (number("max-time", optarg, 0, 86400, &d) < 0)
				return -1;
			cfg->max_time = d;
			break;
		case OPT_STALL:
			if (number("stall-timeout", optarg, 1, 3600, &d) < 0)
				return -1;
			cfg->stall_timeout = (long)d;
			break;
		case OPT_MIN_SPEED:
			if (number("min-speed", optarg, 0, 1e12, &d) < 0)
				return -1;
			cfg->min_speed = (long long)d;
			break;
		case OPT_REQ_TIME:
			if (number("request-timeout", optarg, 1, 86400, &d) < 0)
				return -1;
			cfg->request_timeout = d;
			break;
		case 'v': log_level = LOG_DEBUG; break;
		case 'h': print_usage(stdout); exit(0);
		default: return -1;
		}
	}
	return 0;
}

/*
 * Splits URL into a store root and a key: s3://bucket/key, file:///path,
 * or a bare key in the --cos-bucket bucket.
 */
static int split_url(const char *url, const char *bucket, char **root,
		     const char **key)
{
	if (!strncmp(url, "s3://", 5)) {
		const char *slash = strchr(url + 5, '/');

		*root = slash ? xstrndup(url, slash - url) : xstrdup(url);
		*key = slash ? slash + 1 : "";
	} else if (!strncmp(url, "file://", 7)) {
		*root = xstrdup("file:///");
		*key = url + 7;
		while (**key == '/')
			(*key)++;
	} else if (bucket) {
		*root = xstrfmt("s3://%s", bucket);
		*key = url;
	} else {
		return error("'%s' is not s3://bucket/key or file:///path, "
			     "and no --cos-bucket was given", url);
	}
	return 0;
}

static int print_entry(void *ctx, const struct store_entry *e)
{
	(void)ctx;
	if (e->is_prefix)
		printf("%12s  %s\n", "PRE", e->key);
	else
		printf("%12lld  %s\n", e->size, e->key);
	return 0;
}

static int run(const char *verb, int argc, char **argv,
	       const struct s3_config *cfg, const char *bucket)
{
	int recursive = 0;
	const char *url, *key = NULL;
	struct store *st;
	char *root = NULL;
	int ret;

	if (!strcmp(verb, "ls") && argc > 0 && !strcmp(argv[0], "-r")) {
		recursive = 1;
		argc--;
		argv++;
	}
	if ((!strcmp(verb, "ls") || !strcmp(verb, "rm") ||
	     !strcmp(verb, "stat") || !strcmp(verb, "mb")) && argc == 1)
		url = argv[0];
	else if (!strcmp(verb, "get") && argc == 2)
		url = argv[0];
	else if (!strcmp(verb, "put") && argc == 2)
		url = argv[1];
	else
		return -2;
	if (split_url(url, bucket, &root, &key) < 0)
		return -2;
	st = store_open(root, cfg);
	free(root);
	if (!st)
		return -1;
	if (!strcmp(verb, "ls")) {
		ret = store_list(st, key, recursive ? NULL : "/", print_entry,
				 NULL);
	} else if (!strcmp(verb, "get")) {
		ret = store_get(st, key, argv[1]);
	} else if (!strcmp(verb, "put")) {
		ret = store_put(st, argv[0], key);
	} else if (!strcmp(verb, "rm")) {
		ret = store_delete(st, key);
	} else if (!strcmp(verb, "stat")) {
		long long size = 0;

		ret = store_stat(st, key, &size);
		if (ret == 1)
			error("%s/%s: not found", store_url(st), key);
		else if (ret == 0)
			printf("%lld\n", size);
		ret = ret ? -1 : 0;
	} else if (store_s3(st) && !*key) {
		ret = s3_make_bucket(store_s3(st), store_url(st) + 5);
	} else {
		ret = error("mb takes s3://BUCKET");
	}
	store_free(st);
	return ret;
}

int s3cmd_main(int argc, char **argv)
{
	struct s3_config cfg;
	struct sigaction sa;
	const char *bucket = NULL;
	int ret;

	s3_config_init(&cfg);
	if (s3_config_from_env(&cfg) < 0 ||
	    parse_options(argc, argv, &cfg, &bucket) < 0 || optind >= argc) {
		print_usage(stderr);
		s3_config_release(&cfg);
		return 2;
	}
	/*
	 * TERM or INT stops the transfer within a second, through the
	 * client's cancel poll, so that a download's temp file is removed
	 * and an upload's parts aborted; then the shell's 128+N.
	 */
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	cfg.cancel = stop_requested;
	ret = run(argv[optind], argc - optind - 1, argv + optind + 1, &cfg,
		  bucket);
	if (ret == -2)
		print_usage(stderr);
	s3_config_release(&cfg);
	if (stop_signal)
		return 128 + stop_signal;
	return ret == -2 ? 2 : ret ? 1 : 0;
}
