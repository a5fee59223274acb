#!/usr/bin/env bash
# The client against a misbehaving server (tests/tools/fakes3.py): each
# fault it was seen to mishandle, forced once, then a short seeded fuzz
# run (scripts/fuzz-s3 runs it long). Whatever the server does, a GET
# leaves either the exact bytes or an error and no file, no temp file.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/fakes3.sh"
MiB=1048576
head -c $((12 * MiB + 12345)) /dev/urandom >"$T/mp"
head -c 300000 /dev/urandom >"$T/small"
objs=(--object "b/mp=$T/mp:$((5 * MiB)):none" --object "b/small=$T/small")

# forced FAULTS ARGS...: one GET with the first requests' faults forced.
forced() {
	local faults=$1 d="$T/get.$RANDOM"
	shift
	mkdir -p "$d"
	start_fake "${objs[@]}" --force "$faults"
	fake_s3 --part-size $((5 * MiB)) "$@" "$d/f" >"$T/out" 2>&1
	echo $? >"$T/rc"
	stop_fake
	cat "$T/out" "$FAKE_LOG"
	GOT=$d
}

empty206() {
	forced none,empty206 --max-attempts 1 get s3://b/mp
	[ "$(cat "$T/rc")" = 1 ] && only_files "$GOT" &&
	grep -q "GET s3://b/mp.*206.*0 bytes" "$T/out"
}
step "part 1 answered 206 with an empty body: an error naming the object, no file" empty206

empty206_retry() {
	forced none,empty206 get s3://b/mp
	[ "$(cat "$T/rc")" = 0 ] && cmp "$T/mp" "$GOT/f" && only_files "$GOT" f
}
step "part 1 answered 206 with an empty body: retried to the exact bytes" empty206_retry

empty200() {
	forced empty206 --max-attempts 1 get s3://b/md5
	[ "$(cat "$T/rc")" = 1 ] && only_files "$GOT" &&
	grep -q "an empty body, but the ETag .* is not the MD5 of nothing" "$T/out"
}
objs+=(--object "b/md5=$T/small::none")
step "an empty 200 for an object with a plain-MD5 ETag is refused, no file" empty200

# Every checksum S3 defines is checked: a byte flipped in a body that
# carries one is caught and the GET retried (before, only CRC32C and a
# plain-MD5 ETag were, and a boto3 upload's CRC32 let a flip through).
# OBJ ALGO TYPE: one object stored with that checksum.
flipped() {
	local key=$1 algo=$2 type=$3 faults=$4 want=$5 d="$T/flip.$RANDOM"
	mkdir -p "$d"
	start_fake --object "b/$key=$T/$key:${psize:-}:$algo:$type" --force "$faults"
	fake_s3 --part-size $((5 * MiB)) --max-attempts 2 get "s3://b/$key" \
		"$d/f" >"$T/out" 2>&1
	local rc=$?
	stop_fake
	cat "$T/out" "$FAKE_LOG"
	grep -q " flip$" "$FAKE_LOG" || { echo "nothing flipped"; return 1; }
	if [ "$want" = retried ]; then
		[ $rc = 0 ] && cmp "$T/$key" "$d/f" && only_files "$d" f &&
		grep -qi "$algo .* does not match the server's" "$T/out"
	else
		[ $rc = 1 ] && only_files "$d" &&
		grep -qi "$algo .* does not match the server's" "$T/out"
	fi
}
cp "$T/small" "$T/one"
for algo in crc32 crc32c crc64nvme sha1 sha256; do
	step "a flipped byte in an object with a $algo checksum is caught, and retried" \
		flipped one $algo FULL_OBJECT flip retried
done
for algo in crc32 crc32c sha1 sha256; do
	psize=$((5 * MiB)) step "a flipped byte in part 2 of a multipart object, composite $algo: caught, that part retried" \
		flipped mp $algo COMPOSITE none,none,flip retried
