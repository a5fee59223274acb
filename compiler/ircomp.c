/* ircomp: a custom node (KFP v1 component) as kfp 2.17 compiles it to IR. */
#include "compiler/ircomp.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/custom.h"
#include "component/component.h"

static void add_str(cJSON *o, const char *k, const char *v)
{
	cJSON_AddItemToObject(o, k, cJSON_CreateString(v ? v : ""));
}

static cJSON *obj(cJSON *parent, const char *k)
{
	cJSON *o = cJSON_GetObjectItemCaseSensitive(parent, k);

	if (!o) {
		o = cJSON_CreateObject();
		cJSON_AddItemToObject(parent, k, o);
	}
	return o;
}

/* kfp's utils.sanitize_input_name: runs of [^_0-9a-z] (lowered) -> '_'. */
static char *v2_name(const char *name)
{
	struct buf b = BUF_INIT;
	size_t start, end;
	int run = 0;
	char *s;

	for (const char *c = name; *c; c++) {
		int ch = tolower((unsigned char)*c);
		int ok = ch == '_' || isdigit(ch) || (ch >= 'a' && ch <= 'z');

		if (ok)
			buf_addch(&b, (char)ch);
		else if (!run)
			buf_addch(&b, '_');
		run = !ok;
	}
	buf_addch(&b, 0);
	s = buf_detach(&b, NULL);
	start = strspn(s, "_");
	end = strlen(s);
	while (end > start && s[end - 1] == '_')
		end--;
	memmove(s, s + start, end - start);
	s[end - start] = 0;
	return s;
}

/*
 * The IR parameter type of a v1 type name (type_utils.py's
 * PARAMETER_TYPES_MAPPING, on get_canonical_name_for_outer_generic's
 * name: "typing." dropped, List[...] and Dict[...] to their outer
 * name), or NULL: an artifact. Untyped is an artifact in kfp 2.
 */
static const char *param_type_of(const char *type)
{
	static const char *const map[][2] = {
		{ "integer", "NUMBER_INTEGER" }, { "int", "NUMBER_INTEGER" },
		{ "double", "NUMBER_DOUBLE" }, { "float", "NUMBER_DOUBLE" },
		{ "string", "STRING" }, { "str", "STRING" },
		{ "text", "STRING" }, { "bool", "BOOLEAN" },
		{ "boolean", "BOOLEAN" }, { "dict", "STRUCT" },
		{ "list", "LIST" }, { "jsonobject", "STRUCT" },
		{ "jsonarray", "LIST" },
	};
	size_t n;

	if (!type)
		return NULL;
	if (!strncmp(type, "typing.", 7))
		type += 7;
	n = strlen(type);
	if (!strncasecmp(type, "list", 4) || !strncasecmp(type, "dict", 4))
		n = strcspn(type, "[");
	for (size_t i = 0; i < sizeof(map) / sizeof(*map); i++)
		if (strlen(map[i][0]) == n && !strncasecmp(type, map[i][0], n))
			return map[i][1];
	return NULL;
}

