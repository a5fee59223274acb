/* component: KFP v1 component YAML, read and resolved as kfp 1.8.22. */
#include "component/component.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "base/strmap.h"

/*
 * Room for one more of n items of size sz in *v, doubling at powers of
 * two, so that appending stays linear (no capacity field needed).
 */
static void grow(void *v, int n, size_t sz)
{
	void **p = v;

	if (n == 0 || !(n & (n - 1)))
		*p = xrealloc(*p, (size_t)(n ? 2 * n : 1) * sz);
}

static void list_add(struct strlist *l, const char *s)
{
	grow(&l->v, l->n, sizeof(*l->v));
	l->v[l->n++] = xstrdup(s);
}

/* ------------------------------------------------------------ YAML in */

/*
 * PyYAML's implicit resolvers for ints and floats (resolver.py, YAML 1.1):
 * a plain scalar matching one is a number for kfp and Elyra.
 */
static const char int_re[] = "^([-+]?0b[0-1_]+|[-+]?0[0-7_]+|"
	"[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|"
	"[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+)$";
static const char float_re[] = "^([-+]?([0-9][0-9_]*)\\.[0-9_]*"
	"([eE][-+][0-9]+)?|\\.[0-9_]+([eE][-+][0-9]+)?|"
	"[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(inf|Inf|INF)|"
	"\\.(nan|NaN|NAN))$";

static int scalar_matches(regex_t *re, int *ready, const char *pattern,
		    const char *s)
{
	if (!*ready && regcomp(re, pattern, REG_EXTENDED | REG_NOSUB) == 0)
		*ready = 1;
	return *ready && regexec(re, s, 0, NULL, 0) == 0;
}

/* s without '_' and its sign (-1 or 1) in *sign; caller frees. */
static char *digits_of(const char *s, int *sign)
{
	char *d = xmalloc(strlen(s) + 1), *o = d;

	*sign = *s == '-' ? -1 : 1;
	if (*s == '-' || *s == '+')
		s++;
	for (; *s; s++)
		if (*s != '_')
			*o++ = *s;
	*o = 0;
	return d;
}

/*
 * PyYAML's construct_yaml_int: 0b, 0x, a leading 0 (octal), base 60
 * with ':'. The value's Python str() is kept as the number's text, which
 * pipeline_number prints. NULL when it does not fit 64 bits (left text).
 */
static cJSON *yaml_int(const char *s)
{
	int sign, base = 10;
	char *d = digits_of(s, &sign), *p = d, txt[32];
	unsigned long long v = 0, part = 0;
	cJSON *j = NULL;

	if (!strncmp(p, "0b", 2) || !strncmp(p, "0x", 2))
		base = p[1] == 'b' ? 2 : 16, p += 2;
	else if (p[0] == '0' && p[1])
		base = 8, p++;
	for (; *p; p++) {
		int c = *p == ':' ? -1 : isdigit((unsigned char)*p) ? *p - '0' :
			tolower((unsigned char)*p) - 'a' + 10;

		if (c < 0) {	/* base 60: each part is a digit */
			v = v * 60 + part;
			part = 0;
			continue;
		}
		if (part > (ULLONG_MAX - c) / base)
			goto out;
		part = part * base + c;
	}
	if (strchr(d, ':') && v > (ULLONG_MAX - part) / 60)
		goto out;
	v = strchr(d, ':') ? v * 60 + part : part;
	if (v > (unsigned long long)LLONG_MAX)
		goto out;
	snprintf(txt, sizeof(txt), "%s%llu", sign < 0 && v ? "-" : "", v);
	j = cJSON_CreateNumber((double)v * sign);
	if (j)
		j->valuestring = xstrdup(txt);
out:
	free(d);
	return j;
}

/* PyYAML's construct_yaml_float: .inf, .nan, base 60 with ':'. */
static cJSON *yaml_float(const char *s)
{
	int sign;
	char *d = digits_of(s, &sign), *p;
	double v = 0;
	cJSON *j;

	for (p = d; *p; p++)
		*p = tolower((unsigned char)*p);
	if (!strcmp(d, ".inf")) {
		v = INFINITY;
	} else if (!strcmp(d, ".nan")) {
		v = NAN;
		sign = 1;
	} else if (strchr(d, ':')) {
		for (p = d; p;) {
			char *colon = strchr(p, ':');

			v = v * 60 + strtod(p, NULL);
			p = colon ? colon + 1 : NULL;
		}
	} else {
		v = strtod(d, NULL);
	}
	free(d);
	j = cJSON_CreateNumber(sign * v);
	/* the text marks it a float for pipeline_number (Python's str) */
	if (j)
		j->valuestring = xstrdup(".");
	return j;
}

/*
 * A plain scalar typed as PyYAML's safe_load (YAML 1.1) types it, which
 * is what kfp and Elyra read: null, bool, int, float, else a string
 * (timestamps too: their str() is their text, as kfp passes a date).
 */
static cJSON *plain_scalar(const char *s)
{
	static const char *const yes[] = { "true", "True", "TRUE", "yes",
		"Yes", "YES", "on", "On", "ON" };
	static const char *const no[] = { "false", "False", "FALSE", "no",
		"No", "NO", "off", "Off", "OFF" };
	static regex_t ints, floats;
	static int ints_ready, floats_ready;
	cJSON *j = NULL;

	if (!*s || !strcmp(s, "~") || !strcmp(s, "null") ||
	    !strcmp(s, "Null") || !strcmp(s, "NULL"))
		return cJSON_CreateNull();
	for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++) {
		if (!strcmp(s, yes[i]))
			return cJSON_CreateTrue();
		if (!strcmp(s, no[i]))
			return cJSON_CreateFalse();
	}
	/* PyYAML tries the float resolver before the int one */
	if (strlen(s) < 4096 && strpbrk(s, "0123456789.")) {
		if (scalar_matches(&floats, &floats_ready, float_re, s))
			j = yaml_float(s);
		else if (scalar_matches(&ints, &ints_ready, int_re, s))
			j = yaml_int(s);
	}
	return j ? j : cJSON_CreateString(s);
}

/*
 * The document is read from libyaml's event stream, not its document
 * loader, so that the limits hold while parsing: nesting depth (a 1M
 * deep '[' would exhaust the stack before any check on the tree), and
 * aliases, whose copies count against a budget (a billion-laughs
 * component is 600 bytes; a recursive alias never ends). PyYAML, which
 * kfp and Elyra use, has neither limit; safe loaders (Go's yaml.v3,
 * SnakeYAML) do. No real component comes near them.
 */
#define YAML_MAX_DEPTH 64
#define YAML_MAX_ALIASES 1000
#define YAML_MAX_COPIED 100000	/* nodes made by alias copies */

struct anchor {
	char *name;
	cJSON *node;		/* a copy, owned here */
	long size;		/* its node count */
};

struct yload {
	yaml_parser_t parser;
	struct anchor *anchors;
	int nanchors;
	int naliases;
	long copied;
	struct buf *err;
};

static void *oom(struct yload *y)
{
	buf_adds(y->err, "out of memory reading the YAML");
	return NULL;
}

