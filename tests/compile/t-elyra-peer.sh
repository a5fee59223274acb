#!/usr/bin/env bash
# t3q-compile against its peer, Elyra 4.0.0's own export (kfp 1.8.22), on
# the same pipelines with the same runtime configuration: images, env and
# secrets, resources, volumes, tolerations, labels, annotations and run
# parameters must match node by node, except for the intended differences
# that tests/compile/elyra_peer.py allow-lists (and docs/parity.md tables).
#
# Each pipeline is exported twice: cos_auth_type USER_CREDENTIALS (AWS_*
# as values) and KUBERNETES_SECRET (AWS_* from cos_secret). The pipeline
# and its node files are staged in a temp dir under their own stem, which
# both tools name the pipeline after. Two cases need staging:
#  - 004-parameters: its execute-shell-node (a t3q extension that Elyra
#    4.0.0 has no component for) is dropped, from both tools' copy;
#  - 005-v7-string-lists: Elyra 4.0.0 refuses a v7 pipeline (its editor
#    migrates it first), so Elyra gets a v8 copy with the v7 "KEY=VALUE"
#    items as dicts, and t3q compiles both the v7 original and that copy.
# Elyra's pipelines come from the Elyra wheel itself (site-packages/elyra/
# tests/pipeline/resources/test_pipelines/kfp), staged under the longer
# names they had in Elyra's source tree (over 50 characters, which the
# allow-list's name-cutting rows need). Needs the Elyra venv and MinIO of
# scripts/install-test-deps (skips without them).
. "$(dirname "$0")/../lib.sh"
. "$T3Q_SRC/tests/tools/versions.sh"
[ -x "$T3Q_ELYRA_VENV/bin/elyra-pipeline" ] ||
	skip_all "no Elyra venv at $T3Q_ELYRA_VENV: run scripts/install-test-deps"
ref=$(t3q_elyra_pkg)/tests/pipeline/resources/test_pipelines/kfp
[ -d "$ref" ] || { echo "Elyra's test pipelines are not at $ref"; exit 1; }
[ -x "$T3Q_MINIO_BIN" ] || skip_all "no MinIO at $T3Q_MINIO_BIN: run scripts/install-test-deps"
export="$T3Q_SRC/tests/tools/elyra/export.sh"
peer="$T3Q_SRC/tests/compile/elyra_peer.py"
py=/usr/bin/python3
# Credentials come from the runtime configuration only, not the S3 fixture's.
unset T3Q_S3_ENDPOINT AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY

# One runtime configuration per auth type, read by both tools.
runtime() {  # AUTH_TYPE [COS_SECRET]
	"$py" "$T3Q_SRC/tests/tools/elyra/runtime-config.py" "$@"
}
runtime USER_CREDENTIALS >"$T/USER_CREDENTIALS.json"
runtime KUBERNETES_SECRET peer-cos-secret >"$T/KUBERNETES_SECRET.json"

# Staging: $T/<case>/elyra/<stem>.pipeline and $T/<case>/t3q*/<stem>.pipeline.
stage_ref() {  # STEM: the file kfp-X.pipeline as pipeline-test_pipelines-kfp-kfp-X
	local d=$T/$1
	mkdir -p "$d/elyra"
	cp "$ref/${1#pipeline-test_pipelines-kfp-}.pipeline" "$d/elyra/$1.pipeline" || return 1
	"$py" "$peer" --stage "$d/elyra/$1.pipeline" || return 1
	cp -r "$d/elyra" "$d/t3q"
}
stage_case() {  # CASE_DIR --drop-op OP | --to-v8
	local src=$T3Q_SRC/tests/compile/$1 d=$T/$1
	mkdir -p "$d"
	cp -r "$src" "$d/t3q"
	rm -f "$d/t3q/expected.yaml" "$d/t3q/args"
	cp -r "$d/t3q" "$d/elyra"
	case ${2:-} in
	--drop-op)
		"$py" "$peer" --stage "$d/t3q/pipeline.pipeline" --drop-op "$3" &&
			"$py" "$peer" --stage "$d/elyra/pipeline.pipeline" --drop-op "$3" ;;
	--to-v8)
		cp -r "$d/t3q" "$d/t3q-v8" &&
			"$py" "$peer" --stage "$d/t3q/pipeline.pipeline" --to-v8 "$d/elyra/pipeline.pipeline" &&
			cp "$d/elyra/pipeline.pipeline" "$d/t3q-v8/pipeline.pipeline" ;;
	esac
}

# compare CASE AUTH: export with Elyra, compile with t3q, compare.
compare() {
	local c=$1 auth=$2 d=$T/$1 stem out t rc=0
	stem=$(basename "$(ls "$d"/elyra/*.pipeline)" .pipeline)
	out=$d/$auth
	mkdir -p "$out"
	"$export" "$d/elyra/$stem.pipeline" "$out/elyra.yaml" "$T/$auth.json" || {
		echo "Elyra's export failed"; return 1; }
	for t in "$d"/t3q*; do
		t=$(basename "$t")
		(cd "$d/$t" && "$T3Q_BIN/compiler/t3q-compile" "$stem.pipeline" \
			--runtime-config "$T/$auth.json" -o "$out/$t.yaml") || {
			echo "t3q-compile failed on $t/$stem.pipeline"; rc=1; continue; }
		echo "--- Elyra vs $t"
		"$py" "$peer" "$out/elyra.yaml" "$out/$t.yaml" --used-log "$T/used" || rc=1
	done
	return $rc
}

for c in one-node-generic-elyra-properties multi-node-generic one-node-generic; do
	step "stage kfp-$c" stage_ref "pipeline-test_pipelines-kfp-kfp-$c"
done
step "stage 004-parameters, without its shell node" stage_case 004-parameters --drop-op execute-shell-node
step "stage 005-v7-string-lists, and a v8 copy" stage_case 005-v7-string-lists --to-v8

all_ran=1
for c in pipeline-test_pipelines-kfp-kfp-one-node-generic-elyra-properties \
	pipeline-test_pipelines-kfp-kfp-multi-node-generic \
	pipeline-test_pipelines-kfp-kfp-one-node-generic \
	004-parameters 005-v7-string-lists; do
	for auth in USER_CREDENTIALS KUBERNETES_SECRET; do
		step "$c, $auth: t3q matches Elyra's export but for the allow-list" compare "$c" "$auth"
		if ! grep -q "^--- Elyra vs" "$T/step.out" ||
			grep -q "^Elyra's export failed\|^t3q-compile failed" "$T/step.out"; then
			all_ran=
		fi
	done
done
# Only meaningful when every comparison ran: no entry is dead weight.
if [ -n "$all_ran" ]; then
	step "every allow-list entry is needed by some pipeline" "$py" "$peer" --unused "$T/used"
fi
step "docs/parity.md tables exactly the allow-list" "$py" "$peer" --readme "$T3Q_SRC/docs/parity.md"
finish
