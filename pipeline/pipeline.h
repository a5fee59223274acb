/*
 * pipeline: an Elyra .pipeline file (pipeline-flow v3, app_data.version 3
 * to 8) read into one model that the compiler and the local runner share.
 *
 * pipeline_load() reads, migrates the old layouts (flat app_data before v4,
 * "KEY=VALUE" string lists before v8), applies pipeline_defaults, flattens
 * supernodes and finds each node's parents and transitive inputs. It does
 * not judge: pipeline_validate() (validate.c) does, with diagnostics that
 * name the node and the field.
 *
 * The struct pipeline owns everything in it; pipeline_free() frees it all.
 */
#ifndef T3Q_PIPELINE_PIPELINE_H
#define T3Q_PIPELINE_PIPELINE_H

#include "base/buf.h"

struct cJSON;

struct kv {			/* env vars, labels, annotations */
	char *key;
	char *value;		/* may be "" */
};

struct secret_ref {
	char *env_var;
	char *name;
	char *key;
};

struct volume_mount {
	char *path;
	char *pvc_name;
	char *sub_path;		/* NULL if none */
	int read_only;
};

struct toleration {
	char *key;		/* NULL or "" when absent */
	char *operator;
	char *value;
	char *effect;
};

struct strlist {
	char **v;
	int n;
};

/*
 * NODE_CUSTOM: a KFP component from a catalog (op "<catalog>:<hash>"),
 * whose definition catalog.c finds; NODE_OTHER: nothing t3q knows.
 */
enum node_kind { NODE_NOTEBOOK, NODE_PYTHON, NODE_R, NODE_SHELL, NODE_CUSTOM,
		 NODE_OTHER };

struct node {
	char *id;
	char *label;		/* ui_data.label, or the file's basename */
	char *op;		/* execute-notebook-node, ... */
	enum node_kind kind;
	char *filename;		/* as written, relative to the pipeline file */
	char *runtime_image;
	struct strlist dependencies;
	int include_subdirectories;
	struct strlist outputs;
	struct strlist inputs;	/* outputs of all ancestors (derived) */
	int *input_from;	/* per input: index in nodes[] of the ancestor
				   that writes it, the last in order (derived) */
	unsigned char *ancestors; /* bit i: nodes[i] is an ancestor */
	struct kv *env;
	int nenv;
	struct secret_ref *secrets;
	int nsecrets;
	struct volume_mount *volumes;
	int nvolumes;
	struct toleration *tolerations;
	int ntolerations;
	struct kv *annotations;
	int nannotations;
	struct kv *labels;
	int nlabels;
	char *shm_size;		/* "0.5" (units G), or NULL */
	char *cpu, *cpu_limit, *memory, *memory_limit, *gpu, *gpu_vendor;
	int disable_caching;
	int unlabelled;		/* no label: Elyra cannot make an operation */
	struct strlist params;	/* names of pipeline parameters it uses */
	struct strlist parents;	/* ids */
	char *doc;		/* comments attached to it, joined by \n\n */
	char *path;		/* "pipelines[0].nodes[2]" for messages */
	char *task_name;	/* Argo/Kubernetes name, unique (derived) */
	char *display_name;	/* Elyra's scrubbed, de-duplicated name */
	/*
	 * "<stem>-<id>" when another node's file has the same stem, so that
	 * their <stem>.log (and .ipynb, .html) keys would collide; else NULL:
	 * Elyra's own names (derived).
	 */
	char *log_name;
	/*
	 * Custom nodes: app_data.component_source (a JSON text naming the
	 * catalog type and the entry, or an old plain path), and
	 * component_parameters as written, widgets and all (a cJSON
	 * object); both NULL for generic nodes.
	 */
	char *component_source;
	struct cJSON *component_params;
};

enum param_type { PARAM_STRING, PARAM_INTEGER, PARAM_FLOAT, PARAM_BOOL };

