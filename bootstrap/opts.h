/*
 * opts: t3q-bootstrap's flags (bootstrapper.py's, exactly, plus t3q's own)
 * and the environment variables that stand for them.
 *
 * All strings in struct opts point into argv or the environment; the
 * arrays of --pipeline-parameter values and --artifact-output/
 * --artifact-input pairs are owned by the struct, and opts_release() frees
 * them (after opts_parse(), whatever it returned).
 */
#ifndef T3Q_BOOTSTRAP_OPTS_H
#define T3Q_BOOTSTRAP_OPTS_H

#include <stddef.h>

/*
 * One --artifact-output or --artifact-input NAME=PATH: the artifact key
 * (names_artifact() of a declared path, or a fixed key) and the local path
 * KFP v2's launcher gave it. Both point into argv; name is not terminated.
 */
struct opts_artifact {
	const char *name;
	size_t name_len;
	const char *path;
};

/* The fixed output keys: files the bootstrap writes for every step. */
#define OPTS_KEY_METRICS "mlpipeline-metrics"
#define OPTS_KEY_MARKDOWN "mlpipeline-markdown"
#define OPTS_KEY_HTML "mlpipeline-html"

struct opts {
	/* bootstrapper.py's flags */
	const char *cos_endpoint;	/* -e */
	const char *cos_bucket;		/* -b */
	const char *cos_directory;	/* -d */
	const char *archive;		/* -t */
	const char *file;		/* -f */
	const char *outputs;		/* -o, ';'-separated */
	const char *inputs;		/* -i, ';'-separated */
	const char *user_volume_path;	/* -p */
	const char *pipeline_name;	/* -n */
	const char *pipeline_parameters; /* -r, "a=1;b=2" */
	const char *parameter_pass_method; /* -m, only "env" */

	/* t3q's own */
	const char **params;	/* --pipeline-parameter N=V, owned */
	int nparams;
	const char *work_dir;		/* T3Q_WORK_DIR, default "." */
	const char *artifact_in;	/* T3Q_ARTIFACT_INPUT_DIR */
	const char *artifact_out;	/* T3Q_ARTIFACT_OUTPUT_DIR */
	struct opts_artifact *art_outs;	/* --artifact-output, owned */
	int nart_outs;
	struct opts_artifact *art_ins;	/* --artifact-input, owned */
	int nart_ins;
	const char *run_id;		/* T3Q_RUN_ID, else ELYRA_RUN_NAME */
	const char *log_name;		/* T3Q_LOG_NAME: <it>.log, not <stem> */
	const char *python;		/* T3Q_PYTHON, default "python3" */
	const char *requirements;	/* T3Q_REQUIREMENTS */
	const char *termination_log;	/* T3Q_TERMINATION_LOG */
	double log_interval;		/* T3Q_LOG_UPLOAD_INTERVAL, seconds */
	int no_install;			/* T3Q_NO_INSTALL, ELYRA_INSTALL_PACKAGES */
	long long max_extract_bytes;	/* T3Q_MAX_EXTRACT_BYTES, 0: none */
	long long max_extract_files;	/* T3Q_MAX_EXTRACT_FILES, 0: none */

	/* Elyra's switches, from the environment */
	int pipeline_info;		/* ELYRA_ENABLE_PIPELINE_INFO */
	int output_to_s3;	/* ELYRA_GENERIC_NODES_ENABLE_SCRIPT_OUTPUT_TO_S3 */
	const char *writable_dir;	/* ELYRA_WRITABLE_CONTAINER_DIR */
};

/*
 * Parses argv (without the program name's special verbs). Returns 0, 1 when
 * --help or --version was answered (exit 0), or -1 after printing a usage
 * error (exit 2).
 */
int opts_parse(struct opts *o, int argc, char **argv);
void opts_release(struct opts *o);

/*
 * The path given for artifact key name (NUL-terminated) among n pairs,
 * or NULL.
 */
const char *opts_artifact_path(const struct opts_artifact *a, int n,
			       const char *name);

/*
 * "1000", "512K", "8G", "2TiB": a count of bytes (K, M, G, T are powers
 * of 1024). Returns 0, or -1 when s is not one.
 */
int opts_parse_size(const char *s, long long *out);

#endif
