/* plan: struct pipeline -> what each step runs, for every target. */
#include "compiler/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/names.h"
#include "pipeline/nodecmd.h"

#define WRITABLE_DIR "/tmp"

/*
 * nodecmd spells parameter references and artifact directories as these
 * markers, which plan_build() turns into symbols. 0xff is no byte of any
 * UTF-8 text, and every string that reaches nodecmd is UTF-8: the
 * pipeline's (pipeline_load() refuses the rest), the options, the runtime
 * config and the pipeline's file name (t3q-compile's parse() refuses the
 * rest). So markers come from plan.c alone; a byte 0xff that begins no
 * well-formed marker is kept as text (the YAML emitter refuses it), and
 * nothing is read past the string.
 */
#define MARK '\xff'
#define MARK_RUN_ID "\xffR\xff"
#define MARK_IN "\xffI\xff"
#define MARK_OUT "\xffO\xff"

struct marks {
	const struct pipeline *p;
	struct buf b;
};

static const char *param_mark(void *ctx, const struct param *pm)
{
	struct marks *m = ctx;

	buf_reset(&m->b);
	buf_addf(&m->b, "%cP%d%c", MARK, (int)(pm - m->p->params), MARK);
	return m->b.buf;
}

static void part_add(struct plan_arg *a, enum plan_part_kind kind,
		     const char *s, size_t len)
{
	/*
	 * The array doubles when nparts reaches a power of two (its size
	 * then), so 20,000 parameters in one argument are no quadratic
	 * copying.
	 */
	if (!(a->nparts & (a->nparts - 1)))
		a->parts = xrealloc(a->parts, (a->nparts ? 2 * a->nparts : 1) *
				    sizeof(*a->parts));
	a->parts[a->nparts].kind = kind;
	a->parts[a->nparts++].text = xstrndup(s, len);
}

/*
 * The parameter a marker at s stands for ("<mark>P<index><mark>"), its
 * length in *len; or NULL when s holds no such marker.
 */
static const struct param *param_at(const struct pipeline *p, const char *s,
				    size_t *len)
{
	size_t digits;
	long i;

	if (s[0] != MARK || s[1] != 'P')
		return NULL;
	digits = strspn(s + 2, "0123456789");
	if (!digits || digits > 6 || s[2 + digits] != MARK)
		return NULL;
	i = strtol(s + 2, NULL, 10);
	if (i >= p->nparams || !p->params[i].name)
		return NULL;
	*len = digits + 3;
	return &p->params[i];
}

/* "a=<mark>;b=<mark>" -> text, parameter, text, parameter. */
static void parts_parse(struct plan_arg *a, const struct pipeline *p,
			const char *s)
{
	const char *text = s;

	while (*s) {
		const char *m = strchr(s, MARK);
		const struct param *pm;
		size_t len;

		if (!m)
			break;
		pm = param_at(p, m, &len);
		if (!pm) {
			s = m + 1;
			continue;
		}
		if (m > text)
			part_add(a, PLAN_TEXT, text, m - text);
		part_add(a, PLAN_PARAM, pm->name, strlen(pm->name));
		s = text = m + len;
	}
	if (*text)
		part_add(a, PLAN_TEXT, text, strlen(text));
}

static void args_from(struct plan_task *t, const struct pipeline *p,
		      const struct nodecmd *nc)
{
	t->args = xcalloc(nc->nargs ? nc->nargs : 1, sizeof(*t->args));
	for (int i = 0; i < nc->nargs; i++) {
		struct plan_arg *a = &t->args[t->nargs];

		memset(a, 0, sizeof(*a));
		if (i + 1 < nc->nargs && (!strcmp(nc->args[i + 1], MARK_IN) ||
					  !strcmp(nc->args[i + 1], MARK_OUT))) {
			a->kind = !strcmp(nc->args[i + 1], MARK_IN) ?
				  PLAN_ARTIFACTS_IN : PLAN_ARTIFACTS_OUT;
			i++;
		} else {
			a->kind = PLAN_ARG;
			parts_parse(a, p, nc->args[i]);
			if (!a->nparts)	/* "": one empty piece of text */
				part_add(a, PLAN_TEXT, "", 0);
		}
		t->nargs++;
	}
}

