#!/usr/bin/env bash
# Virtual-host addressing (bucket.host/key), against MinIO with
# MINIO_DOMAIN set; curl resolves bucket.localhost to 127.0.0.1.
. "$(dirname "$0")/../lib.sh"
[ -n "${T3Q_TEST_S3_ENDPOINT:-}" ] && skip_all "an external endpoint is set"
"$T3Q_SRC/tests/tools/s3server.sh" start minio-vhost "$T/srv" >/dev/null || exit 1
at_exit "'$T3Q_SRC/tests/tools/s3server.sh' stop '$T/srv'"
. "$T/srv/env"
printf 'vhost\n' >"$T/x"

step "path style still works" t3q s3 mb s3://t3q-vhost
vhost() {
	t3q s3 --virtual-host -v put "$T/x" "s3://t3q-vhost/a b" 2>"$T/log" &&
	grep -q "PUT http://t3q-vhost.localhost:[0-9]*/a%20b" "$T/log" &&
	T3Q_S3_VIRTUAL_HOST=1 t3q s3 get "s3://t3q-vhost/a b" "$T/y" &&
	cmp "$T/x" "$T/y" &&
	[ "$(T3Q_S3_VIRTUAL_HOST=1 t3q s3 ls -r s3://t3q-vhost/ | awk '{print $2, $3}')" = "a b" ]
}
step "virtual-host style: put, get and list" vhost

finish
