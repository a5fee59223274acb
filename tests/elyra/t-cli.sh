#!/usr/bin/env bash
# The t3q runtime in Elyra 4.0.0's own CLI: elyra-metadata creates t3q
# runtime configurations; elyra-pipeline export writes exactly the YAML that
# t3q-compile writes with the same settings (byte for byte, Argo's lint
# passes) and Elyra's upload puts each node's archive where the YAML says;
# 'py' is refused; elyra-pipeline validate shows t3q-compile's diagnostics.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/elyra-lib.sh"
[ -x "$T3Q_ARGOLINT_BIN" ] || skip_all "no argolint at $T3Q_ARGOLINT_BIN: run scripts/install-test-deps"
bucket=$(new_bucket)
img=quay.io/t3q/t3q-bootstrap:0.1.0
cos=(--cos_endpoint="$T3Q_S3_ENDPOINT" --cos_bucket="$bucket" --cos_username="$AWS_ACCESS_KEY_ID"
     --cos_password="$AWS_SECRET_ACCESS_KEY" --api_endpoint=http://127.0.0.1:9/pipeline)

step "elyra-metadata creates a t3q runtime without --runtime_type" \
	runtime creds "${cos[@]}" --cos_auth_type=USER_CREDENTIALS --bootstrap_image=$img
step "the instance carries runtime_type KUBEFLOW_PIPELINES and t3q's defaults" \
	"$ELYRA_BIN/python" -c '
import json, sys
md = json.load(open(sys.argv[1]))["metadata"]
assert md["runtime_type"] == "KUBEFLOW_PIPELINES", md
assert md["engine"] == "Argo" and md["auth_type"] == "NO_AUTHENTICATION", md
assert md["bootstrap_mode"] == "init-container" and md["data_passing"] == "artifacts", md' "$RUNTIMES/creds.json"
step "a secret, object-store data passing" \
	runtime secret "${cos[@]}" --cos_auth_type=KUBERNETES_SECRET --cos_secret=mlpipeline-minio-artifact \
	--bootstrap_image=$img --data_passing=object-store
step "in-image bootstrap" \
	runtime inimage "${cos[@]}" --cos_auth_type=USER_CREDENTIALS \
	--bootstrap_mode=in-image --bootstrap_path=/opt/t3q/t3q-bootstrap
step "an engine other than Argo is refused by the schema" \
	expect_rc 1 elyra-metadata create runtimes --schema_name=t3q --name=tekton \
	--display_name=x "${cos[@]}" --cos_auth_type=USER_CREDENTIALS --engine=Tekton

# settings NAME: the t3q-compile flags that runtime NAME stands for.
settings() {
	case $1 in
	creds) echo "--bootstrap-image $img" ;;
	secret) echo "--bootstrap-image $img --data-passing=cos" ;;
	inimage) echo "--bootstrap=in-image --bootstrap-path /opt/t3q/t3q-bootstrap" ;;
	esac
}

# export_case DIR PIPELINE RUNTIME: stage DIR, export from inside it (its
# files are then relative to Elyra's root, as in the server), and compare.
export_case() {
	local src=$1 p=$2 rt=$3 d dir a
	d=$T/export/$(basename "$src")-$rt
	rm -rf "$d"
	mkdir -p "$(dirname "$d")"
	cp -r "$src" "$d"
	(cd "$d" && elyra-pipeline export --runtime-config "$rt" --output "$d/elyra.yaml" "$p") ||
		{ echo "elyra-pipeline export failed"; return 1; }
	grep -q Traceback "$T/out" 2>/dev/null && return 1
	dir=$(yaml_arg "$d/elyra.yaml" --cos-directory)
	[ -n "$dir" ] || { echo "no --cos-directory in the export"; return 1; }
	# shellcheck disable=SC2046
	(cd "$d" && t3q-compile "$p" --runtime-config "$RUNTIMES/$rt.json" --cos-directory "$dir" \
		$(settings "$rt") -o "$d/t3q.yaml") || return 1
	cmp "$d/t3q.yaml" "$d/elyra.yaml" || { diff -u "$d/t3q.yaml" "$d/elyra.yaml" | head -40; return 1; }
	"$T3Q_ARGOLINT_BIN" "$d/elyra.yaml" || return 1
	# Elyra's upload put every archive the workflow names where it names it.
	for a in $(grep -A1 -- '- "--cos-dependencies-archive"$' "$d/elyra.yaml" |
		sed -n 's/^ *- "\(.*\.tar\.gz\)"$/\1/p' | sort -u); do
		t3q s3 ls "s3://$bucket/$dir/$a" | grep -qF "$a" ||
			{ echo "archive $dir/$a is not in the bucket"; return 1; }
	done
	echo "ok: $(basename "$src") with $rt, $(wc -c <"$d/elyra.yaml") bytes, directory $dir"
}