static void env_add(struct plan_task *t, enum plan_env_kind kind,
		    const char *name, const char *value, const char *key)
{
	struct plan_env *e;

	/* Doubles at each power of two, as part_add's array. */
	if (!(t->nenv & (t->nenv - 1)))
		t->env = xrealloc(t->env, (t->nenv ? 2 * t->nenv : 1) *
				  sizeof(*t->env));
	e = &t->env[t->nenv++];
	e->kind = kind;
	e->name = xstrdup(name);
	e->value = value ? xstrdup(value) : NULL;
	e->key = key ? xstrdup(key) : NULL;
}

/* nodecmd's env, then the object store's credentials, then secrets. */
static void env_from(struct plan_task *t, const struct pipeline *p,
		     const struct node *n, const struct nodecmd *nc,
		     const struct plan_opts *o)
{
	for (int i = 0; i < nc->nenv; i++) {
		const char *v = nc->env[i].value;
		const struct param *pm;
		size_t len;

		if (!strcmp(v, MARK_RUN_ID))
			env_add(t, PLAN_ENV_RUN_ID, nc->env[i].key, NULL, NULL);
		else if ((pm = param_at(p, v, &len)) && !v[len])
			env_add(t, PLAN_ENV_PARAM, nc->env[i].key, pm->name,
				NULL);
		else
			env_add(t, PLAN_ENV_VALUE, nc->env[i].key, v, NULL);
	}
	if (o->cos_secret) {
		env_add(t, PLAN_ENV_SECRET, "AWS_ACCESS_KEY_ID", o->cos_secret,
			"AWS_ACCESS_KEY_ID");
		env_add(t, PLAN_ENV_SECRET, "AWS_SECRET_ACCESS_KEY",
			o->cos_secret, "AWS_SECRET_ACCESS_KEY");
	} else if (o->cos_username) {
		env_add(t, PLAN_ENV_VALUE, "AWS_ACCESS_KEY_ID",
			o->cos_username, NULL);
		env_add(t, PLAN_ENV_VALUE, "AWS_SECRET_ACCESS_KEY",
			o->cos_password, NULL);
	}
	for (int i = 0; i < n->nsecrets; i++)
		if (n->secrets[i].env_var && n->secrets[i].name &&
		    n->secrets[i].key)
			env_add(t, PLAN_ENV_SECRET, n->secrets[i].env_var,
				n->secrets[i].name, n->secrets[i].key);
}

/* A key set again moves to the end with its new value, as in a map. */
static void kv_set(struct kv **v, int *n, const char *key, const char *value)
{
	for (int i = 0; i < *n; i++)
		if (!strcmp((*v)[i].key, key)) {
			free((*v)[i].key);
			free((*v)[i].value);
			memmove(&(*v)[i], &(*v)[i + 1],
				(*n - i - 1) * sizeof(**v));
			(*n)--;
			break;
		}
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n].key = xstrdup(key);
	(*v)[(*n)++].value = xstrdup(value ? value : "");
}

