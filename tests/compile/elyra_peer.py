#!/usr/bin/env python3
"""elyra_peer.py: compares a t3q-compile workflow with Elyra 4.0.0's export
of the same pipeline, field by field, node by node.

  elyra_peer.py ELYRA.yaml T3Q.yaml [--used-log FILE]
      prints every difference; exits 1 if one is not in ALLOW below.
      --used-log appends the keys of the allow-list entries that excused a
      difference, one a line (see --unused).
  elyra_peer.py --unused FILE
      exits 1 if an ALLOW entry is not in FILE: an entry nothing needs.
  elyra_peer.py --readme docs/parity.md
      exits 1 unless docs/parity.md's table of intended differences (section
      SECTION) has exactly one row per ALLOW key, so the two never drift.
  elyra_peer.py --stage PIPELINE [--drop-op OP] [--to-v8 OUT]
      stages a copy for both tools (t-elyra-peer.sh): creates empty
      stand-ins for missing node files, drops nodes of operation OP (a t3q
      extension Elyra cannot export), or writes a v8 copy of a v7 pipeline
      to OUT (Elyra 4.0.0 refuses v7; its editor migrates it first).

Nodes are matched by their dependency archive name, the
--cos-dependencies-archive flag both bootstrappers get: "<file stem>-<node
id>.tar.gz", computed by both tools from the node's id in the pipeline file,
which is unique there. The display name (the task_display_name annotation),
the template name and the elyra/node-name label are all derived from the
node's label by rules that differ between the tools (Elyra de-duplicates
equal labels with "_N" suffixes and scrubs them its own way), so they are
fields to compare, not keys to trust.

Each node becomes a flat map of fields ("env.ELYRA_RUN_NAME",
"container.volumeMounts[/data]", "labels.elyra/node-name", ...); the
container args become "bootstrap.--FLAG" fields, Elyra's shell script parsed
back into bootstrapper.py's flags. The workflow gets "workflow.*" fields.
Normalisations, which are not differences: env, mounts, volumes and
tolerations are compared as sets (Kubernetes does not order them); an absent
readOnly is false; an empty spec.arguments.parameters is absent; --inputs
is a set (Elyra gathers it in a Python set).
"""
import json
import os
import re
import shlex
import sys

import yaml

SECTION = "## t3q-compile and Elyra's export, side by side"
ABSENT = None  # a field one side does not have


def js(v):
    return "<absent>" if v is ABSENT else json.dumps(v, sort_keys=True)


# ---------------------------------------------------------------- reading

def parse_elyra_args(args):
    """Elyra's ["<script>", param values...] -> bootstrapper.py's flags.

    The script is "P=\"$0\"" lines (one per parameter, bound to the args
    after it), then sh -c "..." lines, the last of which runs
    bootstrapper.py. $P in --pipeline-parameters is resolved to its arg."""
    if not args:
        return {}
    script, values = args[0], args[1:]
    shell_vars = {}
    flags = {}
    for line in script.splitlines():
        m = re.fullmatch(r'(\w+)="\$(\d+)"', line.strip())
        if m:
            i = int(m.group(2))
            shell_vars[m.group(1)] = values[i] if i < len(values) else ABSENT
            continue
        if "python3 bootstrapper.py" not in line:
            continue
        inner = shlex.split(line)[-1]  # sh -c "<inner>"
        words = shlex.split(inner.split("python3 bootstrapper.py", 1)[1])
        for i in range(0, len(words) - 1, 2):
            flags[words[i]] = words[i + 1]
    if "--pipeline-parameters" in flags:
        resolved = {}
        for item in flags["--pipeline-parameters"].split(";"):
            name, _, value = item.partition("=")
            m = re.fullmatch(r"\$(\w+)", value)
            resolved[name] = shell_vars.get(m.group(1), value) if m else value
        flags["--pipeline-parameters"] = resolved
    return flags


def parse_t3q_args(args):
    flags = {}
    for i in range(0, len(args) - 1, 2):
        flags[args[i]] = args[i + 1]
    if "--pipeline-parameters" in flags:
        flags["--pipeline-parameters"] = dict(
            item.partition("=")[::2] for item in flags["--pipeline-parameters"].split(";"))
    return flags


def by_name(items, key="name"):
    """A list of dicts -> {item[key]: item without key}; a repeated name
    keeps all its items, so a duplicate shows as a difference."""
    out = {}
    for it in items or []:
        rest = {k: v for k, v in it.items() if k != key}
        k = it.get(key)
        if k in out:
            out[k] = (out[k] if isinstance(out[k], list) else [out[k]]) + [rest]
        else:
            out[k] = rest
    return out


