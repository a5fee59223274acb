#!/usr/bin/env bash
# The live log through a store outage (issue #21): the periodic log upload
# runs beside the pump, never in it, so while the store is away (30 s
# here, T3Q_TEST_OUTAGE to change it) each line the child prints still
# reaches the container log within a second, and once the store is back
# the log object is whole.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../s3/faults.sh"
outage=${T3Q_TEST_OUTAGE:-30}
bucket=$(new_bucket)
dir=outage-01
src=$(mk_src)
cat >"$src/ticks.py" <<'PY'
import os, time
for i in range(int(os.environ["TICKS"])):
    print("tick %d %.3f" % (i, time.time()), flush=True)
    time.sleep(1)
print("done")
PY
upload_archive "$src" "$dir" a.tar.gz ticks.py
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# Each line of the bootstrap's stdout, stamped as it arrives.
stamp='import sys, time
for line in iter(sys.stdin.buffer.readline, b""):
    sys.stdout.write("%.3f %s" % (time.time(), line.decode()))
    sys.stdout.flush()
sys.stdout.write("%.3f EOF\n" % time.time())'
# start_ticks N: the step prints N ticks, a second apart, through $PROXY.
start_ticks() {
	rm -rf "$T/wd"; mkdir -p "$T/wd"
	ticks=$1
	(cd "$T/wd" && TICKS=$1 exec "$T3Q_BIN/bootstrap/t3q-bootstrap" -e "$PROXY" \
		-b "$bucket" -d "$dir" -t a.tar.gz -f ticks.py -n outage \
		--log-upload-interval 1 2>"$T/stderr" |
		/usr/bin/python3 -u -c "$stamp" >"$T/arrived") &
	pid=$!
	at_exit "kill $pid 2>/dev/null"
	for _ in $(seq 1 100); do
		grep -q 'tick 1 ' "$T/arrived" 2>/dev/null && break
		sleep 0.1
	done
}

# The store goes away (connections refused), and comes back.
start_proxy --listen "127.0.0.1:$port" --fail-rate 0
start_ticks $((outage + 6))
stop_proxy
sleep "$outage"
start_proxy --listen "127.0.0.1:$port" --fail-rate 0
rc=0
wait $pid || rc=$?

in_time() {
	cat "$T/arrived"
	/usr/bin/python3 - "$T/arrived" "$ticks" <<'PY'
import sys
late, n = [], 0
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) == 4 and f[1] == "tick":
        n += 1
        if float(f[0]) - float(f[3]) > 1.0:
            late.append("tick %s arrived %.1f s late" % (f[2], float(f[0]) - float(f[3])))
if n != int(sys.argv[2]) or late:
    sys.exit("%d ticks; %s" % (n, "; ".join(late)))
PY
}
step "every line reached the container log within 1 s, through a ${outage} s outage" in_time
whole() {
	cat "$T/stderr"
	get_obj "$dir/ticks.log" "$T/log" || return 1
	echo "--- rc=$rc; the log object:"; cat "$T/log"
	[ "$rc" = 0 ] && [ "$(grep -c '^tick ' "$T/log")" = "$ticks" ] &&
	tail -1 "$T/log" | grep -qx done
}
step "the step succeeded, and the log object is whole once the store is back" whole
tried() { cat "$T/stderr"; grep -q "PUT .*ticks.log: .*retrying" "$T/stderr"; }
step "the log was tried during the outage" tried
stop_proxy

# A store that takes each log upload and says nothing (a stall): the lines
# flow on, and when the child ends the upload still hanging gives way to
# the final one at once.
start_proxy --listen "127.0.0.1:$port" --fail-rate 1 --faults stall \
	--methods PUT --max-faults 1 --stall-seconds 60
start_ticks 8
rc=0
wait $pid || rc=$?
step "a stalled store: every line within 1 s" in_time
step "the log object is whole" whole
prompt() {
	/usr/bin/python3 - "$T/arrived" <<'PY'
import sys
t = {l.split()[1]: float(l.split()[0]) for l in open(sys.argv[1]) if len(l.split()) == 2}
print("the bootstrap ended %.1f s after the child" % (t["EOF"] - t["done"]))
sys.exit(t["EOF"] - t["done"] > 5)
PY
}
step "and the bootstrap ended within 5 s of the child" prompt

finish
