#!/usr/bin/env bash
# No secret anywhere: steps that succeed, fail, miss an input or use a wrong
# secret, all at debug level; then every byte they left (stdout, stderr, the
# termination log, the KFP files, the work dirs, every object in the
# bucket) is searched for the real secret and the wrong one.
. "$(dirname "$0")/lib.sh"
bucket=$(new_bucket)
dir=secret-01
src=$(mk_src)
real=$AWS_SECRET_ACCESS_KEY
wrong="t3q-WRONG-secret-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
cat >"$src/ok.sh" <<'SH'
echo "working on $(cat data/in.txt)"
mkdir -p out && echo result >out/r.txt
SH
cat >"$src/bad.sh" <<'SH'
echo "about to fail" >&2
exit 3
SH
cat >"$src/slow.sh" <<'SH'
echo tick
sleep 1.2
echo tock
SH
upload_archive "$src" "$dir" s.tar.gz ok.sh bad.sh slow.sh
echo "input" >"$T/in.txt"
t3q s3 put "$T/in.txt" "s3://$bucket/$dir/data/in.txt" 2>/dev/null

export T3Q_LOG_LEVEL=debug T3Q_LOG_UPLOAD_INTERVAL=0.5
touch "$T/termination-log"
col=$T/collected
mkdir -p "$col"
n=0
# keep NAME: the last run's stdout, stderr and termination log, kept.
keep() {
	n=$((n + 1))
	cp "$T/stdout" "$col/$n-$1.stdout"
	cp "$T/stderr" "$col/$n-$1.stderr"
	cp "$T/termination-log" "$col/$n-$1.termination-log"
	echo "# $1: exit $rc"
}

run_step "$T/wd1" -v -d "$dir" -t s.tar.gz -f ok.sh -n sec -i data/in.txt -o "out/r.txt" \
	-r "P=1" -m env
keep success
step "a step that succeeds: exit 0" sh -c "[ $rc = 0 ]"
run_step "$T/wd1b" -v -d "$dir" -t s.tar.gz -f slow.sh -n sec
keep periodic-log-upload
step "a step whose log is uploaded while it runs: exit 0" \
	sh -c "[ $rc = 0 ] && grep -q 'uploaded the log so far (timer)' '$T/stderr'"
run_step "$T/wd2" -v -d "$dir" -t s.tar.gz -f bad.sh -n sec
keep failure
step "a step that fails: exit 3" sh -c "[ $rc = 3 ]"
run_step "$T/wd3" -v -d "$dir" -t s.tar.gz -f ok.sh -n sec -i data/missing.txt
keep missing-input
step "a missing input: exit 81" sh -c "[ $rc = 81 ]"
AWS_SECRET_ACCESS_KEY=$wrong run_step "$T/wd4" -v -d "$dir" -t s.tar.gz -f ok.sh -n sec
keep wrong-secret
step "a wrong secret: exit 81, the server's refusal named" \
	sh -c "[ $rc = 81 ] && grep -q 'SignatureDoesNotMatch' '$T/stderr'"
AWS_SECRET_ACCESS_KEY=$wrong T3Q_LOG_LEVEL=debug t3q s3 -b "$bucket" ls -r "$dir/" \
	>"$col/s3-ls-wrong.stdout" 2>"$col/s3-ls-wrong.stderr"

step "debug lines were on" grep -q '^\[D ' "$col/1-success.stderr"
cp -r "$ELYRA_WRITABLE_CONTAINER_DIR" "$col/wcd"
for w in "$T"/wd*; do cp -r "$w" "$col/$(basename "$w")"; done
fetch_all() {
	t3q s3 ls -r "s3://$bucket/" >"$T/ls" || return 1
	mkdir -p "$col/bucket"
	while read -r _ key; do
		get_obj "$key" "$col/bucket/$(echo "$key" | tr / _)" || return 1
	done <"$T/ls"
	ls "$col/bucket"
	# the archive, the input, the output, the logs
	[ -f "$col/bucket/${dir}_out_r.txt" ] && [ -f "$col/bucket/${dir}_ok.log" ] &&
	[ -f "$col/bucket/${dir}_bad.log" ]
}
step "every object in the bucket is downloaded" fetch_all
# grep -r skips nothing: the tar.gz objects are searched after unpacking.
for f in "$col"/bucket/*.tar.gz; do mkdir -p "$f.x" && tar -C "$f.x" -xzf "$f"; done
urlenc() { /usr/bin/python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
nowhere() {
	local s
	echo "$(find "$col" -type f | wc -l) files searched"
	for s in "$1" "$(urlenc "$1")"; do
		if grep -rlF -- "$s" "$col"; then
			echo "found in the files above: $s"
			return 1
		fi
	done
}
step "the real secret appears nowhere" nowhere "$real"
step "the wrong secret appears nowhere" nowhere "$wrong"

finish
