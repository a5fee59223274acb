/*
 * pipeline_diag: the problems found in a pipeline, and the positions of
 * those found in its text. cJSON keeps no positions, so the text is read
 * again as a list of tokens (json_tokenize) in step with cJSON's tree;
 * the same walk recovers the spelling of each number, which cJSON also
 * forgets and Elyra's output depends on.
 */
#include "pipeline/pipeline_int.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

void pipeline_diag(struct pipeline *p, int error, const struct node *n,
		   const char *field, const char *fmt, ...)
{
	struct diag *d;
	struct buf msg = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	p->diags = pipeline_grow(p->diags, p->ndiags, sizeof(*p->diags));
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

cJSON *pipeline_parse(struct pipeline *p, const char *text)
{
	const char *end = NULL;
	struct json_toks toks = { 0 };
	struct buf jpath = BUF_INIT;
	cJSON *root = cJSON_ParseWithOpts(text, &end, 0);
	int ret;

	if (!root) {
		json_error(p, text, end);
		return NULL;
	}
	json_tokenize(&toks, text);
	if (root->string || cJSON_IsString(root))
		json_take(&toks, 0);
	ret = json_annotate(p, &toks, root, &jpath, NULL);
	free(toks.v);
	buf_release(&jpath);
	if (ret) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

/* As a JSON list, for tools (t3q-compile's json format). */
static void print_json(const struct pipeline *p)
{
	cJSON *arr = cJSON_CreateArray();
	char *s;

	for (int i = 0; i < p->ndiags; i++) {
		const struct diag *d = &p->diags[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "severity", d->error ? "error" :
					"warning");
		cJSON_AddStringToObject(o, "file", p->source);
		if (d->node_id)
			cJSON_AddStringToObject(o, "node_id", d->node_id);
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
}

void pipeline_print_diags(const struct pipeline *p, int json)
{
	if (json) {
		print_json(p);
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
