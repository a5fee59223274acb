#!/usr/bin/env bash
# s3server.sh: starts and stops the S3 servers the tests talk to, as ctest
# fixtures. State (env file, pid, data, logs) lives in STATEDIR.
#
#   s3server.sh start minio|minio-tls|minio-vhost|s3rver STATEDIR
#   s3server.sh stop STATEDIR
#
# With T3Q_TEST_S3_ENDPOINT (and T3Q_TEST_S3_ACCESS_KEY/SECRET_KEY) set,
# "start" starts nothing and points the tests at that endpoint instead.
# The env file sets T3Q_S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
# and T3Q_TEST_S3_KIND for tests/lib.sh.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/versions.sh"

free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# make_certs DIR: a throwaway CA and a server certificate for 127.0.0.1,
# as MinIO's --certs-dir wants them (public.crt, private.key), plus ca.crt.
make_certs() {
	local d=$1
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=t3q-test-ca \
		-keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
		-keyout "$d/private.key" -out "$d/server.csr" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$d/ext"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
		-CAcreateserial -days 2 -extfile "$d/ext" -out "$d/public.crt" 2>/dev/null
}

wait_ready() {  # URL PID LOG
	for _ in $(seq 1 300); do
		if ! kill -0 "$2" 2>/dev/null; then
			echo "s3server: the server exited; its log:" >&2
			cat "$3" >&2
			return 1
		fi
		code=$(curl -sk -o /dev/null -w '%{http_code}' "$1" || true)
		case "$code" in 2*|4*) return 0 ;; esac
		sleep 0.1
	done
	echo "s3server: no answer from $1 after 30 s; log:" >&2
	cat "$3" >&2
	return 1
}

start() {
	kind=$1 state=$2
	rm -rf "$state"
	mkdir -p "$state/data"
	ak=t3qtestkey
	sk="t3q-test-secret/+$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
	if [ -n "${T3Q_TEST_S3_ENDPOINT:-}" ]; then
		kind=external
		endpoint=$T3Q_TEST_S3_ENDPOINT
		ak=${T3Q_TEST_S3_ACCESS_KEY:?set T3Q_TEST_S3_ACCESS_KEY too}
		sk=${T3Q_TEST_S3_SECRET_KEY:?set T3Q_TEST_S3_SECRET_KEY too}
	else
		for try in 1 2 3; do
			port=$(free_port)
			endpoint=http://127.0.0.1:$port
			case $kind in
			minio|minio-tls|minio-vhost)
				[ -x "$T3Q_MINIO_BIN" ] || {
					echo "s3server: no MinIO at $T3Q_MINIO_BIN; run scripts/install-test-deps" >&2
					exit 1
				}
				extra=()
				if [ "$kind" = minio-tls ]; then
					make_certs "$state/certs"
					extra=(--certs-dir "$state/certs")
					endpoint=https://127.0.0.1:$port
				elif [ "$kind" = minio-vhost ]; then
					# bucket.localhost resolves to 127.0.0.1 in curl.
					export MINIO_DOMAIN=localhost
					endpoint=http://localhost:$port
				fi
				MINIO_ROOT_USER=$ak MINIO_ROOT_PASSWORD=$sk \
				MINIO_BROWSER=off MINIO_UPDATE=off \
				setsid "$T3Q_MINIO_BIN" server --quiet \
					--address "127.0.0.1:$port" "${extra[@]}" \
					"$state/data" >"$state/server.log" 2>&1 &
				ready=$endpoint/minio/health/live
				;;
			s3rver)
				setsid node "$here/s3rver/server.js" \
					--dir "$state/data" --port "$port" \
					--address 127.0.0.1 --access-key "$ak" \
					--secret-key "$sk" \
					>"$state/server.log" 2>&1 &
				ready=$endpoint/
				;;
			*) echo "s3server: unknown kind '$kind'" >&2; exit 2 ;;
			esac
			echo $! >"$state/pid"
			if wait_ready "$ready" "$!" "$state/server.log"; then
				break
			fi
			[ "$try" = 3 ] && exit 1
		done
	fi
	{
		printf 'export T3Q_TEST_S3_KIND=%q\n' "$kind"
		printf 'export T3Q_S3_ENDPOINT=%q\n' "$endpoint"
		printf 'export AWS_ACCESS_KEY_ID=%q\n' "$ak"
		printf 'export AWS_SECRET_ACCESS_KEY=%q\n' "$sk"
		[ -f "$state/certs/ca.crt" ] &&
			printf 'export T3Q_TEST_CA=%q\n' "$state/certs/ca.crt"
	} >"$state/env"
	echo "s3server: $kind at $endpoint"
}

stop() {
	state=$1
	[ -f "$state/pid" ] || return 0
	pid=$(cat "$state/pid")
	# setsid made the server a group leader: stop its children too.
	kill -TERM -- "-$pid" 2>/dev/null || true
	for _ in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL -- "-$pid" 2>/dev/null || true
	rm -rf "$state"
}

case "${1:-}" in
start) start "$2" "$3" ;;
stop) stop "$2" ;;
*) echo "usage: s3server.sh start minio|minio-tls|minio-vhost|s3rver STATEDIR | stop STATEDIR" >&2; exit 2 ;;
esac
