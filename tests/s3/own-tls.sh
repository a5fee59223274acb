#!/usr/bin/env bash
# https: TLS verification is on by default; a CA bundle comes from
# AWS_CA_BUNDLE or --ca-bundle. Runs its own MinIO with a throwaway CA.
. "$(dirname "$0")/../lib.sh"
[ -n "${T3Q_TEST_S3_ENDPOINT:-}" ] && skip_all "an external endpoint is set"
"$T3Q_SRC/tests/tools/s3server.sh" start minio-tls "$T/srv" >/dev/null || exit 1
at_exit "'$T3Q_SRC/tests/tools/s3server.sh' stop '$T/srv'"
. "$T/srv/env"
printf 'over tls\n' >"$T/x"

untrusted() {
	expect_rc 1 t3q s3 mb s3://t3q-tls && expect_out "certificate"
}
step "an unknown CA is refused, and the error says certificate" untrusted
step "AWS_CA_BUNDLE makes it trusted" \
	env AWS_CA_BUNDLE="$T3Q_TEST_CA" "$T3Q_BIN/bootstrap/t3q-bootstrap" s3 mb s3://t3q-tls
roundtrip() {
	t3q s3 --ca-bundle "$T3Q_TEST_CA" put "$T/x" s3://t3q-tls/x &&
	t3q s3 --ca-bundle "$T3Q_TEST_CA" get s3://t3q-tls/x "$T/y" &&
	cmp "$T/x" "$T/y"
}
step "--ca-bundle: a round trip over https" roundtrip
step "--insecure skips verification" t3q s3 --insecure stat s3://t3q-tls/x

finish
