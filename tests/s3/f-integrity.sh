#!/usr/bin/env bash
# Integrity: a proxy flips one byte of a body, and t3q must notice, on every
# path its checks take, then retry to a byte-exact file (or, out of
# attempts, fail and leave nothing):
#   - a download checked by a plain-MD5 ETag (an object curl put, with no
#     checksum): the MD5 thread's verdict;
#   - t3q's own single PUT, checked by the CRC32C MinIO keeps for it;
#   - a multipart object's parts, fetched in parallel, each by the CRC32C
#     the server keeps for it (from t3q's upload);
#   - an upload whose body is damaged on the way: MinIO checks the
#     x-amz-checksum-crc32c t3q sends, answers BadDigest, and t3q retries.
# Sizes vary per run (a seeded draw); the seed is printed.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/faults.sh"
bucket=$(new_bucket)
MiB=1048576
seed=${T3Q_TEST_SEED:-$RANDOM}
echo "# seed $seed"
RANDOM=$seed
curl_s3=(curl -sS --fail --aws-sigv4 "aws:amz:us-east-1:s3"
	 --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"
	 -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD')
opts=(--max-attempts 3 --part-size $((5 * MiB)))

# flipped_get NAME KEY SRC WHAT: one GET through a proxy that flips a byte
# of the first GET answer (after `after` requests); the retry is clean.
flipped_get() {
	local name=$1 key=$2 src=$3 what=$4 got="$T/got.$1"
	start_proxy --faults flip --methods GET --fail-rate 1 --max-faults 1 \
		--after "${after:-0}" --seed 1
	t3q s3 -e "$PROXY" "${opts[@]}" get "s3://$bucket/$key" "$got" 2>"$T/err.$name"
	local rc=$?
	stop_proxy
	cat "$T/err.$name"
	[ $rc = 0 ] || { echo "get failed: $rc"; return 1; }
	grep -q " flip " "$PROXY_LOG" || { echo "no byte was flipped"; cat "$PROXY_LOG"; return 1; }
	grep -q "$what" "$T/err.$name" || { echo "no '$what' in the warnings"; return 1; }
	cmp "$src" "$got"
}
# out_of_attempts KEY: with one attempt the flipped body fails the GET,
# and no file (nor temp file) is left.
out_of_attempts() {
	local key=$1 d="$T/none.$RANDOM"
	mkdir -p "$d"
	start_proxy --faults flip --methods GET --fail-rate 1 --seed 1
	t3q s3 -e "$PROXY" --max-attempts 1 --part-size $((5 * MiB)) get "s3://$bucket/$key" "$d/f"
	local rc=$?
	stop_proxy
	[ $rc != 0 ] && [ -z "$(ls -A "$d")" ]
}

for i in 1 2 3; do
	# The first up to 1 MiB (hashed inline), the others larger (hashed by
	# the thread behind the writes), up to ~4 MB.
	if [ $i = 1 ]; then
		n=$(( RANDOM * 32 % MiB + 1 ))
	else
		n=$(( MiB + (RANDOM % 3000 + 1) * 997 ))
	fi
	f="$T/src.$i"
	head -c "$n" /dev/urandom >"$f"
	"${curl_s3[@]}" -T "$f" "$T3Q_S3_ENDPOINT/$bucket/md5/$i" >/dev/null
	step "$n bytes, plain-MD5 ETag: a flipped byte is caught and retried" \
		flipped_get md5.$i "md5/$i" "$f" "MD5 .* does not match the ETag"
	t3q s3 put "$f" "s3://$bucket/crc/$i" 2>/dev/null
	step "$n bytes, t3q's own single PUT: a flipped byte is caught by its CRC32C and retried" \
		flipped_get crc.$i "crc/$i" "$f" "CRC32C .* does not match the server's"
done
step "plain-MD5 ETag, one attempt: the GET fails and leaves no file" out_of_attempts md5/1
step "CRC32C, one attempt: the GET fails and leaves no file" out_of_attempts crc/1

# A multipart object of 5 MiB parts; the first GET (whose headers say
# "multipart": it stops there) and part 1 pass, the byte is flipped in
# another part.
for i in 1 2; do
	n=$(( 10 * MiB + (RANDOM % 8) * MiB + RANDOM ))
	f="$T/mp.$i"
	head -c "$n" /dev/urandom >"$f"
	t3q s3 --part-size $((5 * MiB)) put "$f" "s3://$bucket/mp/$i" 2>/dev/null
	after=2 step "$n bytes in parts: a flipped byte in a later part is caught and that part retried" \
		flipped_get mp.$i "mp/$i" "$f" "part [0-9]*: CRC32C .* does not match the server's"
	parts_parallel() {
		grep -c ' GET .*partNumber=' "$PROXY_LOG" | grep -qx "$(( (n + 5 * MiB - 1) / (5 * MiB) + 1 ))" &&
		grep -qE " GET /$bucket/mp/$i [a-z]+ [^ ]+ mode$" "$PROXY_LOG"
	}
	step "$n bytes in parts: every part asked by number (and the flipped one again)" parts_parallel
done

# Uploads: the body's byte flipped on its way to MinIO.
flipped_put() {  # SIZE
	local f="$T/up.$1" g="$T/up.$1.back"
	head -c "$1" /dev/urandom >"$f"
	start_proxy --faults flipup --methods PUT --fail-rate 1 --max-faults 1 --seed 1
	t3q s3 -e "$PROXY" "${opts[@]}" put "$f" "s3://$bucket/up/$1" 2>"$T/uperr"
	local rc=$?
	stop_proxy
	cat "$T/uperr"
	[ $rc = 0 ] || return 1
	grep -q " flipup " "$PROXY_LOG" && grep -q "BadDigest\|ChecksumMismatch\|400" "$T/uperr" &&
	t3q s3 get "s3://$bucket/up/$1" "$g" && cmp "$f" "$g"
}
for n in $((RANDOM + 1)) $((2 * MiB + RANDOM)) $((11 * MiB + RANDOM)); do
	step "$n bytes up: a flipped byte is refused by MinIO's CRC32C check and the PUT retried" flipped_put $n
done

# What goes on the wire: every PUT carries its CRC32C; bodies up to 1 MiB
# go without "Expect: 100-continue", larger ones with it.
wire() {
	local small="$T/w.small" big="$T/w.big"
	head -c $((RANDOM + 1)) /dev/urandom >"$small"
	head -c $((MiB + 1 + RANDOM)) /dev/urandom >"$big"
	start_proxy --fail-rate 0
	t3q s3 -e "$PROXY" put "$small" "s3://$bucket/w/small" &&
	t3q s3 -e "$PROXY" put "$big" "s3://$bucket/w/big"
	local rc=$?
	stop_proxy
	cat "$PROXY_LOG"
	[ $rc = 0 ] &&
	grep ' PUT .*/w/small ' "$PROXY_LOG" | grep -q ' crc32c$' &&
	grep ' PUT .*/w/big ' "$PROXY_LOG" | grep -q ' expect,crc32c$'
}
step "PUTs carry x-amz-checksum-crc32c; no 100-continue up to 1 MiB" wire
step "a multipart part's flipped byte, one attempt: the GET fails and leaves no file" out_of_attempts mp/1

finish