def env_value(e):
    if "valueFrom" in e:
        return e["valueFrom"]
    return e.get("value", "")


def node_fields(t, task, flags, key_of_task):
    """The flat field map of one container template and its DAG task."""
    f = {}
    t = dict(t)
    c = dict(t.pop("container", {}))
    f["template.name"] = t.pop("name")
    task = dict(task)
    f["dag.task.name"] = task.pop("name")
    task.pop("template")
    f["dag.dependencies"] = sorted(key_of_task.get(d, "?" + d) for d in task.pop("dependencies", []))
    targs = dict(task.pop("arguments", {}))
    f["dag.arguments.parameters"] = {p["name"]: p.get("value") for p in targs.pop("parameters", [])}
    if "artifacts" in targs:
        f["dag.arguments.artifacts"] = by_name(targs.pop("artifacts"))
    for k, v in targs.items():
        f["dag.arguments." + k] = v
    for k, v in task.items():
        f["dag." + k] = v

    inputs = dict(t.pop("inputs", {}))
    f["inputs.parameters"] = sorted(p["name"] for p in inputs.pop("parameters", []))
    if "artifacts" in inputs:
        f["inputs.artifacts"] = by_name(inputs.pop("artifacts"))
    for k, v in inputs.items():
        f["inputs." + k] = v
    outputs = dict(t.pop("outputs", {}))
    for name, a in by_name(outputs.pop("artifacts", [])).items():
        f["outputs.artifacts[%s]" % name] = a
    for k, v in outputs.items():
        f["outputs." + k] = v

    meta = t.pop("metadata", {})
    for k, v in (meta.get("labels") or {}).items():
        f["labels." + k] = v
    for k, v in (meta.get("annotations") or {}).items():
        f["annotations." + k] = v

    for name, v in by_name(t.pop("volumes", [])).items():
        f["volumes[%s]" % name] = v
    if "tolerations" in t:
        f["tolerations"] = sorted(json.dumps(x, sort_keys=True) for x in t.pop("tolerations"))
    for k, v in t.items():  # initContainers and anything else
        f[k] = v

    f["container.image"] = c.pop("image", ABSENT)
    f["container.imagePullPolicy"] = c.pop("imagePullPolicy", ABSENT)
    f["container.command"] = c.pop("command", ABSENT)
    f["container.args"] = c.pop("args", ABSENT)
    for name, e in by_name(c.pop("env", [])).items():
        f["env." + name] = [env_value(x) for x in e] if isinstance(e, list) else env_value(e)
    res = c.pop("resources", {}) or {}
    for kind in ("requests", "limits"):
        for k, v in (res.get(kind) or {}).items():
            f["container.resources.%s.%s" % (kind, k)] = v
    for k, v in res.items():
        if k not in ("requests", "limits"):
            f["container.resources." + k] = v
    for path, m in by_name(c.pop("volumeMounts", []), "mountPath").items():
        if isinstance(m, dict):
            m = dict(m)
            m["readOnly"] = bool(m.get("readOnly", False))
        f["container.volumeMounts[%s]" % path] = m
    for k, v in c.items():
        f["container." + k] = v

    for k, v in flags.items():
        if k == "--inputs":
            v = sorted(v.split(";"))
        f["bootstrap." + k] = v
    return f


