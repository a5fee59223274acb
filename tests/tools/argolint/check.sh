#!/usr/bin/env bash
# check.sh: the self-check of argolint. Uses the cached binary
# ($T3Q_ARGOLINT_BIN, built by scripts/install-test-deps) or builds it there
# (about 4 minutes, once). Checks that the hand-written workflows in
# testdata/ get the verdict named by their '# expect:' line (and the
# strict-decode warning named by any '# expect-warning:' line), that the
# exit statuses are as documented, and that the KFP-compiled workflows in
# ../shared/reference/kfp pass. When ../shared is absent the rest still runs;
# then it exits 77 (skipped) unless something failed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../versions.sh"
ref=$(cd "$here/../../.." && pwd)/../shared/reference

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

# fixture FILE: argolint's stdout line is "FILE: <expect>" exactly for
# 'ok', else contains <expect>; the exit status matches; stderr carries the
# expected warning, or nothing.
fixture() {
	local f=$1 expect warn rc want_rc
	expect=$(sed -n '1s/^# expect: //p' "$f")
	warn=$(sed -n 's/^# expect-warning: //p' "$f")
	[ -n "$expect" ] || { echo "$f has no '# expect:' first line"; return 1; }
	"$lint" "$f" >"$T/out" 2>"$T/err"
	rc=$?
	echo "stdout: $(cat "$T/out")"
	echo "stderr: $(cat "$T/err")"
	echo "exit: $rc"
	if [ "$expect" = ok ]; then
		want_rc=0
		[ "$(cat "$T/out")" = "$f: ok" ] || return 1
	else
		want_rc=1
		[ "$(wc -l <"$T/out")" = 1 ] || return 1
		grep -qF -- "$f: " "$T/out" && grep -qF -- "$expect" "$T/out" || return 1
	fi
	[ "$rc" = "$want_rc" ] || return 1
	if [ -n "$warn" ]; then
		grep -qF -- "$f: warning: " "$T/err" && grep -qF -- "$warn" "$T/err"
	else
		[ ! -s "$T/err" ]
	fi
}

cd "$here/testdata"
for f in *.yaml; do
	check "testdata/$f: $(sed -n '1s/^# expect: //p' "$f")" fixture "$f"
done

# Exit statuses and standard input.
check "no arguments: usage, exit 2" bash -c '"$1"; [ $? = 2 ]' _ "$lint"
check "unreadable file: exit 2" bash -c '"$1" good-dag.yaml no-such-file.yaml; [ $? = 2 ]' _ "$lint"
check "one bad among good: exit 1" bash -c '"$1" good-dag.yaml bad-kind.yaml; [ $? = 1 ]' _ "$lint"
check "stdin as -" bash -c '[ "$("$1" - <good-dag.yaml)" = "-: ok" ]' _ "$lint"
check "YAML syntax error: one line, no warning" bash -c \
	'out=$(printf "a: [\n" | "$1" - 2>"$2/e"); rc=$?; echo "$out"; [ $rc = 1 ] &&
	 case $out in "-: Failed to parse the workflow template."*) true ;; *) false ;; esac && [ ! -s "$2/e" ]' _ "$lint" "$T"

# The KFP SDK's own compiled workflows are accepted, with no unknown field.
if [ -d "$ref/kfp" ]; then
	for f in "$ref"/kfp/*.yaml; do
		check "reference kfp/$(basename "$f"): ok" bash -c \
			'out=$("$1" "$2" 2>"$3/e"); echo "$out"; cat "$3/e"; [ "$out" = "$2: ok" ] && [ ! -s "$3/e" ]' \
			_ "$lint" "$f" "$T"
	done
fi

# Every other KFP backend's validator, and lint-all (check-all.sh).
. "$here/check-all.sh"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ] || exit 1
if [ ! -d "$ref/kfp" ]; then
	echo "skipped: no KFP reference workflows at $ref/kfp"
	exit 77
fi
