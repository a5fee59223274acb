#!/usr/bin/env bash
# Compile work grows linearly with a node's env vars and outputs: a
# pipeline with 4N of them costs less than 6 times the instructions of one
# with N. Counted, not timed, so that a busy machine cannot fail it.
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

# ir DIR: the instructions one compile of DIR/p.pipeline executes
# (callgrind's count): the same on a busy machine as on an idle one, so
# this is no timed test. A quadratic compiler is stopped after 300 s.
ir() {
	timeout -s KILL 300 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		"$compile" "$1/p.pipeline" --cos-endpoint http://m:9000 --cos-bucket b \
		--bootstrap-image b:1 -o "$1/o.yaml" 2>&1 >/dev/null |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

# linear KIND N: instructions(4N) / instructions(N) < 6 (linear: about 4;
# quadratic: about 16)
linear() {
	local n=$1 small big
	gen "$kind" "$n" "$T/$kind-1" && gen "$kind" $((4 * n)) "$T/$kind-4" || return 1
	small=$(ir "$T/$kind-1")
	big=$(ir "$T/$kind-4")
	echo "$kind, instructions: N=$n: ${small:-?}, 4N=$((4 * n)): ${big:-?}"
	[ -n "$small" ] && [ -n "$big" ] || { echo "no count (valgrind failed or was stopped)"; return 1; }
	awk -v s="$small" -v b="$big" 'BEGIN { r = b / s; printf "ratio %.2f\n", r; exit !(r < 6) }'
}

[ -z "${T3Q_SANITIZE:-}" ] || skip_all "under ASan: callgrind runs the plain build"
command -v valgrind >/dev/null || skip_all "no valgrind: run scripts/install-test-deps"
kind=env
step "2.5k -> 10k env vars: under 6 times the instructions" linear 2500
kind=outputs
step "2.5k -> 10k outputs: under 6 times the instructions" linear 2500
finish
