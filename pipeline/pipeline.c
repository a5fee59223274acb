/*
 * pipeline: the model's life: pipeline_load() runs the reader's steps
 * (pipeline_int.h says which file holds each), pipeline_free() undoes
 * them, and the lookups by id and by parameter name use the index that
 * loading leaves behind.
 */
#include "pipeline/pipeline_int.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/names.h"

/*
 * An array of n, grown only by pipeline_grow, has room for 1, 2, 4, ...
 * so it is full at a power of two. One realloc per element copied the
 * whole array each time where realloc moves (always under ASan: 20,000
 * nodes took 85 s).
 */
void *pipeline_grow(void *v, int n, size_t size)
{
	if (n >= 1 && (n & (n - 1)))
		return v;
	return xrealloc(v, (n ? 2 * (size_t)n : 1) * size);
}

void pipeline_strlist_add(struct strlist *l, const char *s)
{
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return;
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = xstrdup(s);
}

static void strlist_free(struct strlist *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* pipeline_param and pipeline_param_used by hash: the first of a name. */
static void index_params(struct pipeline *p)
{
	size_t used = 0;

	strmap_reserve(&p->index->params, p->nparams);
	for (int i = 0; i < p->nparams; i++)
		if (p->params[i].name)
			strmap_add_index(&p->index->params, p->params[i].name,
					 i);
	for (int i = 0; i < p->nnodes; i++)
		used += p->nodes[i].params.n;
	strmap_reserve(&p->index->used, used);
	for (int i = 0; i < p->nnodes; i++)
		for (int j = 0; j < p->nodes[i].params.n; j++)
			strmap_put_index(&p->index->used,
					 p->nodes[i].params.v[j], 0);
}

/* Where the file is: node files are relative to its directory. */
static void locate(struct pipeline *p, const char *path)
{
	const char *slash = strrchr(path, '/');

	p->source = xstrdup(path);
	p->dir = slash ? xstrndup(path, slash - path) : xstrdup(".");
	if (!*p->dir) {
		free(p->dir);
		p->dir = xstrdup("/");
	}
	p->name = names_stem(path);
}

static cJSON *parse_file(struct pipeline *p, const char *path)
{
	struct buf text = BUF_INIT;
	cJSON *root;

	if (buf_read_file(&text, path) < 0) {
		pipeline_diag(p, 1, NULL, NULL, "cannot read the file: %s",
			      strerror(errno));
		buf_release(&text);
		return NULL;
	}
	root = pipeline_parse(p, text.buf);
	buf_release(&text);
	return root;
}

int pipeline_load(struct pipeline *p, const char *path)
{
	cJSON *root;
	int ret;

	memset(p, 0, sizeof(*p));
	locate(p, path);
	root = parse_file(p, path);
	if (!root)
		return -1;
	ret = pipeline_read(p, root);
	if (!ret && pipeline_sort(p) < 0)
		ret = -1;
	if (!ret) {
		p->index = xcalloc(1, sizeof(*p->index));
		pipeline_link(p);
		index_params(p);
		pipeline_name_nodes(p);
	}
	cJSON_Delete(root);
	return ret;
}

static void node_free(struct node *n)
{
	free(n->id);
	free(n->label);
	free(n->op);
	free(n->filename);
	free(n->log_name);
	free(n->runtime_image);
	strlist_free(&n->dependencies);
	strlist_free(&n->outputs);
	strlist_free(&n->inputs);
	strlist_free(&n->params);
	strlist_free(&n->parents);
	free(n->input_from);
	free(n->ancestors);
	for (int i = 0; i < n->nenv; i++) {
		free(n->env[i].key);
		free(n->env[i].value);
	}
	free(n->env);
	for (int i = 0; i < n->nannotations; i++) {
		free(n->annotations[i].key);
		free(n->annotations[i].value);
	}
	free(n->annotations);
	for (int i = 0; i < n->nlabels; i++) {
		free(n->labels[i].key);
		free(n->labels[i].value);
	}
	free(n->labels);
	for (int i = 0; i < n->nsecrets; i++) {
		free(n->secrets[i].env_var);
		free(n->secrets[i].name);
		free(n->secrets[i].key);
	}
	free(n->secrets);
	for (int i = 0; i < n->nvolumes; i++) {
		free(n->volumes[i].path);
		free(n->volumes[i].pvc_name);
		free(n->volumes[i].sub_path);
	}
	free(n->volumes);
	for (int i = 0; i < n->ntolerations; i++) {
		free(n->tolerations[i].key);
		free(n->tolerations[i].operator);
		free(n->tolerations[i].value);
		free(n->tolerations[i].effect);
	}
	free(n->tolerations);
	free(n->shm_size);
	free(n->cpu);
	free(n->cpu_limit);
	free(n->memory);
	free(n->memory_limit);
	free(n->gpu);
	free(n->gpu_vendor);
	free(n->doc);
	free(n->path);
	free(n->task_name);
	free(n->display_name);
	free(n->component_source);
	cJSON_Delete(n->component_params);
}

void pipeline_free(struct pipeline *p)
{
	for (int i = 0; i < p->nnodes; i++)
		node_free(&p->nodes[i]);
	free(p->nodes);
	if (p->index) {
		strmap_release(&p->index->ids);
		strmap_release(&p->index->params);
		strmap_release(&p->index->used);
		free(p->index);
	}
	for (int i = 0; i < p->nparams; i++) {
		free(p->params[i].name);
		free(p->params[i].description);
		free(p->params[i].value);
		free(p->params[i].path);
	}
	free(p->params);
	for (int i = 0; i < p->ndiags; i++) {
		free(p->diags[i].node_id);
		free(p->diags[i].node_label);
		free(p->diags[i].field);
		free(p->diags[i].message);
		free(p->diags[i].context);
	}
	free(p->diags);
	free(p->source);
	free(p->dir);
	free(p->name);
	free(p->description);
	free(p->runtime_type);
	free(p->cos_prefix);
	memset(p, 0, sizeof(*p));
}

const struct param *pipeline_param(const struct pipeline *p,
				   const char *name)
{
	int i;

	/* A lookup per node's use: 20,000 parameters were quadratic. */
	if (p->index) {
		i = strmap_get_index(&p->index->params, name);
		return i < 0 ? NULL : &p->params[i];
	}
	for (i = 0; i < p->nparams; i++)
		if (p->params[i].name && !strcmp(p->params[i].name, name))
			return &p->params[i];
	return NULL;
}

int pipeline_param_used(const struct pipeline *p, const char *name)
{
	if (p->index)
		return strmap_get(&p->index->used, name) != NULL;
	for (int k = 0; k < p->nnodes; k++)
		for (int j = 0; j < p->nodes[k].params.n; j++)
			if (!strcmp(p->nodes[k].params.v[j], name))
				return 1;
	return 0;
}
