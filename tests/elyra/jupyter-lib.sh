# jupyter-lib.sh: start_server ROOT [APP]: a real Jupyter Server (APP
# 'server') or JupyterLab (APP 'lab') from the Elyra venv, with Elyra and
# t3q-elyra, on a free port with a random token; sets $base, $token,
# $server_pid; stopped at exit. The log is $T/server.log.
start_server() {
	local root=$1 app=${2:-server} code
	token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
	port=$(free_port)
	base=http://127.0.0.1:$port
	setsid "$ELYRA_BIN/jupyter" "$app" --allow-root --no-browser --ip=127.0.0.1 --port="$port" \
		--ServerApp.port_retries=0 --IdentityProvider.token="$token" \
		--ServerApp.root_dir="$root" >"$T/server.log" 2>&1 &
	server_pid=$!
	disown "$server_pid"
	at_exit "kill -TERM -- -$server_pid 2>/dev/null; sleep 0.5; kill -KILL -- -$server_pid 2>/dev/null"
	for _ in $(seq 1 600); do
		kill -0 "$server_pid" 2>/dev/null || break
		code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: token $token" "$base/api/status" || true)
		[ "$code" = 200 ] && return 0
		sleep 0.1
	done
	cat "$T/server.log"
	echo "the Jupyter $app did not start" >&2
	return 1
}

# api METHOD PATH [BODY_FILE]: the REST call; status in $T/status, body in $T/body.
api() {
	"$ELYRA_BIN/python" "$T3Q_SRC/tests/elyra/rest.py" "$base" "$token" "$@" >"$T/resp" || return 1
	head -n1 "$T/resp" >"$T/status"
	tail -n +2 "$T/resp" >"$T/body"
}

# browser_setup NAME: headless Chromium for the tests/elyra/jupyterlab-*.js
# scripts (Debian's chromium, playwright-core from tests/tools/browser; the
# test skips without them: scripts/install-test-deps). Screenshots go to
# $shots, the build dir's tests/NAME, emptied first and kept after the test.
browser_setup() {
	export T3Q_CHROMIUM=${T3Q_CHROMIUM:-/usr/bin/chromium}
	export T3Q_PLAYWRIGHT=$T3Q_SRC/tests/tools/browser/node_modules/playwright-core
	[ -x "$T3Q_CHROMIUM" ] || skip_all "no chromium at $T3Q_CHROMIUM: run scripts/install-test-deps"
	[ -d "$T3Q_PLAYWRIGHT" ] || skip_all "no playwright-core in tests/tools/browser: run scripts/install-test-deps"
	command -v node >/dev/null || skip_all "no node"
	shots=$T3Q_BIN/tests/$1
	rm -rf "$shots"
	mkdir -p "$shots"
}
