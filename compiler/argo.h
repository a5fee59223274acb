/*
 * argo: a validated pipeline as an Argo Workflow for Kubeflow Pipelines
 * 1.8 (Argo 3.3, emissary executor): run parameters the KFP form can
 * change, node outputs as real artifacts, every container started by
 * t3q-bootstrap, injected by an init container as argoexec is.
 *
 * The document is built as a cJSON tree (caller frees it with
 * cJSON_Delete) in a fixed order, so the same pipeline gives the same
 * bytes; emit.c writes it.
 */
#ifndef T3Q_COMPILER_ARGO_H
#define T3Q_COMPILER_ARGO_H

#include <cjson/cJSON.h>

#include "pipeline/pipeline.h"

struct custom_set;

/* The compiler's settings; ir.c (--target kfp-v2) reads them too. */
struct argo_opts {
	const char *cos_endpoint;
	const char *cos_bucket;
	const char *cos_directory;
	const char *cos_secret;		/* Kubernetes secret with AWS_* keys */
	const char *cos_username;	/* else these, as plain values */
	const char *cos_password;
	const char *bootstrap_image;	/* init container image */
	int bootstrap_in_image;		/* the runtime images carry it */
	const char *bootstrap_path;	/* where the container finds it */
	int data_passing_cos;		/* Elyra's passing through COS only */
	const char *pull_policy;	/* imagePullPolicy, or NULL */
	const char *const *pull_secrets;
	int npull_secrets;
	const char *timestamp;		/* compilation time annotation */
	/* custom nodes' definitions (custom.h), or NULL when none */
	const struct custom_set *custom;
};

cJSON *argo_build(const struct pipeline *p, const struct argo_opts *o);

/*
 * Pieces of a v1 template that custom.c's templates share: a step's PVC
 * mounts (one volume per claim) and /dev/shm appended to the container's
 * mounts and the template's volumes; its tolerations as a new array (the
 * caller owns it).
 */
/* Copies the target-neutral settings into po, for plan_build(). */
struct plan_opts;
void argo_fill_plan_opts(struct plan_opts *po, const struct argo_opts *o);

#endif