done
for algo in crc32 crc64nvme; do
	psize=$((5 * MiB)) step "a flipped byte in part 2, whole-object $algo: caught when the parts are put together, no file" \
		flipped mp $algo FULL_OBJECT none,none,flip failed
done

ifmatch() {
	forced none,none,ifmatch get s3://b/mp
	[ "$(cat "$T/rc")" = 0 ] && cmp "$T/mp" "$GOT/f" && only_files "$GOT" f &&
	grep -q "another version of the object" "$T/out"
}
step "a server ignoring If-Match sends a part of another version: caught, retried" ifmatch

# A part answered with other bytes than asked for is refused before a
# byte of it is written (a longer part would overwrite the next one's,
# which may be done already), and retried; FAULT: fakes3's.
misplaced() {
	forced none,none,$1 get s3://b/mp
	[ "$(cat "$T/rc")" = 0 ] && cmp "$T/mp" "$GOT/f" && only_files "$GOT" f &&
	grep -q "part [23]: the server sent bytes .* asked for (nothing written); retrying" "$T/out"
}
step "a part's Content-Range a byte late: caught, retried" misplaced badstart
step "a part's Content-Range with a total a byte larger: caught, retried" misplaced badtotal
step "a part one byte longer than asked for: caught, retried" misplaced longpart

# The same wrong answer twice is the object's own layout: a multipart
# upload whose part 1 is smaller than the others cannot be placed by part
# 1's size. Refused, no file, and said what to do.
uneven() {
	local d="$T/uneven"
	mkdir -p "$d"
	start_fake --object "b/uneven=$T/mp:$((5 * MiB))/$((6 * MiB)):none"
	fake_s3 --part-size $((5 * MiB)) get s3://b/uneven "$d/f" >"$T/out" 2>&1
	local rc=$?
	stop_fake
	cat "$T/out" "$FAKE_LOG"
	[ $rc = 1 ] && only_files "$d" &&
	grep -q "twice: the object's parts are not of one size; upload it again" "$T/out" &&
	[ "$(grep -c 'partNumber=2' "$FAKE_LOG")" -le 3 ]
}
step "a multipart object with parts of two sizes: refused after the same answer twice, no file" uneven

incomplete() {
	head -c 1000 /dev/urandom >"$T/inc"
	start_fake --force incomplete --store "$T"
	fake_s3 put "$T/inc" s3://b/inc >"$T/out" 2>&1
	local rc=$?
	stop_fake
	cat "$T/out"
	[ $rc = 0 ] && cmp "$T/inc" "$T/b%2Finc" && grep -q "IncompleteBody.*retrying" "$T/out"
}
step "an upload answered 400 IncompleteBody is retried" incomplete

think() {
	head -c $((5 * MiB + 999)) /dev/urandom >"$T/big"
	start_fake --force none,none,none,think --store "$T"
	fake_s3 --part-size $((5 * MiB)) --stall-timeout 1 --min-speed 100000 \
		--max-attempts 1 put "$T/big" s3://b/big >"$T/out" 2>&1
	local rc=$?
	stop_fake
	cat "$T/out" "$FAKE_LOG"
	[ $rc = 0 ] && cmp "$T/big" "$T/b%2Fbig" && grep -q "think" "$FAKE_LOG"
}
step "CompleteMultipartUpload thought over with whitespace is not cut as too slow" think

# A short seeded fuzz round: half the requests get a fault drawn from all
# of them (scripts/fuzz-s3 runs it for minutes).
fuzz() {
	local seed=${T3Q_TEST_SEED:-$RANDOM} san=()
	echo "# seed $seed"
	[ -n "${T3Q_SANITIZE:-}" ] && san=(--sanitize)
	/usr/bin/python3 "$T3Q_SRC/tests/tools/fuzzs3.py" \
		--bin "$T3Q_BIN/bootstrap/t3q-bootstrap" --seed "$seed" \
		--rate 0.5 --runs 16 "${san[@]}" --work "$T/fuzz"
}
step "16 gets and puts against a server answering half its requests with a fault" fuzz

