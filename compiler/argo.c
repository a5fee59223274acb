/* argo: the plan of a pipeline -> Argo Workflow (a cJSON tree). */
#include "compiler/argo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/custom.h"
#include "compiler/k8s.h"
#include "compiler/plan.h"
#include "pipeline/names.h"
#include "pipeline/nodecmd.h"

#define BIN_DIR "/t3q/bin"
#define WRITABLE_DIR "/tmp"

static cJSON *str(const char *s)
{
	return cJSON_CreateString(s ? s : "");
}

static void add_str(cJSON *o, const char *k, const char *v)
{
	cJSON_AddItemToObject(o, k, str(v));
}

static cJSON *named(const char *name)
{
	cJSON *o = cJSON_CreateObject();

	add_str(o, "name", name);
	return o;
}

static cJSON *name_value(const char *name, const char *value)
{
	cJSON *o = named(name);

	add_str(o, "value", value);
	return o;
}

/* "pipelines.kubeflow.org/pipeline_spec": JSON with sorted keys. */
static char *pipeline_spec(const struct pipeline *p, const char *name)
{
	cJSON *spec = cJSON_CreateObject(), *inputs = cJSON_CreateArray();
	static const char *const types[] = { "String", "Integer", "Float",
					     "Boolean" };
	char *s;

	for (int i = 0; i < p->nparams; i++) {
		const struct param *pm = &p->params[i];
		cJSON *in = cJSON_CreateObject();

		if (!pm->name || !pipeline_param_used(p, pm->name)) {
			cJSON_Delete(in);
			continue;
		}
		if (pm->value)
			add_str(in, "default", pm->value);
		/* As the pipeline's: Argo would read '{{' as a placeholder. */
		if (pm->description) {
			char *d = pipeline_unbrace(pm->description);

			add_str(in, "description", d);
			free(d);
		}
		add_str(in, "name", pm->name);
		cJSON_AddBoolToObject(in, "optional", !pm->required);
		/* KFP issue 5111: Bool is declared as Boolean. */
		add_str(in, "type", types[pm->type]);
		cJSON_AddItemToArray(inputs, in);
	}
	if (p->description) {
		char *d = pipeline_unbrace(p->description);

		add_str(spec, "description", d);
		free(d);
	}
	if (cJSON_GetArraySize(inputs))
		cJSON_AddItemToObject(spec, "inputs", inputs);
	else
		cJSON_Delete(inputs);
	add_str(spec, "name", name);
	s = cJSON_PrintUnformatted(spec);
	cJSON_Delete(spec);
	return s;
}

static cJSON *env_secret(const char *name, const char *secret,
			 const char *key)
{
	cJSON *e = named(name), *from = cJSON_CreateObject(),
	      *ref = cJSON_CreateObject();

	add_str(ref, "key", key);
	add_str(ref, "name", secret);
	cJSON_AddItemToObject(from, "secretKeyRef", ref);
	cJSON_AddItemToObject(e, "valueFrom", from);
	return e;
}

static void add_resources(cJSON *container, const struct plan_task *t)
{
	cJSON *res = cJSON_CreateObject(), *req = cJSON_CreateObject(),
	      *lim = cJSON_CreateObject();

	if (t->cpu)
		add_str(req, "cpu", t->cpu);
	if (t->memory)
		add_str(req, "memory", t->memory);
	if (t->cpu_limit)
		add_str(lim, "cpu", t->cpu_limit);
	if (t->memory_limit)
		add_str(lim, "memory", t->memory_limit);
	if (t->gpu)
		add_str(lim, t->gpu_vendor, t->gpu);
	if (req->child)
		cJSON_AddItemToObject(res, "requests", req);
	else
		cJSON_Delete(req);
	if (lim->child)
		cJSON_AddItemToObject(res, "limits", lim);
	else
		cJSON_Delete(lim);
	if (res->child)
		cJSON_AddItemToObject(container, "resources", res);
	else
		cJSON_Delete(res);
}

static cJSON *kv_map(const struct kv *v, int n)
{
	cJSON *o = cJSON_CreateObject();

	for (int i = 0; i < n; i++)
		add_str(o, v[i].key, v[i].value);
	return o;
}

