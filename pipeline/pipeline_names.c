/*
 * pipeline_names: the names made of a node's label, as Elyra, Argo and
 * Kubernetes want them (task, display and label-value names, free text
 * Argo reads no variable in), and the log names of nodes whose files
 * share a stem. The artifact and log naming rules themselves are
 * names.c's, which t3q-bootstrap shares; these are the compiler's side.
 */
#include "pipeline/pipeline_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/strmap.h"
#include "pipeline/names.h"

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


/*
 * Elyra's node name: runs of bytes outside [-_0-9A-Za-z ] become '-',
 * runs of '-' one, no '-' at the ends; a repeated name gets _1, _2, ...
 */
static void display_names(struct pipeline *p)
{
	struct strmap used = { 0 };

	strmap_reserve(&used, p->nnodes);
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
			if (!strmap_get(&used, b.buf))
				break;
			buf_setlen(&b, base);
			buf_addf(&b, "_%d", k);
		}
		p->nodes[i].display_name = buf_detach(&b, NULL);
		strmap_put_index(&used, p->nodes[i].display_name, i);
	}
	strmap_release(&used);
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
	struct strmap used = { 0 };

	strmap_reserve(&used, p->nnodes);
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
			if (!strmap_get(&used, b.buf))
				break;
			buf_setlen(&b, base);
			buf_addf(&b, "-%d", k);
		}
		p->nodes[i].task_name = buf_detach(&b, NULL);
		/* The set keeps the name's pointer: add it once it is final. */
		strmap_put_index(&used, p->nodes[i].task_name, i);
	}
	strmap_release(&used);
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


void pipeline_name_nodes(struct pipeline *p)
{
	name_tasks(p);
	display_names(p);
	name_logs(p);
}
