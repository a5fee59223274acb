#!/usr/bin/env bash
# check.sh: the self-check of argolint. Uses the cached binary
# ($T3Q_ARGOLINT_BIN, built by scripts/install-test-deps) or builds it there
# (about 4 minutes, once). Checks that the hand-written workflows in
# testdata/ get the verdict named by their '# expect:' line (and the
# strict-decode warning named by any '# expect-warning:' line), that the
# exit statuses are as documented, and that workflows compiled by the kfp
# 1.8.22 SDK (in the Elyra venv of scripts/install-test-deps) from the small
# DSL pipelines in kfp-dsl/ pass with no warning: KFP's own output is the
# reference of what KFP 1.8 accepts. Without that venv the rest still runs;
# then it exits 77 (skipped) unless something failed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../versions.sh"

if [ ! -x "$T3Q_ARGOLINT_BIN" ]; then
	PATH=$PATH:/usr/local/go/bin
	command -v go >/dev/null || {
		echo "check.sh: no argolint at $T3Q_ARGOLINT_BIN and no Go to build it; run scripts/install-test-deps" >&2
		exit 1
	}
	echo "check.sh: building argolint (about 4 minutes, once)"
	mkdir -p "$(dirname "$T3Q_ARGOLINT_BIN")"
	tmp=$(mktemp -d "$(dirname "$T3Q_ARGOLINT_BIN").tmp.XXXXXX")
	(cd "$here" && CGO_ENABLED=0 GOFLAGS="-buildvcs=false -mod=readonly" \
		go build -trimpath -o "$tmp/argolint" .) || { rm -rf "$tmp"; exit 1; }
	mv "$tmp/argolint" "$T3Q_ARGOLINT_BIN"
	rm -rf "$tmp"
fi
lint=$T3Q_ARGOLINT_BIN

# The shared preamble: $T, step, the counters.
. "$here/../../lib.sh"
check() { step "$@"; }

# The testdata/ verdicts, on v3.3.8 as on every other version: check-all.sh.
cd "$here/testdata"

# Exit statuses and standard input.
check "no arguments: usage, exit 2" bash -c '"$1"; [ $? = 2 ]' _ "$lint"
check "unreadable file: exit 2" bash -c '"$1" good-dag.yaml no-such-file.yaml; [ $? = 2 ]' _ "$lint"
check "YAML syntax error: one line, no warning" bash -c \
	'out=$(printf "a: [\n" | "$1" - 2>"$2/e"); rc=$?; echo "$out"; [ $rc = 1 ] &&
	 case $out in "-: Failed to parse the workflow template."*) true ;; *) false ;; esac && [ ! -s "$2/e" ]' _ "$lint" "$T"

# The KFP SDK's own compiled workflows are accepted, with no unknown field.
kfp_py=$T3Q_ELYRA_VENV/bin/python
if [ -x "$kfp_py" ]; then
	for f in "$here"/kfp-dsl/*.py; do
		name=$(basename "$f" .py)
		check "kfp-dsl/$name.py: compiled by kfp $("$kfp_py" -c 'import kfp; print(kfp.__version__)' 2>/dev/null)" \
			"$kfp_py" -W ignore "$f" "$T/kfp-$name.yaml"
		check "kfp-dsl/$name.py, compiled: ok, no warning" bash -c \
			'out=$("$1" "$2" 2>"$3/e"); echo "$out"; cat "$3/e"; [ "$out" = "$2: ok" ] && [ ! -s "$3/e" ]' \
			_ "$lint" "$T/kfp-$name.yaml" "$T"
	done
fi

# Every KFP backend's validator on testdata/, and lint-all (check-all.sh).
. "$here/check-all.sh"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ] || exit 1
if [ ! -x "$kfp_py" ]; then
	echo "skipped: no kfp SDK at $kfp_py (scripts/install-test-deps makes the Elyra venv)"
	exit 77
fi
