#!/usr/bin/env python3
"""peer.py: compares t3q-compile --target kfp-v2 (PipelineSpec IR and the
kubernetes platform spec) with Elyra 4.1.1's own export of the same
pipeline (kfp 2.17.3), field by field, node by node.

  peer.py ELYRA.yaml T3Q.yaml [--used-log FILE]
      prints every difference; exits 1 if one is not in ALLOW below.
  peer.py check CASES ELYRA_OUT T3Q_BIN RUNTIMES_DIR REPORT
      for every case (gen_pipelines.py's case.json layout) that Elyra
      exported (ELYRA_OUT/<id>/result.json, elyra.yaml, from
      tests/tools/elyra/batch_export.py run in the Elyra 4.1.1 venv):
      compiles each t3q variant with --target kfp-v2 and the same runtime
      configuration, and writes REPORT/compiled.txt (Elyra exports, t3q
      refuses), REPORT/fields.txt (differences not allowed), REPORT/used
      (the allow entries that excused one), REPORT/irs.txt (t3q's IR files)
      and REPORT/stats.json; an empty .txt: the check passed. A case with
      "refusals": true (custom components) that Elyra refuses must be
      refused by t3q too, or be one of REFUSED (Elyra 4.1.1's bugs):
      REPORT/refused.txt lists the rest. REPORT/pairs.txt: PIPELINE<TAB>IR
      of each pipeline t3q compiled (for kfp_ref.py).
  peer.py --unused FILE       exits 1 if an ALLOW entry is not in FILE
                              (but those for custom nodes: --unused-custom)
  peer.py --unused-refused FILE   the same for REFUSED
  peer.py --readme docs/parity.md  exits 1 unless docs/parity.md's table (SECTION)
                              has exactly one row per ALLOW key
  peer.py --table             prints that table

Nodes are matched by their dependency archive name (--cos-dependencies-
archive, "<file stem>-<node id>.tar.gz", which both tools derive from the
node's id); task, component and executor names and display names are
fields to compare, not keys. Each node becomes a flat map of fields:

  task.*            the root DAG task: taskInfo, cachingOptions,
                    dependentTasks (as the other tasks' keys), inputs
  component.*       its component: input/output definitions
  container.*       its executor's container: image, command, args,
                    resources.*; env.NAME for each env var
  bootstrap.--FLAG  the bootstrapper's flags: Elyra's shell script parsed
                    back into bootstrapper.py's (elyra_peer.py's parser),
                    t3q's args (repeated --artifact-input/--artifact-output
                    as {NAME: PATH})
  k8s.*             its executor in the platform spec: podMetadata labels
                    and annotations, pvcMount[<mountPath>],
                    secretEnv.NAME, tolerations (a set), anything else
and the pipeline gets pipeline.* fields (pipelineInfo, root parameters,
schemaVersion, sdkVersion). Normalisations, which are not differences:
env, mounts and tolerations are sets; --inputs is a set (Elyra gathers it
in a Python set); a component's parameter defaultValue/isOptional are
compared on the root's definition only (where the run form reads them);
t3q's repeated --pipeline-parameter NAME=VALUE (one argument each, so that
no run value splits) reads as Elyra's --pipeline-parameters list with its
--parameter-pass-method env.
"""
import ast
import contextlib
import io
import json
import os
import re
import subprocess
import sys

import yaml

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "compile"))
from elyra_peer import parse_elyra_args  # noqa: E402

SECTION = "## t3q-compile --target kfp-v2 and Elyra 4.1.1's export, side by side"
ABSENT = None
FIXED = ("mlpipeline-metrics", "mlpipeline-markdown", "mlpipeline-html")
FIXED_TYPES = {"mlpipeline-metrics": "system.Metrics", "mlpipeline-markdown": "system.Markdown",
               "mlpipeline-html": "system.HTML"}


def js(v):
    return "<absent>" if v is ABSENT else json.dumps(v, sort_keys=True, ensure_ascii=False)


# ---------------------------------------------------------------- reading

def parse_t3q_args(args):
    flags = {}
    i = 0
    while i < len(args) - 1:
        k, v = args[i], args[i + 1]
        if k in ("--artifact-input", "--artifact-output"):
            name, _, path = v.partition("=")
            flags.setdefault(k, {})[name] = path
        elif k == "--pipeline-parameter":
            # one NAME=VALUE each: Elyra's list and its "-m env", unsplit
            name, _, value = v.partition("=")
            flags.setdefault(k, {})[name] = value
        else:
            flags[k] = v
        i += 2
    if "--pipeline-parameter" in flags:
        flags["--pipeline-parameters"] = flags.pop("--pipeline-parameter")
        flags["--parameter-pass-method"] = "env"
        return flags
    if "--pipeline-parameters" in flags:
        flags["--pipeline-parameters"] = dict(
            item.partition("=")[::2] for item in flags["--pipeline-parameters"].split(";"))
    return flags


