/*
 * pipeline_props: a node's properties, read as Elyra 4 reads them (its
 * strip(), its "None", its falsy values), with the pipeline's defaults
 * applied and the v7 "KEY=VALUE" string lists migrated; a property of the
 * wrong JSON type is refused, naming it, where Elyra would drop it.
 */
#include "pipeline/pipeline_int.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strmap.h"

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* Why a JSON value was refused: its type, as the user wrote it. */
static const char *json_type(const cJSON *j)
{
	return cJSON_IsObject(j) ? "an object" : cJSON_IsArray(j) ? "a list" :
	       cJSON_IsString(j) ? "a string" : cJSON_IsNumber(j) ? "a number" :
	       cJSON_IsBool(j) ? "a boolean" : "null";
}

/*
 * A list property must be a list (or absent, or null); anything else was
 * dropped silently before, so a typo lost the user's data.
 */
static int want_list(struct pipeline *p, const struct node *n,
		     const char *prop, const cJSON *j)
{
	if (!j || cJSON_IsNull(j) || cJSON_IsArray(j))
		return 0;
	pipeline_diag(p, 1, n, prop, "Property must be a list, not %s.",
		      json_type(j));
	return -1;
}

/*
 * Elyra sets a resource only if its value is true in Python: a 0 (the
 * number) sets none and writes no resources; the string "0" it refuses.
 */
static void unset_zeros(struct node *n, const cJSON *cp)
{
	static const char *const keys[] = { "cpu", "cpu_limit", "memory",
					     "memory_limit", "gpu" };
	char **vals[] = { &n->cpu, &n->cpu_limit, &n->memory,
			  &n->memory_limit, &n->gpu };

	for (int i = 0; i < 5; i++) {
		const cJSON *j = cJSON_GetObjectItemCaseSensitive(cp, keys[i]);

		if (cJSON_IsNumber(j) && j->valuedouble == 0) {
			free(*vals[i]);
			*vals[i] = NULL;
		}
	}
}

/* A scalar property must not be an object or a list. */
static char *prop_value(struct pipeline *p, const struct node *n,
			const cJSON *obj, const char *key)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (cJSON_IsObject(j) || cJSON_IsArray(j)) {
		pipeline_diag(p, 1, n, key, "Property must be a string or a "
			      "number, not %s.", json_type(j));
		return NULL;
	}
	return pipeline_value_of(obj, key);
}


void pipeline_number(struct buf *out, const cJSON *j)
{
	const char *raw = j->valuestring;

	/* Python's json: no '.', 'e' or 'E' is an int, printed as written. */
	if (raw && !strpbrk(raw, ".eE")) {
		buf_adds(out, strcmp(raw, "-0") ? raw : "0");
		return;
	}
	if (!raw && j->valuedouble == floor(j->valuedouble) &&
	    fabs(j->valuedouble) < 1e15) {
		buf_addf(out, "%.0f", j->valuedouble);
		return;
	}
	buf_add_pyfloat(out, j->valuedouble);
}

/* A string, or a number written as Elyra would print it; else NULL. */
char *pipeline_scalar(const cJSON *j)
{
	if (cJSON_IsString(j))
		return xstrdup(j->valuestring);
	if (cJSON_IsNumber(j)) {
		struct buf b = BUF_INIT;

		pipeline_number(&b, j);
		return buf_detach(&b, NULL);
	}
	if (cJSON_IsBool(j))
		return xstrdup(cJSON_IsTrue(j) ? "True" : "False");
	return NULL;
}

/* Elyra maps the string "None" (and "") to no value. */
char *pipeline_value_of(const cJSON *obj, const char *key)
{
	char *s = pipeline_scalar(cJSON_GetObjectItemCaseSensitive(obj, key));

	if (s && (!*s || !strcmp(s, "None"))) {
		free(s);
		return NULL;
	}
	return s;
}

/* De-duplicated through a hash set: 100k outputs stay linear. */
static void read_strings(struct pipeline *p, const struct node *n,
			 const char *prop, const cJSON *arr,
			 struct strlist *out)
{
	const cJSON *e;
	struct strmap seen = { 0 };
	int idx = 0;

