#!/usr/bin/env bash
# run-case.sh CASE_DIR: one golden case of t3q-compile (jq-style: data,
# not code). A case directory holds a *.pipeline file with the node files
# it names, an optional `args` file (one argument per line), and either
#   expected.yaml  the exact output, which must also pass the YAML 1.1
#                  typing check, the Argo v3.3.8 JSON schema (from the
#                  Argo Go module argolint builds against) and Argo's own
#                  lint on every KFP backend (argolint/lint-all), or
#   expected.err   the exact diagnostics on stderr, with exit status 1.
# The same pipeline and args with --target kfp-v2 must give expected-v2.yaml
# (KFP v2 IR; t-ir.sh checks it against kfp's own parsers), or the same
# expected.err (or expected-v2.err where v2 refuses more).
# T3Q_UPDATE_GOLDEN=1 rewrites the expected files from the actual output.
# T3Q_GOLDEN_ONLY=1 stops after the comparisons (scripts/mutate): an output
# equal to its golden passes the checks that the golden passed.
set -u
case_dir=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tools/versions.sh"
compile=${T3Q_BIN:?}/compiler/t3q-compile
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pipeline=$(cd "$case_dir" && ls *.pipeline | head -1)
args=()
if [ -f "$case_dir/args" ]; then
	while IFS= read -r line || [ -n "$line" ]; do
		[ -n "$line" ] && args+=("$line")
	done <"$case_dir/args"
else
	args=(--cos-endpoint http://minio-service.kubeflow:9000
	      --cos-bucket mlpipeline --cos-secret mlpipeline-minio-artifact)
fi
rc=0
(cd "$case_dir" && "$compile" "$pipeline" "${args[@]}") >"$tmp/out" 2>"$tmp/err" || rc=$?
rc2=0
(cd "$case_dir" && "$compile" "$pipeline" "${args[@]}" --target kfp-v2) >"$tmp/out2" 2>"$tmp/err2" || rc2=$?
# A leak on an error path keeps ASan's exit 1 unless exitcode is set: the
# report's text fails the case whatever the status.
if grep -qE 'ERROR: (Leak|Address)Sanitizer|runtime error:' "$tmp/err" "$tmp/err2"; then
	echo "sanitizer report (exit $rc, kfp-v2 exit $rc2):"
	cat "$tmp/err" "$tmp/err2"
	exit 1
fi

# kfp-v2: the IR golden, or the diagnostics (v1's unless v2 has its own).
err2=$case_dir/expected-v2.err
[ -f "$err2" ] || err2=$case_dir/expected.err
if [ -f "$case_dir/expected-v2.err" ] || [ -f "$case_dir/expected.err" ] ||
   { [ -n "${T3Q_UPDATE_GOLDEN:-}" ] && [ $rc2 != 0 ]; }; then
	[ -n "${T3Q_UPDATE_GOLDEN:-}" ] && ! cmp -s "$tmp/err2" "$err2" && cp "$tmp/err2" "$case_dir/expected-v2.err"
	[ $rc2 = 1 ] || { echo "kfp-v2: expected exit 1, got $rc2"; cat "$tmp/err2"; exit 1; }
	diff -u "$err2" "$tmp/err2" || exit 1
	echo "ok: kfp-v2 diagnostics as expected"
else
	[ -n "${T3Q_UPDATE_GOLDEN:-}" ] && cp "$tmp/out2" "$case_dir/expected-v2.yaml"
	[ $rc2 = 0 ] || { echo "kfp-v2: expected exit 0, got $rc2"; cat "$tmp/err2"; exit 1; }
	diff -u "$case_dir/expected-v2.yaml" "$tmp/out2" || exit 1
	echo "ok: kfp-v2 output as expected"
fi

if [ -f "$case_dir/expected.err" ] || { [ -n "${T3Q_UPDATE_GOLDEN:-}" ] && [ $rc != 0 ]; }; then
	[ -n "${T3Q_UPDATE_GOLDEN:-}" ] && cp "$tmp/err" "$case_dir/expected.err"
	[ $rc = 1 ] || { echo "expected exit 1, got $rc"; cat "$tmp/err"; exit 1; }
	diff -u "$case_dir/expected.err" "$tmp/err" || exit 1
	echo "ok: diagnostics as expected"
	exit 0
fi
[ -n "${T3Q_UPDATE_GOLDEN:-}" ] && cp "$tmp/out" "$case_dir/expected.yaml"
[ $rc = 0 ] || { echo "expected exit 0, got $rc"; cat "$tmp/err"; exit 1; }
diff -u "$case_dir/expected.yaml" "$tmp/out" || exit 1
[ -f "$case_dir/expected.stderr" ] && { diff -u "$case_dir/expected.stderr" "$tmp/err" || exit 1; }
echo "ok: output as expected"
[ -n "${T3Q_GOLDEN_ONLY:-}" ] && exit 0

# YAML 1.1 must read every parameter and env value back as a string.
/usr/bin/python3 "$here/check-yaml.py" "$tmp/out" || exit 1

schema=$(t3q_argo_schema) || {
	echo "no Argo v3.3.8 JSON schema in the Go module cache: run scripts/install-test-deps"; exit 1; }
/usr/bin/python3 "$here/check-schema.py" "$schema" "$tmp/out" || exit 1
# Every KFP backend's lint (KFP 1.8.5 to 2.17: Argo v3.3.8 to v4.0.5); a
# missing validator is an error (exit 2, "run scripts/install-test-deps").
"$T3Q_LINT_ALL" "$tmp/out" || exit 1
