#!/usr/bin/env python3
"""custom_diff.py: custom components (KFP v1 component YAML) side by side
with Elyra 4.0.0's own export, over generated pipelines (t-elyra-custom.sh).

  custom_diff.py gen --seed S --count N --out CASES --examples DIR [--corpus PKG]
      writes CASES/components/*.yaml (components of its own, exercising
      inputValue, inputPath, outputPath, concat, if/isPresent, typed
      inputs, env, metadata), CASES/catalogs/*.json (Elyra catalog
      instances: the examples connector and a local-directory-catalog of
      CASES/components) and CASES/NNN/p.pipeline: 1-6 nodes mixing
      generic notebooks and custom components (the examples catalog's
      download, filter and hash, and CASES/components), in a random DAG,
      inputs from string/number/boolean widgets, run parameters (now and
      then of a type kfp refuses), upstream outputs (by path and by
      value), and Elyra's properties (volumes, labels, annotations,
      tolerations, secrets, shared memory, caching). With --corpus, the
      Elyra package's own test pipelines with KFP custom nodes are cases
      900 on.
  custom_diff.py list CASES RUNTIME
      batch_export.py's list.
  custom_diff.py check CASES ELYRA_OUT T3Q_BIN RUNTIME.json EXAMPLES REPORT
      compiles each case with t3q-compile and writes REPORT/refusal.txt
      (Elyra refuses <=> t3q exits 1), REPORT/fields.txt (elyra_peer.py's
      field-by-field comparison, its ALLOW list), REPORT/yamls.txt and
      REPORT/counts.txt. An empty failure file is a pass. What Elyra
      refuses and t3q compiles is a pass only as ACCEPT below says
      (REPORT/accepted.txt names the entries used).
  custom_diff.py classes CASES [--v2] | accepted REPORT | readme docs/parity.md
      every value class (CLASS_NAMES) was generated; every ACCEPT entry
      was needed; docs/parity.md lists each.
"""
import contextlib
import hashlib
import io
import json
import os
import random
import re
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import elyra_peer  # noqa: E402
from gen_pipelines import Gen, port, link, NOTEBOOK_NOOP  # noqa: E402

