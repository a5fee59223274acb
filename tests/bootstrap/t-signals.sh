#!/usr/bin/env bash
# SIGTERM in every phase (issue #11): Kubernetes sends TERM, then KILL 30 s
# later. A transfer stops at once (a multipart upload is aborted), the log
# is uploaded, and the exit is 143; nothing after the phase starts. The
# transfers are held up by the fault proxy's stalls, so TERM lands in them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../s3/faults.sh"
bucket=$(new_bucket)
dir=sig-01
src=$(mk_src)
printf 'echo ran >ran.txt\necho the step ran\nhead -c 12000000 /dev/urandom >big.bin\n' >"$src/run.sh"
printf 'nonexistent-t3q-test-package==1.0\n' >"$src/requirements.txt"
upload_archive "$src" "$dir" a.tar.gz run.sh
upload_archive "$src" "$dir" req.tar.gz run.sh requirements.txt
echo data >"$T/in.txt"
t3q s3 put "$T/in.txt" "s3://$bucket/$dir/in.txt" >/dev/null 2>&1
# A 2 GiB member in a 2 MB archive (gzip members concatenate): its check
# takes seconds, long enough to be interrupted.
/usr/bin/python3 - "$T/slow.tar.gz" <<'PY'
import gzip, sys, tarfile
ti = tarfile.TarInfo("zeros.bin"); ti.size = 2 << 30
chunk = gzip.compress(bytes(64 << 20), 1)
with open(sys.argv[1], "wb") as f:
    f.write(gzip.compress(ti.tobuf(format=tarfile.GNU_FORMAT)))
    for _ in range(32):
        f.write(chunk)
    f.write(gzip.compress(bytes(1024)))
PY
t3q s3 put "$T/slow.tar.gz" "s3://$bucket/$dir/slow.tar.gz" >/dev/null 2>&1

# term_when PATTERN ARGS...: starts the step, sends TERM once PATTERN is in
# its stderr (plus a moment), waits at most 10 s; sets rc and secs.
term_when() {
	local pat=$1 t0
	shift
	rm -rf "$T/wd"; mkdir -p "$T/wd"
	(cd "$T/wd" && exec "$T3Q_BIN/bootstrap/t3q-bootstrap" -b "$bucket" -d "$dir" -n p "$@") \
		>"$T/stdout" 2>"$T/stderr" &
	pid=$!
	at_exit "kill -9 $pid 2>/dev/null"
	for _ in $(seq 1 200); do
		grep -q "$pat" "$T/stderr" && break
		sleep 0.05
	done
	sleep 0.5
	t0=$SECONDS
	kill -TERM $pid
	for _ in $(seq 1 100); do
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	kill -9 $pid 2>/dev/null
	rc=0
	wait $pid || rc=$?
	secs=$((SECONDS - t0))
}
stopped() {  # the step ended with 143 soon after TERM, and ran nothing
	show
	[ "$rc" = 143 ] && [ "$secs" -le 5 ] && [ ! -e "$T/wd/ran.txt" ]
}
log_up() { have_obj "$dir/run.log"; }
rm_log() { t3q s3 rm "s3://$bucket/$dir/run.log" >/dev/null 2>&1 || true; }

# archive download: every GET stalls
start_proxy --fail-rate 1 --faults stall --methods GET --stall-seconds 60
rm_log
term_when "processing dependencies" -e "$PROXY" -t a.tar.gz -f run.sh
step "TERM during the archive download: 143 at once, nothing runs" stopped
step "and the log is uploaded" log_up
stop_proxy

# extraction
rm_log
term_when "downloaded slow.tar.gz" -e "$T3Q_S3_ENDPOINT" -t slow.tar.gz -f run.sh
step "TERM during extraction: 143 at once, nothing runs" stopped
step "and the log is uploaded" log_up

# input download: the archive's GET passes, the input's stalls
start_proxy --after 1 --fail-rate 1 --faults stall --methods GET --stall-seconds 60
rm_log
term_when "downloaded a.tar.gz" -e "$PROXY" -t a.tar.gz -f run.sh -i in.txt
step "TERM during an input download: 143 at once, nothing runs" stopped
step "and the log is uploaded" log_up
stop_proxy

# input download in parallel parts, a thread each (s3_parts.c): the
# archive's GET, the input's HEAD, its first GET (the headers) and part 1
# pass,
# parts 2 and 3 stall; the threads see TERM through the signalfd's
# pending set, which they block too.
head -c $((12 * 1048576)) /dev/urandom >"$T/mp.bin"
T3Q_S3_PART_SIZE=5242880 t3q s3 put "$T/mp.bin" "s3://$bucket/$dir/mp.bin" >/dev/null 2>&1
start_proxy --after 4 --fail-rate 1 --faults stall --methods GET --stall-seconds 60
rm_log
T3Q_S3_PART_SIZE=5242880 term_when "downloaded a.tar.gz" -e "$PROXY" -t a.tar.gz -f run.sh -i mp.bin
parts_stopped() {
	stopped && grep -q "GET s3://$bucket/$dir/mp.bin: stopped by a signal after 0 of 2" "$T/stderr" &&
		[ -z "$(ls -A "$T/wd" | grep mp)" ]
}
step "TERM during an input's parallel parts: 143 at once, no file of it left, nothing runs" parts_stopped
step "and the log is uploaded" log_up
stop_proxy

# requirements: a pip that takes its time
cat >"$T/python" <<'SH'
#!/bin/sh
if [ "$1" = -m ] && [ "$2" = pip ]; then echo "pip: installing"; sleep 30; exit 0; fi
exec /usr/bin/python3 "$@"
SH
chmod +x "$T/python"
rm_log
T3Q_PYTHON=$T/python term_when "Installing packages" -e "$T3Q_S3_ENDPOINT" -t req.tar.gz -f run.sh
step "TERM during the requirements install: 143, the step does not run" stopped
step "and the log is uploaded" log_up

# output upload (multipart): the log's PUT passes, the parts' PUTs stall
start_proxy --after 2 --fail-rate 1 --faults stall --methods PUT --stall-seconds 60
T3Q_S3_PART_SIZE=5242880 term_when "processing outputs" -e "$PROXY" -t a.tar.gz -f run.sh -o big.bin
outputs_stopped() {
	show
	[ "$rc" = 143 ] && [ "$secs" -le 5 ] && ! have_obj "$dir/big.bin" &&
	grep -q 'aborted the multipart upload' "$T/stderr"
}
step "TERM during an output upload: 143 at once, the multipart upload aborted" outputs_stopped
step "the abort reached the server" grep -q ' DELETE .*uploadId=' "$PROXY_LOG"
stop_proxy

# the final log upload: it is what a stop owes, so it goes on (a stall of
# 3 s, then a retry), and the outputs are not uploaded
start_proxy --after 1 --max-faults 1 --fail-rate 1 --faults stall --methods PUT --stall-seconds 3
rm_log
T3Q_S3_STALL_TIMEOUT=2 term_when "executing shell script" -e "$PROXY" -t a.tar.gz -f run.sh -o big.bin
log_owed() {
	show
	[ "$rc" = 143 ] && log_up && ! have_obj "$dir/big.bin"
}
step "TERM during the log upload: the log still goes up, no outputs, 143" log_owed
stop_proxy

finish