/* Reads the next event; -1 with the reason in y->err. */
static int next_event(struct yload *y, yaml_event_t *ev)
{
	if (yaml_parser_parse(&y->parser, ev))
		return 0;
	if (y->parser.error == YAML_MEMORY_ERROR)
		oom(y);
	else
		buf_addf(y->err, "not YAML: %s at line %zu, column %zu",
			 y->parser.problem ? y->parser.problem :
			 "syntax error", y->parser.problem_mark.line + 1,
			 y->parser.problem_mark.column + 1);
	return -1;
}

static cJSON *load_node(struct yload *y, yaml_event_t *ev, int depth,
			long *size);

/* An alias: a copy of its anchor's node, within the limits. */
static cJSON *load_alias(struct yload *y, const yaml_event_t *ev, long *size)
{
	const char *name = (const char *)ev->data.alias.anchor;
	size_t line = ev->start_mark.line + 1;
	cJSON *copy;

	for (int i = y->nanchors - 1; i >= 0; i--) {
		if (strcmp(y->anchors[i].name, name))
			continue;
		if (++y->naliases > YAML_MAX_ALIASES ||
		    (y->copied += y->anchors[i].size) > YAML_MAX_COPIED) {
			buf_addf(y->err, "the YAML's aliases expand too much "
				 "(at *%s, line %zu; at most %d aliases and "
				 "%d copied nodes): write the values out",
				 name, line, YAML_MAX_ALIASES,
				 YAML_MAX_COPIED);
			return NULL;
		}
		*size = y->anchors[i].size;
		copy = cJSON_Duplicate(y->anchors[i].node, 1);
		return copy ? copy : oom(y);
	}
	buf_addf(y->err, "alias *%s at line %zu names no complete anchor "
		 "before it (a recursive alias, or an undefined one)", name,
		 line);
	return NULL;
}

/*
 * Sets o[key] = v as a Python dict does: a repeated key keeps its place
 * and takes the new value (v's contents move into the old item). keys
 * indexes o's items. Takes v.
 */
static int object_set(cJSON *o, struct strmap *keys, const char *key,
		      cJSON *v)
{
	cJSON *old = strmap_get(keys, key), tmp;

	if (!old) {
		if (!cJSON_AddItemToObject(o, key, v)) {
			cJSON_Delete(v);
			return -1;
		}
		strmap_put(keys, v->string, v);
		return 0;
	}
	tmp = *old;
	old->child = v->child;
	old->type = v->type;
	old->valuestring = v->valuestring;
	old->valueint = v->valueint;
	old->valuedouble = v->valuedouble;
	v->child = tmp.child;
	v->type = tmp.type;
	v->valuestring = tmp.valuestring;
	cJSON_Delete(v);
	return 0;
}

/*
 * A mapping's key: its scalar text, as the old document loader took it,
 * or NULL for another kind of key (skipped, with its value). -1 on error.
 */
static int load_key(struct yload *y, yaml_event_t *ev, int depth,
		    char **key)
{
	cJSON *k;
	long n = 0;

	*key = NULL;
	if (ev->type == YAML_SCALAR_EVENT) {
		*key = xstrdup((const char *)ev->data.scalar.value);
		yaml_event_delete(ev);
		return 0;
	}
	k = load_node(y, ev, depth, &n);
	cJSON_Delete(k);
	return k ? 0 : -1;
}

/* A sequence's or mapping's items, after its start event. */
static cJSON *load_collection(struct yload *y, int map, int depth,
			      long *size)
{
	cJSON *o = map ? cJSON_CreateObject() : cJSON_CreateArray(), *v;
	struct strmap keys = { NULL, NULL, 0, 0 };
	yaml_event_t ev;
	char *key = NULL;

	if (!o)
		return oom(y);
	for (;;) {
		long n = 0;

		if (next_event(y, &ev) < 0)
			goto fail;
		if (ev.type == YAML_SEQUENCE_END_EVENT ||
		    ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			break;
		}
		if (map && (load_key(y, &ev, depth + 1, &key) < 0 ||
			    next_event(y, &ev) < 0))
			goto fail;
		if (!(v = load_node(y, &ev, depth + 1, &n)))
			goto fail;
		*size += n;
		if (!map) {
			if (!cJSON_AddItemToArray(o, v)) {
				cJSON_Delete(v);
				goto oom;
			}
		} else if (!key) {
			cJSON_Delete(v);	/* PyYAML: unhashable key */
		} else if (object_set(o, &keys, key, v) < 0) {
			goto oom;
		}
		free(key);
		key = NULL;
	}
	strmap_release(&keys);
	return o;
oom:
	oom(y);
fail:
	free(key);
	strmap_release(&keys);
	cJSON_Delete(o);
	return NULL;
}

/* Keeps a copy of o under anchor (counted as alias copies are). */
static int add_anchor(struct yload *y, const char *anchor, const cJSON *o,
		      long size, size_t line)
{
	cJSON *copy;

	if ((y->copied += size) > YAML_MAX_COPIED) {
		buf_addf(y->err, "the YAML's anchors hold too much (&%s, line "
			 "%zu; at most %d nodes in all): write the values "
			 "out", anchor, line, YAML_MAX_COPIED);
		return -1;
	}
	if (!(copy = cJSON_Duplicate(o, 1))) {
		oom(y);
		return -1;
	}
	grow(&y->anchors, y->nanchors, sizeof(*y->anchors));
	y->anchors[y->nanchors].name = xstrdup(anchor);
	y->anchors[y->nanchors].node = copy;
	y->anchors[y->nanchors++].size = size;
	return 0;
}

/*
 * The node that starts with ev (taken): its value, or NULL with the
 * reason in y->err. size gets its node count, alias copies included.
 */
static cJSON *load_node(struct yload *y, yaml_event_t *ev, int depth,
			long *size)
{
	const yaml_char_t *a = NULL;
	size_t line = ev->start_mark.line + 1;
	yaml_event_type_t type = ev->type;
	char *anchor = NULL;
	cJSON *o = NULL;

	*size = 1;
	if (type == YAML_SCALAR_EVENT)
		a = ev->data.scalar.anchor;
	else if (type == YAML_SEQUENCE_START_EVENT)
		a = ev->data.sequence_start.anchor;
	else if (type == YAML_MAPPING_START_EVENT)
		a = ev->data.mapping_start.anchor;
	anchor = a ? xstrdup((const char *)a) : NULL;
	if (depth > YAML_MAX_DEPTH) {
		buf_addf(y->err, "the YAML nests deeper than %d levels (at "
			 "line %zu)", YAML_MAX_DEPTH, line);
	} else if (type == YAML_ALIAS_EVENT) {
		o = load_alias(y, ev, size);
	} else if (type == YAML_SCALAR_EVENT) {
		const char *v = (const char *)ev->data.scalar.value;

		o = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ?
		    plain_scalar(v) : cJSON_CreateString(v);
		if (!o)
			oom(y);
	} else if (type == YAML_SEQUENCE_START_EVENT ||
		   type == YAML_MAPPING_START_EVENT) {
		yaml_event_delete(ev);
		o = load_collection(y, type == YAML_MAPPING_START_EVENT,
				    depth, size);
	} else {
		buf_addf(y->err, "not YAML: unexpected event at line %zu",
			 line);
	}
	yaml_event_delete(ev);
	if (o && anchor && add_anchor(y, anchor, o, *size, line) < 0) {
		cJSON_Delete(o);
		o = NULL;
	}
	free(anchor);
	return o;
}

