/*
 * custom: the Argo template and DAG task of a custom node (a KFP v1
 * component from a catalog), as kfp 1.8.22 compiles the DSL that Elyra
 * 4.0.0 generates for it: the container runs the component's own command,
 * with inputs under /tmp/inputs/<name>/data, outputs under
 * /tmp/outputs/<name>/data, run parameters and upstream outputs passed as
 * Argo parameters and artifacts.
 */
#ifndef T3Q_COMPILER_CUSTOM_H
#define T3Q_COMPILER_CUSTOM_H

#include <cjson/cJSON.h>

#include "component/component.h"
#include "pipeline/pipeline.h"

struct custom_set {
	struct component **defs;	/* per node; NULL: generic (owned) */
	struct component_arg **args;	/* per node, per input (owned) */
	unsigned char **by_value;	/* per node, per output: some
					   downstream inputValue reads it */
	unsigned char **used_value;	/* per node, per input: its command */
	unsigned char **used_path;	/* line reads it by value, by path */
	int nnodes;
	int kfp2;	/* for KFP v2 IR (ircomp.c): names only */
};

/*
 * Finishes cs (defs and args set): renames each custom node's task as kfp
 * names it (the component's name, made unique: kfp 1.8 and 2 alike), and
 * for v1 (not cs->kfp2) finds the outputs passed by value. Call before
 * argo_build or ir_build.
 */
void custom_prepare(struct custom_set *cs, struct pipeline *p);
void custom_release(struct custom_set *cs);

/*
 * nodes[idx]'s template and DAG task (caller frees with cJSON_Delete);
 * task is the node's plan (plan.h), for what all steps share: volumes,
 * /dev/shm and tolerations.
 */
struct plan_task;
cJSON *custom_template(const struct pipeline *p, int idx,
		       const struct custom_set *cs,
		       const struct plan_task *task);
cJSON *custom_dag_task(const struct pipeline *p, int idx,
		       const struct custom_set *cs);
/*
 * The task names nodes[idx] waits for, as kfp lists them on both
 * targets: its parents and every task whose output it takes, sorted,
 * each once (a JSON array of strings; caller frees).
 */
cJSON *custom_dependencies(const struct pipeline *p, int idx,
			   const struct custom_set *cs);

#endif
