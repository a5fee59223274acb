/*
 * component: a Kubeflow Pipelines v1 component definition (component.yaml)
 * read with libyaml, and its command line resolved as kfp 1.8.22 resolves
 * it (kfp/components/_components.py, _resolve_command_line_and_paths).
 *
 * Only the container implementation exists in KFP v1 YAML that Elyra
 * lists; graph components are refused. The struct component owns
 * everything in it; component_free() frees it and the struct.
 */
#ifndef T3Q_COMPONENT_COMPONENT_H
#define T3Q_COMPONENT_COMPONENT_H

#include <cjson/cJSON.h>

#include "base/buf.h"
#include "pipeline/pipeline.h"

struct component_input {
	char *name;
	char *type;		/* as written, or NULL (untyped) */
	char *def;		/* the default as kfp passes it, or NULL */
	char *description;
	int optional;
	int is_path;		/* some {inputPath: name} uses it (Elyra) */
};

struct component_output {
	char *name;
	char *type;
	char *description;
};

struct strmap;

struct component {
	char *text;		/* the definition as read */
	char *origin;		/* file or URL, for messages */
	cJSON *doc;		/* the YAML document as JSON */
	char *name;
	char *description;
	struct component_input *inputs;
	int ninputs;
	struct component_output *outputs;
	int noutputs;
	char *image;
	const cJSON *command;	/* into doc: arrays of strings/placeholders */
	const cJSON *args;	/* or NULL */
	const cJSON *env;	/* {NAME: value} or NULL */
	struct strmap *in_index, *out_index;	/* name -> index + 1 */
};

/*
 * Parses text (a KFP v1 component YAML) from origin. Returns the
 * component, or NULL after writing why to err (one line, no origin).
 */
struct component *component_parse(const char *text, const char *origin,
				  struct buf *err);
void component_free(struct component *c);

int component_input_index(const struct component *c, const char *name);
int component_output_index(const struct component *c, const char *name);

/*
 * Elyra's property id for an input or output name: lower-case, spaces as
 * '_' (the key in the node's component_parameters); outputs get "output_".
 */
void component_property_id(struct buf *out, const char *name, int output);
/* kfp's file-name sanitizing: runs of [^-_.0-9a-zA-Z] become '_'. */
void component_file_name(struct buf *out, const char *name);
/* kfp's sanitize_k8s_name(name, allow_capital_underscore). */
void component_k8s_name(struct buf *out, const char *name, int caps);

/*
 * What each input and output of one task stands for. Arrays are indexed
 * like c->inputs / c->outputs and borrowed; NULL entries mean "no
 * argument". used_value / used_path are set by component_expand for the
 * inputs the command line consumes that way (caller-owned, zeroed).
 */
struct component_binding {
	const char *const *values;	/* inputValue text */
	const char *const *in_paths;	/* inputPath file */
	const char *const *out_paths;	/* outputPath file */
	unsigned char *used_value;
	unsigned char *used_path;
};

/*
 * Expands list (the command or args) into out, appending. Returns 0, or
 * -1 with the reason in err (a required input without argument, an
 * unknown placeholder).
 */
int component_expand(const struct component *c, const cJSON *list,
		     const struct component_binding *b, struct strlist *out,
		     struct buf *err);

/*
 * The component spec as kfp's ComponentSpec.to_dict() dumped by Python's
 * json.dumps(sort_keys=True): the component_spec annotation.
 */
void component_spec_json(struct buf *out, const struct component *c);
/* A cJSON value as Python's json.dumps(v, sort_keys=True) writes it. */
void component_pyjson(struct buf *out, const cJSON *v);
/* The same with the keys in their order (json.dumps(v), kfp 2's IR). */
void component_pyjson_as_is(struct buf *out, const cJSON *v);


/* ------------------------------------------------------------ nodes */

/*
 * What a custom node passes to one input, as Elyra 4.0.0's KFP processor
 * reads the node's component_parameters (widgets string, number, boolean,
 * dict, list, file: a value; parameter: a run parameter; inputpath: an
 * upstream node's output).
 */
enum component_arg_kind { ARG_NONE, ARG_CONST, ARG_PARAM, ARG_OUTPUT };

struct component_arg {
	enum component_arg_kind kind;
	char *value;		/* ARG_CONST: the text kfp passes;
				   ARG_PARAM: the parameter's name */
	int from;		/* ARG_OUTPUT: index in p->nodes */
	int output;		/* ARG_OUTPUT: index in defs[from]->outputs */
};

/*
 * The arguments of every custom node: args[i] (defs[i]->ninputs entries)
 * for p->nodes[i] with a definition, else NULL. Runs Elyra's checks that
 * need the definitions (a required input without value, an inputpath
 * naming no output of its node, kfp's type check of run parameters and
 * outputs against the input types) and adds their diagnostics to p.
 * Returns the array (p->nnodes entries), to be freed with
 * component_args_free(). kfp2: KFP v2 IR (compiler/ircomp.c), which
 * checks types as kfp 2 does, and resolves no command line here: kfp
 * 1.8's type check and command-line resolution are left out.
 */
struct component_arg **component_args(struct pipeline *p,
				      struct component *const *defs, int kfp2);
void component_args_free(struct component_arg **args, int nnodes,
			 struct component *const *defs);

#endif
