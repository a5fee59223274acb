#!/usr/bin/env bash
# Retries: through a proxy that fails 30% of requests (500, 503, SlowDown,
# resets mid-body, truncated bodies), transfers still succeed, byte-exact.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/faults.sh"
bucket=$(new_bucket)
MiB=1048576

start_proxy --fail-rate 0.3 --faults 500,503,slowdown,reset,truncate --seed 7
# 0.3^12 per request: a flake is out of reach, not merely unlikely.
opts=(-e "$PROXY" --max-attempts 12 --max-time 120 --part-size $((5 * MiB)))

through_faults() {  # SIZE
	local f="$T/in.$1" g="$T/out.$1"
	head -c "$1" /dev/urandom >"$f"
	t3q s3 "${opts[@]}" put "$f" "s3://$bucket/f/$1" &&
	t3q s3 "${opts[@]}" get "s3://$bucket/f/$1" "$g" &&
	[ "$(sha "$f")" = "$(sha "$g")" ]
}
for size in 1 $((3 * MiB)) $((23 * MiB + 5)); do
	step "$size bytes survive injected faults" through_faults $size
done
list_through() {
	"$T3Q_BIN/tests/s3fill" "s3://$bucket/l/" 30 &&
	[ "$(t3q s3 "${opts[@]}" ls -r "s3://$bucket/l/" | wc -l)" = 30 ]
}
step "listing survives injected faults" list_through

faults_happened() {
	cat "$PROXY_LOG" | awk '{print $4}' | sort | uniq -c
	for f in 500 503 slowdown reset truncate; do
		grep -q " $f " "$PROXY_LOG" || { echo "no $f was injected"; return 1; }
	done
}
step "every kind of fault was injected at least once" faults_happened

finish