# Components of our own: (file, YAML text, outputs, inputs as (name,
# type, how the command uses it: value|path)).
OWN = {
    "echo_args.yaml": """name: Echo args
description: Echoes its arguments into a file.
inputs:
- {name: Message, type: String}
- {name: Count, type: Integer, default: '2'}
- {name: Ratio, type: Float, optional: true}
- {name: Flag, type: Bool, optional: true, default: 'False'}
- {name: Note, optional: true}
outputs:
- {name: Out text, type: String}
metadata:
  annotations: {owner: t3q-tests}
  labels: {team: ml}
implementation:
  container:
    image: alpine:3.19
    command:
    - sh
    - -c
    - 'mkdir -p "$(dirname "$2")" && echo "$0 $1 $*" > "$2"'
    - {inputValue: Message}
    - {concat: ['n=', {inputValue: Count}]}
    - {outputPath: Out text}
    args:
    - if:
        cond: {isPresent: Ratio}
        then: [--ratio, {inputValue: Ratio}]
        else: [--no-ratio]
    - if:
        cond: {isPresent: Flag}
        then: [--flag, {inputValue: Flag}]
    - if:
        cond: {isPresent: Note}
        then: [{concat: ['--note=', {inputValue: Note}]}]
    env:
      MODE: fast
      EMPTY: ''
""",
    "consume.yaml": """name: Consume value
inputs:
- {name: Text}
- {name: Data file, optional: true}
- {name: Memory, optional: true, default: 1G}
- {name: Spare, optional: true}
outputs:
- {name: Result, type: String}
implementation:
  container:
    image: python:3.11-slim
    command: [python3, -c, 'import sys; open(sys.argv[2], "w").write(sys.argv[1])']
    args:
    - {inputValue: Text}
    - {outputPath: Result}
    - {inputValue: Memory}
    - if:
        cond: {isPresent: Data file}
        then: [{inputPath: Data file}]
""",
    "two_outputs.yaml": """name: Two outputs
inputs:
- {name: Seed, type: Integer, default: '7'}
outputs:
- {name: First out}
- {name: Second out, type: String}
implementation:
  container:
    image: busybox
    command:
    - sh
    - -ec
    - |
      mkdir -p "$(dirname "$1")" "$(dirname "$2")"
      echo "$0" > "$1"; echo "$0$0" > "$2"
    - {inputValue: Seed}
    - {outputPath: First out}
    - {outputPath: Second out}
""",
    # kfp 1.8.22 cannot decide an if on an inputValue (its v2 pass): refused
    "bad_cond.yaml": """name: Bad cond
inputs:
- {name: Verbose, type: Bool, default: 'True'}
implementation:
  container:
    image: busybox
    command:
    - echo
    - if:
        cond: {inputValue: Verbose}
        then: [-v]
""",
    # kfp 1.8 refuses the output name (a PipelineParam's): both must refuse
    "bad_output.yaml": """name: Bad output
outputs:
- {name: Out.file}
implementation:
  container:
    image: busybox
    command: [sh, -c, 'echo > "$0"', {outputPath: Out.file}]
""",
}
# Components for --v2 (KFP v2 typing: kfp 2 passes values only to the
# parameter types, String, Integer, Float, Bool, JsonObject, JsonArray;
# anything else is an artifact, given only by an upstream output of a
# matching type).
OWN_V2 = {
    "v2_echo.yaml": """name: V2 echo
description: Echoes its arguments (concat, if/isPresent, env).
inputs:
- {name: Message, type: String}
- {name: Count, type: Integer, default: '2'}
- {name: Ratio, type: Float, optional: true}
- {name: Note, type: String, optional: true}
- {name: Options, type: JsonObject, default: '{"a": 1}'}
- {name: Verbose, type: Bool, optional: true}
outputs:
- {name: Out text, type: String}
- {name: Report, type: Dataset}
metadata:
  annotations: {owner: t3q-tests}
implementation:
  container:
    image: alpine:3.19
    command:
    - sh
    - -c
    - 'mkdir -p "$(dirname "$2")" "$(dirname "$3")" && echo "$0 $1 $*" > "$2" && echo "$0" > "$3"'
    - {inputValue: Message}
    - {concat: ['n=', {inputValue: Count}]}
    - {outputPath: Out text}
    - {outputPath: Report}
    args:
    - if:
        cond: {isPresent: Ratio}
        then: [--ratio, {inputValue: Ratio}]
        else: [--no-ratio]
    - if:
        cond: {isPresent: Note}
        then: [{concat: ['--note=', {inputValue: Note}, ' ✓']}]
    - {inputValue: Options}
    - if:
        cond: {isPresent: Verbose}
        then: [{concat: ['--verbose=', {inputValue: Verbose}]}]
    env:
      MODE: fast
""",
    "v2_two.yaml": """name: V2 two outputs
inputs:
- {name: Seed, type: Integer, default: '7'}
outputs:
- {name: First out}
- {name: Second out, type: String}
- {name: Count out, type: Integer}
implementation:
  container:
    image: busybox
    command:
    - sh
    - -ec
    - |
      mkdir -p "$(dirname "$1")" "$(dirname "$2")" "$(dirname "$3")"
      echo "$0" > "$1"; echo "$0$0" > "$2"; echo 3 > "$3"
    - {inputValue: Seed}
    - {outputPath: First out}
    - {outputPath: Second out}
    - {outputPath: Count out}
""",
    "v2_train.yaml": """name: V2 train
inputs:
- {name: Data, type: Dataset}
- {name: Rate, type: Float, default: '0.1'}
- {name: Epochs, type: Integer}
- {name: Label, type: String, optional: true, default: run}
- {name: Extra, optional: true}
outputs:
- {name: Model, type: Model}
- {name: Summary, type: String}
implementation:
  container:
    image: python:3.11-slim
    command: [python3, -c, 'import sys; open(sys.argv[4], "w").write("m"); open(sys.argv[5], "w").write(sys.argv[3])']
    args:
    - {inputPath: Data}
    - {inputValue: Rate}
    - {concat: [{inputValue: Label}, '-', {inputValue: Epochs}]}
    - {outputPath: Model}
    - {outputPath: Summary}
    - if:
        cond: {isPresent: Extra}
        then: [--extra, {inputPath: Extra}]
""",
}
# inputs (name, type, required: not optional, as Elyra reads it, a
# default notwithstanding), outputs (name, type)
SPECS_V2 = {
    "v2_echo.yaml": ([("Message", "String", True), ("Count", "Integer", True), ("Ratio", "Float", False),
                      ("Note", "String", False), ("Options", "JsonObject", True), ("Verbose", "Bool", False)],
                     [("Out text", "String"), ("Report", "Dataset")]),
    "v2_two.yaml": ([("Seed", "Integer", True)], [("First out", None), ("Second out", "String"),
                                                   ("Count out", "Integer")]),
    "v2_train.yaml": ([("Data", "Dataset", True), ("Rate", "Float", True), ("Epochs", "Integer", True),
                       ("Label", "String", False), ("Extra", None, False)],
                      [("Model", "Model"), ("Summary", "String")]),
    "calculate_hash.yaml": ([("Data", None, True), ("Hash algorithm", "String", True)], [("Hash", None)]),
    "filter_text_using_shell_and_grep.yaml": ([("Text", None, True), ("Pattern", None, False)],
                                              [("Filtered text", None)]),
    "download_data.yaml": ([("Url", "URI", True), ("curl options", "string", True)], [("Data", None)]),
}
V2_PARAMS = {"String": "String", "string": "String", "Integer": "Integer", "Float": "Float", "Bool": "Bool",
             "JsonObject": None, "JsonArray": None}