	if (want_list(p, n, prop, arr) < 0)
		return;
	strmap_reserve(&seen, out->n + cJSON_GetArraySize(arr));
	for (int i = 0; i < out->n; i++)
		strmap_add_index(&seen, out->v[i], i);
	out->v = xrealloc(out->v, (out->n + cJSON_GetArraySize(arr) + 1) *
			  sizeof(*out->v));
	cJSON_ArrayForEach(e, arr) {
		char *s = pipeline_scalar(e);

		if (!s && !cJSON_IsNull(e)) {
			char field[128];

			snprintf(field, sizeof(field), "%s[%d]", prop, idx);
			pipeline_diag(p, 1, n, field, "List item must be a "
				      "string, not %s.", json_type(e));
		}
		idx++;
		/* Elyra scrubs None and "" from these lists. */
		if (s && *s && strcmp(s, "None") &&
		    strmap_add_index(&seen, s, out->n) == out->n) {
			out->v[out->n++] = s;
			continue;
		}
		free(s);
	}
	strmap_release(&seen);
}

/*
 * The v7 "KEY=VALUE" form: split on the first '=', both sides trimmed.
 * Returns 0, or -1 when there is no '='.
 */
static int split_kv(const char *s, char **k, char **v)
{
	const char *eq = strchr(s, '=');
	const char *a = s, *b, *c, *d;

	if (!eq)
		return -1;
	b = eq;
	while (a < b && (*a == ' ' || *a == '\t'))
		a++;
	while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
		b--;
	c = eq + 1;
	d = s + strlen(s);
	while (c < d && (*c == ' ' || *c == '\t'))
		c++;
	while (d > c && (d[-1] == ' ' || d[-1] == '\t'))
		d--;
	*k = xstrndup(a, b - a);
	*v = xstrndup(c, d - c);
	return 0;
}

/*
 * The length of the Python whitespace character (str.isspace) at s, or 0:
 * ASCII's six, \x1c-\x1f, and the Unicode spaces, as UTF-8.
 */
static size_t py_space_at(const char *s)
{
	static const char *const wide[] = {
		"\xc2\x85", "\xc2\xa0", "\xe1\x9a\x80", "\xe2\x80\xa8",
		"\xe2\x80\xa9", "\xe2\x80\xaf", "\xe2\x81\x9f",
		"\xe3\x80\x80",
	};
	const unsigned char *u = (const unsigned char *)s;

	if (strchr(" \t\n\v\f\r", *s) && *s)
		return 1;
	if (*u >= 0x1c && *u <= 0x1f)
		return 1;
	/* U+2000..U+200A */
	if (u[0] == 0xe2 && u[1] == 0x80 && u[2] >= 0x80 && u[2] <= 0x8a)
		return 3;
	for (size_t i = 0; i < sizeof(wide) / sizeof(*wide); i++)
		if (!strncmp(s, wide[i], strlen(wide[i])))
			return strlen(wide[i]);
	return 0;
}

/*
 * Python's s.strip(), in place: Elyra 4.0.0 strips every value of its list
 * properties (ElyraProperty.strip_if_string), and the shared memory size.
 */
static char *py_strip(char *s)
{
	size_t start = 0, end = 0, at = 0, k;

	if (!s)
		return NULL;
	while ((k = py_space_at(s + start)))
		start += k;
	/* end: just after the last character that is not a space */
	for (at = start; s[at];) {
		k = py_space_at(s + at);
		if (k) {
			at += k;
			continue;
		}
		do
			at++;
		while (((unsigned char)s[at] & 0xC0) == 0x80);
		end = at;
	}
	if (end < start)
		end = start;
	memmove(s, s + start, end - start);
	s[end - start] = 0;
	return s;
}

/* value_of, stripped first: "  " is no value, as "" is. */
static char *stripped_value_of(const cJSON *obj, const char *key)
{
	char *s = py_strip(pipeline_scalar(get(obj, key)));

	if (s && (!*s || !strcmp(s, "None"))) {
		free(s);
		return NULL;
	}
	return s;
}

/* Reads one list property item as a dict with the given field names. */
struct item {
	char *f[4];
};

static void item_free(struct item *it)
{
	for (int i = 0; i < 4; i++)
		free(it->f[i]);
}

/*
 * v7 and earlier: per-property "KEY=..." strings, split as Elyra's
 * migrateV8 splits them into the fields of an item.
 */
static int read_item_v7(struct pipeline *p, const struct node *n,
			const char *prop, const char *field, const char *str,
			struct item *it)
{
	char *k, *v;

