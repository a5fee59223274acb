#!/usr/bin/env bash
# Clear errors: bad credentials, missing keys and buckets; no secret leaks.
. "$(dirname "$0")/../lib.sh"
bucket=$(new_bucket)
printf 'x' >"$T/x"
t3q s3 put "$T/x" "s3://$bucket/x"

step "a wrong secret: exit 1, SignatureDoesNotMatch and a hint" sh -c '
	AWS_SECRET_ACCESS_KEY=wrong-secret "$0" s3 get "s3://$1/x" "$2/y" >"$2/o" 2>&1; rc=$?
	cat "$2/o"; [ $rc = 1 ] && grep -q "SignatureDoesNotMatch" "$2/o" &&
	grep -q "AWS_SECRET_ACCESS_KEY" "$2/o" && [ ! -e "$2/y" ]' \
	"$T3Q_BIN/bootstrap/t3q-bootstrap" "$bucket" "$T"

step "an unknown access key: exit 1, InvalidAccessKeyId" sh -c '
	AWS_ACCESS_KEY_ID=NOSUCHKEY "$0" s3 ls "s3://$1/" 2>&1 | grep -q InvalidAccessKeyId &&
	! AWS_ACCESS_KEY_ID=NOSUCHKEY "$0" s3 ls "s3://$1/" 2>/dev/null' \
	"$T3Q_BIN/bootstrap/t3q-bootstrap" "$bucket"

missing() {
	expect_rc 1 t3q s3 get "s3://$bucket/no/such key" "$T/z" &&
	expect_out "GET s3://$bucket/no/such key: HTTP 404 NoSuchKey" &&
	[ ! -e "$T/z" ]
}
step "a missing key: exit 1, 'HTTP 404 NoSuchKey' with bucket and key" missing

missing_stat() {
	expect_rc 1 t3q s3 stat "s3://$bucket/nope" && expect_out "not found"
}
step "stat of a missing key says not found" missing_stat

no_bucket() {
	expect_rc 1 t3q s3 ls "s3://t3q-no-such-bucket-$$/" &&
	expect_out "NoSuchBucket"
}
step "a missing bucket: NoSuchBucket" no_bucket

anonymous() {
	expect_rc 1 env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
		"$T3Q_BIN/bootstrap/t3q-bootstrap" s3 ls "s3://$bucket/" &&
	expect_out "anonymous"
}
step "no credentials: anonymous, refused, and told so" anonymous

usage() {
	expect_rc 2 t3q s3 frobnicate x && expect_out "usage:" &&
	expect_rc 2 t3q s3 get onlyone && expect_out "usage:"
}
step "usage errors exit 2 with the usage" usage

bad_endpoint() {
	expect_rc 1 t3q s3 -e minio:9000 ls "s3://$bucket/" &&
	expect_out "has no scheme"
}
step "an endpoint without scheme is named and explained" bad_endpoint

no_leak() {
	AWS_SECRET_ACCESS_KEY=wrong-secret t3q s3 -v ls "s3://$bucket/" >"$T/leak" 2>&1
	t3q s3 -v get "s3://$bucket/nope" "$T/q" >>"$T/leak" 2>&1
	t3q s3 -v put "$T/x" "s3://$bucket/ok" >>"$T/leak" 2>&1
	! grep -qF -- "$AWS_SECRET_ACCESS_KEY" "$T/leak" &&
	! grep -qF -- "wrong-secret" "$T/leak"
}
step "no secret in any output, even at debug level" no_leak

region() {
	AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 t3q s3 stat "s3://$bucket/x"
}
step "AWS_REGION and AWS_DEFAULT_REGION set: requests still sign and pass" region

finish
