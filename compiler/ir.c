/* ir: the plan of a pipeline -> KFP v2 PipelineSpec IR + platform spec. */
#include "compiler/ir.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/strmap.h"
#include "base/version.h"
#include "compiler/custom.h"
#include "compiler/ircomp.h"
#include "compiler/plan.h"

/*
 * The metrics and UI outputs every step declares, as v1's
 * mlpipeline-metrics and mlpipeline-ui-metadata: the bootstrap writes
 * something at each path, so the launcher always finds them.
 */
static const struct {
	const char *name, *type;
} fixed_outputs[] = {
	{ "mlpipeline-metrics", "system.Metrics" },
	{ "mlpipeline-markdown", "system.Markdown" },
	{ "mlpipeline-html", "system.HTML" },
};

#define NFIXED (int)(sizeof(fixed_outputs) / sizeof(*fixed_outputs))

static void add_str(cJSON *o, const char *k, const char *v)
{
	cJSON_AddItemToObject(o, k, cJSON_CreateString(v ? v : ""));
}

static cJSON *obj(cJSON *parent, const char *k)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddItemToObject(parent, k, o);
	return o;
}

/* A number spelled as written: "3" stays 3, "0.5" stays 0.5. */
static cJSON *number(const char *s)
{
	cJSON *n = cJSON_CreateNumber(strtod(s, NULL));

	n->valuestring = xstrdup(s);
	return n;
}

static const char *param_type(const struct param *pm)
{
	static const char *const types[] = { "STRING", "NUMBER_INTEGER",
					     "NUMBER_DOUBLE", "BOOLEAN" };

	return types[pm->type];
}

static int is_integer(const char *s)
{
	s += *s == '-' || *s == '+';
	return *s && strspn(s, "0123456789") == strlen(s);
}

/*
 * A finite number. Past DBL_MAX it is refused; below DBL_MIN strtod()
 * says ERANGE too, but 5e-324 and 1e-320 are numbers (subnormal, as
 * Python reads them; a smaller one is 0.0 there).
 */
static int is_double(const char *s)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	return *s && !*end && isfinite(d) && (!errno ||
	       (errno == ERANGE && fabs(d) <= DBL_MIN));
}

int ir_check(struct pipeline *p, const struct custom_set *cs)
{
	int errors = plan_check(p) + ircomp_check(p, cs);

	for (int i = 0; i < p->nparams; i++) {
		const struct param *pm = &p->params[i];

		if (!pm->name || !pm->value ||
		    !pipeline_param_used(p, pm->name))
			continue;
		if (pm->type == PARAM_INTEGER && !is_integer(pm->value)) {
			pipeline_diag(p, 1, NULL, pm->path, "'%s' is not an "
				      "integer, and KFP v2 types run "
				      "parameters: give an integer, or make "
				      "the parameter a String", pm->value);
			errors++;
		} else if (pm->type == PARAM_FLOAT && !is_double(pm->value)) {
			pipeline_diag(p, 1, NULL, pm->path, "'%s' is not a "
				      "number, and KFP v2 types run "
				      "parameters: give a number, or make the "
				      "parameter a String", pm->value);
			errors++;
		}
	}
	return errors;
}

static cJSON *artifact_type(const char *title)
{
	cJSON *t = cJSON_CreateObject(), *a = cJSON_CreateObject();

	add_str(a, "schemaTitle", title);
	add_str(a, "schemaVersion", "0.0.1");
	cJSON_AddItemToObject(t, "artifactType", a);
	return t;
}

static const char *kind(const struct plan_artifact *a)
{
	return a->model ? "system.Model" : "system.Dataset";
}

/*
 * The parameters the bootstrap gets, by name: not those where a node env
 * var of the name wins (nodecmd leaves their --pipeline-parameter out).
 * A hash map, so that 40,000 parameters are not matched pair by pair.
 */
static int params_passed(const struct plan_task *t, struct strmap *m)
{
	int n = 0;

	for (int i = 0; i < t->nargs; i++)
		for (int k = 0; k < t->args[i].nparts; k++)
			if (t->args[i].parts[k].kind == PLAN_PARAM)
				strmap_put(m, t->args[i].parts[k].text, m);
	for (int i = 0; i < t->nparams; i++)
		n += strmap_get(m, t->params[i]->name) != NULL;
	return n;
}