	if (split_kv(str, &k, &v) < 0) {
		pipeline_diag(p, 1, n, field, "Property %s does not contain "
			      "the expected separator character: '='.", prop);
		return -1;
	}
	if (!strcmp(prop, "kubernetes_secrets")) {
		char *colon = strchr(v, ':');

		it->f[0] = k;
		if (colon) {
			it->f[1] = xstrndup(v, colon - v);
			it->f[2] = xstrdup(colon + 1);
		} else {
			it->f[1] = xstrdup(v);
		}
		free(v);
	} else if (!strcmp(prop, "kubernetes_tolerations")) {
		/* "ID=key:operator:value:effect"; the ID is dropped. */
		char *s = v, *part;
		int i = 0;

		free(k);
		while (i < 4 && (part = strsep(&s, ":")))
			it->f[i++] = *part ? xstrdup(part) : NULL;
		free(v);
	} else {	/* mounted_volumes, and the KEY=VALUE lists */
		it->f[0] = k;
		it->f[1] = v;
	}
	for (int i = 0; i < 4; i++)
		if (it->f[i] && !*py_strip(it->f[i])) {
			free(it->f[i]);
			it->f[i] = NULL;
		}
	return 0;
}

static int read_item(struct pipeline *p, const struct node *n,
		     const char *prop, int idx, const cJSON *e,
		     const char *const names[4], struct item *it)
{
	char field[128];

	memset(it, 0, sizeof(*it));
	snprintf(field, sizeof(field), "%s[%d]", prop, idx);
	if (cJSON_IsObject(e)) {
		for (int i = 0; i < 4 && names[i]; i++) {
			const cJSON *v = get(e, names[i]);

			if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
				pipeline_diag(p, 1, n, field, "'%s' must be a "
					      "string, not %s.", names[i],
					      json_type(v));
				item_free(it);
				return -1;
			}
			it->f[i] = stripped_value_of(e, names[i]);
		}
		return 0;
	}
	if (!cJSON_IsString(e)) {
		pipeline_diag(p, 1, n, field, "expected a string or an object");
		return -1;
	}
	return read_item_v7(p, n, prop, field, e->valuestring, it);
}

/* env_vars, labels, annotations: later entries with the same key win. */
static void read_kvs(struct pipeline *p, const struct node *n,
		     const cJSON *arr, const char *prop, const char *kname,
		     const char *vname, struct kv **out, int *nout)
{
	const char *names[4] = { kname, vname, NULL, NULL };
	const cJSON *e;
	struct strmap keys = { 0 };
	int idx = 0;

	if (want_list(p, n, prop, arr) < 0)
		return;
	/* Keys by hash, so that 40k env vars stay linear. */
	strmap_reserve(&keys, *nout + cJSON_GetArraySize(arr));
	for (int i = 0; i < *nout; i++)
		strmap_add_index(&keys, (*out)[i].key, i);
	*out = xrealloc(*out, (*nout + cJSON_GetArraySize(arr) + 1) *
			sizeof(**out));
	cJSON_ArrayForEach(e, arr) {
		struct item it;
		int at;

		if (read_item(p, n, prop, idx++, e, names, &it) < 0)
			continue;
		/*
		 * An empty row in the UI: Elyra discards it; so is an env var
		 * without a value, which then leaves a pipeline default (or an
		 * earlier entry) of the same name in place.
		 */
		if (!it.f[0] || (!it.f[1] && !strcmp(prop, "env_vars"))) {
			item_free(&it);
			continue;
		}
		at = strmap_add_index(&keys, it.f[0], *nout);
		if (at == *nout) {
			(*nout)++;
		} else {
			/* The set points at the old key: keep that one. */
			free(it.f[0]);
			it.f[0] = (*out)[at].key;
			free((*out)[at].value);
		}
		(*out)[at].key = it.f[0];
		(*out)[at].value = it.f[1] ? it.f[1] : xstrdup("");
		free(it.f[2]);
		free(it.f[3]);
	}
	strmap_release(&keys);
}

static void read_secrets(struct pipeline *p, struct node *n, const cJSON *arr)
{
	const char *names[4] = { "env_var", "name", "key", NULL };
	const cJSON *e;
	int idx = 0;

	if (want_list(p, n, "kubernetes_secrets", arr) < 0)
		return;

	cJSON_ArrayForEach(e, arr) {
		struct item it;
		int i;

		if (read_item(p, n, "kubernetes_secrets", idx++, e, names,
			      &it) < 0)
			continue;
		if (!it.f[0] && !it.f[1] && !it.f[2]) {
			item_free(&it);
			continue;
		}
		for (i = 0; i < n->nsecrets; i++)
			if (it.f[0] && n->secrets[i].env_var &&
			    !strcmp(n->secrets[i].env_var, it.f[0]))
				break;
		if (i == n->nsecrets) {
			n->secrets = xrealloc(n->secrets, (n->nsecrets + 1) *
					      sizeof(*n->secrets));
			n->nsecrets++;
		} else {
			free(n->secrets[i].env_var);
			free(n->secrets[i].name);
			free(n->secrets[i].key);
		}
		n->secrets[i] = (struct secret_ref){ it.f[0], it.f[1],
						     it.f[2] };
	}
}

