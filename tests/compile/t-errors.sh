#!/usr/bin/env bash
# t3q-compile's and t3q-run's error paths: the exit status of each usage or
# pipeline error, and (under ASan, where tests/lib.sh collects every report)
# no leak on any of them: a runtime config read before the error, a pipeline
# that fails validation, --dot.
. "$(dirname "$0")/../lib.sh"
compile=$T3Q_BIN/compiler/t3q-compile
run=$T3Q_BIN/runner/t3q-run
case_dir=$T3Q_SRC/tests/compile
cd "$T" || exit 1
cp "$case_dir/012-runtime-config/runtime.json" ok.json
sed 's/"Argo"/"Tekton"/' ok.json >tekton.json
echo 'not json' >bad.json
good=$case_dir/012-runtime-config/pipeline.pipeline
bad=$case_dir/902-missing-file/pipeline.pipeline

step "an unknown engine: 2" expect_rc 2 "$compile" "$good" --runtime-config tekton.json
step "a runtime config that is not JSON: 2" expect_rc 2 "$compile" "$good" --runtime-config bad.json
step "a missing runtime config: 2" expect_rc 2 "$compile" "$good" --runtime-config nope.json
step "a bad flag after the runtime config: 2" expect_rc 2 "$compile" "$good" --runtime-config ok.json --format xml
step "two pipelines: 2" expect_rc 2 "$compile" "$good" "$good" --runtime-config ok.json
step "a bad flag: 2" expect_rc 2 "$compile" "$good" --bogus
step "no object store: 2" expect_rc 2 "$compile" "$good"
step "a missing pipeline with a runtime config: 1" expect_rc 1 "$compile" nope.pipeline --runtime-config ok.json
step "an invalid pipeline with a runtime config: 1" expect_rc 1 "$compile" "$bad" --runtime-config ok.json
step "--dot with a runtime config: 0" expect_rc 0 "$compile" "$good" --runtime-config ok.json --dot
step "an unwritable -o: 2" expect_rc 2 "$compile" "$good" --runtime-config ok.json -o "$T/no/such/dir/x.yaml"

step "t3q-run, a bad T3Q_S3_PART_SIZE: 1" expect_rc 1 env T3Q_S3_PART_SIZE=x \
	"$run" "$good" --work "$T/w" --store s3://b
step "t3q-run, an invalid pipeline: 2" expect_rc 2 "$run" "$bad" --work "$T/w"
step "t3q-run, a bad flag: 2" expect_rc 2 "$run" "$good" --bogus
step "t3q-run, an unknown parameter: 2" expect_rc 2 "$run" "$good" -p nope=1 --work "$T/w"
finish