static cJSON *component(const struct plan_task *t)
{
	cJSON *c = cJSON_CreateObject(), *in = cJSON_CreateObject(),
	      *out, *arts;
	struct strmap passed = { 0 };
	char *exec = xstrfmt("exec-%s", t->name);

	add_str(c, "executorLabel", exec);
	free(exec);
	if (t->ninputs) {
		arts = obj(in, "artifacts");
		for (int i = 0; i < t->ninputs; i++)
			cJSON_AddItemToObject(arts, t->inputs[i].name,
				artifact_type(kind(&t->inputs[i])));
	}
	if (params_passed(t, &passed)) {
		cJSON *params = obj(in, "parameters");

		for (int i = 0; i < t->nparams; i++) {
			cJSON *x;

			if (!strmap_get(&passed, t->params[i]->name))
				continue;
			x = obj(params, t->params[i]->name);
			add_str(x, "parameterType", param_type(t->params[i]));
		}
	}
	if (in->child)
		cJSON_AddItemToObject(c, "inputDefinitions", in);
	else
		cJSON_Delete(in);
	out = obj(c, "outputDefinitions");
	arts = obj(out, "artifacts");
	for (int i = 0; i < t->noutputs; i++)
		cJSON_AddItemToObject(arts, t->outputs[i].name,
				      artifact_type(kind(&t->outputs[i])));
	for (int i = 0; i < NFIXED; i++)
		cJSON_AddItemToObject(arts, fixed_outputs[i].name,
				      artifact_type(fixed_outputs[i].type));
	strmap_release(&passed);
	return c;
}

static void arg(cJSON *args, const char *s)
{
	cJSON_AddItemToArray(args, cJSON_CreateString(s));
}

/* "--artifact-output" "NAME={{$.outputs.artifacts['NAME'].path}}" */
static void artifact_arg(cJSON *args, const char *flag, const char *io,
			 const char *name)
{
	char *s = xstrfmt("%s={{$.%s.artifacts['%s'].path}}", name, io,
			  name);

	arg(args, flag);
	arg(args, s);
	free(s);
}

static cJSON *container_args(const struct plan_task *t)
{
	cJSON *args = cJSON_CreateArray();
	struct buf b = BUF_INIT;

	for (int i = 0; i < t->nargs; i++) {
		const struct plan_arg *a = &t->args[i];

		if (a->kind == PLAN_ARTIFACTS_IN) {
			for (int k = 0; k < t->ninputs; k++)
				artifact_arg(args, "--artifact-input",
					     "inputs", t->inputs[k].name);
			continue;
		}
		if (a->kind == PLAN_ARTIFACTS_OUT) {
			for (int k = 0; k < t->noutputs; k++)
				artifact_arg(args, "--artifact-output",
					     "outputs", t->outputs[k].name);
			continue;
		}
		buf_reset(&b);
		for (int k = 0; k < a->nparts; k++)
			if (a->parts[k].kind == PLAN_PARAM)
				buf_addf(&b, "{{$.inputs.parameters['%s']}}",
					 a->parts[k].text);
			else
				buf_adds(&b, a->parts[k].text);
		arg(args, b.buf);
	}
	for (int i = 0; i < NFIXED; i++)
		artifact_arg(args, "--artifact-output", "outputs",
			     fixed_outputs[i].name);
	buf_release(&b);
	return args;
}

/*
 * Plain env only: secrets go to the platform spec, and a parameter
 * reaches the step through its --pipeline-parameter NAME=VALUE, which the
 * bootstrap exports: kfp's placeholders are for args (its SDK sets env to
 * plain strings only).
 */
static cJSON *container_env(const struct plan_task *t)
{
	cJSON *env = cJSON_CreateArray();

	for (int i = 0; i < t->nenv; i++) {
		const struct plan_env *e = &t->env[i];
		cJSON *x;

		if (e->kind != PLAN_ENV_VALUE && e->kind != PLAN_ENV_RUN_ID)
			continue;
		x = cJSON_CreateObject();
		add_str(x, "name", e->name);
		/* Elyra 4.1's ELYRA_RUN_NAME on v2 too. */
		add_str(x, "value", e->kind == PLAN_ENV_RUN_ID ?
			"{{workflow.uid}}" : e->value);
		cJSON_AddItemToArray(env, x);
	}
	return env;
}