/* The artifact class of a non-parameter type (ARTIFACT_CLASSES_MAPPING). */
static const char *artifact_title(const char *type)
{
	static const char *const map[][2] = {
		{ "artifact", "system.Artifact" }, { "model", "system.Model" },
		{ "dataset", "system.Dataset" }, { "metrics", "system.Metrics" },
		{ "classificationmetrics", "system.ClassificationMetrics" },
		{ "slicedclassificationmetrics",
		  "system.SlicedClassificationMetrics" },
		{ "html", "system.HTML" }, { "markdown", "system.Markdown" },
	};
	const char *t = type;

	if (!t)
		return "system.Artifact";
	/* _GOOGLE_TYPES_PATTERN, ^google.[A-Za-z]+$: the name is the title */
	if (!strncmp(t, "google", 6) && t[6] && t[7] &&
	    strspn(t + 7, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
	    == strlen(t + 7))
		return type;
	if (!strncmp(t, "typing.", 7))
		t += 7;
	for (size_t i = 0; i < sizeof(map) / sizeof(*map); i++)
		if (!strcasecmp(t, map[i][0]))
			return map[i][1];
	return "system.Artifact";
}

static cJSON *artifact_type(const char *type)
{
	cJSON *t = cJSON_CreateObject(), *a = obj(t, "artifactType");

	add_str(a, "schemaTitle", artifact_title(type));
	add_str(a, "schemaVersion", "0.0.1");
	return t;
}

/*
 * Whether s is an integer as Python prints one (no sign but '-', no
 * leading zero) that a double holds exactly: the IR's constants and
 * defaults are protobuf Values, doubles, so kfp writes any other number as
 * the double it becomes (int('010') is 10.0, 2**53 + 1 is 2**53).
 */
static int exact_int(const char *s)
{
	const char *d = *s == '-' ? s + 1 : s;
	size_t n = strspn(d, "0123456789");
	char back[32];

	if (!n || d[n] || (*d == '0' && n > 1) || n > 17)
		return 0;
	snprintf(back, sizeof(back), "%.0f", strtod(s, NULL));
	return !strcmp(back, s);
}

/* A number of the IR from its text, as kfp writes it (exact_int). */
static cJSON *ir_number(const char *s)
{
	cJSON *j = cJSON_CreateNumber(strtod(s, NULL));

	/* else printed as the double, as kfp prints it */
	if (exact_int(s))
		j->valuestring = xstrdup(s);
	return j;
}

/* 1, and that double into got, when an integer text loses digits. */
static int digits_lost(const char *s, char *got, size_t n)
{
	const char *d = *s == '-' ? s + 1 : s;

	if (!*d || d[strspn(d, "0123456789")] || exact_int(s))
		return 0;
	snprintf(got, n, "%.0f", strtod(s, NULL));
	/* leading zeros: int('010') is 10, no digit lost */
	return strcmp(got, s + strspn(s, "0")) != 0;
}

/*
 * A value of IR type ptype from its text (kfp's v1 default
 * deserializers: int, float, strtobool, json.loads else the text).
 */
static cJSON *typed_value(const char *ptype, const char *s)
{
	char *end;
	cJSON *j;

	if (!strcmp(ptype, "NUMBER_INTEGER") || !strcmp(ptype,
							 "NUMBER_DOUBLE")) {
		strtod(s, &end);
		if (*s && !*end)
			return ir_number(s);
	} else if (!strcmp(ptype, "BOOLEAN")) {
		static const char *const yes[] = { "y", "yes", "t", "true",
						   "on", "1" };

		for (size_t i = 0; i < sizeof(yes) / sizeof(*yes); i++)
			if (!strcasecmp(s, yes[i]))
				return cJSON_CreateTrue();
		return cJSON_CreateFalse();
	} else if (!strcmp(ptype, "STRUCT") || !strcmp(ptype, "LIST")) {
		if ((j = cJSON_Parse(s)))
			return j;
	}
	return cJSON_CreateString(s);
}

static int by_key(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string,
		      (*(const cJSON *const *)b)->string);
}

/* Sorts an object's members by key, as kfp's YAML has them. */
static void sort_keys(cJSON *o)
{
	int n = cJSON_GetArraySize(o), k = 0;
	cJSON **v = xcalloc(n ? n : 1, sizeof(*v));

	while (o->child)
		v[k++] = cJSON_DetachItemViaPointer(o, o->child);
	qsort(v, n, sizeof(*v), by_key);
	for (int i = 0; i < n; i++)
		cJSON_AddItemToObject(o, v[i]->string, v[i]);
	free(v);
}

/* An input's definition: {defaultValue, isOptional, parameterType}. */
static void input_def(cJSON *in, const struct component_input *ci)
{
	const char *pt = param_type_of(ci->type);
	char *name = v2_name(ci->name);
	int optional = ci->optional || ci->def;
	cJSON *x;

	if (pt) {
		x = obj(obj(in, "parameters"), name);
		if (ci->def)
			cJSON_AddItemToObject(x, "defaultValue",
					      typed_value(pt, ci->def));
		if (optional)
			cJSON_AddBoolToObject(x, "isOptional", 1);
		add_str(x, "parameterType", pt);
	} else {
		x = artifact_type(ci->type);
		if (optional)
			cJSON_AddBoolToObject(x, "isOptional", 1);
		cJSON_AddItemToObject(obj(in, "artifacts"), name, x);
	}
	free(name);
}