/*
 * Whether two mount paths name one mount: Elyra mounts at "/" +
 * path.strip("/"), so "/mnt/x", "mnt/x" and "/mnt/x/" are one (and a
 * node's mount replaces the pipeline default's there); "./a//b" is not
 * "/a/b", to Elyra or to Argo.
 */
static int same_mount_path(const char *a, const char *b)
{
	size_t la, lb;

	a += strspn(a, "/");
	b += strspn(b, "/");
	la = strlen(a);
	lb = strlen(b);
	while (la && a[la - 1] == '/')
		la--;
	while (lb && b[lb - 1] == '/')
		lb--;
	return la == lb && !memcmp(a, b, la);
}

static void read_volumes(struct pipeline *p, struct node *n, const cJSON *arr)
{
	const char *names[4] = { "path", "pvc_name", "sub_path", NULL };
	const cJSON *e;
	int idx = 0;

	if (want_list(p, n, "mounted_volumes", arr) < 0)
		return;

	cJSON_ArrayForEach(e, arr) {
		struct item it;
		int i, ro = 0;

		if (read_item(p, n, "mounted_volumes", idx++, e, names,
			      &it) < 0)
			continue;
		if (!it.f[0] && !it.f[1]) {
			item_free(&it);
			continue;
		}
		if (cJSON_IsObject(e))
			ro = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
				e, "read_only"));
		for (i = 0; i < n->nvolumes; i++)
			if (it.f[0] && n->volumes[i].path &&
			    same_mount_path(n->volumes[i].path, it.f[0]))
				break;
		if (i == n->nvolumes) {
			n->volumes = xrealloc(n->volumes, (n->nvolumes + 1) *
					      sizeof(*n->volumes));
			n->nvolumes++;
		} else {
			free(n->volumes[i].path);
			free(n->volumes[i].pvc_name);
			free(n->volumes[i].sub_path);
		}
		n->volumes[i] = (struct volume_mount){ it.f[0], it.f[1],
						       it.f[2], ro };
		free(it.f[3]);
	}
}

static void read_tolerations(struct pipeline *p, struct node *n,
			     const cJSON *arr)
{
	const char *names[4] = { "key", "operator", "value", "effect" };
	const cJSON *e;
	int idx = 0;

	if (want_list(p, n, "kubernetes_tolerations", arr) < 0)
		return;

	cJSON_ArrayForEach(e, arr) {
		struct item it;
		int dup = 0;

		if (read_item(p, n, "kubernetes_tolerations", idx++, e, names,
			      &it) < 0)
			continue;
		/* De-duplicated on key:operator:value:effect, as Elyra. */
		for (int i = 0; i < n->ntolerations && !dup; i++) {
			struct toleration *t = &n->tolerations[i];
			const char *a[4] = { t->key, t->operator, t->value,
					     t->effect };

			dup = 1;
			for (int k = 0; k < 4; k++)
				if (strcmp(a[k] ? a[k] : "",
					   it.f[k] ? it.f[k] : ""))
					dup = 0;
		}
		if (dup) {
			item_free(&it);
			continue;
		}
		n->tolerations = xrealloc(n->tolerations, (n->ntolerations + 1)
					  * sizeof(*n->tolerations));
		n->tolerations[n->ntolerations++] = (struct toleration){
			it.f[0], it.f[1], it.f[2], it.f[3] };
	}
}


/*
 * Whether a node sets its shared memory size: Elyra discards the property
 * when its size is falsy after strip() (absent, null, "", "  ", 0), and
 * the pipeline default applies; the string "0" is a size (of none).
 */
static int shm_set(const cJSON *shm)
{
	const cJSON *size = cJSON_IsObject(shm) ? get(shm, "size") : NULL;
	char *s;
	int set;

	if (!size || cJSON_IsNull(size) || cJSON_IsFalse(size))
		return 0;
	if (cJSON_IsNumber(size))
		return size->valuedouble != 0;
	s = py_strip(pipeline_scalar(size));
	set = !s || *s;
	free(s);
	return set;
}