struct param {
	char *name;
	char *description;
	enum param_type type;
	char *value;		/* as a string: "3", "1.5", "True"; or NULL */
	int required;
	char *path;
};

/* One problem found while reading or validating. */
struct diag {
	int error;		/* 1 error, 0 warning */
	char *node_id;		/* or NULL for the pipeline */
	char *node_label;
	char *field;		/* "filename", "env_vars[1]", ... or NULL */
	char *message;
	int line, col;		/* for JSON syntax errors, else 0 */
	char *context;		/* the text of that line, or NULL */
};

struct pipeline {
	char *source;		/* the .pipeline file as given */
	char *dir;		/* its directory: node files are relative */
	char *name;		/* the file's stem, as Elyra's CLI names it */
	char *description;
	int version;		/* app_data.version */
	char *runtime_type;	/* KUBEFLOW_PIPELINES, APACHE_AIRFLOW or NULL */
	char *cos_prefix;	/* pipeline_defaults.cos_object_prefix */
	struct node *nodes;	/* in topological order once loaded */
	int nnodes;
	struct param *params;
	int nparams;
	struct diag *diags;
	int ndiags;
	int nerrors;
	struct pipeline_index *index;	/* node id -> index (private) */
};

/*
 * Reads path into p. Returns 0, or -1 when the file cannot be used at all
 * (unreadable, not JSON, not a pipeline, a cycle); the reasons are in
 * p->diags either way. p must be freed with pipeline_free() in both cases.
 */
int pipeline_load(struct pipeline *p, const char *path);
void pipeline_free(struct pipeline *p);

/*
 * The one check for every user- or config-supplied string that reaches
 * the workflow (env values excepted: they may hold Argo's globals): Argo
 * resolves any "{{" and has no escape, so one is refused, naming field.
 */
void pipeline_no_braces(struct pipeline *p, const struct node *n,
			const char *field, const char *s);

/* Runs Elyra's checks (and t3q's); adds to p->diags. Returns nerrors. */
int pipeline_validate(struct pipeline *p);

void pipeline_diag(struct pipeline *p, int error, const struct node *n,
		   const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Prints the diagnostics as "file: node 'label' (id): field: message". */
void pipeline_print_diags(const struct pipeline *p, int json);

const struct node *pipeline_node(const struct pipeline *p, const char *id);
/* Whether nodes[a] is an ancestor of n (after loading). */
int pipeline_is_ancestor(const struct node *n, int a);
const struct param *pipeline_param(const struct pipeline *p,
				   const char *name);
/*
 * Elyra's sanitize_label_value: each invalid character (one '_' for all
 * the UTF-8 bytes of one) becomes '_', an 'a' is put
 * where the value would start or end with a non-alphanumeric, at most 63.
 */
void pipeline_label_value(struct buf *out, const char *s);
/*
 * Free text for an annotation, with every "{{" broken up so that Argo
 * reads no variable in it (validate.c refuses "{{" everywhere else).
 * Returns a string the caller frees.
 */
char *pipeline_unbrace(const char *s);
/*
 * Whether Kubernetes reads s as a quantity: the grammar and the errors of
 * k8s.io/apimachinery's resource.ParseQuantity (sign, digits, '.', then
 * n u m k M G T P E, Ki..Ei, or e/E and an exponent). validate.c.
 */
int pipeline_quantity_ok(const char *s);
/* Whether some node uses the parameter. */
int pipeline_param_used(const struct pipeline *p, const char *name);
/*
 * A JSON number as Python prints what json.loads() made of it: an int as
 * written ("3"), a float by repr() ("3.0", "0.3", "1e-07"). Numbers read
 * by pipeline_load() keep their spelling; others (none) are ints when
 * integral below 1e15.
 */
void pipeline_number(struct buf *out, const struct cJSON *j);
/* Kubernetes-style name: lower-case [a-z0-9-], no leading/trailing '-'. */
void pipeline_k8s_name(struct buf *out, const char *s);

#endif