def v2_fits(out_type, in_type):
    """kfp 2's verify_type_compatibility for an output passed to an input"""
    op, ip = out_type in V2_PARAMS, in_type in V2_PARAMS
    if op != ip:
        return False
    if op:
        return V2_PARAMS[out_type] == V2_PARAMS[in_type] and V2_PARAMS[in_type] is not None
    return out_type is None or in_type is None or out_type == in_type


# What the generator knows of each component: inputs (name, type, use,
# required: not optional, as Elyra reads it, a default notwithstanding),
# outputs (name, type).
SPECS = {
    "echo_args.yaml": ([("Message", "String", "value", True), ("Count", "Integer", "value", True),
                        ("Ratio", "Float", "value", False), ("Flag", "Bool", "value", False),
                        ("Note", None, "value", False)], [("Out text", "String")]),
    # "Memory": an input named as one of Elyra's generic-node properties
    # "Spare": an input no placeholder reads; kfp still passes a value or an
    # upstream output to it, as a file (a run parameter is not given to it:
    # kfp makes that a workflow artifact no run supplies, as for inputPath,
    # and t3q a raw artifact of the parameter's value; see docs/guide.md)
    "consume.yaml": ([("Text", None, "value", True), ("Data file", None, "path", False),
                      ("Memory", None, "value", False), ("Spare", None, "unused", False)],
                     [("Result", "String")]),
    "bad_output.yaml": ([], [("Out.file", None)]),
    "bad_cond.yaml": ([("Verbose", "Bool", "value", False)], []),
    "two_outputs.yaml": ([("Seed", "Integer", "value", True)], [("First out", None), ("Second out", "String")]),
    "download_data.yaml": ([("Url", "URI", "value", True), ("curl options", "string", "value", True)],
                           [("Data", None)]),
    "filter_text_using_shell_and_grep.yaml": ([("Text", None, "path", True), ("Pattern", None, "value", False)],
                                              [("Filtered text", None)]),
    "calculate_hash.yaml": ([("Data", None, "path", True), ("Hash algorithm", "String", "value", True)],
                            [("Hash", None)]),
}
EXAMPLES = ["download_data.yaml", "filter_text_using_shell_and_grep.yaml", "calculate_hash.yaml"]
STRINGS = ["hello", "two words", "ünï ✓", "a'quote", "--flag-like", "", "x=1;y=2", "$HOME", "https://example.com/a.txt"]
PARAM_TYPE = {"String": "String", "Integer": "Integer", "Float": "Float", "Bool": "Boolean"}
# Value classes the generator must produce (check_classes): a value that
# decides Elyra's verdict alone, drawn from a random stream of its own so
# that the rest of the generated set stays as it was.
EMPTY_NUMBER = "an empty number field on a custom node"
CLASS_NAMES = [EMPTY_NUMBER]
# --v2's value classes, by the input's type: a constant of the class now
# and then (its own random stream) in place of value_for's.
V2_CLASSES = {
    "String": [("whitespace at both ends", "  padded  "), ("a backslash before n", "C:\\new\\dir"),
               ("a newline", "two\nlines"), ("a tab", "a\tb"), ("double quotes", 'say "hi"'),
               ("triple quotes", 'x"""y'), ("non-ASCII", "ünï ✓"), ("empty", ""), ("braces", "{x} {{y}}")],
    "Integer": [("zero", 0), ("negative", -1), ("huge", 9007199254740993)],
    "Float": [("zero", 0.0), ("subnormal", 5e-324), ("huge", 1e308), ("an exponent", 1.5e-7), ("integral", 3.0)],
}
CLASS_NAMES_V2 = ["%s: %s" % (t, name) for t, cls in V2_CLASSES.items() for name, _ in cls]


def empty_numbers(doc):
    """The custom nodes' number fields holding "" (node id, property)."""
    return [(n["id"], k) for pl in doc["pipelines"] for n in pl.get("nodes", [])
            if ":" in str(n.get("op", ""))
            for k, v in ((n.get("app_data") or {}).get("component_parameters") or {}).items()
            if isinstance(v, dict) and v.get("widget") == "number" and v.get("value") == ""]


def elyra_message(res):
    return (res.get("message") or "") + (res.get("output") or "")


# Where Elyra 4.0.0 is wrong and t3q right, as elyra_diff.py's ACCEPT:
# (name, recognises the case from the pipeline and Elyra's result, why);
# docs/parity.md lists them in elyra_diff.SECTION, each needed by the
# generated set. check() holds t3q to what the why says (accept_holds).
ACCEPT = [
    (EMPTY_NUMBER,
     lambda doc, res: bool(empty_numbers(doc)) and "cannot parse" in elyra_message(res)
     and any("%s=," % k in elyra_message(res) for _, k in empty_numbers(doc)),
     'Elyra 4.0.0 writes "" in an Integer or Float field of a component\'s input into its generated '
     "kfp DSL as `name=,`, which does not parse (`cannot parse ... ParseError: bad input`); t3q reads "
     "it as the field left empty, as Elyra reads a missing value: the component's default or the "
     "type's (0, 0.0) for an optional input, `Node is missing a value for a required property` "
     "for a required one"),
]


