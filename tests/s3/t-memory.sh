#!/usr/bin/env bash
# Peak RSS stays under 32 MiB while 200 MiB go up and down: the client
# streams and never holds an object in memory.
. "$(dirname "$0")/../lib.sh"
[ -n "${T3Q_SANITIZE:-}" ] && skip_all "RSS means nothing under ASan"
[ -x /usr/bin/time ] || skip_all "no /usr/bin/time (apt-get install time)"
bucket=$(new_bucket)
head -c $((200 * 1048576)) /dev/urandom >"$T/big"

rss_under() {  # LIMIT_KB CMD...
	local limit=$1
	shift
	/usr/bin/time -v "$@" 2>"$T/time" || { cat "$T/time"; return 1; }
	kb=$(awk -F: '/Maximum resident set size/ {print $2+0}' "$T/time")
	echo "peak RSS ${kb} KiB"
	[ "$kb" -lt "$limit" ]
}
step "200 MiB multipart PUT: peak RSS < 32 MiB" \
	rss_under 32768 "$T3Q_BIN/bootstrap/t3q-bootstrap" s3 put "$T/big" "s3://$bucket/big"
step "200 MiB GET: peak RSS < 32 MiB" \
	rss_under 32768 "$T3Q_BIN/bootstrap/t3q-bootstrap" s3 get "s3://$bucket/big" "$T/big2"
step "and the bytes are the same" cmp "$T/big" "$T/big2"

finish
