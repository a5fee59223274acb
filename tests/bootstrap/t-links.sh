#!/usr/bin/env bash
# Outputs and the log through links (issue #21): every path the bootstrap
# uploads is resolved below the work dir, a link anywhere on it included
# (a directory link, not only the last component), and the bytes uploaded
# are those of the file that was checked. A glob is checked whole before
# any of it goes up. The child cannot swap its .log for a link.
. "$(dirname "$0")/lib.sh"
bucket=$(new_bucket)
dir=links-01
src=$(mk_src)
cat >"$src/mk.sh" <<'SH'
# "up" climbs from the work dir to /, however deep the work dir is.
up=$(printf '%s' "$PWD" | sed 's|/[^/]*|../|g')
ln -s /etc etcdir
ln -s "$up" up
echo one >out1.txt
ln -s /etc/passwd out2.txt
mkdir -p data
echo inside >data/x.txt
ln -s data rel
ln -s "$PWD/data" abs
echo ran
SH
cat >"$src/swap.sh" <<'SH'
echo "before the swap"
rm -f swap.log
ln -s /etc/passwd swap.log
echo "after the swap"
SH
cat >"$src/html.sh" <<'SH'
ln -s /etc/passwd html.html
echo "made a link for the html"
SH
upload_archive "$src" "$dir" a.tar.gz mk.sh swap.sh html.sh

nothing_under() {
	t3q s3 ls -r "s3://$bucket/$dir/$1" >"$T/ls" 2>&1
	cat "$T/ls"
	! grep -q "$dir/$1" "$T/ls"
}
no_passwd_in_bucket() {
	local k
	t3q s3 ls -r "s3://$bucket/" | awk '{print $NF}' >"$T/keys"
	while read -r k; do
		k=${k#s3://$bucket/}
		get_obj "$k" "$T/obj" || return 1
		if grep -q '^root:' "$T/obj"; then echo "$k holds /etc/passwd"; return 1; fi
	done <"$T/keys"
}

refused() {
	local n=$1 out=$2
	run_step "$T/wd$n" -d "$dir" --run-id "r$n" -t a.tar.gz -f mk.sh -n p -o "$out"
	show
	[ "$rc" = 84 ] && grep -qF "output '${out%/}'" "$T/stderr" &&
	grep -q 'outside the work dir' "$T/stderr" && nothing_under "r$n/etcdir" &&
	nothing_under "r$n/up" && nothing_under "r$n/out"
}
step "an output through a link to /etc (etcdir/passwd): 84, nothing uploaded" refused 1 etcdir/passwd
step "an output through a link to / (up/etc/passwd): 84, nothing uploaded" refused 2 up/etc/passwd
step "a glob through a link to /etc (etcdir/pass*): 84, nothing uploaded" refused 3 'etcdir/pass*'
step "a glob with one link out (out*.txt): 84, not even out1.txt goes up" refused 4 'out*.txt'
step "a directory output through a link (etcdir/): 84, nothing uploaded" refused 5 etcdir/
step "no object in the bucket is /etc/passwd" no_passwd_in_bucket

inside() {
	run_step "$T/wd6" -d "$dir" --run-id r6 -t a.tar.gz -f mk.sh -n p \
		-o "rel/x.txt;abs/x.txt;rel;out1.txt"
	show
	[ "$rc" = 0 ] && have_obj "$dir/r6/rel/x.txt" && have_obj "$dir/r6/abs/x.txt" &&
	have_obj "$dir/r6/out1.txt" && get_obj "$dir/r6/abs/x.txt" "$T/x" &&
	[ "$(cat "$T/x")" = inside ]
}
step "links that stay in the work dir, relative or absolute, are followed" inside

swapped() {
	run_step "$T/wd7" -d "$dir" -t a.tar.gz -f swap.sh -n p
	show
	get_obj "$dir/swap.log" "$T/swap.log" || return 1
	echo "--- the uploaded log:"; cat "$T/swap.log"
	[ "$rc" = 0 ] && ! grep -q '^root:' "$T/swap.log" &&
	grep -q 'before the swap' "$T/swap.log" && grep -q 'after the swap' "$T/swap.log"
}
step "a child that swaps its .log for a link: the real log goes up, whole" swapped

html_link() {
	run_step "$T/wd8" -d "$dir" -t a.tar.gz -f html.sh -n p
	show
	[ "$rc" = 84 ] && ! have_obj "$dir/html.html" &&
	grep -q "'html.html'.*outside the work dir" "$T/stderr" && have_obj "$dir/html.log"
}
step "an .html beside the log that links out: refused (84), the log still goes up" html_link
step "still no object in the bucket is /etc/passwd" no_passwd_in_bucket

finish
