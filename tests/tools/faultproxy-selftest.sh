#!/bin/bash
# Self-test for tests/tools/faultproxy.py: runs a throwaway HTTP/1.1 upstream
# (python http.server, written to a temp dir) and drives the proxy with curl.
# Prints "N passed, N failed"; exits non-zero if anything failed.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
PROXY=$HERE/faultproxy.py
PY=/usr/bin/python3
CURL=/usr/bin/curl
TMP=$(mktemp -d /tmp/faultproxy-selftest.XXXXXX)
PIDS=()
PASSED=0
FAILED=0

cleanup() {   # KEEP=1 keeps $TMP (logs, data) for debugging
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    if [ -n "${KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok()   { PASSED=$((PASSED + 1)); echo "ok   - $1"; }
bad()  { FAILED=$((FAILED + 1)); echo "FAIL - $1"; }
check() { # check "description" <command...>: pass if the command succeeds
    local d=$1; shift
    if "$@"; then ok "$d"; else bad "$d"; fi
}

# ---- throwaway upstream ------------------------------------------------------
mkdir -p "$TMP/data"
cat >"$TMP/upstream.py" <<'EOF'
import http.server, os, sys
ROOT, PORTFILE = sys.argv[1], sys.argv[2]

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'          # keep-alive, Expect: 100-continue handling
    def log_message(self, *a): pass
    def fname(self, prefix=''):
        p = self.path.split('?')[0][len(prefix):].strip('/')
        return os.path.join(ROOT, p.replace('/', '_'))
    def do_HEAD(self): self.do_GET(body=False)
    def do_GET(self, body=True):
        if self.path.startswith('/echo'):   # echo request line + headers as received
            data = (self.requestline + '\n' + ''.join(
                '%s: %s\n' % kv for kv in self.headers.items())).encode('latin-1')
            self.send_response(200)
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            if body: self.wfile.write(data)
            return
        chunked = self.path.startswith('/chunked/')
        fn = self.fname('/chunked' if chunked else '')
        if not os.path.isfile(fn):
            self.send_response(404); self.send_header('Content-Length', '0'); self.end_headers()
            return
        self.send_response(200)
        if chunked:
            self.send_header('Transfer-Encoding', 'chunked')
        else:
            self.send_header('Content-Length', str(os.path.getsize(fn)))
        self.end_headers()
        if not body: return
        with open(fn, 'rb') as f:
            sizes = [1, 1000, 65536 + 7, 300000]   # odd chunk sizes on purpose
            i = 0
            while True:
                data = f.read(sizes[i % len(sizes)] if chunked else 65536)
                i += 1
                if not data: break
                if chunked: self.wfile.write(b'%x\r\n%s\r\n' % (len(data), data))
                else: self.wfile.write(data)
        if chunked: self.wfile.write(b'0\r\nX-Trailer: yes\r\n\r\n')
    def do_PUT(self):
        fn = self.fname()
        with open(fn + '.part', 'wb') as f:
            if 'chunked' in self.headers.get('Transfer-Encoding', ''):
                while True:
                    size = int(self.rfile.readline().split(b';')[0], 16)
                    if size == 0:
                        while self.rfile.readline() not in (b'\r\n', b'\n', b''): pass
                        break
                    while size:
                        d = self.rfile.read(min(size, 65536)); f.write(d); size -= len(d)
                    self.rfile.readline()
            else:
                n = int(self.headers.get('Content-Length', 0))
                while n:
                    d = self.rfile.read(min(n, 65536))
                    if not d: raise ConnectionError('short body')
                    f.write(d); n -= len(d)
        os.replace(fn + '.part', fn)
        self.send_response(200); self.send_header('Content-Length', '0'); self.end_headers()
    def do_DELETE(self):
        try: os.remove(self.fname())
        except FileNotFoundError: pass
        self.send_response(204); self.end_headers()

http.server.ThreadingHTTPServer.daemon_threads = True
srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
with open(PORTFILE + '.tmp', 'w') as f: f.write('%d\n' % srv.server_address[1])
os.replace(PORTFILE + '.tmp', PORTFILE)
srv.serve_forever()
EOF

wait_file() { # wait up to 5 s for a non-empty file
    local i
    for i in $(seq 50); do [ -s "$1" ] && return 0; sleep 0.1; done
    return 1
}

"$PY" "$TMP/upstream.py" "$TMP/data" "$TMP/upstream.port" 2>"$TMP/upstream.err" &
PIDS+=($!)
wait_file "$TMP/upstream.port" || { echo "upstream did not start"; cat "$TMP/upstream.err"; exit 1; }
UPORT=$(cat "$TMP/upstream.port")

# start_proxy NAME [proxy args...]: sets PORT; log in $TMP/NAME.log
start_proxy() {
    local name=$1; shift
    "$PY" "$PROXY" --upstream "127.0.0.1:$UPORT" --listen 127.0.0.1:0 \
        --port-file "$TMP/$name.port" --log "$TMP/$name.log" "$@" \
        >"$TMP/$name.out" 2>"$TMP/$name.err" &
    PIDS+=($!)
    LASTPID=$!
    wait_file "$TMP/$name.port" || { echo "proxy $name did not start"; cat "$TMP/$name.err"; exit 1; }
    PORT=$(cat "$TMP/$name.port")
}

# test data: 50 MiB for the big transfers, 5 MiB for uploads that get faulted
head -c $((50 * 1024 * 1024)) /dev/urandom >"$TMP/big"
head -c $((5 * 1024 * 1024)) /dev/urandom >"$TMP/mid"
cp "$TMP/big" "$TMP/data/big"
cp "$TMP/mid" "$TMP/data/mid"
: >"$TMP/data/empty"

C=("$CURL" -sS -m 20 -H 'Expect:')   # like the S3 client: no 100-continue

# rc_in "desc" "allowed codes" <curl args...>: curl's exit code must be one of them
rc_in() {
    local d=$1 allowed=$2 rc; shift 2
    "${C[@]}" "$@" >/dev/null 2>"$TMP/curl.err"; rc=$?
    if [[ " $allowed " == *" $rc "* ]]; then ok "$d (curl exit $rc)"
    else bad "$d (curl exit $rc, wanted one of: $allowed) $(head -c 200 "$TMP/curl.err")"; fi
}
# status_is "desc" CODE REGEX <curl args...>: HTTP status and body pattern
status_is() {
    local d=$1 want=$2 re=$3 got; shift 3
    : >"$TMP/body"
    got=$("${C[@]}" -o "$TMP/body" -w '%{http_code}' "$@" 2>"$TMP/curl.err")
    if [ "$got" = "$want" ] && { [ -z "$re" ] || grep -qE "$re" "$TMP/body"; }; then ok "$d (HTTP $got)"
    else bad "$d (HTTP $got, wanted $want; body: $(head -c 200 "$TMP/body"))"; fi
}

# ---- pass-through ------------------------------------------------------------
start_proxy pass --fail-rate 0
P=http://127.0.0.1:$PORT
check "stdout announces listening port" grep -qx "faultproxy listening on 127.0.0.1:$PORT" "$TMP/pass.out"

"${C[@]}" -o "$TMP/got.big" "$P/big"
check "GET 50 MiB (Content-Length) byte-identical" cmp -s "$TMP/big" "$TMP/got.big"
"${C[@]}" -o "$TMP/got.chunked" "$P/chunked/big"
check "GET 50 MiB chunked response byte-identical" cmp -s "$TMP/big" "$TMP/got.chunked"
"${C[@]}" -T "$TMP/big" "$P/up1"
check "PUT 50 MiB (Content-Length) byte-identical" cmp -s "$TMP/big" "$TMP/data/up1"
"$CURL" -sS -m 20 -H 'Expect: 100-continue' --expect100-timeout 10 -T "$TMP/mid" "$P/up2"
check "PUT with Expect: 100-continue byte-identical" cmp -s "$TMP/mid" "$TMP/data/up2"
"${C[@]}" -H 'Transfer-Encoding: chunked' -T - "$P/up3" <"$TMP/big"
check "PUT 50 MiB chunked request byte-identical" cmp -s "$TMP/big" "$TMP/data/up3"
"${C[@]}" -I -o "$TMP/head" "$P/big"
check "HEAD returns headers with Content-Length" grep -qi "^Content-Length: 52428800" "$TMP/head"
status_is "DELETE (204, no body)" 204 '' -X DELETE "$P/up3"
check "DELETE reached upstream" test ! -e "$TMP/data/up3"

# SigV4 signs the exact path, query and Host: they must arrive untouched.
"${C[@]}" --path-as-is -H 'Host: bucket.example.com:9000' -H 'X-Amz-Content-Sha256: UNSIGNED-PAYLOAD' \
    -o "$TMP/echo" "$P/echo/a/..//b%7e%2F?x=%2f&y=a+b&z=~"
check "request target forwarded verbatim" grep -qF 'GET /echo/a/..//b%7e%2F?x=%2f&y=a+b&z=~ HTTP/1.1' "$TMP/echo"
check "Host header forwarded verbatim" grep -qx 'Host: bucket.example.com:9000' "$TMP/echo"

"${C[@]}" -v -o "$TMP/ka1" "$P/mid" -o "$TMP/ka2" "$P/chunked/mid" 2>"$TMP/ka.err"
check "keep-alive: two URLs, both byte-identical" \
    bash -c "cmp -s '$TMP/mid' '$TMP/ka1' && cmp -s '$TMP/mid' '$TMP/ka2'"
check "keep-alive: curl re-used the connection" grep -q 'Re-using existing connection' "$TMP/ka.err"
check "log has one line per request" \
    bash -c "[ \$(wc -l <'$TMP/pass.log') -eq 10 ] && grep -q '^1 GET /big pass 200 -$' '$TMP/pass.log' && grep -q '^7 DELETE /up3 pass 204 -$' '$TMP/pass.log'"

# ---- error faults: answered by the proxy, connection closed, proxy survives ----
start_proxy e500 --fail-rate 1 --faults 500
for i in 1 2; do status_is "500 InternalError on GET #$i" 500 '<Code>InternalError</Code>' "http://127.0.0.1:$PORT/big"; done
status_is "500 on PUT 5 MiB: body drained, clean status" 500 'InternalError' -T "$TMP/mid" "http://127.0.0.1:$PORT/e1"
"$CURL" -sS -m 20 -H 'Expect: 100-continue' -o /dev/null -D "$TMP/hdr" -T "$TMP/mid" "http://127.0.0.1:$PORT/e2"
check "500 on PUT with 100-continue has Connection: close" grep -qi '^Connection: close' "$TMP/hdr"
check "faulted PUTs never reached upstream" bash -c "[ ! -e '$TMP/data/e1' ] && [ ! -e '$TMP/data/e2' ]"
start_proxy e503 --fail-rate 1 --faults 503
status_is "503 ServiceUnavailable" 503 '<Code>ServiceUnavailable</Code>' "http://127.0.0.1:$PORT/big"
start_proxy slow --fail-rate 1 --faults slowdown
status_is "503 SlowDown" 503 '<Code>SlowDown</Code><Message>Please reduce your request rate.</Message>' "http://127.0.0.1:$PORT/big"
status_is "SlowDown again (proxy still serving)" 503 'SlowDown' "http://127.0.0.1:$PORT/mid"

# ---- connection faults ---------------------------------------------------------
start_proxy reset --fail-rate 1 --faults reset
R=http://127.0.0.1:$PORT
for i in 1 2; do rc_in "reset mid response body, GET 50 MiB #$i" 56 "$R/big"; done
rc_in "reset mid chunked response body" 56 "$R/chunked/big"
rc_in "reset mid request body, PUT 5 MiB" "55 56" -T "$TMP/mid" "$R/r1"
check "reset PUT never reached upstream" test ! -e "$TMP/data/r1"
rc_in "reset right after head, HEAD" "52 56" -I "$R/big"
rc_in "reset right after head, DELETE" 56 -X DELETE "$R/mid"
check "reset DELETE never reached upstream" test -e "$TMP/data/mid"
rc_in "reset on GET of empty object (response dropped)" 56 "$R/empty"

start_proxy trunc --fail-rate 1 --faults truncate
T=http://127.0.0.1:$PORT
for i in 1 2; do rc_in "truncate GET 50 MiB #$i" 18 "$T/big"; done
rc_in "truncate chunked response" 18 "$T/chunked/big"
"${C[@]}" -o "$TMP/part" "$T/mid" 2>/dev/null
check "truncate delivered about half the body" \
    bash -c "s=\$(stat -c %s '$TMP/part'); [ \$s -gt 2000000 ] && [ \$s -le 2621440 ]"
rc_in "truncate on PUT (no response body): empty reply" 52 -T "$TMP/mid" "$T/t1"
check "truncated PUT did reach upstream" cmp -s "$TMP/mid" "$TMP/data/t1"

start_proxy stall --fail-rate 1 --faults stall --stall-seconds 30
S=http://127.0.0.1:$PORT
for i in 1 2; do rc_in "stall -> client timeout #$i" 28 -m 1 "$S/big"; done
rc_in "stall on PUT -> client timeout" 28 -m 1 -T "$TMP/mid" "$S/s1"
sleep 0.7   # stall ends when the client hangs up; its log line then appears
check "stall ends when client disconnects" bash -c "[ \$(wc -l <'$TMP/stall.log') -eq 3 ]"

# ---- rates, --after, seeds, signals ---------------------------------------------
start_proxy all --fail-rate 1 --stall-seconds 1
A=http://127.0.0.1:$PORT
fails=0
for i in $(seq 12); do
    code=$("${C[@]}" -m 3 -o /dev/null -w '%{http_code}' "$A/mid" 2>/dev/null); rc=$?
    if [ $rc -ne 0 ] || [ "$code" -ge 500 ]; then fails=$((fails + 1)); fi
done
check "--fail-rate 1: all 12 requests failed ($fails)" [ $fails -eq 12 ]
status_is "proxy still passes traffic after every fault kind" 200 '' "$P/mid"

start_proxy after --fail-rate 1 --faults 503 --after 2
for i in 1 2; do status_is "--after 2: request $i passes" 200 '' "http://127.0.0.1:$PORT/mid"; done
status_is "--after 2: request 3 fails" 503 ServiceUnavailable "http://127.0.0.1:$PORT/mid"

for s in seedA seedB; do
    start_proxy $s --seed 42 --fail-rate 0.5 --faults 500,503,slowdown
    for i in $(seq 10); do "${C[@]}" -o /dev/null "http://127.0.0.1:$PORT/mid" 2>/dev/null; done
done
check "same --seed gives same fault sequence" \
    bash -c "cmp -s <(cut -d' ' -f4 '$TMP/seedA.log') <(cut -d' ' -f4 '$TMP/seedB.log') && grep -q pass '$TMP/seedA.log' && grep -qv pass '$TMP/seedA.log'"

kill -TERM "$LASTPID"
rc=none
for i in $(seq 30); do
    if ! kill -0 "$LASTPID" 2>/dev/null; then wait "$LASTPID"; rc=$?; break; fi
    sleep 0.1
done
check "SIGTERM: clean exit status 0 (got $rc)" [ "$rc" = 0 ]

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