def load(path, elyra):
    """-> (pipeline fields, {node key: node fields})."""
    with open(path, encoding="utf-8") as fh:
        docs = [d for d in yaml.safe_load_all(fh) if d]
    spec = next(d for d in docs if "root" in d)
    plat = next((d for d in docs if "platforms" in d), {})
    pexecs = plat.get("platforms", {}).get("kubernetes", {}).get("deploymentSpec", {}).get("executors", {})
    w = {}
    for k, v in (spec.get("pipelineInfo") or {}).items():
        w["pipeline.pipelineInfo." + k] = v
    for name, p in ((spec["root"].get("inputDefinitions") or {}).get("parameters") or {}).items():
        for k, v in p.items():
            w["pipeline.parameters[%s].%s" % (name, k)] = v
    for k in ("schemaVersion", "sdkVersion", "defaultPipelineRoot"):
        if k in spec:
            w["pipeline." + k] = spec[k]
    for k in spec:
        if k not in ("components", "deploymentSpec", "pipelineInfo", "root", "schemaVersion", "sdkVersion",
                     "defaultPipelineRoot"):
            w["pipeline." + k] = spec[k]
    for k in spec["root"]:
        if k not in ("dag", "inputDefinitions"):
            w["pipeline.root." + k] = spec["root"][k]
    for k in plat:
        if k != "platforms":
            w["platform." + k] = plat[k]
    tasks = spec["root"]["dag"]["tasks"]
    comps = spec.get("components") or {}
    execs = (spec.get("deploymentSpec") or {}).get("executors") or {}
    parse = parse_elyra_args if elyra else parse_t3q_args
    keys, flags, parts = {}, {}, {}
    for tname, t in tasks.items():
        comp = comps.get(t["componentRef"]["name"]) or {}
        label = comp.get("executorLabel")
        c = (execs.get(label) or {}).get("container") or {}
        # a custom node runs its component's own command: no flags
        fl = parse(c.get("args") or []) if runs_a_file(c, elyra) else {}
        flags[tname] = fl
        keys[tname] = fl.get("--cos-dependencies-archive", "task " + tname)
        parts[tname] = (t, comp, c, pexecs.get(label) or {}, label)
    nodes = {}
    for tname, (t, comp, c, px, label) in parts.items():
        k = keys[tname]
        if k in nodes:
            sys.exit("%s: two nodes share the key %s" % (path, k))
        nodes[k] = node_fields(tname, t, comp, c, px, label, flags[tname], keys)
    w["pipeline.parameters-used"] = sorted({p for f in nodes.values() for p in f.get("task.inputs.parameters", {})})
    return w, nodes


def runs_a_file(c, elyra):
    """Elyra's generic step (sh -c, bootstrapper.py) or t3q-bootstrap"""
    if elyra:
        return c.get("command") == ["sh", "-c"] and "bootstrapper.py" in " ".join(c.get("args") or [])
    return (c.get("command") or [""])[0].endswith("t3q-bootstrap")


def node_fields(tname, t, comp, c, px, label, flags, keys):
    f = {"task.name": tname, "task.componentRef": t.get("componentRef", {}).get("name"),
         "component.executorLabel": label}
    t = dict(t)
    for k in ("componentRef",):
        t.pop(k, None)
    f["task.dependentTasks"] = sorted(keys.get(d, "?" + d) for d in t.pop("dependentTasks", []))
    inputs = dict(t.pop("inputs", {}) or {})
    f["task.inputs.parameters"] = inputs.pop("parameters", {}) or {}
    if "artifacts" in inputs:
        arts = {}
        for n, a in inputs.pop("artifacts").items():
            a = json.loads(json.dumps(a))
            tao = a.get("taskOutputArtifact")
            if tao:
                tao["producerTask"] = keys.get(tao["producerTask"], "?" + tao["producerTask"])
            arts[n] = a
        f["task.inputs.artifacts"] = arts
    for k, v in inputs.items():
        f["task.inputs." + k] = v
    for k, v in t.items():
        if isinstance(v, dict):
            for k2, v2 in v.items():
                f["task.%s.%s" % (k, k2)] = v2
        else:
            f["task." + k] = v
    comp = dict(comp)
    comp.pop("executorLabel", None)
    for io_ in ("inputDefinitions", "outputDefinitions"):
        d = dict(comp.pop(io_, {}) or {})
        for n, p in (d.pop("parameters", {}) or {}).items():
            f["component.%s.parameters[%s]" % (io_, n)] = p.get("parameterType")
            for k, v in p.items():
                if k != "parameterType":
                    f["component.%s.parameters[%s].%s" % (io_, n, k)] = v
        for n, a in (d.pop("artifacts", {}) or {}).items():
            f["component.%s.artifacts[%s]" % (io_, n)] = a
        for k, v in d.items():
            f["component.%s.%s" % (io_, k)] = v
    for k, v in comp.items():
        f["component." + k] = v
    c = dict(c)
    f["container.image"] = c.pop("image", ABSENT)
    f["container.command"] = c.pop("command", ABSENT)
    f["container.args"] = c.pop("args", ABSENT)
    for e in c.pop("env", []) or []:
        f["env." + e["name"]] = e.get("value", "")
    for k, v in (c.pop("resources", {}) or {}).items():
        if isinstance(v, dict):
            for k2, v2 in v.items():
                f["container.resources.%s.%s" % (k, k2)] = v2
        else:
            f["container.resources." + k] = v
    for k, v in c.items():
        f["container." + k] = v
    px = dict(px)
    meta = px.pop("podMetadata", {}) or {}
    for k, v in (meta.get("labels") or {}).items():
        f["k8s.labels." + k] = v
    for k, v in (meta.get("annotations") or {}).items():
        f["k8s.annotations." + k] = v
    for m in px.pop("pvcMount", []) or []:
        for k, v in m.items():
            if k != "mountPath":
                f["k8s.pvcMount[%s].%s" % (m.get("mountPath"), k)] = v
    for m in px.pop("emptyDirMounts", []) or []:
        f["k8s.emptyDirMounts[%s]" % m.get("mountPath")] = {k: v for k, v in m.items() if k != "mountPath"}
    for s in px.pop("secretAsEnv", []) or []:
        for kv in s.get("keyToEnv") or []:
            f["k8s.secretEnv." + kv["envVar"]] = {"secretName": s.get("secretName"),
                                                  "secretKey": kv.get("secretKey"),
                                                  "optional": bool(s.get("optional", False))}
    if "tolerations" in px:
        f["k8s.tolerations"] = sorted(json.dumps(x, sort_keys=True) for x in px.pop("tolerations"))
    for k, v in px.items():
        f["k8s." + k] = v
    for k, v in flags.items():
        if k == "--inputs":
            v = sorted(v.split(";"))
        f["bootstrap." + k] = v
    return f


