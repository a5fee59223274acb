# faults.sh: start_proxy ARGS... puts tests/tools/faultproxy.py in front of
# the fixture's server; $PROXY is its endpoint, $PROXY_LOG its request log.
start_proxy() {
	local dir
	dir=$(mktemp -d "$T/proxy.XXXXXX")
	PROXY_LOG=$dir/requests.log
	/usr/bin/python3 "$(dirname "$0")/../tools/faultproxy.py" \
		--upstream "${T3Q_S3_ENDPOINT#http://}" --listen 127.0.0.1:0 \
		--port-file "$dir/port" --log "$PROXY_LOG" "$@" \
		>"$dir/stdout" 2>&1 &
	PROXY_PID=$!
	at_exit "kill $PROXY_PID 2>/dev/null"
	for _ in $(seq 1 100); do
		[ -s "$dir/port" ] && break
		sleep 0.05
	done
	[ -s "$dir/port" ] || { cat "$dir/stdout"; echo "faultproxy did not start"; exit 1; }
	PROXY=http://127.0.0.1:$(cat "$dir/port")
}
stop_proxy() {
	kill "$PROXY_PID" 2>/dev/null
	wait "$PROXY_PID" 2>/dev/null || true
}
