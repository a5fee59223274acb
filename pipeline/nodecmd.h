/*
 * nodecmd: the one place that says how a pipeline node runs: the
 * t3q-bootstrap arguments and the plain environment of its container.
 * t3q-compile puts them in the Argo YAML; t3q-run executes them; so a node
 * runs alike on a cluster and on a laptop.
 *
 * What is Kubernetes-only (secretKeyRef env, volumes, resources) is the
 * compiler's. Ownership: nodecmd_release() frees what nodecmd_build() made.
 */
#ifndef T3Q_PIPELINE_NODECMD_H
#define T3Q_PIPELINE_NODECMD_H

#include "pipeline/pipeline.h"

/* Where Argo places and collects artifacts inside the container. */
#define NODECMD_ARTIFACT_IN "/t3q/artifacts/in"
#define NODECMD_ARTIFACT_OUT "/t3q/artifacts/out"

struct nodecmd_ctx {
	const struct pipeline *p;
	const char *cos_endpoint;
	const char *cos_bucket;
	const char *cos_directory;
	const char *run_id;		/* "{{workflow.uid}}", or a run's id */
	const char *artifact_in;	/* NULL: inputs from the store */
	const char *artifact_out;	/* NULL: no artifact staging */
	const char *writable_dir;	/* ELYRA_WRITABLE_CONTAINER_DIR */
	/* A parameter's value in this context: "{{inputs.parameters.P}}". */
	const char *(*param_value)(void *ctx, const struct param *pm);
	void *ctx;
	/*
	 * NULL: the archive is <cos_directory>/<stem>-<id>.tar.gz, Elyra's
	 * key. Else it is under <cos_directory>/<archive_dir>/ (t3q-run: the
	 * run's own prefix, so that concurrent runs keep their own files).
	 */
	const char *archive_dir;
};

struct nodecmd {
	char **args;		/* NULL-terminated, without the program */
	int nargs;
	struct kv *env;		/* plain name=value pairs */
	int nenv;
};

void nodecmd_build(const struct nodecmd_ctx *c, const struct node *n,
		   struct nodecmd *out);

/*
 * nodecmd_build() passes the parameters as Elyra's "--pipeline-parameters
 * 'a=1;b=2'" (KFP v1, t3q-run: the env holds each value too, whole). With
 * NODECMD_PARAM_ARGS, one "--pipeline-parameter NAME=VALUE" each, for
 * where the args are all a step gets (KFP v2): no value can split.
 */
#define NODECMD_PARAM_ARGS 1
void nodecmd_build_flags(const struct nodecmd_ctx *c, const struct node *n,
			 struct nodecmd *out, unsigned flags);
void nodecmd_release(struct nodecmd *cmd);

/* Elyra's archive name: "<file stem>-<node id>.tar.gz". */
char *nodecmd_archive_name(const struct node *n);

#endif