/*
 * kfp 2.17's own form: the quantities as strings (resource*), and the
 * numbers the 2.0-era backends read (cpu in cores, memory in G).
 */
static void container_resources(cJSON *c, const struct plan_task *t)
{
	const struct node *n = t->node;
	cJSON *r = cJSON_CreateObject();

	if (t->gpu) {
		cJSON *acc = obj(r, "accelerator");

		add_str(acc, "count", t->gpu);
		add_str(acc, "resourceCount", t->gpu);
		add_str(acc, "resourceType", t->gpu_vendor);
		add_str(acc, "type", t->gpu_vendor);
	}
	if (n->cpu_limit)
		cJSON_AddItemToObject(r, "cpuLimit", number(n->cpu_limit));
	if (n->cpu)
		cJSON_AddItemToObject(r, "cpuRequest", number(n->cpu));
	if (n->memory_limit)
		cJSON_AddItemToObject(r, "memoryLimit",
				      number(n->memory_limit));
	if (n->memory)
		cJSON_AddItemToObject(r, "memoryRequest", number(n->memory));
	if (t->cpu_limit)
		add_str(r, "resourceCpuLimit", t->cpu_limit);
	if (t->cpu)
		add_str(r, "resourceCpuRequest", t->cpu);
	if (t->memory_limit)
		add_str(r, "resourceMemoryLimit", t->memory_limit);
	if (t->memory)
		add_str(r, "resourceMemoryRequest", t->memory);
	if (r->child)
		cJSON_AddItemToObject(c, "resources", r);
	else
		cJSON_Delete(r);
}

