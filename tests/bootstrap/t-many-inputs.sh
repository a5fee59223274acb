#!/usr/bin/env bash
# Many small inputs by one glob: fetched many at once on a few reused
# connections (not one after the other on one), every byte right, and a
# file whose object fails leaves nothing half-written. The count and sizes
# are drawn per run (seed printed); connections are counted with strace.
. "$(dirname "$0")/lib.sh"
bucket=$(new_bucket)
dir=many-01
seed=${T3Q_TEST_SEED:-$RANDOM}
echo "# seed $seed"
src=$(mk_src)
echo 'ls in | wc -l' >"$src/count.sh"
upload_archive "$src" "$dir" m.tar.gz count.sh
n=$(/usr/bin/python3 -c 'import random,sys; print(random.Random(int(sys.argv[1])).randint(150, 300))' "$seed")
mkdir -p "$T/in"
/usr/bin/python3 -c 'import os,random,sys
r = random.Random(int(sys.argv[1]))
for i in range(int(sys.argv[3])):
    open(os.path.join(sys.argv[2], "f%04d" % i), "wb").write(os.urandom(r.randint(0, 20000)))' \
	"$seed" "$T/in" "$n"
# A few larger than a part: those go one by one, in parts.
head -c $((5 * 1048576 + 17)) /dev/urandom >"$T/in/big1"
# One curl for all of them (its URL globbing), so the setup is quick.
curl -sS --fail --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
	-H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
	-T "$T/in/f[0000-$(printf %04d $((n - 1)))]" "$T3Q_S3_ENDPOINT/$bucket/$dir/in/" >/dev/null
t3q s3 --part-size 5242880 put "$T/in/big1" "s3://$bucket/$dir/in/big1" 2>/dev/null
port=${T3Q_S3_ENDPOINT##*:}
echo "# $n small inputs and one of 5 MiB"

mkdir -p "$T/wd"
rc=0
# LeakSanitizer cannot run under ptrace: off for this run only.
(cd "$T/wd" && ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" T3Q_S3_PART_SIZE=5242880 strace -f -qq -o "$T/strace" -e trace=connect \
	"$T3Q_BIN/bootstrap/t3q-bootstrap" -e "$T3Q_S3_ENDPOINT" -b "$bucket" \
	-d "$dir" -t m.tar.gz -f count.sh -n m -i 'in/*') >"$T/stdout" 2>"$T/stderr" || rc=$?
step "exit 0" sh -c "[ $rc = 0 ] || { tail -20 '$T/stderr'; exit 1; }"
step "the step saw all $((n + 1)) inputs" grep -qx "$((n + 1))" "$T/stdout"
same() {
	local f
	for f in "$T"/in/*; do
		cmp "$f" "$T/wd/in/$(basename "$f")" || return 1
	done
}
step "every input byte-exact" same
step "no temp file left beside them" sh -c "! ls -A '$T/wd/in' | grep -q t3q-"
conns() {
	local c
	c=$(grep -c "connect(.*sin_port=htons($port)" "$T/strace")
	echo "connections to the server: $c for $((n + 1)) objects and $((n + 2)) requests or more"
	# More than one: in parallel; far fewer than objects: reused.
	[ "$c" -ge 4 ] && [ "$c" -le 48 ]
}
step "fetched in parallel over a few reused connections" conns

# An object the proxy keeps failing: the step fails, names it, and no
# input of the batch is left half-written.
. "$(dirname "$0")/../s3/faults.sh"
start_proxy --faults 500 --fail-rate 1 --after 8 --methods GET --seed 3
mkdir -p "$T/wd2"
rc=0
(cd "$T/wd2" && T3Q_S3_MAX_ATTEMPTS=2 "$T3Q_BIN/bootstrap/t3q-bootstrap" -e "$PROXY" -b "$bucket" \
	-d "$dir" -t m.tar.gz -f count.sh -n m -i 'in/*') >"$T/stdout2" 2>"$T/stderr2" || rc=$?
stop_proxy
step "a failing input fails the step (not 0)" sh -c "[ $rc != 0 ]"
step "naming the object and the input" sh -c "grep -q 'GET s3://$bucket/$dir/in/.*HTTP 500' '$T/stderr2' && grep -q \"input 'in/\\*' could not be downloaded\" '$T/stderr2'"
complete() {
	local f
	for f in "$T"/wd2/in/*; do
		[ -e "$f" ] || continue
		cmp "$f" "$T/in/$(basename "$f")" || return 1
	done
	! ls -A "$T/wd2/in" 2>/dev/null | grep -q t3q-
}
step "what arrived is whole, and no temp file is left" complete

finish
