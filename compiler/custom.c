/* custom: a custom node (KFP component) as kfp 1.8.22 compiles it. */
#include "compiler/custom.h"

#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/strmap.h"
#include "compiler/k8s.h"
#include "compiler/plan.h"

static cJSON *str(const char *s)
{
	return cJSON_CreateString(s ? s : "");
}

static void add_str(cJSON *o, const char *k, const char *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, k);
	cJSON_AddItemToObject(o, k, str(v));
}

static cJSON *named(const char *name)
{
	cJSON *o = cJSON_CreateObject();

	add_str(o, "name", name);
	return o;
}

/* kfp's PipelineParam.full_name of an output: "<task>-<Output-name>". */
static void full_name(struct buf *out, const struct node *n,
		      const char *output)
{
	buf_addf(out, "%s-", n->task_name);
	component_k8s_name(out, output, 1);
}

static int by_name(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;

	return strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(x, "name")),
		      cJSON_GetStringValue(cJSON_GetObjectItem(y, "name")));
}

/* Sorts an array of {name: ...} by name, dropping repeated names. */
static void sort_named(cJSON *arr)
{
	int n = cJSON_GetArraySize(arr), k = 0;
	cJSON **v = xcalloc(n ? n : 1, sizeof(*v));

	while (arr->child)
		v[k++] = cJSON_DetachItemViaPointer(arr, arr->child);
	qsort(v, n, sizeof(*v), by_name);
	for (int i = 0; i < n; i++) {
		if (i && !by_name(&v[i - 1], &v[i])) {
			cJSON_Delete(v[i]);
			v[i] = v[i - 1];
			continue;
		}
		cJSON_AddItemToArray(arr, v[i]);
	}
	free(v);
}

static void add_if_any(cJSON *o, const char *k, cJSON *arr)
{
	if (cJSON_GetArraySize(arr))
		cJSON_AddItemToObject(o, k, arr);
	else
		cJSON_Delete(arr);
}

struct texts;
static void texts_make(struct texts *t, const struct pipeline *p, int idx,
		       const struct custom_set *cs);
static void texts_release(struct texts *t);
static void strlist_clear(struct strlist *l);
static void expand_all(const struct pipeline *p, int idx,
		       const struct custom_set *cs, struct strlist *cmd,
		       struct strlist *args);

/* The count of nodes named name, in names (a multiset). */
static intptr_t name_count(const struct strmap *names, const char *name)
{
	return (intptr_t)strmap_get(names, name);
}

static void name_add(struct strmap *names, const char *name, int d)
{
	strmap_put(names, name, (void *)(name_count(names, name) + d));
}

/*
 * Names each custom node's task as kfp names the op: after the
 * component, "-2", "-3", ... until no other node has that name. names
 * counts the current names, so that many nodes of one component stay
 * fast; replaced names stay alive in old until the map is gone.
 */
static void name_custom_tasks(struct custom_set *cs, struct pipeline *p)
{
	struct strmap names = { NULL, NULL, 0, 0 };
	char **old = xcalloc(p->nnodes + 1, sizeof(*old));

	for (int i = 0; i < p->nnodes; i++)
		name_add(&names, p->nodes[i].task_name, 1);
	for (int i = 0; i < p->nnodes; i++) {
		struct buf b = BUF_INIT;
		size_t base;

		if (!cs->defs[i])
			continue;
		component_k8s_name(&b, cs->defs[i]->name ?
				   cs->defs[i]->name : "component", 0);
		if (!b.len)
			buf_adds(&b, "component");
		base = b.len;
		for (int k = 2;; k++) {
			intptr_t n = name_count(&names, b.buf) -
				     !strcmp(p->nodes[i].task_name, b.buf);

			if (!n)
				break;
			buf_setlen(&b, base);
			buf_addf(&b, "-%d", k);
		}
		/* Argo's limit for template and task names (validate.go) */
		if (b.len > 128)
			pipeline_diag(p, 1, &p->nodes[i], "component_source",
				      "the component's name makes the Argo "
				      "template and task name '%s' (%zu "
				      "characters), longer than Argo takes "
				      "(128): shorten the name in '%s'", b.buf,
				      b.len, cs->defs[i]->origin);
		name_add(&names, p->nodes[i].task_name, -1);
		old[i] = p->nodes[i].task_name;
		p->nodes[i].task_name = buf_detach(&b, NULL);
		name_add(&names, p->nodes[i].task_name, 1);
	}
	strmap_release(&names);
	for (int i = 0; i < p->nnodes; i++)
		free(old[i]);
	free(old);
}