/* Elyra's elyra/ labels and annotations, then the user's. */
static void pod_metadata(struct plan_task *t, const struct pipeline *p,
			 const struct node *n)
{
	struct buf b = BUF_INIT;
	const char *src = strrchr(p->source, '/');

	kv_set(&t->labels, &t->nlabels, "elyra/node-type", "notebook-script");
	pipeline_label_value(&b, p->name);
	kv_set(&t->labels, &t->nlabels, "elyra/pipeline-name", b.buf);
	kv_set(&t->labels, &t->nlabels, "elyra/pipeline-version", "");
	kv_set(&t->labels, &t->nlabels, "elyra/experiment-name", "");
	buf_reset(&b);
	pipeline_label_value(&b, n->display_name);
	kv_set(&t->labels, &t->nlabels, "elyra/node-name", b.buf);
	kv_set(&t->labels, &t->nlabels,
	       "pipelines.kubeflow.org/pipeline-sdk-type", "t3q");
	for (int i = 0; i < n->nlabels; i++)
		kv_set(&t->labels, &t->nlabels, n->labels[i].key,
		       n->labels[i].value);
	kv_set(&t->annotations, &t->nannotations, "elyra/node-file-name",
	       n->filename);
	kv_set(&t->annotations, &t->nannotations, "elyra/pipeline-source",
	       src ? src + 1 : p->source);
	if (n->doc) {
		char *d = pipeline_unbrace(n->doc);

		kv_set(&t->annotations, &t->nannotations, "elyra/node-user-doc",
		       d);
		free(d);
	}
	/* Elyra leaves it out when nothing of the label is left. */
	if (n->display_name && *n->display_name)
		kv_set(&t->annotations, &t->nannotations,
		       "pipelines.kubeflow.org/task_display_name",
		       n->display_name);
	for (int i = 0; i < n->nannotations; i++)
		kv_set(&t->annotations, &t->nannotations,
		       n->annotations[i].key, n->annotations[i].value);
	buf_release(&b);
}

static char *gigabytes(const char *v)
{
	return v ? xstrfmt("%sG", v) : NULL;
}

static void resources(struct plan_task *t, const struct node *n)
{
	t->cpu = n->cpu ? xstrdup(n->cpu) : NULL;
	t->cpu_limit = n->cpu_limit ? xstrdup(n->cpu_limit) : NULL;
	t->memory = gigabytes(n->memory);
	t->memory_limit = gigabytes(n->memory_limit);
	t->gpu = n->gpu && strcmp(n->gpu, "0") ? n->gpu : NULL;
	t->gpu_vendor = n->gpu_vendor ? n->gpu_vendor : "nvidia.com/gpu";
	t->shm_size = gigabytes(n->shm_size);
	t->tolerations = n->tolerations;
	t->ntolerations = n->ntolerations;
}

static void mounts(struct plan_task *t, const struct node *n)
{
	struct buf b = BUF_INIT;

	t->mounts = xcalloc(n->nvolumes ? n->nvolumes : 1,
			    sizeof(*t->mounts));
	for (int i = 0; i < n->nvolumes; i++) {
		const struct volume_mount *v = &n->volumes[i];
		struct plan_mount *m = &t->mounts[t->nmounts];

		if (!v->path || !v->pvc_name)
			continue;
		buf_reset(&b);
		buf_addch(&b, '/');
		buf_adds(&b, v->path + strspn(v->path, "/"));
		while (b.len > 1 && b.buf[b.len - 1] == '/')
			buf_setlen(&b, b.len - 1);
		m->pvc = v->pvc_name;
		m->path = xstrdup(b.buf);
		m->sub_path = v->sub_path;
		m->read_only = v->read_only;
		t->nmounts++;
	}
	buf_release(&b);
}

/* Whether the node's T3Q_MODEL_OUTPUTS lists this artifact. */
static int is_model(const struct node *n, const char *name)
{
	struct buf b = BUF_INIT;
	int found = 0;

	for (int i = 0; i < n->nenv && !found; i++) {
		const char *s = n->env[i].value;

		if (strcmp(n->env[i].key, PLAN_MODEL_ENV))
			continue;
		while (*s && !found) {
			size_t len = strcspn(s, ";");
			char *one = xstrndup(s, len);

			buf_reset(&b);
			names_artifact(&b, one);
			found = b.len && !strcmp(b.buf, name);
			free(one);
			s += len + (s[len] == ';');
		}
	}
	buf_release(&b);
	return found;
}