step "iris example: export = t3q-compile, linted, archives uploaded" \
	export_case "$T3Q_SRC/examples/iris" iris.pipeline creds
step "iris example, secret + object store" export_case "$T3Q_SRC/examples/iris" iris.pipeline secret
step "iris example, in-image bootstrap" export_case "$T3Q_SRC/examples/iris" iris.pipeline inimage
# The goldens that Elyra 4.0.0 itself accepts. It refuses 004 (a t3q-only
# component), 005, 006 and 011 (pipeline versions 7, 3 and 6, which its
# editor migrates first): checked below.
for c in 001-one-notebook 002-multi-node-elyra 003-elyra-properties 009-yaml-typing \
	 010-fan-in 012-runtime-config 013-braces-in-comments 014-elyra-parity; do
	step "golden $c: export = t3q-compile" export_case "$T3Q_SRC/tests/compile/$c" \
		"$(cd "$T3Q_SRC/tests/compile/$c" && ls ./*.pipeline | head -1)" creds
done
step "golden 007-data-passing-cos with object-store data passing" \
	export_case "$T3Q_SRC/tests/compile/007-data-passing-cos" pipeline.pipeline secret
step "golden 008-in-image-bootstrap with in-image bootstrap" \
	export_case "$T3Q_SRC/tests/compile/008-in-image-bootstrap" pipeline.pipeline inimage

# Custom components: the examples catalog (a connector t3q-compile cannot
# read) as Elyra catalog metadata; t3q-elyra hands every definition over
# from Elyra's component cache (--component), so the export is what
# t3q-compile writes given the catalog's files (--components).
examples=$(dirname "$(t3q_elyra_pkg)")/kfp_examples_connector/resources
custom_export() {
	local d=$T/custom dir
	mkdir -p "$d" "$JUPYTER_DATA_DIR/metadata/component-catalogs"
	printf '%s\n' '{"display_name": "examples", "schema_name": "elyra-kfp-examples-catalog",' \
		'"metadata": {"runtime_type": "KUBEFLOW_PIPELINES", "categories": []}}' \
		>"$JUPYTER_DATA_DIR/metadata/component-catalogs/examples.json"
	cp "$(t3q_elyra_pkg)/tests/cli/resources/pipelines/kfp_3_node_custom.pipeline" "$d/"
	(cd "$d" && elyra-pipeline export --runtime-config creds --output "$d/elyra.yaml" kfp_3_node_custom.pipeline) ||
		{ echo "elyra-pipeline export failed"; return 1; }
	dir=$(yaml_arg "$d/elyra.yaml" --cos-directory)
	(cd "$d" && t3q-compile kfp_3_node_custom.pipeline --runtime-config "$RUNTIMES/creds.json" \
		${dir:+--cos-directory "$dir"} --bootstrap-image $img --components "$examples" -o "$d/t3q.yaml") || return 1
	grep -q 'image: "alpine"' "$d/elyra.yaml" || { echo "no custom template in the export"; return 1; }
	cmp "$d/t3q.yaml" "$d/elyra.yaml" || { diff -u "$d/t3q.yaml" "$d/elyra.yaml" | head -40; return 1; }
	"$T3Q_ARGOLINT_BIN" "$d/elyra.yaml"
}
if [ -d "$examples" ]; then
	step "custom components from a connector catalog: export = t3q-compile --components" custom_export
fi

