/*
 * pipeline: reading an Elyra .pipeline file into struct pipeline. Old
 * layouts are migrated here, as Elyra's pipeline editor would migrate them,
 * so that validation and everything after see only the v8 model.
 */
#include "common/pipeline.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"
#include "common/names.h"

/*
 * p->nodes, p->params and p->diags grow by doubling: an array of n, grown
 * only by these, has room for 1, 2, 4, ... so it is full at a power of
 * two. One realloc per element copied the whole array each time where
 * realloc moves (always under ASan: 20,000 nodes took 85 s).
 */
static int full(int n)
{
	return n < 1 || !(n & (n - 1));
}

static size_t room(int n)
{
	return n ? 2 * (size_t)n : 1;
}

void pipeline_diag(struct pipeline *p, int error, const struct node *n,
		   const char *field, const char *fmt, ...)
{
	struct diag *d;
	struct buf msg = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (full(p->ndiags))
		p->diags = xrealloc(p->diags, room(p->ndiags) *
				    sizeof(*p->diags));
	d = &p->diags[p->ndiags++];
	memset(d, 0, sizeof(*d));
	d->error = error;
	d->node_id = n && n->id ? xstrdup(n->id) : NULL;
	d->node_label = n && n->label ? xstrdup(n->label) : NULL;
	d->field = field ? xstrdup(field) : NULL;
	d->message = buf_detach(&msg, NULL);
	if (error)
		p->nerrors++;
}

/* An open-addressing set of strings, for de-duplicating large lists. */
struct strset {
	const char **slot;
	int *val;
	size_t size;
};

