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

finish