def t3q_compile(t3q_bin, runtime, examples, d, name, out):
    return subprocess.run([os.path.join(t3q_bin, "compiler", "t3q-compile"), name, "--runtime-config", runtime,
                           "--components", examples, "-o", out], cwd=d, capture_output=True, text=True)


def accept_holds(d, c, compile_, rc):
    """t3q compiles the pipeline with its "" number fields as it compiles
    the same pipeline with them null (the field Elyra's editor leaves
    empty, which the generated set compares with Elyra's export): the
    same workflow. None when it does, else why not."""
    if rc != 0:
        return "t3q exit %d" % rc
    name = "c%s.pipeline" % c
    doc = json.load(open(os.path.join(d, name)))
    for pl in doc["pipelines"]:
        for n in pl.get("nodes", []):
            for v in ((n.get("app_data") or {}).get("component_parameters") or {}).values():
                if isinstance(v, dict) and v.get("widget") == "number" and v.get("value") == "":
                    v["value"] = None
    twin = os.path.join(d, "null")
    os.makedirs(twin, exist_ok=True)
    for f in os.listdir(d):
        if f.endswith(".ipynb"):
            with open(os.path.join(d, f)) as src, open(os.path.join(twin, f), "w") as dst:
                dst.write(src.read())
    with open(os.path.join(twin, name), "w") as fh:
        json.dump(doc, fh)
    p = compile_(twin, name, os.path.join(twin, "t3q.yaml"))
    if p.returncode != 0:
        return "t3q exit %d with the empty number fields null" % p.returncode
    if open(os.path.join(d, "t3q.yaml")).read() != open(os.path.join(twin, "t3q.yaml")).read():
        return "t3q's workflow differs from the one with the empty number fields null"
    return None


def pid(name):
    return name.lower().replace(" ", "_")


def h12(s):
    return hashlib.sha256(s.encode()).hexdigest()[:12]


