#!/usr/bin/env bash
# A full disk and archive limits (issue #11): the work dir on a 50 MB
# tmpfs. Extraction that runs out of space stops with 85 and runs nothing;
# a gzip bomb and archives over the limits stop with 82 before a byte is
# written; a log that cannot be written says where it was cut and fails
# the step with 85, while the container log keeps everything; an output
# that cannot be staged as an Argo artifact fails the step, naming it.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip_all "needs root to mount a tmpfs"
bucket=$(new_bucket)
dir=full-01
wd=$T/wd
mkdir -p "$wd"
mount -t tmpfs -o size=50m tmpfs "$wd" 2>/dev/null || skip_all "cannot mount a tmpfs"
at_exit "umount -l '$wd'"
src=$(mk_src)
printf 'echo ran >ran.txt\necho the step ran\n' >"$src/run.sh"
head -c $((60 * 1048576)) /dev/zero >"$src/big.bin"
# 60 MB of output through the log: more than the disk holds.
cat >"$src/loud.py" <<'PY'
import sys
line = ("x" * 99 + "\n").encode()
for i in range(600000):
    sys.stdout.buffer.write(line)
print("the end", flush=True)
PY
upload_archive "$src" "$dir" big.tar.gz run.sh big.bin
upload_archive "$src" "$dir" loud.tar.gz loud.py
mkdir -p "$src/many"
for i in $(seq 1 20); do echo $i >"$src/many/f$i"; done
upload_archive "$src" "$dir" many.tar.gz run.sh many

clean_wd() { rm -rf "${wd:?}"/* "${wd:?}"/.[!.]* 2>/dev/null || true; }

clean_wd
run_step "$wd" -d "$dir" -t big.tar.gz -f run.sh -n p
no_space() {
	show
	[ "$rc" = 85 ] && grep -q "member 'big.bin'.*No space left on device" "$T/stderr" &&
	[ ! -e "$wd/ran.txt" ] && ! grep -q 'the step ran' "$T/stdout"
}
step "extraction onto a full disk: 85, naming the member and the cause; nothing runs" no_space
step "the last line says what failed" sh -c "tail -1 '$T/stderr' | grep -q 'could not be extracted: the work dir is full'"

clean_wd
T3Q_MAX_EXTRACT_BYTES=1M run_step "$wd" -d "$dir" -t big.tar.gz -f run.sh -n p
over_bytes() {
	show
	[ "$rc" = 82 ] && grep -q "over the limit of 1048576 bytes" "$T/stderr" &&
	grep -q -- "--max-extract-bytes/T3Q_MAX_EXTRACT_BYTES" "$T/stderr" &&
	[ ! -e "$wd/big.bin" ] && [ ! -e "$wd/ran.txt" ]
}
step "over T3Q_MAX_EXTRACT_BYTES: 82, naming the limit and how to raise it" over_bytes

clean_wd
run_step "$wd" -d "$dir" -t many.tar.gz -f run.sh -n p --max-extract-files 10
over_files() {
	show
	[ "$rc" = 82 ] && grep -q "more than 10 members" "$T/stderr" && [ ! -e "$wd/many" ]
}
step "over --max-extract-files: 82, nothing extracted" over_files

clean_wd
run_step "$wd" -d "$dir" -t many.tar.gz -f run.sh -n p --max-extract-files 0
step "--max-extract-files 0 lifts the limit" sh -c "[ $rc = 0 ]"

# A gzip bomb: a member claiming 10 GiB; refused from its header, at once.
/usr/bin/python3 - "$T/bomb.tar.gz" <<'PY'
import gzip, sys, tarfile, io
ti = tarfile.TarInfo("bomb.bin"); ti.size = 10 << 30
with gzip.open(sys.argv[1], "wb", compresslevel=9) as f:
    f.write(ti.tobuf(format=tarfile.GNU_FORMAT))
    zero = bytes(1 << 20)
    for _ in range(64):
        f.write(zero)
PY
t3q s3 put "$T/bomb.tar.gz" "s3://$bucket/$dir/bomb.tar.gz" >/dev/null 2>&1
clean_wd
start=$SECONDS
run_step "$wd" -d "$dir" -t bomb.tar.gz -f run.sh -n p
bomb() {
	show
	[ "$rc" = 82 ] && grep -q "over the limit of 8589934592 bytes" "$T/stderr" &&
	[ $((SECONDS - start)) -lt 10 ] && [ ! -e "$wd/bomb.bin" ]
}
step "a gzip bomb (10 GiB in a small archive) stops at the default limit" bomb

# The log on a full disk.
clean_wd
run_step "$wd" -d "$dir" -t loud.tar.gz -f loud.py -n p
log_cut() {
	grep -v '^x*$' "$T/stdout" | head; grep -v '^x*$' "$T/stderr" | head -20
	echo "rc=$rc"
	[ "$rc" = 85 ] && grep -q "the log 'loud.log' was cut at byte" "$T/stderr"
}
step "a log that cannot be written fails the step with 85" log_cut
step "the container log still got every byte" \
	sh -c "[ \$(wc -c <'$T/stdout') = \$((600000 * 100 + 8)) ]"
uploaded_log() {
	get_obj "$dir/loud.log" "$T/loud.log" || return 1
	tail -c 300 "$T/loud.log"
	tail -1 "$T/loud.log" | grep -q '^\[t3q-bootstrap: the log was cut at byte [0-9]*: cannot write .loud.log.: No space left on device\]$' &&
	n=$(tail -1 "$T/loud.log" | sed 's/.*cut at byte \([0-9]*\).*/\1/') &&
	[ "$n" -gt 0 ] && head -c "$n" "$T/loud.log" | cmp -s - <(head -c "$n" "$T/stdout")
}
step "the uploaded log is whole up to the cut and ends saying where it was cut" uploaded_log

