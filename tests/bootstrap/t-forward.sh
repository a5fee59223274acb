#!/usr/bin/env bash
# Signals the bootstrap gets during the run reach the child: INT, HUP,
# QUIT (which also stop the step), USR1 and USR2 (which only the child
# sees). The child traps each one and says which it got.
. "$(dirname "$0")/lib.sh"
bucket=$(new_bucket)
dir=forward-01
src=$(mk_src)
cat >"$src/trap.py" <<'PY'
import signal, sys, time
def on(sig, frame):
    print("child got " + signal.Signals(sig).name, flush=True)
    sys.exit(0)
for s in ("SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"):
    signal.signal(getattr(signal, s), on)
# One write: the step runs Python unbuffered (PYTHONUNBUFFERED), where
# print() writes the text and the newline apart, and a signal between
# the two left "trappingchild got SIGUSR2" (1 run in 4 under load).
sys.stdout.write("trapping\n")
sys.stdout.flush()
time.sleep(30)
PY
upload_archive "$src" "$dir" a.tar.gz trap.py

# forwarded SIG: the step, sent SIG once the child traps; its stdout
# must name SIG.
forwarded() {
	local sig=$1 pid
	rm -rf "$T/wd"; mkdir -p "$T/wd"
	(cd "$T/wd" && exec "$T3Q_BIN/bootstrap/t3q-bootstrap" -e "$T3Q_S3_ENDPOINT" \
		-b "$bucket" -d "$dir" -t a.tar.gz -f trap.py -n p) \
		>"$T/bg.out" 2>"$T/bg.err" &
	pid=$!
	at_exit "kill -9 $pid 2>/dev/null"
	for _ in $(seq 1 200); do
		grep -q trapping "$T/bg.out" && break
		sleep 0.05
	done
	kill -"$sig" $pid
	for _ in $(seq 1 100); do
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	kill -9 $pid 2>/dev/null
	wait $pid
	cat "$T/bg.out" "$T/bg.err"
	grep -qx "child got SIG$sig" "$T/bg.out"
}
for sig in INT HUP QUIT USR1 USR2; do
	step "SIG$sig reaches the child" forwarded $sig
done

finish
