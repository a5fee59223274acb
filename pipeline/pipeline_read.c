/*
 * pipeline_read: an Elyra .pipeline document into struct pipeline: its
 * parameters, and its primary pipeline's nodes with their links and
 * comments, supernodes flattened into their nodes. A node's properties are
 * pipeline_props.c's. Old layouts are migrated as Elyra's pipeline editor
 * would migrate them, so that validation and everything after see only
 * the v8 model.
 */
#include "pipeline/pipeline_int.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/strmap.h"

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static char *dupstr(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static enum node_kind kind_of_op(const char *op)
{
	if (!op)
		return NODE_OTHER;
	if (!strcmp(op, "execute-notebook-node"))
		return NODE_NOTEBOOK;
	if (!strcmp(op, "execute-python-node"))
		return NODE_PYTHON;
	if (!strcmp(op, "execute-r-node"))
		return NODE_R;
	if (!strcmp(op, "execute-shell-node"))
		return NODE_SHELL;
	/* Everything else is a catalog's: "<catalog type>:<hash>". */
	return NODE_CUSTOM;
}

static const char *basename_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

struct reader {
	struct pipeline *p;
	const cJSON *root;
	const cJSON *defaults;
	const cJSON *comments;
	int depth;
	struct strmap ids;	/* every node id in the file, bindings too */
};

/* A link's parent: "outPort" of a node, or "<embedded-id>_outPort". */
static void add_parent(struct reader *r, struct node *n, const cJSON *link)
{
	const char *port = cJSON_GetStringValue(get(link, "port_id_ref"));
	const char *ref = cJSON_GetStringValue(get(link, "node_id_ref"));
	size_t len;

	/*
	 * A link to a node the file does not hold was dropped silently when
	 * it had no port, and the step then ran without its parent's
	 * outputs; refuse it whatever its port.
	 */
	if (!ref || !strmap_get(&r->ids, ref)) {
		const char *lid = cJSON_GetStringValue(get(link, "id"));

		pipeline_diag(r->p, 1, n, "inputs", "link '%s' refers to node "
			      "'%s', which does not exist in the pipeline.",
			      lid ? lid : "?", ref ? ref : "");
		return;
	}

	/* Elyra's parser ignores links without a port (parser.py). */
	if (!port || !ref)
		return;
	if (!strcmp(port, "outPort")) {
		pipeline_strlist_add(&n->parents, ref);
		return;
	}
	len = strlen(port);
	if (len > 8 && !strcmp(port + len - 8, "_outPort")) {
		char *id = xstrndup(port, strcspn(port, "_"));

		pipeline_strlist_add(&n->parents, id);
		free(id);
	}
}

static void add_links(struct reader *r, struct node *n, const cJSON *inputs,
		      const char *port)
{
	const cJSON *in, *l;

	cJSON_ArrayForEach(in, inputs) {
		const char *id = cJSON_GetStringValue(get(in, "id"));

		if (port && (!id || strcmp(id, port)))
			continue;
		cJSON_ArrayForEach(l, get(in, "links"))
			add_parent(r, n, l);
	}
}

static const cJSON *find_pipeline(const cJSON *root, const char *id)
{
	const cJSON *pl;

	cJSON_ArrayForEach(pl, get(root, "pipelines")) {
		const char *pid = cJSON_GetStringValue(get(pl, "id"));

		if (pid && !strcmp(pid, id))
			return pl;
	}
	return NULL;
}

static void read_comments(struct reader *r, struct node *n)
{
	const cJSON *c, *ref;
	struct buf doc = BUF_INIT;

	cJSON_ArrayForEach(c, r->comments) {
		cJSON_ArrayForEach(ref, get(c, "associated_id_refs")) {
			const char *id = cJSON_GetStringValue(get(ref,
								  "node_ref"));
			const char *text = cJSON_GetStringValue(get(c,
								   "content"));

			if (!id || strcmp(id, n->id) || !text)
				continue;
			if (doc.len)
				buf_adds(&doc, "\n\n");
			buf_adds(&doc, text);
		}
	}
	n->doc = doc.len ? buf_detach(&doc, NULL) : NULL;
	buf_release(&doc);
}

static int read_nodes(struct reader *r, const cJSON *pl, int pl_index,
		      const cJSON *super_inputs);

/* A node added to p, with what its JSON says of it before its props. */
static struct node *new_node(struct pipeline *p, const cJSON *jn,
			     const char *path)
{
	struct node *n;

	p->nodes = pipeline_grow(p->nodes, p->nnodes, sizeof(*p->nodes));
	n = &p->nodes[p->nnodes++];
	memset(n, 0, sizeof(*n));
	n->id = dupstr(cJSON_GetStringValue(get(jn, "id")));
	if (!n->id)
		n->id = xstrfmt("node-%d", p->nnodes);
	n->path = xstrdup(path);
	n->op = dupstr(cJSON_GetStringValue(get(jn, "op")));
	n->kind = kind_of_op(n->op);
	return n;
}

/*
 * Elyra's label, once the file is known: the file's name when there is no
 * label, and a label equal to the file's name becomes its stem; the id
 * when there is neither. Takes label (malloc'd, or NULL).
 */
static char *final_label(const struct node *n, char *label)
{
	if (!label && n->filename)
		label = xstrdup(basename_of(n->filename));
	if (label && n->filename &&
	    !strcmp(label, basename_of(n->filename))) {
		char *dot = strchr(label, '.');

		if (dot && dot != label)
			*dot = '\0';
	}
	return label ? label : xstrdup(n->id);
}

/* A supernode's nodes, as if they were the pipeline's own. */
static int read_supernode(struct reader *r, const cJSON *jn,
			  const char *path)
{
	const char *ref = cJSON_GetStringValue(get(get(jn, "subflow_ref"),
						   "pipeline_id_ref"));
	const cJSON *sub = ref ? find_pipeline(r->root, ref) : NULL;
	int idx = 0;
	const cJSON *pl;

	if (!sub) {
		pipeline_diag(r->p, 1, NULL, path, "supernode refers to "
			      "pipeline '%s', which is not in the file",
			      ref ? ref : "?");
		return -1;
	}
	if (r->depth > 16) {
		pipeline_diag(r->p, 1, NULL, path, "supernodes nest too deeply "
			      "(a supernode that contains itself?)");
		return -1;
	}
	cJSON_ArrayForEach(pl, get(r->root, "pipelines")) {
		if (pl == sub)
			break;
		idx++;
	}
	r->depth++;
	read_nodes(r, sub, idx, get(jn, "inputs"));
	r->depth--;
	return 0;
}

static int read_node(struct reader *r, const cJSON *jn, const char *path,
		     const cJSON *super_inputs)
{
	struct pipeline *p = r->p;
	const char *type = cJSON_GetStringValue(get(jn, "type"));
	const cJSON *app = get(jn, "app_data"), *cp, *ui;
	struct node *n;
	char *label;

	if (type && !strcmp(type, "binding"))
		return 0;
	if (type && !strcmp(type, "super_node"))
		return read_supernode(r, jn, path);
	if (type && !strcmp(type, "model_node")) {
		pipeline_diag(p, 1, NULL, path, "model nodes are not "
			      "supported");
		return -1;
	}
	if (!type || strcmp(type, "execution_node")) {
		pipeline_diag(p, 1, NULL, path, "Node type '%s' is invalid!",
			      type ? type : "");
		return -1;
	}
	n = new_node(p, jn, path);
	/* v4+ nests the properties; v3 (Elyra 2.x) has them in app_data. */
	cp = get(app, "component_parameters");
	if (!cJSON_IsObject(cp))
		cp = app;
	ui = get(app, "ui_data");
	/* Elyra: ui_data's label if it has one, even "", else app_data's. */
	label = pipeline_value_of(get(ui, "label") ? ui : app, "label");
	n->unlabelled = !label;
	if (!label)
		label = pipeline_value_of(app, "label");
	/* Provisional, so that read_props' diagnostics name the node. */
	n->label = xstrdup(label ? label : n->id);
	pipeline_read_props(p, n, cp ? cp : jn, r->defaults);
	if (n->kind == NODE_CUSTOM)
		pipeline_read_custom(n, app, cp);
	free(n->label);
	n->label = final_label(n, label);
	/* Shell scripts run as generic nodes too: a t3q extension. */
	if (n->kind == NODE_OTHER && n->filename && !strcmp(n->op ? n->op : "",
							   "execute-shell-node"))
		n->kind = NODE_SHELL;
	add_links(r, n, get(jn, "inputs"), NULL);
	if (super_inputs) {
		char *port = xstrfmt("%s_inPort", n->id);

		add_links(r, n, super_inputs, port);
		free(port);
	}
	read_comments(r, n);
	return 0;
}

static int read_nodes(struct reader *r, const cJSON *pl, int pl_index,
		      const cJSON *super_inputs)
{
	const cJSON *jn;
	int i = 0, ret = 0;

	cJSON_ArrayForEach(jn, get(pl, "nodes")) {
		char path[64];

		snprintf(path, sizeof(path), "pipelines[%d].nodes[%d]",
			 pl_index, i++);
		if (read_node(r, jn, path, super_inputs) < 0)
			ret = -1;
	}
	return ret;
}

static void read_params(struct pipeline *p, const cJSON *arr)
{
	const cJSON *e;
	int i = 0;

	cJSON_ArrayForEach(e, arr) {
		const cJSON *def = get(e, "default_value");
		const char *type = cJSON_GetStringValue(get(def, "type"));
		const cJSON *val = get(e, "value");
		struct param *pm;

		p->params = pipeline_grow(p->params, p->nparams,
					  sizeof(*p->params));
		pm = &p->params[p->nparams++];
		memset(pm, 0, sizeof(*pm));
		pm->name = pipeline_value_of(e, "name");
		/* Named by its name where it has one, for the user's sake. */
		pm->path = pm->name ? xstrfmt("pipeline_parameters[%s]",
					      pm->name)
				    : xstrfmt("pipeline_parameters[%d]", i);
		i++;
		pm->description = pipeline_value_of(e, "description");
		pm->required = cJSON_IsTrue(get(e, "required"));
		pm->type = !type || !strcmp(type, "String") ? PARAM_STRING :
			   !strcmp(type, "Integer") ? PARAM_INTEGER :
			   !strcmp(type, "Float") ? PARAM_FLOAT :
			   !strcmp(type, "Bool") ? PARAM_BOOL : PARAM_STRING;
		/* The value if set, else the default (Elyra 4.0.0). */
		if (!val || cJSON_IsNull(val) ||
		    (cJSON_IsString(val) && !*val->valuestring))
			val = get(def, "value");
		pm->value = pipeline_scalar(val);
		if (pm->value && !*pm->value) {
			free(pm->value);
			pm->value = NULL;
		}
		if (pm->value && pm->type == PARAM_BOOL && cJSON_IsString(val)) {
			int t = !strcasecmp(pm->value, "true");

			free(pm->value);
			pm->value = xstrdup(t ? "True" : "False");
		}
	}
}


/* Elyra's structural checks on the document, with its messages. */
static int check_root(struct pipeline *p, const cJSON *root)
{
	const cJSON *version = get(root, "version");
	const cJSON *pipelines = get(root, "pipelines");
	const char *field = "pipelines", *why;

	if (!cJSON_IsObject(root)) {
		field = NULL;
		why = "Invalid JSON detected, unable to continue.";
	} else if (!version || !cJSON_IsString(version) ||
		   atof(version->valuestring) != 3.0) {
		field = "version";
		why = !version ? "Pipeline schema version field is missing." :
		      !cJSON_IsString(version) ? "Pipeline schema version "
		      "field should be a string." : "Incompatible pipeline "
		      "schema version detected.";
	} else if (!pipelines) {
		why = "Pipeline is missing 'pipelines' field.";
	} else if (!cJSON_IsArray(pipelines)) {
		why = "Field 'pipelines' should be a list.";
	} else if (!cJSON_GetArraySize(pipelines)) {
		why = "Pipeline has zero length 'pipelines' field.";
	} else {
		return 0;
	}
	pipeline_diag(p, 1, NULL, field, "%s", why);
	return -1;
}

/* The pipeline primary_pipeline names, and its index in pipelines[]. */
static const cJSON *find_primary(struct pipeline *p, const cJSON *root,
				 int *idx)
{
	const cJSON *primary = get(root, "primary_pipeline"), *e;
	const char *id = cJSON_GetStringValue(primary);

	if (!primary) {
		pipeline_diag(p, 1, NULL, "primary_pipeline", "Could not "
			      "determine the primary pipeline.");
		return NULL;
	}
	if (!id) {
		pipeline_diag(p, 1, NULL, "primary_pipeline", "Field "
			      "'primary_pipeline' should be a string.");
		return NULL;
	}
	*idx = 0;
	cJSON_ArrayForEach(e, get(root, "pipelines")) {
		const char *eid = cJSON_GetStringValue(get(e, "id"));

		if (eid && !strcmp(eid, id))
			return e;
		(*idx)++;
	}
	pipeline_diag(p, 1, NULL, "primary_pipeline", "No primary pipeline "
		      "was found");
	return NULL;
}

/* The primary pipeline's app_data: its version, runtime and prefix. */
static int read_app(struct pipeline *p, const cJSON *app)
{
	const cJSON *props = get(app, "properties");
	const cJSON *defaults = get(props, "pipeline_defaults");

	if (!cJSON_IsObject(app)) {
		pipeline_diag(p, 1, NULL, "app_data", "Primary pipeline is "
			      "missing the 'app_data' field.");
		return -1;
	}
	if (!cJSON_IsNumber(get(app, "version"))) {
		pipeline_diag(p, 1, NULL, "app_data.version", get(app,
			      "version") ? "Pipeline version is not a numeric "
			      "value." : "Primary pipeline is missing the "
			      "'version' field.");
		return -1;
	}
	p->version = get(app, "version")->valueint;
	p->runtime_type = pipeline_value_of(app, "runtime_type");
	if (!p->runtime_type) {
		/* Before runtime_type (v4, v5): "runtime", in two places. */
		char *rt = pipeline_value_of(app, "runtime");

		if (!rt)
			rt = pipeline_value_of(props, "runtime");
		if (rt && (!strcasecmp(rt, "airflow") ||
			   !strcasecmp(rt, "Apache Airflow")))
			p->runtime_type = xstrdup("APACHE_AIRFLOW");
		free(rt);
	}
	p->cos_prefix = pipeline_value_of(defaults, "cos_object_prefix");
	/* 3.8-3.12 kept the prefix beside the defaults. */
	if (!p->cos_prefix)
		p->cos_prefix = pipeline_value_of(props, "cos_object_prefix");
	p->description = pipeline_value_of(props, "description");
	return 0;
}

/*
 * Every node id in the file, in every pipeline, so that a link to a node
 * the file does not hold is told from one to a supernode's.
 */
static void collect_ids(struct reader *r)
{
	const cJSON *jp, *jn;
	int count = 0;

	cJSON_ArrayForEach(jp, get(r->root, "pipelines"))
		count += cJSON_GetArraySize(get(jp, "nodes"));
	strmap_reserve(&r->ids, count);
	cJSON_ArrayForEach(jp, get(r->root, "pipelines"))
		cJSON_ArrayForEach(jn, get(jp, "nodes")) {
			const char *id = cJSON_GetStringValue(get(jn, "id"));

			if (id)
				strmap_put(&r->ids, id, r);
		}
}

int pipeline_read(struct pipeline *p, const cJSON *root)
{
	const cJSON *pl, *app, *props;
	struct reader r = { p, root, NULL, NULL, 0, { 0 } };
	int idx, ret = 0;

	if (check_root(p, root) < 0)
		return -1;
	pl = find_primary(p, root, &idx);
	if (!pl)
		return -1;
	app = get(pl, "app_data");
	if (read_app(p, app) < 0)
		return -1;
	props = get(app, "properties");
	r.defaults = get(props, "pipeline_defaults");
	r.comments = get(get(app, "ui_data"), "comments");
	collect_ids(&r);
	read_params(p, get(props, "pipeline_parameters"));
	if (read_nodes(&r, pl, idx, NULL) < 0)
		ret = -1;
	strmap_release(&r.ids);
	if (!p->nnodes && !ret) {
		pipeline_diag(p, 1, NULL, "nodes", "At least one node must "
			      "exist in the primary pipeline.");
		ret = -1;
	}
	return ret;
}
