#!/usr/bin/env bash
# Liveness: output reaches the container log as the child writes it, not
# when it exits, on each stream separately, without waiting for newlines.
. "$(dirname "$0")/lib.sh"
bucket=$(new_bucket)
dir=live-01
src=$(mk_src)
cat >"$src/slow.py" <<'PY'
import sys, time
print("first line")
sys.stderr.write("partial on stderr, no newline")
sys.stderr.flush()
time.sleep(2.5)
print("second line")
PY
upload_archive "$src" "$dir" slow.tar.gz slow.py
mkdir -p "$T/wd"
(cd "$T/wd" && exec "$T3Q_BIN/bootstrap/t3q-bootstrap" -e "$T3Q_S3_ENDPOINT" \
	-b "$bucket" -d "$dir" -t slow.tar.gz -f slow.py -n live) \
	>"$T/stdout" 2>"$T/stderr" &
pid=$!
at_exit "kill $pid 2>/dev/null"
for _ in $(seq 1 40); do
	grep -q 'first line' "$T/stdout" && break
	sleep 0.05
done
live() {
	grep -q 'first line' "$T/stdout" && ! grep -q 'second line' "$T/stdout" &&
	kill -0 $pid
}
step "the first line is on stdout while the child still runs" live
step "a partial stderr line too, before any newline" grep -q 'partial on stderr, no newline' "$T/stderr"
wait $pid
rc=$?
step "then the step completes" sh -c "[ $rc = 0 ] && grep -q 'second line' '$T/stdout'"

# A long run uploads its log every --log-upload-interval seconds, so a
# pod killed mid-run still leaves the log so far.
cat >"$src/long.sh" <<'SH'
echo "progress 1"
sleep 4
echo "progress 2"
SH
upload_archive "$src" "$dir" long.tar.gz long.sh
(cd "$T/wd" && exec "$T3Q_BIN/bootstrap/t3q-bootstrap" -e "$T3Q_S3_ENDPOINT" \
	-b "$bucket" -d "$dir" -t long.tar.gz -f long.sh -n live \
	--log-upload-interval 1) >"$T/stdout2" 2>"$T/stderr2" &
pid=$!
at_exit "kill $pid 2>/dev/null"
sleep 2.5
partial_log() {
	get_obj "$dir/long.log" "$T/partial" && grep -q 'progress 1' "$T/partial" &&
	! grep -q 'progress 2' "$T/partial" && kill -0 $pid
}
step "during the run, the log so far is already in the bucket" partial_log
wait $pid
full_log() { get_obj "$dir/long.log" "$T/full" && grep -q 'progress 2' "$T/full"; }
step "and at the end, all of it" full_log

# The periodic upload reads a log the pump goes on writing: growth during
# the upload is expected, and no warning about it reaches the log pane.
cat >"$src/chatty.py" <<'PY'
import time
end = time.time() + 3
i = 0
while time.time() < end:
    print("line %d " % i + "x" * 200, flush=True)
    i += 1
PY
upload_archive "$src" "$dir" chatty.tar.gz chatty.py
(cd "$T/wd" && exec "$T3Q_BIN/bootstrap/t3q-bootstrap" -e "$T3Q_S3_ENDPOINT" \
	-b "$bucket" -d "$dir" -t chatty.tar.gz -f chatty.py -n live \
	--log-upload-interval 1) >/dev/null 2>"$T/stderr3"
step "a log growing while it goes up is no cause for a warning" \
	sh -c "! grep -i 'changed while' '$T/stderr3'"

finish
