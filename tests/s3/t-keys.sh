#!/usr/bin/env bash
# Keys that need AWS's canonical encoding: spaces, unicode, + = & ? and more.
. "$(dirname "$0")/../lib.sh"
bucket=$(new_bucket)

keys=(
	"with space/file name.txt"
	"unicode/ü€ 日本語 ñ.txt"
	"punct/a+b=c&d?e.txt"
	"punct/semi;colon:at@comma,dollar\$!'()*.txt"
	"tilde~under_dash-dot./x"
	"percent/100% sure %41.txt"
)

i=0
for k in "${keys[@]}"; do
	i=$((i + 1))
	printf 'content of %s\n' "$k" >"$T/f$i"
	step "put '$k'" t3q s3 put "$T/f$i" "s3://$bucket/$k"
	step "get '$k' back" t3q s3 get "s3://$bucket/$k" "$T/g$i"
	step "'$k' is unchanged" cmp "$T/f$i" "$T/g$i"
done

list_exact() {
	t3q s3 ls -r "s3://$bucket/" | sed 's/^ *[0-9]*  //' | sort >"$T/listed"
	printf '%s\n' "${keys[@]}" | sort >"$T/want"
	diff "$T/want" "$T/listed"
}
step "the listing shows every key exactly" list_exact

list_prefix() {
	t3q s3 ls "s3://$bucket/punct/" | sed 's/^ *[0-9]*  //' | sort >"$T/listed"
	printf '%s\n' "punct/a+b=c&d?e.txt" "punct/semi;colon:at@comma,dollar\$!'()*.txt" | sort >"$T/want"
	diff "$T/want" "$T/listed"
}
step "a prefix with '+', '&' in its keys lists exactly" list_prefix

delete_weird() {
	t3q s3 rm "s3://$bucket/punct/a+b=c&d?e.txt" &&
	! t3q s3 stat "s3://$bucket/punct/a+b=c&d?e.txt" 2>/dev/null
}
step "rm of a key with '+=&?' deletes it" delete_weird

finish