/* A generic node's own properties: its file, image, lists and resources. */
static void read_generic(struct pipeline *p, struct node *n,
			 const cJSON *cp, const cJSON *defaults)
{
	n->filename = prop_value(p, n, cp, "filename");
	n->runtime_image = prop_value(p, n, cp, "runtime_image");
	if (!n->runtime_image && defaults)
		n->runtime_image = pipeline_value_of(defaults, "runtime_image");
	read_strings(p, n, "dependencies", get(cp, "dependencies"),
		     &n->dependencies);
	n->include_subdirectories =
		cJSON_IsTrue(get(cp, "include_subdirectories"));
	read_strings(p, n, "outputs", get(cp, "outputs"), &n->outputs);
	read_strings(p, n, "pipeline_parameters",
		     get(cp, "pipeline_parameters"), &n->params);
	n->cpu = prop_value(p, n, cp, "cpu");
	n->cpu_limit = prop_value(p, n, cp, "cpu_limit");
	n->memory = prop_value(p, n, cp, "memory");
	n->memory_limit = prop_value(p, n, cp, "memory_limit");
	n->gpu = prop_value(p, n, cp, "gpu");
	n->gpu_vendor = prop_value(p, n, cp, "gpu_vendor");
	unset_zeros(n, cp);
}

/* The list properties of src (the defaults, or the node's own). */
static void read_lists(struct pipeline *p, struct node *n, const cJSON *src)
{
	if (n->kind != NODE_CUSTOM)
		read_kvs(p, n, get(src, "env_vars"), "env_vars", "env_var",
			 "value", &n->env, &n->nenv);
	read_secrets(p, n, get(src, "kubernetes_secrets"));
	read_volumes(p, n, get(src, "mounted_volumes"));
	read_tolerations(p, n, get(src, "kubernetes_tolerations"));
	read_kvs(p, n, get(src, "kubernetes_pod_annotations"),
		 "kubernetes_pod_annotations", "key", "value",
		 &n->annotations, &n->nannotations);
	read_kvs(p, n, get(src, "kubernetes_pod_labels"),
		 "kubernetes_pod_labels", "key", "value", &n->labels,
		 &n->nlabels);
}

/* The node's shared memory size, else the pipeline default's. */
static void read_shm(struct node *n, const cJSON *cp, const cJSON *defaults)
{
	const cJSON *shm = get(cp, "kubernetes_shared_mem_size");

	if (!shm_set(shm))
		shm = defaults ? get(defaults, "kubernetes_shared_mem_size")
			       : NULL;
	if (!cJSON_IsObject(shm))
		return;
	n->shm_size = stripped_value_of(shm, "size");
	/* Size 0 means none, as in Elyra. */
	if (n->shm_size && atof(n->shm_size) == 0 &&
	    strspn(n->shm_size, "0.") == strlen(n->shm_size)) {
		free(n->shm_size);
		n->shm_size = NULL;
	}
}

/*
 * A node's properties with pipeline_defaults applied: a default fills a
 * property the node leaves empty; list properties merge, the node winning
 * on equal keys (Elyra's propagate_pipeline_default_properties).
 */
void pipeline_read_props(struct pipeline *p, struct node *n,
			 const cJSON *cp, const cJSON *defaults)
{
	char *c;

	/*
	 * A custom node's component_parameters are the component's inputs
	 * (any name: "outputs", "memory", ...) plus Elyra's Kubernetes
	 * properties; only the latter are read here (pipeline_read_custom
	 * keeps all).
	 */
	if (n->kind != NODE_CUSTOM)
		read_generic(p, n, cp, defaults);
	/* The node's own setting, else the pipeline default's. */
	c = pipeline_value_of(cp, "disable_node_caching");
	if (!c && defaults)
		c = pipeline_value_of(defaults, "disable_node_caching");
	n->disable_caching = c && !strcmp(c, "True");
	free(c);
	/* Defaults first, so that the node's entries override them. */
	if (defaults)
		read_lists(p, n, defaults);
	if (cp)
		read_lists(p, n, cp);
	read_shm(n, cp, defaults);
}

/*
 * A custom node's source and parameters, kept as written for catalog.c
 * and component checks; the pipeline parameters it binds are its params.
 */
void pipeline_read_custom(struct node *n, const cJSON *app,
			  const cJSON *cp)
{
	const cJSON *src = get(app, "component_source"), *e;

	if (cJSON_IsString(src))
		n->component_source = xstrdup(src->valuestring);
	else if (cJSON_IsObject(src))
		n->component_source = cJSON_PrintUnformatted(src);
	n->component_params = cJSON_IsObject(cp) ? cJSON_Duplicate(cp, 1)
						 : cJSON_CreateObject();
	cJSON_ArrayForEach(e, n->component_params) {
		const char *w = cJSON_GetStringValue(get(e, "widget"));
		const char *v = cJSON_GetStringValue(get(e, "value"));

		if (w && v && !strcmp(w, "parameter"))
			pipeline_strlist_add(&n->params, v);
	}
}