/*
 * The first document of text as JSON (PyYAML's safe_load refuses a
 * second one), or NULL with the reason in err.
 */
static cJSON *yaml_to_json(const char *text, struct buf *err)
{
	struct yload y;
	yaml_event_t ev;
	cJSON *j = NULL;
	long size;

	memset(&y, 0, sizeof(y));
	y.err = err;
	yaml_parser_initialize(&y.parser);
	yaml_parser_set_input_string(&y.parser, (const unsigned char *)text,
				     strlen(text));
	/* stream start, then document start or stream end (empty) */
	if (next_event(&y, &ev) < 0)
		goto out;
	yaml_event_delete(&ev);
	if (next_event(&y, &ev) < 0)
		goto out;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		j = cJSON_CreateNull();
		goto out;
	}
	yaml_event_delete(&ev);
	if (next_event(&y, &ev) < 0 || !(j = load_node(&y, &ev, 0, &size)))
		goto out;
	if (next_event(&y, &ev) < 0)	/* document end */
		goto bad;
	yaml_event_delete(&ev);
	if (next_event(&y, &ev) < 0)
		goto bad;
	if (ev.type != YAML_STREAM_END_EVENT) {
		buf_addf(err, "more than one YAML document (the next starts "
			 "at line %zu): a component is one",
			 ev.start_mark.line + 1);
		yaml_event_delete(&ev);
		goto bad;
	}
	yaml_event_delete(&ev);
	goto out;
bad:
	cJSON_Delete(j);
	j = NULL;
out:
	for (int i = 0; i < y.nanchors; i++) {
		free(y.anchors[i].name);
		cJSON_Delete(y.anchors[i].node);
	}
	free(y.anchors);
	yaml_parser_delete(&y.parser);
	return j;
}

/* ------------------------------------------------------------ the spec */

/* A scalar as the string kfp makes of it (defaults are strings there). */
static char *scalar_text(const cJSON *j)
{
	struct buf b = BUF_INIT;

	if (cJSON_IsString(j))
		return xstrdup(j->valuestring);
	if (cJSON_IsBool(j))
		return xstrdup(cJSON_IsTrue(j) ? "True" : "False");
	if (cJSON_IsNumber(j)) {
		pipeline_number(&b, j);
		return buf_detach(&b, NULL);
	}
	return NULL;
}

static char *str_of(const cJSON *o, const char *k)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(j) ? xstrdup(j->valuestring) : NULL;
}

/*
 * Elyra's is_path: whether the first top-level placeholder {KEY: name}
 * that names an input (in command, else in args) has "Path" in KEY.
 * seen marks the inputs decided; one pass, however many inputs.
 */
static void mark_is_path(struct component *c, const cJSON *list,
			 unsigned char *seen)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, list) {
		const cJSON *v;
		int i;

		if (!cJSON_IsObject(e) || !e->child)
			continue;
		v = e->child;
		/* Elyra looks at the first key of top-level dicts only. */
		if (!cJSON_IsString(v) ||
		    (i = component_input_index(c, v->valuestring)) < 0 ||
		    seen[i])
			continue;
		seen[i] = 1;
		c->inputs[i].is_path = strstr(v->string, "Path") != NULL;
	}
}

/* Says in err which branch of an if failed; returns -1. */
static int if_where(struct buf *err, int branch)
{
	buf_adds(err, branch ? " (in an if's else)" : " (in an if's then)");
	return -1;
}

static int check_arg(const struct component *c, const cJSON *a,
		     struct buf *err);

/* An if: its cond, and both branches, as kfp's verify_arg checks them. */
static int check_if(const struct component *c, const cJSON *v,
		    struct buf *err)
{
	const cJSON *cond = cJSON_GetObjectItemCaseSensitive(v, "cond"),
		    *parts[2], *e;

	parts[0] = cJSON_GetObjectItemCaseSensitive(v, "then");
	parts[1] = cJSON_GetObjectItemCaseSensitive(v, "else");
	if (!cond || !parts[0]) {
		buf_adds(err, "if needs cond and then");
		return -1;
	}
	if (check_arg(c, cond, err) < 0)
		return -1;
	/* an unchecked branch crashed component_expand when taken */
	for (int i = 0; i < 2; i++) {
		if (!parts[i] || (i && cJSON_IsNull(parts[i])))
			continue;
		if (!cJSON_IsArray(parts[i])) {
			if (check_arg(c, parts[i], err) < 0)
				return if_where(err, i);
			continue;
		}
		cJSON_ArrayForEach(e, parts[i])
			if (check_arg(c, e, err) < 0)
				return if_where(err, i);
	}
	return 0;
}

/*
 * Checks a placeholder tree: every reference names a declared input or
 * output, every structure is one kfp knows.
 */
static int check_arg(const struct component *c, const cJSON *a,
		     struct buf *err)
{
	const char *k;
	const cJSON *v;

	if (cJSON_IsString(a) || cJSON_IsNumber(a) || cJSON_IsBool(a))
		return 0;
	if (!cJSON_IsObject(a) || !a->child || a->child->next) {
		buf_adds(err, "a command-line item is neither a string nor "
			 "one placeholder");
		return -1;
	}
	k = a->child->string;
	v = a->child;
	if (!strcmp(k, "inputValue") || !strcmp(k, "inputPath") ||
	    !strcmp(k, "isPresent")) {
		if (!cJSON_IsString(v) ||
		    component_input_index(c, v->valuestring) < 0) {
			buf_addf(err, "%s names no declared input ('%s')", k,
				 cJSON_IsString(v) ? v->valuestring : "?");
			return -1;
		}
		return 0;
	}
	if (!strcmp(k, "outputPath")) {
		if (!cJSON_IsString(v) ||
		    component_output_index(c, v->valuestring) < 0) {
			buf_addf(err, "outputPath names no declared output "
				 "('%s')", cJSON_IsString(v) ?
				 v->valuestring : "?");
			return -1;
		}
		return 0;
	}
	if (!strcmp(k, "concat")) {
		const cJSON *e;

		if (!cJSON_IsArray(v)) {
			buf_adds(err, "concat takes a list");
			return -1;
		}
		cJSON_ArrayForEach(e, v)
			if (check_arg(c, e, err) < 0)
				return -1;
		return 0;
	}
	if (!strcmp(k, "if"))
		return check_if(c, v, err);
	if (!strcmp(k, "inputUri") || !strcmp(k, "outputUri") ||
	    !strcmp(k, "executorInput") || !strcmp(k, "inputMetadata") ||
	    !strcmp(k, "outputMetadata")) {
		/* kfp 1.8 compiles these for KFP v2 only. */
		buf_addf(err, "%s is a KFP v2 placeholder, which kfp 1.8's "
			 "v1 compiler (Elyra 4.0.0's) does not compile", k);
		return -1;
	}
	buf_addf(err, "unknown placeholder '%s'", k);
	return -1;
}

