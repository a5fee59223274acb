# lib.sh: the preamble of every shell test (git's test-lib, jq's setup).
#
# A test sources this, then runs titled steps:
#   step "a wrong secret is refused" expect_rc 1 t3q s3 ls s3://$bucket
# Each test gets a fresh temp dir ($T, removed on exit) and, when the test
# needs S3 (T3Q_S3_STATE is set by ctest), the env of the fixture's server.
# finish prints "N passed, N failed" and sets the exit code.
# T3Q_TEST_KEEP=1 keeps $T (its path goes to stderr), to look at a failure.
set -u

T=$(mktemp -d "${TMPDIR:-/tmp}/t3q-test.XXXXXX")
passed=0
failed=0
cleanup_hooks=()
on_exit() {
	local h
	for h in "${cleanup_hooks[@]}"; do eval "$h" || true; done
	if [ -n "${T3Q_TEST_KEEP:-}" ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
}
trap on_exit EXIT
at_exit() { cleanup_hooks+=("$1"); }

if [ -n "${T3Q_S3_STATE:-}" ]; then
	if [ ! -f "$T3Q_S3_STATE/env" ]; then
		echo "no S3 server state in $T3Q_S3_STATE: the fixture did not start" >&2
		exit 1
	fi
	. "$T3Q_S3_STATE/env"
fi

# Under ASan/UBSan, every report of every process the test starts goes to
# a file in $T too (its stderr may be discarded, its status ignored), and
# finish fails when there is one.
if [ -n "${T3Q_SANITIZE:-}" ]; then
	export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:exitcode=23}:log_path=$T/sanitizer"
	export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:exitcode=23}:log_path=$T/sanitizer"
fi

t3q() { "${T3Q_BIN:?T3Q_BIN must point at the build directory}/bootstrap/t3q-bootstrap" "$@"; }

# step TITLE CMD...: runs CMD, counts it, prints its output on failure.
step() {
	local title=$1
	shift
	if "$@" >"$T/step.out" 2>&1; then
		passed=$((passed + 1))
		echo "ok - $title"
	else
		failed=$((failed + 1))
		echo "not ok - $title"
		sed 's/^/#   /' "$T/step.out"
	fi
}

# expect_rc N CMD...: CMD must exit with N; its output is kept in $T/out.
expect_rc() {
	local want=$1 rc=0
	shift
	"$@" >"$T/out" 2>&1 || rc=$?
	cat "$T/out"
	if [ "$rc" != "$want" ]; then
		echo "expected exit $want, got $rc from: $*"
		return 1
	fi
}

# expect_out TEXT: the last expect_rc output contains TEXT.
expect_out() {
	grep -qF -- "$1" "$T/out" || { echo "output lacks: $1"; return 1; }
}

# new_bucket: a fresh bucket per test, so tests can run in parallel.
new_bucket() {
	local b
	b="t3q-$(basename "$0" .sh | tr -c 'a-z0-9-\n' '-' | cut -c1-30)-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
	t3q s3 mb "s3://$b" >&2 || { echo "cannot create bucket $b" >&2; exit 1; }
	echo "$b"
}

# empty_report FILE: a checker's list of failures; shows its first 20000
# bytes and passes when it exists and is empty.
empty_report() {
	[ -f "$1" ] || { echo "no report $1"; return 1; }
	head -c 20000 "$1"
	[ ! -s "$1" ]
}

# sha FILE: its sha256 alone.
sha() { sha256sum "$1" | cut -d' ' -f1; }

skip_all() {
	echo "skipped: $1"
	exit 77
}

finish() {
	local f
	for f in "$T"/sanitizer.*; do
		[ -e "$f" ] || continue
		failed=$((failed + 1))
		echo "not ok - sanitizer report $(basename "$f")"
		sed 's/^/#   /' "$f"
	done
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
}
