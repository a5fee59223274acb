#!/usr/bin/env bash
# Hostile input (issue #11): output symlinks that leave the work dir, a
# secret in the endpoint URL, a file named like an option, input '.', and
# run parameters whose values try to make variables of their own.
. "$(dirname "$0")/lib.sh"
bucket=$(new_bucket)
dir=hostile-01
src=$(mk_src)
cat >"$src/links.sh" <<'SH'
mkdir -p d data
echo ok >d/ok.txt
echo inside >data/x.txt
ln -s /etc d/etc
ln -s ../data d/in
mkdir -p e
echo fine >e/f.txt
ln -s ../data e/in
SH
printf 'print("dash ran")\n' >"$src/-x.py"
printf 'echo dash sh ran\n' >"$src/-x.sh"
printf 'cat("dash R ran\\n")\n' >"$src/-x.R"
cat >"$src/env.sh" <<'SH'
for v in P P2 P3 A B C Q EVIL EVIL2 LD_PRELOAD BASH_ENV; do
	eval "set=\${$v+x}"
	if [ -n "$set" ]; then eval "printf '%s=[%s]\n' $v \"\$$v\""; else echo "$v unset"; fi
done
[ "$PATH" != /evil ] || echo "PATH is evil"
SH
upload_archive "$src" "$dir" a.tar.gz links.sh ./-x.py ./-x.sh ./-x.R env.sh

# 3: symlinks in outputs
run_step "$T/wd1" -d "$dir" -t a.tar.gz -f links.sh -n p -o d
refused() {
	show
	[ "$rc" = 84 ] && grep -q "'d/etc' is a symlink to '/etc', outside the work dir" "$T/stderr"
}
step "an output dir with a link to /etc is refused, naming the link (84)" refused
nothing_of_it() {
	t3q s3 ls -r "s3://$bucket/$dir/" >"$T/ls" 2>&1
	cat "$T/ls"
	! grep -q "$dir/d/" "$T/ls"
}
step "and nothing of that output was uploaded (no /etc/passwd, no d/ok.txt)" nothing_of_it
run_step "$T/wd2" -d "$dir" -t a.tar.gz -f links.sh -n p -o e
inside_ok() {
	show
	[ "$rc" = 0 ] && have_obj "$dir/e/in/x.txt" && have_obj "$dir/e/f.txt"
}
step "a link that stays in the work dir is still followed, as Elyra does" inside_ok

# 7: file names that look like options
run_step "$T/wd3" -d "$dir" -t a.tar.gz -f -x.py -n p
step "'-x.py' runs as a script, not as python3's option" \
	sh -c "cat '$T/stderr'; [ $rc = 0 ] && grep -q 'dash ran' '$T/stdout'"
run_step "$T/wd3" -d "$dir" -t a.tar.gz -f -x.sh -n p
step "'-x.sh' runs under sh" \
	sh -c "cat '$T/stderr'; [ $rc = 0 ] && grep -q 'dash sh ran' '$T/stdout'"
if command -v Rscript >/dev/null; then
	run_step "$T/wd3" -d "$dir" -t a.tar.gz -f -x.R -n p
	step "'-x.R' runs under Rscript" \
		sh -c "cat '$T/stderr'; [ $rc = 0 ] && grep -q 'dash R ran' '$T/stdout'"
fi

# 8: input '.'
for dot in . ./ '  .  '; do
	run_step "$T/wd4" -d "$dir" -t a.tar.gz -f env.sh -n p -i "$dot"
	step "input '$dot' is a usage error (2) naming it" \
		sh -c "cat '$T/stderr'; [ $rc = 2 ] && grep -q \"input '.' names the work dir\" '$T/stderr'"
done