cJSON *ircomp_component(const struct pipeline *p, int idx,
			const struct custom_set *cs)
{
	const struct component *c = cs->defs[idx];
	cJSON *comp = cJSON_CreateObject(), *in = cJSON_CreateObject(),
	      *out = cJSON_CreateObject(), *x;
	char *exec = xstrfmt("exec-%s", p->nodes[idx].task_name);

	add_str(comp, "executorLabel", exec);
	free(exec);
	for (int i = 0; i < c->ninputs; i++)
		input_def(in, &c->inputs[i]);
	for (int i = 0; i < c->noutputs; i++) {
		const char *pt = param_type_of(c->outputs[i].type);
		char *name = v2_name(c->outputs[i].name);

		if (pt)
			add_str(obj(obj(out, "parameters"), name),
				"parameterType", pt);
		else
			cJSON_AddItemToObject(obj(out, "artifacts"), name,
					      artifact_type(c->outputs[i].type));
		free(name);
	}
	cJSON_ArrayForEach(x, in)
		sort_keys(x);
	cJSON_ArrayForEach(x, out)
		sort_keys(x);
	sort_keys(in);
	sort_keys(out);
	if (in->child)
		cJSON_AddItemToObject(comp, "inputDefinitions", in);
	else
		cJSON_Delete(in);
	if (out->child)
		cJSON_AddItemToObject(comp, "outputDefinitions", out);
	else
		cJSON_Delete(out);
	return comp;
}

/* ------------------------------------------------------ placeholders */

static cJSON *placeholder(const struct component *c, const cJSON *a);

/* A list of items, or one item, as kfp keeps it (then/else). */
static cJSON *items(const struct component *c, const cJSON *a)
{
	cJSON *l;
	const cJSON *e;

	if (!cJSON_IsArray(a))
		return placeholder(c, a);
	l = cJSON_CreateArray();
	cJSON_ArrayForEach(e, a)
		cJSON_AddItemToArray(l, placeholder(c, e));
	return l;
}

/* "{{$.IO.KIND['NAME']SUFFIX}}", NAME sanitized as kfp does. */
static cJSON *simple(const char *io, const char *kind, const char *name,
		     const char *suffix)
{
	char *n = v2_name(name);
	char *s = xstrfmt("{{$.%s.%s['%s']%s}}", io, kind, n, suffix);
	cJSON *j = cJSON_CreateString(s);

	free(n);
	free(s);
	return j;
}

/*
 * One command-line item as kfp 2's
 * maybe_convert_v1_yaml_placeholder_to_v2_placeholder and
 * convert_command_line_element_to_string_or_struct make it: a string, or
 * for concat and if the structure {"Concat": [...]} / {"IfPresent":
 * {"InputName", "Then", "Else"}}. Validation (component.c) checked the
 * names.
 */