/* check_arg on each item of the command or args, saying which failed. */
static int check_list(const struct component *c, const cJSON *list,
		      const char *what, struct buf *err)
{
	const cJSON *e;
	int i = 0;

	cJSON_ArrayForEach(e, list) {
		struct buf why = BUF_INIT;

		if (check_arg(c, e, &why) < 0) {
			buf_addf(err, "implementation.container.%s[%d]: %s",
				 what, i, why.buf);
			buf_release(&why);
			return -1;
		}
		i++;
	}
	return 0;
}

/*
 * One name of an input or output as kfp or Elyra make it: what two
 * distinct names must not share, or one takes the other's place.
 */
enum name_form { NAME_AS_IS, NAME_PROPERTY, NAME_FILE, NAME_K8S };

static void name_form(struct buf *out, const char *name, enum name_form f)
{
	switch (f) {
	case NAME_AS_IS:
		buf_adds(out, name);
		break;
	case NAME_PROPERTY:
		component_property_id(out, name, 0);
		break;
	case NAME_FILE:
		component_file_name(out, name);
		break;
	case NAME_K8S:
		component_k8s_name(out, name, 1);
		break;
	}
}

/*
 * Refuses two inputs (or outputs) that are one once kfp or Elyra made
 * them a file name, an Argo artifact name or a property id: the task
 * would read or write one file for both, or Elyra one value for both.
 */
static int check_names(const char *kind, const char *const *names, int n,
		       const unsigned char *k8s, struct buf *err)
{
	static const char *const what[] = { "", "Elyra's property id",
		"the file name in the container", "the Argo artifact name" };
	int r = 0;

	for (int f = NAME_AS_IS; f <= NAME_K8S && !r; f++) {
		struct strmap seen = { NULL, NULL, 0, 0 };
		struct buf *forms = xcalloc(n ? n : 1, sizeof(*forms));

		for (int i = 0; i < n && !r; i++) {
			const char *other;

			if (f == NAME_K8S && k8s && !k8s[i])
				continue;
			name_form(&forms[i], names[i], f);
			if (!forms[i].buf)
				buf_adds(&forms[i], "");
			other = strmap_get(&seen, forms[i].buf);
			if (other && f == NAME_AS_IS) {
				buf_addf(err, "%s '%s' is declared twice",
					 kind, names[i]);
				r = -1;
			} else if (other) {
				buf_addf(err, "%ss '%s' and '%s' are both "
					 "'%s' as %s, so one would take the "
					 "other's place: rename one", kind,
					 other, names[i], forms[i].buf,
					 what[f]);
				r = -1;
			}
			strmap_put(&seen, forms[i].buf, (void *)names[i]);
		}
		for (int i = 0; i < n; i++)
			buf_release(&forms[i]);
		free(forms);
		strmap_release(&seen);
	}
	return r;
}

/* Marks in paths the inputs some inputPath (anywhere) names. */
static void mark_paths(const struct component *c, const cJSON *a,
		       unsigned char *paths)
{
	const cJSON *e;

	if (cJSON_IsObject(a) && a->child && a->child->string &&
	    !strcmp(a->child->string, "inputPath") &&
	    cJSON_IsString(a->child)) {
		int i = component_input_index(c, a->child->valuestring);

		if (i >= 0)
			paths[i] = 1;
		return;
	}
	cJSON_ArrayForEach(e, a)
		mark_paths(c, e, paths);
}

/*
 * The name indexes, after the checks that names stay apart (but for the
 * inputs' Argo artifact names: check_path_names).
 */
static int index_names(struct component *c, struct buf *err)
{
	int big = c->ninputs > c->noutputs ? c->ninputs : c->noutputs;
	const char **names = xcalloc(big + 1, sizeof(*names));
	unsigned char *none = xcalloc(c->ninputs + 1, 1);
	int r;

	for (int i = 0; i < c->ninputs; i++)
		names[i] = c->inputs[i].name;
	r = check_names("input", names, c->ninputs, none, err);
	for (int i = 0; i < c->noutputs; i++)
		names[i] = c->outputs[i].name;
	if (!r)
		r = check_names("output", names, c->noutputs, NULL, err);
	free(names);
	free(none);
	if (r < 0)
		return -1;
	c->in_index = xcalloc(1, sizeof(*c->in_index));
	c->out_index = xcalloc(1, sizeof(*c->out_index));
	for (intptr_t i = 0; i < c->ninputs; i++)
		strmap_put(c->in_index, c->inputs[i].name, (void *)(i + 1));
	for (intptr_t i = 0; i < c->noutputs; i++)
		strmap_put(c->out_index, c->outputs[i].name, (void *)(i + 1));
	return 0;
}

/*
 * The inputs some inputPath reads: a value given to one becomes kfp's
 * raw artifact, named after the input, so those names must stay apart.
 */
static int check_path_names(const struct component *c, struct buf *err)
{
	const char **names = xcalloc(c->ninputs + 1, sizeof(*names));
	unsigned char *paths = xcalloc(c->ninputs + 1, 1);
	int r;

	for (int i = 0; i < c->ninputs; i++)
		names[i] = c->inputs[i].name;
	mark_paths(c, c->command, paths);
	mark_paths(c, c->args, paths);
	r = check_names("input", names, c->ninputs, paths, err);
	free(names);
	free(paths);
	return r;
}

static int read_ios(struct component *c, struct buf *err)
{
	const cJSON *ins = cJSON_GetObjectItemCaseSensitive(c->doc, "inputs"),
		    *outs = cJSON_GetObjectItemCaseSensitive(c->doc, "outputs"),
		    *e;

	if ((ins && !cJSON_IsNull(ins) && !cJSON_IsArray(ins)) ||
	    (outs && !cJSON_IsNull(outs) && !cJSON_IsArray(outs))) {
		buf_adds(err, "inputs and outputs must be lists");
		return -1;
	}
	if (!cJSON_IsArray(ins))
		ins = NULL;
	if (!cJSON_IsArray(outs))
		outs = NULL;
	cJSON_ArrayForEach(e, ins) {
		struct component_input *in;
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(e, "default");

		if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e,
								     "name"))) {
			buf_addf(err, "inputs[%d] has no name", c->ninputs);
			return -1;
		}
		grow(&c->inputs, c->ninputs, sizeof(*c->inputs));
		in = &c->inputs[c->ninputs++];
		memset(in, 0, sizeof(*in));
		in->name = str_of(e, "name");
		in->type = str_of(e, "type");
		in->description = str_of(e, "description");
		in->optional = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
			e, "optional"));
		in->def = d && !cJSON_IsNull(d) ? scalar_text(d) : NULL;
	}
	cJSON_ArrayForEach(e, outs) {
		struct component_output *out;

		if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e,
								     "name"))) {
			buf_addf(err, "outputs[%d] has no name", c->noutputs);
			return -1;
		}
		grow(&c->outputs, c->noutputs, sizeof(*c->outputs));
		out = &c->outputs[c->noutputs++];
		memset(out, 0, sizeof(*out));
		out->name = str_of(e, "name");
		out->type = str_of(e, "type");
		out->description = str_of(e, "description");
		/* kfp 1.8's PipelineParam name rule, which outputs become */
		if (!isalpha((unsigned char)out->name[0]) ||
		    strspn(out->name, "abcdefghijklmnopqrstuvwxyz"
			   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \t\n_-") !=
		    strlen(out->name)) {
			buf_addf(err, "output '%s': Only letters, numbers, "
				 "spaces, \"_\", and \"-\" are allowed in "
				 "name. Must begin with a letter.", out->name);
			return -1;
		}
	}
	return index_names(c, err);
}

