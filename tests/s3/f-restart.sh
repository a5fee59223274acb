#!/usr/bin/env bash
# A MinIO restart (issue #11): the server is away for 5 s, before or in the
# middle of a transfer, and comes back. The retry budget (backoff doubling
# to 20 s, 10 attempts, 120 s) outlasts it; a server that stays away gives
# a final line naming the object, and a multipart upload that cannot be
# aborted says so. This test owns its MinIO, so the fixture's is untouched.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tools/versions.sh"
[ -x "$T3Q_MINIO_BIN" ] || skip_all "no MinIO at $T3Q_MINIO_BIN"
MiB=1048576
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export T3Q_S3_ENDPOINT=http://127.0.0.1:$port
export AWS_ACCESS_KEY_ID=restartkey AWS_SECRET_ACCESS_KEY=restart-secret-key
mkdir -p "$T/data"
# The pid lives in a file: bounce restarts the server from a subshell.
minio_start() {
	MINIO_ROOT_USER=$AWS_ACCESS_KEY_ID MINIO_ROOT_PASSWORD=$AWS_SECRET_ACCESS_KEY \
	MINIO_BROWSER=off MINIO_UPDATE=off \
	setsid "$T3Q_MINIO_BIN" server --quiet --address "127.0.0.1:$port" \
		"$T/data" >>"$T/minio.log" 2>&1 &
	echo $! >"$T/minio.pid"
	for _ in $(seq 1 100); do
		curl -s -o /dev/null "$T3Q_S3_ENDPOINT/minio/health/live" && return 0
		sleep 0.1
	done
	cat "$T/minio.log"; return 1
}
minio_kill() {
	local pid
	pid=$(cat "$T/minio.pid" 2>/dev/null) || return 0
	kill -9 -- "-$pid" 2>/dev/null
	while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
	rm -f "$T/minio.pid"
}
at_exit 'minio_kill'
minio_start || { echo "MinIO did not start"; exit 1; }
bucket=restart
t3q s3 mb "s3://$bucket" >/dev/null 2>&1 || { echo "cannot make the bucket"; exit 1; }
head -c $((24 * MiB)) /dev/urandom >"$T/big"
echo small >"$T/small"

# bounce AFTER DOWN: kills MinIO after AFTER s, restarts it DOWN s later.
bounce() { (sleep "$1"; minio_kill; sleep "$2"; minio_start) & bounce_pid=$!; }

away_at_start() {
	minio_kill
	(sleep 5; minio_start) & local b=$!
	t3q s3 put "$T/small" "s3://$bucket/small"
	local r=$?
	wait $b
	[ $r = 0 ]
}
step "a server away for 5 s when the upload starts: the upload succeeds" away_at_start

# Transfers slowed to 4 MB/s, so that the kill lands in the middle.
export T3Q_S3_MAX_SPEED=$((4 * MiB))
mid_put() {
	bounce 1.5 5
	t3q s3 --part-size $((5 * MiB)) --concurrency 2 put "$T/big" "s3://$bucket/big"
	local r=$?
	wait $bounce_pid
	[ $r = 0 ]
}
step "killed in the middle of a multipart upload, back after 5 s: it completes" mid_put
mid_get() {
	bounce 1.5 5
	t3q s3 get "s3://$bucket/big" "$T/back"
	local r=$?
	wait $bounce_pid
	[ $r = 0 ] && [ "$(sha "$T/big")" = "$(sha "$T/back")" ]
}
step "killed in the middle of a download, back after 5 s: the bytes are whole" mid_get

# For good: within a lowered budget, the last line names the object, and
# the abort that cannot reach the server says so.
gone_put() {
	(sleep 1.5; minio_kill) & local b=$!
	rc=0
	T3Q_S3_MAX_TIME=6 t3q s3 --part-size $((5 * MiB)) put "$T/big" "s3://$bucket/big2" >"$T/out" 2>&1 || rc=$?
	wait $b
	cat "$T/out"
	[ $rc != 0 ] && grep -q "could not abort multipart upload .* of s3://$bucket/big2" "$T/out"
}
step "gone for good during a multipart upload: it fails, and says the abort failed" gone_put
minio_kill
gone_get() {
	local start=$SECONDS
	rc=0
	T3Q_S3_MAX_TIME=5 t3q s3 get "s3://$bucket/big" "$T/nope" >"$T/out" 2>&1 || rc=$?
	cat "$T/out"
	# The HEAD that starts a download (what the object is) gives up first.
	[ $rc != 0 ] && tail -1 "$T/out" | grep -Eq "(HEAD|GET) s3://$bucket/big: .*giving up" &&
	[ $((SECONDS - start)) -le 10 ] && [ ! -e "$T/nope" ]
}
step "gone for good during a download: the last line names the object" gone_get

finish