static cJSON *placeholder(const struct component *c, const cJSON *a)
{
	const cJSON *v;
	const char *k;

	if (cJSON_IsString(a))
		return cJSON_CreateString(a->valuestring);
	if (!cJSON_IsObject(a) || !a->child) {
		char *s = cJSON_PrintUnformatted(a);
		cJSON *j = cJSON_CreateString(s);

		free(s);
		return j;
	}
	k = a->child->string;
	v = a->child;
	if (!strcmp(k, "inputValue"))
		return simple("inputs", "parameters", v->valuestring, "");
	if (!strcmp(k, "inputPath"))
		return simple("inputs", "artifacts", v->valuestring, ".path");
	if (!strcmp(k, "inputUri"))
		return simple("inputs", "artifacts", v->valuestring, ".uri");
	if (!strcmp(k, "outputUri"))
		return simple("outputs", "artifacts", v->valuestring, ".uri");
	if (!strcmp(k, "outputPath")) {
		int i = component_output_index(c, v->valuestring);

		if (i >= 0 && param_type_of(c->outputs[i].type))
			return simple("outputs", "parameters", v->valuestring,
				      ".output_file");
		return simple("outputs", "artifacts", v->valuestring, ".path");
	}
	if (!strcmp(k, "executorInput"))
		return cJSON_CreateString("{{$}}");
	if (!strcmp(k, "concat")) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddItemToObject(o, "Concat", items(c, v));
		return o;
	}
	if (!strcmp(k, "if")) {
		const cJSON *cond = cJSON_GetObjectItemCaseSensitive(v, "cond"),
			    *els = cJSON_GetObjectItemCaseSensitive(v, "else");
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(cond,
								     "isPresent");
		cJSON *o = cJSON_CreateObject(), *ip = obj(o, "IfPresent");
		char *n = v2_name(cJSON_IsString(name) ? name->valuestring :
				  "");

		add_str(ip, "InputName", n);
		free(n);
		cJSON_AddItemToObject(ip, "Then", items(c,
			cJSON_GetObjectItemCaseSensitive(v, "then")));
		/* kfp writes Else only when there is some (`if self.else_`) */
		if (els && !(cJSON_IsArray(els) && !els->child) &&
		    !(cJSON_IsString(els) && !*els->valuestring))
			cJSON_AddItemToObject(ip, "Else", items(c, els));
		return o;
	}
	return cJSON_CreateString("");
}

/* The command or args: structures as Python's json.dumps() text. */
static cJSON *command_line(const struct component *c, const cJSON *list)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *e;

	cJSON_ArrayForEach(e, list) {
		cJSON *x = placeholder(c, e);

		if (!cJSON_IsString(x)) {
			struct buf b = BUF_INIT;

			component_pyjson_as_is(&b, x);
			cJSON_Delete(x);
			x = cJSON_CreateString(b.buf);
			buf_release(&b);
		}
		cJSON_AddItemToArray(out, x);
	}
	return out;
}

cJSON *ircomp_executor(int idx, const struct custom_set *cs)
{
	const struct component *c = cs->defs[idx];
	cJSON *e = cJSON_CreateObject(), *ctr = obj(e, "container");
	const cJSON *v;

	if (cJSON_GetArraySize(c->args))
		cJSON_AddItemToObject(ctr, "args", command_line(c, c->args));
	if (cJSON_GetArraySize(c->command))
		cJSON_AddItemToObject(ctr, "command",
				      command_line(c, c->command));
	if (cJSON_GetArraySize(c->env)) {
		cJSON *env = cJSON_CreateArray();

		cJSON_ArrayForEach(v, c->env) {
			cJSON *x = cJSON_CreateObject();

			add_str(x, "name", v->string);
			/* protobuf drops an empty value, and kfp's YAML */
			if (cJSON_IsString(v) && *v->valuestring)
				add_str(x, "value", v->valuestring);
			cJSON_AddItemToArray(env, x);
		}
		cJSON_AddItemToObject(ctr, "env", env);
	}
	add_str(ctr, "image", c->image);
	return e;
}

/* The kfp type name of a run parameter, as kfp types the DSL argument. */
static const char *run_param_type(const struct pipeline *p, const char *name)
{
	static const char *const types[] = { "STRING", "NUMBER_INTEGER",
					     "NUMBER_DOUBLE", "BOOLEAN" };
	const struct param *pm = pipeline_param(p, name);

	return pm ? types[pm->type] : "STRING";
}