/*
 * What Argo or Kubernetes would refuse only at submission: an env name
 * Kubernetes does not take (its IsEnvVarName: [-._a-zA-Z][-._a-zA-Z0-9]*)
 * and an input default with "{{", which Argo reads as a placeholder and
 * cannot escape (as validate.c refuses it in a node's values).
 */
static int check_k8s(const struct component *c, struct buf *err)
{
	static const char name[] = "-._abcdefghijklmnopqrstuvwxyz"
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	const cJSON *e;

	cJSON_ArrayForEach(e, c->env) {
		const char *k = e->string;

		if (!*k || isdigit((unsigned char)*k) ||
		    strspn(k, name) != strlen(k)) {
			buf_addf(err, "implementation.container.env: '%s' is "
				 "not a name Kubernetes takes for an "
				 "environment variable (letters, digits, '_', "
				 "'-' and '.', not starting with a digit): "
				 "rename it", k);
			return -1;
		}
	}
	for (int i = 0; i < c->ninputs; i++)
		if (c->inputs[i].def && strstr(c->inputs[i].def, "{{")) {
			buf_addf(err, "inputs[%d] ('%s'): the default '%s' "
				 "contains '{{', which Argo would read as a "
				 "placeholder and cannot escape; remove it", i,
				 c->inputs[i].name, c->inputs[i].def);
			return -1;
		}
	return 0;
}

struct component *component_parse(const char *text, const char *origin,
				  struct buf *err)
{
	struct component *c = xcalloc(1, sizeof(*c));
	const cJSON *impl, *ctr;
	unsigned char *seen;

	c->text = xstrdup(text);
	c->origin = xstrdup(origin);
	c->doc = yaml_to_json(text, err);
	if (!c->doc)
		goto fail;
	if (!cJSON_IsObject(c->doc)) {
		buf_adds(err, "not a component definition (a YAML mapping)");
		goto fail;
	}
	c->name = str_of(c->doc, "name");
	c->description = str_of(c->doc, "description");
	if (read_ios(c, err) < 0)
		goto fail;
	impl = cJSON_GetObjectItemCaseSensitive(c->doc, "implementation");
	ctr = cJSON_GetObjectItemCaseSensitive(impl, "container");
	if (!cJSON_IsObject(ctr)) {
		buf_adds(err, cJSON_GetObjectItemCaseSensitive(impl, "graph") ?
			 "a graph component: only container components "
			 "compile" : "no implementation.container");
		goto fail;
	}
	c->image = str_of(ctr, "image");
	if (!c->image || !*c->image) {
		buf_adds(err, "implementation.container has no image");
		goto fail;
	}
	c->command = cJSON_GetObjectItemCaseSensitive(ctr, "command");
	c->args = cJSON_GetObjectItemCaseSensitive(ctr, "args");
	c->env = cJSON_GetObjectItemCaseSensitive(ctr, "env");
	if ((c->command && !cJSON_IsNull(c->command) &&
	     !cJSON_IsArray(c->command)) ||
	    (c->args && !cJSON_IsNull(c->args) && !cJSON_IsArray(c->args))) {
		buf_adds(err, "command and args must be lists");
		goto fail;
	}
	if (c->env && !cJSON_IsNull(c->env) && !cJSON_IsObject(c->env)) {
		buf_adds(err, "env must be a mapping");
		goto fail;
	}
	if (!cJSON_IsArray(c->command))
		c->command = NULL;
	if (!cJSON_IsArray(c->args))
		c->args = NULL;
	if (!cJSON_IsObject(c->env))
		c->env = NULL;
	if (check_list(c, c->command, "command", err) < 0 ||
	    check_list(c, c->args, "args", err) < 0 ||
	    check_path_names(c, err) < 0 || check_k8s(c, err) < 0)
		goto fail;
	seen = xcalloc(c->ninputs + 1, 1);
	mark_is_path(c, c->command, seen);
	mark_is_path(c, c->args, seen);
	free(seen);
	return c;
fail:
	component_free(c);
	return NULL;
}

void component_free(struct component *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->ninputs; i++) {
		free(c->inputs[i].name);
		free(c->inputs[i].type);
		free(c->inputs[i].def);
		free(c->inputs[i].description);
	}
	for (int i = 0; i < c->noutputs; i++) {
		free(c->outputs[i].name);
		free(c->outputs[i].type);
		free(c->outputs[i].description);
	}
	if (c->in_index)
		strmap_release(c->in_index);
	if (c->out_index)
		strmap_release(c->out_index);
	free(c->in_index);
	free(c->out_index);
	free(c->inputs);
	free(c->outputs);
	free(c->text);
	free(c->origin);
	free(c->name);
	free(c->description);
	free(c->image);
	cJSON_Delete(c->doc);
	free(c);
}

int component_input_index(const struct component *c, const char *name)
{
	return c->in_index ? (int)(intptr_t)strmap_get(c->in_index, name) - 1
			   : -1;
}

int component_output_index(const struct component *c, const char *name)
{
	return c->out_index ? (int)(intptr_t)strmap_get(c->out_index, name) -
			      1 : -1;
}

void component_property_id(struct buf *out, const char *name, int output)
{
	if (output)
		buf_adds(out, "output_");
	for (; *name; name++)
		buf_addch(out, *name == ' ' ? '_' :
			  tolower((unsigned char)*name));
}

void component_file_name(struct buf *out, const char *name)
{
	int run = 0;

	for (; *name; name++) {
		int ok = isalnum((unsigned char)*name) || *name == '-' ||
			 *name == '_' || *name == '.';

		if (ok) {
			buf_addch(out, *name);
			run = 0;
		} else if (!run) {
			buf_addch(out, '_');
			run = 1;
		}
	}
}

void component_k8s_name(struct buf *out, const char *name, int caps)
{
	size_t start = out->len;

	for (; *name; name++) {
		unsigned char ch = *name;
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
			 ch == '-' || (caps && ((ch >= 'A' && ch <= 'Z') ||
						ch == '_'));

		if (!caps && ch >= 'A' && ch <= 'Z') {
			ch = tolower(ch);
			ok = 1;
		}
		if (!ok)
			ch = '-';
		if (ch == '-' && out->len > start &&
		    out->buf[out->len - 1] == '-')
			continue;
		buf_addch(out, ch);
	}
	while (out->len > start && out->buf[start] == '-') {
		memmove(out->buf + start, out->buf + start + 1,
			out->len - start - 1);
		buf_setlen(out, out->len - 1);
	}
	while (out->len > start && out->buf[out->len - 1] == '-')
		buf_setlen(out, out->len - 1);
}

/* ------------------------------------------------------------ expand */

struct expand {
	const struct component *c;
	const struct component_binding *b;
	struct buf *err;
};

/*
 * One item: appends its strings to out. Returns 1 when it expanded to
 * something, 0 to nothing (kfp's None), -1 on error.
 */