def load(path, elyra):
    """-> (workflow fields, {node key: node fields})."""
    with open(path) as fh:
        wf = yaml.safe_load(fh)
    spec = dict(wf["spec"])
    meta = wf.get("metadata", {})
    w = {}
    w["workflow.generateName"] = meta.get("generateName", ABSENT)
    for k, v in (meta.get("labels") or {}).items():
        w["workflow.labels." + k] = v
    for k, v in (meta.get("annotations") or {}).items():
        if k == "pipelines.kubeflow.org/pipeline_spec":
            ps = json.loads(v)
            for name, inp in by_name(ps.pop("inputs", [])).items():
                for ik, iv in inp.items():
                    w["workflow.pipeline_spec.inputs[%s].%s" % (name, ik)] = iv
            for pk, pv in ps.items():
                w["workflow.pipeline_spec." + pk] = pv
        else:
            w["workflow.annotations." + k] = v
    templates = {t["name"]: t for t in spec.pop("templates")}
    w["workflow.entrypoint"] = entry = spec.pop("entrypoint")
    args = spec.pop("arguments", {}) or {}
    params = {p["name"]: p.get("value") for p in args.get("parameters") or []}
    if params:
        w["workflow.arguments.parameters"] = params
    root = dict(templates[entry])
    w["workflow.root.inputs.parameters"] = sorted(
        p["name"] for p in (root.get("inputs") or {}).get("parameters", []))
    for k, v in spec.items():
        w["workflow.spec." + k] = v

    tasks = root["dag"]["tasks"]
    parse = parse_elyra_args if elyra else parse_t3q_args
    keys, flags = {}, {}
    for task in tasks:
        t = templates[task["template"]]
        # A custom component's args are its own, not a bootstrapper's.
        spec = ((t.get("metadata") or {}).get("annotations") or {}).get(
            "pipelines.kubeflow.org/component_spec")
        custom = spec and json.loads(spec).get("name") != "Run a file"
        fl = {} if custom else parse((t.get("container") or {}).get("args", []))
        flags[task["name"]] = fl
        keys[task["name"]] = fl.get("--cos-dependencies-archive", "task " + task["name"])
    nodes = {}
    for task in tasks:
        k = keys[task["name"]]
        if k in nodes:
            sys.exit("%s: two nodes share the key %s" % (path, k))
        nodes[k] = node_fields(templates[task["template"]], task, flags[task["name"]], keys)
    # The parameters some task receives: the same set in both, or a node
    # lost (or gained) one; the allow-list below uses it too.
    w["workflow.parameters-used"] = sorted({n for f in nodes.values()
                                            for n in f["dag.arguments.parameters"]})
    return w, nodes


# ------------------------------------------------------------- allow-list

K8S_NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
PARAM_REF = re.compile(r"\{\{inputs\.parameters\.([A-Za-z_][A-Za-z0-9_]*)\}\}")
ARTIFACT = re.compile(r"[-A-Za-z0-9_]+")


def is_absent(v):
    return v is ABSENT


def data_artifacts(v, base):
    """t3q's artifacts of node outputs: {name: {path: base/name}}."""
    return isinstance(v, dict) and v and all(
        ARTIFACT.fullmatch(n) and a == {"path": base + "/" + n} for n, a in v.items())


class Allow:
    """One intended difference. key: the field (<...> marks a variable
    part), as in the docs/parity.md table; scope: the nodes it applies to; elyra,
    t3q: what each side holds (docs/parity.md text); why: the reason; field: the
    field names it covers (a string or a compiled regex); ok(e, t, ctx):
    whether this pair of values is the intended difference."""

    def __init__(self, key, scope, elyra, t3q, why, ok, field=None, generated=False):
        self.key, self.scope, self.elyra, self.t3q, self.why = key, scope, elyra, t3q, why
        # needed by the generated pipelines (t-elyra-diff.sh), not the
        # hand-picked ones (t-elyra-peer.sh)
        self.generated = generated
        self.ok = ok
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


def trunc50(e, t, ctx):
    """t3q cuts the Kubernetes-style pipeline name at 50 characters."""
    return len(e.rstrip("-")) > 50 and t.rstrip("-") == e.rstrip("-")[:50]


def unused_leftover(e, t, c):
    """Elyra's export keeps an unused parameter that follows one it drops:
    kfp_processor.py:606-609 removes from the very list it iterates. t3q
    leaves out every parameter no node uses. e, t: the two values of one
    parameter field (dicts, lists or scalars)."""
    used = set(c["elyra"]["workflow.parameters-used"])
    name = c["field"]
    m = re.fullmatch(r"workflow\.pipeline_spec\.inputs\[([^]]+)\]\.\w+", name)
    if m:
        return m.group(1) not in used and is_absent(t)
    if name == "workflow.arguments.parameters":
        t = {} if is_absent(t) else t
        return {k: v for k, v in e.items() if k in used} == t and set(e) - set(t) <= set(e) - used
    if name == "workflow.root.inputs.parameters":
        return sorted(x for x in e if x in used) == (t or [])
    return False


SUBFLOW_DROPPED = re.compile(r"env\.(?!ELYRA_|AWS_).*|volumes\[.*\]|container\.volumeMounts\[.*\]|"
                             r"labels\.(?!elyra/|pipelines\.kubeflow\.org/).*|"
                             r"annotations\.(?!elyra/|pipelines\.kubeflow\.org/).*|tolerations")