/* The bootstrap's arguments: "{{inputs.parameters.P}}", artifact dirs. */
static void add_args(cJSON *args, const struct plan_task *t)
{
	struct buf b = BUF_INIT;

	for (int i = 0; i < t->nargs; i++) {
		const struct plan_arg *a = &t->args[i];

		if (a->kind == PLAN_ARTIFACTS_IN) {
			cJSON_AddItemToArray(args, str("--artifact-inputs"));
			cJSON_AddItemToArray(args, str(NODECMD_ARTIFACT_IN));
			continue;
		}
		if (a->kind == PLAN_ARTIFACTS_OUT) {
			cJSON_AddItemToArray(args, str("--artifact-outputs"));
			cJSON_AddItemToArray(args, str(NODECMD_ARTIFACT_OUT));
			continue;
		}
		buf_reset(&b);
		for (int k = 0; k < a->nparts; k++)
			if (a->parts[k].kind == PLAN_PARAM)
				buf_addf(&b, "{{inputs.parameters.%s}}",
					 a->parts[k].text);
			else
				buf_adds(&b, a->parts[k].text);
		cJSON_AddItemToArray(args, str(b.buf));
	}
	buf_release(&b);
}

static void add_env(cJSON *env, const struct plan_task *t)
{
	struct buf b = BUF_INIT;

	for (int i = 0; i < t->nenv; i++) {
		const struct plan_env *e = &t->env[i];

		switch (e->kind) {
		case PLAN_ENV_VALUE:
			cJSON_AddItemToArray(env, name_value(e->name,
							     e->value));
			break;
		case PLAN_ENV_PARAM:
			buf_reset(&b);
			buf_addf(&b, "{{inputs.parameters.%s}}", e->value);
			cJSON_AddItemToArray(env, name_value(e->name, b.buf));
			break;
		case PLAN_ENV_RUN_ID:
			cJSON_AddItemToArray(env, name_value(e->name,
						"{{workflow.uid}}"));
			break;
		case PLAN_ENV_SECRET:
			cJSON_AddItemToArray(env, env_secret(e->name, e->value,
							     e->key));
			break;
		}
	}
	buf_release(&b);
}

static cJSON *container_template(const struct plan_task *t,
				 const struct argo_opts *o)
{
	cJSON *tmpl = named(t->name), *inputs = cJSON_CreateObject(),
	      *outputs = cJSON_CreateObject(), *meta = cJSON_CreateObject(),
	      *c = cJSON_CreateObject(), *args = cJSON_CreateArray(),
	      *env = cJSON_CreateArray(), *mounts = cJSON_CreateArray(),
	      *volumes = cJSON_CreateArray(), *cmd = cJSON_CreateArray();
	cJSON *params = cJSON_CreateArray(), *in_art = cJSON_CreateArray(),
	      *out_art = cJSON_CreateArray();
	struct buf b = BUF_INIT;

	/* inputs: the parameters it uses, the artifacts of its ancestors */
	for (int i = 0; i < t->nparams; i++)
		cJSON_AddItemToArray(params, named(t->params[i]->name));
	for (int i = 0; i < t->ninputs; i++) {
		cJSON *a = named(t->inputs[i].name);

		buf_reset(&b);
		buf_addf(&b, "%s/%s", NODECMD_ARTIFACT_IN, t->inputs[i].name);
		add_str(a, "path", b.buf);
		cJSON_AddItemToArray(in_art, a);
	}
	for (int i = 0; i < t->noutputs; i++) {
		cJSON *a = named(t->outputs[i].name);

		buf_reset(&b);
		buf_addf(&b, "%s/%s", NODECMD_ARTIFACT_OUT, t->outputs[i].name);
		add_str(a, "path", b.buf);
		cJSON_AddItemToArray(out_art, a);
	}
	/* KFP reads these two by name; the step may not write metrics. */
	{
		cJSON *a = named("mlpipeline-ui-metadata");

		add_str(a, "path", WRITABLE_DIR "/mlpipeline-ui-metadata.json");
		cJSON_AddBoolToObject(a, "optional", 1);
		cJSON_AddItemToArray(out_art, a);
		a = named("mlpipeline-metrics");
		add_str(a, "path", WRITABLE_DIR "/mlpipeline-metrics.json");
		cJSON_AddBoolToObject(a, "optional", 1);
		cJSON_AddItemToArray(out_art, a);
	}
	if (cJSON_GetArraySize(params))
		cJSON_AddItemToObject(inputs, "parameters", params);
	else
		cJSON_Delete(params);
	if (cJSON_GetArraySize(in_art))
		cJSON_AddItemToObject(inputs, "artifacts", in_art);
	else
		cJSON_Delete(in_art);
	if (inputs->child)
		cJSON_AddItemToObject(tmpl, "inputs", inputs);
	else
		cJSON_Delete(inputs);
	cJSON_AddItemToObject(outputs, "artifacts", out_art);
	cJSON_AddItemToObject(tmpl, "outputs", outputs);

	/* disable_node_caching: Elyra 4.0.0 ignores it on generic nodes. */
	cJSON_AddItemToObject(meta, "annotations",
			      kv_map(t->annotations, t->nannotations));
	cJSON_AddItemToObject(meta, "labels", kv_map(t->labels, t->nlabels));
	cJSON_AddItemToObject(tmpl, "metadata", meta);

	/* the bootstrap: copied in by an init container, like argoexec */
	if (!o->bootstrap_in_image) {
		cJSON *inits = cJSON_CreateArray(), *init = named("t3q-bootstrap"),
		      *icmd = cJSON_CreateArray(), *imounts = cJSON_CreateArray(),
		      *vol = named("t3q-bin");

		add_str(init, "image", o->bootstrap_image);
		cJSON_AddItemToArray(icmd, str("/t3q-bootstrap"));
		cJSON_AddItemToArray(icmd, str("--copy"));
		cJSON_AddItemToArray(icmd, str(BIN_DIR "/t3q-bootstrap"));
		cJSON_AddItemToObject(init, "command", icmd);
		cJSON_AddItemToArray(imounts, k8s_mount("t3q-bin", BIN_DIR));
		cJSON_AddItemToObject(init, "volumeMounts", imounts);
		cJSON_AddItemToArray(inits, init);
		cJSON_AddItemToObject(tmpl, "initContainers", inits);
		cJSON_AddItemToObject(vol, "emptyDir", cJSON_CreateObject());
		cJSON_AddItemToArray(volumes, vol);
		cJSON_AddItemToArray(mounts, k8s_mount("t3q-bin", BIN_DIR));
	}

	add_str(c, "image", t->image);
	if (o->pull_policy)
		add_str(c, "imagePullPolicy", o->pull_policy);
	cJSON_AddItemToArray(cmd, str(o->bootstrap_in_image ?
				      o->bootstrap_path :
				      BIN_DIR "/t3q-bootstrap"));
	cJSON_AddItemToObject(c, "command", cmd);
	add_args(args, t);
	cJSON_AddItemToObject(c, "args", args);
	add_env(env, t);
	cJSON_AddItemToObject(c, "env", env);
	add_resources(c, t);

	k8s_add_mounts(mounts, volumes, t);
	if (cJSON_GetArraySize(mounts))
		cJSON_AddItemToObject(c, "volumeMounts", mounts);
	else
		cJSON_Delete(mounts);
	cJSON_AddItemToObject(tmpl, "container", c);
	if (t->ntolerations)
		cJSON_AddItemToObject(tmpl, "tolerations", k8s_tolerations(t));
	if (cJSON_GetArraySize(volumes))
		cJSON_AddItemToObject(tmpl, "volumes", volumes);
	else
		cJSON_Delete(volumes);
	buf_release(&b);
	return tmpl;
}

