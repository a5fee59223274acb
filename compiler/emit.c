/* emit: cJSON -> YAML through libyaml's emitter. */
#include "compiler/emit.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "base/log.h"
#include "pipeline/pipeline.h"

static int write_handler(void *data, unsigned char *buf, size_t size)
{
	return fwrite(buf, 1, size, data) == size;
}

/*
 * Keys stay plain where YAML 1.1 cannot mistake them (apiVersion,
 * pipelines.kubeflow.org/x); anything else, such as a user's label key
 * "on", is quoted too.
 */
static int key_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
	       c == '/';
}

/*
 * Every key of the document comes through here (680,000 calls at 1000
 * nodes): range tests rather than strchr() per character, and the YAML
 * 1.1 words compared only for keys short enough to be one.
 */
static int plain_key(const char *s)
{
	static const char *const words[] = { "y", "n", "yes", "no", "on",
					     "off", "true", "false", "null" };
	size_t n;

	if (!*s || !((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		     *s == '_'))
		return 0;
	for (n = 0; s[n]; n++)
		if (!key_char((unsigned char)s[n]))
			return 0;
	if (n > 5)
		return 1;
	for (size_t i = 0; i < sizeof(words) / sizeof(*words); i++)
		if (!strcasecmp(s, words[i]))
			return 0;
	return 1;
}

static int scalar(yaml_emitter_t *e, const char *s, yaml_scalar_style_t style)
{
	yaml_event_t ev;
	const char *bad = utf8_invalid(s);

	/* libyaml's emitter can spin forever on bytes that are not UTF-8. */
	if (bad) {
		error("cannot write YAML: a string is not valid UTF-8 (byte "
		      "0x%02x at offset %d)", (unsigned char)*bad,
		      (int)(bad - s));
		return 0;
	}
	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s,
				     (int)strlen(s), 1, 1, style);
	return yaml_emitter_emit(e, &ev);
}

static int node(yaml_emitter_t *e, const cJSON *j)
{
	yaml_event_t ev;
	const cJSON *c;

	if (cJSON_IsObject(j)) {
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
			j->child ? YAML_BLOCK_MAPPING_STYLE
				 : YAML_FLOW_MAPPING_STYLE);
		if (!yaml_emitter_emit(e, &ev))
			return 0;
		cJSON_ArrayForEach(c, j) {
			if (!scalar(e, c->string, plain_key(c->string) ?
				    YAML_PLAIN_SCALAR_STYLE :
				    YAML_DOUBLE_QUOTED_SCALAR_STYLE) ||
			    !node(e, c))
				return 0;
		}
		yaml_mapping_end_event_initialize(&ev);
		return yaml_emitter_emit(e, &ev);
	}
	if (cJSON_IsArray(j)) {
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
			j->child ? YAML_BLOCK_SEQUENCE_STYLE
				 : YAML_FLOW_SEQUENCE_STYLE);
		if (!yaml_emitter_emit(e, &ev))
			return 0;
		cJSON_ArrayForEach(c, j)
			if (!node(e, c))
				return 0;
		yaml_sequence_end_event_initialize(&ev);
		return yaml_emitter_emit(e, &ev);
	}
	if (cJSON_IsString(j))
		return scalar(e, j->valuestring,
			      YAML_DOUBLE_QUOTED_SCALAR_STYLE);
	if (cJSON_IsNumber(j)) {
		struct buf b = BUF_INIT;
		int ok;

		pipeline_number(&b, j);
		/*
		 * YAML 1.1 reads "1e-07" as a string: its floats need a '.'
		 * in the mantissa, so "1.0e-07".
		 */
		if (strpbrk(b.buf, "eE") && !strchr(b.buf, '.')) {
			size_t at = strcspn(b.buf, "eE");
			char *exp = xstrdup(b.buf + at);

			buf_setlen(&b, at);
			buf_addf(&b, ".0%s", exp);
			free(exp);
		}
		ok = scalar(e, b.buf, YAML_PLAIN_SCALAR_STYLE);
		buf_release(&b);
		return ok;
	}
	if (cJSON_IsBool(j))
		return scalar(e, cJSON_IsTrue(j) ? "true" : "false",
			      YAML_PLAIN_SCALAR_STYLE);
	return scalar(e, "null", YAML_PLAIN_SCALAR_STYLE);
}

int emit_yaml_docs(FILE *out, const cJSON *const *docs, int ndocs)
{
	yaml_emitter_t e;
	yaml_event_t ev;
	int ok;

	if (!yaml_emitter_initialize(&e))
		return error("cannot initialise the YAML emitter");
	yaml_emitter_set_output(&e, write_handler, out);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_width(&e, -1);
	yaml_emitter_set_indent(&e, 2);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	ok = yaml_emitter_emit(&e, &ev);
	for (int i = 0; i < ndocs && ok; i++) {
		/* The first document implicit, as before; "---" between. */
		yaml_document_start_event_initialize(&ev, NULL, NULL, NULL,
						     i == 0);
		ok = yaml_emitter_emit(&e, &ev);
		ok = ok && node(&e, docs[i]);
		yaml_document_end_event_initialize(&ev, 1);
		ok = ok && yaml_emitter_emit(&e, &ev);
	}
	yaml_stream_end_event_initialize(&ev);
	ok = ok && yaml_emitter_emit(&e, &ev);
	if (!ok && e.problem)
		error("cannot write YAML: %s", e.problem);
	yaml_emitter_delete(&e);
	return ok ? 0 : -1;
}

int emit_yaml(FILE *out, const cJSON *doc)
{
	return emit_yaml_docs(out, &doc, 1);
}