refused_by_elyra() {  # CASE: Elyra's validation says why, no traceback
	local d=$T/refused/$1
	mkdir -p "$T/refused"
	cp -r "$T3Q_SRC/tests/compile/$1" "$d"
	(cd "$d" && expect_rc 1 elyra-pipeline export --runtime-config creds --output out.yaml ./*.pipeline) || return 1
	expect_out "Pipeline validation FAILED" || return 1
	! grep -q Traceback "$T/out"
}
for c in 004-parameters 005-v7-string-lists 011-supernode; do
	step "golden $c: refused by Elyra's own validation, cleanly" refused_by_elyra $c
done

# The upload endpoint: the workflow names the in-cluster endpoint, the
# archives go up through the one this machine reaches.
step "a runtime with an upload endpoint" \
	runtime upload --cos_endpoint=http://minio-service.kubeflow:9000 --cos_bucket="$bucket" \
	--cos_username="$AWS_ACCESS_KEY_ID" --cos_password="$AWS_SECRET_ACCESS_KEY" \
	--api_endpoint=http://127.0.0.1:9/pipeline --cos_auth_type=USER_CREDENTIALS \
	--bootstrap_image=$img --cos_upload_endpoint="$T3Q_S3_ENDPOINT"
upload_endpoint() {
	local d=$T/upload
	cp -r "$T3Q_SRC/examples/iris" "$d"
	(cd "$d" && elyra-pipeline export --runtime-config upload --output "$d/out.yaml" iris.pipeline) || return 1
	grep -q 'http://minio-service.kubeflow:9000' "$d/out.yaml" || return 1
	! grep -qF "$T3Q_S3_ENDPOINT" "$d/out.yaml" || return 1
	t3q s3 ls -r "s3://$bucket/$(yaml_arg "$d/out.yaml" --cos-directory)/" | grep -c 'tar.gz$' | grep -qx 3
}
step "upload endpoint: archives through it, the YAML keeps cos_endpoint" upload_endpoint

py_refused() {
	local d=$T/py
	cp -r "$T3Q_SRC/examples/iris" "$d"
	(cd "$d" && expect_rc 1 elyra-pipeline export --runtime-config creds --format py --output "$d" iris.pipeline) || return 1
	expect_out "The t3q runtime exports only 'yaml'" || return 1
	! grep -q Traceback "$T/out" && [ ! -e "$d/iris.py" ]
}
step "export --format py is refused with a clear message" py_refused

# validate: each t3q diagnostic of an error golden is in Elyra's output,
# as "[node][property] - t3q: MESSAGE", and is the golden's message.
validate_case() {  # CASE RUNTIME
	local c=$1 rt=${2:-creds} d=$T/validate/$1 n want
	mkdir -p "$T/validate"
	cp -r "$T3Q_SRC/tests/compile/$c" "$d"
	(cd "$d" && expect_rc 1 elyra-pipeline validate --runtime-config "$rt" ./*.pipeline) || return 1
	! grep -q Traceback "$T/out" || return 1
	sed -n 's/^ \[[A-Za-z]*\]\(\[.*\]\)\{0,1\} - t3q: \(.*\) $/\2/p' "$T/out" |
		sed "s|relative to $d)|relative to .)|" >"$d/t3q-messages"
	# Elyra's response drops a diagnostic identical to one it holds; the
	# settings' diagnostics need a runtime with those settings (919 has one).
	n=$(grep -F ' - t3q: ' "$T/out" | sort -u | wc -l)
	grep -E '^[^ ].*: (error|warning): ' "$d/expected.err" | sort -u |
		{ if [ "$rt" = creds ]; then grep -vE ': (error|warning): (cos_[a-z]*|--cos-directory|--bootstrap-[a-z]*): '; else cat; fi; } >"$d/golden"
	want=$(wc -l <"$d/golden")
	[ "$n" = "$want" ] || { echo "$n t3q messages, the golden has $want"; return 1; }
	while IFS= read -r m; do
		grep -qF -- "$m" "$d/expected.err" || { echo "not in $c/expected.err: $m"; return 1; }
	done <"$d/t3q-messages"
}
step "a runtime whose endpoint has user info (919)" \
	runtime userinfo --cos_endpoint=http://AK:SECRET@minio:9000 --cos_bucket=bucket \
	--cos_auth_type=KUBERNETES_SECRET --cos_secret=s --cos_username=user --cos_password=password \
	--api_endpoint=http://127.0.0.1:9/pipeline
for c in "$T3Q_SRC"/tests/compile/9*/; do
	c=$(basename "$c")
	case $c in
	900-invalid-json|914-invalid-utf8|916-node-ids|906-custom-component|960-custom-v2-refusals)
		# Elyra's CLI refuses these files before any runtime sees them
		# (906: its validation fails on a v6 pipeline's custom nodes;
		# 960: its components are in no catalog Elyra knows, "This
		# component was not found in the catalog").
		step "validate $c: refused by Elyra first, no traceback" sh -c \
			"cd '$T3Q_SRC/tests/compile/$c' && ! elyra-pipeline validate --runtime-config creds ./*.pipeline >'$T/v.out' 2>&1 && ! grep -q Traceback '$T/v.out'"
		;;
	919-endpoint-userinfo) step "validate $c shows t3q's messages" validate_case "$c" userinfo ;;
	*) step "validate $c shows t3q's messages" validate_case "$c" ;;
	esac
done

finish
