#!/usr/bin/env python3
"""gen_pipelines.py: a seeded, reproducible generator of Elyra pipelines for
the differential test against Elyra 4.0.0 (t-elyra-diff.sh).

    gen_pipelines.py --seed S --count N --out DIR

writes DIR/NNNN/ for each pipeline, holding every file it references, and
DIR/NNNN/case.json describing it:

  elyra     the pipeline file Elyra exports (relative to DIR/NNNN), v8
  t3q       the pipeline files t3q compiles: the same, and for a v7 case the
            v7 original (in a copy of the tree, so relative paths hold)
  auth      USER_CREDENTIALS or KUBERNETES_SECRET (the runtime config)
  invalid   why the generator expects Elyra to refuse it, or null (only a
            guide to read the report by: Elyra itself judges)
  runnable  true when every node is a .py or a notebook that Debian's
            python3 runs offline (t3q-run check); the scripts write their
            declared outputs and check their ancestors' outputs
  outputs   {node id: [declared outputs]}, ancestors {node id: [ids]}

The same seed and count always give the same bytes: the only randomness is
random.Random(f"{seed}-{index}").

What varies: file layouts (subdirectories, ../ references, spaces and
unicode in names), dependencies (files, globs, subdirectory paths, '*',
with and without include_subdirectories, hidden directories), outputs
(files, directories, ./x, trailing /, globs), pipeline parameters of every
type with edge values, env vars (colliding with parameter names, Argo
globals), every generic node property and pipeline_defaults, labels in
many scripts, fan-in and fan-out DAGs, supernodes, v7 and v8 files, and a
share of pipelines that Elyra should refuse.
"""
import argparse
import copy
import json
import os
import random
import uuid

# ------------------------------------------------------------------ values

LABELS = [
    "train", "load data", "Evaluate Model", "step_2", "données", "数据处理", "模型",
    "Обучение модели", "🚀 launch", "a-very-long-label-" + "x" * 60, "prep (v2)", "",
    "UPPER lower", "a/b:c", "  spaced  ", "ünïcödé-ñame",
]
STEMS = ["p", "pipeline", "my_pipeline", "DataPrep", "pipe-2", "a" * 58, "long_pipeline_name_" + "z" * 40]
IMAGES = ["quay.io/t3q/runtime:1.0", "tensorflow/tensorflow:2.8.0", "docker.io/library/python:3.11",
          "registry.example:5000/team/img@sha256:" + "a" * 64, "amancevice/pandas:1.4.1"]
BAD_IMAGES = ["python:3.11", "ubuntu", "has space/img:1"]
FLOATS = [0.1, 1e-07, 3.0, 0.3, 2.5e10, -0.75, 1e21, 123456.789, 0.0]
INTS = [0, 1, -1, 42, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 10 ** 15, -987654321]
STRINGS = ["", "plain", "a;b=c", 'with "quotes"', "it's", "yes", "1.10", "0755",
           "spaces  inside ", "ünïcode ✓", "$HOME", "`tick`", "x=1;y=2", "tab\there", "null", "~"]
ENV_VALUES = ["1", "two words", "", "a=b;c", "$(HOME)", "ünï", "'quoted'", "true",
              "0755", "http://h:9000/p?q=1"]
ARGO_GLOBALS = ["{{workflow.uid}}", "{{workflow.name}}", "run-{{workflow.uid}}-x", "{{workflow.namespace}}",
                "{{workflow.creationTimestamp}}"]
PARAM_NAMES = ["epochs", "rate", "name", "verbose", "alpha", "batch_size", "seed", "lr", "MODE",
               "threshold", "tag", "count"]
ENV_NAMES = ["FOO", "MY_VAR", "DATA_DIR", "X1", "_UNDER", "LOG_LEVEL", "CONFIG"]
BAD_ENV_NAMES = ["1BAD", "A-B", "has space"]

# Files a node's directory holds besides the node's own file.
SIDE_FILES = ["helper.py", "utils/helper.py", "utils/__init__.py", "data/a.csv", "data/b.csv",
              "data/sub/c.csv", "conf.yaml", "requirements-note.txt", ".hidden/secret.txt",
              "notes file.txt", "données/d.csv", "deep/er/x.json"]
DEP_SPECS = ["helper.py", "utils/helper.py", "data/*.csv", "*.csv", "*", "*.py", "data/a.csv",
             "conf.yaml", "notes file.txt", "données/d.csv", "deep/er/x.json", "utils/*", "*.txt",
             "data/sub/c.csv", "*.yaml"]
OUTPUTS = ["out.csv", "models/", "./x.csv", "results/metrics.json", "plots/*.png", "model.bin",
           "reports", "./sub/y.txt", "data_out/", "summary file.txt", "résumé.txt", "a.b.c",
           "m_logs/*.log"]

NOTEBOOK_NOOP = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def port(id_, label="Input Port", links=None, **extra):
    p = {"id": id_, "app_data": {"ui_data": {"cardinality": {"min": 0, "max": -1}, "label": label}}}
    p.update(extra)
    if links:
        p["links"] = links
    return p


