/*
 * fuzz_pipeline: libFuzzer target for the pipeline reader, the validator,
 * the Argo and KFP v2 IR document builders and the emitter: any bytes in,
 * no crash, no leak. Run on demand with scripts/fuzz, never in CI.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/log.h"
#include "compiler/argo.h"
#include "compiler/emit.h"
#include "compiler/ir.h"
#include "pipeline/pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct argo_opts o = { 0 };
	struct pipeline p;
	FILE *f;

	log_level = -1;	/* quiet: the fuzzer prints enough */
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/t3q-fuzz-%d.pipeline",
			 (int)getpid());
	f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	if (pipeline_load(&p, path) == 0 && pipeline_validate(&p) == 0) {
		FILE *out = fopen("/dev/null", "w");
		cJSON *doc;

		o.cos_endpoint = "http://minio:9000";
		o.cos_bucket = "b";
		o.cos_directory = "d";
		o.bootstrap_image = "t3q-bootstrap:fuzz";
		o.bootstrap_path = IR_BOOTSTRAP_PATH;
		doc = argo_build(&p, &o);
		if (out)
			emit_yaml(out, doc);
		cJSON_Delete(doc);
		if (ir_check(&p, NULL) == 0) {
			const cJSON *docs[2];
			cJSON *platform;

			docs[0] = doc = ir_build(&p, &o, &platform);
			docs[1] = platform;
			if (out)
				emit_yaml_docs(out, docs, 2);
			cJSON_Delete(doc);
			cJSON_Delete(platform);
		}
		if (out)
			fclose(out);
	}
	pipeline_free(&p);
	return 0;
}
