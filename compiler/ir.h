/*
 * ir: a validated pipeline as KFP v2 PipelineSpec IR (schemaVersion
 * 2.1.0) and its Kubernetes platform spec (the kfp-kubernetes
 * KubernetesExecutorConfig of each executor), the two documents that
 * `t3q-compile --target kfp-v2` writes.
 *
 * Each node is a component, an executor and a root DAG task. A custom
 * node's are ircomp.c's: its component's own command, as kfp 2 compiles
 * a KFP v1 component. A generic node's runtime
 * image runs t3q-bootstrap (which must be in the image: IR has no init
 * containers) with the same flags as on v1, plus one --artifact-input or
 * --artifact-output NAME=PATH per artifact, PATH a launcher placeholder.
 *
 * The documents are cJSON trees in a fixed order (the same pipeline gives
 * the same bytes); the caller frees both with cJSON_Delete.
 */
#ifndef T3Q_COMPILER_IR_H
#define T3Q_COMPILER_IR_H

#include <cjson/cJSON.h>

#include "compiler/argo.h"
#include "pipeline/pipeline.h"

struct custom_set;

/* Where the runtime image holds t3q-bootstrap unless --bootstrap-path. */
#define IR_BOOTSTRAP_PATH "/t3q/bin/t3q-bootstrap"

/*
 * What only KFP v2 refuses: run parameter defaults that its types cannot
 * hold, T3Q_MODEL_OUTPUTS entries that name no output, custom node
 * arguments whose types kfp 2 does not match (ircomp.h); cs is the
 * custom nodes' (NULL when none). Adds diagnostics to p; returns the
 * number of errors.
 */
int ir_check(struct pipeline *p, const struct custom_set *cs);

/* The PipelineSpec; *platform gets the platform spec document. */
cJSON *ir_build(const struct pipeline *p, const struct argo_opts *o,
		cJSON **platform);

#endif
