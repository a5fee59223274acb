#!/usr/bin/env python3
"""check_ir.py FILE...: what `t3q-compile --target kfp-v2` writes, checked
with KFP's own code, in one process (the Elyra 4.1.1 venv: kfp 2.17.3,
kfp-pipeline-spec, kfp-kubernetes). For each FILE:

  - the first YAML document parses into PipelineSpec and the second into
    PlatformSpec (json_format.ParseDict, unknown fields rejected), and each
    executor's kubernetes config into KubernetesExecutorConfig;
  - kfp.components.load_component_from_file() loads it;
  - refs(): what the protos do not check: every componentRef,
    executorLabel, platform executor, dependentTasks entry, producerTask
    (and that it runs before), outputArtifactKey (and its type),
    componentInputParameter (and its type), taskOutputParameter (and its
    type), runtimeValue constant (and its type) and task input exists and
    matches its definition (artifact types as kfp matches them: equal, or
    one of them system.Artifact), every input not isOptional is given,
    the DAG has no cycle, and every {{$.inputs/outputs...}} placeholder in
    an executor (also inside a custom component's IfPresent/Concat
    structures) names a declared input or output, every declared output
    being passed, and every declared input of a t3q-bootstrap step.

--self-test FILE: the same checks must reject broken copies of FILE (a
dangling reference of each kind, an unknown field in each document);
a mutant that passes fails the run. Exit 1 on any failure.
"""
import copy
import re
import sys
import tempfile

import yaml
from google.protobuf import json_format
from kfp.components import load_component_from_file
from kfp.kubernetes import kubernetes_executor_config_pb2 as k8s_pb
from kfp.pipeline_spec import pipeline_spec_pb2 as pb

PLACEHOLDER = re.compile(r"\{\{\$\.([a-z_]+)\.([a-z_]+)\['([^']*)'\]([^}]*)\}\}")
TYPES = {"STRING": str, "NUMBER_INTEGER": int, "NUMBER_DOUBLE": (int, float), "BOOLEAN": bool,
         "STRUCT": dict, "LIST": list}


def artifact_types_match(given, want):
    """kfp's check_artifact_type_compatibility: system.Artifact takes any"""
    return given == want or "system.Artifact" in (given.get("schemaTitle"), want.get("schemaTitle"))


def load(path):
    with open(path) as fh:
        docs = list(yaml.safe_load_all(fh))
    if len(docs) != 2:
        raise ValueError("%d YAML documents, not 2 (IR, platform spec)" % len(docs))
    return docs


def parse(spec, platform):
    json_format.ParseDict(spec, pb.PipelineSpec())
    json_format.ParseDict(platform, pb.PlatformSpec())
    execs = platform["platforms"]["kubernetes"]["deploymentSpec"]["executors"]
    for cfg in execs.values():
        json_format.ParseDict(cfg, k8s_pb.KubernetesExecutorConfig())