# ------------------------------------------------------------- allow-list

K8S_NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
ARTIFACT = re.compile(r"[-A-Za-z0-9_]+")
PLACE = "{{$.%s.artifacts['%s'].path}}"


def is_absent(v):
    return v is ABSENT


def artifact_type(title):
    return {"artifactType": {"schemaTitle": title, "schemaVersion": "0.0.1"}}


def python_reads(text):
    """What Python makes of text written between \"\"\" and \"\"\", its
    quotes escaped, as Elyra 4.1.1's v2 DSL template writes a task's
    String constant (string_delimiter_safe, python_dsl_template.jinja2)."""
    return ast.literal_eval('"""' + text.replace('"', '\\"') + '"""')


def backslash_constants(e, t, c):
    """Each differing task input: t3q's String constant with a backslash
    as typed, Elyra's as Python read it."""
    diff = [k for k in set(e) | set(t) if e.get(k) != t.get(k)]
    for k in diff:
        ec, tc = e[k]["runtimeValue"]["constant"], t[k]["runtimeValue"]["constant"]
        if not (isinstance(tc, str) and "\\" in tc and ec == python_reads(tc)):
            return False
    return bool(diff)


class Allow:
    """One intended difference: key (the docs/parity.md row, <...> a variable
    part), scope, what each side holds, why, ok(e, t, ctx), and the field
    names it covers (a string: that field; a regex)."""

    def __init__(self, key, scope, elyra, t3q, why, ok, field=None):
        self.key, self.scope, self.elyra, self.t3q, self.why, self.ok = key, scope, elyra, t3q, why, ok
        self.field = field if field is not None else key

    def covers(self, name, e, t, ctx):
        if isinstance(self.field, str):
            if name != self.field:
                return False
        elif not self.field.fullmatch(name):
            return False
        try:
            return bool(self.ok(e, t, ctx))
        except (TypeError, KeyError, ValueError, AttributeError, IndexError):
            return False


def t3q_output(e, t, c):
    """A node output as t3q declares it: Dataset (or Model), keyed by its
    artifact name."""
    return is_absent(e) and ARTIFACT.fullmatch(c["field"].split("[", 1)[1][:-1]) and \
        t["artifactType"]["schemaTitle"] in ("system.Dataset", "system.Model")


def t3q_task_artifacts(e, t, c):
    """Each input artifact a taskOutputArtifact of the node's producer,
    under the producer's own key, and that producer among its ancestors."""
    return is_absent(e) and t and all(
        a == {"taskOutputArtifact": {"outputArtifactKey": n, "producerTask": a["taskOutputArtifact"]["producerTask"]}}
        and a["taskOutputArtifact"]["producerTask"] in c["t3q"]["task.dependentTasks"] for n, a in t.items())


def t3q_artifact_flags(io_):
    def ok(e, t, c):
        return is_absent(e) and t and all(p == PLACE % (io_, n) for n, p in t.items())
    return ok


def unused_parameters(e, t, c):
    """t3q leaves out of the run form a parameter that no node uses."""
    m = re.fullmatch(r"pipeline\.parameters\[([^]]+)\]\.\w+", c["field"])
    return m and m.group(1) not in c["t3q"]["pipeline.parameters-used"] and is_absent(t)


def elyra_run_a_file(e, t, c):
    return re.fullmatch(r"run-a-file(-\d+)?", e) and K8S_NAME.fullmatch(t)


def only_producers(e, t, c):
    """t3q's dependentTasks: Elyra's (the node's parents), and the
    producers of its input artifacts."""
    producers = {a["taskOutputArtifact"]["producerTask"]
                 for a in (c["t3q"].get("task.inputs.artifacts") or {}).values()}
    e = e if not is_absent(e) else []
    return set(e) <= set(t) and set(t) - set(e) <= producers


SUBFLOW_DROPPED = re.compile(r"env\.(?!ELYRA_|AWS_).*|k8s\.pvcMount\[.*|k8s\.secretEnv\.(?!AWS_).*|"
                             r"k8s\.labels\.(?!elyra/|pipelines\.kubeflow\.org/).*|"
                             r"k8s\.annotations\.(?!elyra/|pipelines\.kubeflow\.org/).*|k8s\.tolerations|"
                             r"k8s\.emptyDirMounts\[.*")


def no_default(e, t, c):
    m = re.fullmatch(r"pipeline\.parameters\[([^]]+)\]\.isOptional", c["field"])
    p = (c.get("params") or {}).get(m.group(1)) or {}
    d = p.get("default_value")
    value = d.get("value") if isinstance(d, dict) else d
    return e is True and is_absent(t) and value in (None, "") and not truthy(p.get("required"))