def shadowed_parameters(e, t, c):
    """t3q's --pipeline-parameters: Elyra's without the names that the
    node's own env vars (in t3q's container, not parameter references)
    set."""
    tenv = c["t3q"]

    def shadowed(name):
        v = tenv.get("env." + name, ABSENT)
        return not is_absent(v) and not (isinstance(v, str) and PARAM_REF.fullmatch(v))
    if c["field"] == "bootstrap.--parameter-pass-method":
        names = c["elyra"].get("bootstrap.--pipeline-parameters", {})
        return e == "env" and is_absent(t) and names and all(shadowed(k) for k in names)
    t = {} if is_absent(t) else t
    return {k: v for k, v in e.items() if not shadowed(k)} == t and any(shadowed(k) for k in e)


def python_escapes(e, t, c):
    """Elyra's value: t3q's (the value as written) read as the body of a
    Python string literal, as Elyra's generated DSL has it."""
    import ast
    if not (isinstance(t, str) and "\\" in t and isinstance(e, str)):
        return False
    return e == ast.literal_eval('"' + t.replace('"', '\\"').replace("\n", "\\n") + '"')


def same_volume_repeated(e, t, c):
    """Elyra lists a PVC's volume once per mount of it; t3q once."""
    return isinstance(e, list) and len(e) > 1 and all(x == e[0] for x in e) and t == e[0]


