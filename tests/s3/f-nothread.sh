#!/usr/bin/env bash
# A download whose MD5 thread cannot start (a pids cgroup that holds one
# task, as a container's PID limit might) is hashed inline, with a
# warning, instead of failing: the object arrives whole and checked, and a
# damaged copy is still refused. Runs as root on cgroup v1's pids
# controller; skipped elsewhere, and under ASan (LeakSanitizer needs a
# thread of its own).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/faults.sh"
[ -n "${T3Q_SANITIZE:-}" ] && skip_all "LeakSanitizer needs a thread"
pids=/sys/fs/cgroup/pids
[ "$(id -u)" = 0 ] && [ -w "$pids/cgroup.procs" ] ||
	skip_all "no writable cgroup v1 pids controller"
cg=$pids/t3q-nothread-$$
mkdir "$cg" || skip_all "cannot create $cg"
trap 'rmdir "$cg" 2>/dev/null; rm -rf "$T"' EXIT
echo 1 >"$cg/pids.max"
bucket=$(new_bucket)
curl_s3=(curl -sS --fail --aws-sigv4 "aws:amz:us-east-1:s3"
	 --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"
	 -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD')
# Over S3_HASH_INLINE_MAX (1 MiB), so the thread is asked for; one PUT,
# so a plain-MD5 ETag and no checksum.
head -c $((8 * 1048576 + 17)) /dev/urandom >"$T/src"
"${curl_s3[@]}" -T "$T/src" "$T3Q_S3_ENDPOINT/$bucket/obj" >/dev/null ||
	{ echo "cannot put the object"; exit 1; }

# in_cgroup CMD...: CMD alone in the one-task cgroup.
in_cgroup() {
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "$@"
}
one_task_get() {
	in_cgroup "$T3Q_BIN/bootstrap/t3q-bootstrap" s3 get "s3://$bucket/obj" \
		"$T/got" 2>"$T/err"
	local rc=$?
	cat "$T/err"
	[ $rc = 0 ] || { echo "get failed: $rc"; return 1; }
	grep -q "cannot start the MD5 thread.*hashing inline" "$T/err" ||
		{ echo "no warning: was the thread refused?"; return 1; }
	cmp "$T/src" "$T/got"
}
step "no thread to be had: hashed inline, the bytes whole" one_task_get

# The inline hash still judges: a proxy flips one byte of the first
# answer; the MD5 refuses it and the retry is whole.
flipped_get() {
	start_proxy --faults flip --methods GET --fail-rate 1 --max-faults 1 \
		--after 0 --seed 1
	in_cgroup "$T3Q_BIN/bootstrap/t3q-bootstrap" s3 -e "$PROXY" \
		--max-attempts 3 get "s3://$bucket/obj" "$T/got2" 2>"$T/err2"
	local rc=$?
	stop_proxy
	cat "$T/err2"
	[ $rc = 0 ] || { echo "get failed: $rc"; return 1; }
	grep -q " flip " "$PROXY_LOG" || { echo "no byte was flipped"; return 1; }
	grep -q "MD5 .* does not match the ETag" "$T/err2" ||
		{ echo "the flipped byte went unnoticed"; return 1; }
	cmp "$T/src" "$T/got2"
}
step "a flipped byte is refused by the inline MD5, the retry whole" flipped_get

finish