# timed SECS CMD...: CMD ends within SECS seconds.
timed() {
	local max=$1 t0=$SECONDS
	shift
	"$@"
	local rc=$?
	echo "took $((SECONDS - t0)) s"
	[ $rc = 0 ] && [ $((SECONDS - t0)) -le "$max" ]
}

trickle() {
	forced trickle --max-attempts 1 --stall-timeout 2 --min-speed 100 \
		get s3://b/small
	[ "$(cat "$T/rc")" = 1 ] && only_files "$GOT" &&
	grep -q "GET s3://b/small: .*too slow.*giving up" "$T/out"
}
step "a body trickling at 2 bytes/s is cut as too slow, in seconds" timed 8 trickle

trickle_retry() {
	forced trickle --max-attempts 2 --stall-timeout 2 --min-speed 100 \
		get s3://b/small
	[ "$(cat "$T/rc")" = 0 ] && cmp "$T/small" "$GOT/f" &&
	grep -q "too slow.*retrying" "$T/out"
}
step "a trickle is retried like any transient fault" timed 10 trickle_retry

crawl() {
	forced crawl --max-attempts 1 --request-timeout 1 get s3://b/small
	[ "$(cat "$T/rc")" = 1 ] && only_files "$GOT" &&
	grep -q "too slow: .* past its deadline of 2 s" "$T/out"
}
step "a body above the speed floor but past its deadline is cut" timed 8 crawl

# term_get DIR SECS ARGS...: t3q-bootstrap s3 ARGS... get into DIR/f in
# the background, against the fake started before; TERM after SECS
# seconds, in which its threads are counted. Sets rc and tasks (the most
# threads seen); its stderr is $T/out.
term_get() {
	local d=$1 secs=$2 pid n
	shift 2
	mkdir -p "$d"
	AWS_ACCESS_KEY_ID=fake AWS_SECRET_ACCESS_KEY=fake-secret \
		"$T3Q_BIN/bootstrap/t3q-bootstrap" s3 -e "$FAKE" "$@" "$d/f" \
		2>"$T/out" &
	pid=$!
	tasks=0
	for _ in $(seq 1 $((secs * 10))); do
		sleep 0.1
		n=$(ls /proc/$pid/task 2>/dev/null | wc -l)
		[ "$n" -gt "$tasks" ] && tasks=$n
	done
	kill -TERM $pid
	wait $pid
	rc=$?
	stop_fake
	cat "$T/out"
	echo "exit $rc, at most $tasks threads"
}

term() {
	start_fake "${objs[@]}" --force trickle
	term_get "$T/term" 1 get s3://b/small
	[ $rc = 143 ] && only_files "$T/term" && grep -q "stopped by a signal" "$T/out"
}
step "s3 get stopped by TERM: exit 143 and no temp file left" timed 6 term

# Part 1 without its checksum, parts 2 to 6 with a composite CRC32 each:
# the lanes are the first to use the CRC32 table, at once (built lazily,
# it was a race: the fuzz run under ThreadSanitizer found it; scripts/test
# runs this step under it).
head -c $((26 * MiB)) /dev/urandom >"$T/mp6"
crc_in_lanes() {
	local d="$T/crclanes" rc
	mkdir -p "$d"
	start_fake --object "b/mp6=$T/mp6:$((5 * MiB)):crc32:COMPOSITE" \
		--force none,nochecksum
	fake_s3 --part-size $((5 * MiB)) --concurrency 4 get s3://b/mp6 \
		"$d/f" >"$T/out" 2>&1
	rc=$?
	stop_fake
	cat "$T/out" "$FAKE_LOG"
	[ $rc = 0 ] && cmp "$T/mp6" "$d/f" && only_files "$d" f &&
		[ "$(grep -c 'partNumber=[2-6] none' "$FAKE_LOG")" = 5 ]
}
step "parts 2 to 6 checked by their CRC32 in four threads, part 1 without one: the exact bytes" crc_in_lanes