static cJSON *task_inputs(const struct pipeline *p, int idx,
			  const struct custom_set *cs)
{
	const struct component *c = cs->defs[idx];
	cJSON *in = cJSON_CreateObject();

	for (int i = 0; i < c->ninputs; i++) {
		const struct component_arg *a = &cs->args[idx][i];
		const char *pt = param_type_of(c->inputs[i].type);
		char *name = v2_name(c->inputs[i].name);
		cJSON *x;

		if (a->kind == ARG_CONST) {
			x = obj(obj(obj(in, "parameters"), name),
				"runtimeValue");
			cJSON_AddItemToObject(x, "constant", typed_value(
				pt ? pt : "STRING", a->value));
		} else if (a->kind == ARG_PARAM) {
			add_str(obj(obj(in, "parameters"), name),
				"componentInputParameter", a->value);
		} else if (a->kind == ARG_OUTPUT) {
			const struct component_output *o =
				&cs->defs[a->from]->outputs[a->output];
			char *key = v2_name(o->name);
			int par = param_type_of(o->type) != NULL;

			x = obj(obj(obj(in, par ? "parameters" : "artifacts"),
				    name), par ? "taskOutputParameter" :
				"taskOutputArtifact");
			add_str(x, par ? "outputParameterKey" :
				"outputArtifactKey", key);
			add_str(x, "producerTask", p->nodes[a->from].task_name);
			free(key);
		}
		free(name);
	}
	return in;
}

cJSON *ircomp_task(const struct pipeline *p, int idx,
		   const struct custom_set *cs)
{
	const struct node *n = &p->nodes[idx];
	cJSON *task = cJSON_CreateObject(), *deps, *in, *x;
	char *comp = xstrfmt("comp-%s", n->task_name);

	/* kfp's default; a node's disable_node_caching turns it off */
	x = obj(task, "cachingOptions");
	if (!n->disable_caching)
		cJSON_AddBoolToObject(x, "enableCache", 1);
	add_str(obj(task, "componentRef"), "name", comp);
	free(comp);
	deps = custom_dependencies(p, idx, cs);
	if (cJSON_GetArraySize(deps))
		cJSON_AddItemToObject(task, "dependentTasks", deps);
	else
		cJSON_Delete(deps);
	in = task_inputs(p, idx, cs);
	cJSON_ArrayForEach(x, in)
		sort_keys(x);
	if (in->child) {
		sort_keys(in);
		cJSON_AddItemToObject(task, "inputs", in);
	} else {
		cJSON_Delete(in);
	}
	add_str(obj(task, "taskInfo"), "name", n->display_name &&
		*n->display_name ? n->display_name : n->task_name);
	return task;
}

/* ------------------------------------------------------------ checks */

/*
 * An integer constant past 2^53 reaches the step as the double nearest
 * it (the IR's constants are protobuf Values), digits lost: say so.
 */
static void warn_inexact(struct pipeline *p, int idx, const char *prop,
			 const char *input, const char *s)
{
	char got[400];

	if (digits_lost(s, got, sizeof(got)))
		pipeline_diag(p, 0, &p->nodes[idx], prop, "input '%s': %s is "
			      "past 2^53, and KFP v2 holds numbers as "
			      "doubles: the step gets %s (as with kfp); pass "
			      "it to a String input to keep every digit",
			      input, s, got);
}

/* kfp's type of a constant as Elyra 4.1.1's DSL writes it. */
static int const_fits(const char *pt, const char *s)
{
	char *end;

	if (!strcmp(pt, "NUMBER_INTEGER")) {
		strtoll(s, &end, 10);
		return *s && !*end;
	}
	if (!strcmp(pt, "NUMBER_DOUBLE")) {
		strtod(s, &end);
		return *s && !*end;
	}
	if (!strcmp(pt, "STRUCT") || !strcmp(pt, "LIST")) {
		cJSON *j = cJSON_Parse(s);
		int ok = !strcmp(pt, "STRUCT") ? cJSON_IsObject(j) :
			 cJSON_IsArray(j);

		cJSON_Delete(j);
		return ok;
	}
	return 1;
}

