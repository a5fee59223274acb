#!/usr/bin/env bash
# A generated 1000-node pipeline (chains, fan-in, parameters, outputs)
# compiles, deterministically, and passes Argo's lint (every KFP backend's).
. "$(dirname "$0")/../lib.sh"
. "$T3Q_SRC/tests/tools/versions.sh"
mkdir -p "$T/big"
/usr/bin/python3 "$(dirname "$0")/gen-pipeline.py" 1000 "$T/big"
cd "$T/big" || exit 1
step "1000 nodes compile" "$T3Q_BIN/compiler/t3q-compile" gen.pipeline \
	--cos-endpoint http://m:9000 --cos-bucket b -o a.yaml
step "twice to the same bytes" sh -c "'$T3Q_BIN/compiler/t3q-compile' gen.pipeline --cos-endpoint http://m:9000 --cos-bucket b -o b.yaml && cmp a.yaml b.yaml"
step "with 1000 container templates" sh -c "[ \$(grep -c '^    container:' a.yaml) = 1000 ]"
if t3q_argolint_ready; then
	step "Argo's lint on every KFP backend accepts it" "$T3Q_LINT_ALL" a.yaml
fi

# 20,000 parameters, dependencies, or unlinked nodes: each list is read,
# checked and matched by hash or sort, not name by name. Checking alone
# (--dot) took 5 s (20 s for 40,000 parameters) and 25 s for the first
# two, now 0.3 s; compiling 12 s and 25 s, now 1-3 s. The deadlines leave
# room for ASan and a busy host.
mkdir -p "$T/many/deps"
/usr/bin/python3 - "$T/many" <<'PY'
import json, os, sys
d, n = sys.argv[1], 20000
open(os.path.join(d, "a.py"), "w").write("print(1)\n")
for i in range(n):
    open(os.path.join(d, "deps", "d%d.txt" % i), "w").close()
def node(i, cp):
    cp.update({"filename": "a.py", "runtime_image": "x/y:1"})
    return {"id": "n%d" % i, "type": "execution_node", "op": "execute-python-node",
            "app_data": {"component_parameters": cp, "ui_data": {"label": "a%d" % i}},
            "inputs": [{"id": "inPort", "links": []}], "outputs": [{"id": "outPort"}]}
def write(name, nodes, props):
    json.dump({"doc_type": "pipeline", "version": "3.0", "primary_pipeline": "p",
               "pipelines": [{"id": "p", "nodes": nodes,
                              "app_data": {"version": 8, "properties": props}}]},
              open(os.path.join(d, name), "w"))
for name, m in (("params", n), ("params40k", 2 * n)):
    params = [{"name": "p%d" % i, "default_value": {"type": "String", "value": "v"}}
              for i in range(m)]
    write(name + ".pipeline", [node(0, {"pipeline_parameters": ["p%d" % i for i in range(m)]})],
          {"pipeline_parameters": params})
write("deps.pipeline", [node(0, {"dependencies": ["deps/d%d.txt" % i for i in range(n)]})], {})
write("nodes.pipeline", [node(i, {}) for i in range(n)], {})
PY
cd "$T/many" || exit 1
for what in params deps nodes; do
	step "20000 $what checked in seconds" timeout 5 \
		"$T3Q_BIN/compiler/t3q-compile" $what.pipeline --dot -o $what.dot
	step "20000 $what compiled in seconds" timeout 20 \
		"$T3Q_BIN/compiler/t3q-compile" $what.pipeline \
		--cos-endpoint http://m:9000 --cos-bucket b -o $what.yaml
done
step "40000 params checked in seconds" timeout 5 \
	"$T3Q_BIN/compiler/t3q-compile" params40k.pipeline --dot -o p40k.dot
# Compiled, each target: matching the node's parameters to the pipeline's
# (plan.c), to the env set so far (nodecmd.c) and to the args passed
# (ir.c) went pair by pair, and arrays grew one slot at a time: 40,000
# took 6 s (v1) and 25 s (v2), 40 s and over 190 s under ASan; now 0.5 s
# (ASan 2.5 s).
for target in kfp-v1 kfp-v2; do
	step "40000 params compiled for $target in seconds" timeout 10 \
		"$T3Q_BIN/compiler/t3q-compile" params40k.pipeline --target $target \
		--cos-endpoint http://m:9000 --cos-bucket b -o p40k-$target.yaml
done
finish