# The parts after the first come over a thread each (s3_parts.c: lanes),
# so that on a busy node each gets its own share of the CPUs. They trickle
# here (after the first GET and part 1): the threads are counted while
# they wait, then TERM stops them all.
lanes_term() {
	start_fake --object "b/mp6=$T/mp6:$((5 * MiB)):none" \
		--force none,none,trickle,trickle,trickle,trickle,trickle
	term_get "$T/lanes" 4 --part-size $((5 * MiB)) --concurrency 4 \
		get s3://b/mp6
	[ $rc = 143 ] && [ "$tasks" -ge 4 ] && only_files "$T/lanes" &&
		grep -q "stopped by a signal after 0 of 5" "$T/out"
}
step "a parallel download: a thread a connection; TERM stops them all, exit 143, no temp file" timed 8 lanes_term

# A full disk under the parallel parts: the lane that cannot write ends the
# run, the others stop, and no part of the file is left. (Needs root for
# the tmpfs; says so and passes without.)
lanes_full() {
	local d="$T/full" rc
	mkdir -p "$d"
	mount -t tmpfs -o size=8m tmpfs "$d" 2>/dev/null ||
		{ echo "cannot mount a tmpfs: skipped"; return 0; }
	start_fake --object "b/mp6=$T/mp6:$((5 * MiB)):none"
	fake_s3 --part-size $((5 * MiB)) --concurrency 4 get s3://b/mp6 \
		"$d/f" >"$T/out" 2>&1
	rc=$?
	stop_fake
	cat "$T/out"
	only_files "$d" && umount "$d" && [ $rc = 1 ] &&
		grep -q "local file: No space left on device" "$T/out"
}
step "a parallel download onto a full disk: exit 1 at once, the cause named, no file left" timed 10 lanes_full

changed() {
	local f="$T/changing"
	head -c 300000 /dev/urandom >"$f"
	start_fake --force stall
	( sleep 0.7; head -c 300000 /dev/urandom >"$f" ) &
	local writer=$!
	fake_s3 --max-attempts 3 --stall-timeout 1 put "$f" s3://b/changed \
		>"$T/out" 2>&1
	local rc=$?
	wait $writer
	stop_fake
	cat "$T/out"
	[ $rc = 1 ] && grep -q "'$f' changed while it was uploaded" "$T/out"
}
step "a file rewritten during s3 put: the failure says it changed" changed

# The file shrinks while the first request (creating the multipart upload)
# stalls, before any part's CRC32C pass: reading past its new end must be
# an error, not a SIGBUS (the pass mapped the file until 2026-12-07 and
# died with 135, leaving the upload behind).
shrunk() {
	local f="$T/shrinking"
	cp "$T/mp" "$f"
	start_fake --force stall
	( sleep 0.5; truncate -s $((1 * MiB)) "$f" ) &
	local writer=$!
	fake_s3 --max-attempts 3 --stall-timeout 1 --part-size $((5 * MiB)) \
		--concurrency 2 put "$f" s3://b/shrunk >"$T/out" 2>&1
	local rc=$?
	wait $writer
	stop_fake
	cat "$T/out"
	echo "rc $rc"
	[ $rc = 1 ] && grep -q "'$f' changed while it was uploaded" "$T/out" &&
		grep -q "aborted the multipart upload" "$T/out"
}
step "a file that shrinks during a multipart s3 put: exit 1, it says so, the upload aborted" shrunk

