# fakes3.sh: start_fake ARGS... starts tests/tools/fakes3.py (a misbehaving
# S3 server on 127.0.0.1); $FAKE is its endpoint, $FAKE_LOG its request log.
# Credentials are any: it checks no signature.
start_fake() {
	local dir
	dir=$(mktemp -d "$T/fake.XXXXXX")
	FAKE_LOG=$dir/requests.log
	/usr/bin/python3 "$T3Q_SRC/tests/tools/fakes3.py" --port-file "$dir/port" \
		--log "$FAKE_LOG" --lifetime 600 "$@" >"$dir/stdout" 2>&1 &
	FAKE_PID=$!
	at_exit "kill $FAKE_PID 2>/dev/null"
	for _ in $(seq 1 200); do
		[ -s "$dir/port" ] && break
		kill -0 "$FAKE_PID" 2>/dev/null || break
		sleep 0.05
	done
	[ -s "$dir/port" ] || { cat "$dir/stdout"; echo "fakes3 did not start"; exit 1; }
	FAKE=http://127.0.0.1:$(cat "$dir/port")
}
stop_fake() {
	kill "$FAKE_PID" 2>/dev/null
	wait "$FAKE_PID" 2>/dev/null || true
}
# fake_s3 ARGS...: t3q-bootstrap s3 against $FAKE, with fake credentials.
fake_s3() {
	AWS_ACCESS_KEY_ID=fake AWS_SECRET_ACCESS_KEY=fake-secret \
		t3q s3 -e "$FAKE" "$@"
}
# no_temp DIR: no file but the ones named after it is in DIR.
only_files() {
	local d=$1 left
	shift
	left=$(cd "$d" && ls -A | grep -vxF -f <(printf '%s\n' "$@" ''))
	[ -z "$left" ] || { echo "left in $d: $left"; return 1; }
}