static cJSON *executor(const struct plan_task *t, const struct argo_opts *o)
{
	cJSON *e = cJSON_CreateObject(), *c = obj(e, "container"),
	      *cmd = cJSON_CreateArray(), *env;

	cJSON_AddItemToObject(c, "args", container_args(t));
	arg(cmd, o->bootstrap_path);
	cJSON_AddItemToObject(c, "command", cmd);
	env = container_env(t);
	if (cJSON_GetArraySize(env))
		cJSON_AddItemToObject(c, "env", env);
	else
		cJSON_Delete(env);
	add_str(c, "image", t->image);
	container_resources(c, t);
	return e;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Its parents and the producers of what it reads, sorted, as kfp does. */
static cJSON *dependent_tasks(const struct plan *pl, const struct plan_task *t)
{
	const char **v = xcalloc(t->nparents + t->ninputs + 1, sizeof(*v));
	cJSON *deps = cJSON_CreateArray();
	int n = 0;

	for (int i = 0; i < t->nparents; i++)
		v[n++] = pl->tasks[t->parents[i]].name;
	for (int i = 0; i < t->ninputs; i++)
		v[n++] = pl->tasks[t->inputs[i].producer].name;
	qsort(v, n, sizeof(*v), cmp_str);
	for (int i = 0; i < n; i++)
		if (!i || strcmp(v[i], v[i - 1]))
			arg(deps, v[i]);
	free(v);
	return deps;
}

static cJSON *dag_task(const struct plan *pl, const struct plan_task *t)
{
	cJSON *task = cJSON_CreateObject(), *caching, *ref, *deps,
	      *in = cJSON_CreateObject(), *info;
	struct strmap passed = { 0 };
	char *comp = xstrfmt("comp-%s", t->name);

	/* kfp writes a disabled cache as {}: enableCache's default. */
	caching = obj(task, "cachingOptions");
	if (t->enable_cache)
		cJSON_AddBoolToObject(caching, "enableCache", 1);
	ref = obj(task, "componentRef");
	add_str(ref, "name", comp);
	free(comp);
	deps = dependent_tasks(pl, t);
	if (cJSON_GetArraySize(deps))
		cJSON_AddItemToObject(task, "dependentTasks", deps);
	else
		cJSON_Delete(deps);
	if (t->ninputs) {
		cJSON *arts = obj(in, "artifacts");

		for (int i = 0; i < t->ninputs; i++) {
			cJSON *a = obj(obj(arts, t->inputs[i].name),
				       "taskOutputArtifact");

			add_str(a, "outputArtifactKey", t->inputs[i].name);
			add_str(a, "producerTask",
				pl->tasks[t->inputs[i].producer].name);
		}
	}
	if (params_passed(t, &passed)) {
		cJSON *params = obj(in, "parameters");

		for (int i = 0; i < t->nparams; i++)
			if (strmap_get(&passed, t->params[i]->name))
				add_str(obj(params, t->params[i]->name),
					"componentInputParameter",
					t->params[i]->name);
	}
	if (in->child)
		cJSON_AddItemToObject(task, "inputs", in);
	else
		cJSON_Delete(in);
	info = obj(task, "taskInfo");
	add_str(info, "name", t->display_name && *t->display_name ?
		t->display_name : t->name);
	strmap_release(&passed);
	return task;
}

static cJSON *root_inputs(const struct plan *pl)
{
	cJSON *in = cJSON_CreateObject(), *params = obj(in, "parameters");

	for (int i = 0; i < pl->nparams; i++) {
		const struct param *pm = pl->params[i];
		cJSON *x = obj(params, pm->name);

		if (pm->value) {
			if (pm->type == PARAM_BOOL)
				cJSON_AddBoolToObject(x, "defaultValue",
						      !strcmp(pm->value, "True"));
			else if (pm->type == PARAM_STRING)
				add_str(x, "defaultValue", pm->value);
			else
				cJSON_AddItemToObject(x, "defaultValue",
						      number(pm->value));
		}
		if (pm->description)
			add_str(x, "description", pm->description);
		/* As kfp: optional when it has a default; else asked for. */
		if (pm->value)
			cJSON_AddBoolToObject(x, "isOptional", 1);
		add_str(x, "parameterType", param_type(pm));
	}
	return in;
}

static void add_secret_name(cJSON *o, const char *name)
{
	add_str(o, "secretName", name);
}

/* Secrets as env: one entry per run of env vars from the same secret. */
static void platform_secrets(cJSON *x, const struct plan_task *t)
{
	cJSON *list = cJSON_CreateArray(), *cur = NULL, *keys = NULL;
	const char *cur_name = NULL;

	for (int i = 0; i < t->nenv; i++) {
		const struct plan_env *e = &t->env[i];
		cJSON *k;

		if (e->kind != PLAN_ENV_SECRET)
			continue;
		if (!cur || strcmp(cur_name, e->value)) {
			cur = cJSON_CreateObject();
			keys = cJSON_CreateArray();
			cJSON_AddItemToObject(cur, "keyToEnv", keys);
			add_secret_name(cur, e->value);
			cJSON_AddItemToArray(list, cur);
			cur_name = e->value;
		}
		k = cJSON_CreateObject();
		add_str(k, "envVar", e->name);
		add_str(k, "secretKey", e->key);
		cJSON_AddItemToArray(keys, k);
	}
	if (cJSON_GetArraySize(list))
		cJSON_AddItemToObject(x, "secretAsEnv", list);
	else
		cJSON_Delete(list);
}

static cJSON *kv_map(const struct kv *v, int n)
{
	cJSON *o = cJSON_CreateObject();

	for (int i = 0; i < n; i++)
		add_str(o, v[i].key, v[i].value);
	return o;
}

/*
 * One executor's Kubernetes settings, in the forms every kfp-kubernetes
 * release reads (secretName, constant), not only 2.17's *Parameter ones.
 */
static cJSON *platform_executor(const struct plan_task *t,
				const struct argo_opts *o)
{
	cJSON *x = cJSON_CreateObject(), *meta;

	if (t->shm_size) {
		cJSON *list = cJSON_CreateArray(), *m = cJSON_CreateObject();

		add_str(m, "medium", "Memory");
		add_str(m, "mountPath", "/dev/shm");
		add_str(m, "sizeLimit", t->shm_size);
		add_str(m, "volumeName", "shm");
		cJSON_AddItemToArray(list, m);
		cJSON_AddItemToObject(x, "emptyDirMounts", list);
	}
	if (o->pull_policy)
		add_str(x, "imagePullPolicy", o->pull_policy);
	if (o->npull_secrets) {
		cJSON *list = cJSON_CreateArray();

		for (int i = 0; i < o->npull_secrets; i++) {
			cJSON *s = cJSON_CreateObject();

			add_secret_name(s, o->pull_secrets[i]);
			cJSON_AddItemToArray(list, s);
		}
		cJSON_AddItemToObject(x, "imagePullSecret", list);
	}
	meta = obj(x, "podMetadata");
	cJSON_AddItemToObject(meta, "annotations",
			      kv_map(t->annotations, t->nannotations));
	cJSON_AddItemToObject(meta, "labels", kv_map(t->labels, t->nlabels));
	if (t->nmounts) {
		cJSON *list = cJSON_CreateArray();

		/* No readOnly in the schema: the claim mounts read-write. */
		for (int i = 0; i < t->nmounts; i++) {
			cJSON *m = cJSON_CreateObject();

			add_str(m, "constant", t->mounts[i].pvc);
			add_str(m, "mountPath", t->mounts[i].path);
			if (t->mounts[i].sub_path)
				add_str(m, "subPath", t->mounts[i].sub_path);
			cJSON_AddItemToArray(list, m);
		}
		cJSON_AddItemToObject(x, "pvcMount", list);
	}
	platform_secrets(x, t);
	if (t->ntolerations) {
		cJSON *list = cJSON_CreateArray();

		for (int i = 0; i < t->ntolerations; i++) {
			const struct toleration *tl = &t->tolerations[i];
			cJSON *y = cJSON_CreateObject();

			if (tl->effect && *tl->effect)
				add_str(y, "effect", tl->effect);
			if (tl->key && *tl->key)
				add_str(y, "key", tl->key);
			add_str(y, "operator", tl->operator);
			if (tl->value && *tl->value)
				add_str(y, "value", tl->value);
			cJSON_AddItemToArray(list, y);
		}
		cJSON_AddItemToObject(x, "tolerations", list);
	}
	return x;
}

static int is_custom(const struct pipeline *p, int i,
		     const struct argo_opts *o)
{
	return o->custom && p->nodes[i].kind == NODE_CUSTOM;
}

cJSON *ir_build(const struct pipeline *p, const struct argo_opts *o,
		cJSON **platform)
{
	cJSON *spec = cJSON_CreateObject(), *comps, *execs, *info, *root,
	      *tasks, *pexecs;
	struct plan_opts po;
	struct plan pl;

	argo_fill_plan_opts(&po, o);
	/*
	 * Args are all a v2 step gets (no env placeholders): one per
	 * parameter, so a run value holding ';' or '=' cannot split.
	 */
	po.param_args = 1;
	plan_build(&pl, p, &po);
	*platform = cJSON_CreateObject();
	pexecs = obj(obj(obj(obj(*platform, "platforms"), "kubernetes"),
			 "deploymentSpec"), "executors");
	comps = obj(spec, "components");
	execs = obj(obj(spec, "deploymentSpec"), "executors");
	for (int i = 0; i < pl.ntasks; i++) {
		const struct plan_task *t = &pl.tasks[i];
		char *comp = xstrfmt("comp-%s", t->name);
		char *exec = xstrfmt("exec-%s", t->name);
		int custom = is_custom(p, i, o);
		cJSON *px = platform_executor(t, o);

		cJSON_AddItemToObject(comps, comp, custom ?
				      ircomp_component(p, i, o->custom) :
				      component(t));
		cJSON_AddItemToObject(execs, exec, custom ?
				      ircomp_executor(i, o->custom) :
				      executor(t, o));
		if (custom)
			ircomp_platform(px, p, i);
		cJSON_AddItemToObject(pexecs, exec, px);
		free(comp);
		free(exec);
	}
	info = obj(spec, "pipelineInfo");
	if (p->description)
		add_str(info, "description", p->description);
	add_str(info, "name", pl.name);
	root = obj(spec, "root");
	tasks = obj(obj(root, "dag"), "tasks");
	for (int i = 0; i < pl.ntasks; i++)
		cJSON_AddItemToObject(tasks, pl.tasks[i].name,
				      is_custom(p, i, o) ?
				      ircomp_task(p, i, o->custom) :
				      dag_task(&pl, &pl.tasks[i]));
	if (pl.nparams)
		cJSON_AddItemToObject(root, "inputDefinitions",
				      root_inputs(&pl));
	add_str(spec, "schemaVersion", "2.1.0");
	add_str(spec, "sdkVersion", "t3q-" T3Q_VERSION);
	plan_release(&pl);
	return spec;
}
