#!/usr/bin/env bash
# The example end to end: compiled (and accepted by Argo's lint), then run
# with t3q-run against the S3 test server; logs, objects, artifacts and KFP
# files checked; then run again with a parameter that changes the result.
. "$(dirname "$0")/../lib.sh"
. "$T3Q_SRC/tests/tools/versions.sh"
/usr/bin/python3 -c 'import sklearn, pandas, nbclient, ipykernel' 2>/dev/null ||
	skip_all "the example needs python3-sklearn python3-pandas python3-nbclient python3-ipykernel"
bucket=$(new_bucket)
cp -r "$T3Q_SRC/examples/iris" "$T/iris"
cd "$T/iris" || exit 1
export T3Q_PYTHON=/usr/bin/python3

lint() {
	args=()
	while IFS= read -r a; do [ -n "$a" ] && args+=("$a"); done <compile.args
	"$T3Q_BIN/compiler/t3q-compile" iris.pipeline "${args[@]}" -o "$T/iris.yaml" &&
	"$T3Q_LINT_ALL" "$T/iris.yaml"
}
step "the example compiles and passes Argo's lint on every KFP backend" lint

run() {  # RUN_ID ARGS...: runs in the background, watching the output
	local id=$1
	shift
	"$T3Q_BIN/runner/t3q-run" iris.pipeline --store "s3://$bucket" --work "$T/work" \
		--run-id "$id" "$@" >"$T/$id.out" 2>&1 &
	local pid=$!
	live=no
	while kill -0 $pid 2>/dev/null; do
		# The notebook's first line, while the node has not yet ended.
		if grep -q '^\[train\] training on' "$T/$id.out" &&
		   ! grep -q 'train: succeeded' "$T/$id.out"; then
			live=yes
		fi
		sleep 0.05
	done
	wait $pid
}
run first
rc=$?
step "t3q-run succeeds" sh -c "[ $rc = 0 ] || { cat '$T/first.out'; exit 1; }"
step "each node's output is in the log, prefixed by its name" sh -c "
	grep -q '^\[load-data\] loaded 150 flowers' '$T/first.out' &&
	grep -q '^\[train\] training accuracy' '$T/first.out' &&
	grep -q '^\[evaluate\] max_depth=1: test accuracy' '$T/first.out'"
step "the notebook's output appeared while it still ran" sh -c "[ $live = yes ]"
step "a summary table closes the run" sh -c "grep -q '^evaluate  *succeeded' '$T/first.out'"
for key in first/load_data-2b1c5f0e-load-data.tar.gz first/load_data.log first/data/train.csv \
	   first/data/test.csv first/train.log first/train.ipynb first/train.html \
	   first/model/tree.pkl first/evaluate.log first/metrics/report.md; do
	step "object examples/iris/$key" t3q s3 stat "s3://$bucket/examples/iris/$key"
done
step "artifacts were passed between the nodes" sh -c "
	grep -q \"'iris':'evaluate' - placed artifact model-tree-pkl-[0-9a-f]* at model/tree.pkl\" '$T/first.out'"
metrics() {
	/usr/bin/python3 - "$T/work/first/evaluate/kfp" <<'PY'
import json, sys
d = sys.argv[1]
m = json.load(open(d + "/mlpipeline-metrics.json"))
assert m["metrics"][0]["name"] == "accuracy", m
ui = json.load(open(d + "/mlpipeline-ui-metadata.json"))["outputs"]
types = [o["type"] for o in ui]
assert types[:2] == ["markdown", "table"], types
assert ui[2]["source"].startswith("## Inputs for evaluate.py")
assert ui[3]["source"].startswith("## t3q: evaluate.py")
print("accuracy", m["metrics"][0]["numberValue"])
PY
}
step "mlpipeline-metrics.json and the UI metadata (markdown, table, Elyra's, t3q's)" metrics

accuracy() { sed -n 's/.*test accuracy \([0-9.]*\).*/\1/p' "$T/$1.out" | tail -1; }
run deeper -p MAX_DEPTH=3
step "a second run with -p MAX_DEPTH=3 succeeds" sh -c "[ $? = 0 ]"
better() {
	a=$(accuracy first) b=$(accuracy deeper)
	echo "MAX_DEPTH=1: $a, MAX_DEPTH=3: $b"
	/usr/bin/python3 -c "import sys; sys.exit(not (float('$b') > float('$a') + 0.2))"
}
step "and the parameter visibly changes the result" better
step "its objects do not overwrite the first run's" sh -c "
	t3q() { '$T3Q_BIN/bootstrap/t3q-bootstrap' \"\$@\"; }
	t3q s3 stat s3://$bucket/examples/iris/deeper/evaluate.log &&
	t3q s3 get s3://$bucket/examples/iris/first/evaluate.log '$T/e1' &&
	grep -q 'max_depth=1' '$T/e1'"
finish