def link(rng, node_id, port_id="outPort"):
    return {"id": str(uuid.UUID(int=rng.getrandbits(128))), "node_id_ref": node_id, "port_id_ref": port_id}


# ------------------------------------------------------------- a pipeline

class Gen:
    def __init__(self, seed, index, classes=False):
        self.rng = random.Random("%s-%s" % (seed, index))
        self.index = index
        # --classes: each odd pipeline holds one class, in turn, and is
        # otherwise valid, so that nothing else decides the verdict; the
        # even ones are the pipelines the generator made without them
        self.forced = CLASS_NAMES[(index // 2) % len(CLASS_NAMES)] if classes and index % 2 else None
        self.crng = random.Random("%s-%s-classes" % (seed, index))

    def inject(self, nodes, defaults, params, stem, v7):
        """Applies the forced class and a few others to the built pipeline;
        returns the (new) file stem and v7 flag."""
        st = {"stem": stem, "v7": v7}
        # What decides Elyra's verdict elsewhere (ACCEPT in elyra_diff.py)
        # stays out, so that the class decides it: empty labels, capitals
        # in parameter names, quotes and newlines in String defaults,
        # overlapping dependency patterns.
        for p in [p for p in params if p["name"] != p["name"].lower()]:
            params.remove(p)
        for p in params:
            v = p["default_value"]["value"]
            if isinstance(v, str) and ('"' in v or "\n" in v):
                p["default_value"]["value"] = "plain"
        names = {p["name"] for p in params}
        for n in nodes:
            n["label"] = n["label"] or os.path.basename(n["cp"]["filename"])
            if "pipeline_parameters" in n["cp"]:
                n["cp"]["pipeline_parameters"] = [x for x in n["cp"]["pipeline_parameters"] if x in names]
            n["cp"]["dependencies"] = [d for d in n["cp"]["dependencies"] if not any(c in d for c in "*?[")]
        if CLASSES[self.forced](self, nodes, defaults, params, st) is not False:
            self.classes.append(self.forced)
        return st["stem"], st["v7"]

    def uid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def chance(self, p):
        return self.rng.random() < p

    def pick(self, seq):
        return self.rng.choice(seq)

    def sample(self, seq, lo, hi):
        return self.rng.sample(seq, self.rng.randint(lo, min(hi, len(seq))))

    # --- properties
    def param_value(self, typ):
        if typ == "Float":
            return self.pick(FLOATS)
        if typ == "Integer":
            return self.pick(INTS)
        if typ == "Bool":
            return self.chance(0.5)
        # Rare: Elyra 4.0.0's export never ends on a newline (autopep8).
        return "line\nbreak" if self.chance(0.03) else self.pick(STRINGS)

    def parameters(self):
        out = []
        for name in self.sample(PARAM_NAMES, 0, 5):
            typ = self.pick(["String", "Integer", "Float", "Bool"])
            p = {"name": name, "description": self.pick(["", "", "the %s" % name, "ünï ✓ desc"]),
                 "default_value": {"type": typ, "value": self.param_value(typ)},
                 "required": self.chance(0.2)}
            out.append(p)
        return out

    def env_vars(self, params):
        out = []
        names = self.sample(ENV_NAMES, 0, 3)
        if params and self.chance(0.3):
            names.append(self.pick(params)["name"])  # collides with a parameter
        for n in names:
            out.append({"env_var": n, "value": self.pick(ARGO_GLOBALS if self.chance(0.04) else ENV_VALUES)})
        return out

    def k8s_props(self, cp):
        if self.chance(0.3):
            cp["kubernetes_secrets"] = [
                {"env_var": self.pick(["DB_PASS", "TOKEN", "API_KEY"]) + str(i),
                 "name": self.pick(["db-secret", "my-secret.v1", "s3"]), "key": self.pick(["password", "token", "k.e_y"])}
                for i in range(self.rng.randint(1, 2))]
        if self.chance(0.3):
            vols = []
            for i in range(self.rng.randint(1, 2)):
                v = {"path": self.pick(["/data", "/mnt/vol", "/opt/shared dir"]) + str(i),
                     "pvc_name": self.pick(["data-pvc", "pvc.one", "shared"]), "read_only": self.chance(0.4)}
                if self.chance(0.4):
                    v["sub_path"] = self.pick(["sub", "a/b", "x y"])
                vols.append(v)
            cp["mounted_volumes"] = vols
        if self.chance(0.3):
            cp["kubernetes_pod_labels"] = [
                {"key": k, "value": self.pick(["v1", "batch", "", "a.b-c_d"])}
                for k in self.sample(["team", "app.kubernetes.io/name", "tier", "example.com/owner"], 1, 2)]
        if self.chance(0.3):
            cp["kubernetes_pod_annotations"] = [
                {"key": k, "value": self.pick(["ml", "multi\nline", "ünï ✓", "", "{\"json\": 1}"])}
                for k in self.sample(["team", "example.com/note", "owner", "doc"], 1, 2)]
        if self.chance(0.3):
            tols = []
            for _ in range(self.rng.randint(1, 3)):
                t = self.pick([{"key": "gpu", "operator": "Equal", "value": "true", "effect": "NoSchedule"},
                               {"key": "kt2", "operator": "Exists", "effect": "NoExecute"},
                               {"operator": "Exists"},
                               {"key": "zone", "operator": "Equal", "value": "a"}])
                tols.append(dict(t))
            cp["kubernetes_tolerations"] = tols
        if self.chance(0.25):
            cp["kubernetes_shared_mem_size"] = {"size": self.pick([0.5, 1, 2, 64])}

    # --- the tree
    def build(self):
        rng = self.rng
        self.files = {}  # relative path under the tree -> content (str or bytes)
        invalid = None
        if self.chance(0.15):
            invalid = self.pick(["bad-image", "limits-below-requests", "missing-file", "cycle",
                                 "bad-env-name", "undefined-parameter", "missing-dependency",
                                 "zero-cpu"])
            if self.forced is not None:
                invalid = None
        v7 = self.chance(0.2)
        stem = self.pick(STEMS) if self.chance(0.3) else "p"
        # The pipeline lives in work/pipe/ or work/; ../ references reach work/.
        in_sub = self.chance(0.4)
        pipe_dir = "work/pipe" if in_sub else "work"
        params = self.parameters()
        runnable = True
        auth = self.pick(["USER_CREDENTIALS", "KUBERNETES_SECRET"])

        n_nodes = rng.randint(1, 6)
        nodes = []
        used_dirs = set()
        for i in range(n_nodes):
            kind = rng.choices(["py", "ipynb", "r"], [6, 3, 1])[0]
            if kind == "r":
                runnable = False
            dir_choices = ["", "", "src", "my scripts", "données"]
            if in_sub:
                dir_choices.append("../lib")
            d = self.pick(dir_choices)
            base = self.pick(["step", "train model", "préparer", "load-data", "eval.v2", "数据"]) + str(i)
            fname = (d + "/" if d else "") + base + "." + kind
            used_dirs.add(d)
            nid = self.uid()
            cp = {"filename": fname}
            # runtime image: node, pipeline default, or both
            if self.chance(0.7):
                cp["runtime_image"] = self.pick(IMAGES)
            outs = []
            if self.chance(0.6):
                outs = ["n%d_%s" % (i, o) if not o.startswith("./") else "./n%d_%s" % (i, o[2:])
                        for o in self.sample(OUTPUTS, 1, 3)]
            cp["outputs"] = outs
            deps = []
            if self.chance(0.6):
                deps = self.sample(DEP_SPECS, 1, 3)
            cp["dependencies"] = deps
            cp["include_subdirectories"] = self.chance(0.4)
            cp["env_vars"] = self.env_vars(params)
            if params and self.chance(0.6):
                cp["pipeline_parameters"] = [p["name"] for p in self.sample(params, 1, len(params))]
            if self.chance(0.3):
                cp["cpu"] = self.pick([1, 2, 4])
                if self.chance(0.5):
                    cp["cpu_limit"] = cp["cpu"] + self.pick([0, 1, 2])
            if self.chance(0.3):
                cp["memory"] = self.pick([1, 2, 8])
                if self.chance(0.5):
                    cp["memory_limit"] = cp["memory"] + self.pick([0, 4])
            if self.chance(0.15):
                cp["gpu"] = self.pick([1, 2])
                if self.chance(0.5):
                    cp["gpu_vendor"] = self.pick(["nvidia.com/gpu", "amd.com/gpu"])
            if self.chance(0.2):
                cp["disable_node_caching"] = self.pick(["True", "False"])
            self.k8s_props(cp)
            label = self.pick(LABELS) if self.chance(0.7) else os.path.basename(fname)
            nodes.append({"id": nid, "cp": cp, "label": label, "kind": kind, "dir": d})

        # the DAG: each node may take some earlier nodes as parents
        parents = {n["id"]: [] for n in nodes}
        for i, n in enumerate(nodes[1:], 1):
            if self.chance(0.75):
                parents[n["id"]] = [x["id"] for x in self.sample(nodes[:i], 1, 3)]
        # a supernode around a chain of one or two middle nodes
        supernode = None
        if n_nodes >= 3 and self.chance(0.15):
            k = rng.randint(1, min(2, n_nodes - 2))
            inner = nodes[1:1 + k]
            for j, n in enumerate(inner):
                parents[n["id"]] = [nodes[0]["id"]] if j == 0 else [inner[j - 1]["id"]]
            inner_ids = {n["id"] for n in inner}
            for n in nodes[1 + k:]:
                ps = [p for p in parents[n["id"]] if p not in inner_ids]
                if self.chance(0.7):
                    ps.append(inner[-1]["id"])
                parents[n["id"]] = ps
            supernode = inner

        # pipeline defaults
        defaults = {}
        if self.chance(0.6) or any("runtime_image" not in n["cp"] for n in nodes):
            defaults["runtime_image"] = self.pick(IMAGES)
        if self.chance(0.4):
            defaults["env_vars"] = self.env_vars(params)
        if self.chance(0.3):
            defaults["cos_object_prefix"] = self.pick(["team", "a/b", "proj-1/runs", "ünï"])
        if self.chance(0.3):
            self.k8s_props(defaults)
        if self.chance(0.1):
            defaults["disable_node_caching"] = self.pick(["True", "False"])

        # the refusals
        if invalid == "bad-image":
            nodes[0]["cp"]["runtime_image"] = self.pick(BAD_IMAGES)
        elif invalid == "limits-below-requests":
            if self.chance(0.5):
                nodes[0]["cp"].update(cpu=4, cpu_limit=2)
            else:
                nodes[0]["cp"].update(memory=8, memory_limit=2)
        elif invalid == "zero-cpu":
            nodes[0]["cp"]["cpu"] = 0
            nodes[0]["cp"]["memory"] = -1
        elif invalid == "missing-file":
            nodes[-1]["missing"] = True
        elif invalid == "missing-dependency":
            nodes[0]["cp"]["dependencies"] = ["no_such_file.py"]
        elif invalid == "cycle":
            if n_nodes == 1:
                parents[nodes[0]["id"]] = [nodes[0]["id"]]
            else:
                a, b = nodes[0], nodes[-1]
                if a["id"] not in parents[b["id"]]:
                    parents[b["id"]].append(a["id"])
                parents[a["id"]] = [b["id"]]
            supernode = None
        elif invalid == "bad-env-name":
            nodes[0]["cp"]["env_vars"] = nodes[0]["cp"]["env_vars"] + [
                {"env_var": self.pick(BAD_ENV_NAMES), "value": "x"}]
        elif invalid == "undefined-parameter":
            nodes[0]["cp"]["pipeline_parameters"] = nodes[0]["cp"].get("pipeline_parameters", []) + ["not_defined"]

        # value classes (--classes): their own random stream, so that the
        # pipelines without them stay byte-identical
        self.description = "generated %d" % self.index
        self.classes = []
        if self.forced is not None:
            stem, v7 = self.inject(nodes, defaults, params, stem, v7)
        # the files: each node's file and its directory's side files
        ancestors = self.ancestors(nodes, parents)
        outputs_of = {n["id"]: n["cp"]["outputs"] for n in nodes}
        side_dirs = set()
        for n in nodes:
            d = os.path.normpath(os.path.join(pipe_dir, n["dir"]))
            if not n.get("missing"):
                self.files[os.path.join(d, os.path.basename(n["cp"]["filename"]))] = self.node_source(
                    n, [o for a in ancestors[n["id"]] for o in outputs_of[a]])
            side_dirs.add(d)
        for d in sorted(side_dirs):
            for f in SIDE_FILES:
                if self.chance(0.7):
                    self.files[os.path.join(d, f)] = "# %s\n" % f
        for n in nodes:  # a dependency named without a glob must exist (unless meant to be missing)
            d = os.path.normpath(os.path.join(pipe_dir, n["dir"]))
            for dep in n["cp"]["dependencies"]:
                if not any(c in dep for c in "*?[") and dep != "no_such_file.py":
                    self.files.setdefault(os.path.join(d, dep), "# %s\n" % dep)
            if any(any(c in dep for c in "*?[") for dep in n["cp"]["dependencies"]):
                # every glob of DEP_SPECS matches something
                for f in ("data/a.csv", "helper.py", "utils/helper.py", "conf.yaml", "notes file.txt",
                          "top.csv"):
                    self.files.setdefault(os.path.join(d, f), "# %s\n" % f)

        doc = self.document(nodes, parents, supernode, params, defaults, v7)
        return {"doc": doc, "stem": stem, "pipe_dir": pipe_dir, "auth": auth, "invalid": invalid,
                "v7": v7, "runnable": runnable and invalid is None and all(
                    c.split(":")[0] in ("name", "pair", "str", "ws") for c in self.classes),
                "classes": self.classes, "elyra_v7": "version:v7-to-elyra" in self.classes,
                "outputs": outputs_of, "ancestors": ancestors,
                "labels": {n["id"]: n["label"] for n in nodes}}

    @staticmethod
    def ancestors(nodes, parents):
        out = {}

        def walk(i, seen):
            for p in parents.get(i, []):
                if p not in seen:
                    seen.add(p)
                    walk(p, seen)
            return seen
        for n in nodes:
            out[n["id"]] = sorted(walk(n["id"], set()) - {n["id"]})
        return out

    def node_source(self, n, inherited):
        """A script that writes its declared outputs and checks its
        ancestors' outputs are in its work dir."""
        outs = n["cp"]["outputs"]
        code = ["import glob, os, sys",
                "print('node %s starts in', os.getcwd())" % n["id"][:8],
                "missing = []",
                "for o in %r:" % inherited,
                "    p = o[2:] if o.startswith('./') else o",
                "    if any(c in p for c in '*?['):",
                "        ok = bool(glob.glob(p))",
                "    elif p.endswith('/'):",
                "        ok = os.path.isdir(p) and bool(os.listdir(p))",
                "    else:",
                "        ok = os.path.exists(p)",
                "    if not ok:",
                "        missing.append(o)",
                "if missing:",
                "    print('MISSING ancestor outputs:', missing)",
                "    sys.exit(3)",
                "for o in %r:" % outs,
                "    p = o[2:] if o.startswith('./') else o",
                "    if any(c in p for c in '*?['):",
                "        p = p.replace('*', 'g1').replace('?', 'q')",
                "    if p.endswith('/'):",
                "        p = p + 'content.bin'",
                "    if os.path.dirname(p):",
                "        os.makedirs(os.path.dirname(p), exist_ok=True)",
                "    with open(p, 'w') as fh:",
                "        fh.write('written by %s\\n')" % n["id"][:8],
                "print('node %s done')" % n["id"][:8]]
        # a directory output without '/' ("reports") is written as a file
        src = "\n".join(code) + "\n"
        if n["kind"] == "py":
            return src
        if n["kind"] == "ipynb":
            nb = copy.deepcopy(NOTEBOOK_NOOP)
            nb["metadata"] = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
            nb["cells"] = [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                            "id": "c0", "source": src}]
            return json.dumps(nb, indent=1) + "\n"
        return "cat('r node\\n')\n"

    def document(self, nodes, parents, supernode, params, defaults, v7):
        inner_ids = {n["id"] for n in supernode} if supernode else set()
        sn_id = self.uid() if supernode else None
        entry_bind, exit_bind = (self.uid(), self.uid()) if supernode else (None, None)

        def ref(pid):
            # a link to pid from outside the supernode
            if pid in inner_ids:
                return link(self.rng, sn_id, supernode[-1]["id"] + "_outPort")
            return link(self.rng, pid)

        def exec_node(n, links):
            cp = dict(n["cp"])
            if v7:
                cp = to_v7(cp)
            ad = {"component_parameters": cp, "label": "", "ui_data": {
                "label": n["label"], "image": "/static/elyra/%s.svg" % (
                    "notebook" if n["kind"] == "ipynb" else "python" if n["kind"] == "py" else "r-logo"),
                "x_pos": self.rng.randint(0, 900), "y_pos": self.rng.randint(0, 600),
                "description": "Run " + n["kind"]}}
            op = {"py": "execute-python-node", "ipynb": "execute-notebook-node", "r": "execute-r-node"}[n["kind"]]
            return {"id": n["id"], "type": "execution_node", "op": op, "app_data": ad,
                    "inputs": [port("inPort", links=links)], "outputs": [port("outPort", "Output Port")]}

        primary = []
        inner = []
        for n in nodes:
            if n["id"] in inner_ids:
                if n["id"] == supernode[0]["id"]:
                    links = [link(self.rng, entry_bind, "output_%s_inPort" % n["id"])]
                else:
                    links = [link(self.rng, p) for p in parents[n["id"]]]
                inner.append(exec_node(n, links))
            else:
                seen, links = set(), []
                for p in parents[n["id"]]:
                    key = sn_id if p in inner_ids else p
                    if key not in seen:
                        seen.add(key)
                        links.append(ref(p))
                primary.append(exec_node(n, links))
        pipelines = []
        if supernode:
            first, last = supernode[0]["id"], supernode[-1]["id"]
            sn = {"id": sn_id, "type": "super_node", "subflow_ref": {"pipeline_id_ref": "sub-" + sn_id},
                  "app_data": dict({"ui_data": {"label": "Supernode", "image": "useDefaultIcon", "x_pos": 10,
                                                "y_pos": 10, "is_expanded": False}},
                                   # Elyra 4.0.0 wants component_parameters on every primary
                                   # node (pipeline_definition.py:620), a supernode too
                                   **({"component_parameters": {}} if self.chance(0.8) else {})),
                  "inputs": [port(first + "_inPort", "Binding port for supernode",
                                  links=[link(self.rng, p) for p in parents[first]],
                                  subflow_node_ref=entry_bind)],
                  "outputs": [port(last + "_outPort", "Binding port for supernode",
                                   subflow_node_ref=exit_bind)]}
            # the supernode's own place among the nodes: after its parent
            primary.insert(1, sn)
            inner.append({"id": entry_bind, "type": "binding", "app_data": {"ui_data": {"label": "Binding"}},
                          "outputs": [port("output_%s_inPort" % first, "Binding port for supernode")]})
            inner.append({"id": exit_bind, "type": "binding", "app_data": {"ui_data": {"label": "Binding"}},
                          "inputs": [port("input_%s_outPort" % last, "Binding port for supernode",
                                          links=[link(self.rng, last)])]})
        props = {"name": "generated", "runtime": "Kubeflow Pipelines", "description": self.description,
                 "pipeline_defaults": to_v7(defaults) if v7 else defaults}
        if params:
            props["pipeline_parameters"] = params
        pipelines.append({"id": "primary", "nodes": primary, "app_data": {
            "ui_data": {"comments": []}, "version": 7 if v7 else 8, "runtime_type": "KUBEFLOW_PIPELINES",
            "properties": props}, "runtime_ref": ""})
        if supernode:
            pipelines.append({"id": "sub-" + sn_id, "nodes": inner, "app_data": {"ui_data": {"comments": []}},
                              "runtime_ref": ""})
        return {"doc_type": "pipeline", "version": "3.0",
                "json_schema": "http://api.dataplatform.ibm.com/schemas/common-pipeline/pipeline-flow/"
                               "pipeline-flow-v3-schema.json",
                "id": "elyra-auto-generated-pipeline", "primary_pipeline": "primary",
                "pipelines": pipelines, "schemas": []}


# ------------------------------------------------------------ value classes
#
# Each class is a kind of value the random pipelines above rarely or never
# hold: whitespace around values, non-ASCII and emoji names, other
# spellings of one path, numbers at their edges, escapes in strings, a
# type where another is expected, and a pipeline default beside a node's
# own value of the same key. With --classes every class is produced (one
# pipeline each, at least) and case.json names the classes a pipeline
# holds; elyra_diff.py's "classes" check fails when one is not produced.
# A class function returns False when the pipeline cannot take it.

def _node(g, nodes):
    """A node of the primary pipeline's kind (every generated node is)."""
    return nodes[g.crng.randrange(len(nodes))]


def _pad(g, v):
    return g.crng.choice([" ", "  ", "\t", " \u00a0"]) + v + g.crng.choice([" ", "  ", "\t", "\n"])


def _add(cp, prop, item):
    cp[prop] = list(cp.get(prop) or []) + [item]


def c_ws(prop):
    def f(g, nodes, defaults, params, st):
        cp = _node(g, nodes)["cp"]
        if prop == "env_vars":
            _add(cp, prop, {"env_var": _pad(g, "PADNAME"), "value": _pad(g, "lead")})
        elif prop == "kubernetes_pod_labels":
            _add(cp, prop, {"key": _pad(g, "team"), "value": _pad(g, "ml")})
        elif prop == "kubernetes_pod_annotations":
            _add(cp, prop, {"key": _pad(g, "note"), "value": _pad(g, "two words")})
        elif prop == "kubernetes_tolerations":
            _add(cp, prop, {"key": _pad(g, "gpu"), "operator": "Equal", "value": _pad(g, "true"),
                            "effect": "NoSchedule"})
        elif prop == "mounted_volumes":
            _add(cp, prop, {"path": _pad(g, "/padded"), "pvc_name": _pad(g, "data-pvc"), "read_only": False})
        elif prop == "kubernetes_secrets":
            _add(cp, prop, {"env_var": _pad(g, "PAD_SECRET"), "name": _pad(g, "db-secret"),
                            "key": _pad(g, "password")})
        elif prop == "kubernetes_shared_mem_size":
            cp[prop] = {"size": _pad(g, g.crng.choice(["2", "0.5"])), "units": "G"}
    return f


def c_stem(name):
    def f(g, nodes, defaults, params, st):
        st["stem"] = name
    return f


def c_label(label):
    def f(g, nodes, defaults, params, st):
        _node(g, nodes)["label"] = label
    return f


def c_file(base):
    def f(g, nodes, defaults, params, st):
        n = _node(g, nodes)
        d, old = os.path.split(n["cp"]["filename"])
        ext = old.rsplit(".", 1)[1]
        n["cp"]["filename"] = (d + "/" if d else "") + base + str(nodes.index(n)) + "." + ext
    return f


def c_desc(text):
    def f(g, nodes, defaults, params, st):
        if not params:
            return False
        g.crng.choice(params)["description"] = text
    return f


def c_mount(spelling):
    """A node mount at another spelling of a pipeline default's path."""
    def f(g, nodes, defaults, params, st):
        cp = _node(g, nodes)["cp"]
        defaults["mounted_volumes"] = [v for v in defaults.get("mounted_volumes") or []
                                       if v["path"] != "/mnt/x"] + [
            {"path": "/mnt/x", "pvc_name": "default-pvc", "read_only": False}]
        _add(cp, "mounted_volumes", {"path": spelling, "pvc_name": "node-pvc", "read_only": True})
    return f


def c_resource(prop, value):
    def f(g, nodes, defaults, params, st):
        cp = _node(g, nodes)["cp"]
        cp[prop] = value
        lim = {"cpu": "cpu_limit", "memory": "memory_limit"}.get(prop)
        if lim:
            cp.pop(lim, None)
    return f


def c_param(typ, value):
    """A parameter of this type and default, used by one node."""
    def f(g, nodes, defaults, params, st):
        name = "edge_%s" % typ.lower()
        if any(p["name"] == name for p in params):
            return False
        params.append({"name": name, "description": "", "required": False,
                       "default_value": {"type": typ, "value": value}})
        cp = _node(g, nodes)["cp"]
        cp["pipeline_parameters"] = list(cp.get("pipeline_parameters") or []) + [name]
    return f


def c_env(value):
    def f(g, nodes, defaults, params, st):
        _add(_node(g, nodes)["cp"], "env_vars", {"env_var": "EDGE_VALUE", "value": value})
    return f


def c_desc_pipeline(text):
    def f(g, nodes, defaults, params, st):
        g.description = text
    return f


def c_kv(prop, key, value):
    def f(g, nodes, defaults, params, st):
        _add(_node(g, nodes)["cp"], prop, {"key": key, "value": value})
    return f


def c_shm(size):
    def f(g, nodes, defaults, params, st):
        _node(g, nodes)["cp"]["kubernetes_shared_mem_size"] = {"size": size, "units": "G"}
    return f


# a pipeline default and a node's own value of the same key
PAIRS = {
    "env_vars": ({"env_var": "SHARED", "value": "from-default"}, {"env_var": "SHARED", "value": "from-node"}),
    "mounted_volumes": ({"path": "/shared", "pvc_name": "default-pvc", "read_only": False},
                        {"path": "/shared", "pvc_name": "node-pvc", "read_only": True}),
    "kubernetes_secrets": ({"env_var": "SHARED_SECRET", "name": "default-secret", "key": "k"},
                           {"env_var": "SHARED_SECRET", "name": "node-secret", "key": "k2"}),
    "kubernetes_tolerations": ({"key": "shared", "operator": "Equal", "value": "d", "effect": "NoSchedule"},
                               {"key": "shared", "operator": "Equal", "value": "n", "effect": "NoSchedule"}),
    "kubernetes_pod_labels": ({"key": "shared", "value": "default"}, {"key": "shared", "value": "node"}),
    "kubernetes_pod_annotations": ({"key": "shared", "value": "default"}, {"key": "shared", "value": "node"}),
}


def c_pair(prop):
    def f(g, nodes, defaults, params, st):
        cp = _node(g, nodes)["cp"]
        if prop in PAIRS:
            d, n = PAIRS[prop]
            defaults[prop] = list(defaults.get(prop) or []) + [dict(d)]
            _add(cp, prop, dict(n))
        elif prop == "kubernetes_shared_mem_size":
            defaults[prop] = {"size": 4, "units": "G"}
            cp[prop] = {"size": 1, "units": "G"}
        elif prop == "runtime_image":
            defaults[prop] = IMAGES[0]
            cp[prop] = IMAGES[1]
        elif prop == "disable_node_caching":
            defaults[prop] = "True"
            cp[prop] = "False"
    return f


def c_shared_stem(g, nodes, defaults, params, st):
    """Two nodes whose files share a stem, in two directories."""
    if len(nodes) < 2:
        return False
    a, b = nodes[0], nodes[1]
    a["cp"]["filename"], a["dir"] = "src/run.py", "src"
    b["cp"]["filename"], b["dir"] = "run.py", ""
    a["kind"] = b["kind"] = "py"


def c_v8_string_label(g, nodes, defaults, params, st):
    """A v8 pipeline that still holds a v7 "key=value" label."""
    if st["v7"]:
        return False
    _add(_node(g, nodes)["cp"], "kubernetes_pod_labels", "lab=v")


def c_v7_to_elyra(g, nodes, defaults, params, st):
    """The v7 file itself given to Elyra (not its v8 migration)."""
    st["v7"] = True


CLASSES = {
    # whitespace around every list property value (and the shm size)
    **{"ws:" + p: c_ws(p) for p in ("env_vars", "kubernetes_pod_labels", "kubernetes_pod_annotations",
                                     "kubernetes_tolerations", "mounted_volumes", "kubernetes_secrets",
                                     "kubernetes_shared_mem_size")},
    # non-ASCII and emoji in every name
    "name:unicode-pipeline": c_stem("Pipeline ünï spaced"),
    "name:emoji-pipeline": c_stem("🚀 launch"),
    "name:unicode-node-label": c_label("Ünïcödé nøde"),
    "name:emoji-node-label": c_label("🚀 train 🧪"),
    "name:unicode-file": c_file("préparé"),
    "name:emoji-file": c_file("🚀step"),
    "name:unicode-param-description": c_desc("ünï ✓ déscription"),
    "name:emoji-param-description": c_desc("🚀 rocket"),
    "name:shared-stem": c_shared_stem,
    # other spellings of one mount path
    "path:trailing-slash": c_mount("/mnt/x/"),
    "path:relative": c_mount("mnt/x"),
    "path:dot-double-slash": c_mount("./mnt//x"),
    # numbers at their edges
    "num:cpu-zero": c_resource("cpu", 0),
    "num:memory-zero": c_resource("memory", 0),
    "num:gpu-zero": c_resource("gpu", 0),
    "num:cpu-negative": c_resource("cpu", -1),
    "num:memory-huge": c_resource("memory", 10 ** 6),
    "num:cpu-fraction": c_resource("cpu", 0.5),
    "num:memory-fraction": c_resource("memory", 1.5),
    "num:gpu-fraction": c_resource("gpu", 1.5),
    "num:float-zero": c_param("Float", 0.0),
    "num:float-negative-zero": c_param("Float", -0.0),
    "num:float-huge": c_param("Float", 1.7976931348623157e308),
    "num:float-subnormal": c_param("Float", 5e-324),
    "num:float-nan": c_param("Float", float("nan")),
    "num:float-infinity": c_param("Float", float("inf")),
    "num:int-huge": c_param("Integer", 2 ** 63),
    "num:int-negative": c_param("Integer", -(2 ** 40)),
    "num:shm-zero": c_shm(0),
    "num:shm-subnormal": c_shm(5e-324),
    "num:shm-huge": c_shm(10 ** 9),
    # backslashes, quotes and newlines in every string
    "str:env-backslash": c_env("C:\\new\\table"),
    "str:env-quotes": c_env("say \"hi\" it's"),
    "str:env-newline": c_env("two\nlines"),
    "str:param-backslash": c_param("String", "a\\tb\\\\c"),
    "str:param-single-quote": c_param("String", "it's"),
    "str:description-newline": c_desc_pipeline("first line\nsecond line"),
    "str:description-quotes": c_desc_pipeline("a \"quoted\" 'word' \\ slash"),
    "str:annotation-escapes": c_kv("kubernetes_pod_annotations", "escapes", "a\\b \"q\" 'q'\nnext"),
    # a type where another is expected
    "type:string-cpu": c_resource("cpu", "2"),
    "type:string-memory": c_resource("memory", "4"),
    "type:string-gpu": c_resource("gpu", "1"),
    "type:number-env-value": c_env(5),
    "type:number-label-value": c_kv("kubernetes_pod_labels", "num", 7),
    "type:number-annotation-value": c_kv("kubernetes_pod_annotations", "num", 2.5),
    "type:string-shm": c_shm("3"),
    # every pipeline-default / node-override pair
    **{"pair:" + p: c_pair(p) for p in ("env_vars", "mounted_volumes", "kubernetes_secrets",
                                         "kubernetes_tolerations", "kubernetes_pod_labels",
                                         "kubernetes_pod_annotations", "kubernetes_shared_mem_size",
                                         "runtime_image", "disable_node_caching")},
    # versions
    "version:v8-string-label": c_v8_string_label,
    "version:v7-to-elyra": c_v7_to_elyra,
}
CLASS_NAMES = list(CLASSES)


def to_v7(cp):
    """v8 dicts -> v7 "KEY=VALUE" strings (what Elyra 3.5-3.11 wrote)."""
    cp = dict(cp)
    if "env_vars" in cp:
        cp["env_vars"] = ["%s=%s" % (e["env_var"], e["value"]) for e in cp["env_vars"]]
    if "kubernetes_secrets" in cp:
        cp["kubernetes_secrets"] = ["%s=%s:%s" % (s["env_var"], s["name"], s["key"]) for s in cp["kubernetes_secrets"]]
    if "mounted_volumes" in cp:
        # v7 has no sub_path or read_only: a plain path=pvc
        cp["mounted_volumes"] = ["%s=%s" % (v["path"], v["pvc_name"]) for v in cp["mounted_volumes"]]
    for k in ("kubernetes_pod_labels", "kubernetes_pod_annotations"):
        if k in cp:
            cp[k] = ["%s=%s" % (x["key"], x.get("value", "")) for x in cp[k]]
    if "kubernetes_tolerations" in cp:
        cp["kubernetes_tolerations"] = ["t%d=%s:%s:%s:%s" % (i, t.get("key", ""), t.get("operator", ""),
                                                          t.get("value", ""), t.get("effect", ""))
                                        for i, t in enumerate(cp["kubernetes_tolerations"])]
    return cp


def write_case(root, index, seed, classes=False):
    g = Gen(seed, index, classes)
    c = g.build()
    d = os.path.join(root, "%04d" % index)
    trees = ["v8"] + (["v7"] if c["v7"] else [])
    for tree in trees:
        for rel, content in g.files.items():
            p = os.path.join(d, tree, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w", encoding="utf-8") as fh:
                fh.write(content)
    rel_pipe = os.path.join(c["pipe_dir"], c["stem"] + ".pipeline")
    doc = c["doc"]
    if c["v7"]:
        # the pipeline's directory may hold no node file
        os.makedirs(os.path.join(d, "v7", c["pipe_dir"]), exist_ok=True)
        with open(os.path.join(d, "v7", rel_pipe), "w", encoding="utf-8") as fh:
            json.dump(doc, fh, indent=1, ensure_ascii=False)
        doc = v7_to_v8(doc)
    os.makedirs(os.path.join(d, "v8", c["pipe_dir"]), exist_ok=True)
    with open(os.path.join(d, "v8", rel_pipe), "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1, ensure_ascii=False)
    case = {"index": index, "seed": seed,
            "elyra": os.path.join("v7" if c["elyra_v7"] else "v8", rel_pipe),
            "t3q": [os.path.join(t, rel_pipe) for t in trees], "stem": c["stem"],
            "classes": c["classes"],
            "auth": c["auth"], "invalid": c["invalid"], "runnable": c["runnable"],
            "outputs": c["outputs"], "ancestors": c["ancestors"], "labels": c["labels"]}
    with open(os.path.join(d, "case.json"), "w", encoding="utf-8") as fh:
        json.dump(case, fh, indent=1, ensure_ascii=False)


def v7_to_v8(doc):
    """The v8 copy Elyra exports: elyra_peer.py's --to-v8 conversion."""
    import importlib.util
    here = os.path.dirname(os.path.abspath(__file__))
    spec = importlib.util.spec_from_file_location("elyra_peer", os.path.join(here, "elyra_peer.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.to_v8(copy.deepcopy(doc))


def main():
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--seed", required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--first", type=int, default=0, help="index of the first pipeline")
    ap.add_argument("--classes", action="store_true",
                    help="also produce every value class of CLASSES (t-elyra-diff.sh)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for i in range(a.first, a.first + a.count):
        write_case(a.out, i, a.seed, a.classes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
