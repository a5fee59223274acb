/*
 * pipeline_load's links, pipeline_k8s_name and the diagnostics as JSON:
 * the parts no golden case reaches.
 */
#include "check.h"

#include <stdlib.h>
#include <unistd.h>

#include "base/buf.h"
#include <cjson/cJSON.h>
#include "pipeline/pipeline.h"

static char dir[] = "/tmp/t3q-test-pipeline.XXXXXX";

static const char *k8s(const char *s)
{
	static struct buf b = BUF_INIT;

	buf_reset(&b);
	pipeline_k8s_name(&b, s);
	return b.buf;
}

/* A notebook node with one link, as Elyra writes it. */
static void add_node(struct buf *b, const char *id, const char *port,
		     const char *ref)
{
	buf_addf(b, "%s{\"id\": \"%s\", \"type\": \"execution_node\", "
		 "\"op\": \"execute-notebook-node\", \"app_data\": {"
		 "\"component_parameters\": {\"filename\": \"%s.ipynb\", "
		 "\"runtime_image\": \"python:3.11\"}, \"label\": \"%s\"}, "
		 "\"inputs\": [{\"id\": \"inPort\", \"links\": [",
		 b->len > 200 ? ", " : "", id, id, id);
	if (port)
		buf_addf(b, "{\"id\": \"l-%s\", \"node_id_ref\": \"%s\", "
			 "\"port_id_ref\": \"%s\"}", id, ref, port);
	buf_adds(b, "]}], \"outputs\": [{\"id\": \"outPort\"}]}");
}

static const struct node *find(const struct pipeline *p, const char *id)
{
	for (int i = 0; i < p->nnodes; i++)
		if (!strcmp(p->nodes[i].id, id))
			return &p->nodes[i];
	return NULL;
}

/*
 * Elyra's parser takes a link's parent from "outPort" (the node), or from
 * "<id>_outPort" (a supernode's inner node: the text before the first
 * '_'); "_outPort" names no node, and Elyra drops the link (parser.py
 * _get_port_node_id: an empty id is not added).
 */
static void test_links(void)
{
	struct buf b = BUF_INIT, path = BUF_INIT;
	struct pipeline p = { 0 };
	const struct node *n;
	FILE *f;

	buf_adds(&b, "{\"doc_type\": \"pipeline\", \"version\": \"3.0\", "
		   "\"id\": \"x\", \"primary_pipeline\": \"p\", \"pipelines\": "
		   "[{\"id\": \"p\", \"nodes\": [");
	add_node(&b, "a", NULL, NULL);
	add_node(&b, "b", "_outPort", "a");
	add_node(&b, "c", "a_outPort", "a");
	add_node(&b, "d", "outPort", "c");
	buf_adds(&b, "], \"app_data\": {\"version\": 8, \"properties\": "
		   "{\"name\": \"x\"}}}], \"schemas\": []}");
	buf_addf(&path, "%s/x.pipeline", dir);
	f = fopen(path.buf, "w");
	CHECK(f && fputs(b.buf, f) >= 0 && fclose(f) == 0);
	CHECK(pipeline_load(&p, path.buf) == 0);
	n = find(&p, "b");
	CHECK(n && n->parents.n == 0);
	n = find(&p, "c");
	CHECK(n && n->parents.n == 1);
	if (n && n->parents.n == 1)
		CHECK_STR(n->parents.v[0], "a");
	n = find(&p, "d");
	CHECK(n && n->parents.n == 1);
	pipeline_free(&p);
	unlink(path.buf);
	buf_release(&path);
	buf_release(&b);
}

/* Every diagnostic once in the JSON list, and nothing more. */
static void test_json(void)
{
	struct buf path = BUF_INIT, out = BUF_INIT, got = BUF_INIT;
	struct pipeline p = { 0 };
	cJSON *arr;
	FILE *f;
	int saved;

	buf_addf(&path, "%s/bad.pipeline", dir);
	f = fopen(path.buf, "w");
	/* no file name, no image, no label: three errors */
	CHECK(f && fputs("{\"doc_type\": \"pipeline\", \"version\": \"3.0\", "
			 "\"primary_pipeline\": \"p\", \"pipelines\": [{"
			 "\"id\": \"p\", \"nodes\": [{\"id\": \"n\", \"type\": "
			 "\"execution_node\", \"op\": \"execute-notebook-node\", "
			 "\"app_data\": {\"component_parameters\": {}}}], "
			 "\"app_data\": {\"version\": 8}}]}", f) >= 0 &&
	      fclose(f) == 0);
	pipeline_load(&p, path.buf);
	pipeline_validate(&p);
	CHECK(p.ndiags >= 2);
	buf_addf(&out, "%s/diags.json", dir);
	fflush(stdout);
	saved = dup(1);
	CHECK(freopen(out.buf, "w", stdout) != NULL);
	pipeline_print_diags(&p, 1);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	CHECK(buf_read_file(&got, out.buf) == 0);
	arr = cJSON_Parse(got.buf);
	CHECK(cJSON_IsArray(arr) && cJSON_GetArraySize(arr) == p.ndiags);
	for (int i = 0; arr && i < p.ndiags; i++)
		CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(
			cJSON_GetArrayItem(arr, i), "message")), p.diags[i].message);
	cJSON_Delete(arr);
	pipeline_free(&p);
	unlink(out.buf);
	unlink(path.buf);
	buf_release(&got);
	buf_release(&out);
	buf_release(&path);
}

int main(void)
{
	if (!mkdtemp(dir))
		return perror("mkdtemp"), 1;
	/* runs of other characters become one '-', none at either end */
	CHECK_STR(k8s("Train (v2)!"), "train-v2");
	CHECK_STR(k8s("--A--b--"), "a-b");
	CHECK_STR(k8s("step. "), "step");
	CHECK_STR(k8s("!!!"), "");
	test_links();
	test_json();
	rmdir(dir);
	return check_done();
}