class CGen(Gen):
    def value_for(self, typ):
        if typ == "Integer":
            return "number", self.pick([0, 3, 42, -1])
        if typ == "Float":
            return "number", self.pick([0.5, 1.25, 3.0])
        if typ == "Bool":
            return "boolean", self.chance(0.5)
        return "string", self.pick(STRINGS)

    def run_params(self, names):
        """Up to 4 of NAMES as the pipeline's parameters, each of its type."""
        types = {"p_text": "String", "p_num": "Integer", "p_ratio": "Float", "p_flag": "Bool", "p_url": "String"}
        params = []
        for name in self.sample(names, 0, 4):
            typ = types[name]
            val = {"String": self.pick(STRINGS[:5]), "Integer": 5, "Float": 2.5, "Bool": True}[typ]
            params.append({"name": name, "description": "", "required": False,
                           "default_value": {"type": typ, "value": val}})
        return params

    def v2_input(self, cp, iname, ityp, required, producers, params):
        """One input's property, as --v2 gives it: mostly what kfp 2 takes,
        now and then what it refuses (a value to an artifact input, a
        mismatched output)."""
        fits = [(up, o) for up in producers for o, ot in up["outs"] if v2_fits(ot, ityp)]
        r = self.rng.random()
        if fits and (ityp not in V2_PARAMS or r < 0.35) and self.chance(0.9):
            up, oname = self.pick(fits)
            cp[pid(iname)] = {"widget": "inputpath", "value": {"value": up["id"], "option": "output_" + pid(oname)}}
            return up["id"]
        if ityp in V2_PARAMS:
            match = [p for p in params if V2_PARAMS[ityp] and p["default_value"]["type"] == V2_PARAMS[ityp]]
            if match and r < 0.6:
                cp[pid(iname)] = {"widget": "parameter", "value": self.pick(match)["name"]}
            elif not required and self.chance(0.3):
                cp[pid(iname)] = {"widget": self.value_for(ityp)[0], "value": None}
            elif ityp in ("JsonObject", "JsonArray"):
                fit = ['{"b": [1, 2]}', '{}'] if ityp == "JsonObject" else ['[1, "x"]', '[]']
                cp[pid(iname)] = {"widget": "string", "value": self.pick(fit if self.chance(0.9) else
                                                                         ['[1, "x"]', '{"b": 1}', 'not json'])}
            else:
                widget, v = self.value_for(V2_PARAMS[ityp])
                cls = V2_CLASSES.get(V2_PARAMS[ityp])
                if cls and self.erng.random() < 0.35:
                    name, v = cls[self.erng.randrange(len(cls))]
                    self.classes.add("%s: %s" % (V2_PARAMS[ityp], name))
                cp[pid(iname)] = {"widget": widget, "value": v}
            return None
        # an artifact input with nothing that fits: left empty, or a value
        if self.chance(0.5):
            cp[pid(iname)] = {"widget": "string", "value": None if not required else self.pick(STRINGS)}
        else:
            cp[pid(iname)] = {"widget": "string", "value": self.pick(STRINGS)}
        return None

    def node_json(self, node, i, op, cp, src, by_id):
        """One node of the pipeline file: its links, properties, source."""
        links = [link(self.rng, p) for p in sorted(node["parents"]) if p in by_id]
        ad = {"component_parameters": cp, "label": "",
              "ui_data": {"label": node["label"], "image": "/static/elyra/kubeflow.svg",
                          "x_pos": 10 * i, "y_pos": 10}}
        if src:
            ad["component_source"] = json.dumps(src)
        return {"id": node["id"], "type": "execution_node", "op": op, "app_data": ad,
                "inputs": [port("inPort", links=links)], "outputs": [port("outPort", "Output Port")]}

    def pipeline_doc(self, out, params, defaults, nodes):
        """The pipeline file around the nodes: comments attached to some
        (elyra/node-user-doc), the parameters and defaults; and the
        notebooks its generic nodes need."""
        comments = []
        for x in out:
            if self.chance(0.15):
                comments.append({"id": self.uid(), "x_pos": 0, "y_pos": 0, "width": 175, "height": 42,
                                 "content": self.pick(["a note", "two\nlines", "ünï ✓"]),
                                 "associated_id_refs": [{"id": self.uid(), "node_ref": x["id"]}]})
        props = {"name": "generated", "runtime": "Kubeflow Pipelines", "pipeline_defaults": defaults}
        if params:
            props["pipeline_parameters"] = params
        doc = {"doc_type": "pipeline", "version": "3.0",
               "json_schema": "http://api.dataplatform.ibm.com/schemas/common-pipeline/pipeline-flow/"
                              "pipeline-flow-v3-schema.json",
               "id": "elyra-auto-generated-pipeline", "primary_pipeline": "primary",
               "pipelines": [{"id": "primary", "nodes": out, "app_data": {
                   "ui_data": {"comments": comments}, "version": 8, "runtime_type": "KUBEFLOW_PIPELINES",
                   "properties": props}, "runtime_ref": ""}], "schemas": []}
        files = ["nb%d.ipynb" % i for i, x in enumerate(nodes) if x["kind"] == "generic"]
        return doc, files

    def build_v2(self, compdir):
        """--v2: the nodes of build(), with SPECS_V2's components and
        inputs given as kfp 2 types them."""
        self.classes = set()
        params = self.run_params(["p_text", "p_num", "p_ratio", "p_flag"])
        nodes = []
        for i in range(self.rng.randint(1, 6)):
            kind = "generic" if self.chance(0.2) else "custom"
            node = {"id": self.uid(), "kind": kind, "parents": set(), "label": "Node %d" % i}
            if i and self.chance(0.5):
                node["parents"].add(self.pick(nodes)["id"])
            nodes.append(node)
        by_id = {x["id"]: x for x in nodes}
        out = []
        # the examples' download and filter read artifact inputs by
        # inputValue, which kfp 2 refuses outright: now and then only
        pool = sorted(OWN_V2) * 3 + ["calculate_hash.yaml"] * 2
        for i, node in enumerate(nodes):
            src = None
            if node["kind"] == "generic":
                cp = {"filename": "nb%d.ipynb" % i, "runtime_image": "docker.io/library/python:3.11",
                      "dependencies": [], "include_subdirectories": False, "outputs": []}
                op = "execute-notebook-node"
            else:
                comp = self.pick(pool)
                if self.chance(0.04):
                    comp = self.pick(["filter_text_using_shell_and_grep.yaml", "download_data.yaml"])
                producers = [x for x in nodes[:i] if x["kind"] == "custom" and x.get("outs")]
                needs = [t for _, t, r in SPECS_V2[comp][0] if r and t not in V2_PARAMS]
                if any(not any(v2_fits(ot, t) for up in producers for _, ot in up["outs"]) for t in needs) \
                        and self.chance(0.9):
                    comp = "v2_two.yaml"  # a required artifact input with nothing upstream: mostly not
                ins, outs = SPECS_V2[comp]
                op = "local-directory-catalog:" + h12(comp)
                src = {"catalog_type": "local-directory-catalog", "component_ref": {"base_dir": compdir, "path": comp}}
                node["outs"] = outs
                cp = {"output_" + pid(o): "" for o, _ in outs}
                producers = [x for x in nodes[:i] if x["kind"] == "custom" and x.get("outs")]
                for iname, ityp, required in ins:
                    up = self.v2_input(cp, iname, ityp, required, producers, params)
                    if up:
                        node["parents"].add(up)
                self.k8s_props(cp)
                if self.chance(0.2):
                    cp["disable_node_caching"] = self.pick(["True", "False"])
            out.append(self.node_json(node, i, op, cp, src, by_id))
        return self.pipeline_doc(out, params, {}, nodes)

    def build(self, compdir):
        self.classes = set()
        params = self.run_params(["p_text", "p_num", "p_ratio", "p_flag", "p_url"])
        n = self.rng.randint(1, 6)
        nodes = []
        for i in range(n):
            kind = "generic" if self.chance(0.25) else "custom"
            node = {"id": self.uid(), "kind": kind, "parents": set(), "label": "Node %d" % i}
            if i and self.chance(0.6):
                node["parents"].add(self.pick(nodes)["id"])
            nodes.append(node)
        by_id = {x["id"]: x for x in nodes}
        out = []
        for i, node in enumerate(nodes):
            if node["kind"] == "generic":
                cp = {"filename": "nb%d.ipynb" % i, "runtime_image": "docker.io/library/python:3.11",
                      "dependencies": [], "include_subdirectories": False, "outputs": []}
                op = "execute-notebook-node"
                src = None
            else:
                comp = self.pick(EXAMPLES + [f for f in OWN if not f.startswith("bad_")])
                if self.chance(0.05):
                    comp = self.pick(["bad_output.yaml", "bad_cond.yaml"])
                producers = [x for x in nodes[:i] if x["kind"] == "custom" and x.get("outs")]
                if not producers and any(u == "path" and r for _, _, u, r in SPECS[comp][0]):
                    # a required path input with nothing upstream: mostly not
                    comp = comp if self.chance(0.1) else self.pick(["download_data.yaml", "two_outputs.yaml",
                                                                      "echo_args.yaml"])
                ins, outs = SPECS[comp]
                if comp in OWN or self.examples_local:
                    op = "local-directory-catalog:" + h12(comp)
                    src = {"catalog_type": "local-directory-catalog",
                           "component_ref": {"base_dir": compdir, "path": comp}}
                else:
                    op = "elyra-kfp-examples-catalog:" + h12(comp)
                    src = {"catalog_type": "elyra-kfp-examples-catalog", "component_ref": {"component-id": comp}}
                node["outs"] = outs
                cp = {}
                for oname, _ in outs:
                    cp["output_" + pid(oname)] = ""
                # earlier custom nodes with outputs: possible producers
                producers = [x for x in nodes[:i] if x["kind"] == "custom" and x.get("outs")]
                for iname, ityp, use, required in ins:
                    r = self.rng.random()
                    if producers and (use == "path" or r < 0.25) and self.chance(0.85):
                        up = self.pick(producers)
                        oname = self.pick(up["outs"])[0]
                        ref = {"value": up["id"], "option": "output_" + pid(oname)}
                        if use == "unused" and any(v.get("value") == ref for v in cp.values() if isinstance(v, dict)):
                            # one output at two paths: two input artifacts of one name (kfp's), which
                            # is not this input's question
                            cp[pid(iname)] = {"widget": "string", "value": self.pick(STRINGS)}
                            continue
                        cp[pid(iname)] = {"widget": "inputpath", "value": ref}
                        node["parents"].add(up["id"])
                    elif params and r < 0.5 and use == "value":
                        want = PARAM_TYPE.get(ityp or "", None)
                        match = [p for p in params if want is None or PARAM_TYPE[p["default_value"]["type"]] == want]
                        if match or self.chance(0.15):
                            # now and then a type kfp refuses
                            pick = self.pick(match) if match and self.chance(0.95) else self.pick(params)
                            cp[pid(iname)] = {"widget": "parameter", "value": pick["name"]}
                        else:
                            widget, v = self.value_for(ityp)
                            cp[pid(iname)] = {"widget": widget, "value": v}
                    elif not required and self.chance(0.02):
                        continue  # left out: Elyra 4.0.0 fails on it
                    elif self.chance(0.2):
                        # untouched: the default (a required one: refused)
                        if not required or self.chance(0.1):
                            widget = self.value_for(ityp)[0]
                            if widget == "number" and self.erng.random() < 0.5:
                                # the field left empty as "": Elyra's export fails on it
                                cp[pid(iname)] = {"widget": widget, "value": ""}
                                self.classes.add(EMPTY_NUMBER)
                                continue
                            cp[pid(iname)] = {"widget": widget, "value": None}
                            continue
                        widget, v = self.value_for(ityp)
                        cp[pid(iname)] = {"widget": widget, "value": v}
                    elif self.chance(0.02):
                        continue  # no property: refused either way
                    else:
                        widget, v = self.value_for(ityp)
                        cp[pid(iname)] = {"widget": widget, "value": v}
                self.k8s_props(cp)
                if self.chance(0.2):
                    cp["disable_node_caching"] = self.pick(["True", "False"])
            node["cp"] = cp
            out.append(self.node_json(node, i, op, cp, src, by_id))
        # Pipeline defaults (Elyra applies them to custom nodes too), and
        # comments attached to nodes (elyra/node-user-doc).
        defaults = {}
        if self.chance(0.3):
            self.k8s_props(defaults)
            defaults.pop("kubernetes_secrets", None)
        return self.pipeline_doc(out, params, defaults, nodes)