static void artifacts(struct plan_task *t, const struct pipeline *p,
		      const struct node *n, int self)
{
	struct buf b = BUF_INIT;

	t->inputs = xcalloc(n->inputs.n ? n->inputs.n : 1,
			    sizeof(*t->inputs));
	for (int i = 0; i < n->inputs.n; i++) {
		struct plan_artifact *a = &t->inputs[t->ninputs++];

		buf_reset(&b);
		names_artifact(&b, n->inputs.v[i]);
		a->name = xstrdup(b.buf);
		a->producer = n->input_from[i];
		a->model = is_model(&p->nodes[a->producer], a->name);
	}
	t->outputs = xcalloc(n->outputs.n ? n->outputs.n : 1,
			     sizeof(*t->outputs));
	for (int i = 0; i < n->outputs.n; i++) {
		struct plan_artifact *a = &t->outputs[t->noutputs++];

		buf_reset(&b);
		names_artifact(&b, n->outputs.v[i]);
		a->name = xstrdup(b.buf);
		a->producer = self;
		a->model = is_model(n, a->name);
	}
	buf_release(&b);
}

/*
 * The parameters a node uses, as they exist (validation reported the
 * rest), in the pipeline's order: each of the node's names found once by
 * hash, not every parameter matched name by name (20,000 were quadratic).
 */
static void task_params(struct plan_task *t, const struct pipeline *p,
			const struct node *n)
{
	char *used = xcalloc(p->nparams ? p->nparams : 1, 1);

	for (int i = 0; i < n->params.n; i++) {
		const struct param *pm = pipeline_param(p, n->params.v[i]);

		if (pm)
			used[pm - p->params] = 1;
	}
	t->params = xcalloc(p->nparams ? p->nparams : 1, sizeof(*t->params));
	for (int i = 0; i < p->nparams; i++)
		if (used[i] && p->params[i].name)
			t->params[t->nparams++] = &p->params[i];
	free(used);
}

static int node_index(const struct pipeline *p, const char *id)
{
	const struct node *n = pipeline_node(p, id);

	return n ? (int)(n - p->nodes) : -1;
}

static void parents_from(struct plan_task *t, const struct pipeline *p,
			 const struct node *n)
{
	t->parents = xcalloc(n->parents.n ? n->parents.n : 1,
			     sizeof(*t->parents));
	for (int i = 0; i < n->parents.n; i++) {
		int k = node_index(p, n->parents.v[i]);

		if (k >= 0)
			t->parents[t->nparents++] = k;
	}
}

static void task_build(struct plan_task *t, const struct pipeline *p,
		       int self, const struct plan_opts *o)
{
	const struct node *n = &p->nodes[self];
	struct marks m = { p, BUF_INIT };
	struct nodecmd_ctx ctx = {
		p, o->cos_endpoint, o->cos_bucket, o->cos_directory,
		MARK_RUN_ID,
		o->data_passing_cos ? NULL : MARK_IN,
		o->data_passing_cos ? NULL : MARK_OUT,
		WRITABLE_DIR, param_mark, &m, NULL,
	};
	struct nodecmd nc;

	memset(t, 0, sizeof(*t));
	t->node = n;
	t->name = n->task_name;
	t->display_name = n->display_name;
	t->image = n->runtime_image;
	if (n->kind == NODE_CUSTOM) {
		/* A KFP component runs its own command: v1 renders it
		 * from its definition (custom.c), which shares the DAG,
		 * volumes, /dev/shm and tolerations. */
		buf_release(&m.b);
		resources(t, n);
		mounts(t, n);
		parents_from(t, p, n);
		return;
	}
	nodecmd_build_flags(&ctx, n, &nc,
			    o->param_args ? NODECMD_PARAM_ARGS : 0);
	args_from(t, p, &nc);
	env_from(t, p, n, &nc, o);
	nodecmd_release(&nc);
	buf_release(&m.b);
	resources(t, n);
	mounts(t, n);
	pod_metadata(t, p, n);
	task_params(t, p, n);
	if (!o->data_passing_cos)
		artifacts(t, p, n, self);
	t->enable_cache = !n->disable_caching;
	parents_from(t, p, n);
}

/* The pipeline's Kubernetes name; the root DAG takes it on v1. */
static char *root_name(const struct pipeline *p)
{
	struct buf name = BUF_INIT;

	pipeline_k8s_name(&name, p->name);
	if (!name.len)
		buf_adds(&name, "pipeline");
	if (name.len > 50)
		buf_setlen(&name, 50);
	for (int i = 0; i < p->nnodes; i++)
		if (!strcmp(p->nodes[i].task_name, name.buf)) {
			buf_adds(&name, "-pipeline");
			break;
		}
	return buf_detach(&name, NULL);
}

