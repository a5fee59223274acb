#!/usr/bin/env bash
# Round trips of edge sizes, single PUT and multipart, checked by sha256.
. "$(dirname "$0")/../lib.sh"
bucket=$(new_bucket)
MiB=1048576

roundtrip() {  # SIZE [options...]
	local size=$1 f="$T/in.$1" g="$T/out.$1"
	shift
	head -c "$size" /dev/urandom >"$f"
	t3q s3 "$@" put "$f" "s3://$bucket/rt/$size" &&
	t3q s3 "$@" get "s3://$bucket/rt/$size" "$g" &&
	[ "$(sha "$f")" = "$(sha "$g")" ] &&
	[ "$(t3q s3 "$@" stat "s3://$bucket/rt/$size")" = "$size" ] &&
	rm -f "$f" "$g"
}

for size in 0 1 $((5 * MiB - 1)) $((5 * MiB)) $((5 * MiB + 1)); do
	step "$size bytes, single PUT" roundtrip $size
	step "$size bytes, 5 MiB parts" roundtrip $size --part-size $((5 * MiB))
done
step "200 MiB, multipart in 16 MiB parts" roundtrip $((200 * MiB))

multipart_etag() {
	t3q s3 --part-size $((5 * MiB)) put "$T/in.mp" "s3://$bucket/mp" 2>&1 |
		grep -q 'in 3 parts'
}
head -c $((11 * MiB)) /dev/urandom >"$T/in.mp"
step "an 11 MiB file goes up in 3 parts of 5 MiB" multipart_etag

get_into_new_dirs() {
	t3q s3 get "s3://$bucket/rt/1" "$T/a/b/c/file" 2>/dev/null ||
		{ head -c 1 /dev/urandom >"$T/one" &&
		  t3q s3 put "$T/one" "s3://$bucket/rt/1" &&
		  t3q s3 get "s3://$bucket/rt/1" "$T/a/b/c/file"; } &&
	[ -f "$T/a/b/c/file" ] &&
	[ -z "$(find "$T/a" -name '.*t3q-*')" ]
}
step "a GET creates parent directories and leaves no temp file" get_into_new_dirs

finish