def gen(argv):
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=60)
    ap.add_argument("--out", required=True)
    ap.add_argument("--examples", required=True)
    ap.add_argument("--corpus", help="the Elyra package: its test pipelines with custom nodes become cases 900..")
    ap.add_argument("--v2", action="store_true",
                    help="components and inputs as KFP v2 types them (OWN_V2, SPECS_V2; implies --examples-local)")
    ap.add_argument("--examples-local", action="store_true",
                    help="the examples' components in the local-directory-catalog too (an Elyra without the "
                         "examples connector: 4.1.1's venv)")
    a = ap.parse_args(argv)
    a.examples_local = a.examples_local or a.v2
    root = os.path.abspath(a.out)
    compdir = os.path.join(root, "components")
    os.makedirs(compdir)
    os.makedirs(os.path.join(root, "catalogs"))
    for f, text in (OWN_V2 if a.v2 else OWN).items():
        with open(os.path.join(compdir, f), "w") as fh:
            fh.write(text)
    if a.examples_local:
        for f in EXAMPLES:
            with open(os.path.join(a.examples, f)) as src, open(os.path.join(compdir, f), "w") as dst:
                dst.write(src.read())
    else:
        with open(os.path.join(root, "catalogs", "examples.json"), "w") as fh:
            json.dump({"display_name": "examples", "schema_name": "elyra-kfp-examples-catalog",
                       "metadata": {"runtime_type": "KUBEFLOW_PIPELINES", "categories": []}}, fh)
    with open(os.path.join(root, "catalogs", "own.json"), "w") as fh:
        json.dump({"display_name": "own", "schema_name": "local-directory-catalog",
                   "metadata": {"runtime_type": "KUBEFLOW_PIPELINES", "categories": [],
                                "paths": [compdir], "include_subdirs": False}}, fh)
    if a.corpus:
        k = 900
        for dirpath, _, files in sorted(os.walk(os.path.join(a.corpus, "tests"))):
            for f in sorted(files):
                if not f.endswith(".pipeline"):
                    continue
                try:
                    doc = json.load(open(os.path.join(dirpath, f)))
                    ops = [n.get("op") for pl in doc["pipelines"] for n in pl.get("nodes", [])]
                except Exception:
                    continue
                if not any(isinstance(o, str) and ":" in o and not o.startswith("local-file-catalog")
                           for o in ops):
                    continue  # generic only (or Airflow's): other tests'
                d = os.path.join(root, "%03d" % k)
                os.makedirs(d)
                with open(os.path.join(dirpath, f)) as src, open(os.path.join(d, "c%03d.pipeline" % k), "w") as dst:
                    dst.write(src.read())
                k += 1
    classes = {}
    for i in range(a.count):
        g = CGen(a.seed, i)
        g.examples_local = a.examples_local
        g.erng = random.Random("%s-%s-classes" % (a.seed, i))
        doc, files = g.build_v2(compdir) if a.v2 else g.build(compdir)
        d = os.path.join(root, "%03d" % i)
        os.makedirs(d)
        classes["%03d" % i] = sorted(g.classes)
        # named after the case, as both tools name the pipeline
        with open(os.path.join(d, "c%03d.pipeline" % i), "w") as fh:
            json.dump(doc, fh, indent=1, ensure_ascii=False)
        for f in files:
            with open(os.path.join(d, f), "w") as fh:
                json.dump(NOTEBOOK_NOOP, fh)
    with open(os.path.join(root, "classes.json"), "w") as fh:
        json.dump(classes, fh)