void plan_build(struct plan *out, const struct pipeline *p,
		const struct plan_opts *o)
{
	memset(out, 0, sizeof(*out));
	out->name = root_name(p);
	out->params = xcalloc(p->nparams ? p->nparams : 1,
			      sizeof(*out->params));
	/* As Elyra: a parameter no node uses is left out. */
	for (int i = 0; i < p->nparams; i++)
		if (p->params[i].name &&
		    pipeline_param_used(p, p->params[i].name))
			out->params[out->nparams++] = &p->params[i];
	out->tasks = xcalloc(p->nnodes ? p->nnodes : 1, sizeof(*out->tasks));
	for (int i = 0; i < p->nnodes; i++)
		task_build(&out->tasks[out->ntasks++], p, i, o);
}

static void kvs_free(struct kv *v, int n)
{
	for (int i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].value);
	}
	free(v);
}

static void task_release(struct plan_task *t)
{
	for (int i = 0; i < t->nargs; i++) {
		for (int k = 0; k < t->args[i].nparts; k++)
			free(t->args[i].parts[k].text);
		free(t->args[i].parts);
	}
	free(t->args);
	for (int i = 0; i < t->nenv; i++) {
		free(t->env[i].name);
		free(t->env[i].value);
		free(t->env[i].key);
	}
	free(t->env);
	free(t->cpu);
	free(t->cpu_limit);
	free(t->memory);
	free(t->memory_limit);
	free(t->shm_size);
	for (int i = 0; i < t->nmounts; i++)
		free(t->mounts[i].path);
	free(t->mounts);
	kvs_free(t->labels, t->nlabels);
	kvs_free(t->annotations, t->nannotations);
	free(t->params);
	for (int i = 0; i < t->ninputs; i++)
		free(t->inputs[i].name);
	free(t->inputs);
	for (int i = 0; i < t->noutputs; i++)
		free(t->outputs[i].name);
	free(t->outputs);
	free(t->parents);
}

void plan_release(struct plan *pl)
{
	for (int i = 0; i < pl->ntasks; i++)
		task_release(&pl->tasks[i]);
	free(pl->tasks);
	free(pl->params);
	free(pl->name);
	memset(pl, 0, sizeof(*pl));
}

static int is_output(const struct node *n, const char *name)
{
	struct buf b = BUF_INIT;
	int found = 0;

	for (int i = 0; i < n->outputs.n && !found; i++) {
		buf_reset(&b);
		names_artifact(&b, n->outputs.v[i]);
		found = !strcmp(b.buf, name);
	}
	buf_release(&b);
	return found;
}

int plan_check(struct pipeline *p)
{
	struct buf b = BUF_INIT;
	int errors = 0;

	for (int k = 0; k < p->nnodes; k++) {
		const struct node *n = &p->nodes[k];

		for (int i = 0; i < n->nenv; i++) {
			const char *s = n->env[i].value;
			char field[64];

			if (strcmp(n->env[i].key, PLAN_MODEL_ENV))
				continue;
			snprintf(field, sizeof(field), "env_vars[%s]",
				 PLAN_MODEL_ENV);
			while (*s) {
				size_t len = strcspn(s, ";");
				char *one = xstrndup(s, len);

				buf_reset(&b);
				names_artifact(&b, one);
				if (b.len && !is_output(n, b.buf)) {
					pipeline_diag(p, 1, n, field, "'%s' is "
						"not one of the node's outputs: "
						"list output files of this node, "
						"as written in its outputs, "
						"separated by ';'", one);
					errors++;
				}
				free(one);
				s += len + (s[len] == ';');
			}
		}
	}
	buf_release(&b);
	return errors;
}

/*
 * Python's int literal, which is what Elyra makes of the text (it writes
 * the value into its pipeline's Python source): " +0x_10 ", "1_000",
 * "0o17", "0b1". Its decimal digits, '-' first when negative, in out;
 * 1 when it is one of more than 120 digits (nothing in out); or -1 when
 * s is none ("3.0", "ten", "007": Python's SyntaxError).
 */
