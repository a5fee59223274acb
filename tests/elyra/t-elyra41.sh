#!/usr/bin/env bash
# The t3q runtime in Elyra 4.1.1 (kfp 2.17, the kfp 2 client) of
# $T3Q_ELYRA41_VENV: elyra-metadata creates a t3q runtime; elyra-pipeline
# export writes exactly t3q-compile's YAML with the same settings (byte for
# byte, every KFP backend's Argo validator passes) with every archive in
# the bucket; elyra-pipeline submit, which Elyra 4.1 would do with the kfp 2
# client, fails with t3q's message saying what to do instead (export the
# YAML and upload it), without a traceback and before any upload.
elyra_venv=
. "$(dirname "$0")/../lib.sh"
[ "${T3Q_SANITIZE:-}" = 1 ] && skip_all "the Elyra tests run in the plain build only"
. "$T3Q_SRC/tests/tools/versions.sh"
[ -x "$T3Q_ELYRA41_VENV/bin/elyra-pipeline" ] ||
	skip_all "no Elyra 4.1 venv at $T3Q_ELYRA41_VENV: run scripts/install-test-deps"
t3q_argolint_ready || skip_all "the argolint validators are not built: run scripts/install-test-deps"
elyra_venv=$T3Q_ELYRA41_VENV
. "$(dirname "$0")/elyra-lib.sh"
bucket=$(new_bucket)
img=quay.io/t3q/t3q-bootstrap:0.1.0
dead=$(free_port)
cos=(--cos_endpoint="$T3Q_S3_ENDPOINT" --cos_bucket="$bucket" --cos_username="$AWS_ACCESS_KEY_ID"
     --cos_password="$AWS_SECRET_ACCESS_KEY" --cos_auth_type=USER_CREDENTIALS --bootstrap_image=$img)

versions() {
	"$ELYRA_BIN/python" -c 'from importlib.metadata import version as v; print(v("elyra"), v("kfp"))' >"$T/versions" || return 1
	cat "$T/versions"
	grep -q '^4\.1\.1 2\.' "$T/versions"
}
step "the venv holds Elyra 4.1.1 with kfp 2" versions
step "elyra-metadata creates a t3q runtime" runtime creds "${cos[@]}" \
	--api_endpoint="http://127.0.0.1:$dead/pipeline"

export_iris() {
	local d=$T/iris dir a
	cp -r "$T3Q_SRC/examples/iris" "$d"
	(cd "$d" && expect_rc 0 elyra-pipeline export --runtime-config creds --output "$d/elyra.yaml" iris.pipeline) ||
		return 1
	! grep -q Traceback "$T/out" || return 1
	dir=$(yaml_arg "$d/elyra.yaml" --cos-directory)
	[ -n "$dir" ] || { echo "no --cos-directory in the export"; return 1; }
	(cd "$d" && t3q-compile iris.pipeline --runtime-config "$RUNTIMES/creds.json" --cos-directory "$dir" \
		--bootstrap-image $img -o "$d/t3q.yaml") || return 1
	cmp "$d/t3q.yaml" "$d/elyra.yaml" || { diff -u "$d/t3q.yaml" "$d/elyra.yaml" | head -40; return 1; }
	"$T3Q_LINT_ALL" "$d/elyra.yaml" || return 1
	for a in $(grep -A1 -- '- "--cos-dependencies-archive"$' "$d/elyra.yaml" |
		sed -n 's/^ *- "\(.*\.tar\.gz\)"$/\1/p' | sort -u); do
		t3q s3 ls "s3://$bucket/$dir/$a" | grep -qF "$a" ||
			{ echo "archive $dir/$a is not in the bucket"; return 1; }
	done
	echo "ok: $(wc -c <"$d/elyra.yaml") bytes, directory $dir"
}
step "iris: export = t3q-compile, every KFP backend's validator passes, archives uploaded" export_iris

py_refused() {
	local d=$T/py
	cp -r "$T3Q_SRC/examples/iris" "$d"
	(cd "$d" && expect_rc 1 elyra-pipeline export --runtime-config creds --format py --output "$d" iris.pipeline) ||
		return 1
	expect_out "The t3q runtime exports only 'yaml'" || return 1
	! grep -q Traceback "$T/out" && [ ! -e "$d/iris.py" ]
}
step "export --format py is refused with a clear message" py_refused

submit_refused() {
	local d=$T/submit before after
	cp -r "$T3Q_SRC/examples/iris" "$d"
	before=$(t3q s3 ls -r "s3://$bucket/" | wc -l)
	(cd "$d" && expect_rc 1 elyra-pipeline submit --runtime-config creds iris.pipeline) || return 1
	expect_out "uses the kfp 2 client" || return 1
	expect_out "elyra-pipeline export --runtime-config NAME" || return 1
	expect_out "upload the YAML" || return 1
	! grep -q Traceback "$T/out" || return 1
	# Refused before Elyra uploads anything or calls the API.
	after=$(t3q s3 ls -r "s3://$bucket/" | wc -l)
	[ "$before" = "$after" ] || { echo "objects in the bucket: $before before, $after after"; return 1; }
}
step "submit: t3q's message (export the YAML and upload it), no traceback" submit_refused

finish