def cases(root):
    return sorted(d for d in os.listdir(root) if d.isdigit())


def list_cases(root, runtime):
    for c in cases(root):
        print(json.dumps({"id": c, "pipeline": os.path.join(os.path.abspath(root), c, "c%s.pipeline" % c),
                          "runtime": runtime}))


def feature_counts(path, counts):
    """What Elyra's exported custom templates exercise (each must occur)."""
    import yaml
    d = yaml.safe_load(open(path))
    for t in d["spec"]["templates"]:
        meta = t.get("metadata") or {}
        a = meta.get("annotations") or {}
        spec = a.get("pipelines.kubeflow.org/component_spec")
        if not spec or json.loads(spec).get("name") == "Run a file":
            continue
        ins = t.get("inputs") or {}
        arts = ins.get("artifacts", [])
        got = {
            "inputs.parameters": bool(ins.get("parameters")),
            "inputs.artifacts.raw": any("raw" in x for x in arts),
            "inputs.artifacts.from-task": any("raw" not in x for x in arts),
            "outputs.parameters": bool((t.get("outputs") or {}).get("parameters")),
            "volumes.pvc": any("persistentVolumeClaim" in v for v in t.get("volumes", [])),
            "volumes.shm": any(v["name"] == "shm" for v in t.get("volumes", [])),
            "tolerations": "tolerations" in t,
            "labels.user": any(not k.startswith("pipelines.kubeflow.org/") for k in meta.get("labels") or {}),
            "annotations.doc": "elyra/node-user-doc" in a,
            "annotations.max_cache_staleness": "pipelines.kubeflow.org/max_cache_staleness" in a,
            "env": bool(t["container"].get("env")),
        }
        for k, v in got.items():
            counts.setdefault("features", {}).setdefault(k, 0)
            counts["features"][k] += int(v)