def node_prop(c, name):
    return ((c.get("node") or {}).get("cp") or {}).get(name)


def truthy(v):
    return v is True or (isinstance(v, str) and v.lower() == "true")


def shadowed_parameters(e, t, c):
    """A parameter a node's own env var of that name shadows (the env var
    wins in both): t3q's --pipeline-parameters leaves it out, and so do the
    task's and the component's inputs; Elyra keeps it everywhere."""
    tenv = c["t3q"]

    def shadowed(name):
        return not is_absent(tenv.get("env." + name, ABSENT))
    f = c["field"]
    m = re.fullmatch(r"component\.inputDefinitions\.parameters\[([^]]+)\](\.\w+)?", f)
    if m:
        return shadowed(m.group(1)) and is_absent(t)
    if f == "bootstrap.--parameter-pass-method":
        names = c["elyra"].get("bootstrap.--pipeline-parameters", {})
        return e == "env" and is_absent(t) and names and all(shadowed(k) for k in names)
    t = {} if is_absent(t) else t
    return {k: v for k, v in e.items() if not shadowed(k)} == t and any(shadowed(k) for k in e)


ALLOW = [
    # --- the pipeline
    Allow("pipeline.sdkVersion", "pipeline", "`kfp-2.17.3`", "`t3q-<version>`",
          "says what compiled the IR; t3q is not the kfp SDK",
          lambda e, t, c: e.startswith("kfp-") and t.startswith("t3q-")),
    Allow("pipeline.parameters[<parameter>].description", "pipeline, parameters with a description",
          "absent", "the parameter's description",
          "Elyra 4.1.1 puts it nowhere in the IR; t3q shows it in the KFP run form",
          lambda e, t, c: is_absent(e) and isinstance(t, str) and t,
          re.compile(r"pipeline\.parameters\[[^]]+\]\.description")),
    Allow("pipeline.parameters[<parameter no node uses>]",
          "pipeline, parameters no node uses, or only nodes whose env var of that name wins",
          "listed", "absent",
          "the KFP run form shows only what some step reads", unused_parameters,
          re.compile(r"pipeline\.parameters\[[^]]+\]\.\w+")),
    Allow("env, secrets, volumes, pod labels and annotations, tolerations (nodes in supernodes)",
          "nodes inside a supernode", "absent", "the node's and the pipeline defaults'",
          "as Elyra 4.0.0, Elyra 4.1.1 converts these properties on the primary pipeline's nodes only "
          "and drops them on nodes inside supernodes; t3q applies them to every node",
          lambda e, t, c: (c.get("node") or {}).get("in_subflow") and is_absent(e), SUBFLOW_DROPPED),
    Allow("pipeline.parameters[<parameter>].isOptional (no default)",
          "pipeline, parameters neither required nor with a default",
          "`true`", "absent (false)",
          "t3q marks a parameter optional only when it has a default (an empty String is none, as on "
          "v1), so the KFP v2 run form asks for a value instead of the step getting none",
          no_default, re.compile(r"pipeline\.parameters\[[^]]+\]\.isOptional")),
    # --- every node: names
    Allow("task.name", "every node", "`run-a-file`, `run-a-file-2`, ...",
          "the node's task name (its label, Kubernetes-style)",
          "readable names in the KFP UI; kfp names tasks after the component, `Run a file`",
          elyra_run_a_file),
    Allow("task.componentRef", "every node", "`comp-run-a-file`, ...", "`comp-<task name>`",
          "one component per task, named after it",
          lambda e, t, c: re.fullmatch(r"comp-run-a-file(-\d+)?", e) and t == "comp-" + c["t3q"]["task.name"]),
    Allow("component.executorLabel", "every node", "`exec-run-a-file`, ...", "`exec-<task name>`",
          "one executor per task, named after it",
          lambda e, t, c: re.fullmatch(r"exec-run-a-file(-\d+)?", e) and t == "exec-" + c["t3q"]["task.name"]),
    # --- every node: how the step runs
    Allow("container.command", "every node", "`[sh, -c]`", "`[/t3q/bin/t3q-bootstrap]`",
          "t3q-bootstrap (in the image: IR has no init containers) replaces Elyra's shell script "
          "and bootstrapper.py",
          lambda e, t, c: e == ["sh", "-c"] and len(t) == 1 and t[0].endswith("/t3q-bootstrap")),
    Allow("container.args", "every node",
          "a script that downloads bootstrapper.py, pip-installs and runs it; parameters as `$0`..",
          "t3q-bootstrap's flags",
          "no download or pip at run time; the flags themselves are compared one by one as `bootstrap.--*`",
          lambda e, t, c: "python3 bootstrapper.py" in e[0] and t and t[0].startswith("--")),
    Allow("bootstrap.--cos-directory", "every node",
          "`<prefix>/<pipeline>-MMDDHHMMSS`", "`<prefix>/<pipeline>`",
          "Elyra's export always adds the export time; t3q only with `--timestamp` or `--upload`, "
          "and each run writes under its own run id anyway",
          lambda e, t, c: re.fullmatch(re.escape(t) + r"-\d{10}", e)),
    Allow("bootstrap.--file", "every node",
          "absolute path on the exporting machine", "the file's base name",
          "t3q's dependency archive is rooted at the file's directory, so the step runs it by its base name",
          lambda e, t, c: e.startswith("/") and os.path.basename(e) == t),
    Allow("bootstrap.--artifact-input", "nodes with ancestors' outputs",
          "absent", "`NAME={{$.inputs.artifacts['NAME'].path}}` per input artifact",
          "the launcher downloads each input artifact to a local path, and t3q-bootstrap lays it "
          "out in the work dir; Elyra moves files only through its own object-store calls",
          t3q_artifact_flags("inputs")),
    Allow("bootstrap.--artifact-output", "every node",
          "absent", "`NAME={{$.outputs.artifacts['NAME'].path}}` per output artifact, and the fixed "
          "`mlpipeline-metrics`, `mlpipeline-markdown`, `mlpipeline-html`",
          "t3q-bootstrap stages each output (and the metrics and UI documents) where the launcher "
          "uploads it from, so KFP v2 records them in ML Metadata",
          t3q_artifact_flags("outputs")),
    Allow("task.inputs.artifacts", "nodes with ancestors' outputs",
          "absent", "each ancestor output, a `taskOutputArtifact` of the task that writes it",
          "a task receives its ancestors' outputs as artifacts (lineage in the v2 UI), not only "
          "through the object store",
          t3q_task_artifacts),
    Allow("component.inputDefinitions.artifacts[<ancestor output>]", "nodes with ancestors' outputs",
          "absent", "`system.Dataset` (or `system.Model`)",
          "the component declares the artifacts its task receives",
          lambda e, t, c: is_absent(e) and t["artifactType"]["schemaTitle"] in ("system.Dataset", "system.Model"),
          re.compile(r"component\.inputDefinitions\.artifacts\[[^]]+\]")),
    Allow("component.outputDefinitions.artifacts[<node output>]", "nodes with outputs",
          "absent", "`system.Dataset` (`system.Model` for the files marked so)",
          "node outputs become KFP v2 output artifacts, listed with lineage in the v2 UI",
          t3q_output, re.compile(r"component\.outputDefinitions\.artifacts\[(?!mlpipeline-)[^]]+\]")),
    Allow("component.outputDefinitions.artifacts[mlpipeline-*]", "every node",
          "absent", "`system.Metrics`, `system.Markdown`, `system.HTML`",
          "the step's mlpipeline-metrics.json and UI metadata become typed artifacts the v2 UI shows; "
          "t3q-bootstrap always writes them",
          lambda e, t, c: is_absent(e) and t == artifact_type(FIXED_TYPES[c["field"].split("[")[1][:-1]]),
          re.compile(r"component\.outputDefinitions\.artifacts\[mlpipeline-(metrics|markdown|html)\]")),
    Allow("component.inputDefinitions.parameters[<parameter>].defaultValue", "nodes that use parameters",
          "the pipeline default", "absent",
          "a task's value always comes from the root parameter (`componentInputParameter`), whose "
          "default is compared as `pipeline.parameters[..]`",
          lambda e, t, c: is_absent(t) and not is_absent(c["t3q"].get(c["field"].rsplit(".", 1)[0])),
          re.compile(r"component\.inputDefinitions\.parameters\[[^]]+\]\.defaultValue")),
    Allow("component.inputDefinitions.parameters[<parameter>].isOptional", "nodes that use parameters",
          "`true`", "absent", "as the default: the root's definition says it",
          lambda e, t, c: e is True and is_absent(t) and
          not is_absent(c["t3q"].get(c["field"].rsplit(".", 1)[0])),
          re.compile(r"component\.inputDefinitions\.parameters\[[^]]+\]\.isOptional")),
    Allow("task.dependentTasks", "nodes that receive an output of an ancestor other than a parent",
          "the node's parents", "its parents and the producers of its input artifacts",
          "an input artifact's producer must have run first; kfp's SDK likewise lists the producer of "
          "every `taskOutputArtifact` among a task's dependencies",
          only_producers),
    Allow("task.cachingOptions.enableCache (node property)",
          "nodes whose own disable_node_caching is True",
          "`true`", "absent (caching off)",
          "Elyra 4.1.1 reads only the pipeline default for generic nodes (kfp_processor.py:884) and "
          "drops the node's own setting; t3q honours the node's",
          lambda e, t, c: e is True and is_absent(t) and truthy(node_prop(c, "disable_node_caching")),
          "task.cachingOptions.enableCache"),
    Allow("task.taskInfo.name (a label with nothing left)",
          "nodes whose label has no character Kubernetes keeps",
          "the component name, `run-a-file`, ...", "the task name",
          "kfp falls back to the component's name; t3q to its own name for the task",
          lambda e, t, c: re.fullmatch(r"run-a-file(-\d+)?", e) and t == c["t3q"]["task.name"],
          "task.taskInfo.name"),
    Allow("pipeline.pipelineInfo.name", "pipeline, when the name is over 50 characters",
          "the whole Kubernetes-style pipeline name", "cut at 50 characters",
          "as on v1: the name also names the run's workflow and labels its pods, and a label value "
          "stops at 63 characters",
          lambda e, t, c: len(e.rstrip("-")) > 50 and t.rstrip("-") == e.rstrip("-")[:50]),
    Allow("k8s.pvcMount[<path>].pvcNameParameter", "nodes with PVC mounts",
          "the claim's name again, as `pvcNameParameter.runtimeValue.constant`", "absent",
          "t3q names the claim once, as `constant`, the form every KFP 2.x driver reads "
          "(kfp-kubernetes writes both since `pvcNameParameter` was added)",
          lambda e, t, c: is_absent(t) and e == {"runtimeValue": {"constant": c["t3q"].get(
              c["field"][:-len("pvcNameParameter")] + "constant")}},
          re.compile(r"k8s\.pvcMount\[[^]]*\]\.pvcNameParameter")),
    Allow("k8s.pvcMount[<path>].subPath, readOnly", "nodes with a PVC mount's sub_path or read_only",
          "absent", "the mount's `sub_path`, `read_only`",
          "Elyra 4.1.1's v2 template mounts each claim by name and path only (volume.mount_pvc), "
          "dropping both; t3q keeps them, as on v1",
          lambda e, t, c: is_absent(e) and t not in (ABSENT, False, ""),
          re.compile(r"k8s\.pvcMount\[[^]]*\]\.(subPath|readOnly)")),
    Allow("k8s.emptyDirMounts[/dev/shm]", "nodes with a shared memory size",
          "absent", "an emptyDir of medium Memory and the node's size",
          "Elyra 4.1.1's v2 template drops kubernetes_shared_mem_size; t3q mounts /dev/shm as on v1",
          lambda e, t, c: is_absent(e) and t.get("medium") == "Memory" and
          re.fullmatch(r"[0-9.]+G", t.get("sizeLimit"))),
    # --- every node: metadata
    Allow("k8s.annotations.pipelines.kubeflow.org/task_display_name", "nodes with a label",
          "absent", "the node's label, as on v1",
          "the v1 UI's display name, kept on the pod; the v2 UI reads `taskInfo.name`, which both set",
          lambda e, t, c: is_absent(e) and isinstance(t, str)),
    Allow("k8s.labels.pipelines.kubeflow.org/pipeline-sdk-type", "every node", "absent", "`t3q`",
          "says what compiled the pod's pipeline, as on v1",
          lambda e, t, c: is_absent(e) and t == "t3q"),
    Allow("k8s.annotations.elyra/node-user-doc (with {{)", "nodes whose comment holds `{{`",
          "the comment as written", "each `{{` written `{ {` (and a warning)",
          "as on v1: the KFP backends run each step through Argo, which reads `{{` as a placeholder "
          "and has no escape for it",
          lambda e, t, c: "{{" in e and e.replace("{{", "{ {") == t, "k8s.annotations.elyra/node-user-doc"),
    Allow("k8s.annotations.elyra/node-file-name", "every node",
          "absolute path on the exporting machine", "the path as in the pipeline file",
          "Elyra's CLI resolves it where it runs; t3q keeps the output independent of where it compiles",
          lambda e, t, c: e.startswith("/") and e.endswith("/" + t) and not t.startswith("/")),
    Allow("a parameter named as a node env var",
          "nodes with an env var named as one of their parameters",
          "`P` a task and component input, `P=$P` in `--pipeline-parameters`",
          "`P` neither (no `--pipeline-parameters` when no other is left)",
          "the node's env var wins in both (Elyra's bootstrapper never overwrites a name already "
          "set), so the run-form value would never reach the step; t3q does not ask for it",
          shadowed_parameters, re.compile(r"bootstrap\.--(pipeline-parameters|parameter-pass-method)|"
                                          r"task\.inputs\.parameters|"
                                          r"component\.inputDefinitions\.parameters\[[^]]+\](\.\w+)?")),
    Allow("task.inputs.parameters (a String value with a backslash)", "custom nodes",
          "the value as Python reads it: `C:\\new` holds a newline", "the value as typed",
          "Elyra 4.1.1's DSL writes a String value between `\"\"\"` unescaped, so Python turns "
          "`\\n`, `\\t`, `\\\\` and the like into other characters; t3q passes the text as typed, "
          "as kfp 2 compiles the same argument",
          backslash_constants, "task.inputs.parameters"),
]