def refs(spec, platform):
    bad = []
    comps = spec.get("components", {})
    execs = spec.get("deploymentSpec", {}).get("executors", {})
    tasks = spec["root"]["dag"]["tasks"]
    root_params = spec["root"].get("inputDefinitions", {}).get("parameters", {})
    used_comps, used_execs = set(), set()

    for name, p in root_params.items():
        if "defaultValue" in p and not isinstance(p["defaultValue"], TYPES[p["parameterType"]]):
            bad.append("root parameter %s: default %r is not %s" % (name, p["defaultValue"], p["parameterType"]))
        if isinstance(p.get("defaultValue"), bool) and p["parameterType"] != "BOOLEAN":
            bad.append("root parameter %s: a boolean default for %s" % (name, p["parameterType"]))
    for cname, c in comps.items():
        if c.get("executorLabel") not in execs:
            bad.append("component %s: executorLabel %r names no executor" % (cname, c.get("executorLabel")))
        used_execs.add(c.get("executorLabel"))
    for ename in platform["platforms"]["kubernetes"]["deploymentSpec"]["executors"]:
        if ename not in execs:
            bad.append("platform spec: executor %s is not in deploymentSpec" % ename)

    # dependencies: every entry exists, and there is no cycle
    deps = {}
    for tname, t in tasks.items():
        deps[tname] = t.get("dependentTasks", [])
        for d in deps[tname]:
            if d not in tasks:
                bad.append("task %s: dependentTasks entry %r names no task" % (tname, d))
    state = {}

    def before(t, seen=()):
        """every task that must finish before t (transitively)"""
        if t in seen:
            bad.append("cycle through task %s" % t)
            return set()
        if t not in state:
            out = set()
            for d in deps.get(t, []):
                if d in tasks:
                    out |= {d} | before(d, seen + (t,))
            state[t] = out
        return state[t]

    for tname, t in tasks.items():
        cref = t.get("componentRef", {}).get("name")
        comp = comps.get(cref)
        used_comps.add(cref)
        if comp is None:
            bad.append("task %s: componentRef %r names no component" % (tname, cref))
            continue
        idef = comp.get("inputDefinitions", {})
        tin = t.get("inputs", {})
        for kind in ("artifacts", "parameters"):
            given, declared = set(tin.get(kind, {})), idef.get(kind, {})
            required = {n for n, d in declared.items() if not d.get("isOptional")}
            if not given <= set(declared) or not required <= given:
                bad.append("task %s: input %s %s, component %s declares %s (required %s)" % (
                    tname, kind, sorted(given), cref, sorted(declared), sorted(required)))
        for aname, a in tin.get("artifacts", {}).items():
            src = a.get("taskOutputArtifact", {})
            prod, key = src.get("producerTask"), src.get("outputArtifactKey")
            if prod not in tasks:
                bad.append("task %s: input %s: producerTask %r names no task" % (tname, aname, prod))
                continue
            if prod not in before(tname):
                bad.append("task %s: input %s: producer %s does not run before it" % (tname, aname, prod))
            pcomp = comps.get(tasks[prod].get("componentRef", {}).get("name"), {})
            outs = pcomp.get("outputDefinitions", {}).get("artifacts", {})
            if key not in outs:
                bad.append("task %s: input %s: %s has no output %r" % (tname, aname, prod, key))
            elif aname in idef.get("artifacts", {}) and \
                    not artifact_types_match(outs[key]["artifactType"], idef["artifacts"][aname]["artifactType"]):
                bad.append("task %s: input %s: type %s, but %s writes %s" % (
                    tname, aname, idef["artifacts"][aname]["artifactType"], prod, outs[key]["artifactType"]))
        for pname, p in tin.get("parameters", {}).items():
            src = p.get("componentInputParameter")
            want_type = idef.get("parameters", {}).get(pname, {}).get("parameterType")
            if "runtimeValue" in p:
                v = p["runtimeValue"].get("constant")
                if want_type and (not isinstance(v, TYPES[want_type]) or
                                  (isinstance(v, bool) and want_type != "BOOLEAN")):
                    bad.append("task %s: parameter %s: constant %r is not %s" % (tname, pname, v, want_type))
                continue
            if "taskOutputParameter" in p:
                top = p["taskOutputParameter"]
                prod, key = top.get("producerTask"), top.get("outputParameterKey")
                if prod not in tasks:
                    bad.append("task %s: parameter %s: producerTask %r names no task" % (tname, pname, prod))
                    continue
                if prod not in before(tname):
                    bad.append("task %s: parameter %s: producer %s does not run before it" % (tname, pname, prod))
                pcomp = comps.get(tasks[prod].get("componentRef", {}).get("name"), {})
                pouts = pcomp.get("outputDefinitions", {}).get("parameters", {})
                if key not in pouts:
                    bad.append("task %s: parameter %s: %s has no output parameter %r" % (tname, pname, prod, key))
                elif pouts[key].get("parameterType") != want_type:
                    bad.append("task %s: parameter %s: type %s, but %s writes %s" % (
                        tname, pname, want_type, prod, pouts[key].get("parameterType")))
                continue
            if src not in root_params:
                bad.append("task %s: parameter %s: componentInputParameter %r is no pipeline input" % (
                    tname, pname, src))
            elif pname in idef.get("parameters", {}) and \
                    root_params[src]["parameterType"] != idef["parameters"][pname]["parameterType"]:
                bad.append("task %s: parameter %s: type differs from the pipeline input's" % (tname, pname))
        if not t.get("taskInfo", {}).get("name"):
            bad.append("task %s: no taskInfo.name" % tname)

        # placeholders: each names a declaration, each declaration is used
        ex = execs.get(comp.get("executorLabel"), {}).get("container", {})
        odef = comp.get("outputDefinitions", {})
        want = {("inputs", "parameters", n) for n in idef.get("parameters", {})} | \
               {("inputs", "artifacts", n) for n in idef.get("artifacts", {})} | \
               {("outputs", "artifacts", n) for n in odef.get("artifacts", {})} | \
               {("outputs", "parameters", n) for n in odef.get("parameters", {})}
        seen = set()
        bootstrap = (ex.get("command") or [""])[0].endswith("t3q-bootstrap")
        for s in ex.get("args", []) + ex.get("command", []):
            for m in PLACEHOLDER.finditer(s):
                io, kind, name, rest = m.groups()
                seen.add((io, kind, name))
                if (io, kind, name) not in want:
                    bad.append("executor %s: %s names no declared %s %s" % (
                        comp.get("executorLabel"), m.group(0), io, kind))
                ok = {"artifacts": (".path",) if bootstrap else (".path", ".uri"),
                      "parameters": (".output_file",) if io == "outputs" else ("",)}[kind]
                if rest not in ok:
                    bad.append("executor %s: %s: not a %s" % (comp.get("executorLabel"), m.group(0), " or ".join(ok)))
            if "{{$" in PLACEHOLDER.sub("", s).replace("{{$}}", ""):
                bad.append("executor %s: a placeholder kfp does not know in %r" % (comp.get("executorLabel"), s))
        # a custom component (its own command) may leave inputs unread
        for miss in sorted(m for m in want - seen if bootstrap or m[0] == "outputs"):
            bad.append("executor %s: declared %s %s %r is never passed" % ((comp.get("executorLabel"),) + miss))
        # "--artifact-output NAME=PATH": NAME is the placeholder's own key
        args = ex.get("args", [])
        for i, a in enumerate(args[:-1]):
            if a in ("--artifact-input", "--artifact-output"):
                m = PLACEHOLDER.fullmatch(args[i + 1].split("=", 1)[-1])
                if not m or args[i + 1].split("=", 1)[0] != m.group(3) or \
                        m.group(1) != ("inputs" if a == "--artifact-input" else "outputs"):
                    bad.append("executor %s: %s %r does not pass its own path" % (
                        comp.get("executorLabel"), a, args[i + 1]))
    for c in set(comps) - used_comps:
        bad.append("component %s: no task uses it" % c)
    for e in set(execs) - used_execs:
        bad.append("executor %s: no component uses it" % e)
    return bad