static size_t str_hash(const char *s)
{
	size_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static int strset_has(const struct strset *set, const char *s)
{
	size_t i = str_hash(s) & (set->size - 1);

	while (set->slot[i]) {
		if (!strcmp(set->slot[i], s))
			return 1;
		i = (i + 1) & (set->size - 1);
	}
	return 0;
}

/* Returns the slot for s, adding it with val if absent. */
static int *strset_get(struct strset *set, const char *s, int val)
{
	size_t i = str_hash(s) & (set->size - 1);

	while (set->slot[i] && strcmp(set->slot[i], s))
		i = (i + 1) & (set->size - 1);
	if (!set->slot[i]) {
		set->slot[i] = s;
		set->val[i] = val;
	}
	return &set->val[i];
}

/* The value stored for s, or -1; unlike strset_get, never inserts. */
static int strset_find(const struct strset *set, const char *s)
{
	size_t i = str_hash(s) & (set->size - 1);

	while (set->slot[i]) {
		if (!strcmp(set->slot[i], s))
			return set->val[i];
		i = (i + 1) & (set->size - 1);
	}
	return -1;
}

static void strset_init(struct strset *set, size_t n)
{
	set->size = 16;
	while (set->size < 2 * n)
		set->size *= 2;
	set->slot = xcalloc(set->size, sizeof(*set->slot));
	set->val = xcalloc(set->size, sizeof(*set->val));
}

static void strset_release(struct strset *set)
{
	free(set->slot);
	free(set->val);
	memset(set, 0, sizeof(*set));
}

struct pipeline_index {
	struct strset ids;
	struct strset params;	/* name -> first parameter of that name */
	struct strset used;	/* every node's pipeline_parameters */
};

static char *dupstr(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void strlist_add(struct strlist *l, const char *s)
{
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return;
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = xstrdup(s);
}

static char *value_of(const cJSON *obj, const char *key);

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
	return value_of(obj, key);
}

static void strlist_free(struct strlist *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
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
static char *scalar(const cJSON *j)
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
static char *value_of(const cJSON *obj, const char *key)
{
	char *s = scalar(cJSON_GetObjectItemCaseSensitive(obj, key));

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
	struct strset seen;
	int idx = 0;

	if (want_list(p, n, prop, arr) < 0)
		return;
	strset_init(&seen, out->n + cJSON_GetArraySize(arr));
	for (int i = 0; i < out->n; i++)
		strset_get(&seen, out->v[i], i);
	out->v = xrealloc(out->v, (out->n + cJSON_GetArraySize(arr) + 1) *
			  sizeof(*out->v));
	cJSON_ArrayForEach(e, arr) {
		char *s = scalar(e);

		if (!s && !cJSON_IsNull(e)) {
			char field[128];

			snprintf(field, sizeof(field), "%s[%d]", prop, idx);
			pipeline_diag(p, 1, n, field, "List item must be a "
				      "string, not %s.", json_type(e));
		}
		idx++;
		/* Elyra scrubs None and "" from these lists. */
		if (s && *s && strcmp(s, "None") && !strset_has(&seen, s)) {
			out->v[out->n] = s;
			strset_get(&seen, s, out->n++);
			continue;
		}
		free(s);
	}
	strset_release(&seen);
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
	char *s = py_strip(scalar(cJSON_GetObjectItemCaseSensitive(obj, key)));

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

static const cJSON *get(const cJSON *o, const char *k);
static void item_free(struct item *it);

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
	/* v7 and earlier: per-property "KEY=..." strings (migrateV8). */
	{
		char *k, *v;

		if (split_kv(e->valuestring, &k, &v) < 0) {
			pipeline_diag(p, 1, n, field, "Property %s does not "
				      "contain the expected separator "
				      "character: '='.", prop);
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
		} else if (!strcmp(prop, "mounted_volumes")) {
			it->f[0] = k;
			it->f[1] = v;
		} else if (!strcmp(prop, "kubernetes_tolerations")) {
			/* "ID=key:operator:value:effect"; the ID is dropped. */
			char *s = v, *part;
			int i = 0;

			free(k);
			while (i < 4 && (part = strsep(&s, ":")))
				it->f[i++] = *part ? xstrdup(part) : NULL;
			free(v);
		} else {
			it->f[0] = k;
			it->f[1] = v;
		}
	}
	for (int i = 0; i < 4; i++)
		if (it->f[i] && !*py_strip(it->f[i])) {
			free(it->f[i]);
			it->f[i] = NULL;
		}
	return 0;
}

static void item_free(struct item *it)
{
	for (int i = 0; i < 4; i++)
		free(it->f[i]);
}

/* env_vars, labels, annotations: later entries with the same key win. */
static void read_kvs(struct pipeline *p, const struct node *n,
		     const cJSON *arr, const char *prop, const char *kname,
		     const char *vname, struct kv **out, int *nout)
{
	const char *names[4] = { kname, vname, NULL, NULL };
	const cJSON *e;
	struct strset keys;
	int idx = 0;

	if (want_list(p, n, prop, arr) < 0)
		return;
	/* Keys by hash, so that 40k env vars stay linear. */
	strset_init(&keys, *nout + cJSON_GetArraySize(arr));
	for (int i = 0; i < *nout; i++)
		strset_get(&keys, (*out)[i].key, i);
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
		at = *strset_get(&keys, it.f[0], *nout);
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
	strset_release(&keys);
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

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
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
	s = py_strip(scalar(size));
	set = !s || *s;
	free(s);
	return set;
}

/*
 * A node's properties with pipeline_defaults applied: a default fills a
 * property the node leaves empty; list properties merge, the node winning
 * on equal keys (Elyra's propagate_pipeline_default_properties).
 */
static void read_props(struct pipeline *p, struct node *n, const cJSON *cp,
		       const cJSON *defaults)
{
	static const char *const lists[] = {
		"env_vars", "kubernetes_secrets", "mounted_volumes",
		"kubernetes_tolerations", "kubernetes_pod_annotations",
		"kubernetes_pod_labels",
	};
	const cJSON *shm;

	/*
	 * A custom node's component_parameters are the component's inputs
	 * (any name: "outputs", "memory", ...) plus Elyra's Kubernetes
	 * properties; only the latter are read here (read_custom keeps all).
	 */
	if (n->kind == NODE_CUSTOM)
		goto kubernetes;
	n->filename = prop_value(p, n, cp, "filename");
	n->runtime_image = prop_value(p, n, cp, "runtime_image");
	if (!n->runtime_image && defaults)
		n->runtime_image = value_of(defaults, "runtime_image");
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
kubernetes:
	{
		/* The node's own setting, else the pipeline default's. */
		char *c = value_of(cp, "disable_node_caching");

		if (!c && defaults)
			c = value_of(defaults, "disable_node_caching");
		n->disable_caching = c && !strcmp(c, "True");
		free(c);
	}
	/* Defaults first, so that the node's entries override them. */
	for (int pass = 0; pass < 2; pass++) {
		const cJSON *src = pass == 0 ? defaults : cp;

		if (!src)
			continue;
		if (n->kind != NODE_CUSTOM)
			read_kvs(p, n, get(src, lists[0]), "env_vars",
				 "env_var", "value", &n->env, &n->nenv);
		read_secrets(p, n, get(src, lists[1]));
		read_volumes(p, n, get(src, lists[2]));
		read_tolerations(p, n, get(src, lists[3]));
		read_kvs(p, n, get(src, lists[4]),
			 "kubernetes_pod_annotations", "key", "value",
			 &n->annotations, &n->nannotations);
		read_kvs(p, n, get(src, lists[5]), "kubernetes_pod_labels",
			 "key", "value", &n->labels, &n->nlabels);
	}
	shm = get(cp, "kubernetes_shared_mem_size");
	if (!shm_set(shm))
		shm = defaults ? get(defaults, "kubernetes_shared_mem_size")
			       : NULL;
	if (cJSON_IsObject(shm)) {
		n->shm_size = stripped_value_of(shm, "size");
		/* Size 0 means none, as in Elyra. */
		if (n->shm_size && atof(n->shm_size) == 0 &&
		    strspn(n->shm_size, "0.") == strlen(n->shm_size)) {
			free(n->shm_size);
			n->shm_size = NULL;
		}
	}
}

/*
 * A custom node's source and parameters, kept as written for catalog.c
 * and component checks; the pipeline parameters it binds are its params.
 */
static void read_custom(struct node *n, const cJSON *app, const cJSON *cp)
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
			strlist_add(&n->params, v);
	}
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
	struct strset ids;	/* every node id in the file, bindings too */
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
	if (!ref || !strset_has(&r->ids, ref)) {
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
		strlist_add(&n->parents, ref);
		return;
	}
	len = strlen(port);
	if (len > 8 && !strcmp(port + len - 8, "_outPort")) {
		char *id = xstrndup(port, strcspn(port, "_"));

		strlist_add(&n->parents, id);
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
	if (type && !strcmp(type, "super_node")) {
		const char *ref = cJSON_GetStringValue(get(get(jn,
					"subflow_ref"), "pipeline_id_ref"));
		const cJSON *sub = ref ? find_pipeline(r->root, ref) : NULL;
		int idx = 0;
		const cJSON *pl;

		if (!sub) {
			pipeline_diag(p, 1, NULL, path, "supernode refers to "
				      "pipeline '%s', which is not in the "
				      "file", ref ? ref : "?");
			return -1;
		}
		if (r->depth > 16) {
			pipeline_diag(p, 1, NULL, path, "supernodes nest too "
				      "deeply (a supernode that contains "
				      "itself?)");
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
	if (full(p->nnodes))
		p->nodes = xrealloc(p->nodes, room(p->nnodes) *
				    sizeof(*p->nodes));
	n = &p->nodes[p->nnodes++];
	memset(n, 0, sizeof(*n));
	n->id = dupstr(cJSON_GetStringValue(get(jn, "id")));
	if (!n->id)
		n->id = xstrfmt("node-%d", p->nnodes);
	n->path = xstrdup(path);
	n->op = dupstr(cJSON_GetStringValue(get(jn, "op")));
	n->kind = kind_of_op(n->op);
	/* v4+ nests the properties; v3 (Elyra 2.x) has them in app_data. */
	cp = get(app, "component_parameters");
	if (!cJSON_IsObject(cp))
		cp = app;
	ui = get(app, "ui_data");
	/* Elyra: ui_data's label if it has one, even "", else app_data's. */
	label = value_of(get(ui, "label") ? ui : app, "label");
	n->unlabelled = !label;
	if (!label)
		label = value_of(app, "label");
	/* Provisional, so that read_props' diagnostics name the node. */
	n->label = xstrdup(label ? label : n->id);
	read_props(p, n, cp ? cp : jn, r->defaults);
	if (n->kind == NODE_CUSTOM)
		read_custom(n, app, cp);
	free(n->label);
	/* Elyra: a label equal to the file's name becomes its stem. */
	if (!label && n->filename)
		label = xstrdup(basename_of(n->filename));
	if (label && n->filename &&
	    !strcmp(label, basename_of(n->filename))) {
		char *dot = strchr(label, '.');

		if (dot && dot != label)
			*dot = '\0';
	}
	n->label = label ? label : xstrdup(n->id);
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

		if (full(p->nparams))
			p->params = xrealloc(p->params, room(p->nparams) *
					     sizeof(*p->params));
		pm = &p->params[p->nparams++];
		memset(pm, 0, sizeof(*pm));
		pm->name = value_of(e, "name");
		/* Named by its name where it has one, for the user's sake. */
		pm->path = pm->name ? xstrfmt("pipeline_parameters[%s]",
					      pm->name)
				    : xstrfmt("pipeline_parameters[%d]", i);
		i++;
		pm->description = value_of(e, "description");
		pm->required = cJSON_IsTrue(get(e, "required"));
		pm->type = !type || !strcmp(type, "String") ? PARAM_STRING :
			   !strcmp(type, "Integer") ? PARAM_INTEGER :
			   !strcmp(type, "Float") ? PARAM_FLOAT :
			   !strcmp(type, "Bool") ? PARAM_BOOL : PARAM_STRING;
		/* The value if set, else the default (Elyra 4.0.0). */
		if (!val || cJSON_IsNull(val) ||
		    (cJSON_IsString(val) && !*val->valuestring))
			val = get(def, "value");
		pm->value = scalar(val);
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

/*
 * Orders the nodes so that parents come first, and reports a cycle by the
 * labels of the nodes on it. Returns 0, or -1 on a cycle.
 */
static int sort_nodes(struct pipeline *p)
{
	int n = p->nnodes, done = 0;
	int *state = xcalloc(n ? n : 1, sizeof(int));
	struct node *sorted = xcalloc(n ? n : 1, sizeof(*sorted));
	int *stack = xcalloc(n ? n : 1, sizeof(int));
	struct strset ids;
	int ret = 0;

	/* Parents by id through a hash set: a scan per edge is quadratic. */
	strset_init(&ids, n);
	for (int i = 0; i < n; i++)
		strset_get(&ids, p->nodes[i].id, i);
	/* Iterative DFS: 0 new, 1 on the stack, 2 placed. */
	for (int start = 0; start < n && !ret; start++) {
		int sp = 0;

		if (state[start])
			continue;
		stack[sp++] = start;
		state[start] = 1;
		while (sp && !ret) {
			int cur = stack[sp - 1], next = -1;
			struct node *nd = &p->nodes[cur];

			for (int k = 0; k < nd->parents.n && next < 0; k++) {
				int j = strset_find(&ids, nd->parents.v[k]);

				if (j < 0)
					continue;	/* unknown: validation says so */
				{
					if (state[j] == 1) {
						struct buf cyc = BUF_INIT;
						int from = 0;

						while (stack[from] != j)
							from++;
						for (int s = from; s < sp; s++)
							buf_addf(&cyc, "'%s' -> ",
								 p->nodes[stack[s]].label);
						buf_addf(&cyc, "'%s'",
							 p->nodes[j].label);
						pipeline_diag(p, 1, nd, NULL,
							"The pipeline contains a "
							"circular dependency between "
							"nodes: %s", cyc.buf);
						buf_release(&cyc);
						ret = -1;
					} else if (state[j] == 0) {
						next = j;
					}
				}
			}
			if (ret)
				break;
			if (next >= 0) {
				state[next] = 1;
				stack[sp++] = next;
			} else {
				state[cur] = 2;
				sorted[done++] = p->nodes[cur];
				sp--;
			}
		}
	}
	if (!ret) {
		memcpy(p->nodes, sorted, (size_t)done * sizeof(*sorted));
	}
	strset_release(&ids);
	free(sorted);
	free(state);
	free(stack);
	return ret;
}

int pipeline_is_ancestor(const struct node *n, int a)
{
	return n->ancestors && (n->ancestors[a / 8] >> (a % 8)) & 1;
}

/*
 * The first ancestor of n at or after a, or end: whole zero bytes are
 * skipped, so a node with few ancestors costs little in a long pipeline.
 */
static int next_ancestor(const struct node *n, int a, int end)
{
	while (a < end) {
		unsigned char byte = n->ancestors[a / 8] >> (a % 8);

		if (!byte) {
			a = (a / 8 + 1) * 8;
			continue;
		}
		while (!(byte & 1)) {
			byte >>= 1;
			a++;
		}
		return a < end ? a : end;
	}
	return end;
}

/*
 * Ancestors as bit sets, in one pass over the topological order; then
 * each node's inputs are every ancestor's outputs (Elyra passes them all),
 * each with the last ancestor that writes it. Linear in what it produces,
 * so a 5000-node pipeline is no harder than it must be.
 */
static void propagate_inputs(struct pipeline *p)
{
	size_t bytes = (p->nnodes + 7) / 8;
	struct strset ids;

	strset_init(&ids, p->nnodes);
	for (int i = 0; i < p->nnodes; i++)
		strset_get(&ids, p->nodes[i].id, i);
	for (int i = 0; i < p->nnodes; i++) {
		struct node *n = &p->nodes[i];
		struct strset seen = { 0 };
		size_t total = 0;

		n->ancestors = xcalloc(bytes ? bytes : 1, 1);
		for (int k = 0; k < n->parents.n; k++) {
			int j = strset_find(&ids, n->parents.v[k]);

			if (j < 0 || j >= i)
				continue;	/* unknown: validation says so */
			for (size_t b = 0; b < bytes; b++)
				n->ancestors[b] |= p->nodes[j].ancestors[b];
			n->ancestors[j / 8] |= 1 << (j % 8);
		}
		for (int a = next_ancestor(n, 0, i); a < i;
		     a = next_ancestor(n, a + 1, i))
			total += p->nodes[a].outputs.n;
		if (!total)
			continue;
		seen.size = 16;
		while (seen.size < 2 * total)
			seen.size *= 2;
		seen.slot = xcalloc(seen.size, sizeof(*seen.slot));
		seen.val = xcalloc(seen.size, sizeof(*seen.val));
		n->input_from = xcalloc(total, sizeof(int));
		n->inputs.v = xcalloc(total, sizeof(char *));
		for (int a = next_ancestor(n, 0, i); a < i;
		     a = next_ancestor(n, a + 1, i)) {
			for (int k = 0; k < p->nodes[a].outputs.n; k++) {
				const char *o = p->nodes[a].outputs.v[k];
				int *at = strset_get(&seen, o, n->inputs.n);

				if (*at == n->inputs.n)
					n->inputs.v[n->inputs.n++] =
						xstrdup(o);
				n->input_from[*at] = a;
			}
		}
		/* The set's keys point into the ancestors' lists. */
		free(seen.slot);
		free(seen.val);
	}
	strset_release(&ids);
}

static int alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

char *pipeline_unbrace(const char *s)
{
	struct buf b = BUF_INIT;

	for (; *s; s++) {
		buf_addch(&b, *s);
		if (s[0] == '{' && s[1] == '{')
			buf_addch(&b, ' ');
	}
	return buf_detach(&b, NULL);
}

void pipeline_label_value(struct buf *out, const char *s)
{
	size_t start = out->len;

	if (!*s)
		return;
	if (!alnum(*s))
		buf_addch(out, 'a');
	for (; *s; s++) {
		buf_addch(out, alnum(*s) || *s == '-' || *s == '_' ||
			  *s == '.' ? *s : '_');
		/* Elyra replaces a character, not each of its UTF-8 bytes */
		while (((unsigned char)s[1] & 0xC0) == 0x80)
			s++;
	}
	if (!alnum(out->buf[out->len - 1]))
		buf_addch(out, 'a');
	if (out->len - start > 63) {
		buf_setlen(out, start + 63);
		if (!alnum(out->buf[out->len - 1]))
			out->buf[out->len - 1] = 'a';
	}
}

int pipeline_param_used(const struct pipeline *p, const char *name)
{
	if (p->index)
		return strset_find(&p->index->used, name) >= 0;
	for (int k = 0; k < p->nnodes; k++)
		for (int j = 0; j < p->nodes[k].params.n; j++)
			if (!strcmp(p->nodes[k].params.v[j], name))
				return 1;
	return 0;
}

/*
 * Elyra's node name: runs of bytes outside [-_0-9A-Za-z ] become '-',
 * runs of '-' one, no '-' at the ends; a repeated name gets _1, _2, ...
 */
static void display_names(struct pipeline *p)
{
	struct strset used;

	strset_init(&used, p->nnodes);
	for (int i = 0; i < p->nnodes; i++) {
		struct buf b = BUF_INIT;
		size_t base;

		for (const char *c = p->nodes[i].label; *c; c++) {
			int ok = alnum(*c) || *c == '_' || *c == ' ';

			if (ok)
				buf_addch(&b, *c);
			else if (!b.len || b.buf[b.len - 1] != '-')
				buf_addch(&b, '-');
		}
		while (b.len && b.buf[b.len - 1] == '-')
			buf_setlen(&b, b.len - 1);
		if (b.len && b.buf[0] == '-') {
			memmove(b.buf, b.buf + 1, b.len);
			buf_setlen(&b, b.len - 1);
		}
		base = b.len;
		for (int k = 1;; k++) {
			if (!strset_has(&used, b.buf))
				break;
			buf_setlen(&b, base);
			buf_addf(&b, "_%d", k);
		}
		p->nodes[i].display_name = buf_detach(&b, NULL);
		*strset_get(&used, p->nodes[i].display_name, i) = i;
	}
	strset_release(&used);
}

void pipeline_k8s_name(struct buf *out, const char *s)
{
	size_t start = out->len;

	for (; *s; s++) {
		char c = *s;

		if (c >= 'A' && c <= 'Z')
			c = c - 'A' + 'a';
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			buf_addch(out, c);
		} else if (out->len > start && out->buf[out->len - 1] != '-') {
			buf_addch(out, '-');
		}
	}
	while (out->len > start && out->buf[out->len - 1] == '-')
		buf_setlen(out, out->len - 1);
}

/*
 * Argo task and template names: the label as a Kubernetes name, unique,
 * not starting with a digit (Argo refuses that with dependencies), and
 * short enough (Argo: 128; pod names: 63 with the workflow's prefix).
 */
static void name_tasks(struct pipeline *p)
{
	struct strset used;

	strset_init(&used, p->nnodes);
	for (int i = 0; i < p->nnodes; i++) {
		struct buf b = BUF_INIT;
		size_t base;

		pipeline_k8s_name(&b, p->nodes[i].label);
		if (!b.len)
			buf_adds(&b, "node");
		/* After the name is made: "数据2" starts with a digit there. */
		if (b.buf[0] >= '0' && b.buf[0] <= '9') {
			char *s = buf_detach(&b, NULL);

			buf_addf(&b, "n-%s", s);
			free(s);
		}
		if (b.len > 40)
			buf_setlen(&b, 40);
		while (b.len && b.buf[b.len - 1] == '-')
			buf_setlen(&b, b.len - 1);
		base = b.len;
		for (int k = 2;; k++) {
			if (!strset_has(&used, b.buf))
				break;
			buf_setlen(&b, base);
			buf_addf(&b, "-%d", k);
		}
		p->nodes[i].task_name = buf_detach(&b, NULL);
		/* The set keeps the name's pointer: add it once it is final. */
		*strset_get(&used, p->nodes[i].task_name, i) = i;
	}
	strset_release(&used);
}

static char *stem(const char *path)
{
	const char *b = basename_of(path);
	const char *dot = strrchr(b, '.');

	return dot && dot != b ? xstrndup(b, dot - b) : xstrdup(b);
}

/*
 * The bootstrap names a step's log (and executed notebook, and its HTML)
 * after the file's stem, under the run's prefix: a/run.sh and b/run.sh
 * would overwrite each other's run.log. Those nodes get a --log-name that
 * no other node's log has (names_logs); the others keep Elyra's name.
 */
static void name_logs(struct pipeline *p)
{
	char **files = xcalloc(p->nnodes ? p->nnodes : 1, sizeof(*files));
	char **ids = xcalloc(p->nnodes ? p->nnodes : 1, sizeof(*ids));
	char **out = xcalloc(p->nnodes ? p->nnodes : 1, sizeof(*out));

	for (int i = 0; i < p->nnodes; i++) {
		files[i] = p->nodes[i].filename;
		ids[i] = p->nodes[i].id;
	}
	names_logs(out, files, ids, p->nnodes);
	for (int i = 0; i < p->nnodes; i++)
		p->nodes[i].log_name = out[i];
	free(files);
	free(ids);
	free(out);
}

/* JSON syntax errors as "line L, column C", counted from cJSON's offset. */
static void json_error(struct pipeline *p, const char *text, const char *at)
{
	int line = 1, col = 1;
	struct diag *d;

	for (const char *c = text; at && c < at && *c; c++, col++)
		if (*c == '\n') {
			line++;
			col = 0;
		}
	pipeline_diag(p, 1, NULL, NULL, "Invalid JSON detected, unable to "
		      "continue: syntax error at line %d, column %d", line, col);
	d = &p->diags[p->ndiags - 1];
	d->line = line;
	d->col = col;
	/* The line itself, for a caret under the column (as jq does). */
	if (at) {
		const char *start = at, *end = at;

		while (start > text && start[-1] != '\n')
			start--;
		while (*end && *end != '\n')
			end++;
		d->context = xstrndup(start, end - start);
	}
}

/*
 * What cJSON forgets, recovered from the text: a number's own spelling
 * (Python reads "3" as an int and "3.0" as a float, and prints them so),
 * and a string's "\u0000", which cJSON's C strings silently cut. cJSON
 * keeps values in document order, so the n-th string or number token of
 * the text is the n-th string (keys included) or number of the tree.
 */
struct json_tok {
	const char *at;		/* in the text */
	size_t len;
	int is_num, has_nul;
};

struct json_toks {
	struct json_tok *v;
	size_t n, alloc, next;
	const char *text;
};

static void json_tokenize(struct json_toks *t, const char *s)
{
	t->text = s;
	while (*s) {
		struct json_tok k = { s, 0, 0, 0 };

		if (*s == '"') {
			for (s++; *s && *s != '"'; s++)
				if (*s == '\\' && s[1]) {
					if (!strncmp(s + 1, "u0000", 5))
						k.has_nul = 1;
					s++;
				}
			k.len = s - k.at;
			if (*s)
				s++;
		} else if (*s == '-' || (*s >= '0' && *s <= '9')) {
			while (*s && strchr("+-0123456789.eE", *s))
				s++;
			k.len = s - k.at;
			k.is_num = 1;
		} else {
			s++;
			continue;
		}
		if (t->n == t->alloc) {
			t->alloc = t->alloc ? 2 * t->alloc : 256;
			t->v = xrealloc(t->v, t->alloc * sizeof(*t->v));
		}
		t->v[t->n++] = k;
	}
}

static const struct json_tok *json_take(struct json_toks *t, int is_num)
{
	while (t->next < t->n && t->v[t->next].is_num != is_num)
		t->next++;	/* out of step: only if cJSON read oddly */
	return t->next < t->n ? &t->v[t->next++] : NULL;
}

static void json_where(const struct json_toks *t, const struct json_tok *k,
		       int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (const char *c = t->text; c < k->at; c++, (*col)++)
		if (*c == '\n') {
			(*line)++;
			*col = 0;
		}
}

static int json_check_string(struct pipeline *p, struct json_toks *t,
			     const char *s, const char *path,
			     const char *node_id)
{
	const struct json_tok *k = json_take(t, 0);
	const char *bad = utf8_invalid(s);
	int line = 0, col = 0;

	if (!bad && !(k && k->has_nul))
		return 0;
	/* Counted only for an error: per string it made loading O(n^2). */
	if (k)
		json_where(t, k, &line, &col);
	if (bad)
		pipeline_diag(p, 1, NULL, path, "line %d, column %d%s%s%s: the "
			      "string is not valid UTF-8 (byte 0x%02x at "
			      "offset %d); save the file as UTF-8", line, col,
			      node_id ? " (node '" : "", node_id ? node_id : "",
			      node_id ? "')" : "", (unsigned char)*bad,
			      (int)(bad - s));
	else if (k && k->has_nul)
		pipeline_diag(p, 1, NULL, path, "line %d, column %d%s%s%s: the "
			      "string holds a NUL character (\\u0000), which "
			      "no file name, env var or argument can carry; "
			      "remove it", line, col, node_id ? " (node '" : "",
			      node_id ? node_id : "", node_id ? "')" : "");
	else
		return 0;
	return -1;
}

static int json_annotate(struct pipeline *p, struct json_toks *t,
			 cJSON *j, struct buf *path, const char *node_id)
{
	size_t len = path->len;
	int ret = 0, i = 0;
	int nodes = j->string && !strcmp(j->string, "nodes");

	for (cJSON *c = j->child; c; c = c->next, i++) {
		const char *id = node_id;

		if (c->string) {
			buf_addf(path, "%s%s", len ? "." : "", c->string);
			ret |= json_check_string(p, t, c->string, path->buf,
						 id);
		} else {
			buf_addf(path, "[%d]", i);
		}
		/* Inside pipelines[].nodes[k], errors name the node's id. */
		if (nodes && cJSON_IsObject(c))
			id = cJSON_GetStringValue(cJSON_GetObjectItem(c, "id"));
		if (cJSON_IsString(c)) {
			ret |= json_check_string(p, t, c->valuestring,
						 path->buf, id);
		} else if (cJSON_IsNumber(c)) {
			const struct json_tok *k = json_take(t, 1);

			if (k && !c->valuestring)
				c->valuestring = xstrndup(k->at, k->len);
		} else if (c->child) {
			ret |= json_annotate(p, t, c, path, id);
		}
		buf_setlen(path, len);
	}
	return ret;
}

/* pipeline_param and pipeline_param_used by hash: the first of a name. */
static void index_params(struct pipeline *p)
{
	size_t used = 0;

	strset_init(&p->index->params, p->nparams);
	for (int i = 0; i < p->nparams; i++)
		if (p->params[i].name)
			strset_get(&p->index->params, p->params[i].name, i);
	for (int i = 0; i < p->nnodes; i++)
		used += p->nodes[i].params.n;
	strset_init(&p->index->used, used);
	for (int i = 0; i < p->nnodes; i++)
		for (int j = 0; j < p->nodes[i].params.n; j++)
			strset_get(&p->index->used, p->nodes[i].params.v[j],
				   0);
}

/*
 * Node ids key everything after (links, archives, artifacts): two nodes
 * with one id would share an archive, the second replacing the first.
 */
static int unique_ids(struct pipeline *p)
{
	struct strset ids;
	int ret = 0;

	strset_init(&ids, p->nnodes);
	for (int i = 0; i < p->nnodes; i++) {
		int first;

		/* "" is no key: links cannot name it, nor --log-name use it. */
		if (!*p->nodes[i].id) {
			pipeline_diag(p, 1, &p->nodes[i], "id", "Node id is "
				      "empty: give the node a unique id (Elyra "
				      "writes a UUID).");
			ret = -1;
			continue;
		}
		first = *strset_get(&ids, p->nodes[i].id, i);
		if (first == i)
			continue;
		pipeline_diag(p, 1, &p->nodes[i], "id", "Node id '%s' is "
			      "not unique: node '%s' has it too.",
			      p->nodes[i].id, p->nodes[first].label);
		ret = -1;
	}
	strset_release(&ids);
	return ret;
}

int pipeline_load(struct pipeline *p, const char *path)
{
	struct buf text = BUF_INIT;
	const char *end = NULL, *primary_id, *slash;
	const cJSON *pl = NULL, *app, *props, *e;
	cJSON *root;
	int idx = 0, ret = 0;
	struct reader r;

	memset(p, 0, sizeof(*p));
	p->source = xstrdup(path);
	slash = strrchr(path, '/');
	p->dir = slash ? xstrndup(path, slash - path) : xstrdup(".");
	if (!*p->dir) {
		free(p->dir);
		p->dir = xstrdup("/");
	}
	p->name = stem(path);
	if (buf_read_file(&text, path) < 0) {
		pipeline_diag(p, 1, NULL, NULL, "cannot read the file: %s",
			      strerror(errno));
		buf_release(&text);
		return -1;
	}
	root = cJSON_ParseWithOpts(text.buf, &end, 0);
	if (!root) {
		json_error(p, text.buf, end);
		buf_release(&text);
		return -1;
	}
	{
		struct json_toks toks = { 0 };
		struct buf jpath = BUF_INIT;

		json_tokenize(&toks, text.buf);
		if (root->string || cJSON_IsString(root))
			json_take(&toks, 0);
		ret = json_annotate(p, &toks, root, &jpath, NULL) ? -1 : 0;
		free(toks.v);
		buf_release(&jpath);
	}
	buf_release(&text);
	if (ret) {
		cJSON_Delete(root);
		return -1;
	}

	/* Elyra's structural checks, with its messages. */
	if (!cJSON_IsObject(root)) {
		pipeline_diag(p, 1, NULL, NULL, "Invalid JSON detected, "
			      "unable to continue.");
		ret = -1;
	} else if (!get(root, "version")) {
		pipeline_diag(p, 1, NULL, "version", "Pipeline schema version "
			      "field is missing.");
		ret = -1;
	} else if (!cJSON_IsString(get(root, "version"))) {
		pipeline_diag(p, 1, NULL, "version", "Pipeline schema version "
			      "field should be a string.");
		ret = -1;
	} else if (atof(get(root, "version")->valuestring) != 3.0) {
		pipeline_diag(p, 1, NULL, "version", "Incompatible pipeline "
			      "schema version detected.");
		ret = -1;
	} else if (!get(root, "pipelines")) {
		pipeline_diag(p, 1, NULL, "pipelines", "Pipeline is missing "
			      "'pipelines' field.");
		ret = -1;
	} else if (!cJSON_IsArray(get(root, "pipelines"))) {
		pipeline_diag(p, 1, NULL, "pipelines", "Field 'pipelines' "
			      "should be a list.");
		ret = -1;
	} else if (!cJSON_GetArraySize(get(root, "pipelines"))) {
		pipeline_diag(p, 1, NULL, "pipelines", "Pipeline has zero "
			      "length 'pipelines' field.");
		ret = -1;
	}
	if (ret)
		goto out;
	primary_id = cJSON_GetStringValue(get(root, "primary_pipeline"));
	if (!get(root, "primary_pipeline")) {
		pipeline_diag(p, 1, NULL, "primary_pipeline", "Could not "
			      "determine the primary pipeline.");
		ret = -1;
		goto out;
	}
	if (!primary_id) {
		pipeline_diag(p, 1, NULL, "primary_pipeline", "Field "
			      "'primary_pipeline' should be a string.");
		ret = -1;
		goto out;
	}
	cJSON_ArrayForEach(e, get(root, "pipelines")) {
		const char *id = cJSON_GetStringValue(get(e, "id"));

		if (id && !strcmp(id, primary_id)) {
			pl = e;
			break;
		}
		idx++;
	}
	if (!pl) {
		pipeline_diag(p, 1, NULL, "primary_pipeline", "No primary "
			      "pipeline was found");
		ret = -1;
		goto out;
	}
	app = get(pl, "app_data");
	if (!cJSON_IsObject(app)) {
		pipeline_diag(p, 1, NULL, "app_data", "Primary pipeline is "
			      "missing the 'app_data' field.");
		ret = -1;
		goto out;
	}
	if (!cJSON_IsNumber(get(app, "version"))) {
		pipeline_diag(p, 1, NULL, "app_data.version", get(app,
			      "version") ? "Pipeline version is not a numeric "
			      "value." : "Primary pipeline is missing the "
			      "'version' field.");
		ret = -1;
		goto out;
	}
	p->version = get(app, "version")->valueint;
	p->runtime_type = value_of(app, "runtime_type");
	props = get(app, "properties");
	if (!p->runtime_type) {
		/* Before runtime_type (v4, v5): "runtime", in two places. */
		char *rt = value_of(app, "runtime");

		if (!rt)
			rt = value_of(props, "runtime");
		if (rt && (!strcasecmp(rt, "airflow") ||
			   !strcasecmp(rt, "Apache Airflow")))
			p->runtime_type = xstrdup("APACHE_AIRFLOW");
		free(rt);
	}
	{
		const cJSON *defaults = get(props, "pipeline_defaults");
		char *prefix = value_of(defaults, "cos_object_prefix");

		/* 3.8-3.12 kept the prefix beside the defaults. */
		if (!prefix)
			prefix = value_of(props, "cos_object_prefix");
		p->cos_prefix = prefix;
		p->description = value_of(props, "description");
		r = (struct reader){ p, root, defaults,
				     get(get(app, "ui_data"), "comments"), 0,
				     { 0 } };
	}
	{
		const cJSON *jp, *jn;
		int count = 0;

		cJSON_ArrayForEach(jp, get(root, "pipelines"))
			count += cJSON_GetArraySize(get(jp, "nodes"));
		strset_init(&r.ids, count);
		cJSON_ArrayForEach(jp, get(root, "pipelines"))
			cJSON_ArrayForEach(jn, get(jp, "nodes")) {
				const char *id = cJSON_GetStringValue(get(jn,
									  "id"));

				if (id)
					strset_get(&r.ids, id, 0);
			}
	}
	read_params(p, get(props, "pipeline_parameters"));
	if (read_nodes(&r, pl, idx, NULL) < 0)
		ret = -1;
	strset_release(&r.ids);
	if (!ret && unique_ids(p) < 0)
		ret = -1;
	if (!p->nnodes && !ret) {
		pipeline_diag(p, 1, NULL, "nodes", "At least one node must "
			      "exist in the primary pipeline.");
		ret = -1;
	}
	if (!ret && sort_nodes(p) < 0)
		ret = -1;
	if (!ret) {
		p->index = xcalloc(1, sizeof(*p->index));
		strset_init(&p->index->ids, p->nnodes);
		for (int i = 0; i < p->nnodes; i++)
			strset_get(&p->index->ids, p->nodes[i].id, i);
		index_params(p);
		propagate_inputs(p);
		name_tasks(p);
		display_names(p);
		name_logs(p);
	}
out:
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
		strset_release(&p->index->ids);
		strset_release(&p->index->params);
		strset_release(&p->index->used);
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

const struct node *pipeline_node(const struct pipeline *p, const char *id)
{
	if (p->index) {
		size_t i = str_hash(id) & (p->index->ids.size - 1);

		while (p->index->ids.slot[i]) {
			if (!strcmp(p->index->ids.slot[i], id))
				return &p->nodes[p->index->ids.val[i]];
			i = (i + 1) & (p->index->ids.size - 1);
		}
		return NULL;
	}
	for (int i = 0; i < p->nnodes; i++)
		if (!strcmp(p->nodes[i].id, id))
			return &p->nodes[i];
	return NULL;
}

const struct param *pipeline_param(const struct pipeline *p,
				   const char *name)
{
	int i;

	/* A lookup per node's use: 20,000 parameters were quadratic. */
	if (p->index) {
		i = strset_find(&p->index->params, name);
		return i < 0 ? NULL : &p->params[i];
	}
	for (i = 0; i < p->nparams; i++)
		if (p->params[i].name && !strcmp(p->params[i].name, name))
			return &p->params[i];
	return NULL;
}

void pipeline_print_diags(const struct pipeline *p, int json)
{
	if (json) {
		cJSON *arr = cJSON_CreateArray();
		char *s;

		for (int i = 0; i < p->ndiags; i++) {
			const struct diag *d = &p->diags[i];
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "severity", d->error ?
						"error" : "warning");
			cJSON_AddStringToObject(o, "file", p->source);
			if (d->node_id)
				cJSON_AddStringToObject(o, "node_id",
							d->node_id);
			if (d->node_label)
				cJSON_AddStringToObject(o, "node_label",
							d->node_label);
			if (d->field)
				cJSON_AddStringToObject(o, "field", d->field);
			if (d->line) {
				cJSON_AddNumberToObject(o, "line", d->line);
				cJSON_AddNumberToObject(o, "column", d->col);
			}
			cJSON_AddStringToObject(o, "message", d->message);
			cJSON_AddItemToArray(arr, o);
		}
		s = cJSON_Print(arr);
		printf("%s\n", s);
		cJSON_free(s);
		cJSON_Delete(arr);
		return;
	}
	for (int i = 0; i < p->ndiags; i++) {
		const struct diag *d = &p->diags[i];
		struct buf b = BUF_INIT;

		buf_addf(&b, "%s", p->source);
		if (d->line)
			buf_addf(&b, ":%d:%d", d->line, d->col);
		buf_addf(&b, ": %s: ", d->error ? "error" : "warning");
		if (d->node_id)
			buf_addf(&b, "node '%s' (%s): ", d->node_label ?
				 d->node_label : "", d->node_id);
		if (d->field)
			buf_addf(&b, "%s: ", d->field);
		buf_adds(&b, d->message);
		if (d->context && d->col > 0) {
			buf_addf(&b, "\n    %s\n    %*s^", d->context,
				 d->col - 1, "");
		}
		fprintf(stderr, "%s\n", b.buf);
		buf_release(&b);
	}
}
