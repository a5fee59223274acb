#!/usr/bin/env bash
# An output the server refuses (MinIO: KeyTooLongError, a key over 1024
# bytes) fails the step with 84, naming the output; the other outputs and
# the log still go up.
. "$(dirname "$0")/lib.sh"
bucket=$(new_bucket)
dir=refused-01
src=$(mk_src)
long=$(printf 'd%.0s' $(seq 1 200))
long="$long/$long/$long/$long/$long/$long"
cat >"$src/run.sh" <<SH
mkdir -p $long
echo deep >$long/f.txt
echo fine >ok.txt
SH
upload_archive "$src" "$dir" a.tar.gz run.sh

run_step "$T/wd" -d "$dir" -t a.tar.gz -f run.sh -n p -o "ok.txt;$long/f.txt"
refused() {
	show
	[ "$rc" = 84 ] && grep -q "output '$long/f.txt' was not uploaded" "$T/stderr"
}
step "an upload the server refuses: exit 84, naming the output" refused
step "the server said why" grep -q 'KeyTooLong' "$T/stderr"
step "the other output is uploaded" have_obj "$dir/ok.txt"
step "and the log" have_obj "$dir/run.log"

finish
