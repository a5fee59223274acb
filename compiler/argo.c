/* argo: struct pipeline -> Argo Workflow (a cJSON tree). */
#include "compiler/argo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/names.h"
#include "common/nodecmd.h"
#include "compiler/custom.h"

#define BIN_DIR "/t3q/bin"
#define WRITABLE_DIR "/tmp"

static const char *param_placeholder(void *ctx, const struct param *pm)
{
	struct buf *b = ctx;

	buf_reset(b);
	buf_addf(b, "{{inputs.parameters.%s}}", pm->name);
	return b->buf;
}

static cJSON *str(const char *s)
{
	return cJSON_CreateString(s ? s : "");
}

/* Free text for an annotation, with every "{{" broken up (validate.c). */
static char *unbrace(const char *s)
{
	struct buf b = BUF_INIT;

	for (; *s; s++) {
		buf_addch(&b, *s);
		if (s[0] == '{' && s[1] == '{')
			buf_addch(&b, ' ');
	}
	return buf_detach(&b, NULL);
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
		if (pm->description)
			add_str(in, "description", pm->description);
		add_str(in, "name", pm->name);
		cJSON_AddBoolToObject(in, "optional", !pm->required);
		/* KFP issue 5111: Bool is declared as Boolean. */
		add_str(in, "type", types[pm->type]);
		cJSON_AddItemToArray(inputs, in);
	}
	if (p->description) {
		char *d = unbrace(p->description);

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

/* Parameters a node uses, as they exist (validation reported the rest). */
static int node_uses(const struct pipeline *p, const struct node *n,
		     const char *name)
{
	for (int i = 0; i < n->params.n; i++)
		if (!strcmp(n->params.v[i], name) &&
		    pipeline_param(p, name))
			return 1;
	return 0;
}

struct producer {
	const struct node *node;
	char *artifact;		/* artifact name */
};

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

static void add_resources(cJSON *container, const struct node *n)
{
	cJSON *res = cJSON_CreateObject(), *req = cJSON_CreateObject(),
	      *lim = cJSON_CreateObject();
	char buf[64];

	if (n->cpu)
		add_str(req, "cpu", n->cpu);
	if (n->memory) {
		snprintf(buf, sizeof(buf), "%sG", n->memory);
		add_str(req, "memory", buf);
	}
	if (n->cpu_limit)
		add_str(lim, "cpu", n->cpu_limit);
	if (n->memory_limit) {
		snprintf(buf, sizeof(buf), "%sG", n->memory_limit);
		add_str(lim, "memory", buf);
	}
	if (n->gpu && strcmp(n->gpu, "0"))
		add_str(lim, n->gpu_vendor ? n->gpu_vendor : "nvidia.com/gpu",
			n->gpu);
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

static cJSON *mount(const char *name, const char *path)
{
	cJSON *m = cJSON_CreateObject();

	add_str(m, "mountPath", path);
	add_str(m, "name", name);
	return m;
}

static void add_kv_map(cJSON *o, const char *key, const char *value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, key);
	add_str(o, key, value);
}

static cJSON *container_template(const struct pipeline *p,
				 const struct node *n,
				 const struct argo_opts *o)
{
	cJSON *t = named(n->task_name), *inputs = cJSON_CreateObject(),
	      *outputs = cJSON_CreateObject(), *meta = cJSON_CreateObject(),
	      *labels = cJSON_CreateObject(), *annos = cJSON_CreateObject(),
	      *c = cJSON_CreateObject(), *args = cJSON_CreateArray(),
	      *env = cJSON_CreateArray(), *mounts = cJSON_CreateArray(),
	      *volumes = cJSON_CreateArray(), *cmd = cJSON_CreateArray();
	cJSON *params = cJSON_CreateArray(), *in_art = cJSON_CreateArray(),
	      *out_art = cJSON_CreateArray();
	struct buf pbuf = BUF_INIT, b = BUF_INIT;
	struct nodecmd_ctx ctx = {
		p, o->cos_endpoint, o->cos_bucket, o->cos_directory,
		"{{workflow.uid}}",
		o->data_passing_cos ? NULL : NODECMD_ARTIFACT_IN,
		o->data_passing_cos ? NULL : NODECMD_ARTIFACT_OUT,
		WRITABLE_DIR, param_placeholder, &pbuf, NULL,
	};
	struct nodecmd nc;

	nodecmd_build(&ctx, n, &nc);

	/* inputs: the parameters it uses, the artifacts of its ancestors */
	for (int i = 0; i < p->nparams; i++)
		if (p->params[i].name && node_uses(p, n, p->params[i].name))
			cJSON_AddItemToArray(params, named(p->params[i].name));
	if (!o->data_passing_cos) {
		for (int i = 0; i < n->inputs.n; i++) {
			cJSON *a;

			buf_reset(&b);
			names_artifact(&b, n->inputs.v[i]);
			a = named(b.buf);
			buf_reset(&pbuf);
			buf_addf(&pbuf, "%s/%s", NODECMD_ARTIFACT_IN, b.buf);
			add_str(a, "path", pbuf.buf);
			cJSON_AddItemToArray(in_art, a);
		}
		for (int i = 0; i < n->outputs.n; i++) {
			cJSON *a;

			buf_reset(&b);
			names_artifact(&b, n->outputs.v[i]);
			a = named(b.buf);
			buf_reset(&pbuf);
			buf_addf(&pbuf, "%s/%s", NODECMD_ARTIFACT_OUT, b.buf);
			add_str(a, "path", pbuf.buf);
			cJSON_AddItemToArray(out_art, a);
		}
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
		cJSON_AddItemToObject(t, "inputs", inputs);
	else
		cJSON_Delete(inputs);
	cJSON_AddItemToObject(outputs, "artifacts", out_art);
	cJSON_AddItemToObject(t, "outputs", outputs);

	/* pod metadata: Elyra's elyra/ labels, then the user's */
	add_str(labels, "elyra/node-type", "notebook-script");
	buf_reset(&b);
	pipeline_label_value(&b, p->name);
	add_str(labels, "elyra/pipeline-name", b.buf);
	add_str(labels, "elyra/pipeline-version", "");
	add_str(labels, "elyra/experiment-name", "");
	buf_reset(&b);
	pipeline_label_value(&b, n->display_name);
	add_str(labels, "elyra/node-name", b.buf);
	add_str(labels, "pipelines.kubeflow.org/pipeline-sdk-type", "t3q");
	for (int i = 0; i < n->nlabels; i++)
		add_kv_map(labels, n->labels[i].key, n->labels[i].value);
	add_str(annos, "elyra/node-file-name", n->filename);
	buf_reset(&b);
	buf_adds(&b, p->source);
	add_str(annos, "elyra/pipeline-source",
		strrchr(p->source, '/') ? strrchr(p->source, '/') + 1
					: p->source);
	if (n->doc) {
		char *d = unbrace(n->doc);

		add_str(annos, "elyra/node-user-doc", d);
		free(d);
	}
	/* Elyra leaves it out when nothing of the label is left. */
	if (n->display_name && *n->display_name)
		add_str(annos, "pipelines.kubeflow.org/task_display_name",
			n->display_name);
	/* disable_node_caching: Elyra 4.0.0 ignores it on generic nodes. */
	for (int i = 0; i < n->nannotations; i++)
		add_kv_map(annos, n->annotations[i].key,
			   n->annotations[i].value);
	cJSON_AddItemToObject(meta, "annotations", annos);
	cJSON_AddItemToObject(meta, "labels", labels);
	cJSON_AddItemToObject(t, "metadata", meta);

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
		cJSON_AddItemToArray(imounts, mount("t3q-bin", BIN_DIR));
		cJSON_AddItemToObject(init, "volumeMounts", imounts);
		cJSON_AddItemToArray(inits, init);
		cJSON_AddItemToObject(t, "initContainers", inits);
		cJSON_AddItemToObject(vol, "emptyDir", cJSON_CreateObject());
		cJSON_AddItemToArray(volumes, vol);
		cJSON_AddItemToArray(mounts, mount("t3q-bin", BIN_DIR));
	}

	add_str(c, "image", n->runtime_image);
	if (o->pull_policy)
		add_str(c, "imagePullPolicy", o->pull_policy);
	cJSON_AddItemToArray(cmd, str(o->bootstrap_in_image ?
				      o->bootstrap_path :
				      BIN_DIR "/t3q-bootstrap"));
	cJSON_AddItemToObject(c, "command", cmd);
	for (int i = 0; i < nc.nargs; i++)
		cJSON_AddItemToArray(args, str(nc.args[i]));
	cJSON_AddItemToObject(c, "args", args);
	for (int i = 0; i < nc.nenv; i++)
		cJSON_AddItemToArray(env, name_value(nc.env[i].key,
						     nc.env[i].value));
	if (o->cos_secret) {
		cJSON_AddItemToArray(env, env_secret("AWS_ACCESS_KEY_ID",
			o->cos_secret, "AWS_ACCESS_KEY_ID"));
		cJSON_AddItemToArray(env, env_secret("AWS_SECRET_ACCESS_KEY",
			o->cos_secret, "AWS_SECRET_ACCESS_KEY"));
	} else if (o->cos_username) {
		cJSON_AddItemToArray(env, name_value("AWS_ACCESS_KEY_ID",
						     o->cos_username));
		cJSON_AddItemToArray(env, name_value("AWS_SECRET_ACCESS_KEY",
						     o->cos_password));
	}
	for (int i = 0; i < n->nsecrets; i++)
		if (n->secrets[i].env_var && n->secrets[i].name &&
		    n->secrets[i].key)
			cJSON_AddItemToArray(env, env_secret(
				n->secrets[i].env_var, n->secrets[i].name,
				n->secrets[i].key));
	cJSON_AddItemToObject(c, "env", env);
	add_resources(c, n);

	for (int i = 0; i < n->nvolumes; i++) {
		const struct volume_mount *v = &n->volumes[i];
		cJSON *m, *vol;
		int seen = 0;
		const cJSON *x;

		if (!v->path || !v->pvc_name)
			continue;
		buf_reset(&b);
		buf_addch(&b, '/');
		buf_adds(&b, v->path + strspn(v->path, "/"));
		while (b.len > 1 && b.buf[b.len - 1] == '/')
			buf_setlen(&b, b.len - 1);
		m = mount(v->pvc_name, b.buf);
		if (v->sub_path)
			add_str(m, "subPath", v->sub_path);
		if (v->read_only)
			cJSON_AddBoolToObject(m, "readOnly", 1);
		cJSON_AddItemToArray(mounts, m);
		/* One volume per claim, however many mounts use it. */
		cJSON_ArrayForEach(x, volumes) {
			const char *nm = cJSON_GetStringValue(
				cJSON_GetObjectItemCaseSensitive(x, "name"));

			if (nm && !strcmp(nm, v->pvc_name))
				seen = 1;
		}
		if (!seen) {
			cJSON *claim = cJSON_CreateObject();

			vol = named(v->pvc_name);
			add_str(claim, "claimName", v->pvc_name);
			cJSON_AddItemToObject(vol, "persistentVolumeClaim",
					      claim);
			cJSON_AddItemToArray(volumes, vol);
		}
	}
	if (n->shm_size) {
		cJSON *vol = named("shm"), *ed = cJSON_CreateObject();

		buf_reset(&b);
		buf_addf(&b, "%sG", n->shm_size);
		add_str(ed, "medium", "Memory");
		add_str(ed, "sizeLimit", b.buf);
		cJSON_AddItemToObject(vol, "emptyDir", ed);
		cJSON_AddItemToArray(volumes, vol);
		cJSON_AddItemToArray(mounts, mount("shm", "/dev/shm"));
	}
	if (cJSON_GetArraySize(mounts))
		cJSON_AddItemToObject(c, "volumeMounts", mounts);
	else
		cJSON_Delete(mounts);
	cJSON_AddItemToObject(t, "container", c);
	if (n->ntolerations) {
		cJSON *tols = cJSON_CreateArray();

		for (int i = 0; i < n->ntolerations; i++) {
			const struct toleration *tl = &n->tolerations[i];
			cJSON *x = cJSON_CreateObject();

			if (tl->effect)
				add_str(x, "effect", tl->effect);
			if (tl->key)
				add_str(x, "key", tl->key);
			add_str(x, "operator", tl->operator);
			if (tl->value)
				add_str(x, "value", tl->value);
			cJSON_AddItemToArray(tols, x);
		}
		cJSON_AddItemToObject(t, "tolerations", tols);
	}
	if (cJSON_GetArraySize(volumes))
		cJSON_AddItemToObject(t, "volumes", volumes);
	else
		cJSON_Delete(volumes);
	nodecmd_release(&nc);
	buf_release(&pbuf);
	buf_release(&b);
	return t;
}

static cJSON *dag_task(const struct pipeline *p, const struct node *n,
		       const struct argo_opts *o)
{
	cJSON *task = named(n->task_name), *args = cJSON_CreateObject(),
	      *params = cJSON_CreateArray(), *arts = cJSON_CreateArray();
	struct buf b = BUF_INIT, v = BUF_INIT;

	add_str(task, "template", n->task_name);
	if (n->parents.n) {
		cJSON *deps = cJSON_CreateArray();

		for (int i = 0; i < n->parents.n; i++) {
			const struct node *par = pipeline_node(p,
							       n->parents.v[i]);

			if (par)
				cJSON_AddItemToArray(deps,
						     str(par->task_name));
		}
		cJSON_AddItemToObject(task, "dependencies", deps);
	}
	for (int i = 0; i < p->nparams; i++) {
		if (!p->params[i].name || !node_uses(p, n, p->params[i].name))
			continue;
		buf_reset(&v);
		buf_addf(&v, "{{inputs.parameters.%s}}", p->params[i].name);
		cJSON_AddItemToArray(params, name_value(p->params[i].name,
							v.buf));
	}
	if (!o->data_passing_cos) {
		for (int i = 0; i < n->inputs.n; i++) {
			const struct node *from = &p->nodes[n->input_from[i]];
			cJSON *a;

			buf_reset(&b);
			names_artifact(&b, n->inputs.v[i]);
			a = named(b.buf);
			buf_reset(&v);
			buf_addf(&v, "{{tasks.%s.outputs.artifacts.%s}}",
				 from->task_name, b.buf);
			add_str(a, "from", v.buf);
			cJSON_AddItemToArray(arts, a);
		}
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
	buf_release(&b);
	buf_release(&v);
	return task;
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
	struct buf name = BUF_INIT, b = BUF_INIT;
	char *ps;
	int used_params = 0;

	pipeline_k8s_name(&name, p->name);
	if (!name.len)
		buf_adds(&name, "pipeline");
	if (name.len > 50)
		buf_setlen(&name, 50);
	/* The root DAG is named as the pipeline; no task may take it. */
	for (int i = 0; i < p->nnodes; i++)
		if (!strcmp(p->nodes[i].task_name, name.buf)) {
			buf_adds(&name, "-pipeline");
			break;
		}
	add_str(wf, "apiVersion", "argoproj.io/v1alpha1");
	add_str(wf, "kind", "Workflow");
	buf_addf(&b, "%s-", name.buf);
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

	add_str(spec, "entrypoint", name.buf);
	add_str(spec, "serviceAccountName", "pipeline-runner");
	{
		cJSON *args = cJSON_CreateObject(), *params =
			cJSON_CreateArray();

		for (int i = 0; i < p->nparams; i++) {
			const struct param *pm = &p->params[i];

			/* As Elyra: a parameter no node uses is left out. */
			if (!pm->name || !pipeline_param_used(p, pm->name))
				continue;
			/*
			 * No value: the name alone, as Elyra (kfp) writes it,
			 * so that KFP's run form asks for one.
			 */
			if (pm->value) {
				cJSON_AddItemToArray(params, name_value(pm->name,
								pm->value));
			} else {
				cJSON *np = cJSON_CreateObject();

				add_str(np, "name", pm->name);
				cJSON_AddItemToArray(params, np);
			}
			used_params++;
		}
		if (used_params) {
			cJSON_AddItemToObject(args, "parameters", params);
			cJSON_AddItemToObject(spec, "arguments", args);
		} else {
			cJSON_Delete(params);
			cJSON_Delete(args);
		}
	}
	if (o->npull_secrets) {
		cJSON *ips = cJSON_CreateArray();

		for (int i = 0; i < o->npull_secrets; i++)
			cJSON_AddItemToArray(ips, named(o->pull_secrets[i]));
		cJSON_AddItemToObject(spec, "imagePullSecrets", ips);
	}

	/* The root DAG takes the run parameters as its inputs. */
	root = named(name.buf);
	if (used_params) {
		cJSON *inputs = cJSON_CreateObject(), *params =
			cJSON_CreateArray();

		for (int i = 0; i < p->nparams; i++)
			if (p->params[i].name &&
			    pipeline_param_used(p, p->params[i].name))
				cJSON_AddItemToArray(params,
						     named(p->params[i].name));
		cJSON_AddItemToObject(inputs, "parameters", params);
		cJSON_AddItemToObject(root, "inputs", inputs);
	}
	/* Custom nodes (KFP components) are custom.c's. */
	for (int i = 0; i < p->nnodes; i++)
		cJSON_AddItemToArray(tasks, is_custom(p, i, o) ?
				     custom_dag_task(p, i, o->custom) :
				     dag_task(p, &p->nodes[i], o));
	cJSON_AddItemToObject(dag, "tasks", tasks);
	cJSON_AddItemToObject(root, "dag", dag);
	cJSON_AddItemToArray(templates, root);
	for (int i = 0; i < p->nnodes; i++)
		cJSON_AddItemToArray(templates, is_custom(p, i, o) ?
				     custom_template(p, i, o->custom) :
				     container_template(p, &p->nodes[i], o));
	cJSON_AddItemToObject(spec, "templates", templates);
	cJSON_AddItemToObject(wf, "spec", spec);
	buf_release(&name);
	buf_release(&b);
	return wf;
}
