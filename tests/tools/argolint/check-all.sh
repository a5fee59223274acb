# check-all.sh: sourced by check.sh (in testdata/, with its check and
# counters): the testdata/ verdicts from every KFP backend's validator
# (T3Q_ARGOLINT_MATRIX in ../versions.sh, built by scripts/install-test-deps),
# then lint-all itself.
#
# A fixture's '# expect:' and '# expect-warning:' lines are v3.3.8's
# verdict and hold for every other version unless an '# expect@ARGO:' or '# expect-warning@ARGO:' line (ARGO
# as in the matrix, e.g. v4.0.5) says otherwise for that version;
# '# expect-warning@ARGO: none' means no warning from that version.

# fixture_v BIN ARGO FILE: BIN's stdout line is "FILE: ok" exactly for
# 'ok', else contains the expectation; the exit status matches; stderr carries
# the expected warning, or nothing. ARGO's own lines win over the defaults.
fixture_v() {
	local bin=$1 argo=$2 f=$3 expect warn rc want_rc
	expect=$(sed -n "s/^# expect@$argo: //p" "$f")
	[ -n "$expect" ] || expect=$(sed -n '1s/^# expect: //p' "$f")
	if grep -q "^# expect-warning@$argo: " "$f"; then
		warn=$(sed -n "s/^# expect-warning@$argo: //p" "$f")
		[ "$warn" != none ] || warn=
	else
		warn=$(sed -n 's/^# expect-warning: //p' "$f")
	fi
	[ -n "$expect" ] || { echo "$f has no '# expect:' first line"; return 1; }
	"$bin" "$f" >"$T/out" 2>"$T/err"
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

for entry in $T3Q_ARGOLINT_MATRIX; do
	argo=${entry%%:*}
	bin=$(t3q_argolint_bin "$argo")
	if [ ! -x "$bin" ]; then
		check "argolint $argo (KFP ${entry#*:}) is built: run scripts/install-test-deps" \
			bash -c 'echo "no $1"; false' _ "$bin"
		continue
	fi
	for f in *.yaml; do
		want=$(sed -n "s/^# expect@$argo: //p" "$f")
		[ -n "$want" ] || want=$(sed -n '1s/^# expect: //p' "$f")
		check "$argo (KFP ${entry#*:}) testdata/$f: $want" fixture_v "$bin" "$argo" "$f"
	done
	check "$argo: one bad among good: exit 1" bash -c '"$1" good-dag.yaml bad-kind.yaml; [ $? = 1 ]' _ "$bin"
	check "$argo: stdin as -" bash -c '[ "$("$1" - <good-dag.yaml)" = "-: ok" ]' _ "$bin"
done

# lint-all: ok once for a file every version accepts; one line per version,
# naming it, for a file they refuse; exit 2 when a validator is missing.
all=$here/lint-all
n=$(echo $T3Q_ARGOLINT_MATRIX | wc -w)
check "lint-all: good-dag.yaml ok on every version" bash -c \
	'out=$("$1" good-dag.yaml); rc=$?; echo "$out"; [ $rc = 0 ] && [ "$out" = "good-dag.yaml: ok" ]' _ "$all"
check "lint-all: bad-kind.yaml refused by each of the $n versions, each named" bash -c \
	'out=$("$1" good-dag.yaml bad-kind.yaml); rc=$?; echo "$out"; [ $rc = 1 ] &&
	 [ "$(echo "$out" | grep -c "^bad-kind.yaml: KFP [0-9.]* (Argo v[0-9.]*): Unexpected resource type")" = "$2" ] &&
	 echo "$out" | grep -qx "good-dag.yaml: ok"' _ "$all" "$n"
check "lint-all: the strict-decode warning once, naming the versions" bash -c \
	'"$1" warn-unknown-field.yaml >/dev/null 2>"$2/e"; cat "$2/e"; [ "$(wc -l <"$2/e")" = 1 ] &&
	 grep -qF "KFP 1.8.5, Argo v3.3.8" "$2/e" && grep -qF "KFP 2.17, Argo v4.0.5" "$2/e"' _ "$all" "$T"
check "lint-all: a missing validator is exit 2" bash -c \
	'T3Q_CACHE=$2/none "$1" good-dag.yaml; [ $? = 2 ]' _ "$all" "$T"
check "lint-all: version-metric-colon.yaml refused by KFP 2.14 and 2.17 only" bash -c \
	'out=$("$1" version-metric-colon.yaml); rc=$?; echo "$out"; [ $rc = 1 ] &&
	 [ "$(echo "$out" | cut -d"(" -f1)" = "$(printf "%s\n" "version-metric-colon.yaml: KFP 2.14 " "version-metric-colon.yaml: KFP 2.17 ")" ]' _ "$all"
