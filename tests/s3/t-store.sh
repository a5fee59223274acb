#!/usr/bin/env bash
# The two object stores answer alike: the same puts give the same listings
# (sorted, with common prefixes), stats, gets and deletes under s3:// and
# file://.
. "$(dirname "$0")/../lib.sh"
bucket=$(new_bucket)
printf 'abc' >"$T/x"
keys=("b/2" "a b/ü+" "b/1" "b-c" "top" "b/sub/deep")

both() {  # VERB ARGS-WITH-@ROOT@: run against each store, compare outputs
	local out=()
	for root in "s3://$bucket/root" "file://$T/store/root"; do
		local args=("${@//@ROOT@/$root}")
		# Listed keys are relative to the bucket or to /: cut the root.
		t3q s3 "${args[@]}" 2>&1 | sed -E 's|  [^ ]*root/|  ROOT/|' >"$T/o.${#out[@]}"
		echo "rc=${PIPESTATUS[0]}" >>"$T/o.${#out[@]}"
		out+=("$T/o.${#out[@]}")
	done
	# s3rver lists in directory-walk order, not byte order as S3 does
	# ("b-c" after "b/..."); there, compare the sets of lines only.
	if [ "$T3Q_TEST_S3_KIND" = s3rver ]; then
		sort -o "${out[0]}" "${out[0]}"
		sort -o "${out[1]}" "${out[1]}"
	fi
	diff "${out[0]}" "${out[1]}" && cat "${out[0]}"
}

for k in "${keys[@]}"; do
	step "put '$k' into both" both put "$T/x" "@ROOT@/$k"
done
step "recursive listings agree" both ls -r "@ROOT@/"
step "delimited listings agree" both ls "@ROOT@/"
step "listings below a prefix agree" both ls "@ROOT@/b/"
step "a prefix that is not a directory agrees" both ls -r "@ROOT@/b"
step "stat agrees" both stat "@ROOT@/b/1"
step "delete agrees" both rm "@ROOT@/b/1"
step "and the listing after it" both ls -r "@ROOT@/"
get_both() {
	t3q s3 get "s3://$bucket/root/a b/ü+" "$T/g1" &&
	t3q s3 get "file://$T/store/root/a b/ü+" "$T/g2" && cmp "$T/g1" "$T/g2"
}
step "gets agree" get_both

finish
