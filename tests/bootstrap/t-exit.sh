#!/usr/bin/env bash
# Exit status: the child's code, 128+N for a signal, SIGTERM forwarded with
# the log still uploaded, and the termination log for Kubernetes.
. "$(dirname "$0")/lib.sh"
bucket=$(new_bucket)
dir=exit-01
src=$(mk_src)
cat >"$src/three.sh" <<'SH'
echo "about to fail"
exit 3
SH
cat >"$src/killed.sh" <<'SH'
echo "about to be killed"
kill -KILL $$
SH
cat >"$src/term.py" <<'PY'
import signal, sys, time
def on_term(sig, frame):
    print("child got SIGTERM", flush=True)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.raise_signal(signal.SIGTERM)
signal.signal(signal.SIGTERM, on_term)
print("waiting", flush=True)
time.sleep(60)
PY
cat >"$src/ignore.py" <<'PY'
import signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ignoring SIGTERM", flush=True)
time.sleep(60)
PY
upload_archive "$src" "$dir" a.tar.gz three.sh killed.sh term.py ignore.py

run_step "$T/wd" -d "$dir" -t a.tar.gz -f three.sh -n p
step "a child that exits 3 gives 3" sh -c "[ $rc = 3 ]"
step "and its log is uploaded" have_obj "$dir/three.log"
touch "$T/termination-log"
run_step "$T/wd" -d "$dir" -t a.tar.gz -f three.sh -n p
step "the termination log says why, in one line" \
	sh -c "cat '$T/termination-log'; [ \$(wc -l <'$T/termination-log') = 1 ] && grep -q 'three.sh: exit 3: exited 3' '$T/termination-log'"

run_step "$T/wd" -d "$dir" -t a.tar.gz -f killed.sh -n p
step "a child killed by SIGKILL gives 137" sh -c "[ $rc = 137 ]"

# start_step FILE: the step in the background; $pid, output in $T/bg.*
start_step() {
	mkdir -p "$T/wd"
	(cd "$T/wd" && exec "$T3Q_BIN/bootstrap/t3q-bootstrap" -e "$T3Q_S3_ENDPOINT" \
		-b "$bucket" -d "$dir" -t a.tar.gz -f "$1" -n p) >"$T/bg.out" 2>"$T/bg.err" &
	pid=$!
	at_exit "kill -9 $pid 2>/dev/null"
	for _ in $(seq 1 100); do
		grep -q "$2" "$T/bg.out" && return 0
		sleep 0.05
	done
	echo "the step did not start"; cat "$T/bg.err"; return 1
}
start_step term.py waiting
kill -TERM $pid
wait $pid
rc=$?
step "SIGTERM reaches the child" grep -q 'child got SIGTERM' "$T/bg.out"
step "and the exit is 143" sh -c "[ $rc = 143 ]"
log_has_term() { get_obj "$dir/term.log" "$T/l" && grep -q 'child got SIGTERM' "$T/l"; }
step "and the log, with the child's last words, is uploaded" log_has_term

t3q s3 rm "s3://$bucket/$dir/ignore.log" 2>/dev/null
start_step ignore.py 'ignoring SIGTERM'
kill -TERM $pid
sleep 1.5
log_now() { get_obj "$dir/ignore.log" "$T/l2" && grep -q 'ignoring SIGTERM' "$T/l2"; }
step "a child that ignores SIGTERM: the log is uploaded at once" log_now
step "and the bootstrap waits for the child" kill -0 $pid
kill -KILL $pid

usage() {
	expect_rc 2 "$T3Q_BIN/bootstrap/t3q-bootstrap" -e x -b y &&
	expect_out "the following arguments are required: -d/--cos-directory"
}
step "missing required flags exit 2, as argparse" usage
step "--help exits 0" "$T3Q_BIN/bootstrap/t3q-bootstrap" --help
step "--version exits 0" "$T3Q_BIN/bootstrap/t3q-bootstrap" --version

run_step "$T/wd" -d "$dir" -t a.tar.gz -f nope.rb -n p
step "an unsupported file type is a usage error" sh -c "[ $rc = 2 ] && grep -q 'unsupported file type' '$T/stderr'"
run_step "$T/wd" -d "$dir" -t missing.tar.gz -f three.sh -n p
step "a missing archive: exit 81, naming the object" sh -c "[ $rc = 81 ] && grep -q 'GET s3://$bucket/$dir/missing.tar.gz: HTTP 404 NoSuchKey' '$T/stderr'"

finish
