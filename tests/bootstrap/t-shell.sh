#!/usr/bin/env bash
# A shell node: its two streams kept apart, a `set -e` failure's own exit
# code, a directory output uploaded with everything below it, and pipeline
# parameters in its environment without overriding what is already set.
. "$(dirname "$0")/lib.sh"
bucket=$(new_bucket)
dir=shell-01
src=$(mk_src)
cat >"$src/ok.sh" <<'SH'
set -e
echo "out: P_NUM=${P_NUM-unset} P_STR=${P_STR-unset} KEEP=${KEEP-unset} EMPTY=${EMPTY-unset}"
echo "err: to stderr" >&2
echo "out: second"
mkdir -p results/sub/deeper
echo one >results/a.txt
echo two >results/sub/b.txt
echo three >results/sub/deeper/c.txt
echo hidden >results/sub/.h
SH
cat >"$src/fail.sh" <<'SH'
set -e
echo "before the failing command"
sh -c 'exit 7'
echo "after the failing command"
SH
upload_archive "$src" "$dir" sh.tar.gz ok.sh fail.sh

export KEEP=from-the-pod
run_step "$T/wd" -d "$dir" -t sh.tar.gz -f ok.sh -n shpipe -o results \
	-r "P_NUM=42;P_STR=two words;KEEP=from-the-pipeline;EMPTY=" -m env
unset KEEP
step "exit 0" sh -c "[ $rc = 0 ] || { cat '$T/stderr'; exit 1; }"
step "it ran with sh" grep -q "executing shell script using 'sh ok.sh'" "$T/stderr"
step "stdout holds the script's stdout, and only it" \
	sh -c "printf 'out: P_NUM=42 P_STR=two words KEEP=from-the-pod EMPTY=unset\nout: second\n' | cmp - '$T/stdout'"
step "stderr holds the script's stderr" grep -q '^err: to stderr$' "$T/stderr"
step "pipeline parameters are env vars of the script" grep -q 'P_NUM=42 P_STR=two words ' "$T/stdout"
step "a variable already in the bootstrap's environment is not overwritten" \
	grep -q ' KEEP=from-the-pod ' "$T/stdout"
step "an empty parameter is not set" grep -q ' EMPTY=unset$' "$T/stdout"
tree_uploaded() {
	t3q s3 ls -r "s3://$bucket/$dir/results/" >"$T/ls" &&
	awk '{print $2}' "$T/ls" | sort >"$T/keys" &&
	printf '%s\n' "$dir/results/a.txt" "$dir/results/sub/.h" \
		"$dir/results/sub/b.txt" "$dir/results/sub/deeper/c.txt" | sort | cmp - "$T/keys" &&
	get_obj "$dir/results/sub/deeper/c.txt" "$T/c.txt" && [ "$(cat "$T/c.txt")" = three ] &&
	get_obj "$dir/results/sub/.h" "$T/h" && [ "$(cat "$T/h")" = hidden ]
}
step "an output directory is uploaded recursively, dot files included" tree_uploaded

run_step "$T/wd2" -d "$dir" -t sh.tar.gz -f fail.sh -n shpipe -o results
step "a command failing under set -e: the script's exit code (7), not 84 for the missing output" \
	sh -c "[ $rc = 7 ] || { echo rc=$rc; cat '$T/stderr'; exit 1; }"
step "the script stopped there" \
	sh -c "grep -q '^before the failing command$' '$T/stdout' && ! grep -q after '$T/stdout'"
fail_log() { get_obj "$dir/fail.log" "$T/fail.log" && grep -q '^before the failing command$' "$T/fail.log"; }
step "its log is uploaded all the same" fail_log

# The extraction limits take sizes (1000, 512K, 8M; 0 for none), by flag
# and by environment; a value that is no size is a usage error.
limits() {
	run_step "$T/wd3" -d "$dir" -t sh.tar.gz -f fail.sh -n shpipe \
		--max-extract-bytes 512K --max-extract-files 1000
	[ $rc = 7 ] || { echo "flags: rc=$rc"; cat "$T/stderr"; return 1; }
	T3Q_MAX_EXTRACT_BYTES=8M T3Q_MAX_EXTRACT_FILES=0 run_step "$T/wd4" -d "$dir" -t sh.tar.gz \
		-f fail.sh -n shpipe
	[ $rc = 7 ] || { echo "env: rc=$rc"; cat "$T/stderr"; return 1; }
	run_step "$T/wd5" -d "$dir" -t sh.tar.gz -f fail.sh -n shpipe --max-extract-bytes 12X
	[ $rc = 2 ] && grep -q -- "--max-extract-bytes: not a size" "$T/stderr"
}
step "--max-extract-bytes/-files and their variables take sizes; '12X' is exit 2" limits

finish