def check(root, elyra_out, t3q_bin, runtime, examples, report):
    runtime, root, elyra_out, report = (os.path.abspath(x) for x in (runtime, root, elyra_out, report))
    os.makedirs(report, exist_ok=True)
    refusal, fields, yamls, accepted = [], [], [], []
    counts = {"exported": 0, "refused": 0, "custom_nodes": 0}
    for c in cases(root):
        d = os.path.join(root, c)
        res = json.load(open(os.path.join(elyra_out, c, "result.json")))
        out = os.path.join(d, "t3q.yaml")
        def compile_(cwd, name, y):
            return t3q_compile(t3q_bin, runtime, examples, cwd, name, y)
        p = compile_(d, "c%s.pipeline" % c, out)
        doc = json.load(open(os.path.join(d, "c%s.pipeline" % c)))
        counts["custom_nodes"] += sum(1 for n in doc["pipelines"][0]["nodes"]
                                      if ":" in str(n.get("op", "")))
        if not res["exported"]:
            counts["refused"] += 1
            msg = (res.get("message") or "").strip().splitlines()
            issues = [i.get("message") for i in res.get("issues") or [] if i.get("severity") == 1]
            why = next((a for a in ACCEPT if a[1](doc, res)), None) if p.returncode != 1 else None
            if why:
                bad = accept_holds(d, c, compile_, p.returncode)
                if bad:
                    refusal.append("%s: Elyra refuses (%s), %s" % (c, why[0], bad))
                else:
                    accepted.append(why[0])
                continue
            if p.returncode != 1:
                refusal.append("%s: Elyra refuses (%s %s), t3q exit %d" % (
                    c, issues, msg[-1:] if msg else "", p.returncode))
            continue
        counts["exported"] += 1
        if p.returncode != 0:
            refusal.append("%s: Elyra exports, t3q exit %d: %s" % (c, p.returncode, p.stderr.strip()[:600]))
            continue
        yamls.append(out)
        feature_counts(os.path.join(elyra_out, c, "elyra.yaml"), counts)
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            bad = elyra_peer.compare(os.path.join(elyra_out, c, "elyra.yaml"), out,
                                     os.path.join(report, "used"))
        if bad:
            fields.extend("%s: %s" % (c, line) for line in buf.getvalue().splitlines()
                          if line.startswith("DIFFERENT"))
    for name, lines in (("refusal", refusal), ("fields", fields), ("yamls", yamls), ("accepted", accepted)):
        with open(os.path.join(report, name + ".txt"), "w") as fh:
            fh.write("".join(x + "\n" for x in lines))
    with open(os.path.join(report, "counts.txt"), "w") as fh:
        json.dump(counts, fh)
    print("%d pipelines (%d custom nodes): Elyra exported %d, refused %d" % (
        len(cases(root)), counts["custom_nodes"], counts["exported"], counts["refused"]))


def check_accepted(report):
    """Every ACCEPT entry was needed by some generated pipeline."""
    used = set(open(os.path.join(report, "accepted.txt")).read().splitlines())
    unused = [n for n, _, _ in ACCEPT if n not in used]
    for n in unused:
        print("ACCEPT entry never needed: " + n)
    return 1 if unused else 0


def check_classes(root, names=None):
    """Every value class was produced (CLASS_NAMES, or --v2's)."""
    names = names or CLASS_NAMES
    made = {k for v in json.load(open(os.path.join(root, "classes.json"))).values() for k in v}
    missing = [k for k in names if k not in made]
    for k in missing:
        print("value class not produced: " + k)
    print("%d value classes, %d produced" % (len(CLASS_NAMES), len(made)))
    return 1 if missing else 0


def check_readme(path):
    """docs/parity.md's table of what Elyra refuses and t3q compiles holds
    every ACCEPT entry, word for word (elyra_diff.py checks that it holds
    nothing else)."""
    import elyra_diff
    text = open(path, encoding="utf-8").read()
    body = re.split(r"^##", text.split(elyra_diff.SECTION, 1)[-1], maxsplit=1, flags=re.M)[0]
    rows = body.splitlines()
    bad = ["not in docs/parity.md (%s): | %s | %s |" % (elyra_diff.SECTION, n, w)
           for n, _, w in ACCEPT if "| %s | %s |" % (n, w) not in rows]
    for b in bad:
        print(b)
    return 1 if bad else 0


def main(argv):
    if argv[:1] == ["accepted"] and len(argv) == 2:
        return check_accepted(argv[1])
    if argv[:1] == ["classes"] and len(argv) == 2:
        return check_classes(argv[1])
    if argv[:1] == ["classes"] and len(argv) == 3 and argv[2] == "--v2":
        return check_classes(argv[1], CLASS_NAMES_V2)
    if argv[:1] == ["readme"] and len(argv) == 2:
        return check_readme(argv[1])
    if argv[:1] == ["gen"]:
        return gen(argv[1:])
    if argv[:1] == ["list"]:
        return list_cases(*argv[1:3])
    if argv[:1] == ["check"]:
        return check(*argv[1:7])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
