#!/usr/bin/env python3
"""ir_v1_agree.py V1.yaml V2.yaml [V1 V2 ...]: the two targets of
t3q-compile say the same thing about each step, since both render one plan
(compiler/plan.c). Per node (Argo template T, IR executor exec-T):

  - the image, and the bootstrap's flags: v1's args with its
    --artifact-inputs/--artifact-outputs DIR pairs dropped and
    {{inputs.parameters.X}} spelt {{$.inputs.parameters['X']}}, and its
    --pipeline-parameters list as one --pipeline-parameter each, are v2's
    args without their --artifact-input/--artifact-output pairs; those
    name v1's input artifacts, and v1's outputs (less KFP v1's two) plus
    KFP v2's three fixed ones;
  - plain env (v1 less the parameter env vars, which v2 passes by flag
    only), secrets (secretKeyRef vs secretAsEnv), resources, PVC mounts,
    /dev/shm, tolerations, pod labels and annotations, pull policy and
    pull secrets;
  - v1's DAG dependencies are in dependentTasks, the rest being producers;
    the run parameters and their defaults agree: the same integer (v1's
    decimal digits, exactly what KFP reads v2's JSON number as), Bool
    (True/False) or number.

Prints each disagreement; exit 1 if any.
"""
import re
import sys

import yaml

V1_FIXED = {"mlpipeline-ui-metadata", "mlpipeline-metrics"}
V2_FIXED = {"mlpipeline-metrics", "mlpipeline-markdown", "mlpipeline-html"}


def agree_k8s(name, t1, c1, px, say):
    """The v1 template's PVC mounts, /dev/shm and tolerations against the
    IR's kubernetes platform spec (px) of the same step."""
    claims = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in t1.get("volumes", [])
              if "persistentVolumeClaim" in v}
    m1 = [(claims[m["name"]], m["mountPath"], m.get("subPath")) for m in c1.get("volumeMounts", [])
          if m["name"] in claims]
    m2 = [(m["constant"], m["mountPath"], m.get("subPath")) for m in px.get("pvcMount", [])]
    if m1 != m2:
        say(name, "PVC mounts", m1, m2)
    shm1 = [v["emptyDir"].get("sizeLimit") for v in t1.get("volumes", []) if v["name"] == "shm"]
    shm2 = [m["sizeLimit"] for m in px.get("emptyDirMounts", []) if m["mountPath"] == "/dev/shm"]
    if shm1 != shm2:
        say(name, "/dev/shm", shm1, shm2)
    tol1 = [{k: v for k, v in t.items() if v not in ("", None)} for t in t1.get("tolerations", [])]
    if tol1 != px.get("tolerations", []):
        say(name, "tolerations", tol1, px.get("tolerations", []))


def strip_pairs(args, flags):
    out, pairs, i = [], [], 0
    while i < len(args):
        if args[i] in flags and i + 1 < len(args):
            pairs.append((args[i], args[i + 1]))
            i += 2
        else:
            out.append(args[i])
            i += 1
    return out, pairs


def v1_param(s):
    return re.sub(r"\{\{inputs\.parameters\.([A-Za-z0-9_]+)\}\}", r"{{$.inputs.parameters['\1']}}", s)


def v1_params_as_v2(args):
    """v1's --pipeline-parameters 'a=A;b=B' --parameter-pass-method env is
    v2's --pipeline-parameter a=A --pipeline-parameter b=B (one argument
    per parameter: args are all a v2 step gets, and no value may split)."""
    out, i = [], 0
    while i < len(args):
        if args[i] == "--pipeline-parameters" and i + 1 < len(args):
            for item in args[i + 1].split(";"):
                out += ["--pipeline-parameter", item]
            i += 2
            if args[i:i + 2] == ["--parameter-pass-method", "env"]:
                i += 2
        else:
            out.append(args[i])
            i += 1
    return out


def default_of(v2p):
    d = v2p.get("defaultValue")
    if d is None:
        return None
    if isinstance(d, bool):
        return "True" if d else "False"
    return str(d)