class Refused:
    """A pipeline Elyra 4.1.1 refuses to export and t3q compiles, on
    purpose: key (the docs/parity.md row), scope, Elyra's refusal, t3q's output,
    why, and ok(message): Elyra's refusal is this one."""

    def __init__(self, key, scope, elyra, t3q, why, ok):
        self.key, self.scope, self.elyra, self.t3q, self.why, self.ok = key, scope, elyra, t3q, why, ok


def elyra_quotes(*types):
    def ok(msg):
        return any("Argument type 'STRING' is incompatible with the input type '%s'" % t in msg for t in types)
    return ok


# Checked where a case asks for it (case.json "refusals": true, the custom
# components' cases of t-elyra41-custom.sh): every pipeline Elyra refuses
# and t3q compiles must be one of these.
REFUSED = [
    Refused("refused: a JsonObject or JsonArray value", "custom nodes",
            "refuses: `Argument type 'STRING' is incompatible with the input type 'STRUCT'` (or `'LIST'`)",
            "the parsed JSON as the task's constant, as kfp 2 takes it",
            "Elyra 4.1.1 quotes every value but an Integer, Float or Bool one as a Python string in its DSL "
            "(`requires_quoted_rendering`, kfp_processor.py:917), even a default left in place, so kfp 2 "
            "refuses each JsonObject and JsonArray input; t3q gives the value its own type",
            elyra_quotes("STRUCT", "LIST")),
    Refused("refused: a Bool value", "custom nodes",
            "refuses: `expected string or bytes-like object, got 'bool'`, or `Argument type 'STRING' is "
            "incompatible with the input type 'BOOLEAN'`",
            "`true`/`false` as the task's constant, as kfp 2 takes it",
            "Elyra 4.1.1's template escapes a checkbox's value as a string and fails on the bool, and a Bool "
            "input's type reads `boolean` in kfp 2, which its unquoted list (`integer`, `float`, `bool`) "
            "misses, so even a default is passed as a string; t3q passes the Bool",
            lambda msg: "expected string or bytes-like object, got 'bool'" in msg or
            elyra_quotes("BOOLEAN")(msg)),
    Refused("refused: an optional input left unset", "custom nodes",
            "refuses: `expected string or bytes-like object, got 'NoneType'`",
            "no task input; the component's input `isOptional`, as kfp 2 compiles it",
            "Elyra 4.1.1's v2 DSL template runs `string_delimiter_safe` (a `re.sub`) on every task input's "
            "value, and an optional input with no value and no default has the value None; kfp 2.17.3 "
            "compiles the same component with the input left out (kfp_ref.py agrees with t3q)",
            lambda msg: "expected string or bytes-like object, got 'NoneType'" in msg),
]