# More parts than S3 takes, also counts that wrap an int (2^31 + 1 parts
# went negative and crashed calloc; 2^32 + 1 went to one part of 22 PB):
# refused before the upload is created. Sparse files on a tmpfs, which
# takes sizes ext4 does not. (Needs root for the tmpfs.)
too_many_parts() {
	local d="$T/sparse" k
	mkdir -p "$d"
	mount -t tmpfs -o size=1m tmpfs "$d" 2>/dev/null ||
		{ echo "cannot mount a tmpfs: skipped"; return 0; }
	start_fake
	for k in 10001 2147483649 4294967297; do
		truncate -s $((5 * MiB * k)) "$d/f"
		fake_s3 --part-size $((5 * MiB)) put "$d/f" s3://b/many \
			>"$T/out" 2>&1
		echo "$k parts: rc $?" >>"$T/rcs"
		cat "$T/out"
		grep -q "more than 10000 parts" "$T/out" || break
	done
	stop_fake
	umount "$d"
	cat "$T/rcs" "$FAKE_LOG"
	[ "$(grep -c ': rc 1$' "$T/rcs")" = 3 ] && ! grep -q "uploads" "$FAKE_LOG"
}
step "more than 10000 parts, 2^31 + 1 and 2^32 + 1 among them: refused before any request" timed 20 too_many_parts

# TERM while the parts are sent, the server gone meanwhile: the abort the
# stop still owes is tried for 5 s at most (S3_STOP_ABORT_TIME), not the
# whole retry schedule (74 s and deaf to more signals before 2026-12-07).
stop_dead() {
	local f="$T/sixty" p rc t0
	head -c $((60 * MiB)) /dev/urandom >"$f"
	start_fake --force "none$(printf ',slowread%.0s' $(seq 14))"
	# The binary itself, not a function's subshell, takes the TERM.
	AWS_ACCESS_KEY_ID=fake AWS_SECRET_ACCESS_KEY=fake-secret \
		"$T3Q_BIN/bootstrap/t3q-bootstrap" s3 -e "$FAKE" \
		--part-size $((5 * MiB)) --concurrency 4 put "$f" \
		s3://b/dead >"$T/out" 2>&1 &
	p=$!
	sleep 1
	kill -9 "$FAKE_PID"
	t0=$SECONDS
	kill -TERM "$p"
	wait "$p"
	rc=$?
	echo "rc $rc after $((SECONDS - t0)) s"
	cat "$T/out"
	[ $rc = 143 ] && [ $((SECONDS - t0)) -le 10 ] &&
		grep -q "stopping: 5 s at most" "$T/out" &&
		grep -q "could not abort multipart upload" "$T/out"
}
step "TERM mid-put with the server gone: the abort gives up within seconds, exit 143" stop_dead

# The server completes the upload and the answer is lost: the retry finds
# no such upload, and the object, checked against the parts sent (size,
# multipart ETag), is taken as done (exit 1 before, the object whole).
# Answered NoSuchUpload with nothing done, the put still fails.
lost_reply() {
	local f=$1 want=$2
	rm -f "$T/lost.got"
	start_fake --force "none,none,none,none,$f"
	fake_s3 --part-size $((5 * MiB)) put "$T/mp" s3://b/lost >"$T/out" 2>&1
	echo "rc $?" >>"$T/out"
	fake_s3 get s3://b/lost "$T/lost.got" >>"$T/out" 2>&1
	stop_fake
	cat "$T/out" "$FAKE_LOG"
	if [ "$want" = 0 ]; then
		grep -q "^rc 0" "$T/out" && cmp "$T/mp" "$T/lost.got" &&
			grep -q "the object is there, whole" "$T/out"
	else
		grep -q "^rc 1" "$T/out" && [ ! -e "$T/lost.got" ] &&
			grep -q "HTTP 404 NoSuchUpload" "$T/out"
	fi
}
step "a completion done but its answer lost: the put succeeds, the object whole" lost_reply lostreply 0
step "a completion answered NoSuchUpload, nothing done: the put fails" lost_reply nosuchupload 1

