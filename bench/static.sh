#!/usr/bin/env bash
# static.sh: the static t3q-bootstrap's size, and its time from exec to the
# first step (the log line "starting operation": options parsed, work dir
# and log file made, S3 client and libcurl/OpenSSL initialised), median of
# 20 runs, against the dynamic build measured in the same run. On demand,
# never in CI. Prints a markdown table.
#
#   bench/static.sh [STATIC_BIN [DYNAMIC_BIN]]
#
# Defaults: build/static/t3q-bootstrap (scripts/build-static; its unstripped
# twin is t3q-bootstrap.debug) and build/bootstrap/t3q-bootstrap.
set -euo pipefail
# --help, and usage errors (2), before anything is built or made.
. "$(dirname "$0")/../scripts/lib/args.sh" && args_check 2 "STATIC_BIN and DYNAMIC_BIN" "$@"
root=$(cd "$(dirname "$0")/.." && pwd)
static=${1:-$root/build/static/t3q-bootstrap}
dynamic=${2:-$root/build/bootstrap/t3q-bootstrap}
runs=${T3Q_BENCH_RUNS:-20}
[ -x "$static" ] || { echo "static.sh: no $static; run scripts/build-static" >&2; exit 1; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# sizes BIN: "unstripped stripped" in bytes.
sizes() {
	local bin=$1 full
	full=$bin
	[ -f "$bin.debug" ] && full=$bin.debug	# build-static's layout
	strip -o "$T/stripped" "$full"
	echo "$(stat -c %s "$full") $(stat -c %s "$T/stripped")"
}

# first_step BIN: the median milliseconds from exec to "starting operation".
# The endpoint refuses connections and one attempt is allowed, so each run
# ends at once after the line; it is killed then anyway.
first_step() {
	/usr/bin/python3 - "$1" "$runs" "$T" <<'PY'
import os, statistics, subprocess, sys, time
binary, runs, tmp = sys.argv[1], int(sys.argv[2]), sys.argv[3]
env = {"PATH": "/usr/bin:/bin", "T3Q_S3_MAX_ATTEMPTS": "1",
       "ELYRA_WRITABLE_CONTAINER_DIR": tmp,
       "T3Q_TERMINATION_LOG": os.path.join(tmp, "termination-log")}
times = []
for i in range(runs):
    wd = os.path.join(tmp, "wd%d" % i)
    t0 = time.perf_counter()
    p = subprocess.Popen([binary, "-e", "http://127.0.0.1:9", "-b", "bench",
                          "-d", "bench", "-t", "x.tar.gz", "-f", "x.sh",
                          "--work-dir", wd],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, env=env)
    for line in p.stderr:
        if b"starting operation" in line:
            times.append(time.perf_counter() - t0)
            break
    p.kill()
    p.wait()
if len(times) != runs:
    sys.exit("no 'starting operation' line from %s" % binary)
print("%.2f" % (statistics.median(times) * 1000))
PY
}

read -r s_full s_stripped < <(sizes "$static")
s_ms=$(first_step "$static")
echo "| build | size (bytes) | stripped (bytes) | exec to first step, median of $runs (ms) |"
echo "|---|---:|---:|---:|"
echo "| static, musl (\`$(realpath --relative-to="$root" "$static")\`) | $s_full | $s_stripped | $s_ms |"
if [ -x "$dynamic" ]; then
	read -r d_full d_stripped < <(sizes "$dynamic")
	d_ms=$(first_step "$dynamic")
	libs=$(ldd "$dynamic" | grep -c '=>' || true)
	echo "| dynamic, glibc (\`$(realpath --relative-to="$root" "$dynamic")\`, $libs shared libraries not counted) | $d_full | $d_stripped | $d_ms |"
	echo
	awk -v s="$s_ms" -v d="$d_ms" 'BEGIN { printf "static/dynamic time to first step: %.2f\n", s / d }'
else
	echo
	echo "(no dynamic build at $dynamic to compare with)"
fi