static int check_arg(struct pipeline *p, int idx, int i,
		     const struct custom_set *cs)
{
	const struct component *c = cs->defs[idx];
	const struct component_input *ci = &c->inputs[i];
	const struct component_arg *a = &cs->args[idx][i];
	const char *pt = param_type_of(ci->type), *given = NULL;
	const struct component_output *o = NULL;
	struct buf prop = BUF_INIT;
	int bad = 0;

	component_property_id(&prop, ci->name, 0);
	if (a->kind == ARG_NONE) {
		/* kfp 2: "missing required argument" */
		if (!ci->optional && !ci->def) {
			pipeline_diag(p, 1, &p->nodes[idx], prop.buf, "input "
				      "'%s' of '%s' is required and has no "
				      "default: give it a value or connect an "
				      "upstream output", ci->name, c->origin);
			bad = 4;
		}
		buf_release(&prop);
		return bad != 0;
	}
	if (a->kind == ARG_OUTPUT) {
		o = &cs->defs[a->from]->outputs[a->output];
		given = param_type_of(o->type);
		if (!pt != !given)
			bad = 1;
		else if (pt)
			bad = strcmp(pt, given) != 0;
		else
			bad = strcmp(artifact_title(ci->type), "system.Artifact") &&
			      strcmp(artifact_title(o->type), "system.Artifact") &&
			      strcmp(artifact_title(ci->type),
				     artifact_title(o->type));
	} else if (!pt) {
		bad = 2;
	} else if (a->kind == ARG_PARAM) {
		given = run_param_type(p, a->value);
		bad = strcmp(pt, given) != 0;
	} else {
		bad = !const_fits(pt, a->value) ? 3 : 0;
		if (!bad && !strncmp(pt, "NUMBER_", 7))
			warn_inexact(p, idx, prop.buf, ci->name, a->value);
	}
	if (bad == 2)
		pipeline_diag(p, 1, &p->nodes[idx], prop.buf, "input '%s' of "
			      "'%s' is an artifact in KFP v2 (%s%s; kfp 2 "
			      "takes values only for String, Integer, Float, "
			      "Bool, JsonObject and JsonArray inputs): "
			      "connect an upstream node's output to it, or "
			      "compile with --target kfp-v1", ci->name,
			      c->origin, ci->type ? "type " : "untyped",
			      ci->type ? ci->type : "");
	else if (bad == 3)
		pipeline_diag(p, 1, &p->nodes[idx], prop.buf, "'%s' is not a "
			      "value of input '%s''s type, %s, which kfp 2 "
			      "checks: give one", a->value, ci->name,
			      ci->type);
	else if (bad)
		pipeline_diag(p, 1, &p->nodes[idx], prop.buf, "input '%s' of "
			      "'%s' (%s) is given %s (%s), which KFP v2 "
			      "refuses: the types must match (kfp's "
			      "InconsistentTypeException); pass a matching "
			      "one, or compile with --target kfp-v1",
			      ci->name, c->origin, pt ? pt :
			      artifact_title(ci->type), o ?
			      "an upstream output" : "a run parameter",
			      given ? given : artifact_title(o->type));
	buf_release(&prop);
	return bad != 0;
}

/*
 * kfp 2's check_primitive_placeholder_is_used_for_correct_io_type, which
 * refuses a v1 component whatever its arguments: inputValue of an
 * artifact input, inputPath or inputUri of a parameter input, outputUri
 * of a parameter output; into if's then/else and concat. seen (per
 * input) says each once.
 */
