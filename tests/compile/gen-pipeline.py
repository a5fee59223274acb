"""gen-pipeline.py N DIR: a synthetic Elyra pipeline of N Python nodes in
DIR (gen.pipeline plus the node files): independent groups of ten, each a
chain whose seventh node also takes the fourth (a fan-in), every node with
an output, every fifth using a parameter. Groups stay apart because each
node receives all its ancestors' outputs as artifacts (as Elyra passes
them): one chain of N nodes would mean N*N/2 artifacts. Used by the scale
test and the compiler benchmark."""
import json
import os
import sys

n, out = int(sys.argv[1]), sys.argv[2]
os.makedirs(out, exist_ok=True)
nodes = []
for i in range(n):
    parents = []
    if i % 10:
        parents.append("n%d" % (i - 1))
    if i % 10 == 6:
        parents.append("n%d" % (i - 3))
    fname = "s%d.py" % i
    open(os.path.join(out, fname), "w").write("print(%d)\n" % i)
    cp = {"filename": fname, "runtime_image": "quay.io/t3q/runtime:1",
          "outputs": ["out/%d.csv" % i]}
    if i % 5 == 0:
        cp["pipeline_parameters"] = ["p%d" % (i % 3)]
    nodes.append({"id": "n%d" % i, "type": "execution_node", "op": "execute-python-node",
                  "app_data": {"component_parameters": cp, "ui_data": {"label": "step-%d" % i}},
                  "inputs": [{"id": "inPort", "links": [{"node_id_ref": p, "port_id_ref": "outPort"} for p in parents]}],
                  "outputs": [{"id": "outPort"}]})
params = [{"name": "p%d" % k, "default_value": {"type": "String", "value": "v%d" % k}} for k in range(3)]
doc = {"doc_type": "pipeline", "version": "3.0", "primary_pipeline": "main",
       "pipelines": [{"id": "main", "nodes": nodes,
                      "app_data": {"version": 8, "properties": {"pipeline_parameters": params}}}]}
json.dump(doc, open(os.path.join(out, "gen.pipeline"), "w"))