void custom_prepare(struct custom_set *cs, struct pipeline *p)
{
	cs->nnodes = p->nnodes;
	cs->by_value = xcalloc(p->nnodes ? p->nnodes : 1,
			       sizeof(*cs->by_value));
	for (int i = 0; i < p->nnodes; i++)
		if (cs->defs[i])
			cs->by_value[i] = xcalloc(cs->defs[i]->noutputs + 1, 1);
	name_custom_tasks(cs, p);
	if (cs->kfp2)
		return;
	/*
	 * How each command line reads its inputs (once the task names are
	 * final); outputs some inputValue reads become output parameters.
	 */
	cs->used_value = xcalloc(p->nnodes, sizeof(*cs->used_value));
	cs->used_path = xcalloc(p->nnodes, sizeof(*cs->used_path));
	for (int i = 0; i < p->nnodes; i++) {
		struct strlist cmd = { NULL, 0 }, args = { NULL, 0 };

		if (!cs->defs[i])
			continue;
		cs->used_value[i] = xcalloc(cs->defs[i]->ninputs + 1, 1);
		cs->used_path[i] = xcalloc(cs->defs[i]->ninputs + 1, 1);
		expand_all(p, i, cs, &cmd, &args);
		strlist_clear(&cmd);
		strlist_clear(&args);
		/*
		 * An input given an argument that no placeholder reads: kfp
		 * 1.8.22 still passes it, as a file (a raw artifact for a
		 * value, the producer's artifact for an output).
		 */
		for (int k = 0; k < cs->defs[i]->ninputs; k++)
			if (cs->args[i][k].kind != ARG_NONE &&
			    !cs->used_value[i][k] && !cs->used_path[i][k])
				cs->used_path[i][k] = 1;
	}
	for (int i = 0; i < p->nnodes; i++) {
		const struct component *c = cs->defs[i];

		for (int k = 0; c && k < c->ninputs; k++) {
			const struct component_arg *a = &cs->args[i][k];

			if (a->kind == ARG_OUTPUT && cs->used_value[i][k])
				cs->by_value[a->from][a->output] = 1;
		}
	}
}

void custom_release(struct custom_set *cs)
{
	if (!cs->defs)
		return;
	component_args_free(cs->args, cs->nnodes, cs->defs);
	for (int i = 0; i < cs->nnodes; i++) {
		component_free(cs->defs[i]);
		if (cs->by_value)
			free(cs->by_value[i]);
		if (cs->used_value)
			free(cs->used_value[i]);
		if (cs->used_path)
			free(cs->used_path[i]);
	}
	free(cs->defs);
	free(cs->by_value);
	free(cs->used_value);
	free(cs->used_path);
}

/*
 * The binding of nodes[idx]'s inputs for the template: constants as they
 * are, run parameters and upstream outputs as Argo input parameters.
 * values and in_paths are (c->ninputs) owned strings, out_paths
 * (c->noutputs).
 */
struct texts {
	char **values, **in_paths, **out_paths;
	int nin, nout;
};

static void texts_make(struct texts *t, const struct pipeline *p, int idx,
		       const struct custom_set *cs)
{
	const struct component *c = cs->defs[idx];
	struct buf b = BUF_INIT;

	t->nin = c->ninputs;
	t->nout = c->noutputs;
	t->values = xcalloc(t->nin + 1, sizeof(char *));
	t->in_paths = xcalloc(t->nin + 1, sizeof(char *));
	t->out_paths = xcalloc(t->nout + 1, sizeof(char *));
	for (int i = 0; i < c->ninputs; i++) {
		const struct component_arg *a = &cs->args[idx][i];

		buf_reset(&b);
		switch (a->kind) {
		case ARG_NONE:
			continue;
		case ARG_CONST:
			buf_adds(&b, a->value);
			break;
		case ARG_PARAM:
			buf_addf(&b, "{{inputs.parameters.%s}}", a->value);
			break;
		case ARG_OUTPUT:
			buf_adds(&b, "{{inputs.parameters.");
			full_name(&b, &p->nodes[a->from],
				  cs->defs[a->from]->outputs[a->output].name);
			buf_adds(&b, "}}");
			break;
		}
		t->values[i] = xstrdup(b.buf ? b.buf : "");
		buf_reset(&b);
		buf_adds(&b, "/tmp/inputs/");
		component_file_name(&b, c->inputs[i].name);
		buf_adds(&b, "/data");
		t->in_paths[i] = buf_detach(&b, NULL);
	}
	for (int i = 0; i < c->noutputs; i++) {
		buf_reset(&b);
		buf_adds(&b, "/tmp/outputs/");
		component_file_name(&b, c->outputs[i].name);
		buf_adds(&b, "/data");
		t->out_paths[i] = buf_detach(&b, NULL);
	}
	buf_release(&b);
}