# -------------------------------------------------------------- comparing

def compare(elyra_path, t3q_path, used_log=None, out=sys.stdout, info=None):
    """info: {node id: {"label": .., "cp": component_parameters}} from the
    pipeline file, for the allow-list's tests that need a node property."""
    ew, en = load(elyra_path, True)
    tw, tn = load(t3q_path, False)
    bad, allowed = [], []

    def diff(where, fe, ft, ctx):
        for name in sorted(set(fe) | set(ft)):
            e, t = fe.get(name, ABSENT), ft.get(name, ABSENT)
            # a helper of the allow-list; each task's inputs are compared
            if e == t or name == "pipeline.parameters-used":
                continue
            ctx = dict(ctx, field=name)
            hit = next((a for a in ALLOW if a.covers(name, e, t, ctx)), None)
            line = "%s: %s: Elyra %s, t3q %s" % (where, name, js(e), js(t))
            (allowed.append((line, hit)) if hit else bad.append(line))

    top = (info or {}).get("", {})
    diff("pipeline", ew, tw, {"elyra": ew, "t3q": tw, "params": top.get("params", {})})
    for key in sorted(set(en) | set(tn)):
        if key not in tn:
            bad.append("node %s: only in Elyra's export" % key)
        elif key not in en:
            bad.append("node %s: only in t3q's" % key)
        else:
            node = next((v for i, v in (info or {}).items() if i and key.endswith("-%s.tar.gz" % i)), None)
            if node is None and key.startswith("task "):
                # a custom node (no archive): by its display name
                node = next((v for i, v in (info or {}).items() if i and v.get("display") ==
                             en[key].get("task.taskInfo.name")), None)
            diff("node %s" % key, en[key], tn[key], {"elyra": en[key], "t3q": tn[key], "node": node,
                                                    "defaults": top.get("defaults", {})})
    for line, a in allowed:
        print("allowed: %s [%s]" % (line, a.key), file=out)
    for line in bad:
        print("DIFFERENT: " + line, file=out)
    print("%d nodes; %d differences allowed, %d not" % (len(set(en) | set(tn)), len(allowed), len(bad)), file=out)
    if used_log:
        with open(used_log, "a") as fh:
            for _, a in allowed:
                fh.write(a.key + "\n")
    return bad, len(set(en) | set(tn))


