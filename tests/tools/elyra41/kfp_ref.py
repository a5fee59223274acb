#!/usr/bin/env python3
"""kfp_ref.py: t3q-compile --target kfp-v2's custom nodes against kfp 2's
own compile of the same components (run in the Elyra 4.1.1 venv: kfp
2.17.3), node by node, with no Elyra in between.

    kfp_ref.py PIPELINE T3Q_IR.yaml [PIPELINE T3Q_IR.yaml ...]

For each pipeline, a kfp DSL is written as Elyra 4.1.1's template writes
it (kfp.components.load_component_from_text on each definition, one task
per custom node in the pipeline's order, its display name, caching,
.after() its parents), but with each value given in the Python type of
its input (Integer int, Float float, Bool bool, JsonObject/JsonArray the
parsed JSON, else str), which is what kfp needs and what t3q passes; run
parameters as the pipeline's arguments; inputpath widgets as the producer
task's outputs[...]; a value left empty as Elyra passes it, the input's
default, else for an optional input the empty value of its type. kfp compiles it, and for each node (matched by
taskInfo.name) these must be equal: the component (input and output
definitions), the executor (image, command, args, env: the placeholder
mapping), and the task (inputs, with producers mapped, dependentTasks,
cachingOptions). Nodes that are not custom, or components not from a
local file or directory catalog, are left out of the DSL and of the
comparison (t3q's dependentTasks on them too); a pipeline with no custom
node, or whose components kfp_ref.py cannot read, is skipped (counted).
Prints each difference; exit 1 if any.
"""
import json
import os
import re
import sys
import tempfile

import yaml


def comp_file(pipeline_dir, src):
    try:
        ref = json.loads(src)
    except (TypeError, ValueError):
        return None
    if ref.get("catalog_type") not in ("local-file-catalog", "local-directory-catalog"):
        return None
    r = ref.get("component_ref") or {}
    return os.path.normpath(os.path.join(pipeline_dir, r.get("base_dir") or ".", r.get("path", "")))


def sanitize(name):
    """Elyra 4.1.1's _sanitize_param_name, as the DSL keyword names"""
    n = re.sub(r"[\W_]", " ", name.lower())
    n = re.sub(" +", " ", n).strip()
    return re.sub(r"[ \-]", "_", n)


ZERO = {"string": "''", "str": "''", "text": "''", "integer": "0", "int": "0", "float": "0.0", "double": "0.0",
        "bool": "False", "boolean": "False"}


def py_value(typ, v):
    t = (typ or "").lower()
    if t in ("integer", "int"):
        return repr(int(v))
    if t in ("float", "double"):
        return repr(float(v))
    if t in ("bool", "boolean"):
        return repr(v if isinstance(v, bool) else str(v).lower() in ("true", "1", "yes", "y", "t", "on"))
    if t in ("jsonobject", "jsonarray", "dict", "list") and isinstance(v, str):
        try:
            return repr(json.loads(v))
        except ValueError:
            return repr(v)
    return repr(v if isinstance(v, str) else json.dumps(v) if isinstance(v, (dict, list)) else str(v))


def dsl(path):
    """-> (python source, {task var: display name}) or (None, reason)"""
    doc = json.load(open(path, encoding="utf-8"))
    pl = doc["pipelines"][0]
    props = (pl.get("app_data") or {}).get("properties") or {}
    nodes = pl.get("nodes", [])
    lines = ["import kfp", "from kfp import dsl", ""]
    defs = {}
    for n in nodes:
        ad = n.get("app_data") or {}
        if n.get("type") != "execution_node":
            return None, "has a %s" % n.get("type")
        if not ad.get("component_source"):
            continue  # a generic node
        f = comp_file(os.path.dirname(path), ad.get("component_source"))
        if not f:
            return None, "a catalog kfp_ref.py does not read"
        defs[n["id"]] = f
    if not defs:
        return None, "no custom node"
    nodes = [n for n in nodes if n["id"] in defs]
    params = props.get("pipeline_parameters") or []
    args = []
    for p in params:
        dv = (p.get("default_value") or {})
        t = {"String": "str", "Integer": "int", "Float": "float", "Bool": "bool"}[dv.get("type", "String")]
        v = dv.get("value")
        args.append("%s: %s = %s" % (p["name"], t, py_value(dv.get("type"), v) if v not in (None, "") else
                                      {"str": "''", "int": "0", "float": "0.0", "bool": "False"}[t]))
    for i, (nid, f) in enumerate(defs.items()):
        lines.append("c%d = kfp.components.load_component_from_text(open(%r).read())" % (i, f))
    lines.append("@dsl.pipeline(name='reference')")
    lines.append("def p(%s):" % ", ".join(args))
    var = {n["id"]: "t%d" % i for i, n in enumerate(nodes)}
    display = {}
    order = {n["id"]: i for i, n in enumerate(nodes)}
    for i, n in enumerate(nodes):
        ad = n["app_data"]
        cp = ad.get("component_parameters") or {}
        spec = yaml.safe_load(open(defs[n["id"]]))
        kw = []
        for inp in spec.get("inputs") or []:
            w = cp.get(sanitize(inp["name"]))
            if not isinstance(w, dict):
                continue
            if w.get("value") is None or (w.get("value") == "" and w.get("widget") == "number"):
                # Elyra 4.1.1 passes what its parser read: the default, or
                # an optional input's empty value of its type
                t = (inp.get("type") or "").lower()
                if "default" in inp:
                    kw.append("%s=%s" % (sanitize(inp["name"]), py_value(inp.get("type"), inp["default"])))
                elif inp.get("optional") and t in ZERO:
                    kw.append("%s=%s" % (sanitize(inp["name"]), ZERO[t]))
                continue
            if w.get("widget") == "parameter":
                kw.append("%s=%s" % (sanitize(inp["name"]), w["value"]))
            elif w.get("widget") == "inputpath":
                up = w["value"]["value"]
                if order.get(up, i) >= i:
                    return None, "an inputpath from a later node"
                out = w["value"]["option"][len("output_"):]
                kw.append("%s=%s.outputs[%r]" % (sanitize(inp["name"]), var[up], out))
            else:
                kw.append("%s=%s" % (sanitize(inp["name"]), py_value(inp.get("type"), w["value"])))
        label = (ad.get("ui_data") or {}).get("label") or ad.get("label")
        lines.append("    %s = c%d(%s)" % (var[n["id"]], i, ", ".join(kw)))
        lines.append("    %s.set_display_name(%r)" % (var[n["id"]], label))
        display[var[n["id"]]] = label
        if str(cp.get("disable_node_caching")) == "True":
            lines.append("    %s.set_caching_options(False)" % var[n["id"]])
        for port in n.get("inputs") or []:
            for link in port.get("links") or []:
                if link.get("node_id_ref") in var and order[link["node_id_ref"]] < i:
                    lines.append("    %s.after(%s)" % (var[n["id"]], var[link["node_id_ref"]]))
    return "\n".join(lines) + "\n", display