static void texts_release(struct texts *t)
{
	for (int i = 0; i < t->nin; i++) {
		free(t->values[i]);
		free(t->in_paths[i]);
	}
	for (int i = 0; i < t->nout; i++)
		free(t->out_paths[i]);
	free(t->values);
	free(t->in_paths);
	free(t->out_paths);
}

static void strlist_clear(struct strlist *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/*
 * The command and args of nodes[idx] as the template has them, noting in
 * cs which inputs they read by value and by path. Validation
 * (component.c) already resolved them once, so this cannot fail.
 */
static void expand_all(const struct pipeline *p, int idx,
		       const struct custom_set *cs, struct strlist *cmd,
		       struct strlist *args)
{
	const struct component *c = cs->defs[idx];
	struct texts tx;
	struct component_binding bind;
	struct buf err = BUF_INIT;

	texts_make(&tx, p, idx, cs);
	bind.values = (const char *const *)tx.values;
	bind.in_paths = (const char *const *)tx.in_paths;
	bind.out_paths = (const char *const *)tx.out_paths;
	bind.used_value = cs->used_value[idx];
	bind.used_path = cs->used_path[idx];
	if (component_expand(c, c->command, &bind, cmd, &err) < 0 ||
	    component_expand(c, c->args, &bind, args, &err) < 0)
		error("node '%s': %s", p->nodes[idx].label, err.buf);
	texts_release(&tx);
	buf_release(&err);
}

/* Volumes, /dev/shm and tolerations, as v1 writes a generic node's. */
static void add_kubernetes(cJSON *t, cJSON *c, const struct plan_task *task)
{
	cJSON *mounts = cJSON_CreateArray(), *volumes = cJSON_CreateArray();

	k8s_add_mounts(mounts, volumes, task);
	add_if_any(c, "volumeMounts", mounts);
	if (task->ntolerations)
		cJSON_AddItemToObject(t, "tolerations",
				      k8s_tolerations(task));
	/* kfp sorts the template's volumes by name */
	sort_named(volumes);
	add_if_any(t, "volumes", volumes);
}

static void add_metadata(cJSON *t, const struct pipeline *p, int idx,
			 const struct custom_set *cs, const struct texts *tx,
			 const unsigned char *used_value)
{
	const struct node *n = &p->nodes[idx];
	const struct component *c = cs->defs[idx];
	cJSON *meta = cJSON_CreateObject(), *annos = cJSON_CreateObject(),
	      *labels = cJSON_CreateObject(), *md, *e, *argp;
	struct buf b = BUF_INIT;
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned dn = 0;

	/* the component's own metadata first: kfp adds it at creation */
	md = cJSON_GetObjectItemCaseSensitive(c->doc, "metadata");
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(md,
							       "annotations"))
		if (cJSON_IsString(e))
			add_str(annos, e->string, e->valuestring);
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(md, "labels"))
		if (cJSON_IsString(e))
			add_str(labels, e->string, e->valuestring);
	if (n->display_name && *n->display_name)
		add_str(annos, "pipelines.kubeflow.org/task_display_name",
			n->display_name);
	if (n->doc) {
		char *s = pipeline_unbrace(n->doc);

		add_str(annos, "elyra/node-user-doc", s);
		free(s);
	}
	for (int i = 0; i < n->nannotations; i++)
		add_str(annos, n->annotations[i].key, n->annotations[i].value);
	component_spec_json(&b, c);
	add_str(annos, "pipelines.kubeflow.org/component_spec", b.buf);
	/* kfp's component_ref digest: of the text Elyra's DSL embeds */
	buf_reset(&b);
	buf_addf(&b, "\n%s\n", c->text);
	EVP_Digest(b.buf, b.len, d, &dn, EVP_sha256(), NULL);
	buf_reset(&b);
	buf_adds(&b, "{\"digest\": \"");
	for (unsigned i = 0; i < dn; i++)
		buf_addf(&b, "%02x", d[i]);
	buf_adds(&b, "\"}");
	add_str(annos, "pipelines.kubeflow.org/component_ref", b.buf);
	argp = cJSON_CreateObject();
	/* input names are distinct (component.c): no lookup, linear */
	for (int i = 0; i < c->ninputs; i++)
		if (used_value[i] && tx->values[i])
			cJSON_AddItemToObject(argp, c->inputs[i].name,
					      str(tx->values[i]));
	if (argp->child) {
		buf_reset(&b);
		component_pyjson(&b, argp);
		add_str(annos, "pipelines.kubeflow.org/arguments.parameters",
			b.buf);
	}
	cJSON_Delete(argp);
	if (n->disable_caching)
		add_str(annos, "pipelines.kubeflow.org/max_cache_staleness",
			"P0D");
	add_str(labels, "pipelines.kubeflow.org/pipeline-sdk-type", "t3q");
	add_str(labels, "pipelines.kubeflow.org/enable_caching", "true");
	for (int i = 0; i < n->nlabels; i++)
		add_str(labels, n->labels[i].key, n->labels[i].value);
	cJSON_AddItemToObject(meta, "annotations", annos);
	cJSON_AddItemToObject(meta, "labels", labels);
	cJSON_AddItemToObject(t, "metadata", meta);
	buf_release(&b);
}