# An input that does not fit: 81, naming the object and the cause.
clean_wd
head -c $((60 * 1048576)) /dev/urandom >"$T/in.bin"
t3q s3 put "$T/in.bin" "s3://$bucket/$dir/in.bin" >/dev/null 2>&1
upload_archive "$src" "$dir" small.tar.gz run.sh
run_step "$wd" -d "$dir" -t small.tar.gz -f run.sh -n p -i in.bin
input_full() {
	show
	[ "$rc" = 81 ] && grep -q "No space left on device" "$T/stderr" &&
	tail -1 "$T/stderr" | grep -q "input 'in.bin'" && [ ! -e "$wd/ran.txt" ]
}
step "an input that does not fit: 81, the last line naming it" input_full

# Output staging (--artifact-outputs) onto a full disk: the artifact dir is
# a 1 MB tmpfs apart from the work dir, so the 4 MB output must be copied
# (a hard link cannot cross file systems), and the copy runs out of space.
art=$T/art
mkdir -p "$art" "$T/wd2"
mount -t tmpfs -o size=1m tmpfs "$art" 2>/dev/null || skip_all "cannot mount a second tmpfs"
at_exit "umount -l '$art'"
printf 'mkdir -p out\nhead -c 4194304 /dev/zero >out/big.bin\necho made\n' >"$src/make.sh"
upload_archive "$src" "$dir" make.tar.gz make.sh
run_step "$T/wd2" -d "$dir" -t make.tar.gz -f make.sh -n p -o out/big.bin \
	--artifact-outputs "$art"
staging_full() {
	show
	{ [ "$rc" = 84 ] || [ "$rc" = 85 ]; } && grep -q "made" "$T/stdout" &&
	grep -q "No space left on device" "$T/stderr" &&
	tail -1 "$T/stderr" | grep -q "out/big.bin"
}
step "output staging onto a full disk: 84 or 85, the last line naming the output" staging_full

finish
