#!/usr/bin/env bash
# Listing more than 1000 keys needs continuation tokens.
. "$(dirname "$0")/../lib.sh"
bucket=$(new_bucket)

step "1100 objects are written" \
	"$T3Q_BIN/tests/s3fill" "s3://$bucket/many/" 1100
count_all() {
	n=$(t3q s3 ls -r "s3://$bucket/many/" | wc -l)
	[ "$n" = 1100 ] || { echo "listed $n keys"; return 1; }
}
step "a listing of 1100 keys returns all of them" count_all
sorted_unique() {
	t3q s3 ls -r "s3://$bucket/many/" | awk '{print $2}' >"$T/keys"
	[ "$(sort -u "$T/keys" | wc -l)" = 1100 ]
}
step "no key is listed twice" sorted_unique

delimiter() {
	printf x >"$T/x"
	t3q s3 put "$T/x" "s3://$bucket/tree/a/1" &&
	t3q s3 put "$T/x" "s3://$bucket/tree/a/2" &&
	t3q s3 put "$T/x" "s3://$bucket/tree/b/1" &&
	t3q s3 put "$T/x" "s3://$bucket/tree/top" &&
	t3q s3 ls "s3://$bucket/tree/" >"$T/ls" &&
	cat "$T/ls" &&
	grep -q 'PRE  tree/a/$' "$T/ls" && grep -q 'PRE  tree/b/$' "$T/ls" &&
	grep -q ' 1  tree/top$' "$T/ls" && [ "$(wc -l <"$T/ls")" = 3 ]
}
step "with a delimiter, common prefixes stand for their keys" delimiter

finish