static cJSON *dag_task(const struct plan *pl, const struct plan_task *t)
{
	cJSON *task = named(t->name), *args = cJSON_CreateObject(),
	      *params = cJSON_CreateArray(), *arts = cJSON_CreateArray();
	struct buf v = BUF_INIT;

	add_str(task, "template", t->name);
	if (t->node->parents.n) {
		cJSON *deps = cJSON_CreateArray();

		for (int i = 0; i < t->nparents; i++)
			cJSON_AddItemToArray(deps,
				str(pl->tasks[t->parents[i]].name));
		cJSON_AddItemToObject(task, "dependencies", deps);
	}
	for (int i = 0; i < t->nparams; i++) {
		buf_reset(&v);
		buf_addf(&v, "{{inputs.parameters.%s}}", t->params[i]->name);
		cJSON_AddItemToArray(params, name_value(t->params[i]->name,
							v.buf));
	}
	for (int i = 0; i < t->ninputs; i++) {
		const struct plan_artifact *a = &t->inputs[i];
		cJSON *x = named(a->name);

		buf_reset(&v);
		buf_addf(&v, "{{tasks.%s.outputs.artifacts.%s}}",
			 pl->tasks[a->producer].name, a->name);
		add_str(x, "from", v.buf);
		cJSON_AddItemToArray(arts, x);
	}
	if (cJSON_GetArraySize(params))
		cJSON_AddItemToObject(args, "parameters", params);
	else
		cJSON_Delete(params);
	if (cJSON_GetArraySize(arts))
		cJSON_AddItemToObject(args, "artifacts", arts);
	else
		cJSON_Delete(arts);
	if (args->child)
		cJSON_AddItemToObject(task, "arguments", args);
	else
		cJSON_Delete(args);
	buf_release(&v);
	return task;
}

