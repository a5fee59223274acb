/*
 * plan: a validated pipeline as what each step runs, before any target's
 * syntax: per task its image, the t3q-bootstrap arguments (with parameter
 * references and artifact slots kept symbolic), env, Kubernetes settings,
 * artifacts and dependencies. One renderer per target turns it into a
 * document: argo.c (KFP v1, an Argo Workflow), ir.c (KFP v2, PipelineSpec
 * IR), so two targets never mean two copies of the node logic.
 *
 * Ownership: plan_build() fills a struct plan that owns its arrays and the
 * strings it made; const pointers point into the pipeline, which must
 * outlive the plan. plan_release() frees what plan_build() made.
 */
#ifndef T3Q_COMPILER_PLAN_H
#define T3Q_COMPILER_PLAN_H

#include "pipeline/pipeline.h"

/* What a piece of an argument or env value stands for. */
enum plan_part_kind {
	PLAN_TEXT,		/* text: the bytes as they are */
	PLAN_PARAM,		/* text: a pipeline parameter's name */
};

struct plan_part {
	enum plan_part_kind kind;
	char *text;
};

enum plan_arg_kind {
	PLAN_ARG,		/* parts: one argument */
	/*
	 * Where the target says how artifacts are staged: on v1 the
	 * bootstrap's "--artifact-inputs DIR" ("--artifact-outputs DIR"), on
	 * v2 one "--artifact-input NAME=PATH" per artifact.
	 */
	PLAN_ARTIFACTS_IN,
	PLAN_ARTIFACTS_OUT,
};

struct plan_arg {
	enum plan_arg_kind kind;
	struct plan_part *parts;
	int nparts;
};

enum plan_env_kind {
	PLAN_ENV_VALUE,		/* value */
	PLAN_ENV_PARAM,		/* value: the parameter's name */
	PLAN_ENV_RUN_ID,	/* the run's id, as the target spells it */
	PLAN_ENV_SECRET,	/* value: the secret's name; key: its key */
};

struct plan_env {
	enum plan_env_kind kind;
	char *name;
	char *value;
	char *key;
};

struct plan_mount {		/* a persistent volume claim, mounted */
	const char *pvc;
	char *path;		/* "/a/b": one leading '/', none trailing */
	const char *sub_path;	/* or NULL */
	int read_only;
};

struct plan_artifact {
	char *name;		/* names_artifact() of the path */
	int producer;		/* index in plan.tasks of who writes it */
	int model;		/* marked as a model (T3Q_MODEL_OUTPUTS) */
};

struct plan_task {
	const struct node *node;
	const char *name;	/* Kubernetes-safe, unique: n->task_name */
	const char *display_name; /* the node's label, as Elyra shows it */
	const char *image;
	struct plan_arg *args;	/* without the program */
	int nargs;
	struct plan_env *env;	/* plain, secret and parameter env, in order */
	int nenv;
	/* Requests and limits as Kubernetes quantities, or NULL. */
	char *cpu, *cpu_limit, *memory, *memory_limit;
	const char *gpu;	/* NULL when none (or "0") */
	const char *gpu_vendor;	/* "nvidia.com/gpu" unless the node says */
	struct plan_mount *mounts;
	int nmounts;
	char *shm_size;		/* "1G", or NULL */
	const struct toleration *tolerations;
	int ntolerations;
	struct kv *labels;	/* pod labels: Elyra's, then the node's */
	int nlabels;
	struct kv *annotations;
	int nannotations;
	const struct param **params;	/* the run parameters it uses */
	int nparams;
	struct plan_artifact *inputs;	/* ancestors' outputs it reads */
	int ninputs;
	struct plan_artifact *outputs;
	int noutputs;
	int enable_cache;
	int *parents;		/* indexes in plan.tasks */
	int nparents;
};

struct plan {
	char *name;		/* Kubernetes-safe, no task's name */
	const struct param **params;	/* the run parameters some node uses */
	int nparams;
	struct plan_task *tasks;	/* one per node, in p->nodes' order */
	int ntasks;
};

/* Settings that change what a step runs, whatever the target. */
struct plan_opts {
	const char *cos_endpoint;
	const char *cos_bucket;
	const char *cos_directory;
	const char *cos_secret;		/* secret with the AWS_* keys, or */
	const char *cos_username;	/* these, as plain values */
	const char *cos_password;
	int data_passing_cos;		/* no artifacts: Elyra's COS passing */
	int param_args;			/* NODECMD_PARAM_ARGS */
};

/* The node env var that marks outputs as models on KFP v2. */
#define PLAN_MODEL_ENV "T3Q_MODEL_OUTPUTS"

void plan_build(struct plan *out, const struct pipeline *p,
		const struct plan_opts *o);
void plan_release(struct plan *pl);

/*
 * Checks what only the plan gives meaning to (the T3Q_MODEL_OUTPUTS
 * entries), adding diagnostics to p. Returns the number of errors found.
 */
int plan_check(struct pipeline *p);

/*
 * The run parameters' defaults as Elyra reads them (Python literals: an
 * Integer or Float "0x10" is 16, a Bool 1 is True), alike for every
 * target; an Integer past +-2^53 is an error on every target (KFP v2
 * cannot carry it exactly). Rewrites p's values and adds diagnostics;
 * returns the number of errors.
 */
int plan_params(struct pipeline *p);

#endif
