#!/usr/bin/env bash
# Compile time grows linearly with a node's env vars and outputs: a
# pipeline with 4N of them takes less than 6 times as long as one with N
# (ratios only: absolute times depend on the machine). Each size is timed
# by CPU time, the best of three runs, so that a busy machine adds little
# noise; the 4N run is stopped once it is clearly over, so that a quadratic
# compiler fails in seconds instead of minutes.
. "$(dirname "$0")/../lib.sh"
compile=$T3Q_BIN/compiler/t3q-compile

gen() {  # KIND N DIR: one node with N env vars or N outputs
	/usr/bin/python3 - "$@" <<'PY'
import json, os, sys
kind, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(out, exist_ok=True)
open(os.path.join(out, "a.py"), "w").write("print(1)\n")
cp = {"filename": "a.py", "runtime_image": "quay.io/t3q/runtime:1"}
if kind == "env":
    cp["env_vars"] = [{"env_var": "V%d" % i, "value": "x%d" % i} for i in range(n)]
else:
    cp["outputs"] = ["out/f%d.csv" % i for i in range(n)]
node = {"id": "n0", "type": "execution_node", "op": "execute-python-node",
        "app_data": {"component_parameters": cp, "ui_data": {"label": "a"}},
        "inputs": [{"id": "inPort"}], "outputs": [{"id": "outPort"}]}
doc = {"doc_type": "pipeline", "version": "3.0", "primary_pipeline": "main",
       "pipelines": [{"id": "main", "nodes": [node],
                      "app_data": {"version": 8, "properties": {}}}]}
json.dump(doc, open(os.path.join(out, "p.pipeline"), "w"))
PY
}

# cpu DIR LIMIT: the best CPU seconds (user+sys) of three compiles of
# DIR/p.pipeline, each stopped after LIMIT wall seconds; "timeout" when
# one was stopped.
cpu() {
	local best="" t rc
	for _ in 1 2 3; do
		rc=0
		t=$( { TIMEFORMAT='%3U %3S'; time timeout -s KILL "$2" "$compile" \
			"$1/p.pipeline" --cos-endpoint http://m:9000 --cos-bucket b \
			--bootstrap-image b:1 -o "$1/o.yaml" >/dev/null 2>"$1/err"; } 2>&1 ) || rc=$?
		if [ "$rc" != 0 ]; then
			[ "$rc" = 137 ] && { echo timeout; return; }
			cat "$1/err" >&2
			echo "failed"
			return
		fi
		t=$(echo "$t" | awk '{ printf "%.3f", $1 + $2 }')
		if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=$t
		fi
		# One slow run is enough to know the size is slow.
		awk -v a="$t" 'BEGIN { exit !(a > 2) }' && break
	done
	echo "$best"
}

# linear KIND N: time(4N) / time(N) < 6
linear() {
	local n=$1 small big limit
	gen "$kind" "$n" "$T/$kind-1" && gen "$kind" $((4 * n)) "$T/$kind-4" || return 1
	small=$(cpu "$T/$kind-1" 120)
	case $small in timeout|failed) echo "N=$n: $small"; return 1 ;; esac
	# 4N may take 16 times as long when quadratic: stop at 6 times (and
	# at least 2 s, since a tiny N is all process start-up).
	limit=$(awk -v s="$small" 'BEGIN { l = 6 * s + 1; printf "%d", l < 2 ? 2 : l + 1 }')
	big=$(cpu "$T/$kind-4" "$limit")
	echo "$kind, CPU seconds: N=$n: $small, 4N=$((4 * n)): $big"
	case $big in
	timeout) echo "4N was stopped after ${limit}s: over 6 times N"; return 1 ;;
	failed) return 1 ;;
	esac
	# Below 10 ms both are start-up: no ratio to take.
	awk -v s="$small" -v b="$big" 'BEGIN { if (s < 0.01) s = 0.01; r = b / s;
		printf "ratio %.2f\n", r; exit !(r < 6) }'
}

kind=env
step "10k -> 40k env vars: under 6 times the time" linear 10000
kind=outputs
step "25k -> 100k outputs: under 6 times the time" linear 25000
finish