def cases(root):
    for d in sorted(os.listdir(root)):
        p = os.path.join(root, d, "case.json")
        if os.path.isfile(p):
            with open(p, encoding="utf-8") as fh:
                c = json.load(fh)
            c["dir"], c["id"] = os.path.join(root, d), d
            yield c


def node_info(path):
    """{node id: label, component_parameters, whether in a supernode},
    and under "" the pipeline's parameters {name: definition} and its
    pipeline_defaults."""
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    info = {n["id"]: {"label": (n.get("app_data") or {}).get("label"),
                      "display": ((n.get("app_data") or {}).get("ui_data") or {}).get("label"),
                      "cp": (n.get("app_data") or {}).get("component_parameters") or {},
                      "in_subflow": pl.get("id") != doc.get("primary_pipeline")}
            for pl in doc.get("pipelines", []) for n in pl.get("nodes", []) if "id" in n}
    props = ((doc.get("pipelines") or [{}])[0].get("app_data") or {}).get("properties") or {}
    info[""] = {"params": {p.get("name"): p for p in props.get("pipeline_parameters") or [] if isinstance(p, dict)},
                "defaults": props.get("pipeline_defaults") or {}}
    return info


def brief(text, n=3):
    lines = [x for x in (text or "").splitlines() if x.strip()]
    return " | ".join(([x for x in lines if "error" in x.lower()] or lines)[:n])