def check(path, spec=None, platform=None):
    """the failures of one file (or of the given documents, saved to one)"""
    try:
        if spec is None:
            spec, platform = load(path)
        else:
            with open(path, "w") as fh:
                yaml.safe_dump_all([spec, platform], fh)
        parse(spec, platform)
        load_component_from_file(path)
    except Exception as e:  # every failure to parse or load, reported as one
        return ["%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else "")]
    return refs(spec, platform)


def mutants(spec, platform):
    """(what, spec, platform): each must be rejected"""
    tasks = spec["root"]["dag"]["tasks"]
    t0 = next(iter(tasks))
    ex0 = next(iter(spec["deploymentSpec"]["executors"]))

    def mut(what, f):
        s, p = copy.deepcopy(spec), copy.deepcopy(platform)
        if f(s, p) is not False:
            yield what, s, p

    yield from mut("dangling componentRef",
                   lambda s, p: s["root"]["dag"]["tasks"][t0]["componentRef"].update(name="comp-nowhere"))
    yield from mut("dangling executorLabel",
                   lambda s, p: next(iter(s["components"].values())).update(executorLabel="exec-nowhere"))
    yield from mut("dangling dependentTasks entry",
                   lambda s, p: s["root"]["dag"]["tasks"][t0].setdefault("dependentTasks", []).append("nowhere"))
    yield from mut("unknown field in PipelineSpec", lambda s, p: s["root"]["dag"].update(bogus=1))
    yield from mut("unknown field in a task", lambda s, p: s["root"]["dag"]["tasks"][t0].update(bogus=1))
    yield from mut("unknown field in the platform spec",
                   lambda s, p: p["platforms"]["kubernetes"]["deploymentSpec"]["executors"][ex0].update(bogus=1))
    yield from mut("unknown field in a platform secret",
                   lambda s, p: p["platforms"]["kubernetes"]["deploymentSpec"]["executors"][ex0].update(
                       secretAsEnv=[{"secretName": "s", "keyToEnv": [{"envVar": "E", "secretKey": "k"}],
                                     "bogus": 1}]))
    yield from mut("platform executor that does not exist",
                   lambda s, p: p["platforms"]["kubernetes"]["deploymentSpec"]["executors"].update(
                       {"exec-nowhere": {}}))
    yield from mut("placeholder for an undeclared input",
                   lambda s, p: s["deploymentSpec"]["executors"][ex0]["container"].setdefault("args", []).append(
                       "{{$.inputs.parameters['nowhere']}}"))
    bootstrap = (spec["deploymentSpec"]["executors"][ex0]["container"].get("command") or [""])[0].endswith(
        "t3q-bootstrap")
    if bootstrap:
        yield from mut("declared output never passed",
                       lambda s, p: s["deploymentSpec"]["executors"][ex0]["container"].update(
                           args=[a for a in s["deploymentSpec"]["executors"][ex0]["container"]["args"]
                                 if "mlpipeline-html" not in a]))
        yield from mut("--artifact-output passing another's path",
                       lambda s, p: s["deploymentSpec"]["executors"][ex0]["container"].update(
                           args=[a.replace("mlpipeline-metrics=", "mlpipeline-html=")
                                 for a in s["deploymentSpec"]["executors"][ex0]["container"]["args"]]))
    yield from custom_mutants(spec, mut)
    yield from mut("wrong parameterType", lambda s, p: next(iter(s["components"].values())).update(
        inputDefinitions={"parameters": {"x": {"parameterType": "NUMBER_NOPE"}}}))

    consumers = [(n, t) for n, t in tasks.items() if t.get("inputs", {}).get("artifacts")]
    if consumers:
        n, t = consumers[0]
        a = next(iter(t["inputs"]["artifacts"]))
        yield from mut("dangling producerTask", lambda s, p: s["root"]["dag"]["tasks"][n]["inputs"]["artifacts"][a][
            "taskOutputArtifact"].update(producerTask="nowhere"))
        yield from mut("dangling outputArtifactKey", lambda s, p: s["root"]["dag"]["tasks"][n]["inputs"]["artifacts"][
            a]["taskOutputArtifact"].update(outputArtifactKey="nowhere"))
        yield from mut("producer that does not run before",
                       lambda s, p: s["root"]["dag"]["tasks"][n].update(dependentTasks=[]))
    users = [(n, t) for n, t in tasks.items() if t.get("inputs", {}).get("parameters")]
    if users:
        n, t = users[0]
        pn = next(iter(t["inputs"]["parameters"]))
        yield from mut("dangling componentInputParameter", lambda s, p: s["root"]["dag"]["tasks"][n]["inputs"][
            "parameters"][pn].update(componentInputParameter="nowhere"))


def custom_mutants(spec, mut):
    """Custom components' IR (their own command): output parameters,
    constants, taskOutputParameter, required inputs, artifact types."""
    tasks = spec["root"]["dag"]["tasks"]
    execs = spec["deploymentSpec"]["executors"]
    for ename, e in execs.items():
        line = e["container"].get("command", []) + e["container"].get("args", [])
        if any(".output_file}}" in a for a in line):
            yield from mut("output parameter placeholder spelt as an artifact's", lambda s, p: s["deploymentSpec"][
                "executors"][ename]["container"].update(
                    command=[a.replace(".output_file}}", ".path}}") for a in e["container"].get("command", [])],
                    args=[a.replace(".output_file}}", ".path}}") for a in e["container"].get("args", [])]))
            break
    for tname, t in tasks.items():
        for pname, x in t.get("inputs", {}).get("parameters", {}).items():
            if "runtimeValue" in x and not isinstance(x["runtimeValue"]["constant"], str):
                yield from mut("constant of the wrong type", lambda s, p: s["root"]["dag"]["tasks"][tname][
                    "inputs"]["parameters"][pname]["runtimeValue"].update(constant="text"))
                break
        for pname, x in t.get("inputs", {}).get("parameters", {}).items():
            if "taskOutputParameter" in x:
                yield from mut("dangling outputParameterKey", lambda s, p: s["root"]["dag"]["tasks"][tname][
                    "inputs"]["parameters"][pname]["taskOutputParameter"].update(outputParameterKey="nowhere"))
                yield from mut("output parameter producer that does not run before",
                               lambda s, p: s["root"]["dag"]["tasks"][tname].update(dependentTasks=[]))
                break
        comp = spec["components"][t["componentRef"]["name"]]
        for kind in ("parameters", "artifacts"):
            req = [n for n, d in comp.get("inputDefinitions", {}).get(kind, {}).items()
                   if not d.get("isOptional") and n in t.get("inputs", {}).get(kind, {})]
            if req:
                yield from mut("required input %s not given" % kind, lambda s, p: s["root"]["dag"]["tasks"][tname][
                    "inputs"][kind].pop(req[0]))
        for aname, x in t.get("inputs", {}).get("artifacts", {}).items():
            d = comp.get("inputDefinitions", {}).get("artifacts", {}).get(aname, {})
            if d.get("artifactType", {}).get("schemaTitle") not in (None, "system.Artifact", "system.Model"):
                yield from mut("artifact input of another type", lambda s, p: s["components"][t["componentRef"][
                    "name"]]["inputDefinitions"]["artifacts"][aname]["artifactType"].update(
                        schemaTitle="system.Model"))
                break


def main(argv):
    failed = 0
    if argv[:1] == ["--self-test"]:
        with tempfile.TemporaryDirectory() as tmp:
            for path in argv[1:]:
                spec, platform = load(path)
                n = 0
                for what, s, p in mutants(spec, platform):
                    n += 1
                    if not check(tmp + "/m.yaml", s, p):
                        print("%s: not rejected: %s" % (path, what))
                        failed += 1
                print("%s: %d broken copies, %d rejected" % (path, n, n - failed))
        return 1 if failed else 0
    for path in argv:
        for b in check(path):
            print("%s: %s" % (path, b))
            failed += 1
    print("%d files, %d failures" % (len(argv), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