static int expand_list(struct expand *x, const cJSON *list,
		       struct strlist *out);

static int expand_one(struct expand *x, const cJSON *a, struct strlist *out)
{
	const char *k;
	const cJSON *v;
	struct buf b = BUF_INIT;
	int i;

	if (cJSON_IsString(a) || cJSON_IsNumber(a) || cJSON_IsBool(a)) {
		char *s = scalar_text(a);

		list_add(out, s);
		free(s);
		return 1;
	}
	k = a->child->string;
	v = a->child;
	if (!strcmp(k, "inputValue") || !strcmp(k, "inputPath")) {
		int path = !strcmp(k, "inputPath");
		const char *s;

		i = component_input_index(x->c, v->valuestring);
		s = path ? x->b->in_paths[i] : x->b->values[i];
		if (!s) {
			if (x->c->inputs[i].optional)
				return 0;
			buf_addf(x->err, "No value provided for input %s",
				 v->valuestring);
			return -1;
		}
		if (path && x->b->used_path)
			x->b->used_path[i] = 1;
		if (!path && x->b->used_value)
			x->b->used_value[i] = 1;
		list_add(out, s);
		return 1;
	}
	if (!strcmp(k, "outputPath")) {
		i = component_output_index(x->c, v->valuestring);
		list_add(out, x->b->out_paths[i]);
		return 1;
	}
	if (!strcmp(k, "isPresent")) {
		i = component_input_index(x->c, v->valuestring);
		list_add(out, x->b->values[i] || x->b->in_paths[i] ?
			 "True" : "False");
		return 1;
	}
	if (!strcmp(k, "concat")) {
		struct strlist parts = { NULL, 0 };
		int r = expand_list(x, v, &parts);

		for (i = 0; i < parts.n; i++) {
			buf_adds(&b, parts.v[i]);
			free(parts.v[i]);
		}
		free(parts.v);
		if (r >= 0)
			list_add(out, b.buf ? b.buf : "");
		buf_release(&b);
		return r < 0 ? -1 : 1;
	}
	if (!strcmp(k, "if")) {
		const cJSON *cond = cJSON_GetObjectItemCaseSensitive(v, "cond"),
			    *then = cJSON_GetObjectItemCaseSensitive(v, "then"),
			    *els = cJSON_GetObjectItemCaseSensitive(v, "else"),
			    *pick;
		struct strlist c = { NULL, 0 };
		int truth = 0, r;

		r = expand_one(x, cond, &c);
		if (r < 0) {
			for (i = 0; i < c.n; i++)
				free(c.v[i]);
			free(c.v);
			return -1;
		}
		/* Python's strtobool on what the condition gave. */
		if (c.n == 1) {
			static const char *const t[] = { "y", "yes", "t",
				"true", "on", "1" };
			static const char *const f[] = { "n", "no", "f",
				"false", "off", "0" };
			int known = 0;

			for (size_t j = 0; j < sizeof(t) / sizeof(*t); j++) {
				if (!strcasecmp(c.v[0], t[j]))
					truth = known = 1;
				if (!strcasecmp(c.v[0], f[j]))
					known = 1;
			}
			if (!known) {
				buf_addf(x->err, "invalid truth value \"%s\" "
					 "(an if placeholder's condition must "
					 "be true or false when compiled; kfp "
					 "cannot decide it at run time)",
					 c.v[0]);
				r = -1;
			}
		}
		for (i = 0; i < c.n; i++)
			free(c.v[i]);
		free(c.v);
		if (r < 0)
			return -1;
		pick = truth ? then : els;
		if (!pick || cJSON_IsNull(pick))
			return 1;
		if (cJSON_IsArray(pick))
			return expand_list(x, pick, out) < 0 ? -1 : 1;
		return expand_one(x, pick, out);
	}
	buf_addf(x->err, "unknown placeholder '%s'", k);
	return -1;
}

static int expand_list(struct expand *x, const cJSON *list,
		       struct strlist *out)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, list)
		if (expand_one(x, e, out) < 0)
			return -1;
	return 0;
}

int component_expand(const struct component *c, const cJSON *list,
		     const struct component_binding *b, struct strlist *out,
		     struct buf *err)
{
	struct expand x = { c, b, err };

	return expand_list(&x, list, out);
}

/* ------------------------------------------------------------ JSON out */

static void pystr(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	buf_addch(out, '"');
	while (*p) {
		unsigned cp;
		int len;

		if (*p == '"' || *p == '\\') {
			buf_addch(out, '\\');
			buf_addch(out, *p++);
			continue;
		}
		if (*p < 0x80) {
			switch (*p) {
			case '\n': buf_adds(out, "\\n"); break;
			case '\r': buf_adds(out, "\\r"); break;
			case '\t': buf_adds(out, "\\t"); break;
			case '\b': buf_adds(out, "\\b"); break;
			case '\f': buf_adds(out, "\\f"); break;
			default:
				if (*p < 0x20)
					buf_addf(out, "\\u%04x", *p);
				else
					buf_addch(out, *p);
			}
			p++;
			continue;
		}
		/* ensure_ascii: \uXXXX, surrogate pairs above the BMP */
		len = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;
		cp = *p & (len == 4 ? 0x07 : len == 3 ? 0x0f : 0x1f);
		for (int i = 1; i < len && p[i]; i++)
			cp = (cp << 6) | (p[i] & 0x3f);
		for (int i = 0; i < len && *p; i++)
			p++;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			buf_addf(out, "\\u%04x\\u%04x", 0xd800 + (cp >> 10),
				 0xdc00 + (cp & 0x3ff));
		} else {
			buf_addf(out, "\\u%04x", cp);
		}
	}
	buf_addch(out, '"');
}

static int key_cmp(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;

	return strcmp(x->string, y->string);
}

static void pyjson(struct buf *out, const cJSON *v, int sorted);

void component_pyjson(struct buf *out, const cJSON *v)
{
	pyjson(out, v, 1);
}

void component_pyjson_as_is(struct buf *out, const cJSON *v)
{
	pyjson(out, v, 0);
}

static void pyjson(struct buf *out, const cJSON *v, int sorted)
{
	if (cJSON_IsString(v)) {
		pystr(out, v->valuestring);
	} else if (cJSON_IsNumber(v) && !isfinite(v->valuedouble)) {
		/* Python's json.dumps */
		buf_adds(out, isnan(v->valuedouble) ? "NaN" :
			 v->valuedouble < 0 ? "-Infinity" : "Infinity");
	} else if (cJSON_IsNumber(v)) {
		pipeline_number(out, v);
	} else if (cJSON_IsBool(v)) {
		buf_adds(out, cJSON_IsTrue(v) ? "true" : "false");
	} else if (cJSON_IsArray(v)) {
		const cJSON *e;
		int first = 1;

		buf_addch(out, '[');
		cJSON_ArrayForEach(e, v) {
			if (!first)
				buf_adds(out, ", ");
			first = 0;
			pyjson(out, e, sorted);
		}
		buf_addch(out, ']');
	} else if (cJSON_IsObject(v)) {
		int n = cJSON_GetArraySize(v), i = 0;
		const cJSON **keys = xcalloc(n ? n : 1, sizeof(*keys)), *e;

		cJSON_ArrayForEach(e, v)
			keys[i++] = e;
		if (sorted)
			qsort(keys, n, sizeof(*keys), key_cmp);
		buf_addch(out, '{');
		for (i = 0; i < n; i++) {
			if (i)
				buf_adds(out, ", ");
			pystr(out, keys[i]->string);
			buf_adds(out, ": ");
			pyjson(out, keys[i], sorted);
		}
		buf_addch(out, '}');
		free(keys);
	} else {
		buf_adds(out, "null");
	}
}