ALLOW = [
    # --- the workflow
    Allow("env, volumes, mounts, pod labels and annotations, tolerations (nodes in supernodes)",
          "nodes inside a supernode", "absent", "the node's and the pipeline defaults'",
          "Elyra 4.0.0 converts these properties on the primary pipeline's nodes only "
          "(PipelineDefinition.propagate_pipeline_default_properties), and its processor skips the "
          "raw values of nodes inside supernodes, so it drops them silently; t3q applies them to "
          "every node",
          lambda e, t, c: c.get("in_subflow") and is_absent(e), SUBFLOW_DROPPED, True),
    Allow("volumes[<pvc>] (a PVC mounted twice)", "nodes that mount one PVC at several paths",
          "the volume listed once per mount", "listed once",
          "Kubernetes refuses a pod whose volumes repeat a name; each mount still names the one volume",
          same_volume_repeated, re.compile(r"volumes\[.*\]"), True),
    Allow("bootstrap.--pipeline-parameters (a parameter named as a node env var)",
          "nodes with an env var named as one of their parameters", "`P=$P` among the others",
          "without `P` (without the flag when no other is left)",
          "the node's env var wins in both (Elyra's bootstrapper never overwrites a name already "
          "set); leaving the run-form value out means no value (`x;Y=z`) can reach the step through "
          "the `;`-split list and make a variable",
          shadowed_parameters, re.compile(r"bootstrap\.--(pipeline-parameters|parameter-pass-method)"),
          True),
    Allow("workflow.<parameters that no node uses>", "workflow, unused parameters after a dropped one",
          "listed (arguments, pipeline_spec inputs, root DAG inputs)", "absent",
          "Elyra 4.0.0 means to drop parameters no node uses, but removes them from the list it is "
          "iterating (kfp_processor.py:606-609), so each one after a dropped one stays; t3q drops "
          "them all, so the KFP run form shows only what some step reads",
          unused_leftover,
          re.compile(r"workflow\.(arguments\.parameters|root\.inputs\.parameters|"
                     r"pipeline_spec\.inputs\[[^]]+\]\.\w+)"), True),
    Allow("env.<name> (a backslash in the value)", "nodes with such an env var",
          "the value read as a Python string literal (`C:\\new` is `C:`, a newline, `ew`)",
          "the value as written",
          "Elyra 4.0.0 writes env values into its generated kfp DSL as Python string literals "
          "without escaping backslashes; t3q passes the value the user wrote",
          python_escapes, re.compile(r"env\..+"), True),
    Allow("annotations.<key> (a backslash in the value)", "nodes with such a pod annotation",
          "the value read as a Python string literal", "the value as written",
          "as for env values: Elyra's generated kfp DSL holds annotation values as Python string "
          "literals without escaping backslashes",
          python_escapes, re.compile(r"annotations\.(?!pipelines\.kubeflow\.org/|elyra/).+"), True),
    Allow("bootstrap.--log-name", "nodes whose files share a stem",
          "absent", "`<stem>-<node id>`",
          "Elyra's bootstrapper names a step's log (and executed notebook) after the file's stem, "
          "under the run's prefix, so the logs of `src/run.py` and `run.py` overwrite each other; "
          "t3q names them apart, as their archives are",
          lambda e, t, c: is_absent(e) and t + ".tar.gz" == c["t3q"]["bootstrap.--cos-dependencies-archive"],
          generated=True),
    Allow("workflow.annotations.pipelines.kubeflow.org/kfp_sdk_version", "workflow",
          "`1.8.22`", "absent",
          "Elyra's export is compiled by the kfp 1.8.22 SDK; t3q is not the kfp SDK",
          lambda e, t, c: e == "1.8.22" and is_absent(t)),
    Allow("workflow.labels.pipelines.kubeflow.org/kfp_sdk_version", "workflow",
          "`1.8.22`", "absent", "t3q is not the kfp SDK",
          lambda e, t, c: e == "1.8.22" and is_absent(t)),
    Allow("workflow.labels.pipelines.kubeflow.org/pipeline-sdk-type", "workflow",
          "absent", "`t3q`", "marks what compiled the workflow, as the kfp SDK marks its pods `kfp`",
          lambda e, t, c: is_absent(e) and t == "t3q"),
    Allow("workflow.annotations.pipelines.kubeflow.org/pipeline_compilation_time", "workflow",
          "the export time", "absent (only with `--timestamp`)",
          "t3q's output is deterministic unless asked for a time stamp",
          lambda e, t, c: re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+", e) and is_absent(t)),
    Allow("workflow.generateName", "workflow, when the name is over 50 characters",
          "the whole Kubernetes-style pipeline name", "cut at 50 characters",
          "the workflow name (this plus 5 random characters) also labels every pod, "
          "and a label value stops at 63 characters",
          trunc50),
    Allow("workflow.entrypoint", "workflow, when the name is over 50 characters",
          "the whole Kubernetes-style pipeline name", "cut at 50 characters",
          "the root DAG template takes the workflow's (cut) name",
          trunc50),
    Allow("workflow.pipeline_spec.inputs[<parameter>].description", "workflow",
          "absent", "the parameter's description",
          "kfp leaves it out of the pipeline spec (Elyra puts it in each component spec); "
          "t3q shows it in the KFP run form",
          lambda e, t, c: is_absent(e) and isinstance(t, str) and t,
          re.compile(r"workflow\.pipeline_spec\.inputs\[[^]]+\]\.description")),
    Allow("workflow.pipeline_spec.inputs[<parameter>].optional", "workflow, parameters marked required",
          "`true` (kfp: it has a default)", "`false`",
          "t3q states the parameter's own `required` flag",
          lambda e, t, c: e is True and t is False,
          re.compile(r"workflow\.pipeline_spec\.inputs\[[^]]+\]\.optional")),

    # --- every node: names
    Allow("template.name", "every node",
          "`run-a-file`, `run-a-file-2`, ...", "the node's task name (its label, Kubernetes-style)",
          "readable names in the Argo UI; kfp names templates after the component, `Run a file`",
          lambda e, t, c: re.fullmatch(r"run-a-file(-\d+)?", e) and K8S_NAME.fullmatch(t)
          and t == c["t3q"]["dag.task.name"]),
    Allow("dag.task.name", "every node",
          "`run-a-file`, `run-a-file-2`, ...", "the node's task name",
          "each task is named as its template",
          lambda e, t, c: re.fullmatch(r"run-a-file(-\d+)?", e) and K8S_NAME.fullmatch(t)),

    # --- every node: how the step runs
    Allow("container.command", "every node",
          "`[sh, -c]`", "`[/t3q/bin/t3q-bootstrap]`",
          "t3q-bootstrap replaces Elyra's shell script and bootstrapper.py",
          lambda e, t, c: e == ["sh", "-c"] and t == ["/t3q/bin/t3q-bootstrap"]),
    Allow("container.args", "every node",
          "a script that downloads bootstrapper.py, pip-installs and runs it; parameters as `$0`..",
          "t3q-bootstrap's flags",
          "no download or pip at run time; the flags themselves are compared one by one as `bootstrap.--*`",
          lambda e, t, c: "python3 bootstrapper.py" in e[0] and t and t[0] == "--pipeline-name"),
    Allow("bootstrap.--cos-directory", "every node",
          "`<prefix>/<pipeline>-MMDDHHMMSS`", "`<prefix>/<pipeline>`",
          "Elyra's export always adds the export time; t3q only with `--timestamp` or `--upload`, "
          "and each run writes under its own `{{workflow.uid}}` anyway",
          lambda e, t, c: re.fullmatch(re.escape(t) + r"-\d{10}", e)),
    Allow("bootstrap.--file", "every node",
          "absolute path on the exporting machine", "the file's base name",
          "t3q's dependency archive is rooted at the file's directory, so the step runs it by its base name",
          lambda e, t, c: e.startswith("/") and os.path.basename(e) == t),
    Allow("bootstrap.--artifact-inputs", "nodes with ancestors' outputs",
          "absent", "`/t3q/artifacts/in`",
          "t3q passes node outputs as Argo artifacts (shown in the KFP UI); Elyra only through the object store",
          lambda e, t, c: is_absent(e) and t == "/t3q/artifacts/in"),
    Allow("bootstrap.--artifact-outputs", "nodes with outputs",
          "absent", "`/t3q/artifacts/out`", "where the step leaves its outputs for Argo to save as artifacts",
          lambda e, t, c: is_absent(e) and t == "/t3q/artifacts/out"),
    Allow("dag.arguments.artifacts", "nodes with ancestors' outputs",
          "absent", "each ancestor output, `from` the task that writes it",
          "a task receives its ancestors' outputs as artifacts, not only through the object store",
          lambda e, t, c: is_absent(e) and t and all(
              re.fullmatch(r"\{\{tasks\.[-a-z0-9]+\.outputs\.artifacts\.%s\}\}" % re.escape(n), a["from"])
              for n, a in t.items())),
    Allow("inputs.artifacts", "nodes with ancestors' outputs",
          "absent", "each ancestor output at `/t3q/artifacts/in/<name>`",
          "where Argo places the received artifacts for t3q-bootstrap",
          lambda e, t, c: is_absent(e) and data_artifacts(t, "/t3q/artifacts/in")),
    Allow("outputs.artifacts[<node output>]", "nodes with outputs",
          "absent", "each output at `/t3q/artifacts/out/<name>`",
          "node outputs become Argo artifacts, listed and viewable in the KFP UI",
          lambda e, t, c: is_absent(e) and data_artifacts({c["field"][18:-1]: t}, "/t3q/artifacts/out"),
          re.compile(r"outputs\.artifacts\[(?!mlpipeline-)[^]]+\]")),
    Allow("outputs.artifacts[mlpipeline-metrics]", "every node",
          "`path: /tmp/mlpipeline-metrics.json`", "the same, `optional: true`",
          "a step that writes no metrics must not fail on the missing file",
          lambda e, t, c: t == dict(e, optional=True) and "optional" not in e),
    Allow("outputs.artifacts[mlpipeline-ui-metadata]", "every node",
          "`path: /tmp/mlpipeline-ui-metadata.json`", "the same, `optional: true`",
          "a step that writes no UI metadata must not fail on the missing file",
          lambda e, t, c: t == dict(e, optional=True) and "optional" not in e),
    Allow("initContainers", "every node",
          "absent", "`t3q-bootstrap`, copying the binary into `/t3q/bin`",
          "the runtime image need not contain t3q-bootstrap (as argoexec is injected); "
          "`--bootstrap=in-image` drops it",
          lambda e, t, c: is_absent(e) and [x["name"] for x in t] == ["t3q-bootstrap"]),
    Allow("volumes[t3q-bin]", "every node", "absent", "an emptyDir",
          "where the init container puts t3q-bootstrap for the step",
          lambda e, t, c: is_absent(e) and t == {"emptyDir": {}}),
    Allow("container.volumeMounts[/t3q/bin]", "every node", "absent", "`t3q-bin`",
          "where the step finds t3q-bootstrap",
          lambda e, t, c: is_absent(e) and t == {"name": "t3q-bin", "readOnly": False}),

    # --- every node: parameters, metadata
    Allow("env.<pipeline parameter>", "nodes that use parameters",
          "absent (`--pipeline-parameters 'P=$P'` in the script)", "`{{inputs.parameters.P}}`",
          "run parameters changed in the KFP UI reach the step whole, even with `;` or `=` in them",
          lambda e, t, c: is_absent(e) and PARAM_REF.fullmatch(t).group(1) == c["field"][4:]
          and c["field"][4:] in c["elyra"]["inputs.parameters"],
          re.compile(r"env\.\w+")),
    Allow("labels.pipelines.kubeflow.org/kfp_sdk_version", "every node",
          "`1.8.22`", "absent", "t3q is not the kfp SDK",
          lambda e, t, c: e == "1.8.22" and is_absent(t)),
    Allow("labels.pipelines.kubeflow.org/pipeline-sdk-type", "every node",
          "`kfp`", "`t3q`", "says what compiled the pod's workflow",
          lambda e, t, c: e == "kfp" and t == "t3q"),
    Allow("labels.pipelines.kubeflow.org/enable_caching", "every node",
          "`\"true\"`", "absent",
          "the kfp SDK's record of its caching option; t3q leaves caching to KFP (Elyra 4.0.0 "
          "ignores `disable_node_caching` on generic nodes, and so does t3q)",
          lambda e, t, c: e == "true" and is_absent(t)),
    Allow("annotations.pipelines.kubeflow.org/component_spec", "every node",
          "the `Run a file` component spec", "absent", "t3q steps are not kfp components",
          lambda e, t, c: json.loads(e)["name"] == "Run a file" and is_absent(t)),
    Allow("annotations.pipelines.kubeflow.org/component_ref", "every node",
          "the component spec's digest", "absent", "t3q steps are not kfp components, so have no digest",
          lambda e, t, c: "digest" in json.loads(e) and is_absent(t)),
    Allow("annotations.pipelines.kubeflow.org/arguments.parameters", "nodes that use parameters",
          "the component's parameter arguments", "absent",
          "kfp's record of a component's arguments; the task's own arguments "
          "(compared as `dag.arguments.parameters`) say the same",
          lambda e, t, c: json.loads(e) == c["elyra"]["dag.arguments.parameters"] and is_absent(t)),
    Allow("annotations.elyra/node-file-name", "every node",
          "absolute path on the exporting machine", "the path as in the pipeline file",
          "Elyra's CLI resolves it where it runs; t3q keeps the output independent of where it compiles",
          lambda e, t, c: e.startswith("/") and e.endswith("/" + t) and not t.startswith("/")),
]


# -------------------------------------------------------------- comparing

def compare(elyra_path, t3q_path, used_log=None, subflow_ids=()):
    """subflow_ids: the ids of the nodes inside supernodes (elyra_diff.py
    knows them from the pipeline file)."""
    ew, en = load(elyra_path, True)
    tw, tn = load(t3q_path, False)
    bad, allowed = [], []

    def diff(where, fe, ft, ctx):
        for name in sorted(set(fe) | set(ft)):
            e, t = fe.get(name, ABSENT), ft.get(name, ABSENT)
            if e == t:
                continue
            ctx = dict(ctx, field=name)
            hit = next((a for a in ALLOW if a.covers(name, e, t, ctx)), None)
            line = "%s: %s: Elyra %s, t3q %s" % (where, name, js(e), js(t))
            if hit:
                allowed.append((line, hit))
            else:
                bad.append(line)

    diff("workflow", ew, tw, {"elyra": ew, "t3q": tw})
    for key in sorted(set(en) | set(tn)):
        if key not in tn:
            bad.append("node %s: only in Elyra's export" % key)
            continue
        if key not in en:
            bad.append("node %s: only in t3q's" % key)
            continue
        label = tn[key].get("annotations.pipelines.kubeflow.org/task_display_name", key)
        sub = any(key.endswith("-%s.tar.gz" % i) for i in subflow_ids)
        diff("node '%s' (%s)" % (label, key), en[key], tn[key],
             {"elyra": en[key], "t3q": tn[key], "in_subflow": sub})

    for line, a in allowed:
        print("allowed: %s [%s]" % (line, a.key))
    for line in bad:
        print("DIFFERENT: " + line)
    print("%d nodes; %d differences allowed, %d not" % (len(set(en) | set(tn)), len(allowed), len(bad)))
    if used_log:
        with open(used_log, "a") as fh:
            for _, a in allowed:
                fh.write(a.key + "\n")
    return 1 if bad else 0


def check_unused(path, generated=False):
    """Every entry (of the hand-picked or the generated set) was needed."""
    with open(path) as fh:
        used = set(fh.read().split("\n"))
    unused = [a.key for a in ALLOW if a.key not in used and a.generated == generated]
    for k in unused:
        print("allow-list entry never needed: " + k)
    return 1 if unused else 0


def readme_rows(path):
    with open(path) as fh:
        text = fh.read()
    if SECTION not in text:
        return None
    body = text.split(SECTION, 1)[1]
    body = re.split(r"^## ", body, maxsplit=1, flags=re.M)[0]
    rows = []
    for line in body.splitlines():
        m = re.match(r"\|\s*`([^`]+)`[^|]*\|", line)
        if m:
            rows.append(m.group(1))
    return rows


def check_readme(path):
    rows = readme_rows(path)
    if rows is None:
        print("%s has no section %r" % (path, SECTION))
        return 1
    keys = [a.key for a in ALLOW]
    errors = ["not in the docs/parity.md table: " + k for k in keys if k not in rows]
    errors += ["docs/parity.md row not in the allow-list: " + r for r in rows if r not in keys]
    errors += ["docs/parity.md row twice: " + r for r in sorted(set(rows)) if rows.count(r) > 1]
    for e in errors:
        print(e)
    return 1 if errors else 0


def readme_table():
    """The table, for pasting into docs/parity.md after an allow-list edit."""
    print("| field (where) | Elyra 4.0.0 | t3q | why |")
    print("|---|---|---|---|")
    for a in ALLOW:
        print("| `%s` (%s) | %s | %s | %s |" % (a.key, a.scope, a.elyra, a.t3q, a.why))
    return 0


# ---------------------------------------------------------------- staging

NOTEBOOK = '{"cells":[],"metadata":{},"nbformat":4,"nbformat_minor":5}\n'


def split_kv(s):
    """A v7 "KEY=VALUE" item: split on the first '=', both sides trimmed
    (the meaning t3q documents; Elyra's editor migrates these by regex)."""
    k, _, v = s.partition("=")
    return k.strip(), v.strip()


def to_v8(doc):
    def pairs(items, a, b):
        return [dict(zip((a, b), split_kv(s))) if isinstance(s, str) else s for s in items]

    def secret(s):
        if not isinstance(s, str):
            return s
        k, v = split_kv(s)
        name, _, key = v.partition(":")
        return {"env_var": k, "name": name, "key": key}

    def toleration(s):
        if not isinstance(s, str):
            return s
        parts = split_kv(s)[1].split(":")
        return {k: v for k, v in zip(("key", "operator", "value", "effect"), parts) if v}

    for pl in doc["pipelines"]:
        props = pl.get("app_data", {}).get("properties", {})
        cps = [props.get("pipeline_defaults") or {}]
        cps += [n.get("app_data", {}).get("component_parameters") or {} for n in pl["nodes"]]
        for cp in cps:
            for prop, conv in (("env_vars", lambda l: pairs(l, "env_var", "value")),
                               ("mounted_volumes", lambda l: pairs(l, "path", "pvc_name")),
                               ("kubernetes_pod_annotations", lambda l: pairs(l, "key", "value")),
                               ("kubernetes_pod_labels", lambda l: pairs(l, "key", "value")),
                               ("kubernetes_secrets", lambda l: [secret(s) for s in l]),
                               ("kubernetes_tolerations", lambda l: [toleration(s) for s in l])):
                if isinstance(cp.get(prop), list):
                    cp[prop] = conv(cp[prop])
    doc["pipelines"][0]["app_data"]["version"] = 8
    return doc


def stage(argv):
    path, drop_op, v8_out = argv[0], None, None
    rest = argv[1:]
    while rest:
        if rest[0] == "--drop-op":
            drop_op = rest[1]
        elif rest[0] == "--to-v8":
            v8_out = rest[1]
        else:
            sys.exit("--stage: unknown option " + rest[0])
        rest = rest[2:]
    with open(path) as fh:
        doc = json.load(fh)
    base = os.path.dirname(os.path.abspath(path))
    for pl in doc["pipelines"]:
        if drop_op:
            pl["nodes"] = [n for n in pl["nodes"] if n.get("op") != drop_op]
        for n in pl["nodes"]:
            cp = n.get("app_data", {}).get("component_parameters", {})
            for name in [cp.get("filename")] + list(cp.get("dependencies") or []):
                if not name or "*" in name:
                    continue
                dest = os.path.join(base, name)
                if not os.path.exists(dest):
                    os.makedirs(os.path.dirname(dest), exist_ok=True)
                    with open(dest, "w") as fh:
                        fh.write(NOTEBOOK if name.endswith(".ipynb") else "")
    if drop_op:
        with open(path, "w") as fh:
            json.dump(doc, fh, indent=1)
    if v8_out:
        with open(v8_out, "w") as fh:
            json.dump(to_v8(doc), fh, indent=1)
    return 0


def main(argv):
    if argv[:1] == ["--unused"] and len(argv) == 2:
        return check_unused(argv[1])
    if argv[:1] == ["--unused-generated"] and len(argv) == 2:
        return check_unused(argv[1], True)
    if argv[:1] == ["--readme"] and len(argv) == 2:
        return check_readme(argv[1])
    if argv[:1] == ["--table"]:
        return readme_table()
    if argv[:1] == ["--stage"] and len(argv) >= 2:
        return stage(argv[1:])
    used_log = None
    if len(argv) == 4 and argv[2] == "--used-log":
        used_log = argv[3]
        argv = argv[:2]
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    return compare(argv[0], argv[1], used_log)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