# 9: parameters. The compiler puts each value in the env whole, and in -r.
hostile() {
	P='a;LD_PRELOAD=/nonexistent/x.so;EVIL=1' P2=$'x\nEVIL2=1' \
	P3='k=v;PATH=/evil;BASH_ENV=/evil' \
	run_step "$T/wd5" -d "$dir" -t a.tar.gz -f env.sh -n p -r \
		$'P=a;LD_PRELOAD=/nonexistent/x.so;EVIL=1;P2=x\nEVIL2=1;P3=k=v;PATH=/evil;BASH_ENV=/evil;Q=2'
	show
	[ "$rc" = 0 ] &&
	grep -qxF 'P=[a;LD_PRELOAD=/nonexistent/x.so;EVIL=1]' "$T/stdout" &&
	grep -qxF 'P3=[k=v;PATH=/evil;BASH_ENV=/evil]' "$T/stdout" &&
	grep -qx 'EVIL unset' "$T/stdout" && grep -qx 'EVIL2 unset' "$T/stdout" &&
	grep -qx 'LD_PRELOAD unset' "$T/stdout" &&
	grep -qx 'BASH_ENV unset' "$T/stdout" &&
	grep -qx 'Q=\[2\]' "$T/stdout" && ! grep -q 'PATH is evil' "$T/stdout"
}
step "a value with ';', '=' and newlines never makes a variable" hostile
compatible() {
	run_step "$T/wd6" -d "$dir" -t a.tar.gz -f env.sh -n p -r 'A=1;B=two words;C='
	show
	[ "$rc" = 0 ] && grep -qx 'A=\[1\]' "$T/stdout" &&
	grep -qx 'B=\[two words\]' "$T/stdout" && grep -qx 'C unset' "$T/stdout"
}
step "bootstrapper.py's 'a=1;b=2' still works (empty values skipped)" compatible
kept() {
	A=from-env run_step "$T/wd6" -d "$dir" -t a.tar.gz -f env.sh -n p -r 'A=other;B=2'
	show
	[ "$rc" = 0 ] && grep -qx 'A=\[from-env\]' "$T/stdout" && grep -qx 'B=\[2\]' "$T/stdout"
}
step "a name already in the env keeps its value (Elyra)" kept
loader() {
	run_step "$T/wd6" -d "$dir" -t a.tar.gz -f env.sh -n p -r 'LD_PRELOAD=/nonexistent/x.so;A=1'
	show
	[ "$rc" = 0 ] && grep -qx 'LD_PRELOAD unset' "$T/stdout" &&
	grep -q "LD_PRELOAD.*cannot be set by a parameter" "$T/stderr"
}
step "a parameter may not set LD_PRELOAD even when named outright" loader

# 4: credentials in the endpoint URL never reach any output
redacted() {
	local enc_sk enc_ak host
	enc_sk=$(/usr/bin/python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1],safe=""))' "$AWS_SECRET_ACCESS_KEY")
	enc_ak=$(/usr/bin/python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1],safe=""))' "$AWS_ACCESS_KEY_ID")
	host=${T3Q_S3_ENDPOINT#http://}
	mkdir -p "$T/wd7"
	rc=0
	(cd "$T/wd7" && env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
		"$T3Q_BIN/bootstrap/t3q-bootstrap" -v \
		-e "http://$enc_ak:$enc_sk@$host" -b "$bucket" -d "$dir" \
		-t a.tar.gz -f env.sh -n p) >"$T/stdout" 2>"$T/stderr" || rc=$?
	show
	cat "$T/stdout" "$T/stderr" "$T/wcd"/* >"$T/all" 2>/dev/null
	[ "$rc" = 0 ] && grep -q '^\[D ' "$T/stderr" &&
	! grep -qF "$AWS_SECRET_ACCESS_KEY" "$T/all" && ! grep -qF "$enc_sk" "$T/all"
}
step "a secret in the endpoint URL is used, and never printed (debug level)" redacted
bad_url() {
	rc=0
	"$T3Q_BIN/bootstrap/t3q-bootstrap" s3 -v -e "http://AK:TOPSECRET@" ls "s3://$bucket" >"$T/o" 2>&1 || rc=$?
	cat "$T/o"
	[ "$rc" != 0 ] && ! grep -q TOPSECRET "$T/o"
}
step "nor in the error for an unusable endpoint" bad_url

finish