def by_display(spec):
    return {t["taskInfo"]["name"]: (name, t) for name, t in spec["root"]["dag"]["tasks"].items()}


def compare(pipeline, t3q_path):
    src, display = dsl(pipeline)
    if src is None:
        return None, display
    with tempfile.TemporaryDirectory() as tmp:
        ns = {}
        exec(compile(src, pipeline + ".kfp_ref", "exec"), ns)
        from kfp import compiler
        out = os.path.join(tmp, "ref.yaml")
        compiler.Compiler().compile(ns["p"], out)
        ref = [d for d in yaml.safe_load_all(open(out)) if d][0]
    t3q = [d for d in yaml.safe_load_all(open(t3q_path)) if d][0]
    bad = []
    rt, tt = by_display(ref), by_display(t3q)
    tt = {k: v for k, v in tt.items() if k in display.values() or k not in rt}
    tt = {k: v for k, v in tt.items() if not (t3q["deploymentSpec"]["executors"][t3q["components"][v[1][
        "componentRef"]["name"]]["executorLabel"]]["container"].get("command") or [""])[0].endswith("t3q-bootstrap")}
    if set(rt) != set(tt):
        return ["tasks: kfp %s, t3q %s" % (sorted(rt), sorted(tt))], 0
    rname = {v[0]: k for k, v in rt.items()}
    tname = {v[0]: k for k, v in tt.items()}

    def norm_task(t, names):
        t = json.loads(json.dumps(t))
        t.pop("componentRef", None)
        t["dependentTasks"] = sorted(names[d] for d in t.get("dependentTasks", []) if d in names)
        for kind in ("artifacts", "parameters"):
            for x in (t.get("inputs") or {}).get(kind, {}).values():
                for k in ("taskOutputArtifact", "taskOutputParameter"):
                    if k in x:
                        x[k]["producerTask"] = names[x[k]["producerTask"]]
        return t

    for disp in sorted(rt):
        (rn, r), (tn, t) = rt[disp], tt[disp]
        rc, tc = ref["components"][r["componentRef"]["name"]], t3q["components"][t["componentRef"]["name"]]
        re_ = ref["deploymentSpec"]["executors"][rc["executorLabel"]]
        te = t3q["deploymentSpec"]["executors"][tc["executorLabel"]]
        pairs = [("component.inputDefinitions", rc.get("inputDefinitions"), tc.get("inputDefinitions")),
                 ("component.outputDefinitions", rc.get("outputDefinitions"), tc.get("outputDefinitions")),
                 ("executor", re_, te),
                 ("task", norm_task(r, rname), norm_task(t, tname))]
        for what, a, b in pairs:
            if a != b:
                bad.append("node %r: %s: kfp %s, t3q %s" % (disp, what, json.dumps(a, sort_keys=True),
                                                            json.dumps(b, sort_keys=True)))
    return bad, len(rt)


def main(argv):
    if len(argv) < 2 or len(argv) % 2:
        sys.stderr.write(__doc__)
        return 2
    failed, compared, nodes, skipped = 0, 0, 0, 0
    for i in range(0, len(argv), 2):
        bad, n = compare(argv[i], argv[i + 1])
        if bad is None:
            skipped += 1
            continue
        compared += 1
        nodes += n
        for b in bad:
            print("%s: %s" % (argv[i], b))
            failed += 1
    print("kfp_ref: %d pipelines compared (%d custom nodes), %d skipped, %d differences"
          % (compared, nodes, skipped, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