def check(root, elyra_out, bin_, runtimes, report):
    root, elyra_out, bin_, runtimes, report = map(os.path.abspath, (root, elyra_out, bin_, runtimes, report))
    os.makedirs(report, exist_ok=True)
    compiled, fields, irs, refused, pairs = [], [], [], [], []
    used = os.path.join(report, "used")
    open(used, "w").close()
    stats = {"cases": 0, "elyra-exports": 0, "compared": 0, "nodes": 0, "both-refuse": 0,
             "refused-explained": 0}
    for c in cases(root):
        stats["cases"] += 1
        with open(os.path.join(elyra_out, c["id"], "result.json"), encoding="utf-8") as fh:
            res = json.load(fh)
        if not res["exported"]:
            if c.get("refusals"):
                refusal(c, res, bin_, runtimes, refused, used, stats, report, pairs)
            continue
        stats["elyra-exports"] += 1
        rt = os.path.join(runtimes, c["auth"] + ".json")
        for variant in c["t3q"]:
            tag = "%s %s" % (c["id"], variant.split("/")[0])
            d, f = os.path.split(os.path.join(c["dir"], variant))
            y = os.path.join(elyra_out, c["id"], "t3q-v2-%s.yaml" % variant.split("/")[0])
            r = subprocess.run([os.path.join(bin_, "compiler", "t3q-compile"), f, "--target", "kfp-v2",
                                "--runtime-config", rt, "-o", y], cwd=d, capture_output=True, text=True,
                               errors="replace")
            if r.returncode:
                compiled.append("%s: Elyra 4.1.1 exports; t3q-compile --target kfp-v2 exits %d: %s"
                                % (tag, r.returncode, brief(r.stderr)))
                continue
            irs.append(y)
            pairs.append("%s\t%s" % (os.path.join(d, f), y))
            buf = io.StringIO()
            bad, n = compare(os.path.join(elyra_out, c["id"], "elyra.yaml"), y, used, buf,
                             node_info(os.path.join(c["dir"], c["elyra"])))
            stats["compared"] += 1
            stats["nodes"] += n
            fields += ["%s: %s" % (tag, b) for b in bad]
    for name, lines in (("compiled", compiled), ("fields", fields), ("irs", irs), ("refused", refused),
                        ("pairs", pairs)):
        with open(os.path.join(report, name + ".txt"), "w", encoding="utf-8") as fh:
            fh.writelines(x + "\n" for x in lines)
    with open(os.path.join(report, "stats.json"), "w") as fh:
        json.dump(stats, fh)
    print(json.dumps(stats))
    return 0


def refusal(c, res, bin_, runtimes, refused, used, stats, report, pairs):
    """Elyra refused c: t3q must refuse it too, or Elyra's reason must be
    one of REFUSED (t3q's IR is then kept for kfp_ref.py, as
    t3q-v2-refused-*.yaml)."""
    msg = (res.get("message") or "") + (res.get("output") or "")
    for variant in c["t3q"]:
        d, f = os.path.split(os.path.join(c["dir"], variant))
        y = os.path.join(report, "refused-%s.yaml" % c["id"])
        r = subprocess.run([os.path.join(bin_, "compiler", "t3q-compile"), f, "--target", "kfp-v2",
                            "--runtime-config", os.path.join(runtimes, c["auth"] + ".json"), "-o", y],
                           cwd=d, capture_output=True, text=True, errors="replace")
        if r.returncode:
            stats["both-refuse"] += 1
            continue
        pairs.append("%s\t%s" % (os.path.join(d, f), y))
        hit = next((x for x in REFUSED if x.ok(msg)), None)
        if hit:
            stats["refused-explained"] += 1
            with open(used, "a") as fh:
                fh.write(hit.key + "\n")
        else:
            refused.append("%s %s: Elyra 4.1.1 refuses (%s); t3q-compile --target kfp-v2 compiles it"
                           % (c["id"], variant, brief(msg)))


def check_unused(path, entries):
    with open(path) as fh:
        used = set(fh.read().split("\n"))
    unused = [a.key for a in entries if a.key not in used]
    for k in unused:
        print("allow-list entry never needed: " + k)
    return 1 if unused else 0


def readme_rows(path):
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    if SECTION not in text:
        return None
    body = re.split(r"^## ", text.split(SECTION, 1)[1], maxsplit=1, flags=re.M)[0]
    return [m.group(1) for m in (re.match(r"\|\s*`([^`]+)`[^|]*\|", x) for x in body.splitlines()) if m]


def check_readme(path):
    rows = readme_rows(path)
    if rows is None:
        print("%s has no section %r" % (path, SECTION))
        return 1
    keys = [a.key for a in ALLOW + REFUSED]
    errors = ["not in the docs/parity.md table: " + k for k in keys if k not in rows]
    errors += ["docs/parity.md row not in the allow-list: " + r for r in rows if r not in keys]
    errors += ["docs/parity.md row twice: " + r for r in sorted(set(rows)) if rows.count(r) > 1]
    for e in errors:
        print(e)
    return 1 if errors else 0


def readme_table():
    print("| field (where) | Elyra 4.1.1 | t3q | why |")
    print("|---|---|---|---|")
    for a in ALLOW + REFUSED:
        print("| `%s` (%s) | %s | %s | %s |" % (a.key, a.scope, a.elyra, a.t3q, a.why))
    return 0


def main(argv):
    # entries for custom nodes only are checked by the custom components'
    # test (t-elyra41-custom), the others by the generic one
    if argv[:1] == ["--unused"] and len(argv) == 2:
        return check_unused(argv[1], [a for a in ALLOW if a.scope != "custom nodes"])
    if argv[:1] == ["--unused-custom"] and len(argv) == 2:
        return check_unused(argv[1], [a for a in ALLOW if a.scope == "custom nodes"])
    if argv[:1] == ["--unused-refused"] and len(argv) == 2:
        return check_unused(argv[1], REFUSED)
    if argv[:1] == ["--readme"] and len(argv) == 2:
        return check_readme(argv[1])
    if argv[:1] == ["--table"]:
        return readme_table()
    if argv[:1] == ["check"] and len(argv) == 6:
        return check(*argv[1:])
    used_log = None
    if len(argv) == 4 and argv[2] == "--used-log":
        used_log, argv = argv[3], argv[:2]
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    bad, _ = compare(argv[0], argv[1], used_log)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