/*
 * kfp's to_dict() leaves out what equals the field's default: optional
 * false, empty lists and maps, nulls. Recurses into the whole document.
 */
static void drop_defaults(cJSON *o)
{
	cJSON *e = o ? o->child : NULL, *next;

	for (; e; e = next) {
		next = e->next;
		if (cJSON_IsNull(e) ||
		    (cJSON_IsObject(o) && e->string &&
		     !strcmp(e->string, "optional") && cJSON_IsFalse(e))) {
			cJSON_DetachItemViaPointer(o, e);
			cJSON_Delete(e);
			continue;
		}
		drop_defaults(e);
	}
}

void component_spec_json(struct buf *out, const struct component *c)
{
	cJSON *d = cJSON_Duplicate(c->doc, 1);

	drop_defaults(d);
	component_pyjson(out, d);
	cJSON_Delete(d);
}

/* ------------------------------------------------------------ nodes */

static const cJSON *jget(const cJSON *o, const char *k)
{
	return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k)
				 : NULL;
}

/* kfp's type names that are parameters, not artifacts (type_utils). */
static int is_parameter_type(const char *t)
{
	static const char *const names[] = { "string", "str", "integer",
		"int", "float", "double", "boolean", "bool", "dict", "list",
		"jsonobject", "jsonarray" };

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (!strcasecmp(t, names[i]))
			return 1;
	return 0;
}

/* kfp's verify_type_compatibility (TYPE_CHECK on, as Elyra compiles). */
static int types_compatible(const char *given, const char *expected)
{
	if (!given || !expected || !*given || !*expected)
		return 1;
	if (!is_parameter_type(expected) && !strcasecmp(given, "artifact"))
		return 1;
	if (!is_parameter_type(given) && !strcasecmp(expected, "artifact"))
		return 1;
	return !strcmp(given, expected);
}

/* A widget's value as the text kfp passes (a Python str() of it). */
static char *value_text(const cJSON *v)
{
	struct buf b = BUF_INIT;

	if (cJSON_IsString(v))
		return xstrdup(v->valuestring);
	if (cJSON_IsBool(v))
		return xstrdup(cJSON_IsTrue(v) ? "True" : "False");
	if (cJSON_IsNumber(v)) {
		pipeline_number(&b, v);
		return buf_detach(&b, NULL);
	}
	if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
		component_pyjson(&b, v);
		return buf_detach(&b, NULL);
	}
	return NULL;
}

/*
 * Elyra's value for an input the node leaves empty: the component's
 * default with '"' made "'" (kfp_component_parser.py), else its type's
 * (component.py, determine_type_information).
 */
static void set_default(struct component_arg *a,
			const struct component_input *in)
{
	struct buf t = BUF_INIT;
	const char *d = "";

	a->kind = ARG_CONST;
	if (in->def && *in->def) {
		a->value = xstrdup(in->def);
		for (char *s = a->value; *s; s++)
			if (*s == '"')
				*s = '\'';
		return;
	}
	for (const char *s = in->type ? in->type : "String"; *s; s++)
		buf_addch(&t, tolower((unsigned char)*s));
	if (strstr(t.buf, "dict"))
		d = "{}";
	else if (strstr(t.buf, "set") || strstr(t.buf, "list") ||
		 strstr(t.buf, "arr"))
		d = "[]";
	else if (strstr(t.buf, "str"))
		d = "";
	else if (strstr(t.buf, "int") || strstr(t.buf, "number"))
		d = "0";
	else if (strstr(t.buf, "float"))
		d = "0.0";
	else if (strstr(t.buf, "bool"))
		d = "False";
	a->value = xstrdup(d);
	buf_release(&t);
}

