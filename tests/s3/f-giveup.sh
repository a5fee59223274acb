#!/usr/bin/env bash
# A server that always fails: the client gives up within its bounds, and
# says so; a stalled server is detected; a failed multipart is aborted.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/faults.sh"
bucket=$(new_bucket)
MiB=1048576
printf 'x' >"$T/x"

start_proxy --fail-rate 1 --faults 503
attempts_bound() {
	local start=$SECONDS
	expect_rc 1 t3q s3 -e "$PROXY" --max-attempts 4 --max-time 60 \
		put "$T/x" "s3://$bucket/x" &&
	expect_out "giving up after 4 attempts" &&
	expect_out "HTTP 503" &&
	[ $((SECONDS - start)) -lt 20 ] &&
	[ "$(grep -c ' PUT ' "$PROXY_LOG")" = 4 ]
}
step "always 503: exactly --max-attempts attempts, then a clear error" attempts_bound

time_bound() {
	local start=$SECONDS
	expect_rc 1 t3q s3 -e "$PROXY" --max-attempts 100 --max-time 3 \
		get "s3://$bucket/x" "$T/y" &&
	expect_out "T3Q_S3_MAX_TIME" &&
	[ $((SECONDS - start)) -le 8 ] && [ ! -e "$T/y" ]
}
step "always 503: gives up after --max-time, leaves no file" time_bound
stop_proxy

start_proxy --fail-rate 1 --faults stall --stall-seconds 60
stall() {
	local start=$SECONDS
	expect_rc 1 t3q s3 -e "$PROXY" --max-attempts 2 --stall-timeout 2 \
		get "s3://$bucket/x" "$T/y" &&
	expect_out "too slow: under T3Q_S3_MIN_SPEED=1024 bytes/s for T3Q_S3_STALL_TIMEOUT=2 s" &&
	[ $((SECONDS - start)) -lt 15 ]
}
step "a stalled server is detected and given up on" stall
stop_proxy

# Let creation and the first parts through, then fail everything.
start_proxy --after 3 --fail-rate 1 --faults 500 --methods PUT
head -c $((16 * MiB)) /dev/urandom >"$T/big"
abort() {
	expect_rc 1 t3q s3 -e "$PROXY" --max-attempts 2 --part-size $((5 * MiB)) \
		put "$T/big" "s3://$bucket/big" &&
	expect_out "multipart upload" &&
	expect_out "PUT s3://$bucket/big part " &&
	expect_out "giving up after 2 attempts (T3Q_S3_MAX_ATTEMPTS=2)"
}
step "a failed multipart upload is aborted, the part's give-up said" abort
step "the abort request was sent" grep -q ' DELETE .*uploadId=' "$PROXY_LOG"
stop_proxy

# A part refused for good (403 AccessDenied on an UploadPart, after creation
# and the first part): the upload fails at once, naming the part and S3's
# reason, without a retry of that part, and is aborted.
start_proxy --after 2 --fail-rate 1 --faults 403 --methods PUT
refused() {
	expect_rc 1 timeout 60 "$T3Q_BIN/bootstrap/t3q-bootstrap" s3 -e "$PROXY" --max-attempts 5 --part-size $((5 * MiB)) \
		put "$T/big" "s3://$bucket/refused" &&
	grep -Eq "PUT s3://$bucket/refused part [0-9]+: .*(403|AccessDenied)" "$T/out" &&
	! grep -q "retrying" "$T/out"
}
step "a part refused with 403 fails the upload at once, naming the part" refused
step "that multipart upload was aborted" grep -q ' DELETE .*uploadId=' "$PROXY_LOG"
stop_proxy
no_orphans() {
	[ "$T3Q_TEST_S3_KIND" != minio ] && return 0
	# MinIO lists in-progress uploads with ?uploads=; none may remain.
	curl -s --aws-sigv4 aws:amz:us-east-1:s3 \
		--user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
		-H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
		"$T3Q_S3_ENDPOINT/$bucket?uploads=" >"$T/uploads"
	cat "$T/uploads"
	grep -q '<ListMultipartUploadsResult' "$T/uploads" &&
	! grep -q '<UploadId>' "$T/uploads"
}
step "no orphan multipart upload remains on the server" no_orphans
step "and no object was created" expect_rc 1 t3q s3 stat "s3://$bucket/big"

# A download by parts whose parts always fail (the GET and part 1 pass):
# the part gives up, saying how many attempts in how long; no file.
t3q s3 --part-size $((5 * MiB)) put "$T/big" "s3://$bucket/parts" >/dev/null 2>&1
start_proxy --after 2 --fail-rate 1 --faults 503 --methods GET
parts_giveup() {
	expect_rc 1 t3q s3 -e "$PROXY" --max-attempts 2 --part-size $((5 * MiB)) \
		get "s3://$bucket/parts" "$T/parts" &&
	grep -Eq "GET s3://$bucket/parts part [2-4]: .*503.*; giving up after 2 attempts in [0-9.]+ s$" "$T/out" &&
	[ ! -e "$T/parts" ] && ! ls -A "$T" | grep -q '^\.parts\.t3q-'
}
step "a download by parts gives up on a part after --max-attempts, no file" parts_giveup
stop_proxy

finish
