#!/usr/bin/env bash
# Custom components (KFP v1 component YAML) against Elyra 4.0.0's own
# export (kfp 1.8.22), issue #13: the Elyra wheel's test pipelines with KFP
# custom nodes, and generated ones. custom_diff.py generates COUNT pipelines
# (seed fixed; default 100; T3Q_CUSTOM_COUNT=N) mixing generic notebooks
# and custom components from two catalogs: the examples connector
# (elyra-examples-kfp-catalog, which only Elyra's Python reads: t3q gets
# its files with --components) and a local-directory-catalog of
# components written for the test (placeholders concat, if/isPresent,
# typed inputs, env, metadata; t3q reads that catalog itself). Inputs come
# from widgets, run parameters and upstream outputs (by path and by
# value), with Elyra's properties. Elyra exports them all in one process
# (batch_export.py, the catalogs installed as Elyra metadata); then:
#  - whatever Elyra refuses, t3q refuses (exit 1), but for custom_diff.py's
#    ACCEPT list (each needed, each in docs/parity.md, each compiled as the
#    same pipeline with the value null); what it exports, t3q compiles;
#  - the workflows agree field by field (image, command and args after
#    placeholder resolution, artifacts and their from, parameters, env,
#    volumes, labels, annotations) but for elyra_peer.py's ALLOW list;
#  - every workflow passes argolint on every KFP backend.
# Skips under ASan (the peer checks run once) and without the Elyra venv,
# the examples catalog or MinIO of scripts/install-test-deps.
. "$(dirname "$0")/../lib.sh"
. "$T3Q_SRC/tests/tools/versions.sh"
[ -z "${T3Q_SANITIZE:-}" ] || skip_all "the Elyra custom-component test runs in the plain build only"
[ -x "$T3Q_ELYRA_VENV/bin/python" ] && [ -x "$T3Q_ELYRA_VENV/bin/elyra-pipeline" ] ||
	skip_all "no Elyra venv at $T3Q_ELYRA_VENV: run scripts/install-test-deps"
[ -x "$T3Q_MINIO_BIN" ] || skip_all "no MinIO at $T3Q_MINIO_BIN: run scripts/install-test-deps"
examples=$(dirname "$(t3q_elyra_pkg)")/kfp_examples_connector/resources
[ -d "$examples" ] || skip_all "no elyra-examples-kfp-catalog in $T3Q_ELYRA_VENV: run scripts/install-test-deps"
count=${T3Q_CUSTOM_COUNT:-100}
py=/usr/bin/python3
here=$T3Q_SRC/tests/compile
unset T3Q_S3_ENDPOINT AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY

"$py" "$T3Q_SRC/tests/tools/elyra/runtime-config.py" USER_CREDENTIALS >"$T/rt.json"
step "generate $count pipelines with custom components (seed 1), and take the corpus's" \
	"$py" "$here/custom_diff.py" gen --seed 1 --count "$count" --out "$T/cases" --examples "$examples" \
	--corpus "$(t3q_elyra_pkg)"
count=$(ls -d "$T/cases"/[0-9]* | wc -l)
export_all() {
	"$py" "$here/custom_diff.py" list "$T/cases" rt >"$T/list.jsonl" &&
	T3Q_ELYRA_CATALOG_DIR=$T/cases/catalogs "$T3Q_ELYRA_VENV/bin/python" \
		"$T3Q_SRC/tests/tools/elyra/batch_export.py" --minio "$T3Q_MINIO_BIN" \
		--list "$T/list.jsonl" --out "$T/elyra" --runtime "rt=$T/rt.json" &&
	[ "$(ls "$T/elyra"/*/result.json | wc -l)" = "$count" ]
}
step "Elyra exports (or refuses) every pipeline, in one process" export_all
step "t3q-compile every pipeline" \
	"$py" "$here/custom_diff.py" check "$T/cases" "$T/elyra" "$T3Q_BIN" "$T/rt.json" "$examples" "$T/report"
cat "$T/step.out"
# Both outcomes must occur, or the comparison proves little.
both() {
	"$py" -c 'import json,sys; c=json.load(open(sys.argv[1])); print(c); sys.exit(not (c["exported"] >= 10 and c["refused"] >= 10))' \
		"$T/report/counts.txt"
}
step "Elyra exports some and refuses some" both
# And what was exported exercises every part of a custom template.
features() {
	"$py" - "$T/report/counts.txt" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])).get("features", {})
print(c)
want = ("inputs.parameters", "inputs.artifacts.raw", "inputs.artifacts.from-task", "outputs.parameters",
        "volumes.pvc", "volumes.shm", "tolerations", "labels.user", "annotations.doc",
        "annotations.max_cache_staleness", "env")
missing = [k for k in want if not c.get(k)]
sys.exit("never exercised: %s" % missing if missing else 0)
PY
}
step "the exported custom templates exercise parameters, artifacts, volumes, tolerations, labels, annotations, env" features
step "what Elyra refuses t3q refuses (but for custom_diff.py's ACCEPT), and what Elyra exports t3q compiles" \
	empty_report "$T/report/refusal.txt"
step "every value class of custom_diff.py was generated" "$py" "$here/custom_diff.py" classes "$T/cases"
step "every ACCEPT entry of custom_diff.py was needed, and docs/parity.md lists it" \
	sh -c '"$0" "$1" accepted "$2" && "$0" "$1" readme "$3"' \
	"$py" "$here/custom_diff.py" "$T/report" "$T3Q_SRC/docs/parity.md"
step "custom templates agree field by field, but for elyra_peer.py's allow-list" empty_report "$T/report/fields.txt"
lint() {
	local files=()
	while IFS= read -r f; do files+=("$f"); done <"$T/report/yamls.txt"
	[ ${#files[@]} -gt 0 ] || { echo "no workflow to lint"; return 1; }
	"$T3Q_LINT_ALL" "${files[@]}" >"$T/lint.out" 2>&1 && return 0
	grep -v ': ok$' "$T/lint.out" | head -c 20000
	return 1
}
step "every workflow t3q emitted passes argolint on every KFP backend" lint
finish