static int py_int(const char *s, struct buf *out)
{
	static const char digit[] = "0123456789abcdef";
	const char *end = s + strlen(s), *d;
	int neg = 0, base = 10, n = 0, under = 1, huge = 0;
	char acc[120];		/* decimal, least significant first */

	s += strspn(s, " \t");
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (s < end && (*s == '+' || *s == '-'))
		neg = *s++ == '-';
	if (end - s > 2 && s[0] == '0' && strchr("xXoObB", s[1])) {
		base = s[1] == 'x' || s[1] == 'X' ? 16 :
		       s[1] == 'o' || s[1] == 'O' ? 8 : 2;
		s += 2;
		under = 0;	/* "0x_1" is Python too */
	} else if (s < end && *s == '0' &&
		   strspn(s, "0_") != (size_t)(end - s)) {
		return -1;	/* "007" */
	}
	for (; s < end; s++) {
		int v, carry;

		if (*s == '_' && !under) {
			under = 1;
			continue;
		}
		d = memchr(digit, *s | 0x20, sizeof(digit) - 1);
		v = d ? (int)(d - digit) : base;
		if (v >= base)
			return -1;
		under = 0;
		/* acc = acc * base + v, in decimal */
		carry = v;
		for (int i = 0; i < n; i++) {
			carry += (acc[i] - '0') * base;
			acc[i] = '0' + carry % 10;
			carry /= 10;
		}
		for (; carry && !huge; carry /= 10) {
			if (n == (int)sizeof(acc))
				huge = 1;
			else
				acc[n++] = '0' + carry % 10;
		}
	}
	if (under && (n || base != 10))
		return -1;	/* "1_", "0x", "" */
	if (!n && under)
		return -1;
	if (huge)
		return 1;
	while (n > 1 && acc[n - 1] == '0')
		n--;
	if (!n)
		acc[n++] = '0';
	if (neg && !(n == 1 && acc[0] == '0'))
		buf_addch(out, '-');
	while (n)
		buf_addch(out, acc[--n]);
	return 0;
}

/* Whether decimal digits "[-]D" are beyond +-2^53. */
static int past_2_53(const char *s)
{
	static const char max[] = "9007199254740992";
	size_t len;

	s += *s == '-';
	len = strlen(s);
	return len > strlen(max) || (len == strlen(max) && strcmp(s, max) > 0);
}

int plan_params(struct pipeline *p)
{
	struct buf b = BUF_INIT;
	int errors = 0;

	for (int i = 0; i < p->nparams; i++) {
		struct param *pm = &p->params[i];
		int r;

		if (!pm->value || pm->type == PARAM_STRING)
			continue;
		buf_reset(&b);
		if (pm->type == PARAM_BOOL) {
			/* A number (strings are True/False by now): Python's
			 * truth, as kfp 2 writes it. */
			if (strcmp(pm->value, "True") &&
			    strcmp(pm->value, "False"))
				buf_adds(&b, strtod(pm->value, NULL) ?
					 "True" : "False");
		} else if ((r = py_int(pm->value, &b)) < 0 ||
			   (r > 0 && pm->type == PARAM_FLOAT)) {
			buf_reset(&b);	/* not an int literal: as it is */
		} else if (pm->type == PARAM_INTEGER &&
			   (r > 0 || past_2_53(b.buf))) {
			/* Elyra leaves out what no node uses: so does this. */
			if (pm->name && pipeline_param_used(p, pm->name)) {
				pipeline_diag(p, 1, NULL, pm->path, "'%s' is "
					"beyond +-2^53 (9007199254740992), "
					"the largest integer a KFP v2 run "
					"parameter (a JSON number) holds "
					"exactly, and both targets run the "
					"same values: make the parameter a "
					"String", pm->value);
				errors++;
			}
			buf_reset(&b);
		}
		if (b.len && strcmp(b.buf, pm->value)) {
			free(pm->value);
			pm->value = xstrdup(b.buf);
		}
	}
	buf_release(&b);
	return errors;
}