static int check_pairing(struct pipeline *p, int idx,
			 const struct component *c, const cJSON *a,
			 unsigned char *seen)
{
	const cJSON *e, *v;
	const char *k;
	int errors = 0, i, value;

	if (!cJSON_IsObject(a) || !a->child)
		return 0;
	k = a->child->string;
	v = a->child;
	if (!strcmp(k, "concat") || !strcmp(k, "if")) {
		const cJSON *parts[] = { v, NULL, NULL };

		if (!strcmp(k, "if")) {
			const cJSON *cond = cJSON_GetObjectItemCaseSensitive(
				v, "cond");

			/* kfp 2 reads cond['isPresent'] only (a KeyError) */
			if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(
				    cond, "isPresent"))) {
				pipeline_diag(p, 1, &p->nodes[idx],
					      "component_source", "'%s' has an "
					      "if whose cond is not isPresent, "
					      "which kfp 2 cannot read (its "
					      "KeyError 'isPresent'): use "
					      "isPresent, or compile with "
					      "--target kfp-v1", c->origin);
				return 1;
			}
			parts[0] = cJSON_GetObjectItemCaseSensitive(v, "then");
			parts[1] = cJSON_GetObjectItemCaseSensitive(v, "else");
		}
		for (int j = 0; j < 2 && parts[j]; j++) {
			if (!cJSON_IsArray(parts[j]))
				errors += check_pairing(p, idx, c, parts[j],
							seen);
			else
				cJSON_ArrayForEach(e, parts[j])
					errors += check_pairing(p, idx, c, e,
								seen);
		}
		return errors;
	}
	value = !strcmp(k, "inputValue");
	if (!value && strcmp(k, "inputPath") && strcmp(k, "inputUri"))
		return 0;
	i = cJSON_IsString(v) ? component_input_index(c, v->valuestring) : -1;
	if (i < 0 || seen[i] ||
	    value == (param_type_of(c->inputs[i].type) != NULL))
		return 0;
	seen[i] = 1;
	pipeline_diag(p, 1, &p->nodes[idx], "component_source", "'%s' "
		      "reads input '%s' (%s%s) with %s, which kfp 2 refuses "
		      "for any argument (\"cannot be paired with %s\"): %s, "
		      "or compile with --target kfp-v1", c->origin,
		      c->inputs[i].name, c->inputs[i].type ? "type " :
		      "untyped", c->inputs[i].type ? c->inputs[i].type : "",
		      k, value ? "InputValuePlaceholder" :
		      "InputPathPlaceholder", value ? "give it a parameter "
		      "type (String, Integer, Float, Bool, JsonObject, "
		      "JsonArray)" : "read it with inputValue");
	return 1;
}

int ircomp_check(struct pipeline *p, const struct custom_set *cs)
{
	int errors = 0;

	if (!cs || !cs->defs || !cs->args)
		return 0;
	for (int i = 0; i < p->nnodes; i++) {
		const struct component *c = cs->defs[i];
		unsigned char *seen;
		const cJSON *e;
		int before = errors;

		if (!c || !cs->args[i])
			continue;
		seen = xcalloc(c->ninputs + 1, 1);
		cJSON_ArrayForEach(e, c->command)
			errors += check_pairing(p, i, c, e, seen);
		cJSON_ArrayForEach(e, c->args)
			errors += check_pairing(p, i, c, e, seen);
		free(seen);
		/* kfp stops at the component; its arguments come after */
		if (errors == before)
			for (int k = 0; k < c->ninputs; k++)
				errors += check_arg(p, i, k, cs);
	}
	return errors;
}

/* ---------------------------------------------------------- platform */

/*
 * Pod labels and annotations as on v1 (custom.c). No secrets: Elyra
 * 4.1.1's DSL gives custom nodes none, as 4.0.0's (validate.c warns).
 */
void ircomp_platform(cJSON *x, const struct pipeline *p, int idx)
{
	const struct node *n = &p->nodes[idx];
	cJSON *meta = obj(x, "podMetadata"), *annos = obj(meta, "annotations"),
	      *labels = obj(meta, "labels");

	if (n->doc) {
		char *s = pipeline_unbrace(n->doc);

		add_str(annos, "elyra/node-user-doc", s);
		free(s);
	}
	for (int i = 0; i < n->nannotations; i++) {
		cJSON_DeleteItemFromObjectCaseSensitive(annos,
						n->annotations[i].key);
		add_str(annos, n->annotations[i].key, n->annotations[i].value);
	}
	if (n->display_name && *n->display_name &&
	    !cJSON_GetObjectItemCaseSensitive(annos,
			"pipelines.kubeflow.org/task_display_name"))
		add_str(annos, "pipelines.kubeflow.org/task_display_name",
			n->display_name);
	if (!cJSON_GetObjectItemCaseSensitive(labels,
			"pipelines.kubeflow.org/pipeline-sdk-type"))
		add_str(labels, "pipelines.kubeflow.org/pipeline-sdk-type",
			"t3q");
	for (int i = 0; i < n->nlabels; i++) {
		cJSON_DeleteItemFromObjectCaseSensitive(labels,
							n->labels[i].key);
		add_str(labels, n->labels[i].key, n->labels[i].value);
	}
	sort_keys(annos);
	sort_keys(labels);

}