# Not a regular file: refused at once, before any request. A FIFO without
# a writer blocked open() until a signal before 2026-12-08.
not_regular() {
	local what rc
	mkfifo "$T/fifo"
	mkdir -p "$T/adir"
	start_fake
	for what in "$T/fifo" "$T/adir" /dev/zero; do
		timeout -s KILL 5 env AWS_ACCESS_KEY_ID=fake \
			AWS_SECRET_ACCESS_KEY=fake-secret \
			"$T3Q_BIN/bootstrap/t3q-bootstrap" s3 -e "$FAKE" \
			put "$what" s3://b/odd >"$T/out" 2>&1
		rc=$?
		cat "$T/out"
		echo "$what: rc $rc"
		[ $rc = 1 ] && grep -q "not a regular file" "$T/out" || break
	done
	stop_fake
	cat "$FAKE_LOG"
	[ $rc = 1 ] && ! grep -q "PUT\|POST" "$FAKE_LOG"
}
step "a FIFO, a directory, /dev/zero to s3 put: not a regular file, no request" not_regular

defaults() {
	local h r
	h=$(t3q s3 --help)
	for opt in max-attempts:MAX_ATTEMPTS concurrency:CONCURRENCY \
		   max-time:MAX_TIME stall-timeout:STALL_TIMEOUT \
		   min-speed:MIN_SPEED request-timeout:REQUEST_TIMEOUT; do
		r=$(sed -n "s/^#define S3_DEFAULT_${opt#*:} \([0-9]*\).*/\1/p" \
			"$T3Q_SRC/s3/s3.h")
		# The help's "default N" for the option, on its line or the next.
		echo "$h" | grep -A1 -- "--${opt%%:*} " | grep -q "default $r\b" ||
			{ echo "--help: --${opt%%:*} does not say default $r"; return 1; }
		grep -q "| \`--${opt%%:*}\` | \`T3Q_S3_${opt#*:}\` | $r\b" \
			"$T3Q_SRC/docs/reference/t3q-bootstrap.md" ||
			{ echo "docs/reference/t3q-bootstrap.md: --${opt%%:*} does not say $r"; return 1; }
	done
}
step "s3 --help and docs/reference/t3q-bootstrap.md give the client's real defaults" defaults

redacted() {
	local p="$T3Q_SRC/tests/compile/001-one-notebook/pipeline.pipeline" u
	for u in s3://key:SECRET-1@127.0.0.1:1 ftp://key:SECRET-1@host/x \
		 file://key:SECRET-1@host/x; do
		T3Q_S3_MAX_ATTEMPTS=1 "$T3Q_BIN/compiler/t3q-compile" "$p" \
			--cos-endpoint http://127.0.0.1:1 --cos-bucket b \
			--upload="$u" -o "$T/o.yaml" >"$T/out" 2>&1
		cat "$T/out"
		! grep -q SECRET-1 "$T/out" && grep -q '\*\*\*@' "$T/out" ||
			return 1
	done
}
step "t3q-compile --upload=s3://KEY:SECRET@host never prints the secret" redacted

# A listing that is not XML is an error naming the request, not an empty
# listing.
badxml() {
	start_fake --object "b/small=$T/small" --force badxml
	fake_s3 ls s3://b/ >"$T/out" 2>&1
	local rc=$?
	stop_fake
	cat "$T/out"
	[ $rc = 1 ] && grep -q "GET s3://b?.*: the listing is not valid XML" "$T/out" &&
	! grep -q small "$T/out"
}
step "a listing cut short (not XML): an error, exit 1" badxml

# Success is 2xx only: a 300 answer is an error, never the object's bytes.
status300() {
	local d="$T/s300"
	mkdir -p "$d"
	start_fake --object "b/small=$T/small" --force 300
	fake_s3 --max-attempts 1 get s3://b/small "$d/f" >"$T/out" 2>&1
	local rc=$?
	stop_fake
	cat "$T/out"
	[ $rc = 1 ] && grep -q "300" "$T/out" && only_files "$d"
}
step "a 300 answer to a GET: an error, no file" status300

finish
