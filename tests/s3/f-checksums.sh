#!/usr/bin/env bash
# Every checksum S3 defines, as MinIO keeps it for objects uploaded the
# way boto3 uploads them (tests/tools/s3checksum_upload.py: CRC32, boto3's
# default; CRC32C; CRC64NVME; SHA1; SHA256; multipart ones composite or
# FULL_OBJECT): a byte flipped by the proxy in a GET's body must be caught
# by that checksum and the GET retried to the exact bytes. Before, only a
# CRC32C was checked, and a multipart object with another checksum only by
# its size, so the flipped byte got through.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/faults.sh"
bucket=$(new_bucket)
MiB=1048576
seed=${T3Q_TEST_SEED:-$RANDOM}
echo "# seed $seed"
RANDOM=$seed
opts=(--max-attempts 3 --part-size $((5 * MiB)))
up() { /usr/bin/python3 "$T3Q_SRC/tests/tools/s3checksum_upload.py" "$T3Q_S3_ENDPOINT" "$bucket" "$@"; }

# flipped_get KEY SRC ALGO: one GET through a proxy flipping a byte of the
# first answer after `after` requests; the retry is clean.
flipped_get() {
	local key=$1 src=$2 algo=$3 got="$T/got.$RANDOM"
	start_proxy --faults flip --methods GET --fail-rate 1 --max-faults 1 \
		--after "${after:-0}" --seed 1
	t3q s3 -e "$PROXY" "${opts[@]}" get "s3://$bucket/$key" "$got" 2>"$T/err"
	local rc=$?
	stop_proxy
	cat "$T/err"
	[ $rc = 0 ] || { echo "get failed: $rc"; return 1; }
	grep -q " flip " "$PROXY_LOG" || { echo "no byte was flipped"; cat "$PROXY_LOG"; return 1; }
	grep -qi "$algo [^ ]* of the bytes does not match the server's" "$T/err" ||
		{ echo "no $algo mismatch in the warnings"; return 1; }
	cmp "$src" "$got"
}

n=$((RANDOM * 8 + 1))
head -c "$n" /dev/urandom >"$T/one"
for algo in crc32 crc32c crc64nvme sha1 sha256; do
	up "one-$algo" "$T/one" "$algo" || { echo "cannot upload one-$algo"; exit 1; }
	step "$n bytes with a $algo checksum: a flipped byte is caught by it and retried" \
		flipped_get "one-$algo" "$T/one" "$algo"
done

n=$((10 * MiB + RANDOM))
head -c "$n" /dev/urandom >"$T/mp"
for spec in crc32:COMPOSITE sha256:COMPOSITE sha1:COMPOSITE crc64nvme:FULL_OBJECT crc32:FULL_OBJECT; do
	algo=${spec%:*} type=${spec#*:}
	up "mp-$algo-$type" "$T/mp" "$algo" $((5 * MiB)) "$type" ||
		{ echo "cannot upload mp-$algo-$type"; exit 1; }
	after=2 step "$n bytes in 5 MiB parts, $type $algo: a flipped byte in a later part is caught and retried" \
		flipped_get "mp-$algo-$type" "$T/mp" "$algo"
done

# The whole object's FULL_OBJECT checksum is checked too, once the parts
# are in: the file is read back.
whole() {
	t3q s3 "${opts[@]}" get "s3://$bucket/mp-crc64nvme-FULL_OBJECT" "$T/w" &&
	cmp "$T/mp" "$T/w"
}
step "a FULL_OBJECT CRC64NVME multipart object arrives whole and checked" whole
finish
