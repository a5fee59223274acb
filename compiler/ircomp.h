/*
 * ircomp: a custom node (a KFP v1 component from a catalog) in KFP v2 IR,
 * as kfp 2.17 compiles the DSL that Elyra 4.1.1 generates for it
 * (kfp.components.load_component_from_text, structures.py's
 * from_v1_component_spec):
 *
 *  - the component's inputs and outputs become inputDefinitions and
 *    outputDefinitions under kfp's sanitized names: parameters for the
 *    types kfp reads as parameters (String STRING, Integer
 *    NUMBER_INTEGER, Float NUMBER_DOUBLE, Bool BOOLEAN, JsonObject/Dict
 *    STRUCT, JsonArray/List LIST), artifacts for the rest (Model,
 *    Dataset, ... as their system.* class; untyped and other types
 *    system.Artifact);
 *  - command and args keep the component's own, with v2 placeholders
 *    ({{$.inputs.parameters['x']}}, {{$.inputs.artifacts['x'].path}},
 *    {{$.outputs.artifacts['y'].path}}, {{$.outputs.parameters['y']
 *    .output_file}}; concat and if/isPresent as kfp's JSON structures);
 *  - the task takes constants, run parameters and upstream outputs
 *    (taskOutputParameter / taskOutputArtifact).
 *
 * The node's arguments and its task name are custom.c's (custom_prepare,
 * shared with v1); what all steps share (volumes, tolerations) is the
 * plan's.
 */
#ifndef T3Q_COMPILER_IRCOMP_H
#define T3Q_COMPILER_IRCOMP_H

#include <cjson/cJSON.h>

#include "pipeline/pipeline.h"

struct custom_set;

/*
 * What KFP v2 refuses in a custom node that v1 takes: an argument whose
 * kind does not fit the input (a value or run parameter to an artifact
 * input, an artifact output to a parameter input or back). Adds
 * diagnostics to p; returns the number of errors.
 */
int ircomp_check(struct pipeline *p, const struct custom_set *cs);

/* nodes[idx]'s component, executor and root DAG task (caller frees). */
cJSON *ircomp_component(const struct pipeline *p, int idx,
			const struct custom_set *cs);
cJSON *ircomp_executor(int idx, const struct custom_set *cs);
cJSON *ircomp_task(const struct pipeline *p, int idx,
		   const struct custom_set *cs);
/* Adds nodes[idx]'s pod metadata and secrets to its platform executor x. */
void ircomp_platform(cJSON *x, const struct pipeline *p, int idx);

#endif
