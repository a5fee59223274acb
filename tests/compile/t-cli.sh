#!/usr/bin/env bash
# t3q-compile's command line: "-o -" is stdout, and a workflow that names
# the default bootstrap image (which no registry serves) says so.
. "$(dirname "$0")/../lib.sh"
compile=$T3Q_BIN/compiler/t3q-compile
case=$T3Q_SRC/tests/compile/001-one-notebook
args=(--cos-endpoint http://minio-service.kubeflow:9000 --cos-bucket mlpipeline
      --cos-secret mlpipeline-minio-artifact)
dash() {
	(cd "$T" && "$compile" "$case/pipeline.pipeline" "${args[@]}" -o - >"$T/out.yaml" 2>/dev/null) &&
	[ ! -e "$T/-" ] && diff -q "$case/expected.yaml" "$T/out.yaml"
}
step "-o - writes the YAML to stdout, not to a file named '-'" dash
warned() {
	"$compile" "$case/pipeline.pipeline" "${args[@]}" -o "$T/a.yaml" 2>"$T/err" &&
	grep -q "no --bootstrap-image" "$T/err" && grep -q "build-image" "$T/err"
}
step "the default bootstrap image is named in a warning" warned
quiet() {
	"$compile" "$case/pipeline.pipeline" "${args[@]}" --bootstrap-image r.example/t3q-bootstrap:1 \
		-o "$T/b.yaml" 2>"$T/err2" && ! grep -q "bootstrap-image" "$T/err2" &&
	"$compile" "$case/pipeline.pipeline" "${args[@]}" --bootstrap=in-image -o "$T/c.yaml" 2>"$T/err3" &&
	! grep -q "bootstrap-image" "$T/err3"
}
step "no warning with --bootstrap-image or --bootstrap=in-image" quiet
finish
