#!/usr/bin/env bash
# elyra-pipeline submit with the t3q runtime: Elyra's own submission, in
# Elyra's order. Against an unreachable KFP API it fails with Elyra's clear
# connection error and no traceback; against tests/elyra/fake_kfp.py (a
# stand-in for the KFP 1.8 API: no real KFP runs here) the calls are
# authentication, healthz, experiments, pipeline id, then the upload of
# t3q-compile's workflow (with every archive already in the bucket), the
# experiment, the pipeline's default version (t3q's lookup of the first
# version's id: on 1.8 the pipeline's own) and the run of that version, and
# the run URL is printed.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/elyra-lib.sh"
bucket=$(new_bucket)
img=quay.io/t3q/t3q-bootstrap:0.1.0
dead=$(free_port)
port=$(free_port)
cos=(--cos_endpoint="$T3Q_S3_ENDPOINT" --cos_bucket="$bucket" --cos_username="$AWS_ACCESS_KEY_ID"
     --cos_password="$AWS_SECRET_ACCESS_KEY" --cos_auth_type=USER_CREDENTIALS --bootstrap_image=$img)
cp -r "$T3Q_SRC/examples/iris" "$T/iris"

step "a runtime whose KFP API is unreachable" runtime dead "${cos[@]}" --api_endpoint="http://127.0.0.1:$dead/pipeline"
# An instance without runtime_type (written by hand, or by a t3q-elyra that
# did not store it): T3qMetadata.on_load supplies it, so Elyra still finds
# the KFP processor (the next step reaches the KFP API).
untyped() {
	"$ELYRA_BIN/python" -c 'import json, sys
d = json.load(open(sys.argv[1]))
del d["metadata"]["runtime_type"]
json.dump(d, open(sys.argv[1], "w"))' "$RUNTIMES/dead.json"
}
step "the unreachable runtime's file without runtime_type" untyped
unreachable() {
	(cd "$T/iris" && expect_rc 1 elyra-pipeline submit --runtime-config dead iris.pipeline) || return 1
	expect_out "Kubeflow authentication failed" || return 1
	expect_out "Connection refused" || return 1
	! grep -q Traceback "$T/out"
}
step "submit to an unreachable API: Elyra's connection error, no traceback" unreachable

mkdir -p "$T/uploads"
"$ELYRA_BIN/python" "$T3Q_SRC/tests/elyra/fake_kfp.py" "$port" "$T/kfp.log" "$T/uploads" \
	"$T3Q_BIN/bootstrap/t3q-bootstrap" s3 ls -r "s3://$bucket/" >"$T/fake.log" 2>&1 &
fake=$!
at_exit "kill $fake"
# Up to 60 s: under load the venv's Python may take seconds to start (a
# 5 s wait once ran out in a fresh-clone CI run, and every step after it
# failed on 'Connection refused').
ready() {
	local i
	for i in $(seq 600); do
		curl -s "http://127.0.0.1:$port/t3q-ready" >/dev/null && return 0
		kill -0 $fake 2>/dev/null || { echo "the stand-in exited:"; cat "$T/fake.log"; return 1; }
		sleep 0.1
	done
	echo "the stand-in did not answer in 60 s:"; cat "$T/fake.log"; return 1
}
step "the stand-in KFP API answers" ready

step "a runtime with the stand-in KFP API" runtime fake "${cos[@]}" \
	--api_endpoint="http://127.0.0.1:$port" --public_api_endpoint=http://kfp.example/pipeline
submit() {
	(cd "$T/iris" && expect_rc 0 elyra-pipeline submit --runtime-config fake iris.pipeline) || return 1
	expect_out "http://kfp.example/pipeline/#/runs/details/run-1"
}
step "submit runs through Elyra's client calls" submit
order() {
	grep -v "^GET /t3q-ready$" "$T/kfp.log" | sed 's/ archives-in-bucket=.*//; s/ name=.*//' >"$T/calls"
	cat "$T/kfp.log"
	printf '%s\n' "GET /" "GET /apis/v1beta1/healthz" "GET /apis/v1beta1/experiments" \
		"GET /apis/v1beta1/pipelines" "POST /apis/v1beta1/pipelines/upload" \
		"GET /apis/v1beta1/experiments" "POST /apis/v1beta1/experiments" \
		"GET /apis/v1beta1/pipelines/pipeline-1" "POST /apis/v1beta1/runs" >"$T/want"
	diff -u "$T/want" "$T/calls" || return 1
	grep -qx 'POST /apis/v1beta1/pipelines/upload archives-in-bucket=3' "$T/kfp.log" || return 1
	grep -q '^POST /apis/v1beta1/runs name=iris-[0-9]\{10\} version=pipeline-1$' "$T/kfp.log"
}
step "Elyra's order: archives, pipeline, experiment, run" order
uploaded() {
	local f dir
	f=$(ls "$T/uploads"/*.tar.gz) || return 1
	mkdir -p "$T/pkg"
	tar -xzf "$f" -C "$T/pkg" || return 1
	[ "$(ls "$T/pkg")" = pipeline.yaml ] || return 1
	dir=$(yaml_arg "$T/pkg/pipeline.yaml" --cos-directory)
	(cd "$T/iris" && t3q-compile iris.pipeline --runtime-config "$RUNTIMES/fake.json" \
		--cos-directory "$dir" --bootstrap-image $img -o "$T/t3q.yaml") || return 1
	cmp "$T/t3q.yaml" "$T/pkg/pipeline.yaml"
}
step "the uploaded package holds t3q-compile's workflow" uploaded

finish
