#!/usr/bin/env bash
# Every command a user runs (each executable in scripts/, bench/run,
# bench/static.sh, .ci/run) answers --help and -h with its usage on stdout
# and exit 0, and refuses an unknown option with exit 2 and a message on
# stderr, before it installs, builds or makes anything: several of them
# used to start a full build, or make a directory named "--help".
#
# Each runs from an empty cwd, with HOME and TMPDIR empty too, under a
# timeout (one that starts to build would run over it); afterwards the
# three are still empty, and the checkout's top level and build/ hold the
# same names as before. scripts/* is globbed, so a new script is covered
# without an edit here. No server, no network.
. "$(dirname "$0")/../lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)

# The names at the checkout's top level and in build/ (where the scripts
# build), and in the three dirs a run gets.
snapshot() {
	ls -A "$root" "$root/build" 2>/dev/null
	ls -A "$T/cwd" "$T/home" "$T/tmp"
}

# run SCRIPT ARGS...: in the empty dirs, at most 30 s; output in $T/out,
# $T/err, the status in $T/rc.
run() {
	local rc=0
	(cd "$T/cwd" && HOME=$T/home TMPDIR=$T/tmp timeout 30 "$@" \
		>"$T/out" 2>"$T/err" </dev/null) || rc=$?
	echo "$rc" >"$T/rc"
}

# check SCRIPT: --help, -h and an unknown option, nothing made.
check() {
	local s=$1 name before ok=0
	name=$(basename "$s")
	before=$(snapshot)
	for h in --help -h; do
		run "$s" "$h"
		if [ "$(cat "$T/rc")" != 0 ]; then
			echo "$s $h: exit $(cat "$T/rc"), not 0"; head -5 "$T/err"; ok=1
		elif ! grep -qF -- "${name%.*}" "$T/out"; then
			echo "$s $h: no usage naming ${name%.*} on stdout:"; head -5 "$T/out"; ok=1
		fi
	done
	run "$s" --no-such-option
	if [ "$(cat "$T/rc")" != 2 ]; then
		echo "$s --no-such-option: exit $(cat "$T/rc"), not 2"; head -5 "$T/err"; ok=1
	elif [ ! -s "$T/err" ]; then
		echo "$s --no-such-option: nothing on stderr"; ok=1
	fi
	if [ "$(snapshot)" != "$before" ]; then
		echo "$s made something:"
		diff <(echo "$before") <(snapshot)
		ok=1
	fi
	return $ok
}

mkdir -p "$T/cwd" "$T/home" "$T/tmp"
n=0
for s in "$root"/scripts/* "$root/bench/run" "$root/bench/static.sh" \
	"$root/.ci/run"; do
	[ -f "$s" ] && [ -x "$s" ] || continue
	n=$((n + 1))
	step "${s#"$root"/}: --help, -h, an unknown option, nothing made" check "$s"
done
step "the commands were found ($n)" test "$n" -ge 10
finish