cJSON *custom_template(const struct pipeline *p, int idx,
		       const struct custom_set *cs,
		       const struct plan_task *task)
{
	const struct node *n = &p->nodes[idx];
	const struct component *c = cs->defs[idx];
	const struct component_arg *args = cs->args[idx];
	cJSON *t = named(n->task_name), *ctr = cJSON_CreateObject(),
	      *cmd = cJSON_CreateArray(), *argv = cJSON_CreateArray(),
	      *env = cJSON_CreateArray(), *inputs = cJSON_CreateObject(),
	      *outputs = cJSON_CreateObject(), *in_par = cJSON_CreateArray(),
	      *in_art = cJSON_CreateArray(), *out_par = cJSON_CreateArray(),
	      *out_art = cJSON_CreateArray(), *e;
	struct texts tx;
	struct strlist lc = { NULL, 0 }, la = { NULL, 0 };
	struct buf b = BUF_INIT;
	const unsigned char *used_value = cs->used_value[idx],
			    *used_path = cs->used_path[idx];

	texts_make(&tx, p, idx, cs);
	expand_all(p, idx, cs, &lc, &la);
	for (int i = 0; i < lc.n; i++)
		cJSON_AddItemToArray(cmd, str(lc.v[i]));
	for (int i = 0; i < la.n; i++)
		cJSON_AddItemToArray(argv, str(la.v[i]));

	/* inputs: what the command line consumes, by value or by path */
	for (int i = 0; i < c->ninputs; i++) {
		const struct component_arg *a = &args[i];
		cJSON *x;

		buf_reset(&b);
		if (a->kind == ARG_PARAM)
			buf_adds(&b, a->value);
		else if (a->kind == ARG_OUTPUT)
			full_name(&b, &p->nodes[a->from],
				  cs->defs[a->from]->outputs[a->output].name);
		if (used_value[i] && b.len)
			cJSON_AddItemToArray(in_par, named(b.buf));
		if (!used_path[i])
			continue;
		if (a->kind == ARG_OUTPUT) {
			x = named(b.buf);
		} else {
			/* a value given to a path: kfp's raw artifact */
			cJSON *raw = cJSON_CreateObject();

			if (a->kind == ARG_PARAM)
				cJSON_AddItemToArray(in_par, named(b.buf));
			buf_reset(&b);
			component_k8s_name(&b, c->inputs[i].name, 1);
			x = named(b.buf);
			add_str(raw, "data", tx.values[i]);
			cJSON_AddItemToObject(x, "raw", raw);
		}
		add_str(x, "path", tx.in_paths[i]);
		cJSON_AddItemToArray(in_art, x);
	}
	for (int k = 0; k < c->noutputs; k++) {
		cJSON *x;

		buf_reset(&b);
		full_name(&b, n, c->outputs[k].name);
		x = named(b.buf);
		add_str(x, "path", tx.out_paths[k]);
		cJSON_AddItemToArray(out_art, x);
		if (cs->by_value[idx][k]) {
			cJSON *vf = cJSON_CreateObject();

			x = named(b.buf);
			add_str(vf, "path", tx.out_paths[k]);
			cJSON_AddItemToObject(x, "valueFrom", vf);
			cJSON_AddItemToArray(out_par, x);
		}
	}
	sort_named(in_par);
	sort_named(in_art);
	sort_named(out_par);
	sort_named(out_art);

	/* the container: the component's own command, no bootstrap */
	cJSON_AddItemToObject(ctr, "args", argv);
	cJSON_AddItemToObject(ctr, "command", cmd);
	add_str(ctr, "image", c->image);
	cJSON_ArrayForEach(e, c->env) {
		cJSON *v = named(e->string);
		char *s = cJSON_IsString(e) ? xstrdup(e->valuestring) : NULL;

		add_str(v, "value", s);
		free(s);
		cJSON_AddItemToArray(env, v);
	}
	add_if_any(ctr, "env", env);
	cJSON_AddItemToObject(t, "container", ctr);
	add_kubernetes(t, ctr, task);
	add_if_any(inputs, "parameters", in_par);
	add_if_any(inputs, "artifacts", in_art);
	if (inputs->child)
		cJSON_AddItemToObject(t, "inputs", inputs);
	else
		cJSON_Delete(inputs);
	add_if_any(outputs, "parameters", out_par);
	add_if_any(outputs, "artifacts", out_art);
	if (outputs->child)
		cJSON_AddItemToObject(t, "outputs", outputs);
	else
		cJSON_Delete(outputs);
	add_metadata(t, p, idx, cs, &tx, used_value);

	strlist_clear(&lc);
	strlist_clear(&la);
	texts_release(&tx);
	buf_release(&b);
	return t;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

cJSON *custom_dependencies(const struct pipeline *p, int idx,
			   const struct custom_set *cs)
{
	const struct node *n = &p->nodes[idx];
	const struct component *c = cs->defs[idx];
	const char **v = xcalloc(n->parents.n + c->ninputs + 1, sizeof(*v));
	cJSON *deps = cJSON_CreateArray();
	int k = 0;

	for (int i = 0; i < n->parents.n; i++) {
		const struct node *par = pipeline_node(p, n->parents.v[i]);

		if (par)
			v[k++] = par->task_name;
	}
	for (int i = 0; i < c->ninputs; i++)
		if (cs->args[idx][i].kind == ARG_OUTPUT)
			v[k++] = p->nodes[cs->args[idx][i].from].task_name;
	qsort(v, k, sizeof(*v), cmp_str);
	for (int i = 0; i < k; i++)
		if (!i || strcmp(v[i], v[i - 1]))
			cJSON_AddItemToArray(deps, str(v[i]));
	free(v);
	return deps;
}

cJSON *custom_dag_task(const struct pipeline *p, int idx,
		       const struct custom_set *cs)
{
	const struct node *n = &p->nodes[idx];
	const struct component *c = cs->defs[idx];
	cJSON *task = named(n->task_name), *args = cJSON_CreateObject(),
	      *params = cJSON_CreateArray(), *arts = cJSON_CreateArray(),
	      *deps = custom_dependencies(p, idx, cs);
	struct buf b = BUF_INIT, v = BUF_INIT;

	add_str(task, "template", n->task_name);
	for (int i = 0; i < c->ninputs; i++) {
		const struct component_arg *a = &cs->args[idx][i];

		if (a->kind == ARG_PARAM) {
			buf_reset(&v);
			buf_addf(&v, "{{inputs.parameters.%s}}", a->value);
			cJSON *x = named(a->value);

			add_str(x, "value", v.buf);
			cJSON_AddItemToArray(params, x);
		} else if (a->kind == ARG_OUTPUT) {
			const struct node *from = &p->nodes[a->from];
			cJSON *x;

			buf_reset(&b);
			full_name(&b, from,
				  cs->defs[a->from]->outputs[a->output].name);
			buf_reset(&v);
			x = named(b.buf);
			if (cs->used_path[idx][i]) {
				buf_addf(&v, "{{tasks.%s.outputs.artifacts.%s}}",
					 from->task_name, b.buf);
				add_str(x, "from", v.buf);
				cJSON_AddItemToArray(arts, x);
			} else {
				buf_addf(&v, "{{tasks.%s.outputs.parameters.%s}}",
					 from->task_name, b.buf);
				add_str(x, "value", v.buf);
				cJSON_AddItemToArray(params, x);
			}
		}
	}
	add_if_any(task, "dependencies", deps);
	sort_named(params);
	sort_named(arts);
	add_if_any(args, "parameters", params);
	add_if_any(args, "artifacts", arts);
	if (args->child)
		cJSON_AddItemToObject(task, "arguments", args);
	else
		cJSON_Delete(args);
	buf_release(&b);
	buf_release(&v);
	return task;
}