static void node_args(struct pipeline *p, int idx,
		      struct component *const *defs, struct component_arg *a,
		      int kfp2)
{
	const struct node *n = &p->nodes[idx];
	const struct component *c = defs[idx];
	struct buf id = BUF_INIT, field = BUF_INIT;
	struct strmap params = { NULL, NULL, 0, 0 };
	const cJSON *e;

	/* an index, so that many inputs stay linear (cJSON's first wins) */
	if (cJSON_IsObject(n->component_params))
		cJSON_ArrayForEach(e, n->component_params)
			if (e->string && !strmap_get(&params, e->string))
				strmap_put(&params, e->string, (void *)e);
	for (int i = 0; i < c->ninputs; i++) {
		const struct component_input *in = &c->inputs[i];
		const cJSON *prop, *v;
		const char *widget;

		buf_reset(&id);
		component_property_id(&id, in->name, 0);
		prop = strmap_get(&params, id.buf);
		v = jget(prop, "value");
		widget = cJSON_GetStringValue(jget(prop, "widget"));
		a[i].kind = ARG_NONE;
		if (!prop && !in->optional) {
			pipeline_diag(p, 1, n, id.buf, "Node is missing a "
				      "value for a required property. Give "
				      "'%s' a value or connect it to an "
				      "upstream output", in->name);
			continue;
		}
		if (!prop) {
			/* Elyra 4.0.0's processor fails on it ('NoneType') */
			pipeline_diag(p, 1, n, id.buf, "the node has no "
				      "property for the component's input "
				      "'%s'; Elyra's editor writes one for "
				      "every input: open and save the "
				      "pipeline there", in->name);
			continue;
		}
		/*
		 * Elyra: an empty property or a null value is no value, and so
		 * is "" in a number field: no number, the field left empty
		 * (its editor saves a cleared field as no value; Elyra 4.0.0's
		 * export writes "" as 'name=,' into its kfp DSL and fails)
		 */
		if (!cJSON_IsObject(prop) || !prop->child || !v ||
		    cJSON_IsNull(v) || (widget && !strcmp(widget, "number") &&
					cJSON_IsString(v) && !*v->valuestring)) {
			if (!in->optional)
				pipeline_diag(p, 1, n, id.buf, "Node is missing "
					      "a value for a required property. "
					      "Give '%s' a value or connect it "
					      "to an upstream output",
					      in->name);
			else if (!in->is_path)
				set_default(&a[i], in);
			continue;
		}
		if (widget && !strcmp(widget, "inputpath")) {
			const char *from = cJSON_GetStringValue(jget(v, "value"));
			const char *opt = cJSON_GetStringValue(jget(v, "option"));
			const struct node *up = from ? pipeline_node(p, from)
						     : NULL;
			struct buf key = BUF_INIT;
			int o = -1, f;

			/* validate.c reported a malformed or unlinked one */
			if (!up || !opt)
				continue;
			f = (int)(up - p->nodes);
			if (!defs[f]) {
				pipeline_diag(p, 1, n, id.buf, "Node property "
					      "takes output from '%s', which is "
					      "not a custom component; connect "
					      "it to a custom component's "
					      "output", up->label);
				continue;
			}
			/* Elyra: option.replace("output_", "") */
			for (const char *s = opt; *s;) {
				if (!strncmp(s, "output_", 7)) {
					s += 7;
					continue;
				}
				buf_addch(&key, *s++);
			}
			for (int k = 0; k < defs[f]->noutputs; k++) {
				buf_reset(&field);
				component_property_id(&field,
						      defs[f]->outputs[k].name,
						      0);
				if (!strcmp(field.buf, key.buf ? key.buf : ""))
					o = k;
			}
			if (o < 0) {
				pipeline_diag(p, 1, n, id.buf, "Node property "
					      "takes output '%s' from '%s', "
					      "whose component has no such "
					      "output; pick one of its outputs",
					      opt, up->label);
			} else if (!kfp2 &&
				   !types_compatible(defs[f]->outputs[o].type,
						     in->type)) {
				pipeline_diag(p, 1, n, id.buf, "Incompatible "
					      "argument passed to the input "
					      "\"%s\" of component \"%s\": "
					      "Argument type \"%s\" is "
					      "incompatible with the input type "
					      "\"%s\"", in->name, c->name ?
					      c->name : "", defs[f]->outputs[o]
					      .type, in->type);
			} else {
				a[i].kind = ARG_OUTPUT;
				a[i].from = f;
				a[i].output = o;
			}
			buf_release(&key);
			continue;
		}
		if (widget && !strcmp(widget, "parameter")) {
			const struct param *pm = cJSON_IsString(v) ?
				pipeline_param(p, v->valuestring) : NULL;
			static const char *const types[] = { "String",
				"Integer", "Float", "Boolean" };

			if (!pm) {
				/* Elyra: the component's default instead */
				set_default(&a[i], in);
			} else if (!kfp2 && !types_compatible(types[pm->type],
							      in->type)) {
				pipeline_diag(p, 1, n, id.buf, "Incompatible "
					      "argument passed to the input "
					      "\"%s\" of component \"%s\": "
					      "Argument type \"%s\" is "
					      "incompatible with the input type "
					      "\"%s\" (pipeline parameter '%s'); "
					      "bind a parameter of type %s",
					      in->name, c->name ? c->name : "",
					      types[pm->type], in->type,
					      pm->name, in->type);
			} else {
				a[i].kind = ARG_PARAM;
				a[i].value = xstrdup(pm->name);
			}
			continue;
		}
		if (widget && !strcmp(widget, "file")) {
			struct buf path = BUF_INIT, text = BUF_INIT;

			if (cJSON_IsString(v) && *v->valuestring) {
				buf_addf(&path, "%s/%s", p->dir,
					 v->valuestring);
				if (buf_read_file(&text, path.buf) < 0)
					pipeline_diag(p, 1, n, id.buf, "cannot "
						      "read '%s'", path.buf);
				a[i].kind = ARG_CONST;
				a[i].value = xstrdup(text.buf ? text.buf : "");
			} else {
				set_default(&a[i], in);
			}
			buf_release(&path);
			buf_release(&text);
			continue;
		}
		a[i].kind = ARG_CONST;
		a[i].value = value_text(v);
		if (!a[i].value)
			a[i].value = xstrdup("");
	}
	strmap_release(&params);
	buf_release(&id);
	buf_release(&field);
}

/*
 * kfp resolves the command line at compile time: with run parameters and
 * upstream outputs as placeholders, an if whose condition is one cannot
 * be decided, and kfp refuses it. The same resolution, to say so here.
 */
static void check_expand(struct pipeline *p, int idx,
			 const struct component *c,
			 const struct component_arg *a)
{
	const char **values = xcalloc(c->ninputs + 1, sizeof(char *)),
		   **in_paths = xcalloc(c->ninputs + 1, sizeof(char *)),
		   **out_paths = xcalloc(c->noutputs + 1, sizeof(char *));
	char **v2 = xcalloc(c->ninputs + 1, sizeof(char *));
	struct component_binding b = { values, in_paths, out_paths, NULL,
				       NULL };
	struct strlist out = { NULL, 0 };
	struct buf err = BUF_INIT;

	for (int i = 0; i < c->ninputs; i++) {
		if (a[i].kind == ARG_NONE)
			continue;
		values[i] = a[i].kind == ARG_CONST ? a[i].value :
			    "{{inputs.parameters.x}}";
		in_paths[i] = "/tmp/inputs/x/data";
	}
	for (int i = 0; i < c->noutputs; i++)
		out_paths[i] = "/tmp/outputs/x/data";
	/*
	 * Twice: as the Argo template has it, then as kfp 1.8.22 also
	 * resolves every component for its v2 metadata (_attach_v2_specs),
	 * every value a placeholder; so an if on an inputValue always fails
	 * there, whatever the value.
	 */
	for (int pass = 0; pass < 2 && !err.len; pass++) {
		if (pass == 1) {
			for (int i = 0; i < c->ninputs; i++) {
				struct buf v = BUF_INIT;

				if (!values[i])
					continue;
				buf_adds(&v, "{{$.inputs.parameters['");
				component_property_id(&v, c->inputs[i].name, 0);
				buf_adds(&v, "']}}");
				values[i] = v2[i] = buf_detach(&v, NULL);
			}
		}
		if (component_expand(c, c->command, &b, &out, &err) < 0 ||
		    component_expand(c, c->args, &b, &out, &err) < 0)
			pipeline_diag(p, 1, &p->nodes[idx],
				      "component_source", "the component's "
				      "command line cannot be resolved: %s",
				      err.buf);
		for (int i = 0; i < out.n; i++)
			free(out.v[i]);
		free(out.v);
		out.v = NULL;
		out.n = 0;
	}
	for (int i = 0; i < c->ninputs; i++)
		free(v2[i]);
	free(v2);
	free(values);
	free(in_paths);
	free(out_paths);
	buf_release(&err);
}

struct component_arg **component_args(struct pipeline *p,
				      struct component *const *defs, int kfp2)
{
	struct component_arg **args = xcalloc(p->nnodes ? p->nnodes : 1,
					      sizeof(*args));

	for (int i = 0; i < p->nnodes; i++) {
		if (!defs[i])
			continue;
		if (p->nodes[i].nsecrets)
			pipeline_diag(p, 0, &p->nodes[i], "kubernetes_secrets",
				      "Elyra 4.0.0 does not give custom "
				      "components Kubernetes secrets, and "
				      "neither does t3q: ignored");
		args[i] = xcalloc(defs[i]->ninputs ? defs[i]->ninputs : 1,
				  sizeof(**args));
		node_args(p, i, defs, args[i], kfp2);
		/* kfp 2 resolves no command line at compile time (ircomp.c) */
		if (!kfp2)
			check_expand(p, i, defs[i], args[i]);
	}
	return args;
}

void component_args_free(struct component_arg **args, int nnodes,
			 struct component *const *defs)
{
	if (!args)
		return;
	for (int i = 0; i < nnodes; i++) {
		if (!args[i])
			continue;
		for (int k = 0; k < defs[i]->ninputs; k++)
			free(args[i][k].value);
		free(args[i]);
	}
	free(args);
}