def agree(f1, f2):
    bad = []
    with open(f1) as fh:
        wf = yaml.safe_load(fh)
    with open(f2) as fh:
        spec, platform = list(yaml.safe_load_all(fh))
    pexecs = platform["platforms"]["kubernetes"]["deploymentSpec"]["executors"]
    tmpl = {t["name"]: t for t in wf["spec"]["templates"]}
    root = tmpl[wf["spec"]["entrypoint"]]
    v1_tasks = {t["name"]: t for t in root["dag"]["tasks"]}
    v2_tasks = spec["root"]["dag"]["tasks"]

    def say(task, what, a, b):
        bad.append("%s: task %s: %s: v1 %r, v2 %r" % (f2, task, what, a, b))

    if set(v1_tasks) != set(v2_tasks):
        say("*", "tasks", sorted(v1_tasks), sorted(v2_tasks))
    # run parameters and their defaults
    v1_params = {p["name"]: p.get("value") for p in wf["spec"].get("arguments", {}).get("parameters", [])}
    v2_defs = spec["root"].get("inputDefinitions", {}).get("parameters", {})
    v2_params = {k: default_of(v) for k, v in v2_defs.items()}
    for k in set(v1_params) | set(v2_params):
        a, b = v1_params.get(k, "<none>"), v2_params.get(k, "<none>")
        ptype = v2_defs.get(k, {}).get("parameterType")
        if not _same_value(a, b, ptype):
            say("*", "run parameter %s" % k, a, b)
    pull = [s["name"] for s in wf["spec"].get("imagePullSecrets", [])]

    for name in set(v1_tasks) & set(v2_tasks):
        t1, t2 = tmpl[name], v2_tasks[name]
        c1 = t1["container"]
        ex = spec["deploymentSpec"]["executors"]["exec-" + name]["container"]
        px = pexecs.get("exec-" + name, {})
        if c1["image"] != ex["image"]:
            say(name, "image", c1["image"], ex["image"])
        if not (ex.get("command") or [""])[0].endswith("t3q-bootstrap"):
            bad += agree_custom(name, t1, v1_tasks[name], t2, px, say)
            continue
        a1, _ = strip_pairs(v1_params_as_v2([v1_param(a) for a in c1["args"]]),
                            {"--artifact-inputs", "--artifact-outputs"})
        a2, pairs = strip_pairs(ex["args"], {"--artifact-input", "--artifact-output"})
        if a1 != a2:
            say(name, "bootstrap args", a1, a2)
        ins = {p[1].split("=", 1)[0] for p in pairs if p[0] == "--artifact-input"}
        outs = {p[1].split("=", 1)[0] for p in pairs if p[0] == "--artifact-output"}
        v1_ins = {a["name"] for a in t1.get("inputs", {}).get("artifacts", [])}
        v1_outs = {a["name"] for a in t1["outputs"]["artifacts"]} - V1_FIXED
        if ins != v1_ins:
            say(name, "input artifacts", sorted(v1_ins), sorted(ins))
        if outs != v1_outs | V2_FIXED:
            say(name, "output artifacts", sorted(v1_outs | V2_FIXED), sorted(outs))
        # env: plain, then secrets
        e1 = [(e["name"], e["value"]) for e in c1.get("env", [])
              if "value" in e and "{{inputs.parameters." not in e["value"]]
        e2 = [(e["name"], e["value"]) for e in ex.get("env", [])]
        if e1 != e2:
            say(name, "env", e1, e2)
        s1 = [(e["name"], e["valueFrom"]["secretKeyRef"]["name"], e["valueFrom"]["secretKeyRef"]["key"])
              for e in c1.get("env", []) if "valueFrom" in e]
        s2 = [(k["envVar"], s["secretName"], k["secretKey"]) for s in px.get("secretAsEnv", []) for k in s["keyToEnv"]]
        if s1 != s2:
            say(name, "secrets", s1, s2)
        # resources
        r1 = c1.get("resources", {})
        r2 = ex.get("resources", {})
        want = {"resourceCpuRequest": r1.get("requests", {}).get("cpu"),
                "resourceMemoryRequest": r1.get("requests", {}).get("memory"),
                "resourceCpuLimit": r1.get("limits", {}).get("cpu"),
                "resourceMemoryLimit": r1.get("limits", {}).get("memory")}
        for k, v in want.items():
            if v != r2.get(k):
                say(name, k, v, r2.get(k))
        gpus = {k: v for k, v in r1.get("limits", {}).items() if k not in ("cpu", "memory")}
        acc = r2.get("accelerator")
        if gpus != ({acc["resourceType"]: acc["resourceCount"]} if acc else {}):
            say(name, "accelerator", gpus, acc)
        # volumes: claims, /dev/shm; tolerations
        agree_k8s(name, t1, c1, px, say)
        for kind in ("labels", "annotations"):
            a, b = t1["metadata"][kind], px.get("podMetadata", {}).get(kind, {})
            if a != b:
                say(name, kind, a, b)
        if c1.get("imagePullPolicy") != px.get("imagePullPolicy"):
            say(name, "imagePullPolicy", c1.get("imagePullPolicy"), px.get("imagePullPolicy"))
        if pull != [s["secretName"] for s in px.get("imagePullSecret", [])]:
            say(name, "image pull secrets", pull, px.get("imagePullSecret"))
        # the DAG: v1's dependencies, plus the producers of what it reads
        d1 = set(v1_tasks[name].get("dependencies", []))
        prods = {a["taskOutputArtifact"]["producerTask"] for a in t2.get("inputs", {}).get("artifacts", {}).values()}
        if set(t2.get("dependentTasks", [])) != d1 | prods:
            say(name, "dependencies", sorted(d1 | prods), t2.get("dependentTasks", []))
        p1 = {p["name"] for p in v1_tasks[name].get("arguments", {}).get("parameters", [])}
        p2 = set(t2.get("inputs", {}).get("parameters", {}))
        if not p2 <= p1:
            say(name, "parameters", sorted(p1), sorted(p2))
    return bad


