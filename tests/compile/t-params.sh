#!/usr/bin/env bash
# Run parameters travel from spec.arguments through the root DAG to the
# tasks and containers of the nodes that use them, and to no others.
. "$(dirname "$0")/../lib.sh"
mkdir -p "$T/p"
cd "$T/p" || exit 1
touch a.py b.py c.py
/usr/bin/python3 - <<'PY'
import json
def node(i, f, params, parents=()):
    return {"id": i, "type": "execution_node", "op": "execute-python-node",
            "app_data": {"component_parameters": {"filename": f, "runtime_image": "x/y:1",
                         "pipeline_parameters": params}, "ui_data": {"label": f[0]}},
            "inputs": [{"id": "inPort", "links": [{"node_id_ref": p, "port_id_ref": "outPort"} for p in parents]}],
            "outputs": [{"id": "outPort"}]}
doc = {"doc_type": "pipeline", "version": "3.0", "primary_pipeline": "p", "pipelines": [{"id": "p",
       "nodes": [node("A", "a.py", ["alpha"]), node("B", "b.py", ["beta", "alpha"], ["A"]), node("C", "c.py", [], ["B"])],
       "app_data": {"version": 8, "properties": {"pipeline_parameters": [
           {"name": "alpha", "default_value": {"type": "String", "value": "one;two=2"}},
           {"name": "beta", "default_value": {"type": "Integer", "value": 7}}]}}}]}
json.dump(doc, open("p.pipeline", "w"))
PY
step "it compiles" "$T3Q_BIN/compiler/t3q-compile" p.pipeline --cos-endpoint http://m:9000 --cos-bucket b -o p.yaml
check() {
	/usr/bin/python3 - p.yaml <<'PY'
import sys, yaml
wf = yaml.safe_load(open(sys.argv[1]))
t = {x["name"]: x for x in wf["spec"]["templates"]}
args = {p["name"]: p["value"] for p in wf["spec"]["arguments"]["parameters"]}
assert args == {"alpha": "one;two=2", "beta": "7"}, args
root = t[wf["spec"]["entrypoint"]]
assert [p["name"] for p in root["inputs"]["parameters"]] == ["alpha", "beta"]
tasks = {x["name"]: x for x in root["dag"]["tasks"]}
def targs(n): return {p["name"]: p["value"] for p in tasks[n].get("arguments", {}).get("parameters", [])}
assert targs("a") == {"alpha": "{{inputs.parameters.alpha}}"}, targs("a")
assert targs("b") == {"alpha": "{{inputs.parameters.alpha}}", "beta": "{{inputs.parameters.beta}}"}
assert targs("c") == {}, targs("c")
def env(n): return {e["name"]: e.get("value") for e in t[n]["container"]["env"]}
def ins(n): return [p["name"] for p in t[n].get("inputs", {}).get("parameters", [])]
assert ins("a") == ["alpha"] and ins("b") == ["alpha", "beta"] and ins("c") == []
assert env("a")["alpha"] == "{{inputs.parameters.alpha}}" and "beta" not in env("a")
assert env("b")["beta"] == "{{inputs.parameters.beta}}"
assert "alpha" not in env("c") and "beta" not in env("c")
a = t["a"]["container"]["args"]
assert a[a.index("--pipeline-parameters") + 1] == "alpha={{inputs.parameters.alpha}}"
assert "--pipeline-parameters" not in t["c"]["container"]["args"]
print("ok")
PY
}
step "parameters reach exactly the nodes that use them" check
finish
