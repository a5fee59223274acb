#!/usr/bin/env bash
# t3q-compile against Elyra 4.0.0's own export over a generated space of
# pipelines (issue #10). gen_pipelines.py writes COUNT pipelines (seed
# fixed; default 200; T3Q_DIFF_COUNT=N or "--count N" for more), Elyra
# exports them all in one process (tests/tools/elyra/batch_export.py), and
# t3q-compile compiles each with the same runtime configuration
# (USER_CREDENTIALS or KUBERNETES_SECRET, per pipeline). With --classes
# each pipeline also holds one value class (whitespace around values,
# non-ASCII and emoji names, path spellings, numbers at their edges,
# escapes, swapped types, default/override pairs; gen_pipelines.py
# CLASSES), and the test fails when one is not produced. Then:
#  - whatever Elyra refuses, t3q refuses (exit 1), but for elyra_diff.py's
#    ACCEPT list; whatever Elyra exports, t3q compiles;
#  - the workflows agree field by field but for elyra_peer.py's ALLOW list;
#  - each node's dependency archive holds the same files as the one
#    Elyra's create_temp_archive builds;
#  - --upload without --timestamp names a fresh <dir>-MMDDHHMMSS;
#  - every workflow passes argolint on every KFP backend (lint-all);
#  - t3q-run runs up to 25 runnable pipelines, each script checking that
#    its ancestors' outputs reached it; the bootstrap stages each output
#    under the artifact name the YAML declares, and the consumer finds it
#    at its declared input path.
# Skips under ASan (the peer checks run once) and without the Elyra venv
# or MinIO of scripts/install-test-deps.
. "$(dirname "$0")/../lib.sh"
. "$T3Q_SRC/tests/tools/versions.sh"
[ -z "${T3Q_SANITIZE:-}" ] || skip_all "the Elyra differential test runs in the plain build only"
[ -x "$T3Q_ELYRA_VENV/bin/python" ] && [ -x "$T3Q_ELYRA_VENV/bin/elyra-pipeline" ] ||
	skip_all "no Elyra venv at $T3Q_ELYRA_VENV: run scripts/install-test-deps"
[ -x "$T3Q_MINIO_BIN" ] || skip_all "no MinIO at $T3Q_MINIO_BIN: run scripts/install-test-deps"
export T3Q_ELYRA_VENV	# elyra_diff.py's ACCEPT checks run Elyra's own archive code
count=${T3Q_DIFF_COUNT:-200}
[ "${1:-}" = --count ] && count=$2
seed=${T3Q_DIFF_SEED:-10}
py=/usr/bin/python3
here=$T3Q_SRC/tests/compile
# Credentials come from the runtime configuration only, not the S3 fixture's.
unset T3Q_S3_ENDPOINT AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY

runtime() {  # AUTH_TYPE [COS_SECRET]
	"$py" "$T3Q_SRC/tests/tools/elyra/runtime-config.py" "$@"
}
mkdir -p "$T/rt" "$T/report"
runtime USER_CREDENTIALS >"$T/rt/USER_CREDENTIALS.json"
runtime KUBERNETES_SECRET peer-cos-secret >"$T/rt/KUBERNETES_SECRET.json"

step "generate $count pipelines (seed $seed), every value class among them" \
	"$py" "$here/gen_pipelines.py" --seed "$seed" --count "$count" --out "$T/cases" --classes
step "every value class of gen_pipelines.py is produced" \
	"$py" "$here/elyra_diff.py" classes "$T/cases"
export_all() {
	"$py" "$here/elyra_diff.py" list "$T/cases" "$T/rt" >"$T/list.jsonl" &&
	"$T3Q_ELYRA_VENV/bin/python" "$T3Q_SRC/tests/tools/elyra/batch_export.py" \
		--minio "$T3Q_MINIO_BIN" --list "$T/list.jsonl" --out "$T/elyra" \
		--runtime "USER_CREDENTIALS=$T/rt/USER_CREDENTIALS.json" \
		--runtime "KUBERNETES_SECRET=$T/rt/KUBERNETES_SECRET.json" &&
	[ "$(ls "$T/elyra"/*/result.json | wc -l)" = "$count" ]
}
step "Elyra exports (or refuses) every pipeline, in one process" export_all
step "t3q-compile every pipeline (and v7 original)" \
	"$py" "$here/elyra_diff.py" check "$T/cases" "$T/elyra" "$T3Q_BIN" "$T/rt" "$T/report"
cat "$T/step.out"

step "what Elyra refuses t3q refuses, and what Elyra exports t3q compiles" empty_report "$T/report/refusal.txt"
step "the workflows agree field by field, but for elyra_peer.py's allow-list" empty_report "$T/report/fields.txt"
step "each node's archive holds what Elyra's create_temp_archive puts in it" empty_report "$T/report/archives.txt"
step "--upload without --timestamp uploads to a fresh <dir>-MMDDHHMMSS" empty_report "$T/report/upload.txt"

lint() {
	local files=()
	while IFS= read -r f; do files+=("$f"); done <"$T/report/yamls.txt"
	[ ${#files[@]} -gt 0 ] || { echo "no workflow to lint"; return 1; }
	# Every KFP backend's lint; lint-all names the version that refused.
	"$T3Q_LINT_ALL" "${files[@]}" >"$T/lint.out" 2>&1 && return 0
	grep -v ': ok$' "$T/lint.out" | head -c 20000 | tee "$T/report/lint.txt"
	return 1
}
step "every workflow t3q emitted passes argolint on every KFP backend" lint

step "t3q-run runs up to 25 of them" \
	"$py" "$here/elyra_diff.py" run "$T/cases" "$T3Q_BIN" "$T/report" "$T/run"
cat "$T/step.out"
step "every declared output reaches every descendant (t3q-run)" empty_report "$T/report/run.txt"
step "the bootstrap stages outputs where the YAML declares them, and inputs too" empty_report "$T/report/names.txt"

step "every allow-list entry for generated pipelines is needed" \
	"$py" "$here/elyra_peer.py" --unused-generated "$T/report/used"
step "every pipeline t3q judges against Elyra's word is needed, and in docs/parity.md" \
	sh -c '"$0" "$1" --accepted "$2" && "$0" "$1" --readme "$3"' \
	"$py" "$here/elyra_diff.py" "$T/report" "$T3Q_SRC/docs/parity.md"
echo "# differences, grouped by cause:"
"$py" "$here/elyra_diff.py" summary "$T/report" | sed 's/^/# /'
finish