void argo_fill_plan_opts(struct plan_opts *po, const struct argo_opts *o)
{
	memset(po, 0, sizeof(*po));
	po->cos_endpoint = o->cos_endpoint;
	po->cos_bucket = o->cos_bucket;
	po->cos_directory = o->cos_directory;
	po->cos_secret = o->cos_secret;
	po->cos_username = o->cos_username;
	po->cos_password = o->cos_password;
	po->data_passing_cos = o->data_passing_cos;
}

static int is_custom(const struct pipeline *p, int i,
		     const struct argo_opts *o)
{
	return o->custom && p->nodes[i].kind == NODE_CUSTOM;
}

cJSON *argo_build(const struct pipeline *p, const struct argo_opts *o)
{
	cJSON *wf = cJSON_CreateObject(), *meta = cJSON_CreateObject(),
	      *annos = cJSON_CreateObject(), *labels = cJSON_CreateObject(),
	      *spec = cJSON_CreateObject(), *templates = cJSON_CreateArray(),
	      *dag = cJSON_CreateObject(), *tasks = cJSON_CreateArray(),
	      *root;
	struct buf b = BUF_INIT;
	struct plan_opts po;
	struct plan pl;
	char *ps;

	argo_fill_plan_opts(&po, o);
	plan_build(&pl, p, &po);
	add_str(wf, "apiVersion", "argoproj.io/v1alpha1");
	add_str(wf, "kind", "Workflow");
	buf_addf(&b, "%s-", pl.name);
	add_str(meta, "generateName", b.buf);
	if (o->timestamp)
		add_str(annos, "pipelines.kubeflow.org/pipeline_compilation_time",
			o->timestamp);
	ps = pipeline_spec(p, p->name);
	add_str(annos, "pipelines.kubeflow.org/pipeline_spec", ps);
	cJSON_free(ps);
	cJSON_AddItemToObject(meta, "annotations", annos);
	add_str(labels, "pipelines.kubeflow.org/pipeline-sdk-type", "t3q");
	cJSON_AddItemToObject(meta, "labels", labels);
	cJSON_AddItemToObject(wf, "metadata", meta);

	add_str(spec, "entrypoint", pl.name);
	add_str(spec, "serviceAccountName", "pipeline-runner");
	if (pl.nparams) {
		cJSON *args = cJSON_CreateObject(), *params =
			cJSON_CreateArray();

		for (int i = 0; i < pl.nparams; i++) {
			const struct param *pm = pl.params[i];

			/*
			 * No value: the name alone, as Elyra (kfp) writes it,
			 * so that KFP's run form asks for one.
			 */
			if (pm->value)
				cJSON_AddItemToArray(params, name_value(pm->name,
								pm->value));
			else
				cJSON_AddItemToArray(params, named(pm->name));
		}
		cJSON_AddItemToObject(args, "parameters", params);
		cJSON_AddItemToObject(spec, "arguments", args);
	}
	if (o->npull_secrets) {
		cJSON *ips = cJSON_CreateArray();

		for (int i = 0; i < o->npull_secrets; i++)
			cJSON_AddItemToArray(ips, named(o->pull_secrets[i]));
		cJSON_AddItemToObject(spec, "imagePullSecrets", ips);
	}

	/* The root DAG takes the run parameters as its inputs. */
	root = named(pl.name);
	if (pl.nparams) {
		cJSON *inputs = cJSON_CreateObject(), *params =
			cJSON_CreateArray();

		for (int i = 0; i < pl.nparams; i++)
			cJSON_AddItemToArray(params, named(pl.params[i]->name));
		cJSON_AddItemToObject(inputs, "parameters", params);
		cJSON_AddItemToObject(root, "inputs", inputs);
	}
	/* Custom nodes (KFP components) are custom.c's. */
	for (int i = 0; i < pl.ntasks; i++)
		cJSON_AddItemToArray(tasks, is_custom(p, i, o) ?
				     custom_dag_task(p, i, o->custom) :
				     dag_task(&pl, &pl.tasks[i]));
	cJSON_AddItemToObject(dag, "tasks", tasks);
	cJSON_AddItemToObject(root, "dag", dag);
	cJSON_AddItemToArray(templates, root);
	for (int i = 0; i < pl.ntasks; i++)
		cJSON_AddItemToArray(templates, is_custom(p, i, o) ?
				     custom_template(p, i, o->custom,
						     &pl.tasks[i]) :
				     container_template(&pl.tasks[i], o));
	cJSON_AddItemToObject(spec, "templates", templates);
	cJSON_AddItemToObject(wf, "spec", spec);
	plan_release(&pl);
	buf_release(&b);
	return wf;
}
