/*
 * fuzz_component: libFuzzer target for the component reader and the
 * catalogs: the bytes are a component.yaml that two custom nodes of a
 * fixed pipeline use (the second reads the first's outputs), found both
 * through a local-file-catalog entry and a --components directory, then
 * resolved, checked, expanded and compiled to Argo YAML as t3q-compile
 * does, and (loaded again) checked and compiled to KFP v2 IR as
 * --target kfp-v2 does. Any bytes in, no crash, no leak, no hang. Run on
 * demand with scripts/fuzz, never in CI.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "compiler/argo.h"
#include "compiler/custom.h"
#include "compiler/emit.h"
#include "compiler/ir.h"
#include "component/catalog.h"
#include "pipeline/pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The pipeline: inputs named as in the seeds, given every way Elyra does. */
static const char pipeline_fmt[] =
"{\"doc_type\": \"pipeline\", \"version\": \"3.0\", \"id\": \"p\","
" \"json_schema\": \"http://api.dataplatform.ibm.com/schemas/common-pipeline/pipeline-flow/pipeline-flow-v3-schema.json\","
" \"primary_pipeline\": \"primary\", \"schemas\": [],"
" \"pipelines\": [{\"id\": \"primary\", \"runtime_ref\": \"\","
"  \"app_data\": {\"name\": \"p\", \"runtime_type\": \"KUBEFLOW_PIPELINES\","
"   \"version\": 8, \"properties\": {\"pipeline_parameters\": ["
"    {\"name\": \"pp\", \"value\": {\"type\": \"String\", \"value\": \"v\"}}]}},"
"  \"nodes\": ["
"  {\"id\": \"n1\", \"type\": \"execution_node\", \"op\": \"local-file-catalog:x\","
"   \"app_data\": {\"label\": \"\", \"ui_data\": {\"label\": \"N1\"},"
"    \"component_source\": \"{\\\"catalog_type\\\": \\\"local-file-catalog\\\", \\\"component_ref\\\": {\\\"base_dir\\\": \\\"%s\\\", \\\"path\\\": \\\"c.yaml\\\"}}\","
"    \"component_parameters\": {\"a\": {\"widget\": \"string\", \"value\": \"x\"},"
"     \"b\": {\"widget\": \"boolean\", \"value\": true},"
"     \"c\": {\"widget\": \"parameter\", \"value\": \"pp\"},"
"     \"text\": {\"widget\": \"string\", \"value\": \"t{x}\"},"
"     \"url\": {\"widget\": \"string\", \"value\": \"http://x\"}}}},"
"  {\"id\": \"n2\", \"type\": \"execution_node\", \"op\": \"dir-catalog:y\","
"   \"inputs\": [{\"id\": \"inPort\", \"links\": [{\"id\": \"l\", \"node_id_ref\": \"n1\", \"port_id_ref\": \"outPort\"}]}],"
"   \"app_data\": {\"label\": \"\", \"ui_data\": {\"label\": \"N2\"},"
"    \"component_source\": \"{\\\"catalog_type\\\": \\\"dir-catalog\\\", \\\"component_ref\\\": {\\\"component-id\\\": \\\"c.yaml\\\"}}\","
"    \"component_parameters\": {\"a\": {\"widget\": \"inputpath\", \"value\": {\"value\": \"n1\", \"option\": \"output_o\"}},"
"     \"b\": {\"widget\": \"inputpath\", \"value\": {\"value\": \"n1\", \"option\": \"output_data\"}},"
"     \"c\": {\"widget\": \"string\", \"value\": \"7\"},"
"     \"url\": {\"widget\": \"string\", \"value\": \"u\"},"
"     \"text\": {\"widget\": \"number\", \"value\": 3}}}}]}]}";

static char dir[64], comp[96], pipe_path[96];

static void setup(void)
{
	FILE *f;

	/* quiet: the fuzzer prints enough (T3Q_FUZZ_VERBOSE: the errors) */
	if (!getenv("T3Q_FUZZ_VERBOSE"))
		log_level = -1;
	snprintf(dir, sizeof(dir), "/tmp/t3q-fuzzc-%d", (int)getpid());
	snprintf(comp, sizeof(comp), "%s/c.yaml", dir);
	snprintf(pipe_path, sizeof(pipe_path), "%s/p.pipeline", dir);
	mkdir(dir, 0700);
	f = fopen(pipe_path, "w");
	if (f) {
		fprintf(f, pipeline_fmt, dir);
		fclose(f);
	}
}

/* The compile of p, as t3q-compile's load_custom, load and write_output. */
static void compile(struct pipeline *p, int v2)
{
	const char *dirs[1] = { dir };
	struct catalog cat = { dirs, 1, NULL, 0 };
	struct custom_set cs = { 0 };
	struct argo_opts o = { 0 };

	cs.nnodes = p->nnodes;
	cs.defs = calloc(p->nnodes, sizeof(*cs.defs));
	if (!cs.defs)
		return;
	if (!catalog_resolve(&cat, p, cs.defs)) {
		cs.kfp2 = v2;
		cs.args = component_args(p, cs.defs, v2);
		if (!p->nerrors) {
			custom_prepare(&cs, p);
			o.custom = &cs;
		}
	}
	if (v2 && !p->nerrors)
		ir_check(p, o.custom);
	if (!p->nerrors) {
		FILE *out = fopen("/dev/null", "w");
		cJSON *doc, *platform = NULL;

		o.cos_endpoint = "http://minio:9000";
		o.cos_bucket = "b";
		o.cos_directory = "d";
		o.bootstrap_image = "t3q-bootstrap:fuzz";
		o.bootstrap_path = "/t3q/bin/t3q-bootstrap";
		doc = v2 ? ir_build(p, &o, &platform) : argo_build(p, &o);
		if (out) {
			emit_yaml(out, doc);
			fclose(out);
		}
		cJSON_Delete(doc);
		cJSON_Delete(platform);
	}
	custom_release(&cs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pipeline p;
	FILE *f;

	if (!dir[0])
		setup();
	f = fopen(comp, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	for (int v2 = 0; v2 < 2; v2++) {
		if (pipeline_load(&p, pipe_path) == 0 &&
		    pipeline_validate(&p) == 0)
			compile(&p, v2);
		if (getenv("T3Q_FUZZ_VERBOSE"))
			pipeline_print_diags(&p, 0);
		pipeline_free(&p);
	}
	return 0;
}