def agree_custom(name, t1, task1, t2, px, say):
    """A custom node (a KFP component, its own command): v1 resolves its
    placeholders to files, v2 to launcher placeholders (compared with
    kfp's own compile elsewhere). What the plan shares must agree: PVC
    mounts, /dev/shm, tolerations, and the DAG (v1 lists every producer
    too)."""
    c1 = t1["container"]
    agree_k8s(name, t1, c1, px, say)
    if set(task1.get("dependencies", [])) != set(t2.get("dependentTasks", [])):
        say(name, "dependencies", sorted(task1.get("dependencies", [])), t2.get("dependentTasks", []))
    return []


def _same_value(a, b, ptype):
    """v1's default (Argo's string) and v2's (as KFP reads it) are one
    value: an integer in decimal digits that the JSON number holds exactly
    (KFP reads it as a double), a Bool as True/False, a float alike."""
    if a == b and ptype not in ("NUMBER_INTEGER", "BOOLEAN"):
        return True
    if a is None or b is None or a == "<none>" or b == "<none>":
        return a == b
    if ptype == "NUMBER_INTEGER":
        return re.fullmatch(r"-?[0-9]+", a) is not None and _num_eq(b, b) and \
            float(b).is_integer() and int(a) == int(float(b))
    if ptype == "BOOLEAN":
        return a in ("True", "False") and a == b
    return a == b or _num_eq(a, b)


def _num_eq(a, b):
    try:
        return float(a) == float(b)
    except ValueError:
        return False


def main(argv):
    if len(argv) % 2 or not argv:
        print(__doc__)
        return 2
    bad = []
    for i in range(0, len(argv), 2):
        bad += agree(argv[i], argv[i + 1])
    for b in bad:
        print(b)
    print("%d pairs, %d disagreements" % (len(argv) // 2, len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
